package encmempool

import (
	"bytes"
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
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/veil-l2/veil/encmempool/tpke"
	bolt "go.etcd.io/bbolt"
)

// Pool errors.
var (
	ErrPoolConfig = errors.New("encmempool: invalid pool config")
	ErrPoolFull   = errors.New("encmempool: pool full, try again later")
	ErrClosed     = errors.New("encmempool: pool closed")
	ErrStorage    = errors.New("encmempool: pool storage failed")
	ErrNotCut     = errors.New("encmempool: sequence number not cut")
	ErrSeek       = errors.New("encmempool: cut cursor out of range")
)

// DefaultMaxPending caps the transactions held (admitted and not done).
const DefaultMaxPending = 100_000

// PoolConfig configures a Pool.
type PoolConfig struct {
	// ChainID is the L2's; receipts name it and Add refuses rules for
	// another chain.
	ChainID uint64
	// SequencerKey signs order receipts.
	SequencerKey *ecdsa.PrivateKey
	// MaxPending caps the transactions held (DefaultMaxPending when 0).
	MaxPending int
	// NoSync skips fsync: for benchmarks only, never in production (a
	// crash may then lose transactions whose receipts were sent).
	NoSync bool
	// Registry receives the pool's metrics (nil: counted, not exported).
	Registry prometheus.Registerer
	Logger   *slog.Logger
	// Points, when set, gets each admitted envelope's identity point
	// (a hash to G1, about 0.1 ms), computed while Add waits for its
	// disk write: the sequencer checks the keypers' shares against these
	// points once the batch is committed, and finds them ready instead of
	// hashing every identity of the batch on that critical path.
	Points *tpke.PointCache
}

// Check rejects an unusable config.
func (c *PoolConfig) Check() error {
	switch {
	case c.ChainID == 0:
		return fmt.Errorf("%w: the chain id must be set", ErrPoolConfig)
	case c.SequencerKey == nil:
		return fmt.Errorf("%w: a sequencer key must be set to sign order receipts", ErrPoolConfig)
	case c.MaxPending < 0:
		return fmt.Errorf("%w: MaxPending %d is negative", ErrPoolConfig, c.MaxPending)
	}
	return nil
}

// Entry is one admitted transaction in the pool. Entries returned share
// the pool's transaction and signature: read them, do not modify them.
type Entry struct {
	Seq    uint64
	Tx     *types.Transaction
	Sender common.Address
	// IsEnvelope is set for envelopes, whose identity is Identity.
	IsEnvelope bool
	Identity   tpke.Identity
	// BlockGas is what the transaction counts against the block gas
	// limit: its gas limit, plus the declared gas for an envelope.
	BlockGas uint64
	Receipt  Receipt
}

// entry is an Entry and its accounting.
type entry struct {
	Entry
	cost *big.Int
}

// account is one sender's transactions in the pool, in nonce order (which
// is sequence order: admission only takes the next nonce).
type account struct {
	entries []*entry
	spend   *big.Int // sum of the entries' costs
}

// commitGroup is the set of Adds one bbolt transaction makes durable.
type commitGroup struct {
	done chan struct{}
	err  error
}

func newGroup() *commitGroup { return &commitGroup{done: make(chan struct{})} }

// Pool is the sequencer's durable first-come-first-served pool. See the
// package doc for its contract.
type Pool struct {
	cfg     PoolConfig
	log     *slog.Logger
	db      *bolt.DB
	metrics *poolMetrics

	doneMu sync.Mutex // serializes Done

	mu       sync.Mutex
	entries  []*entry // admitted and not done, in sequence order (contiguous)
	byHash   map[common.Hash]*entry
	accounts map[common.Address]*account
	ids      map[tpke.Identity]uint64 // identities of the entries
	next     uint64                   // the next sequence number
	durable  uint64                   // every number below is on disk
	cursor   uint64                   // the next number Cut returns
	lastTime uint64                   // the latest receipt time
	queue    []*entry                 // admitted, not yet written
	group    *commitGroup             // the group queue's Adds wait on
	failed   error                    // set when a write failed: the pool is stopped
	closed   bool

	kick       chan struct{}
	quit       chan struct{}
	writerDone chan struct{}
}

