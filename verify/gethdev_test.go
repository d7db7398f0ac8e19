package verify

import (
	"context"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/veil-l2/veil/internal/gethdev"
	"github.com/veil-l2/veil/l1"
)

// newDevChainEnv is newChainEnv on a geth --dev node: it dials it, funds
// the env's L1 accounts from the developer account and sets up the first
// eon, whose key is not final yet (geth --dev finalizes every 32 blocks,
// one a second). ctx bounds every wait of the env.
func newDevChainEnv(t testing.TB, ctx context.Context, g *gethdev.Geth) *chainEnv {
	t.Helper()
	e := newEnv(t, ctx)
	var err error
	if e.l1, err = l1.Dial(ctx, g.URL); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.l1.Close() })
	e.dev, e.poll = true, 50*time.Millisecond
	var funded []common.Address
	for _, k := range e.l1Accounts() {
		funded = append(funded, addrOf(k))
	}
	if err := g.Fund(ctx, new(big.Int).Mul(big.NewInt(1000), ether), funded...); err != nil {
		t.Fatal(err)
	}
	// The set is active a few blocks on: the node seals while the
	// transaction travels, and an activation below its block reverts.
	e.setUp(5)
	return e
}

// TestVerifierOnGethDev runs the posting and verifier path against a real
// geth --dev (the test skips only when geth cannot be built): the
// contracts, a keyper set and its eon key, five batches built on the
// node's blocks (one crediting a deposit, one including a forced
// envelope) and posted by l1.Poster, then a sixth whose posting names
// another state root, attested all the same. Once the key is final, a
// verifier on the node agrees with batches 1 to 5 and reports batch 6's
// ErrStateRoot.
func TestVerifierOnGethDev(t *testing.T) {
	t.Parallel()
	g := gethdev.Start(t)
	// A bound on the whole test, so that a node that stops sealing fails
	// it instead of hanging it; no step is timed.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	start := time.Now()
	e := newDevChainEnv(t, ctx, g)
	votedAt := e.head()

	// Built and posted while the node finalizes the key.
	for i := 1; i <= 6; i++ {
		switch i {
		case 2:
			e.deposit(plainSender, common.Address{0xde, 2}, big.NewInt(1e15))
		case 3:
			e.force(forcedPayer, forcedInner)
		default:
			e.commit()
		}
		e.build(batchSpec{txs: standardTxs})
	}
	if d, f := len(e.batches[1].b.Commitment.Deposits), len(e.batches[2].b.Commitment.Forced); d != 1 || f != 1 {
		t.Fatalf("batch 2 credits %d deposits, batch 3 includes %d forced envelopes", d, f)
	}
	posts := make([]l1.Posting, 0, 6)
	for _, bb := range e.batches {
		posts = append(posts, e.posting(bb))
	}
	posts[5].StateRoot = crypto.Keccak256Hash([]byte("another root"))
	e.post(e.startPoster(nil), posts...)
	t.Logf("6 batches posted by L1 block %d (%v); waiting for block %d to be final", e.head(), time.Since(start).Round(time.Second), votedAt)
	e.finalizeThrough(votedAt)

	var got []Result
	v := e.verifier("", func(r Result) { got = append(got, r) })
	n, err := v.Run(ctx)
	var mm *Mismatch
	if !errors.As(err, &mm) || mm.Batch != 6 || !errors.Is(err, ErrStateRoot) || n != 5 {
		t.Fatalf("verified %d batches, then %v; want batch 6: %v", n, err, ErrStateRoot)
	}
	for i, r := range got {
		bb := e.batches[i]
		if r.Number != uint64(i+1) || r.Eon != testEon || r.BlockHash != bb.blockHash || r.StateRoot != bb.stateRoot ||
			r.Txs != len(bb.b.Txs) || r.Keyed != len(bb.rel.Keyed) {
			t.Fatalf("batch %d: verified %+v, built block %s root %s with %d txs", i+1, r, bb.blockHash, bb.stateRoot, len(bb.b.Txs))
		}
	}
	if got[1].Deposits != 1 || got[2].Forced != 1 {
		t.Fatalf("batch 2: %+v, batch 3: %+v", got[1], got[2])
	}
	t.Logf("%v (L1 head %d, %v in all)", err, e.head(), time.Since(start).Round(time.Second))
}
