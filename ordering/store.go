package ordering

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/internal/boltdb"
	bolt "go.etcd.io/bbolt"
)

// ErrStore reports a damaged or unwritable batch log.
var ErrStore = errors.New("ordering: batch log")

// ErrUnknownTx answers a receipt request for a transaction never admitted
// (or whose batch is not committed and which is no longer pending).
var ErrUnknownTx = errors.New("ordering: unknown transaction")

// store is the sequencer's batch log in bbolt: every signed batch, written
// before it is gossiped; the identities each one keys (the sequencer's
// mirror of what keypers have released); the keys once aggregated; and how
// far execution has got. A batch number is never written twice.
type store struct{ db *bolt.DB }

var (
	bucketBatches    = []byte("batches")    // number -> signed batch encoding
	bucketIdentities = []byte("identities") // identity -> number of the batch that keys it
	bucketKeys       = []byte("keys")       // number -> keys message
	bucketReceipts   = []byte("receipts")   // tx hash -> order receipt of a committed transaction
	bucketMeta       = []byte("meta")
	keyExecuted      = []byte("executed") // highest executed batch number
)

func openStore(path string) (*store, error) {
	db, err := boltdb.Open(path, boltdb.Options{}, bucketBatches, bucketIdentities, bucketKeys, bucketReceipts, bucketMeta)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrStore, err)
	}
	return &store{db: db}, nil
}

func (s *store) close() error { return s.db.Close() }

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

// putBatch records a signed batch, the identities it keys and the order
// receipts of its transactions, in one transaction. An existing number is
// an error: a number is signed once.
func (s *store) putBatch(number uint64, raw []byte, keyed []tpke.Identity, receipts []encmempool.Receipt) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketBatches)
		if b.Get(u64(number)) != nil {
			return fmt.Errorf("batch %d exists", number)
		}
		if err := b.Put(u64(number), raw); err != nil {
			return err
		}
		ids := tx.Bucket(bucketIdentities)
		for _, id := range keyed {
			if err := ids.Put(id[:], u64(number)); err != nil {
				return err
			}
		}
		rb := tx.Bucket(bucketReceipts)
		for _, r := range receipts {
			enc, err := r.MarshalBinary()
			if err != nil {
				return err
			}
			if err := rb.Put(r.Hash[:], enc); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%w: %v", ErrStore, err)
	}
	return nil
}

// putKeys records a batch's keys message.
func (s *store) putKeys(number uint64, msg []byte) error {
	if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketKeys).Put(u64(number), msg) }); err != nil {
		return fmt.Errorf("%w: %v", ErrStore, err)
	}
	return nil
}

// setExecuted records that every batch up to number is executed.
func (s *store) setExecuted(number uint64) error {
	if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyExecuted, u64(number)) }); err != nil {
		return fmt.Errorf("%w: %v", ErrStore, err)
	}
	return nil
}

// logged is one batch as read back from the log.
type logged struct {
	number uint64
	raw    []byte
	keys   []byte // nil until the keys are in
}

// state reads the executed mark and every batch above it, in order, and
// the last batch overall.
func (s *store) state() (executed uint64, open []logged, last *logged, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(keyExecuted); len(v) == 8 {
			executed = binary.BigEndian.Uint64(v)
		}
		keys := tx.Bucket(bucketKeys)
		c := tx.Bucket(bucketBatches).Cursor()
		if k, v := c.Last(); k != nil {
			last = &logged{number: binary.BigEndian.Uint64(k), raw: append([]byte(nil), v...)}
		}
		for k, v := c.Seek(u64(executed + 1)); k != nil; k, v = c.Next() {
			n := binary.BigEndian.Uint64(k)
			l := logged{number: n, raw: append([]byte(nil), v...)}
			if kv := keys.Get(k); kv != nil {
				l.keys = append([]byte(nil), kv...)
			}
			open = append(open, l)
		}
		return nil
	})
	if err != nil {
		err = fmt.Errorf("%w: %v", ErrStore, err)
	}
	return executed, open, last, err
}

// batch returns the signed batch and keys message of a number.
func (s *store) batch(number uint64) (raw, keys []byte, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		raw = append([]byte(nil), tx.Bucket(bucketBatches).Get(u64(number))...)
		keys = append([]byte(nil), tx.Bucket(bucketKeys).Get(u64(number))...)
		return nil
	})
	return raw, keys, err
}

// receipt returns the order receipt of a committed transaction.
func (s *store) receipt(hash common.Hash) (*encmempool.Receipt, error) {
	var r *encmempool.Receipt
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketReceipts).Get(hash[:])
		if v == nil {
			return nil
		}
		r = new(encmempool.Receipt)
		return r.UnmarshalBinary(v)
	})
	if err != nil {
		return nil, fmt.Errorf("%w: receipt %s: %v", ErrStore, hash, err)
	}
	if r == nil {
		return nil, fmt.Errorf("%w: %s", ErrUnknownTx, hash)
	}
	return r, nil
}

// keyed reports whether any logged batch keys an identity.
func (s *store) keyed(id tpke.Identity) (bool, error) {
	found := false
	err := s.db.View(func(tx *bolt.Tx) error {
		found = tx.Bucket(bucketIdentities).Get(id[:]) != nil
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("%w: %v", ErrStore, err)
	}
	return found, nil
}

// keyedView answers whether an identity is keyed by a logged batch below
// a number: the sequencer's mirror of what keypers have released when
// they decide that batch.
type keyedView struct {
	s     *store
	below uint64
}

func (v keyedView) Released(id tpke.Identity) bool {
	found := false
	v.s.db.View(func(tx *bolt.Tx) error {
		n := tx.Bucket(bucketIdentities).Get(id[:])
		found = len(n) == 8 && binary.BigEndian.Uint64(n) < v.below
		return nil
	})
	return found
}
