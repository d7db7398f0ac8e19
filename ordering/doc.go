// Package ordering is the sequencer (DESIGN.md sections 4 and 6): it
// admits transactions in first-come-first-served order, cuts the sequence
// into batches, signs and records each batch's commitment before anyone
// sees it, sends it to the keypers, collects their key shares, decrypts,
// and executes the batches strictly in number order, one L2 block each,
// on the execution node it owns. `veil sequencer` (cmd/veil) is the
// process around it.
//
// In: transactions over JSON-RPC (eth_sendRawTransaction, which the
// execution node hands to the sequencer), key share messages from gossip,
// the L1 origin (L1Origin) and the clock. Out: signed order receipts,
// signed batches on gossip (keyper.TopicCommitments), each batch's
// aggregated keys and attestation on gossip (TopicKeys), and L2 blocks
// served with go-ethereum's standard JSON-RPC, next to the veil_ namespace
// (API: veil_getOrderReceipt, veil_eon, veil_subscribe("orderReceipts")).
//
// # Admission
//
// Submit (SubmitRawTransaction is its eth_sendRawTransaction form) checks
// a transaction against the head view (the state of the latest executed
// block and the rules of the next one: chain id, eon, block gas limit less
// the system transactions' share, base fee, limits, whether plaintext
// transactions are allowed) and adds it to the durable pool
// (encmempool.Pool). The pool gives it the next sequence number and writes
// it, fsynced, before the signed order receipt comes back: the order is
// fixed by arrival, and a receipt is never handed out for a transaction a
// crash could lose. The fee cap must cover the next block's base fee.
// Plaintext transactions share the sequence unless Config.NoPlaintext.
//
// # Batches
//
// Cutter is the pure cutting core: the forced envelopes the batch must
// carry, the pending transactions (a window of one more than a batch
// holds), the number of deposits waiting and the time go in; a decision
// comes out. The driver contract:
//
//  1. Before each decision, take the next L1 origin, its deposits and its
//     forced envelopes from L1Origin.Next (at or above the last batch's; an
//     error skips the cut and is logged), and apply IncludeForced to the
//     forced ones. The answer is reused for up to 500 ms while no batch is
//     cut, and asked afresh after each cut.
//  2. Decide: a batch is due once the interval has passed since the last
//     cut and something waits (transactions, forced envelopes or
//     deposits), or earlier when the window holds more than fits the
//     budget after the forced envelopes (MaxTxs, MaxBytes, and the gas
//     budget: each transaction's gas limit plus an envelope's declared
//     gas, plus batch.SystemGas for the deposits and the settlement, at
//     most the block gas limit). No empty batch is cut unless deposits
//     wait. Timestamps are whole seconds, strictly increasing
//     (go-ethereum wants each block's above its parent's) and never more
//     than MaxAhead (default 2 s) ahead of the clock: when full batches
//     come faster than one a second, the cutter waits.
//  3. Build the commitment (chain id, eon, number, parent hash, first
//     sequence number, timestamp, L1 origin, deposits, base fee, gas
//     limit, fee recipient, the transactions' hashes: the forced envelopes
//     first, listed in Forced, then the pool's from the first sequence
//     number on), sign it, classify its envelopes with the keypers' rule
//     (keyper.Classify: which identities get keys, which do not), and
//     record the batch, its keyed identities and its transactions' order
//     receipts in one bbolt transaction.
//  4. Only then publish it. A batch still waiting for keys is published
//     again every ResendInterval, backing off (doubling up to 16 times the
//     interval, at most 5 s) so keypers busy with shares are not flooded.
//     A keyper that is behind (down while the others released and the
//     batches executed) asks for the batch it needs next on
//     keyper.TopicCatchUp; the sequencer answers from the log, the keys
//     message (its attestation) first, then the batch, so the keyper
//     releases the backlog one batch after another and takes part again.
//
// At most MaxInflight (default 8) batches are committed and not yet
// executed: commits are pipelined ahead of execution.
//
// The commitment's BaseFee is informational: the next block's base fee as
// the head was when the batch was cut. The block's own base fee follows
// EIP-1559 from its parent, as go-ethereum requires, and so is
// deterministic from committed inputs; with batches in flight the head at
// cut time need not be the block's parent.
//
// # Keys and execution
//
// A keyper.Collector gathers the share messages: it checks each keyper's
// message in one randomized batched check against that keyper's public
// share, and aggregates the first threshold of valid ones into a key per
// keyed identity and the batch attestation (the key of the batch identity).
// Messages for batch numbers up to MaxInflight + 1 beyond the highest one
// expected are held until that batch is. Execution takes batches strictly
// in number order, in two stages one batch apart: once a batch's keys are
// in, they are recorded and published (TopicKeys) and the keyed envelopes
// are decrypted (tpke.DecryptBatch; a failure is the inner transaction's
// drop, never the batch's), while the previous batch's block is still
// being built; then its block is built and inserted (execution.Node.Apply,
// which applies the drop rules), the batch is marked executed, the head
// view is refreshed, and the pool forgets its transactions.
//
// Work ahead (announce.go): what does not need the keys is done while an
// admitted envelope waits for its batch, off the path from commitment to
// block. Every admitted envelope is gossiped to the keypers within 20 ms
// (keyper.TopicPending, signed like every sequencer message; counted in
// veil_sequencer_announced_envelopes_total), who compute their shares for
// it then and send them only when they release its batch. The sequencer
// prepares its ciphertext for decryption on one core (parsed, with U's
// Miller loop lines: tpke.PrepareCiphertext), keeping at most 2048 (48 MiB)
// and dropping those unused for 16 batches; veil_sequencer_decryptions_total
// counts decryptions by whether they were prepared ahead. Both are best
// effort: what misses them is done in full once the keys come. The keys
// aggregated by the collector are decrypted with as points, not decoded
// again from the recorded keys message.
//
// # Restart
//
// Open rebuilds everything from disk: the batch log (batches.db) gives the
// next number, the parent hash, the last timestamp and L1 origin, and the
// pool's cut cursor; the execution node re-executes recorded blocks above
// go-ethereum's durable head. Committed batches the chain already holds
// are marked executed; the others wait for keys again (from the log when
// they were recorded, otherwise asked of the keypers again), so a batch
// number is never signed twice and no admitted transaction is lost. A
// failed write stops the sequencer (Err; Submit answers ErrStopped)
// rather than run ahead of its record.
//
// Retention (prune.go): the batch log keeps every batch not executed, the
// executed one, and the 1024 executed batches below it (about 17 minutes
// at one batch a second) with their keys messages and order receipts;
// older ones are deleted, at most 64 a time, once every 16 executed
// batches, so that the log stays bounded and a restart finds all it
// reads. veil_getOrderReceipt answers ErrUnknownTx for a transaction of a
// pruned batch, and ExecutedBatch an error for the batch: the L1 feed
// copies each executed batch to the poster's database within a poll, and
// must not fall further behind than that margin. The identities a batch
// keys are kept until their eon has ended (admission and the no-key rule
// read them for the whole eon), in one idset file per eon beside the log
// (batches.db.eon-<n>.ids, read with pread, not mapped: the eon-long index
// of random keys is not resident in the process); it is synced every 64
// batches and rebuilt from the log's batch-ids entries above its mark when
// it opens, and dropped once its eon's entries are pruned. Receipts of
// batches logged before the log had its pruning indexes stay.
//
// # L1
//
// The L1 origin, its deposits and its forced envelopes come through the
// L1Origin interface; the keypers accept an origin only if it is a
// confirmed L1 block they know and not below the last one they released.
// The l1 package's Origin reads them from L1Inbox. ConfirmedOrigin follows
// an L1 endpoint (the block Confirmations below the head, never going
// back, no deposits or forced envelopes); StaticOrigin names one fixed
// block, for a chain whose L1 stands still. Next is called under the sequencer's lock, so an
// implementation that reads the network holds up cutting (and share
// handling) while it waits, and one that fails stops batches: `veil
// sequencer` polls ConfirmedOrigin in the background and answers from the
// last block it read.
//
// # Eons
//
// The sequencer learns of eons from its EonSchedule (Config.Eons; a
// Config with a Committee and no schedule is a schedule of one eon): each
// eon's number, the activation block of the keyper set that votes it, and
// once the eon is ready its committee, its eon key (final on L1) and its
// keypers' public shares. The schedule also names the L1 block through
// which it is complete ("through": every keyper set added up to it is
// listed, ready or not), and the sequencer names no L1 origin above it, so
// an origin never passes the activation of a set it has not heard of. Let
// E be the eon of the last batch and A the activation of eon E+1. At each
// cut:
//
//  1. While E+1 is not ready (its set or key not final, its shares
//     unknown), batches stay in E with their L1 origin capped at A-1
//     (L1OriginUpTo; an origin source without it stays at the last
//     origin). Deposits and forced envelopes of later blocks wait.
//  2. Admission (the eons envelopes are admitted for, under a lock that
//     keeps the pool consistent): E alone while E+1 is not ready. Once it
//     is ready, E and E+1, so clients that switch early lose nothing:
//     their envelopes wait in the pool until the switch. The first E+1
//     envelope admitted, or the schedule's L1 head (through) reaching A,
//     ends E's admission: from then on an E envelope is refused with
//     encmempool.ErrWrongEon wrapping ErrEonEnded (the client library
//     fetches veil_eon and encrypts again), and veil_eon names E+1. So the
//     pool never holds an E envelope behind an E+1 envelope.
//  3. Drain: while an E envelope waits before the first E+1 envelope,
//     batches stay in E, origin below A, taking the pending transactions
//     up to (not including) that first E+1 envelope.
//  4. Switch: once E+1 is ready and no E envelope waits before its first
//     envelope, the first batch whose origin reaches A is committed in
//     E+1: its number is the next, its parent the hash of the last E
//     batch. (The chain's first batch never switches.)
//  5. The keypers of E+1 accept that batch only after the previous eon's
//     attestation of its parent (keyper package doc): the sequencer
//     publishes the parent's keys message again whenever it resends the
//     first batch of an eon, and resends that batch as soon as the
//     parent's keys are published.
//
// Share collection and the gossip validators take the committee of each
// batch's eon, so batches of both eons may be in flight. After a restart
// the eon is that of the last batch in the log (which the schedule must
// have ready, ErrConfig otherwise), and an E+1 envelope pending in the
// pool means E's admission had ended. If the last origin is already at or
// past the activation of an eon that is not ready (a set added with too
// short a notice), the sequencer logs an error and waits until it is.
// Metric: veil_sequencer_eon.
//
// What a verifier checks: each batch's eon is the eon of the keyper set
// active at its L1 origin (the last set whose activation is at or below
// the origin; eon = set index + 1); the first batch of an eon has the
// next number and the previous batch's hash as its parent, like every
// batch; its attestation and keys verify under that eon's key.
//
// # L1 forced inclusion
//
// A user whose envelope the sequencer will not admit posts it on L1
// (L1Inbox.forceEnvelope, event ForcedEnvelope with an index, its L1 block
// and a deadline block). The rule, which the sequencer applies and a
// verifier checks from L1 alone:
//
//  1. Range: a batch whose L1 origin is O, after a batch whose origin was P
//     (0 before the first batch), brings the forced envelopes of the L1
//     blocks in (P, O], in index order, exactly as it brings their
//     deposits. When O = P it brings none.
//  2. Inclusion (IncludeForced): each is taken, in index order, unless its
//     bytes do not decode as a transaction, it fails admission's stateless
//     rules for the chain and the batch's eon (an envelope to the
//     EncryptedInbox, signed for this chain, well formed, of this eon,
//     within the size and gas caps, above intrinsic gas; plaintext is not
//     forced), its identity is that of one taken before it, or it does not
//     fit next to those taken before it: at most MaxForcedTxs envelopes and
//     MaxForcedBytes bytes, and the section 4 gas budget (gas limit plus
//     declared gas each, plus batch.SystemGas for the deposits and these
//     envelopes) within the gas limit. A skipped envelope is never
//     committed (the user may force it again); an envelope's state (nonce,
//     balance) is not part of the rule: at its slot an envelope that fails
//     pays nothing, and its inner transaction's fate is unaffected.
//  3. Placement: the envelopes taken are the batch's first transactions, in
//     that order, and Commitment.Forced lists their positions 0..k-1. They
//     hold no sequence numbers: the pool's transactions follow, FirstSeq,
//     FirstSeq+1, ... (as BatchInbox's receipt evidence reads them), within
//     what the budget leaves.
//  4. Deadline: the batch that brings a forced envelope names an origin at
//     most its deadline block. The origin source keeps it (the l1
//     package's Origin ends a range at the earliest deadline it brings);
//     the sequencer logs a warning when a committed one is late. Checking
//     that a batch exists in time is the verifier's.
//
// Decisions around the rule:
//   - Forced envelopes are keyed like any other: keyper.Classify has no
//     special case, so they get keys unless another eon or an identity
//     released before or twice in the batch withholds one.
//   - A pending envelope with the identity of a forced one in the batch
//     (typically the same transaction, sent both ways) is left to the next
//     batch (the cut ends before it): in one batch both would get no key;
//     in the next, only the pending copy has none (released before), and
//     it still holds its receipt's position.
//   - Admission refuses an envelope whose identity a committed batch keys
//     (headView.IdentitySeen reads the batch log), which covers identities
//     used by forced envelopes, across restarts.
//   - The caps are protocol constants, not configuration, since a verifier
//     applies them: Config.check refuses batch caps below them.
//   - Forced envelopes are stored only inside the batches of the batch
//     log, so they survive a restart like every other transaction; a
//     batch cut but not recorded before a crash is cut again from the
//     same origin range, forced envelopes and all. The pool's cursor after
//     a restart counts only the sequenced transactions of the last batch.
//   - Metric: veil_sequencer_forced_envelopes_total{result} (included,
//     skipped); each skipped one is logged with its reason.
package ordering
