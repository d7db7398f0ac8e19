package verify

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rlp"

	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/l1"
	"github.com/veil-l2/veil/ordering"
	"github.com/veil-l2/veil/ordering/batch"
)

// User roles in the test chains (each account's L2 nonces stay in order).
const (
	plainSender = 0 // plaintext transfers and inner transactions
	payerA      = 1
	innerSender = 2
	payerB      = 3
	forcedPayer = 4 // pays forced envelopes
	forcedInner = 5 // sends their inner transactions
	lostSender  = 6 // inner transactions that never get a key
)

// standardTxs: a plaintext transfer and two envelopes the no-key rule
// keys.
func standardTxs(e *chainEnv) []*types.Transaction {
	return []*types.Transaction{
		e.transfer(plainSender, 7),
		e.envelope(payerA, innerSender, e.eon),
		e.envelope(payerB, plainSender, e.eon),
	}
}

// buildStandard builds n batches of standardTxs, one L1 block apart.
func buildStandard(e *chainEnv, n int) {
	for range n {
		e.commit()
		e.build(batchSpec{txs: standardTxs})
	}
}

// buildMixed builds the 20-batch chain: plaintext, keyed envelopes, an
// envelope of another eon every fifth batch (no key: it pays, its inner
// transaction is dropped), an empty batch, deposits, forced envelopes
// committed by the batch whose origin brings them, and forced bytes that
// IncludeForced skips (garbage and a plaintext transaction) left out.
func buildMixed(e *chainEnv) {
	for i := 1; i <= 20; i++ {
		e.commit()
		spec := batchSpec{txs: standardTxs}
		switch {
		case i == 15:
			spec.txs = nil
		case i%5 == 0:
			spec.txs = func(e *chainEnv) []*types.Transaction {
				return append(standardTxs(e), e.envelope(payerA, lostSender, testEon+1))
			}
		}
		if i == 3 || i == 10 {
			e.deposit(plainSender, common.Address{0xde, byte(i)}, big.NewInt(int64(1e15)+int64(i)))
		}
		if i == 10 {
			e.deposit(payerA, common.Address{0xdf}, big.NewInt(5e15))
		}
		if i == 6 || i == 10 {
			e.force(forcedPayer, forcedInner)
		}
		if i == 8 {
			e.forceRaw(forcedPayer, []byte{0xde, 0xad})
			e.forceRaw(forcedPayer, mustBinary(e.t, plaintextFrom(e, 150)))
		}
		e.build(spec)
	}
	if n := len(e.batches[5].b.Commitment.Forced); n != 1 {
		e.t.Fatalf("batch 6 commits %d forced envelopes", n)
	}
	if n := len(e.batches[7].b.Commitment.Forced); n != 0 {
		e.t.Fatalf("batch 8 commits %d forced envelopes", n)
	}
	if n := len(e.batches[9].b.Commitment.Deposits); n != 2 {
		e.t.Fatalf("batch 10 credits %d deposits", n)
	}
}

// plaintextFrom is a plaintext transfer from test key k (not a user: its
// nonces are not planned).
func plaintextFrom(e *chainEnv, k byte) *types.Transaction {
	to := common.Address{0xbf, k}
	return types.MustSignNewTx(testKey(k), e.signer, &types.DynamicFeeTx{ChainID: big.NewInt(testChainID), GasTipCap: gwei,
		GasFeeCap: feeCap, Gas: params.TxGas, To: &to, Value: big.NewInt(1)})
}

