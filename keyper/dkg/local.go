package dkg

import (
	"crypto/rand"
	"errors"
	"fmt"

	"go.dedis.ch/kyber/v4"
	"go.dedis.ch/kyber/v4/util/random"
)

// NewLongterm draws a long-term DKG key pair from crypto/rand.
func NewLongterm() (kyber.Scalar, kyber.Point) {
	s := Suite().Scalar().Pick(random.New(rand.Reader))
	return s, Suite().Point().Mul(s, nil)
}

// LocalCommittee is an in-process driver for n cores that share a perfect
// broadcast bus: every message is delivered to every other running keyper;
// when nothing is in flight the current phase times out everywhere. It serves
// the demo and in-process devnets, and its Filter lets tests inject faults.
type LocalCommittee struct {
	// Filter, when set, sees every message before delivery and may replace
	// it or drop it (return false).
	Filter func(from uint32, m Message) (Message, bool)
	// Offline keypers never start and receive nothing.
	Offline map[uint32]bool
	// OnError, when set, is told of every error a Step returned (bad packets
	// rejected by a core).
	OnError func(keyper uint32, err error)

	cores []*DKG
}

// NewLocalCommittee creates the cores for the given configs (one per keyper).
func NewLocalCommittee(cfgs []Config) (*LocalCommittee, error) {
	lc := &LocalCommittee{Offline: map[uint32]bool{}}
	for _, c := range cfgs {
		d, err := New(c)
		if err != nil {
			return nil, err
		}
		lc.cores = append(lc.cores, d)
	}
	return lc, nil
}

// LocalConfigs makes configs for a fresh committee of n keypers with new
// long-term keys, a nonce for (chainID, eon) and fresh seeds.
func LocalConfigs(chainID, eon uint64, n, threshold int) ([]Config, error) {
	if n <= 0 {
		return nil, fmt.Errorf("%w: %d keypers", ErrConfig, n)
	}
	secrets := make([]kyber.Scalar, n)
	parts := make([]Participant, n)
	for i := range n {
		var pub kyber.Point
		secrets[i], pub = NewLongterm()
		parts[i] = Participant{Index: uint32(i), Public: pub}
	}
	return ConfigsFor(chainID, eon, threshold, parts, secrets)
}

// ConfigsFor makes one config per secret for the given participants.
func ConfigsFor(chainID, eon uint64, threshold int, parts []Participant, secrets []kyber.Scalar) ([]Config, error) {
	nonce, err := SessionNonce(chainID, eon, 0, parts)
	if err != nil {
		return nil, err
	}
	cfgs := make([]Config, len(secrets))
	for i, s := range secrets {
		cfgs[i] = Config{Eon: eon, Threshold: uint32(threshold), Participants: parts, Longterm: s, Nonce: nonce}
		if _, err := rand.Read(cfgs[i].Seed[:]); err != nil {
			return nil, err
		}
	}
	return cfgs, nil
}

type envelope struct {
	from uint32
	msg  Message
}

// Run drives every online core to the end and returns each keyper's result
// (nil for offline or failed keypers) and each keyper's failure.
func (lc *LocalCommittee) Run() ([]*Result, []error) {
	n := len(lc.cores)
	results := make([]*Result, n)
	fails := make([]error, n)
	var queue []envelope
	handle := func(i int, out Output, err error) {
		if err != nil && lc.OnError != nil {
			lc.OnError(uint32(i), err)
		}
		for _, m := range out.Send {
			queue = append(queue, envelope{from: uint32(i), msg: m})
		}
		if out.Result != nil {
			results[i] = out.Result
		}
		if out.Failed != nil {
			fails[i] = out.Failed
		}
	}
	for i, c := range lc.cores {
		if lc.Offline[uint32(i)] {
			fails[i] = errors.New("offline")
			continue
		}
		out, err := c.Step(Start{})
		handle(i, out, err)
	}
	for rounds := 0; rounds < 16; rounds++ {
		for len(queue) > 0 {
			e := queue[0]
			queue = queue[1:]
			msg, ok := e.msg, true
			if lc.Filter != nil {
				msg, ok = lc.Filter(e.from, msg)
			}
			if !ok {
				continue
			}
			for i, c := range lc.cores {
				if uint32(i) == e.from || lc.Offline[uint32(i)] || finished(c) {
					continue
				}
				out, err := c.Step(eventOf(msg))
				handle(i, out, err)
			}
		}
		// Quiet: the current phase of every running core times out.
		running := false
		for i, c := range lc.cores {
			if lc.Offline[uint32(i)] || finished(c) {
				continue
			}
			running = true
			out, err := c.Step(Timeout{Phase: c.Phase()})
			handle(i, out, err)
		}
		if !running {
			break
		}
	}
	return results, fails
}

func finished(d *DKG) bool { return d.phase == PhaseDone || d.phase == PhaseFailed }

func eventOf(m Message) Event {
	switch {
	case m.Deal != nil:
		return DealReceived{Bundle: m.Deal}
	case m.Response != nil:
		return ResponseReceived{Bundle: m.Response}
	default:
		return JustificationReceived{Bundle: m.Justification}
	}
}

// RunLocal runs a fresh in-process DKG of n keypers with the given
// threshold on a perfect bus and returns every keyper's result, or an
// error when any keyper ended without one or the keypers disagree on the
// eon key. Demos, devnets and tests use it.
func RunLocal(chainID, eon uint64, n, threshold int) ([]*Result, error) {
	cfgs, err := LocalConfigs(chainID, eon, n, threshold)
	if err != nil {
		return nil, err
	}
	lc, err := NewLocalCommittee(cfgs)
	if err != nil {
		return nil, err
	}
	results, fails := lc.Run()
	for i, r := range results {
		if r == nil {
			return nil, fmt.Errorf("dkg: keyper %d ended without a key: %w", i, fails[i])
		}
		if !r.EonPublicKey.Equal(results[0].EonPublicKey) {
			return nil, fmt.Errorf("dkg: keyper %d's eon key differs from keyper 0's", i)
		}
	}
	return results, nil
}
