package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/veil-l2/veil/devnet"
)

// TestKeyperFaults: with 2 of 5 keypers stopped the chain goes on; with 3
// stopped it stalls without losing anything (transactions are still
// admitted and ordered) and resumes, in order, when one comes back.
func TestKeyperFaults(t *testing.T) {
	d, url := start(t, devnet.Config{DevAccounts: 8})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	senders := []*sender{newSender(t, ctx, url, 0, 4), newSender(t, ctx, url, 1, 5), newSender(t, ctx, url, 2, 6),
		newSender(t, ctx, url, 3, 7)}

	all := sendAll(t, ctx, senders, 3)
	waitExecuted(t, ctx, url, all)

	d.StopKeyper(3)
	d.StopKeyper(4)
	more := sendAll(t, ctx, senders, 3)
	waitExecuted(t, ctx, url, append(all, more...))
	all = append(all, more...)
	t.Logf("2 of 5 keypers down: %d transactions executed", len(more))

	d.StopKeyper(2)
	stalled := sendAll(t, ctx, senders, 2)
	// Batches are committed every second; several pass without keys.
	head := d.Sequencer().Executed()
	time.Sleep(4 * time.Second)
	executedNone(t, ctx, url, stalled)
	if now := d.Sequencer().Executed(); now != head {
		t.Fatalf("batches executed with 2 of 5 keypers up: %d -> %d", head, now)
	}
	t.Logf("3 of 5 keypers down: %d transactions ordered, none executed, executed batch stays %d", len(stalled), head)

	if err := d.StartKeyper(2); err != nil {
		t.Fatal(err)
	}
	waitExecuted(t, ctx, url, append(all, stalled...))
}

// TestSequencerRestart: the sequencer stops mid-stream and starts again on
// its data directory; every transaction acknowledged before executes in
// receipt order, and sending carries on.
func TestSequencerRestart(t *testing.T) {
	d, url := start(t, devnet.Config{DevAccounts: 8})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	senders := []*sender{newSender(t, ctx, url, 0, 4), newSender(t, ctx, url, 1, 5), newSender(t, ctx, url, 2, 6),
		newSender(t, ctx, url, 3, 7)}
	before := sendAll(t, ctx, senders, 5)
	// Stop at once: some of these are committed and waiting for keys,
	// some still pending in the pool.
	d.StopSequencer()
	if err := d.StartSequencer(); err != nil {
		t.Fatal(err)
	}
	after := sendAll(t, ctx, senders, 3)
	top := waitExecuted(t, ctx, url, append(before, after...))
	waitPosted(t, ctx, d, top)
}

// waitPosted waits until the sequencer counts batch atLeast executed and
// L1 has every executed batch. A block's receipts are served as soon as
// the block is written, a moment before the sequencer counts its batch
// executed: atLeast is the highest block the caller saw a receipt in.
func waitPosted(t *testing.T, ctx context.Context, d *devnet.Devnet, atLeast uint64) {
	t.Helper()
	for {
		executed := d.Sequencer().Executed()
		if executed >= atLeast && d.Poster().Posted() >= executed {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("executed up to batch %d (want at least %d), posted up to %d: %+v",
				executed, atLeast, d.Poster().Posted(), d.Poster().Status())
		case <-time.After(200 * time.Millisecond):
		}
	}
}
