package ordering

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/ordering/batch"
)

// errNotYet holds the test origin source back until it is armed.
var errNotYet = errors.New("test: no new L1 block yet")

// forcingOrigin is an L1 origin source for tests: L1 block testOrigin
// first (the genesis batch names it), then nothing new until armed, then
// testOrigin2 whose range (testOrigin, testOrigin2] brings the armed forced
// envelopes, then nothing new again until flowing.
type forcingOrigin struct {
	mu      sync.Mutex
	armed   bool
	flowing bool
	forced  []ForcedEnvelope
}

var _ L1Origin = (*forcingOrigin)(nil)

func (o *forcingOrigin) arm(forced []ForcedEnvelope) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.armed, o.forced = true, forced
}

func (o *forcingOrigin) flow() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.flowing = true
}

func (o *forcingOrigin) Next(_ context.Context, after uint64) (Origin, []batch.Deposit, []ForcedEnvelope, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	switch {
	case after < testOrigin.Number:
		return testOrigin, nil, nil, nil
	case after < testOrigin2.Number && o.armed:
		return testOrigin2, nil, o.forced, nil
	case after >= testOrigin2.Number && o.flowing:
		return testOrigin2, nil, nil, nil
	default:
		return Origin{}, nil, nil, errNotYet
	}
}

// TestForcedInclusion: an origin brings four forced envelopes (garbage
// bytes, a valid envelope F, one signed for another chain, and an envelope
// E that its user also sent to the sequencer). The batch naming the origin
// commits F and E first, with Forced = [0 1], then the pool's envelope P
// from its FirstSeq; the garbage and the other chain's envelope are
// skipped; the three inner transactions execute in that order. F's bytes
// sent to the sequencer afterwards are refused (identity seen). A restart
// with that batch last in the log resumes the pool at E's pool copy, which
// holds its receipt's position in the next batch and gets no key (its
// identity is released), and the chain goes on.
func TestForcedInclusion(t *testing.T) {
	h := newHarness(t, 4)
	for i := range 5 {
		h.startKeyper(i)
	}
	origin := &forcingOrigin{}
	cfg := h.config()
	cfg.Origin = origin
	s := h.openSequencer(cfg, 5)
	h.waitBatch(s, 1) // the genesis batch, naming testOrigin

	// While no new L1 block comes, no batch is cut: P and E's pool copy
	// wait in the pool.
	p, pInner := h.envelope(0)
	e, eInner := h.envelope(1)
	f, fInner := h.envelope(2)
	var receipts []*encmempool.Receipt
	for _, tx := range []*types.Transaction{p, e} {
		r, err := s.Submit(mustBinary(t, tx))
		if err != nil {
			t.Fatal(err)
		}
		receipts = append(receipts, r)
	}
	wrongChain := types.MustSignNewTx(h.payers[3], types.LatestSignerForChainID(big.NewInt(testChainID+1)), &types.DynamicFeeTx{
		ChainID: big.NewInt(testChainID + 1), GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(params.GWei), Gas: 100_000,
		To: &contracts.EncryptedInboxAddress})
	origin.arm([]ForcedEnvelope{
		{Index: 0, L1Block: 11, Deadline: 61, Raw: []byte("garbage, not a transaction")},
		{Index: 1, L1Block: 11, Deadline: 61, Raw: mustBinary(t, f)},
		{Index: 2, L1Block: 11, Deadline: 61, Raw: mustBinary(t, wrongChain)},
		{Index: 3, L1Block: 11, Deadline: 61, Raw: mustBinary(t, e)},
	})

	execd := h.waitExecuted(s, []common.Hash{fInner.Hash(), eInner.Hash(), pInner.Hash()}, 30*time.Second)
	for hash, r := range execd {
		if r.Status != types.ReceiptStatusSuccessful || r.BlockNumber.Uint64() != 2 {
			t.Fatalf("inner %s: status %d in block %d, want success in block 2", hash, r.Status, r.BlockNumber)
		}
	}
	h.waitBatch(s, 2) // its block is served just before it is marked executed
	eb, err := s.ExecutedBatch(2)
	if err != nil {
		t.Fatal(err)
	}
	c := &eb.Batch.Commitment
	if want := []common.Hash{f.Hash(), e.Hash(), p.Hash()}; !slices.Equal(c.TxHashes, want) {
		t.Fatalf("batch 2 holds %v, want F, E, P %v", c.TxHashes, want)
	}
	if !slices.Equal(c.Forced, []uint32{0, 1}) || c.FirstSeq != receipts[0].Seq || c.L1OriginNumber != testOrigin2.Number {
		t.Fatalf("batch 2: forced %v, first seq %d (P has %d), origin %d", c.Forced, c.FirstSeq, receipts[0].Seq, c.L1OriginNumber)
	}
	if n := len(eb.Keys.Keys) / 48; n != 3 {
		t.Fatalf("batch 2 has %d keys, want 3 (F, E and P)", n)
	}
	// The block: the envelopes F, E, P in committed order, then their inner
	// transactions in the same order.
	client, err := ethclient.Dial(s.Exec().HTTPEndpoint())
	if err != nil {
		t.Fatal(err)
	}
	block, err := client.BlockByNumber(h.ctx, big.NewInt(2))
	client.Close()
	if err != nil {
		t.Fatal(err)
	}
	var got []common.Hash
	for _, tx := range block.Transactions() {
		got = append(got, tx.Hash())
	}
	want := []common.Hash{f.Hash(), e.Hash(), p.Hash(), fInner.Hash(), eInner.Hash(), pInner.Hash()}
	if len(got) < len(want) || !slices.Equal(got[:len(want)], want) {
		t.Fatalf("block 2 transactions %v, want %v then the settlement", got, want)
	}
	// F's identity is used: sending F itself is refused.
	if _, err := s.Submit(mustBinary(t, f)); !errors.Is(err, encmempool.ErrIdentitySeen) {
		t.Fatalf("F sent after it was forced: %v, want ErrIdentitySeen", err)
	}

	// A restart with batch 2 (forced envelopes and all) last in the log.
	h.closeSequencer(s)
	cfg.Registry = prometheus.NewRegistry()
	s = h.openSequencer(cfg, 5)
	if _, err := s.Submit(mustBinary(t, f)); !errors.Is(err, encmempool.ErrIdentitySeen) {
		t.Fatalf("F sent after a restart: %v, want ErrIdentitySeen", err)
	}
	p2, p2Inner := h.envelope(0)
	r2, err := s.Submit(mustBinary(t, p2))
	if err != nil {
		t.Fatal(err)
	}
	origin.flow()
	h.waitBatch(s, h.waitExecuted(s, []common.Hash{p2Inner.Hash()}, 30*time.Second)[p2Inner.Hash()].BlockNumber.Uint64())
	// E's pool copy (the same transaction as the forced E) holds its
	// receipt's position in a later batch, without a key; every other
	// transaction of that batch is a fresh envelope with a key.
	pos, err := h.findCommitted(s, e.Hash(), 3)
	if err != nil {
		t.Fatal(err)
	}
	if pc := &pos.Batch.Commitment; len(pc.Forced) != 0 || pc.FirstSeq+uint64(pos.index) != receipts[1].Seq {
		t.Fatalf("E's pool copy in batch %d at %d (first seq %d, forced %v), receipt seq %d", pc.Number, pos.index, pc.FirstSeq,
			pc.Forced, receipts[1].Seq)
	}
	if n, want := len(pos.Keys.Keys)/48, len(pos.Batch.Txs)-1; n != want {
		t.Fatalf("the batch of E's pool copy has %d keys, want %d (all but E)", n, want)
	}
	pos, err = h.findCommitted(s, p2.Hash(), 3)
	if err != nil {
		t.Fatal(err)
	}
	if pc := &pos.Batch.Commitment; pc.FirstSeq+uint64(pos.index) != r2.Seq {
		t.Fatalf("P2 sits at %d of batch %d (first seq %d), receipt seq %d", pos.index, pc.Number, pc.FirstSeq, r2.Seq)
	}
	// E's inner transaction executed once, from the forced copy.
	client, err = ethclient.Dial(s.Exec().HTTPEndpoint())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if r, err := client.TransactionReceipt(h.ctx, eInner.Hash()); err != nil || r.BlockNumber.Uint64() != 2 {
		t.Fatalf("E's inner transaction: %v, %v; want it in block 2", r, err)
	}
}

