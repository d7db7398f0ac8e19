package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/urfave/cli/v2"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/execution"
	"github.com/veil-l2/veil/internal/keyfile"
	"github.com/veil-l2/veil/internal/p2p"
	"github.com/veil-l2/veil/keyper"
	l1pkg "github.com/veil-l2/veil/l1"
	"github.com/veil-l2/veil/ordering"
	"github.com/veil-l2/veil/ordering/batch"
)

// What `veil sequencer init` writes into the data directory, beside what
// ordering keeps there (pool.db, batches.db, chain/).
const (
	// SequencerKeyFile is the sequencer's secp256k1 key: 64 hex digits and
	// a newline, mode 0600, the format go-ethereum's crypto.SaveECDSA
	// writes, so an existing key can be brought in. It is not sealed with
	// a passphrase: the key signs every batch and receipt of a process
	// that runs unattended, so a passphrase would sit next to it anyway.
	SequencerKeyFile = "sequencer.key"
	// SequencerHostKeyFile is the libp2p host key.
	SequencerHostKeyFile = "p2p.key"
)

// Errors of `veil sequencer`: bad flags, a bad key file, a bad eon file.
var (
	errSequencerRun = errors.New("sequencer")
	errEonFile      = errors.New("eon file")
	errNoL1Origin   = errors.New("sequencer: no confirmed L1 block known yet")
	errL1Behind     = errors.New("sequencer: L1 is behind the last batch's origin")
)

