package encmempool_test

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	"github.com/holiman/uint256"
	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/tpke"
)

// Admission fixtures: a block gas limit of 30M, a base fee of 1 gwei, and
// plaintext transactions at the envelopes' fee cap of 100 gwei.
const testBlockGas = 30_000_000

var (
	testBaseFee = big.NewInt(params.GWei)
	testTo      = common.HexToAddress("0x00000000000000000000000000000000000c0ffe")
	oneEther    = big.NewInt(params.Ether)
)

func testRules() encmempool.Rules {
	return encmempool.Rules{
		ChainID: testChainID, Eon: testEon, GasLimit: testBlockGas, BaseFee: testBaseFee,
		Limits: encmempool.DefaultLimits, AllowPlaintext: true,
	}
}

// testHead is a Head over maps, safe for concurrent use.
type testHead struct {
	mu       sync.Mutex
	rules    encmempool.Rules
	nonces   map[common.Address]uint64
	balances map[common.Address]*big.Int
	seen     map[tpke.Identity]bool
	err      error
}

// newHead funds every key with one ether at nonce 0.
func newHead(keys ...*ecdsa.PrivateKey) *testHead {
	h := &testHead{rules: testRules(), nonces: map[common.Address]uint64{},
		balances: map[common.Address]*big.Int{}, seen: map[tpke.Identity]bool{}}
	for _, k := range keys {
		h.balances[addrOf(k)] = new(big.Int).Set(oneEther)
	}
	return h
}

func (h *testHead) Rules() encmempool.Rules {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.rules
}

func (h *testHead) Account(a common.Address) (uint64, *big.Int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.err != nil {
		return 0, nil, h.err
	}
	b := h.balances[a]
	if b == nil {
		b = new(big.Int)
	}
	return h.nonces[a], new(big.Int).Set(b), nil
}

func (h *testHead) IdentitySeen(id tpke.Identity) (bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.seen[id], h.err
}

func (h *testHead) set(a common.Address, nonce uint64, balance *big.Int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.nonces[a] = nonce
	if balance != nil {
		h.balances[a] = balance
	}
}

// testView is a View: a head plus a pending pool given as maps.
type testView struct {
	*testHead
	pending map[common.Address]pendingAcct
	known   map[common.Hash]bool
}

type pendingAcct struct {
	next  uint64
	spend *big.Int
}

func newView(h *testHead) *testView {
	return &testView{testHead: h, pending: map[common.Address]pendingAcct{}, known: map[common.Hash]bool{}}
}

func (v *testView) Pending(a common.Address, _ uint64) (uint64, *big.Int) {
	p, ok := v.pending[a]
	if !ok {
		return 0, new(big.Int)
	}
	return p.next, p.spend
}

func (v *testView) Known(h common.Hash) bool { return v.known[h] }

// plain signs a plaintext dynamic-fee transaction from key at the test fee
// cap, after mutate has edited it.
func plain(tb testing.TB, key *ecdsa.PrivateKey, nonce uint64, mutate func(*types.DynamicFeeTx)) *types.Transaction {
	tb.Helper()
	to := testTo
	d := &types.DynamicFeeTx{
		ChainID: big.NewInt(testChainID), Nonce: nonce, GasTipCap: testTip, GasFeeCap: testFeeCap,
		Gas: 21_000, To: &to, Value: big.NewInt(1),
	}
	if mutate != nil {
		mutate(d)
	}
	tx, err := types.SignNewTx(key, types.LatestSignerForChainID(d.ChainID), d)
	if err != nil {
		tb.Fatal(err)
	}
	return tx
}

// envelopeTx builds a real envelope from payerKey at nonce, of an inner
// transaction from senderKey with the given declared gas; seed picks the
// identity prefix.
func envelopeTx(tb testing.TB, nonce, declared uint64, seed byte, edit func(*encmempool.BuildParams)) *types.Transaction {
	tb.Helper()
	c := testCommittee(tb)
	inner := signInner(tb, senderKey, innerDynamicFee, nil, declared)
	bp := buildParams(c, inner, seed)
	bp.Nonce = nonce
	if edit != nil {
		edit(&bp)
	}
	tx, err := encmempool.BuildEnvelope(bp)
	if err != nil {
		tb.Fatal(err)
	}
	return reparse(tb, tx)
}

