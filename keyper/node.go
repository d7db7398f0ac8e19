package keyper

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/internal/ahead"
	"github.com/veil-l2/veil/internal/p2p"
	"github.com/veil-l2/veil/ordering/batch"
)

// Gossip topics (kinds) the release path uses. A keyper's share message is
// also its signed "released N = H" announcement: every keyper reads the
// shares topic and feeds what others released to its core.
const (
	TopicCommitments = "commitments"
	TopicShares      = "shares"
	// TopicKeys carries the sequencer's keys messages (batch.KeysMessage):
	// the keypers of a new eon learn there which batch the previous eon
	// attested last, their first batch's parent.
	TopicKeys = "keys"
	// TopicCatchUp carries a keyper's request for the batch it needs next
	// (its payload: that number, u64 big-endian), sent when it sees a
	// commitment beyond it: a keyper that was down while the others
	// released and executed batches gets them from the sequencer's log
	// (their keys messages first), one after another, and takes part
	// again.
	TopicCatchUp = "catchup"
)

// catchUpEvery is the least time between two requests for one number.
const catchUpEvery = 500 * time.Millisecond

// NodeConfig configures the release path of a keyper node for one eon.
type NodeConfig struct {
	Committee *Committee
	Index     int
	Keys      *Keys
	Share     *tpke.SecretShare
	Release   ReleaseConfig
	// Previous is the previous eon's key, for an eon that follows another:
	// the eon's first batch is then the one after the previous eon's last,
	// which the node learns from the sequencer's keys messages of the
	// previous eon (TopicKeys), each attestation checked against this key.
	// Nil for a chain's first eon, whose first batch is number 1 with a
	// zero parent.
	Previous *tpke.EonPublicKey
	// EonKey is this eon's key. A keys message of this eon (TopicKeys)
	// whose attestation verifies under it certifies its batch: a keyper
	// that is behind releases it even when its timestamp is older than the
	// drift and the keyper was hearing the sequencer then (it fell behind
	// for another reason, an L1 view that lagged). Nil: no certificates.
	EonKey *tpke.EonPublicKey
	Store  *Store
	P2P    *p2p.Node
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Confirmed lists confirmed L1 blocks known at start (number -> hash);
	// L1Confirmed adds more.
	Confirmed map[uint64]common.Hash
	Logger    *slog.Logger
	Registry  prometheus.Registerer
	// PointCache, when set, is shared with other components of the same
	// process (identity points are public and deterministic): in-process
	// committees then hash each identity to the curve once.
	PointCache *tpke.PointCache
	// Republish, when set, re-publishes released batches that stay off L1
	// (republish.go).
	Republish *RepublishConfig

	// afterRecord is a fault hook for tests: called once a release is on
	// disk and before its shares are sent; returning true stops the node
	// right there, as a crash would.
	afterRecord func(number uint64) bool
}

// Node runs a keyper's release path: signed batches in from the sequencer,
// decisions by the Releaser, the release recorded, shares out.
type Node struct {
	cfg      NodeConfig
	log      *slog.Logger
	signer   *p2p.Signer
	releaser *Releaser
	commits  *p2p.Topic
	shares   *p2p.Topic
	keys     *p2p.Topic // keys messages: the previous eon's (Previous set), this eon's (EonKey set)
	catchUp  *p2p.Topic
	mu       sync.Mutex // guards releaser and the catch-up fields
	// highest is the highest batch number seen in a signed commitment;
	// asked and askedAt the last number requested on TopicCatchUp;
	// keysSeen the highest batch of this eon whose keys message arrived.
	highest, asked, keysSeen uint64
	askedAt                  time.Time
	cache                    *tpke.PointCache
	metrics                  *nodeMetrics
	done                     chan struct{}
	cancel                   context.CancelFunc
	errMu                    sync.Mutex
	err                      error
	sentMu                   sync.Mutex
	sent                     map[uint64]*sentShares
	rep                      *republisher // nil without Republish
	pre                      *precomputed // shares computed from pending announcements
}

