package tpke

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"

	bls "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
)

// Format constants (SPEC-tpke.md section 3).
const (
	Version    = 0x01
	SigmaSize  = 32
	HeaderSize = 1 + G2Size + SigmaSize // 129
	TagSize    = 16
	// Overhead is the ciphertext size beyond the padded plaintext.
	Overhead = HeaderSize + TagSize // 145
	// MinBucket is the smallest padded plaintext size.
	MinBucket = 256
	// MaxBucket bounds the padded plaintext size this implementation
	// accepts, so a decoder never allocates more than about 1 MiB for one
	// ciphertext. The largest plaintext is MaxBucket-1 bytes.
	MaxBucket = 1 << 20
	// MaxPlaintext is the largest plaintext Encrypt accepts.
	MaxPlaintext = MaxBucket - 1

	dstH2   = "VEIL-V1-H2"
	dstH3   = "VEIL-V1-H3"
	infoKDF = "VEIL-V1-AEAD"
)

// ErrDecrypt is the one error of every rejected decryption (SPEC-tpke.md
// section 4). Malformed ciphertexts wrap it together with the specific
// decoding error.
var ErrDecrypt = errors.New("tpke: decryption failed")

// BucketSize returns the padded size for a plaintext of n bytes: the smallest
// power of two at least max(256, n+1).
func BucketSize(n int) int {
	b := MinBucket
	for b < n+1 {
		b <<= 1
	}
	return b
}

// CiphertextSize returns the ciphertext size for a plaintext of n bytes.
func CiphertextSize(n int) int { return Overhead + BucketSize(n) }

// Ciphertext is a decoded veil-tpke-v1 ciphertext.
type Ciphertext struct {
	raw []byte
	u   bls.G2Affine
}

// ParseCiphertext decodes a ciphertext strictly: version byte, a length of
// 145 + B for a power of two 256 ≤ B ≤ MaxBucket, and U a point on the
// curve, in the subgroup and not at infinity. It keeps a reference to b.
func ParseCiphertext(b []byte) (*Ciphertext, error) { return parseCiphertext(b, true) }

func parseCiphertext(b []byte, subgroup bool) (*Ciphertext, error) {
	if len(b) < Overhead+MinBucket {
		return nil, fmt.Errorf("%w: %d bytes, at least %d", ErrLength, len(b), Overhead+MinBucket)
	}
	if b[0] != Version {
		return nil, fmt.Errorf("%w: %#x", ErrVersion, b[0])
	}
	bucket := len(b) - Overhead
	if bucket > MaxBucket || bucket&(bucket-1) != 0 {
		return nil, fmt.Errorf("%w: %d bytes", ErrBucket, len(b))
	}
	u, err := decodeG2Checked(b[1:1+G2Size], subgroup)
	if err != nil {
		return nil, fmt.Errorf("U: %w", err)
	}
	return &Ciphertext{raw: b, u: u}, nil
}

// Bytes returns the encoding.
func (c *Ciphertext) Bytes() []byte { return c.raw }

func (c *Ciphertext) header() []byte { return c.raw[:HeaderSize] }
func (c *Ciphertext) v() []byte      { return c.raw[1+G2Size : HeaderSize] }
func (c *Ciphertext) body() []byte   { return c.raw[HeaderSize:] }

// Encrypt encrypts msg to identity id under the eon key, binding ad. rnd is
// crypto/rand.Reader in production; a fixed source only reproduces test
// vectors.
func Encrypt(pk *EonPublicKey, id Identity, msg, ad []byte, rnd io.Reader) ([]byte, error) {
	return EncryptTo(pk, id.Point(), msg, ad, rnd)
}

