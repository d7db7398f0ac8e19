package ordering

import (
	"context"
	"crypto/ecdsa"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/consensus/misc/eip1559"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/execution"
	"github.com/veil-l2/veil/internal/ahead"
	"github.com/veil-l2/veil/internal/p2p"
	"github.com/veil-l2/veil/keyper"
	"github.com/veil-l2/veil/ordering/batch"
)

// Errors of the sequencer.
var (
	ErrConfig = errors.New("ordering: invalid sequencer config")
	// ErrDecode answers eth_sendRawTransaction with bytes that are no
	// transaction.
	ErrDecode = errors.New("ordering: transaction does not decode")
	// ErrStopped answers submissions after the sequencer stopped (a
	// storage failure, or Close).
	ErrStopped = errors.New("ordering: sequencer stopped")
	// ErrStarting answers a call that comes while the sequencer is still
	// restoring its state at start.
	ErrStarting = errors.New("ordering: sequencer starting")
	// ErrUnknownBatch answers a question about a batch not executed yet.
	ErrUnknownBatch = errors.New("ordering: batch not executed")
)

// Defaults.
const (
	DefaultResendInterval = 500 * time.Millisecond
	maxResendGap          = 5 * time.Second
	DefaultMaxInflight    = 8
	// DefaultMaxTxs caps a batch: a burst is cut into several batches that
	// pipeline (keypers work on the next while the previous one decrypts
	// and executes) instead of one that runs each stage alone; measured on
	// 2 cores, a 4000-envelope burst went through at 428 tx/s with a cap of
	// 5000 and 494 tx/s with 1000.
	DefaultMaxTxs        = 1000
	DefaultMaxBytes      = 8 << 20
	DefaultHTTPBodyLimit = 1 << 20
)

// Config configures a Sequencer.
type Config struct {
	// DataDir holds the pool, the batch log and the chain.
	DataDir string
	Chain   *execution.ChainConfig
	// SequencerKey signs commitments and order receipts; it must be
	// Chain.Sequencer and every committee's Sequencer.
	SequencerKey *ecdsa.PrivateKey
	// Eons is where the sequencer learns of eons and switches from one to
	// the next (see the package doc). When nil, Committee, EonKey and
	// PublicShares make a schedule of one eon.
	Eons EonSchedule
	// Committee is the keyper set of a chain that runs one eon, with the
	// eon key and every keyper's public share from its DKG (unused when
	// Eons is set).
	Committee    *keyper.Committee
	EonKey       *tpke.EonPublicKey
	PublicShares []*tpke.PublicShare
	P2P          *p2p.Node
	Origin       L1Origin
	// Cut: interval (default 1s) and caps (DefaultMaxTxs, DefaultMaxBytes;
	// at least MaxForcedTxs and MaxForcedBytes); the gas limit is the
	// chain's.
	Cut CutConfig
	// NoPlaintext refuses plaintext transactions (by default they are
	// admitted, ordered like envelopes, and not private).
	NoPlaintext  bool
	FeeRecipient common.Address
	// ResendInterval: how often a batch still waiting for keys is sent to
	// the keypers again (DefaultResendInterval).
	ResendInterval time.Duration
	// MaxInflight bounds the batches committed and not yet executed.
	MaxInflight int
	Limits      encmempool.Limits
	// JSON-RPC endpoints (see execution.Config); HTTPBodyLimit caps a
	// request body (DefaultHTTPBodyLimit).
	HTTPHost      string
	HTTPPort      int
	WSHost        string
	WSPort        int
	HTTPBodyLimit int
	CacheMB       int
	// PoolNoSync skips fsync of admissions: benchmarks only.
	PoolNoSync bool
	// PointCache holds identity points: admission computes each
	// envelope's while its record is written, share collection uses them.
	// It may be shared with in-process keypers (identity points are
	// public and deterministic). Nil: the sequencer's own.
	PointCache *tpke.PointCache
	Now        func() time.Time
	Logger     *slog.Logger
	Registry   prometheus.Registerer

	// WithholdKeys is a fault-injection hook for tests, the double of a
	// sequencer that withholds a batch it has the keys of: it is called
	// once a batch's keys are aggregated, before they are recorded,
	// published or used, and when it returns true the sequencer keeps
	// that batch and every later one to itself (it neither publishes nor
	// executes them, so none reaches L1) while it runs on.
	WithholdKeys func(number uint64) bool
}

// Sequencer admits transactions, cuts and commits batches, collects the
// keypers' shares, decrypts and executes. See the package doc.
type Sequencer struct {
	cfg       Config
	log       *slog.Logger
	key       *ecdsa.PrivateKey
	address   common.Address
	pool      *encmempool.Pool
	store     *store
	exec      *execution.Node
	collector *keyper.Collector
	signer    *p2p.Signer
	commits   *p2p.Topic
	shares    *p2p.Topic
	keysTopic *p2p.Topic
	// announceIn queues admitted envelopes for pending announcements
	// (announce.go).
	announceIn chan announced
	prepareIn  chan *types.Transaction
	prepared   *ahead.Cache[common.Hash, *tpke.PreparedCiphertext]
	metrics    *metrics
	head       *headView
	subs       *receiptFeed
	// gossip holds the eons whose messages are admitted on gossip, each
	// with its committee.
	gossip *keyper.Eons

	eonMu   sync.RWMutex // guards eons and through
	eons    map[uint64]*Eon
	through uint64
	// admitMu is held (read) across each admission and (write) while the
	// eons admitted change, so the pool never holds an envelope of the
	// current eon behind one of the next.
	admitMu  sync.RWMutex
	admitEon uint64 // envelopes of this eon are admitted
	earlyEon uint64 // and of this one too (0: none), until its first makes it the only one

	mu       sync.Mutex // guards the fields below
	cur      uint64     // the eon of the last committed batch (the first eon before any)
	stuck    bool       // the "origin past an activation" warning was logged
	cutter   *Cutter
	next     uint64 // next batch number
	lastHash common.Hash
	origin   Origin
	inflight map[uint64]*inflight
	// The L1 origin for the next batch, asked at most every originEvery
	// with the same cap; the forced envelopes as IncludeForced takes them
	// for a batch of originEon.
	originAt       time.Time
	originUpTo     uint64
	originNext     Origin
	originDeposits []batch.Deposit
	originRaw      []ForcedEnvelope
	originEon      uint64
	originForced   ForcedInclusion
	executed       uint64
	// caughtUp holds when each batch was last sent to a keyper catching up
	// (onCatchUp).
	caughtUp map[uint64]time.Time

	// onExecuted, when set (benchmarks), is told of each executed batch.
	onExecuted func(number uint64, txs int, committed, keys, done time.Time)

	keysIn chan struct{} // kicked when keys arrive
	kick   chan struct{} // kicked when a transaction is admitted
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	errMu  sync.Mutex
	err    error

	// gate admits calls from outside (JSON-RPC) only while the sequencer
	// is open: the server listens before Open has restored everything, and
	// may still be serving a request while Close runs. Calls enter with the
	// read lock; Open marks the sequencer open, and Close marks it closed
	// before it stops anything, with the write lock.
	gate  sync.RWMutex
	state int // stateStarting, stateOpen, stateClosed
}

const (
	stateStarting = iota
	stateOpen
	stateClosed
)

// enter admits a call from outside while the sequencer is open, and
// otherwise says why not (ErrStarting, ErrStopped); leave must follow a
// nil answer.
func (s *Sequencer) enter() error {
	s.gate.RLock()
	switch s.state {
	case stateOpen:
		return nil
	case stateStarting:
		s.gate.RUnlock()
		return ErrStarting
	default:
		s.gate.RUnlock()
		return ErrStopped
	}
}

func (s *Sequencer) leave() { s.gate.RUnlock() }

