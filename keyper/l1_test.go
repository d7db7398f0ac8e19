package keyper

import (
	"context"
	"log/slog"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/prometheus/client_golang/prometheus"
)

// TestFollowL1 follows go-ethereum's simulated L1: blocks two deep are fed
// to the core as confirmed, newer ones are not.
func TestFollowL1(t *testing.T) {
	sim := simulated.NewBackend(types.GenesisAlloc{})
	defer sim.Close()
	for range 5 {
		sim.Commit()
	}
	e := newEnv(t, 0)
	n := &Node{log: slog.New(slog.DiscardHandler), releaser: NewReleaser(e.config(), ReleaseState{Next: 1}, memReleased{}),
		metrics: &nodeMetrics{l1Errors: prometheus.NewCounter(prometheus.CounterOpts{Name: "x"})}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		n.FollowL1(ctx, sim.Client(), L1FollowConfig{Confirmations: 2, Interval: 10 * time.Millisecond})
	}()
	confirmed := func(num uint64) bool {
		n.mu.Lock()
		defer n.mu.Unlock()
		h, err := sim.Client().HeaderByNumber(ctx, bigU(num))
		return err == nil && n.releaser.l1[num] == h.Hash()
	}
	waitFor(t, func() bool { return confirmed(3) })
	if confirmed(4) || confirmed(5) {
		t.Fatal("a block less than two deep was fed as confirmed")
	}
	for range 3 {
		sim.Commit()
	}
	waitFor(t, func() bool { return confirmed(6) })
	for num := uint64(0); num <= 6; num++ {
		if !confirmed(num) {
			t.Fatalf("block %d not fed", num)
		}
	}
	cancel()
	<-done
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func bigU(v uint64) *big.Int { return new(big.Int).SetUint64(v) }
