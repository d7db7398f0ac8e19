package e2e

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/veil-l2/veil/devnet"
	"github.com/veil-l2/veil/internal/p2p"
	"github.com/veil-l2/veil/keyper"
	"github.com/veil-l2/veil/l1"
	"github.com/veil-l2/veil/ordering/batch"
)

// TestEquivocatingSequencerIsFrozen: the operator, holding the sequencer's
// key, signs a second batch with the number of one the keypers released
// and gossips it. No keyper answers it with shares (the positive control:
// they do answer the next honest batch). The two signed commitments,
// submitted to L1 by anyone, freeze the sequencer: its poster stops with
// ErrFrozen and BatchInbox takes no more batches.
func TestEquivocatingSequencerIsFrozen(t *testing.T) {
	d, url := start(t, devnet.Config{DevAccounts: 8})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s := newSender(t, ctx, url, 0, 4)
	first := sendAll(t, ctx, []*sender{s}, 1)
	top := waitExecuted(t, ctx, url, first)
	waitPosted(t, ctx, d, top)
	n := d.Sequencer().Executed()
	honest, err := d.Sequencer().ExecutedBatch(n)
	if err != nil {
		t.Fatal(err)
	}

	// The operator's own gossip host, with the sequencer's signing key.
	var peers []string
	for _, m := range d.Committee.Members {
		peers = append(peers, m.Peer)
	}
	hk, err := p2p.LoadOrCreateHostKey(t.TempDir() + "/operator.key")
	if err != nil {
		t.Fatal(err)
	}
	host, err := p2p.New(ctx, p2p.Config{ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}, HostKey: hk, Peers: peers, ChainID: devnet.ChainID,
		MaxRedialBackoff: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer host.Close()
	commits, err := host.Join(keyper.TopicCommitments, keyper.SequencerValidator{Sequencer: d.Committee.Sequencer, Eon: devnet.Eon})
	if err != nil {
		t.Fatal(err)
	}
	shares, err := host.Join(keyper.TopicShares, keyper.MembersValidator{Committee: d.Committee, Eon: devnet.Eon})
	if err != nil {
		t.Fatal(err)
	}
	sub, stopSub, err := shares.Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	defer stopSub()
	var mu sync.Mutex
	answered := map[common.Hash]map[uint32]bool{} // batch hash -> keypers that sent shares
	go func() {
		for r := range sub {
			m, err := keyper.DecodeShareMessage(r.Message.Payload)
			if err != nil {
				continue
			}
			mu.Lock()
			if answered[m.Hash] == nil {
				answered[m.Hash] = map[uint32]bool{}
			}
			answered[m.Hash][m.Keyper] = true
			mu.Unlock()
		}
	}()

	// The second batch n: the same commitment without its transactions.
	c := honest.Batch.Commitment
	c.TxHashes, c.Forced = nil, nil
	signed, err := batch.Sign(c, d.SequencerKey)
	if err != nil {
		t.Fatal(err)
	}
	second, err := batch.New(signed, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := second.Encode()
	if err != nil {
		t.Fatal(err)
	}
	signer, err := p2p.NewSigner(d.SequencerKey)
	if err != nil {
		t.Fatal(err)
	}
	// Until the keypers are connected, publishing reaches nobody; publish
	// until the next honest batch's shares show the gossip works.
	secondHash := second.Commitment.Hash()
	more := sendAll(t, ctx, []*sender{s}, 1)
	for {
		if err := commits.Publish(ctx, signer, devnet.Eon, raw); err != nil {
			t.Logf("publishing: %v", err)
		}
		next, err := d.Sequencer().ExecutedBatch(n + 1)
		if err == nil {
			mu.Lock()
			got := len(answered[next.Batch.Commitment.Hash()])
			mu.Unlock()
			if got >= d.Committee.Threshold {
				break
			}
		}
		select {
		case <-ctx.Done():
			t.Fatal("never saw the keypers' shares for the next honest batch")
		case <-time.After(300 * time.Millisecond):
		}
	}
	waitExecuted(t, ctx, url, more)
	mu.Lock()
	if k := answered[secondHash]; len(k) != 0 {
		t.Fatalf("keypers %v sent shares for the equivocating batch %d", k, n)
	}
	mu.Unlock()

	// Anyone submits the evidence; the sequencer is frozen.
	if _, err := l1.ProveEquivocation(ctx, d.L1, d.Contracts, devnet.DevAccount(6), &honest.Batch.Signed, signed); err != nil {
		t.Fatal(err)
	}
	frozen, err := l1.Frozen(ctx, d.L1, d.Contracts)
	if err != nil || !frozen {
		t.Fatalf("frozen %v, %v", frozen, err)
	}
	// The next posting fails: the devnet reports its poster stopped.
	sendAll(t, ctx, []*sender{s}, 1)
	if err := d.Wait(ctx); !errors.Is(err, l1.ErrFrozen) {
		t.Fatalf("the devnet after the freeze: %v", err)
	}
}
