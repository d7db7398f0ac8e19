package e2e

import (
	"context"
	"errors"
	"math/big"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/veil-l2/veil/devnet"
)

// TestWithholdingSequencerIsOvercome is issue 7's case: a sequencer that
// gets the keys for a batch and then withholds it. The sequencer withholds
// batch N (fault injection: it has N's keys and neither publishes nor
// executes nor posts it) and goes away; a keyper re-publishes N, the
// devnet's rescuer posts it to L1 with its attestation from its own
// account, the devnet's verifier verifies it with the block hash the
// rescuer posted, and the transactions in N are executed in the verifier's
// chain. When the sequencer comes back, it executes N to the same block
// and its poster takes N as posted.
func TestWithholdingSequencerIsOvercome(t *testing.T) {
	var armed atomic.Bool
	withheld := make(chan uint64, 1)
	d, url := start(t, devnet.Config{DevAccounts: 6, Rescuer: true, RepublishAfter: 2 * time.Second,
		WithholdKeys: func(n uint64) bool {
			if !armed.CompareAndSwap(true, false) {
				return false
			}
			withheld <- n
			return true
		}})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	senders := []*sender{newSender(t, ctx, url, 0, 3), newSender(t, ctx, url, 1, 4), newSender(t, ctx, url, 2, 5)}

	// The chain runs normally first.
	before := sendAll(t, ctx, senders, 1)
	waitExecuted(t, ctx, url, before)

	// The next batch whose keys arrive is withheld: it holds (at least)
	// the first of these transactions.
	armed.Store(true)
	txs := sendAll(t, ctx, senders, 1)
	var n uint64
	select {
	case n = <-withheld:
	case <-ctx.Done():
		t.Fatal("no batch was withheld")
	}
	d.StopSequencer()
	t.Logf("the sequencer withheld batch %d after its keys and stopped", n)

	// A keyper re-publishes N, the rescuer posts it, the verifier verifies it.
	var rescued, verified bool
	for !(rescued && verified) {
		select {
		case <-ctx.Done():
			t.Fatalf("batch %d: rescued %v, verified %v (verifier at %d)", n, rescued, verified, d.Verified())
		case <-time.After(200 * time.Millisecond):
		}
		_, rescued = d.Rescued(n)
		_, verified = d.VerifiedBlock(n)
	}
	r, _ := d.Rescued(n)
	vh, _ := d.VerifiedBlock(n)
	if r.BlockHash != vh {
		t.Fatalf("batch %d: the rescuer posted block %s, the verifier computed %s", n, r.BlockHash, vh)
	}
	t.Logf("batch %d rescued in L1 block %d (tx %s), block %s verified", n, r.L1Block, r.TxHash, vh)

	// The transactions in N executed in the verifier's chain.
	vc := ethclient.NewClient(d.VerifierNode().Attach())
	defer vc.Close()
	inN := 0
	for _, x := range txs {
		env, err := vc.TransactionReceipt(ctx, x.p.EnvelopeHash)
		if errors.Is(err, ethereum.NotFound) {
			continue // cut into a later batch
		}
		if err != nil {
			t.Fatal(err)
		}
		if env.BlockNumber.Uint64() != n {
			continue
		}
		inner, err := vc.TransactionReceipt(ctx, x.p.InnerHash)
		if err != nil {
			t.Fatalf("inner transaction of sequence number %d (batch %d) in the verifier's chain: %v", x.receipt.Seq, n, err)
		}
		if inner.Status != types.ReceiptStatusSuccessful || inner.BlockNumber.Uint64() != n {
			t.Fatalf("inner transaction of sequence number %d: status %d in block %v, want success in %d", x.receipt.Seq, inner.Status,
				inner.BlockNumber, n)
		}
		inN++
	}
	if inN == 0 {
		t.Fatalf("none of the %d transactions sent after arming is in the withheld batch %d", len(txs), n)
	}
	t.Logf("%d transactions of batch %d executed in the verifier's chain", inN, n)

	// The sequencer comes back: it executes N to the same block, its
	// poster takes N as posted, and the chain goes on.
	if err := d.StartSequencer(); err != nil {
		t.Fatal(err)
	}
	more := sendAll(t, ctx, senders, 1)
	top := waitExecuted(t, ctx, url, append(append(before, txs...), more...))
	waitPosted(t, ctx, d, top)
	c, err := ethclient.DialContext(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	h, err := c.HeaderByNumber(ctx, new(big.Int).SetUint64(n))
	if err != nil {
		t.Fatal(err)
	}
	if h.Hash() != r.BlockHash {
		t.Fatalf("batch %d: the sequencer's block %s, the rescued %s", n, h.Hash(), r.BlockHash)
	}
	last := d.Sequencer().Executed()
	for d.Verified() < last {
		select {
		case <-ctx.Done():
			t.Fatalf("verifier at %d, sequencer executed %d", d.Verified(), last)
		case <-time.After(200 * time.Millisecond):
		}
	}
	// No component failed (a poster that took N as a conflict, say).
	wctx, wcancel := context.WithTimeout(ctx, time.Second)
	defer wcancel()
	if err := d.Wait(wctx); err != nil {
		t.Fatalf("devnet failure: %v", err)
	}
}
