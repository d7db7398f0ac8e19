package e2e

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/veil-l2/veil/demo/sandwich"
)

// TestSandwich runs `veil demo sandwich`'s scenario: the same searcher
// against the same victim swap, on a conventional L2 (plaintext mempool,
// priority-fee order) and on Veil (a devnet with keypers; the searcher
// runs the sequencer), from the same starting state.
func TestSandwich(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	p := sandwich.DefaultParams()
	r, err := sandwich.Run(ctx, p, sandwich.Options{Progress: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	var report bytes.Buffer
	if err := sandwich.WriteReport(&report, r); err != nil {
		t.Fatal(err)
	}
	t.Log(report.String())
	c, v := r.Conventional, r.Veil
	// The same starting state.
	if c.Reserves.In.Cmp(v.Reserves.In) != 0 || c.Reserves.Out.Cmp(v.Reserves.Out) != 0 || c.Quoted.Cmp(v.Quoted) != 0 {
		t.Fatalf("the runs started apart: reserves %v/%v and %v/%v, quotes %v and %v",
			c.Reserves.In, c.Reserves.Out, v.Reserves.In, v.Reserves.Out, c.Quoted, v.Quoted)
	}
	t.Run("conventional", func(t *testing.T) {
		if c.Received.Cmp(c.Quoted) >= 0 {
			t.Errorf("victim received %v, quoted %v: want less", c.Received, c.Quoted)
		}
		if c.Received.Cmp(c.MinOut) < 0 {
			t.Errorf("victim received %v below its minimum %v: the swap should have reverted", c.Received, c.MinOut)
		}
		if c.SearcherProfit.A.Sign() <= 0 || c.SearcherProfit.B.Sign() != 0 {
			t.Errorf("searcher profit %v %s, %v %s: want a gain in %s and nothing left in %s",
				c.SearcherProfit.A, sandwich.SymbolA, c.SearcherProfit.B, sandwich.SymbolB, sandwich.SymbolA, sandwich.SymbolB)
		}
		// The chain paid exactly what the searcher's plan computed from the
		// victim's plaintext.
		if c.Plan == nil || c.Plan.VictimOut.Cmp(c.Received) != 0 || c.Plan.Profit.Cmp(c.SearcherProfit.A) != 0 {
			t.Errorf("plan %+v, victim received %v, searcher profit %v", c.Plan, c.Received, c.SearcherProfit.A)
		}
		if len(c.Order) != 3 {
			t.Errorf("order %q: want front-run, victim, back-run", c.Order)
		}
	})
	t.Run("veil", func(t *testing.T) {
		if v.Received.Cmp(v.Quoted) != 0 {
			t.Errorf("victim received %v, quoted %v: want exactly the quote", v.Received, v.Quoted)
		}
		if v.SearcherProfit.A.Sign() > 0 || v.SearcherProfit.B.Sign() > 0 {
			t.Errorf("searcher profit %v %s, %v %s: want none", v.SearcherProfit.A, sandwich.SymbolA, v.SearcherProfit.B, sandwich.SymbolB)
		}
		if v.Plan != nil {
			t.Errorf("the searcher computed a plan %+v: it should not have read the swap", v.Plan)
		}
		if len(v.Order) != 3 {
			t.Errorf("order %q: want victim, searcher buy, searcher sell", v.Order)
		}
	})
}