func sequencerCommand() *cli.Command {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "datadir", Usage: "data directory that veil sequencer init made (required)", EnvVars: env("SEQUENCER_DATADIR")},
		&cli.StringFlag{Name: "key-file", Usage: "the sequencer's secp256k1 key, hex, mode 0600 (default: " + SequencerKeyFile +
			" in the data directory)", EnvVars: env("SEQUENCER_KEY_FILE")},
		&cli.StringFlag{Name: "chain", Usage: "chain config, JSON: chainId, gasLimit, timestamp, sequencer, bridgeSupply, alloc (required)",
			EnvVars: env("SEQUENCER_CHAIN")},
		&cli.StringFlag{Name: "committee", Usage: "the keypers' committee config of one eon, JSON, the file the keypers run with " +
			"(with --eon-file; required unless --contracts and --eon-dir)", EnvVars: env("SEQUENCER_COMMITTEE")},
		&cli.StringFlag{Name: "eon-file", Usage: "the eon key and the keypers' public shares of --committee's eon, JSON, as veil " +
			"sequencer eon-file writes it", EnvVars: env("SEQUENCER_EON_FILE")},
		&cli.StringFlag{Name: "eon-dir", Usage: "with --contracts: a directory with committee-<eon>.json and eon-<eon>.json for " +
			"every eon L1 schedules (besides --committee's), read once the eon's keyper set and key are final on L1 and again " +
			"when they change", EnvVars: env("SEQUENCER_EON_DIR")},
		&cli.StringSliceFlag{Name: "listen", Value: cli.NewStringSlice("/ip4/127.0.0.1/tcp/9000"), Usage: "libp2p listen multiaddrs",
			EnvVars: env("SEQUENCER_LISTEN")},
		&cli.StringSliceFlag{Name: "peers", Usage: "multiaddrs ending in /p2p/<id> to stay connected to, replacing the default: " +
			"the committee members' peer addresses", EnvVars: env("SEQUENCER_PEERS")},
		&cli.StringFlag{Name: "http-addr", Value: "127.0.0.1:8545", Usage: "host:port of the JSON-RPC HTTP endpoint (eth_, net_, web3_, " +
			"veil_); port 0 picks a free one; empty disables it", EnvVars: env("SEQUENCER_HTTP_ADDR")},
		&cli.StringFlag{Name: "ws-addr", Value: "127.0.0.1:8546", Usage: "host:port of the JSON-RPC WebSocket endpoint; empty disables it",
			EnvVars: env("SEQUENCER_WS_ADDR")},
		&cli.DurationFlag{Name: "batch-interval", Value: time.Second, Usage: "time between batches (one batch is one L2 block; at least " +
			"1s, since block timestamps are whole seconds); a full batch is cut earlier", EnvVars: env("SEQUENCER_BATCH_INTERVAL")},
		&cli.IntFlag{Name: "max-txs", Value: ordering.DefaultMaxTxs, Usage: "most transactions in a batch (the keypers' --max-txs must " +
			"be at least this; with --contracts and posting, l1.PostableBatchTxs (1000) unless set)", EnvVars: env("SEQUENCER_MAX_TXS")},
		&cli.IntFlag{Name: "max-bytes", Value: ordering.DefaultMaxBytes, Usage: "most transaction bytes in a batch (the keypers' " +
			"--max-bytes must be at least this plus 1 MiB; with --contracts and posting, 1 MiB unless set, so a batch fits one posting)", EnvVars: env("SEQUENCER_MAX_BYTES")},
		&cli.BoolFlag{Name: "no-plaintext", Usage: "refuse plaintext transactions (by default they are admitted and ordered with the " +
			"envelopes, and are not private)", EnvVars: env("SEQUENCER_NO_PLAINTEXT")},
		&cli.StringFlag{Name: "fee-recipient", Usage: "address the blocks' priority fees go to (default: the sequencer's address)",
			EnvVars: env("SEQUENCER_FEE_RECIPIENT")},
		&cli.StringFlag{Name: "l1-rpc", Usage: "URL of an Ethereum JSON-RPC endpoint of the L1: each batch names a confirmed L1 block " +
			"as its origin (this or --static-origin is required)", EnvVars: env("SEQUENCER_L1_RPC")},
		&cli.Uint64Flag{Name: "l1-confirmations", Value: 2, Usage: "blocks on top of an L1 block before it is a batch's origin (at " +
			"least the keypers' --l1-confirmations)", EnvVars: env("SEQUENCER_L1_CONFIRMATIONS")},
		&cli.StringFlag{Name: "contracts", Usage: "Veil's L1 contracts file (veil l1 deploy writes it): batches bring L1Inbox's " +
			"deposits and forced envelopes, the eon key must be the one final on L1, and every executed batch is posted to " +
			"BatchInbox (needs --l1-rpc)", EnvVars: env("SEQUENCER_CONTRACTS")},
		&cli.BoolFlag{Name: "no-post", Usage: "with --contracts, do not post batches to L1 (another poster does)",
			EnvVars: env("SEQUENCER_NO_POST")},
		&cli.StringFlag{Name: "poster-key-file", Usage: "the L1 account that pays for postings, hex, mode 0600 (default: the " +
			"sequencer key; anyone may post an attested batch)", EnvVars: env("SEQUENCER_POSTER_KEY_FILE")},
		&cli.Uint64Flag{Name: "post-confirmations", Value: 2, Usage: "L1 blocks on top of a posting before it counts as posted",
			EnvVars: env("SEQUENCER_POST_CONFIRMATIONS")},
		&cli.StringFlag{Name: "static-origin", Usage: "number:hash of one L1 block every batch names, instead of --l1-rpc: for a chain " +
			"whose L1 stands still (the keypers must know that block as confirmed)", EnvVars: env("SEQUENCER_STATIC_ORIGIN")},
		&cli.IntFlag{Name: "http-body-limit", Value: ordering.DefaultHTTPBodyLimit, Usage: "largest JSON-RPC request body in bytes",
			EnvVars: env("SEQUENCER_HTTP_BODY_LIMIT")},
		&cli.IntFlag{Name: "cache-mb", Value: execution.DefaultCacheMB, Usage: "MiB of go-ethereum's database and state caches",
			EnvVars: env("SEQUENCER_CACHE_MB")},
	}
	return withConfigFile(&cli.Command{
		Name:  "sequencer",
		Usage: "run the sequencer: admit, order, commit, collect keys, decrypt, execute and serve JSON-RPC",
		Description: "Admits transactions over JSON-RPC (encrypted envelopes and, unless --no-plaintext, plaintext transactions), " +
			"gives each a sequence number and a signed order receipt once it is on disk, cuts batches, signs and gossips their " +
			"commitments to the keypers, collects their key shares, decrypts, and executes each batch as one L2 block served " +
			"with go-ethereum's standard JSON-RPC. Runs until SIGINT or SIGTERM. Every flag can also be set by its " +
			"VEIL_SEQUENCER_* environment variable or by a key in the --config TOML file.\n\n" +
			"Eons: without --contracts the chain runs the one eon of --committee and --eon-file. With --contracts the eons " +
			"are L1's: every keyper set on KeyperSetManager schedules an eon (set i votes eon i+1, from its activation " +
			"block), and the sequencer switches to the next eon at the first batch whose L1 origin reaches its " +
			"activation. An eon is ready once its keyper set and key are final on L1 and the sequencer has its " +
			"committee file (checked against the set's members and threshold) and eon file (its key checked against " +
			"L1's): --committee and --eon-file give one eon, --eon-dir every other (committee-2.json and eon-2.json " +
			"for eon 2, ...; add them before the eon's activation, no restart needed; eons before --committee's need none). A file that does not match L1 " +
			"is logged and its eon stays not ready; the sequencer waits at the activation of an eon that is not ready.",
		Flags: append(flags, processFlags("sequencer")...),
		Subcommands: []*cli.Command{
			sequencerInitCommand(),
			eonFileCommand(),
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return fmt.Errorf("%w: unexpected argument %q (the subcommands are init and eon-file)", errSequencerRun, c.Args().First())
			}
			cfg := sequencerConfig{
				datadir: c.String("datadir"), keyFile: c.String("key-file"), chain: c.String("chain"), committee: c.String("committee"),
				eonFile: c.String("eon-file"), eonDir: c.String("eon-dir"), listen: c.StringSlice("listen"), peers: c.StringSlice("peers"),
				httpAddr: c.String("http-addr"), wsAddr: c.String("ws-addr"), batchInterval: c.Duration("batch-interval"),
				maxTxs: c.Int("max-txs"), maxBytes: c.Int("max-bytes"), noPlaintext: c.Bool("no-plaintext"),
				feeRecipient: c.String("fee-recipient"), l1RPC: c.String("l1-rpc"), l1Confirmations: c.Uint64("l1-confirmations"),
				staticOrigin: c.String("static-origin"), contracts: c.String("contracts"), noPost: c.Bool("no-post"),
				posterKeyFile: c.String("poster-key-file"), postConfirmations: c.Uint64("post-confirmations"), httpBodyLimit: c.Int("http-body-limit"), cacheMB: c.Int("cache-mb"),
				metricsAddr: c.String("metrics-addr"),
			}
			// Posting to L1: unless set, batches are cut to what one
			// posting carries (in parts: l1.MaxPostingData).
			if cfg.contracts != "" && !cfg.noPost {
				if !c.IsSet("max-txs") {
					cfg.maxTxs = l1pkg.PostableBatchTxs
				}
				if !c.IsSet("max-bytes") {
					cfg.maxBytes = l1pkg.PostableBatchBytes
				}
			}
			return runProcess(c, cfg.check, func(ctx context.Context, log *slog.Logger) error { return runSequencer(ctx, cfg, log) })
		},
	})
}

func sequencerInitCommand() *cli.Command {
	return &cli.Command{
		Name:  "init",
		Usage: "create the sequencer's keys and print its address and peer id",
		Description: "Creates the sequencer's secp256k1 key (hex, mode 0600) and its libp2p host key in the data directory. " +
			"The address goes into the chain config's and the committee's \"sequencer\" field; the peer id, with the " +
			"--listen address, is what keypers may list in their --peers. Never overwrites an existing key.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "datadir", Usage: "data directory", Required: true, EnvVars: env("SEQUENCER_DATADIR")},
			&cli.StringFlag{Name: "key-file", Usage: "where to write the key (default: " + SequencerKeyFile + " in the data directory)",
				EnvVars: env("SEQUENCER_KEY_FILE")},
		},
		Action: func(c *cli.Context) error {
			return createKeys(c, SequencerKeyFile, SequencerHostKeyFile, `put the address in the chain config's and the committee's "sequencer" field`)
		},
	}
}