// cost is gas × fee cap + value.
func cost(tx *types.Transaction) *big.Int {
	c := new(big.Int).Mul(new(big.Int).SetUint64(tx.Gas()), tx.GasFeeCap())
	return c.Add(c, tx.Value())
}

func TestAdmitAccepts(t *testing.T) {
	alice := testKey(20)
	cases := []struct {
		name     string
		tx       func(t *testing.T) *types.Transaction
		kind     string
		blockGas func(tx *types.Transaction) uint64
	}{
		{"dynamic-fee", func(t *testing.T) *types.Transaction { return plain(t, alice, 0, nil) }, encmempool.KindPlaintext, nil},
		{"legacy-eip155", func(t *testing.T) *types.Transaction {
			return types.MustSignNewTx(alice, types.NewEIP155Signer(big.NewInt(testChainID)), &types.LegacyTx{
				GasPrice: testFeeCap, Gas: 21_000, To: &testTo, Value: big.NewInt(1)})
		}, encmempool.KindPlaintext, nil},
		{"access-list", func(t *testing.T) *types.Transaction {
			return types.MustSignNewTx(alice, testSigner, &types.AccessListTx{ChainID: big.NewInt(testChainID),
				GasPrice: testFeeCap, Gas: 30_000, To: &testTo, AccessList: types.AccessList{{Address: testTo}}})
		}, encmempool.KindPlaintext, nil},
		{"contract creation", func(t *testing.T) *types.Transaction {
			return plain(t, alice, 0, func(d *types.DynamicFeeTx) { d.To, d.Gas, d.Data = nil, 100_000, []byte{0x60, 0x00} })
		}, encmempool.KindPlaintext, nil},
		{"fee cap equal to the base fee", func(t *testing.T) *types.Transaction {
			return plain(t, alice, 0, func(d *types.DynamicFeeTx) { d.GasFeeCap, d.GasTipCap = testBaseFee, testBaseFee })
		}, encmempool.KindPlaintext, nil},
		{"calldata at the floor", func(t *testing.T) *types.Transaction {
			// 10,000 non-zero bytes: the EIP-7623 floor, 21000 + 40 per byte.
			return plain(t, alice, 0, func(d *types.DynamicFeeTx) {
				d.Data, d.Gas = []byte(strings.Repeat("x", 10_000)), 21_000+40*10_000
			})
		}, encmempool.KindPlaintext, nil},
		{"envelope", func(t *testing.T) *types.Transaction { return envelopeTx(t, 0, 100_000, 1, nil) },
			encmempool.KindEnvelope, func(tx *types.Transaction) uint64 { return tx.Gas() + 100_000 }},
		{"envelope using the whole block", func(t *testing.T) *types.Transaction {
			// Envelope gas + declared gas is exactly the block gas limit.
			return envelopeTx(t, 0, testBlockGas-params.MaxTxGas, 2, func(bp *encmempool.BuildParams) { bp.Gas = params.MaxTxGas })
		}, encmempool.KindEnvelope, func(tx *types.Transaction) uint64 { return testBlockGas }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tx := reparse(t, c.tx(t))
			v := newView(newHead(alice, payerKey))
			v.set(addrOf(payerKey), 0, new(big.Int).Mul(big.NewInt(10), oneEther))
			a, err := encmempool.Admit(tx, v)
			if err != nil {
				t.Fatal(err)
			}
			if a.Kind() != c.kind || a.Tx != tx {
				t.Fatalf("kind %s, want %s", a.Kind(), c.kind)
			}
			want := addrOf(alice)
			if c.kind == encmempool.KindEnvelope {
				want = addrOf(payerKey)
				if a.Envelope == nil || a.Envelope.Payer != want || a.Envelope.Eon != testEon {
					t.Fatalf("envelope %+v", a.Envelope)
				}
			} else if a.Envelope != nil {
				t.Fatal("a plaintext transaction parsed as an envelope")
			}
			if a.Sender != want {
				t.Fatalf("sender %s, want %s", a.Sender, want)
			}
			if a.Cost.Cmp(cost(tx)) != 0 {
				t.Fatalf("cost %v, want %v", a.Cost, cost(tx))
			}
			wantGas := tx.Gas()
			if c.blockGas != nil {
				wantGas = c.blockGas(tx)
			}
			if a.BlockGas != wantGas {
				t.Fatalf("block gas %d, want %d", a.BlockGas, wantGas)
			}
		})
	}
}

