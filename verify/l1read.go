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
	"github.com/ethereum/go-ethereum/crypto"

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
	// Data is the batch data: the parts' data in order, then what the
	// posting transaction carried (Last).
	Data        []byte
	Parts       []common.Hash
	Last        []byte
	L1Block     uint64
	L1BlockHash common.Hash
	TxHash      common.Hash
	// partErr says which part could not be read (checkData reports it).
	partErr error
}

// checkData checks that Data is what was posted: every part named was
// found in a submitBatchData transaction and hashes to its name, and
// together they give the event's dataHash (l1.PostedDataHash).
func (p *posting) checkData() error {
	if p.partErr != nil {
		return p.partErr
	}
	if l1.PostedDataHash(p.Parts, p.Last) != p.DataHash {
		if len(p.Parts) == 0 {
			return errors.New("the posting transaction's data does not hash to the event's dataHash")
		}
		return fmt.Errorf("the hashes of %d parts and the posting transaction's data do not give the event's dataHash", len(p.Parts))
	}
	return nil
}

// reader reads the verifier's view of L1: BatchPosted and BatchDataPart
// events in block order, the calldata of their transactions, deposits and
// forced envelopes (the last two through l1.Origin, the sequencer's
// reader). It remembers how far it scanned for postings. A part is posted
// before the submitBatch that names it (BatchInbox checks), so the scan
// has seen every part of a posting by the time it finds the posting.
type reader struct {
	chain      *l1.Chain
	c          l1.Contracts
	bi         *contracts.BatchInbox
	submit     abi.Method
	submitPart abi.Method
	origin     *l1.Origin
	posted     common.Hash // BatchPosted's topic
	part       common.Hash // BatchDataPart's topic
	maxBlocks  uint64

	scanned uint64                // last L1 block scanned for postings
	found   map[uint64]*types.Log // BatchPosted logs by number, not yet read
	// parts holds the BatchDataPart logs of the numbers not verified yet,
	// by number and part hash, in L1 order.
	parts map[uint64]map[common.Hash][]*types.Log
}

func newReader(chain *l1.Chain, c l1.Contracts, maxBlocks uint64) *reader {
	bi := contracts.NewBatchInbox()
	r := &reader{chain: chain, c: c, bi: bi, submit: bi.GetABI().Methods["submitBatch"],
		submitPart: bi.GetABI().Methods["submitBatchData"],
		origin:     l1.NewOrigin(chain, c, l1.OriginConfig{MaxBlocks: maxBlocks}),
		posted:     bi.GetABI().Events[contracts.BatchInboxBatchPostedEventName].ID,
		part:       bi.GetABI().Events[contracts.BatchInboxBatchDataPartEventName].ID,
		maxBlocks:  maxBlocks, found: map[uint64]*types.Log{}, parts: map[uint64]map[common.Hash][]*types.Log{}}
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
			ToBlock: new(big.Int).SetUint64(to), Addresses: []common.Address{r.c.Inbox}, Topics: [][]common.Hash{{r.posted, r.part}}})
		if err != nil {
			return nil, fmt.Errorf("verify: BatchPosted logs of L1 blocks %d-%d: %w", from, to, err)
		}
		for i := range logs {
			lg := &logs[i]
			if lg.Removed || len(lg.Topics) == 0 {
				continue
			}
			if lg.Topics[0] == r.part {
				ev, err := r.bi.UnpackBatchDataPartEvent(lg)
				if err != nil {
					return nil, fmt.Errorf("verify: BatchDataPart log %s/%d: %w", lg.TxHash, lg.Index, err)
				}
				if ev.Number >= n {
					if r.parts[ev.Number] == nil {
						r.parts[ev.Number] = map[common.Hash][]*types.Log{}
					}
					r.parts[ev.Number][ev.PartHash] = append(r.parts[ev.Number][ev.PartHash], lg)
				}
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

// done forgets batch n's logs once the batch is verified.
func (r *reader) done(n uint64) {
	delete(r.found, n)
	delete(r.parts, n)
}

// read returns the posting of a BatchPosted log: the event's header
// fields, and the signature, attestation, part hashes and data from the
// calldata of the transaction that emitted it, which must call
// submitBatch directly, with the data of the parts it names read from
// their submitBatchData transactions (readPart).
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
	if err != nil || len(args) != 5 {
		return nil, fmt.Errorf("%w: batch %d, transaction %s: %v", ErrNoCalldata, ev.Number, lg.TxHash, err)
	}
	var ok [4]bool
	var parts [][32]byte
	p.SequencerSig, ok[0] = args[1].([]byte)
	p.Attestation, ok[1] = args[2].([]byte)
	parts, ok[2] = args[3].([][32]byte)
	p.Last, ok[3] = args[4].([]byte)
	if !ok[0] || !ok[1] || !ok[2] || !ok[3] {
		return nil, fmt.Errorf("%w: batch %d, transaction %s: unexpected argument types", ErrNoCalldata, ev.Number, lg.TxHash)
	}
	if len(parts) == 0 {
		p.Data = p.Last
		return p, nil
	}
	for i, h := range parts {
		p.Parts = append(p.Parts, h)
		part, err := r.readPart(ctx, ev.Number, h)
		if errors.Is(err, errPart) {
			p.partErr = fmt.Errorf("part %d of %d, %s: %w", i+1, len(parts), common.Hash(h), err)
			return p, nil
		}
		if err != nil {
			return nil, err
		}
		p.Data = append(p.Data, part...)
	}
	p.Data = append(p.Data, p.Last...)
	return p, nil
}

// errPart: a part named by a posting is not on L1 as a part of its
// number (a verdict on the batch, ErrBatchData).
var errPart = errors.New("not posted for this batch")

// readPart returns the data of part h of batch number: the data of the
// first submitBatchData transaction, among those whose BatchDataPart log
// the scan found for (number, h), that calls BatchInbox directly with that
// number and data hashing to h. None found is errPart; only calls through
// a contract, ErrNoCalldata.
func (r *reader) readPart(ctx context.Context, number uint64, h common.Hash) ([]byte, error) {
	logs := r.parts[number][h]
	indirect := false
	for _, lg := range logs {
		tx, _, err := r.chain.TransactionByHash(ctx, lg.TxHash)
		if err != nil {
			return nil, fmt.Errorf("verify: transaction %s posting a part of batch %d: %w", lg.TxHash, number, err)
		}
		data := tx.Data()
		if tx.To() == nil || *tx.To() != r.c.Inbox || len(data) < 4 || !bytes.Equal(data[:4], r.submitPart.ID) {
			indirect = true
			continue
		}
		args, err := r.submitPart.Inputs.Unpack(data[4:])
		if err != nil || len(args) != 2 {
			continue
		}
		n, _ := args[0].(uint64)
		part, _ := args[1].([]byte)
		if n == number && crypto.Keccak256Hash(part) == h {
			return part, nil
		}
	}
	if indirect {
		return nil, fmt.Errorf("%w: part %s of batch %d", ErrNoCalldata, h, number)
	}
	if len(logs) > 0 {
		return nil, fmt.Errorf("%w: its %d BatchDataPart events come from transactions that carry other data", errPart, len(logs))
	}
	return nil, fmt.Errorf("%w: no BatchDataPart event names it", errPart)
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
