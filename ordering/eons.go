package ordering

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/keyper"
)

// ErrEonEnded answers an envelope for an eon the sequencer no longer
// admits: the chain has switched (or is switching) to the next eon. It
// comes wrapped with encmempool.ErrWrongEon, on which clients fetch
// veil_eon again and encrypt anew.
var ErrEonEnded = errors.New("ordering: the envelope's eon has ended, encrypt to the eon veil_eon names")

// Eon is one eon as the sequencer knows it: its number, the first L1
// block its batches may name as their origin (its keyper set's activation
// block), and, once the eon is ready, its committee, its eon key (final
// on L1) and every keyper's public share (from the committee's DKG).
type Eon struct {
	Number     uint64
	Activation uint64
	// Committee, EonKey and PublicShares are nil until the eon is ready.
	Committee    *keyper.Committee
	EonKey       *tpke.EonPublicKey
	PublicShares []*tpke.PublicShare
}

// Ready reports whether the sequencer can commit batches of the eon.
func (e *Eon) Ready() bool {
	return e.Committee != nil && e.EonKey != nil && len(e.PublicShares) == len(e.Committee.Members)
}

// check rejects a ready eon the sequencer cannot use.
func (e *Eon) check(chainID uint64, sequencer common.Address) error {
	c := e.Committee
	switch {
	case c.Eon != e.Number:
		return fmt.Errorf("%w: eon %d's committee is eon %d's", ErrConfig, e.Number, c.Eon)
	case c.ChainID != chainID:
		return fmt.Errorf("%w: committee for chain %d, chain is %d", ErrConfig, c.ChainID, chainID)
	case c.Sequencer != sequencer:
		return fmt.Errorf("%w: the sequencer key is not eon %d's committee's sequencer %s", ErrConfig, e.Number, c.Sequencer)
	}
	return c.Check()
}

// EonSchedule is where the sequencer learns of eons (DESIGN.md section
// 7). The devnet implements it from L1 (keyper sets, eon keys) and the
// committees' DKG records; StaticEons is a fixed list.
type EonSchedule interface {
	// Eons returns the known eons, in increasing number, ready or not,
	// and the L1 block through which the list is complete: every keyper
	// set added to L1 up to that block is in it (as an eon, ready or
	// not). The sequencer names no L1 origin above through, so it never
	// passes the activation of an eon it has not heard of.
	Eons(ctx context.Context) (eons []Eon, through uint64, err error)
}

// StaticEons is a schedule that never changes, complete for every L1
// block: a chain that runs one committee (Config.Committee makes one).
type StaticEons []Eon

// Eons returns the list.
func (s StaticEons) Eons(context.Context) ([]Eon, uint64, error) { return s, math.MaxUint64, nil }

// submitSelector is the EncryptedInbox's submit selector.
var submitSelector = encmempool.SubmitSelector()

// envelopeEon reads the eon word of a submit call to the inbox (the first
// argument: bytes 4..36 of the calldata) without checking anything else:
// admission checks the envelope, and the pool holds only envelopes it
// admitted. ok is false for a transaction that is no such call.
func envelopeEon(tx *types.Transaction) (uint64, bool) {
	if tx.To() == nil || *tx.To() != contracts.EncryptedInboxAddress {
		return 0, false
	}
	d := tx.Data()
	if len(d) < 36 || !bytes.Equal(d[:4], submitSelector) {
		return 0, false
	}
	for _, b := range d[4:28] {
		if b != 0 {
			return 0, false
		}
	}
	return binary.BigEndian.Uint64(d[28:36]), true
}

// eonView is admission's view with the eon to admit envelopes for.
type eonView struct {
	*headView
	eon uint64
}

func (v eonView) Rules() encmempool.Rules {
	r := v.headView.Rules()
	r.Eon = v.eon
	return r
}

// staticSchedule is the one-eon schedule of a Config without Eons.
func (c *Config) staticSchedule() StaticEons {
	return StaticEons{{Number: c.Committee.Eon, Committee: c.Committee, EonKey: c.EonKey, PublicShares: c.PublicShares}}
}
