package contracts_test

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"math/rand/v2"
	"os"
	"testing"

	bls "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/keyper/dkg"
	"github.com/veil-l2/veil/ordering/batch"
)

// referenceVectors are tpke's reference vectors (SPEC-tpke.md section 7),
// computed by an implementation independent of Veil's Go code; the Go
// verification checks the same file (encmempool/tpke TestReferenceVectors).
const referenceVectors = "../encmempool/tpke/testdata/reference/tpke-v1.json"

func loadReference(t *testing.T) *tpke.VectorFile {
	t.Helper()
	raw, err := os.ReadFile(referenceVectors)
	if err != nil {
		t.Fatal(err)
	}
	var f tpke.VectorFile
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	return &f
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// g1FromCompressed converts a compressed G1 point to the EIP-2537 encoding.
func g1FromCompressed(t *testing.T, b []byte) []byte {
	t.Helper()
	var p bls.G1Affine
	if _, err := p.SetBytes(b); err != nil {
		t.Fatal(err)
	}
	return contracts.EncodeG1(&p)
}

// signHash signs a commitment hash as the sequencer signs a commitment:
// keccak256("veil/batch/v1" ‖ hash).
func signHash(t *testing.T, key *ecdsa.PrivateKey, h common.Hash) []byte {
	t.Helper()
	digest := crypto.Keccak256Hash([]byte("veil/batch/v1"), h[:])
	sig, err := crypto.Sign(digest[:], key)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// newCommitment is a commitment with a deposit, so that its encoding has
// nested lists, and the given sequence range.
func newCommitment(chainID, eon, number, firstSeq uint64, txs []common.Hash, forced []uint32) batch.Commitment {
	return batch.Commitment{ChainID: chainID, Eon: eon, Number: number, Parent: common.Hash{byte(number)},
		FirstSeq: firstSeq, Timestamp: 1_700_000_000 + number, L1OriginNumber: 7, L1OriginHash: common.Hash{7},
		Deposits: []batch.Deposit{{L1TxHash: common.Hash{9}, LogIndex: 3, To: common.Address{5}, Amount: big.NewInt(1e18)}},
		BaseFee:  big.NewInt(1_000_000_007), GasLimit: 30_000_000, FeeRecipient: common.Address{0xfe},
		TxHashes: txs, Forced: forced}
}

// sign signs c with key (batch.Sign) and returns it with its RLP encoding,
// checking that the contract's view of the signing hash is the sequencer's.
func sign(t *testing.T, key *ecdsa.PrivateKey, c batch.Commitment) (*batch.Signed, []byte) {
	t.Helper()
	s, err := batch.Sign(c, key)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := rlp.EncodeToBytes(&s.Commitment)
	if err != nil {
		t.Fatal(err)
	}
	h := crypto.Keccak256Hash(raw)
	if h != s.Commitment.Hash() || s.Commitment.SigningHash() != crypto.Keccak256Hash([]byte("veil/batch/v1"), h[:]) {
		t.Fatal("the commitment hash or signing hash is not what BatchInbox recomputes")
	}
	return s, raw
}

// attest aggregates the signers' key shares of the batch identity into the
// committee's attestation, checks it with the Go verification and returns
// it in BatchInbox's encoding.
func attest(t *testing.T, res []*dkg.Result, chainID, eon, number uint64, h common.Hash, signers ...int) []byte {
	t.Helper()
	if len(signers) == 0 {
		signers = []int{0, 2, 4}
	}
	q := tpke.BatchIdentity(chainID, eon, number, h).Point()
	shares := make([]tpke.KeyShare, len(signers))
	for k, i := range signers {
		shares[k] = res[i].Share.KeyShare(q)
	}
	key, err := tpke.Aggregate(signers, shares)
	if err != nil {
		t.Fatal(err)
	}
	if len(signers) >= threshold {
		if err := tpke.VerifyBatchSignature(res[0].EonPublicKey, chainID, eon, number, h, key); err != nil {
			t.Fatalf("Go refuses the attestation: %v", err)
		}
	}
	return must(contracts.AttestationToL1(key.Bytes()))
}

func header(s *batch.Signed) contracts.BatchInboxHeader {
	c := &s.Commitment
	return contracts.BatchInboxHeader{Number: c.Number, Eon: c.Eon, CommitmentHash: c.Hash(),
		L2BlockHash: crypto.Keccak256Hash([]byte("block"), big.NewInt(int64(c.Number)).Bytes()),
		StateRoot:   crypto.Keccak256Hash([]byte("root"), big.NewInt(int64(c.Number)).Bytes())}
}

func (e *l1Env) packPost(s *batch.Signed, att, data []byte) []byte {
	return e.bi.PackSubmitBatch(header(s), s.Signature, att, nil, data)
}

func (e *l1Env) nextNumber() uint64 {
	e.t.Helper()
	return must(e.bi.UnpackNextNumber(e.call(e.d.BatchInbox, e.bi.PackNextNumber())))
}

func (e *l1Env) frozen() bool {
	e.t.Helper()
	return must(e.bi.UnpackFrozen(e.call(e.d.BatchInbox, e.bi.PackFrozen())))
}

func (e *l1Env) verify(eon, number uint64, h common.Hash, att []byte) bool {
	e.t.Helper()
	return must(e.bi.UnpackVerifyAttestation(e.call(e.d.BatchInbox, e.bi.PackVerifyAttestation(eon, number, h, att))))
}

func TestBatchInboxReferenceVectors(t *testing.T) {
	t.Parallel()
	f := loadReference(t)
	e := newL1Env(t, l2ChainID)
	bi, at := e.bi, e.d.BatchInbox
	set := e.addSet(e.keypers[:1], 1, e.head()+2)
	e.vote(e.keypers[0], set, 1, must(contracts.EonKeyToL1(unhex(t, f.EonPublicKey))))
	pk := must(tpke.ParseEonPublicKey(unhex(t, f.EonPublicKey)))

	posted := 0
	for i, c := range f.Cases {
		if c.ChainID != l2ChainID || (c.Kind == "batch" && c.Eon != 1) {
			t.Fatalf("case %d: chain %d eon %d, the test expects chain %d and batches of eon 1", i, c.ChainID, c.Eon, l2ChainID)
		}
		// Hash to curve on chain = the independent implementation's, for
		// every identity (transaction identities hash the same way).
		id := [32]byte(unhex(t, c.Identity))
		got := must(bi.UnpackIdentityPoint(e.call(at, bi.PackIdentityPoint(id))))
		if want := g1FromCompressed(t, unhex(t, c.IdentityPoint)); !bytes.Equal(got, want) {
			t.Errorf("case %d: identityPoint = %x, want %x", i, got, want)
		}
		if c.Kind != "batch" {
			continue
		}
		number, h := *c.BatchNumber, common.Hash(unhex(t, c.BatchHash))
		if got := must(bi.UnpackBatchIdentity(e.call(at, bi.PackBatchIdentity(c.Eon, number, h)))); got != id {
			t.Errorf("case %d: batchIdentity = %x, want %x", i, got, id)
		}
		keyBytes := unhex(t, c.Key)
		key := must(tpke.ParseKey(keyBytes))
		if err := tpke.VerifyBatchSignature(pk, c.ChainID, c.Eon, number, h, key); err != nil {
			t.Fatalf("case %d: Go refuses the vector: %v", i, err)
		}
		att := must(contracts.AttestationToL1(keyBytes))
		if !e.verify(c.Eon, number, h, att) {
			t.Errorf("case %d: the vector's attestation does not verify on chain", i)
		}
		other := h
		other[31] ^= 1
		if e.verify(c.Eon, number+1, h, att) || e.verify(c.Eon, number, other, att) || e.verify(c.Eon+1, number, h, att) {
			t.Errorf("case %d: the attestation verifies for another batch", i)
		}
		// Post the vector's batch when it is next.
		if number != e.nextNumber() {
			e.expectRevert(e.alice, at, nil, bi.PackSubmitBatch(contracts.BatchInboxHeader{Number: number, Eon: c.Eon, CommitmentHash: h},
				signHash(t, e.seq, h), att, nil, nil), contracts.BatchInboxNotNextNumberErrorID())
			continue
		}
		hd := contracts.BatchInboxHeader{Number: number, Eon: c.Eon, CommitmentHash: h,
			L2BlockHash: crypto.Keccak256Hash(h[:]), StateRoot: crypto.Keccak256Hash(h[:], h[:])}
		r := e.mustSucceed(e.alice, at, nil, bi.PackSubmitBatch(hd, signHash(t, e.seq, h), att, nil, nil))
		t.Logf("posting reference batch %d with no data used %d gas", number, r.GasUsed)
		posted++
	}
	if posted != 2 {
		t.Errorf("posted %d reference batches, want 2 (numbers 1 and 2)", posted)
	}
}

func TestBatchInboxPosting(t *testing.T) {
	t.Parallel()
	e := newL1Env(t, l2ChainID)
	bi, at := e.bi, e.d.BatchInbox
	res := committee(t, 1)
	e.setUpEon(1, res)
	if n := e.nextNumber(); n != 1 {
		t.Fatalf("nextNumber %d before any posting, want 1", n)
	}
	txs := []common.Hash{{1}, {2}, {3}}
	s1, _ := sign(t, e.seq, newCommitment(l2ChainID, 1, 1, 1, txs, nil))
	h1 := s1.Commitment.Hash()
	att1 := attest(t, res, l2ChainID, 1, 1, h1)

	// Every bad posting of batch 1, each with its reason.
	s2, _ := sign(t, e.seq, newCommitment(l2ChainID, 1, 2, 4, txs, nil))
	wrongSeq, _ := sign(t, e.alice, newCommitment(l2ChainID, 1, 1, 1, txs, nil))
	q := tpke.BatchIdentity(l2ChainID, 1, 1, h1).Point()
	oneShare := must(contracts.AttestationToL1(res[0].Share.KeyShare(q).Bytes()))
	off := g1OffSubgroup(t)
	notOnCurve := bytes.Clone(att1)
	notOnCurve[127] ^= 1
	otherHash := h1
	otherHash[0] ^= 1
	withHeader := func(mod func(*contracts.BatchInboxHeader), sig, att []byte) []byte {
		h := header(s1)
		mod(&h)
		return bi.PackSubmitBatch(h, sig, att, nil, nil)
	}
	same := func(*contracts.BatchInboxHeader) {}
	for _, c := range []struct {
		name string
		data []byte
		want common.Hash
	}{
		{"number 2 first", e.packPost(s2, attest(t, res, l2ChainID, 1, 2, s2.Commitment.Hash()), nil), contracts.BatchInboxNotNextNumberErrorID()},
		{"number 0", withHeader(func(h *contracts.BatchInboxHeader) { h.Number = 0 }, s1.Signature, att1), contracts.BatchInboxAlreadyPostedErrorID()},
		{"eon without a key", withHeader(func(h *contracts.BatchInboxHeader) { h.Eon = 7 }, s1.Signature, att1), contracts.BatchInboxUnknownEonErrorID()},
		{"signed by another key", e.packPost(wrongSeq, att1, nil), contracts.BatchInboxBadSequencerSignatureErrorID()},
		{"signature for another commitment", withHeader(same, s2.Signature, att1), contracts.BatchInboxBadSequencerSignatureErrorID()},
		{"short signature", withHeader(same, s1.Signature[:64], att1), contracts.BatchInboxBadSignatureLengthErrorID()},
		{"short attestation", withHeader(same, s1.Signature, att1[:127]), contracts.BatchInboxBadAttestationLengthErrorID()},
		{"attestation of batch 2", withHeader(same, s1.Signature, attest(t, res, l2ChainID, 1, 2, h1)), contracts.BatchInboxInvalidAttestationErrorID()},
		{"attestation of another hash", withHeader(same, s1.Signature, attest(t, res, l2ChainID, 1, 1, otherHash)), contracts.BatchInboxInvalidAttestationErrorID()},
		{"attestation of another chain", withHeader(same, s1.Signature, attest(t, res, l2ChainID+1, 1, 1, h1)), contracts.BatchInboxInvalidAttestationErrorID()},
		{"attestation of another eon", withHeader(same, s1.Signature, attest(t, res, l2ChainID, 2, 1, h1)), contracts.BatchInboxInvalidAttestationErrorID()},
		{"attestation by another committee", withHeader(same, s1.Signature, attest(t, committee(t, 2), l2ChainID, 1, 1, h1)), contracts.BatchInboxInvalidAttestationErrorID()},
		{"one key share", withHeader(same, s1.Signature, oneShare), contracts.BatchInboxInvalidAttestationErrorID()},
		{"two shares, below threshold", withHeader(same, s1.Signature, attest(t, res, l2ChainID, 1, 1, h1, 1, 3)), contracts.BatchInboxInvalidAttestationErrorID()},
		{"infinity", withHeader(same, s1.Signature, make([]byte, 128)), contracts.BatchInboxInvalidAttestationErrorID()},
		{"not on the curve", withHeader(same, s1.Signature, notOnCurve), contracts.BatchInboxInvalidAttestationErrorID()},
		{"outside the subgroup", withHeader(same, s1.Signature, contracts.EncodeG1(&off)), contracts.BatchInboxInvalidAttestationErrorID()},
		{"commitment hash changed", withHeader(func(h *contracts.BatchInboxHeader) { h.CommitmentHash = otherHash }, signHash(t, e.seq, otherHash), att1), contracts.BatchInboxInvalidAttestationErrorID()},
	} {
		t.Run(c.name, func(t *testing.T) { e.on(t).expectRevert(e.alice, at, nil, c.data, c.want) })
	}
	if n := e.nextNumber(); n != 1 {
		t.Fatalf("nextNumber %d after refused postings", n)
	}
	// The view agrees: the right batch only, under any signer set of size t.
	if !e.verify(1, 1, h1, att1) || !e.verify(1, 1, h1, attest(t, res, l2ChainID, 1, 1, h1, 1, 2, 3)) {
		t.Error("verifyAttestation refuses the attestation")
	}
	if e.verify(1, 2, h1, att1) || e.verify(1, 1, otherHash, att1) || e.verify(2, 1, h1, att1) || e.verify(1, 1, h1, att1[:127]) {
		t.Error("verifyAttestation accepts it for another batch")
	}

	// Batch 1, posted by the sequencer with 10 kB of data.
	data := make([]byte, 10_000)
	rand.NewChaCha8([32]byte{1}).Read(data)
	r := e.mustSucceed(e.seq, at, nil, e.packPost(s1, att1, data))
	ev := must(bi.UnpackBatchPostedEvent(r.Logs[0]))
	hd := header(s1)
	if ev.Number != 1 || ev.Eon != 1 || ev.CommitmentHash != h1 || ev.L2BlockHash != hd.L2BlockHash ||
		ev.StateRoot != hd.StateRoot || ev.DataHash != crypto.Keccak256Hash(data) || ev.Poster != addr(e.seq) {
		t.Errorf("BatchPosted %+v", ev)
	}
	got := must(bi.UnpackBatch(e.call(at, bi.PackBatch(1))))
	if got.CommitmentHash != h1 || got.L2BlockHash != hd.L2BlockHash || got.StateRoot != hd.StateRoot {
		t.Errorf("batch(1) = %+v", got)
	}
	t.Logf("posting a batch with %d bytes of data used %d gas", len(data), r.GasUsed)

	// The first posting wins: neither the same batch again nor another
	// attested commitment for 1 (an equivocation) replaces it.
	e.expectRevert(e.alice, at, nil, e.packPost(s1, att1, data), contracts.BatchInboxAlreadyPostedErrorID())
	s1b, _ := sign(t, e.seq, newCommitment(l2ChainID, 1, 1, 1, txs[:2], nil))
	e.expectRevert(e.alice, at, nil, e.packPost(s1b, attest(t, res, l2ChainID, 1, 1, s1b.Commitment.Hash()), nil),
		contracts.BatchInboxAlreadyPostedErrorID())
	if got := must(bi.UnpackBatch(e.call(at, bi.PackBatch(1)))); got.CommitmentHash != h1 {
		t.Error("batch 1 was replaced")
	}
	// Numbers stay consecutive.
	s3, _ := sign(t, e.seq, newCommitment(l2ChainID, 1, 3, 7, txs, nil))
	e.expectRevert(e.alice, at, nil, e.packPost(s3, attest(t, res, l2ChainID, 1, 3, s3.Commitment.Hash()), nil),
		contracts.BatchInboxNotNextNumberErrorID())

	// Anyone may post an attested batch; without data the fixed cost shows.
	r = e.mustSucceed(e.alice, at, nil, e.packPost(s2, attest(t, res, l2ChainID, 1, 2, s2.Commitment.Hash()), nil))
	if ev := must(bi.UnpackBatchPostedEvent(r.Logs[0])); ev.Poster != addr(e.alice) || ev.Number != 2 {
		t.Errorf("BatchPosted %+v", ev)
	}
	t.Logf("posting a batch with no data used %d gas", r.GasUsed)
	if got := must(bi.UnpackBatch(e.call(at, bi.PackBatch(3)))); got.CommitmentHash != (common.Hash{}) {
		t.Error("batch(3) is not empty")
	}
	if n := e.nextNumber(); n != 3 {
		t.Errorf("nextNumber %d, want 3", n)
	}

	// Another chain's inbox on the same keys refuses this chain's attestation.
	opts := bind.NewKeyedTransactor(e.owner, e.signer.ChainID())
	other, tx, err := bind.DeployContract(opts, common.FromHex(contracts.BatchInboxMetaData.Bin), e.client,
		bi.PackConstructor(l2ChainID+1, addr(e.seq), e.d.KeyBroadcast))
	if err != nil {
		t.Fatal(err)
	}
	e.sim.Commit()
	if r, err := e.client.TransactionReceipt(t.Context(), tx.Hash()); err != nil || r.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("deploying a second inbox: %v", err)
	}
	if ok := must(bi.UnpackVerifyAttestation(e.call(other, bi.PackVerifyAttestation(1, 1, h1, att1)))); ok {
		t.Error("an inbox of another chain accepts the attestation")
	}
}

// floorGas is EIP-7623's calldata floor of a transaction: 21,000 plus 10
// per token, a zero byte one token and any other byte four.
func floorGas(data []byte) uint64 {
	tokens := uint64(0)
	for _, b := range data {
		tokens++
		if b != 0 {
			tokens += 3
		}
	}
	return 21_000 + 10*tokens
}

// TestBatchInboxPostingInParts: batch data posted in parts with
// submitBatchData (anyone, idempotently, only for numbers not posted and not
// too far ahead), then named by the final submitBatch, whose dataHash is
// keccak256(parts ‖ keccak256(data)); a part not posted for the number
// makes it revert with PartNotPosted.
func TestBatchInboxPostingInParts(t *testing.T) {
	t.Parallel()
	e := newL1Env(t, l2ChainID)
	bi, at := e.bi, e.d.BatchInbox
	res := committee(t, 1)
	e.setUpEon(1, res)
	const partSize = 120 << 10
	data := make([]byte, 2*partSize+5_000)
	rand.NewChaCha8([32]byte{2}).Read(data)
	p1, p2, rest := data[:partSize], data[partSize:2*partSize], data[2*partSize:]
	h1, h2 := crypto.Keccak256Hash(p1), crypto.Keccak256Hash(p2)
	const partGas = 8_000_000
	postPart := func(key *ecdsa.PrivateKey, number uint64, part []byte) *types.Receipt {
		t.Helper()
		r := e.send(key, &at, nil, bi.PackSubmitBatchData(number, part), partGas)
		if r.Status != types.ReceiptStatusSuccessful {
			t.Fatalf("part of batch %d reverted", number)
		}
		return r
	}

	// Numbers already posted (0 before batch 1) and too far ahead are refused.
	ahead := must(bi.UnpackPARTSAHEAD(e.call(at, bi.PackPARTSAHEAD())))
	e.expectCallRevert(e.alice, &at, nil, bi.PackSubmitBatchData(0, []byte{1}), contracts.BatchInboxAlreadyPostedErrorID())
	e.expectRevert(e.alice, at, nil, bi.PackSubmitBatchData(1+ahead, []byte{1}), contracts.BatchInboxPartTooFarAheadErrorID())
	postPart(e.alice, ahead, []byte{1}) // the last number ahead is taken

	// The first part, by anyone; again by the sequencer: no revert, another event.
	r := postPart(e.alice, 1, p1)
	ev := must(bi.UnpackBatchDataPartEvent(r.Logs[0]))
	if ev.Number != 1 || ev.PartHash != h1 || ev.Poster != addr(e.alice) {
		t.Errorf("BatchDataPart %+v", ev)
	}
	cd := bi.PackSubmitBatchData(1, p1)
	if floor := floorGas(cd); r.GasUsed < floor || r.GasUsed > floor+50_000 {
		t.Errorf("a part of %d bytes used %d gas; its calldata floor is %d", len(p1), r.GasUsed, floor)
	}
	t.Logf("posting a part of %d bytes (%d bytes of calldata) used %d gas, %.1f per byte", len(p1), len(cd), r.GasUsed,
		float64(r.GasUsed)/float64(len(p1)))
	r = postPart(e.seq, 1, p1)
	if ev := must(bi.UnpackBatchDataPartEvent(r.Logs[0])); ev.PartHash != h1 || ev.Poster != addr(e.seq) {
		t.Errorf("BatchDataPart of the part posted again %+v", ev)
	}
	t.Logf("posting the same part again used %d gas", r.GasUsed)
	// A part of another number does not count for this one.
	postPart(e.alice, 2, p2)
	if !must(bi.UnpackIsPartPosted(e.call(at, bi.PackIsPartPosted(1, h1)))) ||
		must(bi.UnpackIsPartPosted(e.call(at, bi.PackIsPartPosted(1, h2)))) {
		t.Error("isPartPosted(1, ...) does not say part 1 only")
	}

	s1, _ := sign(t, e.seq, newCommitment(l2ChainID, 1, 1, 1, []common.Hash{{1}}, nil))
	att1 := attest(t, res, l2ChainID, 1, 1, s1.Commitment.Hash())
	final := bi.PackSubmitBatch(header(s1), s1.Signature, att1, [][32]byte{h1, h2}, rest)
	e.expectRevert(e.seq, at, nil, final, contracts.BatchInboxPartNotPostedErrorID())
	_, err := e.client.CallContract(t.Context(), ethereum.CallMsg{From: addr(e.seq), To: &at, Data: final, Gas: l1TxGas}, nil)
	var de rpc.DataError
	if !errors.As(err, &de) {
		t.Fatalf("final posting before its second part: %v", err)
	}
	if pe := must(bi.UnpackPartNotPostedError(common.FromHex(de.ErrorData().(string))[4:])); pe.PartHash != h2 {
		t.Errorf("PartNotPosted names %x, want the second part %s", pe.PartHash, h2)
	}

	postPart(e.seq, 1, p2)
	r = e.mustSucceed(e.seq, at, nil, final)
	pe := must(bi.UnpackBatchPostedEvent(r.Logs[0]))
	want := crypto.Keccak256Hash(h1[:], h2[:], crypto.Keccak256(rest))
	if pe.Number != 1 || pe.DataHash != want {
		t.Errorf("BatchPosted number %d dataHash %x, want 1 and keccak256(part1 ‖ part2 ‖ keccak256(rest)) = %s", pe.Number,
			pe.DataHash, want)
	}
	t.Logf("the final posting with 2 parts and %d bytes of data used %d gas", len(rest), r.GasUsed)

	// Batch 1 is posted: no more parts for it, nor a second final posting.
	e.expectRevert(e.alice, at, nil, bi.PackSubmitBatchData(1, []byte{1}), contracts.BatchInboxAlreadyPostedErrorID())
	e.expectRevert(e.alice, at, nil, final, contracts.BatchInboxAlreadyPostedErrorID())
	// Batch 2 names a part posted for batch 1 only.
	s2, _ := sign(t, e.seq, newCommitment(l2ChainID, 1, 2, 2, []common.Hash{{2}}, nil))
	att2 := attest(t, res, l2ChainID, 1, 2, s2.Commitment.Hash())
	e.expectRevert(e.seq, at, nil, bi.PackSubmitBatch(header(s2), s2.Signature, att2, [][32]byte{h1}, nil),
		contracts.BatchInboxPartNotPostedErrorID())
	r = e.mustSucceed(e.seq, at, nil, bi.PackSubmitBatch(header(s2), s2.Signature, att2, [][32]byte{h2}, nil))
	if pe := must(bi.UnpackBatchPostedEvent(r.Logs[0])); pe.DataHash != crypto.Keccak256Hash(h2[:], crypto.Keccak256(nil)) {
		t.Errorf("batch 2's dataHash %x", pe.DataHash)
	}
}

// TestBatchInboxEonSwitch: a new eon is usable from its keyper set's
// activation block on, and postings never go back to an earlier eon.
func TestBatchInboxEonSwitch(t *testing.T) {
	t.Parallel()
	e := newL1Env(t, l2ChainID)
	at := e.d.BatchInbox
	res1, res2 := committee(t, 1), committee(t, 2)
	e.setUpEon(1, res1)
	post := func(number, eon uint64, res []*dkg.Result) *batch.Signed {
		s, _ := sign(t, e.seq, newCommitment(l2ChainID, eon, number, number*10, []common.Hash{{byte(number)}}, nil))
		e.mustSucceed(e.seq, at, nil, e.packPost(s, attest(t, res, l2ChainID, eon, number, s.Commitment.Hash()), nil))
		return s
	}
	post(1, 1, res1)

	activation := e.head() + 10
	set := e.addSet(e.keypers, threshold, activation)
	for i := range threshold {
		e.vote(e.keypers[i], set, 2, eonKeyL1(t, res2))
	}
	s2, _ := sign(t, e.seq, newCommitment(l2ChainID, 2, 2, 20, nil, nil))
	att2 := attest(t, res2, l2ChainID, 2, 2, s2.Commitment.Hash())
	if !e.verify(2, 2, s2.Commitment.Hash(), att2) {
		t.Fatal("eon 2's attestation does not verify")
	}
	e.expectRevert(e.seq, at, nil, e.packPost(s2, att2, nil), contracts.BatchInboxEonNotActiveErrorID())
	for e.head()+1 < activation {
		e.sim.Commit()
	}
	e.mustSucceed(e.seq, at, nil, e.packPost(s2, att2, nil))
	if eon := must(e.bi.UnpackLastEon(e.call(at, e.bi.PackLastEon()))); eon != 2 {
		t.Errorf("lastEon %d, want 2", eon)
	}
	s3, _ := sign(t, e.seq, newCommitment(l2ChainID, 1, 3, 30, nil, nil))
	e.expectRevert(e.seq, at, nil, e.packPost(s3, attest(t, res1, l2ChainID, 1, 3, s3.Commitment.Hash()), nil),
		contracts.BatchInboxEonWentBackErrorID())
	post(3, 2, res2)
}

// equivocation returns the encodings and signatures of two different
// commitments of key with the same number.
func equivocation(t *testing.T, key *ecdsa.PrivateKey, chainID, number uint64) (a, b []byte, sa, sb []byte) {
	t.Helper()
	ca, ra := sign(t, key, newCommitment(chainID, 1, number, 1, []common.Hash{{1}}, nil))
	cb, rb := sign(t, key, newCommitment(chainID, 1, number, 1, []common.Hash{{2}}, nil))
	return ra, rb, ca.Signature, cb.Signature
}

func TestEvidenceEquivocation(t *testing.T) {
	t.Parallel()
	e := newL1Env(t, l2ChainID)
	bi, at := e.bi, e.d.BatchInbox
	res := committee(t, 1)
	e.setUpEon(1, res)
	a, b, sa, sb := equivocation(t, e.seq, l2ChainID, 1)
	_, b2, _, sb2 := equivocation(t, e.seq, l2ChainID, 2)
	x, y, sx, sy := equivocation(t, e.seq, l2ChainID+1, 1)
	_, _, _, byAlice := equivocation(t, e.alice, l2ChainID, 1)
	// Byte strings that the sequencer key signed as commitments but that
	// are not commitments.
	signed := func(raw []byte) []byte { return signHash(t, e.seq, crypto.Keccak256Hash(raw)) }
	var fields []any
	if err := rlp.DecodeBytes(a, &fields); err != nil || len(fields) != 15 {
		t.Fatalf("a commitment decodes to %d fields: %v", len(fields), err)
	}
	fourteen := must(rlp.EncodeToBytes(fields[:14]))
	sixteen := must(rlp.EncodeToBytes(append(fields, uint64(1))))
	trailing := append(bytes.Clone(a), 0x80)
	truncated := a[:len(a)-1]
	notAList := must(rlp.EncodeToBytes([]byte("veil")))
	withBigNumber := append([]any(nil), fields...)
	withBigNumber[3] = new(big.Int).Lsh(big.NewInt(1), 64) // a 9-byte integer
	bigNumber := must(rlp.EncodeToBytes(withBigNumber))

	for _, c := range []struct {
		name         string
		a, sa, b, sb []byte
		want         common.Hash
	}{
		{"same commitment", a, sa, a, sa, contracts.BatchInboxSameCommitmentErrorID()},
		{"signed by another key", a, sa, b, byAlice, contracts.BatchInboxBadSequencerSignatureErrorID()},
		{"signatures swapped", a, sb, b, sa, contracts.BatchInboxBadSequencerSignatureErrorID()},
		{"short signature", a, sa, b, sb[:64], contracts.BatchInboxBadSignatureLengthErrorID()},
		{"different numbers", a, sa, b2, sb2, contracts.BatchInboxDifferentNumbersErrorID()},
		{"another chain", x, sx, y, sy, contracts.BatchInboxWrongChainErrorID()},
		{"14 fields", a, sa, fourteen, signed(fourteen), contracts.BatchInboxMalformedCommitmentErrorID()},
		{"16 fields", a, sa, sixteen, signed(sixteen), contracts.BatchInboxMalformedCommitmentErrorID()},
		{"trailing byte", a, sa, trailing, signed(trailing), contracts.BatchInboxMalformedCommitmentErrorID()},
		{"truncated", a, sa, truncated, signed(truncated), contracts.BatchInboxMalformedCommitmentErrorID()},
		{"not a list", a, sa, notAList, signed(notAList), contracts.BatchInboxMalformedCommitmentErrorID()},
		{"number above 64 bits", a, sa, bigNumber, signed(bigNumber), contracts.BatchInboxMalformedCommitmentErrorID()},
		{"empty", a, sa, nil, signed(nil), contracts.BatchInboxMalformedCommitmentErrorID()},
	} {
		t.Run(c.name, func(t *testing.T) {
			e.on(t).expectRevert(e.alice, at, nil, bi.PackProveEquivocation(c.a, c.sa, c.b, c.sb), c.want)
		})
	}
	if e.frozen() {
		t.Fatal("frozen by refused evidence")
	}

	// Batch 1 is posted; the sequencer also signed another batch 1.
	s1, _ := sign(t, e.seq, newCommitment(l2ChainID, 1, 1, 1, []common.Hash{{1}}, nil))
	e.mustSucceed(e.seq, at, nil, e.packPost(s1, attest(t, res, l2ChainID, 1, 1, s1.Commitment.Hash()), nil))
	r := e.mustSucceed(e.bob, at, nil, bi.PackProveEquivocation(a, sa, b, sb))
	ev := must(bi.UnpackSequencerFrozenEvent(r.Logs[0]))
	if ev.Sequencer != addr(e.seq) || ev.Evidence != 0 || ev.Number != 1 || ev.Reporter != addr(e.bob) {
		t.Errorf("SequencerFrozen %+v", ev)
	}
	t.Logf("equivocation evidence used %d gas", r.GasUsed)
	if !e.frozen() {
		t.Fatal("not frozen")
	}
	s2, _ := sign(t, e.seq, newCommitment(l2ChainID, 1, 2, 2, nil, nil))
	e.expectRevert(e.alice, at, nil, e.packPost(s2, attest(t, res, l2ChainID, 1, 2, s2.Commitment.Hash()), nil),
		contracts.BatchInboxSequencerIsFrozenErrorID())
	e.expectRevert(e.alice, at, nil, bi.PackProveEquivocation(a, sa, b, sb), contracts.BatchInboxAlreadyFrozenErrorID())
}

// receiptEnv posts two batches: batch 1 holds sequence numbers 10, 11 and
// 12 (its transactions a, b and c) around a forced envelope f at position 1;
// batch 2 starts at 15, skipping 13 and 14.
type receiptEnv struct {
	*l1Env
	txA, txF, txB, txC, txD common.Hash
	raw1, raw2              []byte
}

func newReceiptEnv(t *testing.T) *receiptEnv {
	e := &receiptEnv{l1Env: newL1Env(t, l2ChainID),
		txA: common.Hash{0xa}, txF: common.Hash{0xf}, txB: common.Hash{0xb}, txC: common.Hash{0xc}, txD: common.Hash{0xd}}
	res := committee(t, 1)
	e.setUpEon(1, res)
	var s1, s2 *batch.Signed
	s1, e.raw1 = sign(t, e.seq, newCommitment(l2ChainID, 1, 1, 10, []common.Hash{e.txA, e.txF, e.txB, e.txC}, []uint32{1}))
	s2, e.raw2 = sign(t, e.seq, newCommitment(l2ChainID, 1, 2, 15, []common.Hash{e.txD}, nil))
	for _, s := range []*batch.Signed{s1, s2} {
		e.mustSucceed(e.seq, e.d.BatchInbox, nil, e.packPost(s, attest(t, res, l2ChainID, 1, s.Commitment.Number, s.Commitment.Hash()), nil))
	}
	return e
}

// receipt is the sequencer's (or key's) signed order receipt, in the
// contract's form.
func receipt(t *testing.T, key *ecdsa.PrivateKey, chainID, seq uint64, h common.Hash) contracts.BatchInboxReceipt {
	t.Helper()
	r := encmempool.Receipt{ChainID: chainID, Seq: seq, Hash: h, Time: 1_700_000_000_123 + seq}
	if err := r.Sign(key); err != nil {
		t.Fatal(err)
	}
	return contracts.BatchInboxReceipt{Seq: r.Seq, TxHash: r.Hash, Time: r.Time, Signature: r.Signature}
}

func TestEvidenceReceiptMismatch(t *testing.T) {
	t.Parallel()
	e := newReceiptEnv(t)
	bi, at := e.bi, e.d.BatchInbox
	rc := func(seq uint64, h common.Hash) contracts.BatchInboxReceipt {
		return receipt(t, e.seq, l2ChainID, seq, h)
	}
	for _, c := range []struct {
		name   string
		r      contracts.BatchInboxReceipt
		number uint64
		raw    []byte
		want   common.Hash
	}{
		{"first transaction honored", rc(10, e.txA), 1, e.raw1, contracts.BatchInboxReceiptHonoredErrorID()},
		{"after the forced envelope", rc(11, e.txB), 1, e.raw1, contracts.BatchInboxReceiptHonoredErrorID()},
		{"last transaction honored", rc(12, e.txC), 1, e.raw1, contracts.BatchInboxReceiptHonoredErrorID()},
		{"other batch honored", rc(15, e.txD), 2, e.raw2, contracts.BatchInboxReceiptHonoredErrorID()},
		{"seq before the batch", rc(9, e.txA), 1, e.raw1, contracts.BatchInboxReceiptNotInBatchErrorID()},
		{"seq after the batch", rc(13, e.txA), 1, e.raw1, contracts.BatchInboxReceiptNotInBatchErrorID()},
		{"signed by another key", receipt(t, e.alice, l2ChainID, 11, e.txA), 1, e.raw1, contracts.BatchInboxBadReceiptSignatureErrorID()},
		{"receipt of another chain", receipt(t, e.seq, l2ChainID+1, 11, e.txA), 1, e.raw1, contracts.BatchInboxBadReceiptSignatureErrorID()},
		{"short signature", func() contracts.BatchInboxReceipt { r := rc(11, e.txA); r.Signature = r.Signature[:64]; return r }(), 1, e.raw1, contracts.BatchInboxBadSignatureLengthErrorID()},
		{"another batch's commitment", rc(11, e.txA), 1, e.raw2, contracts.BatchInboxCommitmentMismatchErrorID()},
		{"not posted", rc(11, e.txA), 3, e.raw1, contracts.BatchInboxNotPostedErrorID()},
		{"number 0", rc(11, e.txA), 0, e.raw1, contracts.BatchInboxNotPostedErrorID()},
	} {
		t.Run(c.name, func(t *testing.T) {
			e.on(t).expectRevert(e.alice, at, nil, bi.PackProveReceiptMismatch(c.r, c.number, c.raw), c.want)
		})
	}
	if e.frozen() {
		t.Fatal("frozen by refused evidence")
	}
	// Seq 11 holds b: the forced envelope at position 1 holds no sequence
	// number. A receipt promising seq 11 to another transaction is evidence.
	r := e.mustSucceed(e.bob, at, nil, bi.PackProveReceiptMismatch(rc(11, e.txF), 1, e.raw1))
	ev := must(bi.UnpackSequencerFrozenEvent(r.Logs[0]))
	if ev.Sequencer != addr(e.seq) || ev.Evidence != 1 || ev.Number != 1 || ev.Reporter != addr(e.bob) {
		t.Errorf("SequencerFrozen %+v", ev)
	}
	t.Logf("receipt-mismatch evidence used %d gas", r.GasUsed)
	if !e.frozen() {
		t.Fatal("not frozen")
	}
	e.expectRevert(e.alice, at, nil, bi.PackProveReceiptMismatch(rc(12, e.txA), 1, e.raw1), contracts.BatchInboxAlreadyFrozenErrorID())
	e.expectRevert(e.alice, at, nil, bi.PackProveReceiptSkipped(rc(13, e.txA), 1, e.raw1, e.raw2), contracts.BatchInboxAlreadyFrozenErrorID())
}

func TestEvidenceReceiptSkipped(t *testing.T) {
	t.Parallel()
	e := newReceiptEnv(t)
	bi, at := e.bi, e.d.BatchInbox
	rc := func(seq uint64) contracts.BatchInboxReceipt {
		return receipt(t, e.seq, l2ChainID, seq, common.Hash{0xee})
	}
	for _, c := range []struct {
		name      string
		r         contracts.BatchInboxReceipt
		number    uint64
		raw, next []byte
		want      common.Hash
	}{
		{"seq in the first batch", rc(12), 1, e.raw1, e.raw2, contracts.BatchInboxReceiptNotSkippedErrorID()},
		{"seq in the second batch", rc(15), 1, e.raw1, e.raw2, contracts.BatchInboxReceiptNotSkippedErrorID()},
		{"next batch not posted", rc(16), 2, e.raw2, e.raw1, contracts.BatchInboxNotPostedErrorID()},
		{"commitments swapped", rc(13), 1, e.raw2, e.raw1, contracts.BatchInboxCommitmentMismatchErrorID()},
		{"signed by another key", receipt(t, e.alice, l2ChainID, 13, common.Hash{0xee}), 1, e.raw1, e.raw2, contracts.BatchInboxBadReceiptSignatureErrorID()},
	} {
		t.Run(c.name, func(t *testing.T) {
			e.on(t).expectRevert(e.alice, at, nil, bi.PackProveReceiptSkipped(c.r, c.number, c.raw, c.next), c.want)
		})
	}
	// 13 and 14 fell between batch 1 (10..12) and batch 2 (from 15).
	r := e.mustSucceed(e.bob, at, nil, bi.PackProveReceiptSkipped(rc(14), 1, e.raw1, e.raw2))
	ev := must(bi.UnpackSequencerFrozenEvent(r.Logs[0]))
	if ev.Evidence != 2 || ev.Number != 2 || ev.Reporter != addr(e.bob) {
		t.Errorf("SequencerFrozen %+v", ev)
	}
	if !e.frozen() {
		t.Fatal("not frozen")
	}
	e.expectRevert(e.alice, at, nil, bi.PackProveEquivocation(e.raw1, nil, e.raw2, nil), contracts.BatchInboxAlreadyFrozenErrorID())
}
