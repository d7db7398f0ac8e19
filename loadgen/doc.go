// Package loadgen is Veil's load generator: it drives a sequencer over its
// JSON-RPC with many accounts, encrypted (envelopes through the client
// library) or plaintext, at a fixed rate or flat out, and measures every
// transaction from the client's side. `veil bench` is its command.
//
// # What goes in and out
//
// Run takes a Config (the endpoint, funded keys to pay for the accounts,
// the number of accounts, the rate, the duration) and returns a Result:
// counts (sent, ordered, executed, dropped, lost, failed), order-receipt
// and execution-receipt latency percentiles, throughput, this process's
// CPU time and resident memory, and a per-second series. WriteChart draws
// the series as a PNG.
//
// # How it works
//
//  1. Accounts: Config.Accounts workers, each with a sender key and (for
//     envelopes) a payer key of its own, derived from Config.Seed so a
//     rerun reuses them. The funders send each of them Config.FundEach in
//     plaintext transfers; Run waits until those executed.
//  2. Load: a dispatcher issues Rate tokens per second (none with Rate 0:
//     workers send flat out). A worker signs a 1-wei transfer with its own
//     nonce count, records the send time, submits it (client.Send, or
//     eth_sendRawTransaction for plaintext), then fetches the signed order
//     receipt (client.WaitOrdered): send → receipt in hand is the
//     order-receipt latency. A worker sends one transaction at a time, so
//     its sender's nonces arrive in order and its payer's sends are never
//     queued behind each other; throughput comes from many workers.
//  3. Execution: one watcher polls eth_blockNumber and reads each new block
//     (eth_getBlockByNumber, hashes only) once. A block holds each
//     executed inner (or plaintext) transaction, so send → first block
//     seen holding it is the execution-receipt latency, with no poll per
//     transaction. An envelope in a block without its inner transaction is
//     a drop.
//  4. Drain: after Duration the workers stop; Run waits up to Drain for the
//     outstanding transactions, then asks for the receipts of the ones
//     still unresolved in batches: every transaction that was sent ends up
//     executed, dropped or lost.
//  5. A sampler records CPU time (getrusage) and resident memory
//     (/proc/self/status VmRSS) every second, and prints a progress line.
//
// # What the numbers mean
//
// Latencies are wall-clock times in this process, so they include the
// client's encryption and signing and one JSON-RPC round trip; execution
// latency is rounded up to the watcher's poll interval (PollInterval).
// CPU and memory are this process's: when `veil bench` runs its own
// devnet, that is the devnet and the load generator together.
package loadgen
