package encmempool_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/veil-l2/veil/encmempool"
)

var sequencerKey = testKey(3)

func signedReceipt(tb testing.TB) encmempool.Receipt {
	tb.Helper()
	r := encmempool.Receipt{ChainID: testChainID, Seq: 42, Hash: common.HexToHash("0xabcdef"), Time: 1_700_000_000_123}
	if err := r.Sign(sequencerKey); err != nil {
		tb.Fatal(err)
	}
	return r
}

func TestReceiptSignVerify(t *testing.T) {
	r := signedReceipt(t)
	seq := addrOf(sequencerKey)
	if err := r.Verify(seq); err != nil {
		t.Fatal(err)
	}
	// The signing hash is the documented fixed-width encoding, the one an
	// L1 contract rebuilds with abi.encodePacked.
	packed := []byte("veil/receipt/v1")
	packed = append(packed, common.LeftPadBytes(big.NewInt(testChainID).Bytes(), 8)...)
	packed = append(packed, common.LeftPadBytes(big.NewInt(42).Bytes(), 8)...)
	packed = append(packed, r.Hash[:]...)
	packed = append(packed, common.LeftPadBytes(big.NewInt(1_700_000_000_123).Bytes(), 8)...)
	if r.SigningHash() != crypto.Keccak256Hash(packed) {
		t.Fatal("signing hash is not keccak256 of the packed fields")
	}
	// Deterministic: signing again gives the same bytes.
	again := r
	if err := again.Sign(sequencerKey); err != nil || !bytes.Equal(again.Signature, r.Signature) {
		t.Fatal("signing is not deterministic")
	}

	tamper := map[string]func(r *encmempool.Receipt){
		"chain id":  func(r *encmempool.Receipt) { r.ChainID++ },
		"seq":       func(r *encmempool.Receipt) { r.Seq-- },
		"hash":      func(r *encmempool.Receipt) { r.Hash[31] ^= 1 },
		"time":      func(r *encmempool.Receipt) { r.Time++ },
		"signature": func(r *encmempool.Receipt) { r.Signature[10] ^= 1 },
		"v":         func(r *encmempool.Receipt) { r.Signature[64] ^= 1 },
		"v of 27":   func(r *encmempool.Receipt) { r.Signature[64] += 27 },
		"short":     func(r *encmempool.Receipt) { r.Signature = r.Signature[:64] },
		"high s": func(r *encmempool.Receipt) {
			s := new(big.Int).SetBytes(r.Signature[32:64])
			new(big.Int).Sub(crypto.S256().Params().N, s).FillBytes(r.Signature[32:64])
			r.Signature[64] ^= 1
		},
	}
	for name, mutate := range tamper {
		t.Run(name, func(t *testing.T) {
			c := r
			c.Signature = bytes.Clone(r.Signature)
			mutate(&c)
			if err := c.Verify(seq); !errors.Is(err, encmempool.ErrReceiptSignature) {
				t.Fatalf("Verify of a tampered receipt: %v", err)
			}
		})
	}
	if err := r.Verify(addrOf(payerKey)); !errors.Is(err, encmempool.ErrReceiptSignature) {
		t.Fatalf("Verify against another address: %v", err)
	}
	other := r
	if err := other.Sign(payerKey); err != nil {
		t.Fatal(err)
	}
	if err := other.Verify(seq); !errors.Is(err, encmempool.ErrReceiptSignature) {
		t.Fatalf("receipt signed by another key: %v", err)
	}
}

func TestReceiptJSON(t *testing.T) {
	r := signedReceipt(t)
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]string
	if err := json.Unmarshal(b, &fields); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"chainId": "0x539", "seq": "0x2a", "time": "0x18bcfe5687b",
		"hash":      "0x0000000000000000000000000000000000000000000000000000000000abcdef",
		"signature": "0x" + common.Bytes2Hex(r.Signature),
	}
	for k, v := range want {
		if fields[k] != v {
			t.Errorf("%s = %q, want %q", k, fields[k], v)
		}
	}
	if len(fields) != len(want) {
		t.Errorf("fields %v", fields)
	}
	var back encmempool.Receipt
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if err := back.Verify(addrOf(sequencerKey)); err != nil || back.Seq != r.Seq || back.Time != r.Time {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	for _, bad := range []string{
		`{"chainId":"0x539","seq":"0x2a","hash":"0x00","time":"0x1","signature":"0x00"}`,
		`{"chainId":"0x539","seq":"0x2a","time":"0x1","signature":"0x00"}`,
		`{"chainId":"539","seq":"0x2a","hash":"0x0000000000000000000000000000000000000000000000000000000000abcdef","time":"0x1","signature":"0x00"}`,
		`{"chainId":"0x0539","seq":"0x2a","hash":"0x0000000000000000000000000000000000000000000000000000000000abcdef","time":"0x1","signature":"0x00"}`,
		`[]`,
	} {
		if err := json.Unmarshal([]byte(bad), &back); !errors.Is(err, encmempool.ErrReceiptMalformed) {
			t.Errorf("%s: %v, want ErrReceiptMalformed", bad, err)
		}
	}
}

func TestReceiptBinary(t *testing.T) {
	r := signedReceipt(t)
	b, err := r.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var back encmempool.Receipt
	if err := back.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if err := back.Verify(addrOf(sequencerKey)); err != nil || back.Hash != r.Hash || back.ChainID != r.ChainID {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	short := r
	short.Signature = r.Signature[:64]
	shortRaw, _ := short.MarshalBinary()
	for name, bad := range map[string][]byte{
		"empty":          nil,
		"trailing byte":  append(bytes.Clone(b), 0),
		"truncated":      b[:len(b)-1],
		"short sig":      shortRaw,
		"not a list":     {0x80},
		"list too short": {0xc3, 0x01, 0x02, 0x03},
	} {
		if err := back.UnmarshalBinary(bad); !errors.Is(err, encmempool.ErrReceiptMalformed) {
			t.Errorf("%s: %v, want ErrReceiptMalformed", name, err)
		}
	}
}

// FuzzReceipt: decoding never panics, and whatever decodes re-encodes to
// the same bytes (one receipt, one encoding).
func FuzzReceipt(f *testing.F) {
	r := signedReceipt(f)
	b, _ := r.MarshalBinary()
	j, _ := json.Marshal(r)
	f.Add(b)
	f.Add(j)
	f.Add([]byte{0xc0})
	f.Fuzz(func(t *testing.T, data []byte) {
		var r encmempool.Receipt
		if err := r.UnmarshalBinary(data); err == nil {
			again, err := r.MarshalBinary()
			if err != nil || !bytes.Equal(again, data) {
				t.Fatalf("re-encoding differs: %x vs %x (%v)", again, data, err)
			}
			_, _ = r.Signer()
		}
		var rj encmempool.Receipt
		if err := json.Unmarshal(data, &rj); err == nil {
			if _, err := json.Marshal(rj); err != nil {
				t.Fatal(err)
			}
			_ = rj.Verify(common.Address{})
		}
	})
}
