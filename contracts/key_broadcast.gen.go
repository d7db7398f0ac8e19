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

// KeyBroadcastMetaData contains all meta data concerning the KeyBroadcast contract.
var KeyBroadcastMetaData = bind.MetaData{
	ABI: "[{\"inputs\":[{\"internalType\":\"contractKeyperSetManager\",\"name\":\"manager\",\"type\":\"address\"}],\"stateMutability\":\"nonpayable\",\"type\":\"constructor\"},{\"inputs\":[],\"name\":\"AlreadyVoted\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"BadKeyLength\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"eon\",\"type\":\"uint64\"}],\"name\":\"EonKeyAlreadyAccepted\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"InvalidKey\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"index\",\"type\":\"uint64\"}],\"name\":\"KeyperSetSuperseded\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"index\",\"type\":\"uint64\"}],\"name\":\"NoSuchKeyperSet\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"NotAMember\",\"type\":\"error\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"uint64\",\"name\":\"eon\",\"type\":\"uint64\"},{\"indexed\":true,\"internalType\":\"uint64\",\"name\":\"keyperSetIndex\",\"type\":\"uint64\"},{\"indexed\":false,\"internalType\":\"bytes\",\"name\":\"key\",\"type\":\"bytes\"}],\"name\":\"EonKeyAccepted\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"uint64\",\"name\":\"keyperSetIndex\",\"type\":\"uint64\"},{\"indexed\":true,\"internalType\":\"uint64\",\"name\":\"eon\",\"type\":\"uint64\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"voter\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"bytes32\",\"name\":\"keyHash\",\"type\":\"bytes32\"},{\"indexed\":false,\"internalType\":\"uint64\",\"name\":\"votes\",\"type\":\"uint64\"}],\"name\":\"EonKeyVoted\",\"type\":\"event\"},{\"inputs\":[],\"name\":\"KEY_SIZE\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"eon\",\"type\":\"uint64\"}],\"name\":\"eonKey\",\"outputs\":[{\"internalType\":\"bytes\",\"name\":\"key\",\"type\":\"bytes\"},{\"internalType\":\"uint64\",\"name\":\"keyperSetIndex\",\"type\":\"uint64\"},{\"internalType\":\"uint64\",\"name\":\"activationBlock\",\"type\":\"uint64\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"keyperSetIndex\",\"type\":\"uint64\"},{\"internalType\":\"uint64\",\"name\":\"eon\",\"type\":\"uint64\"},{\"internalType\":\"address\",\"name\":\"voter\",\"type\":\"address\"}],\"name\":\"hasVoted\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"keyperSetManager\",\"outputs\":[{\"internalType\":\"contractKeyperSetManager\",\"name\":\"\",\"type\":\"address\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"keyperSetIndex\",\"type\":\"uint64\"},{\"internalType\":\"uint64\",\"name\":\"eon\",\"type\":\"uint64\"},{\"internalType\":\"bytes\",\"name\":\"key\",\"type\":\"bytes\"}],\"name\":\"voteEonKey\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"keyperSetIndex\",\"type\":\"uint64\"},{\"internalType\":\"uint64\",\"name\":\"eon\",\"type\":\"uint64\"},{\"internalType\":\"bytes32\",\"name\":\"keyHash\",\"type\":\"bytes32\"}],\"name\":\"votes\",\"outputs\":[{\"internalType\":\"uint64\",\"name\":\"\",\"type\":\"uint64\"}],\"stateMutability\":\"view\",\"type\":\"function\"}]",
	ID:  "KeyBroadcast",
	Bin: "0x60a060405234801561000f575f5ffd5b50604051610f21380380610f2183398101604081905261002e9161003f565b6001600160a01b031660805261006c565b5f6020828403121561004f575f5ffd5b81516001600160a01b0381168114610065575f5ffd5b9392505050565b608051610e816100a05f395f8181610172015281816101af015281816102a00152818161039401526106330152610e815ff3fe608060405234801561000f575f5ffd5b5060043610610060575f3560e01c806330120a1e14610064578063717940dc146100795780637642d0de14610095578063aed7d3f5146100f2578063bb7f7bd91461014b578063d4b2cedd1461016d575b5f5ffd5b6100776100723660046109c8565b6101ac565b005b61008261010081565b6040519081526020015b60405180910390f35b6100e26100a3366004610a54565b6001600160401b039283165f9081526001602090815260408083209490951682529283528381206001600160a01b039290921681529152205460ff1690565b604051901515815260200161008c565b610133610100366004610aa7565b6001600160401b039283165f90815260026020908152604080832094861683529381528382209282529190915220541690565b6040516001600160401b03909116815260200161008c565b61015e610159366004610ae5565b6107be565b60405161008c93929190610b07565b6101947f000000000000000000000000000000000000000000000000000000000000000081565b6040516001600160a01b03909116815260200161008c565b5f7f00000000000000000000000000000000000000000000000000000000000000006001600160a01b031663ca204f446040518163ffffffff1660e01b8152600401602060405180830381865afa158015610209573d5f5f3e3d5ffd5b505050506040513d601f19601f8201168201806040525081019061022d9190610b5c565b9050806001600160401b0316856001600160401b03161061027157604051637dcbf8eb60e11b81526001600160401b03861660048201526024015b60405180910390fd5b6001600160401b038116610286866001610b8b565b6001600160401b0316101561036e575f6001600160a01b037f0000000000000000000000000000000000000000000000000000000000000000166338d165ac6102d0886001610b8b565b6040516001600160e01b031960e084901b1681526001600160401b0390911660048201526024016040805180830381865afa158015610311573d5f5f3e3d5ffd5b505050506040513d601f19601f820116820180604052508101906103359190610bb0565b91505043816001600160401b03161161036c57604051631c1cf1a560e11b81526001600160401b0387166004820152602401610268565b505b60405163363a794360e21b81526001600160401b03861660048201523360248201525f907f00000000000000000000000000000000000000000000000000000000000000006001600160a01b03169063d8e9e50c906044016040805180830381865afa1580156103e0573d5f5f3e3d5ffd5b505050506040513d601f19601f820116820180604052508101906104049190610be8565b50905080610425576040516305031d1160e31b815260040160405180910390fd5b6001600160401b0385165f908152602081905260409020805461044790610c08565b15905061047257604051630cbca56160e11b81526001600160401b0386166004820152602401610268565b6001600160401b038087165f90815260016020908152604080832093891683529281528282203383529052205460ff16156104c057604051637c9a1cf960e01b815260040160405180910390fd5b61010083146104e1576040516275c73d60e01b815260040160405180910390fd5b6104eb848461088c565b6001600160401b038087165f908152600160208181526040808420948a1684529381528383203384529052828220805460ff1916909117905590516105339086908690610c40565b60408051918290039091206001600160401b03808a165f908152600260209081528482208b8416835281528482208483529052928320805492945091839161057b9116610c4f565b91906101000a8154816001600160401b0302191690836001600160401b0316021790559050336001600160a01b0316876001600160401b0316896001600160401b03167f9f6c31942a6028e43f560814e02b4d34b55b3db5e65378a285d4ae4072d77d8885856040516106019291909182526001600160401b0316602082015260400190565b60405180910390a4604051630e34596b60e21b81526001600160401b03891660048201525f9081906001600160a01b037f000000000000000000000000000000000000000000000000000000000000000016906338d165ac906024016040805180830381865afa158015610677573d5f5f3e3d5ffd5b505050506040513d601f19601f8201168201806040525081019061069b9190610bb0565b91509150816001600160401b0316836001600160401b0316036107b257604051806060016040528089898080601f0160208091040260200160405190810160405280939291908181526020018383808284375f9201829052509385525050506001600160401b03808e16602080850191909152858216604094850152908d168252819052208151819061072e9082610ce4565b506020820151600190910180546040938401516001600160401b03908116600160401b026fffffffffffffffffffffffffffffffff199092169381169390931717905590518b8216918b16907f4b0528604c15307f686310746cec10ed2fe324c0e5d4fa8d01e51b76a7c771f4906107a9908c908c90610d9e565b60405180910390a35b50505050505050505050565b6001600160401b038082165f90815260208190526040812060018101548154606094849392839281831692600160401b90920490911690839061080090610c08565b80601f016020809104026020016040519081016040528092919081815260200182805461082c90610c08565b80156108775780601f1061084e57610100808354040283529160200191610877565b820191905f5260205f20905b81548152906001019060200180831161085a57829003601f168201915b50505050509250935093509350509193909250565b60015f5b6101008110156108dd578381846108a8826020610dcc565b926108b593929190610ddf565b6108be91610e06565b156108cb575f91506108dd565b6108d6602082610dcc565b9050610890565b5080156108fd57604051630eda9c3d60e31b815260040160405180910390fd5b5f5f600e6001600160a01b03168585600160405160200161092093929190610e23565b60408051601f198184030181529082905261093a91610e35565b5f60405180830381855afa9150503d805f8114610972576040519150601f19603f3d011682016040523d82523d5f602084013e610977565b606091505b509150915081158061098c5750610100815114155b156109aa57604051630eda9c3d60e31b815260040160405180910390fd5b5050505050565b6001600160401b03811681146109c5575f5ffd5b50565b5f5f5f5f606085870312156109db575f5ffd5b84356109e6816109b1565b935060208501356109f6816109b1565b925060408501356001600160401b03811115610a10575f5ffd5b8501601f81018713610a20575f5ffd5b80356001600160401b03811115610a35575f5ffd5b876020828401011115610a46575f5ffd5b949793965060200194505050565b5f5f5f60608486031215610a66575f5ffd5b8335610a71816109b1565b92506020840135610a81816109b1565b915060408401356001600160a01b0381168114610a9c575f5ffd5b809150509250925092565b5f5f5f60608486031215610ab9575f5ffd5b8335610ac4816109b1565b92506020840135610ad4816109b1565b929592945050506040919091013590565b5f60208284031215610af5575f5ffd5b8135610b00816109b1565b9392505050565b606081525f84518060608401528060208701608085015e5f608082850101526080601f19601f8301168401019150506001600160401b03841660208301526001600160401b0383166040830152949350505050565b5f60208284031215610b6c575f5ffd5b8151610b00816109b1565b634e487b7160e01b5f52601160045260245ffd5b6001600160401b038181168382160190811115610baa57610baa610b77565b92915050565b5f5f60408385031215610bc1575f5ffd5b8251610bcc816109b1565b6020840151909250610bdd816109b1565b809150509250929050565b5f5f60408385031215610bf9575f5ffd5b82518015158114610bcc575f5ffd5b600181811c90821680610c1c57607f821691505b602082108103610c3a57634e487b7160e01b5f52602260045260245ffd5b50919050565b818382375f9101908152919050565b5f6001600160401b0382166001600160401b038103610c7057610c70610b77565b60010192915050565b634e487b7160e01b5f52604160045260245ffd5b601f821115610cdf5782821115610cdf57805f5260205f20601f840160051c6020851015610cb857505f5b90810190601f840160051c035f5b81811015610cdb575f83820155600101610cc6565b5050505b505050565b81516001600160401b03811115610cfd57610cfd610c79565b610d1181610d0b8454610c08565b84610c8d565b6020601f821160018114610d43575f8315610d2c5750848201515b5f19600385901b1c1916600184901b1784556109aa565b5f84815260208120601f198516915b82811015610d725787850151825560209485019460019092019101610d52565b5084821015610d8f57868401515f19600387901b60f8161c191681555b50505050600190811b01905550565b60208152816020820152818360408301375f818301604090810191909152601f909201601f19160101919050565b80820180821115610baa57610baa610b77565b5f5f85851115610ded575f5ffd5b83861115610df9575f5ffd5b5050820193919092039150565b80356020831015610baa575f19602084900360031b1b1692915050565b82848237909101908152602001919050565b5f82518060208501845e5f92019182525091905056fea264697066735822122097e3041337711be7020be1fab93c4ceab0f335c1b1d5b2117f6ce5bcbf4d73f564736f6c63430008250033",
}

