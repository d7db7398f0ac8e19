package execution

import (
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
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

// predeployAlloc returns the genesis accounts of the predeploys.
func predeployAlloc(sequencer common.Address, bridgeSupply *big.Int) types.GenesisAlloc {
	return contracts.GenesisAlloc(sequencer, bridgeSupply)
}