// TestVerifierAgrees builds and posts the 20-batch chain; a verifier that
// follows L1 while it is posted agrees on every batch, and one reopened on
// its data directory checks all of them again from L1 without executing.
func TestVerifierAgrees(t *testing.T) {
	t.Parallel()
	e := newChainEnv(t)
	buildMixed(e)
	p := e.startPoster(nil)
	var posts []l1.Posting
	for _, bb := range e.batches {
		posts = append(posts, e.posting(bb))
	}
	e.post(p, posts[:8]...)

	dir := t.TempDir()
	var mu sync.Mutex
	var got []Result
	v := e.verifier(dir, func(r Result) {
		mu.Lock()
		got = append(got, r)
		mu.Unlock()
	})
	ctx, cancel := context.WithCancel(context.Background())
	followed := make(chan error, 1)
	go func() { followed <- v.Follow(ctx) }()
	e.post(p, posts[8:]...)
	verified := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(got)
	}
	for deadline := time.Now().Add(30 * time.Second); verified() < 20; time.Sleep(2 * time.Millisecond) {
		select {
		case err := <-followed:
			t.Fatalf("Follow stopped after %d batches: %v", verified(), err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out following; %d batches verified", verified())
		}
	}
	cancel()
	if err := <-followed; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 20 {
		t.Fatalf("verified %d batches", len(got))
	}
	for i, r := range got {
		bb := e.batches[i]
		if r.Number != uint64(i+1) || r.BlockHash != bb.blockHash || r.StateRoot != bb.stateRoot || r.Txs != len(bb.b.Txs) ||
			r.Keyed != len(bb.rel.Keyed) {
			t.Fatalf("batch %d: verified %+v, built block %s root %s with %d txs", i+1, r, bb.blockHash, bb.stateRoot, len(bb.b.Txs))
		}
	}
	if got[5].Forced != 1 || got[9].Deposits != 2 || got[4].Keyed != 2 || got[14].Txs != 0 {
		t.Fatalf("batch contents: %+v %+v %+v %+v", got[5], got[9], got[4], got[14])
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}

	// Reopened on its data directory, it checks every batch again from L1
	// against the blocks it holds.
	v2 := e.verifier(dir, nil)
	if head := v2.Node().Head().Number.Uint64(); head != 20 {
		t.Fatalf("reopened at block %d", head)
	}
	n, err := v2.Run(context.Background())
	if err != nil || n != 20 {
		t.Fatalf("Run after reopening: %d batches, %v", n, err)
	}
	if _, err := v2.VerifyNext(context.Background()); !errors.Is(err, ErrNotPosted) {
		t.Fatalf("batch 21: %v", err)
	}
}

// batchRLP and payloadRLP mirror the wire formats of batch.Batch.Encode
// and l1.EncodeBatchData, to write data the encoders refuse to.
type batchRLP struct {
	Commitment batch.Commitment
	Signature  []byte
	Txs        [][]byte
}

type payloadRLP struct {
	Batch []byte
	Keys  []byte
}

// swappedData is bb's batch data (uncompressed) with transactions i and j
// swapped in the transaction list and not in the commitment.
func swappedData(t *testing.T, bb *builtBatch, i, j int) []byte {
	t.Helper()
	enc := batchRLP{Commitment: bb.b.Commitment, Signature: bb.b.Signature}
	for _, tx := range bb.b.Txs {
		enc.Txs = append(enc.Txs, mustBinary(t, tx))
	}
	enc.Txs[i], enc.Txs[j] = enc.Txs[j], enc.Txs[i]
	braw, err := rlp.EncodeToBytes(&enc)
	if err != nil {
		t.Fatal(err)
	}
	kraw, err := bb.keys.Encode()
	if err != nil {
		t.Fatal(err)
	}
	payload, err := rlp.EncodeToBytes(&payloadRLP{Batch: braw, Keys: kraw})
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte{1, byte(l1.NoCompression)}, payload...)
}

