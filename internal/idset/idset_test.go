package idset

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func idOf(i int) ID { return sha256.Sum256(binary.BigEndian.AppendUint64(nil, uint64(i))) }

func open(t testing.TB, path string, bits int) *Set {
	t.Helper()
	s, err := OpenBits(path, bits)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func mustGet(t *testing.T, s *Set, id ID) (uint64, bool) {
	t.Helper()
	v, ok, err := s.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	return v, ok
}

// TestAddGetAcrossLevels: thousands of identities through a first level of
// 16 slots (nine levels): each is found with its first value, and absent
// ones are not.
func TestAddGetAcrossLevels(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "ids"), 4)
	const n = 5000
	for i := range n {
		if added, err := s.Add(idOf(i), uint64(i)); err != nil || !added {
			t.Fatalf("add %d: %v %v", i, added, err)
		}
	}
	for i := range n {
		if added, err := s.Add(idOf(i), 99999); err != nil || added {
			t.Fatalf("add %d again: %v %v", i, added, err)
		}
	}
	if s.Len() != n {
		t.Fatalf("len %d", s.Len())
	}
	if s.h.levels < 9 {
		t.Fatalf("%d levels", s.h.levels)
	}
	for i := range n {
		if v, ok := mustGet(t, s, idOf(i)); !ok || v != uint64(i) {
			t.Fatalf("get %d: %d %v", i, v, ok)
		}
	}
	for i := n; i < 2*n; i++ {
		if _, ok := mustGet(t, s, idOf(i)); ok {
			t.Fatalf("absent %d found", i)
		}
	}
}

// TestZeroIdentity: the all-zero identity, which marks an empty slot, is a
// member like any other and survives a Sync and reopen.
func TestZeroIdentity(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ids")
	s := open(t, path, 4)
	if _, ok := mustGet(t, s, ID{}); ok {
		t.Fatal("zero identity in an empty set")
	}
	if added, _ := s.Add(ID{}, 7); !added {
		t.Fatal("zero identity not added")
	}
	if added, _ := s.Add(ID{}, 8); added {
		t.Fatal("zero identity added twice")
	}
	if err := s.Sync(1); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, path, 4)
	if v, ok := mustGet(t, s, ID{}); !ok || v != 7 {
		t.Fatalf("zero identity after reopen: %d %v", v, ok)
	}
}

// TestReopenAfterSync: what was added before Sync is there after reopen,
// with the mark.
func TestReopenAfterSync(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ids")
	s := open(t, path, 4)
	for i := range 300 {
		s.Add(idOf(i), uint64(i/10))
	}
	if err := s.Sync(29); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, path, 4)
	if s.Mark() != 29 || s.Len() != 300 {
		t.Fatalf("mark %d len %d", s.Mark(), s.Len())
	}
	for i := range 300 {
		if v, ok := mustGet(t, s, idOf(i)); !ok || v != uint64(i/10) {
			t.Fatalf("get %d: %d %v", i, v, ok)
		}
	}
}

