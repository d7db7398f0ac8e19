// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Bridge
/// @notice Veil's bridge predeploy. It holds the L2 supply, locked here in the
/// L2 genesis; the sequencer credits L1 deposits from it. It has no receive
/// function: it is funded only in genesis.
/// @dev Storage layout (fixed: set in genesis, read by the node):
///   slot 0: `address sequencer`   (the only account allowed to credit)
///   slot 1: `uint64 lastL1Block`  (the L1 block of the last credited deposits;
///           kept in a full slot of its own, right-aligned like any uint64)
/// There is no constructor and there are no immutables: the code is placed in
/// genesis as runtime bytecode and its state is written there directly.
contract Bridge {
    /// @notice The account allowed to call `credit` (storage slot 0).
    address public sequencer;

    /// @dev Storage slot 1. A uint256 so that it does not pack into slot 0
    /// next to `sequencer`; it only ever holds a uint64.
    uint256 private _lastL1Block;

    /// @notice Gas forwarded with each credit. A recipient that is a contract
    /// gets this much (plus the EVM's own stipend for a call carrying value)
    /// to run its receive logic; a credit that fails stays in the bridge. The
    /// cap keeps the gas of a credit batch bounded: one recipient cannot use
    /// up the batch's gas and make the credits after it fail.
    uint256 public constant CREDIT_GAS_STIPEND = 2300;

    /// @notice An L1 deposit was credited on L2.
    /// @param l1Block The L1 block the deposit was made in.
    /// @param to The L2 recipient.
    /// @param amount The amount moved from the bridge to `to`.
    event Credited(uint64 indexed l1Block, address indexed to, uint256 amount);

    /// @notice A credit could not be paid (the recipient's call failed); the
    /// amount stays in the bridge.
    /// @param to The L2 recipient.
    /// @param amount The amount that was not moved.
    event CreditFailed(address to, uint256 amount);

    /// @notice `credit` was called by an account other than the sequencer.
    error NotSequencer();
    /// @notice `credit` got recipient and amount lists of different lengths.
    error LengthMismatch();
    /// @notice `credit` was called with an L1 block older than `lastL1Block`.
    error L1BlockTooOld();

    /// @notice The L1 block number of the last credited deposits (storage slot 1).
    /// @return The L1 block number.
    function lastL1Block() external view returns (uint64) {
        return uint64(_lastL1Block);
    }

    /// @notice Credits L1 deposits: pays `amounts[i]` from the bridge's
    /// balance to `to[i]`. Only the sequencer may call.
    /// @param l1Block The L1 block the deposits were made in; not older than `lastL1Block`.
    /// @param to The L2 recipients.
    /// @param amounts The amount credited to each recipient, in the same order.
    /// @dev Each credit is a call forwarding CREDIT_GAS_STIPEND gas. A credit
    /// that fails does not revert the others: it emits CreditFailed and its
    /// amount stays in the bridge. Reverts NotSequencer, LengthMismatch or
    /// L1BlockTooOld. Sets `lastL1Block` to `l1Block`.
    function credit(uint64 l1Block, address[] calldata to, uint256[] calldata amounts) external {
        if (msg.sender != sequencer) revert NotSequencer();
        if (to.length != amounts.length) revert LengthMismatch();
        if (l1Block < _lastL1Block) revert L1BlockTooOld();
        _lastL1Block = l1Block;
        for (uint256 i = 0; i < to.length; ++i) {
            address recipient = to[i];
            uint256 amount = amounts[i];
            bool ok;
            assembly ("memory-safe") {
                ok := call(CREDIT_GAS_STIPEND, recipient, amount, 0, 0, 0, 0)
            }
            if (ok) {
                emit Credited(l1Block, recipient, amount);
            } else {
                emit CreditFailed(recipient, amount);
            }
        }
    }
}
