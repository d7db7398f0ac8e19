package l1

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/veil-l2/veil/ordering"
)

// prunedLog is a sequencer's log that holds executed batches from first
// on (it pruned the older ones).
type prunedLog struct {
	tbs   []testBatch
	first uint64
}

func (l prunedLog) Executed() uint64 { return uint64(len(l.tbs)) }

func (l prunedLog) ExecutedBatch(n uint64) (*ordering.ExecutedBatch, error) {
	if n < l.first || n > uint64(len(l.tbs)) {
		return nil, errors.New("batch executed but not in the log")
	}
	tb := l.tbs[n-1]
	return &ordering.ExecutedBatch{Batch: tb.b, Keys: tb.keys, BlockHash: crypto.Keccak256Hash([]byte("block"), u64(n)),
		StateRoot: crypto.Keccak256Hash([]byte("root"), u64(n))}, nil
}

// TestFeedAfterLostPosterDatabase: batches 1 and 2 are on L1; a poster
// with a new database is fed by a sequencer whose log no longer holds
// them: the feed skips to L1's next number and batch 3 is posted. A
// batch missing from the log that L1 does not have stops the feed.
func TestFeedAfterLostPosterDatabase(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	res := committee(t, 1)
	e.setUpEon(1, res)
	tbs := e.chainOf(res, 1, 3, 1)
	cfg := PosterConfig{MaxInFlight: 2, PollInterval: 5 * time.Millisecond, ResubmitAfter: time.Hour}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	first, err := NewPoster(e.chain, e.c, e.seq, filepath.Join(t.TempDir(), "poster.db"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	stop := startPoster(t, first)
	for _, tb := range tbs[:2] {
		if err := first.Enqueue(ctx, e.posting(tb, Flate)); err != nil {
			t.Fatal(err)
		}
	}
	e.waitSent(t, first, 1, 1)
	e.waitSent(t, first, 2, 1)
	e.commit()
	if _, err := first.Wait(ctx, 2); err != nil {
		t.Fatal(err)
	}
	stop()
	first.Close()

	p, err := NewPoster(e.chain, e.c, e.seq, filepath.Join(t.TempDir(), "poster.db"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	startPoster(t, p)
	feedCtx, stopFeed := context.WithCancel(ctx)
	fed := make(chan error, 1)
	go func() { fed <- Feed(feedCtx, p, prunedLog{tbs: tbs, first: 3}, Flate, 5*time.Millisecond, nil) }()
	e.waitSent(t, p, 3, 1)
	e.commit()
	if _, err := p.Wait(ctx, 3); err != nil {
		t.Fatal(err)
	}
	if n := e.nextNumber(); n != 4 {
		t.Fatalf("L1 expects batch %d, want 4", n)
	}
	stopFeed()
	if err := <-fed; err != nil {
		t.Fatalf("feed: %v", err)
	}

	// A gap L1 does not cover is an error, not a skip.
	lost, err := NewPoster(e.chain, e.c, e.seq, filepath.Join(t.TempDir(), "poster.db"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer lost.Close()
	more := e.chainOf(res, 1, 5, 1)
	err = Feed(ctx, lost, prunedLog{tbs: more, first: 5}, Flate, 5*time.Millisecond, nil)
	if err == nil {
		t.Fatal("the feed skipped batch 4, which L1 does not have")
	}
}