// bbolt layout.
var (
	bucketTxs  = []byte("txs") // seq u64 -> version ‖ RLP(record)
	bucketMeta = []byte("meta")
	// bucketIDs (identity -> eon ‖ seq, kept after Done) was written by
	// older pools: the batch log answers for done identities now, and load
	// deletes it.
	bucketIDs   = []byte("identities")
	keyChainID  = []byte("chain")    // u64
	keyNextSeq  = []byte("next")     // u64: one past the highest number ever assigned
	keyLastTime = []byte("lasttime") // u64: the latest receipt time
)

// OpenPool opens (or creates) the pool file at path and rebuilds the
// pending set, its order and the per-sender accounting from it.
func OpenPool(path string, cfg PoolConfig) (*Pool, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	if cfg.MaxPending == 0 {
		cfg.MaxPending = DefaultMaxPending
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrStorage, err)
	}
	// A large initial mapping avoids remapping (which waits for readers)
	// while the file grows; it reserves address space, not disk or memory.
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second, NoSync: cfg.NoSync, InitialMmapSize: 256 << 20})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrStorage, err)
	}
	p := &Pool{
		cfg: cfg, log: log, db: db, metrics: newPoolMetrics(cfg.Registry),
		byHash: map[common.Hash]*entry{}, accounts: map[common.Address]*account{}, ids: map[tpke.Identity]uint64{},
		group: newGroup(), kick: make(chan struct{}, 1), quit: make(chan struct{}), writerDone: make(chan struct{}),
	}
	if err := p.load(); err != nil {
		db.Close()
		return nil, err
	}
	p.durable, p.cursor = p.next, p.first()
	p.gauges()
	log.Info("mempool opened", "pending", len(p.entries), "next_seq", p.next)
	go p.writer()
	return p, nil
}

// load creates the buckets and rebuilds the in-memory state from disk.
func (p *Pool) load() error {
	return p.db.Update(func(btx *bolt.Tx) error {
		for _, b := range [][]byte{bucketTxs, bucketMeta} {
			if _, err := btx.CreateBucketIfNotExists(b); err != nil {
				return fmt.Errorf("%w: %v", ErrStorage, err)
			}
		}
		if btx.Bucket(bucketIDs) != nil {
			if err := btx.DeleteBucket(bucketIDs); err != nil {
				return fmt.Errorf("%w: %v", ErrStorage, err)
			}
			p.log.Info("mempool: deleted the identities an older pool kept after done (the batch log answers for them)")
		}
		meta := btx.Bucket(bucketMeta)
		if v := meta.Get(keyChainID); v == nil {
			if err := meta.Put(keyChainID, u64(p.cfg.ChainID)); err != nil {
				return fmt.Errorf("%w: %v", ErrStorage, err)
			}
		} else if len(v) != 8 {
			return fmt.Errorf("%w: chain id record of %d bytes", ErrStorage, len(v))
		} else if be64(v) != p.cfg.ChainID {
			return fmt.Errorf("%w: the pool file belongs to chain %d, not %d", ErrPoolConfig, be64(v), p.cfg.ChainID)
		}
		if v := meta.Get(keyNextSeq); len(v) == 8 {
			p.next = be64(v)
		}
		if v := meta.Get(keyLastTime); len(v) == 8 {
			p.lastTime = be64(v)
		}
		c := btx.Bucket(bucketTxs).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(k) != 8 {
				return fmt.Errorf("%w: key %x", ErrStorage, k)
			}
			seq := be64(k)
			if n := len(p.entries); n > 0 && seq != p.entries[n-1].Seq+1 {
				return fmt.Errorf("%w: sequence gap %d after %d", ErrStorage, seq, p.entries[n-1].Seq)
			}
			e, err := p.decodeRecord(seq, v)
			if err != nil {
				return err
			}
			p.insert(e)
			p.next = max(p.next, seq+1)
			p.lastTime = max(p.lastTime, e.Receipt.Time)
		}
		return nil
	})
}

