package ordering

import "github.com/prometheus/client_golang/prometheus"

// metrics of the sequencer beyond the pool's (admitted, rejected by reason,
// queue depth) and the execution node's.
type metrics struct {
	rejectedDecode prometheus.Counter
	batchTxs       prometheus.Histogram
	keysLatency    prometheus.Histogram
	decryptTime    prometheus.Histogram
	blockTime      prometheus.Histogram
	commitToBlock  prometheus.Histogram
	resent         prometheus.Counter
	executed       prometheus.Gauge
	eon            prometheus.Gauge
	forced         *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	lat := prometheus.ExponentialBuckets(0.005, 2, 14)
	m := &metrics{
		rejectedDecode: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "veil", Subsystem: "sequencer", Name: "undecodable_total",
			Help: "Submissions that were no transaction."}),
		batchTxs: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "veil", Subsystem: "sequencer", Name: "batch_transactions",
			Help: "Transactions per committed batch.", Buckets: prometheus.ExponentialBuckets(1, 2, 14)}),
		keysLatency: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "veil", Subsystem: "sequencer", Name: "commitment_to_keys_seconds",
			Help: "Time from a batch committed to its keys aggregated.", Buckets: lat}),
		decryptTime: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "veil", Subsystem: "sequencer", Name: "decrypt_seconds",
			Help: "Time to decrypt one batch.", Buckets: lat}),
		blockTime: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "veil", Subsystem: "sequencer", Name: "block_seconds",
			Help: "Time to build and insert one block.", Buckets: lat}),
		commitToBlock: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "veil", Subsystem: "sequencer", Name: "commitment_to_block_seconds",
			Help: "Time from a batch committed to its block written.", Buckets: lat}),
		resent: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "veil", Subsystem: "sequencer", Name: "commitments_resent_total",
			Help: "Commitments sent again to keypers while waiting for keys."}),
		executed: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "veil", Subsystem: "sequencer", Name: "executed_batch",
			Help: "The highest executed batch number."}),
		eon: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "veil", Subsystem: "sequencer", Name: "eon",
			Help: "The eon of the last committed batch."}),
		forced: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "veil", Subsystem: "sequencer", Name: "forced_envelopes_total",
			Help: "Envelopes forced from L1, by what committed batches did with them (included or skipped)."}, []string{"result"}),
	}
	if reg != nil {
		reg.MustRegister(m.rejectedDecode, m.batchTxs, m.keysLatency, m.decryptTime, m.blockTime, m.commitToBlock, m.resent, m.executed, m.eon, m.forced)
	}
	return m
}
