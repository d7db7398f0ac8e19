package main

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/urfave/cli/v2"
	"github.com/veil-l2/veil/devnet"
	"github.com/veil-l2/veil/loadgen"
)

// The soak preset: 10 minutes at 200 tx/s, every transaction accounted for.
const (
	soakRate     = 200
	soakDuration = 10 * time.Minute
	// devnetReadyTimeout bounds the devnet's start (its DKG).
	devnetReadyTimeout = 2 * time.Minute
)

func benchCommand() *cli.Command {
	return &cli.Command{
		Name:      "bench",
		Usage:     "send load to a sequencer (a devnet of its own by default) and report throughput, latency, CPU and memory",
		ArgsUsage: " ",
		Description: "Without --rpc, bench starts a devnet in this process (as `veil devnet` does, JSON-RPC on a free port) " +
			"and drives it; CPU and memory are then the devnet's and the load generator's together. The load's accounts " +
			"are derived keys funded from the devnet's dev accounts by plaintext transfers, so --rpc must name a devnet " +
			"(or a chain where those dev accounts hold funds). Each account sends a 1-wei transfer at a time, as an " +
			"envelope paid by its own payer (or plaintext with --plaintext). Latencies are measured here: order " +
			"receipt = submission to signed receipt in hand; execution receipt = submission to the first block seen " +
			"holding the transaction. --soak is --rate 200 --duration 10m and fails unless every transaction executed.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "rpc", Usage: "a running sequencer's JSON-RPC URL (default: start a devnet in this process)", EnvVars: env("BENCH_RPC")},
			&cli.IntFlag{Name: "accounts", Value: 32, Usage: "concurrent accounts, each with its own payer", EnvVars: env("BENCH_ACCOUNTS")},
			&cli.Float64Flag{Name: "rate", Value: 0, Usage: "transactions per second over all accounts (0: flat out)", EnvVars: env("BENCH_RATE")},
			&cli.DurationFlag{Name: "duration", Value: 30 * time.Second, Usage: "how long to send", EnvVars: env("BENCH_DURATION")},
			&cli.DurationFlag{Name: "drain", Value: loadgen.DefaultDrain, Usage: "how long to wait for outstanding transactions after sending", EnvVars: env("BENCH_DRAIN")},
			&cli.BoolFlag{Name: "plaintext", Usage: "send plaintext transactions instead of envelopes", EnvVars: env("BENCH_PLAINTEXT")},
			&cli.StringFlag{Name: "json", Usage: "write the results to this file", EnvVars: env("BENCH_JSON")},
			&cli.StringFlag{Name: "chart", Usage: "write a PNG chart of latency, throughput, CPU and memory over time to this file", EnvVars: env("BENCH_CHART")},
			&cli.BoolFlag{Name: "soak", Usage: fmt.Sprintf("soak preset: %v at %d tx/s unless --rate or --duration say otherwise; fails on any transaction not executed", soakDuration, soakRate), EnvVars: env("BENCH_SOAK")},
			&cli.IntFlag{Name: "keypers", Value: 5, Usage: "own devnet: committee size n", EnvVars: env("BENCH_KEYPERS")},
			&cli.IntFlag{Name: "threshold", Value: 3, Usage: "own devnet: keypers needed for a key, t", EnvVars: env("BENCH_THRESHOLD")},
			&cli.DurationFlag{Name: "batch-interval", Value: time.Second, Usage: "own devnet: time between batches", EnvVars: env("BENCH_BATCH_INTERVAL")},
			&cli.DurationFlag{Name: "l1-block-time", Value: 2 * time.Second, Usage: "own devnet: time between L1 blocks", EnvVars: env("BENCH_L1_BLOCK_TIME")},
			&cli.IntFlag{Name: "cache-mb", Value: devnet.DefaultCacheMB, Usage: "own devnet: MiB of go-ethereum's database and state caches in the sequencer's L2 node", EnvVars: env("BENCH_CACHE_MB")},
			&cli.StringFlag{Name: "log-level", Value: "error", Usage: "debug, info, warn or error", EnvVars: env("BENCH_LOG_LEVEL")},
			&cli.StringSliceFlag{Name: "metrics", Usage: "with --rpc: the sequencer's and keypers' Prometheus /metrics URLs, read at the end " +
				"for their timings (keypers' commitment-to-shares, decryption per batch; since each process started)", EnvVars: env("BENCH_METRICS")},
		},
		Action: func(c *cli.Context) error {
			var level slog.Level
			if err := level.UnmarshalText([]byte(c.String("log-level"))); err != nil {
				return fmt.Errorf("--log-level: %w", err)
			}
			log := slog.New(slog.NewTextHandler(c.App.ErrWriter, &slog.HandlerOptions{Level: level}))
			funders := make([]*ecdsa.PrivateKey, devnetAccounts)
			for i := range funders {
				funders[i] = DevAccount(i)
			}
			cfg := loadgen.Config{URL: c.String("rpc"), Funders: funders, Accounts: c.Int("accounts"), Rate: c.Float64("rate"),
				Duration: c.Duration("duration"), Drain: c.Duration("drain"), Plaintext: c.Bool("plaintext"),
				Progress: c.App.ErrWriter, Log: log}
			soak := c.Bool("soak")
			if soak {
				if !c.IsSet("rate") {
					cfg.Rate = soakRate
				}
				if !c.IsSet("duration") {
					cfg.Duration = soakDuration
				}
			}
			// Bad flags are rejected before a devnet starts.
			probe := cfg
			if probe.URL == "" {
				probe.URL = "own devnet"
			}
			if err := probe.Check(); err != nil {
				return err
			}
			ctx, stop := signalContext(c.Context)
			defer stop()
			dn := devnetConfig{keypers: c.Int("keypers"), threshold: c.Int("threshold"), interval: c.Duration("batch-interval"),
				httpAddr: "127.0.0.1:0", l1BlockTime: c.Duration("l1-block-time"), cacheMB: c.Int("cache-mb")}
			if len(c.StringSlice("metrics")) > 0 && cfg.URL == "" {
				return errors.New("--metrics names a remote system's endpoints: use it with --rpc (the own devnet's timings are reported anyway)")
			}
			return bench(ctx, benchConfig{load: cfg, devnet: dn, jsonPath: c.String("json"), chartPath: c.String("chart"), soak: soak,
				metrics: c.StringSlice("metrics")},
				c.App.Writer, c.App.ErrWriter, log)
		},
	}
}

