// DKG over the network: RunDKG drives the pure core of keyper/dkg for one
// eon over the p2p topic "dkg", persisting before it sends.
//
// # Attempts, not eons
//
// A failed run is retried under the same eon with the next attempt number:
// the session nonce is dkg.SessionNonce(chainID, eon, attempt, participants),
// so every attempt is a fresh, unrelated run, while the result keeps the
// committee's eon, the number everything else (identities, envelopes,
// messages) uses. Attempts are numbered 0..MaxAttempts-1; after the last one
// fails RunDKG returns ErrDKGAttempts. Every packet carries its attempt in
// the payload (dkgEnvelope: attempt, the sender's phase, the dkg wire
// packet); packets of an earlier attempt are dropped (reason old_attempt).
// A keyper joins a later attempt a when Committee.Tolerated+1 members
// publish packets of attempt a while in its deal phase (so at least one
// honest member is there and its deal can still count); packets of a later
// attempt that do not satisfy this are dropped (future_attempt). This keeps
// a keyper that started late, or came back, in step with the others.
//
// # Phases and timeouts
//
// The core runs in fast sync: a phase ends as soon as a packet from every
// member is in, so a healthy committee finishes in a few round trips. Each
// phase also has a deadline, PhaseTimeout, after which Timeout{Phase} is
// fed. The response and justification deadlines start when the keyper
// enters the phase (or resumes in it). The deal deadline starts only once
// deals from a threshold of members (this one's included) are in: before
// that a timeout could only fail the attempt, so a keyper started before
// the others waits for them instead of burning attempts. With a member
// offline a run takes three timeouts (deal, response, justification); with
// fewer than a threshold online it waits (phase gauge at "deal"). A result
// with fewer qualified dealers than the threshold counts as a failed attempt
// (ErrDKGQualified). The keyper publishes its own packets of the attempt
// when it makes them and again every Republish interval (the payload is
// identical; p2p's SentAt makes each publication new), so members that
// joined late get them; after the result it keeps doing so for two more
// intervals, then leaves the topic.
//
// # Persistence and resumption
//
// Save before send: the attempt's seed is written as a secret file
// (WriteSecretFile, mode 0600, sealed when a passphrase is given) and the
// attempt recorded in the store before its first packet exists; every event
// the core accepts (start, a packet from a peer, a timeout) is appended to
// the attempt's log together with the packets it produced, in one bbolt
// transaction, before those packets are published; the key share is written
// as a secret file and the result's public data recorded (in the same
// transaction as the last log entry) before RunDKG returns.
//
// On start, a recorded result is returned without touching the network
// (LoadDKGResult reads it for the node). An attempt in progress is resumed:
// the core is rebuilt from the same seed and nonce and the log replayed, so
// it reaches the same state, and the keyper publishes the packets it stored,
// never the ones the replay made again: kyber encrypts deals with fresh
// ECIES randomness, so a regenerated deal differs in its bytes and peers
// would take two deals from one dealer for equivocation. Responses and
// justifications are deterministic (same state, deterministic Schnorr); the
// replay checks they come out byte for byte as stored. An attempt that
// cannot be resumed exactly (its seed file is gone after packets were sent,
// or the replay disagrees with the log) is abandoned for the next attempt:
// the others time out on this keyper and fail the attempt too if they need
// it, or finish without it.
//
// # Limits
//
// A keyper offline for a whole successful run gets no share of that eon.
// Pedersen's DKG assumes a synchronous broadcast: with timeouts, a packet
// that reaches some keypers before their deadline and others after can leave
// them with different results (different qualified sets) or some with none.
// Agreement on the eon key belongs to the step that registers it (t keypers
// must publish the same key), not to this driver. A keyper whose attempt
// failed while the others finished waits in its next attempt's deal phase
// for deals that never come: bound RunDKG with ctx.

package keyper

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"slices"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/veil-l2/veil/internal/p2p"
	"github.com/veil-l2/veil/keyper/dkg"
)

// TopicDKG is the gossip topic (kind) of DKG packets.
const TopicDKG = "dkg"

// Defaults of DKGConfig.
const (
	DefaultDKGPhaseTimeout = 10 * time.Second
	DefaultDKGRepublish    = 500 * time.Millisecond
	DefaultDKGMaxAttempts  = 5
)

