package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/veil-l2/veil/execution"
	"github.com/veil-l2/veil/l1"
	"github.com/veil-l2/veil/verify"
)

// Errors of `veil verify`: bad flags, and the verdict that the chain on
// L1 is invalid.
var (
	errVerifyRun     = errors.New("verify")
	errChainInvalid  = errors.New("verify: the L2 chain on L1 is invalid")
	errVerifyStopped = errors.New("verify: stopped")
)

func verifyCommand() *cli.Command {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "l1", Usage: "URL of an Ethereum JSON-RPC endpoint of the L1 the batches are posted to (required)",
			EnvVars: env("VERIFY_L1")},
		&cli.StringFlag{Name: "contracts", Usage: "the L1 contracts file, JSON: keyperSetManager, keyBroadcast, batchInbox, l1Inbox, " +
			"deployedAt (required)", EnvVars: env("VERIFY_CONTRACTS")},
		&cli.StringFlag{Name: "chain", Usage: "the L2 chain config, the JSON file the sequencer runs with (required)",
			EnvVars: env("VERIFY_CHAIN")},
		&cli.StringFlag{Name: "data-dir", Usage: "keep the re-executed chain here, so a later run checks it again from L1 without " +
			"executing it (default: a temporary directory)", EnvVars: env("VERIFY_DATA_DIR")},
		&cli.BoolFlag{Name: "follow", Usage: "keep following L1 and verify each batch as it is posted (default: verify what is " +
			"posted and exit)", EnvVars: env("VERIFY_FOLLOW")},
		&cli.Uint64Flag{Name: "confirmations", Value: verify.DefaultConfirmations, Usage: "verify a batch once its L1 block has this " +
			"many blocks on top", EnvVars: env("VERIFY_CONFIRMATIONS")},
		&cli.BoolFlag{Name: "finalized", Usage: "verify only batches in finalized L1 blocks (instead of --confirmations)",
			EnvVars: env("VERIFY_FINALIZED")},
		&cli.DurationFlag{Name: "poll-interval", Value: verify.DefaultPollInterval, Usage: "how often --follow reads L1",
			EnvVars: env("VERIFY_POLL_INTERVAL")},
		&cli.IntFlag{Name: "cache-mb", Value: execution.DefaultCacheMB, Usage: "MiB of go-ethereum's database and state caches",
			EnvVars: env("VERIFY_CACHE_MB")},
	}
	for _, f := range processFlags("verify") {
		// A one-shot run serves no metrics unless asked to.
		if sf, ok := f.(*cli.StringFlag); ok && sf.Name == "metrics-addr" {
			sf.Value = ""
			sf.Usage = "address of the Prometheus /metrics endpoint, e.g. 127.0.0.1:9090; empty (the default) disables it"
		}
		flags = append(flags, f)
	}
	return withConfigFile(&cli.Command{
		Name:  "verify",
		Usage: "derive the L2 chain from L1 alone and check every posted batch",
		Description: "Reads every batch posted to BatchInbox in order and checks it: the committee's attestation, that the data " +
			"is the attested batch, the sequencer's signature, that it extends the previous batch, its L1 origin and the deposits and " +
			"forced envelopes L1 brings it, every decryption key against the eon key (a missing or invalid key makes the batch " +
			"invalid), the no-key and drop rules, and finally re-executes it and compares the posted state root and block hash. " +
			"Prints one line per verified batch. On the first invalid batch it prints its number and the reason and exits " +
			"non-zero; otherwise it exits 0 once everything posted is verified, or with --follow runs until SIGINT or SIGTERM. " +
			"Every flag can also be set by its VEIL_VERIFY_* environment variable or by a key in the --config TOML file.",
		Flags: flags,
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return fmt.Errorf("%w: unexpected argument %q", errVerifyRun, c.Args().First())
			}
			cfg := verifyConfig{l1URL: c.String("l1"), contracts: c.String("contracts"), chain: c.String("chain"),
				dataDir: c.String("data-dir"), follow: c.Bool("follow"),
				confirmations: c.Uint64("confirmations"), finalized: c.Bool("finalized"), poll: c.Duration("poll-interval"),
				cacheMB: c.Int("cache-mb"), metricsAddr: c.String("metrics-addr")}
			return runProcess(c, cfg.check, func(ctx context.Context, log *slog.Logger) error {
				return runVerify(ctx, cfg, c.App.Writer, log)
			})
		},
	})
}

