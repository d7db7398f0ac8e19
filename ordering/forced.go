package ordering

import (
	"cmp"
	"errors"
	"fmt"
	"math/big"
	"slices"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/tpke"
)

// Caps on the forced envelopes one batch carries. They are part of the
// inclusion rule, not configuration: a verifier applies the same numbers.
// Config.check requires the batch caps to hold them. The byte cap keeps a
// batch of forced envelopes postable in one L1 transaction (L1 nodes relay
// transactions up to 128 KiB), with room for the batch's own.
const (
	MaxForcedTxs   = 64
	MaxForcedBytes = 64 << 10
)

// Why IncludeForced skips a forced envelope. A skipped envelope is never
// committed; its user may force it again.
var (
	ErrForcedDecode    = errors.New("ordering: forced envelope does not decode as a transaction")
	ErrForcedInvalid   = errors.New("ordering: forced envelope fails the stateless admission rules")
	ErrForcedDuplicate = errors.New("ordering: forced envelope repeats the identity of one forced before it in the batch")
	ErrForcedBudget    = errors.New("ordering: forced envelope does not fit the batch's budget")
)

// ForcedEnvelope is an envelope forced into the chain on L1
// (L1Inbox.forceEnvelope, event ForcedEnvelope).
type ForcedEnvelope struct {
	// Index is L1Inbox's number for it: from 0, in L1 order.
	Index uint64
	// L1Block is the L1 block that forced it.
	L1Block uint64
	// Deadline is the last L1 origin of a batch that may still commit it
	// (L1Block plus the inbox's deadline).
	Deadline uint64
	// Raw is the envelope as posted: a signed L2 transaction in its binary
	// encoding, unchecked (anyone can force any bytes).
	Raw []byte
}

// ForcedRules are the inputs of the inclusion rule besides the envelopes,
// all fixed by the commitment (chain id, eon, gas limit, its deposits) or
// the chain (the envelope limits).
type ForcedRules struct {
	ChainID  uint64
	Eon      uint64
	GasLimit uint64
	// Deposits is the number of deposits the batch credits: they take
	// budget first.
	Deposits int
	Limits   encmempool.Limits
}

// IncludedForced is a forced envelope the batch commits.
type IncludedForced struct {
	ForcedEnvelope
	Tx       *types.Transaction
	Identity tpke.Identity
	// Candidate is its share of the batch's budget, as the cutter counts
	// it.
	Candidate Candidate
}

// SkippedForced is a forced envelope the batch leaves out, and why (one of
// the ErrForced errors, wrapping admission's reason for ErrForcedInvalid).
type SkippedForced struct {
	ForcedEnvelope
	Reason error
}

// ForcedInclusion is IncludeForced's answer.
type ForcedInclusion struct {
	// Included are the batch's first transactions, in this order.
	Included []IncludedForced
	Skipped  []SkippedForced
}

// Identities returns the identities of the included envelopes.
func (f *ForcedInclusion) Identities() map[tpke.Identity]bool {
	ids := make(map[tpke.Identity]bool, len(f.Included))
	for _, in := range f.Included {
		ids[in.Identity] = true
	}
	return ids
}

// Candidates returns the included envelopes as the cutter counts them.
func (f *ForcedInclusion) Candidates() []Candidate {
	out := make([]Candidate, len(f.Included))
	for i, in := range f.Included {
		out[i] = in.Candidate
	}
	return out
}

