package verify

import (
	"context"
	"errors"
	"testing"

	"github.com/veil-l2/veil/l1"
)

// switchEons builds batches 1 and 2 in the first eon, adds keyper set 1
// (voting eon 2), active three blocks on, and returns its activation
// block. Set 1 and eon 2's key are not final yet.
func switchEons(e *chainEnv) uint64 {
	buildStandard(e, 2)
	act := e.head() + 3
	e.addEon(testEon+1, act)
	e.until(act + 1)
	return act
}

// TestVerifierEonSwitch builds a chain across a keyper-set change, the
// sequencer's way: batch 3 names the last origin below set 1's activation
// and is eon 1's last, batch 4 names one above and is eon 2's first
// (chained to batch 3, attested and keyed by eon 2's committee). The
// verifier agrees with every batch.
func TestVerifierEonSwitch(t *testing.T) {
	t.Parallel()
	e := newChainEnv(t)
	act := switchEons(e)
	e.finalize()
	e.build(batchSpec{txs: standardTxs, originAt: act - 1})
	for range 2 {
		e.commit()
		e.build(batchSpec{txs: standardTxs})
	}
	e.postAll(e.startPoster(nil))
	var got []Result
	v := e.verifier("", func(r Result) { got = append(got, r) })
	if n, err := v.Run(context.Background()); err != nil || n != 5 {
		t.Fatalf("verified %d batches, then %v", n, err)
	}
	for i, want := range []uint64{1, 1, 1, 2, 2} {
		bb := e.batches[i]
		if r := got[i]; r.Eon != want || r.BlockHash != bb.blockHash || r.Keyed != 2 {
			t.Fatalf("batch %d: %+v, want eon %d and block %s", i+1, r, want, bb.blockHash)
		}
	}
	if o := e.batches[3].b.Commitment.L1OriginNumber; o < act {
		t.Fatalf("batch 4's origin %d is below the activation %d", o, act)
	}
}

// TestVerifierFindsWrongEon: a batch attested by the committee of another
// eon than the one active at its origin (BatchInbox takes it: the eon has
// a key, its set is active, eons do not go back) is ErrEon.
func TestVerifierFindsWrongEon(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// origin is batch 3's origin given set 1's activation block.
		origin func(act uint64) uint64
		eon    uint64
	}{
		{"eon 1 after set 1's activation", func(act uint64) uint64 { return act }, testEon},
		{"eon 2 before set 1's activation", func(act uint64) uint64 { return act - 1 }, testEon + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newChainEnv(t)
			act := switchEons(e)
			e.finalize()
			e.build(batchSpec{txs: standardTxs, originAt: tc.origin(act), eon: tc.eon})
			e.postAll(e.startPoster(nil))
			expectMismatch(t, e, 3, ErrEon)
		})
	}
}

// TestVerifierEonWaitsForFinalSet: a batch of eon 1 naming an origin at
// or above set 1's activation, while set 1 is not final, cannot be
// judged: the verifier waits (ErrWaiting), and once the set is final, it
// is ErrEon.
func TestVerifierEonWaitsForFinalSet(t *testing.T) {
	t.Parallel()
	e := newChainEnv(t)
	act := switchEons(e)
	e.build(batchSpec{txs: standardTxs, originAt: act, eon: testEon})
	e.postAll(e.startPoster(nil))
	if _, final, err := l1.NewEons(e.l1, e.c).KeyperSet(e.ctx, testEon+1); err != nil || final {
		t.Fatalf("set 1 is final already (%v): the test needs it not to be", err)
	}
	v := e.verifier("", nil)
	if n, err := v.Run(context.Background()); err != nil || n != 2 {
		t.Fatalf("verified %d batches, then %v", n, err)
	}
	if _, err := v.VerifyNext(context.Background()); !errors.Is(err, ErrWaiting) {
		t.Fatalf("batch 3 before set 1 is final: %v", err)
	}
	e.finalize()
	_, err := v.VerifyNext(context.Background())
	var mm *Mismatch
	if !errors.As(err, &mm) || mm.Batch != 3 || !errors.Is(err, ErrEon) {
		t.Fatalf("batch 3 once set 1 is final: %v", err)
	}
}

// TestVerifierFindsKeyOfAnotherSet: set 0 votes eon 2's key before set 1
// exists (KeyBroadcast lets a set vote any eon until the next set is
// active); a batch of eon 2 at an origin in set 1's range, attested under
// that key, is ErrEon: eon 2 is set 1's to vote.
func TestVerifierFindsKeyOfAnotherSet(t *testing.T) {
	t.Parallel()
	e := newChainEnv(t)
	buildStandard(e, 2)
	e.voteEon(0, testEon+1)
	act := e.head() + 3
	e.addSet(act) // set 1, with no eon of its own: eon 2 has a key already
	e.until(act)
	e.finalize()
	e.build(batchSpec{txs: standardTxs})
	if c := e.batches[2].b.Commitment; c.Eon != testEon+1 || c.L1OriginNumber < act {
		t.Fatalf("batch 3: eon %d, origin %d", c.Eon, c.L1OriginNumber)
	}
	e.postAll(e.startPoster(nil))
	expectMismatch(t, e, 3, ErrEon)
}
