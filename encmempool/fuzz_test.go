package encmempool_test

import (
	"bytes"
	"errors"
	"math/big"
	"slices"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"
	"github.com/holiman/uint256"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/tpke"
)

// envelopeErrorOf reports whether err wraps one of the envelope errors.
func envelopeErrorOf(err error) bool {
	for _, e := range allEnvelopeErrors {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func marshal(tb testing.TB, tx *types.Transaction) []byte {
	tb.Helper()
	raw, err := tx.MarshalBinary()
	if err != nil {
		tb.Fatal(err)
	}
	return raw
}

// checkParsed checks everything a parsed envelope promises about tx.
func checkParsed(t *testing.T, tx *types.Transaction, env *encmempool.Envelope, lim encmempool.Limits) {
	t.Helper()
	if env.Tx != tx {
		t.Fatal("Envelope.Tx is not the parsed transaction")
	}
	if tx.To() == nil || *tx.To() != testInbox {
		t.Fatalf("accepted an envelope to %v", tx.To())
	}
	switch tx.Type() {
	case types.LegacyTxType, types.AccessListTxType, types.DynamicFeeTxType:
	default:
		t.Fatalf("accepted an envelope of type %d", tx.Type())
	}
	if !tx.Protected() || tx.ChainId().Cmp(testSigner.ChainID()) != 0 {
		t.Fatalf("accepted an envelope for chain %v", tx.ChainId())
	}
	payer, err := types.Sender(testSigner, tx)
	if err != nil || payer != env.Payer {
		t.Fatalf("payer %v, sender %v (%v)", env.Payer, payer, err)
	}
	data, err := encmempool.EncodeCalldata(env.Eon, env.Prefix, env.DeclaredGas, env.Ciphertext)
	if err != nil {
		t.Fatalf("EncodeCalldata of accepted fields: %v", err)
	}
	if !bytes.Equal(data, tx.Data()) {
		t.Fatalf("accepted non-canonical calldata\n got %x\nwant %x", tx.Data(), data)
	}
	if env.DeclaredGas == 0 || env.DeclaredGas > params.MaxTxGas {
		t.Fatalf("accepted declared gas %d", env.DeclaredGas)
	}
	if len(env.Ciphertext) > lim.MaxCiphertext {
		t.Fatalf("accepted a ciphertext of %d bytes", len(env.Ciphertext))
	}
	if want := deposit(env.DeclaredGas, tx.GasFeeCap()); tx.Value().Cmp(want) != 0 || env.Deposit().Cmp(want) != 0 {
		t.Fatalf("deposit %v, want %v", tx.Value(), want)
	}
	if want := tpke.TxIdentity(testChainID, env.Eon, env.Payer, env.Prefix); env.Identity != want {
		t.Fatalf("identity %x, want %x", env.Identity, want)
	}
	if !bytes.Equal(env.AssociatedData(), tpke.EnvelopeAD(testChainID, env.Eon, env.Identity, env.DeclaredGas)) {
		t.Fatal("associated data is not EnvelopeAD")
	}
}

// FuzzParseEnvelope feeds arbitrary transaction encodings to ParseEnvelope
// and DecodeEnvelope: neither may panic, every rejection names an envelope
// error, the two agree except on the ciphertext's structure, and an
// accepted envelope is canonical and carries the exact deposit.
func FuzzParseEnvelope(f *testing.F) {
	c := testCommittee(f)
	p := testParts(f)
	to := testInbox
	chain := big.NewInt(testChainID)

	// Valid envelopes: built ones for each inner kind, and hand-signed
	// envelopes of each allowed type.
	for i, kind := range []string{innerLegacy, innerAccessList, innerDynamicFee} {
		inner := signInner(f, senderKey, kind, []byte{byte(i)}, 50_000+uint64(i))
		env, err := encmempool.BuildEnvelope(buildParams(c, inner, byte(i)))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(marshal(f, env))
	}
	f.Add(marshal(f, signDynamic(f, p, nil)))
	f.Add(marshal(f, types.MustSignNewTx(payerKey, types.NewEIP155Signer(chain), &types.LegacyTx{
		Nonce: 1, GasPrice: testFeeCap, Gas: 300_000, To: &to, Value: deposit(p.declared, testFeeCap), Data: p.goodData(f),
	})))
	f.Add(marshal(f, types.MustSignNewTx(payerKey, testSigner, &types.AccessListTx{
		ChainID: chain, Nonce: 1, GasPrice: testFeeCap, Gas: 300_000, To: &to,
		Value: deposit(p.declared, testFeeCap), Data: p.goodData(f),
		AccessList: types.AccessList{{Address: to, StorageKeys: []common.Hash{{1}}}},
	})))

	// Invalid ones, one per check.
	other := common.HexToAddress("0x5e11000000000000000000000000000000000003")
	bad := slices.Clone(p.ct)
	bad[0] = 0x02
	for _, mutate := range []func(*types.DynamicFeeTx){
		func(d *types.DynamicFeeTx) { d.To = &other },
		func(d *types.DynamicFeeTx) { d.To = nil },
		func(d *types.DynamicFeeTx) { d.ChainID = big.NewInt(otherChainID) },
		func(d *types.DynamicFeeTx) { d.Data = d.Data[:len(d.Data)-1] },
		func(d *types.DynamicFeeTx) { d.Data = append(slices.Clone(d.Data), 0) },
		func(d *types.DynamicFeeTx) { d.Value = new(big.Int).Add(d.Value, common.Big1) },
		withCalldata(mustCalldata(f, testEon, p.prefix, 0, p.ct), 0),
		withCalldata(mustCalldata(f, testEon, p.prefix, params.MaxTxGas+1, p.ct), params.MaxTxGas+1),
		withCalldata(mustCalldata(f, testEon, p.prefix, p.declared, bad), p.declared),
		withCalldata(mustCalldata(f, testEon, p.prefix, p.declared, nil), p.declared),
	} {
		f.Add(marshal(f, signDynamic(f, p, mutate)))
	}
	f.Add(marshal(f, types.MustSignNewTx(payerKey, types.HomesteadSigner{}, &types.LegacyTx{
		Nonce: 1, GasPrice: testFeeCap, Gas: 300_000, To: &to, Value: deposit(p.declared, testFeeCap), Data: p.goodData(f),
	})))
	f.Add(marshal(f, types.MustSignNewTx(payerKey, testSigner, &types.BlobTx{
		ChainID: uint256.NewInt(testChainID), Nonce: 1, GasTipCap: uint256.NewInt(1e9),
		GasFeeCap: uint256.MustFromBig(testFeeCap), Gas: 300_000, To: testInbox,
		Value: uint256.MustFromBig(deposit(p.declared, testFeeCap)), Data: p.goodData(f),
		BlobFeeCap: uint256.NewInt(1e9), BlobHashes: []common.Hash{{0x01}},
	})))
	valid := marshal(f, signDynamic(f, p, nil))
	f.Add(valid[:len(valid)/2])
	f.Add([]byte{})
	f.Add([]byte{0x02})

	lim := encmempool.DefaultLimits
	f.Fuzz(func(t *testing.T, raw []byte) {
		tx := new(types.Transaction)
		if err := tx.UnmarshalBinary(raw); err != nil {
			return
		}
		env, err := encmempool.ParseEnvelope(tx, testSigner, testInbox, lim)
		dec, derr := encmempool.DecodeEnvelope(tx, testSigner, testInbox, lim)
		if err != nil {
			if env != nil {
				t.Fatal("ParseEnvelope returned an envelope and an error")
			}
			if !envelopeErrorOf(err) {
				t.Fatalf("ParseEnvelope error names no envelope error: %v", err)
			}
			switch {
			case errors.Is(err, encmempool.ErrCiphertext):
				if derr != nil {
					t.Fatalf("DecodeEnvelope rejects what only the ciphertext check should: %v", derr)
				}
				if _, perr := tpke.ParseCiphertext(dec.Ciphertext); perr == nil {
					t.Fatal("ErrCiphertext for a ciphertext tpke parses")
				}
			case derr == nil || derr.Error() != err.Error():
				t.Fatalf("DecodeEnvelope = %v, ParseEnvelope = %v", derr, err)
			}
			return
		}
		if derr != nil {
			t.Fatalf("ParseEnvelope accepts what DecodeEnvelope rejects: %v", derr)
		}
		checkParsed(t, tx, env, lim)
		if _, err := tpke.ParseCiphertext(env.Ciphertext); err != nil {
			t.Fatalf("accepted a malformed ciphertext: %v", err)
		}
		if dec.Payer != env.Payer || dec.Eon != env.Eon || dec.Prefix != env.Prefix ||
			dec.DeclaredGas != env.DeclaredGas || !bytes.Equal(dec.Ciphertext, env.Ciphertext) {
			t.Fatal("DecodeEnvelope and ParseEnvelope disagree")
		}
		// The wire form parses to the same envelope.
		again, err := encmempool.ParseEnvelope(reparse(t, tx), testSigner, testInbox, lim)
		if err != nil {
			t.Fatalf("re-encoded envelope rejected: %v", err)
		}
		if again.Payer != env.Payer || again.Identity != env.Identity || again.DeclaredGas != env.DeclaredGas {
			t.Fatal("re-encoded envelope parses differently")
		}
	})
}

// FuzzDecodeCalldata signs a dynamic-fee envelope to the inbox with
// arbitrary calldata (and the deposit the calldata's declared-gas word asks
// for, so that well-formed calldata can be accepted): DecodeEnvelope must
// not panic, may reject only for calldata reasons, and accepts only the
// canonical encoding of what it returns.
func FuzzDecodeCalldata(f *testing.F) {
	p := testParts(f)
	lim := encmempool.Limits{MaxCiphertext: 4096}

	good := p.goodData(f)
	f.Add(good)
	for _, n := range []int{0, 1, 31, 32, 33, 64, 4096} {
		ct := bytes.Repeat([]byte{0xa5}, n)
		f.Add(mustCalldata(f, 1, [32]byte{0xff}, 21_000, ct))
	}
	f.Add(mustCalldata(f, ^uint64(0), [32]byte{}, params.MaxTxGas, p.ct))
	f.Add(mustCalldata(f, testEon, p.prefix, 0, p.ct))
	f.Add(mustCalldata(f, testEon, p.prefix, params.MaxTxGas+1, p.ct))
	f.Add(mustCalldata(f, testEon, p.prefix, p.declared, make([]byte, 4097)))
	f.Add(good[:len(good)-1])
	f.Add(append(slices.Clone(good), 0))
	f.Add(append(slices.Clone(good), make([]byte, 32)...))
	nonCanon := setWord(good, 100, big.NewInt(0xa0))
	f.Add(slices.Concat(nonCanon[:132], make([]byte, 32), nonCanon[132:]))
	dirty := slices.Clone(good)
	dirty[len(dirty)-1] = 1
	f.Add(dirty)
	f.Add(setWord(good, 132, big.NewInt(1<<40)))
	f.Add(good[:4])
	f.Add([]byte{})

	to := testInbox
	f.Fuzz(func(t *testing.T, data []byte) {
		// The deposit the declared-gas word asks for, whatever its size.
		value := new(big.Int)
		if len(data) >= 100 {
			value.Mul(new(big.Int).SetBytes(data[68:100]), testFeeCap)
		}
		tx, err := types.SignNewTx(payerKey, testSigner, &types.DynamicFeeTx{
			ChainID: big.NewInt(testChainID), Nonce: 1, GasTipCap: testTip, GasFeeCap: testFeeCap,
			Gas: 1_000_000, To: &to, Value: value, Data: data,
		})
		if err != nil {
			t.Fatal(err)
		}
		env, err := encmempool.DecodeEnvelope(tx, testSigner, testInbox, lim)
		if err != nil {
			if env != nil {
				t.Fatal("DecodeEnvelope returned an envelope and an error")
			}
			switch {
			case errors.Is(err, encmempool.ErrCalldata), errors.Is(err, encmempool.ErrDeclaredGas),
				errors.Is(err, encmempool.ErrCiphertextSize):
			case errors.Is(err, encmempool.ErrDeposit):
				// Only possible when the declared-gas word is not a
				// canonical in-range uint64; then decoding must have failed.
				t.Fatalf("deposit rejected for a deposit of declared gas times fee cap: %v", err)
			default:
				t.Fatalf("calldata rejected with a non-calldata error: %v", err)
			}
			if _, perr := encmempool.ParseEnvelope(tx, testSigner, testInbox, lim); perr == nil || perr.Error() != err.Error() {
				t.Fatalf("ParseEnvelope = %v, DecodeEnvelope = %v", perr, err)
			}
			return
		}
		checkParsed(t, tx, env, lim)
		if env.Payer != addrOf(payerKey) {
			t.Fatalf("payer %v", env.Payer)
		}
		_, perr := encmempool.ParseEnvelope(tx, testSigner, testInbox, lim)
		if _, cerr := tpke.ParseCiphertext(env.Ciphertext); (perr == nil) != (cerr == nil) ||
			(perr != nil && !errors.Is(perr, encmempool.ErrCiphertext)) {
			t.Fatalf("ParseEnvelope = %v, ciphertext check = %v", perr, cerr)
		}
	})
}
