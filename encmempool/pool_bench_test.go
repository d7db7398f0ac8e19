package encmempool_test

import (
	"crypto/ecdsa"
	"encoding/binary"
	"math/big"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/core/types"
	"github.com/veil-l2/veil/encmempool"
)

// benchSenders is how many senders the benchmark's transactions come from.
const benchSenders = 128

// BenchmarkPoolAdd measures admission to the durable pool with fsync on:
// receipts per second and the latency of one Add (admission, disk write,
// signed receipt), p50 and p99. Transactions are signed before the timer
// starts.
//
//   - saturated: 64 clients, each sending its next transaction when it has
//     its receipt, as fast as the pool goes (latency is then mostly
//     queueing: clients / throughput).
//   - 1000/s: open loop, one transaction arriving every millisecond,
//     whatever the pool does: the latency a user sees at that load.
func BenchmarkPoolAdd(b *testing.B) {
	plaintext := func(b *testing.B) buildFunc {
		return func(_ int, key *ecdsa.PrivateKey, n uint64) *types.Transaction { return plain(b, key, n, nil) }
	}
	envelope := func(b *testing.B) buildFunc {
		c := testCommittee(b)
		inner := signInner(b, senderKey, innerDynamicFee, nil, 100_000)
		return func(sender int, key *ecdsa.PrivateKey, n uint64) *types.Transaction {
			bp := buildParams(c, inner, 0)
			var seed [32]byte
			binary.BigEndian.PutUint64(seed[:], n)
			binary.BigEndian.PutUint64(seed[8:], uint64(sender))
			bp.PayerKey, bp.Nonce, bp.Rand = key, n, rand.NewChaCha8(seed)
			tx, err := encmempool.BuildEnvelope(bp)
			if err != nil {
				b.Fatal(err)
			}
			return reparse(b, tx)
		}
	}
	for _, kind := range []struct {
		name  string
		build func(b *testing.B) buildFunc
	}{{"plaintext", plaintext}, {"envelope", envelope}} {
		b.Run(kind.name+"/saturated", func(b *testing.B) { benchAdd(b, kind.build(b), 0) })
		b.Run(kind.name+"/1000_per_s", func(b *testing.B) { benchAdd(b, kind.build(b), 1000) })
	}
}

type buildFunc func(sender int, key *ecdsa.PrivateKey, n uint64) *types.Transaction

// benchAdd submits b.N transactions: closed loop from 64 clients when rate
// is 0, else open loop at rate per second (transaction i from sender
// i mod benchSenders, so one sender's transactions arrive 128 ms apart).
func benchAdd(b *testing.B, build buildFunc, rate int) {
	keys := make([]*ecdsa.PrivateKey, benchSenders)
	for i := range keys {
		keys[i] = testKey(byte(100 + i))
	}
	h := newHead(keys...)
	for _, k := range keys {
		h.balances[addrOf(k)] = new(big.Int).Mul(big.NewInt(1000), oneEther)
	}
	// txs[i] is the i-th transaction: sender i mod benchSenders, in nonce order.
	txs := make([]*types.Transaction, b.N)
	var wg sync.WaitGroup
	for s := range benchSenders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := s; i < b.N; i += benchSenders {
				txs[i] = build(s, keys[s], uint64(i/benchSenders))
			}
		}()
	}
	wg.Wait()
	cfg := poolConfig()
	cfg.MaxPending = b.N
	p := openPool(b, filepath.Join(b.TempDir(), "pool.db"), cfg)
	defer p.Close()

	lat := make([]time.Duration, b.N)
	// done[i] closes when transaction i has its receipt (or failed).
	done := make([]chan struct{}, b.N)
	for i := range done {
		done[i] = make(chan struct{})
	}
	add := func(i int) {
		defer close(done[i])
		t0 := time.Now()
		if _, err := p.Add(txs[i], h, t0); err != nil {
			b.Error(err)
			return
		}
		lat[i] = time.Since(t0)
	}
	b.ResetTimer()
	start := time.Now()
	if rate == 0 {
		// 64 clients; client c sends the transactions of senders c and
		// c+64, in order.
		const clients = benchSenders / 2
		for c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range b.N {
					if s := i % benchSenders; s == c || s == c+clients {
						add(i)
					}
				}
			}()
		}
	} else {
		interval := time.Second / time.Duration(rate)
		for i := range b.N {
			time.Sleep(time.Until(start.Add(time.Duration(i) * interval)))
			wg.Add(1)
			go func() {
				defer wg.Done()
				// A wallet sends its next nonce once it has the receipt
				// of the previous one.
				if i >= benchSenders {
					<-done[i-benchSenders]
				}
				add(i)
			}()
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	ms := func(q float64) float64 {
		return float64(lat[int(q*float64(len(lat)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "receipts/s")
	b.ReportMetric(ms(0.5), "p50_ms")
	b.ReportMetric(ms(0.99), "p99_ms")
}
