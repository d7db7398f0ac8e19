package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"
	"github.com/veil-l2/veil/encmempool/tpke"
)

func vectorsCommand() *cli.Command {
	return &cli.Command{
		Name:  "vectors",
		Usage: "write Veil's veil-tpke-v1 test vectors (SPEC-tpke.md section 7)",
		Description: "Produces the vector file from a fixed seed with Veil's Go code. " +
			"encmempool/tpke/testdata/tpke-veil-v1.json is this command's output with the defaults; " +
			"a test fails when it is stale.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Usage: "output file (- for standard output)", Value: "-", EnvVars: env("VECTORS_OUT")},
			&cli.StringFlag{Name: "seed", Usage: "seed of all values", Value: tpke.VeilVectorSeed},
			&cli.IntFlag{Name: "keypers", Usage: "number of keypers", Value: tpke.VeilVectorKeypers},
			&cli.IntFlag{Name: "threshold", Usage: "keypers needed for a key", Value: tpke.VeilVectorThreshold},
		},
		Action: func(c *cli.Context) error {
			f, err := tpke.GenerateVectors([]byte(c.String("seed")), c.Int("keypers"), c.Int("threshold"))
			if err != nil {
				return err
			}
			if err := tpke.CheckVectors(f); err != nil {
				return fmt.Errorf("generated vectors do not check: %w", err)
			}
			b, err := tpke.MarshalVectors(f)
			if err != nil {
				return err
			}
			if out := c.String("out"); out != "-" {
				return os.WriteFile(out, b, 0o644)
			}
			_, err = c.App.Writer.Write(b)
			return err
		},
	}
}
