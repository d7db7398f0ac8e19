package l1

import (
	"cmp"
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/ordering"
	"github.com/veil-l2/veil/ordering/batch"
)

// Poster errors. ErrConflict, ErrFrozen, ErrTooLarge, ErrDeepReorg and
// ErrWrongChain stop Run: the poster cannot go on by itself.
var (
	// ErrPosting: a Posting that cannot be right (bad signature length,
	// attestation not a G1 point, number 0).
	ErrPosting = errors.New("l1: invalid posting")
	// ErrNotConsecutive: Enqueue of a number that does not follow the
	// last one enqueued (Next says which one does).
	ErrNotConsecutive = errors.New("l1: posting out of order")
	// ErrConflict: another commitment hash is enqueued or posted for the
	// number.
	ErrConflict = errors.New("l1: another commitment is posted for this batch number")
	// ErrFrozen: BatchInbox froze the sequencer; nothing can be posted.
	ErrFrozen = errors.New("l1: the sequencer is frozen on L1")
	// ErrTooLarge: the posting needs more gas than one L1 transaction may
	// have (EIP-7825).
	ErrTooLarge = errors.New("l1: posting too large for one L1 transaction")
	// ErrDeepReorg: batches the poster saw confirmed are no longer on L1
	// (a reorganisation deeper than Confirmations, or another chain with
	// the same genesis: a restarted in-process L1).
	ErrDeepReorg = errors.New("l1: confirmed batches vanished from L1")
	// ErrWrongChain: the poster database belongs to another L1, inbox or
	// account.
	ErrWrongChain = errors.New("l1: the poster database belongs to another chain")
)

// Posting is one executed batch to post with BatchInbox.submitBatch.
type Posting struct {
	Number         uint64
	Eon            uint64
	CommitmentHash common.Hash
	L2BlockHash    common.Hash
	StateRoot      common.Hash
	// SequencerSig is the sequencer's 65-byte signature of the commitment.
	SequencerSig []byte
	// Attestation is the committee's key of the batch identity, tpke's
	// compressed 48 bytes.
	Attestation []byte
	// Data is EncodeBatchData's output.
	Data []byte
}

// NewPosting makes the posting of an executed batch: its header from the
// commitment, its data from EncodeBatchData.
func NewPosting(b *batch.Batch, keys *ordering.KeysMessage, l2BlockHash, stateRoot common.Hash, c Compression) (Posting, error) {
	data, err := EncodeBatchData(b, keys, c)
	if err != nil {
		return Posting{}, err
	}
	return Posting{Number: b.Commitment.Number, Eon: b.Commitment.Eon, CommitmentHash: b.Commitment.Hash(),
		L2BlockHash: l2BlockHash, StateRoot: stateRoot, SequencerSig: b.Signature, Attestation: keys.Attestation, Data: data}, nil
}

// A posting's transactions: L1 nodes relay a transaction only up to 128
// KiB (go-ethereum's pool limit, signature and fields included), and
// MaxPostingCalldata leaves a kilobyte of it for the rest. A posting whose
// submitBatch calldata fits goes in one transaction. A larger one is split:
// its data is cut into parts of PartSize bytes from the front, each posted
// with BatchInbox.submitBatchData, and the final submitBatch carries the
// rest (1 to PartSize bytes) and names the parts' hashes in order. The
// Poster sends them with consecutive nonces, the parts first, so they can
// land in one L1 block. Data above MaxPostingData is refused (ErrTooLarge):
// 2 MiB is 17 parts and about 85 million gas (40 per byte, EIP-7623's
// floor for calldata that does not compress), more than one block of a
// 60-million-gas L1 but posted over a few. Blobs are not used yet.
//
// The sequencer cuts batches for posting at PostableBatchTxs transactions
// (ordering.DefaultMaxTxs, what keypers take by default) and
// PostableBatchBytes bytes of them: about 590 B of posting per envelope
// with its key after compression (780 B without), so a full batch of
// envelopes is about 590 kB, four parts and a final (TestPostingCost).
const (
	MaxPostingCalldata = 127 << 10
	PartSize           = 120 << 10
	MaxPostingData     = 2 << 20
	PostableBatchTxs   = ordering.DefaultMaxTxs
	PostableBatchBytes = 1 << 20
	// PartsAhead is BatchInbox.PARTS_AHEAD: parts are taken for numbers
	// below nextNumber + PartsAhead.
	PartsAhead = 256
)

// PostedDataHash is the dataHash of BatchInbox's BatchPosted event for a
// posting whose submitBatch names parts (the keccak256 of each, in order)
// and carries data: keccak256(data) without parts, else
// keccak256(parts[0] ‖ … ‖ parts[k-1] ‖ keccak256(data)).
func PostedDataHash(parts []common.Hash, data []byte) common.Hash {
	h := crypto.Keccak256Hash(data)
	if len(parts) == 0 {
		return h
	}
	buf := make([]byte, 0, 32*(len(parts)+1))
	for _, p := range parts {
		buf = append(buf, p[:]...)
	}
	return crypto.Keccak256Hash(append(buf, h[:]...))
}

