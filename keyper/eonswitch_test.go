package keyper

import (
	"crypto/ecdsa"
	"errors"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/internal/p2p"
	"github.com/veil-l2/veil/keyper/dkg"
	"github.com/veil-l2/veil/ordering/batch"
)

// The first batch of an eon that follows another: number one above the
// previous eon's highest attested batch, parent = that batch's hash, L1
// origin at or above the set's activation.
func TestReleaserEonStart(t *testing.T) {
	e := newEnv(t, 1)
	const activation = 10
	last := common.Hash{0xaa} // the previous eon's batch 7, attested
	at := func(number uint64, parent common.Hash, origin uint64) *batch.Batch {
		return e.batchOf(number, parent, nil, func(c *batch.Commitment) {
			c.Eon, c.L1OriginNumber, c.L1OriginHash = 2, origin, common.Hash{byte(origin)}
		})
	}
	cases := []struct {
		name     string
		attested map[uint64]common.Hash
		b        *batch.Batch
		want     error
	}{
		{"no attestation seen", nil, at(8, last, 10), ErrEonStart},
		{"parent is not the attested batch", map[uint64]common.Hash{7: last}, at(8, common.Hash{0xbb}, 10), ErrEonStart},
		{"number is not one above the attested batch", map[uint64]common.Hash{7: last}, at(9, last, 10), ErrEonStart},
		{"the previous eon went on", map[uint64]common.Hash{7: last, 8: {0xcc}}, at(8, last, 10), ErrEonStart},
		{"origin before the activation", map[uint64]common.Hash{8: {0xdd}, 7: last}, at(9, common.Hash{0xdd}, 9), ErrNotActive},
		{"batch zero", map[uint64]common.Hash{7: last}, at(0, last, 10), ErrNumberGap},
		{"the first batch", map[uint64]common.Hash{7: last}, at(8, last, 10), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := e.config()
			cfg.Eon, cfg.Activation = 2, activation
			r := NewReleaser(cfg, ReleaseState{}, memReleased{})
			r.L1Confirmed(9, common.Hash{9})
			r.L1Confirmed(10, common.Hash{10})
			if !r.AwaitsFirst() {
				t.Fatal("a fresh eon after another awaits its first batch")
			}
			for n, h := range tc.attested {
				r.Attested(n, h)
			}
			rel, err := r.Decide(tc.b, now+tc.b.Commitment.Number)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if tc.want != nil {
				if !r.AwaitsFirst() {
					t.Fatal("a refusal moved the state")
				}
				return
			}
			if rel.Eon != 2 || rel.Number != 8 || r.AwaitsFirst() || r.State().Next != 9 || r.State().LastHash != rel.Hash {
				t.Fatalf("release %+v, state %+v", rel, r.State())
			}
			// The eon goes on from its first batch with the usual rules;
			// attestations of the previous eon no longer matter.
			r.Attested(8, common.Hash{0xee})
			next := at(9, rel.Hash, 10)
			if _, err := r.Decide(next, now+9); err != nil {
				t.Fatalf("the second batch: %v", err)
			}
		})
	}
}

// Once the next keyper set is final on L1, the old eon releases no batch
// whose L1 origin is at or past its activation.
func TestReleaserSuperseded(t *testing.T) {
	e := newEnv(t, 1)
	r := e.releaser(memReleased{})
	r.L1Confirmed(11, common.Hash{0x12})
	r.Superseded(11)
	b1 := e.batchOf(1, common.Hash{}, nil, nil)
	rel1, err := r.Decide(b1, now+1)
	if err != nil {
		t.Fatalf("origin 10 before the next set's activation 11: %v", err)
	}
	b2 := e.batchOf(2, rel1.Hash, nil, func(c *batch.Commitment) { c.L1OriginNumber, c.L1OriginHash = 11, common.Hash{0x12} })
	if _, err := r.Decide(b2, now+2); !errors.Is(err, ErrSuperseded) {
		t.Fatalf("origin at the activation: %v", err)
	}
	if refusalReason(ErrSuperseded) != "superseded" || refusalReason(ErrEonStart) != "eon_start" {
		t.Fatal("refusal metric labels")
	}
}

