package proxy

import "github.com/prometheus/client_golang/prometheus"

// metrics of the proxy, registered on the injected registry (none when it
// is nil).
type metrics struct {
	calls     *prometheus.CounterVec // route: forwarded, local, blocked
	envelopes prometheus.Counter
	refusals  *prometheus.CounterVec // cause: the named error
	settled   *prometheus.CounterVec // outcome: executed, dropped, expired
	inflight  prometheus.Gauge
	upstream  prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "veil", Subsystem: "proxy", Name: "calls_total",
			Help: "JSON-RPC calls received, by route: forwarded unchanged, answered locally, or blocked."}, []string{"route"}),
		envelopes: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "veil", Subsystem: "proxy", Name: "envelopes_total",
			Help: "Envelopes the sequencer admitted."}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "veil", Subsystem: "proxy", Name: "refusals_total",
			Help: "Transactions refused, by cause."}, []string{"cause"}),
		settled: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "veil", Subsystem: "proxy", Name: "settled_total",
			Help: "Transactions no longer in flight, by outcome."}, []string{"outcome"}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "veil", Subsystem: "proxy", Name: "inflight",
			Help: "Transactions sent through the proxy that have neither executed nor been dropped."}),
		upstream: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "veil", Subsystem: "proxy", Name: "upstream_errors_total",
			Help: "Requests the upstream could not answer."}),
	}
	if reg != nil {
		reg.MustRegister(m.calls, m.envelopes, m.refusals, m.settled, m.inflight, m.upstream)
	}
	return m
}

func (m *metrics) observeSettled(s settled) {
	m.settled.WithLabelValues("executed").Add(float64(s.executed))
	m.settled.WithLabelValues("dropped").Add(float64(s.dropped))
	m.settled.WithLabelValues("expired").Add(float64(s.expired))
}
