package ordering

import (
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// BenchmarkSequencerPipeline runs the whole path on this machine: envelopes
// admitted (fsynced, receipted), cut, committed, released by five
// in-process keypers (threshold 3) on libp2p loopback, collected,
// decrypted and executed.
//
//   - saturated: b.N envelopes from 64 concurrent clients; reports the
//     sustained encrypted transactions per second to the last block.
//   - rate200: b.N envelopes at 200 per second; reports order receipt and
//     commitment-to-block latency, p50 and p99.
//
// Run with -benchtime=Nx (e.g. 3000x); the envelopes are built before the
// timer starts.
func BenchmarkSequencerPipeline(b *testing.B) {
	b.Run("saturated", func(b *testing.B) { benchPipeline(b, 0) })
	b.Run("rate200", func(b *testing.B) { benchPipeline(b, 200) })
}

func benchPipeline(b *testing.B, rate int) {
	const accounts = 64
	h := newHarness(b, accounts)
	for i := range 5 {
		h.startKeyper(i)
	}
	cfg := h.config()
	if v, err := strconv.Atoi(os.Getenv("VEIL_BENCH_MAX_TXS")); err == nil {
		cfg.Cut.MaxTxs = v
	}
	s := h.openSequencer(cfg, 5)
	var mu sync.Mutex
	var commitToBlock, commitToKeys []time.Duration
	executed := 0
	done := make(chan struct{})
	s.mu.Lock()
	s.onExecuted = func(_ uint64, txs int, committed, keys, at time.Time) {
		mu.Lock()
		defer mu.Unlock()
		if txs > 0 {
			commitToBlock = append(commitToBlock, at.Sub(committed))
			commitToKeys = append(commitToKeys, keys.Sub(committed))
		}
		executed += txs
		if executed == b.N {
			close(done)
		}
	}
	s.mu.Unlock()
	per := make([][][]byte, accounts)
	for n := range b.N {
		env, _ := h.envelope(n % accounts)
		raw, _ := env.MarshalBinary()
		per[n%accounts] = append(per[n%accounts], raw)
	}
	receipts := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	if rate == 0 {
		for i := range accounts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, raw := range per[i] {
					t0 := time.Now()
					if _, err := s.Submit(raw); err != nil {
						b.Error(err)
						return
					}
					mu.Lock()
					receipts = append(receipts, time.Since(t0))
					mu.Unlock()
				}
			}()
		}
	} else {
		// Paced: one envelope every 1/rate s, round-robin over accounts so
		// each account's envelopes go in nonce order.
		interval := time.Second / time.Duration(rate)
		next := make([]int, accounts)
		for n := range b.N {
			time.Sleep(time.Until(start.Add(time.Duration(n) * interval)))
			i := n % accounts
			raw := per[i][next[i]]
			next[i]++
			wg.Add(1)
			go func() {
				defer wg.Done()
				t0 := time.Now()
				if _, err := s.Submit(raw); err != nil {
					b.Error(err)
				}
				mu.Lock()
				receipts = append(receipts, time.Since(t0))
				mu.Unlock()
			}()
			// Keep one account's envelopes in order: wait for this one
			// before the account's next is due (accounts rotate).
			if n%accounts == accounts-1 {
				wg.Wait()
			}
		}
	}
	wg.Wait()
	select {
	case <-done:
	case <-time.After(5*time.Minute + time.Duration(b.N)*10*time.Millisecond):
		b.Fatalf("only %d of %d executed (sequencer: %v)", executed, b.N, s.Err())
	}
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "tx/s")
	report := func(name string, d []time.Duration) {
		if len(d) == 0 {
			return
		}
		slices.Sort(d)
		b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, name+"-p50-ms")
		b.ReportMetric(float64(d[len(d)*99/100].Microseconds())/1000, name+"-p99-ms")
	}
	mu.Lock()
	report("receipt", receipts)
	report("commit-to-block", commitToBlock)
	report("commit-to-keys", commitToKeys)
	mu.Unlock()
}