type nodeMetrics struct {
	l1Errors prometheus.Counter
	released prometheus.Counter
	refused  *prometheus.CounterVec
	latency  prometheus.Histogram
	catchUp  prometheus.Counter
	// identitiesLost is 1 when the eon's released identities cannot be
	// rebuilt (ErrIdentitiesLost).
	identitiesLost prometheus.Gauge
}

// refusalReasons names every whole-batch refusal for the metric.
var refusalReasons = []struct {
	err  error
	name string
}{
	{ErrSequencerSignature, "sequencer_signature"}, {ErrWrongChain, "wrong_chain"}, {ErrWrongEon, "wrong_eon"},
	{ErrNumberGap, "number_gap"}, {ErrAlreadyReleased, "already_released"}, {ErrParent, "parent"},
	{ErrEquivocation, "equivocation"}, {ErrTimestamp, "timestamp"}, {ErrL1Origin, "l1_origin"},
	{ErrOversize, "oversize"}, {ErrGasBudget, "gas_budget"}, {ErrNotOnL1, "not_on_l1"},
	{ErrNotActive, "not_active"}, {ErrSuperseded, "superseded"}, {ErrEonStart, "eon_start"},
	{batch.ErrMalformed, "malformed"}, {ErrStore, "store"},
}

func refusalReason(err error) string {
	for _, r := range refusalReasons {
		if errors.Is(err, r.err) {
			return r.name
		}
	}
	return "other"
}

