// Package encmempool holds Veil's envelope format: how an encrypted
// transaction travels as a standard signed L2 transaction. Admission and the
// durable pool join it here later; the encryption scheme is in tpke.
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
package encmempool