// closeSequencer stops the sequencer and its libp2p host, so that another
// can open on the same data directory and port.
func (h *harness) closeSequencer(s *Sequencer) {
	h.t.Helper()
	if err := s.Close(); err != nil {
		h.t.Fatal(err)
	}
	h.mu.Lock()
	host := h.seqHosts[len(h.seqHosts)-1]
	h.mu.Unlock()
	host.Close()
}

// waitBatch waits until batch n is executed.
func (h *harness) waitBatch(s *Sequencer, n uint64) {
	h.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for s.Executed() < n {
		if time.Now().After(deadline) {
			h.t.Fatalf("batch %d not executed (executed %d, err %v)", n, s.Executed(), s.Err())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type committedAt struct {
	*ExecutedBatch
	index int
}

// findCommitted finds the first executed batch from number from on
// holding a transaction.
func (h *harness) findCommitted(s *Sequencer, hash common.Hash, from uint64) (committedAt, error) {
	for n := from; n <= s.Executed(); n++ {
		eb, err := s.ExecutedBatch(n)
		if err != nil {
			return committedAt{}, err
		}
		if i := slices.Index(eb.Batch.Commitment.TxHashes, hash); i >= 0 {
			return committedAt{ExecutedBatch: eb, index: i}, nil
		}
	}
	return committedAt{}, fmt.Errorf("%s is in no executed batch", hash)
}
