package keyper

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/internal/idset"
	"github.com/veil-l2/veil/ordering/batch"
	bolt "go.etcd.io/bbolt"
)

// ErrStore reports a damaged or unreadable keyper store.
var ErrStore = errors.New("keyper: store")

// ErrIdentitiesLost: a release record without its keyed identities (a
// compact record, recordV2) whose batch's encoding was pruned, and no
// batch to take them from. Opening an eon's identity index that needs
// them fails with it (the eon's view then answers "released" for every
// identity: no envelope gets a share); ReleasedBatch returns it unless
// the caller passes the batch.
var ErrIdentitiesLost = errors.New("keyper: store: keyed identities of a released batch are neither recorded nor retained")

// RetainEncodings is how many of an eon's most recent batches keep their
// full wire encoding in the store: 1024, about 17 minutes at one batch a
// second. An older batch keeps only its small release record (number,
// hash, batch identity, keyed and no-key indexes) and its released
// identities in the eon's identity index. A repeated request for it
// brings the batch, whose keyed envelopes give the identities again; its
// shares are a function of the key share and the identities.
const RetainEncodings = 1024

// pruneBudget bounds the batches whose encoding one Commit deletes, so
// that a backlog (a store that kept more) shrinks over several commits
// instead of in one long transaction on the critical path.
const pruneBudget = 16

// Store is a keyper's durable state in bbolt, one bucket per eon: the
// release state, every released batch's compact release record (its keyed
// positions, not their identities) and the recent batches' full wire
// encodings. A release is written in one transaction before any share is
// sent.
//
// The eon's released identities, which the "released before" rule reads
// for every envelope, are indexed beside the store in one idset file per
// eon (<store>.eon-<n>.ids): when the index is opened, the identities of
// the releases above its last synced mark are added again, taken from the
// keyed envelopes of the batches' retained encodings (or from records of
// an older keyper, which hold them), so it needs no sync per release; it
// keeps the identities out of the mapped store, where random keys made
// every B-tree leaf resident. The index is thus the only copy of the
// identities of batches older than the retention window: an index lost
// for such an eon cannot be rebuilt (ErrIdentitiesLost), and the eon's
// view answers "released" for everything.
type Store struct {
	db *bolt.DB
	// retain and budget are RetainEncodings and pruneBudget; tests lower
	// them.
	retain, budget uint64
	ids            *idset.Eons // released identities, by eon
}

// Inside an eon's bucket:
//
//	state        the ReleaseState (JSON)
//	batches      number (u64 big-endian) -> release record (recordV2;
//	             recordV1 or JSON when written by an older keyper)
//	encodings    number -> the batch's wire encoding, for the last retain
//	             batches only
//	identities   (written by older keypers, deleted once the eon's idset
//	             is built) identity -> number of the batch that released it
var (
	keyState        = []byte("state")
	bucketBatches   = []byte("batches")
	bucketEncodings = []byte("encodings")
	bucketIDs       = []byte("identities")
)

// idsSyncEvery is how many release numbers pass between syncs of an
// identity index: opening it replays at most this many records.
const idsSyncEvery = 64

// OpenStore opens (or creates) the store file with mode 0600, and its
// identity indexes.
func OpenStore(path string) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrStore, err)
	}
	s := &Store{db: db, retain: RetainEncodings, budget: pruneBudget}
	if s.ids, err = idset.OpenEons(path, idsSyncEvery, s.replayIDs, s.migrateIDs); err != nil {
		db.Close()
		return nil, fmt.Errorf("%w: identity index: %w", ErrStore, err)
	}
	return s, nil
}

// OpenIndex opens the eon's identity index now, rather than on the first
// envelope, replaying the releases above its synced mark. An index that
// cannot be rebuilt (ErrIdentitiesLost) stays closed, and the eon's view
// answers "released" for every identity until DropEon.
func (s *Store) OpenIndex(eon uint64) error {
	if err := s.ids.Open(eon); err != nil {
		return fmt.Errorf("%w: identity index: %w", ErrStore, err)
	}
	return nil
}

// Close syncs and closes the identity indexes, then the store.
func (s *Store) Close() error { return errors.Join(s.ids.Close(), s.db.Close()) }

