package ordering

import (
	"context"

	"github.com/ethereum/go-ethereum/common"
	"github.com/veil-l2/veil/ordering/batch"
)

// Origin is a confirmed L1 block a batch names as its L1 origin.
type Origin struct {
	Number uint64
	Hash   common.Hash
}

// L1Origin is the narrow view of L1 the sequencer needs: the confirmed L1
// block the next batch builds on, and the deposits it brings. The l1
// package implements it against a real or simulated L1; StaticOrigin is
// the local implementation for a chain without one.
type L1Origin interface {
	// Next returns the origin for the next batch, at or above after, and
	// the deposits of the L1 blocks in (after, origin.Number], in L1 order.
	Next(ctx context.Context, after uint64) (Origin, []batch.Deposit, error)
}

// StaticOrigin names one fixed L1 block and brings no deposits: a chain
// whose keypers are configured to confirm that block.
type StaticOrigin Origin

// Next returns the fixed block.
func (s StaticOrigin) Next(context.Context, uint64) (Origin, []batch.Deposit, error) {
	return Origin(s), nil, nil
}
