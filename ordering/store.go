package ordering

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/internal/boltdb"
	"github.com/veil-l2/veil/internal/idset"
	bolt "go.etcd.io/bbolt"
)

// ErrStore reports a damaged or unwritable batch log.
var ErrStore = errors.New("ordering: batch log")

// ErrUnknownTx answers a receipt request for a transaction never admitted
// (or whose batch is not committed and which is no longer pending, or
// whose batch was pruned from the log: see prune).
var ErrUnknownTx = errors.New("ordering: unknown transaction")

// store is the sequencer's batch log in bbolt: every signed batch, written
// before it is gossiped; the identities each one keys (the sequencer's
// mirror of what keypers have released); the keys once aggregated; and how
// far execution has got. A batch number is never written twice. Old
// batches are pruned (prune), so the log holds a bounded window.
//
// The keyed identities are read per envelope (admission, the no-key rule)
// and kept for a whole eon, so they are indexed beside the log in one
// idset file per eon (batches.db.eon-<n>.ids, value: the number of the
// first batch that keys the identity), filled after each batch is logged
// and synced every idsSyncEvery batches; opening it adds the identities
// of the batch-ids entries above its synced mark again. An older log's
// identities bucket is moved into the index when the log opens.
type store struct {
	db  *bolt.DB
	ids *idset.Eons
}

// idsSyncEvery is how many batch numbers pass between syncs of an
// identity index: opening it replays at most this many batches.
const idsSyncEvery = 64

var (
	bucketBatches = []byte("batches") // number -> signed batch encoding
	// bucketIdentities (identity -> number of the batch that keys it) was
	// written by older sequencers; openStore moves it into the index.
	bucketIdentities = []byte("identities")
	bucketKeys       = []byte("keys")     // number -> keys message
	bucketReceipts   = []byte("receipts") // tx hash -> order receipt of a committed transaction
	// Pruning's indexes, written with each batch: the receipts and the
	// identities of a batch are keyed by hash, so they are found by batch
	// number here. Batches logged before the indexes existed have none.
	bucketBatchTxs = []byte("batch-txs") // number -> per receipt, its tx hash (32 bytes) and sequence number (8)
	bucketBatchIDs = []byte("batch-ids") // number -> its eon (8 bytes) and the identities it keys (32 bytes each)
	bucketMeta     = []byte("meta")
	keyExecuted    = []byte("executed") // highest executed batch number
)

func openStore(path string) (*store, error) {
	db, err := boltdb.Open(path, boltdb.Options{}, bucketBatches, bucketKeys, bucketReceipts, bucketBatchTxs,
		bucketBatchIDs, bucketMeta)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrStore, err)
	}
	s := &store{db: db}
	if s.ids, err = idset.OpenEons(path, idsSyncEvery, s.replayIDs, s.openIDs, s.migrateIDs); err != nil {
		db.Close()
		return nil, fmt.Errorf("%w: identity index: %v", ErrStore, err)
	}
	return s, nil
}

func (s *store) close() error { return errors.Join(s.ids.Close(), s.db.Close()) }

// openIDs opens the index of every eon the log may be asked about, from
// the eon of its oldest batch-ids entry to that of its last batch (a
// deleted index file is rebuilt here, not on first use: admission asks
// without naming an eon).
func (s *store) openIDs(ids *idset.Eons) error {
	var from, to uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		if _, v := tx.Bucket(bucketBatches).Cursor().Last(); v != nil {
			eon, err := commitmentEon(v)
			if err != nil {
				return fmt.Errorf("last batch: %v", err)
			}
			from, to = eon, eon
		}
		if _, v := tx.Bucket(bucketBatchIDs).Cursor().First(); len(v) >= 8 {
			from = min(from, binary.BigEndian.Uint64(v))
		}
		return nil
	})
	if err != nil || to == 0 {
		return err
	}
	for eon := from; eon <= to; eon++ {
		if err := ids.Open(eon); err != nil {
			return err
		}
	}
	return nil
}

