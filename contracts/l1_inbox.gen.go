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

// L1InboxMetaData contains all meta data concerning the L1Inbox contract.
var L1InboxMetaData = bind.MetaData{
	ABI: "[{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"deadline_\",\"type\":\"uint64\"}],\"stateMutability\":\"nonpayable\",\"type\":\"constructor\"},{\"inputs\":[],\"name\":\"EmptyEnvelope\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"EnvelopeTooLarge\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"ZeroDeadline\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"ZeroDeposit\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"ZeroRecipient\",\"type\":\"error\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"},{\"indexed\":true,\"internalType\":\"uint64\",\"name\":\"index\",\"type\":\"uint64\"},{\"indexed\":false,\"internalType\":\"address\",\"name\":\"from\",\"type\":\"address\"}],\"name\":\"Deposit\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"uint64\",\"name\":\"index\",\"type\":\"uint64\"},{\"indexed\":false,\"internalType\":\"uint64\",\"name\":\"l1Block\",\"type\":\"uint64\"},{\"indexed\":false,\"internalType\":\"uint64\",\"name\":\"deadlineBlock\",\"type\":\"uint64\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"sender\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"bytes\",\"name\":\"envelope\",\"type\":\"bytes\"}],\"name\":\"ForcedEnvelope\",\"type\":\"event\"},{\"inputs\":[],\"name\":\"MAX_ENVELOPE_SIZE\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"deadline\",\"outputs\":[{\"internalType\":\"uint64\",\"name\":\"\",\"type\":\"uint64\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"}],\"name\":\"deposit\",\"outputs\":[],\"stateMutability\":\"payable\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"depositCount\",\"outputs\":[{\"internalType\":\"uint64\",\"name\":\"\",\"type\":\"uint64\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes\",\"name\":\"envelope\",\"type\":\"bytes\"}],\"name\":\"forceEnvelope\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"forcedCount\",\"outputs\":[{\"internalType\":\"uint64\",\"name\":\"\",\"type\":\"uint64\"}],\"stateMutability\":\"view\",\"type\":\"function\"}]",
	ID:  "L1Inbox",
	Bin: "0x60a0604052348015600e575f5ffd5b50604051610566380380610566833981016040819052602b916063565b806001600160401b03165f0360535760405163f728a30560e01b815260040160405180910390fd5b6001600160401b0316608052608e565b5f602082840312156072575f5ffd5b81516001600160401b03811681146087575f5ffd5b9392505050565b6080516104ba6100ac5f395f81816069015261020901526104ba5ff3fe608060405260043610610054575f3560e01c806329dcb0cf146100585780632dfdf0b5146100a857806386558e50146100c6578063935227ed146100e7578063a5ac86191461010c578063f340fa0114610130575b5f5ffd5b348015610063575f5ffd5b5061008b7f000000000000000000000000000000000000000000000000000000000000000081565b6040516001600160401b0390911681526020015b60405180910390f35b3480156100b3575f5ffd5b505f5461008b906001600160401b031681565b3480156100d1575f5ffd5b506100e56100e036600461033a565b610143565b005b3480156100f2575f5ffd5b505f5461008b90600160401b90046001600160401b031681565b348015610117575f5ffd5b506101226202000081565b60405190815260200161009f565b6100e561013e3660046103a6565b610253565b5f8190036101645760405163734b26ad60e01b815260040160405180910390fd5b6202000081111561018857604051636e1b653f60e11b815260040160405180910390fd5b5f8054600160401b90046001600160401b03168160086101a7836103e7565b91906101000a8154816001600160401b0302191690836001600160401b0316021790555090505f439050336001600160a01b0316826001600160401b03167facb6abe54a3a9a0f30869b897df98eccb88ef0ee6353243eafde1d5148cf4e01837f0000000000000000000000000000000000000000000000000000000000000000856102339190610411565b88886040516102459493929190610436565b60405180910390a350505050565b345f03610273576040516356316e8760e01b815260040160405180910390fd5b6001600160a01b03811661029a5760405163d27b444360e01b815260040160405180910390fd5b5f80546001600160401b031681806102b1836103e7565b91906101000a8154816001600160401b0302191690836001600160401b031602179055509050806001600160401b0316826001600160a01b03167f4b00f89941af141e409aec24a2b41a18e1c8e9776802f52e8b46494e5c3f33dd343360405161032e9291909182526001600160a01b0316602082015260400190565b60405180910390a35050565b5f5f6020838503121561034b575f5ffd5b82356001600160401b03811115610360575f5ffd5b8301601f81018513610370575f5ffd5b80356001600160401b03811115610385575f5ffd5b856020828401011115610396575f5ffd5b6020919091019590945092505050565b5f602082840312156103b6575f5ffd5b81356001600160a01b03811681146103cc575f5ffd5b9392505050565b634e487b7160e01b5f52601160045260245ffd5b5f6001600160401b0382166001600160401b038103610408576104086103d3565b60010192915050565b6001600160401b038181168382160190811115610430576104306103d3565b92915050565b6001600160401b03851681526001600160401b038416602082015260606040820152816060820152818360808301375f818301608090810191909152601f909201601f19160101939250505056fea2646970667358221220b0eedb286beb51e52ddb1d253edb40c5487f27b78766948ea1e842499d8d0e0564736f6c63430008250033",
}

