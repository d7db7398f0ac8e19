// Package execution turns committed batches into L2 blocks on go-ethereum
// and serves them over the standard Ethereum JSON-RPC.
//
// # What goes in and out
//
// A BlockInput is one committed batch as the ordering layer hands it over:
// the header inputs (number, timestamp, L1 origin, gas limit, fee
// recipient, batch hash), the L1 deposits, the transactions in committed
// order, and for each envelope the outcome of its decryption (the
// plaintext, no key, or decryption failed). Node.Apply builds the block,
// records it, and writes it as go-ethereum's head. The block is an ordinary
// Ethereum block laid out as DESIGN.md section 6 says:
//
//  1. one system transaction crediting the L1 deposits from the bridge
//     predeploy (split only if it would exceed the per-transaction gas cap);
//  2. every envelope in committed order, paying its gas and deposit;
//  3. the content in sequence order: each plaintext transaction and each
//     envelope's inner transaction, unless dropped;
//  4. the settlement: system transactions to the inbox refunding the
//     deposits of executed inner transactions and burning the rest.
//
// The header links to the batch: extraData and mixHash hold the batch hash,
// the parent beacon root holds the L1 origin's hash.
//
// # Drop rules
//
// An inner transaction is dropped, identically on every node, when its
// envelope got no key, decryption failed, the plaintext is not a
// transaction, it is type 4 or lacks this chain's EIP-155 id, its gas limit
// is not the declared gas, its sender is the payer or the system account,
// it was revealed before (on any path, or earlier in the same block), or it
// is invalid at its slot (nonce, balance, intrinsic gas). A plaintext
// transaction is dropped when it is from the system account, was revealed
// before or is invalid at its slot; an envelope paid by the system account
// is skipped (ErrSystemSender).
//
// # The system account
//
// System transactions come from contracts.SystemAddress, whose key is
// public (contracts.SystemKey) so that anyone can rebuild every block from
// what L1 carries; the predeploys take their system calls from it, and it
// holds SystemFund at genesis for their gas. Nothing from it is taken from
// a batch: the rules above skip it wherever a batch puts it. Each rule has a metric
// label. An inner transaction's fate never depends on whether its envelope
// executed; only its refund does (no deposit paid, nothing refunded).
//
// # Durability
//
// go-ethereum's database in the data directory is a cache: after a kill -9
// it may rewind (it rewound to genesis in tests). The record (bbolt,
// veil/record.db) is what the node must not forget: every block's input,
// written while the block is built and before go-ethereum sees it, and the
// revealed set (every inner transaction ever decoded, with the block that
// revealed it, its sender and nonce). Open re-executes every recorded block
// above go-ethereum's durable head, exactly as a verifier would, and gets
// the same block hashes (the system transactions are signed with the
// public system key, contracts.SystemKey, RFC 6979 deterministically). Every CheckpointInterval blocks
// the state is flushed to disk, which bounds re-execution, and the revealed
// set is pruned of entries whose nonce is below their sender's nonce at
// that state: they can never be valid again, and no re-execution can start
// below a flushed state.
//
// # RPC
//
// An in-process go-ethereum node without P2P (no discovery, no NAT, no
// peers) serves eth_*, net_* and web3_* on HTTP and WebSocket with
// go-ethereum's own implementations and error codes, plus the filter API
// (eth_getLogs, eth_subscribe). eth_sendRawTransaction is replaced: it goes
// to the Submitter (the sequencer's admission) or is refused, so nothing
// reaches go-ethereum's own pool and nothing bypasses the order.
//
// # Decisions
//
//   - Forks through Osaka are active from genesis; later forks are off and
//     cannot be configured (ChainConfig's doc).
//   - go-ethereum's caches are capped (Config.CacheMB, 256 MiB by default)
//     and its prefetcher is off: the builder has just executed each block,
//     so the prefetcher would only compete for the cores.
//   - go-ethereum's transaction pool still runs inside its node and, on
//     every new head, recovers the sender of every transaction of the block
//     in its blob sub-pool: about 0.2 s of one core per 1,000-pair block.
//     It cannot be switched off through go-ethereum's public API.
//
// # Driver contract
//
// One goroutine calls Apply with consecutive inputs; Apply is serialized.
// Build executes without writing (for checks). Close flushes and stops.
package execution
