package verify

import "github.com/prometheus/client_golang/prometheus"

// metrics are the verifier's Prometheus metrics (veil_verify_*).
type metrics struct {
	verified   prometheus.Gauge
	l1Block    prometheus.Gauge
	txs        prometheus.Counter
	seconds    prometheus.Histogram
	mismatches *prometheus.CounterVec
}

// newMetrics registers the metrics with reg (nil: not registered).
func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		verified: prometheus.NewGauge(prometheus.GaugeOpts{Name: "veil_verify_batch",
			Help: "Highest batch number verified."}),
		l1Block: prometheus.NewGauge(prometheus.GaugeOpts{Name: "veil_verify_l1_block",
			Help: "L1 block holding the posting of the highest batch verified."}),
		txs: prometheus.NewCounter(prometheus.CounterOpts{Name: "veil_verify_txs_total",
			Help: "Transactions in the batches verified."}),
		seconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "veil_verify_batch_seconds",
			Help: "Time to verify one batch (L1 reads, key checks, re-execution).", Buckets: prometheus.ExponentialBuckets(0.005, 2, 12)}),
		mismatches: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "veil_verify_mismatches_total",
			Help: "Invalid batches found, by reason (the verifier stops at the first)."}, []string{"reason"}),
	}
	if reg != nil {
		reg.MustRegister(m.verified, m.l1Block, m.txs, m.seconds, m.mismatches)
	}
	return m
}
