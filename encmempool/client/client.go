package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"
)

// Errors of the client. Each wraps the underlying cause with %w where there
// is one; check them with errors.Is.
var (
	ErrDial = errors.New("client: cannot reach the sequencer")
	// ErrEonInfo: veil_eon failed or answered something unusable.
	ErrEonInfo = errors.New("client: eon info unavailable")
	// ErrEonKeySource: the L1 check of the eon key could not be made.
	ErrEonKeySource = errors.New("client: eon key source failed")
	// ErrEonKeyMismatch: the sequencer's eon key is not the one on L1.
	ErrEonKeyMismatch = errors.New("client: sequencer's eon key differs from L1's")
	// ErrSequencerMismatch: veil_eon names another sequencer than the one
	// configured with WithSequencer.
	ErrSequencerMismatch = errors.New("client: sequencer address differs from the configured one")
	ErrNoPayer           = errors.New("client: no payer configured")
	// ErrFees: the base fee or the tip could not be read.
	ErrFees = errors.New("client: fee data unavailable")
	// ErrNonce: a pending nonce could not be read.
	ErrNonce = errors.New("client: nonce unavailable")
	// ErrGasEstimate: eth_estimateGas failed and no fallback gas was given.
	ErrGasEstimate = errors.New("client: gas estimation failed")
	// ErrRejected: the sequencer refused the envelope; the payer's nonce was
	// not used. The sequencer's own error is wrapped as well when it is one
	// of encmempool's (errors.Is(err, encmempool.ErrInsufficientFunds)).
	ErrRejected = errors.New("client: envelope rejected by the sequencer")
	// ErrSendUnknown: the submission failed in transport, so the envelope
	// may or may not have been admitted. Send returns the Pending with it:
	// WaitOrdered tells which. The payer resynchronizes its nonce.
	ErrSendUnknown = errors.New("client: submission outcome unknown")
	// ErrNoReceipt: no order receipt before the context ended, or the
	// sequencer refused to give one.
	ErrNoReceipt = errors.New("client: no order receipt")
	// ErrReceiptSignature: the order receipt is not signed by the
	// sequencer (wraps encmempool.ErrReceiptSignature).
	ErrReceiptSignature = errors.New("client: order receipt not signed by the sequencer")
	// ErrReceiptMismatch: the order receipt is for another transaction or
	// another chain.
	ErrReceiptMismatch = errors.New("client: order receipt is for another transaction")
	// ErrNotExecuted: the inner transaction had no execution receipt before
	// the context ended.
	ErrNotExecuted = errors.New("client: inner transaction not executed yet")
	// ErrDropped: the envelope's block holds no inner transaction: it was
	// dropped (DESIGN.md section 6) and will never execute.
	ErrDropped = errors.New("client: inner transaction dropped")
	// ErrReverted: the inner transaction executed and reverted; the receipt
	// is returned with this error.
	ErrReverted = errors.New("client: inner transaction reverted")
)

// DefaultTip is the priority fee used when the node does not serve
// eth_maxPriorityFeePerGas.
var DefaultTip = big.NewInt(1_000_000_000) // 1 gwei

// EonKeySource gives the eon key registered on L1 (the l1 package
// implements it). EonKey returns the compressed G2 key of an eon.
type EonKeySource interface {
	EonKey(ctx context.Context, eon uint64) ([]byte, error)
}

// Option configures a Client.
type Option func(*Client)

// WithPayer sets the fee account that pays for envelopes.
func WithPayer(p *Payer) Option { return func(c *Client) { c.payer = p } }

// WithEonKeySource checks every eon key the sequencer announces against L1:
// a different key is ErrEonKeyMismatch and is never used.
func WithEonKeySource(s EonKeySource) Option { return func(c *Client) { c.source = s } }

// WithSequencer pins the sequencer address order receipts must be signed
// by (for example the one registered on L1); veil_eon naming another is
// ErrSequencerMismatch. Without it the address veil_eon names is trusted.
func WithSequencer(addr common.Address) Option {
	return func(c *Client) { a := addr; c.sequencer = &a }
}

// WithTip fixes the priority fee instead of asking the node.
func WithTip(tip *big.Int) Option {
	return func(c *Client) { c.fixedTip = new(big.Int).Set(tip) }
}

// WithFeeCache shares the base fee Fees reads with the other clients
// given the same cache (of the same sequencer).
func WithFeeCache(f *FeeCache) Option { return func(c *Client) { c.fees = f } }

// WithLogger logs resynchronizations and refreshes (never a plaintext or
// an inner transaction's hash). The default discards.
func WithLogger(l *slog.Logger) Option { return func(c *Client) { c.log = l } }

// Client talks to a Veil sequencer's JSON-RPC. It is safe for concurrent
// use.
type Client struct {
	rpc       *rpc.Client
	eth       *ethclient.Client
	payer     *Payer
	source    EonKeySource
	sequencer *common.Address
	fixedTip  *big.Int
	log       *slog.Logger

	eonMu sync.Mutex // serializes eon fetches
	mu    sync.Mutex // guards the fields below
	eon   *EonInfo
	// noTipRPC: the node does not serve eth_maxPriorityFeePerGas.
	noTipRPC bool
	// fees caches the base fee Fees read (WithFeeCache shares it).
	fees *FeeCache
	// inner is the next nonce of inner transactions SignInner signed, per
	// sender (the sequencer's pending nonce cannot count encrypted ones).
	inner map[common.Address]uint64
}

// Dial connects to a sequencer's JSON-RPC endpoint: http(s):// or ws(s)://.
func Dial(ctx context.Context, url string, opts ...Option) (*Client, error) {
	rc, err := rpc.DialContext(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDial, err)
	}
	return New(rc, opts...), nil
}

// New wraps an open RPC client (for example an in-process one).
func New(rc *rpc.Client, opts ...Option) *Client {
	c := &Client{rpc: rc, eth: ethclient.NewClient(rc), log: slog.New(slog.DiscardHandler), inner: map[common.Address]uint64{},
		fees: NewFeeCache()}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Close closes the connection.
func (c *Client) Close() { c.rpc.Close() }

// RPC returns the underlying JSON-RPC client.
func (c *Client) RPC() *rpc.Client { return c.rpc }

// Eth returns a go-ethereum client on the same connection, for reads.
func (c *Client) Eth() *ethclient.Client { return c.eth }

// Payer returns the configured payer (nil if none).
func (c *Client) Payer() *Payer { return c.payer }
