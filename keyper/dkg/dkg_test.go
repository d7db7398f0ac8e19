package dkg

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/veil-l2/veil/encmempool/tpke"
	"go.dedis.ch/kyber/v4"
	"go.dedis.ch/kyber/v4/share"
	pedersen "go.dedis.ch/kyber/v4/share/dkg/pedersen"
	"go.dedis.ch/kyber/v4/util/random"
)

const chainID = 901

func runCommittee(t *testing.T, cfgs []Config, setup func(*LocalCommittee)) ([]*Result, []error) {
	t.Helper()
	lc, err := NewLocalCommittee(cfgs)
	if err != nil {
		t.Fatal(err)
	}
	if setup != nil {
		setup(lc)
	}
	return lc.Run()
}

// agree checks that the given keypers finished with one eon key and
// returns one of their results.
func agree(t *testing.T, results []*Result, fails []error, want []int) *Result {
	t.Helper()
	var first *Result
	for _, i := range want {
		if results[i] == nil {
			t.Fatalf("keyper %d did not finish: %v", i, fails[i])
		}
		if first == nil {
			first = results[i]
			continue
		}
		if !results[i].EonPublicKey.Equal(first.EonPublicKey) {
			t.Fatalf("keyper %d has another eon key", i)
		}
		for j := range first.PublicShares {
			if !bytes.Equal(results[i].PublicShares[j].Bytes(), first.PublicShares[j].Bytes()) {
				t.Fatalf("keyper %d disagrees on public share %d", i, j)
			}
		}
	}
	return first
}

