package keyper

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/internal/p2p"
	"github.com/veil-l2/veil/ordering/batch"
)

// TopicRepublish carries republished batches (RepublishMessage): a keyper
// that released a batch which is not on L1 after RepublishConfig.After
// publishes it, keys and attestation included, so that anyone can post it
// (package rescue). One topic per chain; the message's eon is the batch's.
const TopicRepublish = "republish"

// Defaults of re-publication.
const (
	// DefaultRepublishAfter is how long a released batch may stay off L1
	// before its keyper re-publishes it, and the least time between two
	// re-publications of one batch. A sequencer posts a batch a few L1
	// blocks after its keys, so a minute leaves it ample room.
	DefaultRepublishAfter = time.Minute
	// maxRepublishPending bounds the batches a keyper holds for
	// re-publication; the oldest are dropped first.
	maxRepublishPending = 256
)

// Errors of republished batches: a message that fails one is not relayed
// and is counted in veil_keyper_republish_invalid_total{reason}.
var (
	ErrRepublishMalformed   = errors.New("keyper: republished batch malformed")
	ErrRepublishMismatch    = errors.New("keyper: republished batch and keys disagree")
	ErrRepublishSignature   = errors.New("keyper: republished batch not signed by the sequencer")
	ErrRepublishUnknownEon  = errors.New("keyper: republished batch of an eon without a known key")
	ErrRepublishAttestation = errors.New("keyper: republished batch with an invalid attestation")
)

// RepublishMessage is a released batch as a keyper re-publishes it: the
// batch's wire encoding (signed commitment and transactions), its keys
// message (batch.KeysMessage: one key per keyed envelope, the attestation,
// the signers) and the positions of the keyed envelopes, in order (the
// keypers' no-key decision; a rescuer checks it against keyper.Classify).
type RepublishMessage struct {
	Batch []byte
	Keys  []byte
	Keyed []uint32
}

// Encode returns the wire form (RLP).
func (m *RepublishMessage) Encode() ([]byte, error) { return rlp.EncodeToBytes(m) }

// Republished is a decoded republished batch.
type Republished struct {
	Batch *batch.Batch
	Keys  *batch.KeysMessage
	// Keyed are the positions of the keyed envelopes, strictly increasing.
	Keyed []int
	Raw   *RepublishMessage
}

// DecodeRepublished parses a republished batch strictly and checks that
// its parts agree (chain, eon, number and hash; one key per keyed
// position); it checks no signature.
func DecodeRepublished(raw []byte, chainID, eon uint64, lim batch.Limits) (*Republished, error) {
	var m RepublishMessage
	if err := rlp.DecodeBytes(raw, &m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRepublishMalformed, err)
	}
	b, err := batch.Decode(m.Batch, lim)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRepublishMalformed, err)
	}
	km, err := batch.DecodeKeysMessage(m.Keys)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRepublishMalformed, err)
	}
	c := &b.Commitment
	if c.ChainID != chainID || c.Eon != eon || km.ChainID != chainID || km.Eon != eon || km.Number != c.Number || km.Hash != c.Hash() {
		return nil, fmt.Errorf("%w: batch %d of chain %d eon %d, keys for batch %d of chain %d eon %d, message of eon %d", ErrRepublishMismatch,
			c.Number, c.ChainID, c.Eon, km.Number, km.ChainID, km.Eon, eon)
	}
	if len(m.Keyed)*tpke.G1Size != len(km.Keys) {
		return nil, fmt.Errorf("%w: %d keyed envelopes, %d key bytes", ErrRepublishMismatch, len(m.Keyed), len(km.Keys))
	}
	r := &Republished{Batch: b, Keys: km, Keyed: make([]int, len(m.Keyed)), Raw: &m}
	for i, k := range m.Keyed {
		if int(k) >= len(b.Txs) || (i > 0 && k <= m.Keyed[i-1]) {
			return nil, fmt.Errorf("%w: keyed position %d of %d transactions, out of order or range", ErrRepublishMalformed, k, len(b.Txs))
		}
		r.Keyed[i] = int(k)
	}
	return r, nil
}

// RepublishValidator admits republished batches on gossip (p2p.Validator):
// signed by a member of the committee of the message's eon (Eons), for a
// batch signed by the sequencer whose attestation verifies under the eon's
// key (EonKey). The keys themselves are checked by whoever uses them (a
// rescuer, as a verifier would). Invalid messages are rejected, so not
// relayed, and counted by reason in Invalid when set.
type RepublishValidator struct {
	ChainID   uint64
	Sequencer common.Address
	Eons      *Eons
	// EonKey returns an eon's key; ok false when it is not known (yet).
	EonKey func(eon uint64) (*tpke.EonPublicKey, bool)
	Limits batch.Limits
	// Invalid counts rejected messages by reason (may be nil).
	Invalid *prometheus.CounterVec
}

