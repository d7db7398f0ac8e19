package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"
	"github.com/urfave/cli/v2"

	"github.com/veil-l2/veil/execution"
	"github.com/veil-l2/veil/internal/keyfile"
	"github.com/veil-l2/veil/internal/p2p"
	"github.com/veil-l2/veil/keyper"
	l1pkg "github.com/veil-l2/veil/l1"
	"github.com/veil-l2/veil/ordering"
	"github.com/veil-l2/veil/rescue"
	"github.com/veil-l2/veil/verify"
)

// What `veil rescue init` writes into the data directory, beside what the
// rescuer keeps there (verifier/, its chain; poster.db, its postings).
const (
	// RescuerKeyFile is the rescuer's L1 account, which pays for its
	// postings: a plain key file (package keyfile), like the sequencer's,
	// since the process runs unattended.
	RescuerKeyFile = "rescuer.key"
	// RescuerHostKeyFile is the libp2p host key.
	RescuerHostKeyFile = "p2p.key"
)

// errRescueRun reports flags or files `veil rescue` cannot start with.
var errRescueRun = errors.New("rescue")

// rescueConfig is what `veil rescue` reads from its flags.
type rescueConfig struct {
	datadir       string
	keyFile       string
	l1RPC         string
	contracts     string
	chain         string
	committee     string
	eonDir        string
	listen        []string
	peers         []string
	confirmations uint64
	poll          time.Duration
	metricsAddr   string
}

func rescueCommand() *cli.Command {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "datadir", Usage: "data directory: the rescuer's verified chain and its postings (required; veil " +
			"rescue init makes it)", EnvVars: env("RESCUE_DATADIR")},
		&cli.StringFlag{Name: "key-file", Usage: "the rescuer's L1 account, which pays for its postings: a secp256k1 key, hex, mode " +
			"0600 (default: " + RescuerKeyFile + " in the data directory)", EnvVars: env("RESCUE_KEY_FILE")},
		&cli.StringFlag{Name: "l1-rpc", Usage: "URL of an Ethereum JSON-RPC endpoint of the L1 (required)", EnvVars: env("RESCUE_L1_RPC")},
		&cli.StringFlag{Name: "contracts", Usage: "Veil's L1 contracts file, the one veil l1 deploy wrote (required)",
			EnvVars: env("RESCUE_CONTRACTS")},
		&cli.StringFlag{Name: "chain", Usage: "the L2 chain config, the JSON file the sequencer runs with (required)",
			EnvVars: env("RESCUE_CHAIN")},
		&cli.StringFlag{Name: "committee", Usage: "a committee config, JSON, the file the keypers run with: its members may " +
			"re-publish batches of its eon (this or --eon-dir is required)", EnvVars: env("RESCUE_COMMITTEE")},
		&cli.StringFlag{Name: "eon-dir", Usage: "a directory with committee-<eon>.json for every eon whose keypers may re-publish " +
			"(the layout of veil sequencer --eon-dir; its eon-<eon>.json files are not needed: eon keys are read from L1)",
			EnvVars: env("RESCUE_EON_DIR")},
		&cli.StringSliceFlag{Name: "listen", Value: cli.NewStringSlice("/ip4/127.0.0.1/tcp/9300"), Usage: "libp2p listen multiaddrs",
			EnvVars: env("RESCUE_LISTEN")},
		&cli.StringSliceFlag{Name: "peers", Usage: "multiaddrs ending in /p2p/<id> of keypers to stay connected to, replacing the " +
			"default: the peer addresses of the members of every committee given", EnvVars: env("RESCUE_PEERS")},
		&cli.Uint64Flag{Name: "confirmations", Value: verify.DefaultConfirmations, Usage: "L1 blocks on top of a posting before " +
			"it is verified, and before the rescuer's own posting counts as posted", EnvVars: env("RESCUE_CONFIRMATIONS")},
		&cli.DurationFlag{Name: "poll-interval", Value: verify.DefaultPollInterval, Usage: "how often L1 is read",
			EnvVars: env("RESCUE_POLL_INTERVAL")},
	}
	return withConfigFile(&cli.Command{
		Name:  "rescue",
		Usage: "post the batches a sequencer withheld, which the keypers re-publish, to L1 from an account of your own",
		Description: "A sequencer that gets the keys of a batch and then keeps the batch off L1 stalls the chain. The keypers " +
			"that released it re-publish it (veil keyper run --contracts, after --republish-after) with its keys and " +
			"attestation; this command takes it, executes it on top of the chain L1 holds (its own verifier, which checks " +
			"every posted batch as veil verify --follow does) and posts it to BatchInbox from --key-file's account, which " +
			"needs L1 ETH. Anyone may run it; its postings are checked by every verifier like the sequencer's. It posts " +
			"only BatchInbox's next batch, in order, and prints a line per batch it rescued once it is verified. Runs " +
			"until SIGINT or SIGTERM, or until its verifier finds an invalid batch on L1 (then it exits non-zero: nothing " +
			"can be built on it). Every flag can also be set by its VEIL_RESCUE_* environment variable or by a key in the " +
			"--config TOML file.\n\n" +
			"Committees: a re-publication counts only from a member of its eon's committee, given by --committee and " +
			"--eon-dir's committee-<eon>.json files, each checked against --chain (chain id, sequencer). They are read " +
			"at start: to follow a new eon's committee, add its file and restart. Republished batches are held in " +
			"memory; after a restart the rescuer waits for the keypers' next re-publication.",
		Flags: append(flags, processFlags("rescue")...),
		Subcommands: []*cli.Command{
			rescueInitCommand(),
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return fmt.Errorf("%w: unexpected argument %q (the subcommand is init)", errRescueRun, c.Args().First())
			}
			cfg := rescueConfig{
				datadir: c.String("datadir"), keyFile: c.String("key-file"), l1RPC: c.String("l1-rpc"), contracts: c.String("contracts"),
				chain: c.String("chain"), committee: c.String("committee"), eonDir: c.String("eon-dir"), listen: c.StringSlice("listen"),
				peers: c.StringSlice("peers"), confirmations: c.Uint64("confirmations"), poll: c.Duration("poll-interval"),
				metricsAddr: c.String("metrics-addr"),
			}
			return runProcess(c, cfg.check, func(ctx context.Context, log *slog.Logger) error {
				return runRescue(ctx, cfg, c.App.Writer, log)
			})
		},
	})
}

