package gethdev

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"
)

// ErrExited: geth exited before it was closed.
var ErrExited = errors.New("gethdev: geth exited")

// Geth is a running geth --dev node.
type Geth struct {
	// URL and WSURL are its JSON-RPC endpoints, over HTTP and WebSocket
	// (one port).
	URL, WSURL string
	// Dev is the node's funded, unlocked developer account
	// (eth_accounts[0]).
	Dev common.Address
	// Dir holds the data directory (data/) and geth's output (LogPath).
	Dir, LogPath string

	cmd     *exec.Cmd
	rpc     *rpc.Client
	exited  chan struct{} // closed when the process has exited
	waitErr error         // cmd.Wait's error, once exited is closed
	closing sync.Once
}

// Args are the command-line arguments Launch runs geth with: data in
// datadir, JSON-RPC over HTTP and WebSocket on 127.0.0.1:port. A small
// cache keeps the data directory small too (at the default 4 GB, the
// database preallocates 1.4 GB of write-ahead log; at 128 MB, 45 MB).
func Args(datadir string, port int) []string {
	p := strconv.Itoa(port)
	apis := "eth,net,web3,debug"
	return []string{
		"--dev", "--dev.period", "1", "--dev.gaslimit", "60000000",
		"--datadir", datadir, "--cache", "128",
		"--http", "--http.addr", "127.0.0.1", "--http.port", p, "--http.api", apis,
		"--ws", "--ws.addr", "127.0.0.1", "--ws.port", p, "--ws.api", apis,
		"--ipcdisable", "--nodiscover", "--maxpeers", "0", "--nat", "none",
	}
}

// Launch builds geth if needed (Binary), starts geth --dev with its data
// and log in dir, and returns once it answers JSON-RPC; ctx bounds the
// start only. The caller must Close it.
func Launch(ctx context.Context, dir string) (*Geth, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		g, err := launch(ctx, bin, dir)
		if err == nil || attempt == 3 || !errors.Is(err, errPortTaken) {
			return g, err
		}
	}
}

// errPortTaken: the free port found was taken before geth bound it.
var errPortTaken = errors.New("gethdev: port taken")

func launch(ctx context.Context, bin, dir string) (*Geth, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	g := &Geth{URL: fmt.Sprintf("http://127.0.0.1:%d", port), WSURL: fmt.Sprintf("ws://127.0.0.1:%d", port), Dir: dir,
		LogPath: filepath.Join(dir, "geth.log"), exited: make(chan struct{})}
	logf, err := os.OpenFile(g.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	g.cmd = exec.Command(bin, Args(filepath.Join(dir, "data"), port)...)
	g.cmd.Dir, g.cmd.Stdout, g.cmd.Stderr = dir, logf, logf
	dieWithParent(g.cmd)
	if err := g.cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("gethdev: starting %s: %w", bin, err)
	}
	go func() {
		g.waitErr = g.cmd.Wait()
		logf.Close()
		close(g.exited)
	}()
	if g.rpc, err = rpc.DialContext(ctx, g.URL); err != nil {
		g.Close()
		return nil, fmt.Errorf("gethdev: %w", err)
	}
	for {
		var accounts []common.Address
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		err := g.rpc.CallContext(cctx, &accounts, "eth_accounts")
		cancel()
		if err == nil && len(accounts) > 0 {
			g.Dev = accounts[0]
			return g, nil
		}
		select {
		case <-g.exited:
			log := g.Log(40)
			g.Close()
			if strings.Contains(log, "address already in use") {
				return nil, fmt.Errorf("%w: %d", errPortTaken, port)
			}
			return nil, fmt.Errorf("%w before answering JSON-RPC (%v); the end of its log:\n%s", ErrExited, g.waitErr, log)
		case <-ctx.Done():
			log := g.Log(40)
			g.Close()
			return nil, fmt.Errorf("gethdev: geth did not answer JSON-RPC on %s: %w; the end of its log:\n%s", g.URL, ctx.Err(), log)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("gethdev: finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Close interrupts geth and waits until it has exited (killing it if it
// has not within 30 s). It returns ErrExited when geth had exited before.
func (g *Geth) Close() error {
	var err error
	g.closing.Do(func() {
		if g.rpc != nil {
			g.rpc.Close()
		}
		select {
		case <-g.exited:
			err = fmt.Errorf("%w by itself: %v", ErrExited, g.waitErr)
			return
		default:
		}
		_ = g.cmd.Process.Signal(os.Interrupt)
		select {
		case <-g.exited:
		case <-time.After(30 * time.Second):
			_ = g.cmd.Process.Kill()
			<-g.exited
		}
	})
	return err
}

// Log returns the last n lines geth wrote.
func (g *Geth) Log(n int) string {
	out, err := os.ReadFile(g.LogPath)
	if err != nil {
		return err.Error()
	}
	return tail(out, n)
}

// Fund sends amount wei from the developer account to each address
// (eth_sendTransaction, signed by the node) and waits until all are mined.
func (g *Geth) Fund(ctx context.Context, amount *big.Int, to ...common.Address) error {
	hashes := make([]common.Hash, len(to))
	for i, a := range to {
		tx := map[string]any{"from": g.Dev, "to": a, "value": (*hexutil.Big)(amount)}
		if err := g.rpc.CallContext(ctx, &hashes[i], "eth_sendTransaction", tx); err != nil {
			return fmt.Errorf("gethdev: funding %s: %w", a, err)
		}
	}
	client := ethclient.NewClient(g.rpc)
	for i, h := range hashes {
		for {
			r, err := client.TransactionReceipt(ctx, h)
			if err == nil {
				if r.Status != types.ReceiptStatusSuccessful {
					return fmt.Errorf("gethdev: funding %s failed in block %d", to[i], r.BlockNumber)
				}
				break
			}
			if !errors.Is(err, ethereum.NotFound) && !strings.Contains(err.Error(), "indexing is in progress") {
				return fmt.Errorf("gethdev: receipt of funding %s: %w", to[i], err)
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("gethdev: funding %s: %w", to[i], ctx.Err())
			case <-g.exited:
				return fmt.Errorf("%w while funding: %v", ErrExited, g.waitErr)
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	return nil
}

// startTimeout bounds Start's wait for geth to answer: a node that does
// not come up fails the test instead of hanging it.
const startTimeout = 2 * time.Minute

// Start is Launch for a test: geth in a temporary directory of t, closed
// at cleanup. The test skips, saying why, when geth cannot be built; it
// fails when geth does not start, or exits before cleanup. When the test
// has failed, the end of geth's log is printed.
func Start(t testing.TB) *Geth {
	t.Helper()
	if _, err := Binary(); err != nil {
		t.Skipf("skipping: geth --dev is not available (%v)", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	g, err := Launch(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		err := g.Close()
		if err != nil {
			t.Error(err)
		}
		if t.Failed() {
			t.Logf("the end of geth's log (%s):\n%s", g.LogPath, g.Log(200))
		}
	})
	return g
}
