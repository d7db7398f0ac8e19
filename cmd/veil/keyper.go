package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/urfave/cli/v2"
	"github.com/veil-l2/veil/execution"
	"github.com/veil-l2/veil/internal/p2p"
	"github.com/veil-l2/veil/keyper"
	l1pkg "github.com/veil-l2/veil/l1"
	"github.com/veil-l2/veil/ordering"
	"github.com/veil-l2/veil/rescue"
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
			keyperRunCommand(),
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

// errKeyperRun reports flags `veil keyper run` cannot start with.
var errKeyperRun = errors.New("keyper run")

// keyperRunConfig is what `veil keyper run` reads from its flags.
type keyperRunConfig struct {
	datadir         string
	passphraseFile  string
	committee       string
	listen          []string
	peers           []string
	l1RPC           string
	contracts       string
	l1Confirmations uint64
	maxDrift        time.Duration
	maxTxs          int
	maxBytes        int
	maxGasLimit     uint64
	strict          bool
	dkgPhaseTimeout time.Duration
	// republishAfter: with contracts, re-publish a released batch still
	// off L1 this long after (0: never); republishSet says the flag was
	// given, which without contracts is refused.
	republishAfter time.Duration
	republishSet   bool
	metricsAddr    string
}

func keyperRunCommand() *cli.Command {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "datadir", Usage: "data directory that veil keyper init made (required)", EnvVars: env("KEYPER_DATADIR")},
		&cli.StringFlag{Name: "passphrase-file", Usage: "file holding the passphrase that seals the keys", EnvVars: env("KEYPER_PASSPHRASE_FILE")},
		&cli.StringFlag{Name: "committee", Usage: "committee config, JSON: chainId, eon, threshold, tolerated, sequencer, members " +
			"[{address, dkgPublicKey, peer}] (required until committees are read from L1)", EnvVars: env("KEYPER_COMMITTEE")},
		&cli.StringSliceFlag{Name: "listen", Value: cli.NewStringSlice("/ip4/127.0.0.1/tcp/9100"), Usage: "libp2p listen multiaddrs",
			EnvVars: env("KEYPER_LISTEN")},
		&cli.StringSliceFlag{Name: "peers", Usage: "multiaddrs ending in /p2p/<id> to stay connected to, replacing the default: " +
			"the committee members' peer addresses but this keyper's own", EnvVars: env("KEYPER_PEERS")},
		&cli.StringFlag{Name: "l1-rpc", Usage: "URL of an Ethereum JSON-RPC endpoint of the L1 (required: a batch's L1 origin must be " +
			"a confirmed L1 block the keyper has seen)", EnvVars: env("KEYPER_L1_RPC")},
		&cli.Uint64Flag{Name: "l1-confirmations", Value: 2, Usage: "blocks on top of an L1 block before it may be a batch's origin",
			EnvVars: env("KEYPER_L1_CONFIRMATIONS")},
		&cli.StringFlag{Name: "contracts", Usage: "Veil's L1 contracts file (veil l1 deploy writes it): when given, the keyper votes " +
			"the eon key on KeyBroadcast from its address, for the eon's keyper set on L1 (set eon-1), once its members and " +
			"threshold are the committee's (the address needs L1 ETH for the vote), checks its committee against that set, releases from the set's activation " +
			"block and hands over to the next set at its activation", EnvVars: env("KEYPER_CONTRACTS")},
		&cli.DurationFlag{Name: "max-drift", Value: 10 * time.Second, Usage: "largest difference allowed between a batch's timestamp " +
			"and the local clock (whole seconds)", EnvVars: env("KEYPER_MAX_DRIFT")},
		&cli.IntFlag{Name: "max-txs", Value: ordering.DefaultMaxTxs, Usage: "most transactions in a batch", EnvVars: env("KEYPER_MAX_TXS")},
		&cli.IntFlag{Name: "max-bytes", Value: ordering.DefaultMaxBytes + 1<<20, Usage: "largest encoded batch in bytes " +
			"(the sequencer's default cap plus 1 MiB for the commitment)", EnvVars: env("KEYPER_MAX_BYTES")},
		&cli.Uint64Flag{Name: "max-gas-limit", Value: execution.DefaultGasLimit, Usage: "largest block gas limit a batch may name",
			EnvVars: env("KEYPER_MAX_GAS_LIMIT")},
		&cli.BoolFlag{Name: "strict", Usage: "release only batches whose commitment is already on L1 (not available yet)",
			EnvVars: env("KEYPER_STRICT")},
		&cli.DurationFlag{Name: "dkg-phase-timeout", Value: keyper.DefaultDKGPhaseTimeout, Usage: "how long a DKG phase waits for " +
			"missing members", EnvVars: env("KEYPER_DKG_PHASE_TIMEOUT")},
		&cli.DurationFlag{Name: "republish-after", Value: keyper.DefaultRepublishAfter, Usage: "with --contracts: re-publish a batch " +
			"this keyper released that is still not on L1 this long after, with its keys and attestation, so that anyone (veil " +
			"rescue) can post it; 0 disables it", EnvVars: env("KEYPER_REPUBLISH_AFTER")},
	}
	return withConfigFile(&cli.Command{
		Name:  "run",
		Usage: "run the keyper: the DKG with the committee, then key shares for the sequencer's batches",
		Description: "Loads the keys from the data directory, joins the committee's network, runs the eon's DKG (or loads its " +
			"recorded result) and then releases key shares for the batches the registered sequencer commits, under the " +
			"rules of DESIGN.md section 5, while following L1 for batch origins. Runs until SIGINT or SIGTERM. Every flag " +
			"can also be set by its VEIL_KEYPER_* environment variable or by a key in the --config TOML file.\n\n" +
			"Withheld batches: with --contracts the keyper keeps each batch it released until BatchInbox has it; one still " +
			"off L1 --republish-after after its release (a sequencer that took the keys and withheld the batch) is " +
			"re-published on the committee's network with its keys and attestation, at most once per --republish-after, so " +
			"that a rescuer (veil rescue) peered with the keypers posts it to L1 from its own account. Without --contracts " +
			"the keyper cannot tell what is on L1 and does not re-publish.",
		Flags: append(flags, processFlags("keyper")...),
		Action: func(c *cli.Context) error {
			cfg := readKeyperRunConfig(c)
			return runProcess(c, cfg.check, func(ctx context.Context, log *slog.Logger) error { return runKeyper(ctx, cfg, log) })
		},
	})
}

