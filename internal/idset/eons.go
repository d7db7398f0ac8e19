package idset

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// Replayer adds to a set what the owner's records hold: it calls add for
// every identity of every record of the eon numbered above after, with
// the record's number as the value, and returns the highest record number
// the owner has (at least that of every record of the eon; 0 when none).
//
// A Replayer whose records cannot rebuild the set (they lack identities
// the set alone held) fails with an error that wraps ErrLost.
type Replayer func(eon, after uint64, add func(id ID, value uint64) error) (last uint64, err error)

// ErrLost, wrapped in a Replayer's error, says the owner's records cannot
// rebuild the eon's set. Eons then keeps the eon closed until it is
// dropped: Get and Add return the error at once, without another replay,
// and OpenEons opens the other eons rather than failing. The file is left
// as it is.
var ErrLost = errors.New("idset: the records cannot rebuild the set")

// Eons is an owner's family of sets, one per eon, in files named
// <prefix>.eon-<n>.ids, each following the package's contract: the owner
// commits a record, then calls Add; Eons syncs a set every so many
// records, and opens one (on first use, or every existing file in
// OpenEons) by replaying the records above its mark. A set that cannot be
// opened or written is closed and opened again on its next use; until
// then Get and Find return the error.
type Eons struct {
	prefix string
	every  uint64
	replay Replayer
	bits   int

	mu   sync.Mutex
	sets map[uint64]*eonSet
	lost map[uint64]error // eons whose replay failed with ErrLost
}

type eonSet struct {
	set  *Set
	last uint64 // highest record number added
}

// OpenEons opens the sets of every eon with a file under prefix, and
// opens others on first use. every is how many record numbers pass
// between syncs (a replay on open covers at most that many). The setup
// steps run on the opened family in order (the owner opening the sets it
// needs at once, moving an older layout in); if one fails, everything is
// closed.
func OpenEons(prefix string, every uint64, replay Replayer, setup ...func(*Eons) error) (*Eons, error) {
	e, err := openEons(prefix, every, replay, DefaultBaseBits)
	if err != nil {
		return nil, err
	}
	for _, step := range setup {
		if err := step(e); err != nil {
			e.Close()
			return nil, err
		}
	}
	return e, nil
}

func openEons(prefix string, every uint64, replay Replayer, bits int) (*Eons, error) {
	e := &Eons{prefix: prefix, every: max(every, 1), replay: replay, bits: bits, sets: map[uint64]*eonSet{}, lost: map[uint64]error{}}
	files, err := filepath.Glob(globEscape(prefix) + ".eon-*.ids")
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, f := range files {
		n, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(f, prefix+".eon-"), ".ids"), 10, 64)
		if err != nil {
			continue // not one of ours
		}
		if _, err := e.open(n); err != nil && !errors.Is(err, ErrLost) {
			e.closeAll()
			return nil, err
		}
	}
	return e, nil
}