// NewRepublishInvalid returns the counter of rejected republished batches,
// registered with reg when it is not nil.
func NewRepublishInvalid(reg prometheus.Registerer) (*prometheus.CounterVec, error) {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "veil", Subsystem: "keyper", Name: "republish_invalid_total",
		Help: "Republished batches rejected on gossip, by reason."}, []string{"reason"})
	if reg != nil {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// KnownSigner implements p2p.Validator: a member of the eon's committee.
func (v RepublishValidator) KnownSigner(sender common.Address, _ string, eon uint64) error {
	c := v.Eons.Committee(eon)
	if c == nil {
		v.count("unknown_signer")
		return p2p.ErrUnknownSigner
	}
	if _, ok := c.Index(sender); !ok {
		v.count("unknown_signer")
		return p2p.ErrUnknownSigner
	}
	return nil
}

// Validate implements p2p.Validator.
func (v RepublishValidator) Validate(m *p2p.Message) error {
	_, err := v.Check(m.Payload, m.Eon)
	return err
}

// Check decodes a republished batch and checks the sequencer's signature
// and the attestation.
func (v RepublishValidator) Check(payload []byte, eon uint64) (*Republished, error) {
	r, err := DecodeRepublished(payload, v.ChainID, eon, v.Limits)
	if err == nil {
		var signer common.Address
		if signer, err = r.Batch.Signer(); err != nil || signer != v.Sequencer {
			err = fmt.Errorf("%w: batch %d signed by %s (%v)", ErrRepublishSignature, r.Batch.Commitment.Number, signer, err)
		}
	}
	if err == nil {
		pk, ok := v.EonKey(eon)
		switch {
		case !ok:
			err = fmt.Errorf("%w: eon %d", ErrRepublishUnknownEon, eon)
		default:
			if aerr := r.Keys.VerifyAttestation(pk); aerr != nil {
				err = fmt.Errorf("%w: batch %d: %v", ErrRepublishAttestation, r.Batch.Commitment.Number, aerr)
			}
		}
	}
	if err != nil {
		v.count(republishReason(err))
		return nil, err
	}
	return r, nil
}

func (v RepublishValidator) count(reason string) {
	if v.Invalid != nil {
		v.Invalid.WithLabelValues(reason).Inc()
	}
}

func republishReason(err error) string {
	for _, r := range []struct {
		err  error
		name string
	}{{ErrRepublishMalformed, "malformed"}, {ErrRepublishMismatch, "mismatch"}, {ErrRepublishSignature, "sequencer_signature"},
		{ErrRepublishUnknownEon, "unknown_eon"}, {ErrRepublishAttestation, "attestation"}} {
		if errors.Is(err, r.err) {
			return r.name
		}
	}
	return "other"
}

// KeysMessage returns the batch's keys as the sequencer publishes and
// posts them (batch.KeysMessage).
func (k *BatchKeys) KeysMessage(chainID uint64) *batch.KeysMessage {
	m := &batch.KeysMessage{ChainID: chainID, Eon: k.Eon, Number: k.Number, Hash: k.Hash, Attestation: k.Attestation.Bytes(),
		Keys: make([]byte, 0, len(k.Keys)*tpke.G1Size)}
	for _, s := range k.Signers {
		m.Signers = append(m.Signers, uint32(s))
	}
	for _, key := range k.Keys {
		m.Keys = append(m.Keys, key.Bytes()...)
	}
	return m
}

// RepublishConfig turns on re-publication in a keyper node. Posted is
// required; EonKey and PublicShares (the DKG's) let the node aggregate
// the committee's shares (Run sets them).
type RepublishConfig struct {
	// Posted returns BatchInbox's nextNumber: every batch below it is on
	// L1 (package rescue's NextNumber reads it).
	Posted func(ctx context.Context) (uint64, error)
	// After: a released batch not on L1 this long after its release is
	// re-published, and again at most once per After
	// (DefaultRepublishAfter).
	After time.Duration
	// Poll is how often L1 is read (After/4, at most 5 s, by default).
	Poll         time.Duration
	EonKey       *tpke.EonPublicKey
	PublicShares []*tpke.PublicShare
}

// republisher is a node's re-publication. It keeps each batch the node
// released until it is on L1, with the share messages of the committee
// for it (its own and those it reads on the shares topic, one per keyper);
// when the batch stays off L1 for After, it aggregates them with a
// Collector into the keys and the attestation and publishes the batch on
// TopicRepublish. Shares are verified only then: while the sequencer posts
// normally, keeping them costs memory, not pairings.
type republisher struct {
	cfg       RepublishConfig
	chainID   uint64
	eon       uint64
	members   int
	log       *slog.Logger
	collector *Collector
	topic     *p2p.Topic
	signer    *p2p.Signer
	metrics   *prometheus.CounterVec

	mu       sync.Mutex
	pending  map[uint64]*toRepublish
	highest  uint64 // highest batch released
	onL1Next uint64 // BatchInbox's nextNumber as last read
}

type toRepublish struct {
	raw   []byte   // the batch's wire encoding (nil until released here)
	rel   *Release // nil until released here
	keys  *BatchKeys
	msgs  map[uint32]*ShareMessage
	since time.Time // the release, or the last re-publication seen or sent
}

// earlyShares is how far beyond the highest batch released here others'
// share messages are kept (they may come before this keyper's release).
const earlyShares = 16

// startRepublisher joins TopicRepublish and starts the republisher; the
// returned function stops it.
func (n *Node) startRepublisher(ctx context.Context) (func(), error) {
	cfg := *n.cfg.Republish
	if cfg.Posted == nil || cfg.EonKey == nil || len(cfg.PublicShares) != len(n.cfg.Committee.Members) {
		return nil, fmt.Errorf("%w: re-publication needs an L1 reader, the eon key and every member's public share", ErrRunConfig)
	}
	if cfg.After <= 0 {
		cfg.After = DefaultRepublishAfter
	}
	if cfg.Poll <= 0 {
		cfg.Poll = min(cfg.After/4, 5*time.Second)
	}
	c := n.cfg.Committee
	members := make([]common.Address, len(c.Members))
	for i, m := range c.Members {
		members[i] = m.Address
	}
	col, err := NewCollector(CollectorConfig{ChainID: n.cfg.Release.ChainID, Eon: n.cfg.Release.Eon, Threshold: c.Threshold, Members: members,
		EonKey: cfg.EonKey, PublicShares: cfg.PublicShares, PointCache: n.cache})
	if err != nil {
		return nil, err
	}
	r := &republisher{cfg: cfg, chainID: n.cfg.Release.ChainID, eon: n.cfg.Release.Eon, members: len(members), log: n.log, collector: col,
		signer: n.signer, pending: map[uint64]*toRepublish{},
		metrics: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "veil", Subsystem: "keyper", Name: "republish_total",
			Help: "Batches for re-publication, by outcome: sent by this keyper, seen from another, posted (on L1, dropped), no_keys (due without a threshold of valid shares)."},
			[]string{"outcome"})}
	invalid, err := NewRepublishInvalid(n.cfg.Registry)
	if err != nil {
		return nil, err
	}
	if n.cfg.Registry != nil {
		if err := n.cfg.Registry.Register(r.metrics); err != nil {
			return nil, err
		}
	}
	pk := cfg.EonKey
	if r.topic, err = n.cfg.P2P.Join(TopicRepublish, RepublishValidator{ChainID: r.chainID, Sequencer: c.Sequencer, Eons: NewEons(c),
		EonKey:  func(eon uint64) (*tpke.EonPublicKey, bool) { return pk, eon == r.eon },
		Limits:  batch.Limits{MaxTxs: n.cfg.Release.MaxTxs, MaxBytes: n.cfg.Release.MaxBytes, MaxDeposits: batch.DefaultLimits.MaxDeposits},
		Invalid: invalid}); err != nil {
		return nil, err
	}
	// Subscribed so that the node relays others' republications (and
	// notes them: a batch someone republished waits another After).
	sub, cancelSub, err := r.topic.Subscribe()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	n.rep = r
	var wg sync.WaitGroup
	wg.Go(func() {
		for m := range sub {
			if !m.Local {
				r.seen(m.Message.Payload)
			}
		}
	})
	wg.Go(func() { r.loop(ctx) })
	return func() { cancel(); cancelSub(); wg.Wait() }, nil
}