func eonFileCommand() *cli.Command {
	return &cli.Command{
		Name:  "eon-file",
		Usage: "write the eon file (eon key and public shares) from a keyper's data directory",
		Description: "Reads the finished DKG of the committee's eon from a keyper's store and writes the public parts the " +
			"sequencer needs: the eon key and every keyper's public share. Nothing secret is written. The keyper must be " +
			"stopped (its store is locked while it runs). Reading the DKG result unseals the keyper's key share, which is " +
			"checked against the recorded public share: a keyper whose keys are sealed needs its --passphrase-file here too. " +
			"L1 carries the eon key but not the public shares, so the sequencer needs this file for every eon (with " +
			"--contracts it checks the key against L1's; name it eon-<eon>.json in its --eon-dir).",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "keyper-datadir", Usage: "a keyper's data directory, after its DKG (required)", Required: true,
				EnvVars: env("KEYPER_DATADIR")},
			&cli.StringFlag{Name: "passphrase-file", Usage: "the keyper's passphrase file, when its keys are sealed",
				EnvVars: env("KEYPER_PASSPHRASE_FILE")},
			&cli.StringFlag{Name: "committee", Usage: "the committee config the keyper runs with (required)", Required: true,
				EnvVars: env("SEQUENCER_COMMITTEE")},
			&cli.StringFlag{Name: "out", Usage: "file to write (default: standard output)"},
		},
		Action: func(c *cli.Context) error {
			committee, err := keyper.LoadCommittee(c.String("committee"))
			if err != nil {
				return err
			}
			pass, err := readPassphrase(c.String("passphrase-file"))
			if err != nil {
				return err
			}
			f, err := exportEonFile(c.String("keyper-datadir"), pass, committee)
			if err != nil {
				return err
			}
			raw, err := json.MarshalIndent(f, "", "  ")
			if err != nil {
				return err
			}
			raw = append(raw, '\n')
			out := c.String("out")
			if out == "" {
				_, err := c.App.Writer.Write(raw)
				return err
			}
			if err := os.WriteFile(out, raw, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "eon file written to %s\n  chain %d, eon %d, threshold %d of %d\n  eon key: %x\n",
				out, f.ChainID, f.Eon, f.Threshold, len(f.PublicShares), []byte(f.EonKey))
			return nil
		},
	}
}

// sequencerConfig is what `veil sequencer` reads from its flags.
type sequencerConfig struct {
	datadir         string
	keyFile         string
	chain           string
	committee       string
	eonFile         string
	eonDir          string
	listen          []string
	peers           []string
	httpAddr        string
	wsAddr          string
	batchInterval   time.Duration
	maxTxs          int
	maxBytes        int
	noPlaintext     bool
	feeRecipient    string
	l1RPC           string
	l1Confirmations uint64
	staticOrigin    string
	httpBodyLimit   int
	cacheMB         int
	metricsAddr     string
	// L1 contracts and posting.
	contracts         string
	noPost            bool
	posterKeyFile     string
	postConfirmations uint64

	// Parsed by check.
	httpHost, wsHost string
	httpPort, wsPort int
	origin           *ordering.Origin // --static-origin
}

// check rejects flags the sequencer cannot start with, and parses the
// addresses.
func (cfg *sequencerConfig) check() error {
	switch {
	case cfg.datadir == "":
		return fmt.Errorf("%w: --datadir is required: the data directory that `veil sequencer init` made", errSequencerRun)
	case cfg.chain == "":
		return fmt.Errorf("%w: --chain is required: the chain config JSON file (chainId, sequencer, alloc, ...)", errSequencerRun)
	case cfg.committee == "" && cfg.eonDir == "":
		return fmt.Errorf("%w: --committee is required: the keypers' committee JSON file (with --contracts, --eon-dir may give "+
			"every eon's instead)", errSequencerRun)
	case cfg.committee != "" && cfg.eonFile == "":
		return fmt.Errorf("%w: --eon-file is required: the eon key and the keypers' public shares, which `veil sequencer eon-file` "+
			"writes from a keyper's data directory after the DKG", errSequencerRun)
	case cfg.committee == "" && cfg.eonFile != "":
		return fmt.Errorf("%w: --eon-file needs --committee: the committee of its eon", errSequencerRun)
	case cfg.eonDir != "" && cfg.contracts == "":
		return fmt.Errorf("%w: --eon-dir needs --contracts: more eons than one are scheduled by L1's keyper sets; without L1 "+
			"contracts the chain runs the one eon of --committee and --eon-file", errSequencerRun)
	case cfg.l1RPC == "" && cfg.staticOrigin == "":
		return fmt.Errorf("%w: --l1-rpc is required (or --static-origin for a chain whose L1 stands still): every batch names a "+
			"confirmed L1 block the keypers have seen", errSequencerRun)
	case cfg.l1RPC != "" && cfg.staticOrigin != "":
		return fmt.Errorf("%w: give --l1-rpc or --static-origin, not both", errSequencerRun)
	case cfg.contracts != "" && cfg.l1RPC == "":
		return fmt.Errorf("%w: --contracts needs --l1-rpc: the contracts are read and posted to there", errSequencerRun)
	case cfg.l1RPC != "" && !isURL(cfg.l1RPC):
		return fmt.Errorf("%w: --l1-rpc %q is not a URL like http://127.0.0.1:8545", errSequencerRun, cfg.l1RPC)
	case cfg.batchInterval < time.Second:
		return fmt.Errorf("%w: --batch-interval %v: at least 1s, since a block's timestamp (whole seconds) must be above its "+
			"parent's; full batches are cut earlier anyway", errSequencerRun, cfg.batchInterval)
	case cfg.maxTxs <= 0 || cfg.maxBytes <= 0:
		return fmt.Errorf("%w: --max-txs and --max-bytes must be positive", errSequencerRun)
	case cfg.httpBodyLimit <= 0 || cfg.cacheMB <= 0:
		return fmt.Errorf("%w: --http-body-limit and --cache-mb must be positive", errSequencerRun)
	case cfg.httpAddr == "" && cfg.wsAddr == "":
		return fmt.Errorf("%w: --http-addr and --ws-addr are both empty: the sequencer would admit nothing", errSequencerRun)
	case cfg.feeRecipient != "" && !common.IsHexAddress(cfg.feeRecipient):
		return fmt.Errorf("%w: --fee-recipient %q is not an address", errSequencerRun, cfg.feeRecipient)
	}
	if cfg.keyFile == "" {
		cfg.keyFile = filepath.Join(cfg.datadir, SequencerKeyFile)
	}
	var err error
	if cfg.httpHost, cfg.httpPort, err = splitHostPort("--http-addr", cfg.httpAddr); err != nil {
		return err
	}
	if cfg.wsHost, cfg.wsPort, err = splitHostPort("--ws-addr", cfg.wsAddr); err != nil {
		return err
	}
	if cfg.staticOrigin != "" {
		o, err := parseStaticOrigin(cfg.staticOrigin)
		if err != nil {
			return err
		}
		cfg.origin = &o
	}
	return nil
}

