package sandwich

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/math"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"

	"github.com/veil-l2/veil/devnet"
	"github.com/veil-l2/veil/encmempool/client"
	"github.com/veil-l2/veil/execution"
)

// Errors of the scenario.
var (
	// ErrParams reports scenario parameters that cannot run.
	ErrParams = errors.New("sandwich: invalid parameters")
	// ErrNotSeen: the searcher's watch ended without the victim's
	// transaction (the pending feed closed).
	ErrNotSeen = errors.New("sandwich: the searcher never saw the victim's transaction")
)

// ConventionalChainID is the conventional L2's chain id (Veil's is
// devnet.ChainID).
const ConventionalChainID = devnet.ChainID + 1

// Params are the scenario's numbers, in token units of 10^-18 (both tokens
// have 18 decimals).
type Params struct {
	// Liquidity of each token in the pool (a price of 1).
	Liquidity *big.Int
	// VictimIn is the amount of A the victim sells for B.
	VictimIn *big.Int
	// SlippageBps is the victim's tolerance in basis points: its
	// amountOutMin is the quote less this much.
	SlippageBps uint64
	// SearcherBudget is the A the searcher holds and may trade.
	SearcherBudget *big.Int
	// BlindStake is the A the searcher bets when it cannot read the
	// victim's transaction (on Veil).
	BlindStake *big.Int
}

// Tokens is n whole tokens (18 decimals).
func Tokens(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(params.Ether)) }

// DefaultParams: a pool of 1,000,000 A and 1,000,000 B; the victim sells
// 10,000 A (1% of the pool) with a 1% slippage tolerance, a common wallet
// default; the searcher holds 200,000 A and bets 10,000 when blind.
func DefaultParams() Params {
	return Params{Liquidity: Tokens(1_000_000), VictimIn: Tokens(10_000), SlippageBps: 100,
		SearcherBudget: Tokens(200_000), BlindStake: Tokens(10_000)}
}

// Check rejects parameters the scenario cannot run.
func (p Params) Check() error {
	positive := func(v *big.Int) bool { return v != nil && v.Sign() > 0 }
	switch {
	case !positive(p.Liquidity) || !positive(p.VictimIn) || !positive(p.SearcherBudget) || !positive(p.BlindStake):
		return fmt.Errorf("%w: liquidity, the victim's amount, the searcher's budget and its blind stake must be positive", ErrParams)
	case p.SlippageBps >= 10_000:
		return fmt.Errorf("%w: slippage %d bps: must be below 10000 (100%%)", ErrParams, p.SlippageBps)
	case p.BlindStake.Cmp(p.SearcherBudget) > 0:
		return fmt.Errorf("%w: the blind stake exceeds the searcher's budget", ErrParams)
	case p.Liquidity.BitLen() > 100 || p.VictimIn.BitLen() > 100 || p.SearcherBudget.BitLen() > 100:
		return fmt.Errorf("%w: amounts above 2^100 overflow the pool's arithmetic", ErrParams)
	}
	return nil
}

// TokenAmounts are amounts of A and B.
type TokenAmounts struct {
	A, B *big.Int
}

// Outcome is one run of the scenario.
type Outcome struct {
	// Sequencer and Ordering name the L2 and how it orders a block.
	Sequencer, Ordering string
	// Reserves of the pool when the victim asked for its quote.
	Reserves Reserves
	// Quoted is the B the pool quoted the victim (getAmountsOut), MinOut
	// its amountOutMin, Received the B it got.
	Quoted, MinOut, Received *big.Int
	// VictimGas is the gas the victim's swap used.
	VictimGas uint64
	// SearcherProfit is the change of the searcher's token balances over
	// the scenario, gas not counted; SearcherGas and SearcherGasCost (wei)
	// are what its transactions used and paid.
	SearcherProfit  TokenAmounts
	SearcherGas     uint64
	SearcherGasCost *big.Int
	// Order lists the scenario's transactions in the order they executed.
	Order []string
	// SearcherSaw is what the searcher could read of the victim's
	// transaction before its position was fixed.
	SearcherSaw string
	// Plan is the sandwich the searcher computed (conventional only).
	Plan *Sandwich
}

