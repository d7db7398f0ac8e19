package l1

import (
	"bytes"
	"compress/flate"
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rlp"

	"github.com/veil-l2/veil/ordering"
	"github.com/veil-l2/veil/ordering/batch"
)

func TestBatchDataRoundTrip(t *testing.T) {
	t.Parallel()
	e := &env{t: t, seq: testKey(2)}
	tb := e.makeBatch(committee(t, 1), 1, 7, common.Hash{6}, 5)
	wire, _ := tb.b.Encode()
	keys, _ := tb.keys.Encode()
	for _, c := range []Compression{NoCompression, Flate} {
		data, err := EncodeBatchData(tb.b, tb.keys, c)
		if err != nil {
			t.Fatal(err)
		}
		if data[0] != batchDataVersion || Compression(data[1]) != c {
			t.Fatalf("header %x", data[:2])
		}
		b, k, err := DecodeBatchData(data, batch.DefaultLimits)
		if err != nil {
			t.Fatalf("compression %d: %v", c, err)
		}
		gotWire, _ := b.Encode()
		gotKeys, _ := k.Encode()
		if !bytes.Equal(gotWire, wire) || !bytes.Equal(gotKeys, keys) {
			t.Errorf("compression %d: the round trip changed the batch or its keys", c)
		}
		t.Logf("compression %d: %d bytes of batch and keys, %d of data", c, len(wire)+len(keys), len(data))
	}
}

func TestBatchDataRefused(t *testing.T) {
	t.Parallel()
	e := &env{t: t, seq: testKey(2)}
	res := committee(t, 1)
	tb := e.makeBatch(res, 1, 7, common.Hash{6}, 2)
	other := e.makeBatch(res, 1, 8, common.Hash{7}, 1)
	if _, err := EncodeBatchData(tb.b, other.keys, Flate); !errors.Is(err, ErrBatchData) {
		t.Errorf("encoding with another batch's keys: %v, want ErrBatchData", err)
	}
	good, err := EncodeBatchData(tb.b, tb.keys, Flate)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := EncodeBatchData(tb.b, tb.keys, NoCompression)
	if err != nil {
		t.Fatal(err)
	}
	wire, _ := tb.b.Encode()
	otherKeys, _ := other.keys.Encode()
	mixed, _ := rlp.EncodeToBytes(&batchPayload{Batch: wire, Keys: otherKeys})
	tooManyKeys := *tb.keys
	tooManyKeys.Keys = bytes.Repeat(tb.keys.Keys[:48], 3)
	tmk, _ := tooManyKeys.Encode()
	extraKeys, _ := rlp.EncodeToBytes(&batchPayload{Batch: wire, Keys: tmk})
	var bomb bytes.Buffer
	w, _ := flate.NewWriter(&bomb, flate.BestCompression)
	_, _ = w.Write(make([]byte, 1<<20))
	_ = w.Close()

	for name, data := range map[string][]byte{
		"empty":                nil,
		"version 2":            append([]byte{2}, good[1:]...),
		"unknown compression":  append([]byte{1, 9}, good[2:]...),
		"truncated":            good[:len(good)-5],
		"trailing bytes":       append(append([]byte(nil), good...), 0),
		"plain trailing":       append(append([]byte(nil), plain...), 0),
		"another batch's keys": append([]byte{1, 0}, mixed...),
		"more keys than txs":   append([]byte{1, 0}, extraKeys...),
		"not a payload":        {1, 0, 0xc0},
		"above the limits":     append([]byte{1, 1}, bomb.Bytes()...),
	} {
		lim := batch.DefaultLimits
		if name == "above the limits" {
			lim = batch.Limits{MaxTxs: 10, MaxBytes: 1000, MaxDeposits: 10}
		}
		if _, _, err := DecodeBatchData(data, lim); !errors.Is(err, ErrBatchData) {
			t.Errorf("%s: %v, want ErrBatchData", name, err)
		}
	}
}

func FuzzDecodeBatchData(f *testing.F) {
	// Plain transactions and made-up keys: the decoder checks no key, and
	// the seeds must come cheap to every fuzzing worker.
	l2 := types.LatestSignerForChainID(big.NewInt(l2ChainID))
	var txs []*types.Transaction
	var hashes []common.Hash
	for i := range 3 {
		tx := types.MustSignNewTx(testKey(9), l2, &types.DynamicFeeTx{ChainID: big.NewInt(l2ChainID), Nonce: uint64(i), Gas: 21_000,
			GasFeeCap: big.NewInt(1), GasTipCap: big.NewInt(1), To: &common.Address{1}})
		txs, hashes = append(txs, tx), append(hashes, tx.Hash())
	}
	s, err := batch.Sign(batch.Commitment{ChainID: l2ChainID, Eon: 1, Number: 1, BaseFee: big.NewInt(1), TxHashes: hashes}, testKey(2))
	if err != nil {
		f.Fatal(err)
	}
	b, err := batch.New(s, txs)
	if err != nil {
		f.Fatal(err)
	}
	keys := &ordering.KeysMessage{ChainID: l2ChainID, Eon: 1, Number: 1, Hash: s.Commitment.Hash(), Signers: []uint32{0, 1},
		Keys: bytes.Repeat([]byte{0xa5}, 2*48), Attestation: bytes.Repeat([]byte{0x5a}, 48)}
	tb := testBatch{b: b, keys: keys}
	for _, c := range []Compression{NoCompression, Flate} {
		data, err := EncodeBatchData(tb.b, tb.keys, c)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte{1, 1, 0xff})
	// Small limits keep every input cheap (the payload limit bounds the
	// decompression).
	lim := batch.Limits{MaxTxs: 64, MaxBytes: 64 << 10, MaxDeposits: 16}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, k, err := DecodeBatchData(data, lim)
		if err != nil {
			if !errors.Is(err, ErrBatchData) {
				t.Fatalf("error %v is not ErrBatchData", err)
			}
			return
		}
		// What decodes encodes again and decodes to the same.
		again, err := EncodeBatchData(b, k, Flate)
		if err != nil {
			t.Fatal(err)
		}
		b2, k2, err := DecodeBatchData(again, lim)
		if err != nil || b2.Commitment.Hash() != b.Commitment.Hash() || !sameKeys(k, k2) {
			t.Fatalf("re-encoding does not round-trip: %v", err)
		}
	})
}

func sameKeys(a, b *ordering.KeysMessage) bool {
	x, _ := a.Encode()
	y, _ := b.Encode()
	return bytes.Equal(x, y)
}
