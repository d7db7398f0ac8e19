package verify

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/consensus/misc"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/execution"
	"github.com/veil-l2/veil/internal/idset"
	"github.com/veil-l2/veil/keyper"
	"github.com/veil-l2/veil/l1"
	"github.com/veil-l2/veil/ordering"
	"github.com/veil-l2/veil/ordering/batch"
)

// Defaults. DefaultConfirmations is `veil verify`'s (Config.Confirmations
// is taken as given: 0 verifies a posting once it is mined).
const (
	DefaultConfirmations = 2
	DefaultPollInterval  = 2 * time.Second
	DefaultMaxBlocks     = 1000
)

// Config configures a Verifier.
type Config struct {
	// L1 is the chain to read; Contracts the deployment on it.
	L1        *l1.Chain
	Contracts l1.Contracts
	// Chain is the L2 chain config file, the one the sequencer runs with.
	Chain *execution.ChainConfig
	// DataDir keeps the re-executed chain (go-ethereum's database and the
	// execution record) across restarts; empty means a temporary directory
	// removed by Close.
	DataDir string
	// Confirmations: a posting is verified once its L1 block has this many
	// blocks on top (0: once mined). Finalized instead waits for the
	// finalized block and ignores Confirmations.
	Confirmations uint64
	Finalized     bool
	// PollInterval is how often Follow reads L1 (DefaultPollInterval).
	PollInterval time.Duration
	// MaxBlocks caps the L1 blocks one log query spans (DefaultMaxBlocks).
	MaxBlocks uint64
	// Limits bound envelopes (encmempool.DefaultLimits when zero): the
	// chain's, as the sequencer and keypers use them. BatchLimits bound the
	// decoding of batch data (batch.DefaultLimits for each zero field).
	Limits      encmempool.Limits
	BatchLimits batch.Limits
	// CacheMB caps go-ethereum's caches (execution.DefaultCacheMB).
	CacheMB int
	// Rand draws the coefficients of the batched key check (crypto/rand
	// when nil).
	Rand io.Reader
	// OnVerified, when set, is called with each batch verified.
	OnVerified func(Result)
	Logger     *slog.Logger
	// Registry receives the verifier's and the execution node's metrics
	// (nil: not registered).
	Registry prometheus.Registerer
}

// Check reports a configuration the verifier cannot run with.
func (c *Config) Check() error {
	switch {
	case c.L1 == nil:
		return fmt.Errorf("%w: no L1 chain", ErrConfig)
	case c.Chain == nil:
		return fmt.Errorf("%w: no L2 chain config", ErrConfig)
	}
	if err := c.Contracts.Check(); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return c.Chain.Check()
}

// Result is one verified batch.
type Result struct {
	Number    uint64
	Eon       uint64
	Txs       int
	Keyed     int
	Forced    int
	Deposits  int
	BlockHash common.Hash
	StateRoot common.Hash
	// L1Block is the L1 block the batch was posted in.
	L1Block uint64
}

// Verifier derives the L2 chain from L1 and checks every posted batch in
// number order (see the package doc). It is driven by one goroutine.
type Verifier struct {
	cfg     Config
	log     *slog.Logger
	r       *reader
	node    *execution.Node
	tmpDir  string
	keys    *l1.EonKeys
	eons    map[uint64]*eonKey
	sets    sets // the keyper sets read so far (the eon rule)
	metrics *metrics

	sequencer common.Address // BatchInbox's: it signs commitments
	deadline  uint64         // L1Inbox's forced-inclusion deadline

	// The verified prefix.
	next        uint64 // the next batch to verify
	lastHash    common.Hash
	lastTime    uint64
	lastOrigin  uint64
	lastGas     uint64
	lastPosting struct {
		number uint64
		hash   common.Hash
	}
	released *released
	failed   *Mismatch
}

