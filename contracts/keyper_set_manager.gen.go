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

// KeyperSetManagerMetaData contains all meta data concerning the KeyperSetManager contract.
var KeyperSetManagerMetaData = bind.MetaData{
	ABI: "[{\"inputs\":[{\"internalType\":\"address\",\"name\":\"initialOwner\",\"type\":\"address\"}],\"stateMutability\":\"nonpayable\",\"type\":\"constructor\"},{\"inputs\":[],\"name\":\"ActivationTooEarly\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"BadThreshold\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"member\",\"type\":\"address\"}],\"name\":\"DuplicateMember\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"blockNumber\",\"type\":\"uint64\"}],\"name\":\"NoActiveKeyperSet\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"NoMembers\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"index\",\"type\":\"uint64\"}],\"name\":\"NoSuchKeyperSet\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"NotOwner\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"ZeroMember\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"ZeroOwner\",\"type\":\"error\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"uint64\",\"name\":\"index\",\"type\":\"uint64\"},{\"indexed\":false,\"internalType\":\"uint64\",\"name\":\"activationBlock\",\"type\":\"uint64\"},{\"indexed\":false,\"internalType\":\"uint64\",\"name\":\"threshold\",\"type\":\"uint64\"},{\"indexed\":false,\"internalType\":\"address[]\",\"name\":\"members\",\"type\":\"address[]\"}],\"name\":\"KeyperSetAdded\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"previousOwner\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"newOwner\",\"type\":\"address\"}],\"name\":\"OwnershipTransferred\",\"type\":\"event\"},{\"inputs\":[{\"internalType\":\"address[]\",\"name\":\"members\",\"type\":\"address[]\"},{\"internalType\":\"uint64\",\"name\":\"threshold\",\"type\":\"uint64\"},{\"internalType\":\"uint64\",\"name\":\"activationBlock\",\"type\":\"uint64\"}],\"name\":\"addKeyperSet\",\"outputs\":[{\"internalType\":\"uint64\",\"name\":\"index\",\"type\":\"uint64\"}],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"index\",\"type\":\"uint64\"},{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"keyperIndex\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"isMember\",\"type\":\"bool\"},{\"internalType\":\"uint64\",\"name\":\"keyper\",\"type\":\"uint64\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"index\",\"type\":\"uint64\"}],\"name\":\"keyperSet\",\"outputs\":[{\"internalType\":\"address[]\",\"name\":\"members\",\"type\":\"address[]\"},{\"internalType\":\"uint64\",\"name\":\"threshold\",\"type\":\"uint64\"},{\"internalType\":\"uint64\",\"name\":\"activationBlock\",\"type\":\"uint64\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"keyperSetCount\",\"outputs\":[{\"internalType\":\"uint64\",\"name\":\"\",\"type\":\"uint64\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"blockNumber\",\"type\":\"uint64\"}],\"name\":\"keyperSetIndexAt\",\"outputs\":[{\"internalType\":\"uint64\",\"name\":\"\",\"type\":\"uint64\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"index\",\"type\":\"uint64\"}],\"name\":\"keyperSetParams\",\"outputs\":[{\"internalType\":\"uint64\",\"name\":\"threshold\",\"type\":\"uint64\"},{\"internalType\":\"uint64\",\"name\":\"activationBlock\",\"type\":\"uint64\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"owner\",\"outputs\":[{\"internalType\":\"address\",\"name\":\"\",\"type\":\"address\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"newOwner\",\"type\":\"address\"}],\"name\":\"transferOwnership\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"}]",
	ID:  "KeyperSetManager",
	Bin: "0x6080604052348015600e575f5ffd5b50604051610b14380380610b14833981016040819052602b91609d565b6001600160a01b038116605157604051639905827b60e01b815260040160405180910390fd5b5f80546001600160a01b0319166001600160a01b03831690811782556040519091907f8be0079c531659141344cd1fd0a4f28419497f9722a3daafe3b4186f6b6457e0908290a35060c8565b5f6020828403121560ac575f5ffd5b81516001600160a01b038116811460c1575f5ffd5b9392505050565b610a3f806100d55f395ff3fe608060405234801561000f575f5ffd5b5060043610610085575f3560e01c80638da5cb5b116100585780638da5cb5b14610121578063ca204f441461014b578063d8e9e50c14610153578063f2fde38b14610185575f5ffd5b806338d165ac1461008957806339ad90b3146100c157806387ccb48b146100ec57806387e91ea1146100ff575b5f5ffd5b61009c6100973660046107b5565b61019a565b604080516001600160401b039384168152929091166020830152015b60405180910390f35b6100d46100cf3660046107b5565b6101c7565b6040516001600160401b0390911681526020016100b8565b6100d46100fa3660046107d5565b610294565b61011261010d3660046107b5565b610591565b6040516100b893929190610863565b5f54610133906001600160a01b031681565b6040516001600160a01b0390911681526020016100b8565b6001546100d4565b6101666101613660046108e8565b610624565b6040805192151583526001600160401b039091166020830152016100b8565b610198610193366004610919565b610689565b005b5f5f5f6101a684610733565b600101546001600160401b0380821696600160401b90920416945092505050565b6001545f9081905b80821015610251575f60026101e48385610946565b6101ee919061095f565b9050846001600160401b03166001828154811061020d5761020d61097e565b5f918252602090912060029091020160010154600160401b90046001600160401b03161161024757610240816001610946565b925061024b565b8091505b506101cf565b815f03610281576040516321ee299560e11b81526001600160401b03851660048201526024015b60405180910390fd5b61028c600183610992565b949350505050565b5f80546001600160a01b031633146102bf576040516330cd747160e01b815260040160405180910390fd5b5f8490036102e057604051630292d7c360e51b815260040160405180910390fd5b6001600160401b03831615806102fe57506001600160401b03831684105b1561031c5760405163b891a4fb60e01b815260040160405180910390fd5b43826001600160401b03161015610346576040516395ca511560e01b815260040160405180910390fd5b6001541580159061039c575060018054610361908290610992565b815481106103715761037161097e565b5f9182526020909120600160029092020101546001600160401b03600160401b909104811690831611155b156103ba576040516395ca511560e01b815260040160405180910390fd5b506001805480820190915560028082027fb10e2d527612073b26eecdfd717e6a320cf44b4afac2b0732d9fcbe2b7fa0cf7810180546001600160401b038781166fffffffffffffffffffffffffffffffff1990921691909117600160401b878316021790915583165f908152602092909252604082207fb10e2d527612073b26eecdfd717e6a320cf44b4afac2b0732d9fcbe2b7fa0cf6909101915b8681101561053f575f8888838181106104715761047161097e565b90506020020160208101906104869190610919565b90506001600160a01b0381166104af57604051633aa9e55360e11b815260040160405180910390fd5b6001600160a01b0381165f90815260208490526040902054156104f0576040516304b99be160e41b81526001600160a01b0382166004820152602401610278565b6104fb826001610946565b6001600160a01b039091165f81815260208581526040822093909355855460018181018855878352939091200180546001600160a01b031916909117905501610456565b50826001600160401b03167f877f8983c9b067400d798bd52128f3b8dcae3693e9ea0a9d5bb002d07b2a74e885878a8a60405161057f94939291906109a5565b60405180910390a25050949350505050565b60605f5f5f61059f85610733565b600181015481546040805160208084028201810190925282815293945084936001600160401b0380851694600160401b90041692909185919083018282801561060f57602002820191905f5260205f20905b81546001600160a01b031681526001909101906020018083116105f1575b50505050509250935093509350509193909250565b5f5f61062f84610733565b506001600160401b0384165f9081526002602090815260408083206001600160a01b038716845290915281205490819003610670575f5f9250925050610682565b600161067c8183610992565b92509250505b9250929050565b5f546001600160a01b031633146106b3576040516330cd747160e01b815260040160405180910390fd5b6001600160a01b0381166106da57604051639905827b60e01b815260040160405180910390fd5b5f80546040516001600160a01b03808516939216917f8be0079c531659141344cd1fd0a4f28419497f9722a3daafe3b4186f6b6457e091a35f80546001600160a01b0319166001600160a01b0392909216919091179055565b6001545f906001600160401b0383161061076b57604051637dcbf8eb60e11b81526001600160401b0383166004820152602401610278565b6001826001600160401b0316815481106107875761078761097e565b905f5260205f2090600202019050919050565b80356001600160401b03811681146107b0575f5ffd5b919050565b5f602082840312156107c5575f5ffd5b6107ce8261079a565b9392505050565b5f5f5f5f606085870312156107e8575f5ffd5b84356001600160401b038111156107fd575f5ffd5b8501601f8101871361080d575f5ffd5b80356001600160401b03811115610822575f5ffd5b8760208260051b8401011115610836575f5ffd5b60209182019550935061084a90860161079a565b91506108586040860161079a565b905092959194509250565b606080825284519082018190525f9060208601906080840190835b818110156108a55783516001600160a01b031683526020938401939092019160010161087e565b505080925050506001600160401b03841660208301526001600160401b0383166040830152949350505050565b80356001600160a01b03811681146107b0575f5ffd5b5f5f604083850312156108f9575f5ffd5b6109028361079a565b9150610910602084016108d2565b90509250929050565b5f60208284031215610929575f5ffd5b6107ce826108d2565b634e487b7160e01b5f52601160045260245ffd5b8082018082111561095957610959610932565b92915050565b5f8261097957634e487b7160e01b5f52601260045260245ffd5b500490565b634e487b7160e01b5f52603260045260245ffd5b8181038181111561095957610959610932565b6001600160401b0385811682528416602082015260606040820181905281018290525f8360808301825b858110156109fd576001600160a01b036109e8846108d2565b168252602092830192909101906001016109cf565b5097965050505050505056fea2646970667358221220fa778c0ad8a6a7be141cc3f5283ad91163409090bb83e83588870a1b06ab8d8d64736f6c63430008250033",
}

