package ordering

import (
	"math/big"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
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
}
