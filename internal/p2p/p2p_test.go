package p2p

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	libp2pcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/security/noise"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

const (
	testChainID = 4242
	testKind    = "dkg"
	testEon     = 7
	waitLimit   = 10 * time.Second
)

// testValidator knows a fixed set of signers for one eon and rejects payloads starting
// with rejectPrefix, when set.
type testValidator struct {
	signers      map[common.Address]bool
	eon          uint64
	rejectPrefix string
}

var errPoisoned = errors.New("payload is poisoned")

func (v *testValidator) KnownSigner(sender common.Address, kind string, eon uint64) error {
	if !v.signers[sender] {
		return fmt.Errorf("%w: %s", ErrUnknownSigner, sender)
	}
	if eon != v.eon {
		return fmt.Errorf("%w: eon %d, want %d", ErrUnknownSigner, eon, v.eon)
	}
	return nil
}

func (v *testValidator) Validate(m *Message) error {
	if v.rejectPrefix != "" && bytes.HasPrefix(m.Payload, []byte(v.rejectPrefix)) {
		return errPoisoned
	}
	return nil
}

func newSigner(t testing.TB) *Signer {
	t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSigner(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newHostKey(t testing.TB) libp2pcrypto.PrivKey {
	t.Helper()
	k, _, err := libp2pcrypto.GenerateEd25519Key(nil)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// peerSpec is a node's identity and address, known before it starts so that peers can be
// configured symmetrically.
type peerSpec struct {
	key  libp2pcrypto.PrivKey
	port int
}

func newPeerSpec(t testing.TB) peerSpec { return peerSpec{key: newHostKey(t), port: freePort(t)} }

func (p peerSpec) id(t testing.TB) peer.ID {
	id, err := peer.IDFromPrivateKey(p.key)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (p peerSpec) addr(t testing.TB) string {
	return fmt.Sprintf("/ip4/127.0.0.1/tcp/%d/p2p/%s", p.port, p.id(t))
}

// testLogger logs at debug level to stderr when P2P_DEBUG is set, and discards otherwise.
func testLogger(spec peerSpec) *slog.Logger {
	if os.Getenv("P2P_DEBUG") == "" {
		return nil
	}
	id, _ := peer.IDFromPrivateKey(spec.key)
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("node", id.ShortString())
}

type testNode struct {
	*Node
	topic *Topic
	recv  <-chan Received
}

// startNode starts a node listening on spec's port, peered with peers, joined to the test
// topic with v and subscribed to it.
func startNode(t testing.TB, spec peerSpec, peers []peerSpec, v Validator, maxSize int) *testNode {
	t.Helper()
	var addrs []string
	for _, p := range peers {
		addrs = append(addrs, p.addr(t))
	}
	n, err := New(context.Background(), Config{
		ListenAddrs:      []string{fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", spec.port)},
		HostKey:          spec.key,
		Peers:            addrs,
		ChainID:          testChainID,
		MaxMessageSize:   maxSize,
		MaxRedialBackoff: time.Second,
		Registry:         prometheus.NewRegistry(),
		Logger:           testLogger(spec),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	topic, err := n.Join(testKind, v)
	if err != nil {
		t.Fatal(err)
	}
	recv, cancel, err := topic.Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cancel)
	return &testNode{Node: n, topic: topic, recv: recv}
}

// line starts nodes peered in a line, each with its neighbours.
func line(t testing.TB, specs []peerSpec, validators []Validator, maxSize int) []*testNode {
	t.Helper()
	nodes := make([]*testNode, len(specs))
	for i := range specs {
		var peers []peerSpec
		if i > 0 {
			peers = append(peers, specs[i-1])
		}
		if i+1 < len(specs) {
			peers = append(peers, specs[i+1])
		}
		nodes[i] = startNode(t, specs[i], peers, validators[i], maxSize)
	}
	return nodes
}

func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", waitLimit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitTopicPeers waits until topic lists all of want as subscribed peers.
func waitTopicPeers(t testing.TB, topic *Topic, want ...peer.ID) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		have := topic.ListPeers()
		missing := slices.DeleteFunc(slices.Clone(want), func(w peer.ID) bool { return slices.Contains(have, w) })
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			conns := make(map[peer.ID]int)
			for _, c := range topic.node.host.Network().Conns() {
				conns[c.RemotePeer()]++
			}
			t.Fatalf("timed out after %v waiting for topic peers %v (connections: %v)", waitLimit, missing, conns)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// next returns the next remote message n receives, skipping its own.
func next(t testing.TB, n *testNode, timeout time.Duration) Received {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case r, ok := <-n.recv:
			if !ok {
				t.Fatal("subscription closed")
			}
			if r.Local {
				continue
			}
			return r
		case <-deadline:
			t.Fatalf("node %s received nothing within %v", n.ID(), timeout)
		}
	}
}

func rejected(n *testNode, reason string) float64 {
	return testutil.ToFloat64(n.metrics.rejected.WithLabelValues(n.topic.Name(), reason))
}

func validatorFor(signers ...*Signer) *testValidator {
	v := &testValidator{signers: map[common.Address]bool{}, eon: testEon}
	for _, s := range signers {
		v.signers[s.Address()] = true
	}
	return v
}

func TestGossipReachesAllPeers(t *testing.T) {
	specs := []peerSpec{newPeerSpec(t), newPeerSpec(t), newPeerSpec(t), newPeerSpec(t)}
	signers := []*Signer{newSigner(t), newSigner(t), newSigner(t), newSigner(t)}
	// Star: node 0 in the centre, peered with each leaf; leaves only with the centre.
	nodes := []*testNode{startNode(t, specs[0], specs[1:], validatorFor(signers...), 0)}
	for i := 1; i < 4; i++ {
		nodes = append(nodes, startNode(t, specs[i], specs[:1], validatorFor(signers...), 0))
	}
	waitTopicPeers(t, nodes[0].topic, nodes[1].ID(), nodes[2].ID(), nodes[3].ID())
	for _, leaf := range nodes[1:] {
		waitTopicPeers(t, leaf.topic, nodes[0].ID())
	}

	for _, from := range []int{1, 0} {
		payload := []byte(fmt.Sprintf("hello from %d", from))
		if err := nodes[from].topic.Publish(context.Background(), signers[from], testEon, payload); err != nil {
			t.Fatal(err)
		}
		for i, n := range nodes {
			if i == from {
				continue
			}
			r := next(t, n, 5*time.Second)
			if r.Message.Sender != signers[from].Address() {
				t.Errorf("node %d: sender %s, want %s", i, r.Message.Sender, signers[from].Address())
			}
			if !bytes.Equal(r.Message.Payload, payload) || r.Message.Eon != testEon || r.Message.Kind != testKind {
				t.Errorf("node %d: got %+v", i, r.Message)
			}
		}
	}
	if got := testutil.ToFloat64(nodes[2].metrics.accepted.WithLabelValues(nodes[2].topic.Name())); got != 2 {
		t.Errorf("accepted on a leaf = %v, want 2", got)
	}
}

// rawPublisher is a bare gossipsub host without Veil's validation, standing in for a
// faulty or malicious peer.
type rawPublisher struct {
	topic *pubsub.Topic
}

func newRawPublisher(t testing.TB, target *testNode) *rawPublisher {
	t.Helper()
	h, err := libp2p.New(
		libp2p.Transport(tcp.NewTCPTransport),
		libp2p.Security(noise.ID, noise.New),
		libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"),
		libp2p.DisableRelay(),
		libp2p.DisableMetrics(),
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ps, err := pubsub.NewGossipSub(ctx, h,
		pubsub.WithNoAuthor(),
		pubsub.WithMessageIdFn(pubsubMessageID),
		pubsub.WithMaxMessageSize(1<<20),
	)
	if err != nil {
		t.Fatal(err)
	}
	topic, err := ps.Join(target.topic.Name())
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Connect(ctx, peer.AddrInfo{ID: target.ID(), Addrs: target.host.Addrs()}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "raw publisher to see the target's subscription", func() bool {
		return slices.Contains(topic.ListPeers(), target.ID())
	})
	return &rawPublisher{topic: topic}
}

func signed(t testing.TB, s *Signer, m Message) []byte {
	t.Helper()
	if err := s.Sign(&m); err != nil {
		t.Fatal(err)
	}
	b, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestInvalidMessagesAreRejectedAndCounted(t *testing.T) {
	const maxSize = 1024
	known, stranger := newSigner(t), newSigner(t)
	specs := []peerSpec{newPeerSpec(t), newPeerSpec(t)}
	nodes := line(t, specs, []Validator{validatorFor(known), validatorFor(known)}, maxSize)
	b, c := nodes[0], nodes[1]
	waitTopicPeers(t, b.topic, c.ID())
	waitTopicPeers(t, c.topic, b.ID())
	raw := newRawPublisher(t, b)

	base := Message{Version: Version, Kind: testKind, ChainID: testChainID, Eon: testEon}
	with := func(f func(m *Message)) Message { m := base; f(&m); return m }
	badSig := with(func(m *Message) { m.Payload = []byte("forged") })
	if err := stranger.Sign(&badSig); err != nil {
		t.Fatal(err)
	}
	badSig.Sender = known.Address()
	badSigBytes, err := badSig.Encode()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		data   []byte
		reason string
	}{
		{"unknown signer", signed(t, stranger, with(func(m *Message) { m.Payload = []byte("a") })), reasonUnknownSigner},
		{"wrong eon", signed(t, known, with(func(m *Message) { m.Eon = testEon + 1 })), reasonUnknownSigner},
		{"wrong chain", signed(t, known, with(func(m *Message) { m.ChainID = testChainID + 1 })), reasonWrongChain},
		{"wrong kind", signed(t, known, with(func(m *Message) { m.Kind = "shares" })), reasonWrongKind},
		{"oversize", signed(t, known, with(func(m *Message) { m.Payload = make([]byte, maxSize) })), reasonOversize},
		{"malformed", []byte("definitely not rlp"), reasonMalformed},
		{"signature by another key", badSigBytes, reasonBadSignature},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := rejected(b, tc.reason)
			if err := raw.topic.Publish(context.Background(), tc.data); err != nil {
				t.Fatal(err)
			}
			eventually(t, "rejection counter "+tc.reason, func() bool { return rejected(b, tc.reason) == before+1 })
		})
	}

	// A valid message through the same path arrives, and is the first thing either node
	// delivers: none of the rejected ones got through.
	good := signed(t, known, with(func(m *Message) { m.Payload = []byte("good") }))
	if err := raw.topic.Publish(context.Background(), good); err != nil {
		t.Fatal(err)
	}
	for _, n := range []*testNode{b, c} {
		r := next(t, n, 5*time.Second)
		if string(r.Message.Payload) != "good" {
			t.Errorf("node %s delivered %q first, want the valid message", n.ID(), r.Message.Payload)
		}
	}
	for _, tc := range cases {
		if got := rejected(c, tc.reason); got != 0 {
			t.Errorf("node behind the rejecting one counted %v %s rejections, want 0", got, tc.reason)
		}
	}
}

func TestPublishValidatesOwnMessages(t *testing.T) {
	known, stranger := newSigner(t), newSigner(t)
	v := validatorFor(known)
	v.rejectPrefix = "poison"
	n := startNode(t, newPeerSpec(t), nil, v, 256)
	cases := []struct {
		name    string
		signer  *Signer
		eon     uint64
		payload []byte
		want    error
		reason  string
	}{
		{"unknown signer", stranger, testEon, []byte("x"), ErrUnknownSigner, reasonUnknownSigner},
		{"wrong eon", known, testEon + 1, []byte("x"), ErrUnknownSigner, reasonUnknownSigner},
		{"oversize", known, testEon, make([]byte, 300), ErrOversize, reasonOversize},
		{"user validator", known, testEon, []byte("poison!"), errPoisoned, reasonInvalid},
		{"valid", known, testEon, []byte("fine"), nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var before float64
			if tc.reason != "" {
				before = rejected(n, tc.reason)
			}
			err := n.topic.Publish(context.Background(), tc.signer, tc.eon, tc.payload)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("Publish: %v, want %v", err, tc.want)
			}
			if tc.reason != "" {
				if got := rejected(n, tc.reason); got != before+1 {
					t.Errorf("%s rejections = %v, want %v", tc.reason, got, before+1)
				}
			}
		})
	}
}

func TestValidatorRejectionStopsAtRejectingNode(t *testing.T) {
	signer := newSigner(t)
	rejecting := validatorFor(signer)
	rejecting.rejectPrefix = "poison"
	specs := []peerSpec{newPeerSpec(t), newPeerSpec(t), newPeerSpec(t)}
	nodes := line(t, specs, []Validator{validatorFor(signer), rejecting, validatorFor(signer)}, 0)
	a, b, c := nodes[0], nodes[1], nodes[2]
	waitTopicPeers(t, a.topic, b.ID())
	waitTopicPeers(t, b.topic, a.ID(), c.ID())
	waitTopicPeers(t, c.topic, b.ID())

	if err := a.topic.Publish(context.Background(), signer, testEon, []byte("poison-1")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "B to reject", func() bool { return rejected(b, reasonInvalid) == 1 })
	if err := a.topic.Publish(context.Background(), signer, testEon, []byte("ok")); err != nil {
		t.Fatal(err)
	}
	for _, n := range []*testNode{b, c} {
		if r := next(t, n, 5*time.Second); string(r.Message.Payload) != "ok" {
			t.Errorf("node %s delivered %q first, want \"ok\"", n.ID(), r.Message.Payload)
		}
	}
	if got := rejected(c, reasonInvalid); got != 0 {
		t.Errorf("C validated the poisoned message (%v rejections); B forwarded it", got)
	}
}

// publishUntilReceived publishes fresh messages from one node until to receives one.
func publishUntilReceived(t testing.TB, from, to *testNode, signer *Signer, label string) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for i := 0; ; i++ {
		payload := []byte(fmt.Sprintf("%s-%d", label, i))
		_ = from.topic.Publish(context.Background(), signer, testEon, payload)
		select {
		case r, ok := <-to.recv:
			if !ok {
				t.Fatalf("subscription of %s closed", to.ID())
			}
			if !r.Local && bytes.HasPrefix(r.Message.Payload, []byte(label)) {
				return
			}
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q message reached %s within %v (connectedness %v, topic peers of sender %v)",
				label, to.ID(), waitLimit, from.host.Network().Connectedness(to.ID()), from.topic.ListPeers())
		}
	}
}

