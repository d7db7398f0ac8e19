package ordering

import (
	"crypto/ecdsa"
	"crypto/rand"
	"errors"
	"math/big"
	"slices"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/keyper/dkg"
	"github.com/veil-l2/veil/ordering/batch"
)

// forcedKey is one eon key for the IncludeForced tests (a small local DKG,
// run once).
var forcedKey = sync.OnceValues(func() (*tpke.EonPublicKey, error) {
	res, err := dkg.RunLocal(testChainID, testEon, 3, 2)
	if err != nil {
		return nil, err
	}
	return res[0].EonPublicKey, nil
})

// forcedEnvelope builds a signed envelope of the given chain and eon whose
// inner transaction (and so its declared gas) has the given gas limit.
func forcedEnvelope(t testing.TB, chainID, eon, innerGas uint64) *types.Transaction {
	t.Helper()
	pk, err := forcedKey()
	if err != nil {
		t.Fatal(err)
	}
	user, _ := crypto.GenerateKey()
	payer, _ := crypto.GenerateKey()
	signer := types.LatestSignerForChainID(new(big.Int).SetUint64(chainID))
	inner := types.MustSignNewTx(user, signer, &types.DynamicFeeTx{ChainID: new(big.Int).SetUint64(chainID), GasTipCap: big.NewInt(1),
		GasFeeCap: big.NewInt(params.GWei), Gas: innerGas, To: &common.Address{0xf0}, Value: big.NewInt(1)})
	env, err := encmempool.BuildEnvelope(encmempool.BuildParams{ChainID: chainID, Eon: eon, EonKey: pk,
		Inbox: contracts.EncryptedInboxAddress, Inner: inner, PayerKey: payer, GasTipCap: big.NewInt(1),
		GasFeeCap: big.NewInt(params.GWei), Rand: rand.Reader})
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func rawTx(t testing.TB, tx *types.Transaction) []byte {
	t.Helper()
	b, err := tx.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// plainTx is a plaintext transfer signed for chainID.
func plainTx(t testing.TB, key *ecdsa.PrivateKey, chainID uint64) *types.Transaction {
	t.Helper()
	return types.MustSignNewTx(key, types.LatestSignerForChainID(new(big.Int).SetUint64(chainID)), &types.DynamicFeeTx{
		ChainID: new(big.Int).SetUint64(chainID), GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(params.GWei), Gas: 21000,
		To: &common.Address{0xc0}, Value: big.NewInt(1)})
}

var forcedRules = ForcedRules{ChainID: testChainID, Eon: testEon, GasLimit: 30_000_000}

// forcedGas is an envelope's share of the budget: its gas limit plus its
// declared gas (the inner transaction's gas limit).
func forcedGas(t testing.TB, tx *types.Transaction) uint64 {
	t.Helper()
	env, err := encmempool.ParseEnvelope(tx, types.LatestSignerForChainID(big.NewInt(testChainID)), contracts.EncryptedInboxAddress,
		encmempool.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return tx.Gas() + env.DeclaredGas
}

// TestIncludeForced: each way a forced envelope is skipped, with its named
// error, while the others are included in index order.
func TestIncludeForced(t *testing.T) {
	key, _ := crypto.GenerateKey()
	good := forcedEnvelope(t, testChainID, testEon, 21000)
	good2 := forcedEnvelope(t, testChainID, testEon, 21000)
	otherChain := forcedEnvelope(t, testChainID+1, testEon, 21000)
	otherEon := forcedEnvelope(t, testChainID, testEon+1, 21000)
	// A transaction to the inbox that is no envelope (plain calldata).
	notEnvelope := types.MustSignNewTx(key, types.LatestSignerForChainID(big.NewInt(testChainID)), &types.DynamicFeeTx{
		ChainID: big.NewInt(testChainID), GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(params.GWei), Gas: 100_000,
		To: &contracts.EncryptedInboxAddress, Data: []byte{1, 2, 3, 4, 5}})
	// The budget: two small envelopes fit, a big one (50,000 more declared
	// gas) does not after the first, a later small one still does.
	small, small2 := forcedEnvelope(t, testChainID, testEon, 21000), forcedEnvelope(t, testChainID, testEon, 21000)
	large := forcedEnvelope(t, testChainID, testEon, 71000)
	tight := batch.SystemGas(0, 2) + forcedGas(t, small) + forcedGas(t, small2)
	if forcedGas(t, large) <= forcedGas(t, small2) || forcedGas(t, large) > tight {
		t.Fatalf("setup: large %d, small %d, limit %d", forcedGas(t, large), forcedGas(t, small2), tight)
	}
	// With one deposit, exactly one small envelope fits.
	oneWithDeposit := batch.SystemGas(1, 1) + forcedGas(t, small)

	type want struct {
		index uint64
		err   error
		cause error // a further error the reason wraps
	}
	cases := []struct {
		name     string
		rules    ForcedRules
		forced   []ForcedEnvelope
		included []uint64
		skipped  []want
	}{
		{name: "none", rules: forcedRules},
		{name: "one", rules: forcedRules, forced: []ForcedEnvelope{{Index: 4, Raw: rawTx(t, good)}}, included: []uint64{4}},
		{name: "garbage bytes", rules: forcedRules,
			forced:   []ForcedEnvelope{{Index: 0, Raw: []byte("not a transaction")}, {Index: 1}, {Index: 2, Raw: rawTx(t, good)}},
			included: []uint64{2}, skipped: []want{{0, ErrForcedDecode, nil}, {1, ErrForcedDecode, nil}}},
		{name: "truncated", rules: forcedRules, forced: []ForcedEnvelope{{Index: 0, Raw: rawTx(t, good)[:100]}},
			skipped: []want{{0, ErrForcedDecode, nil}}},
		{name: "wrong chain id", rules: forcedRules,
			forced:   []ForcedEnvelope{{Index: 0, Raw: rawTx(t, otherChain)}, {Index: 1, Raw: rawTx(t, good)}},
			included: []uint64{1}, skipped: []want{{0, ErrForcedInvalid, encmempool.ErrWrongChain}}},
		{name: "another eon", rules: forcedRules, forced: []ForcedEnvelope{{Index: 0, Raw: rawTx(t, otherEon)}},
			skipped: []want{{0, ErrForcedInvalid, encmempool.ErrWrongEon}}},
		{name: "plaintext is not forced", rules: forcedRules, forced: []ForcedEnvelope{{Index: 0, Raw: rawTx(t, plainTx(t, key, testChainID))}},
			skipped: []want{{0, ErrForcedInvalid, encmempool.ErrPlaintextDisabled}}},
		{name: "malformed envelope", rules: forcedRules, forced: []ForcedEnvelope{{Index: 0, Raw: rawTx(t, notEnvelope)}},
			skipped: []want{{0, ErrForcedInvalid, encmempool.ErrMalformed}}},
		{name: "the same envelope twice", rules: forcedRules,
			forced:   []ForcedEnvelope{{Index: 0, Raw: rawTx(t, good)}, {Index: 1, Raw: rawTx(t, good2)}, {Index: 2, Raw: rawTx(t, good)}},
			included: []uint64{0, 1}, skipped: []want{{2, ErrForcedDuplicate, nil}}},
		{name: "gas budget overflow skipped, order kept",
			rules: ForcedRules{ChainID: testChainID, Eon: testEon, GasLimit: tight},
			forced: []ForcedEnvelope{{Index: 7, Raw: rawTx(t, small2)}, {Index: 5, Raw: rawTx(t, large)},
				{Index: 3, Raw: rawTx(t, small)}},
			included: []uint64{3, 7}, skipped: []want{{5, ErrForcedBudget, nil}}},
		{name: "deposits take budget first",
			rules:    ForcedRules{ChainID: testChainID, Eon: testEon, GasLimit: oneWithDeposit, Deposits: 1},
			forced:   []ForcedEnvelope{{Index: 0, Raw: rawTx(t, small)}, {Index: 1, Raw: rawTx(t, small2)}},
			included: []uint64{0}, skipped: []want{{1, ErrForcedBudget, nil}}},
		{name: "above the block gas limit alone",
			rules:  ForcedRules{ChainID: testChainID, Eon: testEon, GasLimit: forcedGas(t, small) - 1},
			forced: []ForcedEnvelope{{Index: 0, Raw: rawTx(t, small)}}, skipped: []want{{0, ErrForcedInvalid, encmempool.ErrGasLimit}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := IncludeForced(tc.rules, tc.forced)
			var included []uint64
			for i, in := range got.Included {
				included = append(included, in.Index)
				if in.Tx.Hash() != hashOf(t, in.Raw) {
					t.Errorf("included %d: the transaction is not its bytes", i)
				}
				if in.Candidate.Gas != forcedGas(t, in.Tx) || !in.Candidate.Envelope {
					t.Errorf("included %d: candidate %+v", i, in.Candidate)
				}
			}
			if !slices.Equal(included, tc.included) {
				t.Fatalf("included %v, want %v", included, tc.included)
			}
			if len(got.Skipped) != len(tc.skipped) {
				t.Fatalf("skipped %+v, want %+v", got.Skipped, tc.skipped)
			}
			for i, s := range got.Skipped {
				w := tc.skipped[i]
				if s.Index != w.index || !errors.Is(s.Reason, w.err) || (w.cause != nil && !errors.Is(s.Reason, w.cause)) {
					t.Errorf("skipped %d: index %d, %v; want index %d, %v (%v)", i, s.Index, s.Reason, w.index, w.err, w.cause)
				}
			}
			// Whatever is included fits the gas budget the keypers check.
			var gas uint64
			for _, in := range got.Included {
				gas += in.Candidate.Gas
			}
			if len(got.Included) > 0 && gas+batch.SystemGas(tc.rules.Deposits, len(got.Included)) > tc.rules.GasLimit {
				t.Errorf("included %d gas over the limit %d", gas, tc.rules.GasLimit)
			}
		})
	}
}

// TestIncludeForcedCountCap: at most MaxForcedTxs forced envelopes per
// batch; the rest are skipped for the budget.
func TestIncludeForcedCountCap(t *testing.T) {
	var forced []ForcedEnvelope
	for i := range MaxForcedTxs + 2 {
		forced = append(forced, ForcedEnvelope{Index: uint64(i), Raw: rawTx(t, forcedEnvelope(t, testChainID, testEon, 21000))})
	}
	got := IncludeForced(forcedRules, forced)
	if len(got.Included) != MaxForcedTxs || len(got.Skipped) != 2 {
		t.Fatalf("%d included, %d skipped; want %d and 2", len(got.Included), len(got.Skipped), MaxForcedTxs)
	}
	for i, s := range got.Skipped {
		if s.Index != uint64(MaxForcedTxs+i) || !errors.Is(s.Reason, ErrForcedBudget) {
			t.Errorf("skipped %d: %d %v", i, s.Index, s.Reason)
		}
	}
}

func hashOf(t testing.TB, raw []byte) common.Hash {
	t.Helper()
	tx := new(types.Transaction)
	if err := tx.UnmarshalBinary(raw); err != nil {
		t.Fatal(err)
	}
	return tx.Hash()
}

// FuzzIncludeForced: any bytes forced on L1 are included or skipped, never
// a panic, and what is included decodes to itself and fits the budget.
func FuzzIncludeForced(f *testing.F) {
	f.Add(rawTx(f, forcedEnvelope(f, testChainID, testEon, 21000)), uint64(200_000), uint8(0))
	f.Add([]byte{0x02, 0xc0}, uint64(30_000_000), uint8(3))
	f.Add([]byte{}, uint64(0), uint8(1))
	f.Fuzz(func(t *testing.T, raw []byte, gasLimit uint64, deposits uint8) {
		r := ForcedRules{ChainID: testChainID, Eon: testEon, GasLimit: gasLimit, Deposits: int(deposits)}
		got := IncludeForced(r, []ForcedEnvelope{{Index: 0, Raw: raw}, {Index: 1, Raw: raw}})
		if len(got.Included)+len(got.Skipped) != 2 || len(got.Included) > 1 {
			t.Fatalf("%d included, %d skipped", len(got.Included), len(got.Skipped))
		}
		for _, in := range got.Included {
			if in.Tx.Hash() != hashOf(t, raw) {
				t.Fatal("included transaction is not the forced bytes")
			}
			if in.Candidate.Gas+batch.SystemGas(r.Deposits, 1) > gasLimit {
				t.Fatal("included over the gas limit")
			}
		}
		for _, s := range got.Skipped {
			if s.Reason == nil {
				t.Fatal("skipped without a reason")
			}
		}
	})
}
