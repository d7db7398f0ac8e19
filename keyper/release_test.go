package keyper

import (
	"crypto/ecdsa"
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
	"github.com/veil-l2/veil/keyper/dkg"
	"github.com/veil-l2/veil/ordering/batch"
)

const (
	chainID = 901
	eon     = 1
	now     = 1_700_000_100
)

var feeCap = big.NewInt(10_000_000_000)

type env struct {
	t       testing.TB
	seq     *ecdsa.PrivateKey
	payer   *ecdsa.PrivateKey
	users   []*ecdsa.PrivateKey
	results []*dkg.Result
	signer  types.Signer
	nonce   map[common.Address]uint64
}

func newEnv(t testing.TB, users int) *env {
	t.Helper()
	e := &env{t: t, signer: types.LatestSignerForChainID(big.NewInt(chainID)), nonce: map[common.Address]uint64{}}
	e.seq, _ = crypto.GenerateKey()
	e.payer, _ = crypto.GenerateKey()
	for i := 0; i < users; i++ {
		k, _ := crypto.GenerateKey()
		e.users = append(e.users, k)
	}
	res, err := dkg.RunLocal(chainID, eon, 5, 3)
	if err != nil {
		t.Fatal(err)
	}
	e.results = res
	return e
}

func (e *env) config() ReleaseConfig {
	return ReleaseConfig{ChainID: chainID, Eon: eon, Sequencer: crypto.PubkeyToAddress(e.seq.PublicKey),
		Inbox: contracts.EncryptedInboxAddress, MaxDrift: 10, MaxTxs: 5000, MaxBytes: 8 << 20, MaxGasLimit: 200_000_000}
}

func (e *env) next(k *ecdsa.PrivateKey) uint64 {
	a := crypto.PubkeyToAddress(k.PublicKey)
	n := e.nonce[a]
	e.nonce[a] = n + 1
	return n
}

// envelope encrypts a transfer of user i into an envelope for eonNum.
func (e *env) envelope(i int, eonNum uint64) (*types.Transaction, *types.Transaction) {
	e.t.Helper()
	to := common.Address{0xb0}
	inner, err := types.SignNewTx(e.users[i], e.signer, &types.DynamicFeeTx{ChainID: big.NewInt(chainID), Nonce: e.next(e.users[i]),
		GasTipCap: big.NewInt(1), GasFeeCap: feeCap, Gas: 21000, To: &to, Value: big.NewInt(1)})
	if err != nil {
		e.t.Fatal(err)
	}
	tx, err := encmempool.BuildEnvelope(encmempool.BuildParams{ChainID: chainID, Eon: eonNum, EonKey: e.results[0].EonPublicKey,
		Inbox: contracts.EncryptedInboxAddress, Inner: inner, PayerKey: e.payer, Nonce: e.next(e.payer),
		GasTipCap: big.NewInt(1), GasFeeCap: feeCap, Rand: rand.Reader})
	if err != nil {
		e.t.Fatal(err)
	}
	return tx, inner
}

