package encmempool_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"io"
	"math/big"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/consensus/misc/eip1559"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/params"
	"github.com/holiman/uint256"
	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/keyper/dkg"
)

// The chain of every test: the simulated backend's dev chain id, so that one
// eon key serves the unit tests and the on-chain test alike.
const (
	testChainID  = 1337
	otherChainID = 1
	testEon      = 7
)

var (
	testInbox  = contracts.EncryptedInboxAddress
	testSigner = types.LatestSignerForChainID(big.NewInt(testChainID))
	testGwei   = big.NewInt(params.GWei)
	testTip    = big.NewInt(params.GWei)
	// testFeeCap is every envelope's fee cap (100 gwei).
	testFeeCap = new(big.Int).Mul(big.NewInt(100), testGwei)

	payerKey  = testKey(1) // pays for envelopes
	senderKey = testKey(2) // signs inner transactions
)

func testKey(i byte) *ecdsa.PrivateKey {
	k, err := crypto.ToECDSA(common.LeftPadBytes([]byte{i}, 32))
	if err != nil {
		panic(err)
	}
	return k
}

func addrOf(k *ecdsa.PrivateKey) common.Address { return crypto.PubkeyToAddress(k.PublicKey) }

// detRand is a reproducible randomness source (the tests' envelopes and
// fuzz seeds are the same on every run).
func detRand(seed byte) io.Reader {
	var s [32]byte
	s[0] = seed
	return rand.NewChaCha8(s)
}

func deposit(declared uint64, feeCap *big.Int) *big.Int {
	return new(big.Int).Mul(new(big.Int).SetUint64(declared), feeCap)
}

// committee is the result of one real DKG run (3 keypers, threshold 2) for
// (testChainID, testEon), shared by the whole test binary.
type committee struct {
	pk     *tpke.EonPublicKey
	shares []*tpke.SecretShare
}

var runDKG = sync.OnceValues(func() (*committee, error) {
	results, err := dkg.RunLocal(testChainID, testEon, 3, 2)
	if err != nil {
		return nil, err
	}
	c := &committee{pk: results[0].EonPublicKey}
	for _, r := range results {
		c.shares = append(c.shares, r.Share)
	}
	return c, nil
})

func testCommittee(tb testing.TB) *committee {
	tb.Helper()
	c, err := runDKG()
	if err != nil {
		tb.Fatalf("DKG: %v", err)
	}
	return c
}