// Shortfall is Quoted − Received.
func (o *Outcome) Shortfall() *big.Int { return new(big.Int).Sub(o.Quoted, o.Received) }

// Result is both runs, on the same starting state.
type Result struct {
	Params       Params
	Conventional *Outcome
	Veil         *Outcome
}

// Options are how the scenario reports and what it runs Veil with.
type Options struct {
	// Progress, when set, is told what the scenario is doing.
	Progress func(format string, args ...any)
	// Keypers and Threshold of Veil's devnet committee (default 3 and 2).
	Keypers, Threshold int
}

func (o *Options) defaults() {
	if o.Progress == nil {
		o.Progress = func(string, ...any) {}
	}
	if o.Keypers == 0 {
		o.Keypers, o.Threshold = 3, 2
	}
}

// DefaultRoles are the devnet's dev accounts 0 to 3: deployer, victim,
// searcher, and the victim's fee payer. Both L2s fund them alike.
func DefaultRoles() Roles {
	return Roles{Deployer: devnet.DevAccount(0), Victim: devnet.DevAccount(1), Searcher: devnet.DevAccount(2), Payer: devnet.DevAccount(3)}
}

// Run runs the scenario on a conventional L2 and then on Veil.
func Run(ctx context.Context, p Params, opts Options) (*Result, error) {
	conv, err := RunConventional(ctx, p, opts)
	if err != nil {
		return nil, fmt.Errorf("conventional run: %w", err)
	}
	veil, err := RunVeil(ctx, p, opts)
	if err != nil {
		return nil, fmt.Errorf("Veil run: %w", err)
	}
	return &Result{Params: p, Conventional: conv, Veil: veil}, nil
}

// setupTip is the tip of the setup transactions.
var setupTip = gwei(1)

