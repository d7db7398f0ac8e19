package execution

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// chainOfInputs makes k block inputs with transfers, drops and a deposit.
func chainOfInputs(f *fixture, k int) []*BlockInput {
	bob := f.addr("bob")
	var ins []*BlockInput
	for i := 0; i < k; i++ {
		var items []Item
		for j := 0; j < 3; j++ {
			items = append(items, f.envelope("payer", f.tx("alice", &bob, big.NewInt(int64(1+i*10+j)), 21000, nil)))
		}
		// one dropped inner per block: revealed, must stay dropped on replay
		bad := f.envelope("payer", f.tx("alice", &bob, big.NewInt(1), 21000, nil))
		f.nonces[f.addr("alice")]--
		bad.Status, bad.Plaintext = NoKey, nil
		items = append(items, bad, Item{Tx: f.tx("carol", &bob, big.NewInt(3), 21000, nil)})
		in := f.input(items...)
		in.Deposits = []Deposit{{To: f.addr("dave"), Amount: big.NewInt(int64(1000 + i))}}
		ins = append(ins, in)
	}
	return ins
}

func TestReplayIsDeterministicAndRestartKeepsState(t *testing.T) {
	f := newFixture(t, "payer", "alice", "bob", "carol", "dave")
	ins := chainOfInputs(f, 5)
	dirA, dirB := t.TempDir(), t.TempDir()
	a := f.open(dirA)
	var hashes []common.Hash
	for _, in := range ins {
		hashes = append(hashes, apply(t, a, in).Block.Hash())
	}
	revealed, err := a.RevealedCount()
	// Three decrypted inner transactions per block; the envelope without a
	// key revealed nothing.
	if err != nil || revealed != 15 {
		t.Fatalf("revealed set holds %d, want 15 (%v)", revealed, err)
	}
	if got := balance(t, a, f.addr("dave")); got.Cmp(new(big.Int).Add(new(big.Int).Mul(big.NewInt(100), ether), big.NewInt(5010))) != 0 {
		t.Fatalf("deposits credited %v", got)
	}
	// A fresh data directory, the same inputs: the same blocks.
	b := f.open(dirB)
	for i, in := range ins {
		if h := apply(t, b, in).Block.Hash(); h != hashes[i] {
			t.Fatalf("block %d: %s in a fresh directory, %s before", i+1, h, hashes[i])
		}
	}
	b.Close()
	// A clean restart keeps the head and the revealed set.
	a.Close()
	a = f.open(dirA)
	defer a.Close()
	if head := a.Head(); head.Number.Uint64() != 5 || head.Hash() != hashes[4] {
		t.Fatalf("head after restart %d %s", head.Number, head.Hash())
	}
	if n, _ := a.RevealedCount(); n != revealed {
		t.Fatalf("revealed set after restart %d, want %d", n, revealed)
	}
	// And an inner transaction revealed before the restart is still
	// dropped when it comes back as plaintext.
	var inner types.Transaction
	if err := inner.UnmarshalBinary(ins[0].Items[0].Plaintext); err != nil {
		t.Fatal(err)
	}
	again := apply(t, a, f.input(Item{Tx: &inner}))
	if o := again.Outcomes[0]; o.Dropped != DropRevealedBefore {
		t.Fatalf("revealed transaction after restart: %+v", o)
	}
}

// The kill -9 test runs a real child process (this test binary) that
// applies recorded inputs, prints each block hash, and waits to be killed.
const childEnv = "VEIL_EXECUTION_CHILD_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(childEnv); dir != "" {
		if err := runChild(dir); err != nil {
			fmt.Println("error:", err)
			os.Exit(2)
		}
		select {} // wait for kill -9
	}
	os.Exit(m.Run())
}

type childSetup struct {
	Chain  *ChainConfig
	Inputs []string
}

func runChild(dir string) error {
	raw, err := os.ReadFile(filepath.Join(dir, "setup.json"))
	if err != nil {
		return err
	}
	var s childSetup
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	n, err := Open(Config{DataDir: filepath.Join(dir, "node"), Chain: s.Chain})
	if err != nil {
		return err
	}
	for _, h := range s.Inputs {
		b, _ := hex.DecodeString(h)
		var in BlockInput
		if err := in.UnmarshalBinary(b); err != nil {
			return err
		}
		built, err := n.Apply(context.Background(), &in)
		if err != nil {
			return err
		}
		fmt.Println("block", in.Number, built.Block.Hash().Hex())
	}
	fmt.Println("done")
	return nil
}

func TestKill9RecoversFromTheRecord(t *testing.T) {
	f := newFixture(t, "payer", "alice", "bob", "carol", "dave")
	ins := chainOfInputs(f, 6)
	dir := t.TempDir()
	s := childSetup{Chain: f.cfg}
	for _, in := range ins {
		b, err := in.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		s.Inputs = append(s.Inputs, hex.EncodeToString(b))
	}
	raw, _ := json.Marshal(s)
	if err := os.WriteFile(filepath.Join(dir, "setup.json"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	hashes := map[uint64]string{}
	sc := bufio.NewScanner(out)
	deadline := time.AfterFunc(2*time.Minute, func() { cmd.Process.Kill() })
	for sc.Scan() {
		line := sc.Text()
		if line == "done" {
			break
		}
		var num uint64
		var h string
		if _, err := fmt.Sscanf(line, "block %d %s", &num, &h); err != nil {
			t.Fatalf("child: %s", line)
		}
		hashes[num] = h
	}
	deadline.Stop()
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if len(hashes) != len(ins) {
		t.Fatalf("child wrote %d blocks, want %d", len(hashes), len(ins))
	}
	// Reopen the killed node's directory: it comes back to the last written
	// block, with the same hashes, by re-executing from the record.
	n, err := Open(Config{DataDir: filepath.Join(dir, "node"), Chain: f.cfg})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	t.Logf("go-ethereum's durable head was %d blocks behind the record", n.Recovered())
	head := n.Head()
	if head.Number.Uint64() != uint64(len(ins)) {
		t.Fatalf("head %d after kill -9, want %d", head.Number, len(ins))
	}
	for num, h := range hashes {
		got := n.BlockChain().GetHeaderByNumber(num)
		if got == nil || !strings.EqualFold(got.Hash().Hex(), h) {
			t.Fatalf("block %d after recovery differs", num)
		}
	}
	// The chain continues.
	next := f.input(f.envelope("payer", f.tx("alice", &f.cfg.Sequencer, big.NewInt(1), 21000, nil)))
	if _, err := n.Apply(context.Background(), next); err != nil {
		t.Fatal(err)
	}
}
