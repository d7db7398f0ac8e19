package batch

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
)

// Version is the format version of commitments and batches.
const Version = 1

// signTag separates the sequencer's commitment signatures from every other
// use of its key.
const signTag = "veil/batch/v1"

// Decoding and signature errors.
var (
	ErrMalformed     = errors.New("batch: malformed encoding")
	ErrVersion       = errors.New("batch: unknown version")
	ErrTooLarge      = errors.New("batch: exceeds size limits")
	ErrTxMismatch    = errors.New("batch: transactions do not match the commitment")
	ErrBadTx         = errors.New("batch: transaction does not decode")
	ErrSignature     = errors.New("batch: invalid signature")
	ErrForcedIndex   = errors.New("batch: forced position out of range or not increasing")
	ErrDepositAmount = errors.New("batch: deposit without a valid amount")
)

// Deposit is one L1 deposit credited by the block, identified by the L1
// transaction and log that made it.
type Deposit struct {
	L1TxHash common.Hash
	LogIndex uint64
	To       common.Address
	Amount   *big.Int
}

// Commitment is what the sequencer signs: every input of one block.
type Commitment struct {
	Version        uint8
	ChainID        uint64
	Eon            uint64
	Number         uint64
	Parent         common.Hash
	FirstSeq       uint64
	Timestamp      uint64
	L1OriginNumber uint64
	L1OriginHash   common.Hash
	Deposits       []Deposit
	BaseFee        *big.Int
	GasLimit       uint64
	FeeRecipient   common.Address
	// TxHashes are the ordered transactions (envelopes and plaintext).
	TxHashes []common.Hash
	// Forced are the indexes into TxHashes of envelopes forced from L1,
	// increasing.
	Forced []uint32
}

// Hash is keccak256 of the commitment's RLP encoding.
func (c *Commitment) Hash() common.Hash {
	b, err := rlp.EncodeToBytes(c)
	if err != nil {
		// Only a negative big integer fails to encode; Decode never makes
		// one and Sign refuses one, so this is a programming error.
		panic("batch: encoding a commitment failed: " + err.Error())
	}
	return crypto.Keccak256Hash(b)
}

// SigningHash is what the sequencer signs.
func (c *Commitment) SigningHash() common.Hash {
	h := c.Hash()
	return crypto.Keccak256Hash([]byte(signTag), h[:])
}

// Signed is a commitment with the sequencer's signature.
type Signed struct {
	Commitment Commitment
	Signature  []byte // 65 bytes [R ‖ S ‖ V], V in {0, 1}
}

// Sign signs c with the sequencer's key.
func Sign(c Commitment, key *ecdsa.PrivateKey) (*Signed, error) {
	c.Version = Version
	if c.BaseFee == nil || c.BaseFee.Sign() < 0 {
		return nil, fmt.Errorf("%w: base fee must be set and not negative", ErrMalformed)
	}
	for i, d := range c.Deposits {
		if d.Amount == nil || d.Amount.Sign() <= 0 {
			return nil, fmt.Errorf("%w: deposit %d", ErrDepositAmount, i)
		}
	}
	h := c.SigningHash()
	sig, err := crypto.Sign(h[:], key)
	if err != nil {
		return nil, err
	}
	return &Signed{Commitment: c, Signature: sig}, nil
}

// Signer recovers the address that signed the commitment.
func (s *Signed) Signer() (common.Address, error) {
	if len(s.Signature) != crypto.SignatureLength {
		return common.Address{}, fmt.Errorf("%w: %d bytes", ErrSignature, len(s.Signature))
	}
	h := s.Commitment.SigningHash()
	pub, err := crypto.SigToPub(h[:], s.Signature)
	if err != nil {
		return common.Address{}, fmt.Errorf("%w: %v", ErrSignature, err)
	}
	return crypto.PubkeyToAddress(*pub), nil
}

// Batch is a signed commitment with its full transactions.
type Batch struct {
	Signed
	// Txs are the transactions in committed order, decoded.
	Txs []*types.Transaction
	// Size is the encoded size of the batch (set by Decode and Encode).
	Size int
}

// Limits bounds a batch's decoding.
type Limits struct {
	MaxTxs      int
	MaxBytes    int
	MaxDeposits int
}