// splitHostPort parses a host:port flag; empty is "disabled".
func splitHostPort(flag, addr string) (string, int, error) {
	if addr == "" {
		return "", 0, nil
	}
	host, p, err := net.SplitHostPort(addr)
	if err == nil && host == "" {
		err = errors.New("no host (use 0.0.0.0 for every interface)")
	}
	port, perr := strconv.ParseUint(p, 10, 16)
	if err != nil || perr != nil {
		return "", 0, fmt.Errorf("%w: %s %q: want host:port like 127.0.0.1:8545 (%v)", errSequencerRun, flag, addr, errors.Join(err, perr))
	}
	return host, int(port), nil
}

// parseStaticOrigin parses "number:hash".
func parseStaticOrigin(s string) (ordering.Origin, error) {
	num, hash, ok := strings.Cut(s, ":")
	n, err := strconv.ParseUint(num, 10, 64)
	h, herr := hexutil.Decode(hash)
	if !ok || err != nil || herr != nil || len(h) != common.HashLength {
		return ordering.Origin{}, fmt.Errorf("%w: --static-origin %q: want number:hash of an L1 block, like 12:0x3f…(32 bytes)",
			errSequencerRun, s)
	}
	return ordering.Origin{Number: n, Hash: common.BytesToHash(h)}, nil
}

