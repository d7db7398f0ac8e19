// Package verify is the verifier (DESIGN.md sections 1 and 7): it derives
// the L2 chain from L1 alone and checks every batch posted to BatchInbox,
// in number order, and stops at the first invalid one with a *Mismatch
// naming the batch and the reason. `veil verify` (cmd/veil) is the process
// around it.
//
// In: an L1 endpoint (*l1.Chain) and the deployment's addresses
// (l1.Contracts), the L2 chain config the sequencer runs with
// (execution.ChainConfig); no key of anyone's (see "Re-execution" below).
// Out: a Result per valid batch (OnVerified), the
// re-executed chain in an execution.Node (readable with go-ethereum's
// JSON-RPC semantics through Node), metrics (veil_verify_*), and the
// first *Mismatch.
//
// # Driver contract
//
// One goroutine drives a Verifier:
//
//  1. New checks that the contracts are Veil's, wired for this L2 chain,
//     that BatchInbox's sequencer is the chain config's, reads L1Inbox's
//     forced-inclusion deadline, and opens the execution node (in
//     DataDir, or a temporary directory removed by Close).
//  2. VerifyNext verifies batch Next(): a Result, a *Mismatch (final:
//     every later call returns it), ErrNotPosted (not posted at the
//     configured depth yet) or ErrWaiting (its eon key, or the keyper set
//     that decides its eon, is not final yet), or an error that leaves the verifier where it was (L1 unreachable,
//     storage).
//  3. Run calls VerifyNext until nothing more is posted; Follow keeps
//     calling it every PollInterval until its context ends, a batch is
//     invalid, or L1 reorganised a verified posting away (ErrL1Reorg).
//
// # The checks, in order
//
// For batch N (the first failing check is the Mismatch's Reason):
//
//  1. Posting: the BatchPosted event for N in an L1 block at the
//     configured depth (Confirmations below the head, or the finalized
//     block); the signature, attestation and data come from the calldata
//     of the transaction that emitted it, which must call submitBatch
//     directly (ErrNoCalldata otherwise: a posting through a contract
//     needs a tracing node this verifier does not use). A posting in
//     parts names their hashes: each part's data comes from a
//     submitBatchData transaction (a direct call too) whose BatchDataPart
//     event the scan found for the number, the parts precede the final
//     posting on L1; a part not found there, or not hashing to its name,
//     is ErrBatchData naming it. The data is the parts in order, then the
//     posting transaction's own, and the hashes must give the event's
//     dataHash (l1.PostedDataHash; ErrBatchData). The header fields
//     (number, eon, commitment hash, block hash, state root) are the
//     event's.
//  2. Attestation: the posted attestation is the committee's signature on
//     (chain, eon, N, commitment hash) under the eon's key as finalized on
//     KeyBroadcast (l1.EonKeys), checked here again rather than trusting
//     the contract's check (ErrAttestation).
//  3. Data: it decodes strictly (l1.DecodeBatchData; ErrBatchData), its
//     transactions hash to its commitment and the commitment is the
//     attested one: same hash, chain, eon and number (ErrDataHash); the
//     keys message carries the posted attestation (ErrAttestation).
//  4. The commitment is signed by BatchInbox's sequencer (ErrSignature).
//  5. It extends the verified chain: its parent is batch N-1's hash
//     (ErrParent), its timestamp is above N-1's, or genesis's for batch 1
//     (ErrTimestamp), its gas limit moves within go-ethereum's bound
//     (ErrGasLimit).
//  6. L1: its origin is a canonical L1 block with the named hash, not below
//     N-1's origin and below the block N was posted in (ErrL1Origin); its
//     eon is the eon active at its origin (ErrEon; "Eons" below); its
//     deposits are exactly L1Inbox's Deposit events of the blocks after
//     N-1's origin up to its own, in L1 order (ErrDeposits); the forced
//     inclusion rule holds (ErrForced, ErrForcedSkipped; below). Deposits
//     and forced envelopes are read with l1.Origin's readers, the
//     sequencer's own, at most MaxBlocks L1 blocks per query.
//  7. The keypers' no-key rule (keyper.Classify, with the identities keyed
//     by the batches verified before as the released set) decides which
//     envelopes get keys; the gas budget of DESIGN.md section 4 is within
//     the gas limit (ErrGasBudget).
//  8. Keys: one per keyed envelope, in order: fewer is ErrMissingKey, more
//     ErrExtraKey, and each must be the eon's key for its envelope's
//     identity (ErrInvalidKey, naming the first bad one). A missing or
//     invalid key is the sequencer's fault and makes the batch invalid; it
//     is never a crash. All keys are checked at once with random 128-bit
//     coefficients (tpke.VerifyShares with the eon key in the place of a
//     public share: the equation is the same), and one at a time only to
//     name the first invalid key when that fails.
//  9. Re-execution: ordering.BlockInput (the sequencer's own function from
//     batch, classification and keys to a block input: decryption, no-key
//     and decryption-failure marks) and execution.Node.Apply (the drop
//     rules and the block); a block the execution layer refuses is
//     ErrExecution. The state root is compared first (ErrStateRoot: the
//     execution diverged), then the block hash (ErrBlockHash).
//
// # Eons
//
// The rule is the keypers' (keyper's package doc, "Eons and keyper-set
// changes"; l1.Eons): eon e is voted by keyper set e-1 and is the eon of
// every batch whose L1 origin is at or above that set's activation block
// and below the next set's. For batch N of eon e with origin O:
//
//  1. Eon e's key (final on KeyBroadcast, as step 2 reads it) was voted
//     by set e-1 (ErrEon otherwise: KeyBroadcast lets a set vote any eon
//     until the next set is active, and an eon has one key ever). Eon 0
//     is no set's.
//  2. The sets are read from KeyperSetManager in the state of the L1
//     block at the verifier's depth (the tip it verifies up to). That list
//     is complete for O: O is below the posting block, which is at most
//     the tip, and a set added later has an activation block at or above
//     the block that added it (KeyperSetManager's rule). Sets are only
//     appended, so each is read once, and the list again only when an
//     origin passes the block it was read at.
//  3. O below set e-1's activation is ErrEon (set e-1 is final: its key
//     is). A later set active at O makes it ErrEon once set e is final (a
//     set takes effect only then, for the keypers' hand-over too) and
//     ErrWaiting until it is.
//
// With origins never going back, eons never go back either. The first
// batch of an eon after the first chains to the last batch of the one
// before it through the parent check (step 5), as the keypers require.
//
// # Forced inclusion
//
// The rule is the sequencer's (ordering's package doc, "L1 forced
// inclusion"), checked with its own function, ordering.IncludeForced, on
// L1Inbox's ForcedEnvelope events as l1.Origin.Forced reads them. For
// batch N with origin O, after batch N-1 with origin P (0 before batch 1):
//
//  1. Range: the envelopes forced in the L1 blocks (P, O] are brought, in
//     index order; when O = P none are.
//  2. Inclusion and placement: IncludeForced(ForcedRules{chain id, eon and
//     gas limit of the commitment, its number of deposits, Config.Limits},
//     brought) decides which are included; N's first transactions must be
//     exactly those, in that order, and Commitment.Forced exactly 0..k-1
//     (ErrForced). An envelope IncludeForced skips is never committed as
//     forced.
//  3. Deadline: O is at most the deadline block of every envelope brought,
//     included or skipped (ErrForcedSkipped): l1.Origin ends a range at the
//     earliest deadline it brings, so an honest sequencer's origin never
//     passes one, however far behind L1 it is.
//  4. Lag: N is not posted in an L1 block above the deadline of an envelope
//     forced above O (ErrForcedSkipped): origins that lag behind the forced
//     block evade inclusion as surely as skipping it. This measures L1 time
//     by the posting block, the only L1 time a verifier sees, like the
//     sequencing window of other rollups: the deadline must leave room for
//     the origin's confirmations plus the posting delay.
//
// Rules 3 and 4 do not look inside the envelopes, as l1.Origin does not: a
// deadline is a property of the L1 event, and garbage forced on L1 has one
// like any envelope. The rule needs nothing of earlier batches but N-1's
// origin.
//
// # Re-execution from L1 alone
//
// Each block's system transactions (the deposit credit and the settlement)
// are signed, RFC 6979 deterministically, with the system account's key,
// which is public (contracts.SystemKey); their signatures are part of the
// transactions root and so of the block hash, and through EIP-2935 the
// parent's hash is in the next block's state. So anyone rebuilds the posted
// block hashes and state roots from L1 alone. Execution skips any committed
// transaction signed with that key, so the public key lets nobody act as
// the system account.
//
// # State and restarts
//
// The verified prefix (the next number, the last hash, timestamp, origin
// and gas limit) is kept in memory, the released identities in an idset
// file in the data directory (released.ids, emptied at start); the chain is
// kept by the execution node. With a data directory, a new Verifier checks
// every batch again from L1 and, for the blocks its node already holds,
// compares the stored block with the posting instead of executing it,
// which rebuilds the in-memory state.
// After a Mismatch found by re-execution the node holds its own block N,
// so a rerun on the same directory reports the same mismatch.
//
// # Not checked
//
// Timestamp drift (a verifier has no clock for history), the keypers'
// own size caps and maximum gas limit (configuration of each keyper; the
// data is decoded within Config.BatchLimits), and sequence numbers and
// order receipts (BatchInbox takes receipt evidence itself). Keyper sets
// read at the depth are not read again: a reorganisation below the depth
// is noticed only when it takes a verified posting's block (ErrL1Reorg).
package verify
