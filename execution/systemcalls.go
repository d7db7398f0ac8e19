package execution

import (
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"
	"github.com/veil-l2/veil/contracts"
)

// The calldata of the sequencer's system transactions, through the
// predeploys' generated bindings.
var (
	inboxBinding  = contracts.NewEncryptedInbox()
	bridgeBinding = contracts.NewBridge()
)

func creditCalldata(l1Block uint64, to []common.Address, amounts []*big.Int) ([]byte, error) {
	return bridgeBinding.TryPackCredit(l1Block, to, amounts)
}

func settleCalldata(payers []common.Address, refunds []*big.Int, last bool) ([]byte, error) {
	return inboxBinding.TryPackSettle(payers, refunds, last)
}

// SystemFund is the system account's genesis balance, in wei: the gas of
// its transactions (at most a few per block, burned at the base fee) for
// longer than any chain runs.
var SystemFund = new(big.Int).Mul(big.NewInt(1_000_000), big.NewInt(params.Ether))

// predeployAlloc returns the genesis accounts of the predeploys, which take
// their system calls from contracts.SystemAddress, and the system account
// with SystemFund.
func predeployAlloc(bridgeSupply *big.Int) types.GenesisAlloc {
	alloc := contracts.GenesisAlloc(contracts.SystemAddress, bridgeSupply)
	alloc[contracts.SystemAddress] = types.Account{Balance: new(big.Int).Set(SystemFund)}
	return alloc
}