// runSequencer is `veil sequencer` after its flags: it loads the keys and
// configs, waits for the first L1 origin, opens the p2p node and the
// sequencer, and runs until ctx ends or the sequencer stops on a failure.
// It closes the sequencer, then the p2p node. It returns nil when ctx ends.
func runSequencer(ctx context.Context, cfg sequencerConfig, log *slog.Logger) error {
	key, err := keyfile.Read(cfg.keyFile)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no sequencer key at %s (create it with `veil sequencer init --datadir %s`): %w", cfg.keyFile, cfg.datadir, err)
	} else if err != nil {
		return err
	}
	address := crypto.PubkeyToAddress(key.PublicKey)
	chain, err := execution.LoadChainConfig(cfg.chain)
	if err != nil {
		return err
	}
	if chain.Sequencer != address {
		return fmt.Errorf("%w: the chain config %s names sequencer %s, but the key in %s is %s's", errSequencerRun, cfg.chain,
			chain.Sequencer, cfg.keyFile, address)
	}
	files, err := loadEonFiles(cfg, chain.ChainID, address)
	if err != nil {
		return err
	}
	committee := files.committee()
	feeRecipient := address
	if cfg.feeRecipient != "" {
		feeRecipient = common.HexToAddress(cfg.feeRecipient)
	}
	if err := os.MkdirAll(cfg.datadir, 0o700); err != nil {
		return err
	}
	hostKey, err := p2p.LoadOrCreateHostKey(filepath.Join(cfg.datadir, SequencerHostKeyFile))
	if err != nil {
		return err
	}
	peers := cfg.peers
	if len(peers) == 0 {
		peers = files.peers(log)
	}

	reg := newRegistry()
	metricsAddr, err := serveMetrics(ctx, cfg.metricsAddr, reg, log)
	if err != nil {
		return err
	}
	var l1c *sequencerL1
	if cfg.contracts != "" {
		if chain.BridgeSupply == nil || (*big.Int)(chain.BridgeSupply).Sign() == 0 {
			return fmt.Errorf("%w: the chain config %s has no bridgeSupply: with --contracts, L1 deposits are credited from the "+
				"bridge predeploy's locked supply, which must hold at least what can ever be deposited", errSequencerRun, cfg.chain)
		}
		if l1c, err = openSequencerL1(ctx, cfg, chain.ChainID, files, log, reg); err != nil {
			return err
		}
		if l1c == nil { // ctx ended while waiting for an eon
			return nil
		}
		defer l1c.chain.Close()
	}
	var origin ordering.L1Origin
	l1Name := "static"
	if cfg.origin != nil {
		origin = staticOrigin{ordering.StaticOrigin(*cfg.origin)}
	} else {
		l1, name, err := dialL1(ctx, cfg.l1RPC)
		if err != nil {
			return err
		}
		defer l1.Close()
		l1Name = name
		var src ordering.L1Origin = ordering.ConfirmedOrigin{L1: l1, Confirmations: cfg.l1Confirmations}
		if l1c != nil {
			src = l1pkg.NewOrigin(l1c.chain, l1c.contracts, l1pkg.OriginConfig{Confirmations: cfg.l1Confirmations})
		}
		o := newL1Origin(src, time.Second, log, reg)
		poll, stopPoll := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Go(func() { o.run(poll) })
		// The poller stops before the L1 client closes.
		defer func() { stopPoll(); wg.Wait() }()
		log.Info("waiting for a confirmed L1 block", "l1", l1Name, "confirmations", cfg.l1Confirmations)
		select {
		case <-ctx.Done():
			return nil
		case <-o.ready:
		}
		origin = o
	}

	// The p2p node outlives ctx: it closes after the sequencer.
	node, err := p2p.New(context.WithoutCancel(ctx), p2p.Config{ListenAddrs: cfg.listen, HostKey: hostKey, Peers: peers,
		ChainID: chain.ChainID,
		// A full batch (its transactions plus up to 1 MiB of commitment)
		// must fit in one message.
		MaxMessageSize: max(p2p.DefaultMaxMessageSize, cfg.maxBytes+1<<20+4<<10), Logger: log, Registry: reg})
	if err != nil {
		return err
	}
	defer node.Close()
	seqCfg := ordering.Config{DataDir: cfg.datadir, Chain: chain, SequencerKey: key, P2P: node, Origin: origin,
		Cut:         ordering.CutConfig{Interval: cfg.batchInterval, MaxTxs: cfg.maxTxs, MaxBytes: cfg.maxBytes},
		NoPlaintext: cfg.noPlaintext, FeeRecipient: feeRecipient, HTTPHost: cfg.httpHost, HTTPPort: cfg.httpPort,
		WSHost: cfg.wsHost, WSPort: cfg.wsPort, HTTPBodyLimit: cfg.httpBodyLimit, CacheMB: cfg.cacheMB, Logger: log, Registry: reg}
	// With L1 contracts, L1's eon schedule; without, the one eon of
	// --committee and --eon-file.
	var eons []any
	if l1c != nil {
		seqCfg.Eons = l1c.schedule
		eons = []any{"eons_ready", l1c.ready}
	} else {
		seqCfg.Committee, seqCfg.EonKey, seqCfg.PublicShares = committee, files.pinned.EonKey, files.pinned.PublicShares
		eons = []any{"eon", committee.Eon, "keypers", len(committee.Members), "threshold", committee.Threshold}
	}
	seq, err := ordering.Open(seqCfg)
	if err != nil {
		if strings.Contains(err.Error(), "timeout") {
			return fmt.Errorf("%w (is another sequencer running on %s?)", err, cfg.datadir)
		}
		return err
	}
	exec := seq.Exec()
	rpcURL, wsURL := "disabled", "disabled"
	if cfg.httpHost != "" {
		rpcURL = exec.HTTPEndpoint()
	}
	if cfg.wsHost != "" {
		wsURL = exec.WSEndpoint()
	}
	log.Info("sequencer running", append(append([]any{"rpc", rpcURL, "ws", wsURL, "chain_id", chain.ChainID}, eons...),
		"address", address, "head", exec.Head().Number, "peer_id", node.ID(), "listen", node.Addrs(), "peers", len(peers),
		"l1", l1Name, "metrics", metricsAddr)...)
	if len(peers) == 0 {
		log.Warn("no keyper to dial: the committees list no peer addresses and --peers is empty; the keypers must dial the sequencer")
	}
	if st, err := exec.BlockChain().State(); err == nil && st.GetBalance(address).IsZero() {
		log.Warn("the sequencer's account has no balance, but its system transactions (deposit credits, settlements) pay gas: "+
			"fund it in the chain config's alloc", "address", address)
	}

	postErr := make(chan error, 2)
	postCtx, stopPosting := context.WithCancel(ctx)
	var postWG sync.WaitGroup
	var poster *l1pkg.Poster
	if l1c != nil && !cfg.noPost {
		posterKey := key
		if cfg.posterKeyFile != "" {
			if posterKey, err = keyfile.Read(cfg.posterKeyFile); err != nil {
				stopPosting()
				return errors.Join(fmt.Errorf("--poster-key-file: %w", err), seq.Close(), node.Close())
			}
		}
		poster, err = l1pkg.NewPoster(l1c.chain, l1c.contracts, posterKey, filepath.Join(cfg.datadir, "poster.db"),
			l1pkg.PosterConfig{Confirmations: cfg.postConfirmations, Logger: log.With("component", "poster"), Registry: reg})
		if err != nil {
			stopPosting()
			return errors.Join(err, seq.Close(), node.Close())
		}
		log.Info("posting batches to L1", "batch_inbox", l1c.contracts.Inbox, "from", crypto.PubkeyToAddress(posterKey.PublicKey),
			"next", poster.Next())
		postWG.Go(func() {
			if err := poster.Run(postCtx); err != nil && postCtx.Err() == nil {
				postErr <- fmt.Errorf("L1 poster: %w", err)
			}
		})
		postWG.Go(func() {
			if err := l1pkg.Feed(postCtx, poster, seq, l1pkg.Flate, 0, log.With("component", "feed")); err != nil && postCtx.Err() == nil {
				postErr <- fmt.Errorf("L1 posting: %w", err)
			}
		})
	}

	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	var failure error
	for failure == nil && ctx.Err() == nil {
		select {
		case <-ctx.Done():
		case failure = <-postErr:
		case <-tick.C:
			failure = seq.Err()
		}
	}
	stopPosting()
	postWG.Wait()
	if poster != nil {
		err = poster.Close()
	}
	err = errors.Join(failure, err, seq.Close(), node.Close())
	if err != nil {
		log.Error("sequencer stopped", "err", err)
		return err
	}
	log.Info("sequencer stopped")
	return nil
}

// sequencerL1 is the sequencer's view of Veil's L1 contracts.
type sequencerL1 struct {
	chain     *l1pkg.Chain
	contracts l1pkg.Contracts
	// schedule is the eon schedule from L1 and the eon files; ready the
	// eons it had ready at the start.
	schedule *l1pkg.Schedule
	ready    []uint64
}

