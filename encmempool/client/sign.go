package client

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// Call describes an inner transaction for SignInner: a transfer (Data
// empty), a contract call, or a deployment (To nil).
type Call struct {
	To    *common.Address
	Value *big.Int
	Data  []byte
	// Gas, when not 0, is the gas limit (and so the envelope's declared
	// gas); otherwise eth_estimateGas decides.
	Gas uint64
	// FallbackGas is used when estimation fails, as it may for a call that
	// depends on transactions not executed yet; 0 makes that a failure
	// (ErrGasEstimate).
	FallbackGas uint64
}

// SignInner signs a dynamic-fee inner transaction from key for this chain:
// the chain id from veil_eon, fees as Fees returns them, gas as Call says,
// and the nonce max(pending nonce, one past the last one SignInner gave
// this sender). The sequencer's pending nonce cannot count transactions
// inside envelopes, so the client counts the ones it signed; the count goes
// back by one when Send fails without the envelope admitted (if it was the
// last nonce given), and restarts from the chain when WaitExecuted finds
// one dropped.
func (c *Client) SignInner(ctx context.Context, key *ecdsa.PrivateKey, call Call) (*types.Transaction, error) {
	eon, err := c.Eon(ctx)
	if err != nil {
		return nil, err
	}
	from := crypto.PubkeyToAddress(key.PublicKey)
	tip, feeCap, err := c.Fees(ctx)
	if err != nil {
		return nil, err
	}
	value := call.Value
	if value == nil {
		value = new(big.Int)
	}
	gas := call.Gas
	if gas == 0 {
		gas, err = c.eth.EstimateGas(ctx, ethereum.CallMsg{From: from, To: call.To, Value: value, Data: call.Data})
		if err != nil {
			if call.FallbackGas == 0 {
				return nil, fmt.Errorf("%w: %w", ErrGasEstimate, err)
			}
			gas = call.FallbackGas
		}
	}
	pending, err := c.pendingNonce(ctx, from)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	nonce := max(pending, c.inner[from])
	c.inner[from] = nonce + 1
	c.mu.Unlock()
	chainID := new(big.Int).SetUint64(eon.ChainID)
	tx, err := types.SignNewTx(key, types.LatestSignerForChainID(chainID), &types.DynamicFeeTx{ChainID: chainID, Nonce: nonce,
		GasTipCap: tip, GasFeeCap: feeCap, Gas: gas, To: call.To, Value: value, Data: call.Data})
	if err != nil {
		c.releaseInnerNonce(from, nonce)
		return nil, err
	}
	return tx, nil
}

// releaseInnerNonce gives nonce back when it was the last one SignInner
// handed to sender.
func (c *Client) releaseInnerNonce(sender common.Address, nonce uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inner[sender] == nonce+1 {
		c.inner[sender] = nonce
	}
}

// forgetInnerNonces restarts sender's count from the chain.
func (c *Client) forgetInnerNonces(sender common.Address) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.inner, sender)
}
