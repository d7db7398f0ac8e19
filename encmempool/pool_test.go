package encmempool_test

import (
	"bytes"
	"crypto/ecdsa"
	"errors"
	"math/big"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/tpke"
)

// testTime is the arrival time of the pool tests' transactions.
var testTime = time.UnixMilli(1_700_000_000_000)

func poolConfig() encmempool.PoolConfig {
	return encmempool.PoolConfig{ChainID: testChainID, SequencerKey: sequencerKey}
}

func openPool(tb testing.TB, path string, cfg encmempool.PoolConfig) *encmempool.Pool {
	tb.Helper()
	p, err := encmempool.OpenPool(path, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func mustAdd(tb testing.TB, p *encmempool.Pool, h encmempool.Head, tx *types.Transaction) *encmempool.Receipt {
	tb.Helper()
	r, err := p.Add(tx, h, testTime)
	if err != nil {
		tb.Fatalf("Add(nonce %d): %v", tx.Nonce(), err)
	}
	return r
}

// checkOrder checks that the pool's pending entries are exactly the
// receipts, in sequence order from first, each receipt verifying.
func checkOrder(t *testing.T, p *encmempool.Pool, first uint64, receipts map[common.Hash]*encmempool.Receipt) {
	t.Helper()
	pending := p.Pending(0, 0)
	if len(pending) != len(receipts) {
		t.Fatalf("%d pending, %d receipts", len(pending), len(receipts))
	}
	for i, e := range pending {
		if e.Seq != first+uint64(i) {
			t.Fatalf("pending[%d] has seq %d, want %d", i, e.Seq, first+uint64(i))
		}
		r := receipts[e.Tx.Hash()]
		if r == nil {
			t.Fatalf("pending seq %d has no receipt", e.Seq)
		}
		if r.Seq != e.Seq || r.Hash != e.Tx.Hash() || e.Receipt.Seq != e.Seq || !bytes.Equal(e.Receipt.Signature, r.Signature) {
			t.Fatalf("seq %d: receipt %+v, entry receipt %+v", e.Seq, r, e.Receipt)
		}
		if err := r.Verify(addrOf(sequencerKey)); err != nil {
			t.Fatal(err)
		}
		got, ok := p.Receipt(r.Hash)
		if !ok || got.Seq != r.Seq || got.Time != r.Time || !bytes.Equal(got.Signature, r.Signature) {
			t.Fatalf("Receipt(%s) = %+v, %v", r.Hash, got, ok)
		}
	}
}

// TestPoolConcurrentOrder: concurrent Adds from many senders get distinct,
// consecutive sequence numbers; Pending lists them in that order, each
// sender's nonces increase along it, and receipt times never go back.
func TestPoolConcurrentOrder(t *testing.T) {
	const senders, perSender = 8, 25
	keys := make([]*ecdsa.PrivateKey, senders)
	for i := range keys {
		keys[i] = testKey(byte(30 + i))
	}
	h := newHead(keys...)
	p := openPool(t, filepath.Join(t.TempDir(), "pool.db"), poolConfig())
	defer p.Close()

	var (
		mu       sync.Mutex
		receipts = map[common.Hash]*encmempool.Receipt{}
		wg       sync.WaitGroup
	)
	for _, k := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range uint64(perSender) {
				tx := plain(t, k, n, nil)
				r, err := p.Add(tx, h, testTime.Add(time.Duration(n)*time.Millisecond))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				receipts[tx.Hash()] = r
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	checkOrder(t, p, 0, receipts)
	last := map[common.Address]int64{}
	var lastTime uint64
	for _, e := range p.Pending(0, 0) {
		if prev, ok := last[e.Sender]; ok && int64(e.Tx.Nonce()) != prev+1 {
			t.Fatalf("sender %s: nonce %d after %d", e.Sender, e.Tx.Nonce(), prev)
		}
		last[e.Sender] = int64(e.Tx.Nonce())
		if e.Receipt.Time < lastTime {
			t.Fatalf("seq %d: receipt time %d before %d", e.Seq, e.Receipt.Time, lastTime)
		}
		lastTime = e.Receipt.Time
	}
	if p.NextSeq() != senders*perSender || p.Len() != senders*perSender {
		t.Fatalf("next seq %d, len %d", p.NextSeq(), p.Len())
	}
}

// TestPoolSameSenderRace: concurrent Adds of the same nonce from one
// sender: exactly one is admitted, the others see it pending.
func TestPoolSameSenderRace(t *testing.T) {
	alice := testKey(20)
	h := newHead(alice)
	p := openPool(t, filepath.Join(t.TempDir(), "pool.db"), poolConfig())
	defer p.Close()
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Different values: different transactions with nonce 0.
			_, errs[i] = p.Add(plain(t, alice, 0, func(d *types.DynamicFeeTx) { d.Value = big.NewInt(int64(i)) }), h, testTime)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, encmempool.ErrNonceTooLow):
			t.Fatalf("want ErrNonceTooLow, got %v", err)
		}
	}
	if ok != 1 || p.Len() != 1 {
		t.Fatalf("%d admitted, %d held", ok, p.Len())
	}
}