// batchOf signs a commitment over txs; mut may change it before signing.
func (e *env) batchOf(number uint64, parent common.Hash, txs []*types.Transaction, mut func(*batch.Commitment)) *batch.Batch {
	e.t.Helper()
	c := batch.Commitment{ChainID: chainID, Eon: eon, Number: number, Parent: parent, Timestamp: now + number,
		L1OriginNumber: 10, L1OriginHash: common.Hash{0x11}, BaseFee: big.NewInt(7), GasLimit: 30_000_000}
	for _, tx := range txs {
		c.TxHashes = append(c.TxHashes, tx.Hash())
	}
	key := e.seq
	if mut != nil {
		mut(&c)
	}
	s, err := batch.Sign(c, key)
	if err != nil {
		e.t.Fatal(err)
	}
	b, err := batch.New(s, txs)
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

type memReleased map[tpke.Identity]bool

func (m memReleased) Released(id tpke.Identity) bool { return m[id] }

func (e *env) releaser(released memReleased) *Releaser {
	r := NewReleaser(e.config(), ReleaseState{Next: 1}, released)
	r.L1Confirmed(10, common.Hash{0x11})
	hear(r, now-300, now) // connected for the last five minutes
	return r
}

// hear feeds the core a message of the sequencer every second of [from, to].
func hear(r *Releaser, from, to uint64) {
	for t := from; t <= to; t++ {
		r.Heard(t)
	}
}

// TestStaleTimestampAfterSilence: a batch whose timestamp is older than the
// drift is refused by a keyper that heard the sequencer all through the
// window in which the batch should have reached it, and judged on the rest
// (above the last released timestamp, not in the future) by one that heard
// nothing then: restarted since, or cut off.
func TestStaleTimestampAfterSilence(t *testing.T) {
	e := newEnv(t, 2)
	tx, _ := e.envelope(0, eon)
	stale := func() *batch.Batch {
		return e.batchOf(1, common.Hash{}, []*types.Transaction{tx}, func(c *batch.Commitment) { c.Timestamp = now - 100 })
	}
	for _, tc := range []struct {
		name  string
		setup func(r *Releaser)
		want  error
	}{
		{"connected all along", func(r *Releaser) { hear(r, now-300, now+1) }, ErrTimestamp},
		{"silent before the batch only", func(r *Releaser) { hear(r, now-300, now-150); hear(r, now-105, now+1) }, ErrTimestamp},
		{"restarted since", func(r *Releaser) { r.Heard(now + 1) }, nil},
		{"never heard", func(r *Releaser) {}, nil},
		{"cut off around the batch", func(r *Releaser) { hear(r, now-300, now-102); hear(r, now-80, now+1) }, nil},
		{"cut off just after the batch", func(r *Releaser) { hear(r, now-300, now-99); hear(r, now-94, now+1) }, nil},
		{"connected all along, attested by the committee", func(r *Releaser) {
			hear(r, now-300, now+1)
			r.Certified(1, stale().Commitment.Hash())
		}, nil},
		{"connected all along, another batch attested", func(r *Releaser) {
			hear(r, now-300, now+1)
			r.Certified(1, common.Hash{0x77})
		}, ErrTimestamp},
		{"cut off, timestamp below the last released", func(r *Releaser) {
			r.state.LastTime = now - 100
			r.Heard(now + 1)
		}, ErrTimestamp},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReleaser(e.config(), ReleaseState{Next: 1}, memReleased{})
			r.L1Confirmed(10, common.Hash{0x11})
			tc.setup(r)
			rel, err := r.Decide(stale(), now+1)
			if !errors.Is(err, tc.want) || (err == nil) != (rel != nil) {
				t.Fatalf("got %+v, %v; want %v", rel, err, tc.want)
			}
		})
	}
	// The future bound holds after a silence too.
	r := NewReleaser(e.config(), ReleaseState{Next: 1}, memReleased{})
	r.L1Confirmed(10, common.Hash{0x11})
	future := e.batchOf(1, common.Hash{}, []*types.Transaction{tx}, func(c *batch.Commitment) { c.Timestamp = now + 100 })
	if _, err := r.Decide(future, now+1); !errors.Is(err, ErrTimestamp) {
		t.Fatalf("a timestamp from the future after a silence: %v", err)
	}
}

