package ordering

import (
	"context"
	"math/big"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool"
)

// TestFCFSOverRPC: 200 envelopes from 20 payers, sent concurrently over
// JSON-RPC, land in blocks exactly in the order of their receipts, every
// receipt verifies against the sequencer's address, and every inner
// transfer executes.
func TestFCFSOverRPC(t *testing.T) {
	h := newHarness(t, 20)
	for i := range 5 {
		h.startKeyper(i)
	}
	s := h.openSequencer(h.config(), 5)
	client, err := ethclient.Dial(s.Exec().HTTPEndpoint())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	// Build every envelope first, then send: the order is fixed by arrival.
	envs := make([][]*types.Transaction, 20)
	inners := map[common.Hash]common.Hash{} // envelope -> inner
	for i := range 20 {
		for range 10 {
			env, inner := h.envelope(i)
			envs[i] = append(envs[i], env)
			inners[env.Hash()] = inner.Hash()
		}
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	receipts := map[common.Hash]*encmempool.Receipt{}
	errs := make(chan error, 200)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, env := range envs[i] {
				if err := client.SendTransaction(h.ctx, env); err != nil {
					errs <- err
					return
				}
				var r encmempool.Receipt
				if err := client.Client().CallContext(h.ctx, &r, "veil_getOrderReceipt", env.Hash()); err != nil {
					errs <- err
					return
				}
				mu.Lock()
				receipts[env.Hash()] = &r
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var byReceipt []common.Hash
	for hash, r := range receipts {
		if err := r.Verify(s.Address()); err != nil || r.Hash != hash || r.ChainID != testChainID {
			t.Fatalf("receipt of %s: %+v %v", hash, r, err)
		}
		byReceipt = append(byReceipt, hash)
	}
	slices.SortFunc(byReceipt, func(a, b common.Hash) int { return int(receipts[a].Seq) - int(receipts[b].Seq) })
	var innerHashes []common.Hash
	for _, e := range byReceipt {
		innerHashes = append(innerHashes, inners[e])
	}
	execd := h.waitExecuted(s, innerHashes, 15*time.Second)
	for hash, r := range execd {
		if r.Status != types.ReceiptStatusSuccessful {
			t.Fatalf("inner %s failed", hash)
		}
	}
	// Walk the blocks: envelopes and inner transactions in receipt order.
	var gotEnv, gotInner []common.Hash
	head, _ := client.BlockNumber(h.ctx)
	for n := uint64(1); n <= head; n++ {
		b, err := client.BlockByNumber(h.ctx, new(big.Int).SetUint64(n))
		if err != nil {
			t.Fatal(err)
		}
		for _, tx := range b.Transactions() {
			switch {
			case receipts[tx.Hash()] != nil:
				gotEnv = append(gotEnv, tx.Hash())
			case tx.To() != nil && *tx.To() == contracts.EncryptedInboxAddress, tx.To() != nil && *tx.To() == contracts.BridgeAddress:
			default:
				gotInner = append(gotInner, tx.Hash())
			}
		}
	}
	if !slices.Equal(gotEnv, byReceipt) {
		t.Fatalf("envelopes in blocks differ from receipt order (%d vs %d)", len(gotEnv), len(byReceipt))
	}
	if !slices.Equal(gotInner, innerHashes) {
		t.Fatalf("inner transactions in blocks differ from receipt order (%d vs %d)", len(gotInner), len(innerHashes))
	}
	// Every admitted envelope was announced to the keypers ahead of its
	// commitment (keyper.TopicPending).
	if got := testutil.ToFloat64(s.metrics.announced); got != 200 {
		t.Fatalf("%v envelopes announced, want 200", got)
	}
	// and its ciphertext was prepared for decryption ahead (best effort:
	// some may not be, none is decrypted twice).
	ahead, full := testutil.ToFloat64(s.metrics.decryptions.WithLabelValues("prepared_ahead")), testutil.ToFloat64(s.metrics.decryptions.WithLabelValues("in_full"))
	if ahead == 0 || ahead+full != 200 {
		t.Fatalf("%v decryptions prepared ahead, %v in full; want some ahead and 200 in all", ahead, full)
	}
}

// sendEnvelopes submits n envelopes per account i in accounts, returning
// the inner hashes in receipt order.
func (h *harness) sendEnvelopes(s *Sequencer, accounts []int, n int) (inner []common.Hash, receipts []*encmempool.Receipt) {
	h.t.Helper()
	for range n {
		for _, i := range accounts {
			env, in := h.envelope(i)
			r, err := s.Submit(mustBinary(h.t.(*testing.T), env))
			if err != nil {
				h.t.Fatalf("submit: %v", err)
			}
			inner, receipts = append(inner, in.Hash()), append(receipts, r)
		}
	}
	return inner, receipts
}

// TestKeypersDownStallsThenResumes: with three of five keypers down the
// sequencer keeps admitting and committing, nothing executes; when one
// returns the backlog executes in order.
func TestKeypersDownStallsThenResumes(t *testing.T) {
	for _, down := range []struct {
		name     string
		maxDrift uint64
		wait     time.Duration
	}{
		{"within the drift", 0, 2500 * time.Millisecond},
		// The waiting batches are older than the keypers' drift when the
		// third comes: it heard nothing from the sequencer when they were
		// signed, so their timestamps do not stop it. (Drifts of a few
		// seconds here: the keypers that are up must still release each
		// batch within it on a loaded machine.)
		{"beyond the drift", 3, 7 * time.Second},
	} {
		t.Run(down.name, func(t *testing.T) { keypersDownStallThenResume(t, down.maxDrift, down.wait) })
	}
}

func keypersDownStallThenResume(t *testing.T, maxDrift uint64, wait time.Duration) {
	h := newHarness(t, 4)
	h.maxDrift = maxDrift
	h.startKeyper(0)
	h.startKeyper(1)
	s := h.openSequencer(h.config(), 2)
	inner, receipts := h.sendEnvelopes(s, []int{0, 1, 2, 3}, 3)
	time.Sleep(wait)
	if s.executedBatch() != 0 {
		t.Fatalf("batch %d executed with two keypers", s.executedBatch())
	}
	s.mu.Lock()
	committed := s.next - 1
	s.mu.Unlock()
	if committed == 0 {
		t.Fatal("nothing committed while keypers were down")
	}
	// Admission goes on.
	more, moreReceipts := h.sendEnvelopes(s, []int{0, 1, 2, 3}, 1)
	inner, receipts = append(inner, more...), append(receipts, moreReceipts...)
	h.startKeyper(2)
	h.waitExecuted(s, inner, 30*time.Second)
	// In receipt order across blocks.
	client, _ := ethclient.Dial(s.Exec().HTTPEndpoint())
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
		t.Fatal("the backlog executed out of receipt order")
	}
	for i := 1; i < len(receipts); i++ {
		if receipts[i].Seq <= receipts[i-1].Seq {
			t.Fatal("receipts out of order")
		}
	}
}

// TestTamperedSharesDoNotStopTheBatch: keyper 4 answers every commitment
// with validly signed shares of random identities; it is reported, and the
// batch gets its keys from three honest keypers and executes.
func TestTamperedSharesDoNotStopTheBatch(t *testing.T) {
	h := newHarness(t, 2)
	h.startKeyper(0)
	h.startKeyper(1)
	h.startTamperingKeyper(4)
	s := h.openSequencer(h.config(), 3)
	inner, _ := h.sendEnvelopes(s, []int{0, 1}, 2)
	// Two honest keypers and the tampering one: its shares are checked
	// (they would complete the threshold), fail, and are reported.
	deadline := time.Now().Add(20 * time.Second)
	for s.collector.Reported()[4] < 1 {
		if time.Now().After(deadline) {
			t.Fatal("the tampered shares were never reported")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if s.executedBatch() != 0 {
		t.Fatal("a batch executed with tampered shares in the threshold")
	}
	h.startKeyper(2)
	h.waitExecuted(s, inner, 30*time.Second)
}

// TestOpenAndCloseWhileSubmitting: clients keep sending over JSON-RPC
// while the sequencer opens on an existing data directory (its server
// listens before the state is restored) and while it closes; every call
// gets an answer (admitted, refused as starting or stopped, or the
// connection refused), never a crashed handler.
func TestOpenAndCloseWhileSubmitting(t *testing.T) {
	h := newHarness(t, 4)
	cfg := h.config()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.HTTPPort = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cfg.WSHost = ""
	s := h.openSequencer(cfg, 0)
	url := s.Exec().HTTPEndpoint()
	env, _ := h.envelope(0)
	raw, _ := env.MarshalBinary()
	if _, err := s.Submit(raw); err != nil {
		t.Fatal(err)
	}
	h.closeSequencer(s)

	envs := make([][]*types.Transaction, 4)
	for i := range envs {
		for range 60 {
			env, _ := h.envelope(i)
			envs[i] = append(envs[i], env)
		}
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var crashed []string
	answered := make(chan struct{}, 1000)
	stop := make(chan struct{})
	closeStop := sync.OnceFunc(func() { close(stop) })
	defer closeStop()
	for i := range envs {
		wg.Go(func() {
			c, err := ethclient.Dial(url)
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			// An envelope refused at the connection (the server not
			// listening yet, or any more) is sent again, until the
			// sequencer has been open and closed (stop).
			for _, env := range envs[i] {
				for {
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					err := c.SendTransaction(ctx, env)
					cancel()
					if err != nil && strings.Contains(err.Error(), "crashed") {
						mu.Lock()
						crashed = append(crashed, err.Error())
						mu.Unlock()
					}
					if err == nil || !strings.Contains(err.Error(), "connection refused") {
						answered <- struct{}{}
						break
					}
					select {
					case <-stop:
						return
					case <-time.After(time.Millisecond):
					}
				}
			}
		})
	}
	time.Sleep(20 * time.Millisecond)
	cfg.Registry = prometheus.NewRegistry()
	s = h.openSequencer(cfg, 0)
	for n := range 20 {
		select {
		case <-answered:
		case <-time.After(time.Minute):
			t.Fatalf("%d of 20 calls answered a minute after the sequencer opened", n)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	closeStop()
	wg.Wait()
	if len(crashed) > 0 {
		t.Fatalf("%d calls crashed while opening or closing: %s", len(crashed), crashed[0])
	}
}

// TestLateKeyperCatchesUp: a keyper that starts after the others released
// and executed batches (longer ago than its drift) asks the sequencer for
// the batch it needs next and releases the executed ones from the log, one
// after another; then, with two of the others stopped, it is one of the
// three that keep the chain going.
func TestLateKeyperCatchesUp(t *testing.T) {
	h := newHarness(t, 4)
	h.maxDrift = 3
	for i := range 4 {
		h.startKeyper(i)
	}
	s := h.openSequencer(h.config(), 3)
	inner, _ := h.sendEnvelopes(s, []int{0, 1, 2, 3}, 2)
	h.waitExecuted(s, inner, 30*time.Second)
	time.Sleep(5 * time.Second) // the executed batches are older than the drift
	before := s.Executed()
	h.startKeyper(4)
	h.stopKeyper(2)
	h.stopKeyper(3)
	more, _ := h.sendEnvelopes(s, []int{0, 1, 2, 3}, 1)
	h.waitExecuted(s, more, 40*time.Second)
	if s.Executed() <= before {
		t.Fatal("nothing executed after the late keyper started")
	}
}

// TestBehindWhileConnectedCatchesUp: a keyper that hears the sequencer all
// along but cannot release (its L1 view lacks the batches' origin) falls
// behind by more than its drift. Once its L1 view has the origin, it
// releases the executed batches it missed on the committee's attestation
// (the sequencer sends each batch's keys message before the batch), and
// with two others stopped it keeps the chain going.
func TestBehindWhileConnectedCatchesUp(t *testing.T) {
	h := newHarness(t, 4)
	h.maxDrift = 3
	h.noOrigins = map[int]bool{4: true}
	for i := range 5 {
		h.startKeyper(i)
	}
	s := h.openSequencer(h.config(), 3)
	var inner []common.Hash
	for range 12 { // about six seconds of traffic: keyper 4 hears the sequencer throughout
		sent, _ := h.sendEnvelopes(s, []int{0, 1, 2, 3}, 1)
		inner = append(inner, sent...)
		time.Sleep(500 * time.Millisecond)
	}
	h.waitExecuted(s, inner, 30*time.Second)
	h.mu.Lock()
	late := h.keypers[4]
	h.mu.Unlock()
	late.L1Confirmed(testOrigin.Number, testOrigin.Hash)
	late.L1Confirmed(testOrigin2.Number, testOrigin2.Hash)
	h.stopKeyper(2)
	h.stopKeyper(3)
	more, _ := h.sendEnvelopes(s, []int{0, 1, 2, 3}, 1)
	h.waitExecuted(s, more, 40*time.Second)
}
