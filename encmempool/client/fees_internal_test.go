package client

import (
	"context"
	"math/big"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"
)

// headerService answers eth_getBlockByNumber with a header whose base fee
// the test sets, counting the calls.
type headerService struct {
	calls   atomic.Int64
	baseFee atomic.Int64
}

func (s *headerService) GetBlockByNumber(_ context.Context, _ rpc.BlockNumber, _ bool) (*types.Header, error) {
	s.calls.Add(1)
	return &types.Header{Number: big.NewInt(1), Difficulty: big.NewInt(0), BaseFee: big.NewInt(s.baseFee.Load())}, nil
}

// TestFeesReadsTheHeaderOncePerBlockTime: many Fees calls within FeeMaxAge
// read the latest header once; after it, the new base fee is read.
func TestFeesReadsTheHeaderOncePerBlockTime(t *testing.T) {
	svc := &headerService{}
	svc.baseFee.Store(100)
	srv := rpc.NewServer()
	if err := srv.RegisterName("eth", svc); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	c := New(rpc.DialInProc(srv), WithTip(big.NewInt(1)))
	defer c.Close()
	for range 50 {
		_, feeCap, err := c.Fees(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if feeCap.Int64() != 201 {
			t.Fatalf("fee cap %v, want 2 x 100 + 1", feeCap)
		}
	}
	if n := svc.calls.Load(); n != 1 {
		t.Fatalf("%d header reads for 50 calls within %v, want 1", n, FeeMaxAge)
	}
	svc.baseFee.Store(300)
	c.fees.mu.Lock()
	c.fees.at = time.Now().Add(-FeeMaxAge) // the base fee read is a block old
	c.fees.mu.Unlock()
	if _, feeCap, err := c.Fees(t.Context()); err != nil || feeCap.Int64() != 601 {
		t.Fatalf("after %v: fee cap %v (%v), want 2 x 300 + 1", FeeMaxAge, feeCap, err)
	}
	if n := svc.calls.Load(); n != 2 {
		t.Fatalf("%d header reads, want 2", n)
	}
}

// TestFeeCacheShared: clients given one FeeCache read the header once
// between them within FeeMaxAge.
func TestFeeCacheShared(t *testing.T) {
	svc := &headerService{}
	svc.baseFee.Store(100)
	srv := rpc.NewServer()
	if err := srv.RegisterName("eth", svc); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	shared := NewFeeCache()
	for range 8 {
		c := New(rpc.DialInProc(srv), WithTip(big.NewInt(1)), WithFeeCache(shared))
		if _, feeCap, err := c.Fees(t.Context()); err != nil || feeCap.Int64() != 201 {
			t.Fatalf("fee cap %v (%v)", feeCap, err)
		}
		c.Close()
	}
	if n := svc.calls.Load(); n != 1 {
		t.Fatalf("%d header reads by 8 clients sharing a cache, want 1", n)
	}
}
