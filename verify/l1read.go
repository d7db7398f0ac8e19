package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/l1"
	"github.com/veil-l2/veil/ordering"
	"github.com/veil-l2/veil/ordering/batch"
)

// posting is one BatchPosted event with what its transaction carried.
type posting struct {
	Number         uint64
	Eon            uint64
	CommitmentHash common.Hash
	L2BlockHash    common.Hash
	StateRoot      common.Hash
	DataHash       common.Hash
	SequencerSig   []byte
	Attestation    []byte // EIP-2537 form, as posted
	Data           []byte
	L1Block        uint64
	L1BlockHash    common.Hash
	TxHash         common.Hash
}

// reader reads the verifier's view of L1: BatchPosted events in block
// order, the calldata of their transactions, deposits and forced
// envelopes (the last two through l1.Origin, the sequencer's reader). It
// remembers how far it scanned for postings.
type reader struct {
	chain     *l1.Chain
	c         l1.Contracts
	bi        *contracts.BatchInbox
	submit    abi.Method
	origin    *l1.Origin
	posted    common.Hash // BatchPosted's topic
	maxBlocks uint64

	scanned uint64                // last L1 block scanned for postings
	found   map[uint64]*types.Log // BatchPosted logs by number, not yet read
}

func newReader(chain *l1.Chain, c l1.Contracts, maxBlocks uint64) *reader {
	bi := contracts.NewBatchInbox()
	r := &reader{chain: chain, c: c, bi: bi, submit: bi.GetABI().Methods["submitBatch"],
		origin:    l1.NewOrigin(chain, c, l1.OriginConfig{MaxBlocks: maxBlocks}),
		posted:    bi.GetABI().Events[contracts.BatchInboxBatchPostedEventName].ID,
		maxBlocks: maxBlocks, found: map[uint64]*types.Log{}}
	if c.DeployedAt > 0 {
		r.scanned = c.DeployedAt - 1
	}
	return r
}

// call runs a view function of a contract at the latest block.
func call[T any](ctx context.Context, chain *l1.Chain, to common.Address, data []byte, unpack func([]byte) (T, error)) (T, error) {
	var zero T
	out, err := chain.CallContract(ctx, ethereum.CallMsg{To: &to, Data: data}, nil)
	if err != nil {
		return zero, fmt.Errorf("verify: call to %s: %w", to, err)
	}
	v, err := unpack(out)
	if err != nil {
		return zero, fmt.Errorf("verify: result of a call to %s: %w", to, err)
	}
	return v, nil
}

// posting returns batch n's posting if an L1 block at or below tip holds
// it, scanning on from where the last scan ended; ErrNotPosted otherwise.
// The log stays found until done(n), so a failed attempt can try again.
func (r *reader) posting(ctx context.Context, n, tip uint64) (*posting, error) {
	for {
		if lg, ok := r.found[n]; ok {
			return r.read(ctx, lg)
		}
		if r.scanned >= tip {
			return nil, fmt.Errorf("%w: batch %d (L1 read up to block %d)", ErrNotPosted, n, tip)
		}
		from := r.scanned + 1
		to := min(tip, from+r.maxBlocks-1)
		logs, err := r.chain.FilterLogs(ctx, ethereum.FilterQuery{FromBlock: new(big.Int).SetUint64(from),
			ToBlock: new(big.Int).SetUint64(to), Addresses: []common.Address{r.c.Inbox}, Topics: [][]common.Hash{{r.posted}}})
		if err != nil {
			return nil, fmt.Errorf("verify: BatchPosted logs of L1 blocks %d-%d: %w", from, to, err)
		}
		for i := range logs {
			lg := &logs[i]
			if lg.Removed {
				continue
			}
			ev, err := r.bi.UnpackBatchPostedEvent(lg)
			if err != nil {
				return nil, fmt.Errorf("verify: BatchPosted log %s/%d: %w", lg.TxHash, lg.Index, err)
			}
			if ev.Number >= n {
				r.found[ev.Number] = lg
			}
		}
		r.scanned = to
	}
}

// done forgets batch n's log once the batch is verified.
func (r *reader) done(n uint64) { delete(r.found, n) }

