package dkg

import (
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/veil-l2/veil/encmempool/tpke"
	"go.dedis.ch/kyber/v4"
	"go.dedis.ch/kyber/v4/pairing/bls12381/gnark"
	"go.dedis.ch/kyber/v4/share"
	pedersen "go.dedis.ch/kyber/v4/share/dkg/pedersen"
	"go.dedis.ch/kyber/v4/sign"
	"go.dedis.ch/kyber/v4/sign/schnorr"
	"go.dedis.ch/kyber/v4/xof/blake2xb"
)

// Errors of Step and New.
var (
	ErrConfig        = errors.New("dkg: invalid config")
	ErrMalformed     = errors.New("dkg: malformed packet")
	ErrBadSignature  = errors.New("dkg: bad packet signature")
	ErrUnknownSender = errors.New("dkg: packet from an unknown participant")
	ErrEquivocation  = errors.New("dkg: two different packets from one participant")
	ErrLate          = errors.New("dkg: packet for a phase already processed")
	ErrState         = errors.New("dkg: event not valid in this phase")
	ErrFailed        = errors.New("dkg: run failed")
)

// Phase is the state of a run.
type Phase int

// Phases; see the package doc for the transition table.
const (
	// PhaseInit: created, nothing sent yet.
	PhaseInit Phase = iota
	// PhaseDeal: own deal sent, collecting deals.
	PhaseDeal
	// PhaseResponse: deals processed, own responses sent, collecting responses.
	PhaseResponse
	// PhaseJustification: complaints exist; collecting justifications.
	PhaseJustification
	// PhaseDone: finished with a Result.
	PhaseDone
	// PhaseFailed: finished without a key (too few qualified dealers, or
	// this keyper was evicted).
	PhaseFailed
)

func (p Phase) String() string {
	return [...]string{"init", "deal", "response", "justification", "done", "failed"}[p]
}

// Participant is one keyper of the eon's set: its index (0-based, the
// polynomial is evaluated at Index+1) and its long-term DKG key (a G2 point;
// it authenticates packets and receives encrypted deals).
type Participant struct {
	Index  uint32
	Public kyber.Point
}

// Config describes one run.
type Config struct {
	Eon          uint64
	Threshold    uint32
	Participants []Participant
	// Longterm is this keyper's long-term secret; its public key must be in
	// Participants.
	Longterm kyber.Scalar
	// Nonce must be unique per run (see SessionNonce).
	Nonce [32]byte
	// Seed is this keyper's secret randomness for the run.
	Seed [32]byte
}

// Suite returns the kyber suite the DKG runs on: BLS12-381 with points in G2.
func Suite() *gnark.SuiteBLS12381 { return gnark.NewSuiteBLS12381() }

// SessionNonce derives a run's nonce from what every participant agrees on:
// chain id, eon, attempt number and the participants' keys in index order.
func SessionNonce(chainID, eon, attempt uint64, participants []Participant) ([32]byte, error) {
	h := sha256.New()
	h.Write([]byte("veil/dkg/nonce/v1"))
	var b [8]byte
	for _, v := range []uint64{chainID, eon, attempt} {
		binary.BigEndian.PutUint64(b[:], v)
		h.Write(b[:])
	}
	for _, p := range participants {
		binary.BigEndian.PutUint32(b[:4], p.Index)
		h.Write(b[:4])
		pb, err := p.Public.MarshalBinary()
		if err != nil {
			return [32]byte{}, fmt.Errorf("%w: participant %d key: %v", ErrConfig, p.Index, err)
		}
		h.Write(pb)
	}
	var out [32]byte
	h.Sum(out[:0])
	return out, nil
}

// Event is an input of Step.
type Event interface{ event() }

// Start begins the run: the dealer's packet is produced.
type Start struct{}

// DealReceived carries a deal bundle from the network.
type DealReceived struct{ Bundle *pedersen.DealBundle }

// ResponseReceived carries a response bundle from the network.
type ResponseReceived struct{ Bundle *pedersen.ResponseBundle }

