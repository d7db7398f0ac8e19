package keyper

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/internal/p2p"
)

func rawTxs(t *testing.T, txs ...*types.Transaction) [][]byte {
	t.Helper()
	var out [][]byte
	for _, tx := range txs {
		raw, err := tx.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, raw)
	}
	return out
}

// runPrecompute feeds one announcement and waits until all of its
// transactions were worked on.
func runPrecompute(t *testing.T, p *precomputed, raws [][]byte) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); p.run(ctx) }()
	defer func() { cancel(); <-done }()
	total := func() float64 {
		var sum float64
		for _, o := range []string{"precomputed", "not_keyed", "malformed", "full"} {
			sum += testutil.ToFloat64(p.metrics.computed.WithLabelValues(o))
		}
		return sum
	}
	want := total() + float64(len(raws))
	p.offer(mustEncode(t, &PendingMessage{Txs: raws}))
	waitFor(t, func() bool { return total() >= want })
}

// TestPrecomputedSharesAreTheReleasedShares: shares computed from an
// announcement are exactly the shares a release would compute, a release
// takes them (and only computes the batch identity's), and what is no
// envelope of the keyper's eon gets nothing.
func TestPrecomputedSharesAreTheReleasedShares(t *testing.T) {
	e := newEnv(t, 4)
	txs := envelopesOf(e, 4)
	other, _ := e.envelope(0, eon+1)
	to := common.Address{0xb0}
	plain, _ := types.SignNewTx(e.users[1], e.signer, &types.DynamicFeeTx{ChainID: e.signer.ChainID(), Nonce: e.next(e.users[1]),
		GasTipCap: feeCap, GasFeeCap: feeCap, Gas: 21000, To: &to})
	raws := append(rawTxs(t, append(txs, other, plain)...), []byte{0x02, 0xff})

	p := newPrecomputed(e.results[0].Share, tpke.NewPointCache(64), e.config(), 100, newPrecomputeMetrics())
	runPrecompute(t, p, raws)
	for outcome, want := range map[string]float64{"precomputed": 4, "not_keyed": 2, "malformed": 1} {
		if got := testutil.ToFloat64(p.metrics.computed.WithLabelValues(outcome)); got != want {
			t.Errorf("%s: %v, want %v", outcome, got, want)
		}
	}
	if p.shares.Len() != 4 {
		t.Fatalf("%d shares held, want 4", p.shares.Len())
	}

	rel, _ := Classify(e.config(), e.batchOf(1, common.Hash{}, txs, nil), memReleased{})
	got, _ := p.releaseShares(rel)
	if want := Shares(e.results[0].Share, tpke.NewPointCache(8), rel); !bytes.Equal(got, want) {
		t.Fatal("precomputed shares differ from the shares computed at the commitment")
	}
	if pre, at := testutil.ToFloat64(p.metrics.used.WithLabelValues("precomputed")), testutil.ToFloat64(p.metrics.used.WithLabelValues("at_commitment")); pre != 4 || at != 1 {
		t.Fatalf("release used %v precomputed and %v computed shares, want 4 and 1 (the batch identity)", pre, at)
	}
	if p.shares.Len() != 0 {
		t.Fatalf("%d shares held after the release took them", p.shares.Len())
	}
}

// TestPrecomputedBounds: beyond the cap nothing more is computed, and a
// share unused for staleReleases releases is dropped.
func TestPrecomputedBounds(t *testing.T) {
	e := newEnv(t, 3)
	txs := envelopesOf(e, 3)
	p := newPrecomputed(e.results[0].Share, tpke.NewPointCache(64), e.config(), 2, newPrecomputeMetrics())
	runPrecompute(t, p, rawTxs(t, txs...))
	if full := testutil.ToFloat64(p.metrics.computed.WithLabelValues("full")); full != 1 || p.shares.Len() != 2 {
		t.Fatalf("%d held, %v refused as full; want 2 and 1", p.shares.Len(), full)
	}
	for range staleReleases {
		p.shares.Tick()
	}
	if p.shares.Len() != 2 {
		t.Fatalf("dropped before %d releases: %d held", staleReleases, p.shares.Len())
	}
	p.shares.Tick()
	if p.shares.Len() != 0 {
		t.Fatalf("%d stale shares held", p.shares.Len())
	}
}

func TestDecodePendingMessage(t *testing.T) {
	for name, raw := range map[string][]byte{
		"garbage":  {0x01, 0x02},
		"empty":    mustEncode(t, &PendingMessage{}),
		"too many": mustEncode(t, &PendingMessage{Txs: make([][]byte, MaxPendingTxs+1)}),
		"trailing": append(mustEncode(t, &PendingMessage{Txs: [][]byte{{1}}}), 0),
	} {
		if _, err := DecodePendingMessage(raw); !errors.Is(err, ErrPendingMessage) {
			t.Errorf("%s: %v, want ErrPendingMessage", name, err)
		}
	}
}

// TestKeypersPrecomputeFromAnnouncements runs the committee on libp2p: the
// sequencer announces envelopes, the keypers compute their shares ahead,
// and the release that follows sends those shares (the keys decrypt). An
// announcement signed by anyone else is dropped by the gossip validator.
func TestKeypersPrecomputeFromAnnouncements(t *testing.T) {
	e := newEnv(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w := startNet(t, ctx, e, []int{0, 1, 2, 3, 4})
	pending, err := w.seqHost.Join(TopicPending, SequencerValidator{Sequencer: w.committee.Sequencer, Eon: eon})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for len(pending.ListPeers()) < 5 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	txs := envelopesOf(e, 3)
	forger, _ := crypto.GenerateKey()
	forgerSigner, _ := p2p.NewSigner(forger)
	if err := pending.Publish(ctx, forgerSigner, eon, mustEncode(t, &PendingMessage{Txs: rawTxs(t, txs...)})); err == nil {
		t.Fatal("an announcement from an unknown signer was published")
	}
	if err := pending.Publish(ctx, w.seqSigner, eon, mustEncode(t, &PendingMessage{Txs: rawTxs(t, txs...)})); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		for _, n := range w.nodes {
			if n.pre.shares.Len() != len(txs) {
				return false
			}
		}
		return true
	})
	b := e.batchOf(1, common.Hash{}, txs, nil)
	raw, _ := b.Encode()
	if err := w.commits.Publish(ctx, w.seqSigner, eon, raw); err != nil {
		t.Fatal(err)
	}
	rel, _ := Classify(e.config(), b, memReleased{})
	keys := collect(t, e.collector(t, w.committee), rel, w.sub, 20*time.Second)
	if len(keys.Keys) != len(txs) {
		t.Fatalf("%d keys", len(keys.Keys))
	}
	for i, tx := range txs {
		env, _ := encmempool.ParseEnvelope(tx, e.signer, contracts.EncryptedInboxAddress, encmempool.DefaultLimits)
		if err := tpke.VerifyKey(e.results[0].EonPublicKey, env.Identity.Point(), keys.Keys[i]); err != nil {
			t.Fatalf("key %d: %v", i, err)
		}
	}
	for _, k := range keys.Signers {
		if got := testutil.ToFloat64(w.nodes[k].pre.metrics.used.WithLabelValues("precomputed")); got != float64(len(txs)) {
			t.Errorf("keyper %d released %v precomputed shares, want %d", k, got, len(txs))
		}
	}
}

// envelopesOf is one envelope of eon from each of users 0..n-1.
func envelopesOf(e *env, n int) []*types.Transaction {
	txs := make([]*types.Transaction, n)
	for i := range txs {
		txs[i], _ = e.envelope(i, eon)
	}
	return txs
}
