package l1

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/veil-l2/veil/contracts"
)

// TestEquivocationFreezes: the sequencer posted batch 1 and signed another
// batch 1; anyone's evidence freezes it on L1, evidence twice is refused
// with the contract's error, and its poster stops with ErrFrozen.
func TestEquivocationFreezes(t *testing.T) {
	e := newEnv(t)
	res := committee(t, 1)
	e.setUpEon(1, res)
	ctx := context.Background()
	posted := e.makeBatch(res, 1, 1, common.Hash{}, 2)
	other := e.makeBatch(res, 1, 1, common.Hash{}, 3)
	if posted.b.Commitment.Hash() == other.b.Commitment.Hash() {
		t.Fatal("the two batches are the same")
	}
	post := e.posting(posted, Flate)
	cd, err := post.calldata()
	if err != nil {
		t.Fatal(err)
	}
	e.mustSend(e.seq, e.c.Inbox, nil, cd.final)

	if frozen, err := Frozen(ctx, e.chain, e.c); err != nil || frozen {
		t.Fatalf("frozen before any evidence: %v, %v", frozen, err)
	}
	// The same commitment twice proves nothing.
	if _, err := ProveEquivocation(ctx, e.chain, e.c, e.alice, &posted.b.Signed, &posted.b.Signed); !isRevert(err,
		contracts.BatchInboxSameCommitmentErrorID()) {
		t.Fatalf("the same commitment twice: %v", err)
	}
	var r *types.Receipt
	e.mined(func() { r, err = ProveEquivocation(ctx, e.chain, e.c, e.alice, &posted.b.Signed, &other.b.Signed) })
	if err != nil || r.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("equivocation evidence: %v", err)
	}
	t.Logf("equivocation evidence: %d gas", r.GasUsed)
	if frozen, err := Frozen(ctx, e.chain, e.c); err != nil || !frozen {
		t.Fatalf("not frozen after the evidence: %v, %v", frozen, err)
	}
	if _, err := ProveEquivocation(ctx, e.chain, e.c, e.bob, &posted.b.Signed, &other.b.Signed); !isRevert(err,
		contracts.BatchInboxAlreadyFrozenErrorID()) {
		t.Fatalf("evidence against a frozen sequencer: %v", err)
	}

	// The poster of batch 2 stops: the sequencer is frozen.
	p, err := NewPoster(e.chain, e.c, e.seq, filepath.Join(t.TempDir(), "poster.db"), PosterConfig{PollInterval: 10e6})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	next := e.makeBatch(res, 1, 2, posted.b.Commitment.Hash(), 1)
	if err := p.Enqueue(ctx, e.posting(next, Flate)); err != nil {
		t.Fatal(err)
	}
	if err := p.Run(ctx); !errors.Is(err, ErrFrozen) {
		t.Fatalf("poster of a frozen sequencer: %v", err)
	}
}

// isRevert says whether err is a contract's refusal with the error id.
func isRevert(err error, id common.Hash) bool {
	var re *RevertError
	return errors.As(err, &re) && len(re.Data) >= 4 && common.BytesToHash(re.Data[:4]) == common.BytesToHash(id[:4])
}

// TestPostingTooLarge: a posting with more data than MaxPostingData is
// refused with ErrTooLarge when it is enqueued, instead of being sent
// again forever.
func TestPostingTooLarge(t *testing.T) {
	e := newEnv(t)
	res := committee(t, 1)
	e.setUpEon(1, res)
	post := e.posting(e.makeBatch(res, 1, 1, common.Hash{}, 1), Flate)
	post.Data = make([]byte, MaxPostingData+1)
	p, err := NewPoster(e.chain, e.c, e.seq, filepath.Join(t.TempDir(), "poster.db"), PosterConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Enqueue(context.Background(), post); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("enqueueing %d bytes of data: %v, want ErrTooLarge", len(post.Data), err)
	}
}