// decryptWith encrypts to the eon key and decrypts with the key aggregated
// from the given keypers' shares; it returns the decryption error.
func decryptWith(t *testing.T, pk *tpke.EonPublicKey, shares []*tpke.SecretShare, eon uint64) error {
	t.Helper()
	var payer [20]byte
	var prefix [32]byte
	rand.Read(prefix[:])
	id := tpke.TxIdentity(chainID, eon, payer, prefix)
	msg := []byte("a signed transaction, RLP-encoded")
	ad := tpke.EnvelopeAD(chainID, eon, id, 21000)
	ct, err := tpke.Encrypt(pk, id, msg, ad, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	q := id.Point()
	signers := make([]int, len(shares))
	ks := make([]tpke.KeyShare, len(shares))
	for k, s := range shares {
		signers[k] = s.Index
		ks[k] = s.KeyShare(q)
	}
	key, err := tpke.Aggregate(signers, ks)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tpke.Decrypt(key, id, ct, ad)
	if err != nil {
		return err
	}
	if !bytes.Equal(got, msg) {
		t.Fatal("decrypted to another message")
	}
	return nil
}

func sharesOf(results []*Result, idx ...int) []*tpke.SecretShare {
	out := make([]*tpke.SecretShare, len(idx))
	for k, i := range idx {
		out[k] = results[i].Share
	}
	return out
}

func TestSevenOfFiveCompletesAndDecrypts(t *testing.T) {
	cfgs, err := LocalConfigs(chainID, 1, 7, 5)
	if err != nil {
		t.Fatal(err)
	}
	results, fails := runCommittee(t, cfgs, nil)
	r := agree(t, results, fails, []int{0, 1, 2, 3, 4, 5, 6})
	if len(r.Qualified) != 7 {
		t.Fatalf("qualified %v, want all 7", r.Qualified)
	}
	for i, res := range results {
		if res.Share.Index != i {
			t.Fatalf("keyper %d got share index %d", i, res.Share.Index)
		}
		if !bytes.Equal(res.Share.PublicShare().Bytes(), r.PublicShares[i].Bytes()) {
			t.Fatalf("keyper %d share does not match its public share", i)
		}
	}
	for _, set := range [][]int{{0, 1, 2, 3, 4}, {2, 3, 4, 5, 6}, {0, 2, 4, 5, 6}, {0, 1, 2, 3, 4, 5, 6}} {
		if err := decryptWith(t, r.EonPublicKey, sharesOf(results, set...), 1); err != nil {
			t.Fatalf("signers %v: %v", set, err)
		}
	}
	if err := decryptWith(t, r.EonPublicKey, sharesOf(results, 0, 1, 2, 3), 1); !errors.Is(err, tpke.ErrDecrypt) {
		t.Fatalf("4 of threshold 5 decrypted: %v", err)
	}
}

func TestOneDealerOffline(t *testing.T) {
	cfgs, err := LocalConfigs(chainID, 1, 7, 5)
	if err != nil {
		t.Fatal(err)
	}
	results, fails := runCommittee(t, cfgs, func(lc *LocalCommittee) { lc.Offline[6] = true })
	r := agree(t, results, fails, []int{0, 1, 2, 3, 4, 5})
	for _, q := range r.Qualified {
		if q == 6 {
			t.Fatalf("offline dealer 6 is qualified: %v", r.Qualified)
		}
	}
	if err := decryptWith(t, r.EonPublicKey, sharesOf(results, 1, 2, 3, 4, 5), 1); err != nil {
		t.Fatal(err)
	}
}

func TestCorruptDealerExcluded(t *testing.T) {
	cfgs, err := LocalConfigs(chainID, 1, 7, 5)
	if err != nil {
		t.Fatal(err)
	}
	const bad = 3
	results, fails := runCommittee(t, cfgs, func(lc *LocalCommittee) {
		lc.Filter = func(from uint32, m Message) (Message, bool) {
			if from != bad || m.Deal == nil {
				return m, true
			}
			// The dealer commits to another polynomial than the one its
			// encrypted shares come from, and signs the result: a validly
			// signed, corrupt deal.
			other := share.NewPriPoly(Suite(), cfgs[bad].Threshold, nil, random.New(rand.Reader))
			_, commits := other.Commit(Suite().Point().Base()).Info()
			c := *m.Deal
			c.Public = commits
			h, err := c.Hash()
			if err != nil {
				t.Fatal(err)
			}
			if c.Signature, err = (deterministicSchnorr{}).Sign(cfgs[bad].Longterm, h); err != nil {
				t.Fatal(err)
			}
			return Message{Deal: &c}, true
		}
	})
	honest := []int{0, 1, 2, 4, 5, 6}
	r := agree(t, results, fails, honest)
	for _, q := range r.Qualified {
		if q == bad {
			t.Fatalf("corrupt dealer is qualified: %v", r.Qualified)
		}
	}
	if len(r.Qualified) != 6 {
		t.Fatalf("qualified %v, want the 6 honest dealers", r.Qualified)
	}
	if results[bad] != nil {
		t.Fatal("the corrupt dealer finished as if nothing happened")
	}
	if err := decryptWith(t, r.EonPublicKey, sharesOf(results, 0, 2, 4, 5, 6), 1); err != nil {
		t.Fatal(err)
	}
}

func TestConsecutiveEonsAreIndependent(t *testing.T) {
	// Eon 1: keypers A0..A6. Eon 2: A0..A3 stay, three new members join.
	secrets := make([]kyber.Scalar, 10)
	pubs := make([]kyber.Point, 10)
	for i := range secrets {
		secrets[i], pubs[i] = NewLongterm()
	}
	parts := func(members []int) ([]Participant, []kyber.Scalar) {
		p := make([]Participant, len(members))
		s := make([]kyber.Scalar, len(members))
		for k, m := range members {
			p[k] = Participant{Index: uint32(k), Public: pubs[m]}
			s[k] = secrets[m]
		}
		return p, s
	}
	p1, s1 := parts([]int{0, 1, 2, 3, 4, 5, 6})
	p2, s2 := parts([]int{0, 1, 2, 3, 7, 8, 9})
	c1, err := ConfigsFor(chainID, 1, 5, p1, s1)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := ConfigsFor(chainID, 2, 5, p2, s2)
	if err != nil {
		t.Fatal(err)
	}
	res1, f1 := runCommittee(t, c1, nil)
	res2, f2 := runCommittee(t, c2, nil)
	all := []int{0, 1, 2, 3, 4, 5, 6}
	r1 := agree(t, res1, f1, all)
	r2 := agree(t, res2, f2, all)
	if r1.EonPublicKey.Equal(r2.EonPublicKey) {
		t.Fatal("two eons share a key")
	}
	if err := decryptWith(t, r2.EonPublicKey, sharesOf(res2, 0, 1, 2, 3, 4), 2); err != nil {
		t.Fatal(err)
	}
	// Any number of eon-1 shares, alone or mixed with eon-2 shares below the
	// threshold, yields nothing for eon 2.
	for _, tc := range []struct {
		name   string
		shares []*tpke.SecretShare
	}{
		{"five eon-1 shares", sharesOf(res1, 0, 1, 2, 3, 4)},
		{"all seven eon-1 shares", sharesOf(res1, all...)},
		{"four eon-2 shares and one eon-1 share", append(sharesOf(res2, 0, 1, 2, 3), res1[4].Share)},
		{"the four staying members' eon-1 shares with one eon-2 share", append(sharesOf(res1, 0, 1, 2, 3), res2[6].Share)},
	} {
		if err := decryptWith(t, r2.EonPublicKey, tc.shares, 2); !errors.Is(err, tpke.ErrDecrypt) {
			t.Fatalf("%s decrypted an eon-2 ciphertext: %v", tc.name, err)
		}
	}
	// And every eon-1 key share fails the eon-2 share check.
	q := tpke.TxIdentity(chainID, 2, [20]byte{1}, [32]byte{2}).Point()
	for i, r := range res1 {
		if err := tpke.VerifyShare(r2.PublicShares[i], q, r.Share.KeyShare(q)); !errors.Is(err, tpke.ErrInvalidShare) {
			t.Fatalf("eon-1 share %d verifies under eon 2: %v", i, err)
		}
	}
}

func TestBadPacketsAreNamedErrors(t *testing.T) {
	cfgs, err := LocalConfigs(chainID, 1, 4, 3)
	if err != nil {
		t.Fatal(err)
	}
	cores := make([]*DKG, len(cfgs))
	deals := make([]*pedersen.DealBundle, len(cfgs))
	for i, c := range cfgs {
		if cores[i], err = New(c); err != nil {
			t.Fatal(err)
		}
		out, err := cores[i].Step(Start{})
		if err != nil || len(out.Send) != 1 || out.Send[0].Deal == nil {
			t.Fatalf("start: %v %+v", err, out)
		}
		deals[i] = out.Send[0].Deal
	}
	resign := func(b pedersen.DealBundle, signer int) *pedersen.DealBundle {
		h, _ := b.Hash()
		b.Signature, _ = (deterministicSchnorr{}).Sign(cfgs[signer].Longterm, h)
		return &b
	}
	tampered := *deals[1]
	tampered.Deals = append([]pedersen.Deal(nil), tampered.Deals...)
	tampered.Deals[0].EncryptedShare = append([]byte{1}, tampered.Deals[0].EncryptedShare...)
	otherSession := *deals[1]
	otherSession.SessionID = bytes.Repeat([]byte{7}, 32)
	unknown := *deals[1]
	unknown.DealerIndex = 9
	short := *deals[1]
	short.Public = short.Public[:1]
	nilPoint := *deals[1]
	nilPoint.Public = []kyber.Point{nil, nil, nil}
	equivocating := *deals[2]
	equivocating.Deals = append([]pedersen.Deal(nil), deals[2].Deals[1:]...)

	for _, tc := range []struct {
		name string
		ev   Event
		want error
	}{
		{"nil deal", DealReceived{}, ErrMalformed},
		{"tampered deal", DealReceived{Bundle: &tampered}, ErrBadSignature},
		{"signed by another keyper", DealReceived{Bundle: resign(tampered, 3)}, ErrBadSignature},
		{"other session", DealReceived{Bundle: &otherSession}, ErrMalformed},
		{"unknown dealer", DealReceived{Bundle: &unknown}, ErrUnknownSender},
		{"wrong number of commitments", DealReceived{Bundle: resign(short, 1)}, ErrMalformed},
		{"nil commitment", DealReceived{Bundle: &nilPoint}, ErrMalformed},
		{"good deal", DealReceived{Bundle: deals[2]}, nil},
		{"same deal again", DealReceived{Bundle: deals[2]}, nil},
		{"another deal from the same dealer", DealReceived{Bundle: resign(equivocating, 2)}, ErrEquivocation},
		{"nil response", ResponseReceived{}, ErrMalformed},
		{"nil justification", JustificationReceived{}, ErrMalformed},
		{"timeout of another phase", Timeout{Phase: PhaseJustification}, ErrState},
		{"start twice", Start{}, ErrState},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cores[0].Step(tc.ev)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	if cores[0].Phase() != PhaseDeal {
		t.Fatalf("bad packets moved the run to %s", cores[0].Phase())
	}
}

func TestSeedDeterminesPolynomial(t *testing.T) {
	cfgs, err := LocalConfigs(chainID, 1, 4, 3)
	if err != nil {
		t.Fatal(err)
	}
	deal := func(c Config) *pedersen.DealBundle {
		d, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		out, err := d.Step(Start{})
		if err != nil {
			t.Fatal(err)
		}
		return out.Send[0].Deal
	}
	a, b := deal(cfgs[0]), deal(cfgs[0])
	for i := range a.Public {
		if !a.Public[i].Equal(b.Public[i]) {
			t.Fatal("same seed, different polynomial")
		}
	}
	other := cfgs[0]
	other.Seed[0] ^= 1
	if deal(other).Public[0].Equal(a.Public[0]) {
		t.Fatal("different seed, same secret")
	}
}

func TestConfigErrors(t *testing.T) {
	cfgs, err := LocalConfigs(chainID, 1, 4, 3)
	if err != nil {
		t.Fatal(err)
	}
	stranger, _ := NewLongterm()
	for _, tc := range []struct {
		name   string
		mutate func(c *Config)
	}{
		{"no participants", func(c *Config) { c.Participants = nil }},
		{"threshold zero", func(c *Config) { c.Threshold = 0 }},
		{"threshold above n", func(c *Config) { c.Threshold = 5 }},
		{"not a participant", func(c *Config) { c.Longterm = stranger }},
		{"no long-term key", func(c *Config) { c.Longterm = nil }},
		{"duplicate index", func(c *Config) {
			c.Participants = append([]Participant(nil), c.Participants...)
			c.Participants[1].Index = 0
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := cfgs[0]
			tc.mutate(&c)
			if _, err := New(c); !errors.Is(err, ErrConfig) {
				t.Fatalf("got %v, want ErrConfig", err)
			}
		})
	}
}
