package contracts

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// L1Config are the parameters of a deployment of Veil's L1 contracts.
type L1Config struct {
	// ChainID is the L2 chain id, fixed in BatchInbox.
	ChainID uint64
	// Owner may add keyper sets to KeyperSetManager.
	Owner common.Address
	// Sequencer is the key that signs commitments and order receipts.
	Sequencer common.Address
	// ForcedInclusionDeadline is L1Inbox's deadline in L1 blocks (non-zero).
	ForcedInclusionDeadline uint64
}

// ErrL1Config reports a deployment configuration the contracts would refuse.
var ErrL1Config = errors.New("contracts: invalid L1 configuration")

// Check reports a configuration the constructors would revert on.
func (c L1Config) Check() error {
	switch {
	case c.Owner == (common.Address{}):
		return fmt.Errorf("%w: the keyper set owner must be set", ErrL1Config)
	case c.Sequencer == (common.Address{}):
		return fmt.Errorf("%w: the sequencer address must be set", ErrL1Config)
	case c.ForcedInclusionDeadline == 0:
		return fmt.Errorf("%w: the forced-inclusion deadline must be at least one L1 block", ErrL1Config)
	}
	return nil
}

// L1Deployment is where DeployL1 put the contracts, and the four creation
// transactions, in nonce order.
type L1Deployment struct {
	KeyperSetManager common.Address
	KeyBroadcast     common.Address
	BatchInbox       common.Address
	L1Inbox          common.Address
	Txs              []*types.Transaction
}

// DeployL1 sends the creation transactions of KeyperSetManager,
// KeyBroadcast (bound to the manager), BatchInbox (bound to KeyBroadcast)
// and L1Inbox from opts.From with consecutive nonces (from opts.Nonce, or
// the account's pending nonce when nil), and returns their addresses. It
// does not wait for them to be mined.
func DeployL1(opts *bind.TransactOpts, backend bind.ContractBackend, cfg L1Config) (*L1Deployment, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	var nonce uint64
	if opts.Nonce != nil {
		nonce = opts.Nonce.Uint64()
	} else {
		ctx := opts.Context
		if ctx == nil {
			ctx = context.Background()
		}
		n, err := backend.PendingNonceAt(ctx, opts.From)
		if err != nil {
			return nil, fmt.Errorf("contracts: pending nonce of %s: %w", opts.From, err)
		}
		nonce = n
	}
	d := &L1Deployment{}
	deploy := func(name string, meta *bind.MetaData, input []byte) (common.Address, error) {
		o := *opts
		o.Nonce = new(big.Int).SetUint64(nonce)
		addr, tx, err := bind.DeployContract(&o, common.FromHex(meta.Bin), backend, input)
		if err != nil {
			return common.Address{}, fmt.Errorf("contracts: deploying %s: %w", name, err)
		}
		nonce++
		d.Txs = append(d.Txs, tx)
		return addr, nil
	}
	var err error
	if d.KeyperSetManager, err = deploy("KeyperSetManager", &KeyperSetManagerMetaData,
		NewKeyperSetManager().PackConstructor(cfg.Owner)); err != nil {
		return nil, err
	}
	if d.KeyBroadcast, err = deploy("KeyBroadcast", &KeyBroadcastMetaData,
		NewKeyBroadcast().PackConstructor(d.KeyperSetManager)); err != nil {
		return nil, err
	}
	if d.BatchInbox, err = deploy("BatchInbox", &BatchInboxMetaData,
		NewBatchInbox().PackConstructor(cfg.ChainID, cfg.Sequencer, d.KeyBroadcast)); err != nil {
		return nil, err
	}
	if d.L1Inbox, err = deploy("L1Inbox", &L1InboxMetaData,
		NewL1Inbox().PackConstructor(cfg.ForcedInclusionDeadline)); err != nil {
		return nil, err
	}
	return d, nil
}
