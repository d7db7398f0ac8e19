package rescue

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/execution"
	"github.com/veil-l2/veil/internal/p2p"
	"github.com/veil-l2/veil/keyper"
	"github.com/veil-l2/veil/l1"
	"github.com/veil-l2/veil/ordering"
	"github.com/veil-l2/veil/ordering/batch"
	"github.com/veil-l2/veil/verify"
)

// Errors of a rescue: a republished batch the rescuer does not post.
var (
	ErrConfig         = errors.New("rescue: invalid configuration")
	ErrNotNext        = errors.New("rescue: republished batch does not extend the chain on L1")
	ErrClassification = errors.New("rescue: keyed envelopes are not the no-key rule's")
	ErrGasBudget      = errors.New("rescue: batch over its gas budget")
	ErrInvalidKeys    = errors.New("rescue: keys that are not the eon key's for their identities")
)

// DefaultMaxPending bounds the republished batches held.
const DefaultMaxPending = 64

// Config configures a Rescuer.
type Config struct {
	L1        *l1.Chain
	Contracts l1.Contracts
	// Chain is the L2 chain config, the sequencer's.
	Chain *execution.ChainConfig
	// Key is the rescuer's own L1 account, which pays for its postings.
	Key *ecdsa.PrivateKey
	// P2P is a node peered with keypers; the rescuer joins
	// keyper.TopicRepublish on it.
	P2P *p2p.Node
	// Committees are the committees whose members may re-publish, by eon.
	Committees *keyper.Eons
	// DataDir holds the verifier's chain and the poster's database.
	DataDir string
	// Confirmations of the verifier and the poster (0: once mined).
	Confirmations uint64
	// PollInterval: how often L1 is read (verify.DefaultPollInterval).
	PollInterval time.Duration
	// Limits and BatchLimits as the verifier takes them.
	Limits      encmempool.Limits
	BatchLimits batch.Limits
	// MaxPending bounds the republished batches held (DefaultMaxPending).
	MaxPending int
	// OnRescued, when set, is told of each batch posted by the rescuer
	// (once L1 has it at the configured depth).
	OnRescued func(Rescued)
	Logger    *slog.Logger
	Registry  prometheus.Registerer
}

// Rescued is a batch the rescuer posted.
type Rescued struct {
	Number    uint64
	BlockHash common.Hash
	StateRoot common.Hash
	// TxHash and L1Block are those of the rescuer's posting transaction.
	TxHash  common.Hash
	L1Block uint64
}

// Rescuer posts republished batches; see the package doc.
type Rescuer struct {
	cfg    Config
	log    *slog.Logger
	v      *verify.Verifier
	poster *l1.Poster
	keys   *l1.EonKeys
	topic  *p2p.Topic
	val    keyper.RepublishValidator
	m      metrics

	eonMu sync.Mutex
	eons  map[uint64]*tpke.EonPublicKey

	mu      sync.Mutex
	pending map[uint64]*keyper.Republished
	kick    chan struct{}
	posted  map[uint64]Rescued // enqueued by this rescuer, not reported yet
}

type metrics struct {
	received prometheus.Counter
	posted   prometheus.Counter
	refused  *prometheus.CounterVec
}

