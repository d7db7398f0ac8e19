package contracts

import (
	_ "embed"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// The predeploys' fixed addresses.
var (
	EncryptedInboxAddress = common.HexToAddress("0x5e11000000000000000000000000000000000001")
	BridgeAddress         = common.HexToAddress("0x5e11000000000000000000000000000000000002")
)

// Storage keys of the predeploys' state (see the package doc), ready for
// state.GetState, eth_getStorageAt and genesis storage. They are fixed by
// the contracts' layout: do not modify them.
var (
	// SlotSequencer (slot 0) holds the sequencer's address in both predeploys.
	SlotSequencer = common.Hash{31: 0}
	// SlotHeld (slot 1) holds the inbox's held deposits (uint256).
	SlotHeld = common.Hash{31: 1}
	// SlotLastL1Block (slot 1) holds the bridge's last credited L1 block (uint64).
	SlotLastL1Block = common.Hash{31: 1}
)

// Gas the predeploys forward with each payment (their Solidity constants
// REFUND_GAS_STIPEND and CREDIT_GAS_STIPEND). A call carrying value also
// gets the EVM's own 2300-gas stipend on top.
const (
	RefundGasStipend = 2300
	CreditGasStipend = 2300
)

//go:embed artifacts/EncryptedInbox.bin-runtime
var encryptedInboxRuntimeHex string

//go:embed artifacts/Bridge.bin-runtime
var bridgeRuntimeHex string

var (
	encryptedInboxRuntime = mustDecodeCode("EncryptedInbox", encryptedInboxRuntimeHex)
	bridgeRuntime         = mustDecodeCode("Bridge", bridgeRuntimeHex)
)

func mustDecodeCode(name, s string) []byte {
	code, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(code) == 0 {
		panic(fmt.Sprintf("contracts: artifacts/%s.bin-runtime is not hex bytecode: %v", name, err))
	}
	return code
}

// EncryptedInboxRuntimeCode returns the inbox's runtime bytecode, the code
// placed in genesis. The caller may modify the returned slice.
func EncryptedInboxRuntimeCode() []byte { return common.CopyBytes(encryptedInboxRuntime) }

// BridgeRuntimeCode returns the bridge's runtime bytecode, the code placed
// in genesis. The caller may modify the returned slice.
func BridgeRuntimeCode() []byte { return common.CopyBytes(bridgeRuntime) }

// EncryptedInboxABI returns the inbox's parsed ABI.
func EncryptedInboxABI() abi.ABI { return mustParseABI(&EncryptedInboxMetaData) }

// BridgeABI returns the bridge's parsed ABI.
func BridgeABI() abi.ABI { return mustParseABI(&BridgeMetaData) }

func mustParseABI(m interface{ ParseABI() (*abi.ABI, error) }) abi.ABI {
	parsed, err := m.ParseABI()
	if err != nil {
		panic("contracts: generated ABI does not parse: " + err.Error())
	}
	return *parsed
}

// GenesisAlloc returns the genesis accounts of both predeploys: their runtime
// code, the sequencer in slot SlotSequencer of each, and bridgeSupply (nil
// means zero) as the bridge's balance. held and lastL1Block start at zero.
// It panics if bridgeSupply is negative.
func GenesisAlloc(sequencer common.Address, bridgeSupply *big.Int) types.GenesisAlloc {
	supply := new(big.Int)
	if bridgeSupply != nil {
		if bridgeSupply.Sign() < 0 {
			panic("contracts: negative bridge supply")
		}
		supply.Set(bridgeSupply)
	}
	seq := func() map[common.Hash]common.Hash {
		return map[common.Hash]common.Hash{SlotSequencer: common.BytesToHash(sequencer.Bytes())}
	}
	return types.GenesisAlloc{
		EncryptedInboxAddress: {Nonce: 1, Code: EncryptedInboxRuntimeCode(), Storage: seq(), Balance: new(big.Int)},
		BridgeAddress:         {Nonce: 1, Code: BridgeRuntimeCode(), Storage: seq(), Balance: supply},
	}
}