func TestReconnect(t *testing.T) {
	signer := newSigner(t)
	specs := []peerSpec{newPeerSpec(t), newPeerSpec(t)}
	nodes := line(t, specs, []Validator{validatorFor(signer), validatorFor(signer)}, 0)
	a, b := nodes[0], nodes[1]
	waitTopicPeers(t, a.topic, b.ID())
	publishUntilReceived(t, a, b, signer, "first")

	// A dropped connection is re-dialed.
	if err := a.host.Network().ClosePeer(b.ID()); err != nil {
		t.Fatal(err)
	}
	eventually(t, "reconnection", func() bool { return a.host.Network().Connectedness(b.ID()) == network.Connected })
	publishUntilReceived(t, a, b, signer, "after-drop")

	// A restarted peer (same key, same port) is re-dialed and rejoins the topic.
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	b2 := startNode(t, specs[1], specs[:1], validatorFor(signer), 0)
	waitTopicPeers(t, a.topic, b2.ID())
	publishUntilReceived(t, a, b2, signer, "after-restart")
}

func TestHostKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hostkey")
	k1, err := LoadOrCreateHostKey(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("new key file mode %04o, want 0600", perm)
	}
	k2, err := LoadOrCreateHostKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if !k1.Equals(k2) {
		t.Error("reloaded key differs from the created one")
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = LoadOrCreateHostKey(path)
	if !errors.Is(err, ErrKeyFileMode) {
		t.Fatalf("loading a 0644 key file: %v, want ErrKeyFileMode", err)
	}
	if !strings.Contains(err.Error(), "0644") || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("error %q does not say what is wrong and how to fix it", err)
	}
}

