package loadgen

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Components are the timings of the system's own parts during a run, read
// from their Prometheus histograms (ComponentHistograms), in milliseconds.
// Each histogram family is summed over all its series: the five keypers'
// commitment-to-shares histograms make one distribution, and a process
// restarted during the run contributes each of its lives.
var Components = map[string]string{
	"keyperCommitmentToShares":   "veil_keyper_commitment_to_shares_seconds",
	"sequencerCommitmentToKeys":  "veil_sequencer_commitment_to_keys_seconds",
	"sequencerDecryptPerBatch":   "veil_sequencer_decrypt_seconds",
	"sequencerBlockBuild":        "veil_sequencer_block_seconds",
	"sequencerCommitmentToBlock": "veil_sequencer_commitment_to_block_seconds",
}

// ComponentHistograms summarizes the histograms named in Components that g
// holds: count, mean and p50/p95/p99 estimated from the buckets by linear
// interpolation within the bucket that holds the rank (so a percentile is
// as fine as the buckets; Max is the upper bound of the highest non-empty
// bucket, +Inf reported as the last finite bound). A family g does not
// hold is left out.
func ComponentHistograms(g prometheus.Gatherer) (map[string]Latency, error) {
	mfs, err := g.Gather()
	if err != nil {
		return nil, fmt.Errorf("loadgen: gathering metrics: %w", err)
	}
	series := map[string][]*dto.Metric{}
	for _, mf := range mfs {
		if mf.GetType() == dto.MetricType_HISTOGRAM {
			series[mf.GetName()] = append(series[mf.GetName()], mf.GetMetric()...)
		}
	}
	out := map[string]Latency{}
	for key, name := range Components {
		if l, ok := summarizeHistogram(series[name]); ok {
			out[key] = l
		}
	}
	return out, nil
}

// summarizeHistogram merges histogram series (buckets are cumulative
// counts by upper bound) and summarizes them in milliseconds.
func summarizeHistogram(ms []*dto.Metric) (Latency, bool) {
	cum := map[float64]uint64{}
	var count uint64
	var sum float64
	for _, m := range ms {
		h := m.GetHistogram()
		count += h.GetSampleCount()
		sum += h.GetSampleSum()
		for _, b := range h.GetBucket() {
			cum[b.GetUpperBound()] += b.GetCumulativeCount()
		}
	}
	if count == 0 {
		return Latency{}, false
	}
	bounds := make([]float64, 0, len(cum))
	for b := range cum {
		bounds = append(bounds, b)
	}
	slices.Sort(bounds)
	at := func(p float64) float64 {
		rank := p / 100 * float64(count)
		lower, below := 0.0, uint64(0)
		for _, ub := range bounds {
			c := cum[ub]
			if float64(c) >= rank {
				if c == below || math.IsInf(ub, 1) {
					return lower
				}
				return lower + (ub-lower)*(rank-float64(below))/float64(c-below)
			}
			lower, below = ub, c
		}
		// Samples above the last bound (the implicit +Inf bucket).
		return lower
	}
	// The first bound that holds every sample, or the last finite bound
	// when samples lie above it.
	max := 0.0
	for _, ub := range bounds {
		if math.IsInf(ub, 1) {
			break
		}
		max = ub
		if cum[ub] == count {
			break
		}
	}
	const toMs = 1000
	return Latency{Count: int(count), Mean: sum / float64(count) * toMs, P50: at(50) * toMs, P95: at(95) * toMs,
		P99: at(99) * toMs, Max: max * toMs}, true
}

// Scrape is a Gatherer over Prometheus text-format endpoints (a remote
// sequencer's and keypers' /metrics): each Gather fetches every URL; a
// family served by several is merged by ComponentHistograms like series
// of one registry.
func Scrape(client *http.Client, urls ...string) prometheus.Gatherer {
	return prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) {
		var out []*dto.MetricFamily
		for _, u := range urls {
			resp, err := client.Get(u)
			if err != nil {
				return nil, err
			}
			parser := expfmt.NewTextParser(model.UTF8Validation)
			mfs, err := parser.TextToMetricFamilies(io.LimitReader(resp.Body, maxScrape))
			resp.Body.Close()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", u, err)
			}
			if resp.StatusCode != http.StatusOK {
				return nil, fmt.Errorf("%s: %s", u, resp.Status)
			}
			for _, mf := range mfs {
				out = append(out, mf)
			}
		}
		return out, nil
	})
}

// maxScrape bounds one metrics page.
const maxScrape = 16 << 20
