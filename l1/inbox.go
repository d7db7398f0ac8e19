package l1

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/veil-l2/veil/contracts"
)

// Deposit sends amount wei from key to L1Inbox for to on L2, and waits
// until it is mined. The sequencer credits it on L2 in the first batch
// whose L1 origin reaches its block.
func Deposit(ctx context.Context, chain *Chain, c Contracts, key *ecdsa.PrivateKey, to common.Address, amount *big.Int) (*types.Receipt, error) {
	in := contracts.NewL1Inbox()
	return sendAndWait(ctx, chain, key, c.L1Inbox, amount, in.PackDeposit(to), "deposit")
}

// ForceEnvelope posts a signed envelope (or any signed L2 transaction) to
// L1Inbox from key, and waits until it is mined: the sequencer must
// include it by the inbox's deadline (forced inclusion).
func ForceEnvelope(ctx context.Context, chain *Chain, c Contracts, key *ecdsa.PrivateKey, envelope []byte) (*types.Receipt, error) {
	in := contracts.NewL1Inbox()
	return sendAndWait(ctx, chain, key, c.L1Inbox, nil, in.PackForceEnvelope(envelope), "forced envelope")
}

func sendAndWait(ctx context.Context, chain *Chain, key *ecdsa.PrivateKey, to common.Address, value *big.Int, data []byte,
	what string) (*types.Receipt, error) {
	tx, err := chain.sendValueCall(ctx, key, to, value, data)
	if err != nil {
		return nil, fmt.Errorf("l1: %s: %w", what, err)
	}
	r, err := chain.waitMined(ctx, tx.Hash(), 100*time.Millisecond)
	if err != nil {
		return nil, err
	}
	if r.Status != types.ReceiptStatusSuccessful {
		return r, fmt.Errorf("l1: %s reverted in block %d (%s)", what, r.BlockNumber, tx.Hash())
	}
	return r, nil
}
