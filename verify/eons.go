package verify

import (
	"context"
	"fmt"
	"sort"

	"github.com/veil-l2/veil/l1"
	"github.com/veil-l2/veil/ordering/batch"
)

// sets is the verifier's view of KeyperSetManager's keyper sets (see "The
// eon rule" in the package doc).
type sets struct {
	// known are the sets in the state of L1 block through (a block at the
	// verifier's depth when it was read): complete for every origin up to
	// through, since a set added later has a later activation block.
	known   []l1.KeyperSet
	through uint64
	// final is the number of sets in the finalized state.
	final uint64
}

// checkEon checks that the batch's eon is the eon active at its origin:
// eon e is voted by keyper set e-1 (ek's set) and is the eon of the
// origins from set e-1's activation block up to, not including, set e's.
// tip is the verifier's depth (at or above the posting block, above the
// origin, as checkOrigin has checked).
func (v *Verifier) checkEon(ctx context.Context, c *batch.Commitment, ek *eonKey, tip uint64) error {
	n, e, o := c.Number, c.Eon, c.L1OriginNumber
	if e == 0 {
		return mismatch(n, ErrEon, "eon 0 is no keyper set's")
	}
	if ek.set+1 != e {
		return mismatch(n, ErrEon, "eon %d's key was voted by keyper set %d, not by set %d", e, ek.set, e-1)
	}
	if o > v.sets.through {
		if err := v.readSets(ctx, tip); err != nil {
			return err
		}
	}
	known := v.sets.known
	// active is the eon at o: the number of sets active there (activation
	// blocks strictly increase).
	active := uint64(sort.Search(len(known), func(i int) bool { return known[i].ActivationBlock > o }))
	switch {
	case active == e:
		return nil
	case e > uint64(len(known)):
		// Set e-1 voted a finalized key, so L1 had it by then.
		return fmt.Errorf("verify: keyper set %d, which voted eon %d's key, is not in L1 block %d's state", e-1, e, v.sets.through)
	case active < e:
		// Set e-1 is final (its key is).
		return mismatch(n, ErrEon, "origin %d is below keyper set %d's activation block %d: eon %d's, not eon %d's",
			o, e-1, known[e-1].ActivationBlock, active, e)
	}
	// A later set is active at o; it counts once final, the first later
	// one (set e) deciding.
	if e >= v.sets.final {
		if err := v.readFinal(ctx); err != nil {
			return err
		}
		if e >= v.sets.final {
			return fmt.Errorf("%w: keyper set %d, active at batch %d's origin %d, is not final yet", ErrWaiting, e, n, o)
		}
	}
	return mismatch(n, ErrEon, "origin %d is at or above keyper set %d's activation block %d: eon %d's, not eon %d's",
		o, e, known[e].ActivationBlock, active, e)
}

// readSets reads the sets added since the last read in the state of L1
// block number.
func (v *Verifier) readSets(ctx context.Context, number uint64) error {
	h, err := v.r.blockHash(ctx, number)
	if err != nil {
		return err
	}
	added, err := l1.KeyperSetsAt(ctx, v.cfg.L1, v.cfg.Contracts, uint64(len(v.sets.known)), h)
	if err != nil {
		return fmt.Errorf("verify: keyper sets at L1 block %d: %w", number, err)
	}
	v.sets.known = append(v.sets.known, added...)
	v.sets.through = number
	return nil
}

// readFinal reads how many sets the finalized state has.
func (v *Verifier) readFinal(ctx context.Context) error {
	fin, err := v.cfg.L1.Finalized(ctx)
	if err != nil {
		return err
	}
	added, err := l1.KeyperSetsAt(ctx, v.cfg.L1, v.cfg.Contracts, v.sets.final, fin.Hash())
	if err != nil {
		return fmt.Errorf("verify: keyper sets at finalized L1 block %d: %w", fin.Number, err)
	}
	v.sets.final += uint64(len(added))
	return nil
}
