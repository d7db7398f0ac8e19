package contracts

import (
	"errors"
	"fmt"

	bls "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bls12-381/fp"
)

// BLS12-381 points on L1 use the uncompressed encoding of EIP-2537, the form
// its precompiles take: a base-field element is 64 bytes, 16 zero bytes then
// the 48-byte big-endian value below p; a G1 point is x ‖ y (128 bytes); a
// G2 point is x.c0 ‖ x.c1 ‖ y.c0 ‖ y.c1 (256 bytes); the point at infinity is
// all zeros. Veil's Go code (encmempool/tpke) uses the compressed ZCash
// encoding (48 and 96 bytes): the helpers below convert between the two.
const (
	G1EncodedSize = 128
	G2EncodedSize = 256

	fpEncodedSize = 64
	fpPadding     = fpEncodedSize - fp.Bytes // 16
)

// Point decoding errors.
var (
	ErrPointLength     = errors.New("contracts: wrong point length")
	ErrPointEncoding   = errors.New("contracts: malformed point encoding")
	ErrPointNotOnCurve = errors.New("contracts: point not on the curve")
	ErrPointSubgroup   = errors.New("contracts: point not in the prime-order subgroup")
	ErrPointInfinity   = errors.New("contracts: point at infinity")
)

// EncodeG1 returns p in the EIP-2537 encoding (128 bytes).
func EncodeG1(p *bls.G1Affine) []byte {
	out := make([]byte, G1EncodedSize)
	if p.IsInfinity() {
		return out
	}
	putFp(out[0:], &p.X)
	putFp(out[fpEncodedSize:], &p.Y)
	return out
}

// EncodeG2 returns p in the EIP-2537 encoding (256 bytes).
func EncodeG2(p *bls.G2Affine) []byte {
	out := make([]byte, G2EncodedSize)
	if p.IsInfinity() {
		return out
	}
	putFp(out[0*fpEncodedSize:], &p.X.A0)
	putFp(out[1*fpEncodedSize:], &p.X.A1)
	putFp(out[2*fpEncodedSize:], &p.Y.A0)
	putFp(out[3*fpEncodedSize:], &p.Y.A1)
	return out
}

func putFp(dst []byte, e *fp.Element) {
	b := e.Bytes()
	copy(dst[fpPadding:fpEncodedSize], b[:])
}

// DecodeG1 decodes an EIP-2537 G1 point strictly: 128 bytes, zero padding,
// coordinates below p, on the curve, in the subgroup and not at infinity
// (what the pairing precompile accepts, without the point at infinity).
func DecodeG1(b []byte) (bls.G1Affine, error) {
	var p bls.G1Affine
	if len(b) != G1EncodedSize {
		return p, fmt.Errorf("%w: G1 point of %d bytes, want %d", ErrPointLength, len(b), G1EncodedSize)
	}
	if allZero(b) {
		return p, ErrPointInfinity
	}
	if err := getFp(&p.X, b[0:]); err != nil {
		return p, err
	}
	if err := getFp(&p.Y, b[fpEncodedSize:]); err != nil {
		return p, err
	}
	if !p.IsOnCurve() {
		return p, ErrPointNotOnCurve
	}
	if !p.IsInSubGroup() {
		return p, ErrPointSubgroup
	}
	return p, nil
}

// DecodeG2 decodes an EIP-2537 G2 point with the checks of DecodeG1.
func DecodeG2(b []byte) (bls.G2Affine, error) {
	var p bls.G2Affine
	if len(b) != G2EncodedSize {
		return p, fmt.Errorf("%w: G2 point of %d bytes, want %d", ErrPointLength, len(b), G2EncodedSize)
	}
	if allZero(b) {
		return p, ErrPointInfinity
	}
	for i, e := range []*fp.Element{&p.X.A0, &p.X.A1, &p.Y.A0, &p.Y.A1} {
		if err := getFp(e, b[i*fpEncodedSize:]); err != nil {
			return p, err
		}
	}
	if !p.IsOnCurve() {
		return p, ErrPointNotOnCurve
	}
	if !p.IsInSubGroup() {
		return p, ErrPointSubgroup
	}
	return p, nil
}

func getFp(e *fp.Element, src []byte) error {
	if !allZero(src[:fpPadding]) {
		return fmt.Errorf("%w: non-zero padding", ErrPointEncoding)
	}
	if err := e.SetBytesCanonical(src[fpPadding:fpEncodedSize]); err != nil {
		return fmt.Errorf("%w: coordinate not below the field modulus", ErrPointEncoding)
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

// compressedFlag is the ZCash serialization's compression bit (first byte).
const compressedFlag = 0x80

// EonKeyToL1 converts a compressed eon key (96 bytes, tpke.EonPublicKey's
// Bytes) into the 256-byte form KeyBroadcast takes. The key must be on the
// curve, in the subgroup and not the point at infinity.
func EonKeyToL1(compressed []byte) ([]byte, error) {
	if len(compressed) != bls.SizeOfG2AffineCompressed || compressed[0]&compressedFlag == 0 {
		return nil, fmt.Errorf("%w: eon key of %d bytes, want a compressed G2 point of %d",
			ErrPointLength, len(compressed), bls.SizeOfG2AffineCompressed)
	}
	var p bls.G2Affine
	if _, err := p.SetBytes(compressed); err != nil { // checks the subgroup
		return nil, fmt.Errorf("%w: %v", ErrPointEncoding, err)
	}
	if p.IsInfinity() {
		return nil, ErrPointInfinity
	}
	return EncodeG2(&p), nil
}

// EonKeyFromL1 converts a key read from KeyBroadcast (256 bytes) into the
// compressed 96 bytes that tpke.ParseEonPublicKey takes.
func EonKeyFromL1(b []byte) ([]byte, error) {
	p, err := DecodeG2(b)
	if err != nil {
		return nil, err
	}
	c := p.Bytes()
	return c[:], nil
}

// AttestationToL1 converts a compressed batch attestation (48 bytes,
// tpke.Key's Bytes for the batch identity) into the 128-byte form that
// BatchInbox.submitBatch takes. The point must be on the curve, in the
// subgroup and not the point at infinity.
func AttestationToL1(compressed []byte) ([]byte, error) {
	if len(compressed) != bls.SizeOfG1AffineCompressed || compressed[0]&compressedFlag == 0 {
		return nil, fmt.Errorf("%w: attestation of %d bytes, want a compressed G1 point of %d",
			ErrPointLength, len(compressed), bls.SizeOfG1AffineCompressed)
	}
	var p bls.G1Affine
	if _, err := p.SetBytes(compressed); err != nil { // checks the subgroup
		return nil, fmt.Errorf("%w: %v", ErrPointEncoding, err)
	}
	if p.IsInfinity() {
		return nil, ErrPointInfinity
	}
	return EncodeG1(&p), nil
}

// AttestationFromL1 converts a posted attestation (128 bytes) into the
// compressed 48 bytes that tpke.ParseKey takes.
func AttestationFromL1(b []byte) ([]byte, error) {
	p, err := DecodeG1(b)
	if err != nil {
		return nil, err
	}
	c := p.Bytes()
	return c[:], nil
}