// inflight is a committed batch not executed yet.
type inflight struct {
	b         *batch.Batch
	raw       []byte
	rel       *keyper.Release
	sequenced int    // how many of its transactions come from the pool (all but the forced ones)
	lastSeq   uint64 // the last sequence number it holds (FirstSeq-1 when none)
	committed time.Time
	sentAt    time.Time // the last time it was sent to the keypers
	resends   int
	keys      *KeysMessage
	// parsed are keys' points as the collector aggregated them (nil for
	// keys read back from the store): decryption skips decoding them.
	parsed []*tpke.Key
	keysAt time.Time
	// eonStart: the first batch of an eon after another; the keypers of
	// its eon need the previous batch's keys message to accept it.
	eonStart bool
}

// Open starts a sequencer: it opens its stores and the chain, restores the
// batches committed and not executed (asking the keypers again for those
// without keys), and starts admitting, cutting and executing.
func Open(cfg Config) (*Sequencer, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if cfg.PointCache == nil {
		// One cache for admission (which fills it) and share collection.
		cfg.PointCache = tpke.NewPointCache(1 << 16)
	}
	s := &Sequencer{cfg: cfg, log: cfg.Logger, key: cfg.SequencerKey, address: crypto.PubkeyToAddress(cfg.SequencerKey.PublicKey),
		inflight: map[uint64]*inflight{}, keysIn: make(chan struct{}, 1), kick: make(chan struct{}, 1), announceIn: make(chan announced, announceQueue),
		prepareIn: make(chan *types.Transaction, announceQueue), prepared: newPreparedCache(), subs: newReceiptFeed()}
	s.metrics = newMetrics(cfg.Registry)
	s.gossip, s.eons = keyper.NewEons(), map[uint64]*Eon{}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	eons, through, err := cfg.Eons.Eons(ctx)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("ordering: reading the eon schedule: %w", err)
	}
	if err := s.installEons(eons, through, true); err != nil {
		return nil, err
	}
	if s.collector == nil {
		return nil, fmt.Errorf("%w: no eon of the schedule is ready (committee, final eon key and public shares)", ErrConfig)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("%w: data directory: %v", ErrConfig, err)
	}
	if s.pool, err = encmempool.OpenPool(filepath.Join(cfg.DataDir, "pool.db"), encmempool.PoolConfig{ChainID: cfg.Chain.ChainID,
		SequencerKey: cfg.SequencerKey, NoSync: cfg.PoolNoSync, Registry: cfg.Registry, Logger: cfg.Logger,
		Points: s.cfg.PointCache}); err != nil {
		return nil, err
	}
	if s.store, err = openStore(filepath.Join(cfg.DataDir, "batches.db")); err != nil {
		s.pool.Close()
		return nil, err
	}
	if s.exec, err = execution.Open(execution.Config{DataDir: filepath.Join(cfg.DataDir, "chain"), Chain: cfg.Chain,
		HTTPHost: cfg.HTTPHost, HTTPPort: cfg.HTTPPort, WSHost: cfg.WSHost, WSPort: cfg.WSPort,
		HTTPBodyLimit: cfg.HTTPBodyLimit, Submitter: s, CacheMB: cfg.CacheMB, Limits: cfg.Limits, Logger: cfg.Logger,
		Registry: cfg.Registry, APIs: []rpc.API{{Namespace: "veil", Service: &API{s: s}}}}); err != nil {
		s.store.close()
		s.pool.Close()
		return nil, err
	}
	s.head = &headView{s: s}
	if err := s.head.refresh(); err != nil {
		s.closeStores()
		return nil, err
	}
	if err := s.restore(); err != nil {
		s.closeStores()
		return nil, err
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if err := s.join(); err != nil {
		s.cancel()
		s.wg.Wait()
		s.closeStores()
		return nil, err
	}
	for _, loop := range []func(){s.cutLoop, s.resendLoop, s.execLoop, s.scheduleLoop, s.prepareAheadLoop} {
		s.wg.Add(1)
		go func() { defer s.wg.Done(); loop() }()
	}
	s.gate.Lock()
	s.state = stateOpen
	s.gate.Unlock()
	return s, nil
}