// DKG driver errors. Bad packets from peers are dropped with ErrDKGPayload,
// ErrDKGSender or ErrDKGAttempt (or the core's dkg.Err...), counted in
// veil_keyper_dkg_packets_rejected_total by reason.
var (
	ErrDKGConfig    = errors.New("keyper: invalid dkg config")
	ErrDKGAttempts  = errors.New("keyper: dkg failed in every attempt")
	ErrDKGCommittee = errors.New("keyper: the stored dkg state belongs to another committee")
	ErrDKGResume    = errors.New("keyper: stored dkg attempt cannot be resumed")
	ErrDKGNetwork   = errors.New("keyper: dkg subscription closed")
	ErrDKGPayload   = errors.New("keyper: malformed dkg payload")
	ErrDKGSender    = errors.New("keyper: dkg packet index does not match its signer")
	ErrDKGAttempt   = errors.New("keyper: dkg packet of another attempt")
	// ErrDKGQualified fails an attempt whose result has fewer qualified
	// dealers than the threshold (kyber's fast sync can otherwise end with
	// a key made from few polynomials, even this keyper's alone, when
	// responses are lost).
	ErrDKGQualified = errors.New("keyper: dkg result has fewer qualified dealers than the threshold")
)

// DKGConfig configures RunDKG for one keyper and one eon.
type DKGConfig struct {
	Committee *Committee
	// Index is this keyper's position in Committee.Members.
	Index int
	Keys  *Keys
	// P2P carries the packets; it may be nil only when a result is already
	// recorded. RunDKG joins TopicDKG and leaves it before returning.
	P2P   *p2p.Node
	Store *Store
	// Dir holds the secret files (seeds, key share); "" means the
	// directory of the store file.
	Dir string
	// Passphrase seals the secret files when not empty.
	Passphrase []byte
	// PhaseTimeout is how long a phase waits for missing packets
	// (DefaultDKGPhaseTimeout when 0).
	PhaseTimeout time.Duration
	// Republish is the interval of re-publishing own packets
	// (DefaultDKGRepublish when 0).
	Republish time.Duration
	// MaxAttempts bounds the attempts (DefaultDKGMaxAttempts when 0).
	MaxAttempts int
	Logger      *slog.Logger
	Registry    prometheus.Registerer
	// Rand supplies the seeds (crypto/rand when nil).
	Rand io.Reader

	// crashAfterPersist, for tests, is asked after every store write that
	// precedes a send; when it says true RunDKG returns errCrashed without
	// sending, as if the process had died there.
	crashAfterPersist func(phase dkg.Phase, sent []dkg.Message) bool
	// dropPacket, for tests, drops a peer's packet before the core sees it.
	dropPacket func(attempt uint64, m dkg.Message) bool
}

var errCrashed = errors.New("keyper: dkg driver stopped by test hook")

// Check rejects a configuration RunDKG cannot work with.
func (c *DKGConfig) Check() error {
	switch {
	case c.Committee == nil:
		return fmt.Errorf("%w: a committee is required", ErrDKGConfig)
	case c.Keys == nil || c.Keys.Signing == nil || c.Keys.DKG == nil:
		return fmt.Errorf("%w: the keyper's signing and dkg keys are required", ErrDKGConfig)
	case c.Store == nil:
		return fmt.Errorf("%w: a store is required", ErrDKGConfig)
	case c.PhaseTimeout < 0 || c.Republish < 0 || c.MaxAttempts < 0:
		return fmt.Errorf("%w: timeouts and the attempt limit must not be negative", ErrDKGConfig)
	}
	if err := c.Committee.Check(); err != nil {
		return fmt.Errorf("%w: %w", ErrDKGConfig, err)
	}
	if c.Index < 0 || c.Index >= len(c.Committee.Members) {
		return fmt.Errorf("%w: index %d, the committee has %d members", ErrDKGConfig, c.Index, len(c.Committee.Members))
	}
	m := c.Committee.Members[c.Index]
	if m.Address != c.Keys.Address() {
		return fmt.Errorf("%w: member %d is %s, the signing key is %s's", ErrDKGConfig, c.Index, m.Address, c.Keys.Address())
	}
	if pub, err := c.Keys.DKGPublic(); err != nil || pub != m.DKGPublicKey {
		return fmt.Errorf("%w: the dkg key is not member %d's", ErrDKGConfig, c.Index)
	}
	return nil
}

// dkgMetrics are the driver's metrics; several runs (eons) share them.
type dkgMetrics struct {
	phase    prometheus.Gauge
	attempt  prometheus.Gauge
	attempts prometheus.Counter
	rejected *prometheus.CounterVec
}