// EncryptTo is Encrypt with a precomputed identity point.
func EncryptTo(pk *EonPublicKey, q *IdentityPoint, msg, ad []byte, rnd io.Reader) ([]byte, error) {
	if len(msg) > MaxPlaintext {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrPlaintextTooBig, len(msg), MaxPlaintext)
	}
	var sigma [SigmaSize]byte
	var rho fr.Element
	for {
		if _, err := io.ReadFull(rnd, sigma[:]); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrRandomness, err)
		}
		rho = hashRho(sigma[:], q.id)
		if !rho.IsZero() {
			break
		}
	}
	u := mulG2Base(&rho)
	// G = e(Q, PK)^ρ = e(ρ·Q, PK), with PK's Miller lines precomputed.
	var rq bls.G1Affine
	rq.ScalarMultiplication(&q.p, bigInt(&rho))
	g, err := bls.PairFixedQ([]bls.G1Affine{rq}, [][2][len(bls.LoopCounter) - 1]bls.LineEvaluationAff{*pk.prepared()})
	if err != nil {
		return nil, fmt.Errorf("tpke: pairing: %w", err)
	}
	bucket := BucketSize(len(msg))
	out := make([]byte, HeaderSize, Overhead+bucket)
	out[0] = Version
	ub := u.Bytes()
	copy(out[1:], ub[:])
	mask := hashMask(&g)
	for i := range SigmaSize {
		out[1+G2Size+i] = sigma[i] ^ mask[i]
	}
	padded := make([]byte, bucket)
	copy(padded, msg)
	padded[len(msg)] = 0x80
	aead, err := newAEAD(sigma[:], out[:HeaderSize])
	if err != nil {
		return nil, err
	}
	return aead.Seal(out, zeroNonce[:], padded, additionalData(out[:HeaderSize], ad)), nil
}

// Decrypt decrypts a ciphertext with the key of identity id. Every
// rejection satisfies errors.Is(err, ErrDecrypt).
//
// U is decoded without the G2 subgroup check (about a fifth of the cost of
// a decryption): the check U = ρ·g2 below accepts only a U in the
// subgroup, so a U outside it is rejected all the same, after a pairing
// whose result is discarded. The outcome is the same for every input.
func Decrypt(key *Key, id Identity, ct, ad []byte) ([]byte, error) {
	c, err := parseCiphertext(ct, false)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDecrypt, err)
	}
	return c.Decrypt(key, id, ad)
}

// Decrypt decrypts a parsed ciphertext (SPEC-tpke.md section 4).
func (c *Ciphertext) Decrypt(key *Key, id Identity, ad []byte) ([]byte, error) {
	if key == nil {
		return nil, ErrDecrypt
	}
	g, err := bls.Pair([]bls.G1Affine{key.p}, []bls.G2Affine{c.u})
	if err != nil {
		return nil, ErrDecrypt
	}
	return c.open(&g, id, ad)
}

// PreparedCiphertext is a ciphertext parsed with U's Miller loop lines
// computed: everything of a decryption that does not need the key, done
// ahead (about a seventh of a decryption's time; the lines take 24 KiB).
// Its decryption is exactly Decrypt's.
type PreparedCiphertext struct {
	c     *Ciphertext
	lines [2][len(bls.LoopCounter) - 1]bls.LineEvaluationAff
}

// PrepareCiphertext parses a ciphertext as Decrypt does (U on the curve,
// its subgroup checked by decryption) and computes U's lines. It keeps a
// reference to ct.
func PrepareCiphertext(ct []byte) (*PreparedCiphertext, error) {
	c, err := parseCiphertext(ct, false)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDecrypt, err)
	}
	return &PreparedCiphertext{c: c, lines: bls.PrecomputeLines(c.u)}, nil
}

// Bytes returns the ciphertext's encoding.
func (p *PreparedCiphertext) Bytes() []byte { return p.c.raw }

// Decrypt decrypts the prepared ciphertext with the key of identity id.
func (p *PreparedCiphertext) Decrypt(key *Key, id Identity, ad []byte) ([]byte, error) {
	if key == nil {
		return nil, ErrDecrypt
	}
	g, err := bls.PairFixedQ([]bls.G1Affine{key.p}, [][2][len(bls.LoopCounter) - 1]bls.LineEvaluationAff{p.lines})
	if err != nil {
		return nil, ErrDecrypt
	}
	return p.c.open(&g, id, ad)
}

