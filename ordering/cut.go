package ordering

import (
	"slices"
	"time"

	"github.com/veil-l2/veil/ordering/batch"
)

// CutConfig says when a batch is cut.
type CutConfig struct {
	// Interval between batches (the L2 block time; default 1s).
	Interval time.Duration
	// GasLimit is the block gas limit the budget is checked against.
	GasLimit uint64
	// MaxTxs and MaxBytes cap a batch (as keypers cap it).
	MaxTxs   int
	MaxBytes int
	// MaxAhead bounds how far (seconds) a batch's timestamp may run ahead
	// of the clock when full batches come faster than one per second
	// (default 2; keep it below the keypers' allowed drift).
	MaxAhead uint64
}

// Candidate is a pending transaction as the cutter sees it.
type Candidate struct {
	// Gas is the transaction's part of the gas budget: its gas limit, plus
	// the declared gas of an envelope.
	Gas      uint64
	Size     int
	Envelope bool
}

// Cut is the cutter's decision: the first Count candidates make the next
// batch, stamped Timestamp.
type Cut struct {
	Count     int
	Timestamp uint64
}

// Cutter is the pure batch-cutting core: the pending transactions, the
// deposits waiting and the time go in; the decision comes out. A batch is
// cut when the interval has passed and there is something to carry, or
// earlier when the budget is full. Timestamps (whole seconds, as
// go-ethereum's headers have them) strictly increase.
type Cutter struct {
	cfg           CutConfig
	lastCut       time.Time
	lastTimestamp uint64
	emptyDue      bool
}

// CutEmpty makes the next decision cut a batch even with nothing to carry
// (once): a chain still at genesis gets its first block at once, which
// go-ethereum's transaction index needs before it answers lookups.
func (c *Cutter) CutEmpty() { c.emptyDue = true }

// NewCutter starts a cutter after a batch stamped lastTimestamp.
func NewCutter(cfg CutConfig, lastTimestamp uint64) *Cutter {
	if cfg.Interval <= 0 {
		cfg.Interval = time.Second
	}
	if cfg.MaxAhead == 0 {
		cfg.MaxAhead = 2
	}
	return &Cutter{cfg: cfg, lastTimestamp: lastTimestamp}
}

// Fit returns how many leading candidates fit one batch with the given
// number of deposits.
func (c *Cutter) Fit(pending []Candidate, deposits int) int {
	var gas uint64
	size, envelopes := 0, 0
	for i, p := range pending {
		if p.Envelope {
			envelopes++
		}
		gas += p.Gas
		size += p.Size
		if i+1 > c.cfg.MaxTxs || size > c.cfg.MaxBytes || gas+batch.SystemGas(deposits, envelopes) > c.cfg.GasLimit {
			return i
		}
	}
	return len(pending)
}

// Decide returns the next cut, if one is due at now. forced are the L1
// forced envelopes the batch must carry first (IncludeForced's, which fit
// the budget on their own); pending is a window of the pending
// transactions in sequence order (more than a batch holds when that many
// wait). Cut.Count counts pending transactions only.
func (c *Cutter) Decide(now time.Time, forced, pending []Candidate, deposits int) (Cut, bool) {
	sec := uint64(max(now.Unix(), 0))
	ts := max(sec, c.lastTimestamp+1)
	if ts > sec+c.cfg.MaxAhead {
		return Cut{}, false
	}
	all := append(slices.Clip(forced), pending...)
	n := c.Fit(all, deposits)
	due := now.Sub(c.lastCut) >= c.cfg.Interval && (len(all) > 0 || deposits > 0 || c.emptyDue)
	full := n < len(all) && n > len(forced)
	if !due && !full {
		return Cut{}, false
	}
	c.lastCut, c.lastTimestamp, c.emptyDue = now, ts, false
	return Cut{Count: max(n-len(forced), 0), Timestamp: ts}, true
}