func newDKGMetrics(reg prometheus.Registerer) (*dkgMetrics, error) {
	m := &dkgMetrics{
		phase: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "veil", Subsystem: "keyper", Name: "dkg_phase",
			Help: "Phase of the running DKG attempt: 0 init, 1 deal, 2 response, 3 justification, 4 done, 5 failed."}),
		attempt: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "veil", Subsystem: "keyper", Name: "dkg_attempt",
			Help: "Number of the running DKG attempt (0 is the first)."}),
		attempts: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "veil", Subsystem: "keyper", Name: "dkg_attempts_total",
			Help: "DKG attempts begun, resumed ones included."}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "veil", Subsystem: "keyper", Name: "dkg_packets_rejected_total",
			Help: "DKG packets from peers dropped, by reason."}, []string{"reason"}),
	}
	var err error
	if m.phase, err = registerOrReuse(reg, m.phase); err != nil {
		return nil, err
	}
	if m.attempt, err = registerOrReuse(reg, m.attempt); err != nil {
		return nil, err
	}
	if m.attempts, err = registerOrReuse(reg, m.attempts); err != nil {
		return nil, err
	}
	if m.rejected, err = registerOrReuse(reg, m.rejected); err != nil {
		return nil, err
	}
	return m, nil
}

// registerOrReuse registers c, or returns the collector already registered
// under its name (a keyper runs one DKG per eon on one registry).
func registerOrReuse[T prometheus.Collector](reg prometheus.Registerer, c T) (T, error) {
	if reg == nil {
		return c, nil
	}
	err := reg.Register(c)
	if err == nil {
		return c, nil
	}
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(T); ok {
			return existing, nil
		}
	}
	return c, fmt.Errorf("keyper: registering dkg metrics: %w", err)
}

// rejectReasons name the reasons of dropped packets for the metric.
var rejectReasons = []struct {
	err  error
	name string
}{
	{ErrDKGPayload, "malformed"}, {dkg.ErrWire, "malformed"}, {ErrDKGSender, "wrong_sender"},
	{dkg.ErrBadSignature, "bad_signature"}, {dkg.ErrUnknownSender, "unknown_sender"},
	{dkg.ErrEquivocation, "equivocation"}, {dkg.ErrLate, "late"}, {dkg.ErrMalformed, "invalid"},
	{dkg.ErrState, "state"},
}

func rejectReason(err error) string {
	for _, r := range rejectReasons {
		if errors.Is(err, r.err) {
			return r.name
		}
	}
	return "other"
}

// dkgEnvelope is the payload of a p2p message on TopicDKG.
type dkgEnvelope struct {
	Attempt uint64
	// Phase is the sender's phase when it published (a keyper joins a
	// later attempt only while its members are dealing).
	Phase uint8
	// Packet is one dkg packet in dkg wire encoding.
	Packet []byte
}

func (e *dkgEnvelope) encode() ([]byte, error) { return rlp.EncodeToBytes(e) }

// decodeDKGEnvelope decodes a payload strictly (canonical RLP, nothing
// trailing, a known phase, a packet present); the packet is not decoded.
func decodeDKGEnvelope(b []byte) (*dkgEnvelope, error) {
	var e dkgEnvelope
	if err := rlp.DecodeBytes(b, &e); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDKGPayload, err)
	}
	if e.Phase > uint8(dkg.PhaseFailed) {
		return nil, fmt.Errorf("%w: phase %d", ErrDKGPayload, e.Phase)
	}
	if len(e.Packet) == 0 {
		return nil, fmt.Errorf("%w: no packet", ErrDKGPayload)
	}
	return &e, nil
}

// packetIndex is the participant a packet is from.
func packetIndex(m dkg.Message) uint32 {
	switch {
	case m.Deal != nil:
		return m.Deal.DealerIndex
	case m.Response != nil:
		return m.Response.ShareIndex
	default:
		return m.Justification.DealerIndex
	}
}

func packetEvent(m dkg.Message) dkg.Event {
	switch {
	case m.Deal != nil:
		return dkg.DealReceived{Bundle: m.Deal}
	case m.Response != nil:
		return dkg.ResponseReceived{Bundle: m.Response}
	default:
		return dkg.JustificationReceived{Bundle: m.Justification}
	}
}

// dkgValidator admits messages on TopicDKG from committee members for the
// committee's eon whose payload decodes, carries an attempt in range and a
// packet of the signer's own index. Which attempt is current is the
// driver's business, not gossip's.
type dkgValidator struct {
	c           *Committee
	maxAttempts uint64
	metrics     *dkgMetrics
}

func (v dkgValidator) KnownSigner(sender common.Address, _ string, eon uint64) error {
	if _, ok := v.c.Index(sender); !ok {
		return fmt.Errorf("%w: %s is not a committee member", p2p.ErrUnknownSigner, sender)
	}
	if eon != v.c.Eon {
		return fmt.Errorf("%w: eon %d, the committee's is %d", p2p.ErrUnknownSigner, eon, v.c.Eon)
	}
	return nil
}

