package sandwich

import (
	"errors"
	"fmt"
	"math/big"
)

// Errors of the AMM arithmetic (the contract's InsufficientInputAmount and
// InsufficientLiquidity).
var (
	ErrZeroInput   = errors.New("sandwich: zero input amount")
	ErrNoLiquidity = errors.New("sandwich: the pool has no liquidity")
	// ErrNoRoom: the victim's minimum leaves no room for a front-run.
	ErrNoRoom = errors.New("sandwich: the victim's slippage tolerance leaves no room for a front-run")
)

// The pool's fee: an input counts feeNumerator/feeDenominator of itself
// (ConstantProductPool's FEE_NUMERATOR and FEE_DENOMINATOR: 0.3%).
var (
	feeNumerator   = big.NewInt(997)
	feeDenominator = big.NewInt(1000)
)

// AmountOut is ConstantProductPool.getAmountOut: what a swap of amountIn
// pays out of reserves (reserveIn, reserveOut) after the 0.3% fee,
// amountIn·997·reserveOut / (reserveIn·1000 + amountIn·997), rounded down.
func AmountOut(amountIn, reserveIn, reserveOut *big.Int) (*big.Int, error) {
	if amountIn.Sign() <= 0 {
		return nil, ErrZeroInput
	}
	if reserveIn.Sign() <= 0 || reserveOut.Sign() <= 0 {
		return nil, ErrNoLiquidity
	}
	withFee := new(big.Int).Mul(amountIn, feeNumerator)
	num := new(big.Int).Mul(withFee, reserveOut)
	den := new(big.Int).Add(new(big.Int).Mul(reserveIn, feeDenominator), withFee)
	return num.Div(num, den), nil
}

// Reserves are a pool's reserves seen in the direction of the victim's
// swap: In of the token the victim pays, Out of the token it buys.
type Reserves struct {
	In, Out *big.Int
}

// swap returns the output of amountIn and the reserves after it (a swap in
// the victim's direction when forward, else the other way).
func (r Reserves) swap(amountIn *big.Int, forward bool) (*big.Int, Reserves, error) {
	if !forward {
		out, after, err := Reserves{In: r.Out, Out: r.In}.swap(amountIn, true)
		return out, Reserves{In: after.Out, Out: after.In}, err
	}
	out, err := AmountOut(amountIn, r.In, r.Out)
	if err != nil {
		return nil, Reserves{}, err
	}
	return out, Reserves{In: new(big.Int).Add(r.In, amountIn), Out: new(big.Int).Sub(r.Out, out)}, nil
}

// Sandwich is a front-run, the victim's swap and a back-run, in that
// order, on one pool. The searcher buys what the victim buys (FrontIn of
// the victim's input token for FrontOut), the victim swaps VictimIn for
// VictimOut at the worse price, and the searcher sells FrontOut back
// (BackOut of the victim's input token). Profit = BackOut − FrontIn, in the
// victim's input token, before gas.
type Sandwich struct {
	FrontIn, FrontOut   *big.Int
	VictimIn, VictimOut *big.Int
	BackOut             *big.Int
	Profit              *big.Int
}

// Simulate computes the sandwich with a front-run of frontIn (> 0) around
// a swap of victimIn, on reserves r.
func Simulate(r Reserves, victimIn, frontIn *big.Int) (*Sandwich, error) {
	frontOut, r, err := r.swap(frontIn, true)
	if err != nil {
		return nil, fmt.Errorf("front-run: %w", err)
	}
	victimOut, r, err := r.swap(victimIn, true)
	if err != nil {
		return nil, fmt.Errorf("victim: %w", err)
	}
	var backOut *big.Int
	if frontOut.Sign() == 0 {
		backOut = new(big.Int)
	} else if backOut, _, err = r.swap(frontOut, false); err != nil {
		return nil, fmt.Errorf("back-run: %w", err)
	}
	return &Sandwich{FrontIn: new(big.Int).Set(frontIn), FrontOut: frontOut, VictimIn: new(big.Int).Set(victimIn),
		VictimOut: victimOut, BackOut: backOut, Profit: new(big.Int).Sub(backOut, frontIn)}, nil
}

// OptimalFrontRun returns the sandwich with the largest front-run, at most
// budget, after which the victim's swap of victimIn still pays at least
// victimMin: the front-run that uses up the victim's whole slippage
// tolerance, as a searcher computes it from the victim's plaintext. The
// victim's output falls as the front-run grows, so a binary search finds
// it. ErrNoRoom when not even a front-run of one unit fits.
func OptimalFrontRun(r Reserves, victimIn, victimMin, budget *big.Int) (*Sandwich, error) {
	fits := func(x *big.Int) (*Sandwich, bool, error) {
		s, err := Simulate(r, victimIn, x)
		if err != nil {
			return nil, false, err
		}
		return s, s.VictimOut.Cmp(victimMin) >= 0, nil
	}
	if budget.Sign() <= 0 {
		return nil, ErrNoRoom
	}
	if s, ok, err := fits(budget); err != nil || ok {
		return s, err
	}
	// Invariant: lo fits (or is 0), hi does not.
	lo, hi := new(big.Int), new(big.Int).Set(budget)
	one := big.NewInt(1)
	for new(big.Int).Sub(hi, lo).Cmp(one) > 0 {
		mid := new(big.Int).Add(lo, hi)
		mid.Rsh(mid, 1)
		_, ok, err := fits(mid)
		if err != nil {
			return nil, err
		}
		if ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	if lo.Sign() == 0 {
		return nil, ErrNoRoom
	}
	return Simulate(r, victimIn, lo)
}

// MinOut is amountOutMin for a tolerance of slippageBps basis points below
// the quote: quote·(10000 − bps)/10000, rounded down.
func MinOut(quote *big.Int, slippageBps uint64) *big.Int {
	if slippageBps >= 10_000 {
		return new(big.Int)
	}
	out := new(big.Int).Mul(quote, new(big.Int).SetUint64(10_000-slippageBps))
	return out.Div(out, big.NewInt(10_000))
}
