package e2e

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math/big"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/veil-l2/veil/devnet"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/client"
)

var soak = flag.Bool("e2e.soak", false, "run the long soak variants")

// start runs a devnet for the test on a fixed loopback port (so the URL
// survives a sequencer restart) and stops it at the end.
func start(t *testing.T, cfg devnet.Config) (*devnet.Devnet, string) {
	t.Helper()
	port, err := devnet.LoopbackPort()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	cfg.HTTPAddr = fmt.Sprintf("127.0.0.1:%d", port)
	if cfg.L1BlockTime == 0 {
		cfg.L1BlockTime = time.Second
	}
	cfg.Progress = t.Logf
	if os.Getenv("VEIL_TEST_LOG") != "" && cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d, err := devnet.Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("closing the devnet: %v", err)
		}
	})
	return d, "http://" + cfg.HTTPAddr
}

// sent is one acknowledged transaction: its order receipt and where it
// landed.
type sent struct {
	p       *client.Pending
	receipt *encmempool.Receipt
}

// sender sends transfers from one dev account, paid by another.
type sender struct {
	c   *client.Client
	idx int
}

func newSender(t *testing.T, ctx context.Context, url string, from, payer int) *sender {
	t.Helper()
	c, err := client.Dial(ctx, url, client.WithPayer(client.NewPayer(devnet.DevAccount(payer))))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return &sender{c: c, idx: from}
}

var sink = common.HexToAddress("0x000000000000000000000000000000000005171c")

// send encrypts and submits one transfer and waits for its order receipt.
func (s *sender) send(ctx context.Context) (*sent, error) {
	tx, err := s.c.SignInner(ctx, devnet.DevAccount(s.idx), client.Call{To: &sink, Value: big.NewInt(1), Gas: 21000})
	if err != nil {
		return nil, err
	}
	p, err := s.c.Send(ctx, tx)
	if err != nil {
		return nil, err
	}
	r, err := s.c.WaitOrdered(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("order receipt of %s: %w", p.EnvelopeHash, err)
	}
	return &sent{p: p, receipt: r}, nil
}

// sendAll sends n transfers from each of the senders concurrently (each
// sender's in sequence) and returns every acknowledged one.
func sendAll(t *testing.T, ctx context.Context, senders []*sender, n int) []*sent {
	t.Helper()
	var mu sync.Mutex
	var out []*sent
	var wg sync.WaitGroup
	errs := make(chan error, len(senders))
	for _, s := range senders {
		wg.Go(func() {
			for range n {
				x, err := s.send(ctx)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				out = append(out, x)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return out
}

// position is where a transaction is in the chain.
type position struct{ block, index uint64 }

func (p position) less(q position) bool {
	return p.block < q.block || (p.block == q.block && p.index < q.index)
}

// waitExecuted waits until every transaction's inner transaction executed
// successfully, and checks that envelopes and inner transactions are in
// the chain in order-receipt order. It returns the highest block holding
// one of them.
func waitExecuted(t *testing.T, ctx context.Context, url string, all []*sent) (top uint64) {
	t.Helper()
	c, err := client.Dial(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sort.Slice(all, func(i, j int) bool { return all[i].receipt.Seq < all[j].receipt.Seq })
	var lastEnv, lastInner position
	for i, x := range all {
		if i > 0 && x.receipt.Seq == all[i-1].receipt.Seq {
			t.Fatalf("sequence number %d given twice", x.receipt.Seq)
		}
		inner, err := c.WaitExecuted(ctx, x.p)
		if err != nil {
			t.Fatalf("transaction with sequence number %d: %v", x.receipt.Seq, err)
		}
		if inner.Status != types.ReceiptStatusSuccessful {
			t.Fatalf("transaction with sequence number %d failed in block %v", x.receipt.Seq, inner.BlockNumber)
		}
		env, err := c.Eth().TransactionReceipt(ctx, x.p.EnvelopeHash)
		if err != nil {
			t.Fatalf("envelope of sequence number %d: %v", x.receipt.Seq, err)
		}
		pe := position{env.BlockNumber.Uint64(), uint64(env.TransactionIndex)}
		pi := position{inner.BlockNumber.Uint64(), uint64(inner.TransactionIndex)}
		if i > 0 && (!lastEnv.less(pe) || !lastInner.less(pi)) {
			t.Fatalf("sequence number %d: envelope at %v, inner at %v, after the previous at %v and %v: not in receipt order",
				x.receipt.Seq, pe, pi, lastEnv, lastInner)
		}
		lastEnv, lastInner = pe, pi
		top = max(top, pe.block, pi.block)
	}
	return top
}

// executedNone checks that none of the transactions has executed.
func executedNone(t *testing.T, ctx context.Context, url string, all []*sent) {
	t.Helper()
	c, err := client.Dial(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, x := range all {
		if _, err := c.Eth().TransactionReceipt(ctx, x.p.InnerHash); err == nil {
			t.Fatalf("transaction with sequence number %d executed while the keypers were below the threshold", x.receipt.Seq)
		} else if !errors.Is(err, ethereum.NotFound) {
			t.Fatalf("receipt of %s: %v", x.p.InnerHash, err)
		}
	}
}