// postingTxs is the calldata of a posting's L1 transactions: one
// submitBatchData per part, then the final submitBatch.
type postingTxs struct {
	parts  [][]byte
	hashes []common.Hash // keccak256 of each part's data
	final  []byte
	// probe is the final calldata without the parts' hashes: what is
	// estimated, as the parts are not on chain yet (final without parts).
	probe []byte
}

// count is the number of transactions.
func (t *postingTxs) count() int { return len(t.parts) + 1 }

// size is their calldata in bytes.
func (t *postingTxs) size() int {
	n := len(t.final)
	for _, p := range t.parts {
		n += len(p)
	}
	return n
}

// calldata checks p and returns its transactions' calldata.
func (p *Posting) calldata() (postingTxs, error) {
	var out postingTxs
	if p.Number == 0 {
		return out, fmt.Errorf("%w: batch number 0", ErrPosting)
	}
	if len(p.SequencerSig) != crypto.SignatureLength {
		return out, fmt.Errorf("%w: batch %d: sequencer signature of %d bytes", ErrPosting, p.Number, len(p.SequencerSig))
	}
	att, err := contracts.AttestationToL1(p.Attestation)
	if err != nil {
		return out, fmt.Errorf("%w: batch %d: attestation: %w", ErrPosting, p.Number, err)
	}
	if len(p.Data) > MaxPostingData {
		return out, fmt.Errorf("%w: batch %d has %d bytes of data; a posting carries at most %d", ErrTooLarge, p.Number, len(p.Data),
			MaxPostingData)
	}
	bi := contracts.NewBatchInbox()
	h := contracts.BatchInboxHeader{Number: p.Number, Eon: p.Eon, CommitmentHash: p.CommitmentHash, L2BlockHash: p.L2BlockHash,
		StateRoot: p.StateRoot}
	out.final = bi.PackSubmitBatch(h, p.SequencerSig, att, nil, p.Data)
	if len(out.final) > MaxPostingCalldata {
		rest := p.Data
		var names [][32]byte
		for len(rest) > PartSize {
			part := rest[:PartSize]
			out.parts = append(out.parts, bi.PackSubmitBatchData(p.Number, part))
			out.hashes = append(out.hashes, crypto.Keccak256Hash(part))
			names = append(names, out.hashes[len(out.hashes)-1])
			rest = rest[PartSize:]
		}
		out.final = bi.PackSubmitBatch(h, p.SequencerSig, att, names, rest)
		out.probe = bi.PackSubmitBatch(h, p.SequencerSig, att, nil, rest)
	} else {
		out.probe = out.final
	}
	for _, cd := range append(slices.Clone(out.parts), out.final) {
		if len(cd) > MaxPostingCalldata {
			return out, fmt.Errorf("%w: batch %d needs a transaction of %d bytes of calldata; L1 nodes relay at most %d", ErrTooLarge,
				p.Number, len(cd), MaxPostingCalldata)
		}
	}
	if gas := floorGas(out.final) + submitExecGasBound + uint64(len(out.parts))*partNameGas; gas > params.MaxTxGas {
		return out, fmt.Errorf("%w: batch %d needs at least %d gas for %d bytes of calldata", ErrTooLarge, p.Number, gas,
			len(out.final))
	}
	return out, nil
}

// submitExecGasBound bounds submitBatch's execution beyond calldata (a
// posting without data uses about 262,000 gas in all): a posting whose calldata floor
// (EIP-7623) plus this exceeds EIP-7825's cap is refused up front.
const submitExecGasBound = 400_000

// partNameGas is what each part named adds to submitBatch beyond the
// estimate without them: 32 bytes of calldata (1,280 gas at EIP-7623's
// floor), a cold storage read (2,100) and hashing, with room.
const partNameGas = 5_000

// partGas is the gas limit of a submitBatchData transaction: its calldata
// floor, which for a part of PartSize bytes exceeds the standard calldata
// cost by at least 6 gas per byte (737,000 gas), far more than the call
// uses (hashing, a storage write, a log: about 100,000), plus a margin.
func partGas(cd []byte) uint64 { return floorGas(cd) + 50_000 }

// floorGas is EIP-7623's floor for a call with this calldata.
func floorGas(data []byte) uint64 {
	tokens := uint64(0)
	for _, b := range data {
		if b == 0 {
			tokens++
		} else {
			tokens += 4
		}
	}
	return params.TxGas + tokens*params.TxCostFloorPerToken
}

