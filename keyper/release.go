package keyper

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"runtime"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/ordering/batch"
)

// Whole-batch refusals (DESIGN.md section 5): no share at all.
var (
	ErrSequencerSignature = errors.New("keyper: commitment not signed by the registered sequencer")
	ErrWrongChain         = errors.New("keyper: commitment for another chain")
	ErrWrongEon           = errors.New("keyper: commitment for another eon")
	ErrNumberGap          = errors.New("keyper: batch number is not the next one")
	ErrAlreadyReleased    = errors.New("keyper: batch number already released")
	ErrParent             = errors.New("keyper: parent is not the last released batch")
	ErrEquivocation       = errors.New("keyper: conflicting commitment or release for this number")
	ErrTimestamp          = errors.New("keyper: timestamp outside the allowed drift")
	ErrL1Origin           = errors.New("keyper: L1 origin unknown, unconfirmed or going back")
	ErrOversize           = errors.New("keyper: batch over the size caps")
	ErrGasBudget          = errors.New("keyper: batch over the gas budget")
	ErrNotOnL1            = errors.New("keyper: commitment not on L1 yet (strict mode)")
	// ErrNotActive: the L1 origin is before the activation block of this
	// eon's keyper set.
	ErrNotActive = errors.New("keyper: L1 origin before the keyper set's activation")
	// ErrSuperseded: the L1 origin is at or past the activation block of
	// the next keyper set (final on L1): such a batch is the next eon's.
	ErrSuperseded = errors.New("keyper: L1 origin at or past the next keyper set's activation")
	// ErrEonStart: a batch offered as this eon's first does not chain to
	// the previous eon's last batch: its parent is not the batch numbered
	// one below it as the previous eon's committee attested it, or that
	// committee attested batches at or above its number.
	ErrEonStart = errors.New("keyper: not the eon's first batch after the previous eon's last")
)

// Per-envelope "no key" reasons: only that envelope's share is withheld.
var (
	ErrMalformedEnvelope = errors.New("keyper: malformed envelope")
	ErrOtherEon          = errors.New("keyper: envelope for another eon")
	ErrOtherContract     = errors.New("keyper: envelope call to another contract")
	ErrIdentityReleased  = errors.New("keyper: identity released before")
	ErrIdentityTwice     = errors.New("keyper: identity twice in the batch")
)

// ReleaseConfig holds the rules one keyper applies for one eon.
type ReleaseConfig struct {
	ChainID   uint64
	Eon       uint64
	Sequencer common.Address
	Inbox     common.Address
	// Activation is the activation block of the eon's keyper set: a batch
	// of the eon names an L1 origin at or above it (0: no bound).
	Activation uint64
	// MaxDrift bounds |commitment timestamp - local time| in seconds.
	MaxDrift uint64
	// Size caps.
	MaxTxs   int
	MaxBytes int
	// MaxGasLimit bounds the block gas limit a commitment may name.
	MaxGasLimit uint64
	// Strict: release only commitments already seen on L1.
	Strict bool
	// Limits for envelopes.
	Limits encmempool.Limits
}

// Released answers whether an identity of this eon was released in an
// earlier batch. The driver backs it with its store; the core only reads.
type Released interface {
	Released(id tpke.Identity) bool
}

// ReleasedHashes is implemented by a Released that also knows the hash of
// every batch released before (the driver's store): the core then answers
// a repeated request for any earlier batch, not only the last.
type ReleasedHashes interface {
	ReleasedHash(number uint64) (common.Hash, bool)
}

// ReleaseState is what the core must remember between batches; the driver
// persists it with every release.
type ReleaseState struct {
	// Next is the next batch number to release; LastHash and LastTime
	// describe the batch released before it (zero before the eon's first).
	// Next is 0 before the first batch of an eon that follows another: its
	// number is the one after the previous eon's last batch, which the
	// core learns from that eon's attestations (Attested).
	Next         uint64
	LastHash     common.Hash
	LastTime     uint64
	LastL1Origin uint64
}

// Keyed is an envelope that gets a share.
type Keyed struct {
	Index    int // position in the batch
	Identity tpke.Identity
}

// NoKey is an envelope whose share is withheld, and why.
type NoKey struct {
	Index  int
	Reason error
}

// Release is a decision to release shares for one batch.
type Release struct {
	Eon           uint64
	Number        uint64
	Hash          common.Hash
	Keyed         []Keyed
	NoKey         []NoKey
	BatchIdentity tpke.Identity
	// Again is set when the batch was released before: the driver sends
	// the identical shares again from its record.
	Again bool
}

