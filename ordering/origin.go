package ordering

import (
	"context"
	"math"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/veil-l2/veil/ordering/batch"
)

// Origin is a confirmed L1 block a batch names as its L1 origin.
type Origin struct {
	Number uint64
	Hash   common.Hash
}

// L1Origin is the narrow view of L1 the sequencer needs: the confirmed L1
// block the next batch builds on, and what the L1 blocks up to it bring
// (deposits and forced envelopes). The l1 package implements it against a
// real or simulated L1; StaticOrigin is the local implementation for a
// chain without one.
type L1Origin interface {
	// Next returns the origin for the next batch, at or above after, and
	// the deposits and the forced envelopes of the L1 blocks in
	// (after, origin.Number], each in L1 order. The batch naming the
	// origin carries all of them (the forced ones as IncludeForced says).
	Next(ctx context.Context, after uint64) (Origin, []batch.Deposit, []ForcedEnvelope, error)
}

// L1OriginUpTo is an L1Origin that can stop at a block: the sequencer
// holds its origins below the activation of an eon it cannot switch to
// yet. With an L1Origin that lacks it, the sequencer stays at the last
// origin (bringing nothing new) whenever the next one would pass the cap.
type L1OriginUpTo interface {
	// NextUpTo is Next with the origin at most upTo (never below after).
	NextUpTo(ctx context.Context, after, upTo uint64) (Origin, []batch.Deposit, []ForcedEnvelope, error)
}

// StaticOrigin names one fixed L1 block and brings no deposits and no
// forced envelopes: a chain whose keypers are configured to confirm that
// block.
type StaticOrigin Origin

// Next returns the fixed block.
func (s StaticOrigin) Next(context.Context, uint64) (Origin, []batch.Deposit, []ForcedEnvelope, error) {
	return Origin(s), nil, nil, nil
}

// L1Headers is what ConfirmedOrigin reads: block headers by number (nil
// for the latest). go-ethereum's ethclient and its simulated backend's
// client satisfy it.
type L1Headers interface {
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
}

// ConfirmedOrigin names the L1 block Confirmations below the head, never
// going back; it brings no deposits and no forced envelopes (those are
// the l1 package's, which reads L1Inbox).
type ConfirmedOrigin struct {
	L1            L1Headers
	Confirmations uint64
}

// Next returns the confirmed block, or the one at after when the head has
// not moved past it.
func (o ConfirmedOrigin) Next(ctx context.Context, after uint64) (Origin, []batch.Deposit, []ForcedEnvelope, error) {
	return o.NextUpTo(ctx, after, math.MaxUint64)
}

// NextUpTo is Next with the origin at most upTo (never below after).
func (o ConfirmedOrigin) NextUpTo(ctx context.Context, after, upTo uint64) (Origin, []batch.Deposit, []ForcedEnvelope, error) {
	head, err := o.L1.HeaderByNumber(ctx, nil)
	if err != nil {
		return Origin{}, nil, nil, err
	}
	num := after
	if h := head.Number.Uint64(); h >= o.Confirmations {
		num = max(after, min(h-o.Confirmations, upTo))
	}
	hdr, err := o.L1.HeaderByNumber(ctx, new(big.Int).SetUint64(num))
	if err != nil {
		return Origin{}, nil, nil, err
	}
	return Origin{Number: num, Hash: hdr.Hash()}, nil, nil, nil
}
