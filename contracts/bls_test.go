package contracts_test

import (
	"bytes"
	"errors"
	"testing"

	bls "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bls12-381/fp"

	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool/tpke"
)

// g1OffSubgroup is a point on the G1 curve outside the prime-order subgroup.
func g1OffSubgroup(t *testing.T) bls.G1Affine {
	t.Helper()
	var p bls.G1Affine
	for x := uint64(1); x < 1000; x++ {
		var rhs, b fp.Element
		p.X.SetUint64(x)
		rhs.Square(&p.X).Mul(&rhs, &p.X)
		b.SetUint64(4)
		rhs.Add(&rhs, &b)
		if p.Y.Sqrt(&rhs) == nil {
			continue
		}
		if p.IsOnCurve() && !p.IsInSubGroup() {
			return p
		}
	}
	t.Fatal("no G1 point outside the subgroup found")
	return p
}

// g2OffSubgroup is a point on the G2 curve outside the prime-order subgroup.
func g2OffSubgroup(t *testing.T) bls.G2Affine {
	t.Helper()
	var p bls.G2Affine
	var b bls.E2
	b.A0.SetUint64(4)
	b.A1.SetUint64(4)
	for x := uint64(1); x < 1000; x++ {
		var rhs bls.E2
		p.X.A0.SetUint64(x)
		p.X.A1.SetUint64(1)
		rhs.Square(&p.X).Mul(&rhs, &p.X).Add(&rhs, &b)
		if rhs.Legendre() != 1 {
			continue
		}
		p.Y.Sqrt(&rhs)
		if p.IsOnCurve() && !p.IsInSubGroup() {
			return p
		}
	}
	t.Fatal("no G2 point outside the subgroup found")
	return p
}

// badEncodings derives malformed variants of a valid EIP-2537 point enc
// (of either group), each with the error DecodeG1/DecodeG2 must give.
func badEncodings(enc, offSubgroup []byte) map[string]struct {
	b    []byte
	want error
} {
	mod := func(f func(b []byte)) []byte {
		b := bytes.Clone(enc)
		f(b)
		return b
	}
	p := fp.Modulus().FillBytes(make([]byte, fp.Bytes))
	return map[string]struct {
		b    []byte
		want error
	}{
		"infinity":          {make([]byte, len(enc)), contracts.ErrPointInfinity},
		"non-zero padding":  {mod(func(b []byte) { b[0] = 1 }), contracts.ErrPointEncoding},
		"coordinate p":      {mod(func(b []byte) { copy(b[16:64], p) }), contracts.ErrPointEncoding},
		"not on the curve":  {mod(func(b []byte) { b[len(b)-1] ^= 1 }), contracts.ErrPointNotOnCurve},
		"outside subgroup":  {offSubgroup, contracts.ErrPointSubgroup},
		"one byte short":    {enc[:len(enc)-1], contracts.ErrPointLength},
		"one byte too long": {append(bytes.Clone(enc), 0), contracts.ErrPointLength},
	}
}

// badG2Encodings are malformed 256-byte eon keys that KeyBroadcast must refuse.
func badG2Encodings(t *testing.T, key []byte) map[string][]byte {
	off := g2OffSubgroup(t)
	out := map[string][]byte{}
	for name, c := range badEncodings(key, contracts.EncodeG2(&off)) {
		if len(c.b) == len(key) {
			out[name] = c.b
		}
	}
	return out
}