// PosterConfig tunes a Poster.
type PosterConfig struct {
	// Confirmations: a posting counts as posted once its block has this
	// many blocks on top (0: once mined). At most 64.
	Confirmations uint64
	// MaxInFlight is how many postings may be sent ahead of the chain
	// with consecutive nonces (default 8, at most PartsAhead): several
	// batches per L1 block.
	MaxInFlight int
	// PollInterval is how often L1 is read (default 2 s).
	PollInterval time.Duration
	// ResubmitAfter: a transaction not mined this long is sent again with
	// tip and fee cap raised by 12.5% (default 60 s).
	ResubmitAfter time.Duration
	// MaxFeeCap, when set, caps the fee cap per gas of any posting.
	MaxFeeCap *big.Int
	Logger    *slog.Logger
	// Registry receives the poster's metrics (nil: unregistered).
	Registry prometheus.Registerer
}

// ErrPosterConfig reports a configuration the poster refuses.
var ErrPosterConfig = errors.New("l1: invalid poster configuration")

// Check reports a bad configuration.
func (c PosterConfig) Check() error {
	switch {
	case c.Confirmations > 64:
		return fmt.Errorf("%w: %d confirmations; at most 64 (nodes keep the state of recent blocks only)", ErrPosterConfig, c.Confirmations)
	case c.MaxInFlight < 0 || c.PollInterval < 0 || c.ResubmitAfter < 0:
		return fmt.Errorf("%w: negative in-flight limit or interval", ErrPosterConfig)
	case c.MaxInFlight > PartsAhead:
		return fmt.Errorf("%w: %d postings in flight; at most %d (BatchInbox takes data parts only that far ahead)", ErrPosterConfig,
			c.MaxInFlight, PartsAhead)
	case c.MaxFeeCap != nil && c.MaxFeeCap.Sign() <= 0:
		return fmt.Errorf("%w: the maximum fee cap must be positive", ErrPosterConfig)
	}
	return nil
}

