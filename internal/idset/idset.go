// Package idset is a durable set of 32-byte identities, each with a
// uint64 value, for the eon-long "released before" record that keypers and
// the sequencer keep (DESIGN.md section 5: no key for an identity released
// before in the eon).
//
// Why not a bbolt bucket: identities are hashes, so every batch inserts
// into random B-tree leaves. bbolt copies each touched leaf on write and
// reads through its memory map, so every leaf of the tree becomes resident
// in the process and every commit rewrites (and fsyncs) a leaf per
// identity. Over an eon at 200 transactions a second that is a steady rise
// in resident memory and hundreds of kilobytes written per batch. A Set
// reads and writes its file with pread and pwrite: the kernel's page cache
// holds what is hot, outside the process, and a batch writes 40 bytes per
// identity.
//
// Layout. A 4 KiB header, then levels of open-addressed slots (32-byte
// identity, 8-byte big-endian value; an all-zero identity marks an empty
// slot, and the zero identity itself is kept in the header). Level i has
// 2^(baseBits+i) slots; inserts go to the newest level, and when it is
// three quarters full a new level twice its size is appended. No level is ever
// rehashed, so an insert never stalls on a rebuild; a lookup reads one
// small window per level (about log2 of the number of identities over
// 2^baseBits levels). The slot index is a keyed hash (SHA-256 with a random
// key kept in the header), so nobody can choose identities that crowd one
// run of slots.
//
// Durability contract with the owner. A Set is a cache of records the
// owner keeps durably elsewhere (the keyper's release records, the
// sequencer's batch log), so writes are not synced one by one:
//  1. The owner commits a record (its batch number n and the identities
//     it keys) to its own store.
//  2. Then it calls Add for each identity, with value n. Add is idempotent:
//     an identity present keeps its first value.
//  3. Now and then (and on Close) it calls Sync(n): data is synced, then
//     the header records Mark = n.
//  4. On open, it reads Mark and Adds the identities of every record above
//     it again. A Set whose Mark is above the owner's last record, or
//     whose header does not check (ErrCorrupt), is Reset and rebuilt from
//     all the records.
//
// A Set is safe for concurrent use.
package idset

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// ErrCorrupt reports a file that is not a set or whose header does not
// check; the owner rebuilds it (Reset, then Add from its records).
var ErrCorrupt = errors.New("idset: damaged file")

// ErrClosed is returned after Close.
var ErrClosed = errors.New("idset: closed")

// ID is an identity.
type ID = [32]byte

const (
	headerSize = 4096
	slotSize   = 40
	// DefaultBaseBits sizes the first level: 2^16 slots (2.5 MiB of sparse
	// file), 49152 identities before the second level.
	DefaultBaseBits = 16
	// maxBits bounds the largest level, 2^(maxBits-1) slots.
	maxBits = 44
	// window is how many slots one read covers: at the fill a level
	// grows at, three quarters, a miss probes 8.5 slots on average.
	window = 16
)

var magic = [8]byte{'V', 'E', 'I', 'L', 'I', 'D', 'S', 1}

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// header is the first headerSize bytes of the file.
type header struct {
	key      [16]byte
	baseBits uint64
	levels   uint64
	newest   uint64 // identities in the newest level
	count    uint64 // identities in all levels and the header
	mark     uint64
	zero     bool // the zero identity is in the set
	zeroVal  uint64
	// clean: closed with nothing added after its last Sync, so newest is
	// exact. Otherwise Open counts the newest level again: identities
	// added after the last Sync may be in it.
	clean bool
}

const headerLen = 8 + 16 + 8*5 + 8 + 8 + 8 // magic, key, five counters, zero flag and value, clean flag

func (h *header) encode() []byte {
	b := make([]byte, 0, headerLen+4)
	b = append(b, magic[:]...)
	b = append(b, h.key[:]...)
	for _, v := range []uint64{h.baseBits, h.levels, h.newest, h.count, h.mark} {
		b = binary.BigEndian.AppendUint64(b, v)
	}
	z := uint64(0)
	if h.zero {
		z = 1
	}
	b = binary.BigEndian.AppendUint64(b, z)
	b = binary.BigEndian.AppendUint64(b, h.zeroVal)
	c := uint64(0)
	if h.clean {
		c = 1
	}
	b = binary.BigEndian.AppendUint64(b, c)
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, crcTable))
}

func decodeHeader(b []byte) (*header, error) {
	if len(b) < headerLen+4 || [8]byte(b[:8]) != magic {
		return nil, fmt.Errorf("%w: no set header", ErrCorrupt)
	}
	if crc32.Checksum(b[:headerLen], crcTable) != binary.BigEndian.Uint32(b[headerLen:]) {
		return nil, fmt.Errorf("%w: header checksum", ErrCorrupt)
	}
	h := &header{key: [16]byte(b[8:24])}
	u := func(i int) uint64 { return binary.BigEndian.Uint64(b[24+8*i:]) }
	h.baseBits, h.levels, h.newest, h.count, h.mark = u(0), u(1), u(2), u(3), u(4)
	h.zero, h.zeroVal, h.clean = u(5) == 1, u(6), u(7) == 1
	if h.baseBits < 4 || h.baseBits > 32 || h.levels == 0 || h.baseBits+h.levels > maxBits || u(5) > 1 || u(7) > 1 ||
		h.newest > h.slots(h.levels-1) || h.newest > h.count {
		return nil, fmt.Errorf("%w: header fields", ErrCorrupt)
	}
	return h, nil
}