// KeyBroadcast is an auto generated Go binding around an Ethereum contract.
type KeyBroadcast struct {
	abi abi.ABI
}

// GetABI returns the ABI associated with this contract binding.
func (c *KeyBroadcast) GetABI() abi.ABI {
	return c.abi
}

// NewKeyBroadcast creates a new instance of KeyBroadcast.
func NewKeyBroadcast() *KeyBroadcast {
	parsed, err := KeyBroadcastMetaData.ParseABI()
	if err != nil {
		panic(errors.New("invalid ABI: " + err.Error()))
	}
	return &KeyBroadcast{abi: *parsed}
}

// Instance creates a wrapper for a deployed contract instance at the given address.
// Use this to create the instance object passed to abigen v2 library functions Call, Transact, etc.
func (c *KeyBroadcast) Instance(backend bind.ContractBackend, addr common.Address) *bind.BoundContract {
	return bind.NewBoundContract(addr, c.abi, backend, backend, backend)
}

// PackConstructor is the Go binding used to pack the parameters required for
// contract deployment.
//
// Solidity: constructor(address manager) returns()
func (keyBroadcast *KeyBroadcast) PackConstructor(manager common.Address) []byte {
	enc, err := keyBroadcast.abi.Pack("", manager)
	if err != nil {
		panic(err)
	}
	return enc
}