// JustificationReceived carries a justification bundle from the network.
type JustificationReceived struct {
	Bundle *pedersen.JustificationBundle
}

// Timeout says the deadline of Phase passed.
type Timeout struct{ Phase Phase }

func (Start) event()                 {}
func (DealReceived) event()          {}
func (ResponseReceived) event()      {}
func (JustificationReceived) event() {}
func (Timeout) event()               {}

// Message is one packet to broadcast; exactly one field is set.
type Message struct {
	Deal          *pedersen.DealBundle
	Response      *pedersen.ResponseBundle
	Justification *pedersen.JustificationBundle
}

// Output is what one Step asks the driver to do.
type Output struct {
	Phase  Phase
	Send   []Message
	Result *Result
	// Failed is set once, when the run ends without a key.
	Failed error
}

// Result is a finished run as seen by one keyper.
type Result struct {
	Eon          uint64
	Threshold    int
	Share        *tpke.SecretShare
	EonPublicKey *tpke.EonPublicKey
	// PublicShares[i] is keyper i's public share, for every participant.
	PublicShares []*tpke.PublicShare
	// Qualified lists the dealers whose polynomials make up the key.
	Qualified []uint32
}

// DKG is one keyper's run. It is not safe for concurrent use: one driver
// owns it.
type DKG struct {
	cfg   Config
	kcfg  *pedersen.Config
	gen   *pedersen.DistKeyGenerator
	self  uint32
	n     int
	phase Phase

	deals   packetSet[*pedersen.DealBundle]
	resps   packetSet[*pedersen.ResponseBundle]
	justifs packetSet[*pedersen.JustificationBundle]
	accused map[uint32]bool // dealers with a complaint, who owe a justification
}

// seededSuite is the gnark suite with its random stream replaced by one
// seeded from the run's Seed, so the core draws no randomness of its own.
type seededSuite struct {
	*gnark.SuiteBLS12381
	stream cipher.Stream
}

func (s *seededSuite) RandomStream() cipher.Stream { return s.stream }

// deterministicSchnorr signs with a nonce derived from the private key and
// the message, like EdDSA: deterministic, and a different message always
// gets a different nonce.
type deterministicSchnorr struct{ sign.Scheme }

func (d deterministicSchnorr) Sign(priv kyber.Scalar, msg []byte) ([]byte, error) {
	pb, err := priv.MarshalBinary()
	if err != nil {
		return nil, err
	}
	seed := sha256.New()
	seed.Write([]byte("veil/dkg/schnorr-nonce/v1"))
	seed.Write(pb)
	seed.Write(msg)
	s := &seededSuite{SuiteBLS12381: Suite(), stream: blake2xb.New(seed.Sum(nil))}
	return schnorr.Sign(s, priv, msg)
}

