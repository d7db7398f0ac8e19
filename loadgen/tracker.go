package loadgen

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"
)

// fate is where a sent transaction ended up.
type fate int

const (
	pending   fate = iota // sent, not seen in a block yet
	executed              // in a block
	dropped               // its envelope is in a block, it is not
	lost                  // unresolved when the run ended
	cancelled             // never admitted after all (not counted)
)

// record is one sent transaction while it is pending.
type record struct {
	hash     common.Hash // inner (or plaintext) transaction
	envelope common.Hash // zero for plaintext
	sent     time.Time
	ordered  time.Time // zero: no order receipt
	done     time.Time // executed or dropped: when the block was seen
	fate     fate
	outcome  int // index in tracker.outcomes once resolved
}

// outcome is a resolved transaction as the result needs it: 32 bytes
// instead of a record's 150 and its map entries, so that a long soak's
// generator holds little per transaction (its memory is reported with the
// devnet's).
type outcome struct {
	sent, ordered, done int64 // unix nanoseconds; 0: none
	fate                fate
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// tracker holds every sent transaction and resolves them from the blocks
// the watcher reads. Safe for concurrent use.
type tracker struct {
	mu       sync.Mutex
	outcomes []outcome               // resolved (fate cancelled: taken back)
	byHash   map[common.Hash]*record // pending, by inner hash
	byEnv    map[common.Hash]*record // pending, by envelope hash
	sent     int
	open     int // pending records
	executed int
	dropped  int
	ordered  int
}

func newTracker() *tracker {
	return &tracker{byHash: map[common.Hash]*record{}, byEnv: map[common.Hash]*record{}}
}

// add registers a transaction about to be submitted; the block holding it
// may be read before the submission returns.
func (t *tracker) add(hash common.Hash, now time.Time) *record {
	r := &record{hash: hash, sent: now}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sent++
	t.byHash[hash] = r
	t.open++
	return r
}

// cancel forgets a transaction that was never admitted.
func (t *tracker) cancel(r *record) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sent--
	if !r.ordered.IsZero() {
		t.ordered--
	}
	switch r.fate {
	case pending:
		delete(t.byHash, r.hash)
		delete(t.byEnv, r.envelope)
		t.open--
	case executed, dropped:
		// Seen in a block before its submission failed: taken back.
		if r.fate == executed {
			t.executed--
		} else {
			t.dropped--
		}
		t.outcomes[r.outcome].fate = cancelled
	}
	r.fate = cancelled
}

// setEnvelope records the envelope carrying r.
func (t *tracker) setEnvelope(r *record, env common.Hash) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r.envelope = env
	if r.fate == pending {
		t.byEnv[env] = r
	}
}

func (t *tracker) setOrdered(r *record, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r.ordered = at
	t.ordered++
	if r.fate == executed || r.fate == dropped {
		// The block was seen before the receipt came back.
		t.outcomes[r.outcome].ordered = nanos(at)
	}
}

// block resolves the transactions in a block seen at `at`.
func (t *tracker) block(hashes []common.Hash, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	in := make(map[common.Hash]bool, len(hashes))
	for _, h := range hashes {
		in[h] = true
		if r := t.byHash[h]; r != nil {
			t.resolve(r, executed, at)
		}
	}
	for _, h := range hashes {
		if r := t.byEnv[h]; r != nil && !in[r.hash] {
			t.resolve(r, dropped, at)
		}
	}
}

// resolve sets a pending record's fate; the caller holds mu.
func (t *tracker) resolve(r *record, f fate, at time.Time) {
	if r.fate != pending {
		return
	}
	r.fate, r.done = f, at
	delete(t.byHash, r.hash)
	delete(t.byEnv, r.envelope)
	t.open--
	r.outcome = len(t.outcomes)
	t.outcomes = append(t.outcomes, outcome{sent: nanos(r.sent), ordered: nanos(r.ordered), done: nanos(r.done), fate: f})
	if f == executed {
		t.executed++
	} else if f == dropped {
		t.dropped++
	}
}

// counts returns the running totals.
func (t *tracker) counts() (sent, ordered, executed, dropped, open int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.sent, t.ordered, t.executed, t.dropped, t.open
}

// unresolved returns the pending records, in the order they were sent.
func (t *tracker) unresolved() []*record {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]*record, 0, len(t.byHash))
	for _, r := range t.byHash {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b *record) int { return a.sent.Compare(b.sent) })
	return out
}

// snapshot returns every transaction sent and not taken back: the
// resolved ones' outcomes, then the pending ones as outcomes with fate
// pending.
func (t *tracker) snapshot() []outcome {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]outcome, 0, len(t.outcomes)+len(t.byHash))
	for _, o := range t.outcomes {
		if o.fate != cancelled {
			out = append(out, o)
		}
	}
	for _, r := range t.byHash {
		out = append(out, outcome{sent: nanos(r.sent), ordered: nanos(r.ordered), fate: pending})
	}
	return out
}

// watch reads every block after `from` as it appears, polling
// eth_blockNumber every poll, until ctx ends.
func (t *tracker) watch(ctx context.Context, rc *rpc.Client, from uint64, poll time.Duration, onErr func(error)) {
	next := from + 1
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		var head hexutil.Uint64
		if err := rc.CallContext(ctx, &head, "eth_blockNumber"); err != nil {
			if ctx.Err() == nil {
				onErr(err)
			}
			continue
		}
		for ; next <= uint64(head); next++ {
			var b struct {
				Transactions []common.Hash `json:"transactions"`
			}
			if err := rc.CallContext(ctx, &b, "eth_getBlockByNumber", hexutil.Uint64(next), false); err != nil {
				if ctx.Err() == nil {
					onErr(err)
				}
				break
			}
			t.block(b.Transactions, time.Now())
		}
	}
}

// reconcile asks for the receipts of the unresolved records, in batches,
// and resolves those that executed or were dropped. Their latency is not
// known (the watcher missed the block), so done stays zero.
func (t *tracker) reconcile(ctx context.Context, rc *rpc.Client) error {
	recs := t.unresolved()
	const batch = 100
	for len(recs) > 0 {
		n := min(batch, len(recs))
		part := recs[:n]
		recs = recs[n:]
		inner := make([]*types.Receipt, n)
		env := make([]*types.Receipt, n)
		var elems []rpc.BatchElem
		for i, r := range part {
			elems = append(elems, rpc.BatchElem{Method: "eth_getTransactionReceipt", Args: []any{r.hash}, Result: &inner[i]})
			if r.envelope != (common.Hash{}) {
				elems = append(elems, rpc.BatchElem{Method: "eth_getTransactionReceipt", Args: []any{r.envelope}, Result: &env[i]})
			}
		}
		if err := rc.BatchCallContext(ctx, elems); err != nil {
			return err
		}
		t.mu.Lock()
		for i, r := range part {
			switch {
			case inner[i] != nil:
				t.resolve(r, executed, time.Time{})
			case env[i] != nil:
				t.resolve(r, dropped, time.Time{})
			}
		}
		t.mu.Unlock()
	}
	return nil
}
