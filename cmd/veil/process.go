package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/urfave/cli/v2"
	"github.com/urfave/cli/v2/altsrc"

	"github.com/veil-l2/veil/internal/keyfile"
	"github.com/veil-l2/veil/internal/p2p"
)

// The production processes (veil keyper, veil sequencer, ...) take every
// setting from a flag, from its VEIL_* environment variable, or from a TOML
// config file (--config), in that order of precedence. Keys in the file
// are the flag names, e.g. `listen = ["/ip4/0.0.0.0/tcp/9100"]`.

// processFlags are the flags of every long-running process.
func processFlags(name string) []cli.Flag {
	upper := strings.ToUpper(name)
	return []cli.Flag{
		&cli.StringFlag{Name: "config", Usage: "TOML file with any of these flags (flag names as keys)", EnvVars: env(upper + "_CONFIG")},
		&cli.StringFlag{Name: "log-level", Value: "info", Usage: "debug, info, warn or error", EnvVars: env(upper + "_LOG_LEVEL")},
		&cli.StringFlag{Name: "log-format", Value: "text", Usage: "text or json", EnvVars: env(upper + "_LOG_FORMAT")},
		&cli.StringFlag{Name: "metrics-addr", Value: "127.0.0.1:9090", Usage: "address of the Prometheus /metrics endpoint; empty disables it",
			EnvVars: env(upper + "_METRICS_ADDR")},
	}
}

// withConfigFile lets every flag but --config be set from the config file.
func withConfigFile(cmd *cli.Command) *cli.Command {
	for i, f := range cmd.Flags {
		switch fl := f.(type) {
		case *cli.StringFlag:
			if fl.Name != "config" {
				cmd.Flags[i] = altsrc.NewStringFlag(fl)
			}
		case *cli.StringSliceFlag:
			cmd.Flags[i] = altsrc.NewStringSliceFlag(fl)
		case *cli.IntFlag:
			cmd.Flags[i] = altsrc.NewIntFlag(fl)
		case *cli.Uint64Flag:
			cmd.Flags[i] = altsrc.NewUint64Flag(fl)
		case *cli.DurationFlag:
			cmd.Flags[i] = altsrc.NewDurationFlag(fl)
		case *cli.BoolFlag:
			cmd.Flags[i] = altsrc.NewBoolFlag(fl)
		}
	}
	cmd.Before = altsrc.InitInputSourceWithContext(cmd.Flags, altsrc.NewTomlSourceFromFlagFunc("config"))
	return cmd
}

// newLogger builds the process's slog logger from --log-level/--log-format.
func newLogger(c *cli.Context, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.String("log-level"))); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch c.String("log-format") {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	default:
		return nil, fmt.Errorf("--log-format %q: want text or json", c.String("log-format"))
	}
}

// newRegistry is a registry with the Go runtime and process collectors.
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// serveMetrics serves reg on addr at /metrics until ctx ends. It returns
// the address it listens on ("" when addr is empty).
func serveMetrics(ctx context.Context, addr string, reg *prometheus.Registry, log *slog.Logger) (string, error) {
	if addr == "" {
		return "", nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("metrics endpoint: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics endpoint stopped", "err", err)
		}
	}()
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	return ln.Addr().String(), nil
}

// signalContext ends on SIGINT or SIGTERM, or when the parent ends.
func signalContext(parent context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
}

// runProcess checks a process's config, builds its logger from the flags
// and runs it until SIGINT or SIGTERM.
func runProcess(c *cli.Context, check func() error, run func(context.Context, *slog.Logger) error) error {
	if err := check(); err != nil {
		return err
	}
	log, err := newLogger(c, c.App.ErrWriter)
	if err != nil {
		return err
	}
	ctx, stop := signalContext(c.Context)
	defer stop()
	return run(ctx, log)
}

// createKeys is the action of `veil sequencer init` and `veil rescue
// init`: the secp256k1 key (--key-file, or keyName in --datadir) and the
// libp2p host key (hostKeyName in --datadir), never overwriting one, then
// the address, after hint, and the peer id.
func createKeys(c *cli.Context, keyName, hostKeyName, hint string) error {
	dir := c.String("datadir")
	path := c.String("key-file")
	if path == "" {
		path = filepath.Join(dir, keyName)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	key, err := keyfile.Create(path)
	if err != nil {
		return err
	}
	hostKey, err := p2p.LoadOrCreateHostKey(filepath.Join(dir, hostKeyName))
	if err != nil {
		return err
	}
	id, err := peer.IDFromPrivateKey(hostKey)
	if err != nil {
		return err
	}
	w := c.App.Writer
	fmt.Fprintf(w, "key written to %s\n", path)
	fmt.Fprintf(w, "%s:\n", hint)
	fmt.Fprintf(w, "  address: %s\n", crypto.PubkeyToAddress(key.PublicKey))
	fmt.Fprintf(w, "  peer id: %s\n", id)
	return nil
}
