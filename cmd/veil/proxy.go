package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/params"
	"github.com/urfave/cli/v2"
	"github.com/veil-l2/veil/encmempool/proxy"
)

func proxyCommand() *cli.Command {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "upstream", Value: "http://127.0.0.1:8545", Usage: "the sequencer's JSON-RPC URL (http or https)",
			EnvVars: env("PROXY_UPSTREAM")},
		&cli.StringFlag{Name: "http-addr", Value: "127.0.0.1:8555", Usage: "host:port the proxy listens on: point the wallet's RPC " +
			"URL here", EnvVars: env("PROXY_HTTP_ADDR")},
		&cli.StringFlag{Name: "payer-key", Usage: "private key (hex) of the fee account that pays for the envelopes",
			EnvVars: env("PROXY_PAYER_KEY")},
		&cli.StringFlag{Name: "payer-key-file", Usage: "file holding the fee account's private key (hex, mode 0600)",
			EnvVars: env("PROXY_PAYER_KEY_FILE")},
		&cli.StringSliceFlag{Name: "vhosts", Value: cli.NewStringSlice("localhost"), Usage: "Host header names accepted besides IP " +
			"addresses (* for any): keeps web pages out through DNS rebinding", EnvVars: env("PROXY_VHOSTS")},
		&cli.StringSliceFlag{Name: "cors-origins", Usage: "browser origins allowed to call the proxy (* for any); by default none, " +
			"so no web page can spend the payer's funds", EnvVars: env("PROXY_CORS_ORIGINS")},
		&cli.IntFlag{Name: "http-body-limit", Value: proxy.DefaultMaxBody, Usage: "largest JSON-RPC request body in bytes",
			EnvVars: env("PROXY_HTTP_BODY_LIMIT")},
		&cli.DurationFlag{Name: "upstream-timeout", Value: proxy.DefaultUpstreamTimeout, Usage: "time limit of each call to the " +
			"upstream", EnvVars: env("PROXY_UPSTREAM_TIMEOUT")},
		&cli.StringFlag{Name: "l1-rpc", Usage: "with --contracts: check the sequencer's eon key against the one final on L1 before " +
			"encrypting, at the start (the proxy refuses to start on a mismatch) and whenever the eon changes",
			EnvVars: env("PROXY_L1_RPC")},
		&cli.StringFlag{Name: "contracts", Usage: "Veil's L1 contracts file, as veil l1 deploy and veil devnet write it (with --l1-rpc)",
			EnvVars: env("PROXY_CONTRACTS")},
		&cli.DurationFlag{Name: "pending-expiry", Value: proxy.DefaultPendingExpiry, Usage: "forget a transaction sent through the " +
			"proxy that has neither executed nor been dropped after this long", EnvVars: env("PROXY_PENDING_EXPIRY")},
	}
	pf := processFlags("proxy")
	for _, f := range pf {
		// A proxy runs on a user's machine: no metrics endpoint unless asked.
		if sf, ok := f.(*cli.StringFlag); ok && sf.Name == "metrics-addr" {
			sf.Value = ""
			sf.Usage = "address of the Prometheus /metrics endpoint, e.g. 127.0.0.1:9091; empty (the default) disables it"
		}
	}
	return withConfigFile(&cli.Command{
		Name:  "proxy",
		Usage: "run an encrypting JSON-RPC proxy for a wallet: sends become envelopes, reads are forwarded",
		Description: "Point any wallet or script at the proxy (http://127.0.0.1:8555 by default; 8547 is the devnet L1's) instead of the sequencer. " +
			"Every JSON-RPC call is forwarded to --upstream unchanged, except eth_sendRawTransaction: the signed transaction " +
			"is encrypted on this machine to the current eon key and sent as an envelope paid by the fee account " +
			"(--payer-key, --payer-key-file or VEIL_PROXY_PAYER_KEY; an account other than the wallet's: the payer is " +
			"public, the sender is not), and the answer is the transaction's own hash. eth_getTransactionCount(\"pending\") " +
			"counts the transactions still in flight, which the sequencer cannot see. Reads such as eth_estimateGas " +
			"reach the sequencer in plaintext. With --l1-rpc and --contracts the eon key is checked against L1's " +
			"KeyBroadcast before anything is encrypted to it. On a devnet, any printed dev account can pay (its L1 " +
			"JSON-RPC and contracts.json serve the check). Runs until SIGINT or SIGTERM; " +
			"every flag can also be set by its VEIL_PROXY_* environment variable or in the --config TOML file.",
		Flags: append(flags, pf...),
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return fmt.Errorf("proxy: unexpected argument %q", c.Args().First())
			}
			payer, err := keyFlag(c, "payer-key")
			if err != nil {
				return err
			}
			log, err := newLogger(c, c.App.ErrWriter)
			if err != nil {
				return err
			}
			reg := newRegistry()
			cfg := proxy.Config{Upstream: c.String("upstream"), Payer: payer, VirtualHosts: c.StringSlice("vhosts"),
				CORSOrigins: c.StringSlice("cors-origins"), MaxBody: int64(c.Int("http-body-limit")),
				UpstreamTimeout: c.Duration("upstream-timeout"), PendingExpiry: c.Duration("pending-expiry"), Logger: log, Registry: reg}
			if err := cfg.Check(); err != nil {
				return err
			}
			ctx, stop := signalContext(c.Context)
			defer stop()
			keys, closeL1, err := eonKeysOnL1(ctx, c)
			if errors.Is(err, errL1Pair) {
				return fmt.Errorf("%w: %w", proxy.ErrConfig, err)
			} else if err != nil {
				return err
			}
			defer closeL1()
			if keys != nil {
				cfg.EonKeySource = keys
			}
			if _, err := serveMetrics(ctx, c.String("metrics-addr"), reg, log); err != nil {
				return err
			}
			return runProxy(ctx, cfg, c.String("http-addr"), c.App.Writer, log)
		},
	})
}

