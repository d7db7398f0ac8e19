package verify

import (
	"cmp"
	"math/big"
	"slices"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/ordering/batch"
)

// TODO(merge): the forced-inclusion rule below is the verifier's own
// stand-in, written against L1Inbox's ForcedEnvelope events through the
// contract bindings (reader.forcedEvents) while the sequencer's side was
// being written. Once ordering.IncludeForced (the sequencer's one function
// deciding which forced envelopes a batch includes) and l1.Origin.Forced
// (its reader of ForcedEnvelope events for a block range) land, replace
// the body of forcedState.check with the rule of ordering's package doc
// ("L1 forced inclusion"): take l1.Origin.Forced(previous origin + 1,
// origin), run ordering.IncludeForced(ordering.ForcedRules{ChainID, Eon,
// GasLimit, Deposits: len(c.Deposits), Limits}, those); the batch's first
// transactions must be exactly Included's, in order, c.Forced must be
// 0..k-1 (ErrForced otherwise), and an included envelope whose deadline is
// below the origin is late (ErrForcedSkipped). The stand-in is more
// lenient: an owed envelope may be committed at any position of any batch
// up to its deadline, and it ignores IncludeForced's budget rule. Keep the
// lag check (rule 5 below: a batch posted after a forced envelope's
// deadline whose origin has not brought it), which no per-batch function
// can see.

// forcedPending is a forced envelope the chain owes: brought by an origin,
// well formed, not committed yet.
type forcedPending struct {
	Index    uint64
	Deadline uint64
	Hash     common.Hash
}

// forcedState is what the verifier remembers of forced envelopes between
// batches. It changes only through forcedOutcome.apply, once the whole
// batch is verified.
type forcedState struct {
	pending   []forcedPending
	committed map[common.Hash]bool // forced envelopes committed so far
}

// forcedOutcome is a batch's effect on the forced state.
type forcedOutcome struct {
	pending   []forcedPending
	committed []common.Hash
}

func (o *forcedOutcome) apply(s *forcedState) {
	s.pending = o.pending
	for _, h := range o.committed {
		s.committed[h] = true
	}
}

// forcedRules fix which forced envelopes are owed at all.
type forcedRules struct {
	ChainID  uint64
	Eon      uint64
	GasLimit uint64
	Limits   encmempool.Limits
}

// owed reports whether a forced envelope obliges the sequencer: its bytes
// decode as a transaction that passes admission's stateless rules as an
// envelope of this chain and eon (ordering.IncludeForced's first two
// rules); it returns the envelope's hash and identity.
func owed(r forcedRules, raw []byte) (common.Hash, tpke.Identity, bool) {
	tx := new(types.Transaction)
	if err := tx.UnmarshalBinary(raw); err != nil {
		return common.Hash{}, tpke.Identity{}, false
	}
	a, err := encmempool.Admit(tx, statelessView{rules: encmempool.Rules{ChainID: r.ChainID, Eon: r.Eon, GasLimit: r.GasLimit,
		Limits: r.Limits}, nonce: tx.Nonce()})
	if err != nil || a.Envelope == nil {
		return common.Hash{}, tpke.Identity{}, false
	}
	return tx.Hash(), a.Envelope.Identity, true
}

// check applies the stand-in rule to a batch: brought are the forced
// envelopes of the L1 blocks after the previous origin up to this one,
// late those of blocks above this origin whose deadline is below postedAt,
// the L1 block the batch was posted in.
//
//  1. Every envelope brought that is owed (and does not repeat an
//     identity brought before it in the same range) joins the envelopes
//     the chain owes, unless it was committed before.
//  2. Every forced position must hold an owed envelope (ErrForced).
//  3. An owed envelope the batch holds, at any position, is paid.
//  4. An owed envelope whose deadline is below this batch's origin was
//     skipped: the batch names an origin past the last one that may still
//     commit it (ErrForcedSkipped).
//  5. An owed envelope forced in a block above this origin whose deadline
//     is below postedAt was skipped too: the batch was posted after the
//     deadline with an origin that does not bring it (ErrForcedSkipped).
func (s *forcedState) check(r forcedRules, c *batch.Commitment, brought, late []forcedEvent, postedAt uint64) (*forcedOutcome, error) {
	out := &forcedOutcome{pending: slices.Clone(s.pending)}
	slices.SortStableFunc(brought, func(a, b forcedEvent) int { return cmp.Compare(a.Index, b.Index) })
	seen := map[tpke.Identity]bool{}
	for _, ev := range brought {
		h, id, ok := owed(r, ev.Raw)
		if !ok || seen[id] || s.committed[h] {
			continue
		}
		seen[id] = true
		out.pending = append(out.pending, forcedPending{Index: ev.Index, Deadline: ev.Deadline, Hash: h})
	}
	owedAt := map[common.Hash]int{}
	for i, p := range out.pending {
		owedAt[p.Hash] = i
	}
	for _, f := range c.Forced {
		if int(f) >= len(c.TxHashes) {
			return nil, mismatch(c.Number, ErrForced, "position %d of %d transactions", f, len(c.TxHashes))
		}
		if _, ok := owedAt[c.TxHashes[f]]; !ok {
			return nil, mismatch(c.Number, ErrForced, "position %d holds %s, which no origin brought as a forced envelope", f, c.TxHashes[f])
		}
	}
	paid := map[common.Hash]bool{}
	for _, h := range c.TxHashes {
		if _, ok := owedAt[h]; ok {
			paid[h] = true
			out.committed = append(out.committed, h)
		}
	}
	left := out.pending[:0:0]
	for _, p := range out.pending {
		if paid[p.Hash] {
			continue
		}
		if p.Deadline < c.L1OriginNumber {
			return nil, mismatch(c.Number, ErrForcedSkipped, "forced envelope %d (%s) with deadline L1 block %d is not committed, and this batch's origin %d is past it",
				p.Index, p.Hash, p.Deadline, c.L1OriginNumber)
		}
		left = append(left, p)
	}
	out.pending = left
	for _, ev := range late {
		if ev.L1Block <= c.L1OriginNumber || ev.Deadline >= postedAt {
			continue
		}
		h, _, ok := owed(r, ev.Raw)
		if !ok || s.committed[h] {
			continue
		}
		return nil, mismatch(c.Number, ErrForcedSkipped, "forced envelope %d (%s) was forced in L1 block %d with deadline %d; this batch was posted in L1 block %d with origin %d, which does not bring it",
			ev.Index, h, ev.L1Block, ev.Deadline, postedAt, c.L1OriginNumber)
	}
	return out, nil
}

// statelessView is admission's view for a forced envelope: only the
// stateless rules apply, so any nonce is the next one and any balance is
// enough.
type statelessView struct {
	rules encmempool.Rules
	nonce uint64
}

// anyBalance covers any cost: gas times a 256-bit fee cap plus a 256-bit
// value.
var anyBalance = new(big.Int).Lsh(big.NewInt(1), 300)

func (v statelessView) Rules() encmempool.Rules { return v.rules }
func (v statelessView) Account(common.Address) (uint64, *big.Int, error) {
	return v.nonce, anyBalance, nil
}
func (statelessView) IdentitySeen(tpke.Identity) (bool, error)          { return false, nil }
func (statelessView) Pending(common.Address, uint64) (uint64, *big.Int) { return 0, nil }
func (statelessView) Known(common.Hash) bool                            { return false }

var _ encmempool.View = statelessView{}
