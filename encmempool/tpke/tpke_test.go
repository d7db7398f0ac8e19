package tpke

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"testing"

	bls "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bls12-381/fp"
)

type committee struct {
	pk      *EonPublicKey
	secrets []*SecretShare
	pubs    []*PublicShare
	t       int
}

func newCommittee(t testing.TB, n, threshold int) *committee {
	t.Helper()
	var seed [32]byte
	rand.Read(seed[:])
	pk, secrets := dealShares(&detStream{seed: seed[:], label: "test"}, n, threshold)
	c := &committee{pk: pk, secrets: secrets, t: threshold}
	for _, s := range secrets {
		c.pubs = append(c.pubs, s.PublicShare())
	}
	return c
}

// key aggregates the key of id from the given signers' shares.
func (c *committee) key(t testing.TB, id Identity, signers ...int) *Key {
	t.Helper()
	q := id.Point()
	row := make([]KeyShare, len(signers))
	for k, s := range signers {
		row[k] = c.secrets[s].KeyShare(q)
	}
	k, err := Aggregate(signers, row)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func randomIdentity() Identity {
	var payer [20]byte
	var prefix [32]byte
	rand.Read(payer[:])
	rand.Read(prefix[:])
	return TxIdentity(901, 1, payer, prefix)
}

func TestRoundTrips(t *testing.T) {
	c := newCommittee(t, 5, 3)
	id := randomIdentity()
	key := c.key(t, id, 0, 2, 4)
	ad := EnvelopeAD(901, 1, id, 21000)
	for _, n := range []int{0, 1, 31, 32, 250, 255, 256, 257, 1000, 4095, 4096, 65535, 65536, 128 << 10} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			msg := make([]byte, n)
			rand.Read(msg)
			if n > 0 {
				msg[n-1] = 0x80 // a plaintext ending in the pad marker or zeros must survive
			}
			ct, err := Encrypt(c.pk, id, msg, ad, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			if len(ct) != CiphertextSize(n) || len(ct) != Overhead+BucketSize(n) {
				t.Fatalf("ciphertext of %d bytes for %d, want %d", len(ct), n, CiphertextSize(n))
			}
			got, err := Decrypt(key, id, ct, ad)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, msg) {
				t.Fatal("round trip changed the plaintext")
			}
		})
	}
}

func TestTrailingZerosSurvivePadding(t *testing.T) {
	c := newCommittee(t, 3, 2)
	id := randomIdentity()
	key := c.key(t, id, 0, 1)
	for _, msg := range [][]byte{{0}, {0, 0, 0}, {0x80, 0}, bytes.Repeat([]byte{0}, 255)} {
		ct, err := Encrypt(c.pk, id, msg, nil, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decrypt(key, id, ct, nil)
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("%x: got %x, %v", msg, got, err)
		}
	}
}

func TestBuckets(t *testing.T) {
	for _, tc := range []struct{ n, bucket int }{
		{0, 256}, {255, 256}, {256, 512}, {511, 512}, {512, 1024}, {128 << 10, 256 << 10}, {MaxPlaintext, MaxBucket},
	} {
		if got := BucketSize(tc.n); got != tc.bucket {
			t.Errorf("BucketSize(%d) = %d, want %d", tc.n, got, tc.bucket)
		}
	}
	if Overhead != 145 {
		t.Fatalf("overhead %d, want 145", Overhead)
	}
	c := newCommittee(t, 3, 2)
	if _, err := Encrypt(c.pk, randomIdentity(), make([]byte, MaxPlaintext+1), nil, rand.Reader); !errors.Is(err, ErrPlaintextTooBig) {
		t.Fatalf("oversized plaintext: %v", err)
	}
}

