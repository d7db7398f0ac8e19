package encmempool

import (
	"crypto/ecdsa"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
)

// receiptTag domain-separates order receipts from every other thing the
// sequencer key signs (batch commitments use "veil/batch/v1").
const receiptTag = "veil/receipt/v1"

// Receipt errors.
var (
	ErrReceiptMalformed = errors.New("encmempool: malformed order receipt")
	ErrReceiptSignature = errors.New("encmempool: invalid order receipt signature")
)

// Receipt is the sequencer's signed promise that a transaction holds
// sequence number Seq on chain ChainID, admitted at Time (unix
// milliseconds). A batch that puts the transaction anywhere else
// contradicts it, and the receipt is the evidence.
type Receipt struct {
	ChainID uint64
	Seq     uint64
	Hash    common.Hash
	Time    uint64
	// Signature is 65 bytes [R ‖ S ‖ V] with V in {0, 1} and S in the lower
	// half of the curve order, over SigningHash.
	Signature []byte
}

// SigningHash is keccak256("veil/receipt/v1" ‖ chainID ‖ seq ‖ hash ‖
// time), integers as 8-byte big-endian: in Solidity,
// keccak256(abi.encodePacked("veil/receipt/v1", uint64 chainId, uint64 seq,
// bytes32 hash, uint64 time)), so an L1 contract can check a receipt with
// ecrecover.
func (r *Receipt) SigningHash() common.Hash {
	buf := make([]byte, 0, len(receiptTag)+8+8+32+8)
	buf = append(buf, receiptTag...)
	buf = binary.BigEndian.AppendUint64(buf, r.ChainID)
	buf = binary.BigEndian.AppendUint64(buf, r.Seq)
	buf = append(buf, r.Hash[:]...)
	buf = binary.BigEndian.AppendUint64(buf, r.Time)
	return crypto.Keccak256Hash(buf)
}

// Sign sets the receipt's signature by key (RFC 6979: the same receipt and
// key give the same signature).
func (r *Receipt) Sign(key *ecdsa.PrivateKey) error {
	h := r.SigningHash()
	sig, err := crypto.Sign(h[:], key)
	if err != nil {
		return fmt.Errorf("encmempool: signing a receipt: %w", err)
	}
	r.Signature = sig
	return nil
}

// Signer recovers the address that signed the receipt. Only the canonical
// form of a signature is accepted (V in {0, 1}, low S).
func (r *Receipt) Signer() (common.Address, error) {
	if len(r.Signature) != crypto.SignatureLength {
		return common.Address{}, fmt.Errorf("%w: %d bytes, want %d", ErrReceiptSignature, len(r.Signature), crypto.SignatureLength)
	}
	rr := new(big.Int).SetBytes(r.Signature[:32])
	ss := new(big.Int).SetBytes(r.Signature[32:64])
	if !crypto.ValidateSignatureValues(r.Signature[64], rr, ss, true) {
		return common.Address{}, fmt.Errorf("%w: not a canonical signature", ErrReceiptSignature)
	}
	h := r.SigningHash()
	pub, err := crypto.SigToPub(h[:], r.Signature)
	if err != nil {
		return common.Address{}, fmt.Errorf("%w: %v", ErrReceiptSignature, err)
	}
	return crypto.PubkeyToAddress(*pub), nil
}

// Verify checks that the sequencer's key signed the receipt.
func (r *Receipt) Verify(sequencer common.Address) error {
	signer, err := r.Signer()
	if err != nil {
		return err
	}
	if signer != sequencer {
		return fmt.Errorf("%w: signed by %s, not the sequencer %s", ErrReceiptSignature, signer, sequencer)
	}
	return nil
}

// receiptJSON is the receipt on JSON-RPC: quantities in hex as
// go-ethereum's hexutil writes them.
type receiptJSON struct {
	ChainID   *hexutil.Uint64 `json:"chainId"`
	Seq       *hexutil.Uint64 `json:"seq"`
	Hash      *common.Hash    `json:"hash"`
	Time      *hexutil.Uint64 `json:"time"`
	Signature *hexutil.Bytes  `json:"signature"`
}

// MarshalJSON writes
// {"chainId":"0x…","seq":"0x…","hash":"0x…","time":"0x…","signature":"0x…"}.
func (r Receipt) MarshalJSON() ([]byte, error) {
	chainID, seq, t := hexutil.Uint64(r.ChainID), hexutil.Uint64(r.Seq), hexutil.Uint64(r.Time)
	hash, sig := r.Hash, hexutil.Bytes(r.Signature)
	return json.Marshal(receiptJSON{ChainID: &chainID, Seq: &seq, Hash: &hash, Time: &t, Signature: &sig})
}

// UnmarshalJSON reads what MarshalJSON writes; every field is required.
func (r *Receipt) UnmarshalJSON(b []byte) error {
	var j receiptJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("%w: %v", ErrReceiptMalformed, err)
	}
	if j.ChainID == nil || j.Seq == nil || j.Hash == nil || j.Time == nil || j.Signature == nil {
		return fmt.Errorf("%w: missing field", ErrReceiptMalformed)
	}
	*r = Receipt{ChainID: uint64(*j.ChainID), Seq: uint64(*j.Seq), Hash: *j.Hash, Time: uint64(*j.Time),
		Signature: []byte(*j.Signature)}
	return nil
}

// MarshalBinary is the RLP list [chainId, seq, hash, time, signature].
func (r *Receipt) MarshalBinary() ([]byte, error) { return rlp.EncodeToBytes(r) }

// UnmarshalBinary strictly decodes MarshalBinary's form: canonical RLP, no
// trailing bytes, a 65-byte signature. It does not verify the signature.
func (r *Receipt) UnmarshalBinary(b []byte) error {
	var dec Receipt
	if err := rlp.DecodeBytes(b, &dec); err != nil {
		return fmt.Errorf("%w: %v", ErrReceiptMalformed, err)
	}
	if len(dec.Signature) != crypto.SignatureLength {
		return fmt.Errorf("%w: signature of %d bytes", ErrReceiptMalformed, len(dec.Signature))
	}
	*r = dec
	return nil
}