func (c PosterConfig) withDefaults() PosterConfig {
	if c.MaxInFlight == 0 {
		c.MaxInFlight = 8
	}
	if c.PollInterval == 0 {
		c.PollInterval = 2 * time.Second
	}
	if c.ResubmitAfter == 0 {
		c.ResubmitAfter = time.Minute
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Result is a confirmed posting.
type Result struct {
	Number uint64
	// TxHash and L1Block are those of the poster's submitBatch that
	// posted it; zero when someone else posted the batch (or the poster
	// restarted between sending and confirming). GasUsed adds the gas of
	// that transaction and of the poster's mined submitBatchData parts.
	TxHash  common.Hash
	L1Block uint64
	GasUsed uint64
	// Calldata is the size in bytes of the posting's calldata, parts
	// included; Parts the number of data parts (0: one transaction).
	Calldata int
	Parts    int
}

// queued is one enqueued posting with its latest attempt.
type queued struct {
	p   Posting
	txs postingTxs
	a   attempt
}

// Poster posts executed batches to BatchInbox, in number order, from one
// L1 account. Enqueue hands it a posting (durably); Run, its driver, sends
// and confirms them; Post enqueues and waits. See the package doc.
type Poster struct {
	chain *Chain
	inbox common.Address
	bi    *contracts.BatchInbox
	key   *ecdsa.PrivateKey
	from  common.Address
	cfg   PosterConfig
	store *posterStore
	log   *slog.Logger
	m     *posterMetrics

	mu       sync.Mutex
	posted   uint64 // highest number confirmed
	last     uint64 // highest number enqueued or confirmed
	queue    map[uint64]*queued
	nonces   map[uint64]fees // the last fees sent with each nonce
	results  map[uint64]*Result
	progress chan struct{} // closed and replaced at each confirmation
	fatal    error
	kick     chan struct{}
	bound    bool
}

// NewPoster opens (or creates) the poster database at dbPath and loads
// the postings still queued in it. Nothing is read from L1 until Run or
// an Enqueue that needs it.
func NewPoster(chain *Chain, c Contracts, key *ecdsa.PrivateKey, dbPath string, cfg PosterConfig) (*Poster, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	if err := c.Check(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	st, err := openPosterStore(dbPath)
	if err != nil {
		return nil, err
	}
	p := &Poster{chain: chain, inbox: c.Inbox, bi: contracts.NewBatchInbox(), key: key, from: crypto.PubkeyToAddress(key.PublicKey),
		cfg: cfg, store: st, log: cfg.Logger, m: newPosterMetrics(cfg.Registry), queue: map[uint64]*queued{},
		nonces: map[uint64]fees{}, results: map[uint64]*Result{}, progress: make(chan struct{}), kick: make(chan struct{}, 1)}
	state, err := st.load()
	if err != nil {
		st.close()
		return nil, err
	}
	p.posted, p.last, p.nonces = state.posted, state.posted, state.nonces
	for n, q := range state.queue {
		if q.txs, err = q.p.calldata(); err != nil {
			st.close()
			return nil, fmt.Errorf("l1: %s: queued batch %d: %w", dbPath, n, err)
		}
		p.queue[n] = q
		p.last = max(p.last, n)
	}
	p.m.posted.Set(float64(p.posted))
	p.m.queued.Set(float64(len(p.queue)))
	return p, nil
}

// Close closes the database; Run must have returned.
func (p *Poster) Close() error { return p.store.close() }

// Next is the number the poster expects to be enqueued next.
func (p *Poster) Next() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.last + 1
}

// L1Next is the batch number L1's inbox expects next, at its latest block.
func (p *Poster) L1Next(ctx context.Context) (uint64, error) {
	return view(ctx, p.chain, p.inbox, p.bi.PackNextNumber(), p.bi.UnpackNextNumber)
}

// Posted is the highest batch number confirmed on L1 as far as the poster
// knows.
func (p *Poster) Posted() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.posted
}

// Enqueue hands the poster a posting; it returns once the posting is
// saved. Postings come in number order (ErrNotConsecutive otherwise; Next
// says which number is due). A posting already enqueued or posted with the
// same commitment hash is accepted again without effect; with another
// hash, ErrConflict.
func (p *Poster) Enqueue(ctx context.Context, post Posting) error {
	txs, err := post.calldata()
	if err != nil {
		return err
	}
	p.mu.Lock()
	if p.fatal != nil {
		defer p.mu.Unlock()
		return p.fatal
	}
	if q, ok := p.queue[post.Number]; ok {
		p.mu.Unlock()
		if q.p.CommitmentHash != post.CommitmentHash {
			return fmt.Errorf("%w: batch %d is queued with %s, not %s", ErrConflict, post.Number, q.p.CommitmentHash, post.CommitmentHash)
		}
		return nil
	}
	if post.Number != p.last+1 {
		p.mu.Unlock()
		return p.enqueueOther(ctx, post, txs)
	}
	defer p.mu.Unlock()
	return p.add(post, txs)
}

// add saves and queues post; p.mu is held.
func (p *Poster) add(post Posting, txs postingTxs) error {
	if err := p.store.putPosting(&post); err != nil {
		return err
	}
	p.queue[post.Number] = &queued{p: post, txs: txs}
	p.last = post.Number
	p.m.queued.Set(float64(len(p.queue)))
	select {
	case p.kick <- struct{}{}:
	default:
	}
	return nil
}

// enqueueOther handles a number other than last+1: one already posted is
// compared with L1, one L1 has reached without the poster (posted by
// someone else, or by a poster whose database is gone) is accepted.
func (p *Poster) enqueueOther(ctx context.Context, post Posting, txs postingTxs) error {
	next, err := view(ctx, p.chain, p.inbox, p.bi.PackNextNumber(), p.bi.UnpackNextNumber)
	if err != nil {
		return err
	}
	if post.Number < next {
		got, err := view(ctx, p.chain, p.inbox, p.bi.PackBatch(post.Number), p.bi.UnpackBatch)
		if err != nil {
			return err
		}
		if got.CommitmentHash != post.CommitmentHash {
			return fmt.Errorf("%w: batch %d is posted with %x, not %s", ErrConflict, post.Number, got.CommitmentHash, post.CommitmentHash)
		}
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if post.Number == next && post.Number > p.last+1 && len(p.queue) == 0 {
		if err := p.store.setPosted(next - 1); err != nil {
			return err
		}
		p.posted = next - 1
		return p.add(post, txs)
	}
	return fmt.Errorf("%w: batch %d, the poster expects %d", ErrNotConsecutive, post.Number, p.last+1)
}

// Post enqueues the posting and waits until it is confirmed (Run must be
// running).
func (p *Poster) Post(ctx context.Context, post Posting) (*Result, error) {
	if err := p.Enqueue(ctx, post); err != nil {
		return nil, err
	}
	return p.Wait(ctx, post.Number)
}

// Wait waits until batch number is confirmed on L1, or Run stopped on an
// error.
func (p *Poster) Wait(ctx context.Context, number uint64) (*Result, error) {
	for {
		p.mu.Lock()
		if p.posted >= number {
			r, ok := p.results[number]
			p.mu.Unlock()
			if !ok {
				r = &Result{Number: number}
			}
			return r, nil
		}
		if p.fatal != nil {
			defer p.mu.Unlock()
			return nil, p.fatal
		}
		ch := p.progress
		p.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-ch:
		}
	}
}

// Status is a snapshot of the poster's queue.
type Status struct {
	Posted uint64
	Queue  []QueuedStatus
}

// QueuedStatus is one queued posting.
type QueuedStatus struct {
	Number uint64
	// Sent: its transactions are in flight with nonces from Nonce (the
	// parts first, then the submitBatch); Attempts counts every
	// submitBatch transaction sent for the posting, the last being TxHash.
	Sent     bool
	Nonce    uint64
	TxHash   common.Hash
	Attempts int
}

// Status returns what is posted and queued.
func (p *Poster) Status() Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := Status{Posted: p.posted}
	for n, q := range p.queue {
		qs := QueuedStatus{Number: n, Sent: q.a.Sent, Nonce: q.a.Nonce, Attempts: len(q.a.Hashes)}
		if len(q.a.Hashes) > 0 {
			qs.TxHash = q.a.Hashes[len(q.a.Hashes)-1]
		}
		s.Queue = append(s.Queue, qs)
	}
	slices.SortFunc(s.Queue, func(a, b QueuedStatus) int { return cmp.Compare(a.Number, b.Number) })
	return s
}