// withKeys is bb's posting with its keys message changed by edit.
func withKeys(t *testing.T, e *chainEnv, bb *builtBatch, edit func(km *ordering.KeysMessage)) l1.Posting {
	t.Helper()
	km := *bb.keys
	km.Keys = bytes.Clone(km.Keys)
	edit(&km)
	p, err := l1.NewPosting(bb.b, &km, bb.blockHash, bb.stateRoot, l1.Flate)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestVerifierFindsTampering posts a chain whose batch 3 was tampered with
// after its keys existed (BatchInbox takes it: the header and its
// attestation are right) and expects exactly that batch and reason.
func TestVerifierFindsTampering(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		tamper func(t *testing.T, e *chainEnv, bb *builtBatch) l1.Posting
		want   error
	}{
		{"two envelopes swapped in the data", func(t *testing.T, e *chainEnv, bb *builtBatch) l1.Posting {
			p := e.posting(bb)
			p.Data = swappedData(t, bb, 1, 2)
			return p
		}, ErrDataHash},
		{"a key missing", func(t *testing.T, e *chainEnv, bb *builtBatch) l1.Posting {
			return withKeys(t, e, bb, func(km *ordering.KeysMessage) { km.Keys = km.Keys[:len(km.Keys)-tpke.G1Size] })
		}, ErrMissingKey},
		{"a wrong key", func(t *testing.T, e *chainEnv, bb *builtBatch) l1.Posting {
			return withKeys(t, e, bb, func(km *ordering.KeysMessage) {
				copy(km.Keys[tpke.G1Size:], e.aggregate(testEon, tpke.Identity{1, 2, 3}).Bytes())
			})
		}, ErrInvalidKey},
		{"a key that is no point", func(t *testing.T, e *chainEnv, bb *builtBatch) l1.Posting {
			return withKeys(t, e, bb, func(km *ordering.KeysMessage) { km.Keys[5] ^= 0xff })
		}, ErrInvalidKey},
		{"an extra key", func(t *testing.T, e *chainEnv, bb *builtBatch) l1.Posting {
			return withKeys(t, e, bb, func(km *ordering.KeysMessage) { km.Keys = append(km.Keys, km.Keys[:tpke.G1Size]...) })
		}, ErrExtraKey},
		{"a wrong state root", func(t *testing.T, e *chainEnv, bb *builtBatch) l1.Posting {
			p := e.posting(bb)
			p.StateRoot = crypto.Keccak256Hash([]byte("another root"))
			return p
		}, ErrStateRoot},
		{"a wrong block hash", func(t *testing.T, e *chainEnv, bb *builtBatch) l1.Posting {
			p := e.posting(bb)
			p.L2BlockHash = crypto.Keccak256Hash([]byte("another block"))
			return p
		}, ErrBlockHash},
		{"data that does not decode", func(t *testing.T, e *chainEnv, bb *builtBatch) l1.Posting {
			p := e.posting(bb)
			p.Data = []byte{1, 0, 0xc0}
			return p
		}, ErrBatchData},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newChainEnv(t)
			buildStandard(e, 4)
			posts := []l1.Posting{e.posting(e.batches[0]), e.posting(e.batches[1]), tc.tamper(t, e, e.batches[2]),
				e.posting(e.batches[3])}
			e.post(e.startPoster(nil), posts...)
			expectMismatch(t, e, 3, tc.want)
		})
	}
}

// TestVerifierFindsInvalidCommitments posts a chain whose batch 3 is
// signed and attested but breaks a rule the verifier checks against L1 or
// the chain before it.
func TestVerifierFindsInvalidCommitments(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		edit func(e *chainEnv, c *batch.Commitment)
		want error
	}{
		{"an origin hash that is not L1's", func(e *chainEnv, c *batch.Commitment) { c.L1OriginHash = common.Hash{1} }, ErrL1Origin},
		{"a deposit left out", func(e *chainEnv, c *batch.Commitment) { c.Deposits = nil }, ErrDeposits},
		{"a deposit made up", func(e *chainEnv, c *batch.Commitment) {
			c.Deposits = append(c.Deposits, batch.Deposit{L1TxHash: common.Hash{2}, To: common.Address{3}, Amount: big.NewInt(4)})
		}, ErrDeposits},
		{"another parent", func(e *chainEnv, c *batch.Commitment) { c.Parent = common.Hash{5} }, ErrParent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newChainEnv(t)
			buildStandard(e, 2)
			e.deposit(plainSender, common.Address{0xde}, big.NewInt(1e15))
			e.build(batchSpec{txs: standardTxs, edit: func(c *batch.Commitment) { tc.edit(e, c) }})
			e.postAll(e.startPoster(nil))
			expectMismatch(t, e, 3, tc.want)
		})
	}
}

// expectMismatch runs a verifier over everything posted and expects
// batches 1..number-1 to verify and batch number to fail with reason.
func expectMismatch(t *testing.T, e *chainEnv, number uint64, reason error) {
	t.Helper()
	v := e.verifier("", nil)
	n, err := v.Run(context.Background())
	var mm *Mismatch
	if !errors.As(err, &mm) || mm.Batch != number || !errors.Is(err, reason) {
		t.Fatalf("verified %d batches, then %v; want batch %d: %v", n, err, number, reason)
	}
	if n != int(number-1) {
		t.Fatalf("verified %d batches before batch %d", n, number)
	}
	t.Logf("%v", err)
	// The verdict stands.
	if _, again := v.VerifyNext(context.Background()); again != err {
		t.Fatalf("asked again: %v", again)
	}
}

