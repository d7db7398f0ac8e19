package sandwich

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/big"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/consensus/misc/eip1559"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/veil-l2/veil/execution"
)

// Errors of the conventional sequencer.
var (
	ErrDecode = errors.New("sandwich: transaction does not decode")
	ErrSender = errors.New("sandwich: transaction not validly signed for this chain")
	ErrFeeCap = errors.New("sandwich: fee cap below the next block's base fee")
	ErrClosed = errors.New("sandwich: sequencer closed")
)

// Conventional is an L2 sequencer as most run today, built from the same
// execution package as Veil's: transactions arrive in plaintext, wait in a
// mempool that anyone following the node can read (Watch, like
// eth_subscribe("newPendingTransactions", true)), and each block orders
// them by priority fee, highest tip first, each sender's in nonce order,
// ties by arrival (go-ethereum's miner does the same). Nothing is
// committed before the block is built, so whoever sees a transaction can
// outbid it or trail it.
//
// It is the execution node's Submitter, so eth_sendRawTransaction on its
// JSON-RPC lands here. Seal builds the next block from everything pending;
// the demo calls it at the end of each block interval (after the searcher
// has reacted, as a real searcher has the whole interval to).
type Conventional struct {
	node   *execution.Node
	dir    string
	chain  *execution.ChainConfig
	signer types.Signer

	mu       sync.Mutex
	pending  []pendingTx
	arrivals uint64
	watchers []chan *types.Transaction
	closed   bool
}

type pendingTx struct {
	tx      *types.Transaction
	sender  common.Address
	arrival uint64
}

var (
	_ execution.Submitter     = (*Conventional)(nil)
	_ execution.PendingNoncer = (*Conventional)(nil)
)

// OpenConventional starts a conventional L2 on chain's genesis: an
// execution node in a temporary directory (removed by Close) with its
// JSON-RPC on 127.0.0.1.
func OpenConventional(chain *execution.ChainConfig) (*Conventional, error) {
	dir, err := os.MkdirTemp("", "veil-conventional-")
	if err != nil {
		return nil, err
	}
	c := &Conventional{dir: dir, chain: chain, signer: types.LatestSignerForChainID(new(big.Int).SetUint64(chain.ChainID))}
	c.node, err = execution.Open(execution.Config{DataDir: dir, Chain: chain, HTTPHost: "127.0.0.1", Submitter: c})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return c, nil
}

// Close stops the node and removes its directory.
func (c *Conventional) Close() error {
	c.mu.Lock()
	c.closed = true
	for _, w := range c.watchers {
		close(w)
	}
	c.watchers = nil
	c.mu.Unlock()
	err := c.node.Close()
	return errors.Join(err, os.RemoveAll(c.dir))
}

// Endpoint is the JSON-RPC URL.
func (c *Conventional) Endpoint() string { return c.node.HTTPEndpoint() }

// Watch returns every transaction admitted from now on, in arrival order,
// as a mempool subscription shows them to anyone. The channel closes with
// the sequencer or when stop is called. A watcher that falls 64
// transactions behind misses the newer ones.
func (c *Conventional) Watch() (txs <-chan *types.Transaction, stop func()) {
	ch := make(chan *types.Transaction, 64)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		close(ch)
		return ch, func() {}
	}
	c.watchers = append(c.watchers, ch)
	return ch, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if i := slices.Index(c.watchers, ch); i >= 0 {
			c.watchers = slices.Delete(c.watchers, i, i+1)
			close(ch)
		}
	}
}

