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
// veil/record.db) is what the node must not forget: each block's input,
// written while the block is built and before go-ethereum sees it, and the
// revealed set (every inner transaction ever decoded, with the block that
// revealed it, its sender and nonce). Open re-executes every recorded block
// above go-ethereum's durable head, exactly as a verifier would, and gets
// the same block hashes (the system transactions are signed with the
// public system key, contracts.SystemKey, RFC 6979 deterministically). Every CheckpointInterval blocks
// the state is flushed to disk, which bounds re-execution, and the record
// is pruned against that state: the revealed set of entries whose nonce is
// below their sender's nonce there (they can never be valid again), and
// the inputs of the blocks at or below the previous checkpoint (no
// re-execution starts below a flushed state; the inputs between the two
// latest checkpoints are a margin). The record thus holds one to two
// checkpoint intervals of inputs, and its file (and the pages of it mapped
// in memory) stops growing; a node whose chain database lost flushed state
// refuses to open (ErrStore) instead of re-executing without inputs. The
// blocks themselves stay in go-ethereum's database and on L1.
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
//     so the prefetcher would only compete for the cores. CacheMB is split
//     as go-ethereum's own command splits its --cache: half to the
//     database (pebble's block cache, plus memtables of an eighth of that
//     each: one or two while flushes keep up, at most eight before pebble
//     stalls writes), 15% to clean trie nodes and 10% to the snapshot
//     (fastcache), 25% to dirty trie nodes (flushed at every checkpoint).
//     The block cache, memtables and fastcache are allocated outside the
//     Go heap (C malloc under cgo, mmap): they fill as the chain is read
//     and then stay at their caps, so a node's anonymous resident memory
//     levels off at about CacheMB above the Go runtime's share (up to
//     twice the live heap under GOGC=100, less under the soft limit of
//     `veil --memory-limit-mb`). go-ethereum's caches of decoded blocks,
//     receipts and transactions live in the Go heap and are bounded by
//     count (256 blocks), not by CacheMB.
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