// globEscape escapes the glob metacharacters of a path.
func globEscape(p string) string {
	var b strings.Builder
	for _, r := range p {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Path is the file of an eon's set.
func (e *Eons) Path(eon uint64) string { return fmt.Sprintf("%s.eon-%d.ids", e.prefix, eon) }

// open returns the eon's set, opening and replaying it if needed. Call
// with e.mu held.
func (e *Eons) open(eon uint64) (*eonSet, error) {
	if es := e.sets[eon]; es != nil {
		return es, nil
	}
	if err := e.lost[eon]; err != nil {
		return nil, err
	}
	set, err := OpenBits(e.Path(eon), e.bits)
	if errors.Is(err, ErrCorrupt) {
		err = set.Reset()
	}
	if err == nil {
		var es *eonSet
		if es, err = e.fill(eon, set); err == nil {
			e.sets[eon] = es
			return es, nil
		}
	}
	if set != nil {
		set.Close()
	}
	err = fmt.Errorf("idset: eon %d: %w", eon, err)
	if errors.Is(err, ErrLost) {
		e.lost[eon] = err
	}
	return nil, err
}

// Lost returns the error of an eon whose set the records cannot rebuild
// (wrapping ErrLost), or nil.
func (e *Eons) Lost(eon uint64) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.lost[eon]
}

// fill replays the owner's records above the set's mark (all of them if
// the mark is above the owner's last record: a set of another owner), then
// syncs.
func (e *Eons) fill(eon uint64, set *Set) (*eonSet, error) {
	add := func(id ID, value uint64) error {
		_, err := set.Add(id, value)
		return err
	}
	last, err := e.replay(eon, set.Mark(), add)
	if err == nil && set.Mark() > last {
		if err = set.Reset(); err == nil {
			last, err = e.replay(eon, 0, add)
		}
	}
	if err == nil && set.Mark() != last {
		err = set.Sync(last)
	}
	if err != nil {
		return nil, err
	}
	return &eonSet{set: set, last: last}, nil
}

// Open opens an eon's set now (replaying and syncing it) if it is not
// open.
func (e *Eons) Open(eon uint64) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, err := e.open(eon)
	return err
}

// Add adds the identities of a record the owner has committed. On a
// failure the set is closed; its next use replays the records, this one
// included.
func (e *Eons) Add(eon, number uint64, ids []ID) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	es, err := e.open(eon)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if _, err = es.set.Add(id, number); err != nil {
			break
		}
	}
	if err == nil {
		es.last = max(es.last, number)
		if number%e.every == 0 {
			err = es.set.Sync(es.last)
		}
	}
	if err != nil {
		es.set.Close()
		delete(e.sets, eon)
		return fmt.Errorf("idset: eon %d: %w", eon, err)
	}
	return nil
}

// Sync makes an open eon's set durable through its last record.
func (e *Eons) Sync(eon uint64) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	es := e.sets[eon]
	if es == nil {
		return nil
	}
	return es.set.Sync(es.last)
}

// Get returns an identity's value in an eon's set.
func (e *Eons) Get(eon uint64, id ID) (value uint64, ok bool, err error) {
	e.mu.Lock()
	es, err := e.open(eon)
	e.mu.Unlock()
	if err != nil {
		return 0, false, err
	}
	return es.set.Get(id)
}

// Find returns an identity's value in any open eon's set.
func (e *Eons) Find(id ID) (value uint64, ok bool, err error) {
	e.mu.Lock()
	sets := make([]*Set, 0, len(e.sets))
	for _, es := range e.sets {
		sets = append(sets, es.set)
	}
	e.mu.Unlock()
	for _, s := range sets {
		if v, ok, err := s.Get(id); err != nil || ok {
			return v, ok, err
		}
	}
	return 0, false, nil
}

// Eons lists the open eons.
func (e *Eons) Eons() []uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]uint64, 0, len(e.sets))
	for n := range e.sets {
		out = append(out, n)
	}
	return out
}

// Len is the number of identities in an open eon's set (0 when not open).
func (e *Eons) Len(eon uint64) uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	if es := e.sets[eon]; es != nil {
		return es.set.Len()
	}
	return 0
}

// Drop closes an eon's set and deletes its file.
func (e *Eons) Drop(eon uint64) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if es := e.sets[eon]; es != nil {
		es.set.Close()
		delete(e.sets, eon)
	}
	delete(e.lost, eon)
	return Remove(e.Path(eon))
}

// Close syncs and closes every set.
func (e *Eons) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.closeAll()
}

func (e *Eons) closeAll() error {
	var errs []error
	for eon, es := range e.sets {
		errs = append(errs, es.set.Sync(es.last), es.set.Close())
		delete(e.sets, eon)
	}
	return errors.Join(errs...)
}

// Abandon closes every file without syncing or marking it clean, as a
// killed process leaves them (tests).
func (e *Eons) Abandon() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for eon, es := range e.sets {
		es.set.dirty = true
		es.set.Close()
		delete(e.sets, eon)
	}
}
