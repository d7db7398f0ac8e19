// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title L1Inbox
/// @notice Veil's way in from L1. Users deposit ETH to an L2 account
/// (`deposit`; the ETH stays locked here and the L2 Bridge predeploy credits
/// it) and force envelopes into the chain (`forceEnvelope`): the sequencer
/// must commit a forced envelope by L1 block l1Block + `deadline`, l1Block
/// being the block that forced it. The contract only records and numbers;
/// the obligation is checked off chain by the verifier.
contract L1Inbox {
    /// @notice The largest envelope accepted, in bytes.
    uint256 public constant MAX_ENVELOPE_SIZE = 128 * 1024;

    /// @notice How many L1 blocks after a forced envelope's block the sequencer has to commit it.
    uint64 public immutable deadline;

    /// @notice The number of deposits so far (the next deposit's index).
    uint64 public depositCount;
    /// @notice The number of forced envelopes so far (the next one's index).
    uint64 public forcedCount;

    /// @notice ETH deposited for the L2 account `to`.
    /// @param index Numbers deposits from 0.
    event Deposit(address indexed to, uint256 amount, uint64 indexed index, address from);

    /// @notice An envelope was forced.
    /// @param index Numbers forced envelopes from 0.
    /// @param l1Block The L1 block it was forced in.
    /// @param deadlineBlock l1Block + deadline: the last L1 origin of a batch that may still commit it.
    /// @param envelope The envelope: a signed L2 transaction (binary encoding) to the EncryptedInbox.
    event ForcedEnvelope(
        uint64 indexed index, uint64 l1Block, uint64 deadlineBlock, address indexed sender, bytes envelope
    );

    /// @notice The deadline is zero.
    error ZeroDeadline();
    /// @notice A deposit of nothing.
    error ZeroDeposit();
    /// @notice A deposit to address(0).
    error ZeroRecipient();
    /// @notice An empty envelope.
    error EmptyEnvelope();
    /// @notice An envelope above MAX_ENVELOPE_SIZE.
    error EnvelopeTooLarge();

    /// @param deadline_ The forced-inclusion deadline in L1 blocks (non-zero).
    constructor(uint64 deadline_) {
        if (deadline_ == 0) revert ZeroDeadline();
        deadline = deadline_;
    }

    /// @notice Deposits msg.value to the L2 account `to`.
    function deposit(address to) external payable {
        if (msg.value == 0) revert ZeroDeposit();
        if (to == address(0)) revert ZeroRecipient();
        uint64 index = depositCount++;
        emit Deposit(to, msg.value, index, msg.sender);
    }

    /// @notice Forces `envelope` into the chain: the event carries it whole.
    function forceEnvelope(bytes calldata envelope) external {
        if (envelope.length == 0) revert EmptyEnvelope();
        if (envelope.length > MAX_ENVELOPE_SIZE) revert EnvelopeTooLarge();
        uint64 index = forcedCount++;
        uint64 l1Block = uint64(block.number);
        emit ForcedEnvelope(index, l1Block, l1Block + deadline, msg.sender, envelope);
    }
}
