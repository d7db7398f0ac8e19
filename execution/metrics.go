package execution

import "github.com/prometheus/client_golang/prometheus"

// metrics of the execution node. Registered on the injected registry; with
// none they count without being exported.
type metrics struct {
	blocks          prometheus.Counter
	txs             prometheus.Counter
	innerExecuted   prometheus.Counter
	dropped         *prometheus.CounterVec
	envelopeSkipped prometheus.Counter
	revealedPruned  prometheus.Counter
	inputsPruned    prometheus.Counter
	gasUsed         prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		blocks: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "veil", Subsystem: "execution", Name: "blocks_total", Help: "L2 blocks written."}),
		txs: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "veil", Subsystem: "execution", Name: "transactions_total", Help: "Transactions in written blocks."}),
		innerExecuted: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "veil", Subsystem: "execution", Name: "inner_executed_total", Help: "Inner transactions executed."}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "veil", Subsystem: "execution", Name: "dropped_total",
			Help: "Inner and plaintext transactions dropped, by rule."}, []string{"reason"}),
		envelopeSkipped: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "veil", Subsystem: "execution", Name: "envelopes_invalid_total",
			Help: "Committed envelopes invalid at their slot (not in the block)."}),
		revealedPruned: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "veil", Subsystem: "execution", Name: "revealed_pruned_total",
			Help: "Revealed-set entries pruned (nonce below the sender's)."}),
		inputsPruned: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "veil", Subsystem: "execution", Name: "record_inputs_pruned_total",
			Help: "Recorded block inputs deleted (at or below the previous checkpoint)."}),
		gasUsed: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "veil", Subsystem: "execution", Name: "gas_used_total", Help: "Gas used by written blocks."}),
	}
	for _, r := range DropReasons {
		m.dropped.WithLabelValues(string(r))
	}
	if reg != nil {
		reg.MustRegister(m.blocks, m.txs, m.innerExecuted, m.dropped, m.envelopeSkipped, m.revealedPruned, m.inputsPruned, m.gasUsed)
	}
	return m
}

func (m *metrics) observe(b *Built) {
	m.blocks.Inc()
	m.txs.Add(float64(len(b.Block.Transactions())))
	m.gasUsed.Add(float64(b.Block.GasUsed()))
	for _, o := range b.Outcomes {
		if o.IsEnvelope && o.EnvelopeErr != nil {
			m.envelopeSkipped.Inc()
		}
		switch {
		case o.Dropped != "":
			m.dropped.WithLabelValues(string(o.Dropped)).Inc()
		case o.Executed && o.IsEnvelope:
			m.innerExecuted.Inc()
		}
	}
}
