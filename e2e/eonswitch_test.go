package e2e

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/veil-l2/veil/devnet"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/l1"
	"github.com/veil-l2/veil/ordering"
)

// TestEonSwitch: a keyper-set change on L1: the new committee takes over
// at its activation block and clients follow the new eon key without
// losing a transaction. Senders keep sending while a second committee is
// added on L1, runs its DKG and votes its key; the chain switches to the
// new eon at the first batch whose L1 origin reaches the activation block,
// chained to the last batch of the old eon; every acknowledged
// transaction executes in receipt order. Then the old committee stops and
// the chain goes on, the sequencer restarts in the new eon, and every
// batch, of both eons, is posted on L1.
func TestEonSwitch(t *testing.T) {
	d, url := start(t, devnet.Config{DevAccounts: 8})
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	senders := []*sender{newSender(t, ctx, url, 0, 4), newSender(t, ctx, url, 1, 5), newSender(t, ctx, url, 2, 6),
		newSender(t, ctx, url, 3, 7)}
	all := sendAll(t, ctx, senders, 2)
	waitExecuted(t, ctx, url, all)

	// Senders keep sending across the switch.
	var mu sync.Mutex
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan error, len(senders))
	for _, s := range senders {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				x, err := s.send(ctx)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				all = append(all, x)
				mu.Unlock()
			}
		})
	}
	eon, err := d.AddKeyperSet(ctx, 3, 2, 4)
	if err != nil {
		t.Fatal(err)
	}
	sets, err := l1.KeyperSets(ctx, d.L1, d.Contracts)
	if err != nil || len(sets) != 2 {
		t.Fatalf("keyper sets on L1: %+v %v", sets, err)
	}
	activation := sets[1].ActivationBlock
	t.Logf("eon %d key final on L1; its keyper set is active from L1 block %d", eon, activation)
	// Until batches of the new eon execute, and a few more sends after.
	seq := d.Sequencer()
	for batchEon(t, seq, seq.Executed()) != eon {
		select {
		case <-ctx.Done():
			t.Fatal("no batch of the new eon executed")
		case err := <-errs:
			t.Fatal(err)
		case <-time.After(200 * time.Millisecond):
		}
	}
	mu.Lock()
	sentBy := len(all)
	mu.Unlock()
	for {
		mu.Lock()
		n := len(all)
		mu.Unlock()
		if n >= sentBy+2*len(senders) {
			break
		}
		select {
		case err := <-errs:
			t.Fatal(err)
		case <-time.After(100 * time.Millisecond):
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	waitExecuted(t, ctx, url, all)
	keys := map[uint64]*tpke.EonPublicKey{}
	for e := uint64(1); e <= eon; e++ {
		raw, err := l1.NewEonKeys(d.L1, d.Contracts).EonKey(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		if keys[e], err = tpke.ParseEonPublicKey(raw); err != nil {
			t.Fatal(err)
		}
	}
	first := checkEons(t, seq, keys, eon, activation)
	t.Logf("%d transactions acknowledged across the switch; eon %d began at batch %d", len(all), eon, first)

	// The old committee leaves; the chain goes on.
	for i := range 5 {
		d.StopKeyper(i)
	}
	all = append(all, sendAll(t, ctx, senders, 2)...)
	waitExecuted(t, ctx, url, all)

	// The sequencer restarts in the new eon.
	d.StopSequencer()
	if err := d.StartSequencer(); err != nil {
		t.Fatal(err)
	}
	all = append(all, sendAll(t, ctx, senders, 2)...)
	top := waitExecuted(t, ctx, url, all)
	checkEons(t, d.Sequencer(), keys, eon, activation)
	waitPosted(t, ctx, d, top)
}

// batchEon is the eon of an executed batch (0 for none).
func batchEon(t *testing.T, s *ordering.Sequencer, n uint64) uint64 {
	t.Helper()
	if n == 0 {
		return 0
	}
	eb, err := s.ExecutedBatch(n)
	if err != nil {
		t.Fatal(err)
	}
	return eb.Batch.Commitment.Eon
}

// checkEons checks every executed batch: its eon is the one active at its
// L1 origin (eon-1 before activation, eon from it on), its keys are of
// that eon with an attestation under its key on L1, and each batch chains to the
// one before, across the switch. It returns the new eon's first batch.
func checkEons(t *testing.T, s *ordering.Sequencer, keys map[uint64]*tpke.EonPublicKey, eon, activation uint64) uint64 {
	t.Helper()
	var prev common.Hash
	var first uint64
	for n := uint64(1); n <= s.Executed(); n++ {
		eb, err := s.ExecutedBatch(n)
		if err != nil {
			t.Fatal(err)
		}
		c := eb.Batch.Commitment
		want := eon - 1
		if c.L1OriginNumber >= activation {
			want = eon
		}
		if c.Eon != want || eb.Keys.Eon != c.Eon {
			t.Fatalf("batch %d with L1 origin %d is of eon %d (keys of eon %d), want eon %d", n, c.L1OriginNumber, c.Eon, eb.Keys.Eon, want)
		}
		if c.Parent != prev {
			t.Fatalf("batch %d does not chain to batch %d", n, n-1)
		}
		prev = c.Hash()
		if first == 0 && c.Eon == eon {
			first = n
			if n == 1 {
				t.Fatal("the new eon began at batch 1")
			}
		}
		if err := eb.Keys.VerifyAttestation(keys[c.Eon]); err != nil {
			t.Fatalf("batch %d: attestation under eon %d's key: %v", n, c.Eon, err)
		}
	}
	if first == 0 {
		t.Fatal("no batch of the new eon")
	}
	return first
}