func (c *Config) check() error {
	switch {
	case c.Chain == nil || c.SequencerKey == nil || c.P2P == nil || c.Origin == nil:
		return fmt.Errorf("%w: chain, sequencer key, p2p node and L1 origin are required", ErrConfig)
	case c.Eons == nil && (c.Committee == nil || c.EonKey == nil):
		return fmt.Errorf("%w: an eon schedule, or a committee and its eon key, is required", ErrConfig)
	case c.DataDir == "":
		return fmt.Errorf("%w: a data directory is required", ErrConfig)
	}
	if c.Eons == nil {
		switch {
		case crypto.PubkeyToAddress(c.SequencerKey.PublicKey) != c.Committee.Sequencer:
			return fmt.Errorf("%w: the sequencer key is not the committee's sequencer %s", ErrConfig, c.Committee.Sequencer)
		case c.Committee.ChainID != c.Chain.ChainID:
			return fmt.Errorf("%w: committee for chain %d, chain is %d", ErrConfig, c.Committee.ChainID, c.Chain.ChainID)
		}
		if err := c.Committee.Check(); err != nil {
			return err
		}
		c.Eons = c.staticSchedule()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.ResendInterval <= 0 {
		c.ResendInterval = DefaultResendInterval
	}
	if c.MaxInflight <= 0 {
		c.MaxInflight = DefaultMaxInflight
	}
	if c.Cut.Interval <= 0 {
		c.Cut.Interval = time.Second
	}
	if c.Cut.MaxTxs <= 0 {
		c.Cut.MaxTxs = DefaultMaxTxs
	}
	if c.Cut.MaxBytes <= 0 {
		c.Cut.MaxBytes = DefaultMaxBytes
	}
	if c.Cut.MaxTxs < MaxForcedTxs || c.Cut.MaxBytes < MaxForcedBytes {
		return fmt.Errorf("%w: a batch must hold at least %d transactions and %d bytes, the most that envelopes forced from L1 "+
			"take (max txs %d, max bytes %d)", ErrConfig, MaxForcedTxs, MaxForcedBytes, c.Cut.MaxTxs, c.Cut.MaxBytes)
	}
	if c.HTTPBodyLimit <= 0 {
		c.HTTPBodyLimit = DefaultHTTPBodyLimit
	}
	if c.Limits.MaxCiphertext == 0 {
		c.Limits = encmempool.DefaultLimits
	}
	c.Cut.GasLimit = c.Chain.GasLimit
	return nil
}

// restore rebuilds the in-memory state from the batch log and the chain.
func (s *Sequencer) restore() error {
	executed, open, last, err := s.store.state()
	if err != nil {
		return err
	}
	var lastTS uint64
	s.next = 1
	cursor := s.pool.Cursor()
	s.cur = s.firstEon()
	if last != nil {
		b, err := batch.Decode(last.raw, s.limits())
		if err != nil {
			return fmt.Errorf("%w: batch %d: %v", ErrStore, last.number, err)
		}
		c := &b.Commitment
		s.next, s.lastHash, lastTS = c.Number+1, c.Hash(), c.Timestamp
		s.origin = Origin{Number: c.L1OriginNumber, Hash: c.L1OriginHash}
		cursor = c.FirstSeq + uint64(sequenced(c))
		s.cur = c.Eon
	}
	if e := s.eonAt(s.cur); e == nil || !e.Ready() {
		return fmt.Errorf("%w: the chain is in eon %d, which the eon schedule does not have ready", ErrConfig, s.cur)
	}
	s.metrics.eon.Set(float64(s.cur))
	s.cutter = NewCutter(s.cfg.Cut, max(lastTS, s.cfg.Chain.Timestamp))
	if last == nil {
		s.cutter.CutEmpty()
	}
	if err := s.pool.Seek(max(cursor, s.pool.Cursor())); err != nil {
		return err
	}
	// Blocks the chain has beyond the executed mark were applied before a
	// crash that came before the mark was written.
	headNum := s.exec.Head().Number.Uint64()
	s.executed = executed
	prevEon, err := s.loggedEon(executed)
	if err != nil {
		return err
	}
	for _, l := range open {
		b, err := batch.Decode(l.raw, s.limits())
		if err != nil {
			return fmt.Errorf("%w: batch %d: %v", ErrStore, l.number, err)
		}
		eon := b.Commitment.Eon
		if !s.collector.HasEon(eon) {
			return fmt.Errorf("%w: the batch log holds batch %d of eon %d, which the eon schedule does not have ready", ErrConfig,
				l.number, eon)
		}
		rel, _ := keyper.Classify(s.relCfg(eon), b, keyedView{s: s.store, below: l.number})
		n := sequenced(&b.Commitment)
		f := &inflight{b: b, raw: l.raw, rel: rel, sequenced: n, lastSeq: b.Commitment.FirstSeq + uint64(n) - 1, committed: s.cfg.Now(),
			eonStart: prevEon != 0 && prevEon != eon}
		prevEon = eon
		if l.number <= headNum {
			if err := s.finish(f); err != nil {
				return err
			}
			continue
		}
		if l.keys != nil {
			if f.keys, err = DecodeKeysMessage(l.keys); err != nil {
				return fmt.Errorf("%w: keys of batch %d: %v", ErrStore, l.number, err)
			}
		} else if keys, err := s.collector.Expect(rel); err != nil {
			s.log.Warn("share messages refused", "err", err)
		} else if keys != nil {
			f.keys = newKeysMessage(s.cfg.Chain.ChainID, eon, keys)
			f.parsed = keys.Keys
		}
		s.inflight[l.number] = f
	}
	// Envelopes of the next eon pending mean the switch had begun: only
	// that eon is admitted from now on.
	s.admitEon = s.cur
	for _, e := range s.pool.Pending(s.pool.Cursor(), 0) {
		if eon, ok := envelopeEon(e.Tx); ok && e.IsEnvelope && eon > s.cur {
			if next := s.eonAt(eon); next == nil || !next.Ready() {
				return fmt.Errorf("%w: the pool holds envelopes of eon %d, which the eon schedule does not have ready", ErrConfig, eon)
			}
			s.admitEon = eon
			break
		}
	}
	s.updateAdmission(s.through0())
	s.log.Info("sequencer restored", "next_batch", s.next, "executed", s.executed, "waiting", len(s.inflight),
		"pending", s.pool.Len(), "chain_head", headNum, "eon", s.cur, "admitting_eon", s.admitEon)
	return nil
}

// loggedEon is the eon of a logged batch (0 for number 0).
func (s *Sequencer) loggedEon(number uint64) (uint64, error) {
	if number == 0 {
		return 0, nil
	}
	raw, _, err := s.store.batch(number)
	if err != nil || len(raw) == 0 {
		return 0, fmt.Errorf("%w: batch %d: %v", ErrStore, number, err)
	}
	b, err := batch.Decode(raw, s.limits())
	if err != nil {
		return 0, fmt.Errorf("%w: batch %d: %v", ErrStore, number, err)
	}
	return b.Commitment.Eon, nil
}

// relCfg is the keypers' rules for a batch of eon.
func (s *Sequencer) relCfg(eon uint64) keyper.ReleaseConfig {
	return keyper.ReleaseConfig{ChainID: s.cfg.Chain.ChainID, Eon: eon, Sequencer: s.address, Inbox: contracts.EncryptedInboxAddress,
		Limits: s.cfg.Limits}
}

func (s *Sequencer) limits() batch.Limits {
	return batch.Limits{MaxTxs: s.cfg.Cut.MaxTxs, MaxBytes: s.cfg.Cut.MaxBytes + 1<<20, MaxDeposits: batch.DefaultLimits.MaxDeposits}
}

// join subscribes to the shares topic and joins the others.
func (s *Sequencer) join() error {
	var err error
	if s.signer, err = p2p.NewSigner(s.key); err != nil {
		return err
	}
	// One topic per kind for every eon: the validators admit the
	// messages of each eon the sequencer has ready, the shares from that
	// eon's committee.
	if s.commits, err = s.cfg.P2P.Join(keyper.TopicCommitments, keyper.SequencerValidator{Sequencer: s.address, Eons: s.gossip}); err != nil {
		return err
	}
	if s.keysTopic, err = s.cfg.P2P.Join(TopicKeys, keyper.SequencerValidator{Sequencer: s.address, Eons: s.gossip}); err != nil {
		return err
	}
	if s.shares, err = s.cfg.P2P.Join(keyper.TopicShares, keyper.MembersValidator{Eons: s.gossip}); err != nil {
		return err
	}
	pending, err := s.cfg.P2P.Join(keyper.TopicPending, keyper.SequencerValidator{Sequencer: s.address, Eons: s.gossip})
	if err != nil {
		return err
	}
	catchUp, err := s.cfg.P2P.Join(keyper.TopicCatchUp, keyper.MembersValidator{Eons: s.gossip})
	if err != nil {
		return err
	}
	requests, cancelRequests, err := catchUp.Subscribe()
	if err != nil {
		return err
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer cancelRequests()
		for {
			select {
			case <-s.ctx.Done():
				return
			case r, ok := <-requests:
				if !ok {
					return
				}
				s.onCatchUp(r.Message)
			}
		}
	}()
	s.wg.Add(1)
	go func() { defer s.wg.Done(); s.announceLoop(pending) }()
	sub, cancel, err := s.shares.Subscribe()
	if err != nil {
		return err
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer cancel()
		// Messages are taken concurrently: a threshold of them arrive
		// within milliseconds and are checked at once (the collector
		// keeps any beyond the threshold aside, unchecked, as spares).
		sem := make(chan struct{}, shareCheckers)
		var checks sync.WaitGroup
		defer checks.Wait()
		for {
			select {
			case <-s.ctx.Done():
				return
			case r, ok := <-sub:
				if !ok {
					return
				}
				select {
				case sem <- struct{}{}:
				case <-s.ctx.Done():
					return
				}
				checks.Add(1)
				go func() {
					defer checks.Done()
					defer func() { <-sem }()
					s.onShares(r.Message.Payload)
				}()
			}
		}
	}()
	return nil
}

// shareCheckers bounds the share messages taken at once.
const shareCheckers = 8

// Close stops the loops and closes the stores and the chain.
func (s *Sequencer) Close() error {
	s.gate.Lock()
	s.state = stateClosed
	s.gate.Unlock()
	if s.cancel != nil {
		s.cancel()
	}
	s.wg.Wait()
	return s.closeStores()
}

func (s *Sequencer) closeStores() error {
	return errors.Join(s.exec.Close(), s.store.close(), s.pool.Close())
}

// Err returns the failure that stopped the sequencer, if any.
func (s *Sequencer) Err() error {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	return s.err
}

// fail stops the sequencer's loops on a failure it must not run past (its
// record could not be written). Admitted transactions stay on disk.
func (s *Sequencer) fail(err error) {
	s.errMu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.errMu.Unlock()
	s.log.Error("sequencer stopped", "err", err)
	s.cancel()
}

// Exec is the execution node (reads, tests).
func (s *Sequencer) Exec() *execution.Node { return s.exec }

// executedBatch is the highest executed batch number.
func (s *Sequencer) executedBatch() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.executed
}

// Executed is the highest executed batch number (the L2 head's number).
func (s *Sequencer) Executed() uint64 { return s.executedBatch() }

// ExecutedBatch is one executed batch with everything posting it to L1
// takes.
type ExecutedBatch struct {
	Batch     *batch.Batch
	Keys      *KeysMessage
	BlockHash common.Hash
	StateRoot common.Hash
}