// One collector gathers the shares of two eons' committees, each batch's
// against the committee of its eon.
func TestCollectorTwoEons(t *testing.T) {
	e := newEnv(t, 1)
	col, keys1 := collectorFixture(t, e)
	res2, err := dkg.RunLocal(chainID, 2, 4, 3)
	if err != nil {
		t.Fatal(err)
	}
	keys2 := make([]*ecdsa.PrivateKey, 4)
	members2 := make([]common.Address, 4)
	for i := range keys2 {
		keys2[i], _ = crypto.GenerateKey()
		members2[i] = crypto.PubkeyToAddress(keys2[i].PublicKey)
	}
	if err := col.AddEon(CollectorEon{Eon: 2, Threshold: 3, Members: members2, EonKey: res2[0].EonPublicKey,
		PublicShares: res2[0].PublicShares[:3]}); !errors.Is(err, ErrCommittee) {
		t.Fatalf("public shares missing: %v", err)
	}
	if err := col.AddEon(CollectorEon{Eon: 2, Threshold: 3, Members: members2, EonKey: res2[0].EonPublicKey,
		PublicShares: res2[0].PublicShares}); err != nil {
		t.Fatal(err)
	}
	tx, _ := e.envelope(0, eon)
	b1 := e.batchOf(5, common.Hash{1}, []*types.Transaction{tx}, nil)
	rel1, _ := Classify(e.config(), b1, memReleased{})
	cfg2 := e.config()
	cfg2.Eon = 2
	b2 := e.batchOf(6, rel1.Hash, nil, func(c *batch.Commitment) { c.Eon = 2 })
	rel2, _ := Classify(cfg2, b2, memReleased{})
	if rel1.Eon != 1 || rel2.Eon != 2 {
		t.Fatalf("release eons %d %d", rel1.Eon, rel2.Eon)
	}
	for _, rel := range []*Release{rel1, rel2} {
		if k, err := col.Expect(rel); k != nil || err != nil {
			t.Fatal(k, err)
		}
	}
	shares := func(res []*dkg.Result, key *ecdsa.PrivateKey, k int, eonNum uint64, rel *Release) *ShareMessage {
		m := &ShareMessage{ChainID: chainID, Eon: eonNum, Number: rel.Number, Hash: rel.Hash, Keyper: uint32(k),
			Shares: Shares(res[k].Share, tpke.NewPointCache(8), rel)}
		if err := m.Sign(key); err != nil {
			t.Fatal(err)
		}
		return m
	}
	// An eon-1 keyper's shares for the eon-2 batch, or signed as eon 2.
	if _, err := col.Add(shares(e.results, keys1[0], 0, eon, rel2)); !errors.Is(err, ErrUnexpectedBatch) {
		t.Fatalf("eon-1 shares for an eon-2 batch: %v", err)
	}
	if _, err := col.Add(shares(e.results, keys1[0], 0, 2, rel2)); !errors.Is(err, ErrUnknownKeyper) {
		t.Fatalf("an eon-1 keyper as eon 2's: %v", err)
	}
	// An eon with no committee.
	if _, err := col.Add(shares(res2, keys2[0], 0, 3, rel2)); !errors.Is(err, ErrUnexpectedBatch) {
		t.Fatalf("unknown eon: %v", err)
	}
	var got1, got2 *BatchKeys
	for k := range 3 {
		if b, err := col.Add(shares(e.results, keys1[k], k, eon, rel1)); err != nil {
			t.Fatal(err)
		} else if b != nil {
			got1 = b
		}
		if b, err := col.Add(shares(res2, keys2[k], k, 2, rel2)); err != nil {
			t.Fatal(err)
		} else if b != nil {
			got2 = b
		}
	}
	if got1 == nil || got2 == nil || got1.Eon != 1 || got2.Eon != 2 {
		t.Fatalf("keys: %+v %+v", got1, got2)
	}
	if err := tpke.VerifyBatchSignature(res2[0].EonPublicKey, chainID, 2, 6, rel2.Hash, got2.Attestation); err != nil {
		t.Fatal(err)
	}
	if err := tpke.VerifyBatchSignature(e.results[0].EonPublicKey, chainID, 1, 5, rel1.Hash, got1.Attestation); err != nil {
		t.Fatal(err)
	}
}

func TestValidatorsAcrossEons(t *testing.T) {
	seq := common.Address{1}
	c1 := &Committee{Eon: 1, Members: []Member{{Address: common.Address{0x11}}}}
	c2 := &Committee{Eon: 2, Members: []Member{{Address: common.Address{0x22}}}}
	eons := NewEons(c1)
	sv := SequencerValidator{Sequencer: seq, Eons: eons}
	mv := MembersValidator{Eons: eons}
	if sv.KnownSigner(seq, "commitments", 2) == nil || mv.KnownSigner(common.Address{0x22}, "shares", 2) == nil {
		t.Fatal("eon 2 admitted before it is followed")
	}
	eons.Add(2, c2)
	for _, tc := range []struct {
		name string
		err  error
		ok   bool
	}{
		{"sequencer eon 1", sv.KnownSigner(seq, "commitments", 1), true},
		{"sequencer eon 2", sv.KnownSigner(seq, "commitments", 2), true},
		{"sequencer eon 3", sv.KnownSigner(seq, "commitments", 3), false},
		{"stranger as sequencer", sv.KnownSigner(common.Address{0x11}, "commitments", 1), false},
		{"eon-1 member for eon 1", mv.KnownSigner(common.Address{0x11}, "shares", 1), true},
		{"eon-2 member for eon 2", mv.KnownSigner(common.Address{0x22}, "shares", 2), true},
		{"eon-1 member for eon 2", mv.KnownSigner(common.Address{0x11}, "shares", 2), false},
		{"eon-2 member for eon 1", mv.KnownSigner(common.Address{0x22}, "shares", 1), false},
	} {
		if (tc.err == nil) != tc.ok || (!tc.ok && !errors.Is(tc.err, p2p.ErrUnknownSigner)) {
			t.Errorf("%s: %v", tc.name, tc.err)
		}
	}
}

func TestCommitteeCheckL1(t *testing.T) {
	c := &Committee{Eon: 2, Threshold: 2, Members: []Member{{Address: common.Address{1}}, {Address: common.Address{2}}, {Address: common.Address{3}}}}
	for _, tc := range []struct {
		name string
		set  L1KeyperSet
		ok   bool
	}{
		{"the same", L1KeyperSet{Members: []common.Address{{1}, {2}, {3}}, Threshold: 2}, true},
		{"another threshold", L1KeyperSet{Members: []common.Address{{1}, {2}, {3}}, Threshold: 3}, false},
		{"another order", L1KeyperSet{Members: []common.Address{{2}, {1}, {3}}, Threshold: 2}, false},
		{"a member less", L1KeyperSet{Members: []common.Address{{1}, {2}}, Threshold: 2}, false},
		{"another member", L1KeyperSet{Members: []common.Address{{1}, {2}, {4}}, Threshold: 2}, false},
	} {
		if err := c.CheckL1(tc.set); (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrCommittee)) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
