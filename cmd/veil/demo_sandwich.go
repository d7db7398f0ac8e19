package main

import (
	"context"
	"fmt"
	"io"
	"math/big"

	"github.com/urfave/cli/v2"

	"github.com/veil-l2/veil/demo/sandwich"
)

// demoSandwichCommand is `veil demo sandwich`; the scenario and its
// decisions are in package demo/sandwich.
func demoSandwichCommand() *cli.Command {
	def := sandwich.DefaultParams()
	whole := func(v *big.Int) int64 { return new(big.Int).Div(v, sandwich.Tokens(1)).Int64() }
	return &cli.Command{
		Name:  "sandwich",
		Usage: "a searcher sandwiches a swap on a conventional L2, then tries the same on Veil",
		Description: "Deploys two tokens and a constant-product pool on two L2s built from the same execution package, " +
			"with the same accounts and liquidity. On the conventional one (plaintext mempool, blocks ordered by priority fee) a " +
			"searcher reads the victim's pending swap and trades around it. On Veil (a devnet: L1, keypers, sequencer) the same " +
			"searcher runs the sequencer and sees every envelope as it arrives, but only ciphertext, and the order is fixed first " +
			"come, first served before any key exists. Prints both outcomes side by side.",
		Flags: []cli.Flag{
			&cli.Int64Flag{Name: "liquidity", Value: whole(def.Liquidity), Usage: "tokens of each kind in the pool", EnvVars: env("SANDWICH_LIQUIDITY")},
			&cli.Int64Flag{Name: "amount", Value: whole(def.VictimIn), Usage: "tokens the victim sells", EnvVars: env("SANDWICH_AMOUNT")},
			&cli.Uint64Flag{Name: "slippage-bps", Value: def.SlippageBps, Usage: "the victim's slippage tolerance in basis points (100 = 1%)",
				EnvVars: env("SANDWICH_SLIPPAGE_BPS")},
			&cli.Int64Flag{Name: "searcher-budget", Value: whole(def.SearcherBudget), Usage: "tokens the searcher holds", EnvVars: env("SANDWICH_SEARCHER_BUDGET")},
			&cli.Int64Flag{Name: "blind-stake", Value: whole(def.BlindStake), Usage: "tokens the searcher bets on Veil, where it cannot read the swap",
				EnvVars: env("SANDWICH_BLIND_STAKE")},
			&cli.IntFlag{Name: "keypers", Value: 3, Usage: "Veil committee size n", EnvVars: env("SANDWICH_KEYPERS")},
			&cli.IntFlag{Name: "threshold", Value: 2, Usage: "Veil keypers needed for a key, t", EnvVars: env("SANDWICH_THRESHOLD")},
		},
		Action: func(c *cli.Context) error {
			p := sandwich.Params{Liquidity: sandwich.Tokens(c.Int64("liquidity")), VictimIn: sandwich.Tokens(c.Int64("amount")),
				SlippageBps: c.Uint64("slippage-bps"), SearcherBudget: sandwich.Tokens(c.Int64("searcher-budget")),
				BlindStake: sandwich.Tokens(c.Int64("blind-stake"))}
			ctx, stop := signalContext(c.Context)
			defer stop()
			return runDemoSandwich(ctx, c.App.Writer, p, sandwich.Options{Keypers: c.Int("keypers"), Threshold: c.Int("threshold")})
		},
	}
}

func runDemoSandwich(ctx context.Context, w io.Writer, p sandwich.Params, opts sandwich.Options) error {
	if err := p.Check(); err != nil {
		return err
	}
	opts.Progress = func(format string, args ...any) { fmt.Fprintf(w, "  "+format+"\n", args...) }
	r, err := sandwich.Run(ctx, p, opts)
	if err != nil {
		return err
	}
	return sandwich.WriteReport(w, r)
}