func rescueInitCommand() *cli.Command {
	return &cli.Command{
		Name:  "init",
		Usage: "create the rescuer's L1 key and libp2p host key and print its address and peer id",
		Description: "Creates the rescuer's L1 key (secp256k1, hex, mode 0600) and its libp2p host key in the data directory. " +
			"Fund the address on L1: it pays for the rescuer's postings. Never overwrites an existing key.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "datadir", Usage: "data directory", Required: true, EnvVars: env("RESCUE_DATADIR")},
			&cli.StringFlag{Name: "key-file", Usage: "where to write the key (default: " + RescuerKeyFile + " in the data directory)",
				EnvVars: env("RESCUE_KEY_FILE")},
		},
		Action: func(c *cli.Context) error {
			return createKeys(c, RescuerKeyFile, RescuerHostKeyFile, "fund the address on L1 (it pays for the postings)")
		},
	}
}

// check rejects flags the rescuer cannot start with; the files they name
// are read by loadRescueFiles, also before anything starts.
func (cfg *rescueConfig) check() error {
	switch {
	case cfg.datadir == "":
		return fmt.Errorf("%w: --datadir is required: the rescuer keeps its verified chain and its postings there (veil rescue "+
			"init makes it, with the L1 key)", errRescueRun)
	case cfg.l1RPC == "":
		return fmt.Errorf("%w: --l1-rpc is required: the JSON-RPC URL of the L1 the batches are posted to", errRescueRun)
	case !isURL(cfg.l1RPC):
		return fmt.Errorf("%w: --l1-rpc %q is not a URL like http://127.0.0.1:8545", errRescueRun, cfg.l1RPC)
	case cfg.contracts == "":
		return fmt.Errorf("%w: --contracts is required: the file with the L1 contract addresses", errRescueRun)
	case cfg.chain == "":
		return fmt.Errorf("%w: --chain is required: the L2 chain config the sequencer runs with", errRescueRun)
	case cfg.committee == "" && cfg.eonDir == "":
		return fmt.Errorf("%w: --committee or --eon-dir is required: the committees whose members may re-publish a batch",
			errRescueRun)
	case cfg.poll <= 0:
		return fmt.Errorf("%w: --poll-interval must be positive", errRescueRun)
	case len(cfg.listen) == 0:
		return fmt.Errorf("%w: --listen is empty: keypers could not reach the rescuer", errRescueRun)
	}
	for _, a := range cfg.listen {
		if _, err := multiaddr.NewMultiaddr(a); err != nil {
			return fmt.Errorf("%w: --listen %q is not a multiaddr like /ip4/0.0.0.0/tcp/9300: %v", errRescueRun, a, err)
		}
	}
	for _, a := range cfg.peers {
		if _, err := peer.AddrInfoFromString(a); err != nil {
			return fmt.Errorf("%w: --peers %q is not a multiaddr ending in /p2p/<peer id>: %v", errRescueRun, a, err)
		}
	}
	if cfg.keyFile == "" {
		cfg.keyFile = filepath.Join(cfg.datadir, RescuerKeyFile)
	}
	return nil
}