// ExecutedBatch reads an executed batch back from the batch log and its
// block from the chain (batch N is L2 block N). It answers ErrUnknownBatch
// for a number not executed yet.
func (s *Sequencer) ExecutedBatch(number uint64) (*ExecutedBatch, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	if number == 0 || number > s.executedBatch() {
		return nil, fmt.Errorf("%w: %d", ErrUnknownBatch, number)
	}
	raw, keys, err := s.store.batch(number)
	if err != nil {
		return nil, fmt.Errorf("%w: batch %d: %v", ErrStore, number, err)
	}
	if len(raw) == 0 || len(keys) == 0 {
		return nil, fmt.Errorf("%w: batch %d executed but not in the log", ErrStore, number)
	}
	b, err := batch.Decode(raw, s.limits())
	if err != nil {
		return nil, fmt.Errorf("%w: batch %d: %v", ErrStore, number, err)
	}
	km, err := DecodeKeysMessage(keys)
	if err != nil {
		return nil, fmt.Errorf("%w: keys of batch %d: %v", ErrStore, number, err)
	}
	h := s.exec.BlockChain().GetHeaderByNumber(number)
	if h == nil {
		return nil, fmt.Errorf("%w: block %d missing from the chain", ErrStore, number)
	}
	return &ExecutedBatch{Batch: b, Keys: km, BlockHash: h.Hash(), StateRoot: h.Root}, nil
}

// Address is the sequencer's address.
func (s *Sequencer) Address() common.Address { return s.address }

// SubmitRawTransaction admits a transaction: it is written to disk with
// the next sequence number before the hash is returned.
func (s *Sequencer) SubmitRawTransaction(ctx context.Context, raw []byte) (common.Hash, error) {
	r, err := s.Submit(raw)
	if err != nil {
		return common.Hash{}, err
	}
	return r.Hash, nil
}

// Submit admits a transaction and returns its signed order receipt.
func (s *Sequencer) Submit(raw []byte) (*encmempool.Receipt, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	if s.Err() != nil {
		return nil, ErrStopped
	}
	var tx types.Transaction
	if err := tx.UnmarshalBinary(raw); err != nil {
		s.metrics.rejectedDecode.Inc()
		return nil, fmt.Errorf("%w: %v", ErrDecode, err)
	}
	r, err := s.admit(&tx)
	if err != nil {
		return nil, err
	}
	if eon, ok := envelopeEon(&tx); ok {
		s.admitted(eon, &tx, raw)
	}
	s.subs.send(r)
	select {
	case s.kick <- struct{}{}:
	default:
	}
	return r, nil
}

// admit adds a transaction to the pool for the eon admitted now. The
// first envelope of the next eon (admitted early, once that eon is ready)
// ends the admission of the current eon's: the pool never holds an
// envelope of the current eon behind one of the next, so the last batches
// of the current eon take every one of them.
func (s *Sequencer) admit(tx *types.Transaction) (*encmempool.Receipt, error) {
	eon, isEnv := envelopeEon(tx)
	s.admitMu.RLock()
	admitted, early := s.admitEon, s.earlyEon
	if !isEnv || early == 0 || eon != early {
		r, err := s.pool.Add(tx, eonView{s.head, admitted}, s.cfg.Now())
		s.admitMu.RUnlock()
		if isEnv && eon < admitted && errors.Is(err, encmempool.ErrWrongEon) {
			err = fmt.Errorf("%w (%w)", err, ErrEonEnded)
		}
		return r, err
	}
	s.admitMu.RUnlock()
	s.admitMu.Lock()
	defer s.admitMu.Unlock()
	if s.earlyEon != eon && s.admitEon != eon {
		return nil, fmt.Errorf("%w: eon %d, current eon %d", encmempool.ErrWrongEon, eon, s.admitEon)
	}
	r, err := s.pool.Add(tx, eonView{s.head, eon}, s.cfg.Now())
	if err == nil && s.admitEon != eon {
		s.admitEon, s.earlyEon = eon, 0
		s.log.Info("admitting the next eon only", "eon", eon, "reason", "its first envelope")
	}
	return r, err
}

// PendingNonce is the next nonce of addr counting admitted transactions.
func (s *Sequencer) PendingNonce(addr common.Address) (uint64, bool) {
	if s.enter() != nil {
		return 0, false
	}
	defer s.leave()
	nonce, _, err := s.head.Account(addr)
	if err != nil {
		return 0, false
	}
	return s.pool.NextNonce(addr, nonce), true
}

// Receipt returns the order receipt of an admitted transaction.
func (s *Sequencer) Receipt(hash common.Hash) (*encmempool.Receipt, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	if r, ok := s.pool.Receipt(hash); ok {
		return r, nil
	}
	return s.store.receipt(hash)
}

// cutLoop cuts and commits batches.
func (s *Sequencer) cutLoop() {
	tick := time.NewTicker(s.cfg.Cut.Interval / 20)
	defer tick.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-tick.C:
		case <-s.kick:
		}
		for s.ctx.Err() == nil {
			cut, err := s.tryCut()
			if err != nil {
				s.fail(err)
				return
			}
			if !cut {
				break
			}
		}
	}
}

