// Package tpke is Veil's threshold encryption: threshold Boneh-Franklin
// identity-based encryption on BLS12-381 with the Fujisaki-Okamoto transform
// used as a KEM and AES-256-GCM sealing the payload. It implements
// veil-tpke-v1 byte for byte as shared/SPEC-tpke.md defines it.
//
// # What goes in and out
//
//   - Identities: TxIdentity (chain id, eon, payer, 32-byte prefix) and
//     BatchIdentity (chain id, eon, batch number, batch hash) hash
//     fixed-width fields under distinct tags, so no transaction identity can
//     equal a batch identity. Identities are always derived by whoever needs
//     them, never taken from a message.
//   - Encrypt(eon key, identity, plaintext, associated data, randomness)
//     returns a versioned ciphertext of 145 bytes plus the padded plaintext;
//     Decrypt(key, identity, ciphertext, associated data) returns the
//     plaintext or ErrDecrypt. Plaintexts are padded to power-of-two buckets
//     from 256 bytes, so a ciphertext's length reveals only its bucket.
//   - Keyper side: SecretShare.KeyShare computes s_i = x_i·Q(id).
//     Sequencer side: VerifyShare (one share), VerifyShares (one keyper's
//     shares for many identities at once, by a random linear combination),
//     Aggregator (Lagrange interpolation at 0 for one signer set) and
//     VerifyKey. The key of a batch identity is the committee's BLS signature
//     on the batch; VerifyBatchSignature checks it.
//
// # Decisions
//
//   - Arithmetic runs on gnark-crypto's BLS12-381 types, the same backend
//     that kyber v4's pairing/bls12381/gnark suite wraps. kyber's point types
//     hide the gnark values and offer no multi-scalar multiplication, no
//     multi-pairing, no fixed-base tables and no decoding without a subgroup
//     check, so going through them would mean an encode/decode round trip
//     (with a subgroup check, ~0.1 ms) per point on every hot path. The DKG
//     (keyper/dkg) runs on kyber and hands its results over once per eon via
//     the byte encodings, which both libraries share.
//   - Decoders are strict: a wrong length, an unknown version, a point off
//     the curve, outside the prime-order subgroup or at infinity, or a scalar
//     not below the group order is each a named error, never a panic.
//   - Decrypt returns the single error ErrDecrypt for every cryptographic
//     rejection (SPEC-tpke.md section 4); malformed encodings are rejected
//     earlier by ParseCiphertext with the more specific errors.
//   - gnark's scalar multiplication is variable-time. That is fine for public
//     values (everything on the sequencer and verifier side). A keyper's
//     secret share is multiplied in KeyShare and in DKG deal evaluation; a
//     keyper's timing is only observable over the network and the committee
//     threshold bounds what one leaked share gives. This is noted here so a
//     future constant-time backend has one place to change.
//   - Identity points cost a hash to curve (~0.11 ms); PointCache keeps
//     recently used ones so that keypers and the sequencer hash each identity
//     once.
//   - Randomness is injected as an io.Reader only so that test vectors can be
//     reproduced; production callers pass crypto/rand.Reader.
package tpke
