package dkg

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/rlp"
	"go.dedis.ch/kyber/v4"
	pedersen "go.dedis.ch/kyber/v4/share/dkg/pedersen"
)

// ErrWire reports a DKG packet that does not decode.
var ErrWire = errors.New("dkg: malformed packet encoding")

// Packet kinds on the wire.
const (
	kindDeal          = 1
	kindResponse      = 2
	kindJustification = 3
)

// Wire size bounds: a committee has at most MaxParticipants members.
const (
	MaxParticipants  = 256
	maxEncryptedDeal = 1024
)

type wirePacket struct {
	Kind          uint8
	Deal          *wireDeal          `rlp:"nil"`
	Response      *wireResponse      `rlp:"nil"`
	Justification *wireJustification `rlp:"nil"`
}

type wireDeal struct {
	DealerIndex uint32
	Deals       []wireDealEntry
	Public      [][]byte
	SessionID   []byte
	Signature   []byte
}

type wireDealEntry struct {
	ShareIndex     uint32
	EncryptedShare []byte
}

type wireResponse struct {
	ShareIndex uint32
	Responses  []wireResponseEntry
	SessionID  []byte
	Signature  []byte
}

type wireResponseEntry struct {
	DealerIndex uint32
	Complaint   bool
}

type wireJustification struct {
	DealerIndex    uint32
	Justifications []wireJustEntry
	SessionID      []byte
	Signature      []byte
}

type wireJustEntry struct {
	ShareIndex uint32
	Share      []byte
}

// EncodeMessage encodes one packet for the network.
func EncodeMessage(m Message) ([]byte, error) {
	var p wirePacket
	switch {
	case m.Deal != nil:
		d := &wireDeal{DealerIndex: m.Deal.DealerIndex, SessionID: m.Deal.SessionID, Signature: m.Deal.Signature}
		for _, x := range m.Deal.Deals {
			d.Deals = append(d.Deals, wireDealEntry{ShareIndex: x.ShareIndex, EncryptedShare: x.EncryptedShare})
		}
		for _, pt := range m.Deal.Public {
			b, err := pt.MarshalBinary()
			if err != nil {
				return nil, err
			}
			d.Public = append(d.Public, b)
		}
		p = wirePacket{Kind: kindDeal, Deal: d}
	case m.Response != nil:
		r := &wireResponse{ShareIndex: m.Response.ShareIndex, SessionID: m.Response.SessionID, Signature: m.Response.Signature}
		for _, x := range m.Response.Responses {
			r.Responses = append(r.Responses, wireResponseEntry{DealerIndex: x.DealerIndex, Complaint: x.Status == pedersen.Complaint})
		}
		p = wirePacket{Kind: kindResponse, Response: r}
	case m.Justification != nil:
		j := &wireJustification{DealerIndex: m.Justification.DealerIndex, SessionID: m.Justification.SessionID, Signature: m.Justification.Signature}
		for _, x := range m.Justification.Justifications {
			b, err := x.Share.MarshalBinary()
			if err != nil {
				return nil, err
			}
			j.Justifications = append(j.Justifications, wireJustEntry{ShareIndex: x.ShareIndex, Share: b})
		}
		p = wirePacket{Kind: kindJustification, Justification: j}
	default:
		return nil, fmt.Errorf("%w: empty message", ErrWire)
	}
	return rlp.EncodeToBytes(&p)
}

// DecodeMessage decodes a packet strictly: one kind, bounded lists, points
// on the curve and in G2, canonical scalars. It does not check signatures
// (Step does).
func DecodeMessage(raw []byte) (Message, error) {
	var p wirePacket
	if err := rlp.DecodeBytes(raw, &p); err != nil {
		return Message{}, fmt.Errorf("%w: %v", ErrWire, err)
	}
	set := 0
	for _, ok := range []bool{p.Deal != nil, p.Response != nil, p.Justification != nil} {
		if ok {
			set++
		}
	}
	if set != 1 {
		return Message{}, fmt.Errorf("%w: %d bodies", ErrWire, set)
	}
	suite := Suite()
	switch {
	case p.Kind == kindDeal && p.Deal != nil:
		d := p.Deal
		if len(d.Deals) > MaxParticipants || len(d.Public) > MaxParticipants {
			return Message{}, fmt.Errorf("%w: deal too long", ErrWire)
		}
		out := &pedersen.DealBundle{DealerIndex: d.DealerIndex, SessionID: d.SessionID, Signature: d.Signature}
		for _, x := range d.Deals {
			if len(x.EncryptedShare) > maxEncryptedDeal {
				return Message{}, fmt.Errorf("%w: encrypted share of %d bytes", ErrWire, len(x.EncryptedShare))
			}
			out.Deals = append(out.Deals, pedersen.Deal{ShareIndex: x.ShareIndex, EncryptedShare: x.EncryptedShare})
		}
		for _, b := range d.Public {
			pt, err := decodePoint(suite.Point(), b)
			if err != nil {
				return Message{}, err
			}
			out.Public = append(out.Public, pt)
		}
		return Message{Deal: out}, nil
	case p.Kind == kindResponse && p.Response != nil:
		r := p.Response
		if len(r.Responses) > MaxParticipants {
			return Message{}, fmt.Errorf("%w: response too long", ErrWire)
		}
		out := &pedersen.ResponseBundle{ShareIndex: r.ShareIndex, SessionID: r.SessionID, Signature: r.Signature}
		for _, x := range r.Responses {
			st := pedersen.Success
			if x.Complaint {
				st = pedersen.Complaint
			}
			out.Responses = append(out.Responses, pedersen.Response{DealerIndex: x.DealerIndex, Status: st})
		}
		return Message{Response: out}, nil
	case p.Kind == kindJustification && p.Justification != nil:
		j := p.Justification
		if len(j.Justifications) > MaxParticipants {
			return Message{}, fmt.Errorf("%w: justification too long", ErrWire)
		}
		out := &pedersen.JustificationBundle{DealerIndex: j.DealerIndex, SessionID: j.SessionID, Signature: j.Signature}
		for _, x := range j.Justifications {
			s := suite.Scalar()
			if len(x.Share) != s.MarshalSize() {
				return Message{}, fmt.Errorf("%w: share of %d bytes", ErrWire, len(x.Share))
			}
			if err := s.UnmarshalBinary(x.Share); err != nil {
				return Message{}, fmt.Errorf("%w: share: %v", ErrWire, err)
			}
			if back, _ := s.MarshalBinary(); !bytes.Equal(back, x.Share) {
				return Message{}, fmt.Errorf("%w: share not below the group order", ErrWire)
			}
			out.Justifications = append(out.Justifications, pedersen.Justification{ShareIndex: x.ShareIndex, Share: s})
		}
		return Message{Justification: out}, nil
	}
	return Message{}, fmt.Errorf("%w: kind %d", ErrWire, p.Kind)
}

// decodePoint decodes a G2 point strictly (kyber's gnark decoding checks
// the curve and the subgroup) and requires the canonical encoding.
func decodePoint(pt kyber.Point, b []byte) (kyber.Point, error) {
	if len(b) != pt.MarshalSize() {
		return nil, fmt.Errorf("%w: point of %d bytes", ErrWire, len(b))
	}
	if err := pt.UnmarshalBinary(b); err != nil {
		return nil, fmt.Errorf("%w: point: %v", ErrWire, err)
	}
	if back, _ := pt.MarshalBinary(); !bytes.Equal(back, b) {
		return nil, fmt.Errorf("%w: point not canonical", ErrWire)
	}
	return pt, nil
}