// replayIDs is the identity indexes' Replayer: the keyed identities of the
// eon's release records above after, from the records that hold them
// (recordV1, JSON) and otherwise from the batches' retained encodings.
// When neither has them it fails with ErrIdentitiesLost.
func (s *Store) replayIDs(eon, after uint64, add func(idset.ID, uint64) error) (last uint64, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(eonBucket(eon))
		if b == nil {
			return nil
		}
		batches := b.Bucket(bucketBatches)
		if batches == nil {
			return nil
		}
		encodings := b.Bucket(bucketEncodings)
		if k, _ := batches.Cursor().Last(); k != nil {
			last = binary.BigEndian.Uint64(k)
		}
		c := batches.Cursor()
		for k, v := c.Seek(numberKey(after + 1)); k != nil; k, v = c.Next() {
			number := binary.BigEndian.Uint64(k)
			rec, err := decodeRecord(v)
			if err != nil {
				return fmt.Errorf("record of batch %d: %v", number, err)
			}
			if err := rec.fillIdentities(eon, number, encodings, nil); err != nil {
				if errors.Is(err, ErrIdentitiesLost) {
					return fmt.Errorf("%w (%w)", err, idset.ErrLost) // the index keeps the eon closed
				}
				return err
			}
			for _, kd := range rec.Keyed {
				if err := add(kd.Identity, rec.Number); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return last, err
}

// migrateIDs builds the index of every eon whose bucket still has an
// older keyper's identities bucket (from the records, which that keyper
// wrote with every keyed identity), then deletes that bucket.
func (s *Store) migrateIDs(ids *idset.Eons) error {
	var eons []uint64
	s.db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			if len(name) == len(eonBucket(0)) && bytes.HasPrefix(name, []byte("eon-")) && b.Bucket(bucketIDs) != nil {
				eons = append(eons, binary.BigEndian.Uint64(name[4:]))
			}
			return nil
		})
	})
	for _, eon := range eons {
		if err := ids.Open(eon); err != nil {
			return err
		}
		if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(eonBucket(eon)).DeleteBucket(bucketIDs) }); err != nil {
			return err
		}
	}
	return nil
}

func eonBucket(eon uint64) []byte { return binary.BigEndian.AppendUint64([]byte("eon-"), eon) }