// entry returns batch num's entry, creating it; r.mu is held.
func (r *republisher) entry(num uint64) *toRepublish {
	p := r.pending[num]
	if p == nil {
		p = &toRepublish{msgs: map[uint32]*ShareMessage{}}
		r.pending[num] = p
	}
	return p
}

// released takes a batch this node released (or released again) with its
// own share message.
func (r *republisher) released(raw []byte, rel *Release, own *ShareMessage) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if rel.Number < r.onL1Next {
		return
	}
	p := r.entry(rel.Number)
	if p.rel == nil {
		p.raw, p.rel, p.since = raw, rel, time.Now()
	}
	if p.msgs[own.Keyper] == nil {
		p.msgs[own.Keyper] = own
	}
	r.highest = max(r.highest, rel.Number)
	for len(r.pending) > maxRepublishPending {
		oldest := rel.Number
		for num := range r.pending {
			oldest = min(oldest, num)
		}
		delete(r.pending, oldest)
	}
}

// shares keeps another keyper's share message (the first per keyper per
// batch; its signature and shares are checked when they are needed).
func (r *republisher) shares(m *ShareMessage) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if m.Eon != r.eon || m.Number < r.onL1Next || m.Number > r.highest+earlyShares || int(m.Keyper) >= r.members {
		return
	}
	p := r.entry(m.Number)
	if p.msgs[m.Keyper] == nil {
		p.msgs[m.Keyper] = m
	}
}

