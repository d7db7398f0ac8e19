package keyper

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/internal/idset"
	"github.com/veil-l2/veil/ordering/batch"
	bolt "go.etcd.io/bbolt"
)

// TestCrashAfterRecordBeforeSend: keyper 0 records its release of batch 1
// and stops before sending (the fault hook). Restarted on the same store,
// it answers the re-sent batch with exactly the shares it recorded the
// decision for, and the batch gets its keys.
func TestCrashAfterRecordBeforeSend(t *testing.T) {
	e := newEnv(t, 1)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w := startNet(t, ctx, e, []int{1, 2})
	path := filepath.Join(t.TempDir(), "keyper0.db")
	crashed := make(chan uint64, 1)
	w.startWith(0, path, func(n uint64) bool { crashed <- n; return true })
	deadline := time.Now().Add(15 * time.Second)
	for len(w.commits.ListPeers()) < 3 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	tx, _ := e.envelope(0, eon)
	b := e.batchOf(1, common.Hash{}, []*types.Transaction{tx}, nil)
	raw, _ := b.Encode()
	if err := w.commits.Publish(ctx, w.seqSigner, eon, raw); err != nil {
		t.Fatal(err)
	}
	select {
	case n := <-crashed:
		if n != 1 {
			t.Fatalf("crashed at batch %d", n)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("keyper 0 never recorded the batch")
	}
	w.nodes[0].Stop()
	if w.nodes[0].Err() == nil {
		t.Fatal("the fault hook did not stop the node")
	}
	w.stores[0].Close()
	// Keypers 1 and 2 answered; 0 sent nothing.
	rel, _ := Classify(e.config(), b, memReleased{})
	from := map[uint32][]byte{}
	for len(from) < 2 {
		select {
		case r := <-w.sub:
			m, _ := DecodeShareMessage(r.Message.Payload)
			from[m.Keyper] = m.Shares
		case <-time.After(20 * time.Second):
			t.Fatalf("shares from %v", keysOf(from))
		}
	}
	if from[0] != nil {
		t.Fatal("the crashed keyper sent shares")
	}

	// Its encoding pruned (as for a batch beyond the retention window)
	// and its identity index deleted: the eon's identities are lost, and
	// the record has the keyed positions, the re-sent batch the
	// identities.
	pruned, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	err = pruned.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(eonBucket(eon)).Bucket(bucketEncodings).Delete(numberKey(1))
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := pruned.ReleasedBatch(eon, 1, nil); !errors.Is(err, ErrIdentitiesLost) {
		t.Fatalf("batch 1 with its encoding deleted: %v", err)
	}
	pruned.Close()
	if err := idset.Remove(pruned.ids.Path(eon)); err != nil {
		t.Fatal(err)
	}

	w.startWith(0, path, nil)
	if testutil.ToFloat64(w.nodes[0].metrics.identitiesLost) != 1 {
		t.Fatal("the identities lost are not in the metric")
	}
	st, err := w.stores[0].State(eon, 1)
	if err != nil || st.Next != 2 || st.LastHash != rel.Hash {
		t.Fatalf("state after restart: %+v %v", st, err)
	}
	want := Shares(e.results[0].Share, tpke.NewPointCache(4), rel)
	resend := time.NewTicker(500 * time.Millisecond)
	defer resend.Stop()
	giveUp := time.After(20 * time.Second)
	for from[0] == nil {
		select {
		case <-resend.C:
			w.commits.Publish(ctx, w.seqSigner, eon, raw)
		case r := <-w.sub:
			m, _ := DecodeShareMessage(r.Message.Payload)
			if m.Keyper == 0 {
				from[0] = m.Shares
			}
		case <-giveUp:
			t.Fatal("the restarted keyper never sent its shares")
		}
	}
	if string(from[0]) != string(want) {
		t.Fatal("after the restart, keyper 0 sent shares other than those of its recorded release")
	}
}

// The kill -9 test runs a real child process (this test binary, in
// TestReleasedLogChild) that releases batch after batch into its store and
// prints each one after the record is written.
const (
	childEnv    = "VEIL_KEYPER_CHILD_STORE"
	childSeqEnv = "VEIL_KEYPER_CHILD_SEQUENCER_KEY"
)

func TestReleasedLogChild(t *testing.T) {
	path := os.Getenv(childEnv)
	if path == "" {
		return // only meaningful as the child of TestReleasedLogSurvivesKill9
	}
	var err error
	e := newEnv(t, 1)
	if e.seq, err = crypto.HexToECDSA(os.Getenv(childSeqEnv)); err != nil {
		t.Fatal(err)
	}
	st, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	state, err := st.State(eon, 1)
	if err != nil {
		t.Fatal(err)
	}
	r := NewReleaser(e.config(), state, st.Released(eon))
	r.L1Confirmed(10, common.Hash{0x11})
	parent := common.Hash{}
	for n := uint64(1); ; n++ {
		tx, _ := e.envelope(0, eon)
		b := e.batchOf(n, parent, []*types.Transaction{tx}, nil)
		rel, err := r.Decide(b, now+n)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := b.Encode()
		if err := st.Commit(eon, rel, raw, r.State()); err != nil {
			t.Fatal(err)
		}
		env, _ := encmempool.ParseEnvelope(tx, e.signer, contracts.EncryptedInboxAddress, encmempool.DefaultLimits)
		fmt.Printf("released %d %s %x\n", n, rel.Hash.Hex(), env.Identity[:])
		parent = rel.Hash
	}
}

func TestReleasedLogSurvivesKill9(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keyper.db")
	e := newEnv(t, 1)
	cmd := exec.Command(os.Args[0], "-test.run=^TestReleasedLogChild$", "-test.v=false")
	cmd.Env = append(os.Environ(), childEnv+"="+path, childSeqEnv+"="+hex.EncodeToString(crypto.FromECDSA(e.seq)))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	type line struct {
		hash common.Hash
		id   tpke.Identity
	}
	printed := map[uint64]line{}
	var last uint64
	sc := bufio.NewScanner(out)
	stop := time.AfterFunc(time.Minute, func() { cmd.Process.Kill() })
	for sc.Scan() && len(printed) < 25 {
		var n uint64
		var h string
		var id []byte
		if _, err := fmt.Sscanf(sc.Text(), "released %d %s %x", &n, &h, &id); err != nil || len(id) != 32 {
			t.Fatalf("child: %s", sc.Text())
		}
		printed[n] = line{common.HexToHash(h), tpke.Identity(id)}
		last = n
	}
	stop.Stop()
	// The child is still releasing: kill it mid-stream.
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if len(printed) < 25 {
		t.Fatalf("child printed %d releases", len(printed))
	}
	st, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	state, err := st.State(eon, 1)
	if err != nil || state.Next <= last {
		t.Fatalf("state after kill -9: %+v (last printed %d): %v", state, last, err)
	}
	released := st.Released(eon)
	for n, l := range printed {
		_, rel, err := st.ReleasedBatch(eon, n, nil)
		if err != nil || rel == nil || rel.Hash != l.hash {
			t.Fatalf("batch %d after kill -9: %+v %v", n, rel, err)
		}
		if !released.Released(l.id) {
			t.Fatalf("identity of batch %d forgotten", n)
		}
	}
	// The restored core answers the last release again and refuses a
	// different batch for its number.
	r := NewReleaser(e.config(), state, released)
	r.L1Confirmed(10, common.Hash{0x11})
	lastN := state.Next - 1
	raw, _, err := st.ReleasedBatch(eon, lastN, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := batch.Decode(raw, batch.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if rel, err := r.Decide(b, now+lastN); err != nil || !rel.Again {
		t.Fatalf("the released batch again: %+v %v", rel, err)
	}
	other := e.batchOf(lastN, b.Commitment.Parent, nil, nil)
	if _, err := r.Decide(other, now+lastN); !errors.Is(err, ErrEquivocation) {
		t.Fatalf("a different batch for released number %d: %v", lastN, err)
	}
	// An older release is answered again too, and a different batch for
	// its number is equivocation.
	oldN := lastN - 5
	rawOld, _, err := st.ReleasedBatch(eon, oldN, nil)
	if err != nil {
		t.Fatal(err)
	}
	bOld, err := batch.Decode(rawOld, batch.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if rel, err := r.Decide(bOld, now+lastN); err != nil || !rel.Again || rel.Number != oldN {
		t.Fatalf("an older released batch again: %+v %v", rel, err)
	}
	if _, err := r.Decide(e.batchOf(oldN, bOld.Commitment.Parent, nil, nil), now+lastN); !errors.Is(err, ErrEquivocation) {
		t.Fatalf("a different batch for older released number %d: %v", oldN, err)
	}
}