// New opens the verifier and the poster and joins the republish topic.
func New(ctx context.Context, cfg Config) (*Rescuer, error) {
	switch {
	case cfg.L1 == nil || cfg.Chain == nil || cfg.Key == nil || cfg.P2P == nil || cfg.Committees == nil:
		return nil, fmt.Errorf("%w: L1, the chain config, an L1 key, a p2p node and the committees are required", ErrConfig)
	case cfg.DataDir == "":
		return nil, fmt.Errorf("%w: a data directory is required (the poster's database must survive a restart)", ErrConfig)
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = verify.DefaultPollInterval
	}
	if cfg.Limits.MaxCiphertext == 0 {
		cfg.Limits = encmempool.DefaultLimits
	}
	cfg.BatchLimits = cfg.BatchLimits.OrDefaults()
	if cfg.MaxPending <= 0 {
		cfg.MaxPending = DefaultMaxPending
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	r := &Rescuer{cfg: cfg, log: cfg.Logger, keys: l1.NewEonKeys(cfg.L1, cfg.Contracts), eons: map[uint64]*tpke.EonPublicKey{},
		pending: map[uint64]*keyper.Republished{}, kick: make(chan struct{}, 1), posted: map[uint64]Rescued{}}
	r.m = metrics{
		received: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "veil", Subsystem: "rescue", Name: "republished_total",
			Help: "Valid republished batches received."}),
		posted: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "veil", Subsystem: "rescue", Name: "posted_total",
			Help: "Republished batches this rescuer posted to L1."}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "veil", Subsystem: "rescue", Name: "refused_total",
			Help: "Republished batches not posted, by reason."}, []string{"reason"}),
	}
	invalid, err := keyper.NewRepublishInvalid(cfg.Registry)
	if err != nil {
		return nil, err
	}
	if cfg.Registry != nil {
		for _, c := range []prometheus.Collector{r.m.received, r.m.posted, r.m.refused} {
			if err := cfg.Registry.Register(c); err != nil {
				return nil, err
			}
		}
	}
	r.val = keyper.RepublishValidator{ChainID: cfg.Chain.ChainID, Sequencer: cfg.Chain.Sequencer, Eons: cfg.Committees,
		EonKey: r.eonKeyNow, Limits: cfg.BatchLimits, Invalid: invalid}
	if r.v, err = verify.New(ctx, verify.Config{L1: cfg.L1, Contracts: cfg.Contracts, Chain: cfg.Chain,
		DataDir: filepath.Join(cfg.DataDir, "verifier"), Confirmations: cfg.Confirmations, PollInterval: cfg.PollInterval,
		Limits: cfg.Limits, BatchLimits: cfg.BatchLimits, Logger: cfg.Logger.With("part", "verifier")}); err != nil {
		return nil, err
	}
	if r.poster, err = l1.NewPoster(cfg.L1, cfg.Contracts, cfg.Key, filepath.Join(cfg.DataDir, "poster.db"),
		l1.PosterConfig{Confirmations: cfg.Confirmations, PollInterval: cfg.PollInterval, Logger: cfg.Logger.With("part", "poster")}); err != nil {
		r.v.Close()
		return nil, err
	}
	if r.topic, err = cfg.P2P.Join(keyper.TopicRepublish, r.val); err != nil {
		r.poster.Close()
		r.v.Close()
		return nil, err
	}
	return r, nil
}

// Close closes the verifier and the poster; Run must have returned.
func (r *Rescuer) Close() error {
	return errors.Join(r.poster.Close(), r.v.Close(), r.topic.Close())
}

// Verifier is the rescuer's verifier (its Next is the batch it waits for).
func (r *Rescuer) Verifier() *verify.Verifier { return r.v }

// NextNumber reads BatchInbox's nextNumber: every batch below it is on L1.
func NextNumber(ctx context.Context, chain *l1.Chain, c l1.Contracts) (uint64, error) {
	bi := contracts.NewBatchInbox()
	out, err := chain.CallContract(ctx, ethereum.CallMsg{To: &c.Inbox, Data: bi.PackNextNumber()}, nil)
	if err != nil {
		return 0, fmt.Errorf("rescue: BatchInbox.nextNumber: %w", err)
	}
	return bi.UnpackNextNumber(out)
}

// eonKeyNow is the validator's eon key lookup: final on L1, read once.
// It runs on gossip's validation goroutines, so a read waits at most 2 s.
func (r *Rescuer) eonKeyNow(eon uint64) (*tpke.EonPublicKey, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	pk, err := r.eonKey(ctx, eon)
	return pk, err == nil
}

func (r *Rescuer) eonKey(ctx context.Context, eon uint64) (*tpke.EonPublicKey, error) {
	r.eonMu.Lock()
	pk := r.eons[eon]
	r.eonMu.Unlock()
	if pk != nil {
		return pk, nil
	}
	raw, err := r.keys.EonKey(ctx, eon)
	if err != nil {
		return nil, err
	}
	if pk, err = tpke.ParseEonPublicKey(raw); err != nil {
		return nil, fmt.Errorf("rescue: eon %d's key on L1: %w", eon, err)
	}
	r.eonMu.Lock()
	r.eons[eon] = pk
	r.eonMu.Unlock()
	return pk, nil
}

// Run drives the rescuer until ctx ends (nil), the verifier finds an
// invalid batch on L1 (its *verify.Mismatch: nothing can be built on it)
// or the poster stops on an error it cannot get past.
func (r *Rescuer) Run(ctx context.Context) error {
	sub, cancel, err := r.topic.Subscribe()
	if err != nil {
		return err
	}
	ctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer stop()
	defer cancel()
	wg.Go(func() { r.receive(sub) })
	posterErr := make(chan error, 1)
	wg.Go(func() { posterErr <- r.poster.Run(ctx) })
	failing := ""
	for {
		err := r.step(ctx)
		var mm *verify.Mismatch
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.As(err, &mm), errors.Is(err, verify.ErrL1Reorg), errors.Is(err, verify.ErrConfig), errors.Is(err, execution.ErrStore):
			return err
		case err != nil:
			if msg := err.Error(); msg != failing {
				r.log.Warn("rescue round failed; trying again", "err", err)
				failing = msg
			}
		default:
			failing = ""
		}
		t := time.NewTimer(r.cfg.PollInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case err := <-posterErr:
			t.Stop()
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("rescue: poster: %w", err)
		case <-r.kick:
			t.Stop()
		case <-t.C:
		}
	}
}