// PackKEYSIZE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x717940dc.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function KEY_SIZE() view returns(uint256)
func (keyBroadcast *KeyBroadcast) PackKEYSIZE() []byte {
	enc, err := keyBroadcast.abi.Pack("KEY_SIZE")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackKEYSIZE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x717940dc.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function KEY_SIZE() view returns(uint256)
func (keyBroadcast *KeyBroadcast) TryPackKEYSIZE() ([]byte, error) {
	return keyBroadcast.abi.Pack("KEY_SIZE")
}

// UnpackKEYSIZE is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x717940dc.
//
// Solidity: function KEY_SIZE() view returns(uint256)
func (keyBroadcast *KeyBroadcast) UnpackKEYSIZE(data []byte) (*big.Int, error) {
	out, err := keyBroadcast.abi.Unpack("KEY_SIZE", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackEonKey is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xbb7f7bd9.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function eonKey(uint64 eon) view returns(bytes key, uint64 keyperSetIndex, uint64 activationBlock)
func (keyBroadcast *KeyBroadcast) PackEonKey(eon uint64) []byte {
	enc, err := keyBroadcast.abi.Pack("eonKey", eon)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackEonKey is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xbb7f7bd9.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function eonKey(uint64 eon) view returns(bytes key, uint64 keyperSetIndex, uint64 activationBlock)
func (keyBroadcast *KeyBroadcast) TryPackEonKey(eon uint64) ([]byte, error) {
	return keyBroadcast.abi.Pack("eonKey", eon)
}

// EonKeyOutput serves as a container for the return parameters of contract
// method EonKey.
type EonKeyOutput struct {
	Key             []byte
	KeyperSetIndex  uint64
	ActivationBlock uint64
}

// UnpackEonKey is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xbb7f7bd9.
//
// Solidity: function eonKey(uint64 eon) view returns(bytes key, uint64 keyperSetIndex, uint64 activationBlock)
func (keyBroadcast *KeyBroadcast) UnpackEonKey(data []byte) (EonKeyOutput, error) {
	out, err := keyBroadcast.abi.Unpack("eonKey", data)
	outstruct := new(EonKeyOutput)
	if err != nil {
		return *outstruct, err
	}
	outstruct.Key = *abi.ConvertType(out[0], new([]byte)).(*[]byte)
	outstruct.KeyperSetIndex = *abi.ConvertType(out[1], new(uint64)).(*uint64)
	outstruct.ActivationBlock = *abi.ConvertType(out[2], new(uint64)).(*uint64)
	return *outstruct, nil
}

// PackHasVoted is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x7642d0de.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function hasVoted(uint64 keyperSetIndex, uint64 eon, address voter) view returns(bool)
func (keyBroadcast *KeyBroadcast) PackHasVoted(keyperSetIndex uint64, eon uint64, voter common.Address) []byte {
	enc, err := keyBroadcast.abi.Pack("hasVoted", keyperSetIndex, eon, voter)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackHasVoted is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x7642d0de.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function hasVoted(uint64 keyperSetIndex, uint64 eon, address voter) view returns(bool)
func (keyBroadcast *KeyBroadcast) TryPackHasVoted(keyperSetIndex uint64, eon uint64, voter common.Address) ([]byte, error) {
	return keyBroadcast.abi.Pack("hasVoted", keyperSetIndex, eon, voter)
}

// UnpackHasVoted is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x7642d0de.
//
// Solidity: function hasVoted(uint64 keyperSetIndex, uint64 eon, address voter) view returns(bool)
func (keyBroadcast *KeyBroadcast) UnpackHasVoted(data []byte) (bool, error) {
	out, err := keyBroadcast.abi.Unpack("hasVoted", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackKeyperSetManager is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd4b2cedd.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function keyperSetManager() view returns(address)
func (keyBroadcast *KeyBroadcast) PackKeyperSetManager() []byte {
	enc, err := keyBroadcast.abi.Pack("keyperSetManager")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackKeyperSetManager is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd4b2cedd.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function keyperSetManager() view returns(address)
func (keyBroadcast *KeyBroadcast) TryPackKeyperSetManager() ([]byte, error) {
	return keyBroadcast.abi.Pack("keyperSetManager")
}

// UnpackKeyperSetManager is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xd4b2cedd.
//
// Solidity: function keyperSetManager() view returns(address)
func (keyBroadcast *KeyBroadcast) UnpackKeyperSetManager(data []byte) (common.Address, error) {
	out, err := keyBroadcast.abi.Unpack("keyperSetManager", data)
	if err != nil {
		return *new(common.Address), err
	}
	out0 := *abi.ConvertType(out[0], new(common.Address)).(*common.Address)
	return out0, nil
}

// PackVoteEonKey is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x30120a1e.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function voteEonKey(uint64 keyperSetIndex, uint64 eon, bytes key) returns()
func (keyBroadcast *KeyBroadcast) PackVoteEonKey(keyperSetIndex uint64, eon uint64, key []byte) []byte {
	enc, err := keyBroadcast.abi.Pack("voteEonKey", keyperSetIndex, eon, key)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackVoteEonKey is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x30120a1e.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function voteEonKey(uint64 keyperSetIndex, uint64 eon, bytes key) returns()
func (keyBroadcast *KeyBroadcast) TryPackVoteEonKey(keyperSetIndex uint64, eon uint64, key []byte) ([]byte, error) {
	return keyBroadcast.abi.Pack("voteEonKey", keyperSetIndex, eon, key)
}

// PackVotes is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xaed7d3f5.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function votes(uint64 keyperSetIndex, uint64 eon, bytes32 keyHash) view returns(uint64)
func (keyBroadcast *KeyBroadcast) PackVotes(keyperSetIndex uint64, eon uint64, keyHash [32]byte) []byte {
	enc, err := keyBroadcast.abi.Pack("votes", keyperSetIndex, eon, keyHash)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackVotes is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xaed7d3f5.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function votes(uint64 keyperSetIndex, uint64 eon, bytes32 keyHash) view returns(uint64)
func (keyBroadcast *KeyBroadcast) TryPackVotes(keyperSetIndex uint64, eon uint64, keyHash [32]byte) ([]byte, error) {
	return keyBroadcast.abi.Pack("votes", keyperSetIndex, eon, keyHash)
}

// UnpackVotes is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xaed7d3f5.
//
// Solidity: function votes(uint64 keyperSetIndex, uint64 eon, bytes32 keyHash) view returns(uint64)
func (keyBroadcast *KeyBroadcast) UnpackVotes(data []byte) (uint64, error) {
	out, err := keyBroadcast.abi.Unpack("votes", data)
	if err != nil {
		return *new(uint64), err
	}
	out0 := *abi.ConvertType(out[0], new(uint64)).(*uint64)
	return out0, nil
}

// KeyBroadcastEonKeyAccepted represents a EonKeyAccepted event raised by the KeyBroadcast contract.
type KeyBroadcastEonKeyAccepted struct {
	Eon            uint64
	KeyperSetIndex uint64
	Key            []byte
	Raw            *types.Log // Blockchain specific contextual infos
}

const KeyBroadcastEonKeyAcceptedEventName = "EonKeyAccepted"

// ContractEventName returns the user-defined event name.
func (KeyBroadcastEonKeyAccepted) ContractEventName() string {
	return KeyBroadcastEonKeyAcceptedEventName
}

// UnpackEonKeyAcceptedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event EonKeyAccepted(uint64 indexed eon, uint64 indexed keyperSetIndex, bytes key)
func (keyBroadcast *KeyBroadcast) UnpackEonKeyAcceptedEvent(log *types.Log) (*KeyBroadcastEonKeyAccepted, error) {
	event := "EonKeyAccepted"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != keyBroadcast.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(KeyBroadcastEonKeyAccepted)
	if len(log.Data) > 0 {
		if err := keyBroadcast.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range keyBroadcast.abi.Events[event].Inputs {
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

// KeyBroadcastEonKeyVoted represents a EonKeyVoted event raised by the KeyBroadcast contract.
type KeyBroadcastEonKeyVoted struct {
	KeyperSetIndex uint64
	Eon            uint64
	Voter          common.Address
	KeyHash        [32]byte
	Votes          uint64
	Raw            *types.Log // Blockchain specific contextual infos
}

const KeyBroadcastEonKeyVotedEventName = "EonKeyVoted"

// ContractEventName returns the user-defined event name.
func (KeyBroadcastEonKeyVoted) ContractEventName() string {
	return KeyBroadcastEonKeyVotedEventName
}

// UnpackEonKeyVotedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event EonKeyVoted(uint64 indexed keyperSetIndex, uint64 indexed eon, address indexed voter, bytes32 keyHash, uint64 votes)
func (keyBroadcast *KeyBroadcast) UnpackEonKeyVotedEvent(log *types.Log) (*KeyBroadcastEonKeyVoted, error) {
	event := "EonKeyVoted"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != keyBroadcast.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(KeyBroadcastEonKeyVoted)
	if len(log.Data) > 0 {
		if err := keyBroadcast.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range keyBroadcast.abi.Events[event].Inputs {
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
func (keyBroadcast *KeyBroadcast) UnpackError(raw []byte) (any, error) {
	if bytes.Equal(raw[:4], keyBroadcast.abi.Errors["AlreadyVoted"].ID.Bytes()[:4]) {
		return keyBroadcast.UnpackAlreadyVotedError(raw[4:])
	}
	if bytes.Equal(raw[:4], keyBroadcast.abi.Errors["BadKeyLength"].ID.Bytes()[:4]) {
		return keyBroadcast.UnpackBadKeyLengthError(raw[4:])
	}
	if bytes.Equal(raw[:4], keyBroadcast.abi.Errors["EonKeyAlreadyAccepted"].ID.Bytes()[:4]) {
		return keyBroadcast.UnpackEonKeyAlreadyAcceptedError(raw[4:])
	}
	if bytes.Equal(raw[:4], keyBroadcast.abi.Errors["InvalidKey"].ID.Bytes()[:4]) {
		return keyBroadcast.UnpackInvalidKeyError(raw[4:])
	}
	if bytes.Equal(raw[:4], keyBroadcast.abi.Errors["KeyperSetSuperseded"].ID.Bytes()[:4]) {
		return keyBroadcast.UnpackKeyperSetSupersededError(raw[4:])
	}
	if bytes.Equal(raw[:4], keyBroadcast.abi.Errors["NoSuchKeyperSet"].ID.Bytes()[:4]) {
		return keyBroadcast.UnpackNoSuchKeyperSetError(raw[4:])
	}
	if bytes.Equal(raw[:4], keyBroadcast.abi.Errors["NotAMember"].ID.Bytes()[:4]) {
		return keyBroadcast.UnpackNotAMemberError(raw[4:])
	}
	return nil, errors.New("Unknown error")
}

// KeyBroadcastAlreadyVoted represents a AlreadyVoted error raised by the KeyBroadcast contract.
type KeyBroadcastAlreadyVoted struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error AlreadyVoted()
func KeyBroadcastAlreadyVotedErrorID() common.Hash {
	return common.HexToHash("0x7c9a1cf9a16dcf05a5bc0c94f9a596f1f0d88da1be2aa57c1e408b4975357da3")
}

// UnpackAlreadyVotedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error AlreadyVoted()
func (keyBroadcast *KeyBroadcast) UnpackAlreadyVotedError(raw []byte) (*KeyBroadcastAlreadyVoted, error) {
	out := new(KeyBroadcastAlreadyVoted)
	if err := keyBroadcast.abi.UnpackIntoInterface(out, "AlreadyVoted", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// KeyBroadcastBadKeyLength represents a BadKeyLength error raised by the KeyBroadcast contract.
type KeyBroadcastBadKeyLength struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error BadKeyLength()
func KeyBroadcastBadKeyLengthErrorID() common.Hash {
	return common.HexToHash("0x0075c73d6445f0f2102a3c4d182bb176701b162bd8ca681ccec7f7c15950ff6f")
}

// UnpackBadKeyLengthError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error BadKeyLength()
func (keyBroadcast *KeyBroadcast) UnpackBadKeyLengthError(raw []byte) (*KeyBroadcastBadKeyLength, error) {
	out := new(KeyBroadcastBadKeyLength)
	if err := keyBroadcast.abi.UnpackIntoInterface(out, "BadKeyLength", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// KeyBroadcastEonKeyAlreadyAccepted represents a EonKeyAlreadyAccepted error raised by the KeyBroadcast contract.
type KeyBroadcastEonKeyAlreadyAccepted struct {
	Eon uint64
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error EonKeyAlreadyAccepted(uint64 eon)
func KeyBroadcastEonKeyAlreadyAcceptedErrorID() common.Hash {
	return common.HexToHash("0x19794ac2e607db0dd4f1841eec94d81c5761f2764033ecc5c3682e08d7e531ab")
}

// UnpackEonKeyAlreadyAcceptedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error EonKeyAlreadyAccepted(uint64 eon)
func (keyBroadcast *KeyBroadcast) UnpackEonKeyAlreadyAcceptedError(raw []byte) (*KeyBroadcastEonKeyAlreadyAccepted, error) {
	out := new(KeyBroadcastEonKeyAlreadyAccepted)
	if err := keyBroadcast.abi.UnpackIntoInterface(out, "EonKeyAlreadyAccepted", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// KeyBroadcastInvalidKey represents a InvalidKey error raised by the KeyBroadcast contract.
type KeyBroadcastInvalidKey struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InvalidKey()
func KeyBroadcastInvalidKeyErrorID() common.Hash {
	return common.HexToHash("0x76d4e1e8439f6d9c3d1cf835f307989788cf73aa0b95b7a7c935c1e0e543d094")
}

// UnpackInvalidKeyError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InvalidKey()
func (keyBroadcast *KeyBroadcast) UnpackInvalidKeyError(raw []byte) (*KeyBroadcastInvalidKey, error) {
	out := new(KeyBroadcastInvalidKey)
	if err := keyBroadcast.abi.UnpackIntoInterface(out, "InvalidKey", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// KeyBroadcastKeyperSetSuperseded represents a KeyperSetSuperseded error raised by the KeyBroadcast contract.
type KeyBroadcastKeyperSetSuperseded struct {
	Index uint64
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error KeyperSetSuperseded(uint64 index)
func KeyBroadcastKeyperSetSupersededErrorID() common.Hash {
	return common.HexToHash("0x3839e34ae12677540f8d12c5e66b8e11060528d5ca84cfd46dccdc610a923c60")
}

// UnpackKeyperSetSupersededError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error KeyperSetSuperseded(uint64 index)
func (keyBroadcast *KeyBroadcast) UnpackKeyperSetSupersededError(raw []byte) (*KeyBroadcastKeyperSetSuperseded, error) {
	out := new(KeyBroadcastKeyperSetSuperseded)
	if err := keyBroadcast.abi.UnpackIntoInterface(out, "KeyperSetSuperseded", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// KeyBroadcastNoSuchKeyperSet represents a NoSuchKeyperSet error raised by the KeyBroadcast contract.
type KeyBroadcastNoSuchKeyperSet struct {
	Index uint64
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error NoSuchKeyperSet(uint64 index)
func KeyBroadcastNoSuchKeyperSetErrorID() common.Hash {
	return common.HexToHash("0xfb97f1d616c1924ca5b74dbd93bb6586e24e4fde414fe860e4e45f49ecd74c23")
}

// UnpackNoSuchKeyperSetError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error NoSuchKeyperSet(uint64 index)
func (keyBroadcast *KeyBroadcast) UnpackNoSuchKeyperSetError(raw []byte) (*KeyBroadcastNoSuchKeyperSet, error) {
	out := new(KeyBroadcastNoSuchKeyperSet)
	if err := keyBroadcast.abi.UnpackIntoInterface(out, "NoSuchKeyperSet", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// KeyBroadcastNotAMember represents a NotAMember error raised by the KeyBroadcast contract.
type KeyBroadcastNotAMember struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error NotAMember()
func KeyBroadcastNotAMemberErrorID() common.Hash {
	return common.HexToHash("0x2818e8886b0a6eaa41c55df374c20f56fe3bf8d1523a08f844fe8a5995ece075")
}

// UnpackNotAMemberError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error NotAMember()
func (keyBroadcast *KeyBroadcast) UnpackNotAMemberError(raw []byte) (*KeyBroadcastNotAMember, error) {
	out := new(KeyBroadcastNotAMember)
	if err := keyBroadcast.abi.UnpackIntoInterface(out, "NotAMember", raw); err != nil {
		return nil, err
	}
	return out, nil
}
