package l1

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
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
	// MaxDeposits, MaxForced and MaxForcedBytes cap the deposits, the
	// forced envelopes and their bytes one answer brings; the origin stops
	// before the block that would exceed one of them. A block's events are
	// never split, so one block with more still comes whole. Defaults: 256
	// deposits, and ordering.MaxForcedTxs and ordering.MaxForcedBytes, the
	// most one batch commits (IncludeForced skips the rest).
	MaxDeposits    int
	MaxForced      int
	MaxForcedBytes int
}

// Origin is the sequencer's ordering.L1Origin on a real or simulated L1:
// the origin of the next batch is the block Confirmations below the head,
// never below the last one, and what it brings are L1Inbox's Deposit and
// ForcedEnvelope events in the blocks after the last origin up to it. The
// origin never passes the deadline of a forced envelope it brings. It
// remembers the hashes of the origins it answered and reports ErrReorged
// when the block at after has another hash now. Each Next reads L1 (a few
// round trips). Safe for concurrent use.
type Origin struct {
	chain       *Chain
	inbox       common.Address
	cfg         OriginConfig
	in          *contracts.L1Inbox
	topic       common.Hash // the Deposit event's id
	forcedTopic common.Hash // the ForcedEnvelope event's id

	mu       sync.Mutex
	answered map[uint64]common.Hash
}

var (
	_ ordering.L1Origin     = (*Origin)(nil)
	_ ordering.L1OriginUpTo = (*Origin)(nil)
)