func TestReleasedSharesAggregateIntoKeysThatDecrypt(t *testing.T) {
	e := newEnv(t, 4)
	var txs []*types.Transaction
	var inners []*types.Transaction
	for i := 0; i < 4; i++ {
		tx, inner := e.envelope(i, eon)
		txs, inners = append(txs, tx), append(inners, inner)
	}
	b := e.batchOf(1, common.Hash{}, txs, nil)
	cache := tpke.NewPointCache(1024)
	var rel *Release
	messages := make([][]byte, len(e.results))
	for k, res := range e.results {
		r := e.releaser(memReleased{})
		var err error
		if rel, err = r.Decide(b, now+1); err != nil {
			t.Fatalf("keyper %d: %v", k, err)
		}
		messages[k] = Shares(res.Share, cache, rel)
	}
	if len(rel.Keyed) != 4 || len(rel.NoKey) != 0 {
		t.Fatalf("release %+v", rel)
	}
	ids := make([]*tpke.IdentityPoint, 0, 5)
	for _, id := range rel.Identities() {
		ids = append(ids, cache.Point(id))
	}
	// Any 3 keypers' messages verify and aggregate.
	signers := []int{4, 1, 3}
	by := make([][]tpke.KeyShare, len(signers))
	for j, k := range signers {
		var err error
		if by[j], err = tpke.VerifyShares(e.results[0].PublicShares[k], ids, messages[k], rand.Reader); err != nil {
			t.Fatalf("keyper %d's shares: %v", k, err)
		}
	}
	agg, _ := tpke.NewAggregator(signers)
	keys, err := agg.AggregateMany(by)
	if err != nil {
		t.Fatal(err)
	}
	for i, tx := range txs {
		env, err := encmempool.ParseEnvelope(tx, e.signer, contracts.EncryptedInboxAddress, encmempool.DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		pt, err := tpke.Decrypt(keys[i], env.Identity, env.Ciphertext, env.AssociatedData())
		if err != nil {
			t.Fatalf("envelope %d: %v", i, err)
		}
		want, _ := inners[i].MarshalBinary()
		if string(pt) != string(want) {
			t.Fatalf("envelope %d decrypted to another transaction", i)
		}
	}
	// The batch identity's key is the committee's signature on the batch.
	pk := e.results[0].EonPublicKey
	att := keys[len(keys)-1]
	if err := tpke.VerifyBatchSignature(pk, chainID, eon, 1, rel.Hash, att); err != nil {
		t.Fatal(err)
	}
	if err := tpke.VerifyBatchSignature(pk, chainID, eon, 2, rel.Hash, att); !errors.Is(err, tpke.ErrInvalidKey) {
		t.Fatalf("attestation verifies for another number: %v", err)
	}
	if err := tpke.VerifyBatchSignature(pk, chainID, eon, 1, common.Hash{1}, att); !errors.Is(err, tpke.ErrInvalidKey) {
		t.Fatalf("attestation verifies for another hash: %v", err)
	}
	// A byzantine keyper's random shares are caught, the rest aggregate.
	junk := make([]byte, len(messages[0]))
	for i := 0; i < len(ids); i++ {
		copy(junk[i*tpke.G1Size:], e.results[0].Share.KeyShare(tpke.BatchIdentity(1, 2, 3, common.Hash{byte(i)}).Point()).Bytes())
	}
	if _, err := tpke.VerifyShares(e.results[0].PublicShares[2], ids, junk, rand.Reader); !errors.Is(err, tpke.ErrInvalidShare) {
		t.Fatalf("random shares accepted: %v", err)
	}
}

func TestWholeBatchRefusals(t *testing.T) {
	e := newEnv(t, 2)
	tx, _ := e.envelope(0, eon)
	txs := []*types.Transaction{tx}
	other, _ := crypto.GenerateKey()
	cases := []struct {
		name  string
		batch func() *batch.Batch
		setup func(r *Releaser)
		want  error
	}{
		{"not signed by the sequencer", func() *batch.Batch {
			b := e.batchOf(1, common.Hash{}, txs, nil)
			s, _ := batch.Sign(b.Commitment, other)
			b.Signed = *s
			return b
		}, nil, ErrSequencerSignature},
		{"no signature", func() *batch.Batch {
			b := e.batchOf(1, common.Hash{}, txs, nil)
			b.Signature = nil
			return b
		}, nil, ErrSequencerSignature},
		{"another chain", func() *batch.Batch {
			return e.batchOf(1, common.Hash{}, txs, func(c *batch.Commitment) { c.ChainID = 1 })
		}, nil, ErrWrongChain},
		{"another eon", func() *batch.Batch { return e.batchOf(1, common.Hash{}, txs, func(c *batch.Commitment) { c.Eon = 2 }) }, nil, ErrWrongEon},
		{"number gap", func() *batch.Batch { return e.batchOf(2, common.Hash{}, txs, nil) }, nil, ErrNumberGap},
		{"wrong parent", func() *batch.Batch { return e.batchOf(1, common.Hash{9}, txs, nil) }, nil, ErrParent},
		{"stale timestamp", func() *batch.Batch {
			return e.batchOf(1, common.Hash{}, txs, func(c *batch.Commitment) { c.Timestamp = now - 100 })
		}, nil, ErrTimestamp},
		{"timestamp from the future", func() *batch.Batch {
			return e.batchOf(1, common.Hash{}, txs, func(c *batch.Commitment) { c.Timestamp = now + 100 })
		}, nil, ErrTimestamp},
		{"unknown L1 origin", func() *batch.Batch {
			return e.batchOf(1, common.Hash{}, txs, func(c *batch.Commitment) { c.L1OriginNumber = 11 })
		}, nil, ErrL1Origin},
		{"L1 origin of another fork", func() *batch.Batch {
			return e.batchOf(1, common.Hash{}, txs, func(c *batch.Commitment) { c.L1OriginHash = common.Hash{0x12} })
		}, nil, ErrL1Origin},
		{"oversize", func() *batch.Batch { return e.batchOf(1, common.Hash{}, txs, nil) },
			func(r *Releaser) { r.cfg.MaxTxs = 0 }, ErrOversize},
		{"over the gas budget", func() *batch.Batch {
			return e.batchOf(1, common.Hash{}, txs, func(c *batch.Commitment) { c.GasLimit = 50_000 })
		}, nil, ErrGasBudget},
		{"gas that wraps around uint64", func() *batch.Batch {
			// Two plaintext transactions of 2^63 gas each: a sum that wraps
			// to zero must not pass the budget.
			key, _ := crypto.GenerateKey()
			signer := types.LatestSignerForChainID(new(big.Int).SetUint64(chainID))
			var wrap []*types.Transaction
			for n := range uint64(2) {
				tx, _ := types.SignNewTx(key, signer, &types.DynamicFeeTx{ChainID: new(big.Int).SetUint64(chainID), Nonce: n,
					Gas: 1 << 63, GasFeeCap: big.NewInt(1), GasTipCap: big.NewInt(1), To: &common.Address{1}})
				wrap = append(wrap, tx)
			}
			return e.batchOf(1, common.Hash{}, append(wrap, txs...), nil)
		}, nil, ErrGasBudget},
		{"gas limit above the cap", func() *batch.Batch {
			return e.batchOf(1, common.Hash{}, txs, func(c *batch.Commitment) { c.GasLimit = 300_000_000 })
		}, nil, ErrGasBudget},
		{"strict mode, not on L1", func() *batch.Batch { return e.batchOf(1, common.Hash{}, txs, nil) },
			func(r *Releaser) { r.cfg.Strict = true }, ErrNotOnL1},
		{"conflicting announcement", func() *batch.Batch { return e.batchOf(1, common.Hash{}, txs, nil) },
			func(r *Releaser) { r.Announcement(3, 1, common.Hash{0xee}) }, ErrEquivocation},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.releaser(memReleased{})
			if tc.setup != nil {
				tc.setup(r)
			}
			before := r.State()
			rel, err := r.Decide(tc.batch(), now+1)
			if rel != nil || !errors.Is(err, tc.want) {
				t.Fatalf("got %+v, %v; want %v", rel, err, tc.want)
			}
			if r.State() != before {
				t.Fatal("a refusal changed the state")
			}
		})
	}
}