// readKeyperRunConfig reads `veil keyper run`'s flags.
func readKeyperRunConfig(c *cli.Context) keyperRunConfig {
	return keyperRunConfig{
		datadir: c.String("datadir"), passphraseFile: c.String("passphrase-file"), committee: c.String("committee"),
		listen: c.StringSlice("listen"), peers: c.StringSlice("peers"), l1RPC: c.String("l1-rpc"),
		contracts: c.String("contracts"), l1Confirmations: c.Uint64("l1-confirmations"), maxDrift: c.Duration("max-drift"), maxTxs: c.Int("max-txs"),
		maxBytes: c.Int("max-bytes"), maxGasLimit: c.Uint64("max-gas-limit"), strict: c.Bool("strict"),
		dkgPhaseTimeout: c.Duration("dkg-phase-timeout"), republishAfter: c.Duration("republish-after"),
		republishSet: c.IsSet("republish-after"), metricsAddr: c.String("metrics-addr"),
	}
}

// check rejects flags the keyper cannot start with.
func (cfg *keyperRunConfig) check() error {
	switch {
	case cfg.datadir == "":
		return fmt.Errorf("%w: --datadir is required: the data directory that `veil keyper init` made", errKeyperRun)
	case cfg.committee == "":
		return fmt.Errorf("%w: --committee is required: the committee's JSON config file (until committees are read from L1)", errKeyperRun)
	case cfg.l1RPC == "":
		return fmt.Errorf("%w: --l1-rpc is required: the keyper releases shares only for batches whose L1 origin is a confirmed "+
			"L1 block it has seen, so it needs an Ethereum JSON-RPC endpoint of the L1 (e.g. http://127.0.0.1:8545)", errKeyperRun)
	case !isURL(cfg.l1RPC):
		return fmt.Errorf("%w: --l1-rpc %q is not a URL like http://127.0.0.1:8545", errKeyperRun, cfg.l1RPC)
	case cfg.strict:
		return fmt.Errorf("%w: --strict needs the commitments posted on L1, which this keyper does not read yet: it would refuse "+
			"every batch", errKeyperRun)
	case cfg.maxDrift < time.Second || cfg.maxDrift%time.Second != 0:
		return fmt.Errorf("%w: --max-drift %v: must be a whole number of seconds, at least 1s", errKeyperRun, cfg.maxDrift)
	case cfg.maxTxs <= 0 || cfg.maxBytes <= 0 || cfg.maxGasLimit == 0:
		return fmt.Errorf("%w: --max-txs, --max-bytes and --max-gas-limit must be positive", errKeyperRun)
	case cfg.dkgPhaseTimeout <= 0:
		return fmt.Errorf("%w: --dkg-phase-timeout must be positive", errKeyperRun)
	case cfg.republishAfter < 0:
		return fmt.Errorf("%w: --republish-after %v: must not be negative (0 disables re-publishing)", errKeyperRun, cfg.republishAfter)
	case cfg.republishSet && cfg.republishAfter > 0 && cfg.contracts == "":
		return fmt.Errorf("%w: --republish-after needs --contracts: the keyper re-publishes a batch that is not on L1, which it "+
			"reads from BatchInbox", errKeyperRun)
	}
	return nil
}

