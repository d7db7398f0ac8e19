// Package proxy is the encrypting JSON-RPC proxy a user runs next to a
// wallet (`veil proxy`, DESIGN.md section 9): the wallet is pointed at the
// proxy instead of the sequencer, signs transactions as it always does,
// and the proxy turns each one into an envelope paid by its fee account,
// so any wallet or script is protected without changes.
//
// # What goes in and out
//
// JSON-RPC over HTTP POST, single calls and batches. Every call goes to
// the upstream (the sequencer's JSON-RPC) byte for byte, and its answer
// comes back unchanged, except:
//
//   - eth_sendRawTransaction(raw): the signed transaction is decoded,
//     checked against the sender's state, encrypted on this machine to the
//     current eon key with the client library (encmempool/client) and
//     submitted as an envelope paid by the payer. The answer is the inner
//     transaction's hash, the one the wallet computed and polls
//     eth_getTransactionReceipt for. A refusal is a JSON-RPC error whose
//     message starts with the named cause (ErrNonceTooLow, ErrRefused,
//     ...); messages keep go-ethereum's words ("nonce too low",
//     "insufficient funds for gas * price + value") so wallets classify
//     them as they would a node's. An envelope (a transaction to the
//     encrypted inbox, built by `veil send` or the client library) is
//     forwarded as it is.
//   - eth_sendRawTransactionSync(raw, timeoutMs?): the same, then waits
//     for the inner transaction's receipt and returns it, as go-ethereum
//     does (20 s by default, at most 1 min; code 4 with the hash as data
//     when the wait ends first). Forwarding it would put the plaintext
//     into the upstream node's own pool.
//   - eth_getTransactionCount(addr, "pending"): the sequencer cannot count
//     a user's encrypted transactions, so the proxy answers max(upstream's
//     pending nonce, one past the highest nonce it sent for addr that is
//     still in flight).
//   - eth_getTransactionByHash(h) of a transaction in flight: the
//     upstream's answer once it has one, until then the transaction as a
//     node shows a pending one (no block).
//   - Methods that would hand the upstream a transaction in plaintext are
//     refused, not forwarded: eth_sendTransaction, eth_signTransaction,
//     other sendRaw variants, bundles, private transactions
//     (ErrMethodBlocked).
//
// # Decisions
//
//   - In flight: a transaction sent here stays in flight until its inner
//     transaction has a receipt, or its nonce is below the account's
//     nonce, or its envelope executed without it (dropped; then every
//     higher nonce of that sender in flight is doomed too, since the proxy
//     sends a sender's nonces in order), or PendingExpiry passed (a safety
//     net). The fate is read from the upstream when it matters: at each
//     send of that sender and each pending-nonce call. The set lives in
//     memory: after a restart the proxy counts from the chain again.
//   - Checks before sending, so that the payer's deposit is not burned
//     for a transaction that would be dropped: nonce below the account's
//     (ErrNonceTooLow), the same nonce in flight with another transaction
//     (ErrInFlight: encrypted transactions cannot be replaced; the same
//     transaction again is ErrKnown, as go-ethereum's "already known"), a
//     nonce gap (ErrNonceTooHigh,
//     after waiting GapWait for the missing nonce to come through the
//     proxy, as calls of one batch run concurrently), the balance against
//     gas × fee cap + value of this and the in-flight transactions
//     (ErrInsufficientFunds), the fee cap against the latest base fee
//     (ErrFeeTooLow). The rules every inner transaction must meet are
//     encmempool.CheckInner's (ErrNotEncryptable).
//   - Order: sends and pending-nonce answers are serialized, so a wallet
//     that sends and then asks for the next nonce always counts the one it
//     sent. A sender's transactions reach the sequencer in nonce order.
//   - Eon key: with Config.EonKeySource (`veil proxy --l1-rpc --contracts`)
//     the key veil_eon announces is checked against L1's KeyBroadcast by
//     the client library at first use and again whenever the eon changes
//     (a send refused for another eon fetches veil_eon again); a key L1
//     does not confirm is ErrEonKey, and nothing is encrypted to it. `veil
//     proxy` refuses to start on ErrEonKey; an upstream not answering yet
//     is only a warning.
//   - Upstream: HTTP(S) only; the proxy serves no WebSocket (wallets send
//     over HTTP; a dapp that wants subscriptions can read them from the
//     sequencer directly, but must then send through the proxy).
//   - Safety of a local service that spends the payer's funds: the proxy
//     accepts only JSON content types, only Host headers in VirtualHosts
//     (localhost by default, against DNS rebinding) and no browser origin
//     unless CORSOrigins names it.
//   - Limits: MaxBody per request (5 MiB), MaxBatch calls per batch
//     (1000), UpstreamTimeout per upstream call (30 s). Serve shuts down
//     cleanly: running calls get ShutdownTimeout to finish.
//   - Logs (slog, injected): envelope hashes and refusal causes only,
//     never a transaction's content, sender or hash. Metrics (Prometheus,
//     injected registry): calls by route, envelopes, refusals by cause,
//     transactions in flight and how they ended, upstream errors.
//
// # What the proxy does not hide
//
// The signed transaction never leaves the machine except inside an
// envelope. But the proxy forwards reads, and a wallet's reads can tell
// its intent: eth_estimateGas and eth_call carry the call it is about to
// send, in plaintext, before the envelope exists. A user who does not want
// the sequencer's operator to see them points the reads elsewhere (a
// wallet that estimates gas against another node, or a fixed gas limit).
// Beyond that, DESIGN.md section 11 applies: the payer, the ciphertext's
// size bucket, the declared gas (the inner gas limit) and the time of
// submission are public.
//
// # Driver contract
//
// New(cfg) builds the proxy (no network); Eon checks the upstream; Serve
// runs the HTTP server on a listener until its context ends; Close closes
// the upstream connection. The in-flight set is a plain value (inflight)
// that the handlers change under a lock with the time as an argument.
package proxy
