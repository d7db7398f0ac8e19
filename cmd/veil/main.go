// Command veil is Veil's single binary. Each production process is a
// subcommand: `veil devnet` runs the whole system in one process; `veil
// keyper` and `veil sequencer` are the production processes; `veil l1`
// deploys and drives the L1 contracts; `veil send` and `veil proxy` are for
// users; `veil demo` shows the threshold encryption end to end and `veil
// vectors` writes the test-vector file that clients in other languages
// check themselves against.
package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"
)

// envPrefix is the prefix of every flag's environment variable.
const envPrefix = "VEIL_"

func env(name string) []string { return []string{envPrefix + name} }

func newApp() *cli.App {
	return &cli.App{
		Name:  "veil",
		Usage: "a fair-ordering L2 sequencer with a threshold-encrypted mempool",
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
