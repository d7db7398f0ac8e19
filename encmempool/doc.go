// Package encmempool holds Veil's envelope format (how an encrypted
// transaction travels as a standard signed L2 transaction), the
// sequencer's admission rules, its durable first-come-first-served pool and
// the signed order receipts the pool hands out (DESIGN.md sections 3 and
// 4). The encryption scheme is in tpke.
//
// # Envelopes
//
// An envelope is a standard signed transaction (dynamic-fee or legacy with
// EIP-155) from a payer, a fee account that is never the inner
// transaction's sender, to the EncryptedInbox predeploy. Its calldata is
// submit(uint64 eon, bytes32 prefix, uint64 declaredGas, bytes ciphertext)
// and its value is the reservation deposit: declared gas times the
// envelope's fee cap. The identity the ciphertext is encrypted to is derived
// from (chain id, eon, payer, prefix), never taken from the message, and the
// ciphertext's associated data binds chain id, eon, identity and declared
// gas (SPEC-tpke.md section 6).
//
// The inner transaction is any signed transaction a wallet produces except
// EIP-7702 (type 4), with an EIP-155 chain id equal to the L2's, and its gas
// limit is the declared gas.
//
// ParseEnvelope is strict: each way an envelope can be malformed has a
// named error. BuildEnvelope produces an envelope from a signed inner
// transaction, the eon key and the payer's key.
//
// # Decisions
//
//   - Blob (type 3) and set-code (type 4) transactions cannot be envelopes:
//     the inbox needs neither, and both carry data the sequencer would have
//     to order around.
//   - The default ciphertext cap is 128 KiB (Limits); the tpke bucket of a
//     128 KiB plaintext is larger, so a wallet sees ErrCiphertextSize before
//     any envelope is signed.
//   - The envelope's gas limit defaults to its intrinsic gas (with the
//     Prague calldata floor) plus EnvelopeExecutionGas for the inbox's work.
//
// # Order receipts
//
// A Receipt {chain id, sequence number, transaction hash, time in unix
// milliseconds} is signed by the sequencer key over
// keccak256("veil/receipt/v1" ‖ chainId ‖ seq ‖ hash ‖ time), integers as
// 8-byte big-endian, which is abi.encodePacked of (string, uint64, uint64,
// bytes32, uint64) for an L1 contract's ecrecover. Anyone who knows the
// sequencer's address checks one with Verify; only canonical signatures
// (V in {0, 1}, low S) verify. JSON (hex quantities, as go-ethereum's
// hexutil) is the RPC form; MarshalBinary is the RLP list of the five
// fields, decoded strictly.
//
// # Admission
//
// Admit(tx, view) applies, in this order and each with its own error:
// size (Rules.MaxTxSize, EIP-3860 init code), type, chain id, signature,
// a well-formed envelope (any transaction to the inbox is one, never a
// plaintext), the plaintext switch, gas (the EIP-7825 cap, the block gas
// limit counting envelope gas plus declared gas, intrinsic gas and the
// EIP-7623 calldata floor under Osaka's rules), fees (tip at most the fee
// cap, fee cap at least the base fee), the current eon; then, against the
// view: already pending, identity used before, nonce, and balance. Reason
// maps every error to a metric label.
//
//   - Nonces: a transaction must carry exactly the sender's next nonce,
//     max(state nonce, one past its highest pending nonce). There is no gap
//     window: the order is fixed at admission, so a transaction behind a
//     gap would only fail at its slot. A pending transaction cannot be
//     replaced (no fee bumping): its receipt already fixed its place.
//   - Balance: the head balance must cover gas × fee cap + value (for an
//     envelope the value is the deposit) plus the same for every pending
//     transaction of the sender whose nonce is at least the state nonce.
//     Head balances only: incoming transfers in pending transactions do
//     not count.
//   - Plaintext transactions of type 3 (blob) and type 4 (set-code) are
//     refused, like envelopes of those types. Veil blocks carry no blobs
//     and batches no sidecars. A set-code authorization can be signed for
//     every chain and replayed, and it can turn any account into code
//     mid-batch, which would make the nonce and balance accounting here
//     unsound for every sender.
//   - Unprotected (pre-EIP-155) legacy transactions are refused.
//   - A nil Rules.BaseFee disables the fee cap check; the sequencer passes
//     the next block's base fee (or a margin above it).
//
// # Pool
//
// Pool.Add runs the stateless part of admission concurrently, then, under
// the pool's lock, checks against Head and the pending set, takes the next
// sequence number and signs the receipt, and queues the entry. One writer
// goroutine writes queued entries in sequence order, many per bbolt
// transaction (group commit), fsynced; Add returns the receipt only after
// its entry's transaction committed. What is on disk is therefore always a
// prefix of the sequence: after kill -9 the pool reopens with every
// transaction whose receipt was returned, in the same order, numbering
// continuing after the last one. The order is first come, first served by
// the moment admission finishes; a receipt's time is the caller's arrival
// time, raised where needed so that times never decrease along the
// sequence. A failed write stops admission (ErrStorage) until a restart:
// no sequence number is ever skipped.
//
// An envelope's identity is admitted once in an eon (keypers never key one
// twice): the pool refuses the identity of an envelope it holds, and
// Head.IdentitySeen answers for the rest, the identities of the batches
// recorded (the sequencer's batch log), which hold every done envelope
// and those forced from L1. The pool keeps no identity after Done: an
// eon-long record of them here would repeat the batch log's, and older
// pools' record of them is deleted when the file is opened.
//
// # Driver contract
//
// The sequencer drives the pool:
//
//  1. OpenPool; then Seek past the sequence numbers its durable batch log
//     already holds, and Done those whose blocks are executed.
//  2. Add from the RPC handlers, concurrently, with a Head whose Account
//     reads the current head state.
//  3. To cut a batch: Pending(Cursor(), max) to fit the gas and byte
//     budget (Entry.BlockGas), then Cut(n). Cut moves an in-memory cursor
//     only: the entries stay in the pool and on disk, and still count for
//     nonces and balances.
//  4. Record the batch durably (the batch log), get keys, execute its
//     block, make the head state Head reads include it, then Done(last
//     seq). A crash anywhere before Done loses nothing: on restart the
//     entries are still here and step 1 reconciles them with the log. Done
//     before the head moved would let a sender's nonce be admitted twice.
//
// The cut cursor and Done are the single driver's: they are not meant for
// concurrent callers.
//
// # Throughput
//
// On the 2-core development machine with fsync on (BenchmarkPoolAdd,
// 4,000 transactions): saturated by 64 clients, about 5,600-6,500
// plaintext and 2,100-3,000 envelope receipts a second; with one
// transaction arriving every millisecond, p50 about 1 ms (plaintext) and
// 2.5-4.5 ms (envelope), p99 5-60 ms depending on what else the machine
// runs. The costs are recovering the sender (and for an envelope decoding
// its ciphertext's point), outside the lock, and signing the receipt
// (about 0.1 ms, under the lock); one fsync (0.3-0.5 ms here) serves a
// whole commit group.
package encmempool