// StartNode joins the topics and starts the node's loop.
func StartNode(ctx context.Context, cfg NodeConfig) (*Node, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	signer, err := p2p.NewSigner(cfg.Keys.Signing)
	if err != nil {
		return nil, err
	}
	first := uint64(1)
	if cfg.Previous != nil {
		first = 0 // learned from the previous eon's attestations
	}
	state, err := cfg.Store.State(cfg.Release.Eon, first)
	if err != nil {
		return nil, err
	}
	n := &Node{cfg: cfg, log: cfg.Logger, signer: signer, cache: cfg.PointCache, done: make(chan struct{})}
	if n.cache == nil {
		n.cache = tpke.NewPointCache(1 << 16)
	}
	n.releaser = NewReleaser(cfg.Release, state, cfg.Store.Released(cfg.Release.Eon))
	for num, h := range cfg.Confirmed {
		n.releaser.L1Confirmed(num, h)
	}
	n.metrics = &nodeMetrics{
		l1Errors: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "veil", Subsystem: "keyper", Name: "l1_errors_total", Help: "Failed polls of L1."}),
		released: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "veil", Subsystem: "keyper", Name: "batches_released_total", Help: "Batches whose shares this keyper released."}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "veil", Subsystem: "keyper", Name: "batches_refused_total",
			Help: "Batches refused whole, by reason."}, []string{"reason"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "veil", Subsystem: "keyper", Name: "commitment_to_shares_seconds",
			Help: "Time from a commitment's arrival to its shares sent.", Buckets: prometheus.ExponentialBuckets(0.005, 2, 12)}),
		catchUp: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "veil", Subsystem: "keyper", Name: "catchup_requests_total",
			Help: "Requests to the sequencer for the batch this keyper needs next, sent when it is behind."}),
		identitiesLost: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "veil", Subsystem: "keyper", Name: "identities_lost",
			Help: "1 when the eon's index of released identities cannot be rebuilt: every envelope's share is withheld until the eon ends."}),
	}
	if err := cfg.Store.OpenIndex(cfg.Release.Eon); errors.Is(err, ErrIdentitiesLost) {
		n.metrics.identitiesLost.Set(1)
		n.log.Error("the eon's released identities are lost: withholding every envelope's key share until the eon ends",
			"eon", cfg.Release.Eon, "err", err)
	} else if err != nil {
		return nil, err
	}
	preMetrics := newPrecomputeMetrics()
	n.pre = newPrecomputed(cfg.Share, n.cache, cfg.Release, precomputeMax(cfg.Release), preMetrics)
	if cfg.Registry != nil {
		cfg.Registry.MustRegister(n.metrics.l1Errors, n.metrics.released, n.metrics.refused, n.metrics.latency, n.metrics.catchUp, n.metrics.identitiesLost)
		cfg.Registry.MustRegister(preMetrics.collectors()...)
	}
	eon := cfg.Release.Eon
	if n.commits, err = cfg.P2P.Join(TopicCommitments, SequencerValidator{Sequencer: cfg.Committee.Sequencer, Eon: eon}); err != nil {
		return nil, err
	}
	if n.shares, err = cfg.P2P.Join(TopicShares, MembersValidator{Committee: cfg.Committee, Eon: eon}); err != nil {
		return nil, err
	}
	if n.catchUp, err = cfg.P2P.Join(TopicCatchUp, MembersValidator{Committee: cfg.Committee, Eon: eon}); err != nil {
		return nil, err
	}
	commits, cancelC, err := n.commits.Subscribe()
	if err != nil {
		return nil, err
	}
	shares, cancelS, err := n.shares.Subscribe()
	if err != nil {
		cancelC()
		return nil, err
	}
	var keys <-chan p2p.Received
	cancelK := func() {}
	if (cfg.Previous != nil && eon > 0) || cfg.EonKey != nil {
		follow := NewEons()
		if cfg.Previous != nil && eon > 0 {
			follow.Add(eon-1, nil)
		}
		follow.Add(eon, nil)
		if n.keys, err = cfg.P2P.Join(TopicKeys, SequencerValidator{Sequencer: cfg.Committee.Sequencer, Eon: eon, Eons: follow}); err == nil {
			keys, cancelK, err = n.keys.Subscribe()
		}
		if err != nil {
			cancelC()
			cancelS()
			return nil, err
		}
	}
	ctx, n.cancel = context.WithCancel(ctx)
	stopPre, err := n.joinPending(ctx)
	if err != nil {
		n.cancel()
		cancelC()
		cancelS()
		cancelK()
		return nil, err
	}
	stopRep := func() {}
	if cfg.Republish != nil {
		if stopRep, err = n.startRepublisher(ctx); err != nil {
			n.cancel()
			stopPre()
			cancelC()
			cancelS()
			cancelK()
			return nil, err
		}
	}
	go func() {
		defer close(n.done)
		defer stopPre()
		defer stopRep()
		defer cancelC()
		defer cancelS()
		defer cancelK()
		for {
			select {
			case <-ctx.Done():
				return
			case r, ok := <-commits:
				if !ok {
					return
				}
				n.onCommitment(ctx, r.Message.Payload)
			case r, ok := <-shares:
				if !ok {
					return
				}
				if !r.Local {
					n.onShares(r.Message.Payload)
				}
			case r, ok := <-keys:
				if !ok {
					return
				}
				n.onKeys(r.Message.Payload)
			}
		}
	}()
	return n, nil
}

// Stop ends the node's loop.
func (n *Node) Stop() {
	n.cancel()
	<-n.done
}

// Err returns the error that stopped the node, if any.
func (n *Node) Err() error {
	n.errMu.Lock()
	defer n.errMu.Unlock()
	return n.err
}

func (n *Node) fail(err error) {
	n.errMu.Lock()
	n.err = err
	n.errMu.Unlock()
	n.log.Error("keyper stopped", "err", err)
	n.cancel()
}

// L1Confirmed feeds a confirmed L1 block to the core.
func (n *Node) L1Confirmed(number uint64, hash common.Hash) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.releaser.L1Confirmed(number, hash)
}

// Superseded tells the core the next keyper set's activation block, once
// that set is final on L1: no batch with an L1 origin at or above it is
// released (ErrSuperseded).
func (n *Node) Superseded(activation uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.releaser.Superseded(activation)
}