// L1Inbox is an auto generated Go binding around an Ethereum contract.
type L1Inbox struct {
	abi abi.ABI
}

// GetABI returns the ABI associated with this contract binding.
func (c *L1Inbox) GetABI() abi.ABI {
	return c.abi
}

// NewL1Inbox creates a new instance of L1Inbox.
func NewL1Inbox() *L1Inbox {
	parsed, err := L1InboxMetaData.ParseABI()
	if err != nil {
		panic(errors.New("invalid ABI: " + err.Error()))
	}
	return &L1Inbox{abi: *parsed}
}

// Instance creates a wrapper for a deployed contract instance at the given address.
// Use this to create the instance object passed to abigen v2 library functions Call, Transact, etc.
func (c *L1Inbox) Instance(backend bind.ContractBackend, addr common.Address) *bind.BoundContract {
	return bind.NewBoundContract(addr, c.abi, backend, backend, backend)
}

// PackConstructor is the Go binding used to pack the parameters required for
// contract deployment.
//
// Solidity: constructor(uint64 deadline_) returns()
func (l1Inbox *L1Inbox) PackConstructor(deadline_ uint64) []byte {
	enc, err := l1Inbox.abi.Pack("", deadline_)
	if err != nil {
		panic(err)
	}
	return enc
}

