package devnet

import (
	"context"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/veil-l2/veil/keyper"
	"github.com/veil-l2/veil/l1"
)

// schedule is the sequencer's eon schedule, l1.Schedule: the keyper sets
// on L1, each eon ready once its set and key are final on L1 and the
// devnet has its committee (the committee config with the DKG public keys
// and peers, checked against L1's members), the key the DKG made (checked
// against L1's) and the public shares from the DKG record, which L1 does
// not carry.
func (d *Devnet) schedule() *l1.Schedule {
	return l1.NewSchedule(d.eons, l1.ScheduleConfig{Local: d.localEon, Logger: d.log})
}

// localEon is the devnet's part of an eon (l1.LocalEons): not held until
// the set exists and its DKG record is read (AddKeyperSet, Start).
func (d *Devnet) localEon(eon uint64) (l1.LocalEon, bool, error) {
	set := d.set(eon)
	if set == nil {
		return l1.LocalEon{}, false, nil
	}
	d.setMu.RLock()
	key, shares := set.eonKey, set.shares
	d.setMu.RUnlock()
	if key == nil || shares == nil {
		return l1.LocalEon{}, false, nil
	}
	return l1.LocalEon{Committee: set.committee, EonKey: key, PublicShares: shares,
		CommitteeFrom: fmt.Sprintf("committee-%d.json", eon), KeyFrom: fmt.Sprintf("the DKG record of eon %d", eon)}, true, nil
}

// AddKeyperSet adds a committee of n new keypers with threshold t (t >
// n/2): their keys are created in the devnet's directory (set-<index>/),
// their L1 accounts funded from the operator's, and the set is added to
// KeyperSetManager active from activationDelay L1 blocks after the head
// (at least 2; if L1 passes that block before the transaction is mined,
// it is added again from the new head: l1.AddKeyperSetAfter). The keypers
// start at once: they run their DKG and vote the new eon's key. It
// returns the new eon's number once its key is final on L1 (sealing L1
// blocks ahead to finality as Start does); the sequencer's schedule then
// has it, and the chain switches to it at the first batch whose L1 origin
// reaches the activation block. The keypers of earlier committees keep
// running until stopped (StopEonKeyper).
func (d *Devnet) AddKeyperSet(ctx context.Context, n, t int, activationDelay uint64) (uint64, error) {
	switch {
	case n < 1 || t < 1 || t > n || 2*t <= n:
		return 0, fmt.Errorf("%w: a committee of %d with threshold %d: need n/2 < threshold <= n", ErrConfig, n, t)
	case activationDelay < 2:
		return 0, fmt.Errorf("%w: activation delay %d: at least 2 L1 blocks", ErrConfig, activationDelay)
	}
	d.addMu.Lock()
	defer d.addMu.Unlock()
	d.setMu.RLock()
	index := uint64(len(d.sets))
	d.setMu.RUnlock()
	set, err := d.newSet(index, n, t)
	if err != nil {
		return 0, err
	}
	members := make([]common.Address, n)
	for i, k := range set.keys {
		members[i] = k.Address()
	}
	d.cfg.Progress("eon %d: funding %d new keypers on L1", set.eon, n)
	if err := d.fund(ctx, members, Ether(100)); err != nil {
		return 0, err
	}
	got, activation, err := l1.AddKeyperSetAfter(ctx, d.L1, d.Contracts, d.OperatorKey, members, uint64(t), activationDelay)
	set.activation = activation
	if err != nil {
		return 0, err
	}
	if got != index {
		return 0, fmt.Errorf("devnet: L1 gave the new keyper set index %d, the devnet has %d sets", got, index)
	}
	d.setMu.Lock()
	d.sets = append(d.sets, set)
	d.st.Sets = append(d.st.Sets, setState{Index: index, Keypers: n, Threshold: t, Activation: set.activation})
	err = saveState(d.dir, d.st)
	d.setMu.Unlock()
	if err != nil {
		return 0, err
	}
	d.cfg.Progress("eon %d: keyper set %d added on L1, active from block %d", set.eon, index, set.activation)
	if err := d.writeCommittee(set); err != nil {
		return 0, err
	}
	if err := d.startKeypers(set); err != nil {
		return 0, err
	}
	if err := d.awaitEonKey(ctx, set); err != nil {
		return 0, err
	}
	return set.eon, nil
}

// Committees returns every committee, by eon.
func (d *Devnet) Committees() []*keyper.Committee {
	d.setMu.RLock()
	defer d.setMu.RUnlock()
	out := make([]*keyper.Committee, len(d.sets))
	for i, s := range d.sets {
		out[i] = s.committee
	}
	return out
}

// fund sends amount wei on L1 from the operator's account to each address
// and waits until every transfer is mined.
func (d *Devnet) fund(ctx context.Context, to []common.Address, amount *big.Int) error {
	from := crypto.PubkeyToAddress(d.OperatorKey.PublicKey)
	nonce, err := d.L1.PendingNonceAt(ctx, from)
	if err != nil {
		return err
	}
	head, err := d.L1.HeaderByNumber(ctx, nil)
	if err != nil {
		return err
	}
	chainID, err := d.L1.ChainID(ctx)
	if err != nil {
		return err
	}
	tip := big.NewInt(1_000_000_000)
	feeCap := new(big.Int).Add(new(big.Int).Mul(head.BaseFee, big.NewInt(2)), tip)
	var hashes []common.Hash
	for i, a := range to {
		tx, err := types.SignNewTx(d.OperatorKey, types.LatestSignerForChainID(chainID), &types.DynamicFeeTx{ChainID: chainID,
			Nonce: nonce + uint64(i), GasTipCap: tip, GasFeeCap: feeCap, Gas: 21000, To: &a, Value: amount})
		if err != nil {
			return err
		}
		if err := d.L1.SendTransaction(ctx, tx); err != nil {
			return fmt.Errorf("devnet: funding %s on L1: %w", a, err)
		}
		hashes = append(hashes, tx.Hash())
	}
	for _, h := range hashes {
		for {
			r, err := d.L1.TransactionReceipt(ctx, h)
			if err == nil {
				if r.Status != types.ReceiptStatusSuccessful {
					return fmt.Errorf("devnet: funding transaction %s failed", h)
				}
				break
			}
			if err := d.pause(ctx, 100*time.Millisecond); err != nil {
				return err
			}
		}
	}
	return nil
}