// rescueFiles are the files `veil rescue` runs with, read and checked.
type rescueFiles struct {
	contracts  l1pkg.Contracts
	chain      *execution.ChainConfig
	committees []*keyper.Committee // by eon
}

// loadRescueFiles reads the contracts, the chain config and the
// committees, and checks each committee against the chain.
func loadRescueFiles(cfg rescueConfig) (*rescueFiles, error) {
	var f rescueFiles
	var err error
	if f.contracts, err = l1pkg.ReadContracts(cfg.contracts); err != nil {
		return nil, fmt.Errorf("%w: --contracts: %w", errRescueRun, err)
	}
	if f.chain, err = execution.LoadChainConfig(cfg.chain); err != nil {
		return nil, fmt.Errorf("%w: --chain: %w", errRescueRun, err)
	}
	byEon := map[uint64]string{}
	add := func(c *keyper.Committee, path string) error {
		switch {
		case c.ChainID != f.chain.ChainID:
			return fmt.Errorf("%w: the committee %s is for chain %d, the chain config is chain %d", errRescueRun, path, c.ChainID,
				f.chain.ChainID)
		case c.Sequencer != f.chain.Sequencer:
			return fmt.Errorf("%w: the committee %s names sequencer %s, the chain config %s", errRescueRun, path, c.Sequencer,
				f.chain.Sequencer)
		}
		if prev, ok := byEon[c.Eon]; ok {
			return fmt.Errorf("%w: two committees of eon %d: %s and %s", errRescueRun, c.Eon, prev, path)
		}
		byEon[c.Eon] = path
		f.committees = append(f.committees, c)
		return nil
	}
	if cfg.committee != "" {
		c, err := keyper.LoadCommittee(cfg.committee)
		if err != nil {
			return nil, fmt.Errorf("%w: --committee: %w", errRescueRun, err)
		}
		if err := add(c, cfg.committee); err != nil {
			return nil, err
		}
	}
	if cfg.eonDir != "" {
		if st, err := os.Stat(cfg.eonDir); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("%w: --eon-dir %s is not a directory", errRescueRun, cfg.eonDir)
		}
		paths, err := filepath.Glob(filepath.Join(cfg.eonDir, "committee-*.json"))
		if err != nil {
			return nil, err
		}
		for _, p := range paths {
			name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p), "committee-"), ".json")
			eon, err := strconv.ParseUint(name, 10, 64)
			if err != nil {
				continue // not an eon's file
			}
			c, err := keyper.LoadCommittee(p)
			if err != nil {
				return nil, fmt.Errorf("%w: --eon-dir: %w", errRescueRun, err)
			}
			if c.Eon != eon {
				return nil, fmt.Errorf("%w: %s is eon %d's committee, not eon %d's", errRescueRun, p, c.Eon, eon)
			}
			if cfg.committee != "" && byEon[eon] == cfg.committee {
				continue // --committee's eon: --committee is taken
			}
			if err := add(c, p); err != nil {
				return nil, err
			}
		}
		if len(f.committees) == 0 {
			return nil, fmt.Errorf("%w: --eon-dir %s has no committee-<eon>.json", errRescueRun, cfg.eonDir)
		}
	}
	slices.SortFunc(f.committees, func(a, b *keyper.Committee) int { return cmp.Compare(a.Eon, b.Eon) })
	return &f, nil
}

