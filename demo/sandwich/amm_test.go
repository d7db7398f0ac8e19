package sandwich

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/devnet"
	"github.com/veil-l2/veil/execution"
)

// market is the AMM on go-ethereum's simulated backend with Veil's L2
// rules (every fork through Osaka), set up as the scenario does.
type market struct {
	t     *testing.T
	ctx   context.Context
	sim   *simulated.Backend
	e     *env
	m     *Market
	p     Params
	roles Roles
}

func newMarket(t *testing.T) *market {
	t.Helper()
	roles := DefaultRoles()
	alloc := types.GenesisAlloc{}
	for _, k := range []*ecdsa.PrivateKey{roles.Deployer, roles.Victim, roles.Searcher, roles.Payer} {
		alloc[crypto.PubkeyToAddress(k.PublicKey)] = types.Account{Balance: devnet.Ether(100)}
	}
	sim := simulated.NewBackend(alloc, func(_ *node.Config, c *ethconfig.Config) {
		c.Genesis.Config = (&execution.ChainConfig{ChainID: 1337}).Params()
	})
	t.Cleanup(func() { sim.Close() })
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	e, err := newEnv(ctx, sim.Client(), func(context.Context) error { sim.Commit(); return nil })
	if err != nil {
		t.Fatal(err)
	}
	e.poll = func() { sim.Commit() }
	p := DefaultParams()
	m, err := deployMarket(ctx, e, roles, p, gwei(1))
	if err != nil {
		t.Fatal(err)
	}
	return &market{t: t, ctx: ctx, sim: sim, e: e, m: m, p: p, roles: roles}
}

func addrOf(k *ecdsa.PrivateKey) common.Address { return crypto.PubkeyToAddress(k.PublicKey) }

func (mk *market) reserves() Reserves {
	mk.t.Helper()
	r, err := mk.e.reserves(mk.ctx, mk.m)
	if err != nil {
		mk.t.Fatal(err)
	}
	return r
}

func (mk *market) quote(amountIn *big.Int, aForB bool) *big.Int {
	mk.t.Helper()
	q, err := mk.e.quote(mk.ctx, mk.m, amountIn, aForB)
	if err != nil {
		mk.t.Fatal(err)
	}
	return q
}

func (mk *market) balance(token common.Address, who *ecdsa.PrivateKey) *big.Int {
	mk.t.Helper()
	b, err := mk.e.balance(mk.ctx, token, addrOf(who))
	if err != nil {
		mk.t.Fatal(err)
	}
	return b
}

func (mk *market) deadline() *big.Int {
	mk.t.Helper()
	d, err := mk.e.deadline(mk.ctx)
	if err != nil {
		mk.t.Fatal(err)
	}
	return d
}

// send executes one transaction in a block of its own and returns its
// receipt, whatever its status.
func (mk *market) send(key *ecdsa.PrivateKey, to common.Address, data []byte) *types.Receipt {
	mk.t.Helper()
	tx, err := mk.e.send(mk.ctx, key, &to, data, GasSwap, gwei(1))
	if err != nil {
		mk.t.Fatal(err)
	}
	mk.sim.Commit()
	r, err := waitReceipt(mk.ctx, mk.e.b, tx.Hash(), mk.e.poll)
	if err != nil {
		mk.t.Fatal(err)
	}
	return r
}

// swap sends a swap from key to key and returns the output it received.
func (mk *market) swap(key *ecdsa.PrivateKey, amountIn, minOut *big.Int, aForB bool) *big.Int {
	mk.t.Helper()
	out := mk.m.TokenB
	if !aForB {
		out = mk.m.TokenA
	}
	before := mk.balance(out, key)
	r := mk.send(key, mk.m.Pool, mk.m.swapData(amountIn, minOut, aForB, addrOf(key), mk.deadline()))
	if r.Status != types.ReceiptStatusSuccessful {
		mk.t.Fatalf("swap of %v (minimum %v) reverted", amountIn, minOut)
	}
	return new(big.Int).Sub(mk.balance(out, key), before)
}

// revert runs data from key as an eth_call and returns the pool's or the
// token's named error it reverts with.
func (mk *market) revert(key *ecdsa.PrivateKey, to common.Address, data []byte) any {
	mk.t.Helper()
	from := addrOf(key)
	_, err := mk.e.b.CallContract(mk.ctx, ethereum.CallMsg{From: from, To: &to, Data: data}, nil)
	var de rpc.DataError
	if !errors.As(err, &de) {
		mk.t.Fatalf("call did not revert with data: %v", err)
	}
	s, _ := de.ErrorData().(string)
	raw, err := hexutil.Decode(s)
	if err != nil {
		mk.t.Fatalf("revert data %q: %v", s, err)
	}
	if named, err := poolABI.UnpackError(raw); err == nil {
		return named
	}
	named, err := tokenABI.UnpackError(raw)
	if err != nil {
		mk.t.Fatalf("revert data %x is no named error of the pool or the token", raw)
	}
	return named
}

