package sandwich

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestRunConventional runs the conventional half of the scenario: the
// block is ordered front-run, victim, back-run by tip, and the chain pays
// exactly what the searcher's plan computed from the victim's plaintext.
func TestRunConventional(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	p := DefaultParams()
	o, err := RunConventional(ctx, p, Options{Progress: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	if o.Plan == nil {
		t.Fatal("the searcher made no plan")
	}
	if o.Received.Cmp(o.Plan.VictimOut) != 0 || o.Received.Cmp(o.MinOut) < 0 || o.Received.Cmp(o.Quoted) >= 0 {
		t.Errorf("victim received %v: planned %v, minimum %v, quoted %v", o.Received, o.Plan.VictimOut, o.MinOut, o.Quoted)
	}
	if o.SearcherProfit.A.Cmp(o.Plan.Profit) != 0 || o.SearcherProfit.A.Sign() <= 0 || o.SearcherProfit.B.Sign() != 0 {
		t.Errorf("searcher profit %v A, %v B; planned %v A", o.SearcherProfit.A, o.SearcherProfit.B, o.Plan.Profit)
	}
	want := []string{"searcher front-run", "victim swap", "searcher back-run"}
	if len(o.Order) != len(want) {
		t.Fatalf("order %q", o.Order)
	}
	for i, w := range want {
		if !strings.HasPrefix(o.Order[i], w) {
			t.Errorf("order %q: want %q at %d", o.Order, w, i)
		}
	}
	t.Log(Explain(o))
}

// TestParamsCheck rejects parameters the scenario cannot run.
func TestParamsCheck(t *testing.T) {
	cases := map[string]func(*Params){
		"no liquidity":       func(p *Params) { p.Liquidity = Tokens(0) },
		"negative amount":    func(p *Params) { p.VictimIn = Tokens(-1) },
		"100% slippage":      func(p *Params) { p.SlippageBps = 10_000 },
		"stake above budget": func(p *Params) { p.BlindStake = Tokens(300_000) },
		"no budget":          func(p *Params) { p.SearcherBudget = nil },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			p := DefaultParams()
			mutate(&p)
			if err := p.Check(); !errors.Is(err, ErrParams) {
				t.Fatalf("%v, want ErrParams", err)
			}
		})
	}
	if err := DefaultParams().Check(); err != nil {
		t.Fatal(err)
	}
}
