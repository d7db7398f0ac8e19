package batch

import (
	"bytes"
	"crypto/ecdsa"
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
)

func testTxs(t testing.TB, n int) []*types.Transaction {
	t.Helper()
	k, _ := crypto.GenerateKey()
	signer := types.LatestSignerForChainID(big.NewInt(901))
	var out []*types.Transaction
	to := common.Address{9}
	for i := 0; i < n; i++ {
		tx, err := types.SignNewTx(k, signer, &types.DynamicFeeTx{ChainID: big.NewInt(901), Nonce: uint64(i),
			GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(10), Gas: 21000, To: &to, Value: big.NewInt(1)})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tx)
	}
	return out
}

func testBatch(t testing.TB, key *ecdsa.PrivateKey, txs []*types.Transaction) *Batch {
	t.Helper()
	c := Commitment{ChainID: 901, Eon: 1, Number: 7, Parent: common.Hash{1}, FirstSeq: 100, Timestamp: 1_700_000_000,
		L1OriginNumber: 50, L1OriginHash: common.Hash{2}, BaseFee: big.NewInt(7), GasLimit: 30_000_000,
		FeeRecipient: common.Address{3}, Deposits: []Deposit{{L1TxHash: common.Hash{4}, To: common.Address{5}, Amount: big.NewInt(10)}}}
	for _, tx := range txs {
		c.TxHashes = append(c.TxHashes, tx.Hash())
	}
	s, err := Sign(c, key)
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(s, txs)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRoundTripAndSigner(t *testing.T) {
	key, _ := crypto.GenerateKey()
	b := testBatch(t, key, testTxs(t, 5))
	raw, err := b.Encode()
	if err != nil {
		t.Fatal(err)
	}
	d, err := Decode(raw, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if d.Commitment.Hash() != b.Commitment.Hash() || d.Size != len(raw) || len(d.Txs) != 5 {
		t.Fatal("round trip changed the batch")
	}
	signer, err := d.Signer()
	if err != nil || signer != crypto.PubkeyToAddress(key.PublicKey) {
		t.Fatalf("signer %s, %v", signer, err)
	}
	// Every field is committed.
	c := d.Commitment
	c.Timestamp++
	if c.Hash() == d.Commitment.Hash() {
		t.Fatal("the timestamp is not in the hash")
	}
	if s2, _ := (&Signed{Commitment: c, Signature: d.Signature}).Signer(); s2 == signer {
		t.Fatal("the signature covers a changed commitment")
	}
}

func TestDecodeErrors(t *testing.T) {
	key, _ := crypto.GenerateKey()
	txs := testTxs(t, 3)
	good := testBatch(t, key, txs)
	encode := func(mut func(*batchRLP)) []byte {
		raw, _ := good.Encode()
		var r batchRLP
		if err := rlp.DecodeBytes(raw, &r); err != nil {
			t.Fatal(err)
		}
		mut(&r)
		out, err := rlp.EncodeToBytes(&r)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	raw, _ := good.Encode()
	for _, tc := range []struct {
		name string
		raw  []byte
		lim  Limits
		want error
	}{
		{"empty", nil, DefaultLimits, ErrMalformed},
		{"trailing bytes", append(bytes.Clone(raw), 0), DefaultLimits, ErrMalformed},
		{"too large", raw, Limits{MaxBytes: 10, MaxTxs: 10, MaxDeposits: 10}, ErrTooLarge},
		{"too many transactions", raw, Limits{MaxBytes: 1 << 20, MaxTxs: 2, MaxDeposits: 10}, ErrTooLarge},
		{"unknown version", encode(func(r *batchRLP) { r.Commitment.Version = 2 }), DefaultLimits, ErrVersion},
		{"missing transaction", encode(func(r *batchRLP) { r.Txs = r.Txs[:2] }), DefaultLimits, ErrTxMismatch},
		{"swapped transactions", encode(func(r *batchRLP) { r.Txs[0], r.Txs[1] = r.Txs[1], r.Txs[0] }), DefaultLimits, ErrTxMismatch},
		{"undecodable transaction", encode(func(r *batchRLP) { r.Txs[0] = []byte{0x02, 0xc0} }), DefaultLimits, ErrBadTx},
		{"forced out of range", encode(func(r *batchRLP) { r.Commitment.Forced = []uint32{3} }), DefaultLimits, ErrForcedIndex},
		{"forced not increasing", encode(func(r *batchRLP) { r.Commitment.Forced = []uint32{1, 1} }), DefaultLimits, ErrForcedIndex},
		{"zero deposit", encode(func(r *batchRLP) { r.Commitment.Deposits[0].Amount = new(big.Int) }), DefaultLimits, ErrDepositAmount},
		{"short signature", encode(func(r *batchRLP) { r.Signature = r.Signature[:64] }), DefaultLimits, ErrSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Decode(tc.raw, tc.lim); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := New(&good.Signed, txs[:2]); !errors.Is(err, ErrTxMismatch) {
		t.Fatalf("New with missing transactions: %v", err)
	}
	if _, err := Sign(Commitment{}, key); !errors.Is(err, ErrMalformed) {
		t.Fatalf("Sign without a base fee: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	key, _ := crypto.GenerateKey()
	good := testBatch(f, key, testTxs(f, 3))
	raw, _ := good.Encode()
	f.Add(raw)
	f.Add([]byte{0xc0})
	f.Fuzz(func(t *testing.T, raw []byte) {
		b, err := Decode(raw, DefaultLimits)
		if err != nil {
			return
		}
		again, err := b.Encode()
		if err != nil {
			t.Fatalf("decoded batch does not encode: %v", err)
		}
		if _, err := Decode(again, DefaultLimits); err != nil {
			t.Fatalf("re-encoded batch does not decode: %v", err)
		}
		b.Signer() // must not panic
	})
}

// TestLimitsOrDefaults fills only the fields not set.
func TestLimitsOrDefaults(t *testing.T) {
	got := Limits{MaxTxs: 7, MaxBytes: -1}.OrDefaults()
	want := Limits{MaxTxs: 7, MaxBytes: DefaultLimits.MaxBytes, MaxDeposits: DefaultLimits.MaxDeposits}
	if got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}
