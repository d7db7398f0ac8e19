package sandwich

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"

	"github.com/veil-l2/veil/contracts"
)

// Errors of driving a chain.
var (
	// ErrReverted: a transaction of the scenario failed on chain.
	ErrReverted = errors.New("sandwich: transaction reverted")
	// ErrSetup: deploying or funding the market failed.
	ErrSetup = errors.New("sandwich: market setup failed")
)

// Gas limits of the scenario's transactions: fixed, so that transactions
// that depend on others not executed yet need no estimate.
const (
	gasDeployToken = 1_500_000
	gasDeployPool  = 2_500_000
	gasMint        = 100_000
	gasApprove     = 60_000
	gasAddLiq      = 300_000
	// GasSwap is the gas limit of every swap (a swap uses about 80,000).
	GasSwap = 200_000
)

// deadlineAhead is how far past the latest block a swap's deadline is.
const deadlineAhead = 10 * time.Minute

// backend is what the scenario uses of an L2 node: go-ethereum's
// ethclient (or its simulated backend's client) speaking standard
// JSON-RPC.
type backend interface {
	bind.ContractBackend
	ChainID(ctx context.Context) (*big.Int, error)
	TransactionReceipt(ctx context.Context, hash common.Hash) (*types.Receipt, error)
}

// env sends the scenario's transactions to one chain and waits for them.
type env struct {
	b      backend
	signer types.Signer
	// seal makes the sent transactions execute: the conventional
	// sequencer seals a block, the simulated backend commits one. Nil for
	// Veil, whose sequencer cuts a batch every interval by itself.
	seal func(ctx context.Context) error
	// poll, when set, runs before each further look for a receipt that
	// was not there: the simulated backend's pool may promote a
	// transaction only after a block was committed, so it commits again.
	poll func()

	mu     sync.Mutex
	nonces map[common.Address]uint64
}

func newEnv(ctx context.Context, b backend, seal func(ctx context.Context) error) (*env, error) {
	id, err := b.ChainID(ctx)
	if err != nil {
		return nil, fmt.Errorf("sandwich: chain id: %w", err)
	}
	return &env{b: b, signer: types.LatestSignerForChainID(id), seal: seal, nonces: map[common.Address]uint64{}}, nil
}

// nextNonce counts an account's transactions locally after reading its
// pending nonce once, so that several can be sent before any executes.
func (e *env) nextNonce(ctx context.Context, a common.Address) (uint64, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	n, ok := e.nonces[a]
	if !ok {
		var err error
		if n, err = e.b.PendingNonceAt(ctx, a); err != nil {
			return 0, fmt.Errorf("sandwich: nonce of %s: %w", a, err)
		}
	}
	e.nonces[a] = n + 1
	return n, nil
}

// send signs a dynamic-fee transaction from key with the given tip (fee
// cap: twice the latest base fee plus the tip) and submits it. A nil to
// creates a contract.
func (e *env) send(ctx context.Context, key *ecdsa.PrivateKey, to *common.Address, data []byte, gas uint64, tip *big.Int) (*types.Transaction, error) {
	head, err := e.b.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sandwich: latest header: %w", err)
	}
	nonce, err := e.nextNonce(ctx, crypto.PubkeyToAddress(key.PublicKey))
	if err != nil {
		return nil, err
	}
	feeCap := new(big.Int).Add(new(big.Int).Mul(head.BaseFee, big.NewInt(2)), tip)
	tx, err := types.SignNewTx(key, e.signer, &types.DynamicFeeTx{ChainID: e.signer.ChainID(), Nonce: nonce,
		GasTipCap: tip, GasFeeCap: feeCap, Gas: gas, To: to, Data: data})
	if err != nil {
		return nil, err
	}
	if err := e.b.SendTransaction(ctx, tx); err != nil {
		return nil, fmt.Errorf("sandwich: sending: %w", err)
	}
	return tx, nil
}

// wait seals (where the chain needs it) and returns the receipts of txs,
// polling until each exists; a failed one is ErrReverted.
func (e *env) wait(ctx context.Context, txs ...*types.Transaction) ([]*types.Receipt, error) {
	if e.seal != nil {
		if err := e.seal(ctx); err != nil {
			return nil, err
		}
	}
	out := make([]*types.Receipt, len(txs))
	for i, tx := range txs {
		r, err := waitReceipt(ctx, e.b, tx.Hash(), e.poll)
		if err != nil {
			return nil, err
		}
		if r.Status != types.ReceiptStatusSuccessful {
			return out, fmt.Errorf("%w: %s in block %v", ErrReverted, tx.Hash(), r.BlockNumber)
		}
		out[i] = r
	}
	return out, nil
}

// txIndexing is go-ethereum's answer to a lookup by transaction hash
// before its indexer has caught up with the head (a fresh node).
const txIndexing = "transaction indexing is in progress"

