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
// number, timestamp drift, an unknown, unconfirmed or backward L1 origin,
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
// # Driver contract
//
//  1. Restore the Releaser from the persisted ReleaseState; back Released
//     with the store of released identities.
//  2. Feed confirmed L1 blocks (L1Confirmed), L1-posted commitments in
//     strict mode (CommitmentOnL1) and other keypers' verified "released
//     N = H" announcements (Announcement).
//  3. For each batch: Decide. On a refusal, count it by reason and send
//     nothing. On a Release, write the batch, the new ReleaseState and the
//     keyed identities in one transaction, and only then compute the
//     shares (Shares) and send them with a signed announcement. A Release
//     with Again set re-sends the shares recorded for that batch.
//  4. Keep Evidence.
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
package keyper