// DefaultLimits fit a block of a few thousand transactions.
var DefaultLimits = Limits{MaxTxs: 10_000, MaxBytes: 16 << 20, MaxDeposits: 4096}

// OrDefaults returns l with each field not above zero taken from
// DefaultLimits.
func (l Limits) OrDefaults() Limits {
	if l.MaxTxs <= 0 {
		l.MaxTxs = DefaultLimits.MaxTxs
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultLimits.MaxBytes
	}
	if l.MaxDeposits <= 0 {
		l.MaxDeposits = DefaultLimits.MaxDeposits
	}
	return l
}

type batchRLP struct {
	Commitment Commitment
	Signature  []byte
	Txs        [][]byte
}

// New assembles a batch from a signed commitment and its transactions.
func New(s *Signed, txs []*types.Transaction) (*Batch, error) {
	b := &Batch{Signed: *s, Txs: txs}
	if _, err := b.Encode(); err != nil {
		return nil, err
	}
	return b, nil
}

// Encode returns the batch's wire encoding.
func (b *Batch) Encode() ([]byte, error) {
	if len(b.Txs) != len(b.Commitment.TxHashes) {
		return nil, fmt.Errorf("%w: %d transactions for %d hashes", ErrTxMismatch, len(b.Txs), len(b.Commitment.TxHashes))
	}
	enc := batchRLP{Commitment: b.Commitment, Signature: b.Signature}
	for i, tx := range b.Txs {
		if tx.Hash() != b.Commitment.TxHashes[i] {
			return nil, fmt.Errorf("%w: transaction %d", ErrTxMismatch, i)
		}
		raw, err := tx.MarshalBinary()
		if err != nil {
			return nil, err
		}
		enc.Txs = append(enc.Txs, raw)
	}
	out, err := rlp.EncodeToBytes(&enc)
	if err != nil {
		return nil, err
	}
	b.Size = len(out)
	return out, nil
}

// Decode parses a batch strictly: size, RLP, version, forced positions,
// deposits, transactions decoding and matching their hashes. It does not
// check the signature's signer: the receiver knows whom to expect.
func Decode(raw []byte, lim Limits) (*Batch, error) {
	if len(raw) > lim.MaxBytes {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, len(raw), lim.MaxBytes)
	}
	var dec batchRLP
	if err := rlp.DecodeBytes(raw, &dec); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	c := &dec.Commitment
	if c.Version != Version {
		return nil, fmt.Errorf("%w: %d", ErrVersion, c.Version)
	}
	if len(c.TxHashes) > lim.MaxTxs || len(c.Deposits) > lim.MaxDeposits {
		return nil, fmt.Errorf("%w: %d transactions, %d deposits", ErrTooLarge, len(c.TxHashes), len(c.Deposits))
	}
	if len(dec.Txs) != len(c.TxHashes) {
		return nil, fmt.Errorf("%w: %d transactions for %d hashes", ErrTxMismatch, len(dec.Txs), len(c.TxHashes))
	}
	for i, f := range c.Forced {
		if int(f) >= len(c.TxHashes) || (i > 0 && f <= c.Forced[i-1]) {
			return nil, fmt.Errorf("%w: %d", ErrForcedIndex, f)
		}
	}
	for i, d := range c.Deposits {
		if d.Amount == nil || d.Amount.Sign() <= 0 {
			return nil, fmt.Errorf("%w: deposit %d", ErrDepositAmount, i)
		}
	}
	if c.BaseFee == nil {
		return nil, fmt.Errorf("%w: no base fee", ErrMalformed)
	}
	if len(dec.Signature) != crypto.SignatureLength {
		return nil, fmt.Errorf("%w: %d bytes", ErrSignature, len(dec.Signature))
	}
	b := &Batch{Signed: Signed{Commitment: *c, Signature: dec.Signature}, Txs: make([]*types.Transaction, len(dec.Txs)), Size: len(raw)}
	for i, r := range dec.Txs {
		tx := new(types.Transaction)
		if err := tx.UnmarshalBinary(r); err != nil {
			return nil, fmt.Errorf("%w: %d: %v", ErrBadTx, i, err)
		}
		if tx.Hash() != c.TxHashes[i] {
			return nil, fmt.Errorf("%w: transaction %d", ErrTxMismatch, i)
		}
		b.Txs[i] = tx
	}
	return b, nil
}
