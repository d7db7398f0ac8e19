package keyper

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/ordering/batch"
	bolt "go.etcd.io/bbolt"
)

func TestStoreKeepsReleasesAndResendsIdenticalShares(t *testing.T) {
	e := newEnv(t, 3)
	var txs []*types.Transaction
	for i := 0; i < 3; i++ {
		tx, _ := e.envelope(i, eon)
		txs = append(txs, tx)
	}
	b := e.batchOf(1, common.Hash{}, txs, nil)
	raw, _ := b.Encode()
	path := filepath.Join(t.TempDir(), "keyper.db")
	st, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	state, err := st.State(eon, 1)
	if err != nil || state.Next != 1 {
		t.Fatalf("fresh state %+v %v", state, err)
	}
	r := NewReleaser(e.config(), state, st.Released(eon))
	r.L1Confirmed(10, common.Hash{0x11})
	rel, err := r.Decide(b, now+1)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Commit(eon, rel, raw, r.State()); err != nil {
		t.Fatal(err)
	}
	sent := Shares(e.results[0].Share, tpke.NewPointCache(16), rel)
	if err := st.Commit(eon, rel, raw, r.State()); !errors.Is(err, ErrStore) {
		t.Fatalf("a second record of one batch: %v", err)
	}
	st.Close()

	// After a restart: the state, the released identities and the batch.
	st, err = OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	state, _ = st.State(eon, 1)
	if state != r.State() {
		t.Fatalf("state after restart %+v, want %+v", state, r.State())
	}
	view := st.Released(eon)
	for _, k := range rel.Keyed {
		if !view.Released(k.Identity) {
			t.Fatal("a released identity is missing after restart")
		}
	}
	if view.Released(tpke.Identity{1}) || st.Released(eon+1).Released(rel.Keyed[0].Identity) {
		t.Fatal("an identity never released reads as released")
	}
	gotRaw, again, err := st.ReleasedBatch(eon, 1, nil)
	if err != nil || again == nil || !bytes.Equal(gotRaw, raw) {
		t.Fatalf("released batch after restart: %v", err)
	}
	if resent := Shares(e.results[0].Share, tpke.NewPointCache(16), again); !bytes.Equal(resent, sent) {
		t.Fatal("shares sent again differ from the first ones")
	}
	// A restored core refuses the next batch's equivocating twin and
	// accepts the chained one.
	r2 := NewReleaser(e.config(), state, view)
	r2.L1Confirmed(10, common.Hash{0x11})
	if rel2, err := r2.Decide(b, now+2); err != nil || !rel2.Again {
		t.Fatalf("restored core on the same batch: %+v %v", rel2, err)
	}
}

// jsonRecord and commitJSON are the store's format before the binary
// record (every release a JSON record holding the batch's encoding in
// base64): a keyper upgraded in place finds such records, and the
// benchmark measures against them.
type jsonRecord struct {
	Hash          common.Hash
	Batch         []byte
	Keyed         []Keyed
	NoKey         []int
	Number        uint64
	BatchIdentity tpke.Identity
}

func commitJSON(s *Store, eon uint64, rel *Release, batchRaw []byte, state ReleaseState) error {
	rec := jsonRecord{Hash: rel.Hash, Batch: batchRaw, Keyed: rel.Keyed, Number: rel.Number, BatchIdentity: rel.BatchIdentity}
	for _, nk := range rel.NoKey {
		rec.NoKey = append(rec.NoKey, nk.Index)
	}
	recRaw, err := json.Marshal(&rec)
	if err != nil {
		return err
	}
	stRaw, err := json.Marshal(&state)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(eonBucket(eon))
		if err != nil {
			return err
		}
		batches, err := b.CreateBucketIfNotExists(bucketBatches)
		if err != nil {
			return err
		}
		ids, err := b.CreateBucketIfNotExists(bucketIDs)
		if err != nil {
			return err
		}
		num := binary.BigEndian.AppendUint64(nil, rel.Number)
		if prev := batches.Get(num); prev != nil {
			return fmt.Errorf("%w: batch %d already recorded", ErrStore, rel.Number)
		}
		if err := batches.Put(num, recRaw); err != nil {
			return err
		}
		for _, k := range rel.Keyed {
			if err := ids.Put(k.Identity[:], num); err != nil {
				return err
			}
		}
		return b.Put(keyState, stRaw)
	})
}