// Run is the poster's driver: every PollInterval, and at once when a
// posting is enqueued, it reads L1, plans (makePlan) and carries the plan
// out: confirmations are checked and saved, then each transaction is
// saved before it is sent. A failed round is logged and tried again; Run
// returns nil when ctx ends, or one of the errors that stop it (see the
// Poster errors), which Wait and Enqueue then return too.
func (p *Poster) Run(ctx context.Context) error {
	first := true
	failing := ""
	for {
		err := p.step(ctx, first)
		switch {
		case err == nil:
			first = false
			if failing != "" {
				p.log.Info("posting works again")
				failing = ""
			}
		case ctx.Err() != nil:
			return nil
		case isFatal(err):
			p.mu.Lock()
			p.fatal = err
			close(p.progress)
			p.progress = make(chan struct{})
			p.mu.Unlock()
			p.log.Error("batch poster stopped", "err", err)
			return err
		default:
			p.m.errors.Inc()
			if msg := err.Error(); msg != failing {
				p.log.Warn("posting round failed; trying again", "err", err)
				failing = msg
			}
		}
		t := time.NewTimer(p.cfg.PollInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		case <-p.kick:
			t.Stop()
		}
	}
}

func isFatal(err error) bool {
	for _, f := range []error{ErrConflict, ErrFrozen, ErrTooLarge, ErrDeepReorg, ErrWrongChain} {
		if errors.Is(err, f) {
			return true
		}
	}
	return false
}

// errStop ends a round quietly: the next reading of L1 sorts it out.
var errStop = errors.New("l1: round ended early")

// step is one round. first re-sends what is in flight (after a restart
// the node may have lost it).
func (p *Poster) step(ctx context.Context, first bool) error {
	if err := p.bind(ctx); err != nil {
		return err
	}
	v, headHash, confirmedHash, err := p.read(ctx)
	if err != nil {
		return err
	}
	p.mu.Lock()
	posted := p.posted
	slots := make([]slot, 0, len(p.queue))
	for n, q := range p.queue {
		slots = append(slots, slot{Number: n, Txs: q.txs.count(), Sent: q.a.Sent, Nonce: q.a.Nonce,
			SentAt: time.Unix(0, int64(q.a.SentAt))})
	}
	p.mu.Unlock()
	if v.LatestNext <= posted {
		return fmt.Errorf("%w: BatchInbox expects batch %d at head %s, the poster saw %d confirmed", ErrDeepReorg, v.LatestNext,
			headHash, posted)
	}
	slices.SortFunc(slots, func(a, b slot) int { return cmp.Compare(a.Number, b.Number) })
	pl := makePlan(slots, v, planConfig{MaxInFlight: p.cfg.MaxInFlight, ResubmitAfter: p.cfg.ResubmitAfter})
	if len(pl.Confirmed) > 0 {
		if err := p.confirm(ctx, pl.Confirmed, confirmedHash, v.LatestNonce); err != nil {
			return err
		}
	}
	if pl.Reset {
		if err := p.reset(v); err != nil {
			return err
		}
	}
	if first {
		p.rebroadcast(ctx, v.LatestNext)
	}
	if len(pl.Sends) == 0 {
		return nil
	}
	tip, feeCap, err := p.chain.fees(ctx)
	if err != nil {
		return err
	}
	model := p.gasModel(v.LatestNext)
	for _, s := range pl.Sends {
		if err := p.send(ctx, s, v, tip, feeCap, &model); err != nil {
			if errors.Is(err, errStop) {
				return nil
			}
			return err
		}
	}
	return nil
}

// bind checks, once, that the database belongs to this chain, inbox and
// account, recording them in a fresh database.
func (p *Poster) bind(ctx context.Context) error {
	if p.bound {
		return nil
	}
	g, err := p.chain.HeaderByNumber(ctx, big.NewInt(0))
	if err != nil {
		return fmt.Errorf("l1: genesis: %w", err)
	}
	b := binding{ChainID: p.chain.chainID.Uint64(), Genesis: g.Hash(), Inbox: p.inbox, From: p.from}
	if err := p.store.bind(b); err != nil {
		return err
	}
	p.bound = true
	return nil
}