func (v dkgValidator) Validate(m *p2p.Message) error {
	err := v.check(m)
	if err != nil {
		reason := rejectReason(err)
		if errors.Is(err, ErrDKGAttempt) {
			reason = "attempt_range"
		}
		v.metrics.rejected.WithLabelValues(reason).Inc()
	}
	return err
}

func (v dkgValidator) check(m *p2p.Message) error {
	e, err := decodeDKGEnvelope(m.Payload)
	if err != nil {
		return err
	}
	if e.Attempt >= v.maxAttempts {
		return fmt.Errorf("%w: attempt %d, at most %d", ErrDKGAttempt, e.Attempt, v.maxAttempts-1)
	}
	pkt, err := dkg.DecodeMessage(e.Packet)
	if err != nil {
		return err
	}
	idx, _ := v.c.Index(m.Sender)
	if got := packetIndex(pkt); got != uint32(idx) {
		return fmt.Errorf("%w: packet of %d signed by member %d", ErrDKGSender, got, idx)
	}
	return nil
}

// RunDKG runs the DKG of cfg.Committee's eon for keyper cfg.Index until it
// has a result, which it records and returns; see the comment at the top of
// this file for attempts, timeouts and resumption. A result already
// recorded is returned at once, without the network. It returns
// ErrDKGAttempts when every attempt failed and ctx.Err() when ctx ends
// first (the run resumes from the store when called again).
func RunDKG(ctx context.Context, cfg DKGConfig) (*dkg.Result, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	if cfg.PhaseTimeout == 0 {
		cfg.PhaseTimeout = DefaultDKGPhaseTimeout
	}
	if cfg.Republish == 0 {
		cfg.Republish = DefaultDKGRepublish
	}
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = DefaultDKGMaxAttempts
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.Dir == "" {
		cfg.Dir = cfg.Store.dkgDir()
	}
	parts, err := cfg.Committee.Participants()
	if err != nil {
		return nil, err
	}
	session, err := dkg.SessionNonce(cfg.Committee.ChainID, cfg.Committee.Eon, 0, parts)
	if err != nil {
		return nil, err
	}
	eon := cfg.Committee.Eon
	log := cfg.Logger.With("eon", eon, "keyper", cfg.Index)

	res, rec, err := loadDKGResult(cfg.Store, cfg.Dir, cfg.Passphrase, eon)
	switch {
	case err == nil:
		if !slices.Equal(rec.Session, session[:]) || rec.Index != cfg.Index || rec.Threshold != cfg.Committee.Threshold {
			return nil, fmt.Errorf("%w: eon %d", ErrDKGCommittee, eon)
		}
		log.Info("dkg result already recorded", "attempt", rec.Attempt)
		if err := removeDKGSeeds(cfg.Dir, eon, rec.Attempt); err != nil {
			log.Warn("removing dkg seed files failed", "err", err)
		}
		return res, nil
	case !errors.Is(err, ErrNoDKGResult):
		return nil, err
	}
	if cfg.P2P == nil {
		return nil, fmt.Errorf("%w: a p2p node is required to run the dkg", ErrDKGConfig)
	}
	m, err := newDKGMetrics(cfg.Registry)
	if err != nil {
		return nil, err
	}
	signer, err := p2p.NewSigner(cfg.Keys.Signing)
	if err != nil {
		return nil, err
	}
	topic, err := cfg.P2P.Join(TopicDKG, dkgValidator{c: cfg.Committee, maxAttempts: uint64(cfg.MaxAttempts), metrics: m})
	if err != nil {
		return nil, err
	}
	sub, stop, err := topic.Subscribe()
	if err != nil {
		topic.Close()
		return nil, err
	}
	defer func() {
		stop()
		if err := topic.Close(); err != nil {
			log.Warn("leaving the dkg topic failed", "err", err)
		}
	}()
	d := &dkgDriver{cfg: cfg, log: log, m: m, parts: parts, session: session, signer: signer, topic: topic,
		eon: eon, claims: map[uint64]map[int]bool{}}
	d.timer = time.NewTimer(time.Hour)
	defer d.timer.Stop()
	if err := d.resume(ctx); err != nil {
		return nil, err
	}
	return d.loop(ctx, sub)
}

// dkgDriver is one RunDKG call's state; only its loop touches it.
type dkgDriver struct {
	cfg     DKGConfig
	log     *slog.Logger
	m       *dkgMetrics
	parts   []dkg.Participant
	session [32]byte
	signer  *p2p.Signer
	topic   *p2p.Topic
	eon     uint64

	attempt uint64
	core    *dkg.DKG
	phase   dkg.Phase
	// own are the packets this keyper sent in the attempt, as stored.
	own [][]byte
	// seen holds the hashes of packets of the attempt already fed.
	seen map[[32]byte]bool
	// dealers are the members whose deal the core accepted, this one's
	// included: the deal phase's deadline runs once a threshold is in.
	dealers map[uint32]bool
	// claims[a] are the members seen publishing attempt a in its deal phase.
	claims  map[uint64]map[int]bool
	lastErr error
	timer   *time.Timer
	armed   bool
	result  *dkg.Result
}

