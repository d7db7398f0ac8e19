package tpke

import (
	"errors"
	"fmt"
	"io"
	"math/big"
	"runtime"
	"sync"

	"github.com/consensys/gnark-crypto/ecc"
	bls "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
)

// Key-share and key errors.
var (
	ErrInvalidShare = errors.New("tpke: key share does not verify")
	ErrInvalidKey   = errors.New("tpke: key does not verify")
	ErrShareCount   = errors.New("tpke: number of shares does not match")
	ErrSigners      = errors.New("tpke: invalid signer set")
	ErrRandomness   = errors.New("tpke: reading randomness failed")
	ErrNoIdentities = errors.New("tpke: no identities")
	ErrKeyperIndex  = errors.New("tpke: keyper index out of range")
)

// EonPublicKey is the committee's key for one eon, PK = x·g2.
type EonPublicKey struct{ g2Prepared }

// ParseEonPublicKey decodes a compressed G2 eon key.
func ParseEonPublicKey(b []byte) (*EonPublicKey, error) {
	p, err := decodeG2(b)
	if err != nil {
		return nil, fmt.Errorf("eon public key: %w", err)
	}
	return &EonPublicKey{g2Prepared{p: p}}, nil
}

// Bytes returns the compressed encoding.
func (pk *EonPublicKey) Bytes() []byte { b := pk.p.Bytes(); return b[:] }

// Equal reports whether both keys are the same point.
func (pk *EonPublicKey) Equal(o *EonPublicKey) bool { return pk.p.Equal(&o.p) }

// PublicShare is keyper i's public share PK_i = x_i·g2, against which its
// key shares are checked.
type PublicShare struct {
	Index int
	g2Prepared
}

// ParsePublicShare decodes keyper index's compressed G2 public share.
func ParsePublicShare(index int, b []byte) (*PublicShare, error) {
	if index < 0 {
		return nil, ErrKeyperIndex
	}
	p, err := decodeG2(b)
	if err != nil {
		return nil, fmt.Errorf("public share %d: %w", index, err)
	}
	return &PublicShare{Index: index, g2Prepared: g2Prepared{p: p}}, nil
}

// Bytes returns the compressed encoding.
func (ps *PublicShare) Bytes() []byte { b := ps.p.Bytes(); return b[:] }

// SecretShare is keyper i's share x_i = f(i+1) of the eon secret. Never log
// it.
type SecretShare struct {
	Index int
	x     fr.Element
}

// ParseSecretShare decodes a 32-byte big-endian share for keyper index.
func ParseSecretShare(index int, b []byte) (*SecretShare, error) {
	if index < 0 {
		return nil, ErrKeyperIndex
	}
	x, err := decodeScalar(b)
	if err != nil {
		return nil, fmt.Errorf("secret share %d: %w", index, err)
	}
	return &SecretShare{Index: index, x: x}, nil
}

// Bytes returns the 32-byte big-endian encoding. It is secret.
func (s *SecretShare) Bytes() []byte { b := s.x.Bytes(); return b[:] }

// String hides the value so that a share never reaches a log by accident.
func (s *SecretShare) String() string { return fmt.Sprintf("SecretShare{index: %d}", s.Index) }

// PublicShare returns x_i·g2.
func (s *SecretShare) PublicShare() *PublicShare {
	return &PublicShare{Index: s.Index, g2Prepared: g2Prepared{p: mulG2Base(&s.x)}}
}

// KeyShare returns s_i(id) = x_i·Q(id). gnark's scalar multiplication is
// variable-time (see the package doc).
func (s *SecretShare) KeyShare(q *IdentityPoint) KeyShare {
	var out bls.G1Affine
	out.ScalarMultiplication(&q.p, bigInt(&s.x))
	return KeyShare{p: out}
}

// KeyShare is one keyper's share of the key for one identity.
type KeyShare struct{ p bls.G1Affine }

// ParseKeyShare decodes one compressed G1 key share, with the subgroup check.
func ParseKeyShare(b []byte) (KeyShare, error) {
	p, err := decodeG1(b, true)
	if err != nil {
		return KeyShare{}, fmt.Errorf("key share: %w", err)
	}
	return KeyShare{p: p}, nil
}

// Bytes returns the compressed encoding.
func (s KeyShare) Bytes() []byte { b := s.p.Bytes(); return b[:] }