// onKeys takes a keys message of the previous eon while the eon's first
// batch is not released: its attestation, checked against the previous
// eon's key, tells the core which batch the previous eon ended with so
// far.
func (n *Node) onKeys(payload []byte) {
	n.heard()
	m, err := batch.DecodeKeysMessage(payload)
	if err != nil || m.ChainID != n.cfg.Release.ChainID {
		return
	}
	if m.Eon == n.cfg.Release.Eon {
		n.certify(m)
		return
	}
	if m.Eon+1 != n.cfg.Release.Eon || n.cfg.Previous == nil {
		return
	}
	n.mu.Lock()
	waiting := n.releaser.AwaitsFirst()
	n.mu.Unlock()
	if !waiting {
		return
	}
	if err := m.VerifyAttestation(n.cfg.Previous); err != nil {
		n.log.Warn("keys message of the previous eon with an invalid attestation", "batch", m.Number, "err", err)
		return
	}
	n.mu.Lock()
	n.releaser.Attested(m.Number, m.Hash)
	n.mu.Unlock()
	n.log.Debug("previous eon attested a batch", "batch", m.Number, "hash", m.Hash)
}

// certify takes a keys message of this eon for a batch this keyper has not
// released: its attestation, checked against the eon key, certifies the
// batch to the core (Releaser.Certified). Batches already released are
// not checked (the message for each batch reaches every keyper).
func (n *Node) certify(m *batch.KeysMessage) {
	n.mu.Lock()
	n.keysSeen = max(n.keysSeen, m.Number)
	behind := m.Number >= n.releaser.State().Next
	n.mu.Unlock()
	if !behind || n.cfg.EonKey == nil {
		return
	}
	if err := m.VerifyAttestation(n.cfg.EonKey); err != nil {
		n.log.Warn("keys message with an invalid attestation", "batch", m.Number, "err", err)
		return
	}
	n.mu.Lock()
	n.releaser.Certified(m.Number, m.Hash)
	n.mu.Unlock()
}

// heard tells the core that a message of the sequencer arrived now (the
// gossip validators checked its signature).
func (n *Node) heard() {
	now := uint64(n.cfg.Now().Unix())
	n.mu.Lock()
	n.releaser.Heard(now)
	n.mu.Unlock()
}

// Evidence returns the conflicts seen.
func (n *Node) Evidence() []Evidence {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.releaser.Evidence()
}

func (n *Node) onCommitment(ctx context.Context, raw []byte) {
	defer ahead.Critical()()
	start := n.cfg.Now()
	b, err := batch.Decode(raw, batch.Limits{MaxTxs: n.cfg.Release.MaxTxs, MaxBytes: n.cfg.Release.MaxBytes, MaxDeposits: batch.DefaultLimits.MaxDeposits})
	if err != nil {
		n.refuse(err, 0)
		return
	}
	decoded := time.Now()
	n.mu.Lock()
	n.releaser.Heard(uint64(start.Unix()))
	n.highest = max(n.highest, b.Commitment.Number)
	rel, err := n.releaser.Decide(b, uint64(start.Unix()))
	state := n.releaser.State()
	n.mu.Unlock()
	if err != nil {
		n.refuse(err, b.Commitment.Number)
		if errors.Is(err, ErrNumberGap) {
			n.requestNext(ctx)
		}
		return
	}
	if rel.Again {
		n.mu.Lock()
		done := rel.Number <= n.keysSeen
		n.mu.Unlock()
		if done {
			// Its keys are out: this is the sequencer answering another
			// keyper that is catching up, nobody needs these shares.
			return
		}
		if n.sendAgain(ctx, rel.Number) {
			return
		}
		// The identical shares again, from the record; the keyed
		// identities from b (Decide matched its hash to the record's) when
		// the store no longer has the batch.
		if _, rel, err = n.cfg.Store.ReleasedBatch(n.cfg.Release.Eon, rel.Number, b); err != nil || rel == nil {
			n.refuse(fmt.Errorf("%w: released batch %d missing: %v", ErrStore, b.Commitment.Number, err), b.Commitment.Number)
			return
		}
	} else if err := n.cfg.Store.Commit(n.cfg.Release.Eon, rel, raw, state); err != nil {
		// Nothing is sent for a release that is not on disk, and the core
		// has moved on: the node stops rather than run ahead of its record.
		n.fail(fmt.Errorf("%w: recording batch %d: %v", ErrStore, rel.Number, err))
		return
	}
	if n.cfg.afterRecord != nil && n.cfg.afterRecord(rel.Number) {
		n.fail(fmt.Errorf("keyper: fault hook stopped the node after recording batch %d", rel.Number))
		return
	}
	recorded := time.Now()
	shares, pre := n.pre.releaseShares(rel)
	m := &ShareMessage{ChainID: n.cfg.Release.ChainID, Eon: n.cfg.Release.Eon, Number: rel.Number, Hash: rel.Hash,
		Keyper: uint32(n.cfg.Index), Shares: shares}
	n.log.Debug("release timing", "batch", rel.Number, "decode", decoded.Sub(start), "decide_record", recorded.Sub(decoded),
		"shares", time.Since(recorded), "precomputed", pre, "keyed", len(rel.Keyed))
	if err := m.Sign(n.cfg.Keys.Signing); err != nil {
		n.log.Error("signing shares failed", "batch", rel.Number, "err", err)
		return
	}
	payload, err := m.Encode()
	if err == nil {
		n.remember(rel.Number, payload)
		err = n.shares.Publish(ctx, n.signer, n.cfg.Release.Eon, payload)
	}
	if err != nil {
		n.log.Warn("sending shares failed", "batch", rel.Number, "err", err)
		return
	}
	if n.rep != nil {
		n.rep.released(raw, rel, m)
	}
	n.metrics.released.Inc()
	n.metrics.latency.Observe(n.cfg.Now().Sub(start).Seconds())
	n.log.Info("released batch", "batch", rel.Number, "hash", rel.Hash, "keyed", len(rel.Keyed), "withheld", len(rel.NoKey), "again", rel.Again)
	if !rel.Again {
		n.requestNext(ctx) // catching up: the next at once
	}
}