// resume continues the recorded attempt, or begins attempt 0.
func (d *dkgDriver) resume(ctx context.Context) error {
	rec, err := d.cfg.Store.dkgAttempt(d.eon)
	if err != nil {
		return err
	}
	if rec == nil {
		return d.begin(ctx, 0)
	}
	if !slices.Equal(rec.Session, d.session[:]) || rec.Index != d.cfg.Index || rec.Threshold != d.cfg.Committee.Threshold {
		return fmt.Errorf("%w: eon %d", ErrDKGCommittee, d.eon)
	}
	entries, err := d.cfg.Store.dkgLog(d.eon, rec.Attempt)
	if err != nil {
		return err
	}
	seed, err := readDKGSeed(d.cfg.Dir, d.eon, rec.Attempt, d.cfg.Passphrase)
	if errors.Is(err, fs.ErrNotExist) {
		if !slices.ContainsFunc(entries, func(e dkgLogEntry) bool { return len(e.Sent) > 0 }) {
			// Nothing of the attempt was sent: it can start over.
			d.log.Warn("dkg seed missing, restarting the attempt", "attempt", rec.Attempt)
			return d.begin(ctx, rec.Attempt)
		}
		d.lastErr = fmt.Errorf("%w: attempt %d: seed file missing", ErrDKGResume, rec.Attempt)
		d.log.Warn("dkg attempt abandoned", "attempt", rec.Attempt, "err", d.lastErr)
		return d.begin(ctx, rec.Attempt+1)
	}
	if err != nil {
		return err // a wrong passphrase or a damaged file is the operator's to fix
	}
	out, err := d.replay(rec.Attempt, seed, entries)
	if err != nil {
		d.lastErr = err
		d.log.Warn("dkg attempt abandoned", "attempt", rec.Attempt, "err", err)
		return d.begin(ctx, rec.Attempt+1)
	}
	d.m.attempts.Inc()
	d.m.attempt.Set(float64(d.attempt))
	d.log.Info("dkg attempt resumed", "attempt", d.attempt, "phase", d.core.Phase(), "events", len(entries), "stored_packets", len(d.own))
	switch {
	case out.Result != nil:
		return d.finish(ctx, out.Result, nil)
	case out.Failed != nil:
		return d.failed(ctx, out.Failed)
	case d.core.Phase() == dkg.PhaseInit:
		// Stopped before its deal was stored: nothing was sent yet.
		out, err := d.core.Step(dkg.Start{})
		if err != nil {
			return err
		}
		return d.apply(ctx, &dkgLogEntry{Kind: dkgEventStart}, out)
	}
	d.setPhase(d.core.Phase())
	d.republish(ctx)
	return nil
}

// newCore builds the core of an attempt.
func (d *dkgDriver) newCore(attempt uint64, seed [32]byte) (*dkg.DKG, error) {
	nonce, err := dkg.SessionNonce(d.cfg.Committee.ChainID, d.eon, attempt, d.parts)
	if err != nil {
		return nil, err
	}
	return dkg.New(dkg.Config{Eon: d.eon, Threshold: uint32(d.cfg.Committee.Threshold), Participants: d.parts,
		Longterm: d.cfg.Keys.DKG, Nonce: nonce, Seed: seed})
}

func (d *dkgDriver) reset(attempt uint64, core *dkg.DKG) {
	d.attempt, d.core, d.own, d.seen, d.phase = attempt, core, nil, map[[32]byte]bool{}, dkg.PhaseInit
	d.dealers = map[uint32]bool{uint32(d.cfg.Index): true} // Start comes first
	d.timer.Stop()
	d.armed = false
	for a := range d.claims {
		if a <= attempt {
			delete(d.claims, a)
		}
	}
}

