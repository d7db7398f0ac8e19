package gethdev

import (
	"bytes"
	"context"
	"errors"
	"math/big"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"
)

// TestBinary builds geth (or finds it built) from the go-ethereum version
// in go.mod, and checks that it is that version. .ci/run runs it first, in
// the background, so that the build overlaps the checks before the tests.
func TestBinary(t *testing.T) {
	v, err := Version()
	if err != nil {
		t.Fatal(err)
	}
	want, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", gethModule).Output()
	if err != nil {
		t.Fatal(err)
	}
	if v != strings.TrimSpace(string(want)) {
		t.Fatalf("Version() = %s, go list -m says %s", v, want)
	}
	start := time.Now()
	bin, err := Binary()
	if err != nil {
		t.Skipf("skipping: geth cannot be built: %v", err)
	}
	t.Logf("geth %s at %s (%v)", v, bin, time.Since(start).Round(time.Second))
	dir, _ := Dir(v)
	if filepath.Dir(bin) != dir || !strings.Contains(dir, v) {
		t.Errorf("binary %s is not in %s", bin, dir)
	}
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("geth version: %v\n%s", err, out)
	}
	if !strings.Contains(v, "-") && !bytes.Contains(out, []byte("Version: "+strings.TrimPrefix(v, "v")+"-stable")) {
		t.Errorf("geth version says\n%s\nwant version %s", out, v)
	}
}

// TestDevNode starts geth --dev and checks what tests rely on: chain id
// 1337, the EIP-2537 precompiles, the finalized tag, funding from the
// developer account, both endpoints, and Close.
func TestDevNode(t *testing.T) {
	t.Parallel()
	g := Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := ethclient.DialContext(ctx, g.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if id, err := c.ChainID(ctx); err != nil || id.Uint64() != 1337 {
		t.Fatalf("chain id %v, %v; want 1337", id, err)
	}

	// BLS12-381 G1ADD of two points at infinity is the point at infinity:
	// 128 zero bytes from an active precompile, nothing from an empty
	// account.
	g1add := common.BytesToAddress([]byte{0x0b})
	out, err := c.CallContract(ctx, ethereum.CallMsg{To: &g1add, Data: make([]byte, 256)}, nil)
	if err != nil || !bytes.Equal(out, make([]byte, 128)) {
		t.Fatalf("G1ADD at 0x0b: %x, %v; want 128 zero bytes (Prague active)", out, err)
	}

	// The finalized block is the last multiple of 32 at or below the head.
	for {
		h1, err1 := c.BlockNumber(ctx)
		fin, err2 := c.HeaderByNumber(ctx, big.NewInt(-3)) // rpc.FinalizedBlockNumber
		h2, err3 := c.BlockNumber(ctx)
		if err1 != nil || err2 != nil || err3 != nil {
			t.Fatal(err1, err2, err3)
		}
		if h1 != h2 {
			continue // a block came in between: read again
		}
		if want := h1 - h1%32; fin.Number.Uint64() != want {
			t.Errorf("finalized block %d at head %d, want %d", fin.Number, h1, want)
		}
		break
	}

	accounts := []common.Address{{0xaa, 1}, {0xaa, 2}}
	amount := new(big.Int).Mul(big.NewInt(5), big.NewInt(params.Ether))
	if err := g.Fund(ctx, amount, accounts...); err != nil {
		t.Fatal(err)
	}
	for _, a := range accounts {
		if b, err := c.BalanceAt(ctx, a, nil); err != nil || b.Cmp(amount) != 0 {
			t.Errorf("balance of %s: %v, %v; want %v", a, b, err, amount)
		}
	}

	ws, err := ethclient.DialContext(ctx, g.WSURL)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if id, err := ws.ChainID(ctx); err != nil || id.Uint64() != 1337 {
		t.Fatalf("over WebSocket: chain id %v, %v", id, err)
	}

	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-g.exited:
	default:
		t.Fatal("geth still runs after Close")
	}
	if _, err := c.BlockNumber(ctx); err == nil {
		t.Error("geth answers after Close")
	}
}

func TestWithoutModFlag(t *testing.T) {
	for in, want := range map[string]string{
		"":                                  "",
		"-mod=mod":                          "",
		"-buildvcs=false -mod=vendor -race": "-buildvcs=false -race",
	} {
		if got := withoutModFlag(in); got != want {
			t.Errorf("withoutModFlag(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestBuildFailure: a geth that cannot be built is ErrBuild with go's
// reason, and leaves no binary.
func TestBuildFailure(t *testing.T) {
	t.Setenv("GOPROXY", "off")
	dir := t.TempDir()
	_, err := buildIn(dir, gethModule, "v0.0.0-20000101000000-000000000000")
	if !errors.Is(err, ErrBuild) || !strings.Contains(err.Error(), "GOPROXY=off") {
		t.Fatalf("building a version the proxy cannot serve: %v, want ErrBuild saying GOPROXY=off", err)
	}
	if isFile(filepath.Join(dir, "geth"+exeSuffix())) {
		t.Error("a failed build left a binary")
	}
	t.Log(err)
}