// RunConventional runs the scenario on a Conventional sequencer: the
// market is set up, the searcher watches the mempool, the victim sends its
// swap in plaintext with a 1 gwei tip, the searcher sandwiches it, and the
// block interval ends: the block is sealed in priority-fee order.
func RunConventional(ctx context.Context, p Params, opts Options) (*Outcome, error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	opts.defaults()
	roles := DefaultRoles()
	seqKey, err := crypto.GenerateKey()
	if err != nil {
		return nil, err
	}
	chain := &execution.ChainConfig{ChainID: ConventionalChainID, GasLimit: execution.DefaultGasLimit, Timestamp: uint64(time.Now().Unix()),
		Sequencer: crypto.PubkeyToAddress(seqKey.PublicKey), BridgeSupply: (*math.HexOrDecimal256)(new(big.Int)),
		Alloc: types.GenesisAlloc{crypto.PubkeyToAddress(seqKey.PublicKey): {Balance: devnet.Ether(1000)}}}
	for _, k := range []*ecdsa.PrivateKey{roles.Deployer, roles.Victim, roles.Searcher, roles.Payer} {
		chain.Alloc[crypto.PubkeyToAddress(k.PublicKey)] = types.Account{Balance: devnet.Ether(10_000)}
	}
	opts.Progress("conventional L2: starting (plaintext mempool, blocks in priority-fee order)")
	seq, err := OpenConventional(chain)
	if err != nil {
		return nil, err
	}
	defer seq.Close()
	ec, err := ethclient.DialContext(ctx, seq.Endpoint())
	if err != nil {
		return nil, err
	}
	defer ec.Close()
	e, err := newEnv(ctx, ec, func(ctx context.Context) error { _, err := seq.Seal(ctx); return err })
	if err != nil {
		return nil, err
	}
	opts.Progress("conventional L2: deploying %s, %s and the pool, adding liquidity", SymbolA, SymbolB)
	m, err := deployMarket(ctx, e, roles, p, setupTip)
	if err != nil {
		return nil, err
	}

	// The searcher follows the mempool from now on.
	s, err := newSearcher(ctx, e, m, roles.Searcher)
	if err != nil {
		return nil, err
	}
	pending, stop := seq.Watch()
	defer stop()
	attacks := make(chan attackResult, 1)
	go func() { attacks <- s.watch(ctx, pending, p.BlindStake) }()

	v, err := newVictim(ctx, e, m, roles.Victim, p)
	if err != nil {
		return nil, err
	}
	opts.Progress("conventional L2: the victim sends its swap (quote %s %s, minimum %s)", FormatAmount(v.quote), SymbolB, FormatAmount(v.minOut))
	victimTx, err := e.send(ctx, roles.Victim, &m.Pool, m.swapData(p.VictimIn, v.minOut, true, v.addr, v.deadline), GasSwap, gwei(1))
	if err != nil {
		return nil, err
	}
	var ar attackResult
	select {
	case ar = <-attacks:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if ar.err != nil && !errors.Is(ar.err, ErrNoRoom) && !errors.Is(ar.err, ErrUnprofitable) {
		return nil, fmt.Errorf("searcher: %w", ar.err)
	}
	a := ar.a
	if a == nil {
		return nil, fmt.Errorf("%w: its swap", ErrNotSeen)
	}
	// The block interval ends: one block, ordered by priority fee.
	opts.Progress("conventional L2: sealing the block")
	txs := []*types.Transaction{victimTx}
	labels := map[common.Hash]string{victimTx.Hash(): fmt.Sprintf("victim swap (tip %s gwei)", formatGwei(victimTx.GasTipCap()))}
	if a.Front != nil {
		txs = append(txs, a.Front, a.Back)
		labels[a.Front.Hash()] = fmt.Sprintf("searcher front-run (tip %s gwei)", formatGwei(a.FrontTip))
		labels[a.Back.Hash()] = fmt.Sprintf("searcher back-run (tip %s gwei)", formatGwei(a.BackTip))
	}
	rs, err := e.wait(ctx, txs...)
	if err != nil {
		return nil, err
	}
	o := &Outcome{Sequencer: "conventional L2", Ordering: "plaintext mempool, priority fee", SearcherSaw: a.Saw, Plan: a.Plan}
	if err := v.finish(ctx, o, rs[0]); err != nil {
		return nil, err
	}
	if err := s.finish(ctx, o, rs[1:]...); err != nil {
		return nil, err
	}
	o.Order = executionOrder(rs, labels)
	return o, nil
}

// attackResult is what the searcher's watch ended with.
type attackResult struct {
	a   *attack
	err error
}

// watch reacts to pending transactions until one is an attack target.
func (s *searcher) watch(ctx context.Context, pending <-chan *types.Transaction, stake *big.Int) attackResult {
	for {
		select {
		case tx, ok := <-pending:
			if !ok {
				return attackResult{}
			}
			if a, err := s.react(ctx, tx, stake); a != nil || err != nil {
				return attackResult{a: a, err: err}
			}
		case <-ctx.Done():
			return attackResult{err: ctx.Err()}
		}
	}
}

// finish fills in the searcher's balance changes since newSearcher and the
// gas of its transactions' receipts rs.
func (s *searcher) finish(ctx context.Context, o *Outcome, rs ...*types.Receipt) error {
	a, b, err := s.e.balances(ctx, s.m, s.addr)
	if err != nil {
		return err
	}
	o.SearcherProfit = TokenAmounts{A: a.Sub(a, s.start.A), B: b.Sub(b, s.start.B)}
	o.SearcherGasCost, o.SearcherGas = gasCost(rs...)
	return nil
}

// victim is the victim's side: its quote and minimum, taken at the state
// its swap is sent against.
type victim struct {
	e                     *env
	m                     *Market
	addr                  common.Address
	reserves              Reserves
	quote, minOut, before *big.Int
	deadline              *big.Int
}

func newVictim(ctx context.Context, e *env, m *Market, key *ecdsa.PrivateKey, p Params) (*victim, error) {
	v := &victim{e: e, m: m, addr: crypto.PubkeyToAddress(key.PublicKey)}
	var err error
	if v.reserves, err = e.reserves(ctx, m); err != nil {
		return nil, err
	}
	if v.quote, err = e.quote(ctx, m, p.VictimIn, true); err != nil {
		return nil, err
	}
	v.minOut = MinOut(v.quote, p.SlippageBps)
	if v.before, err = e.balance(ctx, m.TokenB, v.addr); err != nil {
		return nil, err
	}
	if v.deadline, err = e.deadline(ctx); err != nil {
		return nil, err
	}
	return v, nil
}

// finish fills in what the victim got.
func (v *victim) finish(ctx context.Context, o *Outcome, r *types.Receipt) error {
	after, err := v.e.balance(ctx, v.m.TokenB, v.addr)
	if err != nil {
		return err
	}
	o.Reserves, o.Quoted, o.MinOut = v.reserves, v.quote, v.minOut
	o.Received = new(big.Int).Sub(after, v.before)
	o.VictimGas = r.GasUsed
	return nil
}

// executionOrder lists the labelled transactions by block and position.
func executionOrder(rs []*types.Receipt, labels map[common.Hash]string) []string {
	rs = slices.Clone(rs)
	slices.SortFunc(rs, func(a, b *types.Receipt) int {
		if c := a.BlockNumber.Cmp(b.BlockNumber); c != 0 {
			return c
		}
		return int(a.TransactionIndex) - int(b.TransactionIndex)
	})
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, fmt.Sprintf("%s [block %v, position %d]", labels[r.TxHash], r.BlockNumber, r.TransactionIndex))
	}
	return out
}