// read takes one consistent reading of L1.
func (p *Poster) read(ctx context.Context) (chainView, common.Hash, common.Hash, error) {
	var v chainView
	head, err := p.chain.HeaderByNumber(ctx, nil)
	if err != nil {
		return v, common.Hash{}, common.Hash{}, fmt.Errorf("l1: head: %w", err)
	}
	v.Now = time.Now()
	hh := head.Hash()
	if v.LatestNext, err = viewAt(ctx, p.chain, p.inbox, p.bi.PackNextNumber(), p.bi.UnpackNextNumber, &hh); err != nil {
		return v, hh, common.Hash{}, err
	}
	frozen, err := viewAt(ctx, p.chain, p.inbox, p.bi.PackFrozen(), p.bi.UnpackFrozen, &hh)
	if err != nil {
		return v, hh, common.Hash{}, err
	}
	if frozen {
		return v, hh, common.Hash{}, ErrFrozen
	}
	var ch common.Hash
	if n := head.Number.Uint64(); n >= p.cfg.Confirmations {
		conf := head
		if p.cfg.Confirmations > 0 {
			if conf, err = p.chain.HeaderByNumber(ctx, new(big.Int).SetUint64(n-p.cfg.Confirmations)); err != nil {
				return v, hh, common.Hash{}, fmt.Errorf("l1: block %d: %w", n-p.cfg.Confirmations, err)
			}
		}
		ch = conf.Hash()
		v.ConfirmedNext, err = viewAt(ctx, p.chain, p.inbox, p.bi.PackNextNumber(), p.bi.UnpackNextNumber, &ch)
		if errors.Is(err, ErrContracts) {
			v.ConfirmedNext, err = 1, nil // the inbox is younger than the confirmed block
		}
		if err != nil {
			return v, hh, ch, err
		}
	}
	if v.LatestNonce, err = p.chain.NonceAt(ctx, p.from, head.Number); err != nil {
		return v, hh, ch, fmt.Errorf("l1: nonce of %s: %w", p.from, err)
	}
	if v.PendingNonce, err = p.chain.PendingNonceAt(ctx, p.from); err != nil {
		return v, hh, ch, fmt.Errorf("l1: pending nonce of %s: %w", p.from, err)
	}
	return v, hh, ch, nil
}

// confirm checks each confirmed number's posted commitment against the
// queued one, finds the poster's transaction that posted it, and drops it
// from the queue.
func (p *Poster) confirm(ctx context.Context, numbers []uint64, at common.Hash, latestNonce uint64) error {
	for _, n := range numbers {
		p.mu.Lock()
		q := p.queue[n]
		p.mu.Unlock()
		got, err := viewAt(ctx, p.chain, p.inbox, p.bi.PackBatch(n), p.bi.UnpackBatch, &at)
		if err != nil {
			return err
		}
		if got.CommitmentHash != q.p.CommitmentHash {
			return fmt.Errorf("%w: batch %d is posted with %x, the poster holds %s", ErrConflict, n, got.CommitmentHash, q.p.CommitmentHash)
		}
		r := &Result{Number: n, Calldata: q.txs.size(), Parts: len(q.txs.parts)}
		for _, h := range slices.Backward(q.a.Hashes) {
			rc, err := p.chain.TransactionReceipt(ctx, h)
			if err == nil && rc.Status == types.ReceiptStatusSuccessful {
				r.TxHash, r.L1Block, r.GasUsed = h, rc.BlockNumber.Uint64(), rc.GasUsed
				break
			}
		}
		if r.TxHash != (common.Hash{}) {
			for _, h := range q.a.PartHashes {
				if rc, err := p.chain.TransactionReceipt(ctx, h); err == nil && rc.Status == types.ReceiptStatusSuccessful {
					r.GasUsed += rc.GasUsed
				}
			}
		}
		if err := p.store.confirm(n, latestNonce); err != nil {
			return err
		}
		p.mu.Lock()
		delete(p.queue, n)
		for nonce := range p.nonces {
			if nonce < latestNonce {
				delete(p.nonces, nonce)
			}
		}
		p.posted = max(p.posted, n)
		p.results[n] = r
		delete(p.results, n-min(n, 1024))
		close(p.progress)
		p.progress = make(chan struct{})
		p.m.posted.Set(float64(p.posted))
		p.m.queued.Set(float64(len(p.queue)))
		p.mu.Unlock()
		p.m.gasUsed.Add(float64(r.GasUsed))
		p.log.Info("batch posted", "number", n, "tx", r.TxHash, "l1Block", r.L1Block, "gas", r.GasUsed, "calldata", r.Calldata,
			"parts", r.Parts)
	}
	return nil
}

// reset forgets the attempts of the postings not on chain.
func (p *Poster) reset(v chainView) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var changed []uint64
	for n, q := range p.queue {
		if n >= v.LatestNext && q.a.Sent {
			changed = append(changed, n)
		}
	}
	for _, n := range changed {
		a := p.queue[n].a
		a.Sent = false
		if err := p.store.putAttempt(n, &a, nil, 0); err != nil {
			return err
		}
		p.queue[n].a = a
	}
	p.m.resets.Inc()
	p.log.Warn("renumbering the postings in flight: a nonce was used without posting its batch, or does not move",
		"from", v.LatestNext, "nonce", v.LatestNonce, "postings", len(changed))
	return nil
}