// key aggregates the key of id from the shares of keypers 0 and 1.
func (c *committee) key(tb testing.TB, id tpke.Identity) *tpke.Key {
	tb.Helper()
	q := id.Point()
	s0, s1 := c.shares[0], c.shares[1]
	k, err := tpke.Aggregate([]int{s0.Index, s1.Index}, []tpke.KeyShare{s0.KeyShare(q), s1.KeyShare(q)})
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// Inner transaction kinds.
const (
	innerLegacy      = "legacy-eip155"
	innerAccessList  = "access-list"
	innerDynamicFee  = "dynamic-fee"
	innerSetCode     = "set-code"
	innerUnprotected = "legacy-unprotected"
	innerOtherChain  = "dynamic-fee-other-chain"
)

// signInner returns an inner transaction of the given kind from key with
// the given calldata and gas limit.
func signInner(tb testing.TB, key *ecdsa.PrivateKey, kind string, data []byte, gas uint64) *types.Transaction {
	tb.Helper()
	to := common.HexToAddress("0x00000000000000000000000000000000000c0ffe")
	chain := big.NewInt(testChainID)
	var (
		tx  *types.Transaction
		err error
	)
	switch kind {
	case innerLegacy:
		tx, err = types.SignNewTx(key, types.NewEIP155Signer(chain), &types.LegacyTx{
			Nonce: 3, GasPrice: big.NewInt(2e9), Gas: gas, To: &to, Value: big.NewInt(5), Data: data,
		})
	case innerAccessList:
		tx, err = types.SignNewTx(key, testSigner, &types.AccessListTx{
			ChainID: chain, Nonce: 4, GasPrice: big.NewInt(3e9), Gas: gas, To: &to, Value: big.NewInt(6), Data: data,
			AccessList: types.AccessList{{Address: to, StorageKeys: []common.Hash{{1}, {2}}}},
		})
	case innerDynamicFee:
		tx, err = types.SignNewTx(key, testSigner, &types.DynamicFeeTx{
			ChainID: chain, Nonce: 5, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(50e9), Gas: gas,
			To: &to, Value: big.NewInt(7), Data: data,
			AccessList: types.AccessList{{Address: to}},
		})
	case innerSetCode:
		auth, aerr := types.SignSetCode(key, types.SetCodeAuthorization{
			ChainID: *uint256.NewInt(testChainID), Address: to, Nonce: 7,
		})
		if aerr != nil {
			tb.Fatal(aerr)
		}
		tx, err = types.SignNewTx(key, testSigner, &types.SetCodeTx{
			ChainID: uint256.NewInt(testChainID), Nonce: 6, GasTipCap: uint256.NewInt(1e9),
			GasFeeCap: uint256.NewInt(50e9), Gas: gas, To: to, Value: uint256.NewInt(8), Data: data,
			AuthList: []types.SetCodeAuthorization{auth},
		})
	case innerUnprotected:
		tx, err = types.SignNewTx(key, types.HomesteadSigner{}, &types.LegacyTx{
			Nonce: 3, GasPrice: big.NewInt(2e9), Gas: gas, To: &to, Data: data,
		})
	case innerOtherChain:
		tx, err = types.SignNewTx(key, types.LatestSignerForChainID(big.NewInt(otherChainID)), &types.DynamicFeeTx{
			ChainID: big.NewInt(otherChainID), Nonce: 5, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(50e9),
			Gas: gas, To: &to, Data: data,
		})
	default:
		tb.Fatalf("unknown inner kind %q", kind)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return tx
}

// buildParams are BuildParams for inner, paid by payerKey at 100 gwei.
func buildParams(c *committee, inner *types.Transaction, seed byte) encmempool.BuildParams {
	return encmempool.BuildParams{
		ChainID: testChainID, Eon: testEon, EonKey: c.pk, Inbox: testInbox, Inner: inner,
		PayerKey: payerKey, Nonce: 9, GasTipCap: testTip, GasFeeCap: testFeeCap, Rand: detRand(seed),
	}
}

// reparse round-trips tx through its wire encoding, so that the sender is
// recovered from the signature rather than from a cache.
func reparse(tb testing.TB, tx *types.Transaction) *types.Transaction {
	tb.Helper()
	raw, err := tx.MarshalBinary()
	if err != nil {
		tb.Fatal(err)
	}
	out := new(types.Transaction)
	if err := out.UnmarshalBinary(raw); err != nil {
		tb.Fatal(err)
	}
	return out
}

func TestBuildParseRoundTrip(t *testing.T) {
	c := testCommittee(t)
	payer := addrOf(payerKey)
	for i, kind := range []string{innerLegacy, innerAccessList, innerDynamicFee} {
		t.Run(kind, func(t *testing.T) {
			inner := signInner(t, senderKey, kind, []byte("inner calldata "+kind), 123_456)
			innerRaw, err := inner.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			built, err := encmempool.BuildEnvelope(buildParams(c, inner, byte(i)))
			if err != nil {
				t.Fatal(err)
			}
			tx := reparse(t, built)

			// The envelope transaction itself.
			if tx.Type() != types.DynamicFeeTxType || tx.ChainId().Cmp(big.NewInt(testChainID)) != 0 {
				t.Fatalf("envelope type %d chain %v", tx.Type(), tx.ChainId())
			}
			if tx.To() == nil || *tx.To() != testInbox || tx.Nonce() != 9 ||
				tx.GasTipCap().Cmp(testTip) != 0 || tx.GasFeeCap().Cmp(testFeeCap) != 0 {
				t.Fatalf("envelope to %v nonce %d tip %v cap %v", tx.To(), tx.Nonce(), tx.GasTipCap(), tx.GasFeeCap())
			}
			wantGas, err := encmempool.EnvelopeGas(tx.Data(), testInbox, payer)
			if err != nil {
				t.Fatal(err)
			}
			if tx.Gas() != wantGas {
				t.Fatalf("envelope gas %d, want EnvelopeGas %d", tx.Gas(), wantGas)
			}

			env, err := encmempool.ParseEnvelope(tx, testSigner, testInbox, encmempool.DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			if env.Tx != tx {
				t.Fatal("Envelope.Tx is not the parsed transaction")
			}
			if env.Payer != payer {
				t.Fatalf("payer %v, want %v", env.Payer, payer)
			}
			if env.Eon != testEon {
				t.Fatalf("eon %d, want %d", env.Eon, testEon)
			}
			if env.Prefix == ([32]byte{}) {
				t.Fatal("zero prefix")
			}
			if env.DeclaredGas != inner.Gas() {
				t.Fatalf("declared gas %d, want inner gas %d", env.DeclaredGas, inner.Gas())
			}
			if want := tpke.TxIdentity(testChainID, testEon, payer, env.Prefix); env.Identity != want {
				t.Fatalf("identity %x, want %x", env.Identity, want)
			}
			if want := deposit(inner.Gas(), testFeeCap); env.Deposit().Cmp(want) != 0 || tx.Value().Cmp(want) != 0 {
				t.Fatalf("deposit %v, want %v", env.Deposit(), want)
			}
			if len(env.Ciphertext) != tpke.CiphertextSize(len(innerRaw)) {
				t.Fatalf("ciphertext of %d bytes, want %d", len(env.Ciphertext), tpke.CiphertextSize(len(innerRaw)))
			}
			ad := env.AssociatedData()
			if !bytes.Equal(ad, tpke.EnvelopeAD(testChainID, testEon, env.Identity, env.DeclaredGas)) {
				t.Fatal("AssociatedData is not EnvelopeAD of the envelope")
			}
			data, err := encmempool.EncodeCalldata(env.Eon, env.Prefix, env.DeclaredGas, env.Ciphertext)
			if err != nil || !bytes.Equal(data, tx.Data()) {
				t.Fatalf("calldata does not re-encode: %v", err)
			}

			// DecodeEnvelope agrees with ParseEnvelope.
			dec, err := encmempool.DecodeEnvelope(tx, testSigner, testInbox, encmempool.DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			if dec.Payer != env.Payer || dec.Eon != env.Eon || dec.Prefix != env.Prefix ||
				dec.DeclaredGas != env.DeclaredGas || dec.Identity != env.Identity || !bytes.Equal(dec.Ciphertext, env.Ciphertext) {
				t.Fatal("DecodeEnvelope and ParseEnvelope disagree")
			}

			// The committee's key for the identity opens the ciphertext.
			key := c.key(t, env.Identity)
			plain, err := tpke.Decrypt(key, env.Identity, env.Ciphertext, ad)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(plain, innerRaw) {
				t.Fatal("decrypted plaintext is not the inner transaction's encoding")
			}
			got := new(types.Transaction)
			if err := got.UnmarshalBinary(plain); err != nil {
				t.Fatal(err)
			}
			if got.Hash() != inner.Hash() || got.Type() != inner.Type() {
				t.Fatal("decrypted transaction differs from the inner transaction")
			}
			sender, err := encmempool.CheckInner(got, testSigner, env.Payer)
			if err != nil || sender != addrOf(senderKey) {
				t.Fatalf("CheckInner on the decrypted transaction: %v, %v", sender, err)
			}

			// The associated data binds the declared gas and the identity.
			if _, err := tpke.Decrypt(key, env.Identity, env.Ciphertext,
				tpke.EnvelopeAD(testChainID, testEon, env.Identity, env.DeclaredGas+1)); !errors.Is(err, tpke.ErrDecrypt) {
				t.Fatalf("decrypt with another declared gas: %v, want ErrDecrypt", err)
			}
			other := tpke.TxIdentity(testChainID, testEon, addrOf(senderKey), env.Prefix)
			if _, err := tpke.Decrypt(c.key(t, other), other, env.Ciphertext, ad); !errors.Is(err, tpke.ErrDecrypt) {
				t.Fatalf("decrypt under another payer's identity: %v, want ErrDecrypt", err)
			}
		})
	}
}

// TestBuildEnvelopeGasOverride: a non-zero BuildParams.Gas is the
// envelope's gas limit, and fresh randomness gives a fresh identity.
func TestBuildEnvelopeGasOverride(t *testing.T) {
	c := testCommittee(t)
	inner := signInner(t, senderKey, innerDynamicFee, nil, 21_000)
	p := buildParams(c, inner, 1)
	p.Gas = 500_000
	a, err := encmempool.BuildEnvelope(p)
	if err != nil {
		t.Fatal(err)
	}
	if a.Gas() != 500_000 {
		t.Fatalf("gas %d, want 500000", a.Gas())
	}
	b, err := encmempool.BuildEnvelope(buildParams(c, inner, 2))
	if err != nil {
		t.Fatal(err)
	}
	ea, err := encmempool.ParseEnvelope(a, testSigner, testInbox, encmempool.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	eb, err := encmempool.ParseEnvelope(b, testSigner, testInbox, encmempool.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if ea.Prefix == eb.Prefix || ea.Identity == eb.Identity {
		t.Fatal("two envelopes of one inner transaction share an identity")
	}
}

// envFixture holds the parts of a valid envelope to craft variants from.
type envFixture struct {
	prefix   [32]byte
	declared uint64
	ct       []byte // a valid ciphertext of 401 bytes (bucket 256)
}

var envParts = sync.OnceValues(func() (*envFixture, error) {
	c, err := runDKG()
	if err != nil {
		return nil, err
	}
	var prefix [32]byte
	copy(prefix[:], "veil test prefix")
	id := tpke.TxIdentity(testChainID, testEon, addrOf(payerKey), prefix)
	const declared = 100_000
	ct, err := tpke.Encrypt(c.pk, id, []byte("not a transaction, but a plaintext"),
		tpke.EnvelopeAD(testChainID, testEon, id, declared), detRand(42))
	if err != nil {
		return nil, err
	}
	return &envFixture{prefix: prefix, declared: declared, ct: ct}, nil
})

func testParts(tb testing.TB) *envFixture {
	tb.Helper()
	p, err := envParts()
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func mustCalldata(tb testing.TB, eon uint64, prefix [32]byte, declared uint64, ct []byte) []byte {
	tb.Helper()
	data, err := encmempool.EncodeCalldata(eon, prefix, declared, ct)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// goodData is the fixture's canonical calldata:
//
//	[0:4] selector, [4:36] eon, [36:68] prefix, [68:100] declared gas,
//	[100:132] offset 0x80, [132:164] length 401, [164:565] ciphertext,
//	[565:580] zero padding.
func (p *envFixture) goodData(tb testing.TB) []byte {
	return mustCalldata(tb, testEon, p.prefix, p.declared, p.ct)
}

// signDynamic signs a dynamic-fee envelope from payerKey carrying the
// fixture's valid calldata and deposit, after mutate has edited it.
func signDynamic(tb testing.TB, p *envFixture, mutate func(*types.DynamicFeeTx)) *types.Transaction {
	tb.Helper()
	to := testInbox
	d := &types.DynamicFeeTx{
		ChainID: big.NewInt(testChainID), Nonce: 1, GasTipCap: testTip, GasFeeCap: testFeeCap,
		Gas: 300_000, To: &to, Value: deposit(p.declared, testFeeCap), Data: p.goodData(tb),
	}
	if mutate != nil {
		mutate(d)
	}
	signer := types.LatestSignerForChainID(d.ChainID)
	tx, err := types.SignNewTx(payerKey, signer, d)
	if err != nil {
		tb.Fatal(err)
	}
	return tx
}

// withCalldata is a mutation setting the calldata and the matching deposit.
func withCalldata(data []byte, declared uint64) func(*types.DynamicFeeTx) {
	return func(d *types.DynamicFeeTx) {
		d.Data = data
		d.Value = deposit(declared, d.GasFeeCap)
	}
}

func TestParseEnvelopeAccepts(t *testing.T) {
	p := testParts(t)
	to := testInbox
	legacyPrice := big.NewInt(7e9)
	cases := []struct {
		name string
		tx   func(t *testing.T) *types.Transaction
		lim  encmempool.Limits
	}{
		{"dynamic-fee", func(t *testing.T) *types.Transaction { return signDynamic(t, p, nil) }, encmempool.DefaultLimits},
		{"legacy-eip155", func(t *testing.T) *types.Transaction {
			// A legacy envelope's fee cap is its gas price.
			return types.MustSignNewTx(payerKey, types.NewEIP155Signer(big.NewInt(testChainID)), &types.LegacyTx{
				Nonce: 1, GasPrice: legacyPrice, Gas: 300_000, To: &to,
				Value: deposit(p.declared, legacyPrice), Data: p.goodData(t),
			})
		}, encmempool.DefaultLimits},
		{"access-list", func(t *testing.T) *types.Transaction {
			return types.MustSignNewTx(payerKey, testSigner, &types.AccessListTx{
				ChainID: big.NewInt(testChainID), Nonce: 1, GasPrice: legacyPrice, Gas: 300_000, To: &to,
				Value: deposit(p.declared, legacyPrice), Data: p.goodData(t),
				AccessList: types.AccessList{{Address: to, StorageKeys: []common.Hash{{1}}}},
			})
		}, encmempool.DefaultLimits},
		{"declared gas at MaxTxGas", func(t *testing.T) *types.Transaction {
			return signDynamic(t, p, withCalldata(mustCalldata(t, testEon, p.prefix, params.MaxTxGas, p.ct), params.MaxTxGas))
		}, encmempool.DefaultLimits},
		{"declared gas 1", func(t *testing.T) *types.Transaction {
			return signDynamic(t, p, withCalldata(mustCalldata(t, testEon, p.prefix, 1, p.ct), 1))
		}, encmempool.DefaultLimits},
		{"ciphertext at the limit", func(t *testing.T) *types.Transaction { return signDynamic(t, p, nil) },
			encmempool.Limits{MaxCiphertext: len(p.ct)}},
		{"zero fee cap and zero deposit", func(t *testing.T) *types.Transaction {
			return signDynamic(t, p, func(d *types.DynamicFeeTx) {
				d.GasTipCap, d.GasFeeCap, d.Value = new(big.Int), new(big.Int), new(big.Int)
			})
		}, encmempool.DefaultLimits},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tx := reparse(t, c.tx(t))
			env, err := encmempool.ParseEnvelope(tx, testSigner, testInbox, c.lim)
			if err != nil {
				t.Fatal(err)
			}
			if env.Payer != addrOf(payerKey) || env.Eon != testEon || env.Prefix != p.prefix ||
				!bytes.Equal(env.Ciphertext, p.ct) {
				t.Fatalf("parsed %+v", env)
			}
			if want := deposit(env.DeclaredGas, tx.GasFeeCap()); env.Deposit().Cmp(want) != 0 {
				t.Fatalf("deposit %v, want %v", env.Deposit(), want)
			}
		})
	}
}

// setWord overwrites the 32-byte ABI word at off with v (big-endian).
func setWord(data []byte, off int, v *big.Int) []byte {
	out := slices.Clone(data)
	copy(out[off:off+32], common.LeftPadBytes(v.Bytes(), 32))
	return out
}

func TestParseEnvelopeRejects(t *testing.T) {
	p := testParts(t)
	good := p.goodData(t)
	lastByte := len(good) - 1
	other := common.HexToAddress("0x5e11000000000000000000000000000000000003")
	errBadCT := func(mod func(ct []byte) []byte) func(t *testing.T) *types.Transaction {
		return func(t *testing.T) *types.Transaction {
			ct := mod(slices.Clone(p.ct))
			return signDynamic(t, p, withCalldata(mustCalldata(t, testEon, p.prefix, p.declared, ct), p.declared))
		}
	}
	calldata := func(mod func(data []byte) []byte) func(t *testing.T) *types.Transaction {
		return func(t *testing.T) *types.Transaction {
			return signDynamic(t, p, func(d *types.DynamicFeeTx) { d.Data = mod(slices.Clone(good)) })
		}
	}
	withSig := func(mutate func(v, r, s *big.Int) (*big.Int, *big.Int, *big.Int)) func(t *testing.T) *types.Transaction {
		return func(t *testing.T) *types.Transaction {
			tx := signDynamic(t, p, nil)
			v, r, s := tx.RawSignatureValues()
			v, r, s = mutate(new(big.Int).Set(v), new(big.Int).Set(r), new(big.Int).Set(s))
			to := testInbox
			return types.NewTx(&types.DynamicFeeTx{
				ChainID: tx.ChainId(), Nonce: tx.Nonce(), GasTipCap: tx.GasTipCap(), GasFeeCap: tx.GasFeeCap(),
				Gas: tx.Gas(), To: &to, Value: tx.Value(), Data: tx.Data(), V: v, R: r, S: s,
			})
		}
	}
	to := testInbox

	cases := []struct {
		name string
		tx   func(t *testing.T) *types.Transaction
		lim  encmempool.Limits // DefaultLimits when zero
		want error
		// tpkeErr, when set, is the tpke error the rejection also wraps;
		// such envelopes pass DecodeEnvelope.
		tpkeErr error
	}{
		// Recipient.
		{name: "to another address", want: encmempool.ErrNotEnvelope,
			tx: func(t *testing.T) *types.Transaction {
				return signDynamic(t, p, func(d *types.DynamicFeeTx) { d.To = &other })
			}},
		{name: "contract creation", want: encmempool.ErrNotEnvelope,
			tx: func(t *testing.T) *types.Transaction {
				return signDynamic(t, p, func(d *types.DynamicFeeTx) { d.To = nil })
			}},
		{name: "to the bridge", want: encmempool.ErrNotEnvelope,
			tx: func(t *testing.T) *types.Transaction {
				bridge := contracts.BridgeAddress
				return signDynamic(t, p, func(d *types.DynamicFeeTx) { d.To = &bridge })
			}},

		// Envelope type.
		{name: "blob envelope", want: encmempool.ErrEnvelopeType,
			tx: func(t *testing.T) *types.Transaction {
				return types.MustSignNewTx(payerKey, testSigner, &types.BlobTx{
					ChainID: uint256.NewInt(testChainID), Nonce: 1, GasTipCap: uint256.NewInt(1e9),
					GasFeeCap: uint256.MustFromBig(testFeeCap), Gas: 300_000, To: testInbox,
					Value: uint256.MustFromBig(deposit(p.declared, testFeeCap)), Data: good,
					BlobFeeCap: uint256.NewInt(1e9), BlobHashes: []common.Hash{{0x01, 0x02}},
				})
			}},
		{name: "set-code envelope", want: encmempool.ErrEnvelopeType,
			tx: func(t *testing.T) *types.Transaction {
				auth, err := types.SignSetCode(payerKey, types.SetCodeAuthorization{
					ChainID: *uint256.NewInt(testChainID), Address: other, Nonce: 2,
				})
				if err != nil {
					t.Fatal(err)
				}
				return types.MustSignNewTx(payerKey, testSigner, &types.SetCodeTx{
					ChainID: uint256.NewInt(testChainID), Nonce: 1, GasTipCap: uint256.NewInt(1e9),
					GasFeeCap: uint256.MustFromBig(testFeeCap), Gas: 300_000, To: testInbox,
					Value: uint256.MustFromBig(deposit(p.declared, testFeeCap)), Data: good,
					AuthList: []types.SetCodeAuthorization{auth},
				})
			}},

		// Chain.
		{name: "unprotected legacy", want: encmempool.ErrEnvelopeChain,
			tx: func(t *testing.T) *types.Transaction {
				return types.MustSignNewTx(payerKey, types.HomesteadSigner{}, &types.LegacyTx{
					Nonce: 1, GasPrice: testFeeCap, Gas: 300_000, To: &to,
					Value: deposit(p.declared, testFeeCap), Data: good,
				})
			}},
		{name: "legacy signed by another chain's signer", want: encmempool.ErrEnvelopeChain,
			tx: func(t *testing.T) *types.Transaction {
				return types.MustSignNewTx(payerKey, types.NewEIP155Signer(big.NewInt(otherChainID)), &types.LegacyTx{
					Nonce: 1, GasPrice: testFeeCap, Gas: 300_000, To: &to,
					Value: deposit(p.declared, testFeeCap), Data: good,
				})
			}},
		{name: "dynamic-fee for another chain", want: encmempool.ErrEnvelopeChain,
			tx: func(t *testing.T) *types.Transaction {
				return signDynamic(t, p, func(d *types.DynamicFeeTx) { d.ChainID = big.NewInt(otherChainID) })
			}},
		{name: "access-list for another chain", want: encmempool.ErrEnvelopeChain,
			tx: func(t *testing.T) *types.Transaction {
				return types.MustSignNewTx(payerKey, types.LatestSignerForChainID(big.NewInt(otherChainID)), &types.AccessListTx{
					ChainID: big.NewInt(otherChainID), Nonce: 1, GasPrice: testFeeCap, Gas: 300_000, To: &to,
					Value: deposit(p.declared, testFeeCap), Data: good,
				})
			}},
		{name: "dynamic-fee without chain id signed by another chain's signer", want: encmempool.ErrEnvelopeChain,
			tx: func(t *testing.T) *types.Transaction {
				// The signer fills in its own chain id.
				return types.MustSignNewTx(payerKey, types.LatestSignerForChainID(big.NewInt(otherChainID)), &types.DynamicFeeTx{
					Nonce: 1, GasTipCap: testTip, GasFeeCap: testFeeCap, Gas: 300_000, To: &to,
					Value: deposit(p.declared, testFeeCap), Data: good,
				})
			}},

		// Signature.
		{name: "high-s signature", want: encmempool.ErrSignature,
			tx: withSig(func(v, r, s *big.Int) (*big.Int, *big.Int, *big.Int) {
				// (r, n-s) with the flipped parity recovers the same key but
				// is not canonical (EIP-2).
				return new(big.Int).Xor(v, big.NewInt(1)), r, new(big.Int).Sub(crypto.S256().Params().N, s)
			})},
		{name: "recovery id 2", want: encmempool.ErrSignature,
			tx: withSig(func(_, r, s *big.Int) (*big.Int, *big.Int, *big.Int) { return big.NewInt(2), r, s })},
		{name: "zero r", want: encmempool.ErrSignature,
			tx: withSig(func(v, _, s *big.Int) (*big.Int, *big.Int, *big.Int) { return v, new(big.Int), s })},

		// Calldata.
		{name: "empty calldata", want: encmempool.ErrCalldata,
			tx: calldata(func([]byte) []byte { return nil })},
		{name: "short selector", want: encmempool.ErrCalldata,
			tx: calldata(func(d []byte) []byte { return d[:3] })},
		{name: "selector only", want: encmempool.ErrCalldata,
			tx: calldata(func(d []byte) []byte { return d[:4] })},
		{name: "wrong selector", want: encmempool.ErrCalldata,
			tx: calldata(func(d []byte) []byte { d[0] ^= 1; return d })},
		{name: "settle selector", want: encmempool.ErrCalldata,
			tx: calldata(func(d []byte) []byte {
				copy(d, contracts.EncryptedInboxABI().Methods["settle"].ID)
				return d
			})},
		{name: "truncated by one byte (in the padding)", want: encmempool.ErrCalldata,
			tx: calldata(func(d []byte) []byte { return d[:len(d)-1] })},
		{name: "truncated into the ciphertext", want: encmempool.ErrCalldata,
			tx: calldata(func(d []byte) []byte { return d[:300] })},
		{name: "truncated head", want: encmempool.ErrCalldata,
			tx: calldata(func(d []byte) []byte { return d[:100] })},
		{name: "trailing byte", want: encmempool.ErrCalldata,
			tx: calldata(func(d []byte) []byte { return append(d, 0) })},
		{name: "trailing word", want: encmempool.ErrCalldata,
			tx: calldata(func(d []byte) []byte { return append(d, make([]byte, 32)...) })},
		{name: "non-canonical offset", want: encmempool.ErrCalldata,
			tx: calldata(func(d []byte) []byte {
				// Offset 0xa0 with a word of junk between head and tail:
				// a valid ABI encoding of the same arguments.
				out := setWord(d, 100, big.NewInt(0xa0))
				return slices.Concat(out[:132], make([]byte, 32), out[132:])
			})},
		{name: "offset into the head", want: encmempool.ErrCalldata,
			tx: calldata(func(d []byte) []byte { return setWord(d, 100, big.NewInt(0x20)) })},
		{name: "non-zero padding", want: encmempool.ErrCalldata,
			tx: calldata(func(d []byte) []byte { d[lastByte] = 1; return d })},
		{name: "length beyond calldata", want: encmempool.ErrCalldata,
			tx: calldata(func(d []byte) []byte { return setWord(d, 132, big.NewInt(10_000)) })},
		{name: "length one short", want: encmempool.ErrCalldata,
			tx: calldata(func(d []byte) []byte { return setWord(d, 132, big.NewInt(int64(len(p.ct)-1))) })},
		{name: "eon above uint64", want: encmempool.ErrCalldata,
			tx: calldata(func(d []byte) []byte { d[4+23] = 1; return d })},
		{name: "declared gas above uint64", want: encmempool.ErrCalldata,
			tx: calldata(func(d []byte) []byte { d[68] = 0x80; return d })},

		// Declared gas.
		{name: "declared gas 0", want: encmempool.ErrDeclaredGas,
			tx: func(t *testing.T) *types.Transaction {
				return signDynamic(t, p, withCalldata(mustCalldata(t, testEon, p.prefix, 0, p.ct), 0))
			}},
		{name: "declared gas MaxTxGas+1", want: encmempool.ErrDeclaredGas,
			tx: func(t *testing.T) *types.Transaction {
				return signDynamic(t, p, withCalldata(mustCalldata(t, testEon, p.prefix, params.MaxTxGas+1, p.ct), params.MaxTxGas+1))
			}},
		{name: "declared gas max uint64", want: encmempool.ErrDeclaredGas,
			tx: func(t *testing.T) *types.Transaction {
				const g = ^uint64(0)
				return signDynamic(t, p, withCalldata(mustCalldata(t, testEon, p.prefix, g, p.ct), g))
			}},

		// Ciphertext size.
		{name: "ciphertext one byte above the limit", want: encmempool.ErrCiphertextSize,
			lim: encmempool.Limits{MaxCiphertext: len(p.ct) - 1},
			tx:  func(t *testing.T) *types.Transaction { return signDynamic(t, p, nil) }},
		{name: "calldata far above the limit", want: encmempool.ErrCiphertextSize,
			lim: encmempool.Limits{MaxCiphertext: 64},
			tx:  func(t *testing.T) *types.Transaction { return signDynamic(t, p, nil) }},
		{name: "large junk calldata", want: encmempool.ErrCiphertextSize,
			lim: encmempool.Limits{MaxCiphertext: 1024},
			tx: calldata(func(d []byte) []byte {
				return append(d[:4], bytes.Repeat([]byte{0xff}, 4096)...)
			})},

		// Deposit.
		{name: "deposit one wei short", want: encmempool.ErrDeposit,
			tx: func(t *testing.T) *types.Transaction {
				return signDynamic(t, p, func(d *types.DynamicFeeTx) { d.Value.Sub(d.Value, common.Big1) })
			}},
		{name: "deposit one wei over", want: encmempool.ErrDeposit,
			tx: func(t *testing.T) *types.Transaction {
				return signDynamic(t, p, func(d *types.DynamicFeeTx) { d.Value.Add(d.Value, common.Big1) })
			}},
		{name: "zero deposit", want: encmempool.ErrDeposit,
			tx: func(t *testing.T) *types.Transaction {
				return signDynamic(t, p, func(d *types.DynamicFeeTx) { d.Value = new(big.Int) })
			}},
		{name: "deposit at the tip cap instead of the fee cap", want: encmempool.ErrDeposit,
			tx: func(t *testing.T) *types.Transaction {
				return signDynamic(t, p, func(d *types.DynamicFeeTx) { d.Value = deposit(p.declared, d.GasTipCap) })
			}},
		{name: "legacy deposit off by one wei", want: encmempool.ErrDeposit,
			tx: func(t *testing.T) *types.Transaction {
				return types.MustSignNewTx(payerKey, types.NewEIP155Signer(big.NewInt(testChainID)), &types.LegacyTx{
					Nonce: 1, GasPrice: testFeeCap, Gas: 300_000, To: &to,
					Value: new(big.Int).Add(deposit(p.declared, testFeeCap), common.Big1), Data: good,
				})
			}},

		// Ciphertext structure (DecodeEnvelope accepts these).
		{name: "ciphertext version", want: encmempool.ErrCiphertext, tpkeErr: tpke.ErrVersion,
			tx: errBadCT(func(ct []byte) []byte { ct[0] = 0x02; return ct })},
		{name: "empty ciphertext", want: encmempool.ErrCiphertext, tpkeErr: tpke.ErrLength,
			tx: errBadCT(func([]byte) []byte { return []byte{} })},
		{name: "ciphertext one byte short", want: encmempool.ErrCiphertext, tpkeErr: tpke.ErrLength,
			tx: errBadCT(func(ct []byte) []byte { return ct[:len(ct)-1] })},
		{name: "ciphertext not a bucket", want: encmempool.ErrCiphertext, tpkeErr: tpke.ErrBucket,
			tx: errBadCT(func(ct []byte) []byte { return append(ct, 0) })},
		{name: "ciphertext U at infinity", want: encmempool.ErrCiphertext, tpkeErr: tpke.ErrInfinity,
			tx: errBadCT(func(ct []byte) []byte {
				ct[1] = 0xc0
				clear(ct[2 : 1+tpke.G2Size])
				return ct
			})},
		{name: "ciphertext U uncompressed flag", want: encmempool.ErrCiphertext, tpkeErr: tpke.ErrPointEncoding,
			tx: errBadCT(func(ct []byte) []byte { ct[1] &^= 0x80; return ct })},
		{name: "ciphertext U coordinate not below the modulus", want: encmempool.ErrCiphertext, tpkeErr: tpke.ErrPointEncoding,
			tx: errBadCT(func(ct []byte) []byte {
				ct[1] = 0x80 | 0x1f
				for i := 2; i < 1+48; i++ {
					ct[i] = 0xff
				}
				return ct
			})},
	}
	seen := map[error]bool{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lim := c.lim
			if lim == (encmempool.Limits{}) {
				lim = encmempool.DefaultLimits
			}
			tx := c.tx(t)
			for _, form := range []struct {
				name string
				tx   *types.Transaction
			}{{"signed", tx}, {"decoded", reparse(t, tx)}} {
				env, err := encmempool.ParseEnvelope(form.tx, testSigner, testInbox, lim)
				if env != nil || !errors.Is(err, c.want) {
					t.Fatalf("%s: ParseEnvelope = %v, %v; want %v", form.name, env, err, c.want)
				}
				for _, e := range allEnvelopeErrors {
					if e != c.want && errors.Is(err, e) {
						t.Fatalf("%s: error %v also matches %v", form.name, err, e)
					}
				}
				dec, derr := encmempool.DecodeEnvelope(form.tx, testSigner, testInbox, lim)
				if c.tpkeErr != nil {
					if !errors.Is(err, c.tpkeErr) {
						t.Fatalf("%s: error %v does not wrap %v", form.name, err, c.tpkeErr)
					}
					if derr != nil {
						t.Fatalf("%s: DecodeEnvelope rejects a malformed ciphertext: %v", form.name, derr)
					}
					if dec.Payer != addrOf(payerKey) || dec.DeclaredGas != p.declared {
						t.Fatalf("%s: DecodeEnvelope = %+v", form.name, dec)
					}
				} else if derr == nil || derr.Error() != err.Error() {
					t.Fatalf("%s: DecodeEnvelope = %v, ParseEnvelope = %v", form.name, derr, err)
				}
			}
		})
		seen[c.want] = true
	}
	// Every envelope error has a case.
	for _, e := range []error{encmempool.ErrNotEnvelope, encmempool.ErrEnvelopeType, encmempool.ErrEnvelopeChain,
		encmempool.ErrSignature, encmempool.ErrCalldata, encmempool.ErrDeclaredGas, encmempool.ErrDeposit,
		encmempool.ErrCiphertextSize, encmempool.ErrCiphertext} {
		if !seen[e] {
			t.Errorf("no case for %v", e)
		}
	}
}

var allEnvelopeErrors = []error{
	encmempool.ErrNotEnvelope, encmempool.ErrEnvelopeType, encmempool.ErrEnvelopeChain, encmempool.ErrSignature,
	encmempool.ErrCalldata, encmempool.ErrDeclaredGas, encmempool.ErrDeposit, encmempool.ErrCiphertextSize,
	encmempool.ErrCiphertext, encmempool.ErrInnerType, encmempool.ErrInnerChainID, encmempool.ErrInnerSender,
	encmempool.ErrBuildParams,
}

// TestForeignChainSignature pins down what a signature made by another
// chain's signer does to a typed envelope that names this chain. A typed
// transaction carries its chain id, so go-ethereum refuses to sign it with
// another chain's signer; a signature over the hash another chain's signer
// computes is still a valid signature here, only of another (unknown) key:
// ParseEnvelope cannot tell and reports the recovered payer, which is not
// the signing key's address. Such an envelope spends a random account's
// funds, so admission's balance and nonce checks reject it.
func TestForeignChainSignature(t *testing.T) {
	p := testParts(t)
	to := testInbox
	d := &types.DynamicFeeTx{
		ChainID: big.NewInt(testChainID), Nonce: 1, GasTipCap: testTip, GasFeeCap: testFeeCap,
		Gas: 300_000, To: &to, Value: deposit(p.declared, testFeeCap), Data: p.goodData(t),
	}
	foreign := types.LatestSignerForChainID(big.NewInt(otherChainID))
	if _, err := types.SignNewTx(payerKey, foreign, d); err == nil {
		t.Fatal("go-ethereum signed a typed transaction for this chain with another chain's signer")
	}
	unsigned := types.NewTx(d)
	sig, err := crypto.Sign(foreign.Hash(unsigned).Bytes(), payerKey)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := unsigned.WithSignature(testSigner, sig)
	if err != nil {
		t.Fatal(err)
	}
	tx = reparse(t, tx)
	env, err := encmempool.ParseEnvelope(tx, testSigner, testInbox, encmempool.DefaultLimits)
	if err != nil {
		t.Fatalf("ParseEnvelope: %v, want a parsed envelope of another payer", err)
	}
	if env.Payer == addrOf(payerKey) {
		t.Fatal("a signature over another chain's hash recovered the signer")
	}
	if want := tpke.TxIdentity(testChainID, testEon, env.Payer, p.prefix); env.Identity != want {
		t.Fatal("identity is not derived from the recovered payer")
	}
}

// TestEnvelopeIdentity: the identity of a built envelope, recovered from
// the transaction alone (its sender from the signature, not a cache), is
// the one DecodeEnvelope derives; a transaction that is no submit call,
// or is signed for another chain, has none.
func TestEnvelopeIdentity(t *testing.T) {
	c := testCommittee(t)
	for i, kind := range []string{innerLegacy, innerAccessList, innerDynamicFee} {
		inner := signInner(t, senderKey, kind, []byte("inner "+kind), 50_000)
		built, err := encmempool.BuildEnvelope(buildParams(c, inner, byte(100+i)))
		if err != nil {
			t.Fatal(err)
		}
		tx := reparse(t, built)
		id, err := encmempool.EnvelopeIdentity(tx, testSigner)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		env, err := encmempool.DecodeEnvelope(reparse(t, built), testSigner, testInbox, encmempool.DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		if id != env.Identity || id == (tpke.Identity{}) {
			t.Fatalf("%s: identity %x, DecodeEnvelope's %x", kind, id, env.Identity)
		}
	}
	// The identity does not depend on the inbox (the keyed index said it
	// was one), only on the chain, eon, payer and prefix.
	p := testParts(t)
	elsewhere := common.Address{0xee}
	tx := reparse(t, signDynamic(t, p, func(d *types.DynamicFeeTx) { d.To = &elsewhere }))
	if id, err := encmempool.EnvelopeIdentity(tx, testSigner); err != nil || id != tpke.TxIdentity(testChainID, testEon, addrOf(payerKey), p.prefix) {
		t.Fatalf("envelope to another address: %x %v", id, err)
	}
	for name, tc := range map[string]struct {
		tx   *types.Transaction
		want error
	}{
		"plain transfer":         {signInner(t, senderKey, innerDynamicFee, nil, 21_000), encmempool.ErrCalldata},
		"other calldata":         {signDynamic(t, p, func(d *types.DynamicFeeTx) { d.Data = []byte{1, 2, 3, 4, 5} }), encmempool.ErrCalldata},
		"non-canonical calldata": {signDynamic(t, p, func(d *types.DynamicFeeTx) { d.Data = append(p.goodData(t), 0) }), encmempool.ErrCalldata},
		"unprotected": {types.MustSignNewTx(payerKey, types.HomesteadSigner{}, &types.LegacyTx{
			GasPrice: testFeeCap, Gas: 300_000, To: &testInbox, Value: deposit(p.declared, testFeeCap), Data: p.goodData(t),
		}), encmempool.ErrEnvelopeChain},
		"another chain": {signInner(t, senderKey, innerOtherChain, p.goodData(t), 300_000), encmempool.ErrEnvelopeChain},
	} {
		if id, err := encmempool.EnvelopeIdentity(reparse(t, tc.tx), testSigner); !errors.Is(err, tc.want) {
			t.Errorf("%s: identity %x, error %v, want %v", name, id, err, tc.want)
		}
	}
}

func TestBuildEnvelopeRejects(t *testing.T) {
	c := testCommittee(t)
	bigData := bytes.Repeat([]byte{0xab}, 2000)
	cases := []struct {
		name   string
		params func(t *testing.T) encmempool.BuildParams
		want   error
	}{
		{"inner type 4", func(t *testing.T) encmempool.BuildParams {
			return buildParams(c, signInner(t, senderKey, innerSetCode, nil, 100_000), 1)
		}, encmempool.ErrInnerType},
		{"inner without chain id", func(t *testing.T) encmempool.BuildParams {
			return buildParams(c, signInner(t, senderKey, innerUnprotected, nil, 100_000), 1)
		}, encmempool.ErrInnerChainID},
		{"inner for another chain", func(t *testing.T) encmempool.BuildParams {
			return buildParams(c, signInner(t, senderKey, innerOtherChain, nil, 100_000), 1)
		}, encmempool.ErrInnerChainID},
		{"inner signed by the payer", func(t *testing.T) encmempool.BuildParams {
			return buildParams(c, signInner(t, payerKey, innerDynamicFee, nil, 100_000), 1)
		}, encmempool.ErrInnerSender},
		{"legacy inner signed by the payer", func(t *testing.T) encmempool.BuildParams {
			return buildParams(c, signInner(t, payerKey, innerLegacy, nil, 100_000), 1)
		}, encmempool.ErrInnerSender},
		{"inner with a bad signature", func(t *testing.T) encmempool.BuildParams {
			inner := signInner(t, senderKey, innerDynamicFee, nil, 100_000)
			_, r, s := inner.RawSignatureValues()
			bad, err := inner.WithSignature(testSigner, slices.Concat(common.LeftPadBytes(r.Bytes(), 32),
				common.LeftPadBytes(new(big.Int).Sub(crypto.S256().Params().N, s).Bytes(), 32), []byte{0}))
			if err != nil {
				t.Fatal(err)
			}
			return buildParams(c, bad, 1)
		}, encmempool.ErrSignature},
		{"inner gas 0", func(t *testing.T) encmempool.BuildParams {
			return buildParams(c, signInner(t, senderKey, innerDynamicFee, nil, 0), 1)
		}, encmempool.ErrDeclaredGas},
		{"inner gas above MaxTxGas", func(t *testing.T) encmempool.BuildParams {
			return buildParams(c, signInner(t, senderKey, innerAccessList, nil, params.MaxTxGas+1), 1)
		}, encmempool.ErrDeclaredGas},
		{"inner too big for the limit", func(t *testing.T) encmempool.BuildParams {
			bp := buildParams(c, signInner(t, senderKey, innerDynamicFee, bigData, 100_000), 1)
			bp.Limits = encmempool.Limits{MaxCiphertext: 2048}
			return bp
		}, encmempool.ErrCiphertextSize},
		{"inner of 128 KiB with the default limits", func(t *testing.T) encmempool.BuildParams {
			// The doc's claim: the bucket of a 128 KiB plaintext exceeds
			// the default cap, so the wallet learns before signing.
			return buildParams(c, signInner(t, senderKey, innerDynamicFee, make([]byte, 128<<10), 100_000), 1)
		}, encmempool.ErrCiphertextSize},
		{"no randomness source", func(t *testing.T) encmempool.BuildParams {
			bp := buildParams(c, signInner(t, senderKey, innerDynamicFee, nil, 100_000), 1)
			bp.Rand = nil
			return bp
		}, encmempool.ErrBuildParams},
		{"no fee cap", func(t *testing.T) encmempool.BuildParams {
			bp := buildParams(c, signInner(t, senderKey, innerDynamicFee, nil, 100_000), 1)
			bp.GasFeeCap = nil
			return bp
		}, encmempool.ErrBuildParams},
		{"negative tip", func(t *testing.T) encmempool.BuildParams {
			bp := buildParams(c, signInner(t, senderKey, innerDynamicFee, nil, 100_000), 1)
			bp.GasTipCap = big.NewInt(-1)
			return bp
		}, encmempool.ErrBuildParams},
		{"no eon key", func(t *testing.T) encmempool.BuildParams {
			bp := buildParams(c, signInner(t, senderKey, innerDynamicFee, nil, 100_000), 1)
			bp.EonKey = nil
			return bp
		}, encmempool.ErrBuildParams},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env, err := encmempool.BuildEnvelope(tc.params(t))
			if env != nil || !errors.Is(err, tc.want) {
				t.Fatalf("BuildEnvelope = %v, %v; want %v", env, err, tc.want)
			}
		})
	}

	// A ciphertext exactly at the limit is built.
	t.Run("inner at the limit", func(t *testing.T) {
		inner := signInner(t, senderKey, innerDynamicFee, bigData, 100_000)
		raw, _ := inner.MarshalBinary()
		bp := buildParams(c, inner, 1)
		bp.Limits = encmempool.Limits{MaxCiphertext: tpke.CiphertextSize(len(raw))}
		if _, err := encmempool.BuildEnvelope(bp); err != nil {
			t.Fatal(err)
		}
	})

	// Randomness that fails at once (the prefix) or after the prefix (the
	// encryption's sigma) is an error, not a panic.
	for _, n := range []int{0, 16, 32, 40} {
		t.Run(fmt.Sprintf("failing randomness after %d bytes", n), func(t *testing.T) {
			bp := buildParams(c, signInner(t, senderKey, innerDynamicFee, nil, 100_000), 1)
			bp.Rand = &failingReader{left: n}
			env, err := encmempool.BuildEnvelope(bp)
			if env != nil || err == nil {
				t.Fatalf("BuildEnvelope = %v, %v; want an error", env, err)
			}
			if !errors.Is(err, errNoRandomness) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, tpke.ErrRandomness) {
				t.Fatalf("error %v does not name the randomness failure", err)
			}
		})
	}
}

var errNoRandomness = errors.New("test: no randomness left")

// failingReader yields left bytes and then errNoRandomness.
type failingReader struct{ left int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, errNoRandomness
	}
	n := min(len(p), r.left)
	for i := range n {
		p[i] = byte(i + 1)
	}
	r.left -= n
	return n, nil
}

func TestCheckInner(t *testing.T) {
	inner := signInner(t, senderKey, innerAccessList, nil, 50_000)
	sender, err := encmempool.CheckInner(inner, testSigner, addrOf(payerKey))
	if err != nil || sender != addrOf(senderKey) {
		t.Fatalf("CheckInner = %v, %v", sender, err)
	}
	if _, err := encmempool.CheckInner(inner, testSigner, addrOf(senderKey)); !errors.Is(err, encmempool.ErrInnerSender) {
		t.Fatalf("CheckInner with the sender as payer: %v", err)
	}
	foreign := types.LatestSignerForChainID(big.NewInt(otherChainID))
	if _, err := encmempool.CheckInner(inner, foreign, addrOf(payerKey)); !errors.Is(err, encmempool.ErrInnerChainID) {
		t.Fatalf("CheckInner on another chain: %v", err)
	}
}

func TestEnvelopeGasFormula(t *testing.T) {
	payer := addrOf(payerKey)
	for _, c := range []struct {
		name string
		data []byte
		want uint64
	}{
		{"empty", nil, 21_000 + encmempool.EnvelopeExecutionGas},
		{"100 non-zero bytes", bytes.Repeat([]byte{1}, 100), 21_000 + 16*100 + encmempool.EnvelopeExecutionGas},
		{"100 zero bytes", make([]byte, 100), 21_000 + 4*100 + encmempool.EnvelopeExecutionGas},
		// Past 2500 non-zero bytes the EIP-7623 floor (10 gas per token,
		// 4 tokens per non-zero byte) is above intrinsic gas + 60000.
		{"10000 non-zero bytes (floor)", bytes.Repeat([]byte{1}, 10_000), 21_000 + 40*10_000},
		{"10000 zero bytes", make([]byte, 10_000), 21_000 + 4*10_000 + encmempool.EnvelopeExecutionGas},
	} {
		got, err := encmempool.EnvelopeGas(c.data, testInbox, payer)
		if err != nil || got != c.want {
			t.Errorf("%s: EnvelopeGas = %d, %v; want %d", c.name, got, err, c.want)
		}
	}
}

// osakaConfig is the simulated backend's dev config cut back to Veil's
// rules, every fork through Osaka and nothing later (as in the contracts
// package's tests).
var osakaConfig = func() *params.ChainConfig {
	c := *params.AllDevChainProtocolChanges
	c.AmsterdamTime = nil
	c.BogotaTime = nil
	c.UBTTime = nil
	return &c
}()

// TestEnvelopeGasOnChain sends envelopes BuildEnvelope makes, at three
// ciphertext buckets, to the real inbox on a simulated Osaka chain: each
// succeeds within its gas limit and the inbox's event matches the parsed
// envelope.
func TestEnvelopeGasOnChain(t *testing.T) {
	c := testCommittee(t)
	sequencer := testKey(3)
	alloc := contracts.GenesisAlloc(addrOf(sequencer), new(big.Int))
	funds := new(big.Int).Mul(big.NewInt(1000), big.NewInt(params.Ether))
	alloc[addrOf(payerKey)] = types.Account{Balance: funds}
	sim := simulated.NewBackend(alloc, simulated.WithBlockGasLimit(60_000_000),
		func(_ *node.Config, ec *ethconfig.Config) { ec.Genesis.Config = osakaConfig })
	t.Cleanup(func() { sim.Close() })
	client := sim.Client()
	ctx := context.Background()
	chainID, err := client.ChainID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if chainID.Uint64() != testChainID {
		t.Fatalf("simulated chain id %v, want %d", chainID, testChainID)
	}
	inboxABI := contracts.NewEncryptedInbox()
	held := new(big.Int)

	for i, bucket := range []int{256, 4 << 10, 64 << 10} {
		t.Run(tpkeBucketName(bucket), func(t *testing.T) {
			// An inner transaction whose encoding lands in the bucket.
			size := bucket/2 + 1
			if bucket == tpke.MinBucket {
				size = 16
			}
			data := make([]byte, size)
			_, _ = detRand(byte(100 + i)).Read(data)
			inner := signInner(t, senderKey, innerDynamicFee, data, 1_000_000)
			raw, _ := inner.MarshalBinary()
			if tpke.BucketSize(len(raw)) != bucket {
				t.Fatalf("inner of %d bytes is in bucket %d, want %d", len(raw), tpke.BucketSize(len(raw)), bucket)
			}

			head, err := client.HeaderByNumber(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if next := eip1559.CalcBaseFee(osakaConfig, head); next.Cmp(testFeeCap) > 0 {
				t.Fatalf("next base fee %v above the fee cap %v", next, testFeeCap)
			}
			nonce, err := client.PendingNonceAt(ctx, addrOf(payerKey))
			if err != nil {
				t.Fatal(err)
			}
			bp := buildParams(c, inner, byte(i))
			bp.Nonce = nonce
			tx, err := encmempool.BuildEnvelope(bp)
			if err != nil {
				t.Fatal(err)
			}
			env, err := encmempool.ParseEnvelope(reparse(t, tx), testSigner, testInbox, encmempool.DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			if len(env.Ciphertext) != tpke.Overhead+bucket {
				t.Fatalf("ciphertext of %d bytes, want %d", len(env.Ciphertext), tpke.Overhead+bucket)
			}
			if err := client.SendTransaction(ctx, tx); err != nil {
				t.Fatal(err)
			}
			sim.Commit()
			r, err := client.TransactionReceipt(ctx, tx.Hash())
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != types.ReceiptStatusSuccessful {
				t.Fatalf("envelope failed (gas used %d of %d)", r.GasUsed, tx.Gas())
			}
			if r.GasUsed > tx.Gas() {
				t.Fatalf("gas used %d above the envelope's limit %d", r.GasUsed, tx.Gas())
			}
			t.Logf("ciphertext %d B: gas limit %d, used %d", len(env.Ciphertext), tx.Gas(), r.GasUsed)

			if len(r.Logs) != 1 {
				t.Fatalf("%d logs, want 1", len(r.Logs))
			}
			ev, err := inboxABI.UnpackEnvelopeEvent(r.Logs[0])
			if err != nil {
				t.Fatal(err)
			}
			if ev.Eon != env.Eon || ev.Identity != [32]byte(env.Identity) || ev.Payer != env.Payer ||
				ev.DeclaredGas != env.DeclaredGas || ev.Deposit.Cmp(env.Deposit()) != 0 {
				t.Fatalf("event %+v does not match the envelope %+v", ev, env)
			}
			held.Add(held, env.Deposit())
			got, err := client.BalanceAt(ctx, testInbox, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got.Cmp(held) != 0 {
				t.Fatalf("inbox balance %v, want %v", got, held)
			}
		})
	}
}

func tpkeBucketName(b int) string {
	if b >= 1<<10 {
		return fmt.Sprintf("%dKiB", b>>10)
	}
	return fmt.Sprintf("%dB", b)
}