// RunVeil runs the scenario on a Veil devnet (simulated L1, keypers with a
// fresh DKG, the sequencer): the market is set up, the searcher runs the
// sequencer and sees every transaction admitted at its front door, the
// victim sends its swap as an envelope through the client library, and the
// searcher reacts the moment the envelope is admitted.
func RunVeil(ctx context.Context, p Params, opts Options) (*Outcome, error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	opts.defaults()
	roles := DefaultRoles()
	opts.Progress("Veil: starting a devnet (L1, %d keypers with a fresh DKG, the sequencer)", opts.Keypers)
	d, err := devnet.Start(ctx, devnet.Config{Keypers: opts.Keypers, Threshold: opts.Threshold, HTTPAddr: "127.0.0.1:0",
		L1BlockTime: time.Second, Progress: func(format string, args ...any) { opts.Progress("Veil: "+format, args...) }})
	if err != nil {
		return nil, err
	}
	defer d.Close()
	seq := d.Sequencer()
	ec, err := ethclient.DialContext(ctx, seq.Exec().HTTPEndpoint())
	if err != nil {
		return nil, err
	}
	defer ec.Close()
	e, err := newEnv(ctx, ec, nil)
	if err != nil {
		return nil, err
	}
	opts.Progress("Veil: deploying %s, %s and the pool, adding liquidity", SymbolA, SymbolB)
	m, err := deployMarket(ctx, e, roles, p, setupTip)
	if err != nil {
		return nil, err
	}

	// Users reach the sequencer through its front door, where the operator
	// (the searcher) sees everything admitted.
	door, err := openIngress(seq.Exec().HTTPEndpoint(), seq)
	if err != nil {
		return nil, err
	}
	defer door.close()
	s, err := newSearcher(ctx, e, m, roles.Searcher)
	if err != nil {
		return nil, err
	}
	receipts := map[common.Hash]uint64{} // order receipts' sequence numbers, by transaction hash
	attacks := make(chan attackResult, 1)
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	go func() { attacks <- s.watch(watchCtx, door.seen, p.BlindStake) }()

	vc, err := client.Dial(ctx, door.URL(), client.WithPayer(client.NewPayer(roles.Payer)))
	if err != nil {
		return nil, err
	}
	defer vc.Close()
	v, err := newVictim(ctx, e, m, roles.Victim, p)
	if err != nil {
		return nil, err
	}
	opts.Progress("Veil: the victim sends its swap in an envelope (quote %s %s, minimum %s)", FormatAmount(v.quote), SymbolB, FormatAmount(v.minOut))
	inner, err := vc.SignInner(ctx, roles.Victim, client.Call{To: &m.Pool, Data: m.swapData(p.VictimIn, v.minOut, true, v.addr, v.deadline), Gas: GasSwap})
	if err != nil {
		return nil, err
	}
	pend, err := vc.Send(ctx, inner)
	if err != nil {
		return nil, err
	}
	orderReceipt, err := vc.WaitOrdered(ctx, pend)
	if err != nil {
		return nil, err
	}
	receipts[inner.Hash()] = orderReceipt.Seq
	var ar attackResult
	select {
	case ar = <-attacks:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if ar.err != nil {
		return nil, fmt.Errorf("searcher: %w", ar.err)
	}
	a := ar.a
	if a == nil {
		return nil, fmt.Errorf("%w: its envelope", ErrNotSeen)
	}
	opts.Progress("Veil: waiting for the batch; the searcher sells once its buy executed")
	victimReceipt, err := vc.WaitExecuted(ctx, pend)
	if err != nil {
		return nil, err
	}
	backReceipt, err := s.sell(ctx, a)
	if err != nil {
		return nil, err
	}
	frontReceipt, err := waitReceipt(ctx, ec, a.Front.Hash(), nil)
	if err != nil {
		return nil, err
	}
	for _, tx := range []*types.Transaction{a.Front, a.Back} {
		r, err := seq.Receipt(tx.Hash())
		if err != nil {
			return nil, err
		}
		receipts[tx.Hash()] = r.Seq
	}
	o := &Outcome{Sequencer: "Veil", Ordering: "encrypted mempool, first come first served, order fixed before decryption", SearcherSaw: a.Saw}
	if err := v.finish(ctx, o, victimReceipt); err != nil {
		return nil, err
	}
	if err := s.finish(ctx, o, frontReceipt, backReceipt); err != nil {
		return nil, err
	}
	labels := map[common.Hash]string{
		inner.Hash():   fmt.Sprintf("victim swap (envelope, seq %d)", receipts[inner.Hash()]),
		a.Front.Hash(): fmt.Sprintf("searcher buy (tip %s gwei, seq %d)", formatGwei(a.FrontTip), receipts[a.Front.Hash()]),
		a.Back.Hash():  fmt.Sprintf("searcher sell (seq %d)", receipts[a.Back.Hash()]),
	}
	o.Order = executionOrder([]*types.Receipt{victimReceipt, frontReceipt, backReceipt}, labels)
	return o, nil
}

// FormatAmount writes an 18-decimal amount with thousands separators and
// three decimals (rounded toward zero), e.g. "9,871.580" or "-97.716".
func FormatAmount(v *big.Int) string {
	if v == nil {
		return "-"
	}
	neg := v.Sign() < 0
	abs := new(big.Int).Abs(v)
	milli := new(big.Int).Div(abs, big.NewInt(params.Ether/1000))
	whole, frac := new(big.Int).DivMod(milli, big.NewInt(1000), new(big.Int))
	digits := whole.String()
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	s := fmt.Sprintf("%s.%03d", b.String(), frac.Int64())
	if neg && abs.Sign() != 0 {
		s = "-" + s
	}
	return s
}

// formatGwei writes wei as gwei with up to three decimals.
func formatGwei(wei *big.Int) string {
	f, _ := new(big.Float).Quo(new(big.Float).SetInt(wei), big.NewFloat(params.GWei)).Float64()
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", f), "0"), ".")
}