// replay rebuilds the attempt's core from its seed and log. The packets the
// log says were sent become the ones to publish; the replay's own must match
// them, deals excepted (their encryption is randomised).
func (d *dkgDriver) replay(attempt uint64, seed [32]byte, entries []dkgLogEntry) (dkg.Output, error) {
	core, err := d.newCore(attempt, seed)
	if err != nil {
		return dkg.Output{}, fmt.Errorf("%w: %w", ErrDKGResume, err)
	}
	d.reset(attempt, core)
	var out dkg.Output
	for i, e := range entries {
		var ev dkg.Event
		switch e.Kind {
		case dkgEventStart:
			ev = dkg.Start{}
		case dkgEventTimeout:
			if e.Phase < dkg.PhaseDeal || e.Phase > dkg.PhaseJustification {
				return out, fmt.Errorf("%w: entry %d: timeout of phase %d", ErrDKGResume, i, int(e.Phase))
			}
			ev = dkg.Timeout{Phase: e.Phase}
		case dkgEventPacket:
			m, err := dkg.DecodeMessage(e.Packet)
			if err != nil {
				return out, fmt.Errorf("%w: entry %d: %w", ErrDKGResume, i, err)
			}
			ev = packetEvent(m)
			d.seen[sha256.Sum256(e.Packet)] = true
		default:
			return out, fmt.Errorf("%w: entry %d of unknown kind %q", ErrDKGResume, i, e.Kind)
		}
		o, err := core.Step(ev)
		if err != nil && !errors.Is(err, dkg.ErrEquivocation) {
			return out, fmt.Errorf("%w: entry %d: %w", ErrDKGResume, i, err)
		}
		if deal, ok := ev.(dkg.DealReceived); ok && err == nil {
			d.dealers[deal.Bundle.DealerIndex] = true
		}
		o = d.vet(o)
		if len(o.Send) != len(e.Sent) {
			return out, fmt.Errorf("%w: entry %d: %d packets made, %d stored", ErrDKGResume, i, len(o.Send), len(e.Sent))
		}
		for k, m := range o.Send {
			if m.Deal != nil {
				continue
			}
			raw, err := dkg.EncodeMessage(m)
			if err != nil || !slices.Equal(raw, e.Sent[k]) {
				return out, fmt.Errorf("%w: entry %d: a packet differs from the stored one", ErrDKGResume, i)
			}
		}
		d.own = append(d.own, e.Sent...)
		out = o
	}
	return out, nil
}

// begin starts attempt a: seed file, attempt record, then the core's Start.
func (d *dkgDriver) begin(ctx context.Context, a uint64) error {
	if a >= uint64(d.cfg.MaxAttempts) {
		last := d.lastErr
		if last == nil {
			last = errors.New("no attempt left")
		}
		return fmt.Errorf("%w: eon %d, %d attempts: %w", ErrDKGAttempts, d.eon, d.cfg.MaxAttempts, last)
	}
	var seed [32]byte
	if _, err := io.ReadFull(d.cfg.Rand, seed[:]); err != nil {
		return fmt.Errorf("keyper: dkg seed: %w", err)
	}
	core, err := d.newCore(a, seed)
	if err != nil {
		return err
	}
	if err := writeDKGSeed(d.cfg.Dir, d.eon, a, seed, d.cfg.Passphrase); err != nil {
		return err
	}
	if err := d.cfg.Store.dkgBegin(d.eon, dkgAttemptRecord{Attempt: a, Session: d.session[:], Index: d.cfg.Index,
		Threshold: d.cfg.Committee.Threshold}); err != nil {
		return err
	}
	d.reset(a, core)
	d.m.attempts.Inc()
	d.m.attempt.Set(float64(a))
	d.log.Info("dkg attempt begun", "attempt", a)
	out, err := core.Step(dkg.Start{})
	if err != nil {
		return err
	}
	return d.apply(ctx, &dkgLogEntry{Kind: dkgEventStart}, out)
}

// apply records an accepted event with the packets it produced, then sends
// them and acts on the output.
func (d *dkgDriver) apply(ctx context.Context, e *dkgLogEntry, out dkg.Output) error {
	out = d.vet(out)
	for _, m := range out.Send {
		raw, err := dkg.EncodeMessage(m)
		if err != nil {
			return fmt.Errorf("keyper: encoding own dkg packet: %w", err)
		}
		e.Sent = append(e.Sent, raw)
	}
	if out.Result != nil {
		return d.finish(ctx, out.Result, e)
	}
	if err := d.cfg.Store.dkgAppend(d.eon, d.attempt, e, nil); err != nil {
		return err
	}
	if d.cfg.crashAfterPersist != nil && d.cfg.crashAfterPersist(out.Phase, out.Send) {
		return errCrashed
	}
	d.own = append(d.own, e.Sent...)
	for _, raw := range e.Sent {
		d.publish(ctx, raw, out.Phase)
	}
	if out.Failed != nil {
		return d.failed(ctx, out.Failed)
	}
	d.setPhase(out.Phase)
	return nil
}

