package loadgen

import (
	"math"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// TestComponentHistograms merges a family's series and reads percentiles
// from the buckets: 100 samples of 15 ms on one series and 100 of 150 ms on
// another (buckets 10, 20, 40, ..., 320 ms) give a p50 inside the 10-20 ms
// bucket, a p95 and p99 inside the 80-160 ms one, the exact mean and 160 ms
// as the highest bucket; a family not registered is left out.
func TestComponentHistograms(t *testing.T) {
	reg := prometheus.NewRegistry()
	vec := prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: "veil", Subsystem: "keyper",
		Name: "commitment_to_shares_seconds", Buckets: prometheus.ExponentialBuckets(0.01, 2, 6)}, []string{"keyper"})
	reg.MustRegister(vec)
	for range 100 {
		vec.WithLabelValues("0").Observe(0.015)
		vec.WithLabelValues("1").Observe(0.150)
	}
	got, err := ComponentHistograms(reg)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d families, want 1: %v", len(got), got)
	}
	l := got["keyperCommitmentToShares"]
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-6 }
	switch {
	case l.Count != 200:
		t.Fatalf("count %d", l.Count)
	case !near(l.Mean, 82.5):
		t.Fatalf("mean %v ms, want 82.5", l.Mean)
	case !near(l.P50, 20):
		t.Fatalf("p50 %v ms, want 20 (the top of the 10-20 ms bucket, where rank 100 of 200 falls)", l.P50)
	case !near(l.P95, 80+80*0.9):
		t.Fatalf("p95 %v ms, want 152", l.P95)
	case !near(l.P99, 80+80*0.98):
		t.Fatalf("p99 %v ms, want 158.4", l.P99)
	case !near(l.Max, 160):
		t.Fatalf("max %v ms, want 160", l.Max)
	}
}

// TestScrapeMergesEndpoints reads two processes' /metrics pages (served on
// 127.0.0.1) and merges the same family across them.
func TestScrapeMergesEndpoints(t *testing.T) {
	var urls []string
	for i := range 2 {
		reg := prometheus.NewRegistry()
		h := prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "veil", Subsystem: "sequencer", Name: "decrypt_seconds",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 10)})
		reg.MustRegister(h)
		for range 10 * (i + 1) {
			h.Observe(0.05)
		}
		srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
		t.Cleanup(srv.Close)
		urls = append(urls, srv.URL)
	}
	got, err := ComponentHistograms(Scrape(http.DefaultClient, urls...))
	if err != nil {
		t.Fatal(err)
	}
	if l := got["sequencerDecryptPerBatch"]; l.Count != 30 || math.Abs(l.Mean-50) > 1e-6 || l.Max != 80 {
		t.Fatalf("merged %+v, want 30 samples of 50 ms, highest bucket 80 ms", l)
	}
	if _, err := ComponentHistograms(Scrape(http.DefaultClient, "http://127.0.0.1:1/metrics")); err == nil {
		t.Fatal("an unreachable endpoint gave no error")
	}
}