// Evidence is a conflict the keyper saw and keeps.
type Evidence struct {
	Number uint64
	Hashes [2]common.Hash
	From   string // "sequencer" or "keyper <index>"
}

// Releaser is the pure release core of one keyper for one eon: events in,
// decisions out; no clock, no disk, no network. Time and confirmed L1
// blocks come in as events.
type Releaser struct {
	cfg      ReleaseConfig
	signer   types.Signer
	state    ReleaseState
	released Released
	// seen holds, per batch number not yet released, the first hash seen
	// in a signed commitment or a keyper's release announcement.
	seen     map[uint64]common.Hash
	l1       map[uint64]common.Hash // confirmed L1 blocks by number
	onL1     map[uint64]common.Hash // commitments seen on L1 (strict mode)
	evidence []Evidence
	// attested holds the previous eon's attested batches (number -> hash)
	// while this eon's first batch is not released; maxAttested is the
	// highest number among them.
	attested    map[uint64]common.Hash
	maxAttested uint64
	// until is the next keyper set's activation block once it is final
	// on L1 (0: none known): origins at or above it are the next eon's.
	until uint64
	// lastHeard is when the last message of the sequencer arrived (unix
	// seconds; 0 before the first since this core was made), and
	// silences the recent intervals with nothing heard from it (the first
	// runs from 0 to the first message: the keyper was not running).
	lastHeard uint64
	silences  [][2]uint64
	// certified holds batches above the released ones that this eon's
	// committee attested (number -> hash), for a keyper catching up.
	certified map[uint64]common.Hash
}

// silenceGap is how long nothing heard from the sequencer counts as a
// silence (seconds): it cuts a batch a second and announces admitted
// envelopes as they come, so a connected keyper hears it far more often.
// maxSilences bounds the silences kept.
const (
	silenceGap  = 3
	maxSilences = 64
)

// NewReleaser restores a core from its persisted state.
func NewReleaser(cfg ReleaseConfig, state ReleaseState, released Released) *Releaser {
	if cfg.Limits.MaxCiphertext == 0 {
		cfg.Limits = encmempool.DefaultLimits
	}
	return &Releaser{
		cfg: cfg, signer: types.LatestSignerForChainID(new(big.Int).SetUint64(cfg.ChainID)),
		state: state, released: released,
		seen: map[uint64]common.Hash{}, l1: map[uint64]common.Hash{}, onL1: map[uint64]common.Hash{},
		attested: map[uint64]common.Hash{},
	}
}

// State returns the state to persist.
func (r *Releaser) State() ReleaseState { return r.state }

// Heard records that a message of the sequencer (a commitment, an
// announcement of admitted envelopes, a keys message) arrived at local
// time now (unix seconds). A gap of more than silenceGap seconds since the
// last one is a silence: a commitment signed then may have been missed,
// and is judged by the stale-timestamp rule in decideRest.
func (r *Releaser) Heard(now uint64) {
	if now > r.lastHeard+silenceGap {
		r.silences = append(r.silences, [2]uint64{r.lastHeard, now})
		if len(r.silences) > maxSilences {
			r.silences = r.silences[len(r.silences)-maxSilences:]
		}
	}
	r.lastHeard = max(r.lastHeard, now)
}

// Certified records that this eon's committee attested batch number with
// hash (the driver has checked the attestation against the eon key): at
// least a threshold of keypers released it, so its timestamp passed their
// drift check then, and a keyper catching up releases it even when the
// timestamp is stale now.
func (r *Releaser) Certified(number uint64, hash common.Hash) {
	if number < r.state.Next {
		return
	}
	if r.certified == nil || len(r.certified) >= maxCertified {
		kept := map[uint64]common.Hash{}
		for n, h := range r.certified {
			if n >= r.state.Next && len(kept) < maxCertified/2 {
				kept[n] = h
			}
		}
		r.certified = kept
	}
	r.certified[number] = hash
}

// maxCertified bounds the certified batches kept.
const maxCertified = 1024

// missed reports whether this keyper heard nothing from the sequencer for
// a while during the drift window after time t: a commitment with
// timestamp t may have reached it only later (it was down, or cut off).
// Before any message was heard, everything may have been missed.
func (r *Releaser) missed(t uint64) bool {
	if r.lastHeard == 0 {
		return true
	}
	end := satAdd(t, r.cfg.MaxDrift)
	for _, s := range r.silences {
		if s[0] < end && s[1] > t {
			return true
		}
	}
	return false
}

// Evidence returns the conflicts seen so far.
func (r *Releaser) Evidence() []Evidence { return append([]Evidence(nil), r.evidence...) }

