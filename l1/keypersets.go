package l1

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/veil-l2/veil/contracts"
)

// ErrNoKeyperSet reports a keyper set that KeyperSetManager does not have
// (in the state read).
var ErrNoKeyperSet = errors.New("l1: no such keyper set")

// KeyperSet is one of KeyperSetManager's keyper sets.
type KeyperSet struct {
	Index           uint64
	Members         []common.Address // in keyper-index order
	Threshold       uint64
	ActivationBlock uint64
}

// AddKeyperSet appends a keyper set from the manager's owner and waits
// until it is mined; it returns the set's index. KeyperSetManager's
// refusals come back as a *RevertError naming the contract's error; a
// transaction mined in a block past activation is refused with
// ActivationTooEarly (AddKeyperSetAfter tries again from the new head).
func AddKeyperSet(ctx context.Context, chain *Chain, c Contracts, owner *ecdsa.PrivateKey, members []common.Address,
	threshold, activation uint64) (uint64, error) {
	ksm := contracts.NewKeyperSetManager()
	r, err := sendAndWait(ctx, chain, owner, c.Manager, nil, ksm.PackAddKeyperSet(members, threshold, activation), "adding a keyper set")
	if err != nil {
		if r != nil && r.Status != types.ReceiptStatusSuccessful && r.BlockNumber.Uint64() > activation {
			// The gas estimate passed, so the arguments were sound: the
			// block came too late (activationBlock < block.number).
			return 0, fmt.Errorf("l1: adding a keyper set: mined in block %d, past its activation block %d: %w",
				r.BlockNumber, activation, &RevertError{Name: activationTooEarly})
		}
		return 0, err
	}
	for _, l := range r.Logs {
		if ev, err := ksm.UnpackKeyperSetAddedEvent(l); err == nil {
			return ev.Index, nil
		}
	}
	return 0, fmt.Errorf("l1: adding a keyper set: no KeyperSetAdded event in %s", r.TxHash)
}

// activationTooEarly is KeyperSetManager's error for an activation block
// below the adding block's number (or not after the last set's).
const activationTooEarly = "ActivationTooEarly"

// addAttempts bounds AddKeyperSetAfter's tries.
const addAttempts = 3

// AddKeyperSetAfter adds a keyper set active delay (at least 1) L1 blocks
// after the head, as AddKeyperSet. When the head passes that block before
// the transaction is mined (a slow or loaded L1 node, a block sealed
// between reading the head and sending), KeyperSetManager refuses it with
// ActivationTooEarly and it tries again from the new head, up to three
// times. It returns the set's index and activation block.
func AddKeyperSetAfter(ctx context.Context, chain *Chain, c Contracts, owner *ecdsa.PrivateKey, members []common.Address,
	threshold, delay uint64) (index, activation uint64, err error) {
	delay = max(delay, 1)
	for range addAttempts {
		head, herr := chain.HeaderByNumber(ctx, nil)
		if herr != nil {
			return 0, 0, herr
		}
		activation = head.Number.Uint64() + delay
		index, err = AddKeyperSet(ctx, chain, c, owner, members, threshold, activation)
		var re *RevertError
		if errors.As(err, &re) && re.Name == activationTooEarly {
			continue
		}
		return index, activation, err
	}
	return 0, 0, err
}

// KeyperSets reads keyper sets in the state of the finalized block: sets
// take effect only once the block that added them is final.
func KeyperSets(ctx context.Context, chain *Chain, c Contracts) ([]KeyperSet, error) {
	fin, err := chain.Finalized(ctx)
	if err != nil {
		return nil, err
	}
	h := fin.Hash()
	return keyperSetsAt(ctx, chain, c, &h)
}

// KeyperSetsAt reads the keyper sets with index from on in the state of
// the block with hash at: sets are only ever appended, so a reader that
// knows sets 0..from-1 reads only the newer ones. A block without the
// contract's code (before the deployment) has no sets.
func KeyperSetsAt(ctx context.Context, chain *Chain, c Contracts, from uint64, at common.Hash) ([]KeyperSet, error) {
	sets, err := keyperSetsFrom(ctx, chain, c, from, &at)
	if errors.Is(err, ErrContracts) {
		return nil, nil
	}
	return sets, err
}

func keyperSetsAt(ctx context.Context, chain *Chain, c Contracts, at *common.Hash) ([]KeyperSet, error) {
	return keyperSetsFrom(ctx, chain, c, 0, at)
}

func keyperSetsFrom(ctx context.Context, chain *Chain, c Contracts, from uint64, at *common.Hash) ([]KeyperSet, error) {
	ksm := contracts.NewKeyperSetManager()
	n, err := viewAt(ctx, chain, c.Manager, ksm.PackKeyperSetCount(), ksm.UnpackKeyperSetCount, at)
	if err != nil {
		return nil, fmt.Errorf("l1: keyper set count: %w", err)
	}
	var sets []KeyperSet
	for i := from; i < n; i++ {
		out, err := viewAt(ctx, chain, c.Manager, ksm.PackKeyperSet(i), ksm.UnpackKeyperSet, at)
		if err != nil {
			return nil, fmt.Errorf("l1: keyper set %d: %w", i, err)
		}
		sets = append(sets, KeyperSet{Index: i, Members: out.Members, Threshold: out.Threshold, ActivationBlock: out.ActivationBlock})
	}
	return sets, nil
}
