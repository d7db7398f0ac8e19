package keyper

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/veil-l2/veil/encmempool/tpke"
)

func TestStoreKeepsReleasesAndResendsIdenticalShares(t *testing.T) {
	e := newEnv(t, 3)
	var txs []*types.Transaction
	for i := 0; i < 3; i++ {
		tx, _ := e.envelope(i, eon)
		txs = append(txs, tx)
	}
	b := e.batchOf(1, common.Hash{}, txs, nil)
	raw, _ := b.Encode()
	path := filepath.Join(t.TempDir(), "keyper.db")
	st, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	state, err := st.State(eon, 1)
	if err != nil || state.Next != 1 {
		t.Fatalf("fresh state %+v %v", state, err)
	}
	r := NewReleaser(e.config(), state, st.Released(eon))
	r.L1Confirmed(10, common.Hash{0x11})
	rel, err := r.Decide(b, now+1)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Commit(eon, rel, raw, r.State()); err != nil {
		t.Fatal(err)
	}
	sent := Shares(e.results[0].Share, tpke.NewPointCache(16), rel)
	if err := st.Commit(eon, rel, raw, r.State()); !errors.Is(err, ErrStore) {
		t.Fatalf("a second record of one batch: %v", err)
	}
	st.Close()

	// After a restart: the state, the released identities and the batch.
	st, err = OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	state, _ = st.State(eon, 1)
	if state != r.State() {
		t.Fatalf("state after restart %+v, want %+v", state, r.State())
	}
	view := st.Released(eon)
	for _, k := range rel.Keyed {
		if !view.Released(k.Identity) {
			t.Fatal("a released identity is missing after restart")
		}
	}
	if view.Released(tpke.Identity{1}) || st.Released(eon+1).Released(rel.Keyed[0].Identity) {
		t.Fatal("an identity never released reads as released")
	}
	gotRaw, again, err := st.ReleasedBatch(eon, 1)
	if err != nil || again == nil || !bytes.Equal(gotRaw, raw) {
		t.Fatalf("released batch after restart: %v", err)
	}
	if resent := Shares(e.results[0].Share, tpke.NewPointCache(16), again); !bytes.Equal(resent, sent) {
		t.Fatal("shares sent again differ from the first ones")
	}
	// A restored core refuses the next batch's equivocating twin and
	// accepts the chained one.
	r2 := NewReleaser(e.config(), state, view)
	r2.L1Confirmed(10, common.Hash{0x11})
	if rel2, err := r2.Decide(b, now+2); err != nil || !rel2.Again {
		t.Fatalf("restored core on the same batch: %+v %v", rel2, err)
	}
}
