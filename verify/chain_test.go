package verify

// The chain-building helper: an L2 chain made batch by batch the way the
// sequencer makes it (signed commitments, the no-key rule, keys and the
// attestation aggregated from a real DKG's shares, blocks from the
// execution package), on an L1 with Veil's contracts, and posted with
// l1.Poster. The L1 is go-ethereum's simulated backend, sealed by the
// helper (newChainEnv), or a real geth --dev that seals a block every
// second by itself (newDevChainEnv): then the helper waits for blocks and
// receipts where it would seal. Other end-to-end tests may copy it: it
// needs nothing but the exported API of l1, ordering, keyper, execution
// and encmempool.

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"log/slog"
	"math/big"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/math"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"

	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/execution"
	"github.com/veil-l2/veil/keyper"
	"github.com/veil-l2/veil/keyper/dkg"
	"github.com/veil-l2/veil/l1"
	"github.com/veil-l2/veil/ordering"
	"github.com/veil-l2/veil/ordering/batch"
)

const (
	testChainID    = 901
	testEon        = 1
	nKeypers       = 5
	threshold      = 3
	forcedDeadline = 64 // L1 blocks: the helper may post a whole chain after building it
	genesisTime    = 1_700_000_000
	nUsers         = 7
)

var (
	ether  = big.NewInt(params.Ether)
	gwei   = big.NewInt(params.GWei)
	feeCap = new(big.Int).Mul(big.NewInt(10), gwei)
)

// testKey is a fixed key, so that every run has the same accounts.
func testKey(i byte) *ecdsa.PrivateKey {
	k, err := crypto.ToECDSA(common.LeftPadBytes([]byte{i}, 32))
	if err != nil {
		panic(err)
	}
	return k
}

func addrOf(k *ecdsa.PrivateKey) common.Address { return crypto.PubkeyToAddress(k.PublicKey) }

// committees are real DKGs (5 keypers, threshold 3), one per eon the
// tests use, each run once per test binary.
var committees = map[uint64]func() ([]*dkg.Result, error){
	testEon: sync.OnceValues(func() ([]*dkg.Result, error) {
		return dkg.RunLocal(testChainID, testEon, nKeypers, threshold)
	}),
	testEon + 1: sync.OnceValues(func() ([]*dkg.Result, error) {
		return dkg.RunLocal(testChainID, testEon+1, nKeypers, threshold)
	}),
}

// committee is the first eon's DKG.
var committee = committees[testEon]

// chainEnv is an L1 with Veil's contracts, keyper sets and their eon keys,
// and an L2 chain built on it.
type chainEnv struct {
	t        testing.TB
	ctx      context.Context
	l1       *l1.Chain
	dev      bool // l1 is a geth --dev node, which seals by itself
	poll     time.Duration
	c        l1.Contracts
	owner    *ecdsa.PrivateKey
	seq      *ecdsa.PrivateKey // signs commitments and system transactions, posts
	keypers  []*ecdsa.PrivateKey
	users    []*ecdsa.PrivateKey      // funded on L1 and L2
	res      map[uint64][]*dkg.Result // each eon's committee
	chainCfg *execution.ChainConfig
	node     *execution.Node // the sequencer's
	signer   types.Signer    // L2
	sealMu   sync.Mutex      // serializes L1 seals (seal)

	// activations are the keyper sets' activation blocks (set i votes eon
	// i+1); eon is the eon of the batch being built, or of the last one.
	activations []uint64
	eon         uint64

	nonces   map[common.Address]uint64 // L2, as the builder plans them
	released map[tpke.Identity]bool
	batches  []*builtBatch
	parent   common.Hash
	origin   uint64
	seqNum   uint64
}

// builtBatch is one batch as the sequencer would post it.
type builtBatch struct {
	b         *batch.Batch
	keys      *ordering.KeysMessage
	rel       *keyper.Release
	blockHash common.Hash
	stateRoot common.Hash
}

// newChainEnv starts a simulated L1, deploys the contracts, adds the
// keyper set, has the committee vote its eon key and finalizes it, and
// opens the sequencer's execution node at genesis.
func newChainEnv(t testing.TB) *chainEnv {
	t.Helper()
	e := newEnv(t, context.Background())
	alloc := types.GenesisAlloc{}
	for _, k := range e.l1Accounts() {
		alloc[addrOf(k)] = types.Account{Balance: new(big.Int).Mul(big.NewInt(1000), ether)}
	}
	var err error
	if e.l1, err = l1.NewSimulated(alloc); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.l1.Close() })
	e.poll = time.Millisecond
	e.setUp(1)
	e.finalize()
	return e
}

