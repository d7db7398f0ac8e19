package l1

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"

	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/keyper/dkg"
	"github.com/veil-l2/veil/ordering"
	"github.com/veil-l2/veil/ordering/batch"
)

const (
	l2ChainID      = 901
	forcedDeadline = 50
	nKeypers       = 5
	threshold      = 3
)

var ether = big.NewInt(params.Ether)

func testKey(i byte) *ecdsa.PrivateKey {
	k, err := crypto.ToECDSA(common.LeftPadBytes([]byte{i}, 32))
	if err != nil {
		panic(err)
	}
	return k
}

func addr(k *ecdsa.PrivateKey) common.Address { return crypto.PubkeyToAddress(k.PublicKey) }

// committee is one real DKG per eon (5 keypers, threshold 3), run once per
// test binary.
var committee = func() func(t testing.TB, eon uint64) []*dkg.Result {
	var mu sync.Mutex
	runs := map[uint64][]*dkg.Result{}
	return func(t testing.TB, eon uint64) []*dkg.Result {
		t.Helper()
		mu.Lock()
		defer mu.Unlock()
		if r, ok := runs[eon]; ok {
			return r
		}
		res, err := dkg.RunLocal(l2ChainID, eon, nKeypers, threshold)
		if err != nil {
			t.Fatal(err)
		}
		runs[eon] = res
		return res
	}
}()

