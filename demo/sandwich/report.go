package sandwich

import (
	"fmt"
	"io"
	"math/big"
	"strings"
	"unicode/utf8"

	"github.com/ethereum/go-ethereum/params"
)

// WriteReport prints both outcomes side by side, then for each run the
// order its transactions executed in, what the searcher could see, and one
// line of explanation.
func WriteReport(w io.Writer, r *Result) error {
	p, c, v := r.Params, r.Conventional, r.Veil
	fmt.Fprintf(w, "\nA victim sells %s %s for %s on a pool of %s/%s, slippage tolerance %s (amountOutMin = quote - %s).\n\n",
		FormatAmount(p.VictimIn), SymbolA, SymbolB, FormatAmount(p.Liquidity), FormatAmount(p.Liquidity), bps(p.SlippageBps), bps(p.SlippageBps))
	rows := [][3]string{
		{"", c.Sequencer, v.Sequencer},
		{"victim quoted (" + SymbolB + ")", FormatAmount(c.Quoted), FormatAmount(v.Quoted)},
		{"victim minimum (" + SymbolB + ")", FormatAmount(c.MinOut), FormatAmount(v.MinOut)},
		{"victim received (" + SymbolB + ")", FormatAmount(c.Received), FormatAmount(v.Received)},
		{"difference (" + SymbolB + ")", signed(new(big.Int).Neg(c.Shortfall())), signed(new(big.Int).Neg(v.Shortfall()))},
		{"searcher profit (" + SymbolA + ")", signed(c.SearcherProfit.A), signed(v.SearcherProfit.A)},
		{"searcher profit (" + SymbolB + ")", signed(c.SearcherProfit.B), signed(v.SearcherProfit.B)},
		{"searcher gas paid (ETH)", formatEther(c.SearcherGasCost), formatEther(v.SearcherGasCost)},
		{"gas used: victim / searcher", fmt.Sprintf("%d / %d", c.VictimGas, c.SearcherGas), fmt.Sprintf("%d / %d", v.VictimGas, v.SearcherGas)},
	}
	var width [3]int
	for _, r := range rows {
		for i, cell := range r {
			width[i] = max(width[i], utf8.RuneCountInString(cell))
		}
	}
	for _, r := range rows {
		if _, err := fmt.Fprintf(w, "  %-*s   %*s   %*s\n", width[0], r[0], width[1], r[1], width[2], r[2]); err != nil {
			return err
		}
	}
	for _, o := range []*Outcome{c, v} {
		fmt.Fprintf(w, "\n%s (%s):\n", o.Sequencer, o.Ordering)
		fmt.Fprintf(w, "  order:    %s\n", strings.Join(o.Order, "\n            "))
		fmt.Fprintf(w, "  searcher saw %s\n", o.SearcherSaw)
		fmt.Fprintf(w, "  => %s\n", Explain(o))
	}
	return nil
}

// Explain says in one line what happened in a run.
func Explain(o *Outcome) string {
	switch {
	case o.Plan != nil && o.Received.Cmp(o.Quoted) < 0:
		return fmt.Sprintf("the searcher read the swap in the mempool, bought %s %s ahead of it with a higher tip and sold after it with a lower one: "+
			"the victim got %s %s less than quoted, the searcher kept %s %s.",
			FormatAmount(o.Plan.FrontOut), SymbolB, FormatAmount(o.Shortfall()), SymbolB, FormatAmount(o.SearcherProfit.A), SymbolA)
	case o.Plan == nil && o.Received.Cmp(o.Quoted) == 0:
		return fmt.Sprintf("the searcher ran the sequencer and saw the envelope arrive, but not what it held; its blind buy was ordered after the "+
			"victim's swap (first come, first served, receipted before any key existed), so the victim got exactly the quote and the searcher's "+
			"round trip lost %s %s in pool fees.", FormatAmount(new(big.Int).Neg(o.SearcherProfit.A)), SymbolA)
	default:
		return fmt.Sprintf("the victim got %s %s of %s quoted; the searcher's balance changed by %s %s and %s %s.",
			FormatAmount(o.Received), SymbolB, FormatAmount(o.Quoted), signed(o.SearcherProfit.A), SymbolA, signed(o.SearcherProfit.B), SymbolB)
	}
}

// signed is FormatAmount with a leading + for a positive amount.
func signed(v *big.Int) string {
	if v != nil && v.Sign() > 0 {
		return "+" + FormatAmount(v)
	}
	return FormatAmount(v)
}

func bps(b uint64) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%d.%02d", b/100, b%100), "0"), ".") + "%"
}

// formatEther writes wei as ether with six decimals.
func formatEther(wei *big.Int) string {
	if wei == nil {
		return "-"
	}
	f, _ := new(big.Float).Quo(new(big.Float).SetInt(wei), big.NewFloat(params.Ether)).Float64()
	return fmt.Sprintf("%.6f", f)
}