// tryCut commits the next batch if one is due. The batch is recorded
// before it is sent; an error means the record could not be written.
func (s *Sequencer) tryCut() (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.inflight) >= s.cfg.MaxInflight {
		return false, nil
	}
	cur, next, through := s.eonAt(s.cur), s.eonAt(s.cur+1), s.through0()
	if cur == nil || !cur.Ready() {
		return false, nil
	}
	// The eons admitted first: every envelope admitted before a change is
	// in the window read after it.
	s.updateAdmission(through)
	window := s.pool.Pending(s.pool.Cursor(), s.cfg.Cut.MaxTxs+1)
	prefix, oldPending := s.splitWindow(window)
	// The batch is the current eon's, its origin below the next eon's
	// activation, unless the next eon is ready and nothing of the current
	// one waits before its first envelope: then the first batch naming an
	// origin at or past the activation switches (never the chain's first).
	upTo, switching := through, false
	if next != nil {
		if next.Ready() && !oldPending && s.next > 1 {
			switching = true
		} else {
			upTo = min(upTo, max(next.Activation, 1)-1)
		}
	}
	origin, deposits, err := s.nextOrigin(upTo)
	if err != nil {
		s.log.Warn("L1 origin unavailable", "err", err)
		return false, nil
	}
	eon, list := cur, prefix
	if next != nil && origin.Number >= next.Activation {
		if !switching {
			if !s.stuck {
				s.stuck = true
				s.log.Error("the last batch's L1 origin is at or past the activation of an eon the sequencer cannot switch to; waiting",
					"origin", origin.Number, "eon", next.Number, "activation", next.Activation, "ready", next.Ready())
			}
			return false, nil
		}
		eon, list = next, window
	}
	if origin.Number < eon.Activation {
		return false, nil // the chain's first eon is not active yet
	}
	s.stuck = false
	forced := s.forcedFor(eon.Number, len(deposits))
	// A pending envelope with the identity of a forced one goes to the next
	// batch: in this one both would get no key (the identity twice); in the
	// next, the forced one has its key and only the pending one has none.
	forcedIDs := forced.Identities()
	cands := make([]Candidate, 0, len(list))
	for _, e := range list {
		if e.IsEnvelope && forcedIDs[e.Identity] {
			break
		}
		cands = append(cands, Candidate{Gas: e.BlockGas, Size: int(e.Tx.Size()), Envelope: e.IsEnvelope})
	}
	now := s.cfg.Now()
	cut, ok := s.cutter.Decide(now, forced.Candidates(), cands, len(deposits))
	if !ok {
		return false, nil
	}
	entries := s.pool.Cut(cut.Count)
	first := s.pool.Cursor() - uint64(len(entries))
	c := batch.Commitment{Version: batch.Version, ChainID: s.cfg.Chain.ChainID, Eon: eon.Number, Number: s.next,
		Parent: s.lastHash, FirstSeq: first, Timestamp: cut.Timestamp, L1OriginNumber: origin.Number, L1OriginHash: origin.Hash,
		Deposits: deposits, BaseFee: s.head.baseFee(), GasLimit: s.cfg.Chain.GasLimit, FeeRecipient: s.cfg.FeeRecipient}
	// The forced envelopes first, at positions 0..k-1 (they hold no
	// sequence numbers), then the pool's transactions from FirstSeq on.
	txs := make([]*types.Transaction, 0, len(forced.Included)+len(entries))
	for i, f := range forced.Included {
		txs = append(txs, f.Tx)
		c.TxHashes = append(c.TxHashes, f.Tx.Hash())
		c.Forced = append(c.Forced, uint32(i))
	}
	for _, e := range entries {
		txs = append(txs, e.Tx)
		c.TxHashes = append(c.TxHashes, e.Tx.Hash())
	}
	signed, err := batch.Sign(c, s.key)
	if err != nil {
		return false, err
	}
	b, err := batch.New(signed, txs)
	if err != nil {
		return false, err
	}
	raw, err := b.Encode()
	if err != nil {
		return false, err
	}
	rel, _ := keyper.Classify(s.relCfg(eon.Number), b, keyedView{s: s.store, below: c.Number})
	ids := make([]tpke.Identity, len(rel.Keyed))
	for i, k := range rel.Keyed {
		ids[i] = k.Identity
	}
	receipts := make([]encmempool.Receipt, len(entries))
	for i, e := range entries {
		receipts[i] = e.Receipt
	}
	if err := s.store.putBatch(c.Number, raw, ids, receipts); err != nil {
		return false, err
	}
	f := &inflight{b: b, raw: raw, rel: rel, sequenced: len(entries), lastSeq: first + uint64(len(entries)) - 1, committed: now, sentAt: now,
		eonStart: eon != cur}
	s.inflight[c.Number] = f
	s.next, s.lastHash, s.origin = c.Number+1, rel.Hash, origin
	s.originAt = time.Time{} // its deposits and forced envelopes are in this batch
	if eon != cur {
		s.cur = eon.Number
		s.metrics.eon.Set(float64(eon.Number))
		s.updateAdmission(through)
		s.log.Info("eon switched", "eon", eon.Number, "batch", c.Number, "parent", c.Parent, "origin", origin.Number,
			"activation", eon.Activation)
	}
	s.metrics.batchTxs.Observe(float64(len(txs)))
	s.logForced(c.Number, origin, forced)
	s.log.Debug("committed batch", "batch", c.Number, "eon", c.Eon, "txs", len(txs), "forced", len(c.Forced), "first_seq", first, "hash", rel.Hash)
	if keys, err := s.collector.Expect(rel); err != nil {
		s.log.Warn("share messages refused", "err", err)
	} else if keys != nil {
		s.gotKeys(f, keys)
	}
	s.publish(s.commits, c.Eon, raw)
	return true, nil
}

// splitWindow splits the pending window at the first envelope of an eon
// after the current one (admission keeps every envelope of the current
// eon before it), and reports whether an envelope of the current eon
// waits before it, or may wait beyond a full window.
func (s *Sequencer) splitWindow(window []encmempool.Entry) (prefix []encmempool.Entry, oldPending bool) {
	for i, e := range window {
		if !e.IsEnvelope {
			continue
		}
		eon, _ := envelopeEon(e.Tx)
		if eon > s.cur {
			return window[:i], oldPending
		}
		oldPending = oldPending || eon == s.cur
	}
	return window, oldPending || len(window) > s.cfg.Cut.MaxTxs
}

// originEvery is how often the L1 origin source is asked while no batch
// is cut.
const originEvery = 500 * time.Millisecond

// nextOrigin returns the origin (at most upTo) and deposits for the next
// batch, and keeps its forced envelopes for forcedFor; s.mu is held.
func (s *Sequencer) nextOrigin(upTo uint64) (Origin, []batch.Deposit, error) {
	if !s.originAt.IsZero() && time.Since(s.originAt) < originEvery && s.originUpTo == upTo {
		return s.originNext, s.originDeposits, nil
	}
	var (
		o      Origin
		d      []batch.Deposit
		forced []ForcedEnvelope
		err    error
	)
	if src, ok := s.cfg.Origin.(L1OriginUpTo); ok {
		o, d, forced, err = src.NextUpTo(s.ctx, s.origin.Number, upTo)
	} else if o, d, forced, err = s.cfg.Origin.Next(s.ctx, s.origin.Number); err == nil && o.Number > upTo {
		// A source that cannot stop at a block: the last origin again,
		// which brings nothing new.
		o, d, forced = s.origin, nil, nil
	}
	if err != nil {
		return Origin{}, nil, err
	}
	s.originAt, s.originUpTo, s.originNext, s.originDeposits, s.originRaw = time.Now(), upTo, o, d, forced
	s.originEon, s.originForced = 0, ForcedInclusion{}
	return o, d, nil
}

// forcedFor applies IncludeForced to the origin's forced envelopes for a
// batch of eon with the given number of deposits; s.mu is held.
func (s *Sequencer) forcedFor(eon uint64, deposits int) ForcedInclusion {
	if len(s.originRaw) == 0 {
		return ForcedInclusion{}
	}
	if s.originEon != eon {
		s.originEon, s.originForced = eon, IncludeForced(s.forcedRules(eon, deposits), s.originRaw)
	}
	return s.originForced
}

// forcedRules are the inclusion rule's inputs for a batch of this
// sequencer of eon with the given number of deposits.
func (s *Sequencer) forcedRules(eon uint64, deposits int) ForcedRules {
	return ForcedRules{ChainID: s.cfg.Chain.ChainID, Eon: eon, GasLimit: s.cfg.Chain.GasLimit, Deposits: deposits,
		Limits: s.cfg.Limits}
}

// logForced reports what a committed batch did with its forced envelopes.
func (s *Sequencer) logForced(number uint64, origin Origin, forced ForcedInclusion) {
	for _, f := range forced.Included {
		s.metrics.forced.WithLabelValues("included").Inc()
		if origin.Number > f.Deadline {
			s.log.Warn("forced envelope committed after its deadline", "batch", number, "index", f.Index, "l1_block", f.L1Block,
				"deadline", f.Deadline, "origin", origin.Number)
		}
	}
	for _, f := range forced.Skipped {
		s.metrics.forced.WithLabelValues("skipped").Inc()
		s.log.Info("forced envelope skipped", "batch", number, "index", f.Index, "l1_block", f.L1Block, "reason", f.Reason)
	}
}

// sequenced is how many of a commitment's transactions come from the pool
// and hold sequence numbers: all but the forced ones.
func sequenced(c *batch.Commitment) int { return len(c.TxHashes) - len(c.Forced) }

func (s *Sequencer) publish(t *p2p.Topic, eon uint64, payload []byte) {
	if err := t.Publish(s.ctx, s.signer, eon, payload); err != nil && s.ctx.Err() == nil {
		s.log.Warn("gossip publish failed", "err", err)
	}
}

// resendLoop sends batches still waiting for keys to the keypers again.
func (s *Sequencer) resendLoop() {
	tick := time.NewTicker(s.cfg.ResendInterval)
	defer tick.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-tick.C:
		}
		now := s.cfg.Now()
		var again []*inflight
		s.mu.Lock()
		for n := s.executed + 1; n < s.next; n++ {
			// Backing off, up to maxResendGap: keypers that are busy
			// computing shares are not asked again and again.
			f := s.inflight[n]
			if f == nil || f.keys != nil {
				continue
			}
			if now.Sub(f.sentAt) >= min(s.cfg.ResendInterval<<min(f.resends, 4), maxResendGap) {
				f.sentAt = now
				f.resends++
				again = append(again, f)
			}
		}
		s.mu.Unlock()
		for _, f := range again {
			s.metrics.resent.Inc()
			if f.eonStart {
				s.publishParentKeys(f)
			}
			s.publish(s.commits, f.b.Commitment.Eon, f.raw)
		}
	}
}

