package l1

import (
	"encoding/binary"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rlp"
	bolt "go.etcd.io/bbolt"

	"github.com/veil-l2/veil/internal/boltdb"
)

// The poster database (bbolt):
//
//	meta      "binding" → RLP(binding): the L1 chain id, genesis hash,
//	                      BatchInbox and account the file belongs to
//	          "posted"  → u64: the highest batch number confirmed
//	postings  u64 number → RLP(Posting), from Enqueue until confirmed
//	attempts  u64 number → RLP(attempt): the transactions in flight for it
//	nonces    u64 nonce  → RLP(fees): the last fees sent with the nonce,
//	                      so that a replacement is priced above them
//
// Integers are big-endian. Every change of one posting is one
// transaction, written before anything is sent.
var (
	bucketMeta     = []byte("meta")
	bucketPostings = []byte("postings")
	bucketAttempts = []byte("attempts")
	bucketNonces   = []byte("nonces")

	keyBinding = []byte("binding")
	keyPosted  = []byte("posted")
)

// binding ties a poster database to one chain, inbox and account.
type binding struct {
	ChainID uint64
	Genesis common.Hash
	Inbox   common.Address
	From    common.Address
}

// attempt is the latest transactions of a posting: its k parts with nonces
// Nonce..Nonce+k-1 and gas PartGas, and its submitBatch with nonce
// Nonce+k and gas Gas, all with the same fees. Hashes lists every
// submitBatch transaction ever sent for it (replacements, and those
// before a reset), so the one that got mined can be found; PartHashes
// every part transaction.
type attempt struct {
	Sent       bool
	Nonce      uint64
	Tip        *big.Int
	FeeCap     *big.Int
	Gas        uint64
	SentAt     uint64 // unix nanoseconds
	Hashes     []common.Hash
	PartGas    []uint64      `rlp:"optional"`
	PartHashes []common.Hash `rlp:"optional"`
}

type posterStore struct {
	db   *bolt.DB
	path string
}

type posterState struct {
	posted uint64
	queue  map[uint64]*queued
	nonces map[uint64]fees
}

func openPosterStore(path string) (*posterStore, error) {
	db, err := boltdb.Open(path, boltdb.Options{}, bucketMeta, bucketPostings, bucketAttempts, bucketNonces)
	if err != nil {
		return nil, fmt.Errorf("l1: poster database: %w", err)
	}
	return &posterStore{db: db, path: path}, nil
}

func (s *posterStore) close() error { return s.db.Close() }

func u64(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

func (s *posterStore) load() (*posterState, error) {
	st := &posterState{queue: map[uint64]*queued{}, nonces: map[uint64]fees{}}
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(keyPosted); len(v) == 8 {
			st.posted = binary.BigEndian.Uint64(v)
		}
		err := tx.Bucket(bucketPostings).ForEach(func(k, v []byte) error {
			q := &queued{}
			if len(k) != 8 || rlp.DecodeBytes(v, &q.p) != nil {
				return fmt.Errorf("l1: %s: malformed posting record %x", s.path, k)
			}
			if a := tx.Bucket(bucketAttempts).Get(k); a != nil {
				if err := rlp.DecodeBytes(a, &q.a); err != nil {
					return fmt.Errorf("l1: %s: malformed attempt record %x", s.path, k)
				}
			}
			st.queue[binary.BigEndian.Uint64(k)] = q
			return nil
		})
		if err != nil {
			return err
		}
		return tx.Bucket(bucketNonces).ForEach(func(k, v []byte) error {
			var f fees
			if len(k) != 8 || rlp.DecodeBytes(v, &f) != nil {
				return fmt.Errorf("l1: %s: malformed nonce record %x", s.path, k)
			}
			st.nonces[binary.BigEndian.Uint64(k)] = f
			return nil
		})
	})
	return st, err
}

// bind records b in a fresh database, or checks it against the recorded
// one.
func (s *posterStore) bind(b binding) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get(keyBinding); v != nil {
			var was binding
			if err := rlp.DecodeBytes(v, &was); err != nil {
				return fmt.Errorf("l1: %s: malformed binding: %v", s.path, err)
			}
			if was != b {
				return fmt.Errorf("%w: %s is for L1 chain %d (genesis %s), inbox %s, account %s; this is chain %d (genesis %s), "+
					"inbox %s, account %s", ErrWrongChain, s.path, was.ChainID, was.Genesis, was.Inbox, was.From, b.ChainID, b.Genesis,
					b.Inbox, b.From)
			}
			return nil
		}
		raw, err := rlp.EncodeToBytes(&b)
		if err != nil {
			return err
		}
		return meta.Put(keyBinding, raw)
	})
}

func (s *posterStore) putPosting(p *Posting) error {
	raw, err := rlp.EncodeToBytes(p)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketAttempts).Delete(u64(p.Number)); err != nil {
			return err
		}
		return tx.Bucket(bucketPostings).Put(u64(p.Number), raw)
	})
}

// putAttempt saves a posting's attempt and, when f is set, the fees last
// sent with its txs nonces.
func (s *posterStore) putAttempt(number uint64, a *attempt, f *fees, txs int) error {
	raw, err := rlp.EncodeToBytes(a)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		if f != nil {
			fr, err := rlp.EncodeToBytes(f)
			if err != nil {
				return err
			}
			for i := range uint64(txs) {
				if err := tx.Bucket(bucketNonces).Put(u64(a.Nonce+i), fr); err != nil {
					return err
				}
			}
		}
		return tx.Bucket(bucketAttempts).Put(u64(number), raw)
	})
}

// confirm drops a confirmed posting, raises posted to it and forgets the
// fees of nonces below latestNonce (all mined).
func (s *posterStore) confirm(number, latestNonce uint64) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketPostings).Delete(u64(number)); err != nil {
			return err
		}
		if err := tx.Bucket(bucketAttempts).Delete(u64(number)); err != nil {
			return err
		}
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get(keyPosted); len(v) != 8 || binary.BigEndian.Uint64(v) < number {
			if err := meta.Put(keyPosted, u64(number)); err != nil {
				return err
			}
		}
		c := tx.Bucket(bucketNonces).Cursor()
		for k, _ := c.First(); k != nil && binary.BigEndian.Uint64(k) < latestNonce; k, _ = c.First() {
			if err := c.Delete(); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *posterStore) setPosted(n uint64) error {
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyPosted, u64(n)) })
}
