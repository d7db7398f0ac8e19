package verify

import (
	"crypto/rand"
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"

	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/ordering/batch"
)

// TestForcedStandIn: what the stand-in rule owes and when it calls an
// envelope skipped, on the pure state without L1.
func TestForcedStandIn(t *testing.T) {
	res, err := committee()
	if err != nil {
		t.Fatal(err)
	}
	signer := types.LatestSignerForChainID(big.NewInt(testChainID))
	to := common.Address{9}
	inner := types.MustSignNewTx(testKey(200), signer, &types.DynamicFeeTx{ChainID: big.NewInt(testChainID), GasTipCap: gwei,
		GasFeeCap: feeCap, Gas: params.TxGas, To: &to, Value: big.NewInt(1)})
	env, err := encmempool.BuildEnvelope(encmempool.BuildParams{ChainID: testChainID, Eon: testEon, EonKey: res[0].EonPublicKey,
		Inbox: contracts.EncryptedInboxAddress, Inner: inner, PayerKey: testKey(201), GasTipCap: gwei, GasFeeCap: feeCap,
		Rand: rand.Reader})
	if err != nil {
		t.Fatal(err)
	}
	rules := forcedRules{ChainID: testChainID, Eon: testEon, GasLimit: 30_000_000, Limits: encmempool.DefaultLimits}
	ev := func(index, block uint64, raw []byte) forcedEvent {
		return forcedEvent{Index: index, L1Block: block, Deadline: block + 10, Raw: raw}
	}
	commitment := func(origin uint64, forced []uint32, txs ...*types.Transaction) *batch.Commitment {
		c := &batch.Commitment{Number: 1, L1OriginNumber: origin, Forced: forced}
		for _, tx := range txs {
			c.TxHashes = append(c.TxHashes, tx.Hash())
		}
		return c
	}
	plain := types.MustSignNewTx(testKey(202), signer, &types.DynamicFeeTx{ChainID: big.NewInt(testChainID), GasTipCap: gwei,
		GasFeeCap: feeCap, Gas: params.TxGas, To: &to})

	// Garbage and a plaintext transaction are owed nothing, even long
	// after their deadline.
	s := &forcedState{committed: map[common.Hash]bool{}}
	out, err := s.check(rules, commitment(5, nil), []forcedEvent{ev(0, 3, []byte{1, 2, 3}), ev(1, 4, mustBinary(t, plain))}, nil, 6)
	if err != nil || len(out.pending) != 0 {
		t.Fatalf("owed %v, %v", out, err)
	}
	out.apply(s)
	if _, err := s.check(rules, commitment(100, nil), nil, []forcedEvent{ev(2, 50, []byte{4})}, 200); err != nil {
		t.Fatal(err)
	}

	// A well-formed envelope is owed until committed, at any position.
	out, err = s.check(rules, commitment(5, nil), []forcedEvent{ev(3, 5, mustBinary(t, env))}, nil, 6)
	if err != nil || len(out.pending) != 1 {
		t.Fatalf("owed %v, %v", out, err)
	}
	out.apply(s)
	if _, err := s.check(rules, commitment(15, nil), nil, nil, 16); err != nil {
		t.Fatalf("at the deadline: %v", err)
	}
	if _, err := s.check(rules, commitment(16, nil), nil, nil, 17); !errors.Is(err, ErrForcedSkipped) {
		t.Fatalf("past the deadline: %v", err)
	}
	out, err = s.check(rules, commitment(15, []uint32{1}, plain, env), nil, nil, 16)
	if err != nil || len(out.pending) != 0 || len(out.committed) != 1 {
		t.Fatalf("committed: %v, %v", out, err)
	}
	if _, err := s.check(rules, commitment(15, []uint32{0}, plain, env), nil, nil, 16); !errors.Is(err, ErrForced) {
		t.Fatalf("a plaintext transaction at a forced position: %v", err)
	}
	// Committed once, forcing it again owes nothing.
	out.apply(s)
	if out, err := s.check(rules, commitment(20, nil), []forcedEvent{ev(4, 20, mustBinary(t, env))}, nil, 21); err != nil ||
		len(out.pending) != 0 {
		t.Fatalf("forced again: %v, %v", out, err)
	}
	// Lagging: posted after the deadline of an envelope above the origin.
	s2 := &forcedState{committed: map[common.Hash]bool{}}
	if _, err := s2.check(rules, commitment(3, nil), nil, []forcedEvent{ev(5, 5, mustBinary(t, env))}, 16); !errors.Is(err, ErrForcedSkipped) {
		t.Fatalf("lagging origin: %v", err)
	}
	if _, err := s2.check(rules, commitment(3, nil), nil, []forcedEvent{ev(5, 5, mustBinary(t, env))}, 15); err != nil {
		t.Fatalf("posted at the deadline: %v", err)
	}
}
