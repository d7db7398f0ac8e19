package l1

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"sync"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/ordering"
	"github.com/veil-l2/veil/ordering/batch"
)

// Origin errors.
var (
	// ErrReorged: the L1 block a batch named as its origin is no longer
	// canonical (a reorganisation deeper than the confirmations). The
	// sequencer must not build on it.
	ErrReorged = errors.New("l1: the origin block was reorganised away")
	// ErrL1Behind: the endpoint's head is below the origin asked about (a
	// lagging node, or a chain that got shorter).
	ErrL1Behind = errors.New("l1: the endpoint is behind the last origin")
)

// OriginConfig tunes Origin.
type OriginConfig struct {
	// Confirmations: the origin is this many blocks below the head.
	Confirmations uint64
	// MaxBlocks caps how far one answer moves the origin, bounding the
	// log query (default 1000).
	MaxBlocks uint64
	// MaxDeposits caps the deposits one answer brings; the origin stops
	// before the block that would exceed it. A block's deposits are never
	// split, so one block with more still comes whole (default 256).
	MaxDeposits int
}

// Origin is the sequencer's ordering.L1Origin on a real or simulated L1:
// the origin of the next batch is the block Confirmations below the head,
// never below the last one, and the deposits it brings are L1Inbox's
// Deposit events in the blocks after the last origin up to it. It
// remembers the hashes of the origins it answered and reports ErrReorged
// when the block at after has another hash now. Each Next reads L1 (a few
// round trips). Safe for concurrent use.
type Origin struct {
	chain *Chain
	inbox common.Address
	cfg   OriginConfig
	in    *contracts.L1Inbox
	topic common.Hash // the Deposit event's id

	mu       sync.Mutex
	answered map[uint64]common.Hash
}

var _ ordering.L1Origin = (*Origin)(nil)

// NewOrigin follows the deployment's L1Inbox.
func NewOrigin(chain *Chain, c Contracts, cfg OriginConfig) *Origin {
	if cfg.MaxBlocks == 0 {
		cfg.MaxBlocks = 1000
	}
	if cfg.MaxDeposits <= 0 {
		cfg.MaxDeposits = 256
	}
	in := contracts.NewL1Inbox()
	return &Origin{chain: chain, inbox: c.L1Inbox, cfg: cfg, in: in, topic: in.GetABI().Events[contracts.L1InboxDepositEventName].ID,
		answered: map[uint64]common.Hash{}}
}

// Remember records the origin a batch named (from the sequencer's durable
// log after a restart), so that the next Next(ctx, o.Number) checks it for
// a reorganisation too.
func (o *Origin) Remember(or ordering.Origin) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.answered[or.Number] = or.Hash
}

// Next returns the origin for the next batch, at or above after, and the
// deposits of the L1 blocks in (after, origin], in L1 order.
func (o *Origin) Next(ctx context.Context, after uint64) (ordering.Origin, []batch.Deposit, error) {
	head, err := o.chain.HeaderByNumber(ctx, nil)
	if err != nil {
		return ordering.Origin{}, nil, fmt.Errorf("l1: head: %w", err)
	}
	if head.Number.Uint64() < after {
		return ordering.Origin{}, nil, fmt.Errorf("%w: head %d, last origin %d", ErrL1Behind, head.Number, after)
	}
	base, err := o.chain.HeaderByNumber(ctx, new(big.Int).SetUint64(after))
	if err != nil {
		return ordering.Origin{}, nil, fmt.Errorf("l1: block %d: %w", after, err)
	}
	if err := o.check(after, base.Hash()); err != nil {
		return ordering.Origin{}, nil, err
	}
	target := after
	if h := head.Number.Uint64(); h >= o.cfg.Confirmations {
		target = max(after, h-o.cfg.Confirmations)
	}
	target = min(target, after+o.cfg.MaxBlocks)
	if target == after {
		return o.answer(after, ordering.Origin{Number: after, Hash: base.Hash()}), nil, nil
	}
	logs, hdr, err := o.depositLogs(ctx, after+1, target)
	if err != nil {
		return ordering.Origin{}, nil, err
	}
	// Stop before the block that takes the deposits over the cap.
	if len(logs) > o.cfg.MaxDeposits {
		cut := logs[o.cfg.MaxDeposits].BlockNumber
		if cut == logs[0].BlockNumber {
			cut++ // the first block comes whole
		}
		target = cut - 1
		n := 0
		for n < len(logs) && logs[n].BlockNumber <= target {
			n++
		}
		logs = logs[:n]
		if hdr, err = o.chain.HeaderByNumber(ctx, new(big.Int).SetUint64(target)); err != nil {
			return ordering.Origin{}, nil, fmt.Errorf("l1: block %d: %w", target, err)
		}
	}
	deps, err := o.deposits(logs)
	if err != nil {
		return ordering.Origin{}, nil, err
	}
	return o.answer(after, ordering.Origin{Number: target, Hash: hdr.Hash()}), deps, nil
}

