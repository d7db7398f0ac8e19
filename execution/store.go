package execution

import (
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/ethereum/go-ethereum/common"
	"github.com/veil-l2/veil/internal/boltdb"
	bolt "go.etcd.io/bbolt"
)

// The durable record. go-ethereum's chain database is a cache that can
// rewind after a crash; this bbolt file is what the node must not forget:
// the inputs of the blocks above the previous checkpoint (what re-execution
// may need), the revealed set and the state checkpoint.
var (
	bucketBlocks   = []byte("blocks")   // u64 number -> RLP(BlockInput)
	bucketRevealed = []byte("revealed") // inner tx hash -> revealedAt u64 ‖ sender[20] ‖ nonce u64
	bucketMeta     = []byte("meta")
	keyCheckpoint  = []byte("checkpoint") // u64: highest block whose state was flushed to disk
)

// ErrStore reports a damaged or unreadable record.
var ErrStore = errors.New("execution: record store")

// store is the bbolt record of one node.
type store struct{ db *bolt.DB }

func openStore(dir string) (*store, error) {
	db, err := boltdb.Open(filepath.Join(dir, "record.db"), boltdb.Options{}, bucketBlocks, bucketRevealed, bucketMeta)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrStore, err)
	}
	return &store{db: db}, nil
}

func (s *store) close() error { return s.db.Close() }

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

// revealedEntry is one inner transaction ever decrypted.
type revealedEntry struct {
	Hash   common.Hash
	At     uint64 // block that revealed it
	Sender common.Address
	Nonce  uint64
}

func (e revealedEntry) value() []byte {
	v := make([]byte, 0, 36)
	v = binary.BigEndian.AppendUint64(v, e.At)
	v = append(v, e.Sender[:]...)
	return binary.BigEndian.AppendUint64(v, e.Nonce)
}

// revealedBefore returns which of hashes were revealed by a block below
// number, in one read. Entries written by a block at or above number (a
// block being re-executed after a crash) do not count, so re-execution
// decides exactly as before.
func (s *store) revealedBefore(hashes []common.Hash, number uint64) (map[common.Hash]bool, error) {
	found := map[common.Hash]bool{}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRevealed)
		for _, h := range hashes {
			v := b.Get(h[:])
			if v == nil {
				continue
			}
			if len(v) != 36 {
				return fmt.Errorf("%w: revealed entry of %d bytes", ErrStore, len(v))
			}
			if binary.BigEndian.Uint64(v[:8]) < number {
				found[h] = true
			}
		}
		return nil
	})
	return found, err
}

// putInput records one block's input.
func (s *store) putInput(number uint64, input []byte) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketBlocks).Put(u64(number), input)
	})
}

// putRevealed records the inner transactions a block revealed. An entry
// already there from an earlier block keeps that block.
func (s *store) putRevealed(revealed []revealedEntry) error {
	if len(revealed) == 0 {
		return nil
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		rb := tx.Bucket(bucketRevealed)
		for _, e := range revealed {
			if old := rb.Get(e.Hash[:]); len(old) == 36 && binary.BigEndian.Uint64(old[:8]) < e.At {
				continue
			}
			if err := rb.Put(e.Hash[:], e.value()); err != nil {
				return err
			}
		}
		return nil
	})
}

// input returns the recorded input of block number, or nil.
func (s *store) input(number uint64) ([]byte, error) {
	var out []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketBlocks).Get(u64(number)); v != nil {
			out = append([]byte(nil), v...)
		}
		return nil
	})
	return out, err
}

// lastRecorded returns the highest recorded block number (0 if none).
func (s *store) lastRecorded() (uint64, error) {
	return s.recordedEnd(func(c *bolt.Cursor) ([]byte, []byte) { return c.Last() })
}

// firstRecorded returns the lowest recorded block number (0 if none).
func (s *store) firstRecorded() (uint64, error) {
	return s.recordedEnd(func(c *bolt.Cursor) ([]byte, []byte) { return c.First() })
}

// recordedEnd returns the block number at one end of the record (0 if
// none); end moves the cursor there.
func (s *store) recordedEnd(end func(*bolt.Cursor) ([]byte, []byte)) (uint64, error) {
	var n uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		k, _ := end(tx.Bucket(bucketBlocks).Cursor())
		if k != nil {
			if len(k) != 8 {
				return fmt.Errorf("%w: block key of %d bytes", ErrStore, len(k))
			}
			n = binary.BigEndian.Uint64(k)
		}
		return nil
	})
	return n, err
}

func (s *store) checkpoint() (uint64, error) {
	var n uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(keyCheckpoint); len(v) == 8 {
			n = binary.BigEndian.Uint64(v)
		}
		return nil
	})
	return n, err
}

// maxInputsPrunedPerCheckpoint bounds the inputs one checkpoint deletes, so
// that a record written before inputs were pruned shrinks over several
// checkpoints instead of in one long transaction.
const maxInputsPrunedPerCheckpoint = 4096

// checkpointPruned counts what one checkpoint deleted from the record.
type checkpointPruned struct {
	Revealed int // revealed entries whose nonce is below their sender's
	Inputs   int // block inputs at or below the previous checkpoint
}

// setCheckpoint records that the state of block number is on disk, and
// prunes what can never matter again: the revealed entries whose nonce is
// below their sender's account nonce at that block (the state re-execution
// can never go below; nonceAt answers for it), and the inputs of the
// blocks at or below the previous checkpoint (re-execution starts above
// go-ethereum's durable head, which is at or above the latest flushed
// state; the inputs between the two checkpoints are kept as a margin).
func (s *store) setCheckpoint(number uint64, nonceAt func(common.Address) uint64) (pruned checkpointPruned, err error) {
	err = s.db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		var prev uint64
		if v := meta.Get(keyCheckpoint); len(v) == 8 {
			prev = binary.BigEndian.Uint64(v)
		}
		if err := meta.Put(keyCheckpoint, u64(number)); err != nil {
			return err
		}
		rb := tx.Bucket(bucketRevealed)
		var dead [][]byte
		err := rb.ForEach(func(k, v []byte) error {
			if len(v) != 36 {
				return fmt.Errorf("%w: revealed entry of %d bytes", ErrStore, len(v))
			}
			at := binary.BigEndian.Uint64(v[:8])
			sender := common.BytesToAddress(v[8:28])
			nonce := binary.BigEndian.Uint64(v[28:])
			if at <= number && nonce < nonceAt(sender) {
				dead = append(dead, append([]byte(nil), k...))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range dead {
			if err := rb.Delete(k); err != nil {
				return err
			}
		}
		pruned.Revealed = len(dead)
		// Inputs: only below a previous checkpoint lower than this one.
		if prev == 0 || prev >= number {
			return nil
		}
		blocks := tx.Bucket(bucketBlocks)
		var old [][]byte
		c := blocks.Cursor()
		for k, _ := c.First(); k != nil && len(old) < maxInputsPrunedPerCheckpoint; k, _ = c.Next() {
			if len(k) != 8 {
				return fmt.Errorf("%w: block key of %d bytes", ErrStore, len(k))
			}
			if binary.BigEndian.Uint64(k) > prev {
				break
			}
			old = append(old, append([]byte(nil), k...))
		}
		for _, k := range old {
			if err := blocks.Delete(k); err != nil {
				return err
			}
		}
		pruned.Inputs = len(old)
		return nil
	})
	return pruned, err
}

// revealedCount returns the size of the revealed set.
func (s *store) revealedCount() (int, error) {
	var n int
	err := s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketRevealed).Stats().KeyN
		return nil
	})
	return n, err
}