// blobTx is a type-3 transaction to `to` (no sidecar: admission refuses
// the type before anything else would matter).
func blobTx(tb testing.TB, key *ecdsa.PrivateKey, to common.Address) *types.Transaction {
	tb.Helper()
	return types.MustSignNewTx(key, testSigner, &types.BlobTx{
		ChainID: uint256.NewInt(testChainID), GasTipCap: uint256.NewInt(1e9), GasFeeCap: uint256.NewInt(100e9),
		Gas: 21_000, To: to, BlobFeeCap: uint256.NewInt(1e9), BlobHashes: []common.Hash{{0x01}},
	})
}

func TestAdmitRejects(t *testing.T) {
	alice := testKey(20)
	broke := testKey(21)
	payer := addrOf(payerKey)
	bigData := []byte(strings.Repeat("y", 3000))
	cases := []struct {
		name string
		tx   func(t *testing.T) *types.Transaction
		// view edits the view (alice and the payer hold one ether at
		// nonce 0, nothing pending).
		view func(v *testView)
		want error
		// also is the envelope error the rejection wraps as well.
		also error
		// msg is part of the message that names the numbers.
		msg string
	}{
		{name: "oversize", tx: func(t *testing.T) *types.Transaction {
			return plain(t, alice, 0, func(d *types.DynamicFeeTx) { d.Data, d.Gas = bigData, 200_000 })
		}, view: func(v *testView) { v.rules.MaxTxSize = 2000 }, want: encmempool.ErrOversize, msg: "at most 2000"},
		{name: "init code above EIP-3860", tx: func(t *testing.T) *types.Transaction {
			return plain(t, alice, 0, func(d *types.DynamicFeeTx) {
				d.To, d.Data, d.Gas = nil, make([]byte, params.MaxInitCodeSize+1), 10_000_000
			})
		}, want: encmempool.ErrOversize, msg: "init code of 49153 bytes"},
		{name: "envelope ciphertext above the limit", tx: func(t *testing.T) *types.Transaction {
			return envelopeTx(t, 0, 100_000, 1, nil)
		}, view: func(v *testView) { v.rules.Limits.MaxCiphertext = 256 }, want: encmempool.ErrOversize,
			also: encmempool.ErrCiphertextSize},
		{name: "plaintext blob transaction", tx: func(t *testing.T) *types.Transaction {
			return blobTx(t, alice, testTo)
		}, want: encmempool.ErrTxType, msg: "type 3"},
		{name: "blob envelope", tx: func(t *testing.T) *types.Transaction {
			return blobTx(t, payerKey, testInbox)
		}, want: encmempool.ErrTxType, also: encmempool.ErrEnvelopeType},
		{name: "plaintext set-code transaction", tx: func(t *testing.T) *types.Transaction {
			return signInner(t, alice, innerSetCode, nil, 100_000)
		}, view: func(v *testView) { v.set(addrOf(alice), 6, nil) }, want: encmempool.ErrTxType, msg: "type 4"},
		{name: "plaintext for another chain", tx: func(t *testing.T) *types.Transaction {
			return signInner(t, alice, innerOtherChain, nil, 21_000)
		}, want: encmempool.ErrWrongChain, msg: "want 1337"},
		{name: "plaintext without a chain id", tx: func(t *testing.T) *types.Transaction {
			return signInner(t, alice, innerUnprotected, nil, 21_000)
		}, want: encmempool.ErrWrongChain, msg: "no EIP-155"},
		{name: "envelope for another chain", tx: func(t *testing.T) *types.Transaction {
			return envelopeTx(t, 0, 100_000, 1, func(bp *encmempool.BuildParams) {
				bp.ChainID = otherChainID
				bp.Inner = signInner(t, senderKey, innerOtherChain, nil, 100_000)
			})
		}, want: encmempool.ErrWrongChain, also: encmempool.ErrEnvelopeChain},
		{name: "plaintext with a high-s signature", tx: func(t *testing.T) *types.Transaction {
			return highS(t, plain(t, alice, 0, nil))
		}, want: encmempool.ErrSender},
		{name: "plaintext from the system account", tx: func(t *testing.T) *types.Transaction {
			return plain(t, contracts.SystemKey, 0, nil)
		}, want: encmempool.ErrSystemSender},
		{name: "envelope paid by the system account", tx: func(t *testing.T) *types.Transaction {
			return envelopeTx(t, 0, 100_000, 1, func(bp *encmempool.BuildParams) { bp.PayerKey = contracts.SystemKey })
		}, want: encmempool.ErrSystemSender},
		{name: "envelope with a high-s signature", tx: func(t *testing.T) *types.Transaction {
			return highS(t, envelopeTx(t, 0, 100_000, 1, nil))
		}, want: encmempool.ErrSender, also: encmempool.ErrSignature},
		{name: "malformed envelope calldata", tx: func(t *testing.T) *types.Transaction {
			return plain(t, payerKey, 0, func(d *types.DynamicFeeTx) { d.To, d.Data, d.Gas = &testInbox, []byte{1, 2, 3, 4}, 50_000 })
		}, want: encmempool.ErrMalformed, also: encmempool.ErrCalldata},
		{name: "envelope with a wrong deposit", tx: func(t *testing.T) *types.Transaction {
			env := envelopeTx(t, 0, 100_000, 1, nil)
			return plain(t, payerKey, 0, func(d *types.DynamicFeeTx) {
				d.To, d.Data, d.Gas, d.Value = &testInbox, env.Data(), env.Gas(), big.NewInt(1)
			})
		}, want: encmempool.ErrMalformed, also: encmempool.ErrDeposit},
		{name: "plaintext disabled", tx: func(t *testing.T) *types.Transaction { return plain(t, alice, 0, nil) },
			view: func(v *testView) { v.rules.AllowPlaintext = false }, want: encmempool.ErrPlaintextDisabled},
		{name: "gas above the block gas limit", tx: func(t *testing.T) *types.Transaction {
			return plain(t, alice, 0, func(d *types.DynamicFeeTx) { d.Gas = 10_000_000 })
		}, view: func(v *testView) { v.rules.GasLimit = 9_000_000 }, want: encmempool.ErrGasLimit,
			msg: "10000000 above the block gas limit 9000000"},
		{name: "gas above the transaction cap", tx: func(t *testing.T) *types.Transaction {
			return plain(t, alice, 0, func(d *types.DynamicFeeTx) { d.Gas = params.MaxTxGas + 1 })
		}, want: encmempool.ErrGasLimit, msg: "transaction cap is 16777216"},
		{name: "envelope gas plus declared gas above the block", tx: func(t *testing.T) *types.Transaction {
			return envelopeTx(t, 0, testBlockGas-params.MaxTxGas+1, 1, func(bp *encmempool.BuildParams) { bp.Gas = params.MaxTxGas })
		}, want: encmempool.ErrGasLimit, msg: "declared gas 13222785 above the block gas limit 30000000"},
		{name: "gas below intrinsic", tx: func(t *testing.T) *types.Transaction {
			return plain(t, alice, 0, func(d *types.DynamicFeeTx) { d.Gas = 20_999 })
		}, want: encmempool.ErrIntrinsicGas, msg: "gas 20999, intrinsic 21000"},
		{name: "gas below the calldata floor", tx: func(t *testing.T) *types.Transaction {
			return plain(t, alice, 0, func(d *types.DynamicFeeTx) {
				d.Data, d.Gas = []byte(strings.Repeat("x", 10_000)), 21_000+16*10_000
			})
		}, want: encmempool.ErrIntrinsicGas, msg: "calldata floor 421000"},
		{name: "envelope gas below intrinsic", tx: func(t *testing.T) *types.Transaction {
			return envelopeTx(t, 0, 100_000, 1, func(bp *encmempool.BuildParams) { bp.Gas = 21_000 })
		}, want: encmempool.ErrIntrinsicGas},
		{name: "tip above fee cap", tx: func(t *testing.T) *types.Transaction {
			return plain(t, alice, 0, func(d *types.DynamicFeeTx) { d.GasTipCap = new(big.Int).Add(testFeeCap, common.Big1) })
		}, want: encmempool.ErrTipAboveFeeCap},
		{name: "fee cap below base fee", tx: func(t *testing.T) *types.Transaction {
			return plain(t, alice, 0, func(d *types.DynamicFeeTx) { d.GasFeeCap, d.GasTipCap = big.NewInt(999_999_999), common.Big0 })
		}, want: encmempool.ErrFeeCapTooLow, msg: "fee cap 999999999, base fee 1000000000"},
		{name: "envelope fee cap below base fee", tx: func(t *testing.T) *types.Transaction {
			return envelopeTx(t, 0, 100_000, 1, nil)
		}, view: func(v *testView) { v.rules.BaseFee = new(big.Int).Add(testFeeCap, common.Big1) }, want: encmempool.ErrFeeCapTooLow},
		{name: "envelope for another eon", tx: func(t *testing.T) *types.Transaction {
			return envelopeTx(t, 0, 100_000, 1, nil)
		}, view: func(v *testView) { v.rules.Eon = testEon + 1 }, want: encmempool.ErrWrongEon, msg: "eon 7, current eon 8"},
		{name: "known transaction", tx: func(t *testing.T) *types.Transaction { return plain(t, alice, 0, nil) },
			view: func(v *testView) { v.known[plain(t, alice, 0, nil).Hash()] = true }, want: encmempool.ErrKnownTx},
		{name: "identity seen", tx: func(t *testing.T) *types.Transaction { return envelopeTx(t, 0, 100_000, 1, nil) },
			view: func(v *testView) {
				env, err := encmempool.ParseEnvelope(envelopeTx(t, 0, 100_000, 1, nil), testSigner, testInbox, encmempool.DefaultLimits)
				if err != nil {
					t.Fatal(err)
				}
				v.seen[env.Identity] = true
			}, want: encmempool.ErrIdentitySeen},
		{name: "nonce below the state nonce", tx: func(t *testing.T) *types.Transaction { return plain(t, alice, 4, nil) },
			view: func(v *testView) { v.set(addrOf(alice), 5, nil) }, want: encmempool.ErrNonceTooLow, msg: "nonce 4, next nonce"},
		{name: "nonce of a pending transaction", tx: func(t *testing.T) *types.Transaction { return plain(t, alice, 6, nil) },
			view: func(v *testView) {
				v.set(addrOf(alice), 5, nil)
				v.pending[addrOf(alice)] = pendingAcct{next: 7, spend: new(big.Int)}
			}, want: encmempool.ErrNonceTooLow, msg: "is 7"},
		{name: "nonce gap", tx: func(t *testing.T) *types.Transaction { return plain(t, alice, 6, nil) },
			view: func(v *testView) { v.set(addrOf(alice), 5, nil) }, want: encmempool.ErrNonceGap, msg: "nonce 6, next nonce"},
		{name: "nonce gap after pending", tx: func(t *testing.T) *types.Transaction { return plain(t, alice, 9, nil) },
			view: func(v *testView) { v.pending[addrOf(alice)] = pendingAcct{next: 8, spend: new(big.Int)} },
			want: encmempool.ErrNonceGap, msg: "is 8"},
		{name: "envelope nonce gap", tx: func(t *testing.T) *types.Transaction { return envelopeTx(t, 3, 100_000, 1, nil) },
			want: encmempool.ErrNonceGap},
		{name: "no funds", tx: func(t *testing.T) *types.Transaction { return plain(t, broke, 0, nil) },
			want: encmempool.ErrInsufficientFunds, msg: "balance of " + addrOf(broke).Hex() + " is 0"},
		{name: "balance one wei short", tx: func(t *testing.T) *types.Transaction { return plain(t, alice, 0, nil) },
			view: func(v *testView) {
				v.set(addrOf(alice), 0, new(big.Int).Sub(cost(plain(t, alice, 0, nil)), common.Big1))
			}, want: encmempool.ErrInsufficientFunds},
		{name: "balance spent by pending transactions", tx: func(t *testing.T) *types.Transaction { return plain(t, alice, 1, nil) },
			view: func(v *testView) {
				c := cost(plain(t, alice, 1, nil))
				v.set(addrOf(alice), 0, new(big.Int).Mul(c, big.NewInt(2)))
				v.pending[addrOf(alice)] = pendingAcct{next: 1, spend: new(big.Int).Add(c, common.Big1)}
			}, want: encmempool.ErrInsufficientFunds, msg: "plus pending"},
		{name: "envelope deposit not covered", tx: func(t *testing.T) *types.Transaction { return envelopeTx(t, 0, 100_000, 1, nil) },
			view: func(v *testView) {
				// Enough for gas × fee cap, not for the deposit on top.
				env := envelopeTx(t, 0, 100_000, 1, nil)
				v.set(payer, 0, new(big.Int).Mul(new(big.Int).SetUint64(env.Gas()), env.GasFeeCap()))
			}, want: encmempool.ErrInsufficientFunds},
		{name: "unreadable state", tx: func(t *testing.T) *types.Transaction { return plain(t, alice, 0, nil) },
			view: func(v *testView) { v.err = errors.New("missing trie node") }, want: encmempool.ErrState, msg: "missing trie node"},
	}
	seen := map[error]bool{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := newView(newHead(alice, payerKey))
			if c.view != nil {
				c.view(v)
			}
			tx := reparse(t, c.tx(t))
			a, err := encmempool.Admit(tx, v)
			if a != nil || !errors.Is(err, c.want) {
				t.Fatalf("Admit = %v, %v; want %v", a, err, c.want)
			}
			if c.also != nil && !errors.Is(err, c.also) {
				t.Fatalf("error %v does not wrap %v", err, c.also)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("error %q does not say %q", err, c.msg)
			}
			if got, want := encmempool.Reason(err), encmempool.Reason(c.want); got != want || got == "other" {
				t.Fatalf("Reason = %q, want %q", got, want)
			}
		})
		seen[c.want] = true
	}
	for _, e := range admissionErrors {
		if !seen[e] {
			t.Errorf("no case for %v", e)
		}
	}
}

