// Package keyper is the committee node's logic: when a key share may be
// released (DESIGN.md section 5) and the share messages it sends. The DKG
// core is in keyper/dkg.
//
// # Release core
//
// Releaser is a pure state machine for one eon: a signed batch and the
// local time go in, a Release (which envelopes get a share, which do not
// and why) or a named refusal comes out. Whole-batch refusals: the
// sequencer's signature, chain and eon, the batch number (next after the
// last released, never a number already released for another hash), the
// parent, any conflicting commitment or release announcement for the
// number, timestamp drift (see below), an unknown, unconfirmed or backward L1 origin,
// size caps, the gas budget, and in strict mode the commitment's presence
// on L1. Per envelope, the deterministic no-key rule that verifiers mirror:
// malformed (its transaction framing, calldata, deposit or signature; the
// ciphertext's inner structure is not checked here: a key for a ciphertext
// that does not parse opens nothing, its decryption fails and execution
// drops the inner transaction), another eon, a submit call to another contract, an identity
// released in an earlier batch or present twice in this batch (then neither
// copy is keyed: one key would open both). One bad envelope never stalls
// the batch.
//
// Timestamps: a batch's timestamp must be above the last released one and
// at most MaxDrift ahead of local time. It must also be at most MaxDrift
// behind local time, unless the keyper heard nothing from the sequencer
// (no commitment, announcement or keys message for silenceGap seconds)
// during the MaxDrift window after that timestamp: then it was down or cut
// off when the batch was signed and cannot tell a held-back batch from
// one it missed; nor when the eon's committee attested the batch
// (Certified, from the sequencer's keys messages: a threshold released it
// in time), which is how a keyper that fell behind while connected catches
// up. Without that exception, batches committed while the
// keypers were below the threshold for longer than the drift could never
// be released, and the chain would stall for good. A backlog therefore
// goes through once enough keypers are back, with the timestamps it was
// ordered at.
//
// # Driver contract
//
//  1. Restore the Releaser from the persisted ReleaseState; back Released
//     with the store of released identities.
//  2. Feed confirmed L1 blocks (L1Confirmed), L1-posted commitments in
//     strict mode (CommitmentOnL1), other keypers' verified "released
//     N = H" announcements (Announcement), and the arrival time of every
//     verified message of the sequencer (Heard), before Decide.
//  3. For each batch: Decide. On a refusal, count it by reason and send
//     nothing. On a Release, write the batch, the new ReleaseState and the
//     keyed identities in one transaction, and only then compute the
//     shares (Shares) and send them with a signed announcement. A Release
//     with Again set re-sends the shares recorded for that batch.
//  4. When a commitment is beyond the next number (ErrNumberGap), ask the
//     sequencer for the next one (TopicCatchUp), and again after each
//     release while behind: a keyper that was down catches up from the
//     sequencer's log; the batches it missed are judged with the
//     stale-timestamp exception above.
//  5. Keep Evidence.
//
// # Store
//
// Store (bbolt, one bucket per eon) keeps the release state, a compact
// binary record of every released batch (number, hash, batch identity,
// the keyed and no-key indexes: no identities, about 350 bytes for 200
// envelopes), and each batch's full wire encoding in a bucket of its own.
// Commit writes all of them in one transaction and refuses a number
// already recorded. The released identities are indexed beside the store,
// one idset file per eon (internal/idset: read and written with pread and
// pwrite, so the eon-long index is not resident in the process), filled
// after each commit and synced every 64 releases; opening it adds the
// identities of the releases above its synced mark again, so a crash
// loses nothing, and an index that is damaged or ahead of the records is
// rebuilt. Those identities come from the keyed envelopes of the batches'
// encodings (the envelope's payer and the eon and prefix of its calldata,
// encmempool.EnvelopeIdentity). The index trusts that it belongs to its
// store: delete both or neither.
//
// Records and the index are kept for the whole eon: the "released
// before" rule needs every identity, and ReleasedBatch answers a repeated
// request for any released batch with the identical shares. Only the
// encodings are pruned: those of the last RetainEncodings (1024) batches
// are kept, older ones are deleted inside Commit's transaction, at most 16
// a commit, and ReleasedBatch returns a nil encoding for them and takes
// their keyed identities from the batch the caller passes (the node passes
// the repeated batch, whose hash Decide matched to the record's); without
// it they are lost (ErrIdentitiesLost).
//
// The trade-off: beyond the retention window the index is the only copy
// of the eon's released identities. An index that must be rebuilt (it was
// deleted or damaged, or it stopped syncing for more than the window)
// from records whose encodings are pruned cannot be: opening it fails
// with ErrIdentitiesLost, naming the eon and the batch, and the eon stays
// closed (idset.ErrLost) until DropEon, through restarts too. The store
// still opens; the node logs the loss and sets the identities_lost gauge,
// and the eon's view answers "released" for every identity, so the keyper
// withholds every envelope's share for the rest of the eon (the safe
// side: no key is ever released twice), while repeated requests for
// batches it released are still answered from the batch they bring.
// Deleting the index file of a running eon older than the window
// therefore silences that keyper's envelope shares until the eon ends.
//
// Records written by an older keyper are still read: recordV1 (with each
// keyed identity, about 34 bytes per keyed envelope) and JSON (they start
// with '{', hold the keyed identities and their batch's encoding, which
// they keep); such records give the index their identities whatever was
// pruned. An older keyper's bucket of identities is deleted once the index
// is built from the records. DropEon deletes an eon's bucket and index
// once the eon is over.
//
// # Process
//
// Run is the keyper process once its parts are open (`veil keyper run`
// opens them: keys, committee, the store StoreFile in the data directory,
// the p2p node, an L1 endpoint). It checks that the keys are a member of
// the committee (MemberIndex, ErrNotMember), gets the eon's key share from
// the recorded DKG result or by running the DKG (RunDKG, which also checks
// a recorded result against the committee), then starts the release path
// (StartNode) and feeds it confirmed L1 blocks (FollowL1) until its context
// ends or the node stops on a store failure. The caller closes the p2p node
// and the store after Run returns.
//
// # Eons and keyper-set changes
//
// Eon e is voted by keyper set e-1 on L1 (KeyperSetManager, KeyBroadcast),
// and is the eon of every batch whose L1 origin is at or above that set's
// activation block and below the next set's. Sets and keys take effect
// only once the block that added them is final; what a keyper reads of
// them comes through L1Eons (the l1 package's Eons). L1 carries a set's
// members, threshold and activation block; the DKG public keys and the
// peer addresses come from the committee config (Committee), which Run
// checks against L1's members and threshold (CheckL1, ErrCommittee).
//
// A keyper process serves one eon. A member of consecutive sets runs one
// process per set, each with its own p2p host and its own data directory
// (store, DKG files): the processes share nothing but the signing key,
// and neither waits for the other. A process for a new set starts before
// its activation: Run runs the DKG at once and votes the key, then waits
// until its set is final on L1 (and, for an eon after the first, the
// previous eon's key) and starts releasing:
//
//   - Activation (ReleaseConfig.Activation, from L1): a batch naming an L1
//     origin below it is refused (ErrNotActive).
//   - The first batch of an eon after the first (NodeConfig.Previous, the
//     previous eon's key): the core starts with ReleaseState.Next = 0 and
//     learns the previous eon's batches from the sequencer's keys messages
//     (TopicKeys, batch.KeysMessage), each attestation checked against the
//     previous eon's key before it counts (Releaser.Attested). It releases
//     as its first batch only a batch numbered one above the highest batch
//     the previous eon attested, whose parent is that batch's hash, and
//     refuses anything else (ErrEonStart). From then on the usual rules
//     hold. A chain's first eon starts, as before, at batch 1 with a zero
//     parent.
//   - Hand-over: once the next set is final on L1 (watched in Run), the
//     core refuses every batch whose L1 origin is at or above its
//     activation block (Releaser.Superseded, ErrSuperseded): such a batch
//     belongs to the next eon. The refusal is counted in
//     veil_keyper_batches_refused_total{reason="superseded"}, as are
//     not_active and eon_start.
//
// Without an L1Eons (RunConfig.Eons) a keyper serves its eon from batch 1
// and never hands over; an eon after the first requires one.
//
// # Re-publication (a sequencer that withholds)
//
// With RunConfig.Republish (NodeConfig.Republish) a keyper keeps each
// batch it released (the signed batch as received; its keyed positions)
// and the committee's share messages for it from the shares topic, its
// own included, one per keyper, until BatchInbox's nextNumber passes it
// (RepublishConfig.Posted, polled every Poll). A batch still off L1
// RepublishConfig.After (DefaultRepublishAfter, a minute) after its release
// is re-published on TopicRepublish for its eon: a RepublishMessage with
// the batch, its keys message (batch.KeysMessage, aggregated by a
// Collector from a threshold of valid shares, checked only then) and the
// keyed positions; anyone (package rescue) can then post it. Each keyper
// does so at most once per After per batch, and waits another After when
// it sees another keyper's re-publication of it; batches are re-published
// in number order. Counted in veil_keyper_republish_total{outcome}.
// Incoming republications are checked by RepublishValidator before they
// are delivered or relayed: a committee member of the eon sent it, it
// decodes within the limits, its parts agree (ErrRepublishMalformed,
// ErrRepublishMismatch), the sequencer signed the batch
// (ErrRepublishSignature), the eon's key is known (ErrRepublishUnknownEon)
// and the attestation verifies under it (ErrRepublishAttestation); each
// refusal counts in veil_keyper_republish_invalid_total{reason}. The keys
// themselves are checked by whoever uses them, as a verifier would. What a
// keyper holds for re-publication is in memory (at most 256 batches): after
// a restart it re-publishes only what it releases from then on (a repeated
// request for an earlier batch, answered from the store, counts as a
// release); the other keypers cover the rest.
//
// # Shares ahead of the commitment
//
// The sequencer announces each admitted envelope on TopicPending
// (PendingMessage, signed by the sequencer, checked by the gossip
// validator) before any batch holds it. The node derives each announced
// envelope's identity from the envelope itself (for its own eon and inbox
// only), computes its share on one core and keeps it in memory, by
// identity (at most four full batches' worth, at least 4096; dropped when
// unused for 64 releases); a release takes the shares it needs from there
// and computes only the rest. Nothing is sent because of an announcement:
// shares still leave only in a release, after the record. Counted in
// veil_keyper_pending_envelopes_total{outcome},
// veil_keyper_pending_dropped_total (queue full) and
// veil_keyper_release_shares_total{source}.
//
// Gossip: one topic per kind for all eons (a p2p node joins a kind once).
// The validators take the eon from each message: SequencerValidator and
// MembersValidator accept one eon, or with Eons every eon of a set that
// grows (the sequencer admits shares from each ready eon's committee; a
// keyper of a new eon admits the sequencer's keys messages of the previous
// eon). The Collector checks each batch's shares against the committee of
// the batch's eon (Release.Eon; AddEon adds committees).
package keyper