// Key is the decryption key D(id) = x·Q(id) for one identity; for a batch
// identity it is the committee's BLS signature on the batch.
type Key struct{ p bls.G1Affine }

// ParseKey decodes a compressed G1 key, with the subgroup check.
func ParseKey(b []byte) (*Key, error) {
	p, err := decodeG1(b, true)
	if err != nil {
		return nil, fmt.Errorf("key: %w", err)
	}
	return &Key{p: p}, nil
}

// Bytes returns the compressed encoding.
func (k *Key) Bytes() []byte { b := k.p.Bytes(); return b[:] }

// VerifyShare checks one key share: e(s_i, g2) = e(Q(id), PK_i).
func VerifyShare(pub *PublicShare, q *IdentityPoint, s KeyShare) error {
	if s.p.IsInfinity() || !checkPairs(&s.p, &q.p, &pub.g2Prepared) {
		return ErrInvalidShare
	}
	return nil
}

// coefficientBytes is the size of the random coefficients of the batched
// share check: 128 bits, so a bad message passes with probability 2^-128.
const coefficientBytes = 16

// VerifyShares checks one keyper's shares for many identities at once and
// returns them decoded. shares is the concatenation of len(ids) compressed
// G1 points, share k for identity ids[k]. Every point is checked to be on
// the curve, not at infinity and in the subgroup (batched); then, with
// random 128-bit coefficients c_k read from rnd (crypto/rand in
// production), e(Σ c_k·s_k, g2) = e(Σ c_k·Q_k, PK_i) is checked with two
// multi-scalar multiplications and one two-term pairing check. One bad
// share rejects the whole message with ErrInvalidShare; the caller keeps it
// as evidence and does not bisect.
func VerifyShares(pub *PublicShare, ids []*IdentityPoint, shares []byte, rnd io.Reader) ([]KeyShare, error) {
	c, err := NewShareCheck(ids, rnd)
	if err != nil {
		return nil, err
	}
	return c.Verify(pub, shares)
}

// ShareCheck is VerifyShares for many keypers' messages over the same
// identities: the coefficients c_k are drawn once and Σ c_k·Q_k is computed
// once, so each message costs one multi-scalar multiplication instead of
// two. The coefficients never leave the checker, so a keyper cannot fit
// its shares to them, whichever message it sends. Safe for concurrent use.
type ShareCheck struct {
	n      int
	coeffs []fr.Element
	q      bls.G1Affine // Σ c_k·Q_k
}

// NewShareCheck draws the coefficients from rnd and computes the identity
// side of the check.
func NewShareCheck(ids []*IdentityPoint, rnd io.Reader) (*ShareCheck, error) {
	n := len(ids)
	if n == 0 {
		return nil, ErrNoIdentities
	}
	coeffs := make([]fr.Element, n)
	buf := make([]byte, n*coefficientBytes)
	if _, err := io.ReadFull(rnd, buf); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRandomness, err)
	}
	for k := range coeffs {
		coeffs[k].SetBytes(buf[k*coefficientBytes : (k+1)*coefficientBytes])
		if coeffs[k].IsZero() {
			coeffs[k].SetOne()
		}
	}
	qs := make([]bls.G1Affine, n)
	for k := range ids {
		qs[k] = ids[k].p
	}
	c := &ShareCheck{n: n, coeffs: coeffs}
	if _, err := c.q.MultiExp(qs, coeffs, ecc.MultiExpConfig{}); err != nil {
		return nil, fmt.Errorf("tpke: multi-exponentiation: %w", err)
	}
	return c, nil
}

// Verify checks one keyper's shares (VerifyShares).
func (c *ShareCheck) Verify(pub *PublicShare, shares []byte) ([]KeyShare, error) {
	n := c.n
	if len(shares) != n*G1Size {
		return nil, fmt.Errorf("%w: %d bytes for %d identities", ErrShareCount, len(shares), n)
	}
	pts := make([]bls.G1Affine, n)
	// Decompression costs a square root per point: spread it over the cores.
	errs := make([]error, n)
	parallelChunks(n, func(lo, hi int) {
		for k := lo; k < hi; k++ {
			pts[k], errs[k] = decodeG1(shares[k*G1Size:(k+1)*G1Size], false)
		}
	})
	for k, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("share %d: %w", k, err)
		}
	}
	if !bls.IsInSubGroupBatchG1(pts) {
		return nil, ErrNotInSubgroup
	}
	var s bls.G1Affine
	if _, err := s.MultiExp(pts, c.coeffs, ecc.MultiExpConfig{}); err != nil {
		return nil, fmt.Errorf("tpke: multi-exponentiation: %w", err)
	}
	if !checkPairs(&s, &c.q, &pub.g2Prepared) {
		return nil, ErrInvalidShare
	}
	out := make([]KeyShare, n)
	for k := range pts {
		out[k] = KeyShare{p: pts[k]}
	}
	return out, nil
}

