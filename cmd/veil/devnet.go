package main

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"path/filepath"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/urfave/cli/v2"

	"github.com/veil-l2/veil/devnet"
)

// The devnet command prints what package devnet starts; the decisions are
// in that package's doc.

const (
	devnetChainID  = devnet.ChainID
	devnetAccounts = devnet.Accounts
)

// DevAccount is devnet.DevAccount.
func DevAccount(i int) *ecdsa.PrivateKey { return devnet.DevAccount(i) }

func devnetCommand() *cli.Command {
	return &cli.Command{
		Name:  "devnet",
		Usage: "run the whole system locally: in-process L1 with the contracts, keypers with a fresh DKG, the sequencer's JSON-RPC, L1 posting",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "data-dir", Usage: "keep state here across restarts (default: a temporary directory, removed at exit)", EnvVars: env("DEVNET_DATA_DIR")},
			&cli.IntFlag{Name: "keypers", Value: 5, Usage: "committee size n", EnvVars: env("DEVNET_KEYPERS")},
			&cli.IntFlag{Name: "threshold", Value: 3, Usage: "keypers needed for a key, t", EnvVars: env("DEVNET_THRESHOLD")},
			&cli.DurationFlag{Name: "batch-interval", Value: time.Second, Usage: "time between batches (the L2 block time)", EnvVars: env("DEVNET_BATCH_INTERVAL")},
			&cli.StringFlag{Name: "http-addr", Value: "127.0.0.1:8545", Usage: "JSON-RPC over HTTP", EnvVars: env("DEVNET_HTTP_ADDR")},
			&cli.StringFlag{Name: "ws-addr", Value: "127.0.0.1:8546", Usage: "JSON-RPC over WebSocket (empty: none)", EnvVars: env("DEVNET_WS_ADDR")},
			&cli.StringFlag{Name: "l1-http-addr", Value: "127.0.0.1:8547", Usage: "the in-process L1's JSON-RPC over HTTP (empty: none)", EnvVars: env("DEVNET_L1_HTTP_ADDR")},
			&cli.DurationFlag{Name: "l1-block-time", Value: 2 * time.Second, Usage: "time between L1 blocks", EnvVars: env("DEVNET_L1_BLOCK_TIME")},
			&cli.IntFlag{Name: "cache-mb", Value: devnet.DefaultCacheMB, Usage: "MiB of go-ethereum's database and state caches in each L2 node (the sequencer's, the verifier's)", EnvVars: env("DEVNET_CACHE_MB")},
			&cli.StringFlag{Name: "log-level", Value: "warn", Usage: "debug, info, warn or error (progress is printed regardless)", EnvVars: env("DEVNET_LOG_LEVEL")},
		},
		Action: func(c *cli.Context) error {
			var level slog.Level
			if err := level.UnmarshalText([]byte(c.String("log-level"))); err != nil {
				return fmt.Errorf("--log-level: %w", err)
			}
			log := slog.New(slog.NewTextHandler(c.App.ErrWriter, &slog.HandlerOptions{Level: level}))
			ctx, stop := signalContext(c.Context)
			defer stop()
			return runDevnet(ctx, devnetConfig{dataDir: c.String("data-dir"), keypers: c.Int("keypers"), threshold: c.Int("threshold"),
				interval: c.Duration("batch-interval"), httpAddr: c.String("http-addr"), wsAddr: c.String("ws-addr"), l1HTTPAddr: c.String("l1-http-addr"),
				l1BlockTime: c.Duration("l1-block-time"), cacheMB: c.Int("cache-mb")}, c.App.Writer, log)
		},
	}
}

type devnetConfig struct {
	dataDir           string
	keypers           int
	threshold         int
	interval          time.Duration
	httpAddr, wsAddr  string
	l1HTTPAddr        string
	l1BlockTime       time.Duration
	cacheMB           int                 // 0: devnet.DefaultCacheMB
	onReady           func(rpcURL string) // tests
	devAccountBalance *big.Int
}

func runDevnet(ctx context.Context, cfg devnetConfig, out io.Writer, log *slog.Logger) error {
	progress := func(format string, a ...any) { fmt.Fprintf(out, format+"\n", a...) }
	d, err := devnet.Start(ctx, devnet.Config{Dir: cfg.dataDir, Keypers: cfg.keypers, Threshold: cfg.threshold, Interval: cfg.interval,
		HTTPAddr: cfg.httpAddr, WSAddr: cfg.wsAddr, L1HTTPAddr: cfg.l1HTTPAddr, L1BlockTime: cfg.l1BlockTime, DevAccountBalance: cfg.devAccountBalance,
		CacheMB: cfg.cacheMB, Progress: progress, Logger: log})
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	defer d.Close()
	seq := d.Sequencer()
	rpcURL := seq.Exec().HTTPEndpoint()
	progress("")
	progress("Veil devnet is running. Ctrl-C stops it.")
	progress("  JSON-RPC:  %s", rpcURL)
	if cfg.wsAddr != "" {
		progress("  WebSocket: %s", seq.Exec().WSEndpoint())
	}
	progress("  chain id:  %d", devnet.ChainID)
	progress("  sequencer: %s", seq.Address())
	if u := d.L1.HTTPEndpoint(); u != "" {
		progress("  L1 JSON-RPC: %s (chain id 1337)", u)
	}
	progress("  L1 contracts: BatchInbox %s, L1Inbox %s, KeyBroadcast %s, KeyperSetManager %s",
		d.Contracts.Inbox, d.Contracts.L1Inbox, d.Contracts.Broadcast, d.Contracts.Manager)
	progress("  data dir:  %s", d.Dir())
	progress("  verifier:  following L1; check it yourself with veil verify --l1 <L1 JSON-RPC> --contracts %s --chain %s",
		filepath.Join(d.Dir(), devnet.ContractsFile), filepath.Join(d.Dir(), devnet.ChainFile))
	progress("")
	progress("Dev accounts (development keys: never send them real value):")
	for i := range devnet.Accounts {
		k := devnet.DevAccount(i)
		progress("  %s  key 0x%x", crypto.PubkeyToAddress(k.PublicKey), crypto.FromECDSA(k))
	}
	if cfg.onReady != nil {
		cfg.onReady(rpcURL)
	}
	err = d.Wait(ctx)
	progress("stopping")
	return err
}

// loopbackPort returns a 127.0.0.1 TCP port that was free a moment ago.
func loopbackPort() (int, error) { return devnet.LoopbackPort() }
