// Package contracts holds Veil's Solidity contracts, their compiled
// artifacts and Go bindings: two L2 predeploys, placed in the L2 genesis
// with their runtime bytecode and their state written directly (no
// constructor runs), with the genesis allocation that installs them; and
// four L1 contracts, deployed by DeployL1, with the helpers that convert
// BLS12-381 points between Veil's compressed encoding and EIP-2537's; and
// two ordinary L2 contracts for demos (see below).
//
// # The predeploys
//
// EncryptedInbox, at EncryptedInboxAddress, receives envelopes: standard
// signed L2 transactions from a payer to the inbox whose calldata is
// submit(uint64 eon, bytes32 prefix, uint64 declaredGas, bytes ciphertext)
// and whose value is a reservation deposit of at least declaredGas times the
// block's base fee. The inbox adds the deposit to held, derives the identity
// the ciphertext is encrypted to,
//
//	keccak256("veil/id/tx/v1" ‖ u64(chain id) ‖ u64(eon) ‖ payer ‖ prefix)
//
// (13 + 8 + 8 + 20 + 32 bytes, integers big-endian) and emits Envelope. The
// ciphertext stays in calldata. The sequencer's settle(payers, refunds, last)
// pays each refund with a call forwarding RefundGasStipend gas (a failed
// refund is burned); the call with last set also sends the rest of held to
// address(0) and leaves held at zero. A block's settlement that does not fit
// in one transaction is split into several calls, only the final one last.
//
// Bridge, at BridgeAddress, holds the L2 supply, locked there in genesis.
// The sequencer's credit(l1Block, to, amounts) pays L1 deposits out of it,
// each with a call forwarding CreditGasStipend gas; a failed credit stays in
// the bridge and emits CreditFailed. l1Block may not go backwards.
//
// # Storage layout
//
// Both contracts keep the sequencer, the only account allowed to settle or
// credit, in slot SlotSequencer (0) as a right-aligned address. The inbox
// keeps held (uint256) in slot SlotHeld (1); the bridge keeps lastL1Block
// (a uint64, right-aligned in a slot of its own) in slot SlotLastL1Block (1).
// GenesisAlloc writes the sequencer slots and the bridge's balance; the
// layout is checked against the compiler's storage layout by the tests.
//
// # The L1 contracts
//
// KeyperSetManager is an owner-controlled, append-only list of keyper sets
// {members (a member's position is its keyper index), threshold, activation
// block}; activation blocks strictly increase and are at least the block of
// the addition; keyperSetIndexAt(b) is the last set activated at or before
// b.
//
// KeyBroadcast takes eon-key votes: voteEonKey(set, eon, key) by a member of
// the set, once per (set, eon), while the set is not superseded (the next
// set's activation block has not come). A key is accepted for the eon when
// threshold members voted the identical key; an eon gets one key, ever, and
// eonKey(eon) returns it with its set and that set's activation block.
//
// BatchInbox takes batch N of its chain (fixed at deployment) in
// submitBatch({number, eon, commitmentHash, l2BlockHash, stateRoot},
// sequencer signature, attestation, parts, data) only when: the sequencer is not
// frozen, N is nextNumber (from 1, strictly consecutive: the first valid
// posting of a number wins), the eon is not below the last posted eon and
// has an accepted key whose set is active, the sequencer signed
// keccak256("veil/batch/v1" ‖ commitmentHash) (batch.Commitment's
// SigningHash), and the attestation is the committee's key of the batch
// identity tpke.BatchIdentity(chain, eon, N, commitmentHash): it checks
// e(attestation, g2) = e(Q(id), PK) with the EIP-2537 pairing precompile,
// Q being RFC 9380 hash_to_curve onto G1 with tpke's tag
// "VEIL-V1-ID-BLS12381G1_XMD:SHA-256_SSWU_RO_", computed on chain:
// expand_message_xmd with the SHA-256 precompile, each 64-byte half reduced
// mod p by MODEXP, MAP_FP_TO_G1 (which clears the cofactor) and G1ADD. It
// stores the three hashes per number and emits BatchPosted with the data's
// hash; the data stays in calldata. l2BlockHash and stateRoot are the
// poster's claim, not covered by either signature: the verifier checks
// them. Anyone may post.
//
// Batch data too large for one L1 transaction (nodes relay at most 128
// KiB) goes in parts: submitBatchData(number, part), callable by anyone
// while the sequencer is not frozen and nextNumber <= number < nextNumber +
// PARTS_AHEAD (256: a bound on what may be recorded ahead, far above the
// poster's in-flight window), records keccak256(part) as available for the
// number (again without reverting: a re-sent part is harmless) and emits
// BatchDataPart(number, partHash, poster) each time. submitBatch(header,
// signature, attestation, parts, data) then names the parts' hashes in
// order, each of which must be recorded for its number (PartNotPosted
// otherwise); the batch data is the parts in order, then data. BatchPosted's
// dataHash is keccak256(data) when no part is named, else
// keccak256(abi.encodePacked(parts, keccak256(data))): keccak256 of the
// part hashes and the final data's hash, 32 bytes each. A reader gets each
// part from the calldata of a transaction that emitted its BatchDataPart.
//
// Evidence freezes the sequencer for good (submitBatch then reverts). The
// commitments it uses are RLP encodings (rlp.EncodeToBytes of a
// batch.Commitment, parsed on chain):
//   - proveEquivocation: the sequencer's signatures on two different
//     commitments of this chain with the same number;
//   - proveReceiptMismatch: an order receipt (encmempool.Receipt, signed over
//     keccak256("veil/receipt/v1" ‖ u64(chain) ‖ u64(seq) ‖ hash ‖ u64(time)))
//     and posted batch N's commitment (its keccak256 must be the stored hash)
//     whose range holds the receipt's seq with another transaction there. The
//     transactions of a commitment not listed in Forced hold FirstSeq,
//     FirstSeq+1, ... in order; forced envelopes hold no sequence number;
//   - proveReceiptSkipped: a receipt whose seq lies after the range of posted
//     batch N and before FirstSeq of posted batch N+1.
//
// Signatures are 65 bytes [r ‖ s ‖ v], v in {0, 1} (as Go signs) or {27, 28}.
//
// L1Inbox takes deposits, deposit(to) with ETH (event Deposit with an index),
// and forced envelopes, forceEnvelope(signed L2 transaction) (event
// ForcedEnvelope with an index, its L1 block and l1Block + deadline, and the
// envelope whole); the sequencer's obligation is checked off chain.
//
// # Points on L1
//
// EIP-2537 takes uncompressed points: a field element is 64 bytes (16 zero
// bytes, then 48 big-endian), G1 is x ‖ y (128 bytes), G2 is x.c0 ‖ x.c1 ‖
// y.c0 ‖ y.c1 (256 bytes). Eon keys are voted, stored and read in the G2 form
// (unique per point, so identical keys are identical bytes; every vote is
// checked on chain to be a G2 point of the subgroup), attestations are
// posted in the G1 form. EonKeyToL1/EonKeyFromL1 and
// AttestationToL1/AttestationFromL1 convert from and to the compressed bytes
// of tpke; EncodeG1/G2 and DecodeG1/G2 work on gnark-crypto points.
//
// # Demo contracts
//
// DemoToken is a minimal ERC-20 (18 decimals) that its deployer mints at
// will; ConstantProductPool is a Uniswap v2 style constant-product market
// for two tokens, pair and router in one contract: reserves x·y = k, a
// 0.3% fee to the liquidity providers, getAmountOut/getAmountsOut quotes,
// swapExactTokensForTokens with amountOutMin (reverting
// InsufficientOutputAmount) and a deadline (Expired), addLiquidity and
// removeLiquidity. They are not part of the protocol: `veil demo sandwich`
// (package demo/sandwich) deploys them on an L2 with their bindings'
// creation code, and tests them there.
//
// # Regenerating
//
// The sources are src/*.sol, compiled with solc-js 0.8.37 (pinned in
// package.json and package-lock.json) for the Osaka EVM with the optimizer
// on (200 runs). From the repository root:
//
//	go generate ./contracts/
//
// runs build.sh: npm ci when solc is missing, compile.js (solc standard-JSON)
// into artifacts/<Name>.abi, .bin (creation code), .bin-runtime (the code
// placed in genesis) and .storage.json, then abigen --v2 of the go-ethereum
// version in go.mod into <name>.gen.go (with --bin for the L1 and demo
// contracts, so that their bindings carry the creation code). The output is reproducible
// byte for byte; TestArtifactsUpToDate recompiles and fails when a
// committed file is stale (it is skipped only when solc-js is not
// installed: run npm ci in contracts/, as CI does).
package contracts