// VerifyKey checks a key against the eon key: e(D, g2) = e(Q(id), PK).
func VerifyKey(pk *EonPublicKey, q *IdentityPoint, k *Key) error {
	if k.p.IsInfinity() || !checkPairs(&k.p, &q.p, &pk.g2Prepared) {
		return ErrInvalidKey
	}
	return nil
}

// VerifyBatchSignature checks the committee's attestation of a batch: the
// key of the batch identity, which is a BLS signature under the eon key on
// (chain id, eon, batch number, batch hash).
func VerifyBatchSignature(pk *EonPublicKey, chainID, eon, batchNumber uint64, batchHash [32]byte, sig *Key) error {
	return VerifyKey(pk, BatchIdentity(chainID, eon, batchNumber, batchHash).Point(), sig)
}

// Aggregator interpolates keys at 0 from the shares of one fixed signer set.
// Its Lagrange coefficients are computed once, at construction.
//
// When the coefficients λ_j = N_j / D_j (small integers N_j, D_j for the
// usual committee sizes) have a common denominator B such that every
// A_j = B·λ_j is a small integer, a key is computed as B⁻¹·Σ A_j·s_j: t
// short scalar multiplications sharing one doubling chain and one full
// multiplication, instead of t full ones. Otherwise Σ λ_j·s_j is one
// multi-scalar multiplication.
type Aggregator struct {
	signers []int
	lambda  []fr.Element // λ_j mod r
	small   []*big.Int   // A_j, or nil when too large
	neg     []bool       // sign of A_j
	invB    *big.Int     // B⁻¹ mod r; nil when B = 1 (no scaling)
	// smallBits is the largest bit length among the A_j.
	smallBits int
}

// smallCoefficientBits bounds |A_j| for the scaled route: above it, t full
// multiplications are as cheap.
const smallCoefficientBits = 96

// NewAggregator prepares interpolation for the given keyper indices (0-based,
// distinct). Shares passed to Aggregate must come in the same order.
func NewAggregator(signers []int) (*Aggregator, error) {
	if len(signers) == 0 {
		return nil, fmt.Errorf("%w: empty", ErrSigners)
	}
	seen := make(map[int]bool, len(signers))
	for _, s := range signers {
		if s < 0 {
			return nil, fmt.Errorf("%w: negative index %d", ErrSigners, s)
		}
		if seen[s] {
			return nil, fmt.Errorf("%w: index %d twice", ErrSigners, s)
		}
		seen[s] = true
	}
	a := &Aggregator{signers: append([]int(nil), signers...)}
	t := len(signers)
	a.lambda = make([]fr.Element, t)
	num := make([]*big.Int, t)
	den := make([]*big.Int, t)
	for j, sj := range signers {
		num[j], den[j] = big.NewInt(1), big.NewInt(1)
		xj := int64(sj) + 1
		for m, sm := range signers {
			if m == j {
				continue
			}
			xm := int64(sm) + 1
			num[j].Mul(num[j], big.NewInt(xm))
			den[j].Mul(den[j], big.NewInt(xm-xj))
		}
		var n, d fr.Element
		n.SetBigInt(num[j])
		d.SetBigInt(den[j])
		a.lambda[j].Div(&n, &d)
	}
	// B = lcm |D_j|, A_j = N_j·B / D_j.
	b := big.NewInt(1)
	for _, d := range den {
		ad := new(big.Int).Abs(d)
		g := new(big.Int).GCD(nil, nil, b, ad)
		b.Mul(b, ad.Div(ad, g))
	}
	small := make([]*big.Int, t)
	neg := make([]bool, t)
	for j := range t {
		aj := new(big.Int).Mul(num[j], b)
		aj.Quo(aj, den[j])
		if aj.Sign() < 0 {
			neg[j] = true
			aj.Neg(aj)
		}
		if aj.BitLen() > smallCoefficientBits {
			small = nil
			break
		}
		small[j] = aj
	}
	if small != nil {
		// Reduce A_j / B to lowest terms: B = 1 skips the scaling.
		g := new(big.Int).Set(b)
		for _, aj := range small {
			g.GCD(nil, nil, g, aj)
		}
		if g.Cmp(big.NewInt(1)) > 0 {
			b.Quo(b, g)
			for _, aj := range small {
				aj.Quo(aj, g)
			}
		}
		var be fr.Element
		be.SetBigInt(b)
		be.Inverse(&be)
		a.small, a.neg = small, neg
		if b.Cmp(big.NewInt(1)) != 0 {
			// When B = 1 (the coefficients are integers, as for signers
			// 1, 2, 3 of any committee) the full multiplication goes.
			a.invB = bigInt(&be)
		}
		for _, aj := range small {
			a.smallBits = max(a.smallBits, aj.BitLen())
		}
	}
	return a, nil
}

