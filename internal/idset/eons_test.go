package idset

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// records is an owner's log for the tests: record n of eon e keys the
// identities listed under it.
type records map[uint64]map[uint64][]ID

func (r records) replay(eon, after uint64, add func(ID, uint64) error) (uint64, error) {
	last := uint64(0)
	for _, byNumber := range r {
		for n := range byNumber {
			last = max(last, n)
		}
	}
	for n, ids := range r[eon] {
		if n <= after {
			continue
		}
		for _, id := range ids {
			if err := add(id, n); err != nil {
				return 0, err
			}
		}
	}
	return last, nil
}

// TestEons: sets of two eons under a prefix with glob characters, opened
// again from their files; Find sees every open eon, Get one; Drop deletes
// one eon's file and leaves the other.
func TestEons(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "log[1]*.db")
	rec := records{1: {}, 2: {}}
	open := func() *Eons {
		e, err := openEons(prefix, 4, rec.replay, 4)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	e := open()
	for n := uint64(1); n <= 10; n++ {
		eon := 1 + n/6 // 1..5 in eon 1, 6..10 in eon 2
		ids := []ID{idOf(int(10 * n)), idOf(int(10*n + 1))}
		rec[eon][n] = ids
		if err := e.Add(eon, n, ids); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e = open()
	defer e.Close()
	if got := len(e.Eons()); got != 2 {
		t.Fatalf("%d eons open from their files", got)
	}
	for n := uint64(1); n <= 10; n++ {
		if v, ok, err := e.Find(idOf(int(10*n + 1))); err != nil || !ok || v != n {
			t.Fatalf("find record %d: %d %v %v", n, v, ok, err)
		}
	}
	if _, ok, _ := e.Get(2, idOf(10)); ok {
		t.Fatal("an eon-1 identity in eon 2's set")
	}
	if _, ok, _ := e.Find(idOf(5)); ok {
		t.Fatal("an identity never added is found")
	}
	if err := e.Drop(1); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(e.Path(1)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("eon 1's file after Drop: %v", err)
	}
	if _, ok, _ := e.Find(idOf(10)); ok {
		t.Fatal("a dropped eon's identity is found")
	}
	if _, ok, _ := e.Find(idOf(100)); !ok {
		t.Fatal("Drop of eon 1 lost eon 2")
	}
}

// TestEonsLost: a replay that fails with ErrLost keeps its eon closed
// without replaying again (Get, Add), and opening the family again opens
// the other eons rather than failing; Drop forgets it. Any other replay
// failure still fails OpenEons.
func TestEonsLost(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "log")
	rec := records{1: {}, 2: {}}
	var fail error
	replays := 0
	replay := func(eon, after uint64, add func(ID, uint64) error) (uint64, error) {
		replays++
		if eon == 1 && fail != nil {
			return 0, fail
		}
		return rec.replay(eon, after, add)
	}
	e, err := openEons(prefix, 4, replay, 4)
	if err != nil {
		t.Fatal(err)
	}
	for n := uint64(1); n <= 6; n++ {
		eon := 1 + n/4
		rec[eon][n] = []ID{idOf(int(n))}
		if err := e.Add(eon, n, rec[eon][n]); err != nil {
			t.Fatal(err)
		}
	}
	e.Close()
	if err := Remove(e.Path(1)); err != nil {
		t.Fatal(err)
	}

	fail = fmt.Errorf("record 1 has no identities: %w", ErrLost)
	if e, err = openEons(prefix, 4, replay, 4); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.Get(1, idOf(1)); !errors.Is(err, ErrLost) {
		t.Fatalf("eon 1: %v", err)
	}
	before := replays
	if _, _, err := e.Get(1, idOf(1)); !errors.Is(err, ErrLost) || replays != before {
		t.Fatalf("eon 1 again: %v after %d more replays", err, replays-before)
	}
	if err := e.Add(1, 7, []ID{idOf(7)}); !errors.Is(err, ErrLost) || e.Lost(1) == nil || e.Lost(2) != nil {
		t.Fatalf("adding to a lost eon: %v (lost %v, %v)", err, e.Lost(1), e.Lost(2))
	}
	if _, ok, err := e.Get(2, idOf(4)); !ok || err != nil {
		t.Fatalf("eon 2: %v %v", ok, err)
	}
	e.Close()

	// The failed open left eon 1's file: the next open skips it.
	if e, err = openEons(prefix, 4, replay, 4); err != nil {
		t.Fatalf("opening with a lost eon's file: %v", err)
	}
	if e.Lost(1) == nil {
		t.Fatal("eon 1 not lost")
	}
	if err := e.Drop(1); err != nil || e.Lost(1) != nil {
		t.Fatalf("drop: %v, lost %v", err, e.Lost(1))
	}
	e.Close()

	if _, err := os.Stat(e.Path(1)); !os.IsNotExist(err) {
		t.Fatalf("dropped eon's file: %v", err)
	}

	// Another replay failure fails the family's open.
	fail = nil
	if e, err = openEons(prefix, 4, replay, 4); err != nil {
		t.Fatal(err)
	}
	if err := e.Add(1, 8, []ID{idOf(8)}); err != nil {
		t.Fatal(err)
	}
	e.Close()
	rec[1][8] = []ID{idOf(8)}
	fail = errors.New("read error")
	if e, err = openEons(prefix, 4, replay, 4); err == nil || errors.Is(err, ErrLost) {
		e.Close()
		t.Fatalf("a replay read error: %v", err)
	}
}
