// Code generated via abigen V2 - DO NOT EDIT.
// This file is a generated binding and any manual changes will be lost.

package contracts

import (
	"bytes"
	"errors"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// Reference imports to suppress errors if they are not otherwise used.
var (
	_ = bytes.Equal
	_ = errors.New
	_ = big.NewInt
	_ = common.Big1
	_ = types.BloomLookup
	_ = abi.ConvertType
)

// EncryptedInboxMetaData contains all meta data concerning the EncryptedInbox contract.
var EncryptedInboxMetaData = bind.MetaData{
	ABI: "[{\"inputs\":[],\"name\":\"BurnFailed\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"DepositTooSmall\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"LengthMismatch\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"NotSequencer\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"RefundTooLarge\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"ZeroDeclaredGas\",\"type\":\"error\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"uint64\",\"name\":\"eon\",\"type\":\"uint64\"},{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"identity\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"payer\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint64\",\"name\":\"declaredGas\",\"type\":\"uint64\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"deposit\",\"type\":\"uint256\"}],\"name\":\"Envelope\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"refunded\",\"type\":\"uint256\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"burned\",\"type\":\"uint256\"}],\"name\":\"Settled\",\"type\":\"event\"},{\"inputs\":[],\"name\":\"REFUND_GAS_STIPEND\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"held\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"sequencer\",\"outputs\":[{\"internalType\":\"address\",\"name\":\"\",\"type\":\"address\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address[]\",\"name\":\"payers\",\"type\":\"address[]\"},{\"internalType\":\"uint256[]\",\"name\":\"refunds\",\"type\":\"uint256[]\"},{\"internalType\":\"bool\",\"name\":\"last\",\"type\":\"bool\"}],\"name\":\"settle\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"eon\",\"type\":\"uint64\"},{\"internalType\":\"bytes32\",\"name\":\"prefix\",\"type\":\"bytes32\"},{\"internalType\":\"uint64\",\"name\":\"declaredGas\",\"type\":\"uint64\"},{\"internalType\":\"bytes\",\"name\":\"ciphertext\",\"type\":\"bytes\"}],\"name\":\"submit\",\"outputs\":[],\"stateMutability\":\"payable\",\"type\":\"function\"}]",
	ID:  "EncryptedInbox",
}

// EncryptedInbox is an auto generated Go binding around an Ethereum contract.
type EncryptedInbox struct {
	abi abi.ABI
}

// GetABI returns the ABI associated with this contract binding.
func (c *EncryptedInbox) GetABI() abi.ABI {
	return c.abi
}

// NewEncryptedInbox creates a new instance of EncryptedInbox.
func NewEncryptedInbox() *EncryptedInbox {
	parsed, err := EncryptedInboxMetaData.ParseABI()
	if err != nil {
		panic(errors.New("invalid ABI: " + err.Error()))
	}
	return &EncryptedInbox{abi: *parsed}
}

// Instance creates a wrapper for a deployed contract instance at the given address.
// Use this to create the instance object passed to abigen v2 library functions Call, Transact, etc.
func (c *EncryptedInbox) Instance(backend bind.ContractBackend, addr common.Address) *bind.BoundContract {
	return bind.NewBoundContract(addr, c.abi, backend, backend, backend)
}

// PackREFUNDGASSTIPEND is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xc876e99b.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function REFUND_GAS_STIPEND() view returns(uint256)
func (encryptedInbox *EncryptedInbox) PackREFUNDGASSTIPEND() []byte {
	enc, err := encryptedInbox.abi.Pack("REFUND_GAS_STIPEND")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackREFUNDGASSTIPEND is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xc876e99b.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function REFUND_GAS_STIPEND() view returns(uint256)
func (encryptedInbox *EncryptedInbox) TryPackREFUNDGASSTIPEND() ([]byte, error) {
	return encryptedInbox.abi.Pack("REFUND_GAS_STIPEND")
}

// UnpackREFUNDGASSTIPEND is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xc876e99b.
//
// Solidity: function REFUND_GAS_STIPEND() view returns(uint256)
func (encryptedInbox *EncryptedInbox) UnpackREFUNDGASSTIPEND(data []byte) (*big.Int, error) {
	out, err := encryptedInbox.abi.Unpack("REFUND_GAS_STIPEND", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackHeld is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa285aed7.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function held() view returns(uint256)
func (encryptedInbox *EncryptedInbox) PackHeld() []byte {
	enc, err := encryptedInbox.abi.Pack("held")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackHeld is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa285aed7.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function held() view returns(uint256)
func (encryptedInbox *EncryptedInbox) TryPackHeld() ([]byte, error) {
	return encryptedInbox.abi.Pack("held")
}

// UnpackHeld is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xa285aed7.
//
// Solidity: function held() view returns(uint256)
func (encryptedInbox *EncryptedInbox) UnpackHeld(data []byte) (*big.Int, error) {
	out, err := encryptedInbox.abi.Unpack("held", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackSequencer is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x5c1bba38.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function sequencer() view returns(address)
func (encryptedInbox *EncryptedInbox) PackSequencer() []byte {
	enc, err := encryptedInbox.abi.Pack("sequencer")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSequencer is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x5c1bba38.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function sequencer() view returns(address)
func (encryptedInbox *EncryptedInbox) TryPackSequencer() ([]byte, error) {
	return encryptedInbox.abi.Pack("sequencer")
}

// UnpackSequencer is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x5c1bba38.
//
// Solidity: function sequencer() view returns(address)
func (encryptedInbox *EncryptedInbox) UnpackSequencer(data []byte) (common.Address, error) {
	out, err := encryptedInbox.abi.Unpack("sequencer", data)
	if err != nil {
		return *new(common.Address), err
	}
	out0 := *abi.ConvertType(out[0], new(common.Address)).(*common.Address)
	return out0, nil
}

// PackSettle is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd9c1116f.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function settle(address[] payers, uint256[] refunds, bool last) returns()
func (encryptedInbox *EncryptedInbox) PackSettle(payers []common.Address, refunds []*big.Int, last bool) []byte {
	enc, err := encryptedInbox.abi.Pack("settle", payers, refunds, last)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSettle is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd9c1116f.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function settle(address[] payers, uint256[] refunds, bool last) returns()
func (encryptedInbox *EncryptedInbox) TryPackSettle(payers []common.Address, refunds []*big.Int, last bool) ([]byte, error) {
	return encryptedInbox.abi.Pack("settle", payers, refunds, last)
}

// PackSubmit is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf6fb9140.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function submit(uint64 eon, bytes32 prefix, uint64 declaredGas, bytes ciphertext) payable returns()
func (encryptedInbox *EncryptedInbox) PackSubmit(eon uint64, prefix [32]byte, declaredGas uint64, ciphertext []byte) []byte {
	enc, err := encryptedInbox.abi.Pack("submit", eon, prefix, declaredGas, ciphertext)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSubmit is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf6fb9140.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function submit(uint64 eon, bytes32 prefix, uint64 declaredGas, bytes ciphertext) payable returns()
func (encryptedInbox *EncryptedInbox) TryPackSubmit(eon uint64, prefix [32]byte, declaredGas uint64, ciphertext []byte) ([]byte, error) {
	return encryptedInbox.abi.Pack("submit", eon, prefix, declaredGas, ciphertext)
}

// EncryptedInboxEnvelope represents a Envelope event raised by the EncryptedInbox contract.
type EncryptedInboxEnvelope struct {
	Eon         uint64
	Identity    [32]byte
	Payer       common.Address
	DeclaredGas uint64
	Deposit     *big.Int
	Raw         *types.Log // Blockchain specific contextual infos
}

const EncryptedInboxEnvelopeEventName = "Envelope"

// ContractEventName returns the user-defined event name.
func (EncryptedInboxEnvelope) ContractEventName() string {
	return EncryptedInboxEnvelopeEventName
}

// UnpackEnvelopeEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Envelope(uint64 indexed eon, bytes32 indexed identity, address indexed payer, uint64 declaredGas, uint256 deposit)
func (encryptedInbox *EncryptedInbox) UnpackEnvelopeEvent(log *types.Log) (*EncryptedInboxEnvelope, error) {
	event := "Envelope"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != encryptedInbox.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(EncryptedInboxEnvelope)
	if len(log.Data) > 0 {
		if err := encryptedInbox.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range encryptedInbox.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// EncryptedInboxSettled represents a Settled event raised by the EncryptedInbox contract.
type EncryptedInboxSettled struct {
	Refunded *big.Int
	Burned   *big.Int
	Raw      *types.Log // Blockchain specific contextual infos
}

const EncryptedInboxSettledEventName = "Settled"

// ContractEventName returns the user-defined event name.
func (EncryptedInboxSettled) ContractEventName() string {
	return EncryptedInboxSettledEventName
}

// UnpackSettledEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Settled(uint256 refunded, uint256 burned)
func (encryptedInbox *EncryptedInbox) UnpackSettledEvent(log *types.Log) (*EncryptedInboxSettled, error) {
	event := "Settled"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != encryptedInbox.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(EncryptedInboxSettled)
	if len(log.Data) > 0 {
		if err := encryptedInbox.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range encryptedInbox.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// UnpackError attempts to decode the provided error data using user-defined
// error definitions.
func (encryptedInbox *EncryptedInbox) UnpackError(raw []byte) (any, error) {
	if bytes.Equal(raw[:4], encryptedInbox.abi.Errors["BurnFailed"].ID.Bytes()[:4]) {
		return encryptedInbox.UnpackBurnFailedError(raw[4:])
	}
	if bytes.Equal(raw[:4], encryptedInbox.abi.Errors["DepositTooSmall"].ID.Bytes()[:4]) {
		return encryptedInbox.UnpackDepositTooSmallError(raw[4:])
	}
	if bytes.Equal(raw[:4], encryptedInbox.abi.Errors["LengthMismatch"].ID.Bytes()[:4]) {
		return encryptedInbox.UnpackLengthMismatchError(raw[4:])
	}
	if bytes.Equal(raw[:4], encryptedInbox.abi.Errors["NotSequencer"].ID.Bytes()[:4]) {
		return encryptedInbox.UnpackNotSequencerError(raw[4:])
	}
	if bytes.Equal(raw[:4], encryptedInbox.abi.Errors["RefundTooLarge"].ID.Bytes()[:4]) {
		return encryptedInbox.UnpackRefundTooLargeError(raw[4:])
	}
	if bytes.Equal(raw[:4], encryptedInbox.abi.Errors["ZeroDeclaredGas"].ID.Bytes()[:4]) {
		return encryptedInbox.UnpackZeroDeclaredGasError(raw[4:])
	}
	return nil, errors.New("Unknown error")
}

// EncryptedInboxBurnFailed represents a BurnFailed error raised by the EncryptedInbox contract.
type EncryptedInboxBurnFailed struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error BurnFailed()
func EncryptedInboxBurnFailedErrorID() common.Hash {
	return common.HexToHash("0x6f16aafc37c688bc0f7da2fc7a2f967461ae54c3b7c6113ddfbba81cb86adb0c")
}

// UnpackBurnFailedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error BurnFailed()
func (encryptedInbox *EncryptedInbox) UnpackBurnFailedError(raw []byte) (*EncryptedInboxBurnFailed, error) {
	out := new(EncryptedInboxBurnFailed)
	if err := encryptedInbox.abi.UnpackIntoInterface(out, "BurnFailed", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// EncryptedInboxDepositTooSmall represents a DepositTooSmall error raised by the EncryptedInbox contract.
type EncryptedInboxDepositTooSmall struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error DepositTooSmall()
func EncryptedInboxDepositTooSmallErrorID() common.Hash {
	return common.HexToHash("0x6ba4a1c70440d46aadec62c30af648c585540392d13a2ec5280fdd24098c0e89")
}

// UnpackDepositTooSmallError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error DepositTooSmall()
func (encryptedInbox *EncryptedInbox) UnpackDepositTooSmallError(raw []byte) (*EncryptedInboxDepositTooSmall, error) {
	out := new(EncryptedInboxDepositTooSmall)
	if err := encryptedInbox.abi.UnpackIntoInterface(out, "DepositTooSmall", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// EncryptedInboxLengthMismatch represents a LengthMismatch error raised by the EncryptedInbox contract.
type EncryptedInboxLengthMismatch struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error LengthMismatch()
func EncryptedInboxLengthMismatchErrorID() common.Hash {
	return common.HexToHash("0xff633a3803c58b9bc21e58efecee59f27e033cc0b1883fccb4969c76146fe60f")
}

// UnpackLengthMismatchError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error LengthMismatch()
func (encryptedInbox *EncryptedInbox) UnpackLengthMismatchError(raw []byte) (*EncryptedInboxLengthMismatch, error) {
	out := new(EncryptedInboxLengthMismatch)
	if err := encryptedInbox.abi.UnpackIntoInterface(out, "LengthMismatch", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// EncryptedInboxNotSequencer represents a NotSequencer error raised by the EncryptedInbox contract.
type EncryptedInboxNotSequencer struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error NotSequencer()
func EncryptedInboxNotSequencerErrorID() common.Hash {
	return common.HexToHash("0x53e2827c451a0a0f171a8880e9c351ab8000b3d4f27c8efd66e3187f39b035eb")
}

// UnpackNotSequencerError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error NotSequencer()
func (encryptedInbox *EncryptedInbox) UnpackNotSequencerError(raw []byte) (*EncryptedInboxNotSequencer, error) {
	out := new(EncryptedInboxNotSequencer)
	if err := encryptedInbox.abi.UnpackIntoInterface(out, "NotSequencer", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// EncryptedInboxRefundTooLarge represents a RefundTooLarge error raised by the EncryptedInbox contract.
type EncryptedInboxRefundTooLarge struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error RefundTooLarge()
func EncryptedInboxRefundTooLargeErrorID() common.Hash {
	return common.HexToHash("0x020123b0511725a46096ea137946a110bc35cab0c2e682ae5ba215653923d290")
}

// UnpackRefundTooLargeError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error RefundTooLarge()
func (encryptedInbox *EncryptedInbox) UnpackRefundTooLargeError(raw []byte) (*EncryptedInboxRefundTooLarge, error) {
	out := new(EncryptedInboxRefundTooLarge)
	if err := encryptedInbox.abi.UnpackIntoInterface(out, "RefundTooLarge", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// EncryptedInboxZeroDeclaredGas represents a ZeroDeclaredGas error raised by the EncryptedInbox contract.
type EncryptedInboxZeroDeclaredGas struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ZeroDeclaredGas()
func EncryptedInboxZeroDeclaredGasErrorID() common.Hash {
	return common.HexToHash("0xb0390ad261f09845df53120b4113bdbcbdd44883608075bd25e8398c8d4f1377")
}

// UnpackZeroDeclaredGasError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ZeroDeclaredGas()
func (encryptedInbox *EncryptedInbox) UnpackZeroDeclaredGasError(raw []byte) (*EncryptedInboxZeroDeclaredGas, error) {
	out := new(EncryptedInboxZeroDeclaredGas)
	if err := encryptedInbox.abi.UnpackIntoInterface(out, "ZeroDeclaredGas", raw); err != nil {
		return nil, err
	}
	return out, nil
}
