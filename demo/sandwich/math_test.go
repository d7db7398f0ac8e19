package sandwich

import (
	"crypto/ecdsa"
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

func TestAmountOut(t *testing.T) {
	cases := []struct {
		name          string
		in, rIn, rOut int64
		want          int64
		err           error
	}{
		{name: "uniswap example", in: 1000, rIn: 1_000_000, rOut: 1_000_000, want: 996},
		{name: "rounds down", in: 1, rIn: 1000, rOut: 1000, want: 0},
		{name: "zero input", in: 0, rIn: 1, rOut: 1, err: ErrZeroInput},
		{name: "empty in", in: 1, rIn: 0, rOut: 1, err: ErrNoLiquidity},
		{name: "empty out", in: 1, rIn: 1, rOut: 0, err: ErrNoLiquidity},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := AmountOut(big.NewInt(c.in), big.NewInt(c.rIn), big.NewInt(c.rOut))
			if !errors.Is(err, c.err) {
				t.Fatalf("err %v, want %v", err, c.err)
			}
			if err == nil && got.Int64() != c.want {
				t.Fatalf("got %v, want %d", got, c.want)
			}
		})
	}
}

// TestOptimalFrontRun: the front-run found leaves the victim at or above
// its minimum and one unit more would not; the budget caps it; a minimum
// equal to the quote leaves no room.
func TestOptimalFrontRun(t *testing.T) {
	r := Reserves{In: Tokens(1_000_000), Out: Tokens(1_000_000)}
	in := Tokens(10_000)
	quote, err := AmountOut(in, r.In, r.Out)
	if err != nil {
		t.Fatal(err)
	}
	for _, bps := range []uint64{50, 100, 300, 500} {
		minOut := MinOut(quote, bps)
		s, err := OptimalFrontRun(r, in, minOut, Tokens(1_000_000))
		if err != nil {
			t.Fatal(err)
		}
		if s.VictimOut.Cmp(minOut) < 0 {
			t.Fatalf("%d bps: victim gets %v below its minimum %v", bps, s.VictimOut, minOut)
		}
		next, err := Simulate(r, in, new(big.Int).Add(s.FrontIn, big.NewInt(1)))
		if err != nil {
			t.Fatal(err)
		}
		if next.VictimOut.Cmp(minOut) >= 0 {
			t.Fatalf("%d bps: a front-run of %v still fits; %v is not the largest", bps, next.FrontIn, s.FrontIn)
		}
		if s.Profit.Sign() <= 0 {
			t.Fatalf("%d bps: profit %v", bps, s.Profit)
		}
		t.Logf("%d bps: front-run %v, victim loses %v, searcher gains %v", bps, s.FrontIn, new(big.Int).Sub(quote, s.VictimOut), s.Profit)
	}
	budget := Tokens(1_000)
	s, err := OptimalFrontRun(r, in, MinOut(quote, 500), budget)
	if err != nil || s.FrontIn.Cmp(budget) != 0 {
		t.Fatalf("capped by the budget: %+v, %v", s, err)
	}
	// A minimum of exactly the quote leaves room only for front-runs too
	// small to move the victim's rounded output, which cannot pay the fee.
	if s, err := OptimalFrontRun(r, in, quote, Tokens(1_000)); err != nil || s.Profit.Sign() >= 0 {
		t.Fatalf("minimum = quote: %+v, %v; want an unprofitable plan", s, err)
	}
	if _, err := OptimalFrontRun(r, in, new(big.Int).Add(quote, big.NewInt(1)), Tokens(1_000)); !errors.Is(err, ErrNoRoom) {
		t.Fatalf("minimum above the quote: %v, want ErrNoRoom", err)
	}
}

func TestMinOut(t *testing.T) {
	if got := MinOut(big.NewInt(10_000), 100); got.Int64() != 9_900 {
		t.Fatalf("1%%: %v", got)
	}
	if got := MinOut(big.NewInt(999), 100); got.Int64() != 989 { // 989.01 rounded down
		t.Fatalf("rounding: %v", got)
	}
	if got := MinOut(big.NewInt(10_000), 10_000); got.Sign() != 0 {
		t.Fatalf("100%%: %v", got)
	}
}

// TestByPriorityFee: highest effective tip first, each sender's nonces in
// order, ties by arrival.
func TestByPriorityFee(t *testing.T) {
	signer := types.LatestSignerForChainID(big.NewInt(1))
	keys := map[string]*tkey{}
	for _, n := range []string{"victim", "searcher", "other"} {
		k, _ := crypto.GenerateKey()
		keys[n] = &tkey{k: k, addr: crypto.PubkeyToAddress(k.PublicKey)}
	}
	base := gwei(1)
	var pending []pendingTx
	names := map[common.Hash]string{}
	add := func(label, who string, nonce uint64, tip, feeCap *big.Int) {
		tx := types.MustSignNewTx(keys[who].k, signer, &types.DynamicFeeTx{ChainID: big.NewInt(1), Nonce: nonce, GasTipCap: tip, GasFeeCap: feeCap, Gas: 21000})
		pending = append(pending, pendingTx{tx: tx, sender: keys[who].addr, arrival: uint64(len(pending))})
		names[tx.Hash()] = label
	}
	add("victim", "victim", 0, gwei(1), gwei(3))
	add("front", "searcher", 7, gwei(2), gwei(4))
	add("back", "searcher", 8, big.NewInt(gwei(1).Int64()/2), gwei(4))
	add("other-late", "other", 0, gwei(1), gwei(3))                   // ties with the victim, arrived later
	add("capped", "other", 1, gwei(5), big.NewInt(gwei(1).Int64()+1)) // effective tip 1 wei
	var got []string
	for _, tx := range byPriorityFee(pending, base) {
		got = append(got, names[tx.Hash()])
	}
	want := []string{"front", "victim", "other-late", "back", "capped"}
	if len(got) != len(want) {
		t.Fatalf("order %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order %v, want %v", got, want)
		}
	}
}

type tkey struct {
	k    *ecdsa.PrivateKey
	addr common.Address
}
