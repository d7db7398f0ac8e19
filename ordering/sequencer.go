package ordering

import (
	"context"
	"crypto/ecdsa"
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
	// SequencerKey signs commitments, order receipts and the system
	// transactions; it must be Chain.Sequencer and Committee.Sequencer.
	SequencerKey *ecdsa.PrivateKey
	// Committee is the current eon's keyper set, with the eon key and
	// every keyper's public share from its DKG.
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
	// PointCache may be shared with in-process keypers (identity points
	// are public and deterministic).
	PointCache *tpke.PointCache
	Now        func() time.Time
	Logger     *slog.Logger
	Registry   prometheus.Registerer
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
	relCfg    keyper.ReleaseConfig
	signer    *p2p.Signer
	commits   *p2p.Topic
	shares    *p2p.Topic
	keysTopic *p2p.Topic
	metrics   *metrics
	head      *headView
	subs      *receiptFeed

	mu       sync.Mutex // guards the fields below
	cutter   *Cutter
	next     uint64 // next batch number
	lastHash common.Hash
	origin   Origin
	inflight map[uint64]*inflight
	// The L1 origin for the next batch, asked at most every originEvery.
	originAt       time.Time
	originNext     Origin
	originDeposits []batch.Deposit
	originForced   ForcedInclusion
	executed       uint64

	// onExecuted, when set (benchmarks), is told of each executed batch.
	onExecuted func(number uint64, txs int, committed, keys, done time.Time)

	keysIn chan struct{} // kicked when keys arrive
	kick   chan struct{} // kicked when a transaction is admitted
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	errMu  sync.Mutex
	err    error
}

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
	keysAt    time.Time
}

// Open starts a sequencer: it opens its stores and the chain, restores the
// batches committed and not executed (asking the keypers again for those
// without keys), and starts admitting, cutting and executing.
func Open(cfg Config) (*Sequencer, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	s := &Sequencer{cfg: cfg, log: cfg.Logger, key: cfg.SequencerKey, address: crypto.PubkeyToAddress(cfg.SequencerKey.PublicKey),
		inflight: map[uint64]*inflight{}, keysIn: make(chan struct{}, 1), kick: make(chan struct{}, 1), subs: newReceiptFeed()}
	s.metrics = newMetrics(cfg.Registry)
	s.relCfg = keyper.ReleaseConfig{ChainID: cfg.Chain.ChainID, Eon: cfg.Committee.Eon, Sequencer: s.address,
		Inbox: contracts.EncryptedInboxAddress, Limits: cfg.Limits}
	var members []common.Address
	for _, m := range cfg.Committee.Members {
		members = append(members, m.Address)
	}
	var err error
	if s.collector, err = keyper.NewCollector(keyper.CollectorConfig{ChainID: cfg.Chain.ChainID, Eon: cfg.Committee.Eon,
		Threshold: cfg.Committee.Threshold, Members: members, EonKey: cfg.EonKey, PublicShares: cfg.PublicShares,
		EarlyBatches: uint64(cfg.MaxInflight) + 1, Registry: cfg.Registry, PointCache: cfg.PointCache}); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("%w: data directory: %v", ErrConfig, err)
	}
	if s.pool, err = encmempool.OpenPool(filepath.Join(cfg.DataDir, "pool.db"), encmempool.PoolConfig{ChainID: cfg.Chain.ChainID,
		SequencerKey: cfg.SequencerKey, NoSync: cfg.PoolNoSync, Registry: cfg.Registry, Logger: cfg.Logger}); err != nil {
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
	for _, loop := range []func(){s.cutLoop, s.resendLoop, s.execLoop} {
		s.wg.Add(1)
		go func() { defer s.wg.Done(); loop() }()
	}
	return s, nil
}

