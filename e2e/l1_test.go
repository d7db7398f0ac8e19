package e2e

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/veil-l2/veil/devnet"
	"github.com/veil-l2/veil/l1"
)

// TestDeposit: ETH deposited on L1's inbox is credited on L2 by the first
// batch whose L1 origin reaches the deposit's block.
func TestDeposit(t *testing.T) {
	d, _ := start(t, devnet.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	to := common.HexToAddress("0x00000000000000000000000000000000000de905")
	amount := big.NewInt(123_456_789)
	r, err := l1.Deposit(ctx, d.L1, d.Contracts, devnet.DevAccount(3), to, amount)
	if err != nil {
		t.Fatal(err)
	}
	for {
		st, err := d.Sequencer().Exec().BlockChain().State()
		if err != nil {
			t.Fatal(err)
		}
		if bal := st.GetBalance(to).ToBig(); bal.Sign() != 0 {
			if bal.Cmp(amount) != 0 {
				t.Fatalf("credited %v, deposited %v", bal, amount)
			}
			head := d.Sequencer().Exec().BlockChain().CurrentBlock()
			t.Logf("deposit in L1 block %v credited by L2 block %v", r.BlockNumber, head.Number)
			return
		}
		select {
		case <-ctx.Done():
			t.Fatal("the deposit was never credited")
		case <-time.After(200 * time.Millisecond):
		}
	}
}