func TestEveryByteFlipFails(t *testing.T) {
	c := newCommittee(t, 3, 2)
	id := randomIdentity()
	key := c.key(t, id, 0, 1)
	ad := EnvelopeAD(901, 1, id, 21000)
	msg := make([]byte, 250)
	rand.Read(msg)
	ct, err := Encrypt(c.pk, id, msg, ad, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ct {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			bad := bytes.Clone(ct)
			bad[i] ^= mask
			if _, err := decryptBoth(t, key, id, bad, ad); !errors.Is(err, ErrDecrypt) {
				t.Fatalf("byte %d ^ %#x: got %v, want ErrDecrypt", i, mask, err)
			}
		}
	}
	// Truncated and extended ciphertexts fail too.
	for _, bad := range [][]byte{ct[:len(ct)-1], append(bytes.Clone(ct), 0), ct[:HeaderSize]} {
		if _, err := decryptBoth(t, key, id, bad, ad); !errors.Is(err, ErrDecrypt) {
			t.Fatalf("length %d: %v", len(bad), err)
		}
	}
}

func TestWrongContextFails(t *testing.T) {
	c := newCommittee(t, 5, 3)
	id, other := randomIdentity(), randomIdentity()
	ad := EnvelopeAD(901, 1, id, 21000)
	ct, err := Encrypt(c.pk, id, []byte("transfer 1 ETH"), ad, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key := c.key(t, id, 0, 1, 2)
	otherKey := c.key(t, other, 0, 1, 2)
	for _, tc := range []struct {
		name string
		key  *Key
		id   Identity
		ad   []byte
	}{
		{"wrong associated data", key, id, EnvelopeAD(901, 1, id, 21001)},
		{"no associated data", key, id, nil},
		{"key of another identity", otherKey, id, ad},
		{"key of another identity, that identity", otherKey, other, ad},
		{"right key, other identity", key, other, ad},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := decryptBoth(t, tc.key, tc.id, ct, tc.ad); !errors.Is(err, ErrDecrypt) {
				t.Fatalf("got %v, want ErrDecrypt", err)
			}
		})
	}
}

// subsets returns every k-subset of 0..n-1.
func subsets(n, k int) [][]int {
	if k == 0 {
		return [][]int{{}}
	}
	var out [][]int
	for first := 0; first <= n-k; first++ {
		for _, rest := range subsets(n-first-1, k-1) {
			s := []int{first}
			for _, r := range rest {
				s = append(s, first+1+r)
			}
			out = append(out, s)
		}
	}
	return out
}

func TestAnyThresholdDecryptsAndFewerCannot(t *testing.T) {
	const n, threshold = 6, 4
	c := newCommittee(t, n, threshold)
	id := randomIdentity()
	ad := []byte("ad")
	msg := []byte("the order is fixed before anyone can read this")
	ct, err := Encrypt(c.pk, id, msg, ad, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	q := id.Point()
	for _, s := range subsets(n, threshold) {
		key := c.key(t, id, s...)
		if err := VerifyKey(c.pk, q, key); err != nil {
			t.Fatalf("signers %v: %v", s, err)
		}
		got, err := Decrypt(key, id, ct, ad)
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("signers %v: %v", s, err)
		}
	}
	for _, s := range subsets(n, threshold-1) {
		key := c.key(t, id, s...)
		if err := VerifyKey(c.pk, q, key); !errors.Is(err, ErrInvalidKey) {
			t.Fatalf("signers %v below threshold: key verifies", s)
		}
		if _, err := Decrypt(key, id, ct, ad); !errors.Is(err, ErrDecrypt) {
			t.Fatalf("signers %v below threshold decrypted: %v", s, err)
		}
	}
}

