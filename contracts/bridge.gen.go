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

// BridgeMetaData contains all meta data concerning the Bridge contract.
var BridgeMetaData = bind.MetaData{
	ABI: "[{\"inputs\":[],\"name\":\"L1BlockTooOld\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"LengthMismatch\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"NotSequencer\",\"type\":\"error\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":false,\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"}],\"name\":\"CreditFailed\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"uint64\",\"name\":\"l1Block\",\"type\":\"uint64\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"}],\"name\":\"Credited\",\"type\":\"event\"},{\"inputs\":[],\"name\":\"CREDIT_GAS_STIPEND\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"l1Block\",\"type\":\"uint64\"},{\"internalType\":\"address[]\",\"name\":\"to\",\"type\":\"address[]\"},{\"internalType\":\"uint256[]\",\"name\":\"amounts\",\"type\":\"uint256[]\"}],\"name\":\"credit\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"lastL1Block\",\"outputs\":[{\"internalType\":\"uint64\",\"name\":\"\",\"type\":\"uint64\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"sequencer\",\"outputs\":[{\"internalType\":\"address\",\"name\":\"\",\"type\":\"address\"}],\"stateMutability\":\"view\",\"type\":\"function\"}]",
	ID:  "Bridge",
}

// Bridge is an auto generated Go binding around an Ethereum contract.
type Bridge struct {
	abi abi.ABI
}

// GetABI returns the ABI associated with this contract binding.
func (c *Bridge) GetABI() abi.ABI {
	return c.abi
}

// NewBridge creates a new instance of Bridge.
func NewBridge() *Bridge {
	parsed, err := BridgeMetaData.ParseABI()
	if err != nil {
		panic(errors.New("invalid ABI: " + err.Error()))
	}
	return &Bridge{abi: *parsed}
}

// Instance creates a wrapper for a deployed contract instance at the given address.
// Use this to create the instance object passed to abigen v2 library functions Call, Transact, etc.
func (c *Bridge) Instance(backend bind.ContractBackend, addr common.Address) *bind.BoundContract {
	return bind.NewBoundContract(addr, c.abi, backend, backend, backend)
}