// TestQuoteIsOutput: without interference a swap pays exactly its quote,
// in both directions, and the Go arithmetic agrees with the contract's.
func TestQuoteIsOutput(t *testing.T) {
	mk := newMarket(t)
	in := Tokens(10_000)
	for _, aForB := range []bool{true, false} {
		r := mk.reserves()
		if !aForB {
			r = Reserves{In: r.Out, Out: r.In}
		}
		quote := mk.quote(in, aForB)
		want, err := AmountOut(in, r.In, r.Out)
		if err != nil {
			t.Fatal(err)
		}
		if quote.Cmp(want) != 0 {
			t.Fatalf("aForB %v: the pool quotes %v, the Go arithmetic %v", aForB, quote, want)
		}
		if got := mk.swap(mk.roles.Searcher, in, quote, aForB); got.Cmp(quote) != 0 {
			t.Fatalf("aForB %v: quoted %v, received %v", aForB, quote, got)
		}
		after := mk.reserves()
		if !aForB {
			after = Reserves{In: after.Out, Out: after.In}
		}
		if after.In.Cmp(new(big.Int).Add(r.In, in)) != 0 || after.Out.Cmp(new(big.Int).Sub(r.Out, quote)) != 0 {
			t.Fatalf("aForB %v: reserves %v/%v after a swap of %v for %v from %v/%v", aForB, after.In, after.Out, in, quote, r.In, r.Out)
		}
		// The fee stays in the pool: k grows.
		if new(big.Int).Mul(after.In, after.Out).Cmp(new(big.Int).Mul(r.In, r.Out)) <= 0 {
			t.Fatalf("aForB %v: k did not grow", aForB)
		}
		in = quote // sell back what was bought
	}
}

