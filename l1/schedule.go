package l1

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/keyper"
	"github.com/veil-l2/veil/ordering"
)

// ErrEonMismatch: an eon's committee or key, as the sequencer holds them,
// is not what L1 has for the eon.
var ErrEonMismatch = errors.New("l1: the eon's committee or key is not the one on L1")

// LocalEon is what the sequencer holds of an eon that L1 does not carry:
// the committee config (DKG public keys, peers), the eon key the DKG made
// and every keyper's public share.
type LocalEon struct {
	Committee    *keyper.Committee
	EonKey       *tpke.EonPublicKey
	PublicShares []*tpke.PublicShare
	// CommitteeFrom and KeyFrom name where the committee and the key come
	// from (a file, a DKG record), for the errors that find them wrong.
	CommitteeFrom, KeyFrom string
}

// LocalEons gives the schedule the sequencer's own part of an eon. The
// schedule asks only for eons whose keyper set and key are final on L1.
// ok false: not held yet (asked again at the next read); an error: what
// is held is unusable (a bad file), logged, and asked again at the next
// read.
type LocalEons func(eon uint64) (e LocalEon, ok bool, err error)

// ScheduleConfig configures a Schedule.
type ScheduleConfig struct {
	// Local is required.
	Local  LocalEons
	Logger *slog.Logger
	// Registry receives veil_sequencer_eons_unusable; nil registers none.
	Registry prometheus.Registerer
}

// Schedule is the sequencer's eon schedule from L1 (ordering.EonSchedule),
// shared by `veil sequencer --contracts` and the devnet: every keyper set
// in the latest state (Eons.Schedule, so origins never pass an activation
// the sequencer has not seen), each eon ready once its set and key are
// final on L1 and Local holds its committee, key and public shares, the
// committee matching its keyper set on L1 (keyper.Committee.CheckL1) and
// the key L1's. An eon whose local part is wrong stays not ready: the
// cause (ErrEonMismatch, or Local's error) is logged once and kept for
// Err. A ready eon stays ready and Local is not asked for it again. Safe
// for concurrent use.
type Schedule struct {
	eons  *Eons
	local LocalEons
	log   *slog.Logger
	// unusable counts the final eons not ready for a cause.
	unusable prometheus.Gauge

	mu       sync.Mutex
	ready    map[uint64]LocalEon
	problems map[uint64]error
}

var _ ordering.EonSchedule = (*Schedule)(nil)

// NewSchedule reads the schedule from eons and cfg.Local.
func NewSchedule(eons *Eons, cfg ScheduleConfig) *Schedule {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Schedule{eons: eons, local: cfg.Local, log: cfg.Logger, ready: map[uint64]LocalEon{}, problems: map[uint64]error{},
		unusable: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "veil", Subsystem: "sequencer", Name: "eons_unusable",
			Help: "Eons final on L1 that are not ready because the sequencer's committee or key for them is wrong or missing."})}
	if cfg.Registry != nil {
		cfg.Registry.MustRegister(s.unusable)
	}
	return s
}

// Eons implements ordering.EonSchedule.
func (s *Schedule) Eons(ctx context.Context) ([]ordering.Eon, uint64, error) {
	list, through, err := s.eons.Schedule(ctx)
	if err != nil {
		return nil, 0, err
	}
	out := make([]ordering.Eon, 0, len(list))
	for _, se := range list {
		e := ordering.Eon{Number: se.Eon, Activation: se.Set.ActivationBlock}
		if se.Final && se.Key != nil {
			if l, ok := s.readyEon(se); ok {
				e.Committee, e.EonKey, e.PublicShares = l.Committee, l.EonKey, l.PublicShares
			}
		}
		out = append(out, e)
	}
	s.mu.Lock()
	s.unusable.Set(float64(len(s.problems)))
	s.mu.Unlock()
	return out, through, nil
}

// Err returns why eon, final on L1, was not ready at the last read
// (ErrEonMismatch or Local's error); nil when it was ready, or not held
// yet, or not final.
func (s *Schedule) Err(eon uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.problems[eon]
}

// readyEon returns the local part of a final eon once it matches L1.
func (s *Schedule) readyEon(se ScheduledEon) (LocalEon, bool) {
	s.mu.Lock()
	l, ok := s.ready[se.Eon]
	s.mu.Unlock()
	if ok {
		return l, true
	}
	l, ok, err := s.local(se.Eon)
	if err == nil && ok {
		err = matchL1(se, l)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	prev := s.problems[se.Eon]
	switch {
	case err != nil:
		s.problems[se.Eon] = err
		if prev == nil || prev.Error() != err.Error() {
			s.log.Error("eon final on L1 but not usable", "eon", se.Eon, "err", err)
		}
		return LocalEon{}, false
	case !ok:
		delete(s.problems, se.Eon)
		return LocalEon{}, false
	}
	delete(s.problems, se.Eon)
	s.ready[se.Eon] = l
	if prev != nil {
		s.log.Info("eon now matches L1", "eon", se.Eon)
	}
	return l, true
}

// matchL1 checks the local part of an eon against L1's set and key.
func matchL1(se ScheduledEon, l LocalEon) error {
	c := l.Committee
	switch {
	case c == nil || l.EonKey == nil:
		return fmt.Errorf("%w: eon %d: no committee or key", ErrEonMismatch, se.Eon)
	case c.Eon != se.Eon:
		return fmt.Errorf("%w: %s is eon %d's committee, not eon %d's", ErrEonMismatch, l.CommitteeFrom, c.Eon, se.Eon)
	}
	if err := c.CheckL1(keyper.L1KeyperSet{Members: se.Set.Members, Threshold: se.Set.Threshold,
		Activation: se.Set.ActivationBlock}); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrEonMismatch, l.CommitteeFrom, err)
	}
	if !bytes.Equal(l.EonKey.Bytes(), se.Key) {
		return fmt.Errorf("%w: eon %d's key in %s is %x, on L1 it is %x: another DKG's", ErrEonMismatch, se.Eon, l.KeyFrom,
			l.EonKey.Bytes(), se.Key)
	}
	return nil
}