// env is a simulated L1 with Veil's contracts deployed by Deploy.
type env struct {
	t                      testing.TB
	chain                  *Chain
	c                      Contracts
	owner, seq, alice, bob *ecdsa.PrivateKey
	keypers                []*ecdsa.PrivateKey
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, owner: testKey(1), seq: testKey(2), alice: testKey(3), bob: testKey(4)}
	for i := range nKeypers {
		e.keypers = append(e.keypers, testKey(byte(10+i)))
	}
	alloc := types.GenesisAlloc{}
	funds := new(big.Int).Mul(big.NewInt(1000), ether)
	for _, k := range append([]*ecdsa.PrivateKey{e.owner, e.seq, e.alice, e.bob}, e.keypers...) {
		alloc[addr(k)] = types.Account{Balance: funds}
	}
	var err error
	if e.chain, err = NewSimulated(alloc); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.chain.Close() })
	e.c, err = Deploy(context.Background(), e.chain, e.owner, contracts.L1Config{ChainID: l2ChainID, Owner: addr(e.owner),
		Sequencer: addr(e.seq), ForcedInclusionDeadline: forcedDeadline})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) commit() {
	e.t.Helper()
	if _, err := e.chain.Commit(); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) head() uint64 {
	e.t.Helper()
	h, err := e.chain.HeaderByNumber(context.Background(), nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return h.Number.Uint64()
}

// mustSend sends a call (estimated, so a refusal fails the test), mines
// it in a block of its own and returns the receipt.
func (e *env) mustSend(key *ecdsa.PrivateKey, to common.Address, value *big.Int, data []byte) *types.Receipt {
	e.t.Helper()
	tx := e.sendValue(key, to, value, data)
	e.commit()
	r, err := e.chain.TransactionReceipt(context.Background(), tx.Hash())
	if err != nil {
		e.t.Fatal(err)
	}
	if r.Status != types.ReceiptStatusSuccessful {
		e.t.Fatalf("transaction to %s reverted", to)
	}
	return r
}

// sendValue sends a call with value without mining it.
func (e *env) sendValue(key *ecdsa.PrivateKey, to common.Address, value *big.Int, data []byte) *types.Transaction {
	e.t.Helper()
	ctx := context.Background()
	nonce, err := e.chain.PendingNonceAt(ctx, addr(key))
	if err != nil {
		e.t.Fatal(err)
	}
	tip, feeCap, err := e.chain.fees(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	tx := types.MustSignNewTx(key, e.chain.Signer(), &types.DynamicFeeTx{ChainID: e.chain.chainID, Nonce: nonce, GasTipCap: tip,
		GasFeeCap: feeCap, Gas: 2_000_000, To: &to, Value: value, Data: data})
	if err := e.chain.SendTransaction(ctx, tx); err != nil {
		e.t.Fatal(err)
	}
	return tx
}

// mined runs fn (which waits for its transactions) while sealing a block
// whenever the pool holds a transaction, so that no block is sealed
// without need.
func (e *env) mined(fn func()) {
	e.t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	for {
		select {
		case <-done:
			return
		case <-time.After(time.Millisecond):
		}
		if e.poolSize() > 0 {
			e.commit()
		}
	}
}

// poolSize is the number of the env's accounts with transactions in the
// node's pool (the pending block, which PendingTransactionCount counts,
// is rebuilt only every two seconds; the pending nonce is the pool's).
func (e *env) poolSize() int {
	e.t.Helper()
	ctx := context.Background()
	n := 0
	for _, k := range append([]*ecdsa.PrivateKey{e.owner, e.seq, e.alice, e.bob}, e.keypers...) {
		pending, err1 := e.chain.PendingNonceAt(ctx, addr(k))
		mined, err2 := e.chain.NonceAt(ctx, addr(k), nil)
		if err1 == nil && err2 == nil && pending > mined {
			n++
		}
	}
	return n
}

// finalize seals blocks until the simulated chain's finalized block (the
// last multiple of 32) reaches the head at the call.
func (e *env) finalize() {
	e.t.Helper()
	for h := e.head(); h%32 != 0; h = e.head() {
		e.commit()
	}
}

// addSet adds all keypers as a set active from the next block.
func (e *env) addSet() uint64 {
	e.t.Helper()
	ksm := contracts.NewKeyperSetManager()
	members := make([]common.Address, len(e.keypers))
	for i, k := range e.keypers {
		members[i] = addr(k)
	}
	r := e.mustSend(e.owner, e.c.Manager, nil, ksm.PackAddKeyperSet(members, threshold, e.head()+1))
	ev, err := ksm.UnpackKeyperSetAddedEvent(r.Logs[0])
	if err != nil {
		e.t.Fatal(err)
	}
	return ev.Index
}

// setUpEon adds a keyper set and has threshold keypers vote the
// committee's key of eon, through EonKeys.Vote; the key is finalized.
func (e *env) setUpEon(eon uint64, res []*dkg.Result) *EonKeys {
	e.t.Helper()
	set := e.addSet()
	keys := NewEonKeys(e.chain, e.c)
	keys.Poll = 5 * time.Millisecond
	e.mined(func() {
		for i := range threshold {
			if err := keys.Vote(context.Background(), e.keypers[i], set, eon, res[0].EonPublicKey.Bytes()); err != nil {
				e.t.Error(err)
			}
		}
	})
	e.finalize()
	return keys
}

// testBatch is a batch of envelopes with its real keys and attestation.
type testBatch struct {
	b    *batch.Batch
	keys *ordering.KeysMessage
}

// makeBatch builds batch number of eon with n envelopes (each paid by its
// own payer, encrypted to the committee's key), signed by the sequencer,
// with every envelope's key and the attestation aggregated from keypers
// 0, 2 and 4.
func (e *env) makeBatch(res []*dkg.Result, eon, number uint64, parent common.Hash, n int) testBatch {
	e.t.Helper()
	l2 := types.LatestSignerForChainID(big.NewInt(l2ChainID))
	sender := testKey(200)
	txs := make([]*types.Transaction, n)
	hashes := make([]common.Hash, n)
	ids := make([]tpke.Identity, n)
	for i := range n {
		inner := types.MustSignNewTx(sender, l2, &types.DynamicFeeTx{ChainID: big.NewInt(l2ChainID), Nonce: number*1000 + uint64(i),
			GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(params.GWei), Gas: 21_000, To: &common.Address{0xbe, byte(i)},
			Value: big.NewInt(int64(1000 + i))})
		payer, err := crypto.GenerateKey()
		if err != nil {
			e.t.Fatal(err)
		}
		env, err := encmempool.BuildEnvelope(encmempool.BuildParams{ChainID: l2ChainID, Eon: eon, EonKey: res[0].EonPublicKey,
			Inbox: contracts.EncryptedInboxAddress, Inner: inner, PayerKey: payer, Nonce: 0, GasTipCap: big.NewInt(1),
			GasFeeCap: big.NewInt(params.GWei), Rand: rand.Reader})
		if err != nil {
			e.t.Fatal(err)
		}
		parsed, err := encmempool.ParseEnvelope(env, l2, contracts.EncryptedInboxAddress, encmempool.Limits{})
		if err != nil {
			e.t.Fatal(err)
		}
		txs[i], hashes[i], ids[i] = env, env.Hash(), parsed.Identity
	}
	c := batch.Commitment{ChainID: l2ChainID, Eon: eon, Number: number, Parent: parent, FirstSeq: number * 1000,
		Timestamp: 1_700_000_000 + number, L1OriginNumber: 1, L1OriginHash: common.Hash{1}, BaseFee: big.NewInt(params.GWei),
		GasLimit: 30_000_000, FeeRecipient: addr(e.seq), TxHashes: hashes}
	s, err := batch.Sign(c, e.seq)
	if err != nil {
		e.t.Fatal(err)
	}
	b, err := batch.New(s, txs)
	if err != nil {
		e.t.Fatal(err)
	}
	signers := []int{0, 2, 4}
	aggregate := func(id tpke.Identity) *tpke.Key {
		q := id.Point()
		shares := make([]tpke.KeyShare, len(signers))
		for k, i := range signers {
			shares[k] = res[i].Share.KeyShare(q)
		}
		key, err := tpke.Aggregate(signers, shares)
		if err != nil {
			e.t.Fatal(err)
		}
		return key
	}
	h := b.Commitment.Hash()
	km := &ordering.KeysMessage{ChainID: l2ChainID, Eon: eon, Number: number, Hash: h, Signers: []uint32{0, 2, 4},
		Attestation: aggregate(tpke.BatchIdentity(l2ChainID, eon, number, h)).Bytes()}
	for _, id := range ids {
		km.Keys = append(km.Keys, aggregate(id).Bytes()...)
	}
	if err := km.VerifyAttestation(res[0].EonPublicKey); err != nil {
		e.t.Fatal(err)
	}
	return testBatch{b: b, keys: km}
}

// posting is tb's posting with made-up L2 block hash and state root.
func (e *env) posting(tb testBatch, c Compression) Posting {
	e.t.Helper()
	n := tb.b.Commitment.Number
	p, err := NewPosting(tb.b, tb.keys, crypto.Keccak256Hash([]byte("block"), u64(n)), crypto.Keccak256Hash([]byte("root"), u64(n)), c)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// chainOf builds batches 1..count of eon, each with n envelopes, each
// chained to the previous one.
func (e *env) chainOf(res []*dkg.Result, eon uint64, count, n int) []testBatch {
	e.t.Helper()
	var out []testBatch
	parent := common.Hash{}
	for i := range count {
		tb := e.makeBatch(res, eon, uint64(i+1), parent, n)
		parent = tb.b.Commitment.Hash()
		out = append(out, tb)
	}
	return out
}