// KeyperSetManager is an auto generated Go binding around an Ethereum contract.
type KeyperSetManager struct {
	abi abi.ABI
}

// GetABI returns the ABI associated with this contract binding.
func (c *KeyperSetManager) GetABI() abi.ABI {
	return c.abi
}

// NewKeyperSetManager creates a new instance of KeyperSetManager.
func NewKeyperSetManager() *KeyperSetManager {
	parsed, err := KeyperSetManagerMetaData.ParseABI()
	if err != nil {
		panic(errors.New("invalid ABI: " + err.Error()))
	}
	return &KeyperSetManager{abi: *parsed}
}

// Instance creates a wrapper for a deployed contract instance at the given address.
// Use this to create the instance object passed to abigen v2 library functions Call, Transact, etc.
func (c *KeyperSetManager) Instance(backend bind.ContractBackend, addr common.Address) *bind.BoundContract {
	return bind.NewBoundContract(addr, c.abi, backend, backend, backend)
}

// PackConstructor is the Go binding used to pack the parameters required for
// contract deployment.
//
// Solidity: constructor(address initialOwner) returns()
func (keyperSetManager *KeyperSetManager) PackConstructor(initialOwner common.Address) []byte {
	enc, err := keyperSetManager.abi.Pack("", initialOwner)
	if err != nil {
		panic(err)
	}
	return enc
}