// newEnv is an env without its L1.
func newEnv(t testing.TB, ctx context.Context) *chainEnv {
	e := &chainEnv{t: t, ctx: ctx, owner: testKey(1), seq: testKey(2), res: map[uint64][]*dkg.Result{},
		nonces: map[common.Address]uint64{}, released: map[tpke.Identity]bool{}}
	for i := range nKeypers {
		e.keypers = append(e.keypers, testKey(byte(10+i)))
	}
	for i := range nUsers {
		e.users = append(e.users, testKey(byte(100+i)))
	}
	return e
}

// setUp deploys the contracts on the env's L1, adds the first keyper set,
// active lead blocks above the head, has its committee vote the first
// eon's key, waits for the activation block and opens the sequencer's
// execution node at genesis. The key is not final yet.
func (e *chainEnv) setUp(lead uint64) {
	t := e.t
	t.Helper()
	var err error
	e.c, err = l1.Deploy(e.ctx, e.l1, e.owner, contracts.L1Config{ChainID: testChainID, Owner: addrOf(e.owner),
		Sequencer: addrOf(e.seq), ForcedInclusionDeadline: forcedDeadline})
	if err != nil {
		t.Fatal(err)
	}
	e.addEon(testEon, e.head()+lead)
	e.until(e.activations[0])
	e.eon = testEon

	l2Alloc := types.GenesisAlloc{addrOf(e.seq): {Balance: new(big.Int).Mul(big.NewInt(1000), ether)}}
	for _, u := range e.users {
		l2Alloc[addrOf(u)] = types.Account{Balance: new(big.Int).Mul(big.NewInt(100), ether)}
	}
	e.chainCfg = &execution.ChainConfig{ChainID: testChainID, GasLimit: execution.DefaultGasLimit, Timestamp: genesisTime,
		Sequencer: addrOf(e.seq), BridgeSupply: (*math.HexOrDecimal256)(new(big.Int).Mul(big.NewInt(1_000_000), ether)), Alloc: l2Alloc}
	e.node, err = execution.Open(execution.Config{DataDir: t.TempDir(), Chain: e.chainCfg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.node.Close() })
	e.signer = types.LatestSignerForChainID(big.NewInt(testChainID))
}

// addEon adds the next keyper set (addSet) and has eon's committee vote
// eon's key for it. Nothing is finalized.
func (e *chainEnv) addEon(eon, activation uint64) {
	e.t.Helper()
	e.voteEon(e.addSet(activation), eon)
}

// addSet adds the next keyper set (the env's keypers), active from L1
// block activation, and returns its index.
func (e *chainEnv) addSet(activation uint64) uint64 {
	e.t.Helper()
	members := make([]common.Address, nKeypers)
	for i, k := range e.keypers {
		members[i] = addrOf(k)
	}
	var set uint64
	e.mined(func() (err error) {
		set, err = l1.AddKeyperSet(e.ctx, e.l1, e.c, e.owner, members, threshold, activation)
		return err
	})
	e.activations = append(e.activations, activation)
	return set
}

// voteEon has keyper set set vote eon's committee's key for eon
// (threshold keypers, one after the other).
func (e *chainEnv) voteEon(set, eon uint64) {
	e.t.Helper()
	res := e.committee(eon)
	keys := l1.NewEonKeys(e.l1, e.c)
	keys.Poll = e.poll
	e.mined(func() error {
		for i := range threshold {
			if err := keys.Vote(e.ctx, e.keypers[i], set, eon, res[0].EonPublicKey.Bytes()); err != nil {
				return err
			}
		}
		return nil
	})
}

// committee is eon's DKG.
func (e *chainEnv) committee(eon uint64) []*dkg.Result {
	e.t.Helper()
	if res, ok := e.res[eon]; ok {
		return res
	}
	run, ok := committees[eon]
	if !ok {
		e.t.Fatalf("no committee for eon %d", eon)
	}
	res, err := run()
	if err != nil {
		e.t.Fatal(err)
	}
	e.res[eon] = res
	return res
}