// Aggregate interpolates one key from shares[k] of keyper signers[k], for a
// one-off signer set. Callers that aggregate many keys for one signer set
// build an Aggregator once instead.
func Aggregate(signers []int, shares []KeyShare) (*Key, error) {
	a, err := NewAggregator(signers)
	if err != nil {
		return nil, err
	}
	return a.Aggregate(shares)
}

// Signers returns the signer set, in share order.
func (a *Aggregator) Signers() []int { return append([]int(nil), a.signers...) }

// Aggregate interpolates one key from shares[k] of keyper Signers()[k].
func (a *Aggregator) Aggregate(shares []KeyShare) (*Key, error) {
	if len(shares) != len(a.signers) {
		return nil, fmt.Errorf("%w: %d shares for %d signers", ErrShareCount, len(shares), len(a.signers))
	}
	var k Key
	if a.small == nil {
		pts := make([]bls.G1Affine, len(shares))
		for j := range shares {
			pts[j] = shares[j].p
		}
		// One core per key: callers aggregate many keys in parallel.
		if _, err := k.p.MultiExp(pts, a.lambda, ecc.MultiExpConfig{NbTasks: 1}); err != nil {
			return nil, fmt.Errorf("tpke: multi-exponentiation: %w", err)
		}
		return &k, nil
	}
	// Σ A_j·s_j with the short integer coefficients, by Straus-Shamir
	// interleaving (one doubling chain shared by all terms), then one full
	// multiplication by B⁻¹ unless B = 1.
	signed := make([]bls.G1Affine, len(shares))
	for j := range shares {
		if a.neg[j] {
			signed[j].Neg(&shares[j].p)
		} else {
			signed[j] = shares[j].p
		}
	}
	var acc bls.G1Jac // zero value: Z = 0, the point at infinity
	for b := a.smallBits - 1; b >= 0; b-- {
		acc.DoubleAssign()
		for j := range signed {
			if a.small[j].Bit(b) == 1 {
				acc.AddMixed(&signed[j])
			}
		}
	}
	if a.invB != nil {
		acc.ScalarMultiplication(&acc, a.invB)
	}
	k.p.FromJacobian(&acc)
	return &k, nil
}

// AggregateMany interpolates the keys of many identities on all cores.
// sharesBySigner[k][i] is keyper Signers()[k]'s share for identity i, as
// each keyper's message carries them.
func (a *Aggregator) AggregateMany(sharesBySigner [][]KeyShare) ([]*Key, error) {
	if len(sharesBySigner) != len(a.signers) {
		return nil, fmt.Errorf("%w: %d share lists for %d signers", ErrShareCount, len(sharesBySigner), len(a.signers))
	}
	m := len(sharesBySigner[0])
	for _, l := range sharesBySigner {
		if len(l) != m {
			return nil, fmt.Errorf("%w: share lists of different lengths", ErrShareCount)
		}
	}
	keys := make([]*Key, m)
	parallel(m, func(i int) {
		row := make([]KeyShare, len(a.signers))
		for k := range sharesBySigner {
			row[k] = sharesBySigner[k][i]
		}
		keys[i], _ = a.Aggregate(row) // lengths checked above
	})
	return keys, nil
}

// parallelChunks splits 0..n-1 into one contiguous range per core.
func parallelChunks(n int, f func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*n/workers, (w+1)*n/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(lo, hi)
		}()
	}
	wg.Wait()
}

// parallel runs f(0..n-1) on GOMAXPROCS goroutines.
func parallel(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var wg sync.WaitGroup
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	wg.Wait()
}