// SubmitRawTransaction admits a plaintext transaction to the mempool: it
// must decode, be signed for this chain, and cover the next block's base
// fee. Its nonce and balance are checked when the block executes it (an
// invalid one is dropped there).
func (c *Conventional) SubmitRawTransaction(_ context.Context, raw []byte) (common.Hash, error) {
	tx := new(types.Transaction)
	if err := tx.UnmarshalBinary(raw); err != nil {
		return common.Hash{}, fmt.Errorf("%w: %v", ErrDecode, err)
	}
	sender, err := types.Sender(c.signer, tx)
	if err != nil {
		return common.Hash{}, fmt.Errorf("%w: %v", ErrSender, err)
	}
	if base := c.nextBaseFee(); tx.GasFeeCap().Cmp(base) < 0 {
		return common.Hash{}, fmt.Errorf("%w: %v < %v", ErrFeeCap, tx.GasFeeCap(), base)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return common.Hash{}, ErrClosed
	}
	c.pending = append(c.pending, pendingTx{tx: tx, sender: sender, arrival: c.arrivals})
	c.arrivals++
	for _, w := range c.watchers {
		select {
		case w <- tx:
		default: // a slow watcher misses it, as on a real node
		}
	}
	return tx.Hash(), nil
}

// PendingNonce is the state nonce plus the sender's pending transactions.
func (c *Conventional) PendingNonce(addr common.Address) (uint64, bool) {
	st, err := c.node.BlockChain().State()
	if err != nil {
		return 0, false
	}
	nonce := st.GetNonce(addr)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.pending {
		if p.sender == addr && p.tx.Nonce() >= nonce {
			nonce = p.tx.Nonce() + 1
		}
	}
	return nonce, true
}

func (c *Conventional) nextBaseFee() *big.Int {
	return eip1559.CalcBaseFee(c.node.BlockChain().Config(), c.node.Head())
}

// Seal builds the next block from every pending transaction in priority
// fee order and writes it as the head.
func (c *Conventional) Seal(ctx context.Context) (*execution.Built, error) {
	c.mu.Lock()
	pending := c.pending
	c.pending = nil
	c.mu.Unlock()
	head := c.node.Head()
	ordered := byPriorityFee(pending, eip1559.CalcBaseFee(c.node.BlockChain().Config(), head))
	items := make([]execution.Item, len(ordered))
	hashes := make([][]byte, len(ordered))
	for i, tx := range ordered {
		items[i] = execution.Item{Tx: tx, Status: execution.NotEnvelope}
		hashes[i] = tx.Hash().Bytes()
	}
	ts := max(head.Time+1, uint64(time.Now().Unix()))
	in := &execution.BlockInput{
		Number: head.Number.Uint64() + 1,
		// There is no batch: the header's batch hash names the block's
		// transaction list instead.
		BatchHash: crypto.Keccak256Hash(hashes...), Timestamp: ts, L1OriginNumber: head.Number.Uint64() + 1,
		GasLimit: head.GasLimit, FeeRecipient: c.chain.Sequencer, Items: items,
	}
	return c.node.Apply(ctx, in)
}

// byPriorityFee orders transactions as go-ethereum's miner does: each
// sender's in nonce order, and among the senders' next transactions the
// highest effective tip (at baseFee) first, ties by arrival.
func byPriorityFee(pending []pendingTx, baseFee *big.Int) []*types.Transaction {
	bySender := map[common.Address][]pendingTx{}
	for _, p := range pending {
		bySender[p.sender] = append(bySender[p.sender], p)
	}
	heads := make([][]pendingTx, 0, len(bySender))
	for _, txs := range bySender {
		slices.SortStableFunc(txs, func(a, b pendingTx) int { return cmp.Compare(a.tx.Nonce(), b.tx.Nonce()) })
		heads = append(heads, txs)
	}
	tip := func(p pendingTx) *big.Int {
		t, err := p.tx.EffectiveGasTip(baseFee)
		if err != nil { // fee cap below the base fee: last, and dropped at its slot
			return big.NewInt(-1)
		}
		return t
	}
	out := make([]*types.Transaction, 0, len(pending))
	for len(heads) > 0 {
		best := 0
		for i := 1; i < len(heads); i++ {
			a, b := heads[i][0], heads[best][0]
			if c := tip(a).Cmp(tip(b)); c > 0 || (c == 0 && a.arrival < b.arrival) {
				best = i
			}
		}
		out = append(out, heads[best][0].tx)
		if heads[best] = heads[best][1:]; len(heads[best]) == 0 {
			heads = slices.Delete(heads, best, best+1)
		}
	}
	return out
}