// NewOrigin follows the deployment's L1Inbox.
func NewOrigin(chain *Chain, c Contracts, cfg OriginConfig) *Origin {
	if cfg.MaxBlocks == 0 {
		cfg.MaxBlocks = 1000
	}
	if cfg.MaxDeposits <= 0 {
		cfg.MaxDeposits = 256
	}
	if cfg.MaxForced <= 0 {
		cfg.MaxForced = ordering.MaxForcedTxs
	}
	if cfg.MaxForcedBytes <= 0 {
		cfg.MaxForcedBytes = ordering.MaxForcedBytes
	}
	in := contracts.NewL1Inbox()
	events := in.GetABI().Events
	return &Origin{chain: chain, inbox: c.L1Inbox, cfg: cfg, in: in, topic: events[contracts.L1InboxDepositEventName].ID,
		forcedTopic: events[contracts.L1InboxForcedEnvelopeEventName].ID, answered: map[uint64]common.Hash{}}
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
// deposits and forced envelopes of the L1 blocks in (after, origin], in L1
// order.
func (o *Origin) Next(ctx context.Context, after uint64) (ordering.Origin, []batch.Deposit, []ordering.ForcedEnvelope, error) {
	return o.NextUpTo(ctx, after, math.MaxUint64)
}

// NextUpTo is Next with the origin at most upTo (and at least after): the
// sequencer holds origins below the activation of an eon it cannot switch
// to yet (ordering.L1OriginUpTo).
func (o *Origin) NextUpTo(ctx context.Context, after, upTo uint64) (ordering.Origin, []batch.Deposit, []ordering.ForcedEnvelope, error) {
	head, err := o.chain.HeaderByNumber(ctx, nil)
	if err != nil {
		return ordering.Origin{}, nil, nil, fmt.Errorf("l1: head: %w", err)
	}
	if head.Number.Uint64() < after {
		return ordering.Origin{}, nil, nil, fmt.Errorf("%w: head %d, last origin %d", ErrL1Behind, head.Number, after)
	}
	base, err := o.chain.HeaderByNumber(ctx, new(big.Int).SetUint64(after))
	if err != nil {
		return ordering.Origin{}, nil, nil, fmt.Errorf("l1: block %d: %w", after, err)
	}
	if err := o.check(after, base.Hash()); err != nil {
		return ordering.Origin{}, nil, nil, err
	}
	target := after
	if h := head.Number.Uint64(); h >= o.cfg.Confirmations {
		target = max(after, h-o.cfg.Confirmations)
	}
	target = max(after, min(target, after+o.cfg.MaxBlocks, upTo))
	if target == after {
		return o.answer(after, ordering.Origin{Number: after, Hash: base.Hash()}), nil, nil, nil
	}
	logs, hdr, err := o.inboxLogs(ctx, after+1, target, o.topic, o.forcedTopic)
	if err != nil {
		return ordering.Origin{}, nil, nil, err
	}
	events, err := o.events(logs)
	if err != nil {
		return ordering.Origin{}, nil, nil, err
	}
	if end := o.rangeEnd(events, target); end < target {
		n := 0
		for n < len(events) && events[n].block <= end {
			n++
		}
		events = events[:n]
		if hdr, err = o.ancestor(ctx, end, hdr); err != nil {
			return ordering.Origin{}, nil, nil, err
		}
	}
	var deps []batch.Deposit
	var forced []ordering.ForcedEnvelope
	for _, ev := range events {
		if ev.deposit != nil {
			deps = append(deps, *ev.deposit)
		} else {
			forced = append(forced, *ev.forced)
		}
	}
	return o.answer(after, ordering.Origin{Number: hdr.Number.Uint64(), Hash: hdr.Hash()}), deps, forced, nil
}

// rangeEnd returns the last block of an answer over events (L1Inbox's
// events of the blocks up to target, in L1 order): target, or earlier so
// that the caps hold (the range ends before the block that would exceed
// one; the first block with events always comes whole, and alone when it
// is over a cap by itself) and no forced envelope's deadline is passed
// (the range ends at the earliest deadline it brings, so the batch naming
// it commits the envelope in time).
func (o *Origin) rangeEnd(events []inboxEvent, target uint64) uint64 {
	deposits, forced, bytes := 0, 0, 0
	deadline := target
	for i := 0; i < len(events); {
		blk := events[i].block
		if blk > deadline {
			return deadline
		}
		d, f, b, dl := 0, 0, 0, deadline
		j := i
		for ; j < len(events) && events[j].block == blk; j++ {
			if ev := events[j]; ev.deposit != nil {
				d++
			} else {
				f++
				b += len(ev.forced.Raw)
				dl = min(dl, max(ev.forced.Deadline, blk)) // never before its own block
			}
		}
		over := deposits+d > o.cfg.MaxDeposits || forced+f > o.cfg.MaxForced || bytes+b > o.cfg.MaxForcedBytes
		if over && i > 0 {
			return blk - 1
		}
		deposits, forced, bytes, deadline = deposits+d, forced+f, bytes+b, dl
		if over { // the first block alone is over a cap: it comes whole, and alone
			return blk
		}
		i = j
	}
	return deadline
}

// ancestor reads the header of block number, below the range's last block
// top that the logs were read against, and checks that top is still
// canonical afterwards (ErrReorged otherwise), so the header is the one
// of the chain the logs came from.
func (o *Origin) ancestor(ctx context.Context, number uint64, top *types.Header) (*types.Header, error) {
	hdr, err := o.chain.HeaderByNumber(ctx, new(big.Int).SetUint64(number))
	if err != nil {
		return nil, fmt.Errorf("l1: block %d: %w", number, err)
	}
	now, err := o.chain.HeaderByNumber(ctx, top.Number)
	if err != nil {
		return nil, fmt.Errorf("l1: block %d: %w", top.Number, err)
	}
	if now.Hash() != top.Hash() {
		return nil, fmt.Errorf("%w: block %d changed while the range was read", ErrReorged, top.Number)
	}
	return hdr, nil
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
	logs, _, err := o.inboxLogs(ctx, from, to, o.topic)
	if err != nil {
		return nil, err
	}
	events, err := o.events(logs)
	if err != nil {
		return nil, err
	}
	out := make([]batch.Deposit, 0, len(events))
	for _, ev := range events {
		out = append(out, *ev.deposit)
	}
	return out, nil
}

// Forced returns the envelopes forced in L1 blocks from through to, in L1
// (index) order: a verifier's view of what the batch whose origin range
// covers them must include, as ordering.IncludeForced takes them.
func (o *Origin) Forced(ctx context.Context, from, to uint64) ([]ordering.ForcedEnvelope, error) {
	if to < from {
		return nil, nil
	}
	logs, _, err := o.inboxLogs(ctx, from, to, o.forcedTopic)
	if err != nil {
		return nil, err
	}
	events, err := o.events(logs)
	if err != nil {
		return nil, err
	}
	out := make([]ordering.ForcedEnvelope, 0, len(events))
	for _, ev := range events {
		out = append(out, *ev.forced)
	}
	return out, nil
}

// inboxLogs returns L1Inbox's logs with any of the given event ids in
// blocks from..to in L1 order and the header of block to, read before and
// after the log query: when its hash changed meanwhile, the range was
// reorganised under the query and ErrReorged is returned.
func (o *Origin) inboxLogs(ctx context.Context, from, to uint64, topics ...common.Hash) ([]types.Log, *types.Header, error) {
	toBig := new(big.Int).SetUint64(to)
	before, err := o.chain.HeaderByNumber(ctx, toBig)
	if err != nil {
		return nil, nil, fmt.Errorf("l1: block %d: %w", to, err)
	}
	logs, err := o.chain.FilterLogs(ctx, ethereum.FilterQuery{FromBlock: new(big.Int).SetUint64(from), ToBlock: toBig,
		Addresses: []common.Address{o.inbox}, Topics: [][]common.Hash{topics}})
	if err != nil {
		return nil, nil, fmt.Errorf("l1: inbox logs of blocks %d-%d: %w", from, to, err)
	}
	after, err := o.chain.HeaderByNumber(ctx, toBig)
	if err != nil {
		return nil, nil, fmt.Errorf("l1: block %d: %w", to, err)
	}
	if before.Hash() != after.Hash() {
		return nil, nil, fmt.Errorf("%w: block %d changed during the log query", ErrReorged, to)
	}
	for _, l := range logs {
		if l.Removed || (l.BlockNumber == to && l.BlockHash != after.Hash()) || l.BlockNumber < from || l.BlockNumber > to {
			return nil, nil, fmt.Errorf("%w: an inbox log of block %d is not canonical", ErrReorged, l.BlockNumber)
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

// inboxEvent is one decoded L1Inbox event: a deposit or a forced envelope.
type inboxEvent struct {
	block   uint64
	deposit *batch.Deposit
	forced  *ordering.ForcedEnvelope
}

// events decodes L1Inbox's Deposit and ForcedEnvelope logs.
func (o *Origin) events(logs []types.Log) ([]inboxEvent, error) {
	out := make([]inboxEvent, 0, len(logs))
	for i := range logs {
		l := &logs[i]
		if len(l.Topics) > 0 && l.Topics[0] == o.forcedTopic {
			ev, err := o.in.UnpackForcedEnvelopeEvent(l)
			if err != nil {
				return nil, fmt.Errorf("l1: forced envelope log %s/%d: %w", l.TxHash, l.Index, err)
			}
			out = append(out, inboxEvent{block: l.BlockNumber, forced: &ordering.ForcedEnvelope{Index: ev.Index, L1Block: ev.L1Block,
				Deadline: ev.DeadlineBlock, Raw: ev.Envelope}})
			continue
		}
		ev, err := o.in.UnpackDepositEvent(l)
		if err != nil {
			return nil, fmt.Errorf("l1: deposit log %s/%d: %w", l.TxHash, l.Index, err)
		}
		out = append(out, inboxEvent{block: l.BlockNumber, deposit: &batch.Deposit{L1TxHash: l.TxHash, LogIndex: uint64(l.Index),
			To: ev.To, Amount: ev.Amount}})
	}
	return out, nil
}