// runKeyper is `veil keyper run` after its flags: it opens the keyper's
// parts, runs keyper.Run until ctx ends, then closes them (the node, then
// the network, then the store). It returns nil when ctx ends.
func runKeyper(ctx context.Context, cfg keyperRunConfig, log *slog.Logger) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pass, err := readPassphrase(cfg.passphraseFile)
	if err != nil {
		return err
	}
	keys, err := keyper.LoadKeys(cfg.datadir, pass)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("no keyper keys in %s (create them with `veil keyper init --datadir %s`): %w", cfg.datadir, cfg.datadir, err)
	case errors.Is(err, keyper.ErrPassphraseNeeded):
		return fmt.Errorf("%w (give it with --passphrase-file)", err)
	case err != nil:
		return err
	}
	committee, err := keyper.LoadCommittee(cfg.committee)
	if err != nil {
		return err
	}
	idx, err := committee.MemberIndex(keys)
	if err != nil {
		return fmt.Errorf("%s: %w", cfg.committee, err)
	}
	hostKey, err := p2p.LoadOrCreateHostKey(filepath.Join(cfg.datadir, keyper.HostKeyFile))
	if err != nil {
		return err
	}
	peers := cfg.peers
	if len(peers) == 0 {
		for i, m := range committee.Members {
			if i != idx && m.Peer != "" {
				peers = append(peers, m.Peer)
			}
		}
	}
	l1, l1Name, err := dialL1(ctx, cfg.l1RPC)
	if err != nil {
		return err
	}
	defer l1.Close()

	reg := newRegistry()
	metricsAddr, err := serveMetrics(ctx, cfg.metricsAddr, reg, log)
	if err != nil {
		return err
	}
	storePath := filepath.Join(cfg.datadir, keyper.StoreFile)
	store, err := keyper.OpenStore(storePath)
	if err != nil {
		if strings.Contains(err.Error(), "timeout") {
			return fmt.Errorf("%w (is another keyper running on %s?)", err, cfg.datadir)
		}
		return err
	}
	defer store.Close()
	node, err := p2p.New(ctx, p2p.Config{ListenAddrs: cfg.listen, HostKey: hostKey, Peers: peers, ChainID: committee.ChainID,
		// The largest batch the keyper accepts must fit in one message.
		MaxMessageSize: max(p2p.DefaultMaxMessageSize, cfg.maxBytes+4<<10), Logger: log, Registry: reg})
	if err != nil {
		return err
	}
	defer node.Close()
	log.Info("keyper starting", "address", keys.Address(), "index", idx, "chain", committee.ChainID, "eon", committee.Eon,
		"peer_id", node.ID(), "listen", node.Addrs(), "peers", len(peers), "l1", l1Name, "metrics", metricsAddr)
	probe, cancelProbe := context.WithTimeout(ctx, 5*time.Second)
	if head, err := l1.HeaderByNumber(probe, nil); err != nil {
		log.Warn("the L1 endpoint does not answer yet; the keyper keeps trying", "err", err)
	} else {
		log.Info("L1 endpoint answers", "head", head.Number)
	}
	cancelProbe()

	var vote func(ctx context.Context, eon uint64, key []byte) error
	var eons keyper.L1Eons
	var republish *keyper.RepublishConfig
	if cfg.contracts != "" {
		cs, err := l1pkg.ReadContracts(cfg.contracts)
		if err != nil {
			return err
		}
		chain, err := l1pkg.Dial(ctx, cfg.l1RPC)
		if err != nil {
			return fmt.Errorf("--l1-rpc: connecting to %s: %w", l1Name, redactURL(errors.Unwrap(err), l1Name))
		}
		defer chain.Close()
		l1Eons := l1pkg.NewEons(chain, cs)
		vote, eons = keyperVoter(l1Eons, committee, keys), l1Eons
		republish = keyperRepublish(cfg.republishAfter, chain, cs)
		log.Info("re-publishing withheld batches", "after", cfg.republishAfter, "enabled", republish != nil)
	}
	err = keyper.Run(ctx, keyper.RunConfig{Committee: committee, Keys: keys, Passphrase: pass, Store: store, P2P: node,
		L1: l1, L1Follow: keyper.L1FollowConfig{Confirmations: cfg.l1Confirmations},
		Release: keyper.ReleaseConfig{MaxDrift: uint64(cfg.maxDrift / time.Second), MaxTxs: cfg.maxTxs, MaxBytes: cfg.maxBytes,
			MaxGasLimit: cfg.maxGasLimit, Strict: cfg.strict},
		DKGPhaseTimeout: cfg.dkgPhaseTimeout, Logger: log, Registry: reg, VoteEonKey: vote, Eons: eons, Republish: republish})
	if err != nil {
		log.Error("keyper stopped", "err", err)
		return err
	}
	log.Info("keyper stopped")
	return nil
}