// expectVerified runs a verifier over everything posted and expects all
// of the env's batches to verify.
func expectVerified(t *testing.T, e *chainEnv) {
	t.Helper()
	v := e.verifier("", nil)
	n, err := v.Run(context.Background())
	if err != nil || n != len(e.batches) {
		t.Fatalf("verified %d of %d batches, then %v", n, len(e.batches), err)
	}
}

// TestVerifierForcedSkipped: batch 2's origin brings a forced envelope
// (or forced garbage) and includes what IncludeForced includes, first; it
// is invalid when that origin is past the envelope's deadline, valid at
// it.
func TestVerifierForcedSkipped(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		garbage bool   // force bytes IncludeForced skips instead of an envelope
		after   uint64 // batch 2's origin is this many blocks after the forced block
		want    error
	}{
		{"an envelope brought at its deadline", false, forcedDeadline, nil},
		{"an envelope brought past its deadline", false, forcedDeadline + 1, ErrForcedSkipped},
		{"garbage brought past its deadline", true, forcedDeadline + 1, ErrForcedSkipped},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newChainEnv(t)
			buildStandard(e, 1)
			p := e.startPoster(nil)
			e.postAll(p) // batch 1, before the deadline
			var forcedAt uint64
			if tc.garbage {
				forcedAt = e.forceRaw(forcedPayer, []byte{1, 2, 3})
			} else {
				_, forcedAt = e.force(forcedPayer, forcedInner)
			}
			for range forcedDeadline + 1 {
				e.commit()
			}
			bb := e.build(batchSpec{txs: standardTxs, originAt: forcedAt + tc.after})
			want := 1 // what IncludeForced includes
			if tc.garbage {
				want = 0
			}
			if n := len(bb.b.Commitment.Forced); n != want {
				t.Fatalf("batch 2 commits %d forced envelopes, want %d", n, want)
			}
			e.post(p, e.posting(bb))
			if tc.want == nil {
				expectVerified(t, e)
				return
			}
			expectMismatch(t, e, 2, tc.want)
		})
	}
}

// TestVerifierForcedLagging: an envelope is forced on L1 and the next
// batches keep an older origin that does not bring it; batch 2, posted
// before its deadline, is valid; batch 3, posted after it, is not.
func TestVerifierForcedLagging(t *testing.T) {
	t.Parallel()
	e := newChainEnv(t)
	buildStandard(e, 1)
	p := e.startPoster(nil)
	e.postAll(p)
	_, forcedAt := e.force(forcedPayer, forcedInner)
	e.build(batchSpec{txs: standardTxs, holdOrigin: true})
	e.post(p, e.posting(e.batches[1]))
	if h := e.head(); h > forcedAt+forcedDeadline {
		t.Fatalf("batch 2 posted by L1 block %d, after the deadline %d", h, forcedAt+forcedDeadline)
	}
	for range forcedDeadline + 1 {
		e.commit()
	}
	e.build(batchSpec{txs: standardTxs, holdOrigin: true})
	e.post(p, e.posting(e.batches[2]))
	expectMismatch(t, e, 3, ErrForcedSkipped)
}

