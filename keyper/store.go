package keyper

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/veil-l2/veil/encmempool/tpke"
	bolt "go.etcd.io/bbolt"
)

// ErrStore reports a damaged or unreadable keyper store.
var ErrStore = errors.New("keyper: store")

// Store is a keyper's durable state in bbolt, one bucket per eon: the
// release state, every released batch with its decision, and every
// released identity. A release is written in one transaction before any
// share is sent.
type Store struct{ db *bolt.DB }

var (
	keyState      = []byte("state")
	bucketBatches = []byte("batches")
	bucketIDs     = []byte("identities")
)

// OpenStore opens (or creates) the store file with mode 0600.
func OpenStore(path string) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrStore, err)
	}
	return &Store{db: db}, nil
}

// Close closes the store.
func (s *Store) Close() error { return s.db.Close() }

func eonBucket(eon uint64) []byte { return binary.BigEndian.AppendUint64([]byte("eon-"), eon) }

// releasedBatch is what is kept of one release.
type releasedBatch struct {
	Hash   common.Hash
	Batch  []byte // the batch's wire encoding
	Keyed  []Keyed
	NoKey  []int // indexes withheld (reasons are recomputed on demand)
	Number uint64
	// BatchIdentity is the identity of the batch's attestation share.
	BatchIdentity tpke.Identity
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

// Commit records a release in one transaction: the batch, the decision,
// the keyed identities and the new state. Only after it returns may shares
// be sent.
func (s *Store) Commit(eon uint64, rel *Release, batchRaw []byte, state ReleaseState) error {
	rec := releasedBatch{Hash: rel.Hash, Batch: batchRaw, Keyed: rel.Keyed, Number: rel.Number, BatchIdentity: rel.BatchIdentity}
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

// Released returns the eon's view of released identities for the core. A
// store that cannot be read answers "released": no share is ever sent on a
// guess.
func (s *Store) Released(eon uint64) Released { return storeView{s: s, eon: eon} }

type storeView struct {
	s   *Store
	eon uint64
}

func (v storeView) Released(id tpke.Identity) bool {
	found := true
	err := v.s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(eonBucket(v.eon))
		if b == nil {
			found = false
			return nil
		}
		ids := b.Bucket(bucketIDs)
		found = ids != nil && ids.Get(id[:]) != nil
		return nil
	})
	return err != nil || found
}

// ReleasedHash returns the hash of a released batch of the view's eon.
func (v storeView) ReleasedHash(number uint64) (common.Hash, bool) {
	_, rel, err := v.s.ReleasedBatch(v.eon, number)
	if err != nil || rel == nil {
		return common.Hash{}, false
	}
	return rel.Hash, true
}

// ReleasedBatch returns a recorded release: the batch's wire encoding and
// the keyed identities, so its shares can be sent again, identical (they
// are a deterministic function of the share and the identities).
func (s *Store) ReleasedBatch(eon, number uint64) (batchRaw []byte, rel *Release, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(eonBucket(eon))
		if b == nil {
			return nil
		}
		batches := b.Bucket(bucketBatches)
		if batches == nil {
			return nil
		}
		v := batches.Get(binary.BigEndian.AppendUint64(nil, number))
		if v == nil {
			return nil
		}
		var rec releasedBatch
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("%w: batch %d: %v", ErrStore, number, err)
		}
		batchRaw = rec.Batch
		rel = &Release{Eon: eon, Number: rec.Number, Hash: rec.Hash, Keyed: rec.Keyed, BatchIdentity: rec.BatchIdentity, Again: true}
		return nil
	})
	return batchRaw, rel, err
}