// PackMAXENVELOPESIZE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa5ac8619.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function MAX_ENVELOPE_SIZE() view returns(uint256)
func (l1Inbox *L1Inbox) PackMAXENVELOPESIZE() []byte {
	enc, err := l1Inbox.abi.Pack("MAX_ENVELOPE_SIZE")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackMAXENVELOPESIZE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa5ac8619.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function MAX_ENVELOPE_SIZE() view returns(uint256)
func (l1Inbox *L1Inbox) TryPackMAXENVELOPESIZE() ([]byte, error) {
	return l1Inbox.abi.Pack("MAX_ENVELOPE_SIZE")
}

// UnpackMAXENVELOPESIZE is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xa5ac8619.
//
// Solidity: function MAX_ENVELOPE_SIZE() view returns(uint256)
func (l1Inbox *L1Inbox) UnpackMAXENVELOPESIZE(data []byte) (*big.Int, error) {
	out, err := l1Inbox.abi.Unpack("MAX_ENVELOPE_SIZE", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackDeadline is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x29dcb0cf.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function deadline() view returns(uint64)
func (l1Inbox *L1Inbox) PackDeadline() []byte {
	enc, err := l1Inbox.abi.Pack("deadline")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackDeadline is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x29dcb0cf.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function deadline() view returns(uint64)
func (l1Inbox *L1Inbox) TryPackDeadline() ([]byte, error) {
	return l1Inbox.abi.Pack("deadline")
}

// UnpackDeadline is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x29dcb0cf.
//
// Solidity: function deadline() view returns(uint64)
func (l1Inbox *L1Inbox) UnpackDeadline(data []byte) (uint64, error) {
	out, err := l1Inbox.abi.Unpack("deadline", data)
	if err != nil {
		return *new(uint64), err
	}
	out0 := *abi.ConvertType(out[0], new(uint64)).(*uint64)
	return out0, nil
}

// PackDeposit is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf340fa01.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function deposit(address to) payable returns()
func (l1Inbox *L1Inbox) PackDeposit(to common.Address) []byte {
	enc, err := l1Inbox.abi.Pack("deposit", to)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackDeposit is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf340fa01.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function deposit(address to) payable returns()
func (l1Inbox *L1Inbox) TryPackDeposit(to common.Address) ([]byte, error) {
	return l1Inbox.abi.Pack("deposit", to)
}

// PackDepositCount is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x2dfdf0b5.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function depositCount() view returns(uint64)
func (l1Inbox *L1Inbox) PackDepositCount() []byte {
	enc, err := l1Inbox.abi.Pack("depositCount")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackDepositCount is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x2dfdf0b5.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function depositCount() view returns(uint64)
func (l1Inbox *L1Inbox) TryPackDepositCount() ([]byte, error) {
	return l1Inbox.abi.Pack("depositCount")
}

// UnpackDepositCount is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x2dfdf0b5.
//
// Solidity: function depositCount() view returns(uint64)
func (l1Inbox *L1Inbox) UnpackDepositCount(data []byte) (uint64, error) {
	out, err := l1Inbox.abi.Unpack("depositCount", data)
	if err != nil {
		return *new(uint64), err
	}
	out0 := *abi.ConvertType(out[0], new(uint64)).(*uint64)
	return out0, nil
}

// PackForceEnvelope is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x86558e50.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function forceEnvelope(bytes envelope) returns()
func (l1Inbox *L1Inbox) PackForceEnvelope(envelope []byte) []byte {
	enc, err := l1Inbox.abi.Pack("forceEnvelope", envelope)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackForceEnvelope is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x86558e50.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function forceEnvelope(bytes envelope) returns()
func (l1Inbox *L1Inbox) TryPackForceEnvelope(envelope []byte) ([]byte, error) {
	return l1Inbox.abi.Pack("forceEnvelope", envelope)
}

// PackForcedCount is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x935227ed.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function forcedCount() view returns(uint64)
func (l1Inbox *L1Inbox) PackForcedCount() []byte {
	enc, err := l1Inbox.abi.Pack("forcedCount")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackForcedCount is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x935227ed.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function forcedCount() view returns(uint64)
func (l1Inbox *L1Inbox) TryPackForcedCount() ([]byte, error) {
	return l1Inbox.abi.Pack("forcedCount")
}

// UnpackForcedCount is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x935227ed.
//
// Solidity: function forcedCount() view returns(uint64)
func (l1Inbox *L1Inbox) UnpackForcedCount(data []byte) (uint64, error) {
	out, err := l1Inbox.abi.Unpack("forcedCount", data)
	if err != nil {
		return *new(uint64), err
	}
	out0 := *abi.ConvertType(out[0], new(uint64)).(*uint64)
	return out0, nil
}

// L1InboxDeposit represents a Deposit event raised by the L1Inbox contract.
type L1InboxDeposit struct {
	To     common.Address
	Amount *big.Int
	Index  uint64
	From   common.Address
	Raw    *types.Log // Blockchain specific contextual infos
}

const L1InboxDepositEventName = "Deposit"

// ContractEventName returns the user-defined event name.
func (L1InboxDeposit) ContractEventName() string {
	return L1InboxDepositEventName
}

// UnpackDepositEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Deposit(address indexed to, uint256 amount, uint64 indexed index, address from)
func (l1Inbox *L1Inbox) UnpackDepositEvent(log *types.Log) (*L1InboxDeposit, error) {
	event := "Deposit"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != l1Inbox.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(L1InboxDeposit)
	if len(log.Data) > 0 {
		if err := l1Inbox.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range l1Inbox.abi.Events[event].Inputs {
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

// L1InboxForcedEnvelope represents a ForcedEnvelope event raised by the L1Inbox contract.
type L1InboxForcedEnvelope struct {
	Index         uint64
	L1Block       uint64
	DeadlineBlock uint64
	Sender        common.Address
	Envelope      []byte
	Raw           *types.Log // Blockchain specific contextual infos
}

const L1InboxForcedEnvelopeEventName = "ForcedEnvelope"

// ContractEventName returns the user-defined event name.
func (L1InboxForcedEnvelope) ContractEventName() string {
	return L1InboxForcedEnvelopeEventName
}

// UnpackForcedEnvelopeEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event ForcedEnvelope(uint64 indexed index, uint64 l1Block, uint64 deadlineBlock, address indexed sender, bytes envelope)
func (l1Inbox *L1Inbox) UnpackForcedEnvelopeEvent(log *types.Log) (*L1InboxForcedEnvelope, error) {
	event := "ForcedEnvelope"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != l1Inbox.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(L1InboxForcedEnvelope)
	if len(log.Data) > 0 {
		if err := l1Inbox.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range l1Inbox.abi.Events[event].Inputs {
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
func (l1Inbox *L1Inbox) UnpackError(raw []byte) (any, error) {
	if bytes.Equal(raw[:4], l1Inbox.abi.Errors["EmptyEnvelope"].ID.Bytes()[:4]) {
		return l1Inbox.UnpackEmptyEnvelopeError(raw[4:])
	}
	if bytes.Equal(raw[:4], l1Inbox.abi.Errors["EnvelopeTooLarge"].ID.Bytes()[:4]) {
		return l1Inbox.UnpackEnvelopeTooLargeError(raw[4:])
	}
	if bytes.Equal(raw[:4], l1Inbox.abi.Errors["ZeroDeadline"].ID.Bytes()[:4]) {
		return l1Inbox.UnpackZeroDeadlineError(raw[4:])
	}
	if bytes.Equal(raw[:4], l1Inbox.abi.Errors["ZeroDeposit"].ID.Bytes()[:4]) {
		return l1Inbox.UnpackZeroDepositError(raw[4:])
	}
	if bytes.Equal(raw[:4], l1Inbox.abi.Errors["ZeroRecipient"].ID.Bytes()[:4]) {
		return l1Inbox.UnpackZeroRecipientError(raw[4:])
	}
	return nil, errors.New("Unknown error")
}

// L1InboxEmptyEnvelope represents a EmptyEnvelope error raised by the L1Inbox contract.
type L1InboxEmptyEnvelope struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error EmptyEnvelope()
func L1InboxEmptyEnvelopeErrorID() common.Hash {
	return common.HexToHash("0x734b26ad9e400b37a0b24d275494e931fcc4d0895fd121c064efa0130ab3360e")
}

// UnpackEmptyEnvelopeError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error EmptyEnvelope()
func (l1Inbox *L1Inbox) UnpackEmptyEnvelopeError(raw []byte) (*L1InboxEmptyEnvelope, error) {
	out := new(L1InboxEmptyEnvelope)
	if err := l1Inbox.abi.UnpackIntoInterface(out, "EmptyEnvelope", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// L1InboxEnvelopeTooLarge represents a EnvelopeTooLarge error raised by the L1Inbox contract.
type L1InboxEnvelopeTooLarge struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error EnvelopeTooLarge()
func L1InboxEnvelopeTooLargeErrorID() common.Hash {
	return common.HexToHash("0xdc36ca7ef15130790a6dbc07dc0002717b4cd0288f79383ee6f8732d8d7ceda0")
}

// UnpackEnvelopeTooLargeError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error EnvelopeTooLarge()
func (l1Inbox *L1Inbox) UnpackEnvelopeTooLargeError(raw []byte) (*L1InboxEnvelopeTooLarge, error) {
	out := new(L1InboxEnvelopeTooLarge)
	if err := l1Inbox.abi.UnpackIntoInterface(out, "EnvelopeTooLarge", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// L1InboxZeroDeadline represents a ZeroDeadline error raised by the L1Inbox contract.
type L1InboxZeroDeadline struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ZeroDeadline()
func L1InboxZeroDeadlineErrorID() common.Hash {
	return common.HexToHash("0xf728a305662ee692e8240aaef8390ee05c021665435f99cf4a10cdb935020d1f")
}

// UnpackZeroDeadlineError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ZeroDeadline()
func (l1Inbox *L1Inbox) UnpackZeroDeadlineError(raw []byte) (*L1InboxZeroDeadline, error) {
	out := new(L1InboxZeroDeadline)
	if err := l1Inbox.abi.UnpackIntoInterface(out, "ZeroDeadline", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// L1InboxZeroDeposit represents a ZeroDeposit error raised by the L1Inbox contract.
type L1InboxZeroDeposit struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ZeroDeposit()
func L1InboxZeroDepositErrorID() common.Hash {
	return common.HexToHash("0x56316e877e9063fd05b03c347d61a4639470c3199f0bdddd28efee0a5f8b6b02")
}

// UnpackZeroDepositError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ZeroDeposit()
func (l1Inbox *L1Inbox) UnpackZeroDepositError(raw []byte) (*L1InboxZeroDeposit, error) {
	out := new(L1InboxZeroDeposit)
	if err := l1Inbox.abi.UnpackIntoInterface(out, "ZeroDeposit", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// L1InboxZeroRecipient represents a ZeroRecipient error raised by the L1Inbox contract.
type L1InboxZeroRecipient struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ZeroRecipient()
func L1InboxZeroRecipientErrorID() common.Hash {
	return common.HexToHash("0xd27b44434400f41bccba90cdfad4d72c6c290b6d2304333570252b0a1dc90ded")
}

// UnpackZeroRecipientError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ZeroRecipient()
func (l1Inbox *L1Inbox) UnpackZeroRecipientError(raw []byte) (*L1InboxZeroRecipient, error) {
	out := new(L1InboxZeroRecipient)
	if err := l1Inbox.abi.UnpackIntoInterface(out, "ZeroRecipient", raw); err != nil {
		return nil, err
	}
	return out, nil
}
