// Package batch holds the batch commitment and batch formats that the
// sequencer signs and gossips, keypers check before releasing key shares,
// execution builds blocks from and L1 carries. It imports none of those
// packages, so each of them can import it (DESIGN.md section 10).
//
// # Format
//
// A Commitment fixes every input of one L2 block before any key exists
// (DESIGN.md section 4): chain id, eon, batch number, the parent
// commitment's hash, the first sequence number, the L2 timestamp, the L1
// origin (number and hash of a confirmed L1 block), the L1 deposits it
// credits, base fee, gas limit, fee recipient, and the ordered transactions
// by hash, with the positions of envelopes forced from L1. It is RLP-encoded
// with a version byte first; its hash is keccak256 of that encoding. The
// sequencer signs keccak256("veil/batch/v1" ‖ hash) with its secp256k1 key.
// A Batch is the signed commitment with the full transactions, which must
// hash to the committed list in order.
//
// Decoding is strict: exact RLP, a known version, transactions that decode
// and match their committed hashes, sizes within Limits. Each failure is a
// named error.
package batch