// openSequencerL1 dials L1 for --contracts, checks the contracts belong to
// this chain, and waits until the eon schedule (L1's keyper sets and eon
// keys, with the committee and eon files) has an eon ready. While none is,
// an eon final on L1 whose files are wrong or missing is an error. It
// returns nil, nil when ctx ends while waiting.
func openSequencerL1(ctx context.Context, cfg sequencerConfig, chainID uint64, files *eonFiles, log *slog.Logger,
	reg prometheus.Registerer) (*sequencerL1, error) {
	cs, err := l1pkg.ReadContracts(cfg.contracts)
	if err != nil {
		return nil, err
	}
	chain, err := l1pkg.Dial(ctx, cfg.l1RPC)
	if err != nil {
		return nil, fmt.Errorf("%w: --l1-rpc: %v", errSequencerRun, errors.Unwrap(err))
	}
	if err := cs.Verify(ctx, chain, chainID); err != nil {
		chain.Close()
		return nil, err
	}
	l := &sequencerL1{chain: chain, contracts: cs,
		schedule: l1pkg.NewSchedule(l1pkg.NewEons(chain, cs), l1pkg.ScheduleConfig{Local: files.local, Logger: log, Registry: reg})}
	logged, failing := false, false
	for {
		eons, _, err := l.schedule.Eons(ctx)
		switch {
		case err != nil:
			if !failing {
				log.Warn("reading the eon schedule on L1 failed; trying again", "err", err)
				failing = true
			}
		default:
			failing = false
			var unusable []error
			for _, e := range eons {
				if e.Ready() {
					l.ready = append(l.ready, e.Number)
				} else if err := l.schedule.Err(e.Number); err != nil {
					unusable = append(unusable, err)
				}
			}
			if len(l.ready) > 0 {
				log.Info("eon keys final on L1", "eons_ready", l.ready, "eons", len(eons))
				return l, nil
			}
			if len(unusable) > 0 {
				chain.Close()
				return nil, fmt.Errorf("%w: no eon can run: %w", errSequencerRun, errors.Join(unusable...))
			}
			if !logged {
				log.Info("waiting for the keypers' eon key to be final on L1", "keyper_sets", len(eons), "key_broadcast", cs.Broadcast)
				logged = true
			}
		}
		select {
		case <-ctx.Done():
			chain.Close()
			return nil, nil
		case <-time.After(2 * time.Second):
		}
	}
}

// eonFiles is the sequencer's part of each eon (l1.LocalEons): pinned,
// from --committee and --eon-file, for its eon, and for every other eon
// committee-<eon>.json and eon-<eon>.json in --eon-dir, read when the
// schedule asks (once the eon is final on L1) and read again whenever the
// files change, so a new eon's files can be added to a running sequencer.
type eonFiles struct {
	chainID   uint64
	sequencer common.Address
	pinned    *l1pkg.LocalEon
	dir       string

	mu   sync.Mutex
	read map[uint64]eonRead // by eon: the files last read
}

// eonRead is what reading an eon's files gave, and their size and time.
type eonRead struct {
	stamp string
	eon   l1pkg.LocalEon
	err   error
}

var _ l1pkg.LocalEons = (*eonFiles)(nil).local

// loadEonFiles reads --committee and --eon-file, when given, and checks
// them against the chain and the sequencer key; --eon-dir is read later.
func loadEonFiles(cfg sequencerConfig, chainID uint64, sequencer common.Address) (*eonFiles, error) {
	f := &eonFiles{chainID: chainID, sequencer: sequencer, dir: cfg.eonDir, read: map[uint64]eonRead{}}
	if cfg.committee == "" {
		return f, nil
	}
	c, err := keyper.LoadCommittee(cfg.committee)
	if err != nil {
		return nil, err
	}
	if err := f.checkCommittee(c, cfg.committee, cfg.keyFile); err != nil {
		return nil, err
	}
	key, shares, err := loadEonFile(cfg.eonFile, c)
	if err != nil {
		return nil, err
	}
	f.pinned = &l1pkg.LocalEon{Committee: c, EonKey: key, PublicShares: shares, CommitteeFrom: cfg.committee, KeyFrom: cfg.eonFile}
	return f, nil
}

// committee is --committee's, nil without it.
func (f *eonFiles) committee() *keyper.Committee {
	if f.pinned == nil {
		return nil
	}
	return f.pinned.Committee
}

// paths are eon's files in the directory.
func (f *eonFiles) paths(eon uint64) (committee, eonFile string) {
	return filepath.Join(f.dir, fmt.Sprintf("committee-%d.json", eon)), filepath.Join(f.dir, fmt.Sprintf("eon-%d.json", eon))
}