// stored says, per batch number in [1, upTo], whether the store holds a
// release record, a separate encoding, and a JSON record.
func stored(t *testing.T, st *Store, upTo uint64) (records, encodings, jsons []uint64) {
	t.Helper()
	err := st.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(eonBucket(eon))
		for n := uint64(1); n <= upTo; n++ {
			if v := b.Bucket(bucketBatches).Get(numberKey(n)); v != nil {
				records = append(records, n)
				if v[0] == '{' {
					jsons = append(jsons, n)
				}
			}
			if e := b.Bucket(bucketEncodings); e != nil && e.Get(numberKey(n)) != nil {
				encodings = append(encodings, n)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return records, encodings, jsons
}

func span(from, to uint64) []uint64 {
	var s []uint64
	for n := from; n <= to; n++ {
		s = append(s, n)
	}
	return s
}

// fakeRelease is a release record of batch n with fresh random identities
// (Commit does not look into the batch).
func fakeRelease(t testing.TB, n uint64, keyed int) *Release {
	rel := &Release{Eon: eon, Number: n, Hash: common.Hash{byte(n), byte(n >> 8), 0xaa}, NoKey: []NoKey{{Index: keyed}}}
	rand.Read(rel.BatchIdentity[:])
	for i := 0; i < keyed; i++ {
		k := Keyed{Index: i}
		rand.Read(k.Identity[:])
		rel.Keyed = append(rel.Keyed, k)
	}
	return rel
}

// reopenStore closes st and opens its file again.
func reopenStore(t *testing.T, st *Store, path string) *Store {
	t.Helper()
	st.Close()
	st, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func openStore(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "keyper.db")
	st, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, path
}

// released is a chain of real releases of 3-envelope batches (one of them
// for another eon, so not keyed) with their encodings and first shares.
type released struct {
	batches []*batch.Batch
	raws    [][]byte
	rels    []*Release
	shares  [][]byte
	states  []ReleaseState
}

func releaseChain(e *env, count int) *released {
	out := &released{}
	r := NewReleaser(e.config(), ReleaseState{Next: 1}, memReleased{})
	r.L1Confirmed(10, common.Hash{0x11})
	parent := common.Hash{}
	for n := 1; n <= count; n++ {
		a, _ := e.envelope(0, eon)
		o, _ := e.envelope(1, eon+1)
		c, _ := e.envelope(2, eon)
		b := e.batchOf(uint64(n), parent, []*types.Transaction{a, o, c}, nil)
		rel, err := r.Decide(b, now+uint64(n))
		if err != nil {
			e.t.Fatal(err)
		}
		if len(rel.Keyed) != 2 || len(rel.NoKey) != 1 {
			e.t.Fatalf("batch %d: %d keyed, %d no key", n, len(rel.Keyed), len(rel.NoKey))
		}
		raw, _ := b.Encode()
		out.batches = append(out.batches, b)
		out.raws = append(out.raws, raw)
		out.rels = append(out.rels, rel)
		out.shares = append(out.shares, Shares(e.results[0].Share, tpke.NewPointCache(16), rel))
		out.states = append(out.states, r.State())
		parent = rel.Hash
	}
	return out
}

// checkAnswers checks that every release of c is answered again from the
// store with identical shares, its identities released, and its encoding
// returned exactly for the numbers in withRaw. The numbers in needBatch
// (compact records whose encoding is pruned) are answered only given
// their batch, and without it fail with ErrIdentitiesLost.
func checkAnswers(t *testing.T, e *env, st *Store, c *released, withRaw, needBatch []uint64) {
	t.Helper()
	view := st.Released(eon)
	for i, rel := range c.rels {
		n := rel.Number
		raw, again, err := st.ReleasedBatch(eon, n, nil)
		if slices.Contains(needBatch, n) {
			if !errors.Is(err, ErrIdentitiesLost) || again != nil || raw != nil {
				t.Fatalf("batch %d asked again without the batch: %+v %v, want ErrIdentitiesLost", n, again, err)
			}
			raw, again, err = st.ReleasedBatch(eon, n, c.batches[i])
		} else if c.batches != nil {
			// The batch given or not, the same answer.
			raw2, again2, err := st.ReleasedBatch(eon, n, c.batches[i])
			if err != nil || again2 == nil || !slices.Equal(again2.Keyed, rel.Keyed) || !bytes.Equal(raw2, raw) {
				t.Fatalf("batch %d asked again with the batch: %+v %v", n, again2, err)
			}
		}
		if err != nil || again == nil || !again.Again || again.Hash != rel.Hash || again.Number != n {
			t.Fatalf("batch %d asked again: %+v %v", n, again, err)
		}
		if !slices.Equal(again.Keyed, rel.Keyed) || again.BatchIdentity != rel.BatchIdentity {
			t.Fatalf("batch %d: keyed or batch identity differ", n)
		}
		if resent := Shares(e.results[0].Share, tpke.NewPointCache(16), again); !bytes.Equal(resent, c.shares[i]) {
			t.Fatalf("batch %d: shares sent again differ from the first ones", n)
		}
		if slices.Contains(withRaw, n) != (raw != nil) || raw != nil && !bytes.Equal(raw, c.raws[i]) {
			t.Fatalf("batch %d: encoding %d bytes, want it: %v", n, len(raw), slices.Contains(withRaw, n))
		}
		if h, ok := view.(ReleasedHashes).ReleasedHash(n); !ok || h != rel.Hash {
			t.Fatalf("batch %d: released hash %x %v", n, h, ok)
		}
		for _, k := range rel.Keyed {
			if !view.Released(k.Identity) {
				t.Fatalf("batch %d: a released identity is forgotten", n)
			}
		}
	}
}

// A keyper upgraded in place reads its JSON records, answers them again
// identically (with their encodings, which they keep), refuses their
// numbers and records on top of them.
func TestStoreReadsJSONRecords(t *testing.T) {
	e := newEnv(t, 3)
	c := releaseChain(e, 6)
	st, path := openStore(t)
	for i := 0; i < 4; i++ {
		if err := commitJSON(st, eon, c.rels[i], c.raws[i], c.states[i]); err != nil {
			t.Fatal(err)
		}
	}
	st = reopenStore(t, st, path)
	old := &released{rels: c.rels[:4], raws: c.raws[:4], shares: c.shares[:4]}
	checkAnswers(t, e, st, old, span(1, 4), nil)
	if state, err := st.State(eon, 1); err != nil || state != c.states[3] {
		t.Fatalf("state %+v %v", state, err)
	}
	if err := st.Commit(eon, c.rels[3], c.raws[3], c.states[3]); !errors.Is(err, ErrStore) {
		t.Fatalf("a number recorded in JSON recorded again: %v", err)
	}
	// A restored core answers an old batch again and takes the next one.
	r := NewReleaser(e.config(), c.states[3], st.Released(eon))
	r.L1Confirmed(10, common.Hash{0x11})
	if rel, err := r.Decide(c.batches[1], now+5); err != nil || !rel.Again || rel.Number != 2 {
		t.Fatalf("a JSON-recorded batch again: %+v %v", rel, err)
	}
	st.retain = 2
	for i := 4; i < 6; i++ {
		if rel, err := r.Decide(c.batches[i], now+uint64(i+1)); err != nil || rel.Again {
			t.Fatalf("batch %d after the JSON ones: %+v %v", i+1, rel, err)
		}
		if err := st.Commit(eon, c.rels[i], c.raws[i], c.states[i]); err != nil {
			t.Fatal(err)
		}
	}
	// The window is [5, 6]; the JSON records keep their encodings.
	records, encodings, jsons := stored(t, st, 6)
	if !slices.Equal(records, span(1, 6)) || !slices.Equal(encodings, span(5, 6)) || !slices.Equal(jsons, span(1, 4)) {
		t.Fatalf("records %v, encodings %v, JSON %v", records, encodings, jsons)
	}
	checkAnswers(t, e, st, c, span(1, 6), nil)
	// Two more commits (records of no real batch) prune 5 and 6.
	if err := st.Commit(eon, fakeRelease(t, 7, 1), []byte{7}, ReleaseState{Next: 8}); err != nil {
		t.Fatal(err)
	}
	if err := st.Commit(eon, fakeRelease(t, 8, 1), []byte{8}, ReleaseState{Next: 9}); err != nil {
		t.Fatal(err)
	}
	records, encodings, jsons = stored(t, st, 8)
	if !slices.Equal(records, span(1, 8)) || !slices.Equal(encodings, span(7, 8)) || !slices.Equal(jsons, span(1, 4)) {
		t.Fatalf("records %v, encodings %v, JSON %v", records, encodings, jsons)
	}
	checkAnswers(t, e, st, c, span(1, 4), span(5, 6))
}

// checkIndex: the eon's view answers "released" for every keyed identity
// of rels, and not for an identity never released.
func checkIndex(t *testing.T, st *Store, rels []*Release) {
	t.Helper()
	view := st.Released(eon)
	for _, rel := range rels {
		for _, k := range rel.Keyed {
			if !view.Released(k.Identity) {
				t.Fatalf("batch %d: a released identity is forgotten", rel.Number)
			}
		}
	}
	if view.Released(fakeRelease(t, 1, 1).Keyed[0].Identity) {
		t.Fatal("an identity never released reads as released")
	}
}

// encodeRecordV1 is the binary record an older keyper wrote (recordV1,
// with every keyed identity): a keyper upgraded in place finds such
// records.
func encodeRecordV1(dst []byte, rel *Release) []byte {
	dst = append(dst, recordV1)
	dst = binary.BigEndian.AppendUint64(dst, rel.Number)
	dst = append(dst, rel.Hash[:]...)
	dst = append(dst, rel.BatchIdentity[:]...)
	dst = binary.AppendUvarint(dst, uint64(len(rel.Keyed)))
	for _, k := range rel.Keyed {
		dst = binary.AppendUvarint(dst, uint64(k.Index))
		dst = append(dst, k.Identity[:]...)
	}
	dst = binary.AppendUvarint(dst, uint64(len(rel.NoKey)))
	for _, nk := range rel.NoKey {
		dst = binary.AppendUvarint(dst, uint64(nk.Index))
	}
	return dst
}

// indexesOf is keyed without the identities.
func indexesOf(keyed []Keyed) []Keyed {
	var out []Keyed
	for _, k := range keyed {
		out = append(out, Keyed{Index: k.Index})
	}
	return out
}

func TestStoreRecordRoundTrip(t *testing.T) {
	ids := func(bs ...byte) []Keyed {
		var k []Keyed
		for i, b := range bs {
			k = append(k, Keyed{Index: i * 300, Identity: tpke.Identity{b, 0xff, 31: b}})
		}
		return k
	}
	for _, tc := range []struct {
		name string
		rel  Release
	}{
		{"empty", Release{Number: 1}},
		{"keyed", Release{Number: 7, Hash: common.Hash{1, 2, 3}, BatchIdentity: tpke.Identity{9, 31: 9}, Keyed: ids(1, 2, 3)}},
		{"no key only", Release{Number: 1 << 40, Hash: common.Hash{4}, NoKey: []NoKey{{Index: 0}, {Index: 1 << 20}}}},
		{"both", Release{Number: math.MaxUint64, Hash: common.Hash{31: 5}, BatchIdentity: tpke.Identity{1}, Keyed: ids(5, 6),
			NoKey: []NoKey{{Index: 1}, {Index: 4999}}}},
		{"indexes at the bound", Release{Number: 2, Keyed: []Keyed{{Index: math.MaxInt32, Identity: tpke.Identity{1}}, {Index: 127}, {Index: 128}},
			NoKey: []NoKey{{Index: math.MaxInt32}, {Index: 1 << 14}}}},
	} {
		var noKey []int
		for _, nk := range tc.rel.NoKey {
			noKey = append(noKey, nk.Index)
		}
		same := func(t *testing.T, rec *releasedBatch, keyed []Keyed) {
			t.Helper()
			if rec.Number != tc.rel.Number || rec.Hash != tc.rel.Hash || rec.BatchIdentity != tc.rel.BatchIdentity ||
				!slices.Equal(rec.Keyed, keyed) || !slices.Equal(rec.NoKey, noKey) || rec.Batch != nil {
				t.Fatalf("round trip: %+v, want %+v", rec, tc.rel)
			}
		}
		t.Run(tc.name, func(t *testing.T) {
			// recordV2: the keyed positions, not their identities.
			raw := encodeRecord(nil, &tc.rel)
			if raw[0] != recordV2 || len(raw) != recordSize(&tc.rel) {
				t.Fatalf("record version %d, %d bytes, size %d", raw[0], len(raw), recordSize(&tc.rel))
			}
			if max := 1 + 8 + 32 + 32 + 2 + 5*(len(tc.rel.Keyed)+len(tc.rel.NoKey)); len(raw) > max {
				t.Fatalf("record of %d bytes, over %d", len(raw), max)
			}
			rec, err := decodeRecord(raw)
			if err != nil {
				t.Fatal(err)
			}
			if !rec.indexesOnly {
				t.Fatal("a compact record decodes as holding identities")
			}
			same(t, rec, indexesOf(tc.rel.Keyed))
			// recordV1, written by an older keyper: with the identities.
			rec, err = decodeRecord(encodeRecordV1(nil, &tc.rel))
			if err != nil {
				t.Fatal(err)
			}
			if rec.indexesOnly {
				t.Fatal("a recordV1 decodes as holding no identities")
			}
			same(t, rec, tc.rel.Keyed)
		})
	}
	rel := &Release{Number: 3, Keyed: ids(1, 2), NoKey: []NoKey{{Index: 2}}}
	for _, good := range [][]byte{encodeRecord(nil, rel), encodeRecordV1(nil, rel)} {
		for _, tc := range []struct {
			name string
			raw  []byte
		}{
			{"empty", nil},
			{"version 0", append([]byte{0}, good[1:]...)},
			{"version 3", append([]byte{3}, good[1:]...)},
			{"truncated", good[:len(good)-1]},
			{"truncated in a keyed entry", good[:75]},
			{"trailing", append(slices.Clone(good), 0)},
			{"short header", good[:40]},
			{"keyed count past the end", append(slices.Clone(good[:73]), 0xff, 0xff, 0x03)},
			{"index over 32 bits", append(slices.Clone(good[:73]), 1, 0x80, 0x80, 0x80, 0x80, 0x10)},
			{"bad JSON", []byte(`{"Hash":`)},
		} {
			t.Run(fmt.Sprintf("v%d refuses %s", good[0], tc.name), func(t *testing.T) {
				if _, err := decodeRecord(tc.raw); err == nil {
					t.Fatal("decoded")
				}
			})
		}
	}
}

func FuzzStoreRecord(f *testing.F) {
	rel := &Release{Number: 3, Keyed: []Keyed{{Index: 1, Identity: tpke.Identity{1}}}, NoKey: []NoKey{{Index: 2}}}
	f.Add(encodeRecord(nil, rel))
	f.Add(encodeRecordV1(nil, rel))
	f.Add([]byte(`{"Number":1,"Keyed":[{"Index":1}]}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		rec, err := decodeRecord(raw)
		if err != nil || raw[0] == '{' {
			return
		}
		rel := Release{Number: rec.Number, Hash: rec.Hash, Keyed: rec.Keyed, BatchIdentity: rec.BatchIdentity}
		for _, i := range rec.NoKey {
			rel.NoKey = append(rel.NoKey, NoKey{Index: i})
		}
		encode := encodeRecordV1
		if rec.indexesOnly {
			encode = encodeRecord
		}
		again, err := decodeRecord(encode(nil, &rel))
		if err != nil || again.Number != rec.Number || again.Hash != rec.Hash || again.BatchIdentity != rec.BatchIdentity ||
			again.indexesOnly != rec.indexesOnly || !slices.Equal(again.Keyed, rec.Keyed) || !slices.Equal(again.NoKey, rec.NoKey) {
			t.Fatalf("re-encoded record differs: %+v %v", again, err)
		}
		// Every binary record re-encodes compactly with its positions.
		compact, err := decodeRecord(encodeRecord(make([]byte, 0, recordSize(&rel)), &rel))
		if err != nil || !slices.Equal(compact.Keyed, indexesOf(rec.Keyed)) || !slices.Equal(compact.NoKey, rec.NoKey) {
			t.Fatalf("compact record differs: %+v %v", compact, err)
		}
	})
}

// Retention deletes only the encodings behind the window, a bounded number
// per commit, never a record or an identity, and a number stays refused.
func TestStoreRetention(t *testing.T) {
	e := newEnv(t, 3)
	c := releaseChain(e, 15)
	st, _ := openStore(t)
	st.retain, st.budget = 100, 3
	rels := c.rels
	commit := func(n uint64) {
		t.Helper()
		if err := st.Commit(eon, rels[n-1], c.raws[n-1], c.states[n-1]); err != nil {
			t.Fatal(err)
		}
	}
	for n := uint64(1); n <= 10; n++ {
		commit(n)
	}
	if _, encodings, _ := stored(t, st, 20); !slices.Equal(encodings, span(1, 10)) {
		t.Fatalf("within the window: encodings %v", encodings)
	}
	// A window shrunk to 2 (a backlog of 8 behind it): 3 a commit go.
	st.retain = 2
	for _, step := range []struct {
		n    uint64
		want []uint64
	}{{11, span(4, 11)}, {12, span(7, 12)}, {13, span(10, 13)}, {14, span(13, 14)}, {15, span(14, 15)}} {
		commit(step.n)
		records, encodings, _ := stored(t, st, 20)
		if !slices.Equal(encodings, step.want) || !slices.Equal(records, span(1, step.n)) {
			t.Fatalf("after %d: records %v, encodings %v, want encodings %v", step.n, records, encodings, step.want)
		}
	}
	view := st.Released(eon)
	for i, rel := range rels {
		raw, again, err := st.ReleasedBatch(eon, rel.Number, nil)
		if rel.Number < 14 {
			// Pruned: the keyed identities come from the batch.
			if !errors.Is(err, ErrIdentitiesLost) {
				t.Fatalf("batch %d without its batch: %+v %v", rel.Number, again, err)
			}
			raw, again, err = st.ReleasedBatch(eon, rel.Number, c.batches[i])
		}
		if err != nil || again == nil || again.Hash != rel.Hash || !slices.Equal(again.Keyed, rel.Keyed) {
			t.Fatalf("batch %d: %+v %v", rel.Number, again, err)
		}
		if (raw != nil) != (rel.Number >= 14) || raw != nil && !bytes.Equal(raw, c.raws[i]) {
			t.Fatalf("batch %d: encoding %x", rel.Number, raw)
		}
		for _, k := range rel.Keyed {
			if !view.Released(k.Identity) {
				t.Fatalf("batch %d: identity forgotten", rel.Number)
			}
		}
		if err := st.Commit(eon, rel, []byte{1}, ReleaseState{Next: 17}); !errors.Is(err, ErrStore) {
			t.Fatalf("batch %d recorded again: %v", rel.Number, err)
		}
	}
	if state, _ := st.State(eon, 1); state != c.states[14] {
		t.Fatalf("a refused record changed the state: %+v", state)
	}
}

// A released batch asked again after its encoding was pruned gets the
// identical shares, from a restored core and the store.
func TestStoreResendsPrunedBatch(t *testing.T) {
	e := newEnv(t, 3)
	c := releaseChain(e, 4)
	st, path := openStore(t)
	st.retain = 2
	for i := range c.rels {
		if err := st.Commit(eon, c.rels[i], c.raws[i], c.states[i]); err != nil {
			t.Fatal(err)
		}
	}
	st = reopenStore(t, st, path)
	checkAnswers(t, e, st, c, span(3, 4), span(1, 2))
	state, _ := st.State(eon, 1)
	r := NewReleaser(e.config(), state, st.Released(eon))
	r.L1Confirmed(10, common.Hash{0x11})
	rel, err := r.Decide(c.batches[0], now+5)
	if err != nil || !rel.Again || rel.Number != 1 {
		t.Fatalf("the pruned batch again: %+v %v", rel, err)
	}
	// Its compact record has the keyed positions only: the identities come
	// from the batch the driver has in hand, and only from that batch.
	if raw, again, err := st.ReleasedBatch(eon, rel.Number, nil); !errors.Is(err, ErrIdentitiesLost) || raw != nil || again != nil {
		t.Fatalf("the pruned batch without the batch: %d bytes, %+v %v, want ErrIdentitiesLost", len(raw), again, err)
	}
	for name, other := range map[string]*batch.Batch{
		"another released batch":    c.batches[1],
		"another batch of number 1": e.batchOf(1, common.Hash{}, c.batches[0].Txs, func(c *batch.Commitment) { c.Timestamp++ }),
	} {
		if raw, again, err := st.ReleasedBatch(eon, rel.Number, other); err == nil || errors.Is(err, ErrIdentitiesLost) || again != nil || raw != nil {
			t.Fatalf("the pruned batch given %s: %+v %v", name, again, err)
		}
	}
	raw, again, err := st.ReleasedBatch(eon, rel.Number, c.batches[0])
	if err != nil || raw != nil || again == nil || !again.Again || again.Hash != c.rels[0].Hash {
		t.Fatalf("the pruned batch's record: %d bytes, %+v %v", len(raw), again, err)
	}
	if !slices.Equal(again.Keyed, c.rels[0].Keyed) || again.BatchIdentity != c.rels[0].BatchIdentity {
		t.Fatalf("the pruned batch's keyed envelopes %v, released %v", again.Keyed, c.rels[0].Keyed)
	}
	if !bytes.Equal(Shares(e.results[0].Share, tpke.NewPointCache(16), again), c.shares[0]) {
		t.Fatal("shares for the pruned batch differ from the first ones")
	}
	// From the wire, as the node has it (no sender cached in the
	// transactions), the same.
	fromWire, err := batch.Decode(c.raws[0], batch.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if _, again, err := st.ReleasedBatch(eon, rel.Number, fromWire); err != nil || !slices.Equal(again.Keyed, c.rels[0].Keyed) {
		t.Fatalf("the pruned batch given its decoded encoding: %+v %v", again, err)
	}
	if _, err := r.Decide(e.batchOf(1, common.Hash{}, nil, nil), now+5); !errors.Is(err, ErrEquivocation) {
		t.Fatalf("a different batch for the pruned number: %v", err)
	}
}

func TestStoreDropEon(t *testing.T) {
	st, _ := openStore(t)
	a, b := fakeRelease(t, 1, 2), fakeRelease(t, 1, 2)
	if err := st.Commit(eon, a, []byte{1}, ReleaseState{Next: 2}); err != nil {
		t.Fatal(err)
	}
	if err := st.Commit(eon+1, b, []byte{2}, ReleaseState{Next: 2}); err != nil {
		t.Fatal(err)
	}
	if err := st.DropEon(eon); err != nil {
		t.Fatal(err)
	}
	if err := st.DropEon(eon + 7); err != nil {
		t.Fatalf("dropping an eon never recorded: %v", err)
	}
	if state, _ := st.State(eon, 1); state.Next != 1 || st.Released(eon).Released(a.Keyed[0].Identity) {
		t.Fatal("the dropped eon is still there")
	}
	if _, rel, err := st.ReleasedBatch(eon, 1, nil); rel != nil || err != nil {
		t.Fatalf("a dropped eon's batch: %+v %v", rel, err)
	}
	if state, _ := st.State(eon+1, 1); state.Next != 2 || !st.Released(eon+1).Released(b.Keyed[1].Identity) {
		t.Fatal("dropping one eon touched another")
	}
}

// BenchmarkStoreCommit200 records a 200-envelope batch's release (each
// iteration a new number and 200 new identities), in the binary format
// (recordV2) and, for comparison, the JSON one it replaces (encode/v1
// gives the size of the recordV1 between them); disk-B/batch is the
// growth of the file's used pages per batch, and steady-disk-B/batch
// the same once twice the retention window is behind (run with
// -benchtime=4000x or more to see it).
func BenchmarkStoreCommit200(b *testing.B) {
	const n = 200
	e, bt, raw := envelopeBatch(b, n)
	rel, err := e.releaser(memReleased{}).Decide(bt, now+1)
	if err != nil || len(rel.Keyed) != n {
		b.Fatalf("%v", err)
	}
	for _, format := range []struct {
		name   string
		commit func(*Store, uint64, *Release, []byte, ReleaseState) error
	}{{"binary", (*Store).Commit}, {"json", commitJSON}} {
		b.Run(format.name, func(b *testing.B) {
			st, err := OpenStore(filepath.Join(b.TempDir(), "keyper.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			size := func() (sz int64) {
				st.db.View(func(tx *bolt.Tx) error { sz = tx.Size(); return nil })
				if fi, err := os.Stat(st.ids.Path(eon)); err == nil {
					sz += fi.Size() // the identity index: its allocated levels
				}
				return sz
			}
			start, steady := size(), int64(0)
			r := *rel
			r.Keyed = slices.Clone(rel.Keyed)
			num := uint64(0)
			b.ReportAllocs()
			for b.Loop() {
				num++
				if num == 2*RetainEncodings+1 {
					steady = size()
				}
				r.Number = num
				for i := range r.Keyed {
					binary.BigEndian.PutUint64(r.Keyed[i].Identity[:], num*0x9e3779b97f4a7c15^uint64(i))
				}
				if err := format.commit(st, eon, &r, raw, ReleaseState{Next: num + 1}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(size()-start)/float64(num), "disk-B/batch")
			b.ReportMetric(float64(st.db.Stats().FreePageN), "free-pages")
			if num > 2*RetainEncodings {
				// Past the window, pruned pages are reused.
				b.ReportMetric(float64(size()-steady)/float64(num-2*RetainEncodings), "steady-disk-B/batch")
			}
		})
	}
	b.Run("encode/binary", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			encodeRecord(make([]byte, 0, recordSize(rel)), rel)
		}
		b.ReportMetric(float64(len(encodeRecord(nil, rel))), "record-B")
		b.ReportMetric(float64(len(raw)), "encoding-B")
	})
	b.Run("encode/v1", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			encodeRecordV1(nil, rel)
		}
		b.ReportMetric(float64(len(encodeRecordV1(nil, rel))), "record-B")
	})
	b.Run("encode/json", func(b *testing.B) {
		rec := jsonRecord{Hash: rel.Hash, Batch: raw, Keyed: rel.Keyed, Number: rel.Number, BatchIdentity: rel.BatchIdentity}
		b.ReportAllocs()
		for b.Loop() {
			json.Marshal(&rec)
		}
		j, _ := json.Marshal(&rec)
		b.ReportMetric(float64(len(j)), "record-B")
	})
}

// TestStoreIdentityIndexRecovers: the eon's identity index is a cache of
// the release records and the retained encodings. Killed between syncs
// (the store's files left as a killed process leaves them), deleted,
// damaged, ahead of the records (an index of another store), or left by
// an older keyper as an identities bucket: on open every released
// identity is found, and nothing else.
func TestStoreIdentityIndexRecovers(t *testing.T) {
	c := releaseChain(newEnv(t, 3), idsSyncEvery+20)
	commit := func(t *testing.T, st *Store, from, to uint64) []*Release {
		var rels []*Release
		for n := from; n <= to; n++ {
			if err := st.Commit(eon, c.rels[n-1], c.raws[n-1], c.states[n-1]); err != nil {
				t.Fatal(err)
			}
			rels = append(rels, c.rels[n-1])
		}
		return rels
	}
	// kill leaves the files as a killed process would: nothing synced or
	// closed cleanly beyond what the commits did.
	kill := func(st *Store) {
		st.ids.Abandon() // the files as they are, not synced or marked clean
		st.db.Close()
	}
	for name, damage := range map[string]func(t *testing.T, st *Store, path string){
		"killed between syncs": func(t *testing.T, st *Store, path string) { kill(st) },
		"deleted": func(t *testing.T, st *Store, path string) {
			st.Close()
			if err := os.Remove(st.ids.Path(eon)); err != nil {
				t.Fatal(err)
			}
		},
		"damaged": func(t *testing.T, st *Store, path string) {
			st.Close()
			if err := os.WriteFile(st.ids.Path(eon), []byte("damaged"), 0o600); err != nil {
				t.Fatal(err)
			}
		},
		"ahead of the records": func(t *testing.T, st *Store, path string) {
			// Another store's index, synced at a later release and holding
			// identities this store never released.
			other, err := OpenStore(filepath.Join(t.TempDir(), "other.db"))
			if err != nil {
				t.Fatal(err)
			}
			for n := uint64(1); n <= 2*idsSyncEvery; n++ {
				if err := other.Commit(eon, fakeRelease(t, n, 20), []byte{byte(n)}, ReleaseState{Next: n + 1}); err != nil {
					t.Fatal(err)
				}
			}
			other.Close()
			st.Close()
			raw, err := os.ReadFile(other.ids.Path(eon))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(st.ids.Path(eon), raw, 0o600); err != nil {
				t.Fatal(err)
			}
		},
		"identities bucket of an older keyper": func(t *testing.T, st *Store, path string) {
			err := st.db.Update(func(tx *bolt.Tx) error {
				ids, err := tx.Bucket(eonBucket(eon)).CreateBucket(bucketIDs)
				if err != nil {
					return err
				}
				return ids.Put([]byte{1}, numberKey(1))
			})
			if err != nil {
				t.Fatal(err)
			}
			st.Close()
			if err := os.Remove(st.ids.Path(eon)); err != nil {
				t.Fatal(err)
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "keyper.db")
			st, err := OpenStore(path)
			if err != nil {
				t.Fatal(err)
			}
			rels := commit(t, st, 1, idsSyncEvery+10) // synced at 64, ten above
			damage(t, st, path)
			st, err = OpenStore(path)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			checkIndex(t, st, rels)
			rels = append(rels, commit(t, st, idsSyncEvery+11, idsSyncEvery+20)...)
			checkIndex(t, st, rels)
			st.db.View(func(tx *bolt.Tx) error {
				if tx.Bucket(eonBucket(eon)).Bucket(bucketIDs) != nil {
					t.Error("the older keyper's identities bucket is still there")
				}
				return nil
			})
			keyed := 0
			for _, rel := range rels {
				keyed += len(rel.Keyed)
			}
			if n := st.ids.Len(eon); n != uint64(keyed) {
				t.Fatalf("the index holds %d identities, want %d", n, keyed)
			}
		})
	}
}

// TestStoreCompactRecords: a release record holds the keyed positions, not
// their identities: a few hundred bytes for a batch of 50 envelopes. The
// identity index, deleted, is rebuilt from the retained encodings; once
// they are pruned it cannot be (ErrIdentitiesLost), and the eon's view
// answers "released" for every identity, so no share leaves.
func TestStoreCompactRecords(t *testing.T) {
	const perBatch, count = 50, 4
	e := newEnv(t, perBatch)
	r := e.releaser(memReleased{})
	var (
		rels    []*Release
		batches []*batch.Batch
		raws    [][]byte
		parent  common.Hash
	)
	st, path := openStore(t)
	release := func(n uint64) {
		t.Helper()
		b := e.batchOf(n, parent, envelopesOf(e, perBatch), func(c *batch.Commitment) { c.GasLimit = 200_000_000 })
		rel, err := r.Decide(b, now+n)
		if err != nil || len(rel.Keyed) != perBatch {
			t.Fatalf("batch %d: %+v %v", n, rel, err)
		}
		raw, err := b.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Commit(eon, rel, raw, r.State()); err != nil {
			t.Fatal(err)
		}
		rels, batches, raws = append(rels, rel), append(batches, b), append(raws, raw)
		parent = rel.Hash
	}
	for n := uint64(1); n <= count; n++ {
		release(n)
	}
	st.db.View(func(tx *bolt.Tx) error {
		for _, rel := range rels {
			v := tx.Bucket(eonBucket(eon)).Bucket(bucketBatches).Get(numberKey(rel.Number))
			// A recordV1 took 34 bytes per keyed envelope (1.7 KB here).
			if len(v) >= 1024 || len(v) > 80+2*perBatch || v[0] != recordV2 {
				t.Errorf("batch %d: record of %d bytes (version %d); with the identities %d", rel.Number, len(v), v[0], len(encodeRecordV1(nil, rel)))
			}
		}
		return nil
	})
	fresh := fakeRelease(t, 1, 1).Keyed[0].Identity
	check := func(t *testing.T, st *Store) {
		t.Helper()
		checkIndex(t, st, rels)
		if n := st.ids.Len(eon); n != uint64(len(rels)*perBatch) {
			t.Fatalf("the index holds %d identities, want %d", n, len(rels)*perBatch)
		}
	}
	removeIndex := func(st *Store) {
		t.Helper()
		st.Close()
		if err := os.Remove(st.ids.Path(eon)); err != nil {
			t.Fatal(err)
		}
	}

	// Deleted while the encodings are retained: rebuilt from them.
	removeIndex(st)
	st = reopenStore(t, st, path)
	check(t, st)

	// The window shrunk to one batch: the next release prunes the others'
	// encodings. The index, intact, still answers, before and after a
	// restart, and so does ReleasedBatch given the batch.
	st.retain, st.budget = 1, 100
	release(count + 1)
	if _, encodings, _ := stored(t, st, count+1); !slices.Equal(encodings, []uint64{count + 1}) {
		t.Fatalf("encodings %v", encodings)
	}
	check(t, st)
	st = reopenStore(t, st, path)
	check(t, st)
	if _, again, err := st.ReleasedBatch(eon, 1, nil); !errors.Is(err, ErrIdentitiesLost) {
		t.Fatalf("a pruned batch without the batch: %+v %v", again, err)
	}
	if _, again, err := st.ReleasedBatch(eon, 1, batches[0]); err != nil || !slices.Equal(again.Keyed, rels[0].Keyed) {
		t.Fatalf("a pruned batch given the batch: %+v %v", again, err)
	}

	// Deleted once the encodings are pruned: the identities are nowhere
	// else. The index does not open, with the named error, and the view
	// answers "released" for everything, a fresh identity included; other
	// eons are not affected.
	removeIndex(st)
	st = reopenStore(t, st, path)
	if _, _, err := st.ids.Get(eon, fresh); !errors.Is(err, ErrIdentitiesLost) || !strings.Contains(err.Error(), fmt.Sprintf("eon %d batch 1", eon)) {
		t.Fatalf("the index rebuilt without the identities: %v", err)
	}
	if !st.Released(eon).Released(fresh) || !st.Released(eon).Released(rels[0].Keyed[0].Identity) {
		t.Fatal("an eon whose identities are lost answers \"not released\"")
	}
	if st.Released(eon + 1).Released(fresh) {
		t.Fatal("another eon answers \"released\" for a fresh identity")
	}
	// The failed attempt left the index file: the next start opens the
	// store, and the eon stays closed, with the named error.
	st = reopenStore(t, st, path)
	if err := st.OpenIndex(eon); !errors.Is(err, ErrIdentitiesLost) || !errors.Is(err, ErrStore) {
		t.Fatalf("opening an index that cannot be rebuilt: %v", err)
	}
	if !st.Released(eon).Released(fresh) {
		t.Fatal("an eon whose identities are lost answers \"not released\" after a restart")
	}
	if err := st.OpenIndex(eon + 1); err != nil {
		t.Fatal(err)
	}
}

// A keyper upgraded in place finds recordV1 records (with the keyed
// identities): it answers them again without the batch, encoding pruned
// or not, and rebuilds its index from them.
func TestStoreReadsV1Records(t *testing.T) {
	e := newEnv(t, 3)
	c := releaseChain(e, 8)
	st, path := openStore(t)
	st.retain = 2
	for i := range 6 {
		if err := st.Commit(eon, c.rels[i], c.raws[i], c.states[i]); err != nil {
			t.Fatal(err)
		}
	}
	// Batches 1 to 4 as an older keyper recorded them.
	err := st.db.Update(func(tx *bolt.Tx) error {
		for _, rel := range c.rels[:4] {
			if err := tx.Bucket(eonBucket(eon)).Bucket(bucketBatches).Put(numberKey(rel.Number), encodeRecordV1(nil, rel)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if err := os.Remove(st.ids.Path(eon)); err != nil {
		t.Fatal(err)
	}
	st = reopenStore(t, st, path)
	six := &released{batches: c.batches[:6], raws: c.raws[:6], rels: c.rels[:6], shares: c.shares[:6]}
	checkAnswers(t, e, st, six, span(5, 6), nil)
	if n := st.ids.Len(eon); n != 12 {
		t.Fatalf("the index holds %d identities, want 12", n)
	}
	st.retain = 2
	for i := 6; i < 8; i++ {
		if err := st.Commit(eon, c.rels[i], c.raws[i], c.states[i]); err != nil {
			t.Fatal(err)
		}
	}
	checkAnswers(t, e, st, c, span(7, 8), span(5, 6))
}