// requestNext asks the sequencer for the batch this keyper needs next
// when a later one was seen, at most once per catchUpEvery for a number.
func (n *Node) requestNext(ctx context.Context) {
	n.mu.Lock()
	next := n.releaser.State().Next
	now := time.Now()
	if next == 0 || next > n.highest || (next == n.asked && now.Sub(n.askedAt) < catchUpEvery) {
		n.mu.Unlock()
		return
	}
	n.asked, n.askedAt = next, now
	seen := n.highest
	n.mu.Unlock()
	n.metrics.catchUp.Inc()
	if err := n.catchUp.Publish(ctx, n.signer, n.cfg.Release.Eon, binary.BigEndian.AppendUint64(nil, next)); err != nil {
		n.log.Warn("asking for the next batch failed", "batch", next, "err", err)
		return
	}
	n.log.Info("behind: asked the sequencer for the next batch", "batch", next, "seen", seen)
}

// Recent share messages are kept so a batch asked for again is answered
// from memory, and not more often than againGap (a sequencer re-sending
// while the keyper is busy must not make it compute the shares again).
const (
	recentReleases = 32
	againGap       = 250 * time.Millisecond
)

type sentShares struct {
	payload []byte
	at      time.Time
}

func (n *Node) remember(number uint64, payload []byte) {
	n.sentMu.Lock()
	defer n.sentMu.Unlock()
	if n.sent == nil {
		n.sent = map[uint64]*sentShares{}
	}
	n.sent[number] = &sentShares{payload: payload, at: time.Now()}
	if number >= recentReleases {
		delete(n.sent, number-recentReleases)
	}
}

// sendAgain re-publishes a remembered share message; false when there is
// none in memory.
func (n *Node) sendAgain(ctx context.Context, number uint64) bool {
	n.sentMu.Lock()
	s := n.sent[number]
	if s == nil {
		n.sentMu.Unlock()
		return false
	}
	// Wall-clock pacing, not protocol time: the configured clock may be
	// fixed (tests) or skewed.
	now := time.Now()
	if now.Sub(s.at) < againGap {
		n.sentMu.Unlock()
		return true
	}
	s.at = now
	payload := s.payload
	n.sentMu.Unlock()
	if err := n.shares.Publish(ctx, n.signer, n.cfg.Release.Eon, payload); err != nil {
		n.log.Warn("sending shares again failed", "batch", number, "err", err)
	}
	return true
}