func (c *Config) check() error {
	switch {
	case c.Chain == nil || c.SequencerKey == nil || c.Committee == nil || c.EonKey == nil || c.P2P == nil || c.Origin == nil:
		return fmt.Errorf("%w: chain, sequencer key, committee, eon key, p2p node and L1 origin are required", ErrConfig)
	case c.DataDir == "":
		return fmt.Errorf("%w: a data directory is required", ErrConfig)
	case crypto.PubkeyToAddress(c.SequencerKey.PublicKey) != c.Committee.Sequencer:
		return fmt.Errorf("%w: the sequencer key is not the committee's sequencer %s", ErrConfig, c.Committee.Sequencer)
	case c.Committee.ChainID != c.Chain.ChainID:
		return fmt.Errorf("%w: committee for chain %d, chain is %d", ErrConfig, c.Committee.ChainID, c.Chain.ChainID)
	}
	if err := c.Committee.Check(); err != nil {
		return err
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
	if last != nil {
		b, err := batch.Decode(last.raw, s.limits())
		if err != nil {
			return fmt.Errorf("%w: batch %d: %v", ErrStore, last.number, err)
		}
		c := &b.Commitment
		s.next, s.lastHash, lastTS = c.Number+1, c.Hash(), c.Timestamp
		s.origin = Origin{Number: c.L1OriginNumber, Hash: c.L1OriginHash}
		cursor = c.FirstSeq + uint64(sequenced(c))
	}
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
	for _, l := range open {
		b, err := batch.Decode(l.raw, s.limits())
		if err != nil {
			return fmt.Errorf("%w: batch %d: %v", ErrStore, l.number, err)
		}
		rel, _ := keyper.Classify(s.relCfg, b, keyedView{s: s.store, below: l.number})
		n := sequenced(&b.Commitment)
		f := &inflight{b: b, raw: l.raw, rel: rel, sequenced: n, lastSeq: b.Commitment.FirstSeq + uint64(n) - 1, committed: s.cfg.Now()}
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
			f.keys = newKeysMessage(s.cfg.Chain.ChainID, s.cfg.Committee.Eon, keys)
		}
		s.inflight[l.number] = f
	}
	s.log.Info("sequencer restored", "next_batch", s.next, "executed", s.executed, "waiting", len(s.inflight),
		"pending", s.pool.Len(), "chain_head", headNum)
	return nil
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
	eon := s.cfg.Committee.Eon
	if s.commits, err = s.cfg.P2P.Join(keyper.TopicCommitments, keyper.SequencerValidator{Sequencer: s.address, Eon: eon}); err != nil {
		return err
	}
	if s.keysTopic, err = s.cfg.P2P.Join(TopicKeys, keyper.SequencerValidator{Sequencer: s.address, Eon: eon}); err != nil {
		return err
	}
	if s.shares, err = s.cfg.P2P.Join(keyper.TopicShares, keyper.MembersValidator{Committee: s.cfg.Committee, Eon: eon}); err != nil {
		return err
	}
	sub, cancel, err := s.shares.Subscribe()
	if err != nil {
		return err
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer cancel()
		for {
			select {
			case <-s.ctx.Done():
				return
			case r, ok := <-sub:
				if !ok {
					return
				}
				s.onShares(r.Message.Payload)
			}
		}
	}()
	return nil
}

// Close stops the loops and closes the stores and the chain.
func (s *Sequencer) Close() error {
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
	if s.Err() != nil {
		return nil, ErrStopped
	}
	var tx types.Transaction
	if err := tx.UnmarshalBinary(raw); err != nil {
		s.metrics.rejectedDecode.Inc()
		return nil, fmt.Errorf("%w: %v", ErrDecode, err)
	}
	r, err := s.pool.Add(&tx, s.head, s.cfg.Now())
	if err != nil {
		return nil, err
	}
	s.subs.send(r)
	select {
	case s.kick <- struct{}{}:
	default:
	}
	return r, nil
}

// PendingNonce is the next nonce of addr counting admitted transactions.
func (s *Sequencer) PendingNonce(addr common.Address) (uint64, bool) {
	nonce, _, err := s.head.Account(addr)
	if err != nil {
		return 0, false
	}
	return s.pool.NextNonce(addr, nonce), true
}

