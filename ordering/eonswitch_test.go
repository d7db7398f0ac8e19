package ordering

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"errors"
	"math"
	"math/big"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/internal/p2p"
	"github.com/veil-l2/veil/keyper"
	"github.com/veil-l2/veil/keyper/dkg"
	"github.com/veil-l2/veil/ordering/batch"
)

// testSchedule is an eon schedule the test changes.
type testSchedule struct {
	mu      sync.Mutex
	eons    []Eon
	through uint64
}

func (t *testSchedule) Eons(context.Context) ([]Eon, uint64, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.eons), t.through, nil
}

func (t *testSchedule) set(eons []Eon, through uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.eons, t.through = eons, through
}

// movingOrigin is an L1 whose confirmed head the test moves among the
// blocks the keypers know.
type movingOrigin struct {
	mu   sync.Mutex
	head uint64
}

var knownOrigins = map[uint64]common.Hash{testOrigin.Number: testOrigin.Hash, testOrigin2.Number: testOrigin2.Hash}

func (m *movingOrigin) Next(ctx context.Context, after uint64) (Origin, []batch.Deposit, []ForcedEnvelope, error) {
	return m.NextUpTo(ctx, after, math.MaxUint64)
}

func (m *movingOrigin) NextUpTo(_ context.Context, after, upTo uint64) (Origin, []batch.Deposit, []ForcedEnvelope, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := max(after, min(m.head, upTo))
	return Origin{Number: n, Hash: knownOrigins[n]}, nil, nil, nil
}

func (m *movingOrigin) move(head uint64) {
	m.mu.Lock()
	m.head = head
	m.mu.Unlock()
}

// envelopeOf encrypts a transfer of user i paid by payer i to an eon.
func (h *harness) envelopeOf(i int, eon uint64, key *tpke.EonPublicKey) (env, inner *types.Transaction) {
	h.t.Helper()
	to := common.Address{0xb0, byte(i)}
	inner, err := types.SignNewTx(h.users[i], h.signer, &types.DynamicFeeTx{ChainID: big.NewInt(testChainID), Nonce: h.nextNonce(h.users[i]),
		GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(params.GWei), Gas: 21000, To: &to, Value: big.NewInt(1)})
	if err != nil {
		h.t.Fatal(err)
	}
	env, err = encmempool.BuildEnvelope(encmempool.BuildParams{ChainID: testChainID, Eon: eon, EonKey: key,
		Inbox: contracts.EncryptedInboxAddress, Inner: inner, PayerKey: h.payers[i], Nonce: h.nextNonce(h.payers[i]),
		GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(params.GWei), Rand: rand.Reader})
	if err != nil {
		h.t.Fatal(err)
	}
	return env, inner
}

// undo gives back the nonces an envelope of user i took.
func (h *harness) undo(i int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, k := range []*ecdsa.PrivateKey{h.users[i], h.payers[i]} {
		h.nonces[crypto.PubkeyToAddress(k.PublicKey)]--
	}
}

// committee2 is the second eon's committee: four keypers (threshold 3)
// from their own DKG, running keyper nodes that follow eon 1.
type committee2 struct {
	committee *keyper.Committee
	results   []*dkg.Result
	keys      []*keyper.Keys
	nodes     []*keyper.Node
}

func (h *harness) startCommittee2(activation uint64) *committee2 {
	h.t.Helper()
	res, err := dkg.RunLocal(testChainID, 2, 4, 3)
	if err != nil {
		h.t.Fatal(err)
	}
	c := &committee2{results: res, committee: &keyper.Committee{ChainID: testChainID, Eon: 2, Threshold: 3,
		Sequencer: h.committee.Sequencer}}
	for i := range 4 {
		k, err := keyper.InitKeys(filepath.Join(h.dir, "eon2-keys", string(rune('a'+i))), nil)
		if err != nil {
			h.t.Fatal(err)
		}
		pub, _ := k.DKGPublic()
		c.keys = append(c.keys, k)
		c.committee.Members = append(c.committee.Members, keyper.Member{Address: k.Address(), DKGPublicKey: pub})
	}
	for i := range 4 {
		st, err := keyper.OpenStore(filepath.Join(h.dir, "eon2-keys", string(rune('a'+i))+".db"))
		if err != nil {
			h.t.Fatal(err)
		}
		hk, _ := p2p.LoadOrCreateHostKey(filepath.Join(h.dir, "eon2-keys", string(rune('a'+i))+"-p2p.key"))
		host, err := p2p.New(h.ctx, p2p.Config{ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}, HostKey: hk, ChainID: testChainID,
			Peers: []string{h.seqAddr()}, MaxRedialBackoff: time.Second})
		if err != nil {
			h.t.Fatal(err)
		}
		n, err := keyper.StartNode(h.ctx, keyper.NodeConfig{Committee: c.committee, Index: i, Keys: c.keys[i], Share: res[i].Share,
			Release: keyper.ReleaseConfig{ChainID: testChainID, Eon: 2, Sequencer: h.committee.Sequencer, Inbox: contracts.EncryptedInboxAddress,
				Activation: activation, MaxDrift: 10, MaxTxs: DefaultMaxTxs, MaxBytes: DefaultMaxBytes + 1<<20, MaxGasLimit: h.chain.GasLimit},
			Previous: h.results[0].EonPublicKey, Store: st, P2P: host, Logger: testLogger(), PointCache: h.points,
			Registry: prometheus.NewRegistry(), Confirmed: knownOrigins})
		if err != nil {
			h.t.Fatal(err)
		}
		c.nodes = append(c.nodes, n)
		h.t.Cleanup(func() {
			n.Stop()
			host.Close()
			st.Close()
		})
	}
	return c
}