// Add admits tx against head and the pending pool, gives it the next
// sequence number and returns its signed order receipt once the
// transaction, its number and its receipt are on disk (fsynced). now is
// the arrival time the receipt names (kept monotonic in sequence order).
//
// Admission that reads no state runs concurrently; the checks against the
// pending pool, the choice of the number and the receipt's signature run
// under the pool's lock, so concurrent Adds of one sender see each other.
// Concurrent Adds share one disk write (group commit).
func (p *Pool) Add(tx *types.Transaction, head Head, now time.Time) (*Receipt, error) {
	start := time.Now()
	rules := head.Rules()
	if rules.ChainID != p.cfg.ChainID {
		return nil, fmt.Errorf("%w: rules for chain %d, pool for chain %d", ErrPoolConfig, rules.ChainID, p.cfg.ChainID)
	}
	a, err := precheck(tx, rules)
	if err != nil {
		return nil, p.reject(err)
	}

	p.mu.Lock()
	switch {
	case p.closed:
		err = ErrClosed
	case p.failed != nil:
		err = p.failed
	case len(p.entries) >= p.cfg.MaxPending:
		err = fmt.Errorf("%w: %d transactions held", ErrPoolFull, len(p.entries))
	default:
		err = checkState(a, poolView{p: p, head: head, rules: rules})
	}
	if err != nil {
		p.mu.Unlock()
		return nil, p.reject(err)
	}
	t := uint64(max(now.UnixMilli(), 0))
	e := &entry{
		Entry: Entry{
			Seq: p.next, Tx: tx, Sender: a.Sender, IsEnvelope: a.Envelope != nil, BlockGas: a.BlockGas,
			Receipt: Receipt{ChainID: p.cfg.ChainID, Seq: p.next, Hash: tx.Hash(), Time: max(t, p.lastTime)},
		},
		cost: a.Cost,
	}
	if a.Envelope != nil {
		e.Identity = a.Envelope.Identity
	}
	if err := e.Receipt.Sign(p.cfg.SequencerKey); err != nil {
		p.mu.Unlock()
		return nil, p.reject(err)
	}
	p.next++
	p.lastTime = e.Receipt.Time
	p.insert(e)
	p.queue = append(p.queue, e)
	g := p.group
	p.mu.Unlock()

	select {
	case p.kick <- struct{}{}:
	default: // a flush is already due and will take this entry
	}
	if p.cfg.Points != nil && e.IsEnvelope {
		p.cfg.Points.Point(e.Identity)
	}
	<-g.done
	if g.err != nil {
		return nil, p.reject(g.err)
	}
	p.metrics.admitted.WithLabelValues(a.Kind()).Inc()
	p.metrics.latency.Observe(time.Since(start).Seconds())
	r := e.Receipt
	r.Signature = bytes.Clone(r.Signature)
	return &r, nil
}

func (p *Pool) reject(err error) error {
	p.metrics.rejected.WithLabelValues(Reason(err)).Inc()
	return err
}

// poolView is the View Add checks against: the head and the pool, read
// under the pool's lock.
type poolView struct {
	p     *Pool
	head  Head
	rules Rules
}

func (v poolView) Rules() Rules { return v.rules }
func (v poolView) Account(addr common.Address) (uint64, *big.Int, error) {
	return v.head.Account(addr)
}
func (v poolView) Pending(sender common.Address, stateNonce uint64) (uint64, *big.Int) {
	return v.p.pendingOf(sender, stateNonce)
}
func (v poolView) Known(hash common.Hash) bool { return v.p.byHash[hash] != nil }
func (v poolView) IdentitySeen(id tpke.Identity) (bool, error) {
	if _, held := v.p.ids[id]; held {
		return true, nil
	}
	return v.head.IdentitySeen(id)
}

// pendingOf implements View.Pending; the caller holds mu.
func (p *Pool) pendingOf(sender common.Address, stateNonce uint64) (uint64, *big.Int) {
	acc := p.accounts[sender]
	if acc == nil {
		return 0, new(big.Int)
	}
	spend := new(big.Int).Set(acc.spend)
	// Entries below the state nonce have executed (or can no longer):
	// they wait only for Done, and spend nothing more.
	for _, e := range acc.entries {
		if e.Tx.Nonce() >= stateNonce {
			break
		}
		spend.Sub(spend, e.cost)
	}
	return acc.entries[len(acc.entries)-1].Tx.Nonce() + 1, spend
}

