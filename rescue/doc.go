// Package rescue posts batches a sequencer withheld (DESIGN.md sections 5
// and 7): a batch the keypers released, so whose keys exist, and which the
// sequencer then kept off L1. Keypers re-publish such a batch on gossip
// (keyper.TopicRepublish: the signed batch, its keys and attestation, the
// positions of the keyed envelopes); a Rescuer, which anyone can run with
// an L1 account of its own, takes it, executes it on top of the chain L1
// holds and posts it to BatchInbox, which takes an attested batch from
// anyone, first valid posting per number. The ordinary verifier then
// verifies it like any other posting.
//
// In: an L1 endpoint and the deployment (l1.Contracts), the L2 chain
// config, a p2p node peered with keypers, the committees whose members may
// re-publish (keyper.Eons), an L1 key. Out: postings on L1 (an l1.Poster
// of its own, in DataDir), metrics (veil_rescue_*), OnRescued.
//
// # Driver contract
//
// Run is the one goroutine that drives a Rescuer:
//
//  1. Catch up: its own verify.Verifier (in DataDir/verifier) verifies
//     every batch posted on L1, so the rescuer's chain is L1's, checked.
//  2. The next batch N (the verifier's Next): when a republished batch N
//     is held and BatchInbox's nextNumber is N, build it (below) and
//     enqueue its posting; the poster sends it. Republished batches above
//     N wait for their turn (at most MaxPending, the lowest kept), so a
//     run of withheld batches is posted in order, one per verification.
//  3. Once the posting is on L1, step 1 verifies it, and N+1 is next.
//
// # Building batch N
//
// Nothing of the verifier's checks or of execution is written twice: the
// rescuer uses keyper.Classify (the no-key rule), ordering.BlockInput
// (decryption) and execution.Node.Build on the verifier's node (the block
// on top of the verified chain, not written), the verifier's own path.
// Before that it checks, each refusal a named error and a count in
// veil_rescue_refused_total{reason}:
//
//   - the batch extends the verified chain: number N, parent the hash of
//     batch N-1 (ErrNotNext);
//   - the keyed positions the keypers name are the no-key rule's with the
//     identities they withheld counted as released before (a verifier's
//     released set is its own; a rescuer that only joined has none): the
//     rule may only have keyed more, and only envelopes withheld for that
//     reason (ErrClassification); the gas budget holds (ErrGasBudget);
//   - every key is the eon key's for its envelope's identity, all checked
//     at once with random coefficients (ErrInvalidKeys).
//
// The gossip validator (keyper.RepublishValidator) already checked the
// sequencer's signature and the attestation under the eon key final on L1;
// BatchInbox checks both again.
//
// Decisions:
//   - The rescuer posts only batch nextNumber, never ahead: a batch is
//     executed on the chain L1 holds, so a batch above a missing one waits
//     for that one's rescue (keypers re-publish every batch they released
//     that is not on L1).
//   - The block hash and state root it posts are its own execution's; if
//     they were wrong the verifier would report the batch, so the rescuer
//     is exactly as trusted as a verifier run, no more.
//   - Timing rules the verifier applies to the posting block (the forced
//     inclusion lag) still hold: a batch rescued later than the deadline
//     of an envelope forced above its origin is invalid, which is why
//     keypers re-publish after keyper.DefaultRepublishAfter (a minute),
//     well inside L1Inbox's deadline.
//   - The sequencer's own poster, should it come back, finds the batch
//     posted with its commitment and counts it as posted (l1.Poster's
//     confirm and Enqueue compare commitment hashes): nothing is retried.
//   - Held republished batches live in memory: after a restart the
//     rescuer waits for the keypers' next re-publication.
package rescue