func numberKey(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

// releasedBatch is what is kept of one release.
type releasedBatch struct {
	Hash   common.Hash
	Batch  []byte // only in a JSON record: the batch's wire encoding
	Keyed  []Keyed
	NoKey  []int // indexes withheld (reasons are recomputed on demand)
	Number uint64
	// BatchIdentity is the identity of the batch's attestation share.
	BatchIdentity tpke.Identity
	// indexesOnly: a recordV2, whose Keyed hold positions only, their
	// identities zero until fillIdentities.
	indexesOnly bool
}

// The binary release records. A record written by an older keyper may be
// JSON (it starts with '{' and holds the keyed identities and the batch's
// encoding) or recordV1; new records are recordV2. The layouts:
//
//	recordV1 ‖ u64 number ‖ hash (32) ‖ batch identity (32) ‖
//	uvarint #keyed ‖ #keyed × (uvarint index ‖ identity (32)) ‖
//	uvarint #no-key ‖ #no-key × uvarint index
//
//	recordV2 ‖ u64 number ‖ hash (32) ‖ batch identity (32) ‖
//	uvarint #keyed ‖ #keyed × uvarint index ‖
//	uvarint #no-key ‖ #no-key × uvarint index
//
// recordV1 takes about 34 bytes per keyed envelope (6.9 KB for 200).
// recordV2 leaves the identities out: the identity index has them, and
// the batch's keyed envelopes give them again (fillIdentities). It takes
// 75 bytes plus one or two per envelope: about 350 for 200.
const (
	recordV1 = 0x01
	recordV2 = 0x02
)

// encodeRecord appends the binary record (recordV2) of rel.
func encodeRecord(dst []byte, rel *Release) []byte {
	dst = append(dst, recordV2)
	dst = binary.BigEndian.AppendUint64(dst, rel.Number)
	dst = append(dst, rel.Hash[:]...)
	dst = append(dst, rel.BatchIdentity[:]...)
	dst = binary.AppendUvarint(dst, uint64(len(rel.Keyed)))
	for _, k := range rel.Keyed {
		dst = binary.AppendUvarint(dst, uint64(k.Index))
	}
	dst = binary.AppendUvarint(dst, uint64(len(rel.NoKey)))
	for _, nk := range rel.NoKey {
		dst = binary.AppendUvarint(dst, uint64(nk.Index))
	}
	return dst
}

// recordSize is the length of rel's binary record.
func recordSize(rel *Release) int {
	n := 1 + 8 + 32 + 32 + uvarintLen(uint64(len(rel.Keyed))) + uvarintLen(uint64(len(rel.NoKey)))
	for _, k := range rel.Keyed {
		n += uvarintLen(uint64(k.Index))
	}
	for _, nk := range rel.NoKey {
		n += uvarintLen(uint64(nk.Index))
	}
	return n
}

// uvarintLen is the length of x's uvarint encoding.
func uvarintLen(x uint64) int { return (bits.Len64(x|1) + 6) / 7 }

var errRecord = errors.New("malformed release record")

// decodeRecord reads a release record in any format. A JSON record's
// Batch is copied out of v; the binary ones hold no encoding, and a
// recordV2 no identities (indexesOnly).
func decodeRecord(v []byte) (*releasedBatch, error) {
	var rec releasedBatch
	if len(v) > 0 && v[0] == '{' {
		if err := json.Unmarshal(v, &rec); err != nil {
			return nil, err
		}
		return &rec, nil
	}
	if len(v) < 1+8+32+32 || (v[0] != recordV1 && v[0] != recordV2) {
		return nil, errRecord
	}
	rec.indexesOnly = v[0] == recordV2
	entry := 1 + 32 // the least bytes of a keyed entry
	if rec.indexesOnly {
		entry = 1
	}
	rec.Number = binary.BigEndian.Uint64(v[1:])
	copy(rec.Hash[:], v[9:])
	copy(rec.BatchIdentity[:], v[41:])
	v = v[73:]
	index := func() (int, bool) {
		x, n := binary.Uvarint(v)
		if n <= 0 || x > math.MaxInt32 {
			return 0, false
		}
		v = v[n:]
		return int(x), true
	}
	nk, ok := index()
	if !ok || nk > len(v)/entry {
		return nil, errRecord
	}
	if nk > 0 {
		rec.Keyed = make([]Keyed, nk)
	}
	for i := range rec.Keyed {
		if rec.Keyed[i].Index, ok = index(); !ok {
			return nil, errRecord
		}
		if rec.indexesOnly {
			continue
		}
		if len(v) < 32 {
			return nil, errRecord
		}
		copy(rec.Keyed[i].Identity[:], v)
		v = v[32:]
	}
	nn, ok := index()
	if !ok || nn > len(v) {
		return nil, errRecord
	}
	if nn > 0 {
		rec.NoKey = make([]int, nn)
	}
	for i := range rec.NoKey {
		if rec.NoKey[i], ok = index(); !ok {
			return nil, errRecord
		}
	}
	if len(v) != 0 {
		return nil, errRecord
	}
	return &rec, nil
}

// fillIdentities sets the identities of a recordV2's keyed envelopes (a
// record that holds them is left as it is): from b when it is given (it
// must be the released batch: its commitment hash is the record's, or
// this is an error), otherwise from the batch's retained encoding in
// encodings (nil: none); ErrIdentitiesLost when it is not there.
func (rec *releasedBatch) fillIdentities(eon, number uint64, encodings *bolt.Bucket, b *batch.Batch) error {
	if b != nil {
		if h := b.Commitment.Hash(); h != rec.Hash {
			return fmt.Errorf("%w: eon %d batch %d: the batch given has hash %s, the record %s", ErrStore, eon, number, h, rec.Hash)
		}
	}
	if !rec.indexesOnly || len(rec.Keyed) == 0 {
		rec.indexesOnly = false
		return nil
	}
	if b == nil {
		var raw []byte // a compact record holds no encoding: only the bucket has it
		if encodings != nil {
			raw = encodings.Get(numberKey(number))
		}
		if raw == nil {
			return fmt.Errorf("%w: eon %d batch %d", ErrIdentitiesLost, eon, number)
		}
		var err error
		if b, err = batch.Decode(raw, storedLimits); err != nil {
			return fmt.Errorf("%w: eon %d batch %d: encoding: %v", ErrStore, eon, number, err)
		}
		if h := b.Commitment.Hash(); h != rec.Hash {
			return fmt.Errorf("%w: eon %d batch %d: encoding of hash %s, the record %s", ErrStore, eon, number, h, rec.Hash)
		}
	}
	if err := keyedIdentities(b, rec.Keyed); err != nil {
		return fmt.Errorf("%w: eon %d batch %d: %v", ErrStore, eon, number, err)
	}
	rec.indexesOnly = false
	return nil
}

// storedLimits decode the store's own encodings: each was a batch this
// keyper accepted under its limits when it released it.
var storedLimits = batch.Limits{MaxTxs: math.MaxInt, MaxBytes: math.MaxInt, MaxDeposits: math.MaxInt}

// keyedIdentities sets the identity of each keyed envelope of b (by its
// Index), recovering the payers on all cores.
func keyedIdentities(b *batch.Batch, keyed []Keyed) error {
	signer := types.LatestSignerForChainID(new(big.Int).SetUint64(b.Commitment.ChainID))
	errs := make([]error, len(keyed))
	parallel(len(keyed), func(i int) {
		k := &keyed[i]
		if k.Index < 0 || k.Index >= len(b.Txs) {
			errs[i] = fmt.Errorf("keyed index %d of a batch of %d transactions", k.Index, len(b.Txs))
			return
		}
		id, err := encmempool.EnvelopeIdentity(b.Txs[k.Index], signer)
		if err != nil {
			errs[i] = fmt.Errorf("keyed envelope %d: %w", k.Index, err)
			return
		}
		k.Identity = id
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// State returns the eon's release state ({Next: first} when none yet).
func (s *Store) State(eon, first uint64) (ReleaseState, error) {
	st := ReleaseState{Next: first}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(eonBucket(eon))
		if b == nil {
			return nil
		}
		if v := b.Get(keyState); v != nil {
			if err := json.Unmarshal(v, &st); err != nil {
				return fmt.Errorf("%w: state: %v", ErrStore, err)
			}
		}
		return nil
	})
	return st, err
}

// Commit records a release in one transaction: the release record (keyed
// positions, no identities), the batch's wire encoding (which gives the
// keyed identities again while it is retained) and the new state; then it
// adds the keyed identities to the eon's index. Only after it returns may
// shares be sent. It refuses a number already recorded. In the same
// transaction it deletes the encodings of batches that fell out of the
// retention window (RetainEncodings), at most a few per call.
func (s *Store) Commit(eon uint64, rel *Release, batchRaw []byte, state ReleaseState) error {
	recRaw := encodeRecord(make([]byte, 0, recordSize(rel)), rel)
	stRaw, err := json.Marshal(&state)
	if err != nil {
		return err
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(eonBucket(eon))
		if err != nil {
			return err
		}
		batches, err := b.CreateBucketIfNotExists(bucketBatches)
		if err != nil {
			return err
		}
		encodings, err := b.CreateBucketIfNotExists(bucketEncodings)
		if err != nil {
			return err
		}
		num := numberKey(rel.Number)
		if prev := batches.Get(num); prev != nil {
			return fmt.Errorf("%w: batch %d already recorded", ErrStore, rel.Number)
		}
		if err := s.prune(encodings, rel.Number); err != nil {
			return err
		}
		if err := batches.Put(num, recRaw); err != nil {
			return err
		}
		if len(batchRaw) > 0 {
			if err := encodings.Put(num, batchRaw); err != nil {
				return err
			}
		}
		return b.Put(keyState, stRaw)
	})
	if err != nil {
		return err
	}
	// The release is durable, its identities in the encoding. An index
	// that fails here is closed, answers "released" until it is opened
	// again, and then replays the records, this one included (while its
	// encoding is retained; after that, with ErrIdentitiesLost, it stays
	// closed and keeps answering "released").
	ids := make([]idset.ID, len(rel.Keyed))
	for i, k := range rel.Keyed {
		ids[i] = k.Identity
	}
	s.ids.Add(eon, rel.Number, ids)
	return nil
}

// prune deletes the encodings of batches numbered below the window that
// ends at number, at most s.budget of them. Records and the identity index
// stay. A JSON record keeps the encoding it holds: rewriting it costs about
// 1.5 ms (its JSON decoded), too much for the critical path.
func (s *Store) prune(encodings *bolt.Bucket, number uint64) error {
	if number <= s.retain {
		return nil
	}
	below := number - s.retain + 1 // the window is [below, number]
	var old [][]byte
	c := encodings.Cursor()
	for k, _ := c.First(); k != nil && uint64(len(old)) < s.budget && binary.BigEndian.Uint64(k) < below; k, _ = c.Next() {
		old = append(old, k)
	}
	for _, k := range old {
		if err := encodings.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// DropEon deletes everything the store keeps of an eon's releases (its
// state, records, encodings and released identities; not its DKG). Call it
// only once the eon is over and its process will not answer for its
// batches again. Dropping an eon never recorded is not an error.
func (s *Store) DropEon(eon uint64) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(eonBucket(eon)); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.ids.Drop(eon)
}

// Released returns the eon's view of released identities for the core. A
// store that cannot be read answers "released": no share is ever sent on a
// guess.
func (s *Store) Released(eon uint64) Released { return storeView{s: s, eon: eon} }

type storeView struct {
	s   *Store
	eon uint64
}

func (v storeView) Released(id tpke.Identity) bool {
	_, found, err := v.s.ids.Get(v.eon, id)
	return err != nil || found
}

// ReleasedHash returns the hash of a released batch of the view's eon.
func (v storeView) ReleasedHash(number uint64) (common.Hash, bool) {
	var h common.Hash
	found := false
	err := v.s.db.View(func(tx *bolt.Tx) error {
		rec, err := v.s.record(tx, v.eon, number)
		if rec != nil {
			h, found = rec.Hash, true
		}
		return err
	})
	return h, err == nil && found
}

// record reads the release record of a batch (nil when none).
func (s *Store) record(tx *bolt.Tx, eon, number uint64) (*releasedBatch, error) {
	b := tx.Bucket(eonBucket(eon))
	if b == nil {
		return nil, nil
	}
	batches := b.Bucket(bucketBatches)
	if batches == nil {
		return nil, nil
	}
	v := batches.Get(numberKey(number))
	if v == nil {
		return nil, nil
	}
	rec, err := decodeRecord(v)
	if err == nil && rec.Number != number {
		err = fmt.Errorf("record of batch %d", rec.Number)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: batch %d: %v", ErrStore, number, err)
	}
	return rec, nil
}

// ReleasedBatch returns a recorded release, for every batch the eon
// released: the keyed identities, so its shares can be sent again,
// identical (they are a deterministic function of the share and the
// identities), and the batch's wire encoding while it is within the
// retention window (RetainEncodings); batchRaw is nil for an older batch.
// rel is nil when the batch was not released.
//
// b is the released batch when the caller has it (the driver answering a
// repeated request, whose commitment hash Decide matched to the record),
// or nil; a b whose commitment hash is not the record's is an error. The
// keyed identities of a compact record come from b, or else from the
// retained encoding: without b, an older batch's are lost
// (ErrIdentitiesLost).
func (s *Store) ReleasedBatch(eon, number uint64, b *batch.Batch) (batchRaw []byte, rel *Release, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		rec, err := s.record(tx, eon, number)
		if rec == nil {
			return err
		}
		batchRaw = rec.Batch // a JSON record's own copy
		encodings := tx.Bucket(eonBucket(eon)).Bucket(bucketEncodings)
		if encodings != nil {
			if v := encodings.Get(numberKey(number)); v != nil {
				batchRaw = append([]byte(nil), v...) // v lives only as long as tx
			}
		}
		if err := rec.fillIdentities(eon, number, encodings, b); err != nil {
			return err
		}
		rel = &Release{Eon: eon, Number: rec.Number, Hash: rec.Hash, Keyed: rec.Keyed, BatchIdentity: rec.BatchIdentity, Again: true}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return batchRaw, rel, nil
}