func TestEquivocationAndRepeats(t *testing.T) {
	e := newEnv(t, 2)
	tx1, _ := e.envelope(0, eon)
	tx2, _ := e.envelope(1, eon)
	r := e.releaser(memReleased{})
	// Two different signed commitments for number 1: the first is refused
	// for another reason, the second is equivocation.
	early := e.batchOf(1, common.Hash{}, []*types.Transaction{tx1}, func(c *batch.Commitment) { c.Timestamp = now - 100 })
	if _, err := r.Decide(early, now+1); !errors.Is(err, ErrTimestamp) {
		t.Fatal(err)
	}
	if _, err := r.Decide(e.batchOf(1, common.Hash{}, []*types.Transaction{tx2}, nil), now+1); !errors.Is(err, ErrEquivocation) {
		t.Fatalf("second commitment for number 1: %v", err)
	}
	if ev := r.Evidence(); len(ev) != 1 || ev[0].From != "sequencer" {
		t.Fatalf("evidence %+v", ev)
	}
	// A fresh keyper releases batch 1; the same batch again is a repeat,
	// a different one for the released number is refused with evidence.
	r = e.releaser(memReleased{})
	b1 := e.batchOf(1, common.Hash{}, []*types.Transaction{tx1}, nil)
	rel, err := r.Decide(b1, now+1)
	if err != nil {
		t.Fatal(err)
	}
	again, err := r.Decide(b1, now+2)
	if err != nil || !again.Again || again.Hash != rel.Hash {
		t.Fatalf("repeat: %+v %v", again, err)
	}
	if _, err := r.Decide(e.batchOf(1, common.Hash{}, []*types.Transaction{tx2}, nil), now+2); !errors.Is(err, ErrEquivocation) {
		t.Fatalf("another batch for a released number: %v", err)
	}
	// An announcement contradicting our release is evidence too.
	r.Announcement(4, 1, common.Hash{0xab})
	if ev := r.Evidence(); len(ev) != 2 || ev[1].From != "keyper 4" {
		t.Fatalf("evidence %+v", ev)
	}
	// The next batch chains to the released one.
	if _, err := r.Decide(e.batchOf(2, rel.Hash, []*types.Transaction{tx2}, nil), now+3); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Decide(e.batchOf(1, common.Hash{}, []*types.Transaction{tx2}, nil), now+3); !errors.Is(err, ErrAlreadyReleased) {
		t.Fatalf("a number two behind: %v", err)
	}
	// Strict mode releases once the commitment is on L1.
	s := e.releaser(memReleased{})
	s.cfg.Strict = true
	s.CommitmentOnL1(1, b1.Commitment.Hash())
	if _, err := s.Decide(b1, now+1); err != nil {
		t.Fatalf("strict mode with the commitment on L1: %v", err)
	}
}