// TestCrashAfterMark: adds after the last Sync, across a new level, then a
// close without Sync (the process killed): the set opens at the old mark
// with everything up to it; the owner adds the records above the mark
// again and every identity is found once, with its first value.
func TestCrashAfterMark(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ids")
	s := open(t, path, 4)
	record := func(n int) []ID { // record n keys identities 10n..10n+9
		var ids []ID
		for i := 10 * n; i < 10*n+10; i++ {
			ids = append(ids, idOf(i))
		}
		return ids
	}
	for n := range 5 {
		for _, id := range record(n) {
			s.Add(id, uint64(n))
		}
	}
	if err := s.Sync(4); err != nil {
		t.Fatal(err)
	}
	levels := s.h.levels
	for n := 5; n < 40; n++ {
		for _, id := range record(n) {
			s.Add(id, uint64(n))
		}
	}
	if s.h.levels == levels {
		t.Fatal("no level added after the mark")
	}
	s.Close() // no Sync
	s = open(t, path, 4)
	if s.Mark() != 4 || s.h.levels != levels {
		t.Fatalf("mark %d levels %d, want 4 and %d", s.Mark(), s.h.levels, levels)
	}
	for n := 5; n < 40; n++ {
		for _, id := range record(n) {
			if _, err := s.Add(id, uint64(n)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for n := range 40 {
		for _, id := range record(n) {
			if v, ok := mustGet(t, s, id); !ok || v != uint64(n) {
				t.Fatalf("record %d: %d %v", n, v, ok)
			}
		}
	}
	if _, ok := mustGet(t, s, idOf(400)); ok {
		t.Fatal("an identity never added is found")
	}
	if s.Len() != 400 {
		t.Fatalf("len %d after the records are added again, want 400", s.Len())
	}
}

// TestCorruptHeader: a damaged header or a short file is ErrCorrupt, and
// Reset gives an empty set.
func TestCorruptHeader(t *testing.T) {
	for name, damage := range map[string]func(path string) error{
		"checksum": func(path string) error {
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.WriteAt([]byte{0xff}, 30)
			return err
		},
		"magic": func(path string) error { return os.WriteFile(path, []byte("not a set"), 0o600) },
		"short": func(path string) error { return os.Truncate(path, headerSize+10) },
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ids")
			s := open(t, path, 4)
			s.Add(idOf(1), 1)
			s.Sync(1)
			s.Close()
			if err := damage(path); err != nil {
				t.Fatal(err)
			}
			s, err := OpenBits(path, 4)
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("open: %v", err)
			}
			defer s.Close()
			if err := s.Reset(); err != nil {
				t.Fatal(err)
			}
			if _, ok := mustGet(t, s, idOf(1)); ok || s.Mark() != 0 || s.Len() != 0 {
				t.Fatal("reset set not empty")
			}
			s.Add(idOf(2), 2)
			if v, ok := mustGet(t, s, idOf(2)); !ok || v != 2 {
				t.Fatal("add after reset")
			}
		})
	}
}

// TestConcurrent: readers and a writer at once (run with -race).
func TestConcurrent(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "ids"), 4)
	var wg sync.WaitGroup
	for r := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				if _, _, err := s.Get(idOf(i + r)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for i := range 2000 {
		if _, err := s.Add(idOf(i), uint64(i)); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	for i := range 2000 {
		if v, ok := mustGet(t, s, idOf(i)); !ok || v != uint64(i) {
			t.Fatalf("get %d", i)
		}
	}
}

// TestClosed: a closed set answers ErrClosed.
func TestClosed(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "ids"), 4)
	s.Close()
	if _, _, err := s.Get(idOf(1)); !errors.Is(err, ErrClosed) {
		t.Fatal(err)
	}
	if _, err := s.Add(idOf(1), 1); !errors.Is(err, ErrClosed) {
		t.Fatal(err)
	}
	if err := s.Sync(1); !errors.Is(err, ErrClosed) {
		t.Fatal(err)
	}
}

// BenchmarkGetMiss: a lookup of an identity not in a set of a million
// (the common case: a fresh identity), through every level.
func BenchmarkGetMiss(b *testing.B) {
	s := filled(b, 1_000_000)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, ok, err := s.Get(idOf(2_000_000 + i)); ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

// BenchmarkAdd: adds to a set of a million.
func BenchmarkAdd(b *testing.B) {
	s := filled(b, 1_000_000)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := s.Add(idOf(3_000_000+i), 1); err != nil {
			b.Fatal(err)
		}
	}
}

func filled(b *testing.B, n int) *Set {
	s := open(b, filepath.Join(b.TempDir(), "ids"), DefaultBaseBits)
	for i := range n {
		if _, err := s.Add(idOf(i), uint64(i)); err != nil {
			b.Fatal(err)
		}
	}
	return s
}