// slots is the slot count of level i.
func (h *header) slots(i uint64) uint64 { return 1 << (h.baseBits + i) }

// offset is the file offset of level i.
func (h *header) offset(i uint64) int64 {
	// Levels 0..i-1 hold 2^b (2^i - 1) slots.
	return headerSize + int64(h.slots(0)*((1<<i)-1))*slotSize
}

// size is the file size the header describes.
func (h *header) size() int64 { return h.offset(h.levels) }

// Set is an open identity set.
type Set struct {
	mu   sync.RWMutex
	f    *os.File
	path string
	h    header
	// baseBits for a new or reset file.
	baseBits uint64
	// dirty: added to since the last Sync.
	dirty  bool
	closed bool
}

// Open opens the set at path, creating it (mode 0600, with its directory)
// if absent. A file that is not a valid set is ErrCorrupt: call Reset on
// the returned Set, which is open in that case too, and rebuild.
func Open(path string) (*Set, error) { return OpenBits(path, DefaultBaseBits) }

// OpenBits is Open with the first level's size for a new file, 2^baseBits
// slots (tests use small levels).
func OpenBits(path string, baseBits int) (*Set, error) {
	if baseBits < 4 || baseBits > 32 {
		return nil, fmt.Errorf("idset: base bits %d out of [4, 32]", baseBits)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	s := &Set{f: f, path: path, baseBits: uint64(baseBits)}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if st.Size() == 0 {
		if err := s.reset(); err != nil {
			f.Close()
			return nil, err
		}
		return s, nil
	}
	buf := make([]byte, headerLen+4)
	if _, err := f.ReadAt(buf, 0); err != nil && !errors.Is(err, io.EOF) {
		f.Close()
		return nil, err
	}
	h, err := decodeHeader(buf)
	if err == nil && st.Size() < h.size() {
		err = fmt.Errorf("%w: %d bytes, the header describes %d", ErrCorrupt, st.Size(), h.size())
	}
	if err != nil {
		return s, fmt.Errorf("%s: %w", path, err)
	}
	s.h = *h
	// A level appended after the last Sync is not in the header: drop it,
	// so that a new level there starts empty. Its identities are above the
	// mark and come back from the owner's records.
	if st.Size() > h.size() {
		if err := f.Truncate(h.size()); err != nil {
			f.Close()
			return nil, err
		}
	}
	if err := s.open(); err != nil {
		f.Close()
		return nil, err
	}
	return s, nil
}

// open recounts the newest level unless the set was closed clean, then
// records durably that it is open (not clean), before any Add.
func (s *Set) open() error {
	if !s.h.clean {
		n, err := s.countLevel(s.h.levels - 1)
		if err != nil {
			return err
		}
		// Identities added after the mark are counted now.
		s.h.count = s.h.count - min(s.h.count, s.h.newest) + n
		s.h.newest = n
	}
	s.h.clean = false
	if _, err := s.f.WriteAt(s.h.encode(), 0); err != nil {
		return err
	}
	return s.f.Sync()
}

// countLevel counts the occupied slots of a level.
func (s *Set) countLevel(lvl uint64) (uint64, error) {
	const chunk = 1 << 20 / slotSize * slotSize
	buf := make([]byte, chunk)
	start, end := s.h.offset(lvl), s.h.offset(lvl+1)
	n := uint64(0)
	for off := start; off < end; off += chunk {
		b := buf[:min(chunk, end-off)]
		if _, err := s.f.ReadAt(b, off); err != nil {
			return 0, err
		}
		for i := 0; i < len(b); i += slotSize {
			if ID(b[i:i+32]) != (ID{}) {
				n++
			}
		}
	}
	return n, nil
}

// Reset empties the set (a new key, one level, mark 0) and syncs it.
func (s *Set) Reset() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	return s.reset()
}

func (s *Set) reset() error {
	h := header{baseBits: s.baseBits, levels: 1}
	if _, err := rand.Read(h.key[:]); err != nil {
		return err
	}
	if err := s.f.Truncate(0); err != nil {
		return err
	}
	if err := s.f.Truncate(h.size()); err != nil {
		return err
	}
	if _, err := s.f.WriteAt(h.encode(), 0); err != nil {
		return err
	}
	if err := s.f.Sync(); err != nil {
		return err
	}
	s.h, s.dirty = h, false
	return nil
}