// insert adds e to the in-memory state; the caller holds mu.
func (p *Pool) insert(e *entry) {
	p.entries = append(p.entries, e)
	p.byHash[e.Receipt.Hash] = e
	acc := p.accounts[e.Sender]
	if acc == nil {
		acc = &account{spend: new(big.Int)}
		p.accounts[e.Sender] = acc
	}
	acc.entries = append(acc.entries, e)
	acc.spend.Add(acc.spend, e.cost)
	if e.IsEnvelope {
		p.ids[e.Identity] = e.Seq
	}
}

// writer is the single goroutine that writes admitted entries, in
// sequence order, one bbolt transaction per group: what is on disk is
// always a prefix of the sequence.
func (p *Pool) writer() {
	defer close(p.writerDone)
	for {
		select {
		case <-p.kick:
			p.flush()
		case <-p.quit:
			p.flush()
			return
		}
	}
}

// flush writes the queued entries and releases the Adds waiting on them.
func (p *Pool) flush() {
	p.mu.Lock()
	batch, g := p.queue, p.group
	if len(batch) == 0 {
		p.mu.Unlock()
		return
	}
	p.queue, p.group = nil, newGroup()
	lastTime := p.lastTime
	p.mu.Unlock()

	err := p.db.Update(func(btx *bolt.Tx) error {
		txs := btx.Bucket(bucketTxs)
		txs.FillPercent = 0.9 // keys only grow
		for _, e := range batch {
			v, err := encodeRecord(e)
			if err != nil {
				return err
			}
			if err := txs.Put(u64(e.Seq), v); err != nil {
				return err
			}
		}
		meta := btx.Bucket(bucketMeta)
		if err := meta.Put(keyNextSeq, u64(batch[len(batch)-1].Seq+1)); err != nil {
			return err
		}
		return meta.Put(keyLastTime, u64(lastTime))
	})

	p.mu.Lock()
	if err != nil {
		p.failed = fmt.Errorf("%w: %v", ErrStorage, err)
		g.err = p.failed
		p.log.Error("mempool write failed, admission stopped", "err", err, "first_seq", batch[0].Seq, "txs", len(batch))
	} else {
		p.durable = batch[len(batch)-1].Seq + 1
		p.gauges()
	}
	p.mu.Unlock()
	p.metrics.commitSize.Observe(float64(len(batch)))
	close(g.done)
}

// first is the lowest sequence number held, or next when none is; the
// caller holds mu.
func (p *Pool) first() uint64 {
	if len(p.entries) == 0 {
		return p.next
	}
	return p.entries[0].Seq
}

// index is the position of seq in entries (entries are contiguous); the
// caller holds mu.
func (p *Pool) index(seq uint64) int {
	first := p.first()
	if seq <= first {
		return 0
	}
	return int(min(seq-first, uint64(len(p.entries))))
}

// Pending returns up to max durable entries from sequence number fromSeq
// on, in sequence order, cut or not (max <= 0: all of them).
func (p *Pool) Pending(fromSeq uint64, max int) []Entry {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.span(p.index(fromSeq), max)
}

// span copies up to max durable entries from position i; the caller holds mu.
func (p *Pool) span(i, max int) []Entry {
	j := p.index(p.durable)
	if max > 0 && i+max < j {
		j = i + max
	}
	if i >= j {
		return nil
	}
	out := make([]Entry, 0, j-i)
	for _, e := range p.entries[i:j] {
		out = append(out, e.Entry)
	}
	return out
}

// Cut takes the next n durable entries not cut yet, in sequence order, for
// a batch, and moves the cursor past them. The entries stay in the pool
// (and on disk) until Done: a crash before the batch is recorded loses
// nothing, and the cursor is not persisted (see Seek).
func (p *Pool) Cut(n int) []Entry {
	if n <= 0 {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.span(p.index(p.cursor), n)
	if len(out) > 0 {
		p.cursor = out[len(out)-1].Seq + 1
		p.gauges()
	}
	return out
}

// Cursor is the sequence number the next Cut starts at.
func (p *Pool) Cursor() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cursor
}