// rebroadcast sends again the transactions in flight, as saved.
func (p *Poster) rebroadcast(ctx context.Context, latestNext uint64) {
	p.mu.Lock()
	var txs []*types.Transaction
	for n, q := range p.queue {
		if n >= latestNext && q.a.Sent {
			if signed, err := p.sign(q, q.a.Nonce, q.a.PartGas, q.a.Gas, q.a.Tip, q.a.FeeCap); err == nil {
				txs = append(txs, signed...)
			}
		}
	}
	p.mu.Unlock()
	slices.SortFunc(txs, func(a, b *types.Transaction) int { return cmp.Compare(a.Nonce(), b.Nonce()) })
	for _, tx := range txs {
		if err := p.chain.SendTransaction(ctx, tx); err != nil && !knownTx(err) {
			p.log.Debug("re-sending a posting after a restart", "nonce", tx.Nonce(), "err", err)
		}
	}
}

// gasModel is the gas of the first open posting's submitBatch and its
// calldata size without the parts' hashes: the postings pipelined behind
// it cannot be estimated (they revert until it is mined), so they get its
// gas plus gasPerExtraByte for each byte they are longer (and partNameGas
// per part they name).
type gasModel struct {
	gas  uint64
	size int
}

const gasPerExtraByte = 48 // EIP-7623's 40 per non-zero byte, and room for copying and hashing

func (p *Poster) gasModel(latestNext uint64) gasModel {
	p.mu.Lock()
	defer p.mu.Unlock()
	if q, ok := p.queue[latestNext]; ok && q.a.Gas > 0 {
		return gasModel{gas: q.a.Gas - uint64(len(q.txs.parts))*partNameGas, size: len(q.txs.probe)}
	}
	return gasModel{}
}

func (m gasModel) forSize(n int) uint64 {
	return m.gas + uint64(max(0, n-m.size))*gasPerExtraByte
}

type fees struct {
	Tip, FeeCap *big.Int
}

// bump raises x by 12.5%, rounding up.
func bump(x *big.Int) *big.Int {
	y := new(big.Int).Mul(x, big.NewInt(9))
	y.Add(y, big.NewInt(7))
	return y.Div(y, big.NewInt(8))
}

func maxBig(a, b *big.Int) *big.Int {
	if a.Cmp(b) >= 0 {
		return a
	}
	return b
}

// send signs, saves and sends the transactions of one posting of the plan:
// its parts and its final submitBatch, with consecutive nonces from
// s.Nonce. A bump sends again those whose nonce is not used yet.
func (p *Poster) send(ctx context.Context, s sendStep, v chainView, tip, feeCap *big.Int, model *gasModel) error {
	p.mu.Lock()
	q := p.queue[s.Number]
	a := q.a
	k := len(q.txs.parts)
	prior := make([]fees, 0, k+1)
	for i := range k + 1 {
		if f, ok := p.nonces[s.Nonce+uint64(i)]; ok {
			prior = append(prior, f)
		}
	}
	p.mu.Unlock()

	var gas uint64
	partGases := a.PartGas
	switch {
	case s.Bump:
		gas = a.Gas
	case s.Number == v.LatestNext:
		// The parts are not on chain yet: the final posting is estimated
		// without them, and what naming them costs is added.
		probe := q.txs.probe
		est, err := p.chain.EstimateGas(ctx, ethereum.CallMsg{From: p.from, To: &p.inbox, Data: probe})
		if err != nil {
			err = asRevert(err)
			var re *RevertError
			if errors.As(err, &re) && re.Name == "SequencerIsFrozen" {
				return ErrFrozen
			}
			return fmt.Errorf("l1: batch %d cannot be posted now: %w", s.Number, err)
		}
		if est > params.MaxTxGas {
			return fmt.Errorf("%w: batch %d needs %d gas", ErrTooLarge, s.Number, est)
		}
		gas = min(est+est/5, params.MaxTxGas)
		*model = gasModel{gas: gas, size: len(probe)}
		gas = min(gas+uint64(k)*partNameGas, params.MaxTxGas)
	case model.gas > 0:
		gas = min(model.forSize(len(q.txs.probe))+uint64(k)*partNameGas, params.MaxTxGas)
	default:
		return errStop // nothing to base a pipelined estimate on yet
	}
	if !s.Bump || len(partGases) != k {
		partGases = make([]uint64, k)
		for i, cd := range q.txs.parts {
			partGases[i] = partGas(cd)
		}
	}

	tip, feeCap = new(big.Int).Set(tip), new(big.Int).Set(feeCap)
	var floor *fees // the lowest fees that replace every earlier transaction of these nonces
	for _, f := range prior {
		if floor == nil {
			floor = &fees{Tip: bump(f.Tip), FeeCap: bump(f.FeeCap)}
		} else {
			floor.Tip, floor.FeeCap = maxBig(floor.Tip, bump(f.Tip)), maxBig(floor.FeeCap, bump(f.FeeCap))
		}
	}
	if floor != nil {
		tip, feeCap = maxBig(tip, floor.Tip), maxBig(feeCap, floor.FeeCap)
	}
	feeCap = maxBig(feeCap, tip)
	if mx := p.cfg.MaxFeeCap; mx != nil && feeCap.Cmp(mx) > 0 {
		feeCap = new(big.Int).Set(mx)
		if tip.Cmp(feeCap) > 0 {
			tip = new(big.Int).Set(feeCap)
		}
		if floor != nil && feeCap.Cmp(floor.FeeCap) < 0 {
			p.log.Warn("posting stuck at the maximum fee cap", "number", s.Number, "nonce", s.Nonce, "feeCap", feeCap)
			return errStop
		}
	}

	p.mu.Lock()
	txs, err := p.sign(q, s.Nonce, partGases, gas, tip, feeCap)
	if err != nil {
		p.mu.Unlock()
		return err
	}
	na := attempt{Sent: true, Nonce: s.Nonce, Tip: tip, FeeCap: feeCap, Gas: gas, SentAt: uint64(time.Now().UnixNano()),
		Hashes: append(slices.Clone(a.Hashes), txs[k].Hash()), PartGas: partGases, PartHashes: slices.Clone(a.PartHashes)}
	for _, tx := range txs[:k] {
		na.PartHashes = append(na.PartHashes, tx.Hash())
	}
	f := fees{Tip: tip, FeeCap: feeCap}
	if err := p.store.putAttempt(s.Number, &na, &f, k+1); err != nil {
		p.mu.Unlock()
		return err
	}
	q.a = na
	for i := range k + 1 {
		p.nonces[s.Nonce+uint64(i)] = f
	}
	p.mu.Unlock()

	for i, tx := range txs {
		if s.Bump && tx.Nonce() < v.LatestNonce {
			continue // a part already mined
		}
		err = p.chain.SendTransaction(ctx, tx)
		switch {
		case err == nil || knownTx(err):
		case strings.Contains(err.Error(), "nonce too low"):
			return errStop
		case strings.Contains(err.Error(), "replacement transaction underpriced"):
			p.log.Warn("posting replacement refused as underpriced; it is bumped again later", "number", s.Number, "nonce", tx.Nonce())
			return errStop
		default:
			return fmt.Errorf("l1: sending batch %d (transaction %d of %d): %w", s.Number, i+1, len(txs), err)
		}
		p.m.sent.Inc()
		if s.Bump {
			p.m.bumps.Inc()
		}
	}
	p.log.Info("posting sent", "number", s.Number, "nonce", s.Nonce, "parts", k, "tx", txs[k].Hash(), "gas", gas, "tip", tip,
		"feeCap", feeCap, "bump", s.Bump, "attempt", len(na.Hashes))
	return nil
}