func TestConfigCheck(t *testing.T) {
	key := newHostKey(t)
	cases := []struct {
		name string
		cfg  Config
	}{
		{"no host key", Config{ChainID: 1}},
		{"no chain id", Config{HostKey: key}},
		{"peer without id", Config{HostKey: key, ChainID: 1, Peers: []string{"/ip4/127.0.0.1/tcp/1"}}},
		{"negative size", Config{HostKey: key, ChainID: 1, MaxMessageSize: -1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.cfg.Check(); !errors.Is(err, ErrConfig) {
				t.Fatalf("Check: %v, want ErrConfig", err)
			}
		})
	}
}

func TestDecodeMessageStrict(t *testing.T) {
	s := newSigner(t)
	m := Message{Version: Version, Kind: testKind, ChainID: testChainID, Eon: testEon, Payload: []byte("p")}
	good := signed(t, s, m)
	wrongVersion := m
	wrongVersion.Version = 2
	shortSig, err := rlp.EncodeToBytes([]any{Version, m.Kind, m.ChainID, m.Eon, s.Address(), m.Payload, make([]byte, 64)})
	if err != nil {
		t.Fatal(err)
	}
	extraField, err := rlp.EncodeToBytes([]any{Version, m.Kind, m.ChainID, m.Eon, s.Address(), m.Payload, make([]byte, 65), uint64(1)})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"valid", good, nil},
		{"trailing byte", append(slices.Clone(good), 0), ErrMalformed},
		{"truncated", good[:len(good)-1], ErrMalformed},
		{"unknown version", signed(t, s, wrongVersion), ErrMalformed},
		{"64-byte signature", shortSig, ErrMalformed},
		{"extra field", extraField, ErrMalformed},
		{"empty", nil, ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeMessage(tc.data)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("DecodeMessage: %v, want %v", err, tc.want)
			}
			if err == nil {
				sender, err := got.RecoverSender()
				if err != nil || sender != s.Address() {
					t.Fatalf("RecoverSender: %s, %v; want %s", sender, err, s.Address())
				}
			}
		})
	}
}

func FuzzDecodeMessage(f *testing.F) {
	k, err := crypto.ToECDSA(common.FromHex("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"))
	if err != nil {
		f.Fatal(err)
	}
	s, err := NewSigner(k)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(signed(f, s, Message{Version: Version, Kind: "keys", ChainID: 1, Eon: 2, Payload: []byte("payload")}))
	f.Add(signed(f, s, Message{Version: Version, Kind: "", ChainID: 0, Eon: 0}))
	f.Add([]byte{0xc0})
	f.Add([]byte("not rlp"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeMessage(data)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("decode error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if m.Version != Version {
			t.Fatalf("accepted version %d", m.Version)
		}
		enc, err := m.Encode()
		if err != nil || !bytes.Equal(enc, data) {
			t.Fatalf("decoded message does not re-encode to its input: %v", err)
		}
		// Recovery must fail cleanly or succeed, never panic.
		if _, err := m.RecoverSender(); err != nil && !errors.Is(err, ErrBadSignature) {
			t.Fatalf("recover error %v does not wrap ErrBadSignature", err)
		}
	})
}

var _ Validator = (*testValidator)(nil)
