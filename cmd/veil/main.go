// Command veil is Veil's single binary. Each production process is a
// subcommand: `veil devnet` runs the whole system in one process; `veil
// keyper` and `veil sequencer` are the production processes; `veil l1`
// deploys and drives the L1 contracts; `veil send` and `veil proxy` are for
// users; `veil demo` shows the threshold encryption end to end and `veil
// vectors` writes the test-vector file that clients in other languages
// check themselves against.
package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime/debug"
	"time"

	"github.com/urfave/cli/v2"
)

// envPrefix is the prefix of every flag's environment variable.
const envPrefix = "VEIL_"

func env(name string) []string { return []string{envPrefix + name} }

func newApp() *cli.App {
	return &cli.App{
		Name:  "veil",
		Usage: "a fair-ordering L2 sequencer with a threshold-encrypted mempool",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "pprof", Usage: "serve Go's profiler (net/http/pprof) on this address, e.g. 127.0.0.1:6060, " +
				"for any command; it exposes the process's memory, so keep it on loopback", EnvVars: env("PPROF")},
			&cli.IntFlag{Name: "memory-limit-mb", Usage: "soft limit in MiB on the Go runtime's memory (its heap, stacks and own structures), " +
				"for any command: near it the collector runs more often instead of letting the heap grow to twice its live size " +
				"(GOGC); it does not cover go-ethereum's caches outside the Go heap (--cache-mb) nor mapped database files, " +
				"so leave room for those; set it well above the live heap, as below it the collector takes up to half the CPU. " +
				"0: no limit beyond the GOMEMLIMIT environment variable", EnvVars: env("MEMORY_LIMIT_MB")},
		},
		Before: func(c *cli.Context) error {
			if err := setMemoryLimit(c.Int("memory-limit-mb")); err != nil {
				return err
			}
			return servePprof(c.String("pprof"))
		},
		Commands: []*cli.Command{
			devnetCommand(),
			demoCommand(),
			keyperCommand(),
			sequencerCommand(),
			sendCommand(),
			benchCommand(),
			proxyCommand(),
			l1Command(),
			verifyCommand(),
			rescueCommand(),
			vectorsCommand(),
		},
	}
}

func main() {
	if err := newApp().Run(os.Args); err != nil {
		fmt.Fprintln(os.Stderr, "veil:", err)
		os.Exit(1)
	}
}

// setMemoryLimit sets the Go runtime's soft memory limit to mb MiB; 0
// leaves the runtime's (GOMEMLIMIT, or none).
func setMemoryLimit(mb int) error {
	switch {
	case mb < 0:
		return fmt.Errorf("--memory-limit-mb %d: give a size in MiB, or 0 for no limit", mb)
	case mb > 0:
		debug.SetMemoryLimit(int64(mb) << 20)
	}
	return nil
}

// servePprof serves the profiler's handlers on addr (nothing when empty)
// for the life of the process.
func servePprof(addr string) error {
	if addr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("--pprof: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "veil: --pprof:", err)
		}
	}()
	fmt.Fprintf(os.Stderr, "profiler on http://%s/debug/pprof/\n", ln.Addr())
	return nil
}
