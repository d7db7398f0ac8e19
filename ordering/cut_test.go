package ordering

import (
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient/simulated"

	"github.com/veil-l2/veil/ordering/batch"
)

func TestCutter(t *testing.T) {
	gasLimit := batch.SystemGas(0, 3) + 3*100_000
	c := NewCutter(CutConfig{Interval: time.Second, GasLimit: gasLimit, MaxTxs: 100, MaxBytes: 1 << 20}, 999)
	t0 := time.Unix(1000, 0)
	env := Candidate{Gas: 100_000, Size: 500, Envelope: true}
	// Nothing pending, nothing due.
	if _, ok := c.Decide(t0, nil, nil, 0); ok {
		t.Fatal("cut an empty batch")
	}
	// Unless asked for once (a chain at genesis).
	g := NewCutter(CutConfig{GasLimit: gasLimit, MaxTxs: 100, MaxBytes: 1 << 20}, 999)
	g.CutEmpty()
	if cut, ok := g.Decide(t0, nil, nil, 0); !ok || cut.Count != 0 {
		t.Fatalf("asked-for empty cut %+v %v", cut, ok)
	}
	if _, ok := g.Decide(t0.Add(2*time.Second), nil, nil, 0); ok {
		t.Fatal("a second empty batch")
	}
	// One pending: due (no batch cut yet).
	cut, ok := c.Decide(t0, nil, []Candidate{env}, 0)
	if !ok || cut.Count != 1 || cut.Timestamp != 1000 {
		t.Fatalf("first cut %+v %v", cut, ok)
	}
	// Within the interval a partial batch waits...
	if _, ok := c.Decide(t0.Add(300*time.Millisecond), nil, []Candidate{env}, 0); ok {
		t.Fatal("cut before the interval with room left")
	}
	// ...but a full budget is cut early, stamped one second on.
	four := []Candidate{env, env, env, env}
	cut, ok = c.Decide(t0.Add(400*time.Millisecond), nil, four, 0)
	if !ok || cut.Count != 3 || cut.Timestamp != 1001 {
		t.Fatalf("full cut %+v %v", cut, ok)
	}
	// Full again at once: 1002 is within MaxAhead (2) of 1000.
	if cut, ok = c.Decide(t0.Add(500*time.Millisecond), nil, four, 0); !ok || cut.Timestamp != 1002 {
		t.Fatalf("second full cut %+v %v", cut, ok)
	}
	// A third would run 3 s ahead of the clock: it waits.
	if _, ok := c.Decide(t0.Add(600*time.Millisecond), nil, four, 0); ok {
		t.Fatal("timestamp ran more than MaxAhead ahead")
	}
	// Deposits alone make a batch once due, and take budget.
	if cut, ok = c.Decide(t0.Add(2600*time.Millisecond), nil, nil, 2); !ok || cut.Count != 0 || cut.Timestamp != 1003 {
		t.Fatalf("deposit-only cut %+v %v", cut, ok)
	}
	if n := c.Fit(four, 1); n != 2 {
		t.Fatalf("with a deposit %d fit, want 2", n)
	}
	// The transaction count cap.
	small := NewCutter(CutConfig{GasLimit: 1 << 40, MaxTxs: 2, MaxBytes: 1 << 20}, 0)
	if n := small.Fit(four, 0); n != 2 {
		t.Fatalf("MaxTxs 2: %d fit", n)
	}
	bytesCap := NewCutter(CutConfig{GasLimit: 1 << 40, MaxTxs: 100, MaxBytes: 1200}, 0)
	if n := bytesCap.Fit(four, 0); n != 2 {
		t.Fatalf("MaxBytes 1200: %d fit", n)
	}
}

// TestConfirmedOrigin follows go-ethereum's simulated L1: the origin is
// two blocks below the head and never goes back.
func TestConfirmedOrigin(t *testing.T) {
	sim := simulated.NewBackend(types.GenesisAlloc{})
	defer sim.Close()
	for range 5 {
		sim.Commit()
	}
	o := ConfirmedOrigin{L1: sim.Client(), Confirmations: 2}
	got, deposits, forced, err := o.Next(t.Context(), 0)
	if err != nil || got.Number != 3 || len(deposits) != 0 || len(forced) != 0 {
		t.Fatalf("origin %+v %v %v %v", got, deposits, forced, err)
	}
	h, _ := sim.Client().HeaderByNumber(t.Context(), big.NewInt(3))
	if got.Hash != h.Hash() {
		t.Fatal("origin hash is not block 3's")
	}
	if got, _, _, err = o.Next(t.Context(), 4); err != nil || got.Number != 4 {
		t.Fatalf("origin after 4: %+v %v", got, err)
	}
}