// TestPoolRejects: the rejections that need the pool itself.
func TestPoolRejects(t *testing.T) {
	alice := testKey(20)
	h := newHead(alice, payerKey)
	cfg := poolConfig()
	cfg.MaxPending = 3
	p := openPool(t, filepath.Join(t.TempDir(), "pool.db"), cfg)
	defer p.Close()

	first := plain(t, alice, 0, nil)
	mustAdd(t, p, h, first)
	if _, err := p.Add(first, h, testTime); !errors.Is(err, encmempool.ErrKnownTx) {
		t.Fatalf("the same transaction again: %v", err)
	}
	// Two envelopes under one identity (same prefix), different nonces.
	mustAdd(t, p, h, envelopeTx(t, 0, 100_000, 9, nil))
	if _, err := p.Add(envelopeTx(t, 1, 100_001, 9, nil), h, testTime); !errors.Is(err, encmempool.ErrIdentitySeen) {
		t.Fatalf("identity twice in the pool: %v", err)
	}
	// Pending spend: alice can afford exactly one more transfer.
	c := cost(plain(t, alice, 1, nil))
	h.set(addrOf(alice), 0, new(big.Int).Add(cost(first), c))
	if _, err := p.Add(plain(t, alice, 1, func(d *types.DynamicFeeTx) { d.Value = big.NewInt(2) }), h, testTime); !errors.Is(err, encmempool.ErrInsufficientFunds) {
		t.Fatalf("spending beyond pending: %v", err)
	}
	if _, err := p.Add(plain(t, alice, 2, nil), h, testTime); !errors.Is(err, encmempool.ErrNonceGap) {
		t.Fatalf("nonce gap past pending: %v", err)
	}
	// Identities the head knows (forced from L1) count too.
	env := envelopeTx(t, 1, 100_000, 10, nil)
	parsed, err := encmempool.ParseEnvelope(env, testSigner, testInbox, encmempool.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	h.seen[parsed.Identity] = true
	if _, err := p.Add(env, h, testTime); !errors.Is(err, encmempool.ErrIdentitySeen) {
		t.Fatalf("identity the head has seen: %v", err)
	}
	mustAdd(t, p, h, plain(t, alice, 1, nil))
	if _, err := p.Add(plain(t, testKey(21), 0, nil), h, testTime); !errors.Is(err, encmempool.ErrPoolFull) {
		t.Fatalf("full pool: %v", err)
	}
	// Rules for another chain are a programming error, not a user's.
	bad := newHead(alice)
	bad.rules.ChainID = otherChainID
	if _, err := p.Add(plain(t, alice, 2, nil), bad, testTime); !errors.Is(err, encmempool.ErrPoolConfig) {
		t.Fatalf("rules for another chain: %v", err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Add(plain(t, alice, 2, nil), h, testTime); !errors.Is(err, encmempool.ErrClosed) {
		t.Fatalf("Add after Close: %v", err)
	}
}

// TestPoolCutDoneReopen walks the batch cycle across restarts: cut, crash
// before done (nothing lost), done, and the accounting after execution.
func TestPoolCutDoneReopen(t *testing.T) {
	alice, bob := testKey(20), testKey(22)
	h := newHead(alice, bob, payerKey)
	path := filepath.Join(t.TempDir(), "pool.db")
	reg := prometheus.NewRegistry()
	cfg := poolConfig()
	cfg.Registry = reg
	p := openPool(t, path, cfg)

	receipts := map[common.Hash]*encmempool.Receipt{}
	add := func(p *encmempool.Pool, tx *types.Transaction) {
		receipts[tx.Hash()] = mustAdd(t, p, h, tx)
	}
	for n := range uint64(3) {
		add(p, plain(t, alice, n, nil))
		add(p, plain(t, bob, n, nil))
	}
	env := envelopeTx(t, 0, 100_000, 11, nil)
	add(p, env)
	parsed, _ := encmempool.ParseEnvelope(env, testSigner, testInbox, encmempool.DefaultLimits)
	checkOrder(t, p, 0, receipts)
	if _, err := p.Add(plain(t, alice, 9, nil), h, testTime); !errors.Is(err, encmempool.ErrNonceGap) {
		t.Fatal(err)
	}
	for _, m := range []struct {
		name, label, value string
		want               float64
	}{
		{"veil_mempool_admitted_total", "kind", encmempool.KindPlaintext, 6},
		{"veil_mempool_admitted_total", "kind", encmempool.KindEnvelope, 1},
		{"veil_mempool_rejected_total", "reason", "nonce_gap", 1},
		{"veil_mempool_rejected_total", "reason", "insufficient_funds", 0},
		{"veil_mempool_pending", "", "", 7},
		{"veil_mempool_uncut", "", "", 7},
	} {
		if got := metricValue(t, reg, m.name, m.label, m.value); got != m.want {
			t.Errorf("%s{%s=%q} = %v, want %v", m.name, m.label, m.value, got, m.want)
		}
	}

	// Cut the first four; Done may not run ahead of the cut.
	batch := p.Cut(4)
	if len(batch) != 4 || batch[0].Seq != 0 || batch[3].Seq != 3 || p.Cursor() != 4 {
		t.Fatalf("cut %d entries, cursor %d", len(batch), p.Cursor())
	}
	if err := p.Done(4); !errors.Is(err, encmempool.ErrNotCut) {
		t.Fatalf("Done past the cut: %v", err)
	}
	// Crash after the cut, before the batch is recorded: everything is
	// still there, and the cursor is back at the oldest entry.
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	p = openPool(t, path, poolConfig())
	checkOrder(t, p, 0, receipts)
	if p.Cursor() != 0 || p.NextSeq() != 7 {
		t.Fatalf("after reopen: cursor %d, next seq %d", p.Cursor(), p.NextSeq())
	}
	if !p.IdentityHeld(parsed.Identity) {
		t.Fatal("envelope identity forgotten on reopen")
	}
	// The sequencer's batch log says seqs 0..3 are in a recorded batch.
	if err := p.Seek(8); !errors.Is(err, encmempool.ErrSeek) {
		t.Fatalf("Seek past the pool: %v", err)
	}
	if err := p.Seek(4); err != nil {
		t.Fatal(err)
	}
	if next := p.Cut(100); len(next) != 3 || next[0].Seq != 4 || !next[2].IsEnvelope || next[2].Identity != parsed.Identity {
		t.Fatalf("cut after seek: %+v", next)
	}
	if next := p.Cut(100); next != nil {
		t.Fatalf("cut of an exhausted pool: %d entries", len(next))
	}

	// The block of seqs 0..3 (alice 0,1 and bob 0,1) executes: the head
	// moves on, then Done.
	h.set(addrOf(alice), 2, nil)
	h.set(addrOf(bob), 2, nil)
	if n := p.NextNonce(addrOf(alice), 2); n != 3 {
		t.Fatalf("alice's pending nonce %d, want 3", n)
	}
	if err := p.Done(3); err != nil {
		t.Fatal(err)
	}
	if err := p.Done(2); err != nil { // already done: a no-op
		t.Fatal(err)
	}
	for _, e := range batch {
		delete(receipts, e.Tx.Hash())
		if _, ok := p.Receipt(e.Tx.Hash()); ok {
			t.Fatalf("seq %d still has a receipt after Done", e.Seq)
		}
	}
	checkOrder(t, p, 4, receipts)
	add(p, plain(t, alice, 3, nil)) // seq 7

	// Reopen once more: the done entries stay gone, numbering continues.
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	p = openPool(t, path, poolConfig())
	defer p.Close()
	checkOrder(t, p, 4, receipts)
	if p.NextSeq() != 8 || p.Cursor() != 4 {
		t.Fatalf("next seq %d, cursor %d", p.NextSeq(), p.Cursor())
	}
	if _, err := p.Add(plain(t, alice, 3, nil), h, testTime); !errors.Is(err, encmempool.ErrKnownTx) {
		t.Fatalf("re-adding a pending transaction after reopen: %v", err)
	}
	if _, err := p.Add(plain(t, alice, 5, nil), h, testTime); !errors.Is(err, encmempool.ErrNonceGap) {
		t.Fatalf("nonce accounting after reopen: %v", err)
	}
	if err := p.Seek(7); err != nil {
		t.Fatal(err)
	}
	h.set(addrOf(alice), 3, nil) // seqs 4..6 executed
	h.set(addrOf(bob), 3, nil)
	h.set(addrOf(payerKey), 1, nil)
	if err := p.Done(6); err != nil {
		t.Fatal(err)
	}
	// The envelope is done: the pool forgets its identity, and the Head
	// (the sequencer's batch log, which keyed it) answers for it.
	if p.IdentityHeld(parsed.Identity) {
		t.Fatal("a done envelope's identity is still held")
	}
	h.seen[parsed.Identity] = true
	if _, err := p.Add(envelopeTx(t, 1, 100_000, 11, nil), h, testTime); !errors.Is(err, encmempool.ErrIdentitySeen) {
		t.Fatalf("identity after Done and reopen: %v", err)
	}
	r := mustAdd(t, p, h, plain(t, bob, 3, nil))
	if r.Seq != 8 {
		t.Fatalf("seq %d, want 8", r.Seq)
	}
}

// TestPoolAccountingAfterExecution: between a block and its Done, entries
// below the state nonce spend nothing more, and the next nonce is the
// state's or the pool's, whichever is higher.
func TestPoolAccountingAfterExecution(t *testing.T) {
	alice := testKey(20)
	h := newHead(alice)
	p := openPool(t, filepath.Join(t.TempDir(), "pool.db"), poolConfig())
	defer p.Close()
	c := cost(plain(t, alice, 0, nil))
	h.set(addrOf(alice), 0, new(big.Int).Mul(c, big.NewInt(3)))
	for n := range uint64(3) {
		mustAdd(t, p, h, plain(t, alice, n, nil))
	}
	if _, err := p.Add(plain(t, alice, 3, nil), h, testTime); !errors.Is(err, encmempool.ErrInsufficientFunds) {
		t.Fatalf("fourth transfer with funds for three: %v", err)
	}
	// Nonces 0 and 1 executed: the balance paid for them, the pool still
	// holds them until Done.
	p.Cut(2)
	h.set(addrOf(alice), 2, new(big.Int).Mul(c, big.NewInt(2)))
	mustAdd(t, p, h, plain(t, alice, 3, nil))
	if n := p.NextNonce(addrOf(alice), 2); n != 4 {
		t.Fatalf("next nonce %d, want 4", n)
	}
	if err := p.Done(1); err != nil {
		t.Fatal(err)
	}
	if n := p.NextNonce(addrOf(alice), 2); n != 4 {
		t.Fatalf("next nonce after Done %d, want 4", n)
	}
	// Had nonce 1 failed in its block (head nonce 1), the pool still
	// counts on from its own highest nonce: no second nonce 2 or 3.
	if n := p.NextNonce(addrOf(alice), 1); n != 4 {
		t.Fatalf("next nonce below the pool's %d, want 4", n)
	}
	if n := p.NextNonce(addrOf(testKey(21)), 5); n != 5 {
		t.Fatalf("next nonce of a sender with nothing pending %d, want 5", n)
	}
}

func TestPoolConfigCheck(t *testing.T) {
	dir := t.TempDir()
	for name, cfg := range map[string]encmempool.PoolConfig{
		"no chain":     {SequencerKey: sequencerKey},
		"no key":       {ChainID: testChainID},
		"negative cap": {ChainID: testChainID, SequencerKey: sequencerKey, MaxPending: -1},
	} {
		if _, err := encmempool.OpenPool(filepath.Join(dir, "x.db"), cfg); !errors.Is(err, encmempool.ErrPoolConfig) {
			t.Errorf("%s: %v", name, err)
		}
	}
	path := filepath.Join(dir, "pool.db")
	p := openPool(t, path, poolConfig())
	p.Close()
	cfg := poolConfig()
	cfg.ChainID = otherChainID
	if _, err := encmempool.OpenPool(path, cfg); !errors.Is(err, encmempool.ErrPoolConfig) {
		t.Fatalf("a pool file of another chain: %v", err)
	}
}

// metricValue reads one counter or gauge from reg.
func metricValue(tb testing.TB, reg *prometheus.Registry, name, label, value string) float64 {
	tb.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		tb.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			match := label == ""
			for _, lp := range m.GetLabel() {
				if lp.GetName() == label && lp.GetValue() == value {
					match = true
				}
			}
			if !match {
				continue
			}
			if c := m.GetCounter(); c != nil {
				return c.GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	tb.Fatalf("no metric %s{%s=%q}", name, label, value)
	return 0
}

// TestPoolWarmsIdentityPoints: with PoolConfig.Points, an admitted
// envelope's identity point is in the cache when Add returns (the
// sequencer's share checks then find it); a plaintext transaction adds
// none.
func TestPoolWarmsIdentityPoints(t *testing.T) {
	alice := testKey(21)
	h := newHead(alice, payerKey)
	cfg := poolConfig()
	cfg.Points = tpke.NewPointCache(16)
	p := openPool(t, filepath.Join(t.TempDir(), "pool.db"), cfg)
	defer p.Close()
	mustAdd(t, p, h, plain(t, alice, 0, nil))
	if n := cfg.Points.Len(); n != 0 {
		t.Fatalf("%d points after a plaintext transaction", n)
	}
	mustAdd(t, p, h, envelopeTx(t, 0, 100_000, 11, nil))
	pending := p.Pending(0, 0)
	if n := cfg.Points.Len(); n != 1 || len(pending) != 2 || !pending[1].IsEnvelope {
		t.Fatalf("%d points, %d pending after an envelope", n, len(pending))
	}
	if got, want := cfg.Points.Point(pending[1].Identity).Bytes(), pending[1].Identity.Point().Bytes(); !bytes.Equal(got, want) {
		t.Fatal("the cached point is not the identity's")
	}
}
