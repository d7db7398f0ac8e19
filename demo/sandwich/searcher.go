package sandwich

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool"
)

// ErrUnprofitable: the best sandwich the victim's minimum allows would not
// pay for the pool's fees.
var ErrUnprofitable = errors.New("sandwich: no profitable sandwich")

// searcher watches pending transactions and trades around the ones it can
// read.
type searcher struct {
	e     *env
	m     *Market
	key   *ecdsa.PrivateKey
	addr  common.Address
	start TokenAmounts // its balances when it started watching; it trades at most start.A
}

func newSearcher(ctx context.Context, e *env, m *Market, key *ecdsa.PrivateKey) (*searcher, error) {
	s := &searcher{e: e, m: m, key: key, addr: crypto.PubkeyToAddress(key.PublicKey)}
	var err error
	s.start.A, s.start.B, err = e.balances(ctx, m, s.addr)
	return s, err
}

// attack is what the searcher did about one victim transaction.
type attack struct {
	// Saw is what the searcher could read of the victim's transaction
	// before its position was fixed.
	Saw string
	// Plan is the sandwich the searcher computed from the plaintext (nil
	// when it could not read it).
	Plan *Sandwich
	// Front and Back are the searcher's transactions (Back is nil until
	// it is sent) and their tips.
	Front, Back       *types.Transaction
	FrontTip, BackTip *big.Int
}

// sandwich reads a pending plaintext transaction; when it is a swap on the
// market, it computes the largest front-run the victim's minimum allows
// (OptimalFrontRun) and sends the front-run with a tip above the victim's
// and the back-run, selling exactly what the front-run buys, with a tip
// below it. Ordered by priority fee, the block runs front-run, victim,
// back-run. It returns nil for a transaction that is not such a swap, and
// ErrNoRoom when the victim's minimum allows no front-run.
func (s *searcher) sandwich(ctx context.Context, victim *types.Transaction) (*attack, error) {
	call, ok := decodeSwap(s.m, victim)
	if !ok || len(call.Path) != 2 {
		return nil, nil
	}
	if sender, err := types.Sender(s.e.signer, victim); err != nil || sender == s.addr {
		return nil, nil
	}
	aForB := call.Path[0] == s.m.TokenA
	saw := fmt.Sprintf("the victim's swap in plaintext: %s %s for at least %s %s, tip %s gwei",
		FormatAmount(call.AmountIn), symbol(aForB, true), FormatAmount(call.AmountOutMin), symbol(aForB, false), formatGwei(victim.GasTipCap()))
	if !aForB {
		// The budget is in A; a sandwich of a B-for-A swap front-runs
		// with B, which this searcher does not hold.
		return &attack{Saw: saw}, ErrNoRoom
	}
	r, err := s.e.reserves(ctx, s.m)
	if err != nil {
		return nil, err
	}
	plan, err := OptimalFrontRun(r, call.AmountIn, call.AmountOutMin, s.start.A)
	if err != nil {
		return &attack{Saw: saw}, err
	}
	if plan.Profit.Sign() <= 0 {
		return &attack{Saw: saw, Plan: plan}, ErrUnprofitable
	}
	deadline, err := s.e.deadline(ctx)
	if err != nil {
		return nil, err
	}
	a := &attack{Saw: saw, Plan: plan,
		FrontTip: new(big.Int).Add(victim.GasTipCap(), gwei(1)),
		BackTip:  new(big.Int).Div(victim.GasTipCap(), big.NewInt(2))}
	// The searcher's own minimums are exactly its plan: if anything runs
	// between, its trades revert rather than lose.
	if a.Front, err = s.e.send(ctx, s.key, &s.m.Pool, s.m.swapData(plan.FrontIn, plan.FrontOut, true, s.addr, deadline), GasSwap, a.FrontTip); err != nil {
		return a, err
	}
	if a.Back, err = s.e.send(ctx, s.key, &s.m.Pool, s.m.swapData(plan.FrontOut, plan.BackOut, false, s.addr, deadline), GasSwap, a.BackTip); err != nil {
		return a, err
	}
	return a, nil
}

// react is the searcher's handler for each pending transaction it sees:
// a plaintext swap it sandwiches; an envelope, which it cannot read, it
// bets on blind with stake. It returns nil for anything else.
func (s *searcher) react(ctx context.Context, tx *types.Transaction, stake *big.Int) (*attack, error) {
	if a, err := s.sandwich(ctx, tx); a != nil || err != nil {
		return a, err
	}
	return s.blind(ctx, tx, stake)
}

// blind is all a searcher can do with an envelope: it cannot read the
// target, token, direction or amount, so it guesses. It bets that the
// victim buys B, the way the conventional victim did (the best guess it
// could make), and buys B with stake of A at once, with a high tip and no
// minimum (the only way to make sure the buy executes; a minimum at
// today's price would just revert once the victim's swap moved it). It
// sends the sell later, with sell.
func (s *searcher) blind(ctx context.Context, env *types.Transaction, stake *big.Int) (*attack, error) {
	parsed, err := encmempool.ParseEnvelope(env, s.e.signer, contracts.EncryptedInboxAddress, encmempool.DefaultLimits)
	if err != nil {
		return nil, nil // not an envelope: not the victim's
	}
	saw := fmt.Sprintf("an envelope from payer %s to the inbox: %d bytes of ciphertext for eon %d, declared gas %d; "+
		"not the contract, token, direction or amount inside", shortAddr(parsed.Payer), len(parsed.Ciphertext), parsed.Eon, parsed.DeclaredGas)
	deadline, err := s.e.deadline(ctx)
	if err != nil {
		return nil, err
	}
	a := &attack{Saw: saw, FrontTip: gwei(10)}
	a.Front, err = s.e.send(ctx, s.key, &s.m.Pool, s.m.swapData(stake, new(big.Int), true, s.addr, deadline), GasSwap, a.FrontTip)
	return a, err
}

// sell sends the back-run of a blind attack once its buy executed: it
// sells all the B the searcher holds, again without a minimum.
func (s *searcher) sell(ctx context.Context, a *attack) (*types.Receipt, error) {
	if _, err := s.e.wait(ctx, a.Front); err != nil {
		return nil, err
	}
	b, err := s.e.balance(ctx, s.m.TokenB, s.addr)
	if err != nil {
		return nil, err
	}
	if b.Sign() == 0 {
		return nil, fmt.Errorf("%w: the searcher's buy paid no %s", ErrReverted, SymbolB)
	}
	deadline, err := s.e.deadline(ctx)
	if err != nil {
		return nil, err
	}
	a.BackTip = gwei(1)
	if a.Back, err = s.e.send(ctx, s.key, &s.m.Pool, s.m.swapData(b, new(big.Int), false, s.addr, deadline), GasSwap, a.BackTip); err != nil {
		return nil, err
	}
	rs, err := s.e.wait(ctx, a.Back)
	if err != nil {
		return nil, err
	}
	return rs[0], nil
}

// symbol names the token paid in (in) or out of a swap in the given
// direction.
func symbol(aForB, in bool) string {
	if aForB == in {
		return SymbolA
	}
	return SymbolB
}

func shortAddr(a common.Address) string {
	h := a.Hex()
	return h[:6] + "…" + h[len(h)-4:]
}