// PackAddKeyperSet is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x87ccb48b.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function addKeyperSet(address[] members, uint64 threshold, uint64 activationBlock) returns(uint64 index)
func (keyperSetManager *KeyperSetManager) PackAddKeyperSet(members []common.Address, threshold uint64, activationBlock uint64) []byte {
	enc, err := keyperSetManager.abi.Pack("addKeyperSet", members, threshold, activationBlock)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackAddKeyperSet is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x87ccb48b.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function addKeyperSet(address[] members, uint64 threshold, uint64 activationBlock) returns(uint64 index)
func (keyperSetManager *KeyperSetManager) TryPackAddKeyperSet(members []common.Address, threshold uint64, activationBlock uint64) ([]byte, error) {
	return keyperSetManager.abi.Pack("addKeyperSet", members, threshold, activationBlock)
}

// UnpackAddKeyperSet is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x87ccb48b.
//
// Solidity: function addKeyperSet(address[] members, uint64 threshold, uint64 activationBlock) returns(uint64 index)
func (keyperSetManager *KeyperSetManager) UnpackAddKeyperSet(data []byte) (uint64, error) {
	out, err := keyperSetManager.abi.Unpack("addKeyperSet", data)
	if err != nil {
		return *new(uint64), err
	}
	out0 := *abi.ConvertType(out[0], new(uint64)).(*uint64)
	return out0, nil
}

// PackKeyperIndex is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd8e9e50c.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function keyperIndex(uint64 index, address account) view returns(bool isMember, uint64 keyper)
func (keyperSetManager *KeyperSetManager) PackKeyperIndex(index uint64, account common.Address) []byte {
	enc, err := keyperSetManager.abi.Pack("keyperIndex", index, account)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackKeyperIndex is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd8e9e50c.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function keyperIndex(uint64 index, address account) view returns(bool isMember, uint64 keyper)
func (keyperSetManager *KeyperSetManager) TryPackKeyperIndex(index uint64, account common.Address) ([]byte, error) {
	return keyperSetManager.abi.Pack("keyperIndex", index, account)
}

// KeyperIndexOutput serves as a container for the return parameters of contract
// method KeyperIndex.
type KeyperIndexOutput struct {
	IsMember bool
	Keyper   uint64
}

// UnpackKeyperIndex is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xd8e9e50c.
//
// Solidity: function keyperIndex(uint64 index, address account) view returns(bool isMember, uint64 keyper)
func (keyperSetManager *KeyperSetManager) UnpackKeyperIndex(data []byte) (KeyperIndexOutput, error) {
	out, err := keyperSetManager.abi.Unpack("keyperIndex", data)
	outstruct := new(KeyperIndexOutput)
	if err != nil {
		return *outstruct, err
	}
	outstruct.IsMember = *abi.ConvertType(out[0], new(bool)).(*bool)
	outstruct.Keyper = *abi.ConvertType(out[1], new(uint64)).(*uint64)
	return *outstruct, nil
}

// PackKeyperSet is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x87e91ea1.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function keyperSet(uint64 index) view returns(address[] members, uint64 threshold, uint64 activationBlock)
func (keyperSetManager *KeyperSetManager) PackKeyperSet(index uint64) []byte {
	enc, err := keyperSetManager.abi.Pack("keyperSet", index)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackKeyperSet is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x87e91ea1.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function keyperSet(uint64 index) view returns(address[] members, uint64 threshold, uint64 activationBlock)
func (keyperSetManager *KeyperSetManager) TryPackKeyperSet(index uint64) ([]byte, error) {
	return keyperSetManager.abi.Pack("keyperSet", index)
}

// KeyperSetOutput serves as a container for the return parameters of contract
// method KeyperSet.
type KeyperSetOutput struct {
	Members         []common.Address
	Threshold       uint64
	ActivationBlock uint64
}

// UnpackKeyperSet is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x87e91ea1.
//
// Solidity: function keyperSet(uint64 index) view returns(address[] members, uint64 threshold, uint64 activationBlock)
func (keyperSetManager *KeyperSetManager) UnpackKeyperSet(data []byte) (KeyperSetOutput, error) {
	out, err := keyperSetManager.abi.Unpack("keyperSet", data)
	outstruct := new(KeyperSetOutput)
	if err != nil {
		return *outstruct, err
	}
	outstruct.Members = *abi.ConvertType(out[0], new([]common.Address)).(*[]common.Address)
	outstruct.Threshold = *abi.ConvertType(out[1], new(uint64)).(*uint64)
	outstruct.ActivationBlock = *abi.ConvertType(out[2], new(uint64)).(*uint64)
	return *outstruct, nil
}

// PackKeyperSetCount is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xca204f44.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function keyperSetCount() view returns(uint64)
func (keyperSetManager *KeyperSetManager) PackKeyperSetCount() []byte {
	enc, err := keyperSetManager.abi.Pack("keyperSetCount")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackKeyperSetCount is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xca204f44.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function keyperSetCount() view returns(uint64)
func (keyperSetManager *KeyperSetManager) TryPackKeyperSetCount() ([]byte, error) {
	return keyperSetManager.abi.Pack("keyperSetCount")
}

// UnpackKeyperSetCount is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xca204f44.
//
// Solidity: function keyperSetCount() view returns(uint64)
func (keyperSetManager *KeyperSetManager) UnpackKeyperSetCount(data []byte) (uint64, error) {
	out, err := keyperSetManager.abi.Unpack("keyperSetCount", data)
	if err != nil {
		return *new(uint64), err
	}
	out0 := *abi.ConvertType(out[0], new(uint64)).(*uint64)
	return out0, nil
}

// PackKeyperSetIndexAt is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x39ad90b3.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function keyperSetIndexAt(uint64 blockNumber) view returns(uint64)
func (keyperSetManager *KeyperSetManager) PackKeyperSetIndexAt(blockNumber uint64) []byte {
	enc, err := keyperSetManager.abi.Pack("keyperSetIndexAt", blockNumber)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackKeyperSetIndexAt is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x39ad90b3.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function keyperSetIndexAt(uint64 blockNumber) view returns(uint64)
func (keyperSetManager *KeyperSetManager) TryPackKeyperSetIndexAt(blockNumber uint64) ([]byte, error) {
	return keyperSetManager.abi.Pack("keyperSetIndexAt", blockNumber)
}

// UnpackKeyperSetIndexAt is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x39ad90b3.
//
// Solidity: function keyperSetIndexAt(uint64 blockNumber) view returns(uint64)
func (keyperSetManager *KeyperSetManager) UnpackKeyperSetIndexAt(data []byte) (uint64, error) {
	out, err := keyperSetManager.abi.Unpack("keyperSetIndexAt", data)
	if err != nil {
		return *new(uint64), err
	}
	out0 := *abi.ConvertType(out[0], new(uint64)).(*uint64)
	return out0, nil
}

// PackKeyperSetParams is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x38d165ac.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function keyperSetParams(uint64 index) view returns(uint64 threshold, uint64 activationBlock)
func (keyperSetManager *KeyperSetManager) PackKeyperSetParams(index uint64) []byte {
	enc, err := keyperSetManager.abi.Pack("keyperSetParams", index)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackKeyperSetParams is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x38d165ac.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function keyperSetParams(uint64 index) view returns(uint64 threshold, uint64 activationBlock)
func (keyperSetManager *KeyperSetManager) TryPackKeyperSetParams(index uint64) ([]byte, error) {
	return keyperSetManager.abi.Pack("keyperSetParams", index)
}

// KeyperSetParamsOutput serves as a container for the return parameters of contract
// method KeyperSetParams.
type KeyperSetParamsOutput struct {
	Threshold       uint64
	ActivationBlock uint64
}

// UnpackKeyperSetParams is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x38d165ac.
//
// Solidity: function keyperSetParams(uint64 index) view returns(uint64 threshold, uint64 activationBlock)
func (keyperSetManager *KeyperSetManager) UnpackKeyperSetParams(data []byte) (KeyperSetParamsOutput, error) {
	out, err := keyperSetManager.abi.Unpack("keyperSetParams", data)
	outstruct := new(KeyperSetParamsOutput)
	if err != nil {
		return *outstruct, err
	}
	outstruct.Threshold = *abi.ConvertType(out[0], new(uint64)).(*uint64)
	outstruct.ActivationBlock = *abi.ConvertType(out[1], new(uint64)).(*uint64)
	return *outstruct, nil
}

// PackOwner is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x8da5cb5b.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function owner() view returns(address)
func (keyperSetManager *KeyperSetManager) PackOwner() []byte {
	enc, err := keyperSetManager.abi.Pack("owner")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackOwner is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x8da5cb5b.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function owner() view returns(address)
func (keyperSetManager *KeyperSetManager) TryPackOwner() ([]byte, error) {
	return keyperSetManager.abi.Pack("owner")
}

// UnpackOwner is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x8da5cb5b.
//
// Solidity: function owner() view returns(address)
func (keyperSetManager *KeyperSetManager) UnpackOwner(data []byte) (common.Address, error) {
	out, err := keyperSetManager.abi.Unpack("owner", data)
	if err != nil {
		return *new(common.Address), err
	}
	out0 := *abi.ConvertType(out[0], new(common.Address)).(*common.Address)
	return out0, nil
}

// PackTransferOwnership is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf2fde38b.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function transferOwnership(address newOwner) returns()
func (keyperSetManager *KeyperSetManager) PackTransferOwnership(newOwner common.Address) []byte {
	enc, err := keyperSetManager.abi.Pack("transferOwnership", newOwner)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackTransferOwnership is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf2fde38b.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function transferOwnership(address newOwner) returns()
func (keyperSetManager *KeyperSetManager) TryPackTransferOwnership(newOwner common.Address) ([]byte, error) {
	return keyperSetManager.abi.Pack("transferOwnership", newOwner)
}

// KeyperSetManagerKeyperSetAdded represents a KeyperSetAdded event raised by the KeyperSetManager contract.
type KeyperSetManagerKeyperSetAdded struct {
	Index           uint64
	ActivationBlock uint64
	Threshold       uint64
	Members         []common.Address
	Raw             *types.Log // Blockchain specific contextual infos
}

const KeyperSetManagerKeyperSetAddedEventName = "KeyperSetAdded"

// ContractEventName returns the user-defined event name.
func (KeyperSetManagerKeyperSetAdded) ContractEventName() string {
	return KeyperSetManagerKeyperSetAddedEventName
}

// UnpackKeyperSetAddedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event KeyperSetAdded(uint64 indexed index, uint64 activationBlock, uint64 threshold, address[] members)
func (keyperSetManager *KeyperSetManager) UnpackKeyperSetAddedEvent(log *types.Log) (*KeyperSetManagerKeyperSetAdded, error) {
	event := "KeyperSetAdded"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != keyperSetManager.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(KeyperSetManagerKeyperSetAdded)
	if len(log.Data) > 0 {
		if err := keyperSetManager.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range keyperSetManager.abi.Events[event].Inputs {
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

// KeyperSetManagerOwnershipTransferred represents a OwnershipTransferred event raised by the KeyperSetManager contract.
type KeyperSetManagerOwnershipTransferred struct {
	PreviousOwner common.Address
	NewOwner      common.Address
	Raw           *types.Log // Blockchain specific contextual infos
}

const KeyperSetManagerOwnershipTransferredEventName = "OwnershipTransferred"

// ContractEventName returns the user-defined event name.
func (KeyperSetManagerOwnershipTransferred) ContractEventName() string {
	return KeyperSetManagerOwnershipTransferredEventName
}

// UnpackOwnershipTransferredEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event OwnershipTransferred(address indexed previousOwner, address indexed newOwner)
func (keyperSetManager *KeyperSetManager) UnpackOwnershipTransferredEvent(log *types.Log) (*KeyperSetManagerOwnershipTransferred, error) {
	event := "OwnershipTransferred"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != keyperSetManager.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(KeyperSetManagerOwnershipTransferred)
	if len(log.Data) > 0 {
		if err := keyperSetManager.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range keyperSetManager.abi.Events[event].Inputs {
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
func (keyperSetManager *KeyperSetManager) UnpackError(raw []byte) (any, error) {
	if bytes.Equal(raw[:4], keyperSetManager.abi.Errors["ActivationTooEarly"].ID.Bytes()[:4]) {
		return keyperSetManager.UnpackActivationTooEarlyError(raw[4:])
	}
	if bytes.Equal(raw[:4], keyperSetManager.abi.Errors["BadThreshold"].ID.Bytes()[:4]) {
		return keyperSetManager.UnpackBadThresholdError(raw[4:])
	}
	if bytes.Equal(raw[:4], keyperSetManager.abi.Errors["DuplicateMember"].ID.Bytes()[:4]) {
		return keyperSetManager.UnpackDuplicateMemberError(raw[4:])
	}
	if bytes.Equal(raw[:4], keyperSetManager.abi.Errors["NoActiveKeyperSet"].ID.Bytes()[:4]) {
		return keyperSetManager.UnpackNoActiveKeyperSetError(raw[4:])
	}
	if bytes.Equal(raw[:4], keyperSetManager.abi.Errors["NoMembers"].ID.Bytes()[:4]) {
		return keyperSetManager.UnpackNoMembersError(raw[4:])
	}
	if bytes.Equal(raw[:4], keyperSetManager.abi.Errors["NoSuchKeyperSet"].ID.Bytes()[:4]) {
		return keyperSetManager.UnpackNoSuchKeyperSetError(raw[4:])
	}
	if bytes.Equal(raw[:4], keyperSetManager.abi.Errors["NotOwner"].ID.Bytes()[:4]) {
		return keyperSetManager.UnpackNotOwnerError(raw[4:])
	}
	if bytes.Equal(raw[:4], keyperSetManager.abi.Errors["ZeroMember"].ID.Bytes()[:4]) {
		return keyperSetManager.UnpackZeroMemberError(raw[4:])
	}
	if bytes.Equal(raw[:4], keyperSetManager.abi.Errors["ZeroOwner"].ID.Bytes()[:4]) {
		return keyperSetManager.UnpackZeroOwnerError(raw[4:])
	}
	return nil, errors.New("Unknown error")
}

// KeyperSetManagerActivationTooEarly represents a ActivationTooEarly error raised by the KeyperSetManager contract.
type KeyperSetManagerActivationTooEarly struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ActivationTooEarly()
func KeyperSetManagerActivationTooEarlyErrorID() common.Hash {
	return common.HexToHash("0x95ca5115400041ca60133263ef1cae32869b867eb031295c1e79d15faeddeb38")
}

// UnpackActivationTooEarlyError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ActivationTooEarly()
func (keyperSetManager *KeyperSetManager) UnpackActivationTooEarlyError(raw []byte) (*KeyperSetManagerActivationTooEarly, error) {
	out := new(KeyperSetManagerActivationTooEarly)
	if err := keyperSetManager.abi.UnpackIntoInterface(out, "ActivationTooEarly", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// KeyperSetManagerBadThreshold represents a BadThreshold error raised by the KeyperSetManager contract.
type KeyperSetManagerBadThreshold struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error BadThreshold()
func KeyperSetManagerBadThresholdErrorID() common.Hash {
	return common.HexToHash("0xb891a4fb872548340c3f7d2fe74504b6b050e4d38d80f39dcdc59d9b22b44b8f")
}

// UnpackBadThresholdError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error BadThreshold()
func (keyperSetManager *KeyperSetManager) UnpackBadThresholdError(raw []byte) (*KeyperSetManagerBadThreshold, error) {
	out := new(KeyperSetManagerBadThreshold)
	if err := keyperSetManager.abi.UnpackIntoInterface(out, "BadThreshold", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// KeyperSetManagerDuplicateMember represents a DuplicateMember error raised by the KeyperSetManager contract.
type KeyperSetManagerDuplicateMember struct {
	Member common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error DuplicateMember(address member)
func KeyperSetManagerDuplicateMemberErrorID() common.Hash {
	return common.HexToHash("0x4b99be106ca88ce66b1359b681c216ce5d48a463451988067d965493ce6d27f5")
}

// UnpackDuplicateMemberError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error DuplicateMember(address member)
func (keyperSetManager *KeyperSetManager) UnpackDuplicateMemberError(raw []byte) (*KeyperSetManagerDuplicateMember, error) {
	out := new(KeyperSetManagerDuplicateMember)
	if err := keyperSetManager.abi.UnpackIntoInterface(out, "DuplicateMember", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// KeyperSetManagerNoActiveKeyperSet represents a NoActiveKeyperSet error raised by the KeyperSetManager contract.
type KeyperSetManagerNoActiveKeyperSet struct {
	BlockNumber uint64
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error NoActiveKeyperSet(uint64 blockNumber)
func KeyperSetManagerNoActiveKeyperSetErrorID() common.Hash {
	return common.HexToHash("0x43dc532a74c54c31db3512e653d9f06c7ce4349034e521e69389b8316a04f8e7")
}

// UnpackNoActiveKeyperSetError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error NoActiveKeyperSet(uint64 blockNumber)
func (keyperSetManager *KeyperSetManager) UnpackNoActiveKeyperSetError(raw []byte) (*KeyperSetManagerNoActiveKeyperSet, error) {
	out := new(KeyperSetManagerNoActiveKeyperSet)
	if err := keyperSetManager.abi.UnpackIntoInterface(out, "NoActiveKeyperSet", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// KeyperSetManagerNoMembers represents a NoMembers error raised by the KeyperSetManager contract.
type KeyperSetManagerNoMembers struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error NoMembers()
func KeyperSetManagerNoMembersErrorID() common.Hash {
	return common.HexToHash("0x525af86082190345906ef416e74f1be05a6393d0d1c69bb48eebc742c21a34ba")
}

// UnpackNoMembersError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error NoMembers()
func (keyperSetManager *KeyperSetManager) UnpackNoMembersError(raw []byte) (*KeyperSetManagerNoMembers, error) {
	out := new(KeyperSetManagerNoMembers)
	if err := keyperSetManager.abi.UnpackIntoInterface(out, "NoMembers", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// KeyperSetManagerNoSuchKeyperSet represents a NoSuchKeyperSet error raised by the KeyperSetManager contract.
type KeyperSetManagerNoSuchKeyperSet struct {
	Index uint64
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error NoSuchKeyperSet(uint64 index)
func KeyperSetManagerNoSuchKeyperSetErrorID() common.Hash {
	return common.HexToHash("0xfb97f1d616c1924ca5b74dbd93bb6586e24e4fde414fe860e4e45f49ecd74c23")
}

// UnpackNoSuchKeyperSetError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error NoSuchKeyperSet(uint64 index)
func (keyperSetManager *KeyperSetManager) UnpackNoSuchKeyperSetError(raw []byte) (*KeyperSetManagerNoSuchKeyperSet, error) {
	out := new(KeyperSetManagerNoSuchKeyperSet)
	if err := keyperSetManager.abi.UnpackIntoInterface(out, "NoSuchKeyperSet", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// KeyperSetManagerNotOwner represents a NotOwner error raised by the KeyperSetManager contract.
type KeyperSetManagerNotOwner struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error NotOwner()
func KeyperSetManagerNotOwnerErrorID() common.Hash {
	return common.HexToHash("0x30cd74712f59d478562d48e2d35de830db72c60a63dd08ae59199eec990b5bc4")
}

// UnpackNotOwnerError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error NotOwner()
func (keyperSetManager *KeyperSetManager) UnpackNotOwnerError(raw []byte) (*KeyperSetManagerNotOwner, error) {
	out := new(KeyperSetManagerNotOwner)
	if err := keyperSetManager.abi.UnpackIntoInterface(out, "NotOwner", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// KeyperSetManagerZeroMember represents a ZeroMember error raised by the KeyperSetManager contract.
type KeyperSetManagerZeroMember struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ZeroMember()
func KeyperSetManagerZeroMemberErrorID() common.Hash {
	return common.HexToHash("0x7553caa6a7b0ddb1dba7e7fe0e24456b98ff20955606dbf7fd658e4702c19fee")
}

// UnpackZeroMemberError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ZeroMember()
func (keyperSetManager *KeyperSetManager) UnpackZeroMemberError(raw []byte) (*KeyperSetManagerZeroMember, error) {
	out := new(KeyperSetManagerZeroMember)
	if err := keyperSetManager.abi.UnpackIntoInterface(out, "ZeroMember", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// KeyperSetManagerZeroOwner represents a ZeroOwner error raised by the KeyperSetManager contract.
type KeyperSetManagerZeroOwner struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ZeroOwner()
func KeyperSetManagerZeroOwnerErrorID() common.Hash {
	return common.HexToHash("0x9905827b514da707a2fe590832730f62a8d762cc0f2ba71de8065112256c3068")
}

// UnpackZeroOwnerError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ZeroOwner()
func (keyperSetManager *KeyperSetManager) UnpackZeroOwnerError(raw []byte) (*KeyperSetManagerZeroOwner, error) {
	out := new(KeyperSetManagerZeroOwner)
	if err := keyperSetManager.abi.UnpackIntoInterface(out, "ZeroOwner", raw); err != nil {
		return nil, err
	}
	return out, nil
}
