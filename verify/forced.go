package verify

import (
	"github.com/veil-l2/veil/ordering"
	"github.com/veil-l2/veil/ordering/batch"
)

// checkForcedRule checks batch c against the forced-inclusion rule of
// ordering's package doc ("L1 forced inclusion"), the one the sequencer
// applies. brought are the envelopes forced in the L1 blocks of the
// batch's origin range (previous origin, c.L1OriginNumber], in L1 order;
// above are envelopes forced in blocks above the origin (the ones whose
// deadline may be below postedAt, the L1 block the batch was posted in);
// r are the inclusion rule's inputs from the commitment.
//
//  1. Inclusion and placement: the batch's first transactions are exactly
//     ordering.IncludeForced(r, brought).Included, in that order, and
//     c.Forced lists their positions 0..k-1 and nothing else (ErrForced).
//  2. Deadline: the origin is at most the deadline of every envelope the
//     range brings, included or skipped, as l1.Origin keeps it by ending a
//     range at the earliest deadline it brings (ErrForcedSkipped).
//  3. Lag: no envelope forced above the origin has a deadline below
//     postedAt: a batch posted after that deadline must have an origin that
//     brings it, or origins that lag behind the forced block would evade
//     inclusion as surely as skipping it (ErrForcedSkipped).
//
// Like the origin source, rules 2 and 3 do not look inside the envelopes:
// a deadline is a property of the L1 event.
func checkForcedRule(r ordering.ForcedRules, c *batch.Commitment, brought, above []ordering.ForcedEnvelope, postedAt uint64) error {
	n := c.Number
	inc := ordering.IncludeForced(r, brought)
	k := len(inc.Included)
	if len(c.TxHashes) < k {
		return mismatch(n, ErrForced, "the origin range brings %d forced envelopes to include; the batch has %d transactions", k, len(c.TxHashes))
	}
	for i, in := range inc.Included {
		if h := in.Tx.Hash(); c.TxHashes[i] != h {
			return mismatch(n, ErrForced, "transaction %d is %s, the forced envelope %d from L1 block %d is %s", i, c.TxHashes[i],
				in.Index, in.L1Block, h)
		}
	}
	if len(c.Forced) != k {
		return mismatch(n, ErrForced, "%d forced positions, the origin range brings %d forced envelopes to include", len(c.Forced), k)
	}
	for i, f := range c.Forced {
		if f != uint32(i) {
			return mismatch(n, ErrForced, "forced position %d is %d, want %d", i, f, i)
		}
	}
	for _, f := range brought {
		if f.Deadline < c.L1OriginNumber {
			return mismatch(n, ErrForcedSkipped, "the origin %d brings forced envelope %d from L1 block %d past its deadline %d",
				c.L1OriginNumber, f.Index, f.L1Block, f.Deadline)
		}
	}
	for _, f := range above {
		if f.L1Block > c.L1OriginNumber && f.Deadline < postedAt {
			return mismatch(n, ErrForcedSkipped, "forced envelope %d was forced in L1 block %d with deadline %d; the batch was posted in L1 block %d with origin %d, which does not bring it",
				f.Index, f.L1Block, f.Deadline, postedAt, c.L1OriginNumber)
		}
	}
	return nil
}
