package keyper

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	stdnet "net"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	libp2pcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/internal/p2p"
	"github.com/veil-l2/veil/keyper/dkg"
)

// dkgNet is a committee of keypers with libp2p hosts on 127.0.0.1, each
// listing every other started host as a direct peer.
type dkgNet struct {
	committee *Committee
	keys      []*Keys
	hosts     []*p2p.Node // nil for keypers without a host
	stores    []*Store
	regs      []*prometheus.Registry
}

// newDKGNet makes a committee of n keypers with threshold t and starts hosts
// for those in online, waiting until they are all connected.
func newDKGNet(t *testing.T, ctx context.Context, n, threshold int, online []int) *dkgNet {
	t.Helper()
	w := &dkgNet{committee: &Committee{ChainID: chainID, Eon: eon, Threshold: threshold, Sequencer: common.Address{0x5e}},
		keys: make([]*Keys, n), hosts: make([]*p2p.Node, n), stores: make([]*Store, n), regs: make([]*prometheus.Registry, n)}
	for i := range n {
		k, err := InitKeys(t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		w.keys[i] = k
		pub, _ := k.DKGPublic()
		w.committee.Members = append(w.committee.Members, Member{Address: k.Address(), DKGPublicKey: pub})
		st, err := OpenStore(filepath.Join(t.TempDir(), "keyper.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		w.stores[i] = st
		w.regs[i] = prometheus.NewRegistry()
	}
	if err := w.committee.Check(); err != nil {
		t.Fatal(err)
	}
	type spec struct {
		key  libp2pcrypto.PrivKey
		port int
		addr string
	}
	specs := map[int]spec{}
	for _, i := range online {
		k, err := p2p.LoadOrCreateHostKey(filepath.Join(t.TempDir(), "p2p.key"))
		if err != nil {
			t.Fatal(err)
		}
		id, err := peer.IDFromPrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		port := dkgFreePort(t)
		specs[i] = spec{key: k, port: port, addr: fmt.Sprintf("/ip4/127.0.0.1/tcp/%d/p2p/%s", port, id)}
	}
	for _, i := range online {
		var peers []string
		for _, j := range online {
			if j != i {
				peers = append(peers, specs[j].addr)
			}
		}
		h, err := p2p.New(ctx, p2p.Config{ListenAddrs: []string{fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", specs[i].port)},
			HostKey: specs[i].key, Peers: peers, ChainID: chainID, MaxRedialBackoff: time.Second, Registry: prometheus.NewRegistry()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { h.Close() })
		w.hosts[i] = h
	}
	deadline := time.Now().Add(15 * time.Second)
	for _, i := range online {
		for len(w.hosts[i].Peers()) < len(online)-1 {
			if time.Now().After(deadline) {
				t.Fatalf("host %d connected to %d of %d peers", i, len(w.hosts[i].Peers()), len(online)-1)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return w
}

func dkgFreePort(t *testing.T) int {
	t.Helper()
	l, err := stdnet.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*stdnet.TCPAddr).Port
}

// dkgTestLogger logs to stderr when DKG_DEBUG is set.
func dkgTestLogger() *slog.Logger {
	if os.Getenv("DKG_DEBUG") == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// config is keyper i's DKGConfig. Packets are re-published every 200 ms,
// well within the phase timeouts the tests use, so a keyper that joins the
// topic a little late still gets every packet before a deadline.
func (w *dkgNet) config(i int, phaseTimeout time.Duration) DKGConfig {
	return DKGConfig{Committee: w.committee, Index: i, Keys: w.keys[i], P2P: w.hosts[i], Store: w.stores[i],
		PhaseTimeout: phaseTimeout, Republish: 200 * time.Millisecond, Registry: w.regs[i], Logger: dkgTestLogger()}
}

type dkgOutcome struct {
	i   int
	res *dkg.Result
	err error
}

// run starts RunDKG for each config; outcomes arrive on the channel.
func runDKGs(ctx context.Context, cfgs ...DKGConfig) <-chan dkgOutcome {
	out := make(chan dkgOutcome, len(cfgs))
	for _, c := range cfgs {
		go func() {
			res, err := RunDKG(ctx, c)
			out <- dkgOutcome{c.Index, res, err}
		}()
	}
	return out
}

// collect waits for n outcomes and fails on any error.
func collectDKG(t *testing.T, ch <-chan dkgOutcome, n int) map[int]*dkg.Result {
	t.Helper()
	got := map[int]*dkg.Result{}
	for range n {
		o := <-ch
		if o.err != nil {
			t.Fatalf("keyper %d: %v", o.i, o.err)
		}
		got[o.i] = o.res
	}
	return got
}

// checkSameKey checks that every result has the same eon key and qualified
// set, that each share matches the public shares, and that three shares
// make keys that decrypt what was encrypted to the eon key.
func checkDKGKey(t *testing.T, results map[int]*dkg.Result, qualified []uint32) {
	t.Helper()
	var idx []int
	for i := range results {
		idx = append(idx, i)
	}
	slices.Sort(idx)
	first := results[idx[0]]
	for _, i := range idx {
		r := results[i]
		if !r.EonPublicKey.Equal(first.EonPublicKey) {
			t.Fatalf("keyper %d has another eon key", i)
		}
		if r.Eon != eon || r.Share.Index != i || !slices.Equal(r.Qualified, qualified) {
			t.Fatalf("keyper %d: eon %d, share index %d, qualified %v, want %v", i, r.Eon, r.Share.Index, r.Qualified, qualified)
		}
		if !bytes.Equal(r.Share.PublicShare().Bytes(), first.PublicShares[i].Bytes()) {
			t.Fatalf("keyper %d's share does not match its public share", i)
		}
	}
	id := tpke.BatchIdentity(chainID, eon, 1, [32]byte{1})
	ad := []byte("associated")
	msg := []byte("a transaction nobody may read early")
	ct, err := tpke.Encrypt(first.EonPublicKey, id, msg, ad, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signers := idx[len(idx)-first.Threshold:]
	var shares []tpke.KeyShare
	for _, i := range signers {
		s := results[i].Share.KeyShare(id.Point())
		if err := tpke.VerifyShare(first.PublicShares[i], id.Point(), s); err != nil {
			t.Fatalf("keyper %d's key share: %v", i, err)
		}
		shares = append(shares, s)
	}
	key, err := tpke.Aggregate(signers, shares)
	if err != nil {
		t.Fatal(err)
	}
	pt, err := tpke.Decrypt(key, id, ct, ad)
	if err != nil || !bytes.Equal(pt, msg) {
		t.Fatalf("decrypting with keypers %v' key: %v", signers, err)
	}
}

func dkgMetric(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if v, ok := labels[l.GetName()]; ok && v != l.GetValue() {
					continue next
				}
			}
			switch {
			case m.GetCounter() != nil:
				return m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				return m.GetGauge().GetValue()
			}
		}
	}
	return 0
}

// TestDKGOverLibp2p: five keypers run the DKG over libp2p and get shares of
// one eon key; a keyper started again returns its stored result without the
// network; the share file is sealed and the seeds are gone.
func TestDKGOverLibp2p(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w := newDKGNet(t, ctx, 5, 3, []int{0, 1, 2, 3, 4})
	pass := []byte("correct horse")
	var cfgs []DKGConfig
	for i := range 5 {
		c := w.config(i, 0)
		if i == 0 {
			c.Passphrase = pass
		}
		cfgs = append(cfgs, c)
	}
	start := time.Now()
	results := collectDKG(t, runDKGs(ctx, cfgs...), 5)
	t.Logf("5 keypers finished in %v", time.Since(start))
	checkDKGKey(t, results, []uint32{0, 1, 2, 3, 4})
	if got := dkgMetric(t, w.regs[0], "veil_keyper_dkg_attempts_total", nil); got != 1 {
		t.Fatalf("%v attempts in a healthy run", got)
	}
	if got := dkgMetric(t, w.regs[0], "veil_keyper_dkg_phase", nil); got != float64(dkg.PhaseDone) {
		t.Fatalf("phase gauge %v", got)
	}

	// Restart: the stored result, without a network.
	again := cfgs[0]
	again.P2P = nil
	res, err := RunDKG(ctx, again)
	if err != nil {
		t.Fatal(err)
	}
	if !res.EonPublicKey.Equal(results[0].EonPublicKey) || !bytes.Equal(res.Share.Bytes(), results[0].Share.Bytes()) ||
		!slices.Equal(res.Qualified, results[0].Qualified) || len(res.PublicShares) != 5 {
		t.Fatal("the stored result differs from the one returned")
	}
	loaded, err := LoadDKGResult(w.stores[0], "", pass, eon)
	if err != nil || !bytes.Equal(loaded.Share.Bytes(), results[0].Share.Bytes()) {
		t.Fatalf("LoadDKGResult: %v", err)
	}
	if _, err := LoadDKGResult(w.stores[0], "", []byte("wrong"), eon); !errors.Is(err, ErrPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	if _, err := LoadDKGResult(w.stores[0], "", pass, eon+1); !errors.Is(err, ErrNoDKGResult) {
		t.Fatalf("another eon: %v", err)
	}
	dir := filepath.Dir(w.stores[0].db.Path())
	sharePath, _ := dkgShareFile(dir, eon)
	raw, err := os.ReadFile(sharePath)
	if err != nil || bytes.Contains(raw, results[0].Share.Bytes()) {
		t.Fatalf("share file missing or not sealed: %v", err)
	}
	if seeds, _ := filepath.Glob(filepath.Join(dir, "*.seed")); len(seeds) != 0 {
		t.Fatalf("seed files left: %v", seeds)
	}
	// Another committee under the same eon does not get this result.
	other := *w.committee
	other.Threshold = 4
	again.Committee = &other
	if _, err := RunDKG(ctx, again); !errors.Is(err, ErrDKGCommittee) {
		t.Fatalf("another committee: %v", err)
	}
}

// dkgAcceptAll lets a test host publish anything on the dkg topic.
type dkgAcceptAll struct{}

func (dkgAcceptAll) KnownSigner(common.Address, string, uint64) error { return nil }
func (dkgAcceptAll) Validate(*p2p.Message) error                      { return nil }

// TestDKGOneKeyperOffline: keyper 4 never runs the DKG; the other four
// finish through phase timeouts with keyper 4 left out. Meanwhile keyper 4's
// host publishes bad packets under its key, which are dropped and counted.
func TestDKGOneKeyperOffline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w := newDKGNet(t, ctx, 5, 3, []int{0, 1, 2, 3, 4})
	var cfgs []DKGConfig
	for i := range 4 {
		cfgs = append(cfgs, w.config(i, time.Second))
	}
	start := time.Now()
	done := runDKGs(ctx, cfgs...)

	// Keyper 4's host, under keyper 4's signing key, sends junk.
	junkTopic, err := w.hosts[4].Join(TopicDKG, dkgAcceptAll{})
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := p2p.NewSigner(w.keys[4].Signing)
	parts, _ := w.committee.Participants()
	nonce, _ := dkg.SessionNonce(chainID, eon, 0, parts)
	core, err := dkg.New(dkg.Config{Eon: eon, Threshold: 3, Participants: parts, Longterm: w.keys[4].DKG, Nonce: nonce})
	if err != nil {
		t.Fatal(err)
	}
	out, err := core.Step(dkg.Start{})
	if err != nil {
		t.Fatal(err)
	}
	deal := *out.Send[0].Deal
	deal.Signature = slices.Clone(deal.Signature)
	deal.Signature[5] ^= 1
	badSig, _ := dkg.EncodeMessage(dkg.Message{Deal: &deal})
	other := deal
	other.DealerIndex = 2
	wrongIndex, _ := dkg.EncodeMessage(dkg.Message{Deal: &other})
	env := func(attempt uint64, phase dkg.Phase, pkt []byte) []byte {
		b, _ := (&dkgEnvelope{Attempt: attempt, Phase: uint8(phase), Packet: pkt}).encode()
		return b
	}
	junk := map[string][]byte{
		"malformed":      []byte("not a dkg payload"),
		"attempt_range":  env(99, dkg.PhaseDeal, badSig),
		"wrong_sender":   env(0, dkg.PhaseDeal, wrongIndex),
		"bad_signature":  env(0, dkg.PhaseDeal, badSig),
		"future_attempt": env(1, dkg.PhaseResponse, badSig),
	}
	stopJunk := make(chan struct{})
	junkDone := make(chan struct{})
	go func() {
		defer close(junkDone)
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			for _, p := range junk {
				_ = junkTopic.Publish(ctx, signer, eon, p)
			}
			select {
			case <-stopJunk:
				return
			case <-tick.C:
			}
		}
	}()
	results := collectDKG(t, done, 4)
	close(stopJunk)
	<-junkDone
	t.Logf("4 of 5 keypers finished in %v", time.Since(start))
	checkDKGKey(t, results, []uint32{0, 1, 2, 3})
	for reason := range junk {
		if got := dkgMetric(t, w.regs[0], "veil_keyper_dkg_packets_rejected_total", map[string]string{"reason": reason}); got < 1 {
			t.Errorf("no packet dropped for %s", reason)
		}
	}
	if got := dkgMetric(t, w.regs[0], "veil_keyper_dkg_packets_rejected_total", map[string]string{"reason": "equivocation"}); got != 0 {
		t.Errorf("%v equivocations", got)
	}
}

// TestDKGLateStart: keypers 0 and 1 start alone, below the threshold of 3:
// they wait in the deal phase, past several phase timeouts, without failing
// an attempt. Keypers 2, 3 and 4 start later and all five finish attempt 0.
func TestDKGLateStart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w := newDKGNet(t, ctx, 5, 3, []int{0, 1, 2, 3, 4})
	pt := time.Second
	start := time.Now()
	early := runDKGs(ctx, w.config(0, pt), w.config(1, pt))
	time.Sleep(2 * pt)
	if got := dkgMetric(t, w.regs[0], "veil_keyper_dkg_phase", nil); got != float64(dkg.PhaseDeal) {
		t.Fatalf("keyper 0 in phase %v, want deal", got)
	}
	late := runDKGs(ctx, w.config(2, pt), w.config(3, pt), w.config(4, pt))
	results := collectDKG(t, early, 2)
	for i, r := range collectDKG(t, late, 3) {
		results[i] = r
	}
	t.Logf("all five finished after %v", time.Since(start))
	checkDKGKey(t, results, []uint32{0, 1, 2, 3, 4})
	for i := range 5 {
		if got := dkgMetric(t, w.regs[i], "veil_keyper_dkg_attempts_total", nil); got != 1 {
			t.Fatalf("keyper %d: %v attempts", i, got)
		}
	}
}

// TestDKGRetryAfterFailure: keypers 0-3 lose every response of attempt 0
// (a filter), so the attempt fails everywhere and they begin attempt 1. Keyper 4 starts only then, at attempt 0, sees the others
// dealing in attempt 1, joins it, and all five finish attempt 1.
func TestDKGRetryAfterFailure(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w := newDKGNet(t, ctx, 5, 3, []int{0, 1, 2, 3, 4})
	pt := 1500 * time.Millisecond
	var cfgs []DKGConfig
	for i := range 4 {
		c := w.config(i, pt)
		c.dropPacket = func(attempt uint64, m dkg.Message) bool { return attempt == 0 && m.Response != nil }
		cfgs = append(cfgs, c)
	}
	start := time.Now()
	early := runDKGs(ctx, cfgs...)
	deadline := time.Now().Add(20 * time.Second)
	for dkgMetric(t, w.regs[0], "veil_keyper_dkg_attempts_total", nil) < 2 {
		if time.Now().After(deadline) {
			t.Fatal("keyper 0 did not begin a second attempt")
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("attempt 0 failed after %v", time.Since(start))
	late := runDKGs(ctx, w.config(4, pt))
	results := collectDKG(t, early, 4)
	for i, r := range collectDKG(t, late, 1) {
		results[i] = r
	}
	t.Logf("all five finished after %v", time.Since(start))
	checkDKGKey(t, results, []uint32{0, 1, 2, 3, 4})
	for i := range 5 {
		if r, _ := w.stores[i].dkgResult(eon); r == nil || r.Attempt != 1 {
			t.Fatalf("keyper %d finished attempt %+v, want 1", i, r)
		}
		if got := dkgMetric(t, w.regs[i], "veil_keyper_dkg_attempts_total", nil); got != 2 {
			t.Fatalf("keyper %d: %v attempts", i, got)
		}
		if got := dkgMetric(t, w.regs[i], "veil_keyper_dkg_attempt", nil); got != 1 {
			t.Fatalf("keyper %d: attempt gauge %v", i, got)
		}
	}
}

// TestDKGGivesUp: when every attempt fails the keypers stop with
// ErrDKGAttempts after MaxAttempts, and a restart does not try again.
func TestDKGGivesUp(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w := newDKGNet(t, ctx, 3, 2, []int{0, 1, 2})
	var cfgs []DKGConfig
	for i := range 3 {
		c := w.config(i, 200*time.Millisecond)
		c.MaxAttempts = 2
		c.dropPacket = func(_ uint64, m dkg.Message) bool { return m.Response != nil }
		cfgs = append(cfgs, c)
	}
	ch := runDKGs(ctx, cfgs...)
	for range 3 {
		o := <-ch
		if !errors.Is(o.err, ErrDKGAttempts) || !(errors.Is(o.err, dkg.ErrFailed) || errors.Is(o.err, ErrDKGQualified)) {
			t.Fatalf("keyper %d: got %v, want ErrDKGAttempts after a failed run", o.i, o.err)
		}
		if got := dkgMetric(t, w.regs[o.i], "veil_keyper_dkg_attempts_total", nil); got != 2 {
			t.Fatalf("keyper %d: %v attempts", o.i, got)
		}
	}
	// Started again, it replays the last attempt's log, sees it failed and
	// has no attempt left.
	if _, err := RunDKG(ctx, cfgs[0]); !errors.Is(err, ErrDKGAttempts) {
		t.Fatalf("restart: %v", err)
	}
}

// TestDKGRestartResumes: keyper 1 stops right after storing its deal and
// keyper 3 right after storing its response, both before sending. Started
// again on the same stores, they resume, send the stored packets and finish
// with the others, all five qualified (a regenerated deal would differ from
// the stored one and count as equivocation).
func TestDKGRestartResumes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w := newDKGNet(t, ctx, 5, 3, []int{0, 1, 2, 3, 4})
	pt := 5 * time.Second
	var cfgs []DKGConfig
	for i := range 5 {
		cfgs = append(cfgs, w.config(i, pt))
	}
	crashOn := func(kind string) func(dkg.Phase, []dkg.Message) bool {
		return func(_ dkg.Phase, sent []dkg.Message) bool {
			for _, m := range sent {
				if (kind == "deal" && m.Deal != nil) || (kind == "response" && m.Response != nil) {
					return true
				}
			}
			return false
		}
	}
	cfgs[1].crashAfterPersist = crashOn("deal")
	cfgs[3].crashAfterPersist = crashOn("response")
	start := time.Now()
	first := runDKGs(ctx, cfgs...)
	restarted := make(chan dkgOutcome, 2)
	results := map[int]*dkg.Result{}
	for len(results) < 5 {
		var o dkgOutcome
		select {
		case o = <-first:
		case o = <-restarted:
		}
		switch {
		case errors.Is(o.err, errCrashed):
			t.Logf("keyper %d stopped after %v", o.i, time.Since(start))
			c := cfgs[o.i]
			c.crashAfterPersist = nil
			go func() {
				res, err := RunDKG(ctx, c)
				restarted <- dkgOutcome{c.Index, res, err}
			}()
		case o.err != nil:
			t.Fatalf("keyper %d: %v", o.i, o.err)
		default:
			results[o.i] = o.res
		}
	}
	t.Logf("all five finished after %v", time.Since(start))
	checkDKGKey(t, results, []uint32{0, 1, 2, 3, 4})
	for i := range 5 {
		if got := dkgMetric(t, w.regs[i], "veil_keyper_dkg_packets_rejected_total", map[string]string{"reason": "equivocation"}); got != 0 {
			t.Fatalf("keyper %d saw %v equivocations", i, got)
		}
	}
	if got := dkgMetric(t, w.regs[3], "veil_keyper_dkg_attempts_total", nil); got != 2 {
		t.Fatalf("keyper 3: %v attempts counted (begun, then resumed)", got)
	}
	if r, _ := w.stores[3].dkgResult(eon); r.Attempt != 0 {
		t.Fatalf("keyper 3 finished attempt %d, want the resumed attempt 0", r.Attempt)
	}
}

func TestDKGEnvelopeDecode(t *testing.T) {
	good, _ := (&dkgEnvelope{Attempt: 2, Phase: uint8(dkg.PhaseResponse), Packet: []byte{1, 2, 3}}).encode()
	badPhase, _ := (&dkgEnvelope{Attempt: 2, Phase: 9, Packet: []byte{1}}).encode()
	empty, _ := (&dkgEnvelope{Attempt: 2, Phase: 1}).encode()
	for _, c := range []struct {
		name string
		raw  []byte
		want error
	}{
		{"good", good, nil},
		{"empty", nil, ErrDKGPayload},
		{"garbage", []byte("junk"), ErrDKGPayload},
		{"trailing", append(slices.Clone(good), 0), ErrDKGPayload},
		{"unknown phase", badPhase, ErrDKGPayload},
		{"no packet", empty, ErrDKGPayload},
	} {
		t.Run(c.name, func(t *testing.T) {
			e, err := decodeDKGEnvelope(c.raw)
			if !errors.Is(err, c.want) || (c.want == nil && (e.Attempt != 2 || e.Phase != 2)) {
				t.Fatalf("got %+v, %v; want %v", e, err, c.want)
			}
		})
	}
}

func FuzzDKGEnvelope(f *testing.F) {
	good, _ := (&dkgEnvelope{Attempt: 1, Phase: 1, Packet: []byte{0xc0}}).encode()
	f.Add(good)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, raw []byte) {
		e, err := decodeDKGEnvelope(raw)
		if err != nil {
			if !errors.Is(err, ErrDKGPayload) {
				t.Fatalf("unnamed error %v", err)
			}
			return
		}
		back, err := e.encode()
		if err != nil || !bytes.Equal(back, raw) {
			t.Fatal("an accepted payload does not encode back to itself")
		}
	})
}

func TestDKGConfigCheck(t *testing.T) {
	keys := make([]*Keys, 3)
	c := &Committee{ChainID: chainID, Eon: eon, Threshold: 2, Sequencer: common.Address{1}}
	for i := range keys {
		keys[i], _ = InitKeys(t.TempDir(), nil)
		pub, _ := keys[i].DKGPublic()
		c.Members = append(c.Members, Member{Address: keys[i].Address(), DKGPublicKey: pub})
	}
	st, err := OpenStore(filepath.Join(t.TempDir(), "keyper.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	stranger, _ := crypto.GenerateKey()
	for _, tc := range []struct {
		name string
		mod  func(*DKGConfig)
		want error
	}{
		{"ok", func(*DKGConfig) {}, nil},
		{"no committee", func(c *DKGConfig) { c.Committee = nil }, ErrDKGConfig},
		{"no store", func(c *DKGConfig) { c.Store = nil }, ErrDKGConfig},
		{"index out of range", func(c *DKGConfig) { c.Index = 3 }, ErrDKGConfig},
		{"another member's index", func(c *DKGConfig) { c.Index = 1 }, ErrDKGConfig},
		{"another signing key", func(c *DKGConfig) { c.Keys = &Keys{Signing: stranger, DKG: keys[0].DKG} }, ErrDKGConfig},
		{"another dkg key", func(c *DKGConfig) { c.Keys = &Keys{Signing: keys[0].Signing, DKG: keys[1].DKG} }, ErrDKGConfig},
		{"negative timeout", func(c *DKGConfig) { c.PhaseTimeout = -1 }, ErrDKGConfig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DKGConfig{Committee: c, Index: 0, Keys: keys[0], Store: st}
			tc.mod(&cfg)
			if err := cfg.Check(); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	// Without a network and without a stored result there is nothing to do.
	if _, err := RunDKG(context.Background(), DKGConfig{Committee: c, Index: 0, Keys: keys[0], Store: st}); !errors.Is(err, ErrDKGConfig) {
		t.Fatalf("no p2p node: %v", err)
	}
}

// TestDKGResumeWithoutSeed: a keyper whose seed file is lost after its deal
// was stored cannot resume the attempt exactly (a new seed is a new
// polynomial); it moves on to the next attempt.
func TestDKGResumeWithoutSeed(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w := newDKGNet(t, ctx, 3, 2, []int{0})
	c := w.config(0, time.Second)
	c.crashAfterPersist = func(dkg.Phase, []dkg.Message) bool { return true }
	if _, err := RunDKG(ctx, c); !errors.Is(err, errCrashed) {
		t.Fatalf("first run: %v", err)
	}
	dir := filepath.Dir(w.stores[0].db.Path())
	seedPath, _ := dkgSeedFile(dir, eon, 0)
	if err := os.Remove(seedPath); err != nil {
		t.Fatal(err)
	}
	c.crashAfterPersist = nil
	short, stop := context.WithTimeout(ctx, 300*time.Millisecond)
	defer stop()
	// Alone (below the threshold of 2) it waits in the deal phase.
	if _, err := RunDKG(short, c); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second run: %v", err)
	}
	rec, err := w.stores[0].dkgAttempt(eon)
	if err != nil || rec.Attempt != 1 {
		t.Fatalf("attempt record %+v, %v; want attempt 1", rec, err)
	}
	if log, _ := w.stores[0].dkgLog(eon, 1); len(log) != 1 || log[0].Kind != dkgEventStart || len(log[0].Sent) != 1 {
		t.Fatalf("attempt 1's log: %+v", log)
	}
}

// TestDKGTooFewQualified: a result with fewer qualified dealers than the
// threshold is a failed attempt.
func TestDKGTooFewQualified(t *testing.T) {
	d := &dkgDriver{cfg: DKGConfig{Committee: &Committee{Threshold: 3}}}
	out := d.vet(dkg.Output{Phase: dkg.PhaseDone, Result: &dkg.Result{Qualified: []uint32{0, 1}}})
	if out.Result != nil || !errors.Is(out.Failed, ErrDKGQualified) {
		t.Fatalf("got %+v", out)
	}
	out = d.vet(dkg.Output{Phase: dkg.PhaseDone, Result: &dkg.Result{Qualified: []uint32{0, 1, 3}}})
	if out.Result == nil || out.Failed != nil {
		t.Fatalf("got %+v", out)
	}
}