// Seek moves the cut cursor to seq, between the oldest entry held and the
// last durable one plus one. At start-up the sequencer seeks past the
// sequence numbers its durable batch log already holds; after a cut batch
// is abandoned before it was recorded, it seeks back to re-cut it.
func (p *Pool) Seek(seq uint64) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if seq < p.first() || seq > p.durable {
		return fmt.Errorf("%w: %d, held are %d to %d", ErrSeek, seq, p.first(), p.durable)
	}
	p.cursor = seq
	p.gauges()
	return nil
}

// NextSeq is the sequence number the next admitted transaction gets.
func (p *Pool) NextSeq() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.next
}

// Len is the number of transactions held (admitted and not done).
func (p *Pool) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.entries)
}

// Receipt returns the order receipt of a transaction held.
func (p *Pool) Receipt(hash common.Hash) (*Receipt, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e := p.byHash[hash]
	if e == nil || e.Seq >= p.durable {
		return nil, false
	}
	r := e.Receipt
	r.Signature = bytes.Clone(r.Signature)
	return &r, true
}

// NextNonce is sender's next nonce counting its pending transactions, given
// its nonce at the head state (eth_getTransactionCount at "pending").
func (p *Pool) NextNonce(sender common.Address, stateNonce uint64) uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	next, _ := p.pendingOf(sender, stateNonce)
	return max(next, stateNonce)
}

// IdentityHeld reports an envelope identity of a transaction held
// (admitted and not done). Identities of done transactions are the
// Head's to answer (see Head.IdentitySeen).
func (p *Pool) IdentityHeld(id tpke.Identity) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, held := p.ids[id]
	return held
}