// admissionErrors are the errors Admit itself returns.
var admissionErrors = []error{
	encmempool.ErrOversize, encmempool.ErrTxType, encmempool.ErrWrongChain, encmempool.ErrSender, encmempool.ErrSystemSender,
	encmempool.ErrMalformed, encmempool.ErrPlaintextDisabled, encmempool.ErrGasLimit, encmempool.ErrIntrinsicGas,
	encmempool.ErrTipAboveFeeCap, encmempool.ErrFeeCapTooLow, encmempool.ErrWrongEon, encmempool.ErrKnownTx,
	encmempool.ErrIdentitySeen, encmempool.ErrNonceTooLow, encmempool.ErrNonceGap, encmempool.ErrInsufficientFunds,
	encmempool.ErrState,
}

// highS replaces tx's signature by its high-s twin, which go-ethereum
// refuses to recover (EIP-2).
func highS(tb testing.TB, tx *types.Transaction) *types.Transaction {
	tb.Helper()
	v, r, s := tx.RawSignatureValues()
	sig := make([]byte, 65)
	r.FillBytes(sig[:32])
	new(big.Int).Sub(crypto.S256().Params().N, s).FillBytes(sig[32:64])
	sig[64] = byte(1 - v.Uint64())
	bad, err := tx.WithSignature(testSigner, sig)
	if err != nil {
		tb.Fatal(err)
	}
	return bad
}

func TestReasonLabels(t *testing.T) {
	all := append(append([]error{}, admissionErrors...), encmempool.ErrPoolFull, encmempool.ErrClosed, encmempool.ErrStorage)
	labels := map[string]error{}
	for _, e := range all {
		l := encmempool.Reason(fmt.Errorf("wrapped: %w", e))
		if l == "" || l == "other" || strings.ToLower(l) != l || strings.ContainsAny(l, " -") {
			t.Errorf("%v: label %q", e, l)
		}
		if prev, ok := labels[l]; ok {
			t.Errorf("%v and %v share the label %q", e, prev, l)
		}
		labels[l] = e
	}
	if encmempool.Reason(nil) != "" || encmempool.Reason(errors.New("x")) != "other" {
		t.Error("Reason of nil or an unknown error")
	}
}
