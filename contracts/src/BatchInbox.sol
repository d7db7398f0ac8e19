// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {KeyBroadcast} from "./KeyBroadcast.sol";

/// @title BatchInbox
/// @notice Veil's batches on L1. Batch N of the chain `chainId` is accepted
/// only with a valid committee attestation: the key of the batch identity
///
///     id = keccak256("veil/id/batch/v1" ‖ u64(chainId) ‖ u64(eon) ‖ u64(N) ‖ commitmentHash)
///
/// which is a BLS signature in G1 under the eon key, checked here with the
/// EIP-2537 precompiles: e(attestation, g2) = e(H(id), PK), where H is RFC 9380
/// hash_to_curve onto G1 (suite BLS12381G1_XMD:SHA-256_SSWU_RO_) with the tag
/// "VEIL-V1-ID-BLS12381G1_XMD:SHA-256_SSWU_RO_", as SPEC-tpke.md and the Go
/// code (tpke.Identity.Point) define it. A posting also carries the
/// sequencer's signature on the commitment, so that a frozen sequencer can
/// post nothing more. Numbers start at 1 and are strictly consecutive; the
/// first valid posting of a number wins; anyone may post. Per number the
/// contract stores the commitment hash, the L2 block hash and the state root;
/// the batch data travels in calldata only (its hash is in the event).
///
/// Batch data larger than one L1 transaction goes in parts: each part is
/// posted first with submitBatchData(number, part) (anyone, idempotent, while
/// the number is not posted and below nextNumber + PARTS_AHEAD), which
/// records keccak256(part) as available for the number and emits
/// BatchDataPart; submitBatch then names the parts' hashes in order and
/// carries the rest of the data. The batch data is the parts' data
/// concatenated in order, then the final posting's data; the event's
/// dataHash is keccak256(data) without parts and
/// keccak256(abi.encodePacked(parts, keccak256(data))) with them.
///
/// Anyone may also submit evidence that the sequencer misbehaved; valid
/// evidence freezes it for good (no further postings):
///  - equivocation: the sequencer's signatures on two different commitments
///    of this chain with the same number;
///  - a receipt contradicted by a posted batch: the sequencer's order receipt
///    for (seq, tx hash), and a posted batch whose sequence range holds seq
///    with another transaction at that position;
///  - a receipt skipped: the receipt's seq falls between the end of posted
///    batch N and the first sequence number of posted batch N+1.
/// Commitments are given as their RLP encoding (ordering/batch.Commitment,
/// whose keccak256 is the commitment hash) and parsed here.
/// @dev The sequencer signs keccak256("veil/batch/v1" ‖ commitmentHash) and
/// receipts keccak256("veil/receipt/v1" ‖ u64(chainId) ‖ u64(seq) ‖ txHash ‖
/// u64(time)), 65-byte signatures [r ‖ s ‖ v] with v in {0, 1} (Go) or
/// {27, 28}. Points use the EIP-2537 encoding (G1: 128 bytes, G2: 256 bytes).
contract BatchInbox {
    /// @notice The fields of a posting that the contract checks and stores.
    struct Header {
        uint64 number;
        uint64 eon;
        bytes32 commitmentHash;
        bytes32 l2BlockHash;
        bytes32 stateRoot;
    }

    /// @notice The sequencer's order receipt (encmempool.Receipt; its chain id is this contract's).
    struct Receipt {
        uint64 seq;
        bytes32 txHash;
        uint64 time;
        bytes signature;
    }

    /// @notice The kinds of evidence that freeze the sequencer.
    enum Evidence {
        Equivocation,
        ReceiptMismatch,
        ReceiptSkipped
    }

    struct Posted {
        bytes32 commitmentHash;
        bytes32 l2BlockHash;
        bytes32 stateRoot;
    }

    /// @dev An RLP item: payload offset and length in the calldata buffer.
    struct Item {
        uint256 start;
        uint256 len;
        bool list;
    }

    /// @notice Size of an attestation (EIP-2537 G1 point).
    uint256 public constant ATTESTATION_SIZE = 128;
    /// @notice Parts may be posted for numbers below nextNumber + PARTS_AHEAD.
    uint64 public constant PARTS_AHEAD = 256;

    address private constant MODEXP = address(0x05);
    address private constant G1ADD = address(0x0b);
    address private constant PAIRING = address(0x0f);
    address private constant MAP_FP_TO_G1 = address(0x10);

    /// @dev The hash-to-curve tag of identity points followed by its length (42).
    bytes private constant DST_PRIME = "VEIL-V1-ID-BLS12381G1_XMD:SHA-256_SSWU_RO_\x2a";

    /// @dev The BLS12-381 base field modulus p, 48 bytes big-endian.
    bytes private constant P =
        hex"1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab";

    /// @dev -g2 in the EIP-2537 encoding: the pairing check is
    /// e(attestation, -g2) · e(H(id), PK) = 1.
    bytes private constant NEG_G2 = hex"00000000000000000000000000000000024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8"
        hex"0000000000000000000000000000000013e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e"
        hex"000000000000000000000000000000000d1b3cc2c7027888be51d9ef691d77bcb679afda66c73f17f9ee3837a55024f78c71363275a75d75d86bab79f74782aa"
        hex"0000000000000000000000000000000013fa4d4a0ad8b1ce186ed5061789213d993923066dddaf1040bc3ff59f825c78df74f2d75467e25e0f55f8a00fa030ed";

    /// @dev Number of fields of an RLP-encoded commitment, and the positions of those read here.
    uint256 private constant COMMITMENT_FIELDS = 15;
    uint256 private constant F_CHAIN_ID = 1;
    uint256 private constant F_NUMBER = 3;
    uint256 private constant F_FIRST_SEQ = 5;
    uint256 private constant F_TX_HASHES = 13;
    uint256 private constant F_FORCED = 14;

    /// @notice The L2 chain whose batches this inbox takes.
    uint64 public immutable chainId;
    /// @notice The sequencer's key: it signs commitments and receipts.
    address public immutable sequencer;
    /// @notice Where eon keys are voted.
    KeyBroadcast public immutable keyBroadcast;

    /// @notice The number the next posting must have (1 before the first).
    uint64 public nextNumber;
    /// @notice The eon of the last posted batch; a posting may not use an earlier eon.
    uint64 public lastEon;
    /// @notice Set by valid evidence: the sequencer can post nothing more.
    bool public frozen;

    mapping(uint64 => Posted) private posted;
    /// @dev The data parts posted for each number, by keccak256.
    mapping(uint64 => mapping(bytes32 => bool)) private partPosted;

    /// @notice Batch `number` was posted.
    /// @param dataHash keccak256 of the data submitBatch carried when it names
    /// no parts, else keccak256(abi.encodePacked(parts, keccak256(data))).
    /// @param poster The account that posted it.
    event BatchPosted(
        uint64 indexed number,
        uint64 indexed eon,
        bytes32 commitmentHash,
        bytes32 l2BlockHash,
        bytes32 stateRoot,
        bytes32 dataHash,
        address poster
    );

    /// @notice A part of batch `number`'s data, keccak256 `partHash`, is in
    /// the calldata of this transaction (emitted at each submitBatchData).
    event BatchDataPart(uint64 indexed number, bytes32 partHash, address poster);

    /// @notice Evidence froze the sequencer.
    /// @param number The batch number the evidence is about (for ReceiptSkipped, the batch after the gap).
    /// @param reporter The account that submitted the evidence.
    event SequencerFrozen(address indexed sequencer, Evidence evidence, uint64 number, address reporter);

    /// @notice The sequencer is address(0).
    error ZeroSequencer();
    /// @notice The sequencer is frozen: no more postings.
    error SequencerIsFrozen();
    /// @notice submitBatch names a data part not posted for its number.
    error PartNotPosted(bytes32 partHash);
    /// @notice A part for a number at or above nextNumber + PARTS_AHEAD.
    error PartTooFarAhead(uint64 nextNumber);
    /// @notice This number was already posted (the first posting wins).
    error AlreadyPosted(uint64 number);
    /// @notice The number skips ahead; `expected` is the next number.
    error NotNextNumber(uint64 expected);
    /// @notice The eon is below the last posted batch's eon.
    error EonWentBack(uint64 lastEon);
    /// @notice The eon has no accepted key on KeyBroadcast.
    error UnknownEon(uint64 eon);
    /// @notice The eon's keyper set is not active yet at this block.
    error EonNotActive(uint64 eon, uint64 activationBlock);
    /// @notice A signature is not 65 bytes long.
    error BadSignatureLength();
    /// @notice A commitment signature does not recover to the sequencer.
    error BadSequencerSignature();
    /// @notice The attestation is not 128 bytes long.
    error BadAttestationLength();
    /// @notice The attestation does not verify for this batch under the eon key.
    error InvalidAttestation();
    /// @notice A precompile failed on an input computed here (should not happen).
    error PrecompileFailed();
    /// @notice The sequencer is already frozen.
    error AlreadyFrozen();
    /// @notice Both commitments are the same.
    error SameCommitment();
    /// @notice A commitment is for another chain.
    error WrongChain();
    /// @notice The commitments have different numbers.
    error DifferentNumbers();
    /// @notice A commitment is not the RLP encoding of a commitment.
    error MalformedCommitment();
    /// @notice This number has not been posted.
    error NotPosted(uint64 number);
    /// @notice The commitment does not hash to the posted commitment hash.
    error CommitmentMismatch();
    /// @notice The receipt's signature does not recover to the sequencer (or is for another chain).
    error BadReceiptSignature();
    /// @notice The receipt's seq is outside the batch's sequence range.
    error ReceiptNotInBatch();
    /// @notice The batch holds the receipt's transaction at its seq.
    error ReceiptHonored();
    /// @notice The receipt's seq is not in the gap between the two batches.
    error ReceiptNotSkipped();

    /// @param chainId_ The L2 chain id.
    /// @param sequencer_ The sequencer's key (address).
    /// @param keyBroadcast_ Where eon keys are voted.
    constructor(uint64 chainId_, address sequencer_, KeyBroadcast keyBroadcast_) {
        if (sequencer_ == address(0)) revert ZeroSequencer();
        chainId = chainId_;
        sequencer = sequencer_;
        keyBroadcast = keyBroadcast_;
        nextNumber = 1;
    }

    // ---------------------------------------------------------------- posting

    /// @notice Makes a part of batch `number`'s data available: records
    /// keccak256(data) for the number and emits BatchDataPart. Anyone may
    /// call it, again for the same part too (it does not revert), while the
    /// sequencer is not frozen and nextNumber <= number < nextNumber +
    /// PARTS_AHEAD. data is carried only.
    function submitBatchData(uint64 number, bytes calldata data) external {
        if (frozen) revert SequencerIsFrozen();
        uint64 next = nextNumber;
        if (number < next) revert AlreadyPosted(number);
        if (number >= next + PARTS_AHEAD) revert PartTooFarAhead(next);
        bytes32 h = keccak256(data);
        if (!partPosted[number][h]) partPosted[number][h] = true;
        emit BatchDataPart(number, h, msg.sender);
    }

    /// @notice Whether a part with keccak256 `partHash` was posted for `number`.
    function isPartPosted(uint64 number, bytes32 partHash) external view returns (bool) {
        return partPosted[number][partHash];
    }

    /// @notice Posts batch h.number. Requires: not frozen; h.number ==
    /// nextNumber; h.eon not below lastEon, with an accepted key whose keyper
    /// set is active; sequencerSignature the sequencer's signature on
    /// h.commitmentHash; attestation (128 bytes, EIP-2537 G1) the key of the
    /// batch identity under the eon key; every hash in parts posted for
    /// h.number with submitBatchData. The batch data is the parts in order,
    /// then data, carried only.
    function submitBatch(
        Header calldata h,
        bytes calldata sequencerSignature,
        bytes calldata attestation,
        bytes32[] calldata parts,
        bytes calldata data
    ) external {
        _checkPosting(h, sequencerSignature, attestation);
        bytes32 dataHash = _dataHash(h.number, parts, data);
        posted[h.number] = Posted(h.commitmentHash, h.l2BlockHash, h.stateRoot);
        nextNumber = h.number + 1;
        lastEon = h.eon;
        emit BatchPosted(h.number, h.eon, h.commitmentHash, h.l2BlockHash, h.stateRoot, dataHash, msg.sender);
    }

    /// @dev submitBatch's checks of everything but the data.
    function _checkPosting(Header calldata h, bytes calldata sequencerSignature, bytes calldata attestation) private view {
        if (frozen) revert SequencerIsFrozen();
        uint64 next = nextNumber;
        if (h.number < next) revert AlreadyPosted(h.number);
        if (h.number > next) revert NotNextNumber(next);
        if (h.eon < lastEon) revert EonWentBack(lastEon);
        if (_recover(_commitmentSigningHash(h.commitmentHash), sequencerSignature) != sequencer) {
            revert BadSequencerSignature();
        }
        if (attestation.length != ATTESTATION_SIZE) revert BadAttestationLength();
        (bytes memory pk,, uint64 activationBlock) = keyBroadcast.eonKey(h.eon);
        if (pk.length == 0) revert UnknownEon(h.eon);
        if (activationBlock > block.number) revert EonNotActive(h.eon, activationBlock);
        if (!_verify(pk, h.eon, h.number, h.commitmentHash, attestation)) revert InvalidAttestation();
    }

    /// @dev The dataHash of a posting: keccak256(data) without parts, else
    /// keccak256(abi.encodePacked(parts, keccak256(data))), every part posted for number.
    function _dataHash(uint64 number, bytes32[] calldata parts, bytes calldata data) private view returns (bytes32) {
        bytes32 h = keccak256(data);
        if (parts.length == 0) return h;
        mapping(bytes32 => bool) storage avail = partPosted[number];
        for (uint256 i = 0; i < parts.length; i++) {
            if (!avail[parts[i]]) revert PartNotPosted(parts[i]);
        }
        return keccak256(abi.encodePacked(parts, h));
    }

    /// @notice What was posted for `number`; zeros if it was not posted.
    function batch(uint64 number) external view returns (bytes32 commitmentHash, bytes32 l2BlockHash, bytes32 stateRoot) {
        Posted storage p = posted[number];
        return (p.commitmentHash, p.l2BlockHash, p.stateRoot);
    }

    /// @notice Whether `attestation` is valid for batch (eon, number,
    /// commitmentHash) of this chain under the eon's accepted key; false
    /// also for an eon without a key or an attestation of the wrong size.
    function verifyAttestation(uint64 eon, uint64 number, bytes32 commitmentHash, bytes calldata attestation)
        external
        view
        returns (bool)
    {
        (bytes memory pk,,) = keyBroadcast.eonKey(eon);
        if (pk.length == 0 || attestation.length != ATTESTATION_SIZE) return false;
        return _verify(pk, eon, number, commitmentHash, attestation);
    }

    /// @notice The batch identity keccak256("veil/id/batch/v1" ‖ u64(chainId) ‖ u64(eon) ‖ u64(number) ‖ commitmentHash).
    function batchIdentity(uint64 eon, uint64 number, bytes32 commitmentHash) public view returns (bytes32) {
        return keccak256(abi.encodePacked("veil/id/batch/v1", chainId, eon, number, commitmentHash));
    }

    /// @notice Q(identity): the identity hashed onto G1 (RFC 9380, Veil's tag), 128 bytes EIP-2537.
    function identityPoint(bytes32 identity) public view returns (bytes memory) {
        (bytes32 b1, bytes32 b2, bytes32 b3, bytes32 b4) = _expandMessage(identity);
        bytes memory q0 = _mapToG1(b1, b2);
        bytes memory q1 = _mapToG1(b3, b4);
        (bool ok, bytes memory q) = G1ADD.staticcall(abi.encodePacked(q0, q1));
        if (!ok || q.length != 128) revert PrecompileFailed();
        return q;
    }

    /// @dev e(attestation, -g2) · e(Q(id), PK) == 1. The pairing precompile
    /// checks both G1 points and PK for the curve and the subgroup; the point
    /// at infinity is refused as Go's VerifyKey refuses it.
    function _verify(bytes memory pk, uint64 eon, uint64 number, bytes32 commitmentHash, bytes calldata attestation)
        private
        view
        returns (bool)
    {
        bool zero = true;
        for (uint256 i = 0; i < ATTESTATION_SIZE; i += 32) {
            if (bytes32(attestation[i:i + 32]) != 0) {
                zero = false;
                break;
            }
        }
        if (zero) return false;
        bytes memory q = identityPoint(batchIdentity(eon, number, commitmentHash));
        (bool ok, bytes memory out) = PAIRING.staticcall(abi.encodePacked(attestation, NEG_G2, q, pk));
        return ok && out.length == 32 && uint256(bytes32(out)) == 1;
    }

    /// @dev RFC 9380 expand_message_xmd(msg = identity, DST, len_in_bytes = 128) with SHA-256: b_1 ‖ … ‖ b_4.
    function _expandMessage(bytes32 identity) private pure returns (bytes32 b1, bytes32 b2, bytes32 b3, bytes32 b4) {
        // msg' = Z_pad(64) ‖ msg ‖ I2OSP(128, 2) ‖ I2OSP(0, 1) ‖ DST'
        bytes32 b0 = sha256(abi.encodePacked(bytes32(0), bytes32(0), identity, uint16(128), uint8(0), DST_PRIME));
        b1 = sha256(abi.encodePacked(b0, uint8(1), DST_PRIME));
        b2 = sha256(abi.encodePacked(b0 ^ b1, uint8(2), DST_PRIME));
        b3 = sha256(abi.encodePacked(b0 ^ b2, uint8(3), DST_PRIME));
        b4 = sha256(abi.encodePacked(b0 ^ b3, uint8(4), DST_PRIME));
    }

    /// @dev map_to_curve(OS2IP(hi ‖ lo) mod p) with cofactor clearing: the
    /// MAP_FP_TO_G1 precompile maps and clears the cofactor, and clearing is
    /// linear, so G1ADD of the two mapped points is hash_to_curve.
    function _mapToG1(bytes32 hi, bytes32 lo) private view returns (bytes memory) {
        // MODEXP(base = hi ‖ lo, exponent = 1, modulus = p) reduces the 64-byte value mod p.
        (bool ok, bytes memory u) =
            MODEXP.staticcall(abi.encodePacked(uint256(64), uint256(1), uint256(48), hi, lo, uint8(1), P));
        if (!ok || u.length != 48) revert PrecompileFailed();
        bytes memory q;
        (ok, q) = MAP_FP_TO_G1.staticcall(abi.encodePacked(bytes16(0), u));
        if (!ok || q.length != 128) revert PrecompileFailed();
        return q;
    }

    // --------------------------------------------------------------- evidence

    /// @notice Freezes the sequencer with two of its signatures on different
    /// commitments (RLP encodings) of this chain with the same number.
    function proveEquivocation(
        bytes calldata commitmentA,
        bytes calldata signatureA,
        bytes calldata commitmentB,
        bytes calldata signatureB
    ) external {
        if (frozen) revert AlreadyFrozen();
        bytes32 ha = keccak256(commitmentA);
        bytes32 hb = keccak256(commitmentB);
        if (ha == hb) revert SameCommitment();
        if (
            _recover(_commitmentSigningHash(ha), signatureA) != sequencer
                || _recover(_commitmentSigningHash(hb), signatureB) != sequencer
        ) revert BadSequencerSignature();
        Item[COMMITMENT_FIELDS] memory fa = _fields(commitmentA);
        Item[COMMITMENT_FIELDS] memory fb = _fields(commitmentB);
        if (_uint(commitmentA, fa[F_CHAIN_ID]) != chainId || _uint(commitmentB, fb[F_CHAIN_ID]) != chainId) {
            revert WrongChain();
        }
        uint64 number = _uint(commitmentA, fa[F_NUMBER]);
        if (_uint(commitmentB, fb[F_NUMBER]) != number) revert DifferentNumbers();
        _freeze(Evidence.Equivocation, number);
    }

    /// @notice Freezes the sequencer with its receipt for (r.seq, r.txHash)
    /// and posted batch `number` (its commitment's RLP encoding) whose
    /// sequence range holds r.seq with another transaction there. The
    /// batch's non-forced transactions, in order, hold the sequence numbers
    /// FirstSeq, FirstSeq+1, …; the positions listed in Forced (envelopes
    /// forced from L1) hold none.
    function proveReceiptMismatch(Receipt calldata r, uint64 number, bytes calldata commitment) external {
        if (frozen) revert AlreadyFrozen();
        _checkReceipt(r);
        Item[COMMITMENT_FIELDS] memory f = _postedFields(number, commitment);
        (bool found, bytes32 txHash) = _txAt(commitment, f, r.seq);
        if (!found) revert ReceiptNotInBatch();
        if (txHash == r.txHash) revert ReceiptHonored();
        _freeze(Evidence.ReceiptMismatch, number);
    }

    /// @notice Freezes the sequencer with its receipt for r.seq and posted
    /// batches `number` and number+1 (their commitments' RLP encodings) when
    /// r.seq lies after the last sequence number of the first and before the
    /// first sequence number of the second: no batch can hold it any more.
    function proveReceiptSkipped(
        Receipt calldata r,
        uint64 number,
        bytes calldata commitment,
        bytes calldata nextCommitment
    ) external {
        if (frozen) revert AlreadyFrozen();
        _checkReceipt(r);
        Item[COMMITMENT_FIELDS] memory f = _postedFields(number, commitment);
        Item[COMMITMENT_FIELDS] memory g = _postedFields(number + 1, nextCommitment);
        (uint256 first, uint256 count) = _seqRange(commitment, f);
        uint256 nextFirst = _uint(nextCommitment, g[F_FIRST_SEQ]);
        if (r.seq < first + count || r.seq >= nextFirst) revert ReceiptNotSkipped();
        _freeze(Evidence.ReceiptSkipped, number + 1);
    }

    function _freeze(Evidence evidence, uint64 number) private {
        frozen = true;
        emit SequencerFrozen(sequencer, evidence, number, msg.sender);
    }

    function _checkReceipt(Receipt calldata r) private view {
        bytes32 digest = keccak256(abi.encodePacked("veil/receipt/v1", chainId, r.seq, r.txHash, r.time));
        if (_recover(digest, r.signature) != sequencer) revert BadReceiptSignature();
    }

    /// @dev The fields of posted batch `number`'s commitment, checked against the stored hash.
    function _postedFields(uint64 number, bytes calldata commitment)
        private
        view
        returns (Item[COMMITMENT_FIELDS] memory)
    {
        if (number == 0 || number >= nextNumber) revert NotPosted(number);
        if (keccak256(commitment) != posted[number].commitmentHash) revert CommitmentMismatch();
        return _fields(commitment);
    }

    /// @dev The transaction holding sequence number seq in the commitment, if any.
    function _txAt(bytes calldata c, Item[COMMITMENT_FIELDS] memory f, uint64 seq)
        private
        pure
        returns (bool, bytes32)
    {
        uint256 first = _uint(c, f[F_FIRST_SEQ]);
        if (seq < first) return (false, 0);
        // The (seq - first)-th position not listed in Forced (increasing).
        uint256 pos = seq - first;
        Item memory forced = f[F_FORCED];
        uint256 off = forced.start;
        uint256 end = forced.start + forced.len;
        while (off < end) {
            Item memory it;
            (it, off) = _item(c, off, end);
            if (_uint(c, it) > pos) break;
            pos++;
        }
        (uint256 start, uint256 n) = _hashList(c, f[F_TX_HASHES]);
        if (pos >= n) return (false, 0);
        return (true, bytes32(c[start + pos * 33 + 1:start + pos * 33 + 33]));
    }

    /// @dev The commitment's first sequence number and how many sequence numbers it holds.
    function _seqRange(bytes calldata c, Item[COMMITMENT_FIELDS] memory f)
        private
        pure
        returns (uint256 first, uint256 count)
    {
        first = _uint(c, f[F_FIRST_SEQ]);
        (, uint256 n) = _hashList(c, f[F_TX_HASHES]);
        Item memory forced = f[F_FORCED];
        uint256 off = forced.start;
        uint256 end = forced.start + forced.len;
        uint256 nForced = 0;
        while (off < end) {
            (, off) = _item(c, off, end);
            nForced++;
        }
        if (nForced > n) revert MalformedCommitment();
        count = n - nForced;
    }

    /// @dev A list of 32-byte hashes: each element is 0xa0 followed by 32 bytes.
    function _hashList(bytes calldata c, Item memory it) private pure returns (uint256 start, uint256 n) {
        if (!it.list || it.len % 33 != 0) revert MalformedCommitment();
        n = it.len / 33;
        for (uint256 i = 0; i < n; i++) {
            if (uint8(c[it.start + i * 33]) != 0xa0) revert MalformedCommitment();
        }
        return (it.start, n);
    }

    // -------------------------------------------------------------------- RLP

    /// @dev The 15 fields of an RLP-encoded commitment: Version, ChainID, Eon,
    /// Number, Parent, FirstSeq, Timestamp, L1OriginNumber, L1OriginHash,
    /// Deposits, BaseFee, GasLimit, FeeRecipient, TxHashes, Forced.
    function _fields(bytes calldata c) private pure returns (Item[COMMITMENT_FIELDS] memory f) {
        (Item memory top, uint256 next) = _item(c, 0, c.length);
        if (!top.list || next != c.length) revert MalformedCommitment();
        uint256 off = top.start;
        uint256 end = top.start + top.len;
        for (uint256 i = 0; i < COMMITMENT_FIELDS; i++) {
            (f[i], off) = _item(c, off, end);
        }
        if (off != end) revert MalformedCommitment();
    }

    /// @dev The RLP item at off, which must end by `end`, and the offset after it.
    function _item(bytes calldata c, uint256 off, uint256 end) private pure returns (Item memory it, uint256 next) {
        if (off >= end) revert MalformedCommitment();
        uint256 p = uint8(c[off]);
        if (p < 0x80) {
            it = Item(off, 1, false);
        } else if (p < 0xb8) {
            it = Item(off + 1, p - 0x80, false);
        } else if (p < 0xc0) {
            it = Item(off + 1 + (p - 0xb7), _bigEndian(c, off + 1, p - 0xb7, end), false);
        } else if (p < 0xf8) {
            it = Item(off + 1, p - 0xc0, true);
        } else {
            it = Item(off + 1 + (p - 0xf7), _bigEndian(c, off + 1, p - 0xf7, end), true);
        }
        next = it.start + it.len;
        if (next > end) revert MalformedCommitment();
    }

    /// @dev An integer item of at most 8 bytes.
    function _uint(bytes calldata c, Item memory it) private pure returns (uint64) {
        if (it.list) revert MalformedCommitment();
        return uint64(_bigEndian(c, it.start, it.len, it.start + it.len));
    }

    function _bigEndian(bytes calldata c, uint256 off, uint256 n, uint256 end) private pure returns (uint256 v) {
        if (n > 8 || off + n > end) revert MalformedCommitment();
        for (uint256 i = 0; i < n; i++) {
            v = (v << 8) | uint8(c[off + i]);
        }
    }

    // -------------------------------------------------------------- signatures

    function _commitmentSigningHash(bytes32 commitmentHash) private pure returns (bytes32) {
        return keccak256(abi.encodePacked("veil/batch/v1", commitmentHash));
    }

    /// @dev The signer of digest, or address(0) for an invalid signature.
    function _recover(bytes32 digest, bytes calldata sig) private pure returns (address) {
        if (sig.length != 65) revert BadSignatureLength();
        uint8 v = uint8(sig[64]);
        if (v < 27) v += 27;
        return ecrecover(digest, v, bytes32(sig[0:32]), bytes32(sig[32:64]));
    }
}
