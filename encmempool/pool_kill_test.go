package encmempool_test

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/veil-l2/veil/encmempool"
)

// The kill -9 test runs a real child process (this test binary) that adds
// transactions from several goroutines and prints each receipt once Add
// has returned it; the parent kills it mid-stream.
const childEnv = "VEIL_MEMPOOL_CHILD_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(childEnv); dir != "" {
		if err := runChild(dir); err != nil {
			fmt.Println("error:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// Senders of the kill -9 test: four plaintext senders and the envelope
// payer.
func childSenders() []uint8 { return []uint8{40, 41, 42, 43} }

// runChild adds until it is killed (or for a minute at most).
func runChild(dir string) error {
	var t childTB
	keys := childSenders()
	h := newHead(payerKey)
	for _, k := range keys {
		h.balances[addrOf(testKey(k))] = new(big.Int).Set(oneEther)
	}
	p, err := encmempool.OpenPool(filepath.Join(dir, "pool.db"), poolConfig())
	if err != nil {
		return err
	}
	var out sync.Mutex
	emit := func(kind string, r *encmempool.Receipt) {
		b, _ := r.MarshalBinary()
		out.Lock()
		fmt.Printf("receipt %s %s\n", kind, hex.EncodeToString(b))
		out.Unlock()
	}
	deadline := time.Now().Add(time.Minute)
	errc := make(chan error, len(keys)+1)
	for _, k := range keys {
		go func() {
			key := testKey(k)
			for n := uint64(0); time.Now().Before(deadline); n++ {
				r, err := p.Add(plain(t, key, n, nil), h, time.Now())
				if err != nil {
					errc <- err
					return
				}
				emit("plain", r)
			}
			errc <- nil
		}()
	}
	go func() {
		c, err := runDKG()
		if err != nil {
			errc <- err
			return
		}
		for n := uint64(0); time.Now().Before(deadline); n++ {
			inner := signInner(t, senderKey, innerDynamicFee, nil, 100_000)
			bp := buildParams(c, inner, 0)
			var seed [32]byte
			binary.BigEndian.PutUint64(seed[:], n+1)
			bp.Nonce, bp.Rand = n, rand.NewChaCha8(seed)
			tx, err := encmempool.BuildEnvelope(bp)
			if err != nil {
				errc <- err
				return
			}
			r, err := p.Add(tx, h, time.Now())
			if err != nil {
				errc <- err
				return
			}
			emit("envelope", r)
		}
		errc <- nil
	}()
	for range len(keys) + 1 {
		if err := <-errc; err != nil {
			return err
		}
	}
	return p.Close()
}

func TestPoolKill9(t *testing.T) {
	const kill = 300 // receipts to see before the kill
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	guard := time.AfterFunc(time.Minute, func() { cmd.Process.Kill() })
	defer guard.Stop()
	var printed []encmempool.Receipt
	envelopes := 0
	sc := bufio.NewScanner(out)
	for len(printed) < kill && sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 3 || f[0] != "receipt" {
			t.Fatalf("child: %s", sc.Text())
		}
		raw, err := hex.DecodeString(f[2])
		if err != nil {
			t.Fatal(err)
		}
		var r encmempool.Receipt
		if err := r.UnmarshalBinary(raw); err != nil {
			t.Fatal(err)
		}
		if f[1] == "envelope" {
			envelopes++
		}
		printed = append(printed, r)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if len(printed) < kill {
		t.Fatalf("child printed %d receipts before it stopped", len(printed))
	}

	p := openPool(t, filepath.Join(dir, "pool.db"), poolConfig())
	defer p.Close()
	pending := p.Pending(0, 0)
	t.Logf("%d receipts printed (%d envelopes), %d transactions in the pool after kill -9", len(printed), envelopes, len(pending))
	for i, e := range pending {
		if e.Seq != uint64(i) {
			t.Fatalf("pending[%d] has seq %d: the durable set is not a prefix", i, e.Seq)
		}
	}
	for _, r := range printed {
		if err := r.Verify(addrOf(sequencerKey)); err != nil {
			t.Fatal(err)
		}
		if r.Seq >= uint64(len(pending)) {
			t.Fatalf("receipt seq %d lost: the pool holds %d", r.Seq, len(pending))
		}
		e := pending[r.Seq]
		if e.Tx.Hash() != r.Hash || e.Receipt.Time != r.Time || !bytesEqual(e.Receipt.Signature, r.Signature) {
			t.Fatalf("seq %d: the pool has %s, the receipt names %s", r.Seq, e.Tx.Hash(), r.Hash)
		}
		if e.IsEnvelope && !p.IdentityHeld(e.Identity) {
			t.Fatalf("seq %d: envelope identity forgotten", r.Seq)
		}
	}
	// Numbering continues after the last durable transaction.
	if p.NextSeq() != uint64(len(pending)) {
		t.Fatalf("next seq %d, pool holds %d", p.NextSeq(), len(pending))
	}
	fresh := testKey(44)
	h := newHead(fresh)
	if r := mustAdd(t, p, h, plain(t, fresh, 0, nil)); r.Seq != uint64(len(pending)) {
		t.Fatalf("seq %d after reopen, want %d", r.Seq, len(pending))
	}
	// The per-sender accounting was rebuilt: each child sender's next
	// nonce is one past its last durable transaction.
	last := map[common.Address]uint64{}
	for _, e := range pending {
		last[e.Sender] = e.Tx.Nonce()
	}
	for a, n := range last {
		if got := p.NextNonce(a, 0); got != n+1 {
			t.Fatalf("%s: next nonce %d, want %d", a, got, n+1)
		}
	}
}

// childTB lets the child use the test fixtures: their failures end the
// child with a message the parent reports.
type childTB struct{ testing.TB }

func (childTB) Helper()           {}
func (childTB) Fatal(args ...any) { fmt.Println("error:", fmt.Sprint(args...)); os.Exit(2) }
func (childTB) Fatalf(f string, args ...any) {
	fmt.Println("error:", fmt.Sprintf(f, args...))
	os.Exit(2)
}

func bytesEqual(a, b []byte) bool { return string(a) == string(b) }
