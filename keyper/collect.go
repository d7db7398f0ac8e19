package keyper

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/veil-l2/veil/encmempool/tpke"
)

// Errors of share collection. ErrBadShares names a keyper that signed
// shares which do not verify: a byzantine or broken keyper.
var (
	ErrUnknownKeyper      = errors.New("keyper: shares signed by a key outside the committee")
	ErrUnexpectedBatch    = errors.New("keyper: shares for a batch not awaiting keys")
	ErrConflictingRelease = errors.New("keyper: shares for another hash of a batch awaiting keys")
	ErrBadShares          = errors.New("keyper: shares that do not verify")
	ErrDuplicateShares    = errors.New("keyper: second share message from one keyper for one batch")
)

// CollectorConfig describes the committee whose shares are collected: the
// first eon's (AddEon adds the committees of later eons).
type CollectorConfig struct {
	ChainID, Eon uint64
	Threshold    int
	// Members[i] is keyper i's signing address.
	Members      []common.Address
	EonKey       *tpke.EonPublicKey
	PublicShares []*tpke.PublicShare
	// EarlyBatches bounds how many batch numbers beyond the highest one
	// expected may have share messages buffered (default 16).
	EarlyBatches uint64
	// Rand drives the randomized batch check of shares (crypto/rand when nil).
	Rand     io.Reader
	Registry prometheus.Registerer
	// PointCache may be shared with other components of the process.
	PointCache *tpke.PointCache
}

// CollectorEon is one eon's committee as a Collector checks its shares.
type CollectorEon struct {
	Eon       uint64
	Threshold int
	// Members[i] is keyper i's signing address.
	Members      []common.Address
	EonKey       *tpke.EonPublicKey
	PublicShares []*tpke.PublicShare
}

func (e *CollectorEon) check() error {
	n := len(e.Members)
	if e.Threshold < 1 || e.Threshold > n || len(e.PublicShares) != n || e.EonKey == nil {
		return fmt.Errorf("%w: collector for eon %d with %d members, %d public shares, threshold %d", ErrCommittee, e.Eon, n,
			len(e.PublicShares), e.Threshold)
	}
	return nil
}

// BatchKeys are the keys of one batch: Keys[i] decrypts the envelope at
// Keyed[i].Index; Attestation is the key of the batch identity, the
// committee's BLS signature on (chain, eon, number, hash).
type BatchKeys struct {
	Eon         uint64
	Number      uint64
	Hash        common.Hash
	Keyed       []Keyed
	Keys        []*tpke.Key
	Attestation *tpke.Key
	Signers     []int
}

// Collector gathers keypers' share messages for batches awaiting keys,
// verifies each message in one randomized batched check against the
// sender's public share, and aggregates the first threshold valid ones.
// Whoever needs a batch's keys runs one: the sequencer, and a keyper that
// re-publishes a batch. It collects for every eon it was given (one
// committee each): a batch's shares are checked against the committee of
// the batch's eon (Release.Eon), so batches of two eons may await keys at
// once across an eon switch. It is safe for concurrent use; verification
// runs outside its lock.
type Collector struct {
	cfg     CollectorConfig
	cache   *tpke.PointCache
	mu      sync.Mutex
	eons    map[uint64]*CollectorEon
	waiting map[uint64]*awaiting
	early   map[uint64]map[earlyFrom]*ShareMessage
	highest uint64
	// reported counts, per keyper, signed share messages that did not
	// verify.
	reported map[int]int
	metrics  collectorMetrics
}

// earlyFrom names the sender of a buffered message: keyper k of an eon.
type earlyFrom struct {
	eon uint64
	k   int
}

type awaiting struct {
	eon    *CollectorEon
	rel    *Release
	ids    []*tpke.IdentityPoint
	from   map[int]bool // keypers whose message is in or being checked
	shares map[int][]tpke.KeyShare
	done   bool
	// check is the batch's share check (its identity side computed once
	// for all keypers), made when the first message is checked.
	checkOnce sync.Once
	check     *tpke.ShareCheck
	checkErr  error
	// checking counts messages being checked; spare holds messages kept
	// while enough others are valid or being checked.
	checking int
	spare    []spareMessage
}

