package execution

import (
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rlp"
)

// InnerStatus says what became of an envelope's ciphertext before
// execution: the ordering layer decrypts (with the keys the keypers
// released for the committed batch) and hands the outcome in.
type InnerStatus uint8

const (
	// NotEnvelope marks a plaintext transaction.
	NotEnvelope InnerStatus = iota
	// Decrypted: Plaintext holds the decrypted inner transaction.
	Decrypted
	// NoKey: the keypers' deterministic no-key rule gave no key.
	NoKey
	// DecryptFailed: a key was released but decryption failed.
	DecryptFailed
)

// Item is one committed transaction in sequence order: an envelope with
// the outcome of its decryption, or a plaintext transaction.
type Item struct {
	Tx        *types.Transaction
	Status    InnerStatus
	Plaintext []byte
}

// Deposit is one L1 deposit the batch commitment names, credited from the
// bridge predeploy.
type Deposit struct {
	To     common.Address
	Amount *big.Int
}

// BlockInput is everything one L2 block is built from: the committed
// batch's header inputs, its L1 deposits, its transactions in committed
// order and each envelope's decryption outcome. The same input always
// builds the same block.
type BlockInput struct {
	Number         uint64
	BatchHash      common.Hash // in extraData and mixHash: the header links to the batch
	Timestamp      uint64
	L1OriginNumber uint64
	L1OriginHash   common.Hash // as the parent beacon root
	GasLimit       uint64
	FeeRecipient   common.Address
	Deposits       []Deposit
	Items          []Item
	// Decrypting, when set, says the items' decryption is still under way
	// (the block is built while the envelopes are decrypted: the envelope
	// phase needs no plaintext): each item's Status and Plaintext may be
	// read only once Decrypting.Item(i) returns, all of them once All
	// returns. Tx is always set. It is not part of the encoding.
	Decrypting Decrypting
}

// Decrypting waits for the outcome of a block input's decryptions.
type Decrypting interface {
	// Item blocks until item i's Status and Plaintext are final.
	Item(i int)
	// All blocks until every item's are.
	All()
}

// ErrInput reports a block input that cannot be built or decoded.
var ErrInput = errors.New("execution: invalid block input")

type itemRLP struct {
	Tx        []byte
	Status    uint8
	Plaintext []byte
}

type inputRLP struct {
	Version        uint8
	Number         uint64
	BatchHash      common.Hash
	Timestamp      uint64
	L1OriginNumber uint64
	L1OriginHash   common.Hash
	GasLimit       uint64
	FeeRecipient   common.Address
	Deposits       []Deposit
	Items          []itemRLP
}

const inputVersion = 1

// MarshalBinary encodes the input for the durable record.
func (in *BlockInput) MarshalBinary() ([]byte, error) {
	enc := inputRLP{
		Version: inputVersion, Number: in.Number, BatchHash: in.BatchHash, Timestamp: in.Timestamp,
		L1OriginNumber: in.L1OriginNumber, L1OriginHash: in.L1OriginHash, GasLimit: in.GasLimit,
		FeeRecipient: in.FeeRecipient, Deposits: in.Deposits,
	}
	for _, it := range in.Items {
		b, err := it.Tx.MarshalBinary()
		if err != nil {
			return nil, err
		}
		enc.Items = append(enc.Items, itemRLP{Tx: b, Status: uint8(it.Status), Plaintext: it.Plaintext})
	}
	return rlp.EncodeToBytes(&enc)
}

// UnmarshalBinary decodes a recorded input.
func (in *BlockInput) UnmarshalBinary(b []byte) error {
	var dec inputRLP
	if err := rlp.DecodeBytes(b, &dec); err != nil {
		return fmt.Errorf("%w: %v", ErrInput, err)
	}
	if dec.Version != inputVersion {
		return fmt.Errorf("%w: record version %d", ErrInput, dec.Version)
	}
	*in = BlockInput{
		Number: dec.Number, BatchHash: dec.BatchHash, Timestamp: dec.Timestamp,
		L1OriginNumber: dec.L1OriginNumber, L1OriginHash: dec.L1OriginHash, GasLimit: dec.GasLimit,
		FeeRecipient: dec.FeeRecipient, Deposits: dec.Deposits,
	}
	for i, it := range dec.Items {
		tx := new(types.Transaction)
		if err := tx.UnmarshalBinary(it.Tx); err != nil {
			return fmt.Errorf("%w: item %d: %v", ErrInput, i, err)
		}
		if it.Status > uint8(DecryptFailed) {
			return fmt.Errorf("%w: item %d: status %d", ErrInput, i, it.Status)
		}
		in.Items = append(in.Items, Item{Tx: tx, Status: InnerStatus(it.Status), Plaintext: it.Plaintext})
	}
	return nil
}