func TestAggregatorRoutesAgree(t *testing.T) {
	// The scaled small-integer route and the direct route give one key.
	c := newCommittee(t, 10, 7)
	id := randomIdentity()
	q := id.Point()
	signers := []int{9, 0, 3, 5, 6, 8, 1} // unsorted on purpose
	agg, err := NewAggregator(signers)
	if err != nil {
		t.Fatal(err)
	}
	if agg.small == nil {
		t.Fatal("7 of 10 should take the small-coefficient route")
	}
	row := make([]KeyShare, len(signers))
	for k, s := range signers {
		row[k] = c.secrets[s].KeyShare(q)
	}
	k1, _ := agg.Aggregate(row)
	direct := *agg
	direct.small = nil
	k2, _ := direct.Aggregate(row)
	if !bytes.Equal(k1.Bytes(), k2.Bytes()) {
		t.Fatal("routes disagree")
	}
	if err := VerifyKey(c.pk, q, k1); err != nil {
		t.Fatal(err)
	}
	// Integer coefficients (signers 1, 2, 3: 3, -3, 1) skip the scaling
	// and agree with the direct route too.
	ints, _ := NewAggregator([]int{0, 1, 2})
	if ints.small == nil || ints.invB != nil {
		t.Fatal("signers 1, 2, 3 should take the small-coefficient route without scaling")
	}
	row3 := []KeyShare{c.secrets[0].KeyShare(q), c.secrets[1].KeyShare(q), c.secrets[2].KeyShare(q)}
	k3, _ := ints.Aggregate(row3)
	direct3 := *ints
	direct3.small = nil
	if k4, _ := direct3.Aggregate(row3); !bytes.Equal(k3.Bytes(), k4.Bytes()) {
		t.Fatal("routes disagree without scaling")
	}
	// A large committee falls back to the direct route and still works.
	big := newCommittee(t, 100, 67)
	bs := make([]int, 67)
	for i := range bs {
		bs[i] = i + 30
	}
	ba, err := NewAggregator(bs)
	if err != nil {
		t.Fatal(err)
	}
	if ba.small != nil {
		t.Fatal("67 of 100 should take the direct route")
	}
	if err := VerifyKey(big.pk, q, big.key(t, id, bs...)); err != nil {
		t.Fatal(err)
	}
}

func TestAggregateMany(t *testing.T) {
	c := newCommittee(t, 5, 3)
	signers := []int{1, 2, 4}
	agg, _ := NewAggregator(signers)
	ids := make([]*IdentityPoint, 20)
	by := make([][]KeyShare, len(signers))
	for i := range ids {
		ids[i] = randomIdentity().Point()
		for k, s := range signers {
			by[k] = append(by[k], c.secrets[s].KeyShare(ids[i]))
		}
	}
	keys, err := agg.AggregateMany(by)
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range keys {
		if err := VerifyKey(c.pk, ids[i], k); err != nil {
			t.Fatalf("key %d: %v", i, err)
		}
	}
	if _, err := agg.AggregateMany(by[:2]); !errors.Is(err, ErrShareCount) {
		t.Fatalf("missing signer: %v", err)
	}
	if _, err := agg.AggregateMany([][]KeyShare{by[0], by[1], by[2][:3]}); !errors.Is(err, ErrShareCount) {
		t.Fatalf("ragged: %v", err)
	}
}

func TestNewAggregatorErrors(t *testing.T) {
	for _, s := range [][]int{nil, {1, 1}, {0, -1}} {
		if _, err := NewAggregator(s); !errors.Is(err, ErrSigners) {
			t.Fatalf("%v: %v", s, err)
		}
	}
}

func keyperMessage(c *committee, keyper int, ids []*IdentityPoint) []byte {
	var msg []byte
	for _, q := range ids {
		msg = append(msg, c.secrets[keyper].KeyShare(q).Bytes()...)
	}
	return msg
}