// open finishes a decryption from the pairing of the key and U.
func (c *Ciphertext) open(g *bls.GT, id Identity, ad []byte) ([]byte, error) {
	mask := hashMask(g)
	var sigma [SigmaSize]byte
	v := c.v()
	for i := range SigmaSize {
		sigma[i] = v[i] ^ mask[i]
	}
	rho := hashRho(sigma[:], id)
	u := mulG2Base(&rho)
	if !u.Equal(&c.u) {
		return nil, ErrDecrypt
	}
	aead, err := newAEAD(sigma[:], c.header())
	if err != nil {
		return nil, err
	}
	padded, err := aead.Open(nil, zeroNonce[:], c.body(), additionalData(c.header(), ad))
	if err != nil {
		return nil, ErrDecrypt
	}
	return unpad(padded)
}

// DecryptItem is one decryption of a batch.
type DecryptItem struct {
	Key        *Key
	ID         Identity
	Ciphertext []byte
	AD         []byte
	// Prepared, when set, is Ciphertext prepared ahead; it is used only if
	// its bytes are Ciphertext's.
	Prepared *PreparedCiphertext
}

// DecryptResult is the outcome of one DecryptItem.
type DecryptResult struct {
	Plaintext []byte
	Err       error
}

// DecryptBatch decrypts many ciphertexts on all cores; results[i] belongs
// to items[i].
func DecryptBatch(items []DecryptItem) []DecryptResult {
	out := make([]DecryptResult, len(items))
	DecryptEach(items, func(i int, r DecryptResult) { out[i] = r })
	return out
}

// DecryptEach decrypts many ciphertexts on all cores, taking them in
// order, and calls done with each result as it is ready (concurrently,
// once per item); it returns when every done has returned.
func DecryptEach(items []DecryptItem, done func(i int, r DecryptResult)) {
	parallel(len(items), func(i int) {
		it := &items[i]
		var r DecryptResult
		if it.Prepared != nil && bytes.Equal(it.Prepared.Bytes(), it.Ciphertext) {
			r.Plaintext, r.Err = it.Prepared.Decrypt(it.Key, it.ID, it.AD)
		} else {
			r.Plaintext, r.Err = Decrypt(it.Key, it.ID, it.Ciphertext, it.AD)
		}
		done(i, r)
	})
}

var zeroNonce [12]byte

func unpad(p []byte) ([]byte, error) {
	for i := len(p) - 1; i >= 0; i-- {
		switch p[i] {
		case 0:
			continue
		case 0x80:
			return p[:i], nil
		default:
			return nil, ErrDecrypt
		}
	}
	return nil, ErrDecrypt
}

func hashRho(sigma []byte, id Identity) fr.Element {
	msg := make([]byte, 0, len(sigma)+len(id))
	msg = append(msg, sigma...)
	msg = append(msg, id[:]...)
	// fr.Hash only fails for a DST longer than 255 bytes; ours is constant.
	e, err := fr.Hash(msg, []byte(dstH3), 1)
	if err != nil {
		panic("tpke: hash to field with a constant tag failed: " + err.Error())
	}
	return e[0]
}

func hashMask(g *bls.GT) [32]byte {
	h := sha256.New()
	h.Write([]byte(dstH2))
	h.Write(gtBytes(g))
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// gtBytes encodes a pairing value as SPEC-tpke.md section 5 orders it
// (C0.B0.A0 first). gnark's own GT.Bytes uses the reverse order.
func gtBytes(g *bls.GT) []byte {
	out := make([]byte, 0, 12*48)
	for _, e := range [...]*bls.E6{&g.C0, &g.C1} {
		for _, b := range [...]*bls.E2{&e.B0, &e.B1, &e.B2} {
			a0, a1 := b.A0.Bytes(), b.A1.Bytes()
			out = append(out, a0[:]...)
			out = append(out, a1[:]...)
		}
	}
	return out
}

func newAEAD(sigma, header []byte) (cipher.AEAD, error) {
	k, err := hkdf.Key(sha256.New, sigma, header, infoKDF, 32)
	if err != nil {
		return nil, fmt.Errorf("tpke: key derivation: %w", err)
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, fmt.Errorf("tpke: aes: %w", err)
	}
	return cipher.NewGCM(block)
}

func additionalData(header, ad []byte) []byte {
	out := make([]byte, 0, len(header)+len(ad))
	out = append(out, header...)
	return append(out, ad...)
}