// waitReceipt polls for a receipt until it exists or ctx ends, calling
// poll (when set) before each further look.
func waitReceipt(ctx context.Context, b backend, hash common.Hash, poll func()) (*types.Receipt, error) {
	delay := 20 * time.Millisecond
	for {
		r, err := b.TransactionReceipt(ctx, hash)
		if err == nil {
			return r, nil
		}
		// Not there yet, or go-ethereum's indexer has not reached it.
		if !errors.Is(err, ethereum.NotFound) && err.Error() != txIndexing {
			return nil, fmt.Errorf("sandwich: receipt of %s: %w", hash, err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("sandwich: waiting for %s: %w", hash, ctx.Err())
		case <-time.After(delay):
		}
		if poll != nil {
			poll()
		}
		delay = min(2*delay, 250*time.Millisecond)
	}
}

// call runs an eth_call at the latest block.
func (e *env) call(ctx context.Context, to common.Address, data []byte) ([]byte, error) {
	return e.b.CallContract(ctx, ethereum.CallMsg{To: &to, Data: data}, nil)
}

// deadline is a swap deadline deadlineAhead past the latest block.
func (e *env) deadline(ctx context.Context) (*big.Int, error) {
	h, err := e.b.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sandwich: latest header: %w", err)
	}
	return new(big.Int).SetUint64(h.Time + uint64(deadlineAhead/time.Second)), nil
}

// The bindings (they only pack and unpack).
var (
	tokenABI = contracts.NewDemoToken()
	poolABI  = contracts.NewConstantProductPool()
)

// Market is a ConstantProductPool and its two DemoTokens on one chain. A
// is the token the victim sells, B the one it buys.
type Market struct {
	TokenA, TokenB, Pool common.Address
}

// The tokens' names and symbols.
const (
	SymbolA = "TKA"
	SymbolB = "TKB"
)

// Roles are the scenario's accounts.
type Roles struct {
	// Deployer deploys the tokens and the pool, mints, and provides the
	// liquidity.
	Deployer *ecdsa.PrivateKey
	// Victim swaps A for B.
	Victim *ecdsa.PrivateKey
	// Searcher tries to sandwich the victim.
	Searcher *ecdsa.PrivateKey
	// Payer pays for the victim's envelope on Veil (a fee account, never
	// the sender of the inner transaction).
	Payer *ecdsa.PrivateKey
}

// deployMarket deploys the two tokens and the pool from the deployer (the
// first three transactions of a fresh account, so the addresses are the
// same on every fresh chain), adds liquidity of p.Liquidity of each token
// (a price of 1), gives the victim p.VictimIn of A and the searcher
// p.SearcherBudget of A, and has both approve the pool.
func deployMarket(ctx context.Context, e *env, roles Roles, p Params, tip *big.Int) (*Market, error) {
	deployer := crypto.PubkeyToAddress(roles.Deployer.PublicKey)
	step := func(what string, txs []*types.Transaction, err error) error {
		if err == nil {
			_, err = e.wait(ctx, txs...)
		}
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrSetup, what, err)
		}
		return nil
	}
	// 1. The contracts.
	m := &Market{}
	var txs []*types.Transaction
	deploy := func(addr *common.Address, meta *bind.MetaData, input []byte, gas uint64) error {
		tx, err := e.send(ctx, roles.Deployer, nil, append(common.FromHex(meta.Bin), input...), gas, tip)
		if err != nil {
			return err
		}
		txs = append(txs, tx)
		*addr = crypto.CreateAddress(deployer, tx.Nonce())
		return nil
	}
	err := deploy(&m.TokenA, &contracts.DemoTokenMetaData, tokenABI.PackConstructor("Demo Token A", SymbolA), gasDeployToken)
	if err == nil {
		err = deploy(&m.TokenB, &contracts.DemoTokenMetaData, tokenABI.PackConstructor("Demo Token B", SymbolB), gasDeployToken)
	}
	if err == nil {
		err = deploy(&m.Pool, &contracts.ConstantProductPoolMetaData, poolABI.PackConstructor(m.TokenA, m.TokenB), gasDeployPool)
	}
	if err := step("deploying the tokens and the pool", txs, err); err != nil {
		return nil, err
	}

	// 2. Tokens, approvals and liquidity.
	deadline, err := e.deadline(ctx)
	if err != nil {
		return nil, err
	}
	maxUint := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))
	victim, searcher := crypto.PubkeyToAddress(roles.Victim.PublicKey), crypto.PubkeyToAddress(roles.Searcher.PublicKey)
	a0, a1 := p.Liquidity, p.Liquidity // a price of 1: the order of token0 and token1 does not matter
	calls := []struct {
		key  *ecdsa.PrivateKey
		to   common.Address
		data []byte
		gas  uint64
	}{
		{roles.Deployer, m.TokenA, tokenABI.PackMint(deployer, p.Liquidity), gasMint},
		{roles.Deployer, m.TokenB, tokenABI.PackMint(deployer, p.Liquidity), gasMint},
		{roles.Deployer, m.TokenA, tokenABI.PackMint(victim, p.VictimIn), gasMint},
		{roles.Deployer, m.TokenA, tokenABI.PackMint(searcher, p.SearcherBudget), gasMint},
		{roles.Deployer, m.TokenA, tokenABI.PackApprove(m.Pool, maxUint), gasApprove},
		{roles.Deployer, m.TokenB, tokenABI.PackApprove(m.Pool, maxUint), gasApprove},
		{roles.Deployer, m.Pool, poolABI.PackAddLiquidity(a0, a1, a0, a1, deployer, deadline), gasAddLiq},
		{roles.Victim, m.TokenA, tokenABI.PackApprove(m.Pool, maxUint), gasApprove},
		{roles.Searcher, m.TokenA, tokenABI.PackApprove(m.Pool, maxUint), gasApprove},
		{roles.Searcher, m.TokenB, tokenABI.PackApprove(m.Pool, maxUint), gasApprove},
	}
	txs = txs[:0]
	for _, c := range calls {
		tx, err := e.send(ctx, c.key, &c.to, c.data, c.gas, tip)
		if err != nil {
			return nil, step("funding and liquidity", nil, err)
		}
		txs = append(txs, tx)
	}
	if err := step("funding and liquidity", txs, nil); err != nil {
		return nil, err
	}
	return m, nil
}

