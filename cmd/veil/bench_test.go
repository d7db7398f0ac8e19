package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
	"github.com/veil-l2/veil/loadgen"
)

// benchApp is the veil app.
func benchApp() *cli.App { return newApp() }

// TestBench: `veil bench` against a devnet of its own, for 5 s at 50 tx/s
// from 8 accounts. Every transaction sent executes, the latencies are
// ordered and positive, and the chart is a PNG.
func TestBench(t *testing.T) {
	dir := t.TempDir()
	jsonPath, chartPath := filepath.Join(dir, "bench.json"), filepath.Join(dir, "bench.png")
	var out, errOut bytes.Buffer
	app := benchApp()
	app.Writer, app.ErrWriter = &out, &errOut
	err := app.Run([]string{"veil", "bench", "--accounts", "8", "--rate", "50", "--duration", "5s", "--drain", "15s",
		"--l1-block-time", "300ms", "--json", jsonPath, "--chart", chartPath})
	if err != nil {
		t.Fatalf("veil bench: %v\n%s\n%s", err, &out, &errOut)
	}
	t.Logf("\n%s", &out)
	raw, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var res loadgen.Result
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatal(err)
	}
	// 5 s at 50 tx/s is 250 slots; allow for a slow start.
	if res.Sent < 150 || res.Executed != res.Sent || res.Ordered != res.Sent || res.Lost != 0 || res.Dropped != 0 || res.Failed != 0 {
		t.Fatalf("sent %d ordered %d executed %d dropped %d lost %d refused %d: %v",
			res.Sent, res.Ordered, res.Executed, res.Dropped, res.Lost, res.Failed, res.Errors)
	}
	for name, l := range map[string]loadgen.Latency{"order": res.OrderLatency, "execution": res.ExecLatency} {
		if l.Count == 0 || l.P50 <= 0 || l.P50 > l.P95 || l.P95 > l.P99 || l.P99 > l.Max {
			t.Errorf("%s latency: %+v", name, l)
		}
	}
	if res.OrderLatency.P50 >= res.ExecLatency.P50 {
		t.Errorf("order receipt p50 %v ms not before execution p50 %v ms", res.OrderLatency.P50, res.ExecLatency.P50)
	}
	if res.ThroughputTPS <= 0 || res.CPU.UserSeconds <= 0 || res.RSSMiB.Max <= 0 || res.HeapMiB.Max <= 0 || len(res.Series) < 5 {
		t.Errorf("throughput %v, cpu %+v, rss %+v, heap %+v, %d points", res.ThroughputTPS, res.CPU, res.RSSMiB, res.HeapMiB, len(res.Series))
	} else if p := res.Series[len(res.Series)/2]; p.AnonMiB <= 0 || p.HeapMiB <= 0 || p.AnonMiB+p.FileMiB > p.RSSMiB+1 {
		t.Errorf("memory sample %+v: anonymous and file-backed should split the RSS", p)
	}
	// The devnet's own timings: five keypers' shares for every batch, the
	// sequencer's decryption of each.
	for _, key := range []string{"keyperCommitmentToShares", "sequencerCommitmentToKeys", "sequencerDecryptPerBatch",
		"sequencerCommitmentToBlock"} {
		if l, ok := res.Components[key]; !ok || l.Count == 0 || l.P50 <= 0 || l.P50 > l.P99 {
			t.Errorf("component %s: %+v (have %v)", key, l, res.Components)
		}
	}
	if k, d := res.Components["keyperCommitmentToShares"], res.Components["sequencerDecryptPerBatch"]; k.Count < 3*d.Count {
		t.Errorf("%d keyper share messages for %d decrypted batches: the keypers' metrics are not all gathered", k.Count, d.Count)
	}
	if !strings.Contains(out.String(), "keyper commitment->shares") {
		t.Errorf("summary without the components' timings:\n%s", &out)
	}
	f, err := os.Open(chartPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("chart: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 400 || b.Dy() < 300 {
		t.Fatalf("chart is %v", b)
	}
	if !strings.Contains(errOut.String(), "\rsending") {
		t.Errorf("no progress line:\n%q", errOut.String())
	}
}

// TestBenchRejectsBadFlags: bad flags fail before a devnet starts.
func TestBenchRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--accounts", "0"},
		{"--rate", "-1"},
		{"--duration", "0s"},
	} {
		app := benchApp()
		app.Writer, app.ErrWriter = &bytes.Buffer{}, &bytes.Buffer{}
		err := app.Run(append([]string{"veil", "bench"}, args...))
		if err == nil || !strings.Contains(err.Error(), "loadgen: invalid config") {
			t.Errorf("%v: %v", args, err)
		}
	}
}
