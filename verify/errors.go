package verify

import (
	"errors"
	"fmt"
	"strings"
)

// Reasons a batch is invalid: the Reason of a *Mismatch. Each names the
// first check the batch failed (the package doc lists them in order).
var (
	// ErrBatchData: the posted data does not decode as batch data (version,
	// compression, RLP, sizes, a keys message for another batch).
	ErrBatchData = errors.New("verify: batch data does not decode")
	// ErrAttestation: the posted attestation is not the committee's
	// signature on (chain, eon, number, commitment hash) under the eon key,
	// or the keys message carries another one.
	ErrAttestation = errors.New("verify: invalid attestation")
	// ErrDataHash: the data is not the attested batch: its transactions do
	// not hash to its commitment, or its commitment's hash, chain, eon or
	// number is not the posted one.
	ErrDataHash = errors.New("verify: data does not hash to the attested commitment")
	// ErrSignature: the commitment is not signed by BatchInbox's sequencer.
	ErrSignature = errors.New("verify: commitment not signed by the sequencer")
	// ErrParent: the commitment's parent is not the previous batch's hash.
	ErrParent = errors.New("verify: parent is not the previous batch")
	// ErrTimestamp: the timestamp is not after the previous batch's (or
	// genesis's).
	ErrTimestamp = errors.New("verify: timestamp not after the previous batch's")
	// ErrGasLimit: the block gas limit moves more than the protocol allows
	// from the parent's.
	ErrGasLimit = errors.New("verify: gas limit outside the allowed change")
	// ErrL1Origin: the L1 origin is not a canonical L1 block, goes back, or
	// is not below the block the batch was posted in.
	ErrL1Origin = errors.New("verify: invalid L1 origin")
	// ErrEon: the batch's eon is not the eon active at its L1 origin (the
	// one whose keyper set's activation block is the last at or below it),
	// or its key was voted by another set than the eon's.
	ErrEon = errors.New("verify: not the eon of its L1 origin")
	// ErrDeposits: the deposits are not L1Inbox's deposits of the L1 blocks
	// after the previous origin up to this one, in L1 order.
	ErrDeposits = errors.New("verify: deposits differ from L1")
	// ErrForced: the batch's first transactions are not the forced
	// envelopes the inclusion rule (ordering.IncludeForced) takes from its
	// origin range, in order, or its forced positions are not exactly
	// theirs (0..k-1).
	ErrForced = errors.New("verify: forced envelopes differ from the inclusion rule's")
	// ErrForcedSkipped: a forced envelope's deadline passed before a batch
	// brought it: the batch's origin is past the deadline of one its range
	// brings, or the batch was posted after the deadline of one its origin
	// does not bring yet.
	ErrForcedSkipped = errors.New("verify: forced envelope not brought by its deadline")
	// ErrGasBudget: the batch's gas budget exceeds its gas limit.
	ErrGasBudget = errors.New("verify: gas budget above the gas limit")
	// ErrMissingKey: fewer keys than envelopes the no-key rule keys.
	ErrMissingKey = errors.New("verify: missing key")
	// ErrExtraKey: more keys than envelopes the no-key rule keys.
	ErrExtraKey = errors.New("verify: more keys than keyed envelopes")
	// ErrInvalidKey: a key is not the eon's key for its envelope's
	// identity.
	ErrInvalidKey = errors.New("verify: invalid key")
	// ErrExecution: the execution layer refuses to build the block.
	ErrExecution = errors.New("verify: block cannot be built")
	// ErrStateRoot: re-execution gives another state root than posted.
	ErrStateRoot = errors.New("verify: state root differs")
	// ErrBlockHash: re-execution gives another block hash than posted.
	ErrBlockHash = errors.New("verify: block hash differs")
)

// reasons label each reason for metrics and names them in the package doc.
var reasons = []struct {
	err   error
	label string
}{
	{ErrBatchData, "batch_data"}, {ErrAttestation, "attestation"}, {ErrDataHash, "data_hash"},
	{ErrSignature, "signature"}, {ErrParent, "parent"}, {ErrTimestamp, "timestamp"}, {ErrGasLimit, "gas_limit"},
	{ErrL1Origin, "l1_origin"}, {ErrEon, "eon"}, {ErrDeposits, "deposits"}, {ErrForced, "forced"}, {ErrForcedSkipped, "forced_skipped"},
	{ErrGasBudget, "gas_budget"}, {ErrMissingKey, "missing_key"}, {ErrExtraKey, "extra_key"},
	{ErrInvalidKey, "invalid_key"}, {ErrExecution, "execution"}, {ErrStateRoot, "state_root"},
	{ErrBlockHash, "block_hash"},
}

// Errors that are not a verdict on a batch.
var (
	// ErrNotPosted: the next batch is not posted in an L1 block at the
	// configured depth yet. Follow waits for it; Run stops there.
	ErrNotPosted = errors.New("verify: batch not posted at the confirmation depth yet")
	// ErrWaiting: the batch is posted but cannot be verified yet (its eon
	// key, or the keyper set deciding its eon, is not in a finalized L1
	// block).
	ErrWaiting = errors.New("verify: batch cannot be verified yet")
	// ErrNoCalldata: a posting's data is not in its transaction's calldata
	// (BatchInbox was called by a contract); this verifier reads only
	// direct calls.
	ErrNoCalldata = errors.New("verify: batch data not in the posting transaction's calldata")
	// ErrL1Reorg: an L1 block holding a verified posting left the canonical
	// chain: a reorganisation deeper than the confirmation depth. Start
	// again with a deeper depth (or --finalized).
	ErrL1Reorg = errors.New("verify: a verified posting was reorganised away on L1")
	// ErrConfig: a configuration the verifier cannot run with.
	ErrConfig = errors.New("verify: invalid configuration")
)

// Mismatch is the verdict that batch Batch is invalid: Reason is one of
// the reasons above (errors.Is matches it), Err says what differs. The
// verifier stops at the first one.
type Mismatch struct {
	Batch  uint64
	Reason error
	Err    error
}

func (m *Mismatch) Error() string {
	reason := "invalid batch"
	if m.Reason != nil {
		reason = strings.TrimPrefix(m.Reason.Error(), "verify: ")
	}
	s := fmt.Sprintf("verify: batch %d: %s", m.Batch, reason)
	if m.Err != nil {
		s += ": " + m.Err.Error()
	}
	return s
}

// Unwrap makes errors.Is match the reason and the cause.
func (m *Mismatch) Unwrap() []error {
	var out []error
	for _, err := range []error{m.Reason, m.Err} {
		if err != nil {
			out = append(out, err)
		}
	}
	return out
}

// Label is the reason's metric label ("state_root", ...).
func (m *Mismatch) Label() string { return reasonLabel(m.Reason) }

func reasonLabel(err error) string {
	for _, r := range reasons {
		if errors.Is(err, r.err) {
			return r.label
		}
	}
	return "other"
}

func mismatch(n uint64, reason error, format string, a ...any) *Mismatch {
	return &Mismatch{Batch: n, Reason: reason, Err: fmt.Errorf(format, a...)}
}