// TestVerifierForcedPosition: batch 2 places or marks forced transactions
// otherwise than the rule says: the forced envelopes IncludeForced
// includes, first, in index order, at the forced positions 0..k-1, and
// nothing else there.
func TestVerifierForcedPosition(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// force forces what batch 2's origin brings; it returns what
		// arrange needs.
		force   func(e *chainEnv) *types.Transaction
		arrange func(x *types.Transaction, forced, own []*types.Transaction) ([]*types.Transaction, []uint32)
	}{
		{"an ordinary transaction marked forced", nil,
			func(_ *types.Transaction, forced, own []*types.Transaction) ([]*types.Transaction, []uint32) {
				txs, positions := forcedFirst(forced, own)
				return txs, append(positions, 1)
			}},
		{"the forced envelope left out", forceEnvelope,
			func(_ *types.Transaction, _, own []*types.Transaction) ([]*types.Transaction, []uint32) {
				return own, nil
			}},
		{"the forced envelope after the batch's own", forceEnvelope,
			func(_ *types.Transaction, forced, own []*types.Transaction) ([]*types.Transaction, []uint32) {
				return append(own, forced...), []uint32{uint32(len(own))}
			}},
		{"the forced envelope not marked", forceEnvelope,
			func(_ *types.Transaction, forced, own []*types.Transaction) ([]*types.Transaction, []uint32) {
				return append(forced, own...), nil
			}},
		{"two forced envelopes out of index order", func(e *chainEnv) *types.Transaction {
			forceEnvelope(e)
			env, _ := e.force(payerB, lostSender)
			return env
		}, func(_ *types.Transaction, forced, own []*types.Transaction) ([]*types.Transaction, []uint32) {
			return append([]*types.Transaction{forced[1], forced[0]}, own...), []uint32{0, 1}
		}},
		{"a forced plaintext transaction committed as forced", func(e *chainEnv) *types.Transaction {
			tx := e.transfer(forcedInner, 1)
			e.forceRaw(forcedPayer, mustBinary(e.t, tx))
			return tx
		}, func(x *types.Transaction, forced, own []*types.Transaction) ([]*types.Transaction, []uint32) {
			return append([]*types.Transaction{x}, own...), []uint32{0}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newChainEnv(t)
			buildStandard(e, 1)
			var x *types.Transaction
			if tc.force != nil {
				x = tc.force(e)
			}
			e.commit()
			e.build(batchSpec{txs: standardTxs, arrange: func(forced, own []*types.Transaction) ([]*types.Transaction, []uint32) {
				return tc.arrange(x, forced, own)
			}})
			e.postAll(e.startPoster(nil))
			expectMismatch(t, e, 2, ErrForced)
		})
	}
}

// forceEnvelope forces an envelope of forcedPayer's with an inner
// transaction of forcedInner's.
func forceEnvelope(e *chainEnv) *types.Transaction {
	env, _ := e.force(forcedPayer, forcedInner)
	return env
}

// TestBatchInboxRefusesBadAttestation: a batch changed after its keys
// existed and signed again by the sequencer has no valid attestation, and
// BatchInbox refuses it with its named error; nothing is posted.
func TestBatchInboxRefusesBadAttestation(t *testing.T) {
	t.Parallel()
	e := newChainEnv(t)
	buildStandard(e, 1)
	bb := e.batches[0]
	c := bb.b.Commitment
	c.TxHashes[1], c.TxHashes[2] = c.TxHashes[2], c.TxHashes[1]
	s, err := batch.Sign(c, e.seq)
	if err != nil {
		t.Fatal(err)
	}
	txs := []*types.Transaction{bb.b.Txs[0], bb.b.Txs[2], bb.b.Txs[1]}
	b, err := batch.New(s, txs)
	if err != nil {
		t.Fatal(err)
	}
	km := *bb.keys
	km.Hash = c.Hash() // the keys message follows; the attestation cannot
	post, err := l1.NewPosting(b, &km, bb.blockHash, bb.stateRoot, l1.Flate)
	if err != nil {
		t.Fatal(err)
	}
	refused := make(chan *l1.RevertError, 1)
	p := e.startPoster(func(r slog.Record) {
		var re *l1.RevertError
		if errors.As(errAttr(r), &re) {
			select {
			case refused <- re:
			default:
			}
		}
	})
	if err := p.Enqueue(context.Background(), post); err != nil {
		t.Fatal(err)
	}
	select {
	case re := <-refused:
		if re.Name != "InvalidAttestation" || !errors.Is(re, l1.ErrReverted) {
			t.Fatalf("refused with %v", re)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("BatchInbox did not refuse the posting")
	}
	v := e.verifier("", nil)
	if n, err := v.Run(context.Background()); n != 0 || err != nil {
		t.Fatalf("verified %d batches, %v", n, err)
	}
}

func TestMismatchError(t *testing.T) {
	cause := errors.New("root 0x01, posted 0x02")
	var err error = &Mismatch{Batch: 7, Reason: ErrStateRoot, Err: cause}
	if !errors.Is(err, ErrStateRoot) || !errors.Is(err, cause) || errors.Is(err, ErrBlockHash) {
		t.Fatal("errors.Is does not see the reason and the cause")
	}
	if got, want := err.Error(), "verify: batch 7: state root differs: root 0x01, posted 0x02"; got != want {
		t.Fatalf("%q, want %q", got, want)
	}
	for _, r := range reasons {
		if (&Mismatch{Reason: r.err}).Label() != r.label {
			t.Fatalf("label of %v", r.err)
		}
	}
}
