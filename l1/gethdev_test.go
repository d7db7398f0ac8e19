package l1

import (
	"context"
	"errors"
	"math/big"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/internal/gethdev"
	"github.com/veil-l2/veil/ordering/batch"
)

// TestPosterOnGethDev runs the L1 path against a real geth --dev (built
// from the go-ethereum version in go.mod; the test skips, saying so, only
// when it cannot be built), which seals a block every second by itself:
// Dial, Deploy and Verify, a keyper set, threshold keypers voting the eon
// key with EonKeys.Vote, a Poster posting five consecutive batches with
// two confirmations, stopped after the first is confirmed and restarted on
// its database, and EonKeys reading the key once its block is finalized.
// The fifth batch (400 envelopes, uncompressed) is too large for one
// transaction and goes in parts. Exactly five submitBatch transactions
// and the fifth's parts reach L1, all successful, carrying the five
// batches in order.
func TestPosterOnGethDev(t *testing.T) {
	t.Parallel()
	g := gethdev.Start(t)
	// A bound on the whole test, so that a node that stops sealing fails
	// it instead of hanging it; no step is timed.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	chain, err := Dial(ctx, g.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { chain.Close() })
	e := &env{t: t, chain: chain, owner: testKey(1), seq: testKey(2), alice: testKey(3), bob: testKey(4)}
	funded := []common.Address{addr(e.owner), addr(e.seq)}
	members := make([]common.Address, nKeypers)
	for i := range nKeypers {
		e.keypers = append(e.keypers, testKey(byte(10+i)))
		members[i] = addr(e.keypers[i])
	}
	funded = append(funded, members...)
	if err := g.Fund(ctx, new(big.Int).Mul(big.NewInt(1000), ether), funded...); err != nil {
		t.Fatal(err)
	}

	e.c, err = Deploy(ctx, chain, e.owner, contracts.L1Config{ChainID: l2ChainID, Owner: addr(e.owner), Sequencer: addr(e.seq),
		ForcedInclusionDeadline: forcedDeadline})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.c.Verify(ctx, chain, l2ChainID); err != nil {
		t.Fatal(err)
	}
	// The set is active a few blocks on: the node seals while the
	// transaction travels, and an activation below its block reverts.
	set, err := AddKeyperSet(ctx, chain, e.c, e.owner, members, threshold, e.head()+8)
	if err != nil {
		t.Fatal(err)
	}
	res := committee(t, 1)
	keys := NewEonKeys(chain, e.c)
	keys.Poll = 100 * time.Millisecond
	// One vote after another: each is estimated in the state before it,
	// and the vote that reaches the threshold costs more (it stores the
	// key).
	for i := range threshold {
		if err := keys.Vote(ctx, e.keypers[i], set, 1, res[0].EonPublicKey.Bytes()); err != nil {
			t.Fatal(err)
		}
	}
	votedAt := e.head()

	tbs := e.chainOf(res, 1, 4, 2)
	tbs = append(tbs, e.makeBatch(res, 1, 5, tbs[3].b.Commitment.Hash(), 400))
	posts := make([]Posting, len(tbs))
	for i, tb := range tbs {
		posts[i] = e.posting(tb, Flate)
	}
	posts[4] = e.posting(tbs[4], NoCompression)
	path := filepath.Join(t.TempDir(), "poster.db")
	cfg := PosterConfig{Confirmations: 2, MaxInFlight: 2, PollInterval: 100 * time.Millisecond, ResubmitAfter: time.Hour}
	p, err := NewPoster(chain, e.c, e.seq, path, cfg)
	if err != nil {
		t.Fatal(err)
	}
	stop := startPoster(t, p)
	for _, post := range posts[:3] {
		if err := p.Enqueue(ctx, post); err != nil {
			t.Fatal(err)
		}
	}
	results := make([]*Result, len(posts))
	if results[0], err = p.Wait(ctx, 1); err != nil {
		t.Fatal(err)
	}
	// Restart with batches 2 and 3 wherever they are (sent, mined or
	// confirmed), and enqueue all five again: the three known are no-ops.
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	before := p.Status()
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	p, err = NewPoster(chain, e.c, e.seq, path, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if after := p.Status(); after.Posted != before.Posted || !slices.Equal(after.Queue, before.Queue) || p.Next() != 4 {
		t.Fatalf("status after the restart %+v (next %d), before %+v", after, p.Next(), before)
	}
	t.Logf("restarted with batch %d confirmed and %+v queued", before.Posted, before.Queue)
	startPoster(t, p)
	for _, post := range posts {
		if err := p.Enqueue(ctx, post); err != nil {
			t.Fatalf("enqueuing batch %d after the restart: %v", post.Number, err)
		}
	}
	for n := uint64(2); n <= 5; n++ {
		if results[n-1], err = p.Wait(ctx, n); err != nil {
			t.Fatal(err)
		}
	}

	// Exactly five submitBatch transactions and the fifth's parts, all
	// successful, each carrying its batch: nothing posted twice.
	if n := e.nextNumber(); n != 6 {
		t.Fatalf("BatchInbox expects batch %d, want 6", n)
	}
	if results[4].Parts < 2 {
		t.Fatalf("batch 5 went in %d parts, the test wants at least 2", results[4].Parts)
	}
	var rs []*types.Receipt
	partGas := uint64(0)
	all := e.txsFrom(addr(e.seq))
	for _, r := range all {
		if r.Status != types.ReceiptStatusSuccessful {
			t.Errorf("posting transaction %s reverted", r.TxHash)
		}
		if len(r.Logs) == 1 && r.Logs[0].Topics[0] == contracts.NewBatchInbox().GetABI().Events["BatchDataPart"].ID {
			partGas += r.GasUsed
		} else {
			rs = append(rs, r)
		}
	}
	if len(rs) != len(posts) || len(all) != len(posts)+results[4].Parts {
		t.Fatalf("the poster sent %d transactions, %d of them submitBatch; want %d and %d", len(all), len(rs),
			len(posts)+results[4].Parts, len(posts))
	}
	for i, r := range rs {
		gas := r.GasUsed
		if i == 4 {
			gas += partGas
		}
		if results[i].TxHash != r.TxHash || results[i].GasUsed != gas {
			t.Errorf("result of batch %d: %+v; its transactions (%s) used %d gas", i+1, results[i], r.TxHash, gas)
		}
		b, km, err := DecodeBatchData(e.postedData(r.TxHash), batch.DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := tbs[i].b.Encode()
		if got, _ := b.Encode(); string(got) != string(want) || string(km.Attestation) != string(tbs[i].keys.Attestation) {
			t.Errorf("transaction %d (%s) does not carry batch %d", i, r.TxHash, i+1)
		}
	}

	// The key is read as of the finalized block: geth --dev finalizes
	// the last multiple of 32 at or below the head.
	for {
		k, err := keys.Get(ctx, 1)
		if err == nil {
			fin, err := chain.Finalized(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n := fin.Number.Uint64(); n == 0 || n%32 != 0 {
				t.Errorf("finalized block %d, want a non-zero multiple of 32 (the key was accepted by block %d)", n, votedAt)
			}
			if k.KeyperSet != set || string(k.Key) != string(res[0].EonPublicKey.Bytes()) {
				t.Errorf("eon key from L1: set %d, key %x", k.KeyperSet, k.Key)
			}
			break
		}
		if !errors.Is(err, ErrNoEonKey) {
			t.Fatal(err)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the eon key voted by block %d never became final: %v", votedAt, err)
		case <-time.After(500 * time.Millisecond):
		}
	}
}
