// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title EncryptedInbox
/// @notice Veil's encrypted-mempool inbox, a predeploy placed in the L2 genesis.
/// Users send envelopes: standard signed L2 transactions from a payer account
/// to this contract whose calldata is `submit(eon, prefix, declaredGas,
/// ciphertext)` and whose value is a reservation deposit. The ciphertext stays
/// in calldata; it is neither stored nor emitted. The sequencer later settles
/// the held deposits: it refunds what each payer's decrypted transaction did
/// not use and burns the rest.
/// @dev Storage layout (fixed: set in genesis, read by the node):
///   slot 0: `address sequencer` (the only account allowed to settle)
///   slot 1: `uint256 held`      (deposits received and not yet settled)
/// There is no constructor and there are no immutables: the code is placed in
/// genesis as runtime bytecode and its state is written there directly.
contract EncryptedInbox {
    /// @notice The account allowed to call `settle` (storage slot 0).
    address public sequencer;

    /// @notice Deposits received by `submit` and not yet settled (storage slot 1).
    uint256 public held;

    /// @notice Gas forwarded with each refund. A payer that is a contract gets
    /// this much (plus the EVM's own stipend for a call carrying value) to run
    /// its receive logic; a refund that fails is burned instead.
    uint256 public constant REFUND_GAS_STIPEND = 2300;

    /// @notice An envelope was submitted.
    /// @param eon The key-generation eon the ciphertext is encrypted to.
    /// @param identity The identity the ciphertext is encrypted to:
    /// keccak256("veil/id/tx/v1" ‖ u64(chain id) ‖ u64(eon) ‖ payer ‖ prefix).
    /// @param payer The envelope's sender, who paid the deposit.
    /// @param declaredGas The gas limit declared for the encrypted transaction.
    /// @param deposit The reservation deposit (the envelope's value).
    event Envelope(
        uint64 indexed eon, bytes32 indexed identity, address indexed payer, uint64 declaredGas, uint256 deposit
    );

    /// @notice Held deposits were settled.
    /// @param refunded The total paid back to payers.
    /// @param burned The total sent to address(0): unrefunded deposits and failed refunds.
    event Settled(uint256 refunded, uint256 burned);

    /// @notice `submit` was called with a declared gas of zero.
    error ZeroDeclaredGas();
    /// @notice The deposit is below declaredGas * block.basefee.
    error DepositTooSmall();
    /// @notice `settle` was called by an account other than the sequencer.
    error NotSequencer();
    /// @notice `settle` got payer and refund lists of different lengths.
    error LengthMismatch();
    /// @notice The refunds add up to more than the held deposits.
    error RefundTooLarge();
    /// @notice Sending the burned amount to address(0) failed.
    error BurnFailed();

    /// @notice Submits an encrypted transaction. The ciphertext is only carried
    /// in calldata; the contract records the deposit and emits `Envelope`.
    /// @param eon The eon whose key the ciphertext is encrypted to.
    /// @param prefix The payer-chosen identity prefix (makes the identity fresh).
    /// @param declaredGas The gas limit of the encrypted transaction; must be non-zero.
    /// @param ciphertext The encrypted transaction (unused on chain).
    /// @dev Requires msg.value >= declaredGas * block.basefee.
    function submit(uint64 eon, bytes32 prefix, uint64 declaredGas, bytes calldata ciphertext) external payable {
        ciphertext; // carried in calldata only
        if (declaredGas == 0) revert ZeroDeclaredGas();
        if (msg.value < uint256(declaredGas) * block.basefee) revert DepositTooSmall();
        held += msg.value;
        bytes32 identity = keccak256(abi.encodePacked("veil/id/tx/v1", uint64(block.chainid), eon, msg.sender, prefix));
        emit Envelope(eon, identity, msg.sender, declaredGas, msg.value);
    }

    /// @notice Settles held deposits: pays `refunds[i]` to `payers[i]`; when
    /// `last` is true, also burns everything still held (sends it to
    /// address(0)). A block whose refunds do not fit in one transaction is
    /// settled by several calls, all but the final one with `last` false.
    /// Only the sequencer may call.
    /// @param payers The accounts to refund.
    /// @param refunds The amount to refund to each payer, in the same order.
    /// @param last Whether this call ends the block's settlement and burns
    /// the remainder.
    /// @dev Each refund is a call forwarding REFUND_GAS_STIPEND gas; a refund
    /// that fails is burned at once and does not revert the settlement.
    /// Reverts NotSequencer, LengthMismatch or RefundTooLarge (the refunds add
    /// up to more than `held`). Leaves `held` at zero when `last`, otherwise
    /// at what the refunds did not take.
    function settle(address[] calldata payers, uint256[] calldata refunds, bool last) external {
        if (msg.sender != sequencer) revert NotSequencer();
        if (payers.length != refunds.length) revert LengthMismatch();
        uint256 remaining = held;
        held = 0;
        uint256 refunded = 0;
        uint256 burned = 0;
        for (uint256 i = 0; i < payers.length; ++i) {
            uint256 amount = refunds[i];
            if (amount > remaining) revert RefundTooLarge();
            remaining -= amount;
            if (_send(payers[i], amount, REFUND_GAS_STIPEND)) {
                refunded += amount;
            } else {
                burned += amount;
            }
        }
        if (last) {
            burned += remaining;
        } else {
            held = remaining;
        }
        if (burned != 0 && !_send(address(0), burned, gasleft())) revert BurnFailed();
        emit Settled(refunded, burned);
    }

    /// @dev Sends `amount` to `to` forwarding `gasLimit` gas, without copying
    /// return data (a recipient cannot make the caller pay for memory).
    function _send(address to, uint256 amount, uint256 gasLimit) private returns (bool ok) {
        assembly ("memory-safe") {
            ok := call(gasLimit, to, amount, 0, 0, 0, 0)
        }
    }
}