// receive holds each valid republished batch (the first per number,
// the lowest MaxPending numbers).
func (r *Rescuer) receive(sub <-chan p2p.Received) {
	for m := range sub {
		rp, err := keyper.DecodeRepublished(m.Message.Payload, r.cfg.Chain.ChainID, m.Message.Eon, r.cfg.BatchLimits)
		if err != nil {
			continue // unreachable: the topic validator decoded it
		}
		r.m.received.Inc()
		n := rp.Batch.Commitment.Number
		r.mu.Lock()
		if _, ok := r.pending[n]; !ok {
			r.pending[n] = rp
			for len(r.pending) > r.cfg.MaxPending {
				highest := n
				for k := range r.pending {
					highest = max(highest, k)
				}
				delete(r.pending, highest)
			}
			r.log.Info("republished batch received", "batch", n, "hash", rp.Keys.Hash, "from", m.Message.Sender)
		}
		r.mu.Unlock()
		select {
		case r.kick <- struct{}{}:
		default:
		}
	}
}

// step verifies what L1 holds, then posts the next batch when it is held
// and not on L1.
func (r *Rescuer) step(ctx context.Context) error {
	for {
		res, err := r.v.VerifyNext(ctx)
		if errors.Is(err, verify.ErrNotPosted) || errors.Is(err, verify.ErrWaiting) {
			break
		}
		if err != nil {
			return err
		}
		r.verified(res)
	}
	n := r.v.Next()
	r.mu.Lock()
	for k := range r.pending {
		if k < n {
			delete(r.pending, k)
		}
	}
	rp := r.pending[n]
	_, enqueued := r.posted[n]
	r.mu.Unlock()
	if rp == nil || enqueued {
		return nil
	}
	onL1, err := NextNumber(ctx, r.cfg.L1, r.cfg.Contracts)
	if err != nil || onL1 != n {
		return err // posted (by anyone): the verifier takes it next
	}
	header, err := r.build(ctx, rp)
	if err != nil {
		r.refuse(n, err)
		return nil
	}
	post, err := l1.NewPosting(rp.Batch, rp.Keys, header.Hash(), header.Root, l1.Flate)
	if err != nil {
		r.refuse(n, err)
		return nil
	}
	if err := r.poster.Enqueue(ctx, post); err != nil {
		return fmt.Errorf("rescue: enqueueing batch %d: %w", n, err)
	}
	r.mu.Lock()
	r.posted[n] = Rescued{Number: n, BlockHash: header.Hash(), StateRoot: header.Root}
	r.mu.Unlock()
	r.m.posted.Inc()
	r.log.Info("posting a withheld batch", "batch", n, "hash", post.CommitmentHash, "block_hash", header.Hash(), "state_root", header.Root,
		"txs", len(rp.Batch.Txs), "keyed", len(rp.Keyed))
	return nil
}

// verified reports a verified batch this rescuer posted.
func (r *Rescuer) verified(res *verify.Result) {
	r.mu.Lock()
	p, ok := r.posted[res.Number]
	delete(r.posted, res.Number)
	r.mu.Unlock()
	if !ok {
		return
	}
	// The poster confirms at the verifier's depth too, at its next poll.
	ctx, cancel := context.WithTimeout(context.Background(), 2*r.cfg.PollInterval)
	defer cancel()
	if pr, err := r.poster.Wait(ctx, res.Number); err == nil && pr != nil {
		p.TxHash, p.L1Block = pr.TxHash, pr.L1Block
	}
	if p.BlockHash != res.BlockHash {
		// Someone else's posting of the same commitment with another block
		// hash would have failed verification; this cannot happen.
		r.log.Warn("a rescued batch was verified with another block hash", "batch", res.Number, "rescued", p.BlockHash, "verified", res.BlockHash)
		return
	}
	r.log.Info("rescued batch verified on L1", "batch", res.Number, "l1_block", res.L1Block)
	if r.cfg.OnRescued != nil {
		r.cfg.OnRescued(p)
	}
}

func (r *Rescuer) refuse(n uint64, err error) {
	reason := "other"
	for _, e := range []struct {
		err  error
		name string
	}{{ErrNotNext, "not_next"}, {ErrClassification, "classification"}, {ErrGasBudget, "gas_budget"}, {ErrInvalidKeys, "invalid_keys"},
		{execution.ErrParent, "execution"}, {execution.ErrTimestamp, "execution"}, {execution.ErrGasLimit, "execution"},
		{execution.ErrSystemTx, "execution"}, {ordering.ErrKeysMessage, "keys_message"}} {
		if errors.Is(err, e.err) {
			reason = e.name
			break
		}
	}
	r.m.refused.WithLabelValues(reason).Inc()
	r.log.Warn("republished batch not posted", "batch", n, "reason", reason, "err", err)
	r.mu.Lock()
	delete(r.pending, n) // a later re-publication may be another keyper's, and right
	r.mu.Unlock()
}

