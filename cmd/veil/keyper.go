package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/urfave/cli/v2"
	"github.com/veil-l2/veil/internal/p2p"
	"github.com/veil-l2/veil/keyper"
)

func keyperCommand() *cli.Command {
	return &cli.Command{
		Name:  "keyper",
		Usage: "the committee node",
		Subcommands: []*cli.Command{
			{
				Name:  "init",
				Usage: "create a keyper's keys and print what to register",
				Description: "Creates the signing key (secp256k1), the DKG long-term key and the libp2p host key in " +
					"the data directory, each readable by the owner only; the first two are sealed with the " +
					"passphrase when a passphrase file is given. Never overwrites existing keys.",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "datadir", Usage: "data directory", Required: true, EnvVars: env("KEYPER_DATADIR")},
					&cli.StringFlag{Name: "passphrase-file", Usage: "file holding the passphrase that seals the keys", EnvVars: env("KEYPER_PASSPHRASE_FILE")},
				},
				Action: func(c *cli.Context) error {
					pass, err := readPassphrase(c.String("passphrase-file"))
					if err != nil {
						return err
					}
					dir := c.String("datadir")
					keys, err := keyper.InitKeys(dir, pass)
					if err != nil {
						return err
					}
					hostKey, err := p2p.LoadOrCreateHostKey(filepath.Join(dir, keyper.HostKeyFile))
					if err != nil {
						return err
					}
					id, err := peer.IDFromPrivateKey(hostKey)
					if err != nil {
						return err
					}
					dkgPub, err := keys.DKGPublic()
					if err != nil {
						return err
					}
					w := c.App.Writer
					fmt.Fprintf(w, "keys written to %s\n", dir)
					fmt.Fprintf(w, "register these with the committee:\n")
					fmt.Fprintf(w, "  address:        %s\n", keys.Address())
					fmt.Fprintf(w, "  dkg public key: %s\n", dkgPub)
					fmt.Fprintf(w, "  peer id:        %s\n", id)
					return nil
				},
			},
		},
	}
}

// readPassphrase reads a passphrase file (trailing newlines dropped); an
// empty path means no passphrase.
func readPassphrase(path string) ([]byte, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("passphrase file: %w", err)
	}
	b = bytes.TrimRight(b, "\r\n")
	if len(b) == 0 {
		return nil, fmt.Errorf("passphrase file %s is empty", path)
	}
	return b, nil
}
