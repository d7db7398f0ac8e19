package rescue

import (
	"crypto/rand"
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/execution"
	"github.com/veil-l2/veil/keyper"
	"github.com/veil-l2/veil/keyper/dkg"
	"github.com/veil-l2/veil/ordering/batch"
)

const (
	testChain = 901
	testEon   = 1
)

// TestRescueChecks: the rescuer posts a republished batch only when the
// keyed positions are the no-key rule's (withholding more only as
// "released before") and every key is the eon key's for its identity.
func TestRescueChecks(t *testing.T) {
	res, err := dkg.RunLocal(testChain, testEon, 5, 3)
	if err != nil {
		t.Fatal(err)
	}
	pk := res[0].EonPublicKey
	seq, _ := crypto.GenerateKey()
	payer, _ := crypto.GenerateKey()
	signer := types.LatestSignerForChainID(big.NewInt(testChain))
	feeCap := big.NewInt(10_000_000_000)
	envelope := func(nonce uint64, eon uint64) *types.Transaction {
		user, _ := crypto.GenerateKey()
		to := common.Address{0xb0}
		inner, err := types.SignNewTx(user, signer, &types.DynamicFeeTx{ChainID: big.NewInt(testChain), GasTipCap: big.NewInt(1), GasFeeCap: feeCap,
			Gas: 21000, To: &to, Value: big.NewInt(1)})
		if err != nil {
			t.Fatal(err)
		}
		tx, err := encmempool.BuildEnvelope(encmempool.BuildParams{ChainID: testChain, Eon: eon, EonKey: pk, Inbox: contracts.EncryptedInboxAddress,
			Inner: inner, PayerKey: payer, Nonce: nonce, GasTipCap: big.NewInt(1), GasFeeCap: feeCap, Rand: rand.Reader})
		if err != nil {
			t.Fatal(err)
		}
		return tx
	}
	// Envelopes 0 and 2 are keyable; 1 is of another eon (no key).
	txs := []*types.Transaction{envelope(0, testEon), envelope(1, testEon+1), envelope(2, testEon)}
	c := batch.Commitment{ChainID: testChain, Eon: testEon, Number: 1, Timestamp: 100, BaseFee: big.NewInt(7), GasLimit: 30_000_000}
	for _, tx := range txs {
		c.TxHashes = append(c.TxHashes, tx.Hash())
	}
	s, err := batch.Sign(c, seq)
	if err != nil {
		t.Fatal(err)
	}
	b, err := batch.New(s, txs)
	if err != nil {
		t.Fatal(err)
	}
	r := &Rescuer{cfg: Config{Chain: &execution.ChainConfig{ChainID: testChain, Sequencer: crypto.PubkeyToAddress(seq.PublicKey)},
		Limits: encmempool.DefaultLimits}}
	// keysFor aggregates the committee's keys for the given envelopes.
	keysFor := func(idx ...int) []byte {
		rel, _ := keyper.Classify(keyper.ReleaseConfig{ChainID: testChain, Eon: testEon, Sequencer: r.cfg.Chain.Sequencer,
			Inbox: contracts.EncryptedInboxAddress}, b, releasedSet(nil))
		ids := map[int]tpke.Identity{}
		for _, k := range rel.Keyed {
			ids[k.Index] = k.Identity
		}
		var by [][]tpke.KeyShare
		for s := range 3 {
			var shares []tpke.KeyShare
			for _, i := range idx {
				shares = append(shares, res[s].Share.KeyShare(ids[i].Point()))
			}
			by = append(by, shares)
		}
		agg, err := tpke.NewAggregator([]int{0, 1, 2})
		if err != nil {
			t.Fatal(err)
		}
		keys, err := agg.AggregateMany(by)
		if err != nil {
			t.Fatal(err)
		}
		var out []byte
		for _, k := range keys {
			out = append(out, k.Bytes()...)
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		keyed []int
		keys  []byte
		want  error
	}{
		{"the rule's keys", []int{0, 2}, keysFor(0, 2), nil},
		{"one withheld as released before", []int{2}, keysFor(2), nil},
		{"a key for an envelope of another eon", []int{0, 1, 2}, append(keysFor(0, 2), keysFor(0)...), ErrClassification},
		{"keys swapped", []int{0, 2}, keysFor(2, 0), ErrInvalidKeys},
		{"a key missing", []int{0, 2}, keysFor(0), ErrInvalidKeys},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rp := &keyper.Republished{Batch: b, Keyed: tc.keyed,
				Keys: &batch.KeysMessage{ChainID: testChain, Eon: testEon, Number: 1, Hash: c.Hash(), Keys: tc.keys}}
			rel, err := r.classify(rp)
			if err == nil {
				err = checkKeys(pk, rel, rp.Keys)
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if err == nil && len(rel.Keyed) != len(tc.keyed) {
				t.Fatalf("%d keyed, want %d", len(rel.Keyed), len(tc.keyed))
			}
		})
	}
}