// replayIDs is the identity indexes' Replayer: the identities of the
// eon's batch-ids entries above after; last is the last logged batch.
func (s *store) replayIDs(eon, after uint64, add func(idset.ID, uint64) error) (last uint64, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		if k, _ := tx.Bucket(bucketBatches).Cursor().Last(); k != nil {
			last = binary.BigEndian.Uint64(k)
		}
		c := tx.Bucket(bucketBatchIDs).Cursor()
		for k, v := c.Seek(u64(after + 1)); k != nil; k, v = c.Next() {
			if len(v) < 8 || (len(v)-8)%identityLen != 0 {
				return fmt.Errorf("identity index of batch %d: %d bytes", binary.BigEndian.Uint64(k), len(v))
			}
			if binary.BigEndian.Uint64(v) != eon {
				continue
			}
			n := binary.BigEndian.Uint64(k)
			for i := 8; i < len(v); i += identityLen {
				if err := add(idset.ID(v[i:i+identityLen]), n); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return last, err
}

// migrateIDs moves an older log's identities bucket into the index: each
// identity to the set of its batch's eon (from the batch-ids entry or the
// batch), or, for a batch no longer logged, of the last batch's eon (the
// rules only ask about the current eons; an identity binds its eon, so it
// can match nothing else). The sets are synced before the bucket goes.
func (s *store) migrateIDs(ids *idset.Eons) error {
	byEon := map[uint64]map[uint64][]idset.ID{}
	err := s.db.View(func(tx *bolt.Tx) error {
		ids := tx.Bucket(bucketIdentities)
		if ids == nil {
			return nil
		}
		batches, index := tx.Bucket(bucketBatches), tx.Bucket(bucketBatchIDs)
		var lastEon uint64
		if _, v := batches.Cursor().Last(); v != nil {
			lastEon, _ = commitmentEon(v)
		}
		eonOf := func(n []byte) uint64 {
			if v := index.Get(n); len(v) >= 8 {
				return binary.BigEndian.Uint64(v)
			}
			if v := batches.Get(n); v != nil {
				if eon, err := commitmentEon(v); err == nil {
					return eon
				}
			}
			return lastEon
		}
		return ids.ForEach(func(id, n []byte) error {
			if len(id) != identityLen || len(n) != 8 {
				return nil
			}
			eon := eonOf(n)
			if byEon[eon] == nil {
				byEon[eon] = map[uint64][]idset.ID{}
			}
			num := binary.BigEndian.Uint64(n)
			byEon[eon][num] = append(byEon[eon][num], idset.ID(id))
			return nil
		})
	})
	if err != nil {
		return err
	}
	for eon, byNumber := range byEon {
		for n, batch := range byNumber {
			if err := ids.Add(eon, n, batch); err != nil {
				return err
			}
		}
		if err := ids.Sync(eon); err != nil {
			return err
		}
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketIdentities); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
			return err
		}
		return nil
	})
}

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