// seen notes another keyper's republication of a batch (it passed the
// topic validator).
func (r *republisher) seen(payload []byte) {
	var m RepublishMessage
	if rlp.DecodeBytes(payload, &m) != nil {
		return
	}
	r.metrics.WithLabelValues("seen").Inc()
	r.mu.Lock()
	defer r.mu.Unlock()
	for num, p := range r.pending {
		if p.raw != nil && bytes.Equal(p.raw, m.Batch) {
			p.since = time.Now()
			r.log.Debug("batch republished by another keyper", "batch", num)
		}
	}
}

func (r *republisher) loop(ctx context.Context) {
	t := time.NewTicker(r.cfg.Poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		r.mu.Lock()
		empty := len(r.pending) == 0
		r.mu.Unlock()
		if empty {
			continue
		}
		next, err := r.cfg.Posted(ctx)
		if err != nil {
			if ctx.Err() == nil {
				r.log.Warn("reading the batches posted on L1 failed", "err", err)
			}
			continue
		}
		r.step(ctx, next, time.Now())
	}
}

// step drops the batches below next (on L1) and re-publishes, in number
// order, the released ones that have waited After.
func (r *republisher) step(ctx context.Context, next uint64, now time.Time) {
	var due []uint64
	r.mu.Lock()
	r.onL1Next = max(r.onL1Next, next)
	for num, p := range r.pending {
		switch {
		case num < next:
			delete(r.pending, num)
			if p.rel != nil {
				r.metrics.WithLabelValues("posted").Inc()
			}
		case p.rel != nil && now.Sub(p.since) >= r.cfg.After:
			due = append(due, num)
		}
	}
	r.mu.Unlock()
	sort.Slice(due, func(i, j int) bool { return due[i] < due[j] })
	for _, num := range due {
		if err := r.republish(ctx, num, next, now); err != nil {
			r.log.Warn("republishing batch failed", "batch", num, "err", err)
		}
	}
}

// republish aggregates batch num's keys when they are not in yet and
// publishes the batch.
func (r *republisher) republish(ctx context.Context, num, next uint64, now time.Time) error {
	r.mu.Lock()
	p := r.pending[num]
	if p == nil {
		r.mu.Unlock()
		return nil
	}
	keys, rel, raw := p.keys, p.rel, p.raw
	msgs := make([]*ShareMessage, 0, len(p.msgs))
	for _, m := range p.msgs {
		msgs = append(msgs, m)
	}
	r.mu.Unlock()
	if keys == nil {
		keys = r.collect(rel, msgs)
		if keys == nil {
			// Not a threshold of valid shares yet: more may come, and the
			// batch is tried again at the next poll.
			r.metrics.WithLabelValues("no_keys").Inc()
			return nil
		}
		r.mu.Lock()
		p.keys = keys
		r.mu.Unlock()
	}
	msg := RepublishMessage{Batch: raw, Keyed: make([]uint32, len(rel.Keyed))}
	for i, k := range rel.Keyed {
		msg.Keyed[i] = uint32(k.Index)
	}
	var err error
	if msg.Keys, err = keys.KeysMessage(r.chainID).Encode(); err != nil {
		return err
	}
	payload, err := msg.Encode()
	if err != nil {
		return err
	}
	if err := r.topic.Publish(ctx, r.signer, r.eon, payload); err != nil {
		return err
	}
	r.mu.Lock()
	p.since = now
	r.mu.Unlock()
	r.metrics.WithLabelValues("sent").Inc()
	r.log.Info("republished a batch not on L1", "batch", num, "hash", rel.Hash, "l1_next", next, "keyed", len(rel.Keyed))
	return nil
}

// collect checks the kept share messages for rel and aggregates the first
// threshold of valid ones (nil when there are not enough).
func (r *republisher) collect(rel *Release, msgs []*ShareMessage) *BatchKeys {
	defer r.collector.Forget(rel.Number)
	keys, err := r.collector.Expect(rel)
	if err != nil {
		r.log.Debug("collecting shares to republish", "batch", rel.Number, "err", err)
	}
	for _, m := range msgs {
		if keys != nil {
			break
		}
		k, err := r.collector.Add(m)
		if err != nil {
			r.log.Warn("share message not usable to republish", "batch", rel.Number, "keyper", m.Keyper, "err", err)
		}
		keys = k
	}
	return keys
}