// check compares the block at number with the hash answered for it.
func (o *Origin) check(number uint64, hash common.Hash) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if was, ok := o.answered[number]; ok && was != hash {
		return fmt.Errorf("%w: block %d was %s, is %s", ErrReorged, number, was, hash)
	}
	return nil
}

// answer records or and forgets the answers below after: the sequencer
// never asks below its last origin again.
func (o *Origin) answer(after uint64, or ordering.Origin) ordering.Origin {
	o.mu.Lock()
	defer o.mu.Unlock()
	for n := range o.answered {
		if n < after {
			delete(o.answered, n)
		}
	}
	o.answered[or.Number] = or.Hash
	return or
}

// Deposits returns the deposits made in L1 blocks from through to, in L1
// order (a verifier's view of what a batch must credit).
func (o *Origin) Deposits(ctx context.Context, from, to uint64) ([]batch.Deposit, error) {
	if to < from {
		return nil, nil
	}
	logs, _, err := o.depositLogs(ctx, from, to)
	if err != nil {
		return nil, err
	}
	return o.deposits(logs)
}

// depositLogs returns L1Inbox's Deposit logs in blocks from..to in L1 order
// and the header of block to, read before and after the log query: when
// its hash changed meanwhile, the range was reorganised under the query
// and ErrReorged is returned.
func (o *Origin) depositLogs(ctx context.Context, from, to uint64) ([]types.Log, *types.Header, error) {
	toBig := new(big.Int).SetUint64(to)
	before, err := o.chain.HeaderByNumber(ctx, toBig)
	if err != nil {
		return nil, nil, fmt.Errorf("l1: block %d: %w", to, err)
	}
	logs, err := o.chain.FilterLogs(ctx, ethereum.FilterQuery{FromBlock: new(big.Int).SetUint64(from), ToBlock: toBig,
		Addresses: []common.Address{o.inbox}, Topics: [][]common.Hash{{o.topic}}})
	if err != nil {
		return nil, nil, fmt.Errorf("l1: deposit logs of blocks %d-%d: %w", from, to, err)
	}
	after, err := o.chain.HeaderByNumber(ctx, toBig)
	if err != nil {
		return nil, nil, fmt.Errorf("l1: block %d: %w", to, err)
	}
	if before.Hash() != after.Hash() {
		return nil, nil, fmt.Errorf("%w: block %d changed during the deposit query", ErrReorged, to)
	}
	for _, l := range logs {
		if l.Removed || (l.BlockNumber == to && l.BlockHash != after.Hash()) || l.BlockNumber < from || l.BlockNumber > to {
			return nil, nil, fmt.Errorf("%w: a deposit log of block %d is not canonical", ErrReorged, l.BlockNumber)
		}
	}
	slices.SortFunc(logs, func(a, b types.Log) int {
		if a.BlockNumber != b.BlockNumber {
			return cmp.Compare(a.BlockNumber, b.BlockNumber)
		}
		return cmp.Compare(a.Index, b.Index)
	})
	return logs, after, nil
}

func (o *Origin) deposits(logs []types.Log) ([]batch.Deposit, error) {
	out := make([]batch.Deposit, 0, len(logs))
	for i := range logs {
		ev, err := o.in.UnpackDepositEvent(&logs[i])
		if err != nil {
			return nil, fmt.Errorf("l1: deposit log %s/%d: %w", logs[i].TxHash, logs[i].Index, err)
		}
		out = append(out, batch.Deposit{L1TxHash: logs[i].TxHash, LogIndex: uint64(logs[i].Index), To: ev.To, Amount: ev.Amount})
	}
	return out, nil
}