func TestNoKeyRuleWithholdsOnlyTheBadEnvelope(t *testing.T) {
	e := newEnv(t, 6)
	good, _ := e.envelope(0, eon)
	otherEon, _ := e.envelope(1, 2)
	releasedBefore, _ := e.envelope(2, eon)
	// The same envelope twice in the batch is impossible (same hash), but
	// two envelopes of one payer with one prefix share an identity.
	twinA, _ := e.envelope(3, eon)
	envA, _ := encmempool.ParseEnvelope(twinA, e.signer, contracts.EncryptedInboxAddress, encmempool.DefaultLimits)
	to := contracts.EncryptedInboxAddress
	data, _ := encmempool.EncodeCalldata(eon, envA.Prefix, envA.DeclaredGas, envA.Ciphertext)
	twinB, _ := types.SignNewTx(e.payer, e.signer, &types.DynamicFeeTx{ChainID: big.NewInt(chainID), Nonce: e.next(e.payer),
		GasTipCap: big.NewInt(1), GasFeeCap: feeCap, Gas: twinA.Gas(), To: &to, Value: twinA.Value(), Data: data})
	// A malformed envelope: a valid submit call with a deposit one wei short.
	short, _ := types.SignNewTx(e.payer, e.signer, &types.DynamicFeeTx{ChainID: big.NewInt(chainID), Nonce: e.next(e.payer),
		GasTipCap: big.NewInt(1), GasFeeCap: feeCap, Gas: twinA.Gas(), To: &to,
		Value: new(big.Int).Sub(twinA.Value(), big.NewInt(1)), Data: data})
	// A submit call to another contract.
	elsewhere := common.Address{0xcc}
	misdirected, _ := types.SignNewTx(e.payer, e.signer, &types.DynamicFeeTx{ChainID: big.NewInt(chainID), Nonce: e.next(e.payer),
		GasTipCap: big.NewInt(1), GasFeeCap: feeCap, Gas: twinA.Gas(), To: &elsewhere, Value: twinA.Value(), Data: data})
	// A plaintext transaction needs no key and is not refused.
	plainTo := common.Address{0xdd}
	plain, _ := types.SignNewTx(e.users[5], e.signer, &types.DynamicFeeTx{ChainID: big.NewInt(chainID), Nonce: 0,
		GasTipCap: big.NewInt(1), GasFeeCap: feeCap, Gas: 21000, To: &plainTo, Value: big.NewInt(1)})

	relEnv, _ := encmempool.ParseEnvelope(releasedBefore, e.signer, contracts.EncryptedInboxAddress, encmempool.DefaultLimits)
	r := e.releaser(memReleased{relEnv.Identity: true})
	txs := []*types.Transaction{good, otherEon, releasedBefore, twinA, twinB, short, misdirected, plain}
	rel, err := r.Decide(e.batchOf(1, common.Hash{}, txs, nil), now+1)
	if err != nil {
		t.Fatal(err)
	}
	if len(rel.Keyed) != 1 || rel.Keyed[0].Index != 0 {
		t.Fatalf("keyed %+v", rel.Keyed)
	}
	want := map[int]error{1: ErrOtherEon, 2: ErrIdentityReleased, 3: ErrIdentityTwice, 4: ErrIdentityTwice,
		5: ErrMalformedEnvelope, 6: ErrOtherContract}
	if len(rel.NoKey) != len(want) {
		t.Fatalf("no key %+v", rel.NoKey)
	}
	for _, nk := range rel.NoKey {
		if !errors.Is(nk.Reason, want[nk.Index]) {
			t.Fatalf("envelope %d: %v, want %v", nk.Index, nk.Reason, want[nk.Index])
		}
	}
	if !errors.Is(rel.NoKey[4].Reason, encmempool.ErrDeposit) {
		t.Fatalf("malformed envelope's cause: %v", rel.NoKey[4].Reason)
	}
}

func TestShareMessageSignature(t *testing.T) {
	key, _ := crypto.GenerateKey()
	m := &ShareMessage{ChainID: chainID, Eon: eon, Number: 3, Hash: common.Hash{1}, Keyper: 2, Shares: make([]byte, 96)}
	if err := m.Sign(key); err != nil {
		t.Fatal(err)
	}
	raw, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	d, err := DecodeShareMessage(raw)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := d.Signer(); err != nil || s != crypto.PubkeyToAddress(key.PublicKey) {
		t.Fatalf("signer %s %v", s, err)
	}
	d.Number = 4
	if s, _ := d.Signer(); s == crypto.PubkeyToAddress(key.PublicKey) {
		t.Fatal("signature covers a changed number")
	}
	for _, bad := range [][]byte{nil, raw[:len(raw)-1], append(append([]byte(nil), raw...), 0)} {
		if _, err := DecodeShareMessage(bad); !errors.Is(err, ErrShareMessage) {
			t.Fatalf("bad message accepted: %v", err)
		}
	}
}
