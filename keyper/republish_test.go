package keyper

import (
	"context"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/internal/p2p"
	"github.com/veil-l2/veil/ordering/batch"
)

// testKeys aggregates keys for a classified batch from the first three
// keypers' shares, as a sequencer would.
func testKeys(t *testing.T, e *env, c *Committee, ks []*Keys, rel *Release) *BatchKeys {
	t.Helper()
	col := e.collector(t, c)
	keys, err := col.Expect(rel)
	cache := tpke.NewPointCache(64)
	for i := 0; keys == nil && err == nil; i++ {
		m := &ShareMessage{ChainID: chainID, Eon: eon, Number: rel.Number, Hash: rel.Hash, Keyper: uint32(i), Shares: Shares(e.results[i].Share, cache, rel)}
		if err := m.Sign(ks[i].Signing); err != nil {
			t.Fatal(err)
		}
		keys, err = col.Add(m)
	}
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// testCommittee makes a committee of five keypers with new keys.
func testCommittee(t *testing.T, e *env) (*Committee, []*Keys) {
	t.Helper()
	c := &Committee{ChainID: chainID, Eon: eon, Threshold: 3, Sequencer: crypto.PubkeyToAddress(e.seq.PublicKey)}
	var ks []*Keys
	for range 5 {
		k, err := InitKeys(t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		pub, _ := k.DKGPublic()
		ks = append(ks, k)
		c.Members = append(c.Members, Member{Address: k.Address(), DKGPublicKey: pub})
	}
	return c, ks
}

// republished builds a republish message for b with the given keys.
func republished(t *testing.T, rel *Release, b *batch.Batch, km *batch.KeysMessage) []byte {
	t.Helper()
	m := RepublishMessage{}
	var err error
	if m.Batch, err = b.Encode(); err != nil {
		t.Fatal(err)
	}
	if m.Keys, err = km.Encode(); err != nil {
		t.Fatal(err)
	}
	for _, k := range rel.Keyed {
		m.Keyed = append(m.Keyed, uint32(k.Index))
	}
	raw, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestRepublishValidator: a republished batch is admitted only when it
// decodes, its parts agree, the sequencer signed it and the attestation
// verifies under the eon key; each refusal is named and counted.
func TestRepublishValidator(t *testing.T) {
	e := newEnv(t, 2)
	c, ks := testCommittee(t, e)
	tx0, _ := e.envelope(0, eon)
	tx1, _ := e.envelope(1, eon)
	b := e.batchOf(1, common.Hash{}, []*types.Transaction{tx0, tx1}, nil)
	rel, _ := Classify(e.config(), b, memReleased{})
	keys := testKeys(t, e, c, ks, rel)
	km := keys.KeysMessage(chainID)
	good := republished(t, rel, b, km)

	forger, _ := crypto.GenerateKey()
	forged := e.batchOf(1, common.Hash{}, []*types.Transaction{tx0, tx1}, nil)
	fs, _ := batch.Sign(forged.Commitment, forger)
	forged.Signature = fs.Signature
	b2 := e.batchOf(2, b.Commitment.Hash(), []*types.Transaction{tx0}, nil)
	rel2, _ := Classify(e.config(), b2, memReleased{})
	km2 := *km
	km2.Number, km2.Hash = 2, b2.Commitment.Hash()
	km2.Keys = km.Keys[:tpke.G1Size] // one key, and batch 1's attestation
	badKeyed := RepublishMessage{Batch: mustEncode(t, b), Keys: mustEncode(t, km), Keyed: []uint32{1, 0}}

	invalid, err := NewRepublishInvalid(nil)
	if err != nil {
		t.Fatal(err)
	}
	pk := e.results[0].EonPublicKey
	v := RepublishValidator{ChainID: chainID, Sequencer: c.Sequencer, Eons: NewEons(c), Limits: batch.DefaultLimits, Invalid: invalid,
		EonKey: func(n uint64) (*tpke.EonPublicKey, bool) { return pk, n == eon }}
	for _, tc := range []struct {
		name    string
		payload []byte
		eon     uint64
		want    error
		reason  string
	}{
		{"valid", good, eon, nil, ""},
		{"garbage", []byte{0xc1, 0x80}, eon, ErrRepublishMalformed, "malformed"},
		{"keyed out of order", mustEncode(t, &badKeyed), eon, ErrRepublishMalformed, "malformed"},
		{"message of another eon", good, eon + 1, ErrRepublishMismatch, "mismatch"},
		{"keys of another batch", republished(t, rel2, b2, km), eon, ErrRepublishMismatch, "mismatch"},
		{"not the sequencer's", republished(t, rel, forged, km), eon, ErrRepublishSignature, "sequencer_signature"},
		{"attestation of another batch", republished(t, rel2, b2, &km2), eon, ErrRepublishAttestation, "attestation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := testutil.ToFloat64(invalid.WithLabelValues(tc.reason))
			r, err := v.Check(tc.payload, tc.eon)
			if !errors.Is(err, tc.want) || (err == nil) != (r != nil) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if tc.want != nil && testutil.ToFloat64(invalid.WithLabelValues(tc.reason)) != before+1 {
				t.Fatalf("reason %q not counted", tc.reason)
			}
		})
	}
	vUnknown := v
	vUnknown.EonKey = func(uint64) (*tpke.EonPublicKey, bool) { return nil, false }
	if _, err := vUnknown.Check(good, eon); !errors.Is(err, ErrRepublishUnknownEon) {
		t.Fatalf("unknown eon key: %v", err)
	}
	if err := v.KnownSigner(crypto.PubkeyToAddress(forger.PublicKey), TopicRepublish, eon); !errors.Is(err, p2p.ErrUnknownSigner) {
		t.Fatalf("a non-member's republication: %v", err)
	}
}

// mustEncode returns a message's wire form.
func mustEncode(t *testing.T, m interface{ Encode() ([]byte, error) }) []byte {
	t.Helper()
	raw, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestKeypersRepublishBatchNotOnL1 runs five keyper nodes over libp2p with
// re-publication on. The sequencer publishes batch 1 and disappears: the
// keypers collect each other's shares and, as L1 says batch 1 is not
// posted, one re-publishes it, with keys that open its envelopes and an
// attestation under the eon key; an observer that is no keyper receives
// it through the validator. Once L1 says batch 1 is posted, the keypers
// drop it.
func TestKeypersRepublishBatchNotOnL1(t *testing.T) {
	e := newEnv(t, 2)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, ks := testCommittee(t, e)
	var onL1 atomic.Uint64
	onL1.Store(1) // BatchInbox's nextNumber: nothing posted
	newHost := func(peers []string) *p2p.Node {
		hk, err := p2p.LoadOrCreateHostKey(filepath.Join(t.TempDir(), "p2p.key"))
		if err != nil {
			t.Fatal(err)
		}
		n, err := p2p.New(ctx, p2p.Config{ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}, HostKey: hk, Peers: peers, ChainID: chainID})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { n.Close() })
		return n
	}
	hub := newHost(nil)
	regs := make([]*prometheus.Registry, 5)
	for i := range 5 {
		st, err := OpenStore(filepath.Join(t.TempDir(), "keyper.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		regs[i] = prometheus.NewRegistry()
		node, err := StartNode(ctx, NodeConfig{Committee: c, Index: i, Keys: ks[i], Share: e.results[i].Share,
			Release: e.config(), Store: st, P2P: newHost(hub.Addrs()), Now: func() time.Time { return time.Unix(now+1, 0) },
			Confirmed: map[uint64]common.Hash{10: {0x11}}, Registry: regs[i],
			Republish: &RepublishConfig{Posted: func(context.Context) (uint64, error) { return onL1.Load(), nil },
				After: 300 * time.Millisecond, Poll: 50 * time.Millisecond, EonKey: e.results[0].EonPublicKey,
				PublicShares: e.results[0].PublicShares}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(node.Stop)
	}
	seqSigner, _ := p2p.NewSigner(e.seq)
	commits, err := hub.Join(TopicCommitments, SequencerValidator{Sequencer: c.Sequencer, Eon: eon})
	if err != nil {
		t.Fatal(err)
	}
	// The hub relays the keypers' shares to each other.
	shares, err := hub.Join(TopicShares, MembersValidator{Committee: c, Eon: eon})
	if err != nil {
		t.Fatal(err)
	}
	sharesSub, stopShares, err := shares.Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	defer stopShares()
	go func() {
		for range sharesSub {
		}
	}()
	pk := e.results[0].EonPublicKey
	v := RepublishValidator{ChainID: chainID, Sequencer: c.Sequencer, Eons: NewEons(c), Limits: batch.DefaultLimits,
		EonKey: func(n uint64) (*tpke.EonPublicKey, bool) { return pk, n == eon }}
	rep, err := hub.Join(TopicRepublish, v)
	if err != nil {
		t.Fatal(err)
	}
	sub, stop, err := rep.Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	for len(commits.ListPeers()) < 5 && ctx.Err() == nil {
		time.Sleep(50 * time.Millisecond)
	}

	tx0, inner0 := e.envelope(0, eon)
	tx1, inner1 := e.envelope(1, eon)
	b := e.batchOf(1, common.Hash{}, []*types.Transaction{tx0, tx1}, nil)
	raw, _ := b.Encode()
	if err := commits.Publish(ctx, seqSigner, eon, raw); err != nil {
		t.Fatal(err)
	}
	var got *Republished
	for got == nil {
		select {
		case r := <-sub:
			if got, err = v.Check(r.Message.Payload, r.Message.Eon); err != nil {
				t.Fatal(err)
			}
		case <-ctx.Done():
			t.Fatal("batch 1 was not republished")
		}
	}
	if got.Batch.Commitment.Hash() != b.Commitment.Hash() || len(got.Keyed) != 2 {
		t.Fatalf("republished batch %d with %d keyed envelopes", got.Batch.Commitment.Number, len(got.Keyed))
	}
	keys, err := got.Keys.ParsedKeys()
	if err != nil {
		t.Fatal(err)
	}
	for i, inner := range []*types.Transaction{inner0, inner1} {
		env, _ := encmempool.ParseEnvelope(got.Batch.Txs[got.Keyed[i]], e.signer, contracts.EncryptedInboxAddress, encmempool.DefaultLimits)
		pt, err := tpke.Decrypt(keys[i], env.Identity, env.Ciphertext, env.AssociatedData())
		want, _ := inner.MarshalBinary()
		if err != nil || string(pt) != string(want) {
			t.Fatalf("envelope %d does not open with the republished key: %v", i, err)
		}
	}
	// Posted on L1: every keyper drops it.
	onL1.Store(2)
	for ctx.Err() == nil {
		dropped := 0
		for _, reg := range regs {
			dropped += int(counterValue(t, reg, "veil_keyper_republish_total", "posted"))
		}
		if dropped == 5 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if ctx.Err() != nil {
		t.Fatal("the keypers did not drop the posted batch")
	}
}

// counterValue reads a counter with one label value from a registry.
func counterValue(t *testing.T, reg *prometheus.Registry, name, label string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetValue() == label {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}