type benchConfig struct {
	load                loadgen.Config // URL empty: start devnet
	devnet              devnetConfig
	jsonPath, chartPath string
	soak                bool
	metrics             []string // with load.URL: /metrics URLs to read timings from
}

// bench runs the load against cfg.load.URL, or against a devnet it starts
// and stops, then prints a summary and writes the files.
func bench(ctx context.Context, cfg benchConfig, out, errOut io.Writer, log *slog.Logger) error {
	var res *loadgen.Result
	var runErr error
	if cfg.load.URL != "" {
		res, runErr = loadgen.Run(ctx, cfg.load)
		if res != nil && len(cfg.metrics) > 0 {
			comps, err := loadgen.ComponentHistograms(loadgen.Scrape(&http.Client{Timeout: 10 * time.Second}, cfg.metrics...))
			if err != nil {
				fmt.Fprintf(errOut, "--metrics: %v (the components' timings are left out)\n", err)
			}
			res.Components = comps
		}
	} else {
		res, runErr = benchOwnDevnet(ctx, cfg, errOut, log)
	}
	if res == nil {
		return runErr
	}
	printBench(out, res)
	if cfg.jsonPath != "" {
		raw, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(cfg.jsonPath, append(raw, '\n'), 0o644); err != nil {
			return err
		}
	}
	if cfg.chartPath != "" {
		f, err := os.Create(cfg.chartPath)
		if err != nil {
			return err
		}
		err = loadgen.WriteChart(f, res)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("--chart: %w", err)
		}
	}
	if runErr != nil {
		return runErr
	}
	if cfg.soak && res.Executed != res.Sent {
		return fmt.Errorf("soak: %d of %d sent transactions not executed (%d dropped, %d lost)", res.Sent-res.Executed, res.Sent, res.Dropped, res.Lost)
	}
	if res.Sent == 0 {
		return errors.New("bench: no transaction was sent")
	}
	return nil
}

// benchOwnDevnet starts a devnet in this process on a fixed loopback port
// and runs the load against it. In soak mode it restarts keyper 0 (down for
// soakKeyperDown) a third of the way through and the sequencer two thirds
// of the way, so the soak shows that nothing is lost across restarts.
func benchOwnDevnet(ctx context.Context, cfg benchConfig, errOut io.Writer, log *slog.Logger) (*loadgen.Result, error) {
	port, err := devnet.LoopbackPort()
	if err != nil {
		return nil, err
	}
	dn := cfg.devnet
	fmt.Fprintf(errOut, "starting a devnet (%d keypers, threshold %d)\n", dn.keypers, dn.threshold)
	sctx, cancel := context.WithTimeout(ctx, devnetReadyTimeout)
	d, err := devnet.Start(sctx, devnet.Config{Keypers: dn.keypers, Threshold: dn.threshold, Interval: dn.interval,
		HTTPAddr: fmt.Sprintf("127.0.0.1:%d", port), L1BlockTime: dn.l1BlockTime, CacheMB: dn.cacheMB, Logger: log,
		// The verifier is an independent party's check, not part of the
		// rollup's path; in this process it would double the execution.
		NoVerifier: true})
	cancel()
	if err != nil {
		return nil, fmt.Errorf("devnet: %w", err)
	}
	defer d.Close()
	url := d.Sequencer().Exec().HTTPEndpoint()
	fmt.Fprintf(errOut, "devnet ready at %s\n", url)
	cfg.load.URL = url

	rctx, stopRestarts := context.WithCancel(ctx)
	restarts := make(chan error, 1)
	go func() {
		if !cfg.soak {
			restarts <- nil
			return
		}
		restarts <- soakRestarts(rctx, d, cfg.load.Duration, errOut)
	}()
	failed := make(chan error, 1)
	go func() { failed <- d.Wait(rctx) }()
	res, runErr := loadgen.Run(ctx, cfg.load)
	if res != nil {
		comps, err := loadgen.ComponentHistograms(d.Metrics())
		if err != nil {
			fmt.Fprintf(errOut, "the devnet's metrics: %v (the components' timings are left out)\n", err)
		}
		res.Components = comps
	}
	stopRestarts()
	if err := <-restarts; err != nil && runErr == nil {
		runErr = fmt.Errorf("soak restarts: %w", err)
	}
	if err := <-failed; err != nil && runErr == nil {
		runErr = fmt.Errorf("devnet: %w", err)
	}
	return res, runErr
}

