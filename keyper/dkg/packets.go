package dkg

import (
	"bytes"
	"fmt"
	"slices"

	pedersen "go.dedis.ch/kyber/v4/share/dkg/pedersen"
)

// packetSet holds at most one packet of a kind per participant. A second,
// different packet from the same participant is equivocation: both are
// dropped and the participant's packets of that kind are ignored from then
// on (as kyber's own protocol runner does).
type packetSet[T pedersen.Packet] struct {
	vals   map[uint32]T
	hashes map[uint32][]byte
	bad    map[uint32]bool
}

func newPacketSet[T pedersen.Packet]() packetSet[T] {
	return packetSet[T]{vals: map[uint32]T{}, hashes: map[uint32][]byte{}, bad: map[uint32]bool{}}
}

func (s *packetSet[T]) put(idx uint32, p T, h []byte) error {
	if s.bad[idx] {
		return fmt.Errorf("%w: participant %d", ErrEquivocation, idx)
	}
	if prev, ok := s.hashes[idx]; ok {
		if bytes.Equal(prev, h) {
			return nil // the same packet again
		}
		delete(s.vals, idx)
		delete(s.hashes, idx)
		s.bad[idx] = true
		return fmt.Errorf("%w: participant %d", ErrEquivocation, idx)
	}
	s.vals[idx], s.hashes[idx] = p, h
	return nil
}

func (s *packetSet[T]) has(idx uint32) bool { _, ok := s.vals[idx]; return ok }

// len counts participants heard from, including those dropped for
// equivocation: nothing more will come from them.
func (s *packetSet[T]) len() int { return len(s.vals) + len(s.bad) }

// sorted returns the packets in participant order, so that kyber sees the
// same input on every run.
func (s *packetSet[T]) sorted() []T {
	idx := make([]uint32, 0, len(s.vals))
	for i := range s.vals {
		idx = append(idx, i)
	}
	slices.Sort(idx)
	out := make([]T, len(idx))
	for k, i := range idx {
		out[k] = s.vals[i]
	}
	return out
}

func hashOf(p pedersen.Packet) []byte {
	h, err := p.Hash()
	if err != nil {
		return nil
	}
	return h
}

func (d *DKG) checkSender(idx uint32) error {
	if int(idx) >= d.n {
		return fmt.Errorf("%w: index %d of %d", ErrUnknownSender, idx, d.n)
	}
	return nil
}

func (d *DKG) checkSession(id []byte) error {
	if !bytes.Equal(id, d.cfg.Nonce[:]) {
		return fmt.Errorf("%w: packet of another session", ErrMalformed)
	}
	return nil
}

func (d *DKG) verify(p pedersen.Packet) error {
	if err := pedersen.VerifyPacketSignature(d.kcfg, p); err != nil {
		return fmt.Errorf("%w: from %d: %v", ErrBadSignature, p.Index(), err)
	}
	return nil
}

func (d *DKG) checkDeal(b *pedersen.DealBundle) error {
	if b == nil {
		return fmt.Errorf("%w: nil deal", ErrMalformed)
	}
	if err := d.checkSender(b.DealerIndex); err != nil {
		return err
	}
	if err := d.checkSession(b.SessionID); err != nil {
		return err
	}
	if len(b.Public) != int(d.cfg.Threshold) {
		return fmt.Errorf("%w: deal from %d commits to %d coefficients, want %d",
			ErrMalformed, b.DealerIndex, len(b.Public), d.cfg.Threshold)
	}
	for _, p := range b.Public {
		if p == nil {
			return fmt.Errorf("%w: deal from %d has a nil commitment", ErrMalformed, b.DealerIndex)
		}
	}
	if len(b.Deals) > d.n {
		return fmt.Errorf("%w: deal from %d has %d shares", ErrMalformed, b.DealerIndex, len(b.Deals))
	}
	for _, x := range b.Deals {
		if int(x.ShareIndex) >= d.n || len(x.EncryptedShare) == 0 {
			return fmt.Errorf("%w: deal from %d has a bad share entry", ErrMalformed, b.DealerIndex)
		}
	}
	return d.verify(b)
}

func (d *DKG) checkResponse(b *pedersen.ResponseBundle) error {
	if b == nil {
		return fmt.Errorf("%w: nil response", ErrMalformed)
	}
	if err := d.checkSender(b.ShareIndex); err != nil {
		return err
	}
	if err := d.checkSession(b.SessionID); err != nil {
		return err
	}
	if len(b.Responses) > d.n {
		return fmt.Errorf("%w: response from %d has %d entries", ErrMalformed, b.ShareIndex, len(b.Responses))
	}
	for _, r := range b.Responses {
		if int(r.DealerIndex) >= d.n || (r.Status != pedersen.Success && r.Status != pedersen.Complaint) {
			return fmt.Errorf("%w: response from %d has a bad entry", ErrMalformed, b.ShareIndex)
		}
	}
	return d.verify(b)
}

func (d *DKG) checkJustification(b *pedersen.JustificationBundle) error {
	if b == nil {
		return fmt.Errorf("%w: nil justification", ErrMalformed)
	}
	if err := d.checkSender(b.DealerIndex); err != nil {
		return err
	}
	if err := d.checkSession(b.SessionID); err != nil {
		return err
	}
	if len(b.Justifications) > d.n {
		return fmt.Errorf("%w: justification from %d has %d entries", ErrMalformed, b.DealerIndex, len(b.Justifications))
	}
	for _, j := range b.Justifications {
		if int(j.ShareIndex) >= d.n || j.Share == nil {
			return fmt.Errorf("%w: justification from %d has a bad entry", ErrMalformed, b.DealerIndex)
		}
	}
	return d.verify(b)
}
