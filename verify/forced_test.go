package verify

import (
	"crypto/rand"
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/ordering"
	"github.com/veil-l2/veil/ordering/batch"
)

// TestForcedRule: the forced-inclusion rule on one batch, without L1: what
// the origin range brings, what the batch commits where, its origin and
// the block it was posted in.
func TestForcedRule(t *testing.T) {
	res, err := committee()
	if err != nil {
		t.Fatal(err)
	}
	signer := types.LatestSignerForChainID(big.NewInt(testChainID))
	to := common.Address{9}
	plain := types.MustSignNewTx(testKey(200), signer, &types.DynamicFeeTx{ChainID: big.NewInt(testChainID), GasTipCap: gwei,
		GasFeeCap: feeCap, Gas: 21_000, To: &to})
	envelope := func(payer byte) *types.Transaction {
		inner := types.MustSignNewTx(testKey(payer+1), signer, &types.DynamicFeeTx{ChainID: big.NewInt(testChainID), GasTipCap: gwei,
			GasFeeCap: feeCap, Gas: 21_000, To: &to, Value: big.NewInt(1)})
		env, err := encmempool.BuildEnvelope(encmempool.BuildParams{ChainID: testChainID, Eon: testEon, EonKey: res[0].EonPublicKey,
			Inbox: contracts.EncryptedInboxAddress, Inner: inner, PayerKey: testKey(payer), GasTipCap: gwei, GasFeeCap: feeCap,
			Rand: rand.Reader})
		if err != nil {
			t.Fatal(err)
		}
		return env
	}
	env1, env2 := envelope(210), envelope(220)
	// forced is envelope index forced in L1 block 5 + index (deadline 10
	// blocks later).
	forced := func(index uint64, raw []byte) ordering.ForcedEnvelope {
		return ordering.ForcedEnvelope{Index: index, L1Block: 5 + index, Deadline: 15 + index, Raw: raw}
	}
	bin := func(tx *types.Transaction) []byte { return mustBinary(t, tx) }
	rules := ordering.ForcedRules{ChainID: testChainID, Eon: testEon, GasLimit: 30_000_000, Limits: encmempool.DefaultLimits}
	for _, tc := range []struct {
		name      string
		brought   []ordering.ForcedEnvelope
		above     []ordering.ForcedEnvelope
		txs       []*types.Transaction
		positions []uint32
		origin    uint64 // 10 when 0
		postedAt  uint64 // origin+1 when 0
		want      error
	}{
		{name: "nothing forced", txs: []*types.Transaction{plain}},
		{name: "an envelope included first", brought: []ordering.ForcedEnvelope{forced(0, bin(env1))},
			txs: []*types.Transaction{env1, plain}, positions: []uint32{0}},
		{name: "envelopes in index order", brought: []ordering.ForcedEnvelope{forced(1, bin(env2)), forced(0, bin(env1))},
			txs: []*types.Transaction{env1, env2, plain}, positions: []uint32{0, 1}},
		{name: "what IncludeForced skips left out", brought: []ordering.ForcedEnvelope{forced(0, []byte{1, 2}),
			forced(1, bin(plain)), forced(2, bin(env1)), forced(3, bin(env1))},
			txs: []*types.Transaction{env1}, positions: []uint32{0}},
		{name: "an envelope left out", brought: []ordering.ForcedEnvelope{forced(0, bin(env1))},
			txs: []*types.Transaction{plain}, want: ErrForced},
		{name: "an envelope left out of an empty batch", brought: []ordering.ForcedEnvelope{forced(0, bin(env1))},
			want: ErrForced},
		{name: "an envelope after an ordinary transaction", brought: []ordering.ForcedEnvelope{forced(0, bin(env1))},
			txs: []*types.Transaction{plain, env1}, positions: []uint32{1}, want: ErrForced},
		{name: "envelopes out of index order", brought: []ordering.ForcedEnvelope{forced(0, bin(env1)), forced(1, bin(env2))},
			txs: []*types.Transaction{env2, env1}, positions: []uint32{0, 1}, want: ErrForced},
		{name: "an envelope not marked", brought: []ordering.ForcedEnvelope{forced(0, bin(env1))},
			txs: []*types.Transaction{env1, plain}, want: ErrForced},
		{name: "an ordinary transaction marked", txs: []*types.Transaction{plain, env1}, positions: []uint32{1}, want: ErrForced},
		{name: "a forced plaintext transaction included", brought: []ordering.ForcedEnvelope{forced(0, bin(plain))},
			txs: []*types.Transaction{plain}, positions: []uint32{0}, want: ErrForced},
		{name: "a forced duplicate included", brought: []ordering.ForcedEnvelope{forced(0, bin(env1)), forced(1, bin(env1))},
			txs: []*types.Transaction{env1, env1}, positions: []uint32{0, 1}, want: ErrForced},
		{name: "brought at its deadline", brought: []ordering.ForcedEnvelope{forced(0, bin(env1))},
			txs: []*types.Transaction{env1}, positions: []uint32{0}, origin: 15},
		{name: "brought past its deadline", brought: []ordering.ForcedEnvelope{forced(0, bin(env1))},
			txs: []*types.Transaction{env1}, positions: []uint32{0}, origin: 16, want: ErrForcedSkipped},
		{name: "garbage brought past its deadline", brought: []ordering.ForcedEnvelope{forced(0, []byte{1})},
			origin: 16, want: ErrForcedSkipped},
		{name: "posted at the deadline of one above the origin", above: []ordering.ForcedEnvelope{forced(0, bin(env1))},
			origin: 3, postedAt: 15},
		{name: "posted past the deadline of one above the origin", above: []ordering.ForcedEnvelope{forced(0, bin(env1))},
			origin: 3, postedAt: 16, want: ErrForcedSkipped},
		{name: "posted past the deadline of garbage above the origin", above: []ordering.ForcedEnvelope{forced(0, []byte{1})},
			origin: 3, postedAt: 16, want: ErrForcedSkipped},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &batch.Commitment{Number: 7, L1OriginNumber: tc.origin, Forced: tc.positions}
			if c.L1OriginNumber == 0 {
				c.L1OriginNumber = 10
			}
			posted := tc.postedAt
			if posted == 0 {
				posted = c.L1OriginNumber + 1
			}
			for _, tx := range tc.txs {
				c.TxHashes = append(c.TxHashes, tx.Hash())
			}
			err := checkForcedRule(rules, c, tc.brought, tc.above, posted)
			var mm *Mismatch
			switch {
			case tc.want == nil && err != nil:
				t.Fatal(err)
			case tc.want != nil && (!errors.Is(err, tc.want) || !errors.As(err, &mm) || mm.Batch != 7):
				t.Fatalf("%v, want batch 7: %v", err, tc.want)
			}
			if err != nil {
				t.Log(err)
			}
		})
	}
}