// vet turns a result with fewer qualified dealers than the threshold into
// a failure (see ErrDKGQualified). A replay vets the same way.
func (d *dkgDriver) vet(out dkg.Output) dkg.Output {
	if out.Result != nil && len(out.Result.Qualified) < d.cfg.Committee.Threshold {
		out.Failed = fmt.Errorf("%w: %d qualified, threshold %d", ErrDKGQualified, len(out.Result.Qualified), d.cfg.Committee.Threshold)
		out.Result = nil
	}
	return out
}

// finish records the result: the share file, then the last log entry (if
// any) and the public data in one transaction.
func (d *dkgDriver) finish(ctx context.Context, res *dkg.Result, e *dkgLogEntry) error {
	if res.Share == nil || res.Share.Index != d.cfg.Index || len(res.PublicShares) != len(d.parts) {
		return errors.New("keyper: dkg result for the wrong keyper or committee")
	}
	if err := writeDKGShare(d.cfg.Dir, d.eon, res.Share, d.cfg.Passphrase); err != nil {
		return err
	}
	rec := &dkgResultRecord{Attempt: d.attempt, Session: d.session[:], Index: d.cfg.Index, Threshold: res.Threshold,
		EonPublicKey: res.EonPublicKey.Bytes(), Qualified: res.Qualified}
	for _, p := range res.PublicShares {
		rec.PublicShares = append(rec.PublicShares, p.Bytes())
	}
	if err := d.cfg.Store.dkgAppend(d.eon, d.attempt, e, rec); err != nil {
		return err
	}
	if e != nil {
		if d.cfg.crashAfterPersist != nil && d.cfg.crashAfterPersist(dkg.PhaseDone, nil) {
			return errCrashed
		}
		d.own = append(d.own, e.Sent...)
		for _, raw := range e.Sent {
			d.publish(ctx, raw, dkg.PhaseDone)
		}
	}
	if err := removeDKGSeeds(d.cfg.Dir, d.eon, d.attempt); err != nil {
		d.log.Warn("removing dkg seed files failed", "err", err)
	}
	d.result = res
	d.setPhase(dkg.PhaseDone)
	d.log.Info("dkg finished", "attempt", d.attempt, "qualified", res.Qualified, "eon_key", fmt.Sprintf("%x", res.EonPublicKey.Bytes()))
	return nil
}

// failed moves on to the next attempt after a failed one.
func (d *dkgDriver) failed(ctx context.Context, why error) error {
	d.setPhase(dkg.PhaseFailed)
	d.lastErr = why
	d.log.Warn("dkg attempt failed", "attempt", d.attempt, "err", why)
	return d.begin(ctx, d.attempt+1)
}

// setPhase notes the core's phase and arms the phase's deadline: at once
// for the response and justification phases, and for the deal phase once a
// threshold of deals is in (before that a timeout could only fail the
// attempt, so the keyper waits for members to come).
func (d *dkgDriver) setPhase(p dkg.Phase) {
	d.m.phase.Set(float64(p))
	if p != d.phase {
		d.phase = p
		d.timer.Stop()
		d.armed = false
		d.log.Debug("dkg phase", "attempt", d.attempt, "phase", p)
		if p == dkg.PhaseDeal && len(d.dealers) < d.cfg.Committee.Threshold {
			d.log.Info("dkg waiting for a threshold of deals", "attempt", d.attempt, "deals", len(d.dealers), "threshold", d.cfg.Committee.Threshold)
		}
	}
	if d.armed {
		return
	}
	switch {
	case p == dkg.PhaseResponse || p == dkg.PhaseJustification,
		p == dkg.PhaseDeal && len(d.dealers) >= d.cfg.Committee.Threshold:
		d.timer.Reset(d.cfg.PhaseTimeout)
		d.armed = true
	}
}

// publish sends one stored packet of the attempt.
func (d *dkgDriver) publish(ctx context.Context, raw []byte, phase dkg.Phase) {
	payload, err := (&dkgEnvelope{Attempt: d.attempt, Phase: uint8(phase), Packet: raw}).encode()
	if err == nil {
		err = d.topic.Publish(ctx, d.signer, d.eon, payload)
	}
	if err != nil && ctx.Err() == nil {
		d.log.Warn("publishing a dkg packet failed", "attempt", d.attempt, "err", err)
	}
}

func (d *dkgDriver) republish(ctx context.Context) {
	for _, raw := range d.own {
		d.publish(ctx, raw, d.phase)
	}
}