// local is l1.LocalEons.
func (f *eonFiles) local(eon uint64) (l1pkg.LocalEon, bool, error) {
	if f.pinned != nil && f.pinned.Committee.Eon == eon {
		return *f.pinned, true, nil
	}
	// The eons before --committee's are the chain's past: not needed.
	past := f.pinned != nil && eon < f.pinned.Committee.Eon
	if f.dir == "" && past {
		return l1pkg.LocalEon{}, false, nil
	}
	if f.dir == "" {
		return l1pkg.LocalEon{}, false, fmt.Errorf("%w: eon %d is final on L1, and the sequencer has no committee and eon file "+
			"for it: restart it with --eon-dir, a directory with committee-%d.json and eon-%d.json", errEonFile, eon, eon, eon)
	}
	cpath, epath := f.paths(eon)
	var stamp strings.Builder
	for _, p := range []string{cpath, epath} {
		st, err := os.Stat(p)
		if err != nil && past {
			return l1pkg.LocalEon{}, false, nil
		}
		if err != nil {
			return l1pkg.LocalEon{}, false, fmt.Errorf("%w: eon %d is final on L1: write its committee and eon file as %s and %s: %w",
				errEonFile, eon, cpath, epath, err)
		}
		fmt.Fprintf(&stamp, "%d@%d;", st.Size(), st.ModTime().UnixNano())
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if r, ok := f.read[eon]; ok && r.stamp == stamp.String() {
		return r.eon, r.err == nil, r.err
	}
	r := eonRead{stamp: stamp.String()}
	r.eon, r.err = f.load(eon, cpath, epath)
	f.read[eon] = r
	return r.eon, r.err == nil, r.err
}

// load reads eon's files from the directory and checks them.
func (f *eonFiles) load(eon uint64, cpath, epath string) (l1pkg.LocalEon, error) {
	c, err := keyper.LoadCommittee(cpath)
	if err != nil {
		return l1pkg.LocalEon{}, fmt.Errorf("%w: %s: %w", errEonFile, cpath, err)
	}
	if c.Eon != eon {
		return l1pkg.LocalEon{}, fmt.Errorf("%w: %s is eon %d's committee, not eon %d's", errEonFile, cpath, c.Eon, eon)
	}
	if err := f.checkCommittee(c, cpath, "the sequencer key"); err != nil {
		return l1pkg.LocalEon{}, err
	}
	key, shares, err := loadEonFile(epath, c)
	if err != nil {
		return l1pkg.LocalEon{}, err
	}
	return l1pkg.LocalEon{Committee: c, EonKey: key, PublicShares: shares, CommitteeFrom: cpath, KeyFrom: epath}, nil
}

// checkCommittee rejects a committee of another chain or sequencer.
func (f *eonFiles) checkCommittee(c *keyper.Committee, path, keyFile string) error {
	switch {
	case c.Sequencer != f.sequencer:
		return fmt.Errorf("%w: the committee %s names sequencer %s, but the key in %s is %s's: the keypers would refuse its batches",
			errSequencerRun, path, c.Sequencer, keyFile, f.sequencer)
	case c.ChainID != f.chainID:
		return fmt.Errorf("%w: the committee %s is for chain %d, the chain config is chain %d", errSequencerRun, path, c.ChainID,
			f.chainID)
	}
	return nil
}

// peers are the peer addresses of the members of every committee at hand:
// --committee's and those in --eon-dir (a committee that does not load
// is skipped here, and named once the schedule asks for its eon).
func (f *eonFiles) peers(log *slog.Logger) []string {
	var cs []*keyper.Committee
	if f.pinned != nil {
		cs = append(cs, f.pinned.Committee)
	}
	if f.dir != "" {
		paths, _ := filepath.Glob(filepath.Join(f.dir, "committee-*.json"))
		for _, p := range paths {
			c, err := keyper.LoadCommittee(p)
			if err != nil {
				log.Warn("committee file not read for its peers", "file", p, "err", err)
				continue
			}
			cs = append(cs, c)
		}
	}
	seen := map[string]bool{}
	var out []string
	for _, c := range cs {
		for _, m := range c.Members {
			if m.Peer != "" && !seen[m.Peer] {
				seen[m.Peer] = true
				out = append(out, m.Peer)
			}
		}
	}
	return out
}

// eonFileJSON is the eon file: the public result of the committee's DKG
// for one eon, which the sequencer needs to verify the keypers' shares and
// users need to encrypt. Until eon keys are read from L1 (where a
// threshold of the committee votes for the key), it is taken from a
// keyper's store by `veil sequencer eon-file`.
type eonFileJSON struct {
	ChainID   uint64 `json:"chainId"`
	Eon       uint64 `json:"eon"`
	Threshold int    `json:"threshold"`
	// EonKey is the eon public key, compressed G2.
	EonKey hexutil.Bytes `json:"eonKey"`
	// PublicShares[i] is keyper i's public share, compressed G2, in the
	// committee's member order.
	PublicShares []hexutil.Bytes `json:"publicShares"`
}

// exportEonFile reads the committee eon's DKG result from the keyper
// store in dir. keyper.LoadDKGResult also unseals the key share (with
// passphrase when the keys are sealed) and checks it against the recorded
// public share; only public parts leave this function.
func exportEonFile(dir string, passphrase []byte, committee *keyper.Committee) (*eonFileJSON, error) {
	path := filepath.Join(dir, keyper.StoreFile)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no keyper store in %s: %w", dir, err)
	}
	store, err := keyper.OpenStore(path)
	if err != nil {
		if strings.Contains(err.Error(), "timeout") {
			return nil, fmt.Errorf("%w (the keyper's store is locked while it runs: stop the keyper, write the eon file, start it again)", err)
		}
		return nil, err
	}
	defer store.Close()
	res, err := keyper.LoadDKGResult(store, "", passphrase, committee.Eon)
	switch {
	case errors.Is(err, keyper.ErrNoDKGResult):
		return nil, fmt.Errorf("the keyper in %s has not finished the DKG of eon %d (its log says `keyper running` once it has): %w",
			dir, committee.Eon, err)
	case errors.Is(err, keyper.ErrPassphraseNeeded):
		return nil, fmt.Errorf("%w (give the keyper's --passphrase-file: reading the DKG result checks the key share against the "+
			"public shares; nothing secret is written)", err)
	case err != nil:
		return nil, err
	}
	if res.Threshold != committee.Threshold || len(res.PublicShares) != len(committee.Members) {
		return nil, fmt.Errorf("%w: the keyper's DKG of eon %d has threshold %d of %d, the committee threshold %d of %d: another committee's",
			errEonFile, committee.Eon, res.Threshold, len(res.PublicShares), committee.Threshold, len(committee.Members))
	}
	f := &eonFileJSON{ChainID: committee.ChainID, Eon: committee.Eon, Threshold: res.Threshold, EonKey: res.EonPublicKey.Bytes()}
	for _, s := range res.PublicShares {
		f.PublicShares = append(f.PublicShares, s.Bytes())
	}
	return f, nil
}