// Mark is the owner's mark of the last Sync: every record up to it is in
// the set, durably.
func (s *Set) Mark() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.h.mark
}

// Len is the number of identities in the set (after a crash it can count
// a few identities re-added above the mark as new, never fewer).
func (s *Set) Len() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.h.count
}

// hash is the keyed 64-bit slot hash of an identity.
func (s *Set) hash(id *ID) uint64 {
	var in [48]byte
	copy(in[:16], s.h.key[:])
	copy(in[16:], id[:])
	sum := sha256.Sum256(in[:])
	return binary.BigEndian.Uint64(sum[:8])
}

// Get returns an identity's value.
func (s *Set) Get(id ID) (value uint64, ok bool, err error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return 0, false, ErrClosed
	}
	if id == (ID{}) {
		return s.h.zeroVal, s.h.zero, nil
	}
	hv := s.hash(&id)
	var buf [window * slotSize]byte
	for lvl := s.h.levels; lvl > 0; lvl-- {
		v, found, _, err := s.probe(lvl-1, hv, &id, buf[:])
		if err != nil || found {
			return v, found, err
		}
	}
	return 0, false, nil
}

// probe looks for id in a level: its value if found, else the slot index
// of the first empty slot of its run.
func (s *Set) probe(lvl, hv uint64, id *ID, buf []byte) (value uint64, found bool, empty uint64, err error) {
	n := s.h.slots(lvl)
	bits := s.h.baseBits + lvl
	i := hv >> (64 - bits)
	base := s.h.offset(lvl)
	for seen := uint64(0); seen < n; {
		k := min(window, n-i, n-seen) // read up to the level's end; wrap after
		b := buf[:k*slotSize]
		if _, err := s.f.ReadAt(b, base+int64(i)*slotSize); err != nil {
			return 0, false, 0, err
		}
		for j := range k {
			slot := b[j*slotSize : (j+1)*slotSize]
			if ID(slot[:32]) == *id {
				return binary.BigEndian.Uint64(slot[32:]), true, 0, nil
			}
			if ID(slot[:32]) == (ID{}) {
				return 0, false, i + j, nil
			}
		}
		seen += k
		i = (i + k) % n
	}
	return 0, false, 0, fmt.Errorf("%w: level %d has no empty slot", ErrCorrupt, lvl)
}

// Add inserts an identity with a value; an identity already present keeps
// its value (added is false). Not durable until Sync.
func (s *Set) Add(id ID, value uint64) (added bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false, ErrClosed
	}
	if id == (ID{}) {
		if s.h.zero {
			return false, nil
		}
		s.h.zero, s.h.zeroVal = true, value
		s.h.count++
		return true, nil
	}
	hv := s.hash(&id)
	var buf [window * slotSize]byte
	newest := s.h.levels - 1
	var empty uint64
	for lvl := s.h.levels; lvl > 0; lvl-- {
		_, found, e, err := s.probe(lvl-1, hv, &id, buf[:])
		if err != nil {
			return false, err
		}
		if found {
			return false, nil
		}
		if lvl-1 == newest {
			empty = e
		}
	}
	s.dirty = true
	var slot [slotSize]byte
	copy(slot[:32], id[:])
	binary.BigEndian.PutUint64(slot[32:], value)
	if _, err := s.f.WriteAt(slot[:], s.h.offset(newest)+int64(empty)*slotSize); err != nil {
		return false, err
	}
	s.h.newest++
	s.h.count++
	if s.h.newest*4 >= s.h.slots(newest)*3 {
		if err := s.grow(); err != nil {
			return true, err
		}
	}
	return true, nil
}

// grow appends an empty level twice the size of the newest.
func (s *Set) grow() error {
	if s.h.baseBits+s.h.levels >= maxBits {
		return fmt.Errorf("idset: %d levels, the set is full", s.h.levels)
	}
	next := s.h
	next.levels++
	next.newest = 0
	if err := s.f.Truncate(next.size()); err != nil {
		return err
	}
	s.h = next
	return nil
}

// Sync makes every Add so far durable and records mark as the owner's
// mark.
func (s *Set) Sync(mark uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	return s.sync(mark)
}

func (s *Set) sync(mark uint64) error {
	if err := s.f.Sync(); err != nil {
		return err
	}
	h := s.h
	h.mark = mark
	if _, err := s.f.WriteAt(h.encode(), 0); err != nil {
		return err
	}
	if err := s.f.Sync(); err != nil {
		return err
	}
	s.h.mark = mark
	s.dirty = false
	return nil
}

// Close closes the file. It does not Sync: the owner syncs with its mark
// first, and then the set is recorded clean (its next Open need not count
// its newest level).
func (s *Set) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	var err error
	if !s.dirty {
		h := s.h
		h.clean = true
		if _, err = s.f.WriteAt(h.encode(), 0); err == nil {
			err = s.f.Sync()
		}
	}
	return errors.Join(err, s.f.Close())
}

// Remove deletes a set's file (a set not there is not an error).
func Remove(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