// putBatch records a signed batch, the identities it keys and the order
// receipts of its transactions, with pruning's indexes of both, in one
// transaction. An existing number is an error: a number is signed once.
func (s *store) putBatch(number uint64, raw []byte, keyed []tpke.Identity, receipts []encmempool.Receipt) error {
	eon, err := commitmentEon(raw)
	if err != nil {
		return fmt.Errorf("%w: batch %d: %v", ErrStore, number, err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketBatches)
		if b.Get(u64(number)) != nil {
			return fmt.Errorf("batch %d exists", number)
		}
		if err := b.Put(u64(number), raw); err != nil {
			return err
		}
		idx := u64(eon)
		for _, id := range keyed {
			idx = append(idx, id[:]...)
		}
		if len(keyed) > 0 {
			if err := tx.Bucket(bucketBatchIDs).Put(u64(number), idx); err != nil {
				return err
			}
		}
		rb := tx.Bucket(bucketReceipts)
		txIdx := make([]byte, 0, len(receipts)*receiptIndexLen)
		for _, r := range receipts {
			enc, err := r.MarshalBinary()
			if err != nil {
				return err
			}
			if err := rb.Put(r.Hash[:], enc); err != nil {
				return err
			}
			txIdx = binary.BigEndian.AppendUint64(append(txIdx, r.Hash[:]...), r.Seq)
		}
		if len(receipts) > 0 {
			if err := tx.Bucket(bucketBatchTxs).Put(u64(number), txIdx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%w: %v", ErrStore, err)
	}
	// The batch is logged with its identities in the batch-ids entry. An
	// index that fails here answers with an error until it is opened
	// again, and then replays the entries, this one included.
	ids := make([]idset.ID, len(keyed))
	for i, id := range keyed {
		ids[i] = id
	}
	if err := s.ids.Add(eon, number, ids); err != nil {
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
	_, found, err := s.ids.Find(id)
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

// An index that cannot be read answers "released", as a keyper's does.
func (v keyedView) Released(id tpke.Identity) bool {
	n, found, err := v.s.ids.Find(id)
	return err != nil || (found && n < v.below)
}

// commitmentEon reads the eon from a signed batch's encoding without
// decoding the rest: the batch is the list [commitment, signature, txs],
// the commitment the list [version, chain id, eon, ...].
func commitmentEon(raw []byte) (uint64, error) {
	b, _, err := rlp.SplitList(raw)
	if err != nil {
		return 0, err
	}
	c, _, err := rlp.SplitList(b)
	if err != nil {
		return 0, err
	}
	for range 2 { // version, chain id
		if _, c, err = rlp.SplitUint64(c); err != nil {
			return 0, err
		}
	}
	eon, _, err := rlp.SplitUint64(c)
	return eon, err
}

// prunePerCall bounds what one prune deletes: this many batches (with
// their keys and receipts) and this many batches' identity entries. A log
// with a long backlog (one written before pruning, or after a long run
// without it) shrinks over several calls, never in one long transaction.
const prunePerCall = 64

const (
	identityLen     = len(tpke.Identity{})
	receiptIndexLen = common.HashLength + 8
)

// pruned counts what one prune deleted.
type pruned struct {
	Batches    int // batch encodings (with their keys messages)
	Receipts   int // order receipts
	Identities int // keyed identities of eons that ended, in the batch-ids entries deleted
}

// prune deletes, in one transaction and at most prunePerCall batches at a
// time from the oldest, what the log keeps of the batches below number
// below: their encodings, keys messages and order receipts. Identities are
// what admission (IdentitySeen) and the no-key rule (keyedView) read for
// the current eon, so they are kept for as long as their eon may matter:
// the batch-ids entries of pruned batches whose eon is below the eon of
// batch below are deleted (at most prunePerCall a call), and once none of
// those eons has an entry left, their identity indexes are dropped (an
// identity binds its eon, and the rule and admission only ask about
// identities of the eons of batches at or above below). Batch below and
// every batch above it stay.
//
// The caller chooses below (Sequencer.pruneLog): at or below the executed
// mark, so that restore finds every batch not executed, the executed one
// (its eon) and the last one (the next number and parent). The receipts
// of batches logged before the indexes existed are never deleted (their
// encodings and keys are).
func (s *store) prune(below uint64) (p pruned, err error) {
	var dropEons []uint64
	err = s.db.Update(func(tx *bolt.Tx) error {
		batches, keys := tx.Bucket(bucketBatches), tx.Bucket(bucketKeys)
		var keepEon uint64 // 0: identities are kept (batch below is not in the log)
		if raw := batches.Get(u64(below)); raw != nil {
			eon, err := commitmentEon(raw)
			if err != nil {
				return fmt.Errorf("batch %d: %v", below, err)
			}
			keepEon = eon
		}
		// Batches, keys and receipts.
		var old [][]byte
		c := batches.Cursor()
		for k, _ := c.First(); k != nil && len(old) < prunePerCall && binary.BigEndian.Uint64(k) < below; k, _ = c.Next() {
			old = append(old, bytes.Clone(k))
		}
		txs, receipts := tx.Bucket(bucketBatchTxs), tx.Bucket(bucketReceipts)
		for _, k := range old {
			entries := txs.Get(k)
			if len(entries)%receiptIndexLen != 0 {
				return fmt.Errorf("receipt index of batch %d: %d bytes", binary.BigEndian.Uint64(k), len(entries))
			}
			for i := 0; i < len(entries); i += receiptIndexLen {
				h, seq := entries[i:i+common.HashLength], binary.BigEndian.Uint64(entries[i+common.HashLength:i+receiptIndexLen])
				// Only the receipt this batch wrote: a transaction dropped
				// at its slot may be admitted again, and its new receipt
				// (another sequence number) replaces the old one.
				v := receipts.Get(h)
				if v == nil {
					continue
				}
				var r encmempool.Receipt
				if err := r.UnmarshalBinary(v); err != nil {
					return fmt.Errorf("receipt %x: %v", h, err)
				}
				if r.Seq != seq {
					continue
				}
				if err := receipts.Delete(h); err != nil {
					return err
				}
				p.Receipts++
			}
			for _, b := range []*bolt.Bucket{txs, keys, batches} {
				if err := b.Delete(k); err != nil {
					return err
				}
			}
		}
		p.Batches = len(old)
		// Identities of the eons before keepEon, oldest first (eons only
		// grow with the batch number), of batches already pruned.
		upTo := below
		if k, _ := batches.Cursor().First(); k != nil {
			upTo = min(upTo, binary.BigEndian.Uint64(k))
		}
		idx := tx.Bucket(bucketBatchIDs)
		var done [][]byte
		c = idx.Cursor()
		for k, v := c.First(); k != nil && len(done) < prunePerCall && binary.BigEndian.Uint64(k) < upTo; k, v = c.Next() {
			if len(v) < 8 || (len(v)-8)%identityLen != 0 {
				return fmt.Errorf("identity index of batch %d: %d bytes", binary.BigEndian.Uint64(k), len(v))
			}
			if binary.BigEndian.Uint64(v) >= keepEon {
				break
			}
			p.Identities += (len(v) - 8) / identityLen
			done = append(done, bytes.Clone(k))
		}
		for _, k := range done {
			if err := idx.Delete(k); err != nil {
				return err
			}
		}
		// Once no entry of an eon before keepEon is left, their sets go.
		if keepEon > 0 {
			if k, v := idx.Cursor().First(); k == nil || (len(v) >= 8 && binary.BigEndian.Uint64(v) >= keepEon) {
				for _, eon := range s.ids.Eons() {
					if eon < keepEon {
						dropEons = append(dropEons, eon)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return p, fmt.Errorf("%w: pruning below batch %d: %v", ErrStore, below, err)
	}
	for _, eon := range dropEons {
		if err := s.ids.Drop(eon); err != nil {
			return p, fmt.Errorf("%w: dropping the identity index of eon %d: %v", ErrStore, eon, err)
		}
	}
	return p, nil
}