// New validates cfg and prepares a run.
func New(cfg Config) (*DKG, error) {
	n := len(cfg.Participants)
	if n == 0 {
		return nil, fmt.Errorf("%w: no participants", ErrConfig)
	}
	if cfg.Threshold < 1 || int(cfg.Threshold) > n {
		return nil, fmt.Errorf("%w: threshold %d of %d participants", ErrConfig, cfg.Threshold, n)
	}
	if cfg.Longterm == nil {
		return nil, fmt.Errorf("%w: no long-term key", ErrConfig)
	}
	nodes := make([]pedersen.Node, n)
	seen := map[uint32]bool{}
	for i, p := range cfg.Participants {
		if p.Public == nil {
			return nil, fmt.Errorf("%w: participant %d has no key", ErrConfig, p.Index)
		}
		if int(p.Index) >= n || seen[p.Index] {
			return nil, fmt.Errorf("%w: participant indices must be 0..%d, each once", ErrConfig, n-1)
		}
		seen[p.Index] = true
		nodes[i] = pedersen.Node{Index: p.Index, Public: p.Public}
	}
	pub := Suite().Point().Mul(cfg.Longterm, nil)
	self := -1
	for _, p := range cfg.Participants {
		if p.Public.Equal(pub) {
			self = int(p.Index)
		}
	}
	if self < 0 {
		return nil, fmt.Errorf("%w: own long-term key is not a participant", ErrConfig)
	}
	seed := sha256.Sum256(append(append([]byte("veil/dkg/poly/v1"), cfg.Seed[:]...), cfg.Nonce[:]...))
	stream := blake2xb.New(seed[:])
	suite := &seededSuite{SuiteBLS12381: Suite(), stream: stream}
	kcfg := &pedersen.Config{
		Suite:          suite,
		Longterm:       cfg.Longterm,
		NewNodes:       nodes,
		Threshold:      cfg.Threshold,
		Reader:         streamReader{stream},
		UserReaderOnly: true,
		FastSync:       true,
		Nonce:          cfg.Nonce[:],
		Auth:           deterministicSchnorr{schnorr.NewScheme(Suite())},
	}
	gen, err := pedersen.NewDistKeyHandler(kcfg)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	return &DKG{
		cfg: cfg, kcfg: kcfg, gen: gen, self: uint32(self), n: n,
		deals:   newPacketSet[*pedersen.DealBundle](),
		resps:   newPacketSet[*pedersen.ResponseBundle](),
		justifs: newPacketSet[*pedersen.JustificationBundle](),
		accused: map[uint32]bool{},
	}, nil
}

type streamReader struct{ s cipher.Stream }

func (r streamReader) Read(p []byte) (int, error) {
	clear(p)
	r.s.XORKeyStream(p, p)
	return len(p), nil
}

// Phase returns the current phase.
func (d *DKG) Phase() Phase { return d.phase }

// Index returns this keyper's index.
func (d *DKG) Index() uint32 { return d.self }

// Step applies one event. A returned error concerns that event only (a bad
// packet, an event out of place); the run goes on. The end of the run is
// reported in Output.Result or Output.Failed.
func (d *DKG) Step(ev Event) (Output, error) {
	var out Output
	err := d.step(ev, &out)
	out.Phase = d.phase
	return out, err
}

func (d *DKG) step(ev Event, out *Output) error {
	if d.phase == PhaseDone || d.phase == PhaseFailed {
		return fmt.Errorf("%w: run finished (%s)", ErrState, d.phase)
	}
	switch e := ev.(type) {
	case Start:
		if d.phase != PhaseInit {
			return fmt.Errorf("%w: start in phase %s", ErrState, d.phase)
		}
		b, err := d.gen.Deals()
		if err != nil {
			d.fail(out, err)
			return nil
		}
		d.phase = PhaseDeal
		d.deals.put(d.self, b, hashOf(b))
		out.Send = append(out.Send, Message{Deal: b})
		d.advance(out)
		return nil
	case DealReceived:
		if err := d.checkDeal(e.Bundle); err != nil {
			return err
		}
		if d.phase > PhaseDeal {
			return fmt.Errorf("%w: deal from %d in phase %s", ErrLate, e.Bundle.DealerIndex, d.phase)
		}
		if err := d.deals.put(e.Bundle.DealerIndex, e.Bundle, hashOf(e.Bundle)); err != nil {
			return err
		}
	case ResponseReceived:
		if err := d.checkResponse(e.Bundle); err != nil {
			return err
		}
		if d.phase > PhaseResponse {
			return fmt.Errorf("%w: response from %d in phase %s", ErrLate, e.Bundle.ShareIndex, d.phase)
		}
		if err := d.resps.put(e.Bundle.ShareIndex, e.Bundle, hashOf(e.Bundle)); err != nil {
			return err
		}
	case JustificationReceived:
		if err := d.checkJustification(e.Bundle); err != nil {
			return err
		}
		if err := d.justifs.put(e.Bundle.DealerIndex, e.Bundle, hashOf(e.Bundle)); err != nil {
			return err
		}
	case Timeout:
		if e.Phase != d.phase {
			return fmt.Errorf("%w: timeout of phase %s in phase %s", ErrState, e.Phase, d.phase)
		}
		d.endPhase(out)
		d.advance(out)
		return nil
	default:
		return fmt.Errorf("%w: unknown event %T", ErrState, ev)
	}
	d.advance(out)
	return nil
}

