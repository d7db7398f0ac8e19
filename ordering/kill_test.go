package ordering

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/execution"
	"github.com/veil-l2/veil/internal/p2p"
	"github.com/veil-l2/veil/keyper"
)

// The kill -9 test runs the sequencer in a real child process (this test
// binary, in TestSequencerChild) while the keypers run in the test.
const seqChildEnv = "VEIL_SEQUENCER_CHILD_CONFIG"

type childConfig struct {
	DataDir      string
	Chain        *execution.ChainConfig
	SeqKey       string
	Committee    *keyper.Committee
	EonKey       []byte
	PublicShares [][]byte
	Listen       string
	HostKey      string
	HTTPPort     int
}

func TestSequencerChild(t *testing.T) {
	path := os.Getenv(seqChildEnv)
	if path == "" {
		return // only meaningful as the child of TestKill9UnderLoad
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c childConfig
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	key, err := crypto.HexToECDSA(c.SeqKey)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := tpke.ParseEonPublicKey(c.EonKey)
	if err != nil {
		t.Fatal(err)
	}
	var pubs []*tpke.PublicShare
	for i, b := range c.PublicShares {
		p, err := tpke.ParsePublicShare(i, b)
		if err != nil {
			t.Fatal(err)
		}
		pubs = append(pubs, p)
	}
	hk, err := p2p.LoadOrCreateHostKey(c.HostKey)
	if err != nil {
		t.Fatal(err)
	}
	host, err := p2p.New(t.Context(), p2p.Config{ListenAddrs: []string{c.Listen}, HostKey: hk, ChainID: c.Chain.ChainID})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(Config{DataDir: c.DataDir, Chain: c.Chain, SequencerKey: key, Committee: c.Committee, EonKey: pk, PublicShares: pubs,
		P2P: host, Origin: StaticOrigin(testOrigin), HTTPHost: "127.0.0.1", HTTPPort: c.HTTPPort, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("ready")
	for s.Err() == nil {
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal(s.Err())
}

// TestKill9UnderLoad: ten clients send envelopes over JSON-RPC to a
// sequencer in a child process; it is killed with SIGKILL mid-stream and
// started again on the same data directory. Every transaction that got a
// hash back executes, in the order of its signed receipt, and the chain
// goes on.
func TestKill9UnderLoad(t *testing.T) {
	h := newHarness(t, 11)
	for i := range 5 {
		h.startKeyper(i)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	c := childConfig{DataDir: filepath.Join(h.dir, "sequencer"), Chain: h.chain, SeqKey: hex.EncodeToString(crypto.FromECDSA(h.seqKey)),
		Committee: h.committee, EonKey: h.results[0].EonPublicKey.Bytes(), Listen: h.seqListen, HostKey: h.hostKey, HTTPPort: port}
	for _, p := range h.results[0].PublicShares {
		c.PublicShares = append(c.PublicShares, p.Bytes())
	}
	raw, _ := json.Marshal(c)
	cfgPath := filepath.Join(h.dir, "child.json")
	if err := os.WriteFile(cfgPath, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	start := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSequencerChild$")
		cmd.Env = append(os.Environ(), seqChildEnv+"="+cfgPath)
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		ready := make(chan bool, 1)
		go func() {
			for sc.Scan() {
				if sc.Text() == "ready" {
					ready <- true
				}
			}
			close(ready)
		}()
		select {
		case ok := <-ready:
			if !ok {
				t.Fatal("the sequencer child exited before it was ready")
			}
		case <-time.After(60 * time.Second):
			cmd.Process.Kill()
			t.Fatal("the sequencer child did not start")
		}
		return cmd
	}
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	child := start()
	client, err := ethclient.Dial(url)
	if err != nil {
		t.Fatal(err)
	}
	// Load: each client sends until its first error (the kill).
	var mu sync.Mutex
	var acked []*types.Transaction // envelopes that got a hash back
	inners := map[common.Hash]common.Hash{}
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				env, inner := h.envelope(i)
				if err := client.SendTransaction(h.ctx, env); err != nil {
					return
				}
				mu.Lock()
				acked = append(acked, env)
				inners[env.Hash()] = inner.Hash()
				mu.Unlock()
			}
		}()
	}
	time.Sleep(3 * time.Second)
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	wg.Wait()
	client.Close()
	mu.Lock()
	t.Logf("%d envelopes acknowledged before the kill", len(acked))
	if len(acked) < 50 {
		t.Fatalf("only %d envelopes acknowledged", len(acked))
	}
	mu.Unlock()

	child = start()
	defer func() {
		child.Process.Signal(syscall.SIGKILL)
		child.Wait()
	}()
	client, err = ethclient.Dial(url)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	// The chain goes on: a fresh account's envelope executes too.
	after, afterInner := h.envelope(10)
	if err := client.SendTransaction(h.ctx, after); err != nil {
		t.Fatalf("after the restart: %v", err)
	}
	acked = append(acked, after)
	inners[after.Hash()] = afterInner.Hash()

	type placed struct {
		seq uint64
		pos uint64
	}
	var got []placed
	deadline := time.Now().Add(90 * time.Second)
	for _, env := range acked {
		var r encmempool.Receipt
		if err := client.Client().CallContext(h.ctx, &r, "veil_getOrderReceipt", env.Hash()); err != nil {
			t.Fatalf("receipt of an acknowledged envelope after the restart: %v", err)
		}
		if err := r.Verify(h.committee.Sequencer); err != nil {
			t.Fatal(err)
		}
		for {
			rec, err := client.TransactionReceipt(h.ctx, inners[env.Hash()])
			if err == nil {
				if rec.Status != types.ReceiptStatusSuccessful {
					t.Fatalf("inner of seq %d failed", r.Seq)
				}
				got = append(got, placed{r.Seq, rec.BlockNumber.Uint64()<<32 | uint64(rec.TransactionIndex)})
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the inner transaction of receipt %d never executed", r.Seq)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	slices.SortFunc(got, func(a, b placed) int { return int(a.seq) - int(b.seq) })
	for i := 1; i < len(got); i++ {
		if got[i].pos <= got[i-1].pos {
			t.Fatalf("receipt %d executed before receipt %d", got[i].seq, got[i-1].seq)
		}
	}
}
