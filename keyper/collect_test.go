package keyper

import (
	"crypto/ecdsa"
	"errors"
	"slices"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/veil-l2/veil/encmempool/tpke"
)

// collectorFixture is a committee of five signing keys over the env's DKG
// results, and a collector for it.
func collectorFixture(t *testing.T, e *env) (*Collector, []*ecdsa.PrivateKey) {
	t.Helper()
	keys := make([]*ecdsa.PrivateKey, 5)
	members := make([]common.Address, 5)
	for i := range keys {
		keys[i], _ = crypto.GenerateKey()
		members[i] = crypto.PubkeyToAddress(keys[i].PublicKey)
	}
	col, err := NewCollector(CollectorConfig{ChainID: chainID, Eon: eon, Threshold: 3, Members: members,
		EonKey: e.results[0].EonPublicKey, PublicShares: e.results[0].PublicShares, Registry: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	return col, keys
}

func sharesOf(t *testing.T, e *env, key *ecdsa.PrivateKey, k int, rel *Release) *ShareMessage {
	t.Helper()
	m := &ShareMessage{ChainID: chainID, Eon: eon, Number: rel.Number, Hash: rel.Hash, Keyper: uint32(k),
		Shares: Shares(e.results[k].Share, tpke.NewPointCache(8), rel)}
	if err := m.Sign(key); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCollectorRules(t *testing.T) {
	e := newEnv(t, 2)
	col, keys := collectorFixture(t, e)
	tx0, _ := e.envelope(0, eon)
	tx1, _ := e.envelope(1, eon)
	b1 := e.batchOf(1, common.Hash{}, []*types.Transaction{tx0, tx1}, nil)
	rel1, _ := Classify(e.config(), b1, memReleased{})
	b2 := e.batchOf(2, rel1.Hash, nil, nil)
	rel2, _ := Classify(e.config(), b2, memReleased{})

	// Shares for batch 2 arrive before it is expected: buffered, used at Expect.
	for k := range 3 {
		if got, err := col.Add(sharesOf(t, e, keys[k], k, rel2)); got != nil || err != nil {
			t.Fatalf("early message: %v %v", got, err)
		}
	}
	if _, err := col.Expect(rel1); err != nil {
		t.Fatal(err)
	}
	// Signed by a key outside the committee, or claiming another index.
	stranger, _ := crypto.GenerateKey()
	if _, err := col.Add(sharesOf(t, e, stranger, 0, rel1)); !errors.Is(err, ErrUnknownKeyper) {
		t.Fatalf("stranger: %v", err)
	}
	if _, err := col.Add(sharesOf(t, e, keys[1], 0, rel1)); !errors.Is(err, ErrUnknownKeyper) {
		t.Fatalf("wrong index: %v", err)
	}
	// Another hash for the awaited number.
	other := *rel1
	other.Hash = common.Hash{0xee}
	if _, err := col.Add(sharesOf(t, e, keys[3], 3, &other)); !errors.Is(err, ErrConflictingRelease) {
		t.Fatalf("conflicting release: %v", err)
	}
	// Keyper 4's shares for batch 1 under its own key but of keyper 3's
	// secret: signed, yet wrong.
	wrong := sharesOf(t, e, keys[4], 3, rel1)
	wrong.Keyper = 4
	wrong.Sign(keys[4])
	if _, err := col.Add(wrong); !errors.Is(err, ErrBadShares) {
		t.Fatalf("wrong shares: %v", err)
	}
	// A bad sender may not try again for the batch.
	if got, err := col.Add(sharesOf(t, e, keys[4], 4, rel1)); got != nil || err != nil {
		t.Fatalf("second message of a reported keyper: %v %v", got, err)
	}
	var got *BatchKeys
	for k := range 3 {
		m := sharesOf(t, e, keys[k], k, rel1)
		keys1, err := col.Add(m)
		if err != nil {
			t.Fatal(err)
		}
		if again, err := col.Add(m); again != nil || err != nil {
			t.Fatalf("duplicate: %v %v", again, err)
		}
		if keys1 != nil {
			got = keys1
		}
	}
	if got == nil || len(got.Keys) != 2 || got.Number != 1 {
		t.Fatalf("keys of batch 1: %+v", got)
	}
	// Batch 2's buffered shares complete it at Expect.
	keys2, err := col.Expect(rel2)
	if err != nil || keys2 == nil || len(keys2.Keys) != 0 {
		t.Fatalf("batch 2 from buffered shares: %+v %v", keys2, err)
	}
	if err := tpke.VerifyBatchSignature(e.results[0].EonPublicKey, chainID, eon, 2, rel2.Hash, keys2.Attestation); err != nil {
		t.Fatal(err)
	}
	// Far ahead of anything expected: refused, not buffered.
	far := *rel2
	far.Number = 100
	if _, err := col.Add(sharesOf(t, e, keys[0], 0, &far)); !errors.Is(err, ErrUnexpectedBatch) {
		t.Fatalf("far ahead: %v", err)
	}
}

// TestCollectorSpareTakesAFailedPlace: a message that arrives while
// enough others are valid or being checked is kept aside, unchecked; when
// a message being checked fails, the spare is checked in its place and
// completes the keys.
func TestCollectorSpareTakesAFailedPlace(t *testing.T) {
	e := newEnv(t, 2)
	col, keys := collectorFixture(t, e)
	tx0, _ := e.envelope(0, eon)
	b := e.batchOf(1, common.Hash{}, []*types.Transaction{tx0}, nil)
	rel, _ := Classify(e.config(), b, memReleased{})
	if _, err := col.Expect(rel); err != nil {
		t.Fatal(err)
	}
	for k := 1; k <= 2; k++ {
		if got, err := col.Add(sharesOf(t, e, keys[k], k, rel)); got != nil || err != nil {
			t.Fatalf("keyper %d: %v %v", k, got, err)
		}
	}
	// Keyper 0's message is being checked (by another caller, say), so
	// keyper 3's waits as a spare.
	bad := sharesOf(t, e, keys[0], 0, rel)
	bad.Shares = append([]byte(nil), sharesOf(t, e, keys[4], 4, rel).Shares...) // someone else's shares
	if err := bad.Sign(keys[0]); err != nil {
		t.Fatal(err)
	}
	col.mu.Lock()
	w := col.waiting[1]
	w.from[0] = true
	w.checking++
	col.mu.Unlock()
	if got, err := col.Add(sharesOf(t, e, keys[3], 3, rel)); got != nil || err != nil {
		t.Fatalf("spare: %v %v", got, err)
	}
	if n := testutil.ToFloat64(col.metrics.messages.WithLabelValues("spare")); n != 1 || len(w.spare) != 1 {
		t.Fatalf("%v spare messages counted, %d kept; want 1", n, len(w.spare))
	}
	keysOut, err := col.check(w, col.eons[eon], spareMessage{k: 0, m: bad, signer: crypto.PubkeyToAddress(keys[0].PublicKey)})
	if err != nil || keysOut == nil {
		t.Fatalf("the spare did not complete the keys: %v %v", keysOut, err)
	}
	if !slices.Contains(keysOut.Signers, 3) || slices.Contains(keysOut.Signers, 0) {
		t.Fatalf("keys from signers %v, want keyper 3's and not keyper 0's", keysOut.Signers)
	}
	if col.Reported()[0] != 1 {
		t.Fatalf("reported %v, want keyper 0 once", col.Reported())
	}
}
