// Package contracts holds Veil's L2 predeploys: two Solidity contracts that
// are placed in the L2 genesis with their runtime bytecode and their state
// written directly (no constructor runs), their compiled artifacts, Go
// bindings and the genesis allocation that installs them.
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
// version in go.mod into <name>.gen.go. The output is reproducible byte for
// byte; TestArtifactsUpToDate recompiles and fails when a committed file is
// stale (it is skipped only when solc-js is not installed: run npm ci in
// contracts/, as CI does).
package contracts