func TestVerifySharesBatch(t *testing.T) {
	c := newCommittee(t, 5, 3)
	ids := make([]*IdentityPoint, 100)
	for i := range ids {
		ids[i] = randomIdentity().Point()
	}
	msg := keyperMessage(c, 2, ids)
	shares, err := VerifyShares(c.pubs[2], ids, msg, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range shares {
		if err := VerifyShare(c.pubs[2], ids[i], s); err != nil {
			t.Fatalf("share %d: %v", i, err)
		}
	}
	// One bad share (keyper 3's share at position 57) rejects the message.
	bad := bytes.Clone(msg)
	copy(bad[57*G1Size:], c.secrets[3].KeyShare(ids[57]).Bytes())
	if _, err := VerifyShares(c.pubs[2], ids, bad, rand.Reader); !errors.Is(err, ErrInvalidShare) {
		t.Fatalf("bad share accepted: %v", err)
	}
	if err := VerifyShare(c.pubs[2], ids[57], mustShare(t, bad[57*G1Size:58*G1Size])); !errors.Is(err, ErrInvalidShare) {
		t.Fatalf("single check accepted the bad share: %v", err)
	}
	// The same message without it passes.
	without := append(bytes.Clone(bad[:57*G1Size]), bad[58*G1Size:]...)
	idsWithout := append(append([]*IdentityPoint(nil), ids[:57]...), ids[58:]...)
	if _, err := VerifyShares(c.pubs[2], idsWithout, without, rand.Reader); err != nil {
		t.Fatalf("message without the bad share: %v", err)
	}
	// Swapping two valid shares is caught as well.
	swapped := bytes.Clone(msg)
	copy(swapped[0:G1Size], msg[G1Size:2*G1Size])
	copy(swapped[G1Size:2*G1Size], msg[0:G1Size])
	if _, err := VerifyShares(c.pubs[2], ids, swapped, rand.Reader); !errors.Is(err, ErrInvalidShare) {
		t.Fatalf("swapped shares accepted: %v", err)
	}
	// A share outside the subgroup, in a message large enough for the
	// probabilistic batched subgroup check, is rejected.
	nonSub := bytes.Clone(msg)
	p := notInG1()
	pb := p.Bytes()
	copy(nonSub[10*G1Size:], pb[:])
	if _, err := VerifyShares(c.pubs[2], ids, nonSub, rand.Reader); !errors.Is(err, ErrNotInSubgroup) {
		t.Fatalf("non-subgroup share: %v", err)
	}
	// Share and identity counts must match; randomness must be available.
	if _, err := VerifyShares(c.pubs[2], ids, msg[:len(msg)-1], rand.Reader); !errors.Is(err, ErrShareCount) {
		t.Fatalf("short message: %v", err)
	}
	if _, err := VerifyShares(c.pubs[2], nil, nil, rand.Reader); !errors.Is(err, ErrNoIdentities) {
		t.Fatalf("empty: %v", err)
	}
	if _, err := VerifyShares(c.pubs[2], ids, msg, bytes.NewReader(nil)); !errors.Is(err, ErrRandomness) {
		t.Fatalf("no randomness: %v", err)
	}
}

func mustShare(t *testing.T, b []byte) KeyShare {
	t.Helper()
	s, err := ParseKeyShare(b)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBatchSignature(t *testing.T) {
	c := newCommittee(t, 4, 3)
	hash := [32]byte{1, 2, 3}
	id := BatchIdentity(901, 1, 42, hash)
	sig := c.key(t, id, 0, 1, 3)
	if err := VerifyBatchSignature(c.pk, 901, 1, 42, hash, sig); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name              string
		chain, eon, batch uint64
		hash              [32]byte
	}{
		{"other chain", 902, 1, 42, hash},
		{"other eon", 901, 2, 42, hash},
		{"other number", 901, 1, 43, hash},
		{"other hash", 901, 1, 42, [32]byte{1, 2, 4}},
	} {
		if err := VerifyBatchSignature(c.pk, tc.chain, tc.eon, tc.batch, tc.hash, sig); !errors.Is(err, ErrInvalidKey) {
			t.Fatalf("%s: %v", tc.name, err)
		}
	}
}

func TestIdentitiesAreSeparated(t *testing.T) {
	// The same bytes in both layouts give different identities, and every
	// field matters.
	var payer [20]byte
	var prefix, hash [32]byte
	base := TxIdentity(1, 2, payer, prefix)
	if base == BatchIdentity(1, 2, 0, hash) {
		t.Fatal("tx and batch identity collide")
	}
	payer[19] = 1
	prefix2 := prefix
	prefix2[0] = 1
	for name, id := range map[string]Identity{
		"chain":  TxIdentity(2, 2, [20]byte{}, prefix),
		"eon":    TxIdentity(1, 3, [20]byte{}, prefix),
		"payer":  TxIdentity(1, 2, payer, prefix),
		"prefix": TxIdentity(1, 2, [20]byte{}, prefix2),
	} {
		if id == base {
			t.Fatalf("%s does not change the identity", name)
		}
	}
}

func TestPointCache(t *testing.T) {
	c := NewPointCache(2)
	a, b, d := randomIdentity(), randomIdentity(), randomIdentity()
	pa := c.Point(a)
	if c.Point(a) != pa {
		t.Fatal("cached point not reused")
	}
	if !bytes.Equal(pa.Bytes(), a.Point().Bytes()) || pa.Identity() != a {
		t.Fatal("cache returned a wrong point")
	}
	c.Point(b)
	c.Point(d)
	if c.Len() != 2 {
		t.Fatalf("cache holds %d, cap 2", c.Len())
	}
}

// notInG1 returns a point on the curve outside the prime-order subgroup.
func notInG1() bls.G1Affine {
	var f fp.Element
	f.SetUint64(7)
	j := bls.GeneratePointNotInG1(f)
	var p bls.G1Affine
	p.FromJacobian(&j)
	return p
}

func notInG2() bls.G2Affine {
	var e bls.E2
	e.A0.SetUint64(7)
	j := bls.GeneratePointNotInG2(e)
	var p bls.G2Affine
	p.FromJacobian(&j)
	return p
}

// offCurveG1 returns a canonical compressed encoding whose x has no point.
func offCurveG1() []byte {
	for x := uint64(1); ; x++ {
		var e fp.Element
		e.SetUint64(x)
		b := e.Bytes()
		b[0] |= flagCompressed
		if err := bls.NewDecoder(bytes.NewReader(b[:]), bls.NoSubgroupChecks()).Decode(new(bls.G1Affine)); err != nil {
			return b[:]
		}
	}
}

func offCurveG2() []byte {
	for x := uint64(1); ; x++ {
		var e fp.Element
		e.SetUint64(x)
		var b [G2Size]byte
		eb := e.Bytes()
		copy(b[fp.Bytes:], eb[:])
		b[0] |= flagCompressed
		if err := bls.NewDecoder(bytes.NewReader(b[:]), bls.NoSubgroupChecks()).Decode(new(bls.G2Affine)); err != nil {
			return b[:]
		}
	}
}

func TestStrictDecoding(t *testing.T) {
	c := newCommittee(t, 3, 2)
	id := randomIdentity()
	good, err := Encrypt(c.pk, id, []byte("x"), nil, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	g1 := g1Gen.Bytes()
	g2 := g2Gen.Bytes()
	nsub1, nsub2 := notInG1(), notInG2()
	nsub1b, nsub2b := nsub1.Bytes(), nsub2.Bytes()
	inf1 := make([]byte, G1Size)
	inf1[0] = flagCompressed | flagInfinity
	inf2 := make([]byte, G2Size)
	inf2[0] = flagCompressed | flagInfinity
	uncompressed := bytes.Clone(g1[:])
	uncompressed[0] &^= flagCompressed
	bigX := bytes.Repeat([]byte{0xff}, G1Size)
	bigX[0] = flagCompressed | 0x1f
	badInf := bytes.Clone(inf1)
	badInf[5] = 1
	withU := func(u []byte) []byte {
		b := bytes.Clone(good)
		copy(b[1:], u)
		return b
	}
	version := bytes.Clone(good)
	version[0] = 2

	parseG1 := func(b []byte) error { _, err := ParseKey(b); return err }
	parseShare := func(b []byte) error { _, err := ParseKeyShare(b); return err }
	parseG2 := func(b []byte) error { _, err := ParseEonPublicKey(b); return err }
	parsePub := func(b []byte) error { _, err := ParsePublicShare(0, b); return err }
	parseCT := func(b []byte) error { _, err := ParseCiphertext(b); return err }
	parseSecret := func(b []byte) error { _, err := ParseSecretShare(0, b); return err }
	order := bytes.Repeat([]byte{0xff}, 32)

	for _, tc := range []struct {
		name  string
		parse func([]byte) error
		in    []byte
		want  error
	}{
		{"key ok", parseG1, g1[:], nil},
		{"key short", parseG1, g1[:47], ErrLength},
		{"key long", parseG1, append(g1[:], 0), ErrLength},
		{"key uncompressed flag", parseG1, uncompressed, ErrPointEncoding},
		{"key x too large", parseG1, bigX, ErrPointEncoding},
		{"key off curve", parseG1, offCurveG1(), ErrNotOnCurve},
		{"key outside subgroup", parseG1, nsub1b[:], ErrNotInSubgroup},
		{"key at infinity", parseG1, inf1, ErrInfinity},
		{"key infinity with junk", parseG1, badInf, ErrPointEncoding},
		{"share outside subgroup", parseShare, nsub1b[:], ErrNotInSubgroup},
		{"share at infinity", parseShare, inf1, ErrInfinity},
		{"eon key ok", parseG2, g2[:], nil},
		{"eon key short", parseG2, g2[:95], ErrLength},
		{"eon key off curve", parseG2, offCurveG2(), ErrNotOnCurve},
		{"eon key outside subgroup", parseG2, nsub2b[:], ErrNotInSubgroup},
		{"eon key at infinity", parseG2, inf2, ErrInfinity},
		{"public share outside subgroup", parsePub, nsub2b[:], ErrNotInSubgroup},
		{"secret share ok", parseSecret, make([]byte, 32), nil},
		{"secret share short", parseSecret, make([]byte, 31), ErrLength},
		{"secret share not below order", parseSecret, order, ErrScalarRange},
		{"ciphertext ok", parseCT, good, nil},
		{"ciphertext empty", parseCT, nil, ErrLength},
		{"ciphertext short", parseCT, good[:len(good)-1], ErrLength},
		{"ciphertext not a bucket", parseCT, append(bytes.Clone(good), make([]byte, 100)...), ErrBucket},
		{"ciphertext over max bucket", parseCT, make([]byte, Overhead+2*MaxBucket), ErrVersion},
		{"ciphertext version", parseCT, version, ErrVersion},
		{"ciphertext U off curve", parseCT, withU(offCurveG2()), ErrNotOnCurve},
		{"ciphertext U outside subgroup", parseCT, withU(nsub2b[:]), ErrNotInSubgroup},
		{"ciphertext U at infinity", parseCT, withU(inf2), ErrInfinity},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.parse(tc.in)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	big := make([]byte, Overhead+2*MaxBucket)
	big[0] = Version
	if err := parseCT(big); !errors.Is(err, ErrBucket) {
		t.Fatalf("over max bucket: %v", err)
	}
	if _, err := ParseSecretShare(-1, make([]byte, 32)); !errors.Is(err, ErrKeyperIndex) {
		t.Fatalf("negative index: %v", err)
	}
}

// decryptBoth decrypts with Decrypt and with a PreparedCiphertext and
// fails the test unless both give the same answer.
func decryptBoth(t testing.TB, key *Key, id Identity, ct, ad []byte) ([]byte, error) {
	t.Helper()
	pt, err := Decrypt(key, id, ct, ad)
	var ppt []byte
	p, perr := PrepareCiphertext(ct)
	if perr == nil {
		ppt, perr = p.Decrypt(key, id, ad)
	}
	if (err == nil) != (perr == nil) || !bytes.Equal(pt, ppt) || (perr != nil && !errors.Is(perr, ErrDecrypt)) {
		t.Fatalf("prepared decryption differs: %q %v, prepared %q %v", pt, err, ppt, perr)
	}
	return pt, err
}

func TestDecryptBatch(t *testing.T) {
	c := newCommittee(t, 3, 2)
	var items []DecryptItem
	var msgs [][]byte
	for i := range 16 {
		id := randomIdentity()
		msg := []byte(fmt.Sprintf("tx %d", i))
		ct, err := Encrypt(c.pk, id, msg, nil, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, DecryptItem{Key: c.key(t, id, 0, 2), ID: id, Ciphertext: ct})
		msgs = append(msgs, msg)
	}
	items[3].AD = []byte("wrong")
	items[7].Key = nil
	// Prepared ahead: used where it is the item's ciphertext, ignored
	// where it is another's.
	for _, i := range []int{1, 3, 9} {
		if items[i].Prepared, _ = PrepareCiphertext(items[i].Ciphertext); items[i].Prepared == nil {
			t.Fatal("prepare failed")
		}
	}
	items[12].Prepared = items[9].Prepared
	for i, r := range DecryptBatch(items) {
		switch i {
		case 3, 7:
			if !errors.Is(r.Err, ErrDecrypt) {
				t.Fatalf("item %d: %v", i, r.Err)
			}
		default:
			if r.Err != nil || !bytes.Equal(r.Plaintext, msgs[i]) {
				t.Fatalf("item %d: %v", i, r.Err)
			}
		}
	}
}