// maxL1Blocks is how many confirmed L1 blocks the core keeps before it
// drops those below the last released origin.
const maxL1Blocks = 1024

// L1Confirmed records a confirmed L1 block (the driver follows L1).
func (r *Releaser) L1Confirmed(number uint64, hash common.Hash) { r.l1[number] = hash }

// CommitmentOnL1 records a commitment seen posted on L1 (strict mode).
func (r *Releaser) CommitmentOnL1(number uint64, hash common.Hash) { r.onL1[number] = hash }

// maxAttestedKept bounds the previous eon's attestations the core keeps.
const maxAttestedKept = 256

// AwaitsFirst reports whether the core waits for its eon's first batch
// after a previous eon (state Next 0): only then does it need Attested.
func (r *Releaser) AwaitsFirst() bool { return r.state.Next == 0 }

// Attested records a batch of the previous eon attested by that eon's
// committee (the driver has checked the attestation against the previous
// eon's key). The eon's first batch must be numbered one above the
// highest such batch and name it as its parent.
func (r *Releaser) Attested(number uint64, hash common.Hash) {
	if r.state.Next != 0 {
		return
	}
	r.attested[number] = hash
	r.maxAttested = max(r.maxAttested, number)
	if len(r.attested) > maxAttestedKept {
		for n := range r.attested {
			if n+maxAttestedKept/2 < r.maxAttested {
				delete(r.attested, n)
			}
		}
	}
}

// Superseded records the activation block of the next keyper set, once
// that set is final on L1: this eon releases no batch whose L1 origin is
// at or above it.
func (r *Releaser) Superseded(activation uint64) {
	if r.until == 0 || activation < r.until {
		r.until = activation
	}
}

// Announcement records another keyper's signed "released N = H" (the
// driver has checked its signature). A conflict with what this keyper saw
// or released becomes evidence, and the number is never released.
func (r *Releaser) Announcement(keyper int, number uint64, hash common.Hash) {
	from := fmt.Sprintf("keyper %d", keyper)
	if number < r.state.Next {
		if number == r.state.Next-1 && hash != r.state.LastHash {
			r.evidence = append(r.evidence, Evidence{Number: number, Hashes: [2]common.Hash{r.state.LastHash, hash}, From: from})
		}
		return
	}
	r.see(number, hash, from)
}

// see records the first hash for a number; a different second one is
// evidence and poisons the number.
func (r *Releaser) see(number uint64, hash common.Hash, from string) bool {
	prev, ok := r.seen[number]
	if !ok {
		r.seen[number] = hash
		return true
	}
	if prev != hash {
		r.evidence = append(r.evidence, Evidence{Number: number, Hashes: [2]common.Hash{prev, hash}, From: from})
		return false
	}
	return true
}

// Decide applies DESIGN.md section 5 to a batch at local time now (unix
// seconds). A refusal is a named error and changes nothing but the record
// of what was seen. On success the state advances; the driver must persist
// the batch, the release and its identities in one transaction before it
// sends anything.
func (r *Releaser) Decide(b *batch.Batch, now uint64) (*Release, error) {
	c := &b.Commitment
	signer, err := b.Signer()
	if err != nil || signer != r.cfg.Sequencer {
		return nil, ErrSequencerSignature
	}
	if c.ChainID != r.cfg.ChainID {
		return nil, fmt.Errorf("%w: %d", ErrWrongChain, c.ChainID)
	}
	if c.Eon != r.cfg.Eon {
		return nil, fmt.Errorf("%w: %d", ErrWrongEon, c.Eon)
	}
	hash := c.Hash()
	if r.state.Next == 0 {
		return r.decideFirst(b, hash, now)
	}
	if c.Number < r.state.Next {
		if c.Number == r.state.Next-1 && hash == r.state.LastHash {
			return &Release{Eon: c.Eon, Number: c.Number, Hash: hash, Again: true}, nil
		}
		if c.Number == r.state.Next-1 {
			r.evidence = append(r.evidence, Evidence{Number: c.Number, Hashes: [2]common.Hash{r.state.LastHash, hash}, From: "sequencer"})
			return nil, fmt.Errorf("%w: %d", ErrEquivocation, c.Number)
		}
		// An older release: the same batch is answered again (a sequencer
		// that lost the shares asks once more), a different one is
		// equivocation.
		if rh, ok := r.released.(ReleasedHashes); ok {
			if prev, ok := rh.ReleasedHash(c.Number); ok {
				if prev == hash {
					return &Release{Eon: c.Eon, Number: c.Number, Hash: hash, Again: true}, nil
				}
				r.evidence = append(r.evidence, Evidence{Number: c.Number, Hashes: [2]common.Hash{prev, hash}, From: "sequencer"})
				return nil, fmt.Errorf("%w: %d", ErrEquivocation, c.Number)
			}
		}
		return nil, fmt.Errorf("%w: %d", ErrAlreadyReleased, c.Number)
	}
	// A validly signed commitment is recorded before any further check, so
	// a second, different one for the same number is caught.
	if !r.see(c.Number, hash, "sequencer") {
		return nil, fmt.Errorf("%w: %d", ErrEquivocation, c.Number)
	}
	if c.Number != r.state.Next {
		return nil, fmt.Errorf("%w: %d, next is %d", ErrNumberGap, c.Number, r.state.Next)
	}
	if c.Parent != r.state.LastHash {
		return nil, fmt.Errorf("%w: %s", ErrParent, c.Parent)
	}
	return r.decideRest(b, hash, now)
}

