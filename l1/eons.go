package l1

import (
	"context"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"

	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/keyper"
)

// Eons reads the eon schedule: keyper sets from KeyperSetManager and eon
// keys from KeyBroadcast. Eon e is voted by keyper set e-1 and is the eon
// of every batch whose L1 origin is at or above that set's activation
// block and below the next set's. A set and a key take effect only once
// the block that added them is final. Safe for concurrent use.
type Eons struct {
	chain *Chain
	c     Contracts
	keys  *EonKeys
}

var _ keyper.L1Eons = (*Eons)(nil)

// NewEons reads the deployment's keyper sets and eon keys.
func NewEons(chain *Chain, c Contracts) *Eons {
	return &Eons{chain: chain, c: c, keys: NewEonKeys(chain, c)}
}

// EonKeys is the eon key reader Eons uses.
func (e *Eons) EonKeys() *EonKeys { return e.keys }

// KeyperSet returns the keyper set that votes eon (index eon-1) as of the
// finalized block; ok is false while the finalized state has no such set.
// keyper.L1Eons.
func (e *Eons) KeyperSet(ctx context.Context, eon uint64) (keyper.L1KeyperSet, bool, error) {
	if eon == 0 {
		return keyper.L1KeyperSet{}, false, nil
	}
	fin, err := e.chain.Finalized(ctx)
	if err != nil {
		return keyper.L1KeyperSet{}, false, err
	}
	h := fin.Hash()
	n, err := e.setCount(ctx, &h)
	if err != nil || n < eon {
		return keyper.L1KeyperSet{}, false, err
	}
	ksm := contracts.NewKeyperSetManager()
	out, err := viewAt(ctx, e.chain, e.c.Manager, ksm.PackKeyperSet(eon-1), ksm.UnpackKeyperSet, &h)
	if err != nil {
		return keyper.L1KeyperSet{}, false, fmt.Errorf("l1: keyper set %d: %w", eon-1, err)
	}
	return keyper.L1KeyperSet{Members: out.Members, Threshold: out.Threshold, Activation: out.ActivationBlock}, true, nil
}

// EonKey returns eon's key (tpke's compressed form) once accepted in a
// finalized block; ok is false before. A key voted by another set than
// eon-1 is an error. keyper.L1Eons.
func (e *Eons) EonKey(ctx context.Context, eon uint64) ([]byte, bool, error) {
	k, err := e.keys.Get(ctx, eon)
	switch {
	case errors.Is(err, ErrNoEonKey):
		return nil, false, nil
	case err != nil:
		return nil, false, err
	case k.KeyperSet+1 != eon:
		return nil, false, fmt.Errorf("l1: eon %d's key was voted by keyper set %d, not by set %d", eon, k.KeyperSet, eon-1)
	}
	return k.Key, true, nil
}

// ScheduledEon is one eon as L1 schedules it.
type ScheduledEon struct {
	Eon uint64
	// Set is the keyper set that votes the eon (index Eon-1).
	Set KeyperSet
	// Final: the block that added the set is final.
	Final bool
	// Key is the eon's key (tpke's compressed form) once accepted in a
	// finalized block; nil before.
	Key []byte
}

// Schedule reads every keyper set in the state of the latest block, which
// of them are final, and the final keys of their eons. Through is the
// number of the block read: every set added up to it is in the answer, so
// an origin at or below it never passes the activation of a set the
// answer does not name. Sets not final yet only bound origins; they take
// effect once final.
func (e *Eons) Schedule(ctx context.Context) (eons []ScheduledEon, through uint64, err error) {
	head, err := e.chain.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("l1: head: %w", err)
	}
	h := head.Hash()
	sets, err := keyperSetsAt(ctx, e.chain, e.c, &h)
	if err != nil {
		return nil, 0, err
	}
	fin, err := e.chain.Finalized(ctx)
	if err != nil {
		return nil, 0, err
	}
	fh := fin.Hash()
	final, err := e.setCount(ctx, &fh)
	if err != nil {
		return nil, 0, err
	}
	for _, s := range sets {
		se := ScheduledEon{Eon: s.Index + 1, Set: s, Final: s.Index < final}
		if se.Final {
			key, ok, err := e.EonKey(ctx, se.Eon)
			if err != nil {
				return nil, 0, err
			}
			if ok {
				se.Key = key
			}
		}
		eons = append(eons, se)
	}
	return eons, head.Number.Uint64(), nil
}

// setCount is KeyperSetManager's number of sets in the state of block at
// (0 where the contract has no code yet).
func (e *Eons) setCount(ctx context.Context, at *common.Hash) (uint64, error) {
	ksm := contracts.NewKeyperSetManager()
	n, err := viewAt(ctx, e.chain, e.c.Manager, ksm.PackKeyperSetCount(), ksm.UnpackKeyperSetCount, at)
	if errors.Is(err, ErrContracts) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("l1: keyper set count: %w", err)
	}
	return n, nil
}