// PackCREDITGASSTIPEND is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x9242dd7f.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function CREDIT_GAS_STIPEND() view returns(uint256)
func (bridge *Bridge) PackCREDITGASSTIPEND() []byte {
	enc, err := bridge.abi.Pack("CREDIT_GAS_STIPEND")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackCREDITGASSTIPEND is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x9242dd7f.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function CREDIT_GAS_STIPEND() view returns(uint256)
func (bridge *Bridge) TryPackCREDITGASSTIPEND() ([]byte, error) {
	return bridge.abi.Pack("CREDIT_GAS_STIPEND")
}

// UnpackCREDITGASSTIPEND is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x9242dd7f.
//
// Solidity: function CREDIT_GAS_STIPEND() view returns(uint256)
func (bridge *Bridge) UnpackCREDITGASSTIPEND(data []byte) (*big.Int, error) {
	out, err := bridge.abi.Unpack("CREDIT_GAS_STIPEND", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackCredit is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xe705ee6c.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function credit(uint64 l1Block, address[] to, uint256[] amounts) returns()
func (bridge *Bridge) PackCredit(l1Block uint64, to []common.Address, amounts []*big.Int) []byte {
	enc, err := bridge.abi.Pack("credit", l1Block, to, amounts)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackCredit is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xe705ee6c.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function credit(uint64 l1Block, address[] to, uint256[] amounts) returns()
func (bridge *Bridge) TryPackCredit(l1Block uint64, to []common.Address, amounts []*big.Int) ([]byte, error) {
	return bridge.abi.Pack("credit", l1Block, to, amounts)
}

// PackLastL1Block is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x770b1c8f.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function lastL1Block() view returns(uint64)
func (bridge *Bridge) PackLastL1Block() []byte {
	enc, err := bridge.abi.Pack("lastL1Block")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackLastL1Block is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x770b1c8f.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function lastL1Block() view returns(uint64)
func (bridge *Bridge) TryPackLastL1Block() ([]byte, error) {
	return bridge.abi.Pack("lastL1Block")
}

// UnpackLastL1Block is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x770b1c8f.
//
// Solidity: function lastL1Block() view returns(uint64)
func (bridge *Bridge) UnpackLastL1Block(data []byte) (uint64, error) {
	out, err := bridge.abi.Unpack("lastL1Block", data)
	if err != nil {
		return *new(uint64), err
	}
	out0 := *abi.ConvertType(out[0], new(uint64)).(*uint64)
	return out0, nil
}

// PackSequencer is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x5c1bba38.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function sequencer() view returns(address)
func (bridge *Bridge) PackSequencer() []byte {
	enc, err := bridge.abi.Pack("sequencer")
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
func (bridge *Bridge) TryPackSequencer() ([]byte, error) {
	return bridge.abi.Pack("sequencer")
}

// UnpackSequencer is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x5c1bba38.
//
// Solidity: function sequencer() view returns(address)
func (bridge *Bridge) UnpackSequencer(data []byte) (common.Address, error) {
	out, err := bridge.abi.Unpack("sequencer", data)
	if err != nil {
		return *new(common.Address), err
	}
	out0 := *abi.ConvertType(out[0], new(common.Address)).(*common.Address)
	return out0, nil
}

// BridgeCreditFailed represents a CreditFailed event raised by the Bridge contract.
type BridgeCreditFailed struct {
	To     common.Address
	Amount *big.Int
	Raw    *types.Log // Blockchain specific contextual infos
}

const BridgeCreditFailedEventName = "CreditFailed"

// ContractEventName returns the user-defined event name.
func (BridgeCreditFailed) ContractEventName() string {
	return BridgeCreditFailedEventName
}

// UnpackCreditFailedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event CreditFailed(address to, uint256 amount)
func (bridge *Bridge) UnpackCreditFailedEvent(log *types.Log) (*BridgeCreditFailed, error) {
	event := "CreditFailed"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != bridge.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(BridgeCreditFailed)
	if len(log.Data) > 0 {
		if err := bridge.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range bridge.abi.Events[event].Inputs {
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

// BridgeCredited represents a Credited event raised by the Bridge contract.
type BridgeCredited struct {
	L1Block uint64
	To      common.Address
	Amount  *big.Int
	Raw     *types.Log // Blockchain specific contextual infos
}

const BridgeCreditedEventName = "Credited"

// ContractEventName returns the user-defined event name.
func (BridgeCredited) ContractEventName() string {
	return BridgeCreditedEventName
}

// UnpackCreditedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Credited(uint64 indexed l1Block, address indexed to, uint256 amount)
func (bridge *Bridge) UnpackCreditedEvent(log *types.Log) (*BridgeCredited, error) {
	event := "Credited"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != bridge.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(BridgeCredited)
	if len(log.Data) > 0 {
		if err := bridge.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range bridge.abi.Events[event].Inputs {
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
func (bridge *Bridge) UnpackError(raw []byte) (any, error) {
	if bytes.Equal(raw[:4], bridge.abi.Errors["L1BlockTooOld"].ID.Bytes()[:4]) {
		return bridge.UnpackL1BlockTooOldError(raw[4:])
	}
	if bytes.Equal(raw[:4], bridge.abi.Errors["LengthMismatch"].ID.Bytes()[:4]) {
		return bridge.UnpackLengthMismatchError(raw[4:])
	}
	if bytes.Equal(raw[:4], bridge.abi.Errors["NotSequencer"].ID.Bytes()[:4]) {
		return bridge.UnpackNotSequencerError(raw[4:])
	}
	return nil, errors.New("Unknown error")
}

// BridgeL1BlockTooOld represents a L1BlockTooOld error raised by the Bridge contract.
type BridgeL1BlockTooOld struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error L1BlockTooOld()
func BridgeL1BlockTooOldErrorID() common.Hash {
	return common.HexToHash("0xe251973e5a3c8ce9eca2a49520366efd62151f6ba13d0798d9d8af76c9c76d64")
}

// UnpackL1BlockTooOldError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error L1BlockTooOld()
func (bridge *Bridge) UnpackL1BlockTooOldError(raw []byte) (*BridgeL1BlockTooOld, error) {
	out := new(BridgeL1BlockTooOld)
	if err := bridge.abi.UnpackIntoInterface(out, "L1BlockTooOld", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// BridgeLengthMismatch represents a LengthMismatch error raised by the Bridge contract.
type BridgeLengthMismatch struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error LengthMismatch()
func BridgeLengthMismatchErrorID() common.Hash {
	return common.HexToHash("0xff633a3803c58b9bc21e58efecee59f27e033cc0b1883fccb4969c76146fe60f")
}

// UnpackLengthMismatchError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error LengthMismatch()
func (bridge *Bridge) UnpackLengthMismatchError(raw []byte) (*BridgeLengthMismatch, error) {
	out := new(BridgeLengthMismatch)
	if err := bridge.abi.UnpackIntoInterface(out, "LengthMismatch", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// BridgeNotSequencer represents a NotSequencer error raised by the Bridge contract.
type BridgeNotSequencer struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error NotSequencer()
func BridgeNotSequencerErrorID() common.Hash {
	return common.HexToHash("0x53e2827c451a0a0f171a8880e9c351ab8000b3d4f27c8efd66e3187f39b035eb")
}

// UnpackNotSequencerError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error NotSequencer()
func (bridge *Bridge) UnpackNotSequencerError(raw []byte) (*BridgeNotSequencer, error) {
	out := new(BridgeNotSequencer)
	if err := bridge.abi.UnpackIntoInterface(out, "NotSequencer", raw); err != nil {
		return nil, err
	}
	return out, nil
}