// decideFirst decides a batch offered as the first of an eon that follows
// another (state Next 0): it must be numbered one above the previous
// eon's highest attested batch and name that batch as its parent.
func (r *Releaser) decideFirst(b *batch.Batch, hash common.Hash, now uint64) (*Release, error) {
	c := &b.Commitment
	if !r.see(c.Number, hash, "sequencer") {
		return nil, fmt.Errorf("%w: %d", ErrEquivocation, c.Number)
	}
	if c.Number == 0 {
		return nil, fmt.Errorf("%w: batch 0", ErrNumberGap)
	}
	parent, ok := r.attested[c.Number-1]
	switch {
	case !ok:
		return nil, fmt.Errorf("%w: batch %d: no attestation of batch %d by the previous eon seen", ErrEonStart, c.Number, c.Number-1)
	case parent != c.Parent:
		return nil, fmt.Errorf("%w: batch %d names parent %s, the previous eon attested %s", ErrEonStart, c.Number, c.Parent, parent)
	case r.maxAttested >= c.Number:
		return nil, fmt.Errorf("%w: batch %d: the previous eon attested batch %d", ErrEonStart, c.Number, r.maxAttested)
	}
	return r.decideRest(b, hash, now)
}

// decideRest applies the checks after the number and the parent.
func (r *Releaser) decideRest(b *batch.Batch, hash common.Hash, now uint64) (*Release, error) {
	c := &b.Commitment
	// A timestamp older than the drift is refused when this keyper was
	// hearing the sequencer all through the window in which the batch
	// should have reached it (it was held back, or backdated), unless the
	// committee attested the batch (Certified). After a silence (this
	// keyper down or cut off, all keypers below the threshold meanwhile)
	// the batch is judged on the rest: its timestamp stays above the last
	// released one and not in the future. Otherwise a batch committed
	// while the keypers were away could never be released, and nothing
	// after it.
	certified := r.certified[c.Number] == hash && hash != (common.Hash{})
	stale := c.Timestamp+r.cfg.MaxDrift < now && !r.missed(c.Timestamp) && !certified
	if stale || c.Timestamp > now+r.cfg.MaxDrift || c.Timestamp <= r.state.LastTime {
		return nil, fmt.Errorf("%w: %d at %d", ErrTimestamp, c.Timestamp, now)
	}
	if h, ok := r.l1[c.L1OriginNumber]; !ok || h != c.L1OriginHash || c.L1OriginNumber < r.state.LastL1Origin {
		return nil, fmt.Errorf("%w: %d", ErrL1Origin, c.L1OriginNumber)
	}
	if c.L1OriginNumber < r.cfg.Activation {
		return nil, fmt.Errorf("%w: origin %d, activation %d", ErrNotActive, c.L1OriginNumber, r.cfg.Activation)
	}
	if r.until != 0 && c.L1OriginNumber >= r.until {
		return nil, fmt.Errorf("%w: origin %d, the next set is active from %d", ErrSuperseded, c.L1OriginNumber, r.until)
	}
	if len(b.Txs) > r.cfg.MaxTxs || b.Size > r.cfg.MaxBytes {
		return nil, fmt.Errorf("%w: %d transactions, %d bytes", ErrOversize, len(b.Txs), b.Size)
	}
	if r.cfg.Strict {
		if h, ok := r.onL1[c.Number]; !ok || h != hash {
			return nil, ErrNotOnL1
		}
	}
	rel, gas := classify(r.cfg, r.signer, b, hash, r.released)
	if c.GasLimit > r.cfg.MaxGasLimit || gas > c.GasLimit {
		return nil, fmt.Errorf("%w: %d gas of %d", ErrGasBudget, gas, c.GasLimit)
	}
	r.state = ReleaseState{Next: c.Number + 1, LastHash: hash, LastTime: c.Timestamp, LastL1Origin: c.L1OriginNumber}
	delete(r.certified, c.Number)
	delete(r.seen, c.Number)
	clear(r.attested)
	if len(r.l1) > maxL1Blocks {
		// Origins never go back: older confirmed blocks are of no use.
		for num := range r.l1 {
			if num < c.L1OriginNumber {
				delete(r.l1, num)
			}
		}
	}
	return rel, nil
}

