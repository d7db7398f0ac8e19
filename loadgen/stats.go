package loadgen

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Result is what a run measured; `veil bench --json` writes it.
type Result struct {
	Config  ResultConfig `json:"config"`
	Machine Machine      `json:"machine"`
	Started time.Time    `json:"started"`
	// Seconds is the time spent sending (the Duration, unless cut short).
	Seconds float64 `json:"seconds"`

	// Sent counts transactions submitted and not refused: each ends up
	// Executed, Dropped or Lost (Sent = Executed + Dropped + Lost).
	Sent     int `json:"sent"`
	Ordered  int `json:"ordered"`
	Executed int `json:"executed"`
	// Dropped: its envelope executed without it (DESIGN.md section 6).
	Dropped int `json:"dropped"`
	// Lost: neither executed nor dropped by the end of the drain.
	Lost int `json:"lost"`
	// Failed counts submissions the sequencer refused (not Sent).
	Failed int `json:"failed"`
	// Missed counts rate slots skipped because every worker was busy.
	Missed int `json:"missed"`
	// Errors counts failures by message (at most maxErrorKinds kinds).
	Errors map[string]int `json:"errors,omitempty"`

	// ThroughputTPS is executed transactions per second of sending.
	ThroughputTPS float64 `json:"throughputTps"`
	OfferedTPS    float64 `json:"offeredTps"`
	OrderLatency  Latency `json:"orderLatencyMs"`
	ExecLatency   Latency `json:"execLatencyMs"`

	CPU    CPU    `json:"cpu"`
	RSSMiB Memory `json:"rssMiB"`
	// HeapMiB is the Go heap's objects over the run (Point.HeapMiB).
	HeapMiB Memory  `json:"heapMiB"`
	Series  []Point `json:"series"`

	// Components are the system's own timings over the run, from its
	// histograms (ComponentHistograms; keys as in Components), when the
	// caller had them: the keypers' commitment-to-shares latency, the
	// sequencer's decryption time per batch, and so on.
	Components map[string]Latency `json:"componentsMs,omitempty"`
}

// ResultConfig echoes the run's parameters.
type ResultConfig struct {
	URL       string  `json:"url"`
	Accounts  int     `json:"accounts"`
	Rate      float64 `json:"rate"`
	Duration  string  `json:"duration"`
	Plaintext bool    `json:"plaintext"`
}

// Machine describes where the run happened.
type Machine struct {
	CPUs      int    `json:"cpus"`
	CPUModel  string `json:"cpuModel,omitempty"`
	OS        string `json:"os"`
	Arch      string `json:"arch"`
	GoVersion string `json:"goVersion"`
}

// Latency summarizes latencies in milliseconds.
type Latency struct {
	Count int     `json:"count"`
	Mean  float64 `json:"mean"`
	P50   float64 `json:"p50"`
	P95   float64 `json:"p95"`
	P99   float64 `json:"p99"`
	Max   float64 `json:"max"`
}

// CPU is this process's CPU time over the run.
type CPU struct {
	UserSeconds   float64 `json:"userSeconds"`
	SystemSeconds float64 `json:"systemSeconds"`
	// AvgPercent is CPU time over wall time, 100 per fully used core.
	AvgPercent float64 `json:"avgPercent"`
}

// Memory is resident memory over the run, in MiB.
type Memory struct {
	Start float64 `json:"start"`
	End   float64 `json:"end"`
	Max   float64 `json:"max"`
}

// Point is one second of the run: transactions by the second they were
// sent or executed in, latencies of those executed (or ordered) in it, and
// the process's CPU and memory at its end.
type Point struct {
	T          int     `json:"t"`
	Sent       int     `json:"sent"`
	Executed   int     `json:"executed"`
	OrderP50Ms float64 `json:"orderP50Ms"`
	ExecP50Ms  float64 `json:"execP50Ms"`
	ExecP99Ms  float64 `json:"execP99Ms"`
	CPUPercent float64 `json:"cpuPercent"`
	RSSMiB     float64 `json:"rssMiB"`
	// RSS split: anonymous memory (the Go heap and stacks, and what
	// libraries allocate outside it) and file-backed pages (memory-mapped
	// databases such as bbolt's); HeapMiB is the Go heap's live objects
	// and the garbage not yet collected.
	AnonMiB float64 `json:"anonMiB"`
	FileMiB float64 `json:"fileMiB"`
	HeapMiB float64 `json:"heapMiB"`
}

// summarize returns the latency summary of ds (nearest-rank percentiles).
func summarize(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	return Latency{Count: len(s), Mean: ms(sum / time.Duration(len(s))), P50: ms(percentile(s, 50)),
		P95: ms(percentile(s, 95)), P99: ms(percentile(s, 99)), Max: ms(s[len(s)-1])}
}

// percentile is the nearest-rank p-th percentile of sorted, non-empty s.
func percentile(s []time.Duration, p int) time.Duration {
	rank := (p*len(s) + 99) / 100 // ceil(p/100 × n)
	return s[max(rank, 1)-1]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// usage is a sample of this process's resources.
type usage struct {
	at                       time.Time
	user, sys                time.Duration
	rssMiB, anonMiB, fileMiB float64
	heapMiB                  float64
	sent, exec               int
}

// sampleUsage reads CPU time (getrusage), VmRSS, RssAnon and RssFile
// (/proc/self/status; 0 where there is none) and the Go heap
// (runtime/metrics).
func sampleUsage(now time.Time) usage {
	st := procStatus("VmRSS:", "RssAnon:", "RssFile:")
	u := usage{at: now, rssMiB: st[0], anonMiB: st[1], fileMiB: st[2], heapMiB: heapMiB()}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		u.user = time.Duration(ru.Utime.Nano())
		u.sys = time.Duration(ru.Stime.Nano())
	}
	return u
}

// procStatus reads the named kB fields of /proc/self/status in MiB.
func procStatus(fields ...string) []float64 {
	out := make([]float64, len(fields))
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return out
	}
	for line := range bytes.Lines(raw) {
		for i, name := range fields {
			if v, ok := bytes.CutPrefix(line, []byte(name)); ok {
				if f := strings.Fields(string(v)); len(f) > 0 { // "123456 kB"
					kb, _ := strconv.ParseFloat(f[0], 64)
					out[i] = kb / 1024
				}
			}
		}
	}
	return out
}

// heapMiB is the Go heap's object bytes (live and not yet swept).
func heapMiB() float64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return float64(s[0].Value.Uint64()) / (1 << 20)
}

func machine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), OS: runtime.GOOS, Arch: runtime.GOARCH, GoVersion: runtime.Version()}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}
