package tpke

import (
	"crypto/rand"
	"testing"

	"go.dedis.ch/kyber/v4/pairing/bls12381/gnark"
	"go.dedis.ch/kyber/v4/util/random"
)

// Reference costs through kyber v4's gnark suite on the same machine: the
// scheme's floor for one decryption is one pairing and one G2 check.
func BenchmarkPairing(b *testing.B) {
	s := gnark.NewSuite()
	p1, p2 := s.G1().Point().Base(), s.G2().Point().Base()
	for b.Loop() {
		s.Pair(p1, p2)
	}
}

func BenchmarkG2ScalarMult(b *testing.B) {
	s := gnark.NewSuite()
	x := s.G2().Scalar().Pick(random.New(rand.Reader))
	p := s.G2().Point().Base()
	out := s.G2().Point()
	for b.Loop() {
		out.Mul(x, p)
	}
}

func benchCiphertext(b *testing.B, c *committee, size int) (Identity, *Key, []byte, []byte) {
	id := randomIdentity()
	ad := EnvelopeAD(901, 1, id, 21000)
	msg := make([]byte, size)
	rand.Read(msg)
	ct, err := Encrypt(c.pk, id, msg, ad, rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	return id, c.key(b, id, 0, 1, 2), ct, ad
}

func BenchmarkEncrypt250B(b *testing.B) {
	c := newCommittee(b, 5, 3)
	id := randomIdentity()
	ad := EnvelopeAD(901, 1, id, 21000)
	msg := make([]byte, 250)
	g2Table() // built once per process, outside the timing
	for b.Loop() {
		if _, err := Encrypt(c.pk, id, msg, ad, rand.Reader); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecrypt250B(b *testing.B) {
	c := newCommittee(b, 5, 3)
	id, key, ct, ad := benchCiphertext(b, c, 250)
	for b.Loop() {
		if _, err := Decrypt(key, id, ct, ad); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkKeyShare(b *testing.B) {
	c := newCommittee(b, 5, 3)
	q := randomIdentity().Point()
	for b.Loop() {
		c.secrets[1].KeyShare(q)
	}
}

func BenchmarkVerifyShare(b *testing.B) {
	c := newCommittee(b, 5, 3)
	q := randomIdentity().Point()
	s := c.secrets[1].KeyShare(q)
	for b.Loop() {
		if err := VerifyShare(c.pubs[1], q, s); err != nil {
			b.Fatal(err)
		}
	}
}

func identityPoints(n int) []*IdentityPoint {
	ids := make([]*IdentityPoint, n)
	for i := range ids {
		ids[i] = randomIdentity().Point()
	}
	return ids
}

// BenchmarkVerifyShares1000 checks one keyper's message with shares for
// 1000 identities, from the encoded bytes: decoding, subgroup checks, the
// random linear combination and the pairing check.
func BenchmarkVerifyShares1000(b *testing.B) {
	c := newCommittee(b, 5, 3)
	ids := identityPoints(1000)
	msg := keyperMessage(c, 1, ids)
	for b.Loop() {
		if _, err := VerifyShares(c.pubs[1], ids, msg, rand.Reader); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAggregate1000_t7 interpolates the keys of 1000 identities from
// 7 of 10 keypers.
func BenchmarkAggregate1000_t7(b *testing.B) {
	c := newCommittee(b, 10, 7)
	ids := identityPoints(1000)
	signers := []int{0, 2, 3, 5, 6, 8, 9}
	agg, err := NewAggregator(signers)
	if err != nil {
		b.Fatal(err)
	}
	by := make([][]KeyShare, len(signers))
	for k, s := range signers {
		for _, q := range ids {
			by[k] = append(by[k], c.secrets[s].KeyShare(q))
		}
	}
	for b.Loop() {
		if _, err := agg.AggregateMany(by); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecryptBatch1000 decrypts 1000 ciphertexts of 250 B on all cores.
func BenchmarkDecryptBatch1000(b *testing.B) {
	c := newCommittee(b, 5, 3)
	items := make([]DecryptItem, 1000)
	for i := range items {
		id, key, ct, ad := benchCiphertext(b, c, 250)
		items[i] = DecryptItem{Key: key, ID: id, Ciphertext: ct, AD: ad}
	}
	for b.Loop() {
		for _, r := range DecryptBatch(items) {
			if r.Err != nil {
				b.Fatal(r.Err)
			}
		}
	}
}