// soakKeyperDown is how long the soak keeps keyper 0 stopped.
const soakKeyperDown = 20 * time.Second

// soakRestarts stops and restarts keyper 0 at a third of the duration and
// the sequencer at two thirds.
func soakRestarts(ctx context.Context, d *devnet.Devnet, duration time.Duration, errOut io.Writer) error {
	wait := func(dt time.Duration) bool {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(dt):
			return true
		}
	}
	start := time.Now()
	if !wait(duration / 3) {
		return nil
	}
	fmt.Fprintf(errOut, "\nsoak: stopping keyper 0 for %v\n", soakKeyperDown)
	d.StopKeyper(0)
	if !wait(soakKeyperDown) {
		return d.StartKeyper(0)
	}
	if err := d.StartKeyper(0); err != nil {
		return err
	}
	fmt.Fprintf(errOut, "\nsoak: keyper 0 back\n")
	if !wait(2*duration/3 - time.Since(start)) {
		return nil
	}
	fmt.Fprintf(errOut, "\nsoak: restarting the sequencer\n")
	d.StopSequencer()
	if err := d.StartSequencer(); err != nil {
		return err
	}
	fmt.Fprintf(errOut, "\nsoak: sequencer back\n")
	return nil
}

func printBench(w io.Writer, r *loadgen.Result) {
	kind := "encrypted"
	if r.Config.Plaintext {
		kind = "plaintext"
	}
	rate := "flat out"
	if r.Config.Rate > 0 {
		rate = fmt.Sprintf("%g tx/s", r.Config.Rate)
	}
	fmt.Fprintf(w, "%s, %d accounts, %s for %s on %d CPUs (%s)\n", kind, r.Config.Accounts, rate, r.Config.Duration, r.Machine.CPUs, r.Machine.CPUModel)
	fmt.Fprintf(w, "sent %d  ordered %d  executed %d  dropped %d  lost %d  refused %d  missed slots %d\n",
		r.Sent, r.Ordered, r.Executed, r.Dropped, r.Lost, r.Failed, r.Missed)
	fmt.Fprintf(w, "throughput %.1f tx/s executed (%.1f sent)\n", r.ThroughputTPS, r.OfferedTPS)
	fmt.Fprintf(w, "order receipt     p50 %7.1f ms  p95 %7.1f ms  p99 %7.1f ms  max %7.1f ms\n", r.OrderLatency.P50, r.OrderLatency.P95, r.OrderLatency.P99, r.OrderLatency.Max)
	fmt.Fprintf(w, "execution receipt p50 %7.1f ms  p95 %7.1f ms  p99 %7.1f ms  max %7.1f ms\n", r.ExecLatency.P50, r.ExecLatency.P95, r.ExecLatency.P99, r.ExecLatency.Max)
	fmt.Fprintf(w, "cpu %.1f s user + %.1f s system (%.0f%% of one core)  rss %.0f -> %.0f MiB (max %.0f)  go heap %.0f -> %.0f MiB (max %.0f)\n",
		r.CPU.UserSeconds, r.CPU.SystemSeconds, r.CPU.AvgPercent, r.RSSMiB.Start, r.RSSMiB.End, r.RSSMiB.Max,
		r.HeapMiB.Start, r.HeapMiB.End, r.HeapMiB.Max)
	for _, c := range componentOrder {
		if l, ok := r.Components[c.key]; ok {
			fmt.Fprintf(w, "%-26s p50 %7.1f ms  p95 %7.1f ms  p99 %7.1f ms  mean %7.1f ms  (%d, from histogram buckets)\n",
				c.label, l.P50, l.P95, l.P99, l.Mean, l.Count)
		}
	}
	for msg, n := range r.Errors {
		fmt.Fprintf(w, "error x%d: %s\n", n, msg)
	}
}

// componentOrder is the order and wording of the components' timings in
// the summary.
var componentOrder = []struct{ key, label string }{
	{"keyperCommitmentToShares", "keyper commitment->shares"},
	{"sequencerCommitmentToKeys", "commitment->keys"},
	{"sequencerDecryptPerBatch", "decryption per batch"},
	{"sequencerBlockBuild", "block (with decryption)"},
	{"sequencerCommitmentToBlock", "commitment->block"},
}
