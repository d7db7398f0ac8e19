package e2e

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/veil-l2/veil/devnet"
	"github.com/veil-l2/veil/encmempool/client"
	"github.com/veil-l2/veil/l1"
	"github.com/veil-l2/veil/verify"
)

// Load of TestVerifierAgrees: loadSenders accounts send loadPerSender
// transfers each, paid by loadSenders other accounts.
const (
	loadSenders   = 50
	loadPerSender = 10
)

// TestVerifierAgrees: 500 encrypted transactions from 50 accounts: all
// executed, in receipt order, and the verifier agrees with every block.
// Then an envelope forced through L1 (L1Inbox.forceEnvelope) is executed
// on L2 and the verifier agrees with that block too.
func TestVerifierAgrees(t *testing.T) {
	poster := &lastWarning{}
	d, url := start(t, devnet.Config{DevAccounts: 2 * loadSenders, Logger: slog.New(poster.handler("poster"))})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the poster's last warning: %s", poster.String())
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	senders := make([]*sender, loadSenders)
	for i := range senders {
		senders[i] = newSender(t, ctx, url, i, loadSenders+i)
	}
	began := time.Now()
	all := sendAll(t, ctx, senders, loadPerSender)
	if len(all) != loadSenders*loadPerSender {
		t.Fatalf("%d transactions acknowledged, want %d", len(all), loadSenders*loadPerSender)
	}
	t.Logf("%d transactions ordered in %v", len(all), time.Since(began).Round(time.Millisecond))
	top := waitExecuted(t, ctx, url, all)
	t.Logf("all executed after %v, up to batch %d", time.Since(began).Round(time.Millisecond), top)

	v := newVerifier(t, ctx, d)
	verifyPosted(t, ctx, d, v, top)
	t.Logf("verifier agrees on batches 1-%d after %v", v.Next()-1, time.Since(began).Round(time.Millisecond))

	// An envelope forced on L1: sender 0's transfer, paid by account
	// loadSenders (their transactions above are executed, so the
	// client's nonces are the chain's).
	c, err := client.Dial(ctx, url, client.WithPayer(client.NewPayer(devnet.DevAccount(loadSenders))))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	to := common.HexToAddress("0x00000000000000000000000000000000f02ced01")
	inner, err := c.SignInner(ctx, devnet.DevAccount(0), client.Call{To: &to, Value: big.NewInt(7), Gas: 21000})
	if err != nil {
		t.Fatal(err)
	}
	env, err := c.Encrypt(ctx, inner)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := env.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	r, err := l1.ForceEnvelope(ctx, d.L1, d.Contracts, devnet.DevAccount(loadSenders), raw)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.WaitExecuted(ctx, &client.Pending{EnvelopeHash: env.Hash(), InnerHash: inner.Hash(),
		Sender: devnetAddress(0), Nonce: inner.Nonce(), Payer: devnetAddress(loadSenders)})
	if err != nil {
		t.Fatalf("forced envelope %s (L1 block %v): %v", env.Hash(), r.BlockNumber, err)
	}
	block := got.BlockNumber.Uint64()
	t.Logf("envelope forced in L1 block %v executed in L2 block %d", r.BlockNumber, block)

	res := verifyPosted(t, ctx, d, v, block)
	if f, ok := res[block]; !ok || f.Forced != 1 || f.Txs < 1 {
		t.Fatalf("the verifier's block %d: %+v (verified: %t), want one forced envelope", block, f, ok)
	}
}

func devnetAddress(i int) common.Address {
	return crypto.PubkeyToAddress(devnet.DevAccount(i).PublicKey)
}

// newVerifier opens a verifier of the devnet's chain that trusts L1 blocks
// as soon as they are mined.
func newVerifier(t *testing.T, ctx context.Context, d *devnet.Devnet) *verify.Verifier {
	t.Helper()
	v, err := verify.New(ctx, verify.Config{L1: d.L1, Contracts: d.Contracts, Chain: d.Chain(), Confirmations: 0})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := v.Close(); err != nil {
			t.Errorf("closing the verifier: %v", err)
		}
	})
	return v
}

// verifyPosted waits until L1 has every batch the sequencer executed, at
// least up to batch atLeast (waitPosted), runs v over everything posted
// (until ErrNotPosted), and checks that it verified every batch up to the
// sequencer's executed one, each with the sequencer's block hash. It
// returns what it verified by number.
func verifyPosted(t *testing.T, ctx context.Context, d *devnet.Devnet, v *verify.Verifier, atLeast uint64) map[uint64]verify.Result {
	t.Helper()
	waitPosted(t, ctx, d, atLeast)
	want := d.Sequencer().Executed()
	from := v.Next()
	got := map[uint64]verify.Result{}
	for {
		r, err := v.VerifyNext(ctx)
		if errors.Is(err, verify.ErrNotPosted) {
			break
		}
		if err != nil {
			t.Fatalf("verified batches %d-%d, then: %v", from, v.Next()-1, err)
		}
		got[r.Number] = *r
	}
	if last := v.Next() - 1; last < want {
		t.Fatalf("verified batches %d-%d; the sequencer executed up to %d", from, last, want)
	}
	bc := d.Sequencer().Exec().BlockChain()
	for number := from; number < v.Next(); number++ {
		r, ok := got[number]
		if !ok {
			t.Fatalf("batch %d verified without a result", number)
		}
		h := bc.GetHeaderByNumber(number)
		if h == nil {
			t.Fatalf("the sequencer has no block %d", number)
		}
		if r.BlockHash != h.Hash() {
			t.Fatalf("block %d: the verifier has %s, the sequencer %s", number, r.BlockHash, h.Hash())
		}
	}
	return got
}

// lastWarning keeps the last warning (or error) one devnet component
// logged, to explain a stall.
type lastWarning struct {
	mu   sync.Mutex
	last string
}

func (w *lastWarning) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.last == "" {
		return "none"
	}
	return w.last
}

// handler is a slog handler that keeps the warnings of records from the
// devnet's loggers With("component", component).
func (w *lastWarning) handler(component string) slog.Handler {
	return &warningHandler{w: w, component: component}
}

type warningHandler struct {
	w         *lastWarning
	component string
	keep      bool
}

func (h *warningHandler) Enabled(_ context.Context, l slog.Level) bool {
	return h.keep && l >= slog.LevelWarn
}

func (h *warningHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	})
	h.w.mu.Lock()
	h.w.last = b.String()
	h.w.mu.Unlock()
	return nil
}

func (h *warningHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	for _, a := range attrs {
		if a.Key == "component" && a.Value.String() == h.component {
			c.keep = true
		}
	}
	return &c
}

func (h *warningHandler) WithGroup(string) slog.Handler { return h }
