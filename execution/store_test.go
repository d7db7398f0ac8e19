package execution

import (
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestRecordInputsArePrunedAtCheckpoints checks that the record keeps the
// inputs above the previous checkpoint only, that a node reopens on a
// pruned record, and that one whose chain database lost the flushed state
// refuses to open instead of re-executing without inputs.
func TestRecordInputsArePrunedAtCheckpoints(t *testing.T) {
	f := newFixture(t, "payer", "alice", "bob")
	dir := t.TempDir()
	n, err := Open(Config{DataDir: dir, Chain: f.cfg, CheckpointInterval: 2})
	if err != nil {
		t.Fatal(err)
	}
	bob := f.addr("bob")
	for i := 0; i < 7; i++ {
		apply(t, n, f.input(f.envelope("payer", f.tx("alice", &bob, big.NewInt(1), 21000, nil))))
	}
	// Checkpoints at 2, 4 and 6: the one at 4 pruned 1-2, the one at 6 pruned 3-4.
	for num := uint64(1); num <= 7; num++ {
		raw, err := n.store.input(num)
		if err != nil {
			t.Fatal(err)
		}
		if kept, want := raw != nil, num > 4; kept != want {
			t.Fatalf("input of block %d kept %v, want %v", num, kept, want)
		}
	}
	if first, _ := n.store.firstRecorded(); first != 5 {
		t.Fatalf("first recorded input %d, want 5", first)
	}
	if got := testutil.ToFloat64(n.metrics.inputsPruned); got != 4 {
		t.Fatalf("record_inputs_pruned_total = %v, want 4", got)
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}

	// A clean restart on the pruned record carries on from block 7.
	n, err = Open(Config{DataDir: dir, Chain: f.cfg, CheckpointInterval: 2})
	if err != nil {
		t.Fatal(err)
	}
	if head := n.Head().Number.Uint64(); head != 7 {
		t.Fatalf("head %d after restart, want 7", head)
	}
	apply(t, n, f.input())
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}

	// go-ethereum's database gone: the inputs of blocks 1-4 are not in the
	// record any more, so the node must not re-execute from genesis.
	if err := os.RemoveAll(filepath.Join(dir, "veil", "chaindata")); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(dir, "veil", "triedb"))
	if n, err := Open(Config{DataDir: dir, Chain: f.cfg, CheckpointInterval: 2}); !errors.Is(err, ErrStore) {
		if err == nil {
			n.Close()
		}
		t.Fatalf("open without the chain database: %v, want ErrStore", err)
	}
}