// keyperRepublish is the keyper's re-publication config: batches below
// BatchInbox's nextNumber on chain are on L1; nil when after is 0.
func keyperRepublish(after time.Duration, chain *l1pkg.Chain, cs l1pkg.Contracts) *keyper.RepublishConfig {
	if after <= 0 {
		return nil
	}
	return &keyper.RepublishConfig{After: after, Posted: func(ctx context.Context) (uint64, error) {
		return rescue.NextNumber(ctx, chain, cs)
	}}
}

// errNoKeyperSet: L1 has no final keyper set for the committee's eon (yet).
var errNoKeyperSet = errors.New("keyper: no final keyper set on L1 for the eon")

// keyperVoter votes the eon key for the eon's keyper set on L1 (set eon-1,
// the schedule's rule), once that set is final and its members and
// threshold are the committee's (Committee.CheckL1).
func keyperVoter(eons *l1pkg.Eons, committee *keyper.Committee, keys *keyper.Keys) func(context.Context, uint64, []byte) error {
	return func(ctx context.Context, eon uint64, key []byte) error {
		set, ok, err := eons.KeyperSet(ctx, eon)
		switch {
		case err != nil:
			return err
		case !ok:
			return fmt.Errorf("%w: eon %d", errNoKeyperSet, eon)
		}
		if err := committee.CheckL1(set); err != nil {
			return err
		}
		return eons.EonKeys().Vote(ctx, keys.Signing, eon-1, eon, key)
	}
}

// l1Endpoint is an L1 JSON-RPC client whose errors name the endpoint by
// scheme and host only: the rest of a provider's URL is often an API key,
// and these errors go to the logs.
type l1Endpoint struct {
	*ethclient.Client
	name string
}

// dialL1 connects to the L1 endpoint at rawURL (http(s) or ws(s)).
func dialL1(ctx context.Context, rawURL string) (*l1Endpoint, string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, "", fmt.Errorf("%w: --l1-rpc: %v", errKeyperRun, err)
	}
	name := (&url.URL{Scheme: u.Scheme, Host: u.Host}).String()
	c, err := ethclient.DialContext(ctx, rawURL)
	if err != nil {
		return nil, "", fmt.Errorf("--l1-rpc: connecting to %s: %w", name, redactURL(err, name))
	}
	return &l1Endpoint{Client: c, name: name}, name, nil
}

func isURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme != "" && u.Host != ""
}

// HeaderByNumber implements keyper.L1Headers.
func (e *l1Endpoint) HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error) {
	h, err := e.Client.HeaderByNumber(ctx, number)
	return h, redactURL(err, e.name)
}

// redactURL replaces the URL in an HTTP client error by name.
func redactURL(err error, name string) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s %s: %w", ue.Op, name, ue.Err)
	}
	return err
}