// Classify applies the per-envelope "no key" rule to a batch for the
// configured eon, given the identities released in earlier batches, and
// sums the batch's gas budget. It is what Decide does after the whole-batch
// checks, and what a sequencer or verifier runs to know which identities a
// batch's keys are for. The release's number, hash and batch identity are
// taken from the commitment.
func Classify(cfg ReleaseConfig, b *batch.Batch, released Released) (rel *Release, gas uint64) {
	if cfg.Limits.MaxCiphertext == 0 {
		cfg.Limits = encmempool.DefaultLimits
	}
	return classify(cfg, types.LatestSignerForChainID(new(big.Int).SetUint64(cfg.ChainID)), b, b.Commitment.Hash(), released)
}

// classify is Classify for a commitment whose hash the caller has.
func classify(cfg ReleaseConfig, signer types.Signer, b *batch.Batch, hash common.Hash, released Released) (*Release, uint64) {
	c := &b.Commitment
	rel := &Release{Eon: c.Eon, Number: c.Number, Hash: hash, BatchIdentity: tpke.BatchIdentity(c.ChainID, c.Eon, c.Number, hash)}
	n := len(b.Txs)
	envs := make([]*encmempool.Envelope, n)
	errs := make([]error, n)
	parallel(n, func(i int) {
		tx := b.Txs[i]
		if tx.To() == nil || *tx.To() != cfg.Inbox {
			if looksLikeEnvelope(tx) {
				errs[i] = ErrOtherContract
			}
			return
		}
		// The envelope's framing, not the ciphertext's inner structure (a
		// G2 decompression and subgroup check per envelope, on every
		// keyper): a key for a ciphertext that does not parse opens
		// nothing, decryption fails and execution drops the inner
		// transaction, identically everywhere.
		env, err := encmempool.DecodeEnvelope(tx, signer, cfg.Inbox, cfg.Limits)
		if err != nil {
			errs[i] = fmt.Errorf("%w: %w", ErrMalformedEnvelope, err)
			return
		}
		envs[i] = env
	})
	var gas uint64
	count := map[tpke.Identity]int{}
	envelopes := 0
	for i, tx := range b.Txs {
		// Saturating: a sequencer cannot wrap the sum around the budget.
		gas = satAdd(gas, tx.Gas())
		if env := envs[i]; env != nil {
			gas = satAdd(gas, env.DeclaredGas)
			envelopes++
			if env.Eon == cfg.Eon {
				count[env.Identity]++
			}
		}
	}
	gas = satAdd(gas, batch.SystemGas(len(c.Deposits), envelopes))
	for i := range b.Txs {
		env := envs[i]
		switch {
		case errs[i] != nil:
			rel.NoKey = append(rel.NoKey, NoKey{Index: i, Reason: errs[i]})
		case env == nil:
			// a plaintext transaction: nothing to key
		case env.Eon != cfg.Eon:
			rel.NoKey = append(rel.NoKey, NoKey{Index: i, Reason: ErrOtherEon})
		case count[env.Identity] > 1:
			rel.NoKey = append(rel.NoKey, NoKey{Index: i, Reason: ErrIdentityTwice})
		case released.Released(env.Identity):
			rel.NoKey = append(rel.NoKey, NoKey{Index: i, Reason: ErrIdentityReleased})
		default:
			rel.Keyed = append(rel.Keyed, Keyed{Index: i, Identity: env.Identity})
		}
	}
	return rel, gas
}

// looksLikeEnvelope reports a submit call addressed elsewhere than the
// inbox: it is no envelope and gets no key.
func looksLikeEnvelope(tx *types.Transaction) bool {
	d := tx.Data()
	sel := encmempool.SubmitSelector()
	return len(d) >= 4 && d[0] == sel[0] && d[1] == sel[1] && d[2] == sel[2] && d[3] == sel[3]
}

// parallel runs f(0..n-1) on all cores.
func parallel(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				f(i)
			}
		}()
	}
	wg.Wait()
}

// satAdd is a + b, or the largest uint64 when that overflows.
func satAdd(a, b uint64) uint64 {
	sum, carry := bits.Add64(a, b, 0)
	if carry != 0 {
		return math.MaxUint64
	}
	return sum
}
