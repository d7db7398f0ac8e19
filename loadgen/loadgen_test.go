package loadgen

import (
	"bytes"
	"crypto/ecdsa"
	"errors"
	"image"
	"image/png"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

func TestCheck(t *testing.T) {
	ok := func() Config {
		return Config{URL: "http://127.0.0.1:8545", Funders: []*ecdsa.PrivateKey{Key("t", "funder", 0)}, Accounts: 1, Duration: time.Second}
	}
	for _, tc := range []struct {
		name string
		mod  func(*Config)
		want error
	}{
		{"valid", func(*Config) {}, nil},
		{"flat out", func(c *Config) { c.Rate = 0 }, nil},
		{"no url", func(c *Config) { c.URL = "" }, ErrConfig},
		{"no funders", func(c *Config) { c.Funders = nil }, ErrConfig},
		{"no accounts", func(c *Config) { c.Accounts = 0 }, ErrConfig},
		{"negative rate", func(c *Config) { c.Rate = -1 }, ErrConfig},
		{"no duration", func(c *Config) { c.Duration = 0 }, ErrConfig},
		{"negative drain", func(c *Config) { c.Drain = -time.Second }, ErrConfig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ok()
			tc.mod(&c)
			if err := c.Check(); !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestKeyDeterministicAndDistinct(t *testing.T) {
	a, b := Key("s", "sender", 3), Key("s", "sender", 3)
	if !a.Equal(b) {
		t.Fatal("same seed, role and index give different keys")
	}
	seen := map[common.Address]bool{}
	for _, role := range []string{"sender", "payer"} {
		for i := range 50 {
			addr := crypto.PubkeyToAddress(Key("s", role, i).PublicKey)
			if seen[addr] {
				t.Fatalf("%s %d repeats an address", role, i)
			}
			seen[addr] = true
		}
	}
}

func TestSummarize(t *testing.T) {
	for _, tc := range []struct {
		name          string
		ms            []int
		p50, p95, p99 float64
	}{
		{"empty", nil, 0, 0, 0},
		{"one", []int{7}, 7, 7, 7},
		{"1 to 100", seq(100), 50, 95, 99},
		{"1 to 1000 reversed", reversed(seq(1000)), 500, 950, 990},
		{"1 to 10", seq(10), 5, 10, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ds []time.Duration
			for _, m := range tc.ms {
				ds = append(ds, time.Duration(m)*time.Millisecond)
			}
			l := summarize(ds)
			if l.P50 != tc.p50 || l.P95 != tc.p95 || l.P99 != tc.p99 || l.Count != len(ds) {
				t.Fatalf("got %+v", l)
			}
			if len(ds) > 0 && !(l.P50 <= l.P95 && l.P95 <= l.P99 && l.P99 <= l.Max) {
				t.Fatalf("not ordered: %+v", l)
			}
		})
	}
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i + 1
	}
	return s
}

func reversed(s []int) []int {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
	return s
}

// TestTracker: a transaction in a block is executed, an envelope in a
// block without its inner transaction is dropped, a cancelled one is not
// counted, and the rest stays open.
func TestTracker(t *testing.T) {
	tr := newTracker()
	t0 := time.Unix(1000, 0)
	h := func(b byte) common.Hash { return common.Hash{b} }
	a := tr.add(h(1), t0)
	tr.setEnvelope(a, h(101))
	b := tr.add(h(2), t0)
	tr.setEnvelope(b, h(102))
	c := tr.add(h(3), t0)
	tr.cancel(c)
	d := tr.add(h(4), t0) // plaintext: no envelope
	e := tr.add(h(5), t0)
	tr.setOrdered(a, t0.Add(10*time.Millisecond))

	tr.block([]common.Hash{h(101), h(1), h(102), h(4), h(3)}, t0.Add(time.Second))
	tr.block([]common.Hash{h(1)}, t0.Add(2*time.Second)) // seen again: no change
	if a.fate != executed || !a.done.Equal(t0.Add(time.Second)) || b.fate != dropped || d.fate != executed || e.fate != pending {
		t.Fatalf("fates a=%v b=%v d=%v e=%v", a.fate, b.fate, d.fate, e.fate)
	}
	sent, ordered, exec, drop, open := tr.counts()
	if sent != 4 || ordered != 1 || exec != 2 || drop != 1 || open != 1 {
		t.Fatalf("counts sent %d ordered %d executed %d dropped %d open %d", sent, ordered, exec, drop, open)
	}
	if u := tr.unresolved(); len(u) != 1 || u[0] != e {
		t.Fatalf("unresolved %v", u)
	}
}

// TestResult: the per-second series and totals come from the records.
func TestResult(t *testing.T) {
	start := time.Unix(1000, 0)
	r := &run{cfg: Config{URL: "x", Accounts: 1, Duration: 3 * time.Second}, tr: newTracker(), errs: map[string]int{}}
	for i := range 30 {
		sent := start.Add(time.Duration(i) * 100 * time.Millisecond)
		rec := r.tr.add(common.Hash{byte(i)}, sent)
		r.tr.setOrdered(rec, sent.Add(5*time.Millisecond))
		if i < 29 {
			r.tr.block([]common.Hash{{byte(i)}}, sent.Add(800*time.Millisecond))
		}
	}
	samples := []usage{{at: start, rssMiB: 10}, {at: start.Add(time.Second), user: time.Second / 2, rssMiB: 12},
		{at: start.Add(2 * time.Second), user: time.Second, rssMiB: 11}, {at: start.Add(3 * time.Second), user: time.Second, rssMiB: 11}}
	res := r.result(start, start.Add(3*time.Second), samples)
	if res.Sent != 30 || res.Executed != 29 || res.Lost != 1 || res.Ordered != 30 {
		t.Fatalf("sent %d executed %d lost %d ordered %d", res.Sent, res.Executed, res.Lost, res.Ordered)
	}
	if res.ExecLatency.P50 != 800 || res.OrderLatency.P99 != 5 {
		t.Fatalf("latency exec %+v order %+v", res.ExecLatency, res.OrderLatency)
	}
	if res.RSSMiB != (Memory{Start: 10, End: 11, Max: 12}) || res.CPU.AvgPercent < 33 || res.CPU.AvgPercent > 34 {
		t.Fatalf("rss %+v cpu %+v", res.RSSMiB, res.CPU)
	}
	if len(res.Series) != 4 || res.Series[0].Sent != 10 || res.Series[0].Executed != 2 || res.Series[0].CPUPercent != 50 {
		t.Fatalf("series %+v", res.Series)
	}
}

// TestChart: charts of empty, flat, spiky and long series encode as PNGs
// of the expected size, in bounded time.
func TestChart(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name string
		n    int
		f    func(i int) float64
	}{
		{"empty", 0, nil},
		{"zeros", 5, func(int) float64 { return 0 }},
		{"one point", 1, func(int) float64 { return 3 }},
		{"spiky", 60, func(int) float64 { return rng.Float64() * 1e4 }},
		{"soak length", 600, func(i int) float64 { return 200 + 50*math.Sin(float64(i)/10) }},
		{"tiny", 30, func(int) float64 { return rng.Float64() * 1e-3 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := &Result{}
			for i := range tc.n {
				v := tc.f(i)
				res.Series = append(res.Series, Point{T: i + 1, Sent: int(v), Executed: int(v / 2), OrderP50Ms: v / 10,
					ExecP50Ms: v, ExecP99Ms: 2 * v, CPUPercent: v / 100, RSSMiB: v})
			}
			var buf bytes.Buffer
			if err := WriteChart(&buf, res); err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if img.Bounds() != image.Rect(0, 0, chartW, 4*panelH+lineHeight+8) {
				t.Fatalf("bounds %v", img.Bounds())
			}
		})
	}
}

// TestSegmentEnds: every line, whatever its slope, ends at its end point.
func TestSegmentEnds(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 50, 50))
	rng := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		x0, y0, x1, y1 := rng.IntN(60)-5, rng.IntN(60)-5, rng.IntN(60)-5, rng.IntN(60)-5
		segment(img, x0, y0, x1, y1, blue)
	}
}

// TestTrackerResolvedThenUpdated: an order receipt that comes back after
// the block was seen still counts in the outcome, and a transaction seen
// in a block whose submission then failed is taken back entirely.
func TestTrackerResolvedThenUpdated(t *testing.T) {
	tr := newTracker()
	t0 := time.Unix(1000, 0)
	a := tr.add(common.Hash{1}, t0)
	b := tr.add(common.Hash{2}, t0)
	tr.block([]common.Hash{{1}, {2}}, t0.Add(time.Second))
	tr.setOrdered(a, t0.Add(5*time.Millisecond))
	tr.cancel(b)
	sent, ordered, exec, drop, open := tr.counts()
	if sent != 1 || ordered != 1 || exec != 1 || drop != 0 || open != 0 {
		t.Fatalf("counts sent %d ordered %d executed %d dropped %d open %d", sent, ordered, exec, drop, open)
	}
	snap := tr.snapshot()
	if len(snap) != 1 || snap[0].fate != executed || fromNanos(snap[0].ordered) != t0.Add(5*time.Millisecond) ||
		fromNanos(snap[0].done) != t0.Add(time.Second) {
		t.Fatalf("snapshot %+v", snap)
	}
}
