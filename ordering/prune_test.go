package ordering

import (
	"crypto/ecdsa"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/ordering/batch"
	bolt "go.etcd.io/bbolt"
)

func TestPruneBound(t *testing.T) {
	for _, c := range []struct {
		name           string
		executed, want uint64
	}{
		{"nothing executed", 0, 0},
		{"within the margin", retainBatches, 0},
		{"one past the margin", retainBatches + 1, 1},
		{"far past the margin", 5000, 5000 - retainBatches},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := pruneBound(c.executed)
			if got != c.want {
				t.Fatalf("pruneBound(%d) = %d, want %d", c.executed, got, c.want)
			}
			// retainBatches below the executed batch are kept.
			if got != 0 && c.executed-got < retainBatches {
				t.Fatalf("pruneBound(%d) = %d keeps fewer than %d executed batches", c.executed, got, retainBatches)
			}
		})
	}
}

// TestPruneLog: the sequencer prunes once every pruneEvery executed
// batches, below retainBatches under the executed one, at most
// prunePerCall batches a call; the batches not executed stay.
func TestPruneLog(t *testing.T) {
	st, err := openStore(filepath.Join(t.TempDir(), "batches.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.close()
	st.db.NoSync = true // a test log of a thousand batches
	key, _ := crypto.GenerateKey()
	const executed, last = retainBatches + 5*pruneEvery, retainBatches + 5*pruneEvery + 8
	for n := uint64(1); n <= last; n++ {
		c := testLogContent(t, key, n)
		if err := st.putBatch(n, c.raw, c.ids, c.receipts); err != nil {
			t.Fatal(err)
		}
	}
	s := &Sequencer{store: st, log: testLogger()}
	first := func() uint64 {
		t.Helper()
		for n := uint64(1); n <= last; n++ {
			if raw, _, err := st.batch(n); err != nil || len(raw) > 0 {
				return n
			}
		}
		t.Fatal("every batch pruned")
		return 0
	}
	for _, c := range []struct {
		name      string
		executed  uint64
		wantFirst uint64
	}{
		{"not a multiple of pruneEvery", executed - 1, 1},
		{"first call", executed, 1 + prunePerCall},
		{"second call", executed, executed - retainBatches},
		{"nothing left below the bound", executed, executed - retainBatches},
	} {
		s.mu.Lock()
		s.executed = c.executed
		s.mu.Unlock()
		s.pruneLog()
		if got := first(); got != c.wantFirst {
			t.Fatalf("%s (executed %d): first batch kept %d, want %d", c.name, c.executed, got, c.wantFirst)
		}
	}
	for n := uint64(executed - retainBatches); n <= last; n++ {
		if raw, _, err := st.batch(n); err != nil || len(raw) == 0 {
			t.Fatalf("batch %d pruned (executed %d): %v", n, executed, err)
		}
	}
}

// logContent is what the store test writes for batch n: two receipts and
// two keyed identities, eon 1 up to batch 100 and eon 2 after.
type logContent struct {
	raw      []byte
	eon      uint64
	ids      []tpke.Identity
	receipts []encmempool.Receipt
}

func testLogContent(t *testing.T, key *ecdsa.PrivateKey, n uint64) logContent {
	t.Helper()
	eon := uint64(1)
	if n > 100 {
		eon = 2
	}
	signed, err := batch.Sign(batch.Commitment{Version: batch.Version, ChainID: testChainID, Eon: eon, Number: n, BaseFee: big.NewInt(1)}, key)
	if err != nil {
		t.Fatal(err)
	}
	b, err := batch.New(signed, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := b.Encode()
	if err != nil {
		t.Fatal(err)
	}
	c := logContent{raw: raw, eon: eon}
	for i := range uint64(2) {
		c.ids = append(c.ids, tpke.Identity{byte(n >> 8), byte(n), byte(i), 0xd1})
		c.receipts = append(c.receipts, encmempool.Receipt{ChainID: testChainID, Seq: 2*n + i, Hash: common.Hash{byte(n >> 8), byte(n), byte(i), 0x7e},
			Time: n, Signature: make([]byte, crypto.SignatureLength)})
	}
	return c
}

// testLog opens a new log and writes batches 1..last of testLogContent
// (with a keys message each when keys is set).
func testLog(t *testing.T, last uint64, keys bool) (*store, string, map[uint64]logContent) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "batches.db")
	st, err := openStore(path)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := crypto.GenerateKey()
	content := map[uint64]logContent{}
	for n := uint64(1); n <= last; n++ {
		c := testLogContent(t, key, n)
		content[n] = c
		if err := st.putBatch(n, c.raw, c.ids, c.receipts); err != nil {
			t.Fatal(err)
		}
		if !keys {
			continue
		}
		if err := st.putKeys(n, []byte{byte(n)}); err != nil {
			t.Fatal(err)
		}
	}
	return st, path, content
}

// TestStorePrune: batches, keys and receipts below the bound go, at most
// prunePerCall batches a call; identities go only for eons before the
// bound's; everything from the bound up stays, and the log reads back
// (state, keyedView) as before.
func TestStorePrune(t *testing.T) {
	const last = 200
	st, path, content := testLog(t, last, true)
	defer func() { st.close() }()
	// Batch 160 carries batch 5's first transaction again (dropped at its
	// slot and admitted again): its receipt replaces batch 5's.
	again := content[5].receipts[0]
	again.Seq = 10_000
	if err := st.db.Update(func(tx *bolt.Tx) error {
		enc, _ := again.MarshalBinary()
		return tx.Bucket(bucketReceipts).Put(again.Hash[:], enc)
	}); err != nil {
		t.Fatal(err)
	}
	// Batch 3 was logged before the indexes existed.
	if err := st.db.Update(func(tx *bolt.Tx) error {
		return errors.Join(tx.Bucket(bucketBatchTxs).Delete(u64(3)), tx.Bucket(bucketBatchIDs).Delete(u64(3)))
	}); err != nil {
		t.Fatal(err)
	}
	if err := st.setExecuted(180); err != nil {
		t.Fatal(err)
	}

	const below = 150
	// prunedUpTo is the highest batch number the calls so far pruned.
	check := func(prunedUpTo uint64) {
		t.Helper()
		for n := uint64(1); n <= last; n++ {
			c := content[n]
			raw, keys, err := st.batch(n)
			if err != nil {
				t.Fatal(err)
			}
			gone := n <= prunedUpTo
			if gone != (len(raw) == 0) || gone != (len(keys) == 0) {
				t.Fatalf("after pruning up to %d: batch %d has %d bytes and keys %x", prunedUpTo, n, len(raw), keys)
			}
			for i, r := range c.receipts {
				got, err := st.receipt(r.Hash)
				switch {
				case n == 5 && i == 0:
					if err != nil || got.Seq != again.Seq {
						t.Fatalf("batch 160's receipt of a transaction of batch 5: %+v, %v", got, err)
					}
				case gone && n != 3:
					if !errors.Is(err, ErrUnknownTx) {
						t.Fatalf("receipt %d of pruned batch %d: %+v, %v", i, n, got, err)
					}
				default:
					if err != nil || got.Seq != r.Seq {
						t.Fatalf("receipt %d of batch %d (pruned up to %d): %+v, %v", i, n, prunedUpTo, got, err)
					}
				}
			}
			// Eon 1 ends at batch 100 (batch 150 is of eon 2): its
			// identities go at once, batch 3's too, when the last of its
			// batch-ids entries is pruned.
			idGone := c.eon == 1 && prunedUpTo >= 100
			for _, id := range c.ids {
				seen, err := st.keyed(id)
				if err != nil {
					t.Fatal(err)
				}
				if seen == idGone {
					t.Fatalf("after pruning up to %d: identity of batch %d (eon %d) seen: %v", prunedUpTo, n, c.eon, seen)
				}
				if !idGone && !(keyedView{s: st, below: n + 1}).Released(id) {
					t.Fatalf("identity of batch %d not released before batch %d", n, n+1)
				}
			}
		}
	}
	check(0)
	for call, want := range []struct {
		upTo             uint64
		batches, receipt int
		identities       int
	}{
		// 1..64: batch 3 has no receipt index, batch 5 one receipt
		// replaced; identities of 1..64 but 3.
		{64, 64, 2*63 - 1, 2 * 63},
		{128, 64, 2 * 64, 2 * 36}, // identities of 65..100
		{149, 21, 2 * 21, 0},
		{149, 0, 0, 0},
	} {
		p, err := st.prune(below)
		if err != nil {
			t.Fatal(err)
		}
		if p.Batches != want.batches || p.Receipts != want.receipt || p.Identities != want.identities {
			t.Fatalf("call %d: pruned %+v, want %d batches, %d receipts, %d identities", call, p, want.batches, want.receipt, want.identities)
		}
		check(want.upTo)
	}

	// The log reads back as before: the executed mark, the batches above
	// it and the last one.
	st.close()
	st, err := openStore(path)
	if err != nil {
		t.Fatal(err)
	}
	executed, open, lastLogged, err := st.state()
	if err != nil {
		t.Fatal(err)
	}
	if executed != 180 || len(open) != last-180 || open[0].number != 181 || lastLogged == nil || lastLogged.number != last {
		t.Fatalf("state after pruning: executed %d, %d open from %v, last %+v", executed, len(open), open[0].number, lastLogged)
	}
	check(149)
	// Batches keep being logged above.
	key, _ := crypto.GenerateKey() // the store does not check signatures
	c := testLogContent(t, key, last+1)
	if err := st.putBatch(last+1, c.raw, c.ids, c.receipts); err != nil {
		t.Fatal(err)
	}
	if err := st.putBatch(last, content[last].raw, nil, nil); err == nil {
		t.Fatal("batch 200 written twice after pruning")
	}
}

// TestPrunedLogRestarts: with the batch log pruned below the executed
// batch while the sequencer runs (and a batch committed but not executed,
// its keypers below the threshold), the old batches and receipts are gone,
// the recent ones answer, and a restart restores the chain: the waiting
// batch gets its keys and executes, and batches go on with the next
// numbers.
func TestPrunedLogRestarts(t *testing.T) {
	h := newHarness(t, 4)
	for i := range 5 {
		h.startKeyper(i)
	}
	cfg := h.config()
	s := h.openSequencer(cfg, 5)
	accounts := []int{0, 1, 2, 3}
	var old []*encmempool.Receipt
	for range 3 {
		inner, receipts := h.sendEnvelopes(s, accounts, 1)
		h.waitExecuted(s, inner, 30*time.Second)
		old = append(old, receipts...)
	}
	// Which batch holds each receipt.
	executed := s.Executed()
	in := map[common.Hash]uint64{}
	for n := uint64(1); n <= executed; n++ {
		eb, err := s.ExecutedBatch(n)
		if err != nil {
			t.Fatal(err)
		}
		for _, hash := range eb.Batch.Commitment.TxHashes {
			in[hash] = n
		}
	}
	if in[old[0].Hash] >= executed {
		t.Fatalf("the first envelope is in batch %d, the last executed", in[old[0].Hash])
	}

	// Three keypers down: the next batch is committed, not executed.
	for i := 2; i < 5; i++ {
		h.stopKeyper(i)
	}
	waiting, waitingReceipts := h.sendEnvelopes(s, accounts, 1)
	deadline := time.Now().Add(20 * time.Second)
	for {
		s.mu.Lock()
		committed := s.next - 1
		s.mu.Unlock()
		if committed > executed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no batch committed with the keypers down")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if s.Executed() != executed {
		t.Fatalf("batch %d executed with two keypers", s.Executed())
	}
	p, err := s.store.prune(executed)
	if err != nil {
		t.Fatal(err)
	}
	if p.Batches != int(executed-1) {
		t.Fatalf("pruned %d batches below %d", p.Batches, executed)
	}
	checkReceipts := func(s *Sequencer) {
		t.Helper()
		for _, r := range old {
			got, err := s.Receipt(r.Hash)
			if in[r.Hash] < executed {
				if !errors.Is(err, ErrUnknownTx) {
					t.Fatalf("receipt of a transaction of pruned batch %d: %+v, %v", in[r.Hash], got, err)
				}
			} else if err != nil || got.Seq != r.Seq {
				t.Fatalf("receipt of a transaction of batch %d: %+v, %v", in[r.Hash], got, err)
			}
		}
		for _, r := range waitingReceipts {
			if got, err := s.Receipt(r.Hash); err != nil || got.Seq != r.Seq {
				t.Fatalf("receipt of a committed transaction not executed: %+v, %v", got, err)
			}
		}
	}
	checkReceipts(s)
	if _, err := s.ExecutedBatch(executed - 1); !errors.Is(err, ErrStore) {
		t.Fatalf("pruned batch %d read back: %v", executed-1, err)
	}
	if _, err := s.ExecutedBatch(executed); err != nil {
		t.Fatal(err)
	}

	h.closeSequencer(s)
	for i := 2; i < 5; i++ {
		h.startKeyper(i)
	}
	cfg.Registry = prometheus.NewRegistry()
	s = h.openSequencer(cfg, 5)
	checkReceipts(s)
	h.waitExecuted(s, waiting, 30*time.Second)
	more, _ := h.sendEnvelopes(s, accounts, 1)
	h.waitExecuted(s, more, 30*time.Second)
	// One chain from the last batch kept on: consecutive numbers, each
	// the child of the one before.
	prev, err := s.ExecutedBatch(executed)
	if err != nil {
		t.Fatal(err)
	}
	for n := executed + 1; n <= s.Executed(); n++ {
		eb, err := s.ExecutedBatch(n)
		if err != nil {
			t.Fatal(err)
		}
		if c := &eb.Batch.Commitment; c.Number != n || c.Parent != prev.Batch.Commitment.Hash() {
			t.Fatalf("batch %d: number %d, parent %s, want the hash of batch %d", n, c.Number, c.Parent, n-1)
		}
		prev = eb
	}
	if s.Executed() < executed+2 {
		t.Fatalf("executed %d after the restart, want at least %d", s.Executed(), executed+2)
	}
}

// TestStoreIdentityIndexRecovers: the keyed identities' index is rebuilt
// from the batch-ids entries when it is deleted, and an older log's
// identities bucket (batches logged before the batch-ids entries existed)
// is moved into it and deleted: every keyed identity is found after the
// reopen, with the number of the batch that keys it, and nothing else.
func TestStoreIdentityIndexRecovers(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		const last = 130 // eons 1 and 2
		st, path, content := testLog(t, last, false)
		if legacy {
			// Batches 1..40 as an older sequencer logged them: identities
			// in their own bucket, no batch-ids entries.
			err := st.db.Update(func(tx *bolt.Tx) error {
				ids, err := tx.CreateBucket(bucketIdentities)
				if err != nil {
					return err
				}
				for n := uint64(1); n <= 40; n++ {
					for _, id := range content[n].ids {
						if err := ids.Put(id[:], u64(n)); err != nil {
							return err
						}
					}
					if err := tx.Bucket(bucketBatchIDs).Delete(u64(n)); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		st.close()
		for _, eon := range []uint64{1, 2} {
			if err := os.Remove(st.ids.Path(eon)); err != nil {
				t.Fatal(err)
			}
		}
		st, err := openStore(path)
		if err != nil {
			t.Fatal(err)
		}
		for n := uint64(1); n <= last; n++ {
			for _, id := range content[n].ids {
				if seen, err := st.keyed(id); err != nil || !seen {
					t.Fatalf("legacy %v: identity of batch %d: %v %v", legacy, n, seen, err)
				}
				if (keyedView{s: st, below: n}).Released(id) || !(keyedView{s: st, below: n + 1}).Released(id) {
					t.Fatalf("legacy %v: identity of batch %d released before the wrong batch", legacy, n)
				}
			}
		}
		if seen, _ := st.keyed(tpke.Identity{0xee}); seen {
			t.Fatal("an identity never keyed is seen")
		}
		st.db.View(func(tx *bolt.Tx) error {
			if tx.Bucket(bucketIdentities) != nil {
				t.Error("the older log's identities bucket is still there")
			}
			return nil
		})
		st.close()
	}
}