// TestSlippageProtection: a swap whose output would fall below its
// amountOutMin reverts with InsufficientOutputAmount, on its own and after
// a trade moved the price, and pays nothing; an expired one reverts with
// Expired; a wrong path with InvalidPath.
func TestSlippageProtection(t *testing.T) {
	mk := newMarket(t)
	victim, in := mk.roles.Victim, mk.p.VictimIn
	quote := mk.quote(in, true)
	tooMuch := new(big.Int).Add(quote, big.NewInt(1))
	got := mk.revert(victim, mk.m.Pool, mk.m.swapData(in, tooMuch, true, addrOf(victim), mk.deadline()))
	if want := (&contracts.ConstantProductPoolInsufficientOutputAmount{AmountOut: quote, AmountOutMin: tooMuch}); !sameError(got, want) {
		t.Fatalf("minimum one above the quote: %#v, want %#v", got, want)
	}

	// A searcher trades first: the victim's minimum at 1% below the old
	// quote no longer holds for a front-run beyond its tolerance.
	minOut := MinOut(quote, 100)
	mk.swap(mk.roles.Searcher, Tokens(20_000), new(big.Int), true)
	now := mk.quote(in, true)
	if now.Cmp(minOut) >= 0 {
		t.Fatalf("after the front-run the swap pays %v, still above the minimum %v", now, minOut)
	}
	before := mk.balance(mk.m.TokenB, victim)
	r := mk.send(victim, mk.m.Pool, mk.m.swapData(in, minOut, true, addrOf(victim), mk.deadline()))
	if r.Status != types.ReceiptStatusFailed {
		t.Fatal("the swap below its minimum executed")
	}
	if after := mk.balance(mk.m.TokenB, victim); after.Cmp(before) != 0 {
		t.Fatalf("a reverted swap paid %v", new(big.Int).Sub(after, before))
	}
	got = mk.revert(victim, mk.m.Pool, mk.m.swapData(in, minOut, true, addrOf(victim), mk.deadline()))
	if want := (&contracts.ConstantProductPoolInsufficientOutputAmount{AmountOut: now, AmountOutMin: minOut}); !sameError(got, want) {
		t.Fatalf("after the front-run: %#v, want %#v", got, want)
	}

	head, err := mk.e.b.HeaderByNumber(mk.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	// eth_call runs on top of the latest block, at its timestamp or later.
	past := new(big.Int).SetUint64(head.Time - 1)
	got = mk.revert(victim, mk.m.Pool, mk.m.swapData(in, new(big.Int), true, addrOf(victim), past))
	if e, ok := got.(*contracts.ConstantProductPoolExpired); !ok || e.Deadline.Cmp(past) != 0 {
		t.Fatalf("past deadline: %#v, want Expired", got)
	}
	bad := poolABI.PackSwapExactTokensForTokens(in, new(big.Int), []common.Address{mk.m.TokenA, mk.m.TokenA}, addrOf(victim), mk.deadline())
	if got := mk.revert(victim, mk.m.Pool, bad); !sameError(got, &contracts.ConstantProductPoolInvalidPath{}) {
		t.Fatalf("path [A, A]: %#v, want InvalidPath", got)
	}
	got = mk.revert(victim, mk.m.Pool, mk.m.swapData(new(big.Int), new(big.Int), true, addrOf(victim), mk.deadline()))
	if !sameError(got, &contracts.ConstantProductPoolInsufficientInputAmount{}) {
		t.Fatalf("zero input: %#v, want InsufficientInputAmount", got)
	}
}

// TestSandwichOnChain executes the optimal sandwich of the default victim
// on the pool: every amount is what the Go arithmetic predicted, the
// victim gets exactly its minimum, and the searcher keeps the profit.
func TestSandwichOnChain(t *testing.T) {
	mk := newMarket(t)
	victim, searcher, in := mk.roles.Victim, mk.roles.Searcher, mk.p.VictimIn
	quote := mk.quote(in, true)
	minOut := MinOut(quote, mk.p.SlippageBps)
	plan, err := OptimalFrontRun(mk.reserves(), in, minOut, mk.p.SearcherBudget)
	if err != nil {
		t.Fatal(err)
	}
	startA := mk.balance(mk.m.TokenA, searcher)
	if got := mk.swap(searcher, plan.FrontIn, plan.FrontOut, true); got.Cmp(plan.FrontOut) != 0 {
		t.Fatalf("front-run paid %v, planned %v", got, plan.FrontOut)
	}
	if got := mk.swap(victim, in, minOut, true); got.Cmp(plan.VictimOut) != 0 || got.Cmp(minOut) < 0 || got.Cmp(quote) >= 0 {
		t.Fatalf("victim received %v: planned %v, minimum %v, quote %v", got, plan.VictimOut, minOut, quote)
	}
	if got := mk.swap(searcher, plan.FrontOut, plan.BackOut, false); got.Cmp(plan.BackOut) != 0 {
		t.Fatalf("back-run paid %v, planned %v", got, plan.BackOut)
	}
	profit := new(big.Int).Sub(mk.balance(mk.m.TokenA, searcher), startA)
	if profit.Cmp(plan.Profit) != 0 || profit.Sign() <= 0 {
		t.Fatalf("searcher profit %v, planned %v", profit, plan.Profit)
	}
	t.Logf("front-run %v A, victim %v B of %v quoted (minimum %v), searcher profit %v A", plan.FrontIn, plan.VictimOut, quote, minOut, profit)
}

// TestLiquidity: later deposits are taken at the reserves' ratio and mint
// shares in proportion; withdrawing pays the shares' part of both
// reserves; the minimums and the share balance are enforced.
func TestLiquidity(t *testing.T) {
	mk := newMarket(t)
	deployer := mk.roles.Deployer
	lp := addrOf(deployer)
	// The first deposit: sqrt(L·L) = L shares, MINIMUM_LIQUIDITY of them locked.
	shares := func(who common.Address) *big.Int {
		out, err := mk.e.call(mk.ctx, mk.m.Pool, poolABI.PackLiquidityOf(who))
		if err != nil {
			t.Fatal(err)
		}
		v, err := poolABI.UnpackLiquidityOf(out)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	L := mk.p.Liquidity
	if got, want := shares(lp), new(big.Int).Sub(L, big.NewInt(1000)); got.Cmp(want) != 0 {
		t.Fatalf("first deposit minted %v shares, want %v", got, want)
	}
	mint := func(token common.Address, n *big.Int) {
		if r := mk.send(deployer, token, tokenABI.PackMint(lp, n)); r.Status != types.ReceiptStatusSuccessful {
			t.Fatal("mint failed")
		}
	}
	mint(mk.m.TokenA, Tokens(1_000))
	mint(mk.m.TokenB, Tokens(5_000))
	// Desired 1,000 and 5,000 at a price of 1: takes 1,000 of each.
	before := shares(lp)
	r := mk.send(deployer, mk.m.Pool, poolABI.PackAddLiquidity(Tokens(1_000), Tokens(5_000), new(big.Int), new(big.Int), lp, mk.deadline()))
	if r.Status != types.ReceiptStatusSuccessful {
		t.Fatal("addLiquidity reverted")
	}
	if got := new(big.Int).Sub(shares(lp), before); got.Cmp(Tokens(1_000)) != 0 {
		t.Fatalf("a 0.1%% deposit minted %v shares, want %v", got, Tokens(1_000))
	}
	if got := mk.reserves(); got.In.Cmp(Tokens(1_001_000)) != 0 || got.Out.Cmp(Tokens(1_001_000)) != 0 {
		t.Fatalf("reserves %v/%v", got.In, got.Out)
	}
	// A minimum above what the ratio allows.
	got := mk.revert(deployer, mk.m.Pool, poolABI.PackAddLiquidity(Tokens(1_000), Tokens(5_000), new(big.Int), Tokens(2_000), lp, mk.deadline()))
	if e, ok := got.(*contracts.ConstantProductPoolInsufficientAmount); !ok || e.AmountMin.Cmp(Tokens(2_000)) != 0 {
		t.Fatalf("amount1Min above the ratio: %#v, want InsufficientAmount", got)
	}

	// Withdraw 1,000 shares: 1,000 of each.
	a0 := mk.balance(mk.m.TokenA, deployer)
	r = mk.send(deployer, mk.m.Pool, poolABI.PackRemoveLiquidity(Tokens(1_000), Tokens(1_000), Tokens(1_000), lp, mk.deadline()))
	if r.Status != types.ReceiptStatusSuccessful {
		t.Fatal("removeLiquidity reverted")
	}
	if got := new(big.Int).Sub(mk.balance(mk.m.TokenA, deployer), a0); got.Cmp(Tokens(1_000)) != 0 {
		t.Fatalf("withdrew %v A, want %v", got, Tokens(1_000))
	}
	all := shares(lp)
	over := new(big.Int).Add(all, big.NewInt(1))
	got = mk.revert(deployer, mk.m.Pool, poolABI.PackRemoveLiquidity(over, new(big.Int), new(big.Int), lp, mk.deadline()))
	if want := (&contracts.ConstantProductPoolInsufficientShares{Liquidity: all, Needed: over}); !sameError(got, want) {
		t.Fatalf("more shares than held: %#v, want %#v", got, want)
	}
	got = mk.revert(deployer, mk.m.Pool, poolABI.PackRemoveLiquidity(Tokens(1), new(big.Int), new(big.Int), mk.m.TokenA, mk.deadline()))
	if want := (&contracts.ConstantProductPoolInvalidTo{To: mk.m.TokenA}); !sameError(got, want) {
		t.Fatalf("paid to a token: %#v, want %#v", got, want)
	}
}

// TestToken: only the deployer mints; transferFrom spends the allowance
// and refuses beyond it or beyond the balance.
func TestToken(t *testing.T) {
	mk := newMarket(t)
	victim, searcher := mk.roles.Victim, mk.roles.Searcher
	got := mk.revert(victim, mk.m.TokenA, tokenABI.PackMint(addrOf(victim), Tokens(1)))
	if !sameError(got, &contracts.DemoTokenNotMinter{}) {
		t.Fatalf("mint by another account: %#v, want NotMinter", got)
	}
	got = mk.revert(searcher, mk.m.TokenA, tokenABI.PackTransferFrom(addrOf(victim), addrOf(searcher), Tokens(1)))
	if want := (&contracts.DemoTokenInsufficientAllowance{Allowance: new(big.Int), Needed: Tokens(1)}); !sameError(got, want) {
		t.Fatalf("transferFrom without allowance: %#v, want %#v", got, want)
	}
	balance := mk.balance(mk.m.TokenA, victim)
	more := new(big.Int).Add(balance, big.NewInt(1))
	got = mk.revert(victim, mk.m.TokenA, tokenABI.PackTransfer(addrOf(searcher), more))
	if want := (&contracts.DemoTokenInsufficientBalance{Balance: balance, Needed: more}); !sameError(got, want) {
		t.Fatalf("transfer beyond the balance: %#v, want %#v", got, want)
	}
	if r := mk.send(victim, mk.m.TokenA, tokenABI.PackApprove(addrOf(searcher), Tokens(3))); r.Status != types.ReceiptStatusSuccessful {
		t.Fatal("approve failed")
	}
	if r := mk.send(searcher, mk.m.TokenA, tokenABI.PackTransferFrom(addrOf(victim), addrOf(searcher), Tokens(2))); r.Status != types.ReceiptStatusSuccessful {
		t.Fatal("transferFrom within the allowance failed")
	}
	out, err := mk.e.call(mk.ctx, mk.m.TokenA, tokenABI.PackAllowance(addrOf(victim), addrOf(searcher)))
	if err != nil {
		t.Fatal(err)
	}
	if left, err := tokenABI.UnpackAllowance(out); err != nil || left.Cmp(Tokens(1)) != 0 {
		t.Fatalf("allowance left %v (%v), want %v", left, err, Tokens(1))
	}
}

// sameError compares two decoded named errors by type and field values.
func sameError(got, want any) bool {
	return fmt.Sprintf("%T %+v", got, got) == fmt.Sprintf("%T %+v", want, want)
}