// loop feeds packets and timeouts to the core until it has a result, then
// lingers two re-publish intervals so late peers get this keyper's packets.
func (d *dkgDriver) loop(ctx context.Context, sub <-chan p2p.Received) (*dkg.Result, error) {
	tick := time.NewTicker(d.cfg.Republish)
	defer tick.Stop()
	var linger <-chan time.Time
	if d.result != nil {
		linger = time.After(2 * d.cfg.Republish)
	}
	for {
		select {
		case <-ctx.Done():
			if d.result != nil {
				return d.result, nil
			}
			return nil, ctx.Err()
		case <-linger:
			return d.result, nil
		case <-tick.C:
			d.republish(ctx)
		case <-d.timer.C:
			d.armed = false
			if d.result != nil {
				continue
			}
			out, err := d.core.Step(dkg.Timeout{Phase: d.phase})
			if err != nil {
				d.log.Warn("dkg timeout refused", "phase", d.phase, "err", err)
				d.setPhase(d.core.Phase())
				continue
			}
			d.log.Info("dkg phase timed out", "attempt", d.attempt, "phase", d.phase)
			if err := d.apply(ctx, &dkgLogEntry{Kind: dkgEventTimeout, Phase: d.phase}, out); err != nil {
				return nil, err
			}
		case r, ok := <-sub:
			if !ok {
				return nil, ErrDKGNetwork
			}
			if d.result != nil {
				continue
			}
			if err := d.receive(ctx, r.Message); err != nil {
				return nil, err
			}
		}
		if d.result != nil && linger == nil {
			linger = time.After(2 * d.cfg.Republish)
		}
	}
}

// receive feeds one validated message. Packets a peer got wrong are
// counted and dropped; the error returned is the driver's own (the store).
func (d *dkgDriver) receive(ctx context.Context, m *p2p.Message) error {
	idx, ok := d.cfg.Committee.Index(m.Sender)
	if !ok || idx == d.cfg.Index {
		return nil // own packets, from this life or an earlier one
	}
	env, err := decodeDKGEnvelope(m.Payload)
	if err != nil {
		d.reject(idx, err)
		return nil
	}
	if env.Attempt < d.attempt {
		d.drop(idx, "old_attempt", fmt.Errorf("%w: attempt %d, running %d", ErrDKGAttempt, env.Attempt, d.attempt))
		return nil
	}
	if env.Attempt > d.attempt {
		joined, err := d.claim(ctx, idx, env)
		if err != nil || !joined {
			if err == nil {
				d.drop(idx, "future_attempt", fmt.Errorf("%w: attempt %d, running %d", ErrDKGAttempt, env.Attempt, d.attempt))
			}
			return err
		}
	}
	h := sha256.Sum256(env.Packet)
	if d.seen[h] {
		return nil // published again
	}
	d.seen[h] = true
	pkt, err := dkg.DecodeMessage(env.Packet)
	if err != nil {
		d.reject(idx, err)
		return nil
	}
	if got := packetIndex(pkt); got != uint32(idx) {
		d.reject(idx, fmt.Errorf("%w: packet of %d signed by member %d", ErrDKGSender, got, idx))
		return nil
	}
	if d.cfg.dropPacket != nil && d.cfg.dropPacket(d.attempt, pkt) {
		return nil
	}
	out, err := d.core.Step(packetEvent(pkt))
	if pkt.Deal != nil && err == nil {
		d.dealers[uint32(idx)] = true
	}
	if err != nil {
		d.reject(idx, err)
		if !errors.Is(err, dkg.ErrEquivocation) {
			return nil
		}
		// Equivocation changes the core's state: it is logged like any
		// accepted packet, so a replay reaches the same state.
	}
	return d.apply(ctx, &dkgLogEntry{Kind: dkgEventPacket, Packet: env.Packet}, out)
}

// claim notes that member idx publishes a later attempt and joins that
// attempt when Tolerated+1 members are dealing in it.
func (d *dkgDriver) claim(ctx context.Context, idx int, env *dkgEnvelope) (bool, error) {
	if env.Phase != uint8(dkg.PhaseDeal) || env.Attempt >= uint64(d.cfg.MaxAttempts) {
		return false, nil
	}
	c := d.claims[env.Attempt]
	if c == nil {
		c = map[int]bool{}
		d.claims[env.Attempt] = c
	}
	c[idx] = true
	if len(c) < d.cfg.Committee.Tolerated+1 {
		return false, nil
	}
	d.log.Info("joining a later dkg attempt", "attempt", env.Attempt, "left", d.attempt, "phase", d.phase)
	d.lastErr = fmt.Errorf("attempt %d left for attempt %d", d.attempt, env.Attempt)
	return true, d.begin(ctx, env.Attempt)
}

func (d *dkgDriver) reject(from int, err error) { d.drop(from, rejectReason(err), err) }

func (d *dkgDriver) drop(from int, reason string, err error) {
	d.m.rejected.WithLabelValues(reason).Inc()
	d.log.Debug("dkg packet dropped", "from", from, "attempt", d.attempt, "reason", reason, "err", err)
}
