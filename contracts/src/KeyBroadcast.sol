// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {KeyperSetManager} from "./KeyperSetManager.sol";

/// @title KeyBroadcast
/// @notice Where a keyper set publishes the eon key its DKG produced. Each
/// member of the set votes a key for (set index, eon); the key is accepted
/// for the eon once `threshold` members have voted the identical key. An eon
/// gets at most one key, ever. A set votes until the next set's activation
/// block: a replaced committee cannot introduce a new eon.
/// @dev Keys are G2 points in the uncompressed EIP-2537 encoding (256 bytes:
/// x.c0 ‖ x.c1 ‖ y.c0 ‖ y.c1, each coordinate a 64-byte big-endian integer
/// below p with 16 zero bytes in front), the form BatchInbox feeds to the
/// pairing precompile. That encoding is unique per point, so identical keys
/// are identical bytes. Every vote is checked with the G2MSM precompile
/// (multiplication by 1), which rejects a malformed encoding, a point off the
/// curve or outside the prime-order subgroup; the point at infinity (all
/// zeros) is refused too. Go converts to and from tpke's compressed 96-byte
/// form with contracts.EonKeyToL1 and contracts.EonKeyFromL1.
contract KeyBroadcast {
    /// @notice Size of an encoded key.
    uint256 public constant KEY_SIZE = 256;

    /// @dev EIP-2537 BLS12_G2MSM precompile.
    address private constant G2MSM = address(0x0e);

    struct EonKey {
        bytes key;
        uint64 keyperSetIndex;
        uint64 activationBlock;
    }

    /// @notice The registry whose keyper sets vote here.
    KeyperSetManager public immutable keyperSetManager;

    mapping(uint64 => EonKey) private keys;

    /// @dev voted[set][eon][member]
    mapping(uint64 => mapping(uint64 => mapping(address => bool))) private voted;

    /// @dev voteCount[set][eon][keccak256(key)]
    mapping(uint64 => mapping(uint64 => mapping(bytes32 => uint64))) private voteCount;

    /// @notice A member voted a key.
    /// @param keyperSetIndex The voter's keyper set.
    /// @param eon The eon the key is for.
    /// @param voter The member.
    /// @param keyHash keccak256 of the 256-byte key.
    /// @param votes The number of votes this key has for (set, eon), this one included.
    event EonKeyVoted(
        uint64 indexed keyperSetIndex, uint64 indexed eon, address indexed voter, bytes32 keyHash, uint64 votes
    );

    /// @notice A key reached its set's threshold and is now the eon's key.
    /// @param eon The eon.
    /// @param keyperSetIndex The set that voted it.
    /// @param key The key, 256 bytes (EIP-2537 G2).
    event EonKeyAccepted(uint64 indexed eon, uint64 indexed keyperSetIndex, bytes key);

    /// @notice There is no keyper set with this index.
    error NoSuchKeyperSet(uint64 index);
    /// @notice The next keyper set is active: this one votes no more.
    error KeyperSetSuperseded(uint64 index);
    /// @notice The caller is not a member of the keyper set.
    error NotAMember();
    /// @notice The caller already voted for this (set, eon).
    error AlreadyVoted();
    /// @notice The eon already has a key.
    error EonKeyAlreadyAccepted(uint64 eon);
    /// @notice The key is not 256 bytes long.
    error BadKeyLength();
    /// @notice The key is not a valid G2 point of the prime-order subgroup, or is the point at infinity.
    error InvalidKey();

    constructor(KeyperSetManager manager) {
        keyperSetManager = manager;
    }

    /// @notice Votes `key` as the key of `eon` for keyper set `keyperSetIndex`.
    /// The caller must be a member of that set and may vote once per (set,
    /// eon); the set may vote until the next set's activation block. When
    /// the key reaches the set's threshold it is accepted and EonKeyAccepted
    /// is emitted; votes after that revert.
    function voteEonKey(uint64 keyperSetIndex, uint64 eon, bytes calldata key) external {
        uint64 sets = keyperSetManager.keyperSetCount();
        if (keyperSetIndex >= sets) revert NoSuchKeyperSet(keyperSetIndex);
        if (keyperSetIndex + 1 < sets) {
            (, uint64 nextActivation) = keyperSetManager.keyperSetParams(keyperSetIndex + 1);
            if (nextActivation <= block.number) revert KeyperSetSuperseded(keyperSetIndex);
        }
        (bool member,) = keyperSetManager.keyperIndex(keyperSetIndex, msg.sender);
        if (!member) revert NotAMember();
        if (keys[eon].key.length != 0) revert EonKeyAlreadyAccepted(eon);
        if (voted[keyperSetIndex][eon][msg.sender]) revert AlreadyVoted();
        if (key.length != KEY_SIZE) revert BadKeyLength();
        _checkKey(key);

        voted[keyperSetIndex][eon][msg.sender] = true;
        bytes32 keyHash = keccak256(key);
        uint64 count = ++voteCount[keyperSetIndex][eon][keyHash];
        emit EonKeyVoted(keyperSetIndex, eon, msg.sender, keyHash, count);

        (uint64 threshold, uint64 activationBlock) = keyperSetManager.keyperSetParams(keyperSetIndex);
        if (count == threshold) {
            keys[eon] = EonKey({key: key, keyperSetIndex: keyperSetIndex, activationBlock: activationBlock});
            emit EonKeyAccepted(eon, keyperSetIndex, key);
        }
    }

    /// @notice The accepted key of `eon` (256 bytes, EIP-2537 G2), the keyper
    /// set that voted it and that set's activation block. key is empty while
    /// the eon has no key.
    function eonKey(uint64 eon) external view returns (bytes memory key, uint64 keyperSetIndex, uint64 activationBlock) {
        EonKey storage k = keys[eon];
        return (k.key, k.keyperSetIndex, k.activationBlock);
    }

    /// @notice Whether `voter` has voted for (keyperSetIndex, eon).
    function hasVoted(uint64 keyperSetIndex, uint64 eon, address voter) external view returns (bool) {
        return voted[keyperSetIndex][eon][voter];
    }

    /// @notice The number of votes for the key with hash keyHash for (keyperSetIndex, eon).
    function votes(uint64 keyperSetIndex, uint64 eon, bytes32 keyHash) external view returns (uint64) {
        return voteCount[keyperSetIndex][eon][keyHash];
    }

    function _checkKey(bytes calldata key) private view {
        bool zero = true;
        for (uint256 i = 0; i < KEY_SIZE; i += 32) {
            if (bytes32(key[i:i + 32]) != 0) {
                zero = false;
                break;
            }
        }
        if (zero) revert InvalidKey();
        (bool ok, bytes memory out) = G2MSM.staticcall(abi.encodePacked(key, uint256(1)));
        if (!ok || out.length != KEY_SIZE) revert InvalidKey();
    }
}
