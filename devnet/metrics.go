package devnet

import (
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// metricsSet holds the registry of every process the devnet started, one
// per start: a restarted process keeps the samples of its earlier lives.
type metricsSet struct {
	mu   sync.Mutex
	regs prometheus.Gatherers
}

// registry returns a fresh registry for one start of a process, its
// metrics labelled process=<name> and start=<n> (n counts the devnet's
// starts of any process, so no two registries have the same labels).
func (m *metricsSet) registry(process string) prometheus.Registerer {
	reg := prometheus.NewRegistry()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.regs = append(m.regs, reg)
	return prometheus.WrapRegistererWith(prometheus.Labels{"process": process, "start": strconv.Itoa(len(m.regs))}, reg)
}

// Metrics gathers the Prometheus metrics of every keyper and sequencer
// the devnet has started (each start's, labelled process and start), as
// `veil bench` reads the keypers' commitment-to-shares latency and the
// sequencer's decryption time from them.
func (d *Devnet) Metrics() prometheus.Gatherer {
	d.metrics.mu.Lock()
	defer d.metrics.mu.Unlock()
	return append(prometheus.Gatherers(nil), d.metrics.regs...)
}
