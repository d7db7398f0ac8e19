package main

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/urfave/cli/v2"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/keyper/dkg"
)

func demoCommand() *cli.Command {
	return &cli.Command{
		Name:  "demo",
		Usage: "threshold encryption end to end with in-process keypers",
		Description: "Runs a fresh DKG among in-process keypers, encrypts a transaction to the eon key, " +
			"has every keyper release its key share, checks the shares, aggregates a key from a threshold " +
			"of them, decrypts, and shows that one share fewer cannot.",
		Subcommands: []*cli.Command{demoSandwichCommand()},
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "keypers", Usage: "committee size n", Value: 7, EnvVars: env("DEMO_KEYPERS")},
			&cli.IntFlag{Name: "threshold", Usage: "keypers needed for a key t", Value: 5, EnvVars: env("DEMO_THRESHOLD")},
			&cli.StringFlag{Name: "message", Usage: "plaintext to encrypt", Value: "swap 1 ETH for USDC, slippage 0.5%", EnvVars: env("DEMO_MESSAGE")},
			&cli.Uint64Flag{Name: "chain-id", Usage: "L2 chain id", Value: 901, EnvVars: env("CHAIN_ID")},
		},
		Action: func(c *cli.Context) error {
			return runDemo(c.App.Writer, c.Int("keypers"), c.Int("threshold"), c.Uint64("chain-id"), []byte(c.String("message")))
		},
	}
}

func runDemo(w io.Writer, n, t int, chainID uint64, msg []byte) error {
	if n < 1 || t < 1 || t > n {
		return fmt.Errorf("threshold %d of %d keypers: need 1 <= threshold <= keypers", t, n)
	}
	const eon = 1
	start := time.Now()
	step := func(format string, args ...any) {
		fmt.Fprintf(w, "[%7.1f ms] %s\n", float64(time.Since(start).Microseconds())/1000, fmt.Sprintf(format, args...))
	}

	cfgs, err := dkg.LocalConfigs(chainID, eon, n, t)
	if err != nil {
		return err
	}
	committee, err := dkg.NewLocalCommittee(cfgs)
	if err != nil {
		return err
	}
	results, fails := committee.Run()
	for i, r := range results {
		if r == nil {
			return fmt.Errorf("keyper %d: %v", i, fails[i])
		}
	}
	pk := results[0].EonPublicKey
	step("DKG: %d keypers, threshold %d, eon key %x...", n, t, pk.Bytes()[:12])

	var payer [20]byte
	var prefix [32]byte
	copy(payer[:], bytes.Repeat([]byte{0xfe}, 20))
	if _, err := rand.Read(prefix[:]); err != nil {
		return err
	}
	id := tpke.TxIdentity(chainID, eon, payer, prefix)
	ad := tpke.EnvelopeAD(chainID, eon, id, 21000)
	ct, err := tpke.Encrypt(pk, id, msg, ad, rand.Reader)
	if err != nil {
		return err
	}
	step("encrypted %d bytes to identity %x...: ciphertext %d bytes", len(msg), id[:8], len(ct))

	// Each keyper releases its share; the shares are checked as the
	// sequencer would, batched per keyper.
	q := id.Point()
	shares := make([]tpke.KeyShare, n)
	for i, r := range results {
		msgBytes := r.Share.KeyShare(q).Bytes()
		verified, err := tpke.VerifyShares(results[0].PublicShares[i], []*tpke.IdentityPoint{q}, msgBytes, rand.Reader)
		if err != nil {
			return fmt.Errorf("keyper %d share: %w", i, err)
		}
		shares[i] = verified[0]
	}
	step("%d key shares released and verified", n)

	signers := make([]int, t)
	for k := range signers {
		signers[k] = n - 1 - k // any t will do: take the last ones
	}
	key, err := aggregate(signers, shares)
	if err != nil {
		return err
	}
	if err := tpke.VerifyKey(pk, q, key); err != nil {
		return err
	}
	step("key aggregated from keypers %v and verified against the eon key", signers)

	plain, err := tpke.Decrypt(key, id, ct, ad)
	if err != nil {
		return err
	}
	if !bytes.Equal(plain, msg) {
		return errors.New("decrypted a different message")
	}
	step("decrypted: %q", plain)

	if t > 1 {
		fewer, err := aggregate(signers[:t-1], shares)
		if err != nil {
			return err
		}
		if _, err := tpke.Decrypt(fewer, id, ct, ad); !errors.Is(err, tpke.ErrDecrypt) {
			return fmt.Errorf("%d shares decrypted: %v", t-1, err)
		}
		step("%d shares (one fewer than the threshold) cannot decrypt: %v", t-1, tpke.ErrDecrypt)
	}
	fmt.Fprintln(w, "ok")
	return nil
}

// aggregate interpolates a key from the shares of the given keypers.
func aggregate(signers []int, shares []tpke.KeyShare) (*tpke.Key, error) {
	row := make([]tpke.KeyShare, len(signers))
	for k, s := range signers {
		row[k] = shares[s]
	}
	return tpke.Aggregate(signers, row)
}