// read returns the posting of a BatchPosted log: the event's header
// fields, and the signature, attestation and data from the calldata of
// the transaction that emitted it, which must call submitBatch directly.
func (r *reader) read(ctx context.Context, lg *types.Log) (*posting, error) {
	ev, err := r.bi.UnpackBatchPostedEvent(lg)
	if err != nil {
		return nil, fmt.Errorf("verify: BatchPosted log %s/%d: %w", lg.TxHash, lg.Index, err)
	}
	p := &posting{Number: ev.Number, Eon: ev.Eon, CommitmentHash: ev.CommitmentHash, L2BlockHash: ev.L2BlockHash,
		StateRoot: ev.StateRoot, DataHash: ev.DataHash, L1Block: lg.BlockNumber, L1BlockHash: lg.BlockHash, TxHash: lg.TxHash}
	tx, _, err := r.chain.TransactionByHash(ctx, lg.TxHash)
	if err != nil {
		return nil, fmt.Errorf("verify: transaction %s posting batch %d: %w", lg.TxHash, ev.Number, err)
	}
	data := tx.Data()
	if tx.To() == nil || *tx.To() != r.c.Inbox || len(data) < 4 || !bytes.Equal(data[:4], r.submit.ID) {
		return nil, fmt.Errorf("%w: batch %d, transaction %s", ErrNoCalldata, ev.Number, lg.TxHash)
	}
	args, err := r.submit.Inputs.Unpack(data[4:])
	if err != nil || len(args) != 4 {
		return nil, fmt.Errorf("%w: batch %d, transaction %s: %v", ErrNoCalldata, ev.Number, lg.TxHash, err)
	}
	var ok [3]bool
	p.SequencerSig, ok[0] = args[1].([]byte)
	p.Attestation, ok[1] = args[2].([]byte)
	p.Data, ok[2] = args[3].([]byte)
	if !ok[0] || !ok[1] || !ok[2] {
		return nil, fmt.Errorf("%w: batch %d, transaction %s: unexpected argument types", ErrNoCalldata, ev.Number, lg.TxHash)
	}
	return p, nil
}

// tip is the highest L1 block whose postings are verified: the finalized
// block, or the one confirmations below the head.
func (r *reader) tip(ctx context.Context, finalized bool, confirmations uint64) (uint64, error) {
	if finalized {
		h, err := r.chain.Finalized(ctx)
		if err != nil {
			return 0, err
		}
		return h.Number.Uint64(), nil
	}
	h, err := r.chain.HeaderByNumber(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("verify: L1 head: %w", err)
	}
	if h.Number.Uint64() < confirmations {
		return 0, nil
	}
	return h.Number.Uint64() - confirmations, nil
}

// blockHash returns the hash of the canonical L1 block number.
func (r *reader) blockHash(ctx context.Context, number uint64) (common.Hash, error) {
	h, err := r.chain.HeaderByNumber(ctx, new(big.Int).SetUint64(number))
	if errors.Is(err, ethereum.NotFound) {
		return common.Hash{}, nil
	}
	if err != nil {
		return common.Hash{}, fmt.Errorf("verify: L1 block %d: %w", number, err)
	}
	return h.Hash(), nil
}

// deposits returns L1Inbox's deposits of blocks from..to in L1 order.
func (r *reader) deposits(ctx context.Context, from, to uint64) ([]batch.Deposit, error) {
	d, err := inChunks(r, from, to, func(lo, hi uint64) ([]batch.Deposit, error) { return r.origin.Deposits(ctx, lo, hi) })
	if err != nil {
		return nil, fmt.Errorf("verify: deposits of L1 blocks %d-%d: %w", from, to, err)
	}
	return d, nil
}

// forced returns L1Inbox's forced envelopes of blocks from..to in L1
// (index) order.
func (r *reader) forced(ctx context.Context, from, to uint64) ([]ordering.ForcedEnvelope, error) {
	f, err := inChunks(r, from, to, func(lo, hi uint64) ([]ordering.ForcedEnvelope, error) { return r.origin.Forced(ctx, lo, hi) })
	if err != nil {
		return nil, fmt.Errorf("verify: forced envelopes of L1 blocks %d-%d: %w", from, to, err)
	}
	return f, nil
}

// inChunks reads blocks from..to (from no earlier than the deployment) with
// read, at most maxBlocks blocks at a time, and concatenates the answers.
func inChunks[T any](r *reader, from, to uint64, read func(lo, hi uint64) ([]T, error)) ([]T, error) {
	from = max(from, r.c.DeployedAt)
	var out []T
	for lo := from; lo <= to; lo += r.maxBlocks {
		hi := min(to, lo+r.maxBlocks-1)
		got, err := read(lo, hi)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
		if hi == to {
			break
		}
	}
	return out, nil
}