func TestPointEncodingRoundTrip(t *testing.T) {
	t.Parallel()
	res := committee(t, 1)
	pk := res[0].EonPublicKey.Bytes()
	enc, err := contracts.EonKeyToL1(pk)
	if err != nil || len(enc) != contracts.G2EncodedSize {
		t.Fatalf("EonKeyToL1: %d bytes, %v", len(enc), err)
	}
	back, err := contracts.EonKeyFromL1(enc)
	if err != nil || !bytes.Equal(back, pk) {
		t.Fatalf("EonKeyFromL1: %x, %v; want %x", back, err, pk)
	}
	parsed, err := tpke.ParseEonPublicKey(back)
	if err != nil || !parsed.Equal(res[0].EonPublicKey) {
		t.Fatalf("tpke does not take the key back: %v", err)
	}
	// The affine coordinates sit right-aligned in 64-byte words.
	var p bls.G2Affine
	if _, err := p.SetBytes(pk); err != nil {
		t.Fatal(err)
	}
	x0 := p.X.A0.Bytes()
	if !bytes.Equal(enc[16:64], x0[:]) || !bytes.Equal(enc[:16], make([]byte, 16)) {
		t.Errorf("x.c0 is not the first coordinate")
	}

	q := tpke.BatchIdentity(l2ChainID, 1, 1, [32]byte{1}).Point()
	key := res[0].Share.KeyShare(q) // any G1 point of the subgroup
	att, err := contracts.AttestationToL1(key.Bytes())
	if err != nil || len(att) != contracts.G1EncodedSize {
		t.Fatalf("AttestationToL1: %d bytes, %v", len(att), err)
	}
	if back, err := contracts.AttestationFromL1(att); err != nil || !bytes.Equal(back, key.Bytes()) {
		t.Fatalf("AttestationFromL1: %x, %v", back, err)
	}
	var inf1 bls.G1Affine
	var inf2 bls.G2Affine
	if !bytes.Equal(contracts.EncodeG1(&inf1), make([]byte, 128)) || !bytes.Equal(contracts.EncodeG2(&inf2), make([]byte, 256)) {
		t.Error("the point at infinity does not encode as zeros")
	}
}

func TestPointDecodingErrors(t *testing.T) {
	t.Parallel()
	_, _, g1, g2 := bls.Generators()
	off1, off2 := g1OffSubgroup(t), g2OffSubgroup(t)
	for name, c := range badEncodings(contracts.EncodeG1(&g1), contracts.EncodeG1(&off1)) {
		if _, err := contracts.DecodeG1(c.b); !errors.Is(err, c.want) {
			t.Errorf("G1 %s: %v, want %v", name, err, c.want)
		}
		if _, err := contracts.AttestationFromL1(c.b); !errors.Is(err, c.want) {
			t.Errorf("AttestationFromL1 %s: %v, want %v", name, err, c.want)
		}
	}
	for name, c := range badEncodings(contracts.EncodeG2(&g2), contracts.EncodeG2(&off2)) {
		if _, err := contracts.DecodeG2(c.b); !errors.Is(err, c.want) {
			t.Errorf("G2 %s: %v, want %v", name, err, c.want)
		}
		if _, err := contracts.EonKeyFromL1(c.b); !errors.Is(err, c.want) {
			t.Errorf("EonKeyFromL1 %s: %v, want %v", name, err, c.want)
		}
	}
	if p, err := contracts.DecodeG1(contracts.EncodeG1(&g1)); err != nil || !p.Equal(&g1) {
		t.Errorf("g1 does not round-trip: %v", err)
	}
	if p, err := contracts.DecodeG2(contracts.EncodeG2(&g2)); err != nil || !p.Equal(&g2) {
		t.Errorf("g2 does not round-trip: %v", err)
	}
}

func TestCompressedConversionErrors(t *testing.T) {
	t.Parallel()
	_, _, g1, g2 := bls.Generators()
	off1, off2 := g1OffSubgroup(t), g2OffSubgroup(t)
	c1, c2 := g1.Bytes(), g2.Bytes()
	o1, o2 := off1.Bytes(), off2.Bytes()
	inf1 := append([]byte{0xc0}, make([]byte, 47)...)
	inf2 := append([]byte{0xc0}, make([]byte, 95)...)
	uncompressed1, uncompressed2 := g1.RawBytes(), g2.RawBytes()
	for _, c := range []struct {
		name string
		f    func([]byte) ([]byte, error)
		in   []byte
		want error
	}{
		{"eon key: short", contracts.EonKeyToL1, c2[:95], contracts.ErrPointLength},
		{"eon key: uncompressed form", contracts.EonKeyToL1, uncompressed2[:], contracts.ErrPointLength},
		{"eon key: a G1 point", contracts.EonKeyToL1, c1[:], contracts.ErrPointLength},
		{"eon key: infinity", contracts.EonKeyToL1, inf2, contracts.ErrPointInfinity},
		{"eon key: outside subgroup", contracts.EonKeyToL1, o2[:], contracts.ErrPointEncoding},
		{"attestation: short", contracts.AttestationToL1, c1[:47], contracts.ErrPointLength},
		{"attestation: uncompressed form", contracts.AttestationToL1, uncompressed1[:], contracts.ErrPointLength},
		{"attestation: infinity", contracts.AttestationToL1, inf1, contracts.ErrPointInfinity},
		{"attestation: outside subgroup", contracts.AttestationToL1, o1[:], contracts.ErrPointEncoding},
	} {
		if _, err := c.f(c.in); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}