type verifyConfig struct {
	l1URL, contracts, chain, dataDir string
	follow, finalized                bool
	confirmations                    uint64
	poll                             time.Duration
	cacheMB                          int
	metricsAddr                      string
}

func (cfg *verifyConfig) check() error {
	switch {
	case cfg.l1URL == "":
		return fmt.Errorf("%w: --l1 is required: the JSON-RPC URL of the L1 the batches are posted to", errVerifyRun)
	case cfg.contracts == "":
		return fmt.Errorf("%w: --contracts is required: the file with the L1 contract addresses", errVerifyRun)
	case cfg.chain == "":
		return fmt.Errorf("%w: --chain is required: the L2 chain config the sequencer runs with", errVerifyRun)
	case cfg.poll <= 0:
		return fmt.Errorf("%w: --poll-interval must be positive", errVerifyRun)
	}
	return nil
}

// runVerify verifies what is posted (or follows L1 with --follow) and
// prints a line per batch to out.
func runVerify(ctx context.Context, cfg verifyConfig, out io.Writer, log *slog.Logger) error {
	contracts, err := l1.ReadContracts(cfg.contracts)
	if err != nil {
		return fmt.Errorf("%w: --contracts: %w", errVerifyRun, err)
	}
	chainCfg, err := execution.LoadChainConfig(cfg.chain)
	if err != nil {
		return fmt.Errorf("%w: --chain: %w", errVerifyRun, err)
	}
	chain, err := l1.Dial(ctx, cfg.l1URL)
	if err != nil {
		return err
	}
	defer chain.Close()
	reg := newRegistry()
	addr, err := serveMetrics(ctx, cfg.metricsAddr, reg, log)
	if err != nil {
		return err
	}
	if addr != "" {
		log.Info("serving metrics", "addr", "http://"+addr+"/metrics")
	}
	v, err := verify.New(ctx, verify.Config{L1: chain, Contracts: contracts, Chain: chainCfg, DataDir: cfg.dataDir,
		Confirmations: cfg.confirmations, Finalized: cfg.finalized, PollInterval: cfg.poll, CacheMB: cfg.cacheMB, Logger: log,
		Registry: reg, OnVerified: func(r verify.Result) {
			extra := ""
			if r.Forced > 0 {
				extra += fmt.Sprintf(", %d forced", r.Forced)
			}
			if r.Deposits > 0 {
				extra += fmt.Sprintf(", %d deposits", r.Deposits)
			}
			fmt.Fprintf(out, "batch %d: %d txs%s, block %s\n", r.Number, r.Txs, extra, r.BlockHash)
		}})
	if err != nil {
		return err
	}
	defer v.Close()
	depth := fmt.Sprintf("%d confirmations", cfg.confirmations)
	if cfg.finalized {
		depth = "finalized"
	}
	var n int
	if cfg.follow {
		err = v.Follow(ctx)
	} else {
		n, err = v.Run(ctx)
	}
	var mm *verify.Mismatch
	switch {
	case errors.As(err, &mm):
		fmt.Fprintf(out, "batch %d: INVALID: %s: %v\n", mm.Batch, strings.TrimPrefix(mm.Reason.Error(), "verify: "), mm.Err)
		return fmt.Errorf("%w: %w", errChainInvalid, mm)
	case err != nil:
		return fmt.Errorf("%w at batch %d: %w", errVerifyStopped, v.Next(), err)
	case cfg.follow:
		fmt.Fprintf(out, "stopped; %d batches verified, all valid\n", v.Next()-1)
	default:
		fmt.Fprintf(out, "verified %d batches, all valid; nothing more is posted at %s yet (next: batch %d)\n", n, depth, v.Next())
	}
	return nil
}
