// Package l1 is Veil's side of L1 (DESIGN.md section 7): it connects to an
// Ethereum chain, deploys Veil's contracts (package contracts), reads eon
// keys, deposits and forced envelopes from them, and posts executed
// batches to BatchInbox.
//
// # Chains
//
// Dial connects to any Ethereum JSON-RPC endpoint through go-ethereum's
// ethclient. NewSimulated starts the embedded default, go-ethereum's
// in-process simulated backend, with OsakaConfig: every fork through Osaka,
// so the EIP-2537 BLS12-381 precompiles that KeyBroadcast and BatchInbox
// use are active from genesis. It lives in memory and seals a block only
// when Commit is called or MineEvery runs; restarted, it is a new chain
// (with the same genesis for the same accounts), so whatever recorded the
// old one (the poster database) must be removed with it. Both come as a
// *Chain, which is also the backend go-ethereum's contract bindings take.
//
// The "finalized" block tag is what the endpoint says. On the simulated
// backend (and on geth --dev, which runs the same simulated beacon) the
// finalized block is the last multiple of 32 at or below the head; on a
// real network it is the consensus layer's, about two epochs behind.
//
// # Deployment
//
// Deploy wraps contracts.DeployL1 and waits for the four contracts (on a
// simulated chain it seals the blocks itself). Contracts holds their
// addresses and the deployment block, written to and read from a JSON
// config file (WriteContracts, ReadContracts); Verify checks that the
// addresses hold contracts wired to each other for the right L2 chain.
//
// # Eon keys
//
// EonKeys reads an eon's key with KeyBroadcast's eonKey view in the state
// of the finalized block, so a key takes effect only once the block that
// accepted it is final, and hands it out in tpke's compressed form
// (contracts.EonKeyFromL1); it is a client.EonKeySource. A key is accepted
// once and never changes, so each is read once and kept. Vote sends a
// keyper's vote, estimated first so that KeyBroadcast's refusal comes back
// as a *RevertError naming the contract's error; voting again what is
// already voted or accepted sends nothing.
//
// # Keyper sets and the eon schedule
//
// Eons reads the eon schedule: eon e is voted by keyper set e-1 and is the
// eon of every batch whose L1 origin is at or above that set's activation
// block and below the next set's. KeyperSet and EonKey answer only from
// the finalized state (keyper.L1Eons, what a keyper reads); Schedule reads
// every set in the latest state and says which are final and which final
// keys they have, with the number of the block read: the sequencer's
// schedule, which keeps origins below the activation of a set that is not
// ready (Origin.NextUpTo caps an origin).
//
// Schedule is that schedule as an ordering.EonSchedule, shared by `veil
// sequencer --contracts` (committee and eon files) and the devnet (its DKG
// records): LocalEons gives what L1 does not carry (the committee config,
// the public shares), and an eon is ready once its set and key are final
// and the local committee matches the set (keyper.Committee.CheckL1) and
// the local key L1's. Otherwise the eon stays not ready, the cause
// (ErrEonMismatch, or LocalEons' error) is logged once and kept (Err), and
// veil_sequencer_eons_unusable counts it; LocalEons is asked again at the
// next read, so a fixed file is taken without a restart.
//
// # Origins, deposits and forced envelopes
//
// Origin is the sequencer's ordering.L1Origin: Next(after) names the block
// Confirmations below the head, never below after and at most MaxBlocks
// above it, and returns L1Inbox's events of the blocks in (after, origin]:
// Deposit events as batch.Deposit{L1TxHash, LogIndex, To, Amount} and
// ForcedEnvelope events as ordering.ForcedEnvelope{Index, L1Block,
// Deadline, Raw}, each sorted by block and log index (one log query for
// both). What one answer brings is capped: MaxDeposits deposits, MaxForced
// forced envelopes and MaxForcedBytes of their bytes (by default
// ordering.MaxForcedTxs and ordering.MaxForcedBytes, the most one batch
// commits), by ending the origin before the block that would exceed a cap;
// one block's events are never split (a first block over a cap by itself
// comes whole, and alone). The origin also never passes the deadline
// block of a forced envelope it brings: the range ends at the earliest
// one, so the batch naming the origin commits the envelope in time even
// when the sequencer is far behind L1. The sequencer applies
// ordering.IncludeForced to the forced envelopes; Origin does not look
// inside them (anyone may force any bytes).
//
// Reorganisations: Origin remembers the hash of every origin it answered,
// and when the block at after has another hash now, Next returns
// ErrReorged: the sequencer must not build on an origin that is gone (the
// batches naming it are the sequencer's to deal with). After a restart,
// Remember(the last batch's origin) restores the check. A range whose last
// block changes while its logs are read is refused the same way, and so is
// a capped range when that block changes before the header of the range's
// new end is read. Next reads L1 each time (four to six round trips); a
// caller that must not wait on the network polls it from a goroutine.
//
// Deposits(from, to) and Forced(from, to) list the deposits and the forced
// envelopes of a block range the same way, for a verifier checking what a
// batch with origin range (from-1, to] must carry.
//
// # Batch data
//
// The batch data a posting carries (in one submitBatch, or in parts: see
// Posting) is
//
//	version (1) ‖ compression (0 none, 1 DEFLATE) ‖ payload
//
// with payload = RLP([batch wire encoding, keys message]): the batch as
// batch.Batch.Encode gives it (signed commitment and transactions), and
// its ordering.KeysMessage (one key per keyed envelope, the attestation,
// the signers). EncodeBatchData writes it, DecodeBatchData reads it back
// strictly, bounding the decompression by the batch limits. DEFLATE is
// compress/flate at BestCompression: on a batch of 100 envelopes it saves
// about 24% of the bytes (78 kB to 59 kB) and zstd (klauspost/compress,
// only an indirect dependency) saved 0.6% more, not worth a new direct
// dependency. The L2 block hash and state root travel in submitBatch's
// header; the attestation covers (chain, eon, number, commitment hash).
//
// # Postings in parts
//
// L1 nodes relay transactions of at most 128 KiB, so a posting whose
// submitBatch calldata exceeds MaxPostingCalldata (127 KiB) is split: its
// data is cut from the front into parts of PartSize (120 KiB), each posted
// with BatchInbox.submitBatchData(number, part), and the final submitBatch
// carries the rest (1 to PartSize bytes) and the parts' keccak256 hashes
// in order. BatchInbox takes a part for a number not posted yet and below
// nextNumber + PartsAhead (256), from anyone, again without reverting, and
// refuses a final posting naming a part not posted for its number
// (PartNotPosted). The batch data is the parts concatenated, then the
// final posting's data; BatchPosted's dataHash is PostedDataHash:
// keccak256(data) without parts (as before), else
// keccak256(partHash_1 ‖ … ‖ partHash_k ‖ keccak256(final data)). The split
// is a pure function of the Posting, so a restarted poster rebuilds the
// same transactions. Data above MaxPostingData (2 MiB: 17 parts, about 85
// million gas at EIP-7623's 40 gas per byte of incompressible calldata,
// a few blocks of a 60-million-gas L1) is ErrTooLarge. A part costs its
// calldata floor (about 4.9 million gas for 120 KiB, 40 per byte) and the
// final posting a few thousand gas per part it names (a cold storage
// read and 32 bytes of calldata) on top of the usual 263,000. With the cap gone, the sequencer cuts batches for posting at
// PostableBatchTxs (1000) transactions and PostableBatchBytes (1 MiB).
//
// # Posting
//
// A Poster posts batches in number order from one L1 account. Enqueue
// saves a posting in the poster's bbolt file and returns; Run is the
// driver that posts; Post enqueues and waits for the confirmation. The
// sequencer enqueues each executed batch, and after a restart enqueues
// from Next(). The driver contract, every PollInterval and at once after
// an Enqueue:
//
//  1. Read L1 at one head block: BatchInbox.nextNumber there and
//     Confirmations blocks below, whether the sequencer is frozen, the
//     account's nonce there and its pending nonce.
//  2. Plan (makePlan, a pure function of the queue and that reading):
//     postings below the confirmed nextNumber are confirmed; those below
//     the head's are mined; the rest are open, and the first MaxInFlight
//     of them are sent with consecutive nonces, several batches per L1
//     block; a posting in parts takes one nonce per part and one for its
//     final submitBatch, the parts first. An attempt not mined within
//     ResubmitAfter is replaced with tip and fee cap raised by 12.5% (its
//     transactions whose nonces are not used yet). When the nonce of a
//     final submitBatch was used without posting its batch (the
//     transaction reverted, say because someone else posted that number
//     first, or another transaction of the account took the nonce), or a
//     nonce below the first open posting does not move, the open postings
//     are renumbered from the account's nonce (their parts are sent again:
//     harmless, BatchInbox takes a part twice).
//  3. Confirm: check that the commitment hash BatchInbox stored for each
//     confirmed number is the queued one (ErrConflict otherwise), find the
//     transactions that posted it for the Result (gas used, parts
//     included), drop it from the queue and record the highest number
//     posted, in one bbolt transaction.
//  4. Send: gas is estimated for the first open posting's submitBatch
//     (plus 20%; a refusal comes back as a *RevertError and nothing is
//     sent), without its parts' hashes, as the parts are not on chain
//     yet, plus 5,000 per part it names; the postings pipelined behind
//     it, which would revert in an estimate until it is mined, get its gas
//     plus 48 per extra calldata byte (and 5,000 per part). A part's gas is
//     its calldata floor plus 50,000: for a part of PartSize the floor
//     exceeds the standard calldata cost by more than 700,000 gas, far
//     more than the call uses. The fee cap is twice the head's base fee
//     plus the suggested tip, and a transaction is always priced at least
//     12.5% above the last one sent with its nonce, so it replaces it. Each
//     attempt (first nonce, fees, gas, hashes) is saved before it is sent.
//
// Why a batch is never posted twice: BatchInbox takes each number once
// (strictly consecutive), so a second posting could only revert and waste
// gas; the poster avoids even that by keeping the nonces of each posting
// (its parts' and its final one's) across restarts. After a restart it
// loads the queue and the attempts, sends the saved transactions again
// (same nonces, same fees), and reconciles with nextNumber: whatever L1
// has is confirmed, not sent again.
//
// Run stops on errors it cannot get past by itself: ErrConflict (another
// commitment posted for a number: equivocation), ErrFrozen (the sequencer
// is frozen on L1), ErrTooLarge (data above MaxPostingData; blobs are not
// used yet), ErrDeepReorg
// (batches seen confirmed are gone) and ErrWrongChain (the database belongs
// to another chain, genesis, inbox or account). Any other failure is
// logged, counted and tried again next round.
//
// The poster database: bucket meta holds the binding to (L1 chain id,
// genesis hash, BatchInbox, account) and the highest number posted;
// postings holds the queue by number; attempts the transactions in flight
// of each; nonces the last fees sent with each nonce not yet mined.
//
// Metrics (veil_poster_*): the highest batch posted, postings queued,
// transactions sent, fee bumps, renumberings, failed rounds, gas used.
package l1