// path is the swap path from the token paying in to the one paid out.
func (m *Market) path(aForB bool) []common.Address {
	if aForB {
		return []common.Address{m.TokenA, m.TokenB}
	}
	return []common.Address{m.TokenB, m.TokenA}
}

// balance reads an account's balance of a token.
func (e *env) balance(ctx context.Context, token, who common.Address) (*big.Int, error) {
	out, err := e.call(ctx, token, tokenABI.PackBalanceOf(who))
	if err != nil {
		return nil, fmt.Errorf("sandwich: balance: %w", err)
	}
	return tokenABI.UnpackBalanceOf(out)
}

// balances reads an account's balances of A and B.
func (e *env) balances(ctx context.Context, m *Market, who common.Address) (a, b *big.Int, err error) {
	if a, err = e.balance(ctx, m.TokenA, who); err != nil {
		return nil, nil, err
	}
	b, err = e.balance(ctx, m.TokenB, who)
	return a, b, err
}

// reserves reads the pool's reserves in the victim's direction (A in, B
// out).
func (e *env) reserves(ctx context.Context, m *Market) (Reserves, error) {
	out, err := e.call(ctx, m.Pool, poolABI.PackGetReserves())
	if err != nil {
		return Reserves{}, fmt.Errorf("sandwich: reserves: %w", err)
	}
	r, err := poolABI.UnpackGetReserves(out)
	if err != nil {
		return Reserves{}, err
	}
	if m.TokenA.Cmp(m.TokenB) < 0 { // A is token0
		return Reserves{In: r.Reserve0, Out: r.Reserve1}, nil
	}
	return Reserves{In: r.Reserve1, Out: r.Reserve0}, nil
}

// quote asks the pool what a swap would pay now (getAmountsOut).
func (e *env) quote(ctx context.Context, m *Market, amountIn *big.Int, aForB bool) (*big.Int, error) {
	out, err := e.call(ctx, m.Pool, poolABI.PackGetAmountsOut(amountIn, m.path(aForB)))
	if err != nil {
		return nil, fmt.Errorf("sandwich: quote: %w", err)
	}
	amounts, err := poolABI.UnpackGetAmountsOut(out)
	if err != nil {
		return nil, err
	}
	if len(amounts) != 2 {
		return nil, fmt.Errorf("sandwich: quote: %d amounts", len(amounts))
	}
	return amounts[1], nil
}

// swapData is the calldata of swapExactTokensForTokens.
func (m *Market) swapData(amountIn, minOut *big.Int, aForB bool, to common.Address, deadline *big.Int) []byte {
	return poolABI.PackSwapExactTokensForTokens(amountIn, minOut, m.path(aForB), to, deadline)
}

// swapCall is a decoded swapExactTokensForTokens call.
type swapCall struct {
	AmountIn, AmountOutMin *big.Int
	Path                   []common.Address
	To                     common.Address
	Deadline               *big.Int
}

// decodeSwap decodes a transaction's calldata as a swap on the pool; ok is
// false for anything else.
func decodeSwap(m *Market, tx *types.Transaction) (swapCall, bool) {
	method := poolABI.GetABI().Methods["swapExactTokensForTokens"]
	data := tx.Data()
	if tx.To() == nil || *tx.To() != m.Pool || len(data) < 4 || string(data[:4]) != string(method.ID) {
		return swapCall{}, false
	}
	var c swapCall
	vals, err := method.Inputs.Unpack(data[4:])
	if err != nil || method.Inputs.Copy(&c, vals) != nil {
		return swapCall{}, false
	}
	return c, true
}

// gasCost is what receipts paid for gas, in wei.
func gasCost(rs ...*types.Receipt) (*big.Int, uint64) {
	cost, used := new(big.Int), uint64(0)
	for _, r := range rs {
		if r == nil {
			continue
		}
		cost.Add(cost, new(big.Int).Mul(new(big.Int).SetUint64(r.GasUsed), r.EffectiveGasPrice))
		used += r.GasUsed
	}
	return cost, used
}

// gwei is n gwei in wei.
func gwei(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(params.GWei)) }