// build checks a republished batch against the verified chain and builds
// its block on top of it, without writing it.
func (r *Rescuer) build(ctx context.Context, rp *keyper.Republished) (*types.Header, error) {
	b, km := rp.Batch, rp.Keys
	c := &b.Commitment
	node := r.v.Node()
	head := node.Head()
	parent := head.MixDigest // the header links to its batch
	if head.Number.Uint64() == 0 {
		parent = common.Hash{}
	}
	if c.Number != r.v.Next() || c.Number != head.Number.Uint64()+1 || c.Parent != parent {
		return nil, fmt.Errorf("%w: batch %d with parent %s; the chain is at batch %d (%s)", ErrNotNext, c.Number, c.Parent,
			head.Number, parent)
	}
	rel, err := r.classify(rp)
	if err != nil {
		return nil, err
	}
	pk, err := r.eonKey(ctx, c.Eon)
	if err != nil {
		return nil, err
	}
	if err := checkKeys(pk, rel, km); err != nil {
		return nil, err
	}
	in, err := ordering.BlockInput(r.cfg.Chain.ChainID, b, rel, km, r.cfg.Limits)
	if err != nil {
		return nil, err
	}
	built, err := node.Build(ctx, in)
	if err != nil {
		return nil, err
	}
	return built.Block.Header(), nil
}

// classify applies the no-key rule with the identities the keypers
// withheld, beyond what the rule withholds by itself, counted as released
// before, and checks that the result is the keypers' keyed positions.
func (r *Rescuer) classify(rp *keyper.Republished) (*keyper.Release, error) {
	b := rp.Batch
	c := &b.Commitment
	cfg := keyper.ReleaseConfig{ChainID: c.ChainID, Eon: c.Eon, Sequencer: r.cfg.Chain.Sequencer, Inbox: contracts.EncryptedInboxAddress,
		Limits: r.cfg.Limits}
	all, _ := keyper.Classify(cfg, b, releasedSet(nil))
	claimed := map[int]bool{}
	for _, i := range rp.Keyed {
		claimed[i] = true
	}
	before := releasedSet{}
	keyable := map[int]bool{}
	for _, k := range all.Keyed {
		keyable[k.Index] = true
		if !claimed[k.Index] {
			before[k.Identity] = struct{}{}
		}
	}
	for _, i := range rp.Keyed {
		if !keyable[i] {
			return nil, fmt.Errorf("%w: transaction %d is keyed; the rule gives it no key", ErrClassification, i)
		}
	}
	rel, gas := keyper.Classify(cfg, b, before)
	if len(rel.Keyed) != len(rp.Keyed) {
		return nil, fmt.Errorf("%w: %d keyed envelopes, the keypers keyed %d", ErrClassification, len(rel.Keyed), len(rp.Keyed))
	}
	for i, k := range rel.Keyed {
		if k.Index != rp.Keyed[i] {
			return nil, fmt.Errorf("%w: keyed envelope %d is transaction %d, the keypers keyed %d", ErrClassification, i, k.Index, rp.Keyed[i])
		}
	}
	if gas > c.GasLimit {
		return nil, fmt.Errorf("%w: %d gas of %d", ErrGasBudget, gas, c.GasLimit)
	}
	return rel, nil
}

// releasedSet is a set of identities counted as released before.
type releasedSet map[tpke.Identity]struct{}

func (s releasedSet) Released(id tpke.Identity) bool {
	_, ok := s[id]
	return ok
}

// checkKeys checks every key against the eon key at once (the batched
// share check, with the eon key in the place of a public share).
func checkKeys(pk *tpke.EonPublicKey, rel *keyper.Release, km *ordering.KeysMessage) error {
	if len(km.Keys) != len(rel.Keyed)*tpke.G1Size {
		return fmt.Errorf("%w: %d key bytes for %d keyed envelopes", ErrInvalidKeys, len(km.Keys), len(rel.Keyed))
	}
	if len(rel.Keyed) == 0 {
		return nil
	}
	as, err := tpke.ParsePublicShare(0, pk.Bytes())
	if err != nil {
		return err
	}
	ids := make([]*tpke.IdentityPoint, len(rel.Keyed))
	for i, k := range rel.Keyed {
		ids[i] = k.Identity.Point()
	}
	if _, err := tpke.VerifyShares(as, ids, km.Keys, rand.Reader); err != nil {
		return fmt.Errorf("%w: batch %d: %v", ErrInvalidKeys, rel.Number, err)
	}
	return nil
}