// publishParentKeys publishes again the keys message of the batch before
// the first batch of an eon, once recorded: the new eon's keypers accept
// their first batch only after the previous eon's attestation of its
// parent, and may have missed it.
func (s *Sequencer) publishParentKeys(f *inflight) {
	_, raw, err := s.store.batch(f.b.Commitment.Number - 1)
	if err != nil || len(raw) == 0 {
		return
	}
	if km, err := DecodeKeysMessage(raw); err == nil {
		s.publish(s.keysTopic, km.Eon, raw)
	}
}

// onShares takes a keyper's share message from gossip.
func (s *Sequencer) onShares(payload []byte) {
	m, err := keyper.DecodeShareMessage(payload)
	if err != nil {
		s.log.Debug("share message does not decode", "err", err)
		return
	}
	done := ahead.Critical()
	keys, err := s.collector.Add(m)
	done()
	s.log.Debug("share message", "keyper", m.Keyper, "batch", m.Number, "complete", keys != nil, "err", err)
	if err != nil {
		s.log.Warn("share message refused", "keyper", m.Keyper, "batch", m.Number, "err", err)
		return
	}
	s.catchUp(m.Number, int(m.Keyper))
	if keys == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.inflight[keys.Number]; f != nil && f.keys == nil {
		s.gotKeys(f, keys)
	}
}

// onCatchUp answers a keyper's request for the batch it needs next (the
// validator checked that a member of the message's eon signed it): a
// batch still waiting for keys goes out again; an executed one from the
// log, its keys message first (its attestation), then the batch. A batch
// is sent this way at most once per catchUpGap, whoever asks.
func (s *Sequencer) onCatchUp(m *p2p.Message) {
	if len(m.Payload) != 8 {
		s.metrics.catchUp.WithLabelValues("malformed").Inc()
		return
	}
	n := binary.BigEndian.Uint64(m.Payload)
	s.mu.Lock()
	now := s.cfg.Now()
	if last, ok := s.caughtUp[n]; ok && now.Sub(last) < catchUpGap {
		s.mu.Unlock()
		s.metrics.catchUp.WithLabelValues("throttled").Inc()
		return
	}
	if s.caughtUp == nil || len(s.caughtUp) > 1024 {
		s.caughtUp = map[uint64]time.Time{}
	}
	s.caughtUp[n] = now
	f := s.inflight[n]
	executed := s.executed
	var raw, keys []byte
	if f != nil {
		raw = f.raw
		if f.keys != nil {
			keys, _ = f.keys.Encode()
		}
	}
	s.mu.Unlock()
	if f == nil && n >= 1 && n <= executed {
		var err error
		if raw, keys, err = s.store.batch(n); err != nil {
			s.log.Warn("reading a batch for a keyper catching up failed", "batch", n, "err", err)
		}
	}
	if len(raw) == 0 || n < 1 {
		s.metrics.catchUp.WithLabelValues("unknown").Inc()
		return
	}
	eon, err := commitmentEon(raw)
	if err != nil {
		return
	}
	if f != nil && f.eonStart {
		s.publishParentKeys(f)
	}
	answer := "resent"
	if len(keys) > 0 {
		s.publish(s.keysTopic, eon, keys)
		answer = "sent"
	}
	s.publish(s.commits, eon, raw)
	s.metrics.catchUp.WithLabelValues(answer).Inc()
	s.log.Debug("batch sent to a keyper catching up", "batch", n, "keyper", m.Sender, "answer", answer)
}

// catchUpGap is the least time between two sends of a batch by catchUp.
const catchUpGap = 100 * time.Millisecond

// catchUp sends the batch after number again when it still waits for
// keys. A keyper that has just released number may be catching up (after
// a restart or a late start): it refused the batches after it as not next,
// and would otherwise get them only at their next resend, backed off up to
// seconds, while each batch's timestamp ages towards the end of the
// keypers' drift window, after which no keyper can release it. Sent this
// way, a keyper catching up releases the backlog one batch after another
// at once. Nothing is sent when keyper k's message for the next batch is
// in already.
func (s *Sequencer) catchUp(number uint64, k int) {
	if s.collector.Heard(number+1, k) {
		return
	}
	s.mu.Lock()
	f := s.inflight[number+1]
	now := s.cfg.Now()
	if f == nil || f.keys != nil || now.Sub(f.sentAt) < catchUpGap {
		s.mu.Unlock()
		return
	}
	f.sentAt = now
	s.mu.Unlock()
	s.metrics.resent.Inc()
	if f.eonStart {
		s.publishParentKeys(f)
	}
	s.publish(s.commits, f.b.Commitment.Eon, f.raw)
}

// gotKeys records a batch's keys and wakes the executor; s.mu is held.
func (s *Sequencer) gotKeys(f *inflight, keys *keyper.BatchKeys) {
	f.keys = newKeysMessage(s.cfg.Chain.ChainID, f.b.Commitment.Eon, keys)
	f.parsed = keys.Keys
	f.keysAt = s.cfg.Now()
	s.metrics.keysLatency.Observe(f.keysAt.Sub(f.committed).Seconds())
	select {
	case s.keysIn <- struct{}{}:
	default:
	}
}

// execLoop executes batches strictly in number order as their keys come.
// Decryption runs one batch ahead (prepareLoop), so the next batch is
// decrypted on the cores block building leaves idle.
func (s *Sequencer) execLoop() {
	ready := make(chan prepared, 1)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.prepareLoop(ready)
	}()
	for {
		select {
		case <-s.ctx.Done():
			return
		case p := <-ready:
			done := ahead.Critical()
			err := s.execute(p)
			done()
			if err != nil {
				s.fail(err)
				return
			}
		}
	}
}

// prepared is a batch with its keys recorded and its block input decrypted.
type prepared struct {
	f  *inflight
	in *execution.BlockInput
}

// prepareLoop takes batches in number order as their keys come: it
// records and publishes the keys and decrypts.
func (s *Sequencer) prepareLoop(out chan<- prepared) {
	next := s.executedBatch() + 1
	for {
		s.mu.Lock()
		f := s.inflight[next]
		ready := f != nil && f.keys != nil
		s.mu.Unlock()
		if !ready {
			select {
			case <-s.ctx.Done():
				return
			case <-s.keysIn:
			}
			continue
		}
		if s.cfg.WithholdKeys != nil && s.cfg.WithholdKeys(next) {
			s.log.Warn("withholding a batch with its keys (fault injection)", "batch", next)
			<-s.ctx.Done()
			return
		}
		done := ahead.Critical()
		in, err := s.prepare(f)
		done()
		if err != nil {
			s.fail(err)
			return
		}
		select {
		case <-s.ctx.Done():
			return
		case out <- prepared{f: f, in: in}:
		}
		next++
	}
}

// prepare records and publishes a batch's keys and decrypts it.
func (s *Sequencer) prepare(f *inflight) (*execution.BlockInput, error) {
	s.mu.Lock()
	keys, parsed := f.keys, f.parsed
	s.mu.Unlock()
	raw, err := keys.Encode()
	if err != nil {
		return nil, err
	}
	if err := s.store.putKeys(f.b.Commitment.Number, raw); err != nil {
		return nil, err
	}
	n := f.b.Commitment.Number
	s.publish(s.keysTopic, f.b.Commitment.Eon, raw)
	// The next batch opens an eon and waits: its keypers needed these keys
	// to accept it; it goes to them again now.
	s.mu.Lock()
	again := s.inflight[n+1]
	if again != nil && (!again.eonStart || again.keys != nil) {
		again = nil
	}
	if again != nil {
		again.sentAt = s.cfg.Now()
	}
	s.mu.Unlock()
	if again != nil {
		s.publish(s.commits, again.b.Commitment.Eon, again.raw)
	}
	start := time.Now()
	return s.blockInput(f, keys, parsed, func() { s.metrics.decryptTime.Observe(time.Since(start).Seconds()) })
}