func (c *committee2) eon(activation uint64) Eon {
	return Eon{Number: 2, Activation: activation, Committee: c.committee, EonKey: c.results[0].EonPublicKey,
		PublicShares: c.results[0].PublicShares}
}

// TestEonSwitch: a second committee takes over at its activation block.
// While its eon is not ready the sequencer keeps the L1 origin below the
// activation; once it is, the L1 head at the activation ends eon 1's
// admission (an eon-1 envelope is refused with ErrEonEnded), the pending
// eon-1 envelopes drain, and the first batch naming the activation block
// opens eon 2, chained to the last batch of eon 1, released by the new
// committee. Every admitted transaction executes in receipt order, the
// sequencer restarts in eon 2, and the old committee can leave.
func TestEonSwitch(t *testing.T) {
	const activation = 11 // testOrigin2
	h := newHarness(t, 3)
	for i := range 5 {
		h.startKeyper(i)
	}
	c2 := h.startCommittee2(activation)
	for i := range 5 {
		h.keypers[i].Superseded(activation)
	}
	eon1 := Eon{Number: testEon, Committee: h.committee, EonKey: h.results[0].EonPublicKey, PublicShares: h.results[0].PublicShares}
	sched := &testSchedule{}
	sched.set([]Eon{eon1, {Number: 2, Activation: activation}}, testOrigin.Number)
	origin := &movingOrigin{head: testOrigin.Number}
	cfg := h.config()
	cfg.Eons, cfg.Origin, cfg.Committee, cfg.EonKey, cfg.PublicShares = sched, origin, nil, nil, nil
	s := h.openSequencer(cfg, 9)

	var inner []common.Hash
	var receipts []*encmempool.Receipt
	send := func(s *Sequencer, i int, eon uint64, key *tpke.EonPublicKey) error {
		env, in := h.envelopeOf(i, eon, key)
		r, err := s.Submit(mustBinary(t, env))
		if err != nil {
			h.undo(i)
			return err
		}
		inner, receipts = append(inner, in.Hash()), append(receipts, r)
		return nil
	}
	key1, key2 := h.results[0].EonPublicKey, c2.results[0].EonPublicKey
	for i := range 3 {
		if err := send(s, i, 1, key1); err != nil {
			t.Fatal(err)
		}
	}
	// Eon 2 is not ready: its envelopes are refused, and the L1 head at
	// the activation does not move the origin.
	if err := send(s, 0, 2, key2); !errors.Is(err, encmempool.ErrWrongEon) {
		t.Fatalf("an envelope of an eon not ready: %v", err)
	}
	origin.move(activation)
	sched.set([]Eon{eon1, {Number: 2, Activation: activation}}, activation)
	h.waitExecuted(s, inner, 30*time.Second)
	for i := range 3 {
		if err := send(s, i, 1, key1); err != nil {
			t.Fatal(err)
		}
	}
	h.waitExecuted(s, inner, 30*time.Second)
	for n := uint64(1); n <= s.Executed(); n++ {
		if eb, _ := s.ExecutedBatch(n); eb.Batch.Commitment.Eon != 1 || eb.Batch.Commitment.L1OriginNumber != testOrigin.Number {
			t.Fatalf("batch %d before eon 2 is ready: eon %d origin %d", n, eb.Batch.Commitment.Eon, eb.Batch.Commitment.L1OriginNumber)
		}
	}
	// Eon 2 ready while the schedule's L1 head is below its activation:
	// both eons are admitted, and the first eon-2 envelope ends eon 1's
	// admission. It waits in the pool behind the eon-1 envelopes, which
	// execute in eon 1.
	oldBatches := s.Executed()
	sched.set([]Eon{eon1, c2.eon(activation)}, testOrigin.Number)
	if err := send(s, 2, 1, key1); err != nil {
		t.Fatal(err)
	}
	lastOld := inner[len(inner)-1]
	deadline := time.Now().Add(20 * time.Second)
	for {
		err := send(s, 0, 2, key2)
		if err == nil {
			break
		}
		if !errors.Is(err, encmempool.ErrWrongEon) || time.Now().After(deadline) {
			t.Fatalf("eon 2 once ready: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	firstNew := inner[len(inner)-1]
	if err := send(s, 1, 1, key1); !errors.Is(err, ErrEonEnded) || !errors.Is(err, encmempool.ErrWrongEon) {
		t.Fatalf("eon 1 after an eon-2 envelope: %v", err)
	}
	h.waitExecuted(s, []common.Hash{lastOld}, 30*time.Second)
	client, err := ethclient.Dial(s.Exec().HTTPEndpoint())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if _, err := client.TransactionReceipt(h.ctx, firstNew); err == nil {
		t.Fatal("an eon-2 transaction executed before the switch")
	}
	if eb, _ := s.ExecutedBatch(s.Executed()); eb.Batch.Commitment.Eon != 1 {
		t.Fatal("eon 2 began before the L1 head reached its activation")
	}
	// The L1 head at the activation: the switch.
	sched.set([]Eon{eon1, c2.eon(activation)}, activation)
	for round := range 2 {
		for i := range 3 {
			if err := send(s, i, 2, key2); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
	h.waitExecuted(s, inner, 60*time.Second)
	checkSwitch := func(s *Sequencer) {
		t.Helper()
		switched := uint64(0)
		var prev common.Hash
		for n := uint64(1); n <= s.Executed(); n++ {
			eb, err := s.ExecutedBatch(n)
			if err != nil {
				t.Fatal(err)
			}
			c := eb.Batch.Commitment
			if c.Parent != prev {
				t.Fatalf("batch %d does not chain", n)
			}
			prev = c.Hash()
			wantEon := uint64(1)
			if c.L1OriginNumber >= activation {
				wantEon = 2
			}
			if c.Eon != wantEon || eb.Keys.Eon != c.Eon || eb.Keys.VerifyAttestation(map[uint64]*tpke.EonPublicKey{1: key1, 2: key2}[c.Eon]) != nil {
				t.Fatalf("batch %d: eon %d with origin %d, keys of eon %d", n, c.Eon, c.L1OriginNumber, eb.Keys.Eon)
			}
			if c.Eon == 2 && switched == 0 {
				switched = n
			}
		}
		if switched <= oldBatches {
			t.Fatalf("eon 2 began at batch %d, eon 1 executed %d", switched, oldBatches)
		}
	}
	checkSwitch(s)
	checkOrder(t, h, s, inner, receipts)

	// A restart in eon 2, then eon 1's committee leaves.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	h.mu.Lock()
	host := h.seqHosts[len(h.seqHosts)-1]
	h.mu.Unlock()
	host.Close()
	cfg.Registry = prometheus.NewRegistry()
	s = h.openSequencer(cfg, 4)
	for i := range 5 {
		h.stopKeyper(i)
	}
	for i := range 3 {
		if err := send(s, i, 2, key2); err != nil {
			t.Fatal(err)
		}
	}
	h.waitExecuted(s, inner, 60*time.Second)
	checkSwitch(s)
	checkOrder(t, h, s, inner, receipts)
}

// checkOrder checks that every inner transaction executed, in the order
// of the receipts.
func checkOrder(t *testing.T, h *harness, s *Sequencer, inner []common.Hash, receipts []*encmempool.Receipt) {
	t.Helper()
	client, err := ethclient.Dial(s.Exec().HTTPEndpoint())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	var pos []uint64
	for _, hash := range inner {
		r, err := client.TransactionReceipt(h.ctx, hash)
		if err != nil || r.Status != types.ReceiptStatusSuccessful {
			t.Fatalf("inner %s: %v", hash, err)
		}
		pos = append(pos, r.BlockNumber.Uint64()<<32|uint64(r.TransactionIndex))
	}
	if !slices.IsSorted(pos) {
		t.Fatal("executed out of receipt order")
	}
	for i := 1; i < len(receipts); i++ {
		if receipts[i].Seq <= receipts[i-1].Seq {
			t.Fatal("receipts out of order")
		}
	}
}