// IncludeForced applies the inclusion part of the forced-inclusion rule
// (the package doc, "L1 forced inclusion") to the forced envelopes a batch's
// L1 origin brings: taken in index order, each is included unless
//
//  1. its bytes do not decode as a transaction (ErrForcedDecode);
//  2. it fails admission's stateless rules for this chain and eon
//     (ErrForcedInvalid): encmempool.Admit with a view in which any nonce
//     and balance are right, so it must be an envelope to the
//     EncryptedInbox (plaintext is not forced), signed for this chain, well
//     formed, of this eon, within the size and gas caps and above intrinsic
//     gas; its state (nonce, balance) is met or not at its slot, where an
//     envelope that fails pays nothing and leaves its inner transaction's
//     fate unaffected;
//  3. its identity is that of one included before it (ErrForcedDuplicate):
//     both would get no key;
//  4. it does not fit next to those included before it (ErrForcedBudget):
//     at most MaxForcedTxs envelopes and MaxForcedBytes bytes, and the gas
//     budget of DESIGN.md section 4 (each envelope's gas limit plus its
//     declared gas, plus batch.SystemGas for the deposits and the
//     settlement) at most the gas limit. Each envelope's share is
//     admission's Admitted.BlockGas, the number the pool hands the cutter
//     for a pending transaction, and the check is the cutter's Fit.
//
// It is pure and deterministic: the sequencer and a verifier get the same
// answer from the same inputs. Bad bytes are skipped, never an error.
func IncludeForced(r ForcedRules, forced []ForcedEnvelope) ForcedInclusion {
	sorted := slices.Clone(forced)
	slices.SortStableFunc(sorted, func(a, b ForcedEnvelope) int { return cmp.Compare(a.Index, b.Index) })
	rules := encmempool.Rules{ChainID: r.ChainID, Eon: r.Eon, GasLimit: r.GasLimit, Limits: r.Limits}
	budget := &Cutter{cfg: CutConfig{GasLimit: r.GasLimit, MaxTxs: MaxForcedTxs, MaxBytes: MaxForcedBytes}}
	var out ForcedInclusion
	var cands []Candidate
	seen := map[tpke.Identity]bool{}
	for _, f := range sorted {
		skip := func(err error) { out.Skipped = append(out.Skipped, SkippedForced{ForcedEnvelope: f, Reason: err}) }
		if len(cands) >= MaxForcedTxs {
			// Nothing more fits: spare the decoding.
			skip(fmt.Errorf("%w: %d forced envelopes already", ErrForcedBudget, MaxForcedTxs))
			continue
		}
		tx := new(types.Transaction)
		if err := tx.UnmarshalBinary(f.Raw); err != nil {
			skip(fmt.Errorf("%w: %v", ErrForcedDecode, err))
			continue
		}
		a, err := encmempool.Admit(tx, forcedView{rules: rules, nonce: tx.Nonce()})
		if err != nil {
			skip(fmt.Errorf("%w: %w", ErrForcedInvalid, err))
			continue
		}
		if a.Envelope == nil { // Admit refuses plaintext under these rules
			skip(fmt.Errorf("%w: not an envelope", ErrForcedInvalid))
			continue
		}
		if seen[a.Envelope.Identity] {
			skip(fmt.Errorf("%w: %x", ErrForcedDuplicate, a.Envelope.Identity[:]))
			continue
		}
		c := Candidate{Gas: a.BlockGas, Size: int(tx.Size()), Envelope: true}
		if budget.Fit(append(cands, c), r.Deposits) <= len(cands) {
			skip(fmt.Errorf("%w: %d gas, %d bytes after %d forced envelopes", ErrForcedBudget, c.Gas, c.Size, len(cands)))
			continue
		}
		cands = append(cands, c)
		seen[a.Envelope.Identity] = true
		out.Included = append(out.Included, IncludedForced{ForcedEnvelope: f, Tx: tx, Identity: a.Envelope.Identity, Candidate: c})
	}
	return out
}

// forcedView is admission's view for a forced envelope: L1 forced it, so
// nothing the sequencer holds (its pending pool, the head state) keeps it
// out and only the stateless rules apply. The nonce is taken as the next
// one and the balance as enough.
type forcedView struct {
	rules encmempool.Rules
	nonce uint64
}

// forcedBalance covers any cost: gas (at most 2^24 after admission's cap)
// times a 256-bit fee cap, plus a 256-bit value.
var forcedBalance = new(big.Int).Lsh(big.NewInt(1), 300)

func (v forcedView) Rules() encmempool.Rules { return v.rules }
func (v forcedView) Account(common.Address) (uint64, *big.Int, error) {
	return v.nonce, forcedBalance, nil
}
func (forcedView) IdentitySeen(tpke.Identity) (bool, error)          { return false, nil }
func (forcedView) Pending(common.Address, uint64) (uint64, *big.Int) { return 0, nil }
func (forcedView) Known(common.Hash) bool                            { return false }

var _ encmempool.View = forcedView{}
