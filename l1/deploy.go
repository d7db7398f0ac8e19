package l1

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/veil-l2/veil/contracts"
)

// ErrContracts reports a contracts file or deployment that is not usable.
var ErrContracts = errors.New("l1: invalid contract addresses")

// Contracts are the addresses of one deployment of Veil's L1 contracts, as
// a config file holds them (JSON, the keys below).
type Contracts struct {
	Manager   common.Address `json:"keyperSetManager"`
	Broadcast common.Address `json:"keyBroadcast"`
	Inbox     common.Address `json:"batchInbox"`
	L1Inbox   common.Address `json:"l1Inbox"`
	// DeployedAt is the L1 block the contracts were created in: no event
	// of theirs is older, so scans may start there.
	DeployedAt uint64 `json:"deployedAt"`
}

// Check reports a missing address.
func (c Contracts) Check() error {
	for _, a := range []struct {
		name string
		addr common.Address
	}{{"keyperSetManager", c.Manager}, {"keyBroadcast", c.Broadcast}, {"batchInbox", c.Inbox}, {"l1Inbox", c.L1Inbox}} {
		if a.addr == (common.Address{}) {
			return fmt.Errorf("%w: the %s address is missing", ErrContracts, a.name)
		}
	}
	return nil
}

// ReadContracts reads a contracts file written by WriteContracts (or by
// hand) and checks it.
func ReadContracts(path string) (Contracts, error) {
	var c Contracts
	raw, err := os.ReadFile(path)
	if err != nil {
		return c, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("%w: %s: %v", ErrContracts, path, err)
	}
	if err := c.Check(); err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// WriteContracts writes c as indented JSON.
func WriteContracts(path string, c Contracts) error {
	raw, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(raw, '\n'), 0o644)
}

// Verify checks that the addresses hold Veil's contracts wired to each
// other on this chain, with BatchInbox fixed to the L2 chain l2ChainID.
func (c Contracts) Verify(ctx context.Context, chain *Chain, l2ChainID uint64) error {
	if err := c.Check(); err != nil {
		return err
	}
	for _, a := range []common.Address{c.Manager, c.Broadcast, c.Inbox, c.L1Inbox} {
		code, err := chain.CodeAt(ctx, a, nil)
		if err != nil {
			return fmt.Errorf("l1: code at %s: %w", a, err)
		}
		if len(code) == 0 {
			return fmt.Errorf("%w: no contract at %s", ErrContracts, a)
		}
	}
	kb, bi := contracts.NewKeyBroadcast(), contracts.NewBatchInbox()
	mgr, err := view(ctx, chain, c.Broadcast, kb.PackKeyperSetManager(), kb.UnpackKeyperSetManager)
	if err != nil {
		return err
	}
	broadcast, err := view(ctx, chain, c.Inbox, bi.PackKeyBroadcast(), bi.UnpackKeyBroadcast)
	if err != nil {
		return err
	}
	id, err := view(ctx, chain, c.Inbox, bi.PackChainId(), bi.UnpackChainId)
	if err != nil {
		return err
	}
	switch {
	case mgr != c.Manager:
		return fmt.Errorf("%w: KeyBroadcast %s belongs to manager %s, not %s", ErrContracts, c.Broadcast, mgr, c.Manager)
	case broadcast != c.Broadcast:
		return fmt.Errorf("%w: BatchInbox %s reads keys from %s, not %s", ErrContracts, c.Inbox, broadcast, c.Broadcast)
	case id != l2ChainID:
		return fmt.Errorf("%w: BatchInbox %s is for L2 chain %d, not %d", ErrContracts, c.Inbox, id, l2ChainID)
	}
	return nil
}

// view calls a view function at the latest block and unpacks its result.
func view[T any](ctx context.Context, chain *Chain, to common.Address, data []byte, unpack func([]byte) (T, error)) (T, error) {
	return viewAt(ctx, chain, to, data, unpack, nil)
}

// viewAt calls a view function in the state of block (nil: the latest).
func viewAt[T any](ctx context.Context, chain *Chain, to common.Address, data []byte, unpack func([]byte) (T, error),
	block *common.Hash) (T, error) {
	var zero T
	msg := ethereum.CallMsg{To: &to, Data: data}
	var out []byte
	var err error
	if block != nil {
		out, err = chain.CallContractAtHash(ctx, msg, *block)
	} else {
		out, err = chain.CallContract(ctx, msg, nil)
	}
	if err != nil {
		return zero, fmt.Errorf("l1: call to %s: %w", to, asRevert(err))
	}
	if len(out) == 0 {
		return zero, fmt.Errorf("%w: no contract at %s", ErrContracts, to)
	}
	v, err := unpack(out)
	if err != nil {
		return zero, fmt.Errorf("l1: result of a call to %s: %w", to, err)
	}
	return v, nil
}

// Deploy creates Veil's four L1 contracts from the deployer's account
// (contracts.DeployL1) and waits until they are mined. On a simulated
// chain it seals blocks itself until they are; elsewhere blocks come from
// the network.
func Deploy(ctx context.Context, chain *Chain, deployer *ecdsa.PrivateKey, cfg contracts.L1Config) (Contracts, error) {
	opts := bind.NewKeyedTransactor(deployer, chain.chainID)
	opts.Context = ctx
	d, err := contracts.DeployL1(opts, chain, cfg)
	if err != nil {
		return Contracts{}, err
	}
	c := Contracts{Manager: d.KeyperSetManager, Broadcast: d.KeyBroadcast, Inbox: d.BatchInbox, L1Inbox: d.L1Inbox}
	for i, tx := range d.Txs {
		r, err := mined(ctx, chain, tx)
		if err != nil {
			return Contracts{}, err
		}
		if r.Status != types.ReceiptStatusSuccessful {
			return Contracts{}, fmt.Errorf("l1: deployment transaction %d (%s) failed", i, tx.Hash())
		}
		if i == 0 {
			c.DeployedAt = r.BlockNumber.Uint64()
		}
	}
	return c, nil
}

// mined waits for tx's receipt, sealing blocks meanwhile when the chain is
// simulated.
func mined(ctx context.Context, chain *Chain, tx *types.Transaction) (*types.Receipt, error) {
	if chain.sim == nil {
		return chain.waitMined(ctx, tx.Hash(), time.Second)
	}
	for {
		r, err := chain.TransactionReceipt(ctx, tx.Hash())
		if err == nil {
			return r, nil
		}
		if !notMinedYet(err) {
			return nil, fmt.Errorf("l1: receipt of %s: %w", tx.Hash(), err)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		chain.sim.Commit()
	}
}
