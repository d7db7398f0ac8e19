package keyper

import (
	"context"
	"crypto/rand"
	"errors"
	"path/filepath"
	"slices"
	"strings"
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
)

// net is a committee of keyper nodes and a sequencer as libp2p hosts.
type net struct {
	nodes     []*Node // nil for keypers not started
	commits   *p2p.Topic
	sub       <-chan p2p.Received
	seqSigner *p2p.Signer
	committee *Committee
	keys      []*Keys
	seqHost   *p2p.Node
	stores    []*Store
	// start starts keyper i (it joins the running network); startWith
	// starts it on the given store, with a fault hook.
	start     func(i int)
	startWith func(i int, storePath string, afterRecord func(uint64) bool)
	// newHost starts a libp2p host dialing peers.
	newHost func(peers []string) *p2p.Node
}

// startNet starts the keypers listed in started (of 5) and the sequencer.
func startNet(t *testing.T, ctx context.Context, e *env, started []int) *net {
	t.Helper()
	committee := &Committee{ChainID: chainID, Eon: eon, Threshold: 3, Sequencer: crypto.PubkeyToAddress(e.seq.PublicKey)}
	keys := make([]*Keys, 5)
	for i := range keys {
		k, err := InitKeys(t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		keys[i] = k
		pub, _ := k.DKGPublic()
		committee.Members = append(committee.Members, Member{Address: k.Address(), DKGPublicKey: pub})
	}
	if err := committee.Check(); err != nil {
		t.Fatal(err)
	}
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
	seqHost := newHost(nil)
	w := &net{nodes: make([]*Node, 5), stores: make([]*Store, 5), committee: committee, keys: keys, seqHost: seqHost, newHost: newHost}
	w.startWith = func(i int, storePath string, afterRecord func(uint64) bool) {
		st, err := OpenStore(storePath)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		w.stores[i] = st
		w.nodes[i], err = StartNode(ctx, NodeConfig{Committee: committee, Index: i, Keys: keys[i], Share: e.results[i].Share,
			Release: e.config(), Store: st, P2P: newHost(seqHost.Addrs()), Now: func() time.Time { return time.Unix(now+1, 0) },
			Confirmed: map[uint64]common.Hash{10: {0x11}}, Registry: prometheus.NewRegistry(), afterRecord: afterRecord})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(w.nodes[i].Stop)
	}
	w.start = func(i int) { w.startWith(i, filepath.Join(t.TempDir(), "keyper.db"), nil) }
	for _, i := range started {
		w.start(i)
	}
	w.seqSigner, _ = p2p.NewSigner(e.seq)
	var err error
	if w.commits, err = seqHost.Join(TopicCommitments, SequencerValidator{Sequencer: committee.Sequencer, Eon: eon}); err != nil {
		t.Fatal(err)
	}
	sharesTopic, err := seqHost.Join(TopicShares, MembersValidator{Committee: committee, Eon: eon})
	if err != nil {
		t.Fatal(err)
	}
	sub, stop, err := sharesTopic.Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	w.sub = sub
	deadline := time.Now().Add(15 * time.Second)
	for len(w.commits.ListPeers()) < len(started) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	return w
}

// TestKeypersReleaseOverLibp2p runs 5 keyper nodes and a sequencer as real
// libp2p hosts on 127.0.0.1: the sequencer publishes a signed batch, the
// keypers release, and at least 3 share messages aggregate into keys that
// decrypt the envelopes. A batch signed by someone else never gets a share.
func TestKeypersReleaseOverLibp2p(t *testing.T) {
	e := newEnv(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w := startNet(t, ctx, e, []int{0, 1, 2, 3, 4})
	commits, seqSigner, nodes := w.commits, w.seqSigner, w.nodes

	var txs []*types.Transaction
	var inners []*types.Transaction
	for i := 0; i < 3; i++ {
		tx, inner := e.envelope(i, eon)
		txs, inners = append(txs, tx), append(inners, inner)
	}
	b := e.batchOf(1, common.Hash{}, txs, nil)
	raw, _ := b.Encode()
	// A forged batch: the p2p validator drops it before any keyper sees it.
	forger, _ := crypto.GenerateKey()
	forgerSigner, _ := p2p.NewSigner(forger)
	if err := commits.Publish(ctx, forgerSigner, eon, raw); err == nil {
		t.Fatal("a batch from an unknown signer was published")
	}
	if err := commits.Publish(ctx, seqSigner, eon, raw); err != nil {
		t.Fatal(err)
	}

	col := e.collector(t, w.committee)
	rel, _ := Classify(e.config(), b, memReleased{})
	keys := collect(t, col, rel, w.sub, 20*time.Second)
	if len(keys.Keys) != len(txs) || len(keys.Signers) != 3 {
		t.Fatalf("%d keys from signers %v", len(keys.Keys), keys.Signers)
	}
	for i, tx := range txs {
		env, _ := encmempool.ParseEnvelope(tx, e.signer, contracts.EncryptedInboxAddress, encmempool.DefaultLimits)
		pt, err := tpke.Decrypt(keys.Keys[i], env.Identity, env.Ciphertext, env.AssociatedData())
		want, _ := inners[i].MarshalBinary()
		if err != nil || string(pt) != string(want) {
			t.Fatalf("envelope %d: %v", i, err)
		}
	}
	if err := tpke.VerifyBatchSignature(e.results[0].EonPublicKey, chainID, eon, 1, rel.Hash, keys.Attestation); err != nil {
		t.Fatalf("batch attestation: %v", err)
	}
	// A second, different batch for the released number is refused and
	// counted on every keyper that released the first.
	tx4, _ := e.envelope(2, eon)
	b2 := e.batchOf(1, common.Hash{}, []*types.Transaction{tx4}, nil)
	raw2, _ := b2.Encode()
	if err := commits.Publish(ctx, seqSigner, eon, raw2); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		refused := 0
		for i := range nodes {
			refused += int(testutil.ToFloat64(nodesRefused(nodes[i], "equivocation")))
		}
		if refused >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("equivocation refused by %d keypers", refused)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for i, n := range nodes {
		if err := n.Err(); err != nil {
			t.Fatalf("keyper %d stopped: %v", i, err)
		}
	}
}

func nodesRefused(n *Node, reason string) prometheus.Collector {
	return n.metrics.refused.WithLabelValues(reason)
}

// TestTwoOfFiveDownStillReleases: with keypers 1 and 3 down, the other
// three reach the threshold.
func TestTwoOfFiveDownStillReleases(t *testing.T) {
	e := newEnv(t, 1)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w := startNet(t, ctx, e, []int{0, 2, 4})
	tx, _ := e.envelope(0, eon)
	b := e.batchOf(1, common.Hash{}, []*types.Transaction{tx}, nil)
	raw, _ := b.Encode()
	if err := w.commits.Publish(ctx, w.seqSigner, eon, raw); err != nil {
		t.Fatal(err)
	}
	from := map[uint32]bool{}
	timeout := time.After(20 * time.Second)
	for len(from) < 3 {
		select {
		case r := <-w.sub:
			m, err := DecodeShareMessage(r.Message.Payload)
			if err != nil {
				t.Fatal(err)
			}
			from[m.Keyper] = true
		case <-timeout:
			t.Fatalf("shares from %v only", from)
		}
	}
	for _, k := range []uint32{1, 3} {
		if from[k] {
			t.Fatalf("a stopped keyper %d sent shares", k)
		}
	}
}

// TestThreeDownThenReturn: with three of five keypers down no key can be
// formed; when one returns and the sequencer sends the pending batch again,
// it gets its keys (the two that released answer with identical shares).
func TestThreeDownThenReturn(t *testing.T) {
	e := newEnv(t, 1)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w := startNet(t, ctx, e, []int{0, 4})
	tx, _ := e.envelope(0, eon)
	b := e.batchOf(1, common.Hash{}, []*types.Transaction{tx}, nil)
	raw, _ := b.Encode()
	if err := w.commits.Publish(ctx, w.seqSigner, eon, raw); err != nil {
		t.Fatal(err)
	}
	first := map[uint32][]byte{}
	for len(first) < 2 {
		select {
		case r := <-w.sub:
			m, _ := DecodeShareMessage(r.Message.Payload)
			first[m.Keyper] = m.Shares
		case <-time.After(20 * time.Second):
			t.Fatalf("shares from %d keypers", len(first))
		}
	}
	// Two keypers' shares cannot make a key (threshold 3).
	w.start(2)
	deadline := time.Now().Add(15 * time.Second)
	for len(w.commits.ListPeers()) < 3 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	// The sequencer re-sends a pending batch until it has its keys.
	again := map[uint32][]byte{}
	resend := time.NewTicker(500 * time.Millisecond)
	defer resend.Stop()
	giveUp := time.After(20 * time.Second)
	for len(again) < 3 {
		select {
		case <-resend.C:
			if err := w.commits.Publish(ctx, w.seqSigner, eon, raw); err != nil {
				t.Fatal(err)
			}
		case r := <-w.sub:
			m, _ := DecodeShareMessage(r.Message.Payload)
			again[m.Keyper] = m.Shares
		case <-giveUp:
			t.Fatalf("after the return, shares from keypers %v only", keysOf(again))
		}
	}
	for k, s := range first {
		if string(again[k]) != string(s) {
			t.Fatalf("keyper %d sent different shares for the same batch", k)
		}
	}
	if again[2] == nil {
		t.Fatal("the returning keyper did not release")
	}
}

func keysOf(m map[uint32][]byte) []uint32 {
	var out []uint32
	for k := range m {
		out = append(out, k)
	}
	return out
}

// collector returns a share collector for the env's committee.
func (e *env) collector(t *testing.T, c *Committee) *Collector {
	t.Helper()
	var members []common.Address
	for _, m := range c.Members {
		members = append(members, m.Address)
	}
	col, err := NewCollector(CollectorConfig{ChainID: chainID, Eon: eon, Threshold: c.Threshold, Members: members,
		EonKey: e.results[0].EonPublicKey, PublicShares: e.results[0].PublicShares, Registry: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	return col
}

// collect feeds share messages from sub to the collector until the
// release's keys are in.
func collect(t *testing.T, col *Collector, rel *Release, sub <-chan p2p.Received, wait time.Duration) *BatchKeys {
	t.Helper()
	keys, err := col.Expect(rel)
	if err != nil {
		t.Fatal(err)
	}
	timeout := time.After(wait)
	for keys == nil {
		select {
		case r := <-sub:
			m, err := DecodeShareMessage(r.Message.Payload)
			if err != nil {
				t.Fatal(err)
			}
			if keys, err = col.Add(m); err != nil {
				t.Fatalf("share message of keyper %d: %v", m.Keyper, err)
			}
		case <-timeout:
			t.Fatalf("no keys for batch %d in %v", rel.Number, wait)
		}
	}
	return keys
}

// TestByzantineKeyperIsReported: a committee member signs shares that are
// random points. The collector names it, and the three honest keypers'
// shares still make keys that decrypt.
func TestByzantineKeyperIsReported(t *testing.T) {
	e := newEnv(t, 2)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w := startNet(t, ctx, e, []int{0, 1, 2})
	byzHost := w.newHost(w.seqHost.Addrs())
	byzTopic, err := byzHost.Join(TopicShares, MembersValidator{Committee: w.committee, Eon: eon})
	if err != nil {
		t.Fatal(err)
	}
	byzSigner, _ := p2p.NewSigner(w.keys[4].Signing)
	tx0, inner0 := e.envelope(0, eon)
	tx1, _ := e.envelope(1, eon)
	b := e.batchOf(1, common.Hash{}, []*types.Transaction{tx0, tx1}, nil)
	raw, _ := b.Encode()
	col := e.collector(t, w.committee)
	rel, _ := Classify(e.config(), b, memReleased{})
	if keys, err := col.Expect(rel); keys != nil || err != nil {
		t.Fatalf("keys %v before any share: %v", keys, err)
	}
	// Three valid G1 points that are no shares of these identities (two
	// envelopes and the batch identity): keyper 4's shares of random ones.
	var junk []byte
	cache := tpke.NewPointCache(4)
	for range 3 {
		var id tpke.Identity
		rand.Read(id[:])
		junk = append(junk, e.results[4].Share.KeyShare(cache.Point(id)).Bytes()...)
	}
	bad := &ShareMessage{ChainID: chainID, Eon: eon, Number: 1, Hash: rel.Hash, Keyper: 4, Shares: junk}
	if err := bad.Sign(w.keys[4].Signing); err != nil {
		t.Fatal(err)
	}
	badRaw, _ := bad.Encode()
	reported := false
	resend := time.NewTicker(200 * time.Millisecond)
	defer resend.Stop()
	timeout := time.After(20 * time.Second)
	for !reported {
		select {
		case <-resend.C:
			byzTopic.Publish(ctx, byzSigner, eon, badRaw)
		case r := <-w.sub:
			m, _ := DecodeShareMessage(r.Message.Payload)
			if _, err := col.Add(m); errors.Is(err, ErrBadShares) && strings.Contains(err.Error(), "keyper 4") {
				reported = true
			} else if err != nil {
				t.Fatal(err)
			}
		case <-timeout:
			t.Fatal("the byzantine keyper's shares never arrived")
		}
	}
	if got := testutil.ToFloat64(col.metrics.bad.WithLabelValues("4")); got != 1 {
		t.Fatalf("bad shares of keyper 4 counted %v times", got)
	}
	if err := w.commits.Publish(ctx, w.seqSigner, eon, raw); err != nil {
		t.Fatal(err)
	}
	keys := collect(t, col, rel, w.sub, 20*time.Second)
	if slices.Contains(keys.Signers, 4) {
		t.Fatalf("keys aggregated with the byzantine keyper: %v", keys.Signers)
	}
	env0, _ := encmempool.ParseEnvelope(tx0, e.signer, contracts.EncryptedInboxAddress, encmempool.DefaultLimits)
	pt, err := tpke.Decrypt(keys.Keys[0], env0.Identity, env0.Ciphertext, env0.AssociatedData())
	want, _ := inner0.MarshalBinary()
	if err != nil || string(pt) != string(want) {
		t.Fatalf("decrypting with the honest keypers' keys: %v", err)
	}
}
