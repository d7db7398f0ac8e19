package tpke

import (
	"bytes"
	"crypto/rand"
	"errors"
	"sync"
	"testing"
)

// A fixed committee and ciphertext shared by the fuzz targets' seeds.
var fuzzFixture = sync.OnceValue(func() (f struct {
	c   *committee
	id  Identity
	key *Key
	ct  []byte
	ad  []byte
	ids []*IdentityPoint
	msg []byte
}) {
	pk, secrets := dealShares(&detStream{seed: []byte("fuzz"), label: "poly"}, 3, 2)
	f.c = &committee{pk: pk, secrets: secrets, t: 2}
	for _, s := range secrets {
		f.c.pubs = append(f.c.pubs, s.PublicShare())
	}
	f.id = TxIdentity(901, 1, [20]byte{1}, [32]byte{2})
	q := f.id.Point()
	agg, _ := NewAggregator([]int{0, 1})
	f.key, _ = agg.Aggregate([]KeyShare{secrets[0].KeyShare(q), secrets[1].KeyShare(q)})
	f.ad = EnvelopeAD(901, 1, f.id, 21000)
	f.ct, _ = Encrypt(pk, f.id, []byte("fuzz me"), f.ad, &detStream{seed: []byte("sigma")})
	f.ids = []*IdentityPoint{q, TxIdentity(901, 1, [20]byte{3}, [32]byte{4}).Point()}
	f.msg = keyperMessage(f.c, 2, f.ids)
	return f
})

func FuzzParseCiphertext(f *testing.F) {
	fx := fuzzFixture()
	f.Add(fx.ct)
	f.Add([]byte{})
	f.Add(make([]byte, Overhead+MinBucket))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseCiphertext(b)
		if err != nil {
			if c != nil {
				t.Fatal("ciphertext and error")
			}
			return
		}
		if !bytes.Equal(c.Bytes(), b) || (len(b)-Overhead)&(len(b)-Overhead-1) != 0 {
			t.Fatal("accepted an invalid length or changed the bytes")
		}
	})
}

func FuzzDecrypt(f *testing.F) {
	fx := fuzzFixture()
	f.Add(fx.ct, fx.ad)
	f.Add(fx.ct[:200], fx.ad)
	f.Add(fx.ct, []byte{})
	f.Fuzz(func(t *testing.T, ct, ad []byte) {
		pt, err := decryptBoth(t, fx.key, fx.id, ct, ad)
		if err != nil {
			if !errors.Is(err, ErrDecrypt) {
				t.Fatalf("rejection without ErrDecrypt: %v", err)
			}
			return
		}
		// Only the genuine ciphertext and associated data decrypt.
		if !bytes.Equal(ct, fx.ct) || !bytes.Equal(ad, fx.ad) || string(pt) != "fuzz me" {
			t.Fatalf("forged ciphertext decrypted to %q", pt)
		}
	})
}

func FuzzParseG1(f *testing.F) {
	fx := fuzzFixture()
	f.Add(fx.key.Bytes())
	f.Add(fx.msg[:G1Size])
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := ParseKey(b)
		s, serr := ParseKeyShare(b)
		if (err == nil) != (serr == nil) {
			t.Fatal("key and share decoders disagree")
		}
		if err == nil && (!bytes.Equal(k.Bytes(), b) || !bytes.Equal(s.Bytes(), b)) {
			t.Fatal("accepted a non-canonical encoding")
		}
	})
}

func FuzzParseG2(f *testing.F) {
	fx := fuzzFixture()
	f.Add(fx.c.pk.Bytes())
	f.Add(fx.ct[1 : 1+G2Size])
	f.Fuzz(func(t *testing.T, b []byte) {
		pk, err := ParseEonPublicKey(b)
		ps, perr := ParsePublicShare(1, b)
		if (err == nil) != (perr == nil) {
			t.Fatal("eon key and public share decoders disagree")
		}
		if err == nil && (!bytes.Equal(pk.Bytes(), b) || !bytes.Equal(ps.Bytes(), b)) {
			t.Fatal("accepted a non-canonical encoding")
		}
	})
}

func FuzzParseSecretShare(f *testing.F) {
	f.Add(make([]byte, 32))
	f.Add(bytes.Repeat([]byte{0xff}, 32))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseSecretShare(0, b)
		if err == nil && !bytes.Equal(s.Bytes(), b) {
			t.Fatal("accepted a non-canonical scalar")
		}
	})
}

func FuzzVerifyShares(f *testing.F) {
	fx := fuzzFixture()
	f.Add(fx.msg)
	f.Add(fx.msg[:G1Size])
	f.Fuzz(func(t *testing.T, msg []byte) {
		shares, err := VerifyShares(fx.c.pubs[2], fx.ids, msg, rand.Reader)
		if err != nil {
			return
		}
		if !bytes.Equal(msg, fx.msg) || len(shares) != len(fx.ids) {
			t.Fatal("a forged share message verified")
		}
	})
}