// Receipt returns the order receipt of an admitted transaction.
func (s *Sequencer) Receipt(hash common.Hash) (*encmempool.Receipt, error) {
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
	origin, deposits, forced, err := s.nextOrigin()
	if err != nil {
		s.log.Warn("L1 origin unavailable", "err", err)
		return false, nil
	}
	window := s.pool.Pending(s.pool.Cursor(), s.cfg.Cut.MaxTxs+1)
	// A pending envelope with the identity of a forced one goes to the next
	// batch: in this one both would get no key (the identity twice); in the
	// next, the forced one has its key and only the pending one has none.
	forcedIDs := forced.Identities()
	cands := make([]Candidate, 0, len(window))
	for _, e := range window {
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
	c := batch.Commitment{Version: batch.Version, ChainID: s.cfg.Chain.ChainID, Eon: s.cfg.Committee.Eon, Number: s.next,
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
	rel, _ := keyper.Classify(s.relCfg, b, keyedView{s: s.store, below: c.Number})
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
	f := &inflight{b: b, raw: raw, rel: rel, sequenced: len(entries), lastSeq: first + uint64(len(entries)) - 1, committed: now, sentAt: now}
	s.inflight[c.Number] = f
	s.next, s.lastHash, s.origin = c.Number+1, rel.Hash, origin
	s.originAt = time.Time{} // its deposits and forced envelopes are in this batch
	s.metrics.batchTxs.Observe(float64(len(txs)))
	s.logForced(c.Number, origin, forced)
	s.log.Debug("committed batch", "batch", c.Number, "txs", len(txs), "forced", len(c.Forced), "first_seq", first, "hash", rel.Hash)
	if keys, err := s.collector.Expect(rel); err != nil {
		s.log.Warn("share messages refused", "err", err)
	} else if keys != nil {
		s.gotKeys(f, keys)
	}
	s.publish(s.commits, raw)
	return true, nil
}

// originEvery is how often the L1 origin source is asked while no batch
// is cut.
const originEvery = 500 * time.Millisecond

// nextOrigin returns the origin, deposits and forced envelopes for the
// next batch, the forced ones as IncludeForced takes them; s.mu is held.
func (s *Sequencer) nextOrigin() (Origin, []batch.Deposit, ForcedInclusion, error) {
	if !s.originAt.IsZero() && time.Since(s.originAt) < originEvery {
		return s.originNext, s.originDeposits, s.originForced, nil
	}
	o, d, forced, err := s.cfg.Origin.Next(s.ctx, s.origin.Number)
	if err != nil {
		return Origin{}, nil, ForcedInclusion{}, err
	}
	var inc ForcedInclusion
	if len(forced) > 0 {
		inc = IncludeForced(s.forcedRules(len(d)), forced)
	}
	s.originAt, s.originNext, s.originDeposits, s.originForced = time.Now(), o, d, inc
	return o, d, inc, nil
}

// forcedRules are the inclusion rule's inputs for a batch of this
// sequencer with the given number of deposits.
func (s *Sequencer) forcedRules(deposits int) ForcedRules {
	return ForcedRules{ChainID: s.cfg.Chain.ChainID, Eon: s.cfg.Committee.Eon, GasLimit: s.cfg.Chain.GasLimit, Deposits: deposits,
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

func (s *Sequencer) publish(t *p2p.Topic, payload []byte) {
	if err := t.Publish(s.ctx, s.signer, s.cfg.Committee.Eon, payload); err != nil && s.ctx.Err() == nil {
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
		var again [][]byte
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
				again = append(again, f.raw)
			}
		}
		s.mu.Unlock()
		for _, raw := range again {
			s.metrics.resent.Inc()
			s.publish(s.commits, raw)
		}
	}
}

// onShares takes a keyper's share message from gossip.
func (s *Sequencer) onShares(payload []byte) {
	m, err := keyper.DecodeShareMessage(payload)
	if err != nil {
		s.log.Debug("share message does not decode", "err", err)
		return
	}
	keys, err := s.collector.Add(m)
	s.log.Debug("share message", "keyper", m.Keyper, "batch", m.Number, "complete", keys != nil, "err", err)
	if err != nil {
		s.log.Warn("share message refused", "keyper", m.Keyper, "batch", m.Number, "err", err)
		return
	}
	if keys == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.inflight[keys.Number]; f != nil && f.keys == nil {
		s.gotKeys(f, keys)
	}
}

// gotKeys records a batch's keys and wakes the executor; s.mu is held.
func (s *Sequencer) gotKeys(f *inflight, keys *keyper.BatchKeys) {
	f.keys = newKeysMessage(s.cfg.Chain.ChainID, s.cfg.Committee.Eon, keys)
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
			if err := s.execute(p); err != nil {
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
		in, err := s.prepare(f)
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
	keys := f.keys
	s.mu.Unlock()
	raw, err := keys.Encode()
	if err != nil {
		return nil, err
	}
	if err := s.store.putKeys(f.b.Commitment.Number, raw); err != nil {
		return nil, err
	}
	s.publish(s.keysTopic, raw)
	start := time.Now()
	in, err := s.blockInput(f, keys)
	if err != nil {
		return nil, err
	}
	s.metrics.decryptTime.Observe(time.Since(start).Seconds())
	return in, nil
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
	return nil
}

// blockInput decrypts a batch with its keys into the execution input.
func (s *Sequencer) blockInput(f *inflight, km *KeysMessage) (*execution.BlockInput, error) {
	return BlockInput(s.cfg.Chain.ChainID, f.b, f.rel, km, s.cfg.Limits)
}

// BlockInput decrypts a batch with its keys into the execution input: the
// sequencer's and the verifier's one way from (batch, classification,
// keys) to a block. rel is keyper.Classify's answer for the batch; km holds
// one key per keyed envelope, in order (ErrKeys otherwise). An envelope
// that fails to decrypt with its key is marked DecryptFailed and dropped
// by execution; one without a key is marked NoKey.
func BlockInput(chainID uint64, b *batch.Batch, rel *keyper.Release, km *KeysMessage, lim encmempool.Limits) (*execution.BlockInput, error) {
	c := &b.Commitment
	in := &execution.BlockInput{Number: c.Number, BatchHash: rel.Hash, Timestamp: c.Timestamp, L1OriginNumber: c.L1OriginNumber,
		L1OriginHash: c.L1OriginHash, GasLimit: c.GasLimit, FeeRecipient: c.FeeRecipient, Items: make([]execution.Item, len(b.Txs))}
	for _, d := range c.Deposits {
		in.Deposits = append(in.Deposits, execution.Deposit{To: d.To, Amount: d.Amount})
	}
	keys, err := km.ParsedKeys()
	if err != nil || len(keys) != len(rel.Keyed) {
		return nil, fmt.Errorf("%w: batch %d: %d keys for %d identities: %v", ErrKeysMessage, c.Number, len(keys), len(rel.Keyed), err)
	}
	signer := types.LatestSignerForChainID(new(big.Int).SetUint64(chainID))
	for i, tx := range b.Txs {
		in.Items[i] = execution.Item{Tx: tx, Status: execution.NotEnvelope}
	}
	for _, nk := range rel.NoKey {
		in.Items[nk.Index].Status = execution.NoKey
	}
	items := make([]tpke.DecryptItem, len(rel.Keyed))
	for i, k := range rel.Keyed {
		env, err := encmempool.DecodeEnvelope(b.Txs[k.Index], signer, contracts.EncryptedInboxAddress, lim)
		if err != nil {
			return nil, fmt.Errorf("ordering: keyed envelope %d of batch %d does not parse: %w", k.Index, c.Number, err)
		}
		items[i] = tpke.DecryptItem{Key: keys[i], ID: k.Identity, Ciphertext: env.Ciphertext, AD: env.AssociatedData()}
	}
	for i, r := range tpke.DecryptBatch(items) {
		it := &in.Items[rel.Keyed[i].Index]
		if r.Err != nil {
			it.Status = execution.DecryptFailed
			continue
		}
		it.Status, it.Plaintext = execution.Decrypted, r.Plaintext
	}
	return in, nil
}

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
	rules := encmempool.Rules{ChainID: cfg.Chain.ChainID, Eon: cfg.Committee.Eon,
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
// the lock).
func (h *headView) Account(addr common.Address) (uint64, *big.Int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	nonce, bal := h.st.GetNonce(addr), h.st.GetBalance(addr)
	if err := h.st.Error(); err != nil {
		return 0, nil, fmt.Errorf("%w: %v", encmempool.ErrState, err)
	}
	return nonce, bal.ToBig(), nil
}

// IdentitySeen reports an identity a committed batch keys: the pool
// records every identity it admitted, and the batch log adds those of
// envelopes forced from L1. A later envelope with such an identity would
// get no key (released before), so admission refuses it.
func (h *headView) IdentitySeen(id tpke.Identity) (bool, error) {
	return h.s.store.keyed(id)
}
