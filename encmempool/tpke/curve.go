package tpke

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"
	"sync"

	bls "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bls12-381/fp"
	"github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
)

// Encoded sizes (ZCash compressed serialization, SPEC-tpke.md notation).
const (
	G1Size     = bls.SizeOfG1AffineCompressed // 48
	G2Size     = bls.SizeOfG2AffineCompressed // 96
	ScalarSize = fr.Bytes                     // 32
)

// Decoding errors. Every decoder in this package returns one of these
// (wrapped) for bad input, never panics.
var (
	ErrLength          = errors.New("tpke: wrong length")
	ErrVersion         = errors.New("tpke: unknown version")
	ErrPointEncoding   = errors.New("tpke: malformed point encoding")
	ErrNotOnCurve      = errors.New("tpke: point not on the curve")
	ErrNotInSubgroup   = errors.New("tpke: point not in the prime-order subgroup")
	ErrInfinity        = errors.New("tpke: point at infinity")
	ErrScalarRange     = errors.New("tpke: scalar not below the group order")
	ErrBucket          = errors.New("tpke: ciphertext length is not a valid bucket")
	ErrPlaintextTooBig = errors.New("tpke: plaintext too large")
)

// ZCash serialization flag bits in the first byte.
const (
	flagCompressed = 0x80
	flagInfinity   = 0x40
	flagSort       = 0x20
	flagMask       = flagCompressed | flagInfinity | flagSort
)

// checkCompressed validates the flag bits and the x coordinate range of a
// compressed point of size size (G1: one Fp, G2: two Fp) before it reaches
// gnark, so that each failure gets its own name.
func checkCompressed(b []byte, size int) error {
	if len(b) != size {
		return fmt.Errorf("%w: point of %d bytes, want %d", ErrLength, len(b), size)
	}
	flags := b[0] & flagMask
	if flags&flagCompressed == 0 {
		return fmt.Errorf("%w: compression flag not set", ErrPointEncoding)
	}
	if flags&flagInfinity != 0 {
		if flags&flagSort != 0 || b[0]&^flagMask != 0 || !allZero(b[1:]) {
			return fmt.Errorf("%w: infinity with non-zero bits", ErrPointEncoding)
		}
		return ErrInfinity
	}
	var x [fp.Bytes]byte
	for off := 0; off < size; off += fp.Bytes {
		copy(x[:], b[off:off+fp.Bytes])
		if off == 0 {
			x[0] &^= flagMask
		}
		var e fp.Element
		if err := e.SetBytesCanonical(x[:]); err != nil {
			return fmt.Errorf("%w: coordinate not below the field modulus", ErrPointEncoding)
		}
	}
	return nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// decodeG1 decodes a compressed G1 point. It checks the curve equation but
// leaves the subgroup check to the caller when subgroup is false (batched
// callers check many points at once).
func decodeG1(b []byte, subgroup bool) (bls.G1Affine, error) {
	var p bls.G1Affine
	if err := checkCompressed(b, G1Size); err != nil {
		return p, err
	}
	if err := bls.NewDecoder(bytes.NewReader(b), bls.NoSubgroupChecks()).Decode(&p); err != nil {
		return p, fmt.Errorf("%w: %v", ErrNotOnCurve, err)
	}
	if subgroup && !p.IsInSubGroup() {
		return p, ErrNotInSubgroup
	}
	return p, nil
}

// decodeG2 decodes a compressed G2 point, on the curve, in the subgroup and
// not at infinity.
func decodeG2(b []byte) (bls.G2Affine, error) { return decodeG2Checked(b, true) }

// decodeG2Checked decodes a compressed G2 point, with the subgroup check
// when subgroup is set.
func decodeG2Checked(b []byte, subgroup bool) (bls.G2Affine, error) {
	var p bls.G2Affine
	if err := checkCompressed(b, G2Size); err != nil {
		return p, err
	}
	if err := bls.NewDecoder(bytes.NewReader(b), bls.NoSubgroupChecks()).Decode(&p); err != nil {
		return p, fmt.Errorf("%w: %v", ErrNotOnCurve, err)
	}
	if subgroup && !p.IsInSubGroup() {
		return p, ErrNotInSubgroup
	}
	return p, nil
}

// decodeScalar decodes a 32-byte big-endian scalar below the group order.
func decodeScalar(b []byte) (fr.Element, error) {
	var s fr.Element
	if len(b) != ScalarSize {
		return s, fmt.Errorf("%w: scalar of %d bytes, want %d", ErrLength, len(b), ScalarSize)
	}
	if err := s.SetBytesCanonical(b); err != nil {
		return s, ErrScalarRange
	}
	return s, nil
}

func bigInt(s *fr.Element) *big.Int {
	var b big.Int
	return s.BigInt(&b)
}

// generators
var (
	g1Gen, g2Gen = func() (bls.G1Affine, bls.G2Affine) {
		_, _, a, b := bls.Generators()
		return a, b
	}()
	g2Lines = sync.OnceValue(func() *[2][len(bls.LoopCounter) - 1]bls.LineEvaluationAff {
		l := bls.PrecomputeLines(g2Gen)
		return &l
	})
)

// g2Prepared is a G2 point that is paired often (the generator, an eon key,
// a keyper's public share): its Miller loop lines are computed once.
type g2Prepared struct {
	p     bls.G2Affine
	once  sync.Once
	lines [2][len(bls.LoopCounter) - 1]bls.LineEvaluationAff
}

func (g *g2Prepared) prepared() *[2][len(bls.LoopCounter) - 1]bls.LineEvaluationAff {
	g.once.Do(func() { g.lines = bls.PrecomputeLines(g.p) })
	return &g.lines
}

// checkPairs reports whether e(a, g2) = e(b, q), as one two-term multi-pairing
// with the G2 lines precomputed.
func checkPairs(a, b *bls.G1Affine, q *g2Prepared) bool {
	var nb bls.G1Affine
	nb.Neg(b)
	ok, err := bls.PairingCheckFixedQ(
		[]bls.G1Affine{*a, nb},
		[][2][len(bls.LoopCounter) - 1]bls.LineEvaluationAff{*g2Lines(), *q.prepared()},
	)
	return err == nil && ok
}

// g2 fixed-base table: table[i][d-1] = d·2^(8i)·g2, so that ρ·g2 costs 32
// mixed additions instead of a full scalar multiplication. Built on first use
// (about 8,000 points, 1.5 MB).
const fbWindows = 32

var g2Table = sync.OnceValue(func() *[fbWindows][255]bls.G2Affine {
	var t [fbWindows][255]bls.G2Affine
	var base bls.G2Jac
	base.FromAffine(&g2Gen)
	for i := range fbWindows {
		var acc bls.G2Jac
		acc.Set(&base)
		for d := range 255 {
			t[i][d].FromJacobian(&acc)
			acc.AddAssign(&base)
		}
		// acc = 256·base now
		base.Set(&acc)
	}
	return &t
})

// mulG2Base returns s·g2.
func mulG2Base(s *fr.Element) bls.G2Affine {
	t := g2Table()
	b := s.Bytes() // big-endian
	var acc bls.G2Jac
	first := true
	for i := range fbWindows {
		d := b[ScalarSize-1-i]
		if d == 0 {
			continue
		}
		if first {
			acc.FromAffine(&t[i][d-1])
			first = false
			continue
		}
		acc.AddMixed(&t[i][d-1])
	}
	var out bls.G2Affine
	if first {
		out.SetInfinity()
		return out
	}
	out.FromJacobian(&acc)
	return out
}
