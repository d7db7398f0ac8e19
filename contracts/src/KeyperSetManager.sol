// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title KeyperSetManager
/// @notice Veil's L1 registry of keyper sets (committees). A keyper set is an
/// ordered list of member addresses (a member's position is its keyper
/// index), a threshold and the L1 block from which the set is active. Sets
/// are only ever appended, by the owner, with strictly increasing activation
/// blocks; the set active at block b is the last one whose activation block
/// is at most b. Nothing is ever modified or removed.
contract KeyperSetManager {
    struct KeyperSet {
        address[] members;
        uint64 threshold;
        uint64 activationBlock;
    }

    /// @notice The account allowed to add keyper sets and to hand over ownership.
    address public owner;

    KeyperSet[] private sets;

    /// @dev memberPosition[set][member] is the member's keyper index plus one (0: not a member).
    mapping(uint256 => mapping(address => uint256)) private memberPosition;

    /// @notice A keyper set was added.
    /// @param index The set's index (0 for the first set).
    /// @param activationBlock The first L1 block at which the set is active.
    /// @param threshold How many members must agree (keys, votes).
    /// @param members The members in keyper-index order.
    event KeyperSetAdded(uint64 indexed index, uint64 activationBlock, uint64 threshold, address[] members);

    /// @notice Ownership moved from previousOwner to newOwner.
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    /// @notice The caller is not the owner.
    error NotOwner();
    /// @notice The new owner is address(0).
    error ZeroOwner();
    /// @notice The member list is empty.
    error NoMembers();
    /// @notice A member is address(0).
    error ZeroMember();
    /// @notice An address appears twice in the member list.
    error DuplicateMember(address member);
    /// @notice The threshold is 0 or larger than the number of members.
    error BadThreshold();
    /// @notice The activation block is before the current block or not after
    /// the previous set's activation block.
    error ActivationTooEarly();
    /// @notice There is no keyper set with this index.
    error NoSuchKeyperSet(uint64 index);
    /// @notice No keyper set is active at the given block.
    error NoActiveKeyperSet(uint64 blockNumber);

    /// @param initialOwner The account allowed to add keyper sets.
    constructor(address initialOwner) {
        if (initialOwner == address(0)) revert ZeroOwner();
        owner = initialOwner;
        emit OwnershipTransferred(address(0), initialOwner);
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner();
        _;
    }

    /// @notice Hands ownership to newOwner. Only the owner may call.
    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert ZeroOwner();
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    /// @notice Appends a keyper set. Only the owner may call.
    /// @param members The members in keyper-index order: non-empty, distinct, no address(0).
    /// @param threshold Between 1 and the number of members.
    /// @param activationBlock At least the current block and after the previous set's activation.
    /// @return index The new set's index.
    function addKeyperSet(address[] calldata members, uint64 threshold, uint64 activationBlock)
        external
        onlyOwner
        returns (uint64 index)
    {
        if (members.length == 0) revert NoMembers();
        if (threshold == 0 || threshold > members.length) revert BadThreshold();
        if (activationBlock < block.number) revert ActivationTooEarly();
        if (sets.length > 0 && activationBlock <= sets[sets.length - 1].activationBlock) revert ActivationTooEarly();
        index = uint64(sets.length);
        KeyperSet storage s = sets.push();
        s.threshold = threshold;
        s.activationBlock = activationBlock;
        mapping(address => uint256) storage pos = memberPosition[index];
        for (uint256 i = 0; i < members.length; i++) {
            address m = members[i];
            if (m == address(0)) revert ZeroMember();
            if (pos[m] != 0) revert DuplicateMember(m);
            pos[m] = i + 1;
            s.members.push(m);
        }
        emit KeyperSetAdded(index, activationBlock, threshold, members);
    }

    /// @notice The number of keyper sets added so far.
    function keyperSetCount() external view returns (uint64) {
        return uint64(sets.length);
    }

    /// @notice Keyper set `index`: its members (in keyper-index order), threshold and activation block.
    function keyperSet(uint64 index)
        external
        view
        returns (address[] memory members, uint64 threshold, uint64 activationBlock)
    {
        KeyperSet storage s = _set(index);
        return (s.members, s.threshold, s.activationBlock);
    }

    /// @notice The threshold and activation block of keyper set `index`.
    function keyperSetParams(uint64 index) external view returns (uint64 threshold, uint64 activationBlock) {
        KeyperSet storage s = _set(index);
        return (s.threshold, s.activationBlock);
    }

    /// @notice Whether `account` is a member of keyper set `index`, and if so its keyper index.
    function keyperIndex(uint64 index, address account) external view returns (bool isMember, uint64 keyper) {
        _set(index);
        uint256 p = memberPosition[index][account];
        if (p == 0) return (false, 0);
        return (true, uint64(p - 1));
    }

    /// @notice The index of the keyper set active at `blockNumber`: the last
    /// set whose activation block is at most blockNumber.
    function keyperSetIndexAt(uint64 blockNumber) external view returns (uint64) {
        uint256 lo = 0;
        uint256 hi = sets.length; // the answer is the last index below hi with activation <= blockNumber
        while (lo < hi) {
            uint256 mid = (lo + hi) / 2;
            if (sets[mid].activationBlock <= blockNumber) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if (lo == 0) revert NoActiveKeyperSet(blockNumber);
        return uint64(lo - 1);
    }

    function _set(uint64 index) private view returns (KeyperSet storage) {
        if (index >= sets.length) revert NoSuchKeyperSet(index);
        return sets[index];
    }
}