// runProxy serves the proxy on addr until ctx ends.
func runProxy(ctx context.Context, cfg proxy.Config, addr string, out io.Writer, log *slog.Logger) error {
	p, err := proxy.New(cfg)
	if err != nil {
		return err
	}
	defer p.Close()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("proxy: --http-addr: %w", err)
	}
	fmt.Fprintf(out, "veil proxy: JSON-RPC on http://%s, forwarding to %s\n", ln.Addr(), cfg.Upstream)
	fmt.Fprintf(out, "  envelopes paid by %s\n", p.Payer())
	// A first look at the upstream: a warning, not a failure, so the proxy
	// can start before the sequencer.
	// An eon key L1 does not confirm is a failure.
	check, cancel := context.WithTimeout(ctx, 5*time.Second)
	if eon, err := p.Eon(check); errors.Is(err, proxy.ErrEonKey) {
		cancel()
		ln.Close()
		return err
	} else if err != nil {
		log.Warn("upstream not answering veil_eon yet", "upstream", cfg.Upstream, "err", err)
	} else {
		fmt.Fprintf(out, "  chain id %d, eon %d (%d of %d keypers)\n", eon.ChainID, eon.Eon, eon.Threshold, eon.Keypers)
		if cfg.EonKeySource != nil {
			fmt.Fprintf(out, "  eon key confirmed on L1\n")
		}
		var bal hexutil.Big
		if err := p.Upstream().CallContext(check, &bal, "eth_getBalance", p.Payer(), "latest"); err == nil {
			b := (*big.Int)(&bal)
			if b.Sign() == 0 {
				log.Warn("the payer has no funds: every envelope will be refused", "payer", p.Payer())
			}
			fmt.Fprintf(out, "  payer balance %s ETH\n", new(big.Float).Quo(new(big.Float).SetInt(b), big.NewFloat(params.Ether)).Text('f', 6))
		}
	}
	cancel()
	log.Info("proxy listening", "addr", ln.Addr().String(), "upstream", cfg.Upstream, "payer", p.Payer())
	err = p.Serve(ctx, ln)
	log.Info("proxy stopped")
	return err
}
