package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/veil-l2/veil/encmempool"
)

// Polling: from minPoll, growing by half each time, up to maxPoll.
const (
	minPoll = 50 * time.Millisecond
	maxPoll = 500 * time.Millisecond
)

// unknownTx is how the sequencer answers veil_getOrderReceipt for a
// transaction it has not admitted (ordering.ErrUnknownTx).
const unknownTx = "ordering: unknown transaction"

// VerifyReceipt checks an order receipt for the envelope hash on chainID:
// signed by sequencer (ErrReceiptSignature) and naming that chain and hash
// (ErrReceiptMismatch).
func VerifyReceipt(r *encmempool.Receipt, sequencer common.Address, chainID uint64, hash common.Hash) error {
	if err := r.Verify(sequencer); err != nil {
		return fmt.Errorf("%w: %w", ErrReceiptSignature, err)
	}
	if r.ChainID != chainID {
		return fmt.Errorf("%w: chain %d, expected %d", ErrReceiptMismatch, r.ChainID, chainID)
	}
	if r.Hash != hash {
		return fmt.Errorf("%w: receipt names %s, expected %s", ErrReceiptMismatch, r.Hash, hash)
	}
	return nil
}

// WaitOrdered returns the envelope's order receipt (veil_getOrderReceipt),
// verified with VerifyReceipt against the sequencer of the current eon.
// After Send returned without error the receipt already exists; otherwise
// it is polled until ctx ends.
func (c *Client) WaitOrdered(ctx context.Context, p *Pending) (*encmempool.Receipt, error) {
	eon, err := c.Eon(ctx)
	if err != nil {
		return nil, err
	}
	var last error
	for wait := minPoll; ; wait = min(wait*3/2, maxPoll) {
		var raw json.RawMessage
		err := c.rpc.CallContext(ctx, &raw, "veil_getOrderReceipt", p.EnvelopeHash)
		var rerr rpc.Error
		switch {
		case err == nil:
			var r encmempool.Receipt
			if err := json.Unmarshal(raw, &r); err != nil {
				return nil, fmt.Errorf("%w: %w", ErrNoReceipt, err)
			}
			if err := VerifyReceipt(&r, eon.Sequencer, eon.ChainID, p.EnvelopeHash); err != nil {
				return nil, err
			}
			return &r, nil
		case errors.As(err, &rerr) && !strings.HasPrefix(rerr.Error(), unknownTx):
			return nil, fmt.Errorf("%w: %w", ErrNoReceipt, err)
		}
		last = err
		if !sleep(ctx, wait) {
			return nil, fmt.Errorf("%w: %w (last answer: %v)", ErrNoReceipt, ctx.Err(), last)
		}
	}
}

// WaitExecuted returns the inner transaction's execution receipt, polling
// eth_getTransactionReceipt until ctx ends (ErrNotExecuted). The inner
// transaction executes in the block of its envelope or not at all: when
// the envelope's block holds no inner transaction it was dropped
// (ErrDropped). A reverted transaction returns its receipt with
// ErrReverted.
func (c *Client) WaitExecuted(ctx context.Context, p *Pending) (*types.Receipt, error) {
	var last error
	for wait := minPoll; ; wait = min(wait*3/2, maxPoll) {
		// The envelope first: a block is written with all its receipts at
		// once, so once the envelope's is visible the inner's is too.
		var env, inner *types.Receipt
		batch := []rpc.BatchElem{
			{Method: "eth_getTransactionReceipt", Args: []any{p.EnvelopeHash}, Result: &env},
			{Method: "eth_getTransactionReceipt", Args: []any{p.InnerHash}, Result: &inner},
		}
		err := c.rpc.BatchCallContext(ctx, batch)
		if err == nil {
			err = errors.Join(batch[0].Error, batch[1].Error)
		}
		if err == nil && inner == nil && env != nil {
			// The server may answer a batch in any order: ask once more.
			err = c.rpc.CallContext(ctx, &inner, "eth_getTransactionReceipt", p.InnerHash)
			if err == nil && inner == nil {
				c.forgetInnerNonces(p.Sender)
				return nil, fmt.Errorf("%w: not in block %d of its envelope", ErrDropped, env.BlockNumber)
			}
		}
		if err == nil && inner != nil {
			if inner.Status != types.ReceiptStatusSuccessful {
				return inner, fmt.Errorf("%w: block %d", ErrReverted, inner.BlockNumber)
			}
			return inner, nil
		}
		if err != nil {
			last = err
		}
		if !sleep(ctx, wait) {
			return nil, fmt.Errorf("%w: %w (last error: %v)", ErrNotExecuted, ctx.Err(), last)
		}
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