// advance ends phases whose packets are all in, as long as it can.
func (d *DKG) advance(out *Output) {
	for {
		switch d.phase {
		case PhaseDeal:
			if d.deals.len() < d.n {
				return
			}
		case PhaseResponse:
			if d.resps.len() < d.n {
				return
			}
		case PhaseJustification:
			for a := range d.accused {
				if !d.justifs.has(a) {
					return
				}
			}
		default:
			return
		}
		d.endPhase(out)
	}
}

// endPhase hands the collected packets of the current phase to kyber.
func (d *DKG) endPhase(out *Output) {
	switch d.phase {
	case PhaseDeal:
		resp, err := d.gen.ProcessDeals(d.deals.sorted())
		if err != nil {
			d.fail(out, err)
			return
		}
		d.phase = PhaseResponse
		if resp != nil {
			d.resps.put(d.self, resp, hashOf(resp))
			out.Send = append(out.Send, Message{Response: resp})
		}
	case PhaseResponse:
		resps := d.resps.sorted()
		for _, r := range resps {
			for _, x := range r.Responses {
				if x.Status == pedersen.Complaint {
					d.accused[x.DealerIndex] = true
				}
			}
		}
		res, just, err := d.gen.ProcessResponses(resps)
		switch {
		case err != nil:
			d.fail(out, err)
		case res != nil:
			d.finish(out, res)
		default:
			d.phase = PhaseJustification
			if just != nil {
				d.justifs.put(d.self, just, hashOf(just))
				out.Send = append(out.Send, Message{Justification: just})
			}
		}
	case PhaseJustification:
		res, err := d.gen.ProcessJustifications(d.justifs.sorted())
		if err != nil {
			d.fail(out, err)
			return
		}
		if res == nil {
			d.fail(out, errors.New("no result"))
			return
		}
		d.finish(out, res)
	}
}

func (d *DKG) fail(out *Output, err error) {
	d.phase = PhaseFailed
	out.Failed = fmt.Errorf("%w: eon %d: %v", ErrFailed, d.cfg.Eon, err)
}

func (d *DKG) finish(out *Output, res *pedersen.Result) {
	r, err := d.convert(res)
	if err != nil {
		d.fail(out, err)
		return
	}
	d.phase = PhaseDone
	out.Result = r
}

// convert hands kyber's result to tpke, through the byte encodings both
// libraries share (once per eon).
func (d *DKG) convert(res *pedersen.Result) (*Result, error) {
	sb, err := res.Key.Share.V.MarshalBinary()
	if err != nil {
		return nil, err
	}
	sec, err := tpke.ParseSecretShare(int(res.Key.Share.I), sb)
	if err != nil {
		return nil, err
	}
	pkb, err := res.Key.Public().MarshalBinary()
	if err != nil {
		return nil, err
	}
	pk, err := tpke.ParseEonPublicKey(pkb)
	if err != nil {
		return nil, err
	}
	poly := share.NewPubPoly(Suite(), nil, res.Key.Commits)
	pubs := make([]*tpke.PublicShare, d.n)
	for i := range d.n {
		b, err := poly.Eval(uint32(i)).V.MarshalBinary()
		if err != nil {
			return nil, err
		}
		if pubs[i], err = tpke.ParsePublicShare(i, b); err != nil {
			return nil, err
		}
	}
	if !slices.Equal(sec.PublicShare().Bytes(), pubs[sec.Index].Bytes()) {
		return nil, errors.New("own share does not match the public polynomial")
	}
	qual := make([]uint32, 0, len(res.QUAL))
	for _, q := range res.QUAL {
		qual = append(qual, q.Index)
	}
	slices.Sort(qual)
	return &Result{
		Eon: d.cfg.Eon, Threshold: int(d.cfg.Threshold), Share: sec,
		EonPublicKey: pk, PublicShares: pubs, Qualified: qual,
	}, nil
}