// loadEonFile reads an eon file and checks it belongs to the committee.
func loadEonFile(path string, committee *keyper.Committee) (*tpke.EonPublicKey, []*tpke.PublicShare, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", errEonFile, err)
	}
	var f eonFileJSON
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, nil, fmt.Errorf("%w: %s: %v", errEonFile, path, err)
	}
	switch {
	case f.ChainID != committee.ChainID || f.Eon != committee.Eon:
		return nil, nil, fmt.Errorf("%w: %s is for chain %d eon %d, the committee is chain %d eon %d", errEonFile, path, f.ChainID,
			f.Eon, committee.ChainID, committee.Eon)
	case f.Threshold != committee.Threshold || len(f.PublicShares) != len(committee.Members):
		return nil, nil, fmt.Errorf("%w: %s has threshold %d and %d public shares, the committee threshold %d and %d members",
			errEonFile, path, f.Threshold, len(f.PublicShares), committee.Threshold, len(committee.Members))
	}
	pk, err := tpke.ParseEonPublicKey(f.EonKey)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s: eonKey: %v", errEonFile, path, err)
	}
	shares := make([]*tpke.PublicShare, len(f.PublicShares))
	for i, b := range f.PublicShares {
		if shares[i], err = tpke.ParsePublicShare(i, b); err != nil {
			return nil, nil, fmt.Errorf("%w: %s: public share %d: %v", errEonFile, path, i, err)
		}
	}
	return pk, shares, nil
}

// l1Origin is the sequencer's ordering.L1Origin over any Ethereum JSON-RPC
// endpoint. A poller asks src (l1.Origin with --contracts: the block
// `confirmations` below the head with the deposits and forced envelopes of
// L1Inbox since the last batch's origin; ordering.ConfirmedOrigin without:
// the block alone) once per interval, and at once when the sequencer asks
// for a block above the newest one known; Next answers from that. The sequencer calls Next under
// its lock (after each cut, and every 500 ms while none is due), so Next
// must not wait for the network: a slow L1 would hold up cutting and share
// handling. When L1 fails, batches keep the last origin instead of
// stopping.
type l1Origin struct {
	src      ordering.L1Origin
	interval time.Duration
	log      *slog.Logger
	block    prometheus.Gauge
	errs     prometheus.Counter
	kick     chan struct{}
	ready    chan struct{} // closed when the first origin is known

	mu       sync.Mutex
	cur      ordering.Origin
	curAfter uint64 // the origin cur's deposits and forced envelopes follow
	deposits []batch.Deposit
	forced   []ordering.ForcedEnvelope
	known    bool
	floor    uint64 // the highest origin a batch has named
	failing  bool
}

var _ ordering.L1Origin = (*l1Origin)(nil)

func newL1Origin(src ordering.L1Origin, interval time.Duration, log *slog.Logger, reg prometheus.Registerer) *l1Origin {
	o := &l1Origin{src: src, interval: interval, log: log,
		kick: make(chan struct{}, 1), ready: make(chan struct{}),
		block: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "veil", Subsystem: "sequencer", Name: "l1_origin_block",
			Help: "The confirmed L1 block the next batch names as its origin."}),
		errs: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "veil", Subsystem: "sequencer", Name: "l1_errors_total",
			Help: "Failed reads of the L1 endpoint."}),
	}
	if reg != nil {
		reg.MustRegister(o.block, o.errs)
	}
	return o
}

// Next returns the newest confirmed L1 block known, at or above after,
// with what it brings: the poller's answer when it was read for this after;
// the same block bringing nothing when the last batch already named it (the
// poller then reads again at once).
func (o *l1Origin) Next(_ context.Context, after uint64) (ordering.Origin, []batch.Deposit, []ordering.ForcedEnvelope, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.floor = max(o.floor, after)
	kick := func() {
		select {
		case o.kick <- struct{}{}:
		default:
		}
	}
	switch {
	case !o.known:
		return ordering.Origin{}, nil, nil, errNoL1Origin
	case o.curAfter == after:
		return o.cur, o.deposits, o.forced, nil
	case o.cur.Number == after:
		kick()
		return o.cur, nil, nil, nil
	default:
		kick()
		return ordering.Origin{}, nil, nil, fmt.Errorf("%w: the last batch names L1 block %d, the newest confirmed one known is %d",
			errL1Behind, after, o.cur.Number)
	}
}

// run polls L1 until ctx ends.
func (o *l1Origin) run(ctx context.Context) {
	tick := time.NewTicker(o.interval)
	defer tick.Stop()
	for {
		o.poll(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-o.kick:
		}
	}
}

func (o *l1Origin) poll(ctx context.Context) {
	o.mu.Lock()
	floor := o.floor
	o.mu.Unlock()
	read, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	origin, deposits, forced, err := o.src.Next(read, floor)
	if ctx.Err() != nil {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if err != nil {
		o.errs.Inc()
		if !o.failing {
			o.log.Warn("reading L1 failed; batches keep the last origin until it answers", "err", err)
			o.failing = true
		}
		return
	}
	if o.failing {
		o.log.Info("L1 answers again")
		o.failing = false
	}
	if o.known && origin.Number == o.cur.Number && origin.Hash != o.cur.Hash {
		o.log.Warn("L1 origin block replaced by a reorganisation deeper than the confirmations", "number", origin.Number,
			"old", o.cur.Hash, "new", origin.Hash)
	}
	o.cur, o.curAfter, o.deposits, o.forced = origin, floor, deposits, forced
	o.block.Set(float64(origin.Number))
	if !o.known {
		o.known = true
		o.log.Info("L1 origin known", "number", origin.Number, "hash", origin.Hash)
		close(o.ready)
	}
}

// staticOrigin is --static-origin: one fixed block, refused below an origin
// a batch already named (keypers never accept an origin going back).
type staticOrigin struct{ ordering.StaticOrigin }

func (s staticOrigin) Next(ctx context.Context, after uint64) (ordering.Origin, []batch.Deposit, []ordering.ForcedEnvelope, error) {
	if after > s.Number {
		return ordering.Origin{}, nil, nil, fmt.Errorf("%w: --static-origin names L1 block %d, the last batch names %d", errSequencerRun,
			s.Number, after)
	}
	return s.StaticOrigin.Next(ctx, after)
}
