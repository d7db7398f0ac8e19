package ordering

import "github.com/prometheus/client_golang/prometheus"

// metrics of the sequencer beyond the pool's (admitted, rejected by reason,
// queue depth) and the execution node's.
type metrics struct {
	rejectedDecode  prometheus.Counter
	batchTxs        prometheus.Histogram
	keysLatency     prometheus.Histogram
	decryptTime     prometheus.Histogram
	blockTime       prometheus.Histogram
	commitToBlock   prometheus.Histogram
	resent          prometheus.Counter
	executed        prometheus.Gauge
	eon             prometheus.Gauge
	forced          *prometheus.CounterVec
	announced       prometheus.Counter
	announceDropped prometheus.Counter
	decryptions     *prometheus.CounterVec
	catchUp         *prometheus.CounterVec
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
			Help: "Time to decrypt one batch, from its keys recorded to its last envelope decrypted.", Buckets: lat}),
		blockTime: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "veil", Subsystem: "sequencer", Name: "block_seconds",
			Help: "Time to build and insert one block; the block is built while its envelopes decrypt, so this overlaps decrypt_seconds.", Buckets: lat}),
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
		announced: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "veil", Subsystem: "sequencer", Name: "announced_envelopes_total",
			Help: "Admitted envelopes announced to the keypers before their commitment (they precompute their shares)."}),
		announceDropped: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "veil", Subsystem: "sequencer", Name: "announce_dropped_total",
			Help: "Admitted envelopes not announced because the announcement queue was full (their shares are computed at the commitment)."}),
		decryptions: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "veil", Subsystem: "sequencer", Name: "decryptions_total",
			Help: "Envelopes decrypted, by whether their ciphertext was prepared ahead (prepared_ahead) or not (in_full)."}, []string{"source"}),
		catchUp: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "veil", Subsystem: "sequencer", Name: "catchup_requests_total",
			Help: "Keypers' requests for the batch they need next, by answer: sent (from the log, with its keys), resent (waiting for keys), throttled, unknown (pruned or not committed), malformed."},
			[]string{"answer"}),
	}
	if reg != nil {
		reg.MustRegister(m.rejectedDecode, m.batchTxs, m.keysLatency, m.decryptTime, m.blockTime, m.commitToBlock, m.resent, m.executed, m.eon, m.forced,
			m.announced, m.announceDropped, m.decryptions, m.catchUp)
	}
	return m
}
