package verify

import (
	"bytes"
	"errors"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// largeTxs is standardTxs and 16 plaintext transactions with 20 kB of
// random calldata each: about 330 kB of batch data that flate cannot
// shrink, posted in two parts and a final submitBatch.
func largeTxs(e *chainEnv) []*types.Transaction {
	txs := standardTxs(e)
	rng := rand.NewChaCha8([32]byte{byte(len(e.batches))})
	for i := range 16 {
		data := make([]byte, 20_000)
		rng.Read(data)
		to := common.Address{0xda, byte(i)}
		txs = append(txs, types.MustSignNewTx(e.users[plainSender], e.signer, &types.DynamicFeeTx{ChainID: big.NewInt(testChainID),
			Nonce: e.nextNonce(e.users[plainSender]), GasTipCap: gwei, GasFeeCap: feeCap, Gas: 1_000_000, To: &to, Data: data}))
	}
	return txs
}

// TestVerifierReadsPostingsInParts: a batch too large for one L1
// transaction is posted in parts (l1.Poster); the reader finds them, puts
// the data together and checks it against the event's dataHash, and the
// verifier agrees with the chain. Then the reader's own checks, which
// nothing BatchInbox accepts can trip: a part whose BatchDataPart log leads
// to a transaction carrying other data, and a part without a log, are
// each ErrBatchData naming the part.
func TestVerifierReadsPostingsInParts(t *testing.T) {
	t.Parallel()
	e := newChainEnv(t)
	buildStandard(e, 1)
	e.commit()
	e.build(batchSpec{txs: largeTxs})
	buildStandard(e, 1)
	e.postAll(e.startPoster(nil))

	r := newReader(e.l1, e.c, DefaultMaxBlocks)
	p, err := r.posting(e.ctx, 2, e.head())
	if err != nil {
		t.Fatal(err)
	}
	if err := p.checkData(); err != nil {
		t.Fatal(err)
	}
	if len(p.Parts) < 2 || !bytes.Equal(p.Data, e.posting(e.batches[1]).Data) {
		t.Fatalf("batch 2 read back in %d parts, %d bytes of data; posted %d bytes", len(p.Parts), len(p.Data),
			len(e.posting(e.batches[1]).Data))
	}
	v := e.verifier("", nil)
	if n, err := v.Run(e.ctx); err != nil || n != 3 {
		t.Fatalf("verified %d batches: %v; want 3", n, err)
	}

	for _, c := range []struct {
		name string
		part common.Hash
		edit func(parts map[common.Hash][]*types.Log)
	}{
		{"a part whose transaction carries other data", p.Parts[0],
			func(parts map[common.Hash][]*types.Log) { parts[p.Parts[0]] = parts[p.Parts[1]] }},
		{"a part not found", p.Parts[1], func(parts map[common.Hash][]*types.Log) { delete(parts, p.Parts[1]) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := e.verifier("", nil)
			if _, err := v.VerifyNext(e.ctx); err != nil {
				t.Fatal(err)
			}
			if len(v.r.parts[2]) != len(p.Parts) {
				t.Fatalf("the scan found %d parts of batch 2, want %d", len(v.r.parts[2]), len(p.Parts))
			}
			c.edit(v.r.parts[2])
			_, err := v.VerifyNext(e.ctx)
			var mm *Mismatch
			if !errors.As(err, &mm) || mm.Batch != 2 || !errors.Is(err, ErrBatchData) || !strings.Contains(err.Error(), c.part.Hex()) {
				t.Fatalf("%v; want batch 2: %v naming part %s", err, ErrBatchData, c.part)
			}
		})
	}
}

// TestVerifierFindsTamperedFinalPart: a batch posted in parts whose final
// submitBatch carries data cut short (its parts are the batch's; BatchInbox
// takes it) is ErrBatchData.
func TestVerifierFindsTamperedFinalPart(t *testing.T) {
	t.Parallel()
	e := newChainEnv(t)
	buildStandard(e, 1)
	e.commit()
	e.build(batchSpec{txs: largeTxs})
	post := e.posting(e.batches[1])
	post.Data = post.Data[:len(post.Data)-1]
	e.post(e.startPoster(nil), e.posting(e.batches[0]), post)
	r := newReader(e.l1, e.c, DefaultMaxBlocks)
	if p, err := r.posting(e.ctx, 2, e.head()); err != nil || len(p.Parts) < 2 || p.checkData() != nil {
		t.Fatalf("batch 2 is not posted in parts with data matching its dataHash: %v", err)
	}
	expectMismatch(t, e, 2, ErrBatchData)
}