// execute builds and writes one decrypted batch's block.
func (s *Sequencer) execute(p prepared) error {
	f, c := p.f, &p.f.b.Commitment
	start := time.Now()
	if _, err := s.exec.Apply(s.ctx, p.in); err != nil {
		if s.ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("ordering: executing batch %d: %w", c.Number, err)
	}
	took := time.Since(start)
	s.metrics.blockTime.Observe(took.Seconds())
	sinceCommit := s.cfg.Now().Sub(f.committed)
	s.metrics.commitToBlock.Observe(sinceCommit.Seconds())
	if s.onExecuted != nil {
		s.onExecuted(c.Number, len(f.b.Txs), f.committed, f.keysAt, s.cfg.Now())
	}
	s.log.Info("executed batch", "batch", c.Number, "txs", len(f.b.Txs), "keyed", len(f.rel.Keyed), "block_time", took,
		"since_commit", sinceCommit)
	return s.finish(f)
}

// finish marks a batch executed and lets the pool forget its transactions.
func (s *Sequencer) finish(f *inflight) error {
	n := f.b.Commitment.Number
	s.prepared.Tick()
	if err := s.store.setExecuted(n); err != nil {
		return err
	}
	if err := s.head.refresh(); err != nil {
		return err
	}
	if f.sequenced > 0 {
		if err := s.pool.Done(f.lastSeq); err != nil {
			return err
		}
	}
	s.collector.Forget(n)
	s.mu.Lock()
	delete(s.inflight, n)
	s.executed = n
	s.mu.Unlock()
	s.metrics.executed.Set(float64(n))
	s.pruneLog()
	return nil
}

// blockInput lays out a batch's execution input and decrypts it with its
// keys in the background (the block is built meanwhile: the input's
// Decrypting), with the keys' points when the collector gave them; done
// is called when the decryption is over.
func (s *Sequencer) blockInput(f *inflight, km *KeysMessage, parsed []*tpke.Key, done func()) (*execution.BlockInput, error) {
	if parsed == nil {
		var err error
		if parsed, err = parseKeys(f.b, km); err != nil {
			return nil, err
		}
	}
	in, ahead, err := blockInput(s.cfg.Chain.ChainID, f.b, f.rel, parsed, s.cfg.Limits, s.prepared, done)
	if err != nil {
		return nil, err
	}
	s.metrics.decryptions.WithLabelValues("prepared_ahead").Add(float64(ahead))
	s.metrics.decryptions.WithLabelValues("in_full").Add(float64(len(f.rel.Keyed) - ahead))
	return in, nil
}

// parseKeys decodes the keys of batch b's keys message (ErrKeysMessage).
func parseKeys(b *batch.Batch, km *KeysMessage) ([]*tpke.Key, error) {
	keys, err := km.ParsedKeys()
	if err != nil {
		return nil, fmt.Errorf("%w: batch %d: %v", ErrKeysMessage, b.Commitment.Number, err)
	}
	return keys, nil
}

// BlockInput decrypts a batch with its keys into the execution input: the
// sequencer's and the verifier's one way from (batch, classification,
// keys) to a block. rel is keyper.Classify's answer for the batch; km holds
// one key per keyed envelope, in order (ErrKeys otherwise). An envelope
// that fails to decrypt with its key is marked DecryptFailed and dropped
// by execution; one without a key is marked NoKey.
func BlockInput(chainID uint64, b *batch.Batch, rel *keyper.Release, km *KeysMessage, lim encmempool.Limits) (*execution.BlockInput, error) {
	keys, err := parseKeys(b, km)
	if err != nil {
		return nil, err
	}
	in, _, err := blockInput(chainID, b, rel, keys, lim, nil, nil)
	return in, err
}

// blockInput is BlockInput with the keys' points, taking ciphertexts
// prepared ahead from prepared when it is set; it also returns how many it
// took. With done set, it returns once the input is laid out and decrypts
// in the background, on all cores and in order (the input's Decrypting
// says when each item is final), then calls done.
func blockInput(chainID uint64, b *batch.Batch, rel *keyper.Release, keys []*tpke.Key, lim encmempool.Limits,
	prepared *ahead.Cache[common.Hash, *tpke.PreparedCiphertext], done func()) (*execution.BlockInput, int, error) {
	c := &b.Commitment
	in := &execution.BlockInput{Number: c.Number, BatchHash: rel.Hash, Timestamp: c.Timestamp, L1OriginNumber: c.L1OriginNumber,
		L1OriginHash: c.L1OriginHash, GasLimit: c.GasLimit, FeeRecipient: c.FeeRecipient, Items: make([]execution.Item, len(b.Txs))}
	for _, d := range c.Deposits {
		in.Deposits = append(in.Deposits, execution.Deposit{To: d.To, Amount: d.Amount})
	}
	if len(keys) != len(rel.Keyed) {
		return nil, 0, fmt.Errorf("%w: batch %d: %d keys for %d identities", ErrKeysMessage, c.Number, len(keys), len(rel.Keyed))
	}
	signer := types.LatestSignerForChainID(new(big.Int).SetUint64(chainID))
	for i, tx := range b.Txs {
		in.Items[i] = execution.Item{Tx: tx, Status: execution.NotEnvelope}
	}
	for _, nk := range rel.NoKey {
		in.Items[nk.Index].Status = execution.NoKey
	}
	items := make([]tpke.DecryptItem, len(rel.Keyed))
	took := 0
	for i, k := range rel.Keyed {
		env, err := encmempool.DecodeEnvelope(b.Txs[k.Index], signer, contracts.EncryptedInboxAddress, lim)
		if err != nil {
			return nil, 0, fmt.Errorf("ordering: keyed envelope %d of batch %d does not parse: %w", k.Index, c.Number, err)
		}
		items[i] = tpke.DecryptItem{Key: keys[i], ID: k.Identity, Ciphertext: env.Ciphertext, AD: env.AssociatedData()}
		if prepared != nil {
			if p, ok := prepared.Take(b.Txs[k.Index].Hash()); ok {
				items[i].Prepared = p
				took++
			}
		}
	}
	set := func(i int, r tpke.DecryptResult) {
		it := &in.Items[rel.Keyed[i].Index]
		if r.Err != nil {
			it.Status = execution.DecryptFailed
			return
		}
		it.Status, it.Plaintext = execution.Decrypted, r.Plaintext
	}
	if done == nil {
		for i, r := range tpke.DecryptBatch(items) {
			set(i, r)
		}
		return in, took, nil
	}
	d := newDecryption(len(in.Items), rel.Keyed)
	in.Decrypting = d
	go func() {
		defer done()
		defer ahead.Critical()()
		tpke.DecryptEach(items, func(i int, r tpke.DecryptResult) {
			set(i, r)
			close(d.ready[rel.Keyed[i].Index])
		})
		close(d.all)
	}()
	return in, took, nil
}

// decryption is a block input's decryption under way
// (execution.Decrypting): a channel per item, closed once it is final.
type decryption struct {
	ready []chan struct{}
	all   chan struct{}
}

// newDecryption makes the channels of n items, the keyed ones open.
func newDecryption(n int, keyed []keyper.Keyed) *decryption {
	final := make(chan struct{})
	close(final)
	d := &decryption{ready: make([]chan struct{}, n), all: make(chan struct{})}
	for i := range d.ready {
		d.ready[i] = final
	}
	for _, k := range keyed {
		d.ready[k.Index] = make(chan struct{})
	}
	return d
}

