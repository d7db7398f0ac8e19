package client

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rpc"
)

// Payer is a fee account that pays for envelopes, with its nonce tracked
// locally. It is safe for concurrent use; its envelopes are numbered in the
// order the Encrypt and Send calls using it began. Use one Payer per chain.
type Payer struct {
	key  *ecdsa.PrivateKey
	addr common.Address
	q    turns

	// Guarded by holding a turn.
	synced bool
	nonce  uint64
}

// NewPayer returns a payer signing with key. Its nonce is read from the
// sequencer (eth_getTransactionCount pending) at first use.
func NewPayer(key *ecdsa.PrivateKey) *Payer {
	return &Payer{key: key, addr: crypto.PubkeyToAddress(key.PublicKey), q: turns{abandoned: map[uint64]bool{}}}
}

// Address is the payer's account.
func (p *Payer) Address() common.Address { return p.addr }

// sync reads the payer's pending nonce; the caller holds a turn.
func (p *Payer) sync(ctx context.Context, c *Client) error {
	n, err := c.pendingNonce(ctx, p.addr)
	if err != nil {
		return err
	}
	p.nonce, p.synced = n, true
	return nil
}

// turns is a ticket lock: turns are served in the order tickets were
// taken, and a ticket whose holder gave up is skipped.
type turns struct {
	mu        sync.Mutex
	next      uint64
	serving   uint64
	abandoned map[uint64]bool
	wake      chan struct{} // closed when serving advances
}

func (q *turns) take() uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	t := q.next
	q.next++
	return t
}

// wait blocks until ticket t is served or ctx ends.
func (q *turns) wait(ctx context.Context, t uint64) error {
	for {
		q.mu.Lock()
		if q.serving == t {
			q.mu.Unlock()
			return nil
		}
		if q.wake == nil {
			q.wake = make(chan struct{})
		}
		wake := q.wake
		q.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// release ends ticket t: served or not, it never holds up later tickets.
func (q *turns) release(t uint64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.serving != t {
		q.abandoned[t] = true
		return
	}
	q.serving++
	for q.abandoned[q.serving] {
		delete(q.abandoned, q.serving)
		q.serving++
	}
	if q.wake != nil {
		close(q.wake)
		q.wake = nil
	}
}

// FeeMaxAge is how long Fees reuses the base fee it read: one L2 block.
// A fee cap of twice the base fee stays above it for six full blocks (the
// base fee rises at most 12.5% a block), and a sender of many transactions
// a second then reads the latest header once a second, not once per
// transaction.
const FeeMaxAge = time.Second

// Fees returns the priority fee and the fee cap the client uses for
// envelopes and for SignInner: tip from eth_maxPriorityFeePerGas (or
// WithTip, or DefaultTip where the node does not serve it), and fee cap =
// 2 × the latest block's base fee + tip, the base fee read at most
// FeeMaxAge ago.
func (c *Client) Fees(ctx context.Context) (tip, feeCap *big.Int, err error) {
	baseFee, err := c.baseFee(ctx)
	if err != nil {
		return nil, nil, err
	}
	if tip, err = c.tip(ctx); err != nil {
		return nil, nil, err
	}
	feeCap = new(big.Int).Lsh(baseFee, 1)
	return tip, feeCap.Add(feeCap, tip), nil
}

// FeeCache holds the base fee Fees read last. Each client has its own
// unless WithFeeCache gives clients of one sequencer a shared one: many
// clients in one process (a load generator, a service sending for many
// users) then read the latest header once per FeeMaxAge between them.
type FeeCache struct {
	fetch sync.Mutex // one read of the header at a time
	mu    sync.Mutex
	fee   *big.Int
	at    time.Time
}

// NewFeeCache returns an empty cache.
func NewFeeCache() *FeeCache { return &FeeCache{} }

func (f *FeeCache) fresh() *big.Int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fee != nil && time.Since(f.at) < FeeMaxAge {
		return new(big.Int).Set(f.fee)
	}
	return nil
}

// baseFee returns the latest block's base fee, read again when the one
// cached is older than FeeMaxAge (by one caller; the others wait for it).
func (c *Client) baseFee(ctx context.Context) (*big.Int, error) {
	f := c.fees
	if fee := f.fresh(); fee != nil {
		return fee, nil
	}
	f.fetch.Lock()
	defer f.fetch.Unlock()
	if fee := f.fresh(); fee != nil {
		return fee, nil
	}
	head, err := c.eth.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: latest header: %w", ErrFees, err)
	}
	if head.BaseFee == nil {
		return nil, fmt.Errorf("%w: the latest block has no base fee", ErrFees)
	}
	f.mu.Lock()
	f.fee, f.at = new(big.Int).Set(head.BaseFee), time.Now()
	f.mu.Unlock()
	return head.BaseFee, nil
}

func (c *Client) tip(ctx context.Context) (*big.Int, error) {
	if c.fixedTip != nil {
		return new(big.Int).Set(c.fixedTip), nil
	}
	c.mu.Lock()
	unsupported := c.noTipRPC
	c.mu.Unlock()
	if unsupported {
		return new(big.Int).Set(DefaultTip), nil
	}
	var tip hexutil.Big
	err := c.rpc.CallContext(ctx, &tip, "eth_maxPriorityFeePerGas")
	if err == nil {
		return (*big.Int)(&tip), nil
	}
	// The node answered but does not serve it (not only -32601: some
	// servers use other codes); only "method not found" is remembered.
	var rerr rpc.Error
	if errors.As(err, &rerr) {
		if rerr.ErrorCode() == -32601 {
			c.mu.Lock()
			c.noTipRPC = true
			c.mu.Unlock()
		}
		return new(big.Int).Set(DefaultTip), nil
	}
	return nil, fmt.Errorf("%w: eth_maxPriorityFeePerGas: %w", ErrFees, err)
}

// pendingNonce is eth_getTransactionCount(addr, "pending").
func (c *Client) pendingNonce(ctx context.Context, addr common.Address) (uint64, error) {
	n, err := c.eth.PendingNonceAt(ctx, addr)
	if err != nil {
		return 0, fmt.Errorf("%w: %s: %w", ErrNonce, addr, err)
	}
	return n, nil
}