// Done removes every entry up to and including sequence number upTo, on
// disk and in memory. The sequencer calls it once the batch holding them
// is durably recorded and its block executed, and only after the state
// Head.Account reads includes that block (otherwise the pending nonce
// accounting would briefly forget them). upTo must have been cut.
// Their envelope identities leave with them: from then on admission asks
// Head.IdentitySeen (the batch log, which keys them).
func (p *Pool) Done(upTo uint64) error {
	p.doneMu.Lock()
	defer p.doneMu.Unlock()
	p.mu.Lock()
	first := p.first()
	switch {
	case p.closed:
		p.mu.Unlock()
		return ErrClosed
	case upTo < first:
		p.mu.Unlock()
		return nil // already done
	case upTo >= p.cursor:
		p.mu.Unlock()
		return fmt.Errorf("%w: done up to %d, cut up to %d", ErrNotCut, upTo, int64(p.cursor)-1)
	}
	p.mu.Unlock()

	err := p.db.Update(func(btx *bolt.Tx) error {
		b := btx.Bucket(bucketTxs)
		for seq := first; seq <= upTo; seq++ {
			if err := b.Delete(u64(seq)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%w: %v", ErrStorage, err)
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	n := p.index(upTo + 1)
	for _, e := range p.entries[:n] {
		delete(p.byHash, e.Receipt.Hash)
		if e.IsEnvelope {
			delete(p.ids, e.Identity)
		}
		acc := p.accounts[e.Sender]
		acc.entries[0] = nil
		acc.entries = acc.entries[1:] // a sender's entries leave in sequence order
		acc.spend.Sub(acc.spend, e.cost)
		if len(acc.entries) == 0 {
			delete(p.accounts, e.Sender)
		}
	}
	clear(p.entries[:n])
	p.entries = p.entries[n:]
	p.cursor = max(p.cursor, p.first())
	p.gauges()
	return nil
}

// Close waits for the queued writes and closes the file. Adds after Close
// fail with ErrClosed.
func (p *Pool) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.mu.Unlock()
	close(p.quit)
	<-p.writerDone
	return p.db.Close()
}

// gauges updates the depth gauges; the caller holds mu.
func (p *Pool) gauges() {
	p.metrics.pending.Set(float64(len(p.entries)))
	p.metrics.uncut.Set(float64(p.durable - min(p.cursor, p.durable)))
}

// recordVersion is the first byte of every stored transaction record.
const recordVersion = 1

// record is one entry on disk; the sequence number is its key, the chain
// id the pool's and the hash the transaction's.
type record struct {
	Tx        []byte
	Sender    common.Address
	Identity  []byte // 32 bytes for an envelope, empty for plaintext
	BlockGas  uint64
	Time      uint64
	Signature []byte
}

func encodeRecord(e *entry) ([]byte, error) {
	raw, err := e.Tx.MarshalBinary()
	if err != nil {
		return nil, err
	}
	r := record{Tx: raw, Sender: e.Sender, BlockGas: e.BlockGas, Time: e.Receipt.Time, Signature: e.Receipt.Signature}
	if e.IsEnvelope {
		r.Identity = e.Identity[:]
	}
	b, err := rlp.EncodeToBytes(&r)
	if err != nil {
		return nil, err
	}
	return append([]byte{recordVersion}, b...), nil
}

func (p *Pool) decodeRecord(seq uint64, v []byte) (*entry, error) {
	if len(v) == 0 || v[0] != recordVersion {
		return nil, fmt.Errorf("%w: record %d has an unknown version", ErrStorage, seq)
	}
	var r record
	if err := rlp.DecodeBytes(v[1:], &r); err != nil {
		return nil, fmt.Errorf("%w: record %d: %v", ErrStorage, seq, err)
	}
	tx := new(types.Transaction)
	if err := tx.UnmarshalBinary(r.Tx); err != nil {
		return nil, fmt.Errorf("%w: record %d: %v", ErrStorage, seq, err)
	}
	e := &entry{
		Entry: Entry{
			Seq: seq, Tx: tx, Sender: r.Sender, BlockGas: r.BlockGas,
			Receipt: Receipt{ChainID: p.cfg.ChainID, Seq: seq, Hash: tx.Hash(), Time: r.Time, Signature: r.Signature},
		},
		cost: new(big.Int).Add(new(big.Int).Mul(new(big.Int).SetUint64(tx.Gas()), tx.GasFeeCap()), tx.Value()),
	}
	switch len(r.Identity) {
	case 0:
	case len(e.Identity):
		e.IsEnvelope = true
		copy(e.Identity[:], r.Identity)
	default:
		return nil, fmt.Errorf("%w: record %d: identity of %d bytes", ErrStorage, seq, len(r.Identity))
	}
	return e, nil
}

func u64(v uint64) []byte  { return binary.BigEndian.AppendUint64(nil, v) }
func be64(b []byte) uint64 { return binary.BigEndian.Uint64(b) }

// poolMetrics are the pool's Prometheus metrics.
type poolMetrics struct {
	admitted   *prometheus.CounterVec
	rejected   *prometheus.CounterVec
	pending    prometheus.Gauge
	uncut      prometheus.Gauge
	latency    prometheus.Histogram
	commitSize prometheus.Histogram
}

func newPoolMetrics(reg prometheus.Registerer) *poolMetrics {
	m := &poolMetrics{
		admitted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "veil", Subsystem: "mempool", Name: "admitted_total",
			Help: "Transactions admitted, by kind (envelope, plaintext)."}, []string{"kind"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "veil", Subsystem: "mempool", Name: "rejected_total",
			Help: "Transactions refused, by reason."}, []string{"reason"}),
		pending: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "veil", Subsystem: "mempool", Name: "pending",
			Help: "Transactions held: admitted and not yet done."}),
		uncut: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "veil", Subsystem: "mempool", Name: "uncut",
			Help: "Durable transactions not yet cut into a batch (the queue depth)."}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "veil", Subsystem: "mempool", Name: "receipt_seconds",
			Help:    "Time from Add to the signed order receipt, disk write included.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)}),
		commitSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "veil", Subsystem: "mempool", Name: "commit_txs",
			Help:    "Transactions made durable by one disk write (group commit).",
			Buckets: prometheus.ExponentialBuckets(1, 2, 12)}),
	}
	for _, k := range []string{KindEnvelope, KindPlaintext} {
		m.admitted.WithLabelValues(k)
	}
	for _, r := range reasons {
		m.rejected.WithLabelValues(r.label)
	}
	m.rejected.WithLabelValues(reasonOther)
	if reg != nil {
		reg.MustRegister(m.admitted, m.rejected, m.pending, m.uncut, m.latency, m.commitSize)
	}
	return m
}
