package keyper

import (
	"context"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// L1Headers is the narrow view of L1 a keyper needs for the L1-origin rule:
// block headers by number (nil for the latest). go-ethereum's ethclient
// and its simulated backend's client satisfy it, so any Ethereum JSON-RPC
// endpoint serves. Eon keys and committees on L1 are the l1 package's part.
type L1Headers interface {
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
}

// L1FollowConfig says which L1 blocks count as confirmed.
type L1FollowConfig struct {
	// Confirmations: a block is confirmed once this many blocks are on top
	// of it (0: the latest block counts).
	Confirmations uint64
	// Backfill: at start, the confirmed blocks this far below the newest
	// one are fed too, so a commitment naming a slightly older origin is
	// recognised (default 64).
	Backfill uint64
	// Interval between polls (default 1s).
	Interval time.Duration
}

// FollowL1 feeds the node every confirmed L1 block until ctx ends. A failed
// poll is logged and counted and tried again at the next interval; a
// confirmed block whose hash changes (a reorg deeper than Confirmations)
// is fed again with its new hash.
func (n *Node) FollowL1(ctx context.Context, src L1Headers, cfg L1FollowConfig) {
	if cfg.Backfill == 0 {
		cfg.Backfill = 64
	}
	if cfg.Interval <= 0 {
		cfg.Interval = time.Second
	}
	var next uint64 // first block not fed yet; 0 before the first poll
	started := false
	tick := time.NewTicker(cfg.Interval)
	defer tick.Stop()
	for {
		head, err := src.HeaderByNumber(ctx, nil)
		if err == nil && head.Number.Uint64() >= cfg.Confirmations {
			top := head.Number.Uint64() - cfg.Confirmations
			if !started {
				next, started = top-min(top, cfg.Backfill), true
			}
			// Re-read the last few fed blocks so a reorg below the
			// confirmation depth is noticed.
			from := next - min(next, 4)
			for num := from; num <= top && err == nil; num++ {
				var h *types.Header
				if h, err = src.HeaderByNumber(ctx, new(big.Int).SetUint64(num)); err == nil {
					n.L1Confirmed(num, h.Hash())
					next = max(next, num+1)
				}
			}
		}
		if err != nil && ctx.Err() == nil {
			n.metrics.l1Errors.Inc()
			n.log.Warn("following L1 failed, trying again", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// L1KeyperSet is a keyper set as L1's KeyperSetManager holds it.
type L1KeyperSet struct {
	// Members in keyper-index order.
	Members    []common.Address
	Threshold  uint64
	Activation uint64
}

// L1Eons is what a keyper reads from L1 about keyper sets and eon keys,
// each only once the block that added it is final (the l1 package's
// Eons implements it). Eon e is voted by keyper set e-1.
type L1Eons interface {
	// KeyperSet returns the keyper set that votes eon (the set with index
	// eon-1) once it is final; ok is false before.
	KeyperSet(ctx context.Context, eon uint64) (set L1KeyperSet, ok bool, err error)
	// EonKey returns eon's key (tpke's compressed form) once it is
	// accepted in a final block; ok is false before.
	EonKey(ctx context.Context, eon uint64) (key []byte, ok bool, err error)
}

// CheckL1 checks a committee against its keyper set on L1: the same
// members in the same order and the same threshold. The committee config
// adds what L1 does not carry (DKG public keys, peer addresses).
func (c *Committee) CheckL1(set L1KeyperSet) error {
	if uint64(c.Threshold) != set.Threshold || len(c.Members) != len(set.Members) {
		return fmt.Errorf("%w: eon %d: %d members with threshold %d, its keyper set on L1 has %d with threshold %d", ErrCommittee,
			c.Eon, len(c.Members), c.Threshold, len(set.Members), set.Threshold)
	}
	for i, m := range c.Members {
		if m.Address != set.Members[i] {
			return fmt.Errorf("%w: eon %d: member %d is %s, on L1 it is %s", ErrCommittee, c.Eon, i, m.Address, set.Members[i])
		}
	}
	return nil
}