func (n *Node) refuse(err error, number uint64) {
	reason := refusalReason(err)
	n.metrics.refused.WithLabelValues(reason).Inc()
	n.log.Info("refused batch", "batch", number, "reason", reason, "err", err)
}

func (n *Node) onShares(payload []byte) {
	m, err := DecodeShareMessage(payload)
	if err != nil {
		return
	}
	signer, err := m.Signer()
	if err != nil {
		return
	}
	idx, ok := n.cfg.Committee.Index(signer)
	if !ok || uint32(idx) != m.Keyper || m.ChainID != n.cfg.Release.ChainID || m.Eon != n.cfg.Release.Eon {
		return
	}
	n.mu.Lock()
	n.releaser.Announcement(idx, m.Number, m.Hash)
	n.mu.Unlock()
	if n.rep != nil {
		n.rep.shares(m)
	}
}

// Eons is the set of eons a process follows, each with its committee
// when the process knows it: the gossip validators of a process that spans
// eons (the sequencer across an eon switch, a keyper of a new eon reading
// the previous eon's keys) read it. It only grows. Safe for concurrent use.
type Eons struct {
	mu sync.RWMutex
	m  map[uint64]*Committee
}

// NewEons returns the set of the committees' eons.
func NewEons(cs ...*Committee) *Eons {
	e := &Eons{m: map[uint64]*Committee{}}
	for _, c := range cs {
		e.Add(c.Eon, c)
	}
	return e
}

// Add follows eon, with its committee (nil when the process only reads
// the sequencer's messages of that eon). A committee given earlier stays.
func (e *Eons) Add(eon uint64, c *Committee) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.m == nil {
		e.m = map[uint64]*Committee{}
	}
	if prev, ok := e.m[eon]; !ok || prev == nil {
		e.m[eon] = c
	}
}

// Has reports whether eon is followed.
func (e *Eons) Has(eon uint64) bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	_, ok := e.m[eon]
	return ok
}

// Committee returns eon's committee (nil when unknown).
func (e *Eons) Committee(eon uint64) *Committee {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.m[eon]
}

// SequencerValidator admits gossip signed by the registered sequencer for
// one eon, or, when Eons is set, for any eon Eons has (commitments, keys).
type SequencerValidator struct {
	Sequencer common.Address
	Eon       uint64
	Eons      *Eons
}

// KnownSigner implements p2p.Validator.
func (v SequencerValidator) KnownSigner(sender common.Address, _ string, eon uint64) error {
	if sender != v.Sequencer || (eon != v.Eon && (v.Eons == nil || !v.Eons.Has(eon))) {
		return p2p.ErrUnknownSigner
	}
	return nil
}

// Validate implements p2p.Validator; payloads are checked by their reader.
func (SequencerValidator) Validate(*p2p.Message) error { return nil }

// MembersValidator admits gossip signed by a committee member for one eon
// (share messages, DKG packets). When Eons is set, it admits instead a
// member of the committee Eons has for the message's eon: a sequencer
// collects the shares of every eon's committee on one topic.
type MembersValidator struct {
	Committee *Committee
	Eon       uint64
	Eons      *Eons
}

// KnownSigner implements p2p.Validator.
func (v MembersValidator) KnownSigner(sender common.Address, _ string, eon uint64) error {
	c, want := v.Committee, v.Eon
	if v.Eons != nil {
		c, want = v.Eons.Committee(eon), eon
	}
	if c == nil || eon != want {
		return p2p.ErrUnknownSigner
	}
	if _, ok := c.Index(sender); !ok {
		return p2p.ErrUnknownSigner
	}
	return nil
}

// Validate implements p2p.Validator; payloads are checked by their reader.
func (MembersValidator) Validate(*p2p.Message) error { return nil }