// New checks the deployment against the chain config, opens the execution
// node (re-executing what its data directory recorded) and returns a
// verifier that starts at batch 1.
func New(ctx context.Context, cfg Config) (*Verifier, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.MaxBlocks == 0 {
		cfg.MaxBlocks = DefaultMaxBlocks
	}
	if cfg.Limits.MaxCiphertext == 0 {
		cfg.Limits = encmempool.DefaultLimits
	}
	cfg.BatchLimits = cfg.BatchLimits.OrDefaults()
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if err := cfg.Contracts.Verify(ctx, cfg.L1, cfg.Chain.ChainID); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	v := &Verifier{cfg: cfg, log: cfg.Logger, r: newReader(cfg.L1, cfg.Contracts, cfg.MaxBlocks), keys: l1.NewEonKeys(cfg.L1, cfg.Contracts),
		eons: map[uint64]*eonKey{}, metrics: newMetrics(cfg.Registry), next: 1, lastTime: cfg.Chain.Timestamp,
		lastGas: cfg.Chain.GasLimit}
	bi, in := contracts.NewBatchInbox(), contracts.NewL1Inbox()
	var err error
	if v.sequencer, err = call(ctx, cfg.L1, cfg.Contracts.Inbox, bi.PackSequencer(), bi.UnpackSequencer); err != nil {
		return nil, err
	}
	if v.sequencer != cfg.Chain.Sequencer {
		return nil, fmt.Errorf("%w: BatchInbox's sequencer is %s, the chain config's %s", ErrConfig, v.sequencer, cfg.Chain.Sequencer)
	}
	if v.deadline, err = call(ctx, cfg.L1, cfg.Contracts.L1Inbox, in.PackDeadline(), in.UnpackDeadline); err != nil {
		return nil, err
	}
	dir := cfg.DataDir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "veil-verify-"); err != nil {
			return nil, err
		}
		v.tmpDir = dir
	}
	set, err := idset.Open(filepath.Join(dir, "released.ids"))
	if err == nil || errors.Is(err, idset.ErrCorrupt) {
		if err = set.Reset(); err != nil {
			set.Close()
		}
	}
	if err != nil {
		v.removeTmp()
		return nil, fmt.Errorf("verify: released identities: %w", err)
	}
	v.released = &released{set: set}
	v.node, err = execution.Open(execution.Config{DataDir: dir, Chain: cfg.Chain,
		CacheMB: cfg.CacheMB, Limits: cfg.Limits, Logger: cfg.Logger, Registry: cfg.Registry})
	if err != nil {
		set.Close()
		v.removeTmp()
		return nil, err
	}
	if head := v.node.Head().Number.Uint64(); head > 0 {
		v.log.Info("re-executed chain found; its batches are checked again from L1 without executing them", "head", head)
	}
	return v, nil
}

// Close stops the execution node (and removes its temporary directory).
func (v *Verifier) Close() error {
	err := errors.Join(v.node.Close(), v.released.set.Close())
	v.removeTmp()
	return err
}

func (v *Verifier) removeTmp() {
	if v.tmpDir != "" {
		os.RemoveAll(v.tmpDir)
	}
}

// Next is the number of the next batch to verify.
func (v *Verifier) Next() uint64 { return v.next }

// Node is the execution node holding the verified chain (for reads).
func (v *Verifier) Node() *execution.Node { return v.node }

// VerifyNext verifies batch Next(): a *Mismatch when it is invalid (then
// every later call returns the same), ErrNotPosted when it is not posted
// at the configured depth yet, ErrWaiting when it cannot be verified yet;
// other errors (L1 unreachable, a reorganisation deeper than the depth,
// storage) leave the verifier where it was.
func (v *Verifier) VerifyNext(ctx context.Context) (*Result, error) {
	if v.failed != nil {
		return nil, v.failed
	}
	start := time.Now()
	if err := v.checkReorg(ctx); err != nil {
		return nil, err
	}
	tip, err := v.r.tip(ctx, v.cfg.Finalized, v.cfg.Confirmations)
	if err != nil {
		return nil, err
	}
	p, err := v.r.posting(ctx, v.next, tip)
	if err != nil {
		return nil, err
	}
	res, err := v.verify(ctx, p, tip)
	var mm *Mismatch
	if errors.As(err, &mm) {
		v.failed = mm
		v.metrics.mismatches.WithLabelValues(mm.Label()).Inc()
		v.log.Error("invalid batch", "batch", mm.Batch, "reason", mm.Label(), "err", mm.Err, "l1_block", p.L1Block, "l1_tx", p.TxHash)
		return nil, mm
	}
	if err != nil {
		return nil, err
	}
	v.metrics.verified.Set(float64(res.Number))
	v.metrics.l1Block.Set(float64(res.L1Block))
	v.metrics.txs.Add(float64(res.Txs))
	v.metrics.seconds.Observe(time.Since(start).Seconds())
	v.log.Debug("verified batch", "batch", res.Number, "txs", res.Txs, "block_hash", res.BlockHash, "l1_block", res.L1Block)
	if v.cfg.OnVerified != nil {
		v.cfg.OnVerified(*res)
	}
	return res, nil
}