func (d *decryption) Item(i int) { <-d.ready[i] }
func (d *decryption) All()       { <-d.all }

// headView is admission's view of the chain: the rules in force and the
// state of the latest executed block.
type headView struct {
	s     *Sequencer
	mu    sync.Mutex
	st    *state.StateDB
	rules encmempool.Rules
}

func (h *headView) refresh() error {
	head := h.s.exec.Head()
	st, err := h.s.exec.BlockChain().StateAt(head.Root, head.Number, head.Time)
	if err != nil {
		return fmt.Errorf("ordering: head state: %w", err)
	}
	cfg := h.s.cfg
	// The eon is admission's to set (eonView).
	rules := encmempool.Rules{ChainID: cfg.Chain.ChainID,
		// A transaction must fit a batch next to the settlement of its
		// envelope and a deposit credit.
		GasLimit: cfg.Chain.GasLimit - batch.SystemGas(1, 1),
		BaseFee:  eip1559.CalcBaseFee(h.s.exec.BlockChain().Config(), head), Limits: cfg.Limits, AllowPlaintext: !cfg.NoPlaintext}
	h.mu.Lock()
	h.st, h.rules = st, rules
	h.mu.Unlock()
	return nil
}

func (h *headView) Rules() encmempool.Rules {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.rules
}

func (h *headView) baseFee() *big.Int { return h.Rules().BaseFee }

// Account reads the head state (StateDB caches reads, so it is used under
// the lock). A StateDB remembers its first read error for good, and a read
// of a state the trie database has just moved on from (go-ethereum's path
// scheme answers "layer stale" for a layer merged away) is such an error:
// it reopens the current head's state once and reads again before it
// answers ErrState.
func (h *headView) Account(addr common.Address) (uint64, *big.Int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	nonce, bal := h.st.GetNonce(addr), h.st.GetBalance(addr)
	if err := h.st.Error(); err != nil {
		head := h.s.exec.Head()
		st, rerr := h.s.exec.BlockChain().StateAt(head.Root, head.Number, head.Time)
		if rerr != nil {
			return 0, nil, fmt.Errorf("%w: %v (reopening the head state: %v)", encmempool.ErrState, err, rerr)
		}
		h.st = st
		nonce, bal = st.GetNonce(addr), st.GetBalance(addr)
		if err := st.Error(); err != nil {
			return 0, nil, fmt.Errorf("%w: %v", encmempool.ErrState, err)
		}
	}
	return nonce, bal.ToBig(), nil
}

// IdentitySeen reports an identity a logged batch keys, from the batch
// log's index: those of envelopes the pool admitted (it forgets them at
// Done, after their batch is logged) and those forced from L1. A later
// envelope with such an identity would get no key (released before), so
// admission refuses it; the pool itself refuses the identities it holds.
func (h *headView) IdentitySeen(id tpke.Identity) (bool, error) {
	return h.s.store.keyed(id)
}

// eonAt returns eon n as the schedule has it (nil when unknown).
func (s *Sequencer) eonAt(n uint64) *Eon {
	s.eonMu.RLock()
	defer s.eonMu.RUnlock()
	return s.eons[n]
}

// through0 is the L1 block through which the schedule is complete.
func (s *Sequencer) through0() uint64 {
	s.eonMu.RLock()
	defer s.eonMu.RUnlock()
	return s.through
}

// firstEon is the lowest eon of the schedule.
func (s *Sequencer) firstEon() uint64 {
	s.eonMu.RLock()
	defer s.eonMu.RUnlock()
	var first uint64
	for n := range s.eons {
		if first == 0 || n < first {
			first = n
		}
	}
	return first
}

// installEons takes the schedule's answer. An eon that becomes ready gets
// its committee added to share collection and gossip validation; a ready
// eon stays ready. A ready eon that is not usable is an error when strict
// (at Open), and otherwise logged and kept not ready.
func (s *Sequencer) installEons(eons []Eon, through uint64, strict bool) error {
	for i := range eons {
		e := eons[i]
		if prev := s.eonAt(e.Number); prev != nil && prev.Ready() {
			continue
		}
		if e.Ready() {
			err := e.check(s.cfg.Chain.ChainID, s.address)
			if err == nil {
				err = s.addCollector(&e)
			}
			if err != nil {
				if strict {
					return err
				}
				s.log.Error("eon not usable", "eon", e.Number, "err", err)
				e.Committee, e.EonKey, e.PublicShares = nil, nil, nil
			} else {
				s.gossip.Add(e.Number, e.Committee)
				s.log.Info("eon ready", "eon", e.Number, "activation", e.Activation, "keypers", len(e.Committee.Members),
					"threshold", e.Committee.Threshold)
			}
		}
		s.eonMu.Lock()
		s.eons[e.Number] = &e
		s.eonMu.Unlock()
	}
	s.eonMu.Lock()
	s.through = through
	s.eonMu.Unlock()
	return nil
}

// addCollector gives share collection a ready eon's committee.
func (s *Sequencer) addCollector(e *Eon) error {
	members := make([]common.Address, len(e.Committee.Members))
	for i, m := range e.Committee.Members {
		members[i] = m.Address
	}
	if s.collector != nil {
		return s.collector.AddEon(keyper.CollectorEon{Eon: e.Number, Threshold: e.Committee.Threshold, Members: members,
			EonKey: e.EonKey, PublicShares: e.PublicShares})
	}
	c, err := keyper.NewCollector(keyper.CollectorConfig{ChainID: s.cfg.Chain.ChainID, Eon: e.Number, Threshold: e.Committee.Threshold,
		Members: members, EonKey: e.EonKey, PublicShares: e.PublicShares, EarlyBatches: uint64(s.cfg.MaxInflight) + 1,
		Registry: s.cfg.Registry, PointCache: s.cfg.PointCache})
	if err != nil {
		return err
	}
	s.collector = c
	return nil
}

// updateAdmission sets the eons admitted from the current eon and the
// next one; s.mu is held. While the next eon is not ready, the current
// one is admitted. Once it is ready, it is admitted too (clients may
// switch early: their envelopes wait in the pool until the switch), and
// its first envelope ends the current eon's admission. Once the L1 head
// (through) reaches the next eon's activation, only the next eon is
// admitted: the envelopes of the current eon still pending drain into its
// last batches, and the switch follows.
func (s *Sequencer) updateAdmission(through uint64) {
	next := s.eonAt(s.cur + 1)
	s.admitMu.RLock()
	admit, early := max(s.admitEon, s.cur), uint64(0)
	if next != nil && next.Ready() && admit == s.cur {
		if through >= next.Activation {
			admit = next.Number
		} else {
			early = next.Number
		}
	}
	same := admit == s.admitEon && early == s.earlyEon
	s.admitMu.RUnlock()
	if same {
		return
	}
	s.admitMu.Lock()
	if s.admitEon <= admit {
		s.admitEon, s.earlyEon = admit, early
	}
	s.admitMu.Unlock()
	s.log.Info("admission", "eon", admit, "early_eon", early)
}

// scheduleEvery is how often the eon schedule is read.
const scheduleEvery = 500 * time.Millisecond

// scheduleLoop reads the eon schedule.
func (s *Sequencer) scheduleLoop() {
	tick := time.NewTicker(scheduleEvery)
	defer tick.Stop()
	failing := false
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-tick.C:
		}
		eons, through, err := s.cfg.Eons.Eons(s.ctx)
		if err != nil {
			if !failing && s.ctx.Err() == nil {
				s.log.Warn("reading the eon schedule failed; trying again", "err", err)
			}
			failing = true
			continue
		}
		failing = false
		_ = s.installEons(eons, through, false)
		s.mu.Lock()
		s.updateAdmission(through)
		s.mu.Unlock()
	}
}