func knownTx(err error) bool { return strings.Contains(err.Error(), "already known") }

// sign signs q's transactions from nonce: one per part (with partGas),
// then the submitBatch (with gas); p.mu is held.
func (p *Poster) sign(q *queued, nonce uint64, partGas []uint64, gas uint64, tip, feeCap *big.Int) ([]*types.Transaction, error) {
	k := len(q.txs.parts)
	if len(partGas) != k {
		return nil, fmt.Errorf("l1: batch %d: gas of %d parts saved, it has %d", q.p.Number, len(partGas), k)
	}
	out := make([]*types.Transaction, 0, k+1)
	for i := range k + 1 {
		data, g := q.txs.final, gas
		if i < k {
			data, g = q.txs.parts[i], partGas[i]
		}
		tx, err := types.SignNewTx(p.key, p.chain.Signer(), &types.DynamicFeeTx{ChainID: p.chain.chainID, Nonce: nonce + uint64(i),
			GasTipCap: tip, GasFeeCap: feeCap, Gas: g, To: &p.inbox, Data: data})
		if err != nil {
			return nil, err
		}
		out = append(out, tx)
	}
	return out, nil
}

type posterMetrics struct {
	posted, queued                       prometheus.Gauge
	sent, bumps, resets, errors, gasUsed prometheus.Counter
}

func newPosterMetrics(reg prometheus.Registerer) *posterMetrics {
	c := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Namespace: "veil", Subsystem: "poster", Name: name, Help: help})
	}
	g := func(name, help string) prometheus.Gauge {
		return prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "veil", Subsystem: "poster", Name: name, Help: help})
	}
	m := &posterMetrics{
		posted:  g("posted_batch", "The highest batch number confirmed on L1."),
		queued:  g("queued_postings", "Postings enqueued and not yet confirmed."),
		sent:    c("transactions_sent_total", "Posting transactions sent, replacements included."),
		bumps:   c("fee_bumps_total", "Posting transactions sent again with raised fees."),
		resets:  c("nonce_resets_total", "Times the postings in flight were renumbered."),
		errors:  c("errors_total", "Posting rounds that failed."),
		gasUsed: c("gas_used_total", "L1 gas used by the poster's confirmed postings."),
	}
	if reg != nil {
		reg.MustRegister(m.posted, m.queued, m.sent, m.bumps, m.resets, m.errors, m.gasUsed)
	}
	return m
}