// Run verifies every batch posted at the configured depth, in order, and
// returns how many it verified: nil once the next batch is not posted
// there (or waits for something on L1 to be final: ErrWaiting), the
// *Mismatch of the first invalid batch, or another error that stopped it.
func (v *Verifier) Run(ctx context.Context) (int, error) {
	n := 0
	for {
		if _, err := v.VerifyNext(ctx); err != nil {
			if errors.Is(err, ErrNotPosted) || errors.Is(err, ErrWaiting) {
				v.log.Info("verified everything posted", "verified", n, "next", v.next, "why", err)
				return n, nil
			}
			return n, err
		}
		n++
	}
}

// Follow verifies every batch as it is posted at the configured depth,
// reading L1 every PollInterval, until ctx ends (nil) or a batch is invalid
// (its *Mismatch). Errors reading L1 are logged and retried; a
// reorganisation deeper than the depth (ErrL1Reorg) and storage errors
// stop it.
func (v *Verifier) Follow(ctx context.Context) error {
	failing := ""
	for {
		_, err := v.VerifyNext(ctx)
		var mm *Mismatch
		switch {
		case err == nil:
			failing = ""
			continue
		case errors.As(err, &mm):
			return err
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, ErrL1Reorg), errors.Is(err, ErrNoCalldata), errors.Is(err, execution.ErrStore), errors.Is(err, ErrConfig):
			return err
		case errors.Is(err, ErrNotPosted), errors.Is(err, ErrWaiting):
		default:
			if msg := err.Error(); msg != failing {
				v.log.Warn("verifying failed; trying again", "batch", v.next, "err", err)
				failing = msg
			}
		}
		t := time.NewTimer(v.cfg.PollInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// checkReorg checks that the last verified posting's L1 block is still
// canonical.
func (v *Verifier) checkReorg(ctx context.Context) error {
	lp := v.lastPosting
	if lp.hash == (common.Hash{}) {
		return nil
	}
	h, err := v.r.blockHash(ctx, lp.number)
	if err != nil {
		return err
	}
	if h != lp.hash {
		return fmt.Errorf("%w: batch %d was posted in L1 block %d %s, which is now %s", ErrL1Reorg, v.next-1, lp.number, lp.hash, h)
	}
	return nil
}

// eonKey returns eon's key as finalized on L1, with the set that voted it.
func (v *Verifier) eonKey(ctx context.Context, eon uint64) (*eonKey, error) {
	if k, ok := v.eons[eon]; ok {
		return k, nil
	}
	got, err := v.keys.Get(ctx, eon)
	if errors.Is(err, l1.ErrNoEonKey) {
		return nil, fmt.Errorf("%w: %w", ErrWaiting, err)
	}
	if err != nil {
		return nil, err
	}
	k, err := parseEonKey(got.Key, got.KeyperSet)
	if err != nil {
		return nil, fmt.Errorf("verify: eon %d's key on L1: %w", eon, err)
	}
	v.eons[eon] = k
	return k, nil
}

// verify checks posting p of batch v.next, posted at or below L1 block
// tip (the verifier's depth), in the order of the package doc, and on
// success records its effect on the verified prefix.
func (v *Verifier) verify(ctx context.Context, p *posting, tip uint64) (*Result, error) {
	n, chainID := v.next, v.cfg.Chain.ChainID
	if p.Number != n {
		return nil, fmt.Errorf("verify: BatchPosted for %d where %d was expected", p.Number, n)
	}
	// 1. The data is what the posting carried (its parts included).
	if err := p.checkData(); err != nil {
		return nil, mismatch(n, ErrBatchData, "%w", err)
	}
	// 2. The attestation, under the eon key final on L1.
	ek, err := v.eonKey(ctx, p.Eon)
	if err != nil {
		return nil, err
	}
	att, err := contracts.AttestationFromL1(p.Attestation)
	if err != nil {
		return nil, mismatch(n, ErrAttestation, "%w", err)
	}
	attKey, err := tpke.ParseKey(att)
	if err == nil {
		err = tpke.VerifyBatchSignature(ek.pk, chainID, p.Eon, n, p.CommitmentHash, attKey)
	}
	if err != nil {
		return nil, mismatch(n, ErrAttestation, "eon %d, commitment %s: %w", p.Eon, p.CommitmentHash, err)
	}
	// 3. The data decodes and is the attested batch.
	b, km, err := l1.DecodeBatchData(p.Data, v.cfg.BatchLimits)
	if errors.Is(err, batch.ErrTxMismatch) {
		return nil, mismatch(n, ErrDataHash, "%w", err)
	}
	if err != nil {
		return nil, mismatch(n, ErrBatchData, "%w", err)
	}
	c := &b.Commitment
	hash := c.Hash()
	if hash != p.CommitmentHash || c.Number != n || c.Eon != p.Eon || c.ChainID != chainID {
		return nil, mismatch(n, ErrDataHash, "the data holds batch %d of eon %d of chain %d with hash %s; posted and attested: batch %d of eon %d of chain %d with hash %s",
			c.Number, c.Eon, c.ChainID, hash, n, p.Eon, chainID, p.CommitmentHash)
	}
	if !bytes.Equal(km.Attestation, att) {
		return nil, mismatch(n, ErrAttestation, "the keys message carries another attestation than the one posted")
	}
	// 4. The sequencer signed it.
	if signer, err := b.Signer(); err != nil || signer != v.sequencer {
		return nil, mismatch(n, ErrSignature, "signed by %s (%v), the sequencer is %s", signer, err, v.sequencer)
	}
	// 5. It extends the verified chain.
	if c.Parent != v.lastHash {
		return nil, mismatch(n, ErrParent, "parent %s, batch %d is %s", c.Parent, n-1, v.lastHash)
	}
	if c.Timestamp <= v.lastTime {
		return nil, mismatch(n, ErrTimestamp, "%d, the previous is %d", c.Timestamp, v.lastTime)
	}
	if err := misc.VerifyGaslimit(v.lastGas, c.GasLimit); err != nil {
		return nil, mismatch(n, ErrGasLimit, "%w", err)
	}
	// 6. Its L1 origin, and what the L1 blocks up to it bring.
	if err := v.checkOrigin(ctx, c, p); err != nil {
		return nil, err
	}
	if err := v.checkEon(ctx, c, ek, tip); err != nil {
		return nil, err
	}
	deposits, err := v.r.deposits(ctx, v.lastOrigin+1, c.L1OriginNumber)
	if err != nil {
		return nil, err
	}
	if err := sameDeposits(c.Deposits, deposits); err != nil {
		return nil, mismatch(n, ErrDeposits, "%w", err)
	}
	if err := v.checkForced(ctx, c, p); err != nil {
		return nil, err
	}
	// 7. The no-key rule and the gas budget.
	rel, gas := keyper.Classify(keyper.ReleaseConfig{ChainID: chainID, Eon: c.Eon, Sequencer: v.sequencer,
		Inbox: contracts.EncryptedInboxAddress, Limits: v.cfg.Limits}, b, v.released)
	if err := v.released.err; err != nil {
		v.released.err = nil
		return nil, fmt.Errorf("verify: released identities: %w", err)
	}
	if gas > c.GasLimit {
		return nil, mismatch(n, ErrGasBudget, "%d gas of %d", gas, c.GasLimit)
	}
	// 8. One valid key per keyed envelope.
	if err := checkKeys(n, ek, rel, km, v.cfg.Rand); err != nil {
		return nil, err
	}
	// 9. Re-execution.
	header, err := v.execute(ctx, n, b, rel, km)
	if err != nil {
		return nil, err
	}
	if header.Root != p.StateRoot {
		return nil, mismatch(n, ErrStateRoot, "re-executed %s, posted %s", header.Root, p.StateRoot)
	}
	if header.Hash() != p.L2BlockHash {
		return nil, mismatch(n, ErrBlockHash, "re-executed %s, posted %s", header.Hash(), p.L2BlockHash)
	}

	// The batch is valid: it becomes part of the verified prefix.
	for _, id := range keyedIdentities(rel) {
		if _, err := v.released.set.Add(id, n); err != nil {
			return nil, fmt.Errorf("verify: released identities: %w", err)
		}
	}
	v.next, v.lastHash, v.lastTime, v.lastOrigin, v.lastGas = n+1, hash, c.Timestamp, c.L1OriginNumber, c.GasLimit
	v.lastPosting.number, v.lastPosting.hash = p.L1Block, p.L1BlockHash
	v.r.done(n)
	return &Result{Number: n, Eon: c.Eon, Txs: len(b.Txs), Keyed: len(rel.Keyed), Forced: len(c.Forced), Deposits: len(c.Deposits),
		BlockHash: header.Hash(), StateRoot: header.Root, L1Block: p.L1Block}, nil
}

// checkOrigin: the origin is a canonical L1 block, not below the previous
// batch's origin and below the block the batch was posted in.
func (v *Verifier) checkOrigin(ctx context.Context, c *batch.Commitment, p *posting) error {
	n, o := c.Number, c.L1OriginNumber
	if o < v.lastOrigin {
		return mismatch(n, ErrL1Origin, "L1 block %d is below the previous batch's origin %d", o, v.lastOrigin)
	}
	if o >= p.L1Block {
		return mismatch(n, ErrL1Origin, "L1 block %d is not below the block %d the batch was posted in", o, p.L1Block)
	}
	h, err := v.r.blockHash(ctx, o)
	if err != nil {
		return err
	}
	if h != c.L1OriginHash {
		return mismatch(n, ErrL1Origin, "L1 block %d is %s, the batch names %s", o, h, c.L1OriginHash)
	}
	return nil
}

// checkForced applies the forced-inclusion rule (checkForcedRule) to the
// batch: the envelopes forced in its origin range, and those forced above
// its origin whose deadline is below the block it was posted in (forced in
// blocks up to p.L1Block-1-deadline).
func (v *Verifier) checkForced(ctx context.Context, c *batch.Commitment, p *posting) error {
	brought, err := v.r.forced(ctx, v.lastOrigin+1, c.L1OriginNumber)
	if err != nil {
		return err
	}
	var above []ordering.ForcedEnvelope
	if p.L1Block > v.deadline+1 && p.L1Block-1-v.deadline > c.L1OriginNumber {
		if above, err = v.r.forced(ctx, c.L1OriginNumber+1, p.L1Block-1-v.deadline); err != nil {
			return err
		}
	}
	rules := ordering.ForcedRules{ChainID: c.ChainID, Eon: c.Eon, GasLimit: c.GasLimit, Deposits: len(c.Deposits), Limits: v.cfg.Limits}
	return checkForcedRule(rules, c, brought, above, p.L1Block)
}

// execute builds block n from the batch and its keys and writes it, or,
// when the execution node already holds block n (a data directory from an
// earlier run), reads it back.
func (v *Verifier) execute(ctx context.Context, n uint64, b *batch.Batch, rel *keyper.Release, km *ordering.KeysMessage) (*types.Header, error) {
	if v.node.Head().Number.Uint64() >= n {
		h := v.node.BlockChain().GetHeaderByNumber(n)
		if h == nil {
			return nil, fmt.Errorf("verify: block %d missing from the execution node", n)
		}
		if h.MixDigest != rel.Hash {
			return nil, fmt.Errorf("%w: block %d in the data directory is of batch %s, L1 has %s: the data directory belongs to another chain",
				ErrConfig, n, h.MixDigest, rel.Hash)
		}
		return h, nil
	}
	in, err := ordering.BlockInput(v.cfg.Chain.ChainID, b, rel, km, v.cfg.Limits)
	if err != nil {
		return nil, mismatch(n, ErrExecution, "%w", err)
	}
	built, err := v.node.Apply(ctx, in)
	if err != nil {
		for _, refused := range []error{execution.ErrParent, execution.ErrTimestamp, execution.ErrGasLimit, execution.ErrSystemTx, execution.ErrInput} {
			if errors.Is(err, refused) {
				return nil, mismatch(n, ErrExecution, "%w", err)
			}
		}
		return nil, err
	}
	return built.Block.Header(), nil
}

// sameDeposits compares a commitment's deposits with L1's.
func sameDeposits(got, want []batch.Deposit) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d deposits, L1 has %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.L1TxHash != w.L1TxHash || g.LogIndex != w.LogIndex || g.To != w.To || g.Amount == nil || g.Amount.Cmp(w.Amount) != 0 {
			return fmt.Errorf("deposit %d is %s/%d to %s of %v, L1 has %s/%d to %s of %v", i, g.L1TxHash, g.LogIndex, g.To, g.Amount,
				w.L1TxHash, w.LogIndex, w.To, w.Amount)
		}
	}
	return nil
}