// peers are the default peers: every committee member's peer address.
func (f *rescueFiles) peers() []string {
	var out []string
	for _, c := range f.committees {
		for _, m := range c.Members {
			if m.Peer != "" && !slices.Contains(out, m.Peer) {
				out = append(out, m.Peer)
			}
		}
	}
	return out
}

// runRescue is `veil rescue` after its flags: it reads and checks the
// files, then runs a rescue.Rescuer until ctx ends (nil) or the rescuer
// stops on an error.
func runRescue(ctx context.Context, cfg rescueConfig, out io.Writer, log *slog.Logger) error {
	files, err := loadRescueFiles(cfg)
	if err != nil {
		return err
	}
	key, err := keyfile.Read(cfg.keyFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%w: no L1 key in %s (create one with `veil rescue init --datadir %s`): %w", errRescueRun, cfg.keyFile,
			cfg.datadir, err)
	case err != nil:
		return fmt.Errorf("%w: --key-file: %w", errRescueRun, err)
	}
	peers := cfg.peers
	if len(peers) == 0 {
		if peers = files.peers(); len(peers) == 0 {
			return fmt.Errorf("%w: no --peers, and the committees name no peer addresses: the rescuer would hear no keyper",
				errRescueRun)
		}
	}
	if err := os.MkdirAll(cfg.datadir, 0o700); err != nil {
		return err
	}
	hostKey, err := p2p.LoadOrCreateHostKey(filepath.Join(cfg.datadir, RescuerHostKeyFile))
	if err != nil {
		return err
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	name := l1Name(cfg.l1RPC)
	chain, err := l1pkg.Dial(ctx, cfg.l1RPC)
	if err != nil {
		return fmt.Errorf("--l1-rpc: connecting to %s: %w", name, redactURL(errors.Unwrap(err), name))
	}
	defer chain.Close()
	if err := files.contracts.Verify(ctx, chain, files.chain.ChainID); err != nil {
		return fmt.Errorf("%w: --contracts on %s: %w", errRescueRun, name, redactURL(err, name))
	}
	addr := crypto.PubkeyToAddress(key.PublicKey)
	if br, ok := chain.Client.(ethereum.ChainStateReader); ok {
		if bal, err := br.BalanceAt(ctx, addr, nil); err == nil && bal.Cmp(big.NewInt(0)) == 0 {
			log.Warn("the rescuer's L1 account holds no ETH: fund it, or its postings fail", "address", addr)
		}
	}

	reg := newRegistry()
	metricsAddr, err := serveMetrics(ctx, cfg.metricsAddr, reg, log)
	if err != nil {
		return err
	}
	committees := keyper.NewEons(files.committees...)
	node, err := p2p.New(ctx, p2p.Config{ListenAddrs: cfg.listen, HostKey: hostKey, Peers: peers, ChainID: files.chain.ChainID,
		// A republished batch is the batch, within the keypers' default
		// --max-bytes, with its keys and attestation.
		MaxMessageSize: ordering.DefaultMaxBytes + 2<<20, Logger: log, Registry: reg})
	if err != nil {
		return err
	}
	defer node.Close()
	eons := make([]uint64, len(files.committees))
	for i, c := range files.committees {
		eons[i] = c.Eon
	}
	r, err := rescue.New(ctx, rescue.Config{L1: chain, Contracts: files.contracts, Chain: files.chain, Key: key, P2P: node,
		Committees: committees, DataDir: cfg.datadir, Confirmations: cfg.confirmations, PollInterval: cfg.poll, Logger: log, Registry: reg,
		OnRescued: func(x rescue.Rescued) {
			fmt.Fprintf(out, "batch %d rescued: posted in L1 block %d (tx %s), block %s\n", x.Number, x.L1Block, x.TxHash, x.BlockHash)
		}})
	if err != nil {
		return err
	}
	defer r.Close()
	log.Info("rescuer starting", "address", addr, "chain", files.chain.ChainID, "eons", eons, "peer_id", node.ID(), "listen", node.Addrs(),
		"peers", len(peers), "l1", name, "next_batch", r.Verifier().Next(), "metrics", metricsAddr)
	if err := r.Run(ctx); err != nil {
		log.Error("rescuer stopped", "err", err)
		return err
	}
	log.Info("rescuer stopped")
	return nil
}

// l1Name names an L1 URL in logs and errors by scheme and host only: the
// rest of a provider's URL is often an API key.
func l1Name(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "the L1 endpoint"
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host}).String()
}