// eonAt is the eon of a batch with L1 origin o: the number of keyper sets
// active at o.
func (e *chainEnv) eonAt(o uint64) uint64 {
	n := uint64(0)
	for _, a := range e.activations {
		if a <= o {
			n++
		}
	}
	return n
}

func (e *chainEnv) l1Accounts() []*ecdsa.PrivateKey {
	return append(append([]*ecdsa.PrivateKey{e.owner, e.seq}, e.keypers...), e.users...)
}

func (e *chainEnv) head() uint64 {
	e.t.Helper()
	h, err := e.l1.HeaderByNumber(e.ctx, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return h.Number.Uint64()
}

// commit seals one L1 block; on geth --dev it waits for the next.
func (e *chainEnv) commit() {
	e.t.Helper()
	if e.dev {
		e.until(e.head() + 1)
		return
	}
	if err := e.seal(); err != nil {
		e.t.Fatal(err)
	}
}

// until seals, or waits for, blocks until the head is at least n.
func (e *chainEnv) until(n uint64) {
	e.t.Helper()
	for e.head() < n {
		if !e.dev {
			e.commit()
			continue
		}
		e.sleep()
	}
}

// sleep waits one poll interval, failing the test when its context ends
// (a node that stopped sealing).
func (e *chainEnv) sleep() {
	e.t.Helper()
	select {
	case <-e.ctx.Done():
		e.t.Fatalf("waiting for L1: %v", e.ctx.Err())
	case <-time.After(e.poll):
	}
}

// seal seals one L1 block. Seals never overlap: two concurrent Commits on
// go-ethereum's simulated beacon can hang one of them for good (each waits
// in TxPool.Sync, and the pool answers only the last waiter).
func (e *chainEnv) seal() error {
	e.sealMu.Lock()
	defer e.sealMu.Unlock()
	_, err := e.l1.Commit()
	return err
}

// finalize seals blocks until the finalized block (the last multiple of
// 32) is the head; on geth --dev it waits until the head is final.
func (e *chainEnv) finalize() {
	e.t.Helper()
	e.finalizeThrough(e.head())
}

// finalizeThrough seals, or waits for, blocks until block n is final.
func (e *chainEnv) finalizeThrough(n uint64) {
	e.t.Helper()
	for {
		fin, err := e.l1.Finalized(e.ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		if fin.Number.Uint64() >= n {
			return
		}
		if e.dev {
			e.sleep()
		} else {
			e.commit()
		}
	}
}

// pending reports whether one of the env's L1 accounts has a transaction
// in the pool.
func (e *chainEnv) pending() bool {
	for _, k := range e.l1Accounts() {
		p, err1 := e.l1.PendingNonceAt(e.ctx, addrOf(k))
		m, err2 := e.l1.NonceAt(e.ctx, addrOf(k), nil)
		if err1 == nil && err2 == nil && p > m {
			return true
		}
	}
	return false
}

// mined runs fn, which waits for its L1 transactions, and seals a block
// whenever one is in the pool until fn returns (on geth --dev it only
// runs fn).
func (e *chainEnv) mined(fn func() error) {
	e.t.Helper()
	if e.dev {
		if err := fn(); err != nil {
			e.t.Fatal(err)
		}
		return
	}
	done := make(chan error, 1)
	go func() { done <- fn() }()
	for {
		select {
		case err := <-done:
			if err != nil {
				e.t.Fatal(err)
			}
			return
		case <-time.After(time.Millisecond):
		}
		if e.pending() {
			e.commit()
		}
	}
}

// sendL1 sends an L1 call with value from key and seals it in a block of
// its own (on geth --dev, waits until a block holds it and is the head or
// below); it returns the receipt.
func (e *chainEnv) sendL1(key *ecdsa.PrivateKey, to common.Address, value *big.Int, data []byte) *types.Receipt {
	e.t.Helper()
	nonce, err := e.l1.PendingNonceAt(e.ctx, addrOf(key))
	if err != nil {
		e.t.Fatal(err)
	}
	head, err := e.l1.HeaderByNumber(e.ctx, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	id, err := e.l1.ChainID(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	tx := types.MustSignNewTx(key, e.l1.Signer(), &types.DynamicFeeTx{ChainID: id, Nonce: nonce, GasTipCap: gwei,
		GasFeeCap: new(big.Int).Add(gwei, new(big.Int).Mul(head.BaseFee, big.NewInt(2))), Gas: 3_000_000, To: &to, Value: value,
		Data: data})
	if err := e.l1.SendTransaction(e.ctx, tx); err != nil {
		e.t.Fatal(err)
	}
	if !e.dev {
		e.commit()
	}
	var r *types.Receipt
	for {
		if r, err = e.l1.TransactionReceipt(e.ctx, tx.Hash()); err == nil {
			e.until(r.BlockNumber.Uint64())
			break
		}
		if !e.dev {
			e.t.Fatal(err)
		}
		e.sleep()
	}
	if r.Status != types.ReceiptStatusSuccessful {
		e.t.Fatalf("L1 call to %s reverted", to)
	}
	return r
}

// deposit deposits amount wei on L1 for the L2 account to, from user i.
func (e *chainEnv) deposit(i int, to common.Address, amount *big.Int) {
	e.t.Helper()
	e.sendL1(e.users[i], e.c.L1Inbox, amount, contracts.NewL1Inbox().PackDeposit(to))
}

// force builds an envelope (inner transfer from user from, paid by user
// payer) and forces it on L1 from the payer's L1 account, in a block of
// its own; it returns the envelope and that block. The builder commits it
// (as IncludeForced says) in the first batch whose origin brings it.
func (e *chainEnv) force(payer, from int) (*types.Transaction, uint64) {
	e.t.Helper()
	env := e.envelope(payer, from, e.eon)
	return env, e.forceRaw(payer, mustBinary(e.t, env))
}

// forceRaw forces any bytes on L1 from user i's L1 account, in a block of
// its own, and returns that block.
func (e *chainEnv) forceRaw(i int, raw []byte) uint64 {
	e.t.Helper()
	return e.sendL1(e.users[i], e.c.L1Inbox, nil, contracts.NewL1Inbox().PackForceEnvelope(raw)).BlockNumber.Uint64()
}

func mustBinary(t testing.TB, tx *types.Transaction) []byte {
	t.Helper()
	b, err := tx.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (e *chainEnv) nextNonce(k *ecdsa.PrivateKey) uint64 {
	a := addrOf(k)
	n := e.nonces[a]
	e.nonces[a] = n + 1
	return n
}

// transfer is a signed L2 transfer from user i.
func (e *chainEnv) transfer(i int, value int64) *types.Transaction {
	e.t.Helper()
	to := common.Address{0xbe, byte(i), byte(value)}
	return types.MustSignNewTx(e.users[i], e.signer, &types.DynamicFeeTx{ChainID: big.NewInt(testChainID),
		Nonce: e.nextNonce(e.users[i]), GasTipCap: gwei, GasFeeCap: feeCap, Gas: params.TxGas, To: &to, Value: big.NewInt(value)})
}

// envelope encrypts a transfer from user from to eon's key (the first
// eon's for an eon without a committee: an envelope no committee keys),
// in an envelope paid by user payer, for eon.
func (e *chainEnv) envelope(payer, from int, eon uint64) *types.Transaction {
	e.t.Helper()
	inner := e.transfer(from, 1000+int64(payer))
	res, ok := e.res[eon]
	if !ok {
		res = e.res[testEon]
	}
	env, err := encmempool.BuildEnvelope(encmempool.BuildParams{ChainID: testChainID, Eon: eon, EonKey: res[0].EonPublicKey,
		Inbox: contracts.EncryptedInboxAddress, Inner: inner, PayerKey: e.users[payer], Nonce: e.nextNonce(e.users[payer]),
		GasTipCap: gwei, GasFeeCap: feeCap, Rand: rand.Reader})
	if err != nil {
		e.t.Fatal(err)
	}
	return env
}

// aggregate is eon's committee's key for an identity, from keypers 0, 2,
// 4.
func (e *chainEnv) aggregate(eon uint64, id tpke.Identity) *tpke.Key {
	e.t.Helper()
	res := e.committee(eon)
	signers := []int{0, 2, 4}
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

// batchSpec says what one batch holds besides the forced envelopes its
// origin brings.
type batchSpec struct {
	// txs builds the batch's transactions (plaintext and envelopes).
	txs func(e *chainEnv) []*types.Transaction
	// The origin is the L1 head, or originAt when set; holdOrigin keeps
	// the previous one.
	originAt   uint64
	holdOrigin bool
	// arrange places the forced envelopes IncludeForced includes and the
	// batch's own transactions, and names the forced positions
	// (forcedFirst, the sequencer's way, when nil).
	arrange func(forced, own []*types.Transaction) (txs []*types.Transaction, positions []uint32)
	// edit changes the commitment before it is signed (an invalid batch
	// the committee attests all the same).
	edit func(c *batch.Commitment)
	// eon, when set, is the batch's eon (its committee attests it and
	// keys its envelopes) instead of the eon active at its origin.
	eon uint64
}

// forcedFirst is the sequencer's placement: the included forced envelopes
// first, at positions 0..k-1, then the batch's own transactions.
func forcedFirst(forced, own []*types.Transaction) ([]*types.Transaction, []uint32) {
	positions := make([]uint32, len(forced))
	for i := range forced {
		positions[i] = uint32(i)
	}
	return append(slices.Clone(forced), own...), positions
}

// build makes the next batch on the L1 head the sequencer's way: origin,
// the eon active there, the deposits and forced envelopes of its range
// (l1.Origin's readers),
// the forced envelopes ordering.IncludeForced includes placed first, the
// transactions of spec, the signed commitment, the keys and attestation
// for the envelopes the no-key rule keys, and the block.
func (e *chainEnv) build(spec batchSpec) *builtBatch {
	e.t.Helper()
	number := uint64(len(e.batches) + 1)
	origin := e.origin
	switch {
	case spec.holdOrigin:
	case spec.originAt != 0:
		origin = spec.originAt
	default:
		origin = max(origin, e.head())
	}
	oh, err := e.l1.HeaderByNumber(e.ctx, new(big.Int).SetUint64(origin))
	if err != nil {
		e.t.Fatal(err)
	}
	eon := spec.eon
	if eon == 0 {
		eon = e.eonAt(origin)
	}
	e.eon = eon
	reader := l1.NewOrigin(e.l1, e.c, l1.OriginConfig{})
	deposits, err := reader.Deposits(e.ctx, e.origin+1, origin)
	if err != nil {
		e.t.Fatal(err)
	}
	brought, err := reader.Forced(e.ctx, e.origin+1, origin)
	if err != nil {
		e.t.Fatal(err)
	}
	inc := ordering.IncludeForced(ordering.ForcedRules{ChainID: testChainID, Eon: eon, GasLimit: e.chainCfg.GasLimit,
		Deposits: len(deposits), Limits: encmempool.DefaultLimits}, brought)
	var included, own []*types.Transaction
	for _, in := range inc.Included {
		included = append(included, in.Tx)
	}
	if spec.txs != nil {
		own = spec.txs(e)
	}
	arrange := spec.arrange
	if arrange == nil {
		arrange = forcedFirst
	}
	txs, forced := arrange(included, own)
	c := batch.Commitment{ChainID: testChainID, Eon: eon, Number: number, Parent: e.parent, FirstSeq: e.seqNum,
		Timestamp: genesisTime + number, L1OriginNumber: origin, L1OriginHash: oh.Hash(), Deposits: deposits,
		BaseFee: e.node.Head().BaseFee, GasLimit: e.chainCfg.GasLimit, FeeRecipient: addrOf(e.seq), Forced: forced}
	for _, tx := range txs {
		c.TxHashes = append(c.TxHashes, tx.Hash())
	}
	if spec.edit != nil {
		spec.edit(&c)
	}
	s, err := batch.Sign(c, e.seq)
	if err != nil {
		e.t.Fatal(err)
	}
	b, err := batch.New(s, txs)
	if err != nil {
		e.t.Fatal(err)
	}
	rel, _ := keyper.Classify(keyper.ReleaseConfig{ChainID: testChainID, Eon: eon, Sequencer: addrOf(e.seq),
		Inbox: contracts.EncryptedInboxAddress}, b, releasedMap(e.released))
	h := b.Commitment.Hash()
	km := &ordering.KeysMessage{ChainID: testChainID, Eon: eon, Number: number, Hash: h, Signers: []uint32{0, 2, 4},
		Attestation: e.aggregate(eon, tpke.BatchIdentity(testChainID, eon, number, h)).Bytes()}
	for _, k := range rel.Keyed {
		km.Keys = append(km.Keys, e.aggregate(eon, k.Identity).Bytes()...)
		e.released[k.Identity] = true
	}
	in, err := ordering.BlockInput(testChainID, b, rel, km, encmempool.DefaultLimits)
	if err != nil {
		e.t.Fatal(err)
	}
	built, err := e.node.Apply(e.ctx, in)
	if err != nil {
		e.t.Fatal(err)
	}
	for i, o := range built.Outcomes {
		if o.IsEnvelope && !o.EnvelopeIncluded {
			e.t.Fatalf("batch %d: envelope %d did not execute: %v", number, i, o.EnvelopeErr)
		}
	}
	bb := &builtBatch{b: b, keys: km, rel: rel, blockHash: built.Block.Hash(), stateRoot: built.Block.Root()}
	e.batches = append(e.batches, bb)
	e.parent, e.origin, e.seqNum = h, c.L1OriginNumber, e.seqNum+uint64(len(txs)-len(c.Forced))
	return bb
}

type releasedMap map[tpke.Identity]bool

func (r releasedMap) Released(id tpke.Identity) bool { return r[id] }

// posting is the batch's posting, as the sequencer makes it.
func (e *chainEnv) posting(bb *builtBatch) l1.Posting {
	e.t.Helper()
	p, err := l1.NewPosting(bb.b, bb.keys, bb.blockHash, bb.stateRoot, l1.Flate)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// startPoster runs an l1.Poster for the sequencer's account and, on the
// simulated L1, seals a block whenever one of the env's accounts has a
// transaction in the pool, until the test ends. Warnings the poster logs go to warn.
func (e *chainEnv) startPoster(warn func(slog.Record)) *l1.Poster {
	e.t.Helper()
	log := slog.New(slog.DiscardHandler)
	if warn != nil {
		log = slog.New(recordHandler(warn))
	}
	p, err := l1.NewPoster(e.l1, e.c, e.seq, filepath.Join(e.t.TempDir(), "poster.db"), l1.PosterConfig{
		MaxInFlight: 4, PollInterval: 2 * e.poll, ResubmitAfter: time.Hour, Logger: log})
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(e.ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		p.Run(ctx)
	}()
	if !e.dev {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if e.pending() {
					e.seal()
				}
				time.Sleep(time.Millisecond)
			}
		}()
	}
	e.t.Cleanup(func() {
		cancel()
		wg.Wait()
		p.Close()
	})
	return p
}

// post posts the postings in order and waits until the last is on L1.
func (e *chainEnv) post(p *l1.Poster, posts ...l1.Posting) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.ctx, 30*time.Second)
	defer cancel()
	for _, post := range posts {
		if err := p.Enqueue(ctx, post); err != nil {
			e.t.Fatal(err)
		}
	}
	if len(posts) > 0 {
		if _, err := p.Wait(ctx, posts[len(posts)-1].Number); err != nil {
			e.t.Fatal(err)
		}
	}
}

// postAll posts every batch built, unchanged.
func (e *chainEnv) postAll(p *l1.Poster) {
	e.t.Helper()
	var posts []l1.Posting
	for _, bb := range e.batches {
		posts = append(posts, e.posting(bb))
	}
	e.post(p, posts...)
}

// verifier opens a verifier of the env's chain (in a temporary directory
// unless dir is given) that trusts L1 blocks as soon as they are mined.
func (e *chainEnv) verifier(dir string, onVerified func(Result)) *Verifier {
	e.t.Helper()
	v, err := New(e.ctx, Config{L1: e.l1, Contracts: e.c, Chain: e.chainCfg, DataDir: dir,
		PollInterval: 5 * time.Millisecond, OnVerified: onVerified})
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { v.Close() })
	return v
}

// recordHandler passes warnings and errors to fn.
type recordHandler func(slog.Record)

func (h recordHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }
func (h recordHandler) Handle(_ context.Context, r slog.Record) error {
	h(r)
	return nil
}
func (h recordHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h recordHandler) WithGroup(string) slog.Handler      { return h }

// errAttr returns the record's "err" attribute.
func errAttr(r slog.Record) error {
	var out error
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "err" {
			out, _ = a.Value.Any().(error)
			return false
		}
		return true
	})
	return out
}