// shareCheck returns the batch's share check.
func (w *awaiting) shareCheck(rnd io.Reader) (*tpke.ShareCheck, error) {
	w.checkOnce.Do(func() { w.check, w.checkErr = tpke.NewShareCheck(w.ids, rnd) })
	return w.check, w.checkErr
}

type collectorMetrics struct {
	messages *prometheus.CounterVec
	bad      *prometheus.CounterVec
}

// NewCollector checks the config and returns a collector.
func NewCollector(cfg CollectorConfig) (*Collector, error) {
	first := &CollectorEon{Eon: cfg.Eon, Threshold: cfg.Threshold, Members: cfg.Members, EonKey: cfg.EonKey, PublicShares: cfg.PublicShares}
	if err := first.check(); err != nil {
		return nil, err
	}
	if cfg.EarlyBatches == 0 {
		cfg.EarlyBatches = 16
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.PointCache == nil {
		cfg.PointCache = tpke.NewPointCache(1 << 16)
	}
	c := &Collector{cfg: cfg, cache: cfg.PointCache, eons: map[uint64]*CollectorEon{cfg.Eon: first}, waiting: map[uint64]*awaiting{},
		early: map[uint64]map[earlyFrom]*ShareMessage{}, reported: map[int]int{}}
	c.metrics = collectorMetrics{
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "veil", Subsystem: "shares", Name: "messages_total",
			Help: "Share messages received, by outcome."}, []string{"outcome"}),
		bad: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "veil", Subsystem: "shares", Name: "bad_total",
			Help: "Signed share messages that did not verify, by keyper index."}, []string{"keyper"}),
	}
	if cfg.Registry != nil {
		if err := cfg.Registry.Register(c.metrics.messages); err != nil {
			return nil, err
		}
		if err := cfg.Registry.Register(c.metrics.bad); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// AddEon adds the committee of another eon (an eon already added keeps
// its first committee).
func (c *Collector) AddEon(e CollectorEon) error {
	if err := e.check(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.eons[e.Eon]; !ok {
		c.eons[e.Eon] = &e
	}
	return nil
}

// HasEon reports whether the collector has eon's committee.
func (c *Collector) HasEon(eon uint64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.eons[eon] != nil
}

// Expect registers a batch awaiting keys, with the identities its shares
// are for (Classify gives them; rel.Eon names the committee, the first
// eon's when 0). Share messages that arrived before it are used now, so
// Expect may already return the keys. A batch of an eon the collector has
// no committee for is ErrUnexpectedBatch.
func (c *Collector) Expect(rel *Release) (*BatchKeys, error) {
	eonNum := rel.Eon
	if eonNum == 0 {
		eonNum = c.cfg.Eon
	}
	c.mu.Lock()
	eon := c.eons[eonNum]
	c.mu.Unlock()
	if eon == nil {
		return nil, fmt.Errorf("%w: batch %d of eon %d, no committee for that eon", ErrUnexpectedBatch, rel.Number, eonNum)
	}
	all := rel.Identities()
	ids := make([]*tpke.IdentityPoint, len(all))
	parallel(len(all), func(i int) { ids[i] = c.cache.Point(all[i]) })
	c.mu.Lock()
	if _, ok := c.waiting[rel.Number]; ok {
		c.mu.Unlock()
		return nil, nil
	}
	c.waiting[rel.Number] = &awaiting{eon: eon, rel: rel, ids: ids, from: map[int]bool{}, shares: map[int][]tpke.KeyShare{}}
	c.highest = max(c.highest, rel.Number)
	early := c.early[rel.Number]
	delete(c.early, rel.Number)
	c.mu.Unlock()
	var keys *BatchKeys
	var errs []error
	for _, m := range early {
		k, err := c.Add(m)
		if k != nil {
			keys = k
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return keys, errors.Join(errs...)
}

// Forget drops a batch (its keys are in, or it is abandoned) and every
// buffered message at or below its number.
func (c *Collector) Forget(number uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.waiting, number)
	for n := range c.early {
		if n <= number {
			delete(c.early, n)
		}
	}
}

// Add takes one share message. It returns the batch's keys when this
// message completes the threshold (once per batch), and a named error for
// a message that cannot count: ErrBadShares names a byzantine sender.
func (c *Collector) Add(m *ShareMessage) (*BatchKeys, error) {
	signer, err := m.Signer()
	if err != nil {
		c.metrics.messages.WithLabelValues("malformed").Inc()
		return nil, err
	}
	c.mu.Lock()
	eon := c.eons[m.Eon]
	c.mu.Unlock()
	if eon == nil || m.ChainID != c.cfg.ChainID {
		c.metrics.messages.WithLabelValues("unexpected_batch").Inc()
		return nil, fmt.Errorf("%w: chain %d eon %d", ErrUnexpectedBatch, m.ChainID, m.Eon)
	}
	k := -1
	for i, a := range eon.Members {
		if a == signer {
			k = i
		}
	}
	if k < 0 || uint32(k) != m.Keyper {
		c.metrics.messages.WithLabelValues("unknown_keyper").Inc()
		return nil, fmt.Errorf("%w: %s as keyper %d of eon %d", ErrUnknownKeyper, signer, m.Keyper, m.Eon)
	}
	c.mu.Lock()
	w, ok := c.waiting[m.Number]
	if !ok {
		err := c.buffer(k, m)
		c.mu.Unlock()
		return nil, err
	}
	switch {
	case w.eon != eon:
		c.mu.Unlock()
		c.metrics.messages.WithLabelValues("unexpected_batch").Inc()
		return nil, fmt.Errorf("%w: shares of eon %d for batch %d, which is of eon %d", ErrUnexpectedBatch, m.Eon, m.Number, w.eon.Eon)
	case w.done:
		c.mu.Unlock()
		c.metrics.messages.WithLabelValues("late").Inc()
		return nil, nil
	case m.Hash != w.rel.Hash:
		c.mu.Unlock()
		c.metrics.messages.WithLabelValues("conflicting").Inc()
		return nil, fmt.Errorf("%w: keyper %d released batch %d as %s, awaiting %s", ErrConflictingRelease, k, m.Number, m.Hash, w.rel.Hash)
	case w.from[k]:
		c.mu.Unlock()
		c.metrics.messages.WithLabelValues("duplicate").Inc()
		return nil, nil
	}
	w.from[k] = true
	if len(w.shares)+w.checking >= eon.Threshold {
		// Enough messages are valid or being checked: this one is kept
		// and checked only if one of those fails (work not wasted on
		// the critical path; concurrent callers check at most a
		// threshold of messages at once).
		w.spare = append(w.spare, spareMessage{k: k, m: m, signer: signer})
		c.mu.Unlock()
		c.metrics.messages.WithLabelValues("spare").Inc()
		return nil, nil
	}
	w.checking++
	c.mu.Unlock()
	return c.check(w, eon, spareMessage{k: k, m: m, signer: signer})
}

// spareMessage is a share message of keyper k waiting to be checked.
type spareMessage struct {
	k      int
	m      *ShareMessage
	signer common.Address
}

// check verifies a message counted in w.checking and records its shares;
// a message that fails hands its place to a spare, checked next. It
// returns the keys when the threshold is reached (then without the
// failures' errors, which the metrics and Reported keep), otherwise the
// failures' errors.
func (c *Collector) check(w *awaiting, eon *CollectorEon, msg spareMessage) (*BatchKeys, error) {
	var errs []error
	for {
		k, m := msg.k, msg.m
		check, err := w.shareCheck(c.cfg.Rand)
		var shares []tpke.KeyShare
		if err == nil {
			shares, err = check.Verify(eon.PublicShares[k], m.Shares)
		}
		c.mu.Lock()
		w.checking--
		if err != nil {
			// A signed message whose shares do not verify: the keyper is
			// reported, and it may not try again for this batch.
			c.reported[k]++
			c.metrics.messages.WithLabelValues("bad").Inc()
			c.metrics.bad.WithLabelValues(strconv.Itoa(k)).Inc()
			errs = append(errs, fmt.Errorf("%w: keyper %d (%s), batch %d: %v", ErrBadShares, k, msg.signer, m.Number, err))
			if !w.done && len(w.spare) > 0 {
				msg = w.spare[0]
				w.spare = w.spare[1:]
				w.checking++
				c.mu.Unlock()
				continue
			}
			c.mu.Unlock()
			return nil, errors.Join(errs...)
		}
		c.metrics.messages.WithLabelValues("valid").Inc()
		if w.done {
			c.mu.Unlock()
			return nil, errors.Join(errs...)
		}
		w.shares[k] = shares
		if len(w.shares) < eon.Threshold {
			c.mu.Unlock()
			return nil, errors.Join(errs...)
		}
		w.done = true
		w.spare = nil
		signers := make([]int, 0, len(w.shares))
		by := make([][]tpke.KeyShare, 0, len(w.shares))
		for s := range w.shares {
			if len(signers) == eon.Threshold {
				break
			}
			signers = append(signers, s)
		}
		for _, s := range signers {
			by = append(by, w.shares[s])
		}
		rel := w.rel
		c.mu.Unlock()
		return c.aggregate(eon, rel, signers, by)
	}
}

// Heard reports whether keyper k of the batch's eon has sent a share
// message for batch number, while that batch awaits keys.
func (c *Collector) Heard(number uint64, k int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	w, ok := c.waiting[number]
	return ok && w.from[k]
}

// Reported returns, per keyper index, how many signed share messages of
// it did not verify: the keypers to report to their operators or on L1
// (indexes in their eon's committee).
func (c *Collector) Reported() map[int]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[int]int, len(c.reported))
	for k, v := range c.reported {
		out[k] = v
	}
	return out
}

// buffer keeps a message for a batch not expected yet, when its number is
// close ahead. Called with c.mu held.
func (c *Collector) buffer(k int, m *ShareMessage) error {
	if m.Number+c.cfg.EarlyBatches < c.highest || m.Number > c.highest+c.cfg.EarlyBatches {
		c.metrics.messages.WithLabelValues("unexpected_batch").Inc()
		return fmt.Errorf("%w: %d", ErrUnexpectedBatch, m.Number)
	}
	if m.Number <= c.highest {
		// Below the highest expected and not waiting: already done.
		c.metrics.messages.WithLabelValues("late").Inc()
		return nil
	}
	byKeyper := c.early[m.Number]
	if byKeyper == nil {
		byKeyper = map[earlyFrom]*ShareMessage{}
		c.early[m.Number] = byKeyper
	}
	if _, ok := byKeyper[earlyFrom{m.Eon, k}]; !ok {
		byKeyper[earlyFrom{m.Eon, k}] = m
	}
	c.metrics.messages.WithLabelValues("early").Inc()
	return nil
}

func (c *Collector) aggregate(eon *CollectorEon, rel *Release, signers []int, by [][]tpke.KeyShare) (*BatchKeys, error) {
	agg, err := tpke.NewAggregator(signers)
	if err != nil {
		return nil, err
	}
	keys, err := agg.AggregateMany(by)
	if err != nil {
		return nil, err
	}
	att := keys[len(keys)-1]
	// Every share was verified, so this holds unless the public shares
	// and the eon key disagree: a configuration fault worth stopping on.
	if err := tpke.VerifyBatchSignature(eon.EonKey, c.cfg.ChainID, eon.Eon, rel.Number, rel.Hash, att); err != nil {
		return nil, fmt.Errorf("keyper: aggregated attestation of batch %d does not verify under eon %d's key: %w", rel.Number, eon.Eon, err)
	}
	return &BatchKeys{Eon: eon.Eon, Number: rel.Number, Hash: rel.Hash, Keyed: rel.Keyed, Keys: keys[:len(keys)-1], Attestation: att, Signers: signers}, nil
}
