package l1

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/big"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/ordering/batch"
)

// startPoster runs p.Run until the returned stop, which returns Run's
// result.
func startPoster(t *testing.T, p *Poster) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	stopped := false
	var err error
	stop = func() error {
		if !stopped {
			cancel()
			err, stopped = <-done, true
		}
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

// waitFor polls the poster's status until cond holds.
func waitFor(t *testing.T, p *Poster, what string, cond func(Status) bool) Status {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := p.Status()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; status %+v", what, s)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// sentStatus: batch number is in flight (with at least attempts
// transactions).
func sentStatus(number uint64, attempts int) func(Status) bool {
	return func(s Status) bool {
		for _, q := range s.Queue {
			if q.Number == number {
				return q.Sent && q.Attempts >= attempts
			}
		}
		return false
	}
}

// waitSent waits until batch number is in flight with at least attempts
// transactions and the latest is in the node's pool (the poster saves an
// attempt before it sends it).
func (e *env) waitSent(t *testing.T, p *Poster, number uint64, attempts int) Status {
	t.Helper()
	s := waitFor(t, p, fmt.Sprintf("batch %d in flight", number), sentStatus(number, attempts))
	q := queuedOf(s, number)
	for deadline := time.Now().Add(10 * time.Second); ; {
		_, _, err := e.chain.TransactionByHash(context.Background(), q.TxHash)
		if err == nil {
			return s
		}
		if !errors.Is(err, ethereum.NotFound) {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("transaction %s of batch %d never reached the pool", q.TxHash, number)
		}
		time.Sleep(time.Millisecond)
	}
}

func queuedOf(s Status, number uint64) QueuedStatus {
	for _, q := range s.Queue {
		if q.Number == number {
			return q
		}
	}
	return QueuedStatus{}
}

func (e *env) nextNumber() uint64 {
	e.t.Helper()
	bi := contracts.NewBatchInbox()
	n, err := view(context.Background(), e.chain, e.c.Inbox, bi.PackNextNumber(), bi.UnpackNextNumber)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// postedData reads the batch data a mined submitBatch transaction posted:
// the data of the parts it names (from the poster's submitBatchData
// transactions mined since the deployment, each checked against its
// BatchDataPart event), then its own, checked against its BatchPosted
// event's dataHash.
func (e *env) postedData(hash common.Hash) []byte {
	e.t.Helper()
	ctx := context.Background()
	tx, _, err := e.chain.TransactionByHash(ctx, hash)
	if err != nil {
		e.t.Fatal(err)
	}
	bi := contracts.NewBatchInbox()
	abi := bi.GetABI()
	args, err := abi.Methods["submitBatch"].Inputs.Unpack(tx.Data()[4:])
	if err != nil {
		e.t.Fatal(err)
	}
	names, rest := args[3].([][32]byte), args[4].([]byte)
	rc, err := e.chain.TransactionReceipt(ctx, hash)
	if err != nil {
		e.t.Fatal(err)
	}
	ev, err := bi.UnpackBatchPostedEvent(rc.Logs[0])
	if err != nil {
		e.t.Fatal(err)
	}
	number := ev.Number
	parts := map[common.Hash][]byte{}
	for _, r := range e.txsFrom(addr(e.seq)) {
		for _, lg := range r.Logs {
			ev, err := bi.UnpackBatchDataPartEvent(lg)
			if err != nil || ev.Number != number {
				continue
			}
			ptx, _, err := e.chain.TransactionByHash(ctx, r.TxHash)
			if err != nil {
				e.t.Fatal(err)
			}
			pa, err := abi.Methods["submitBatchData"].Inputs.Unpack(ptx.Data()[4:])
			if err != nil {
				e.t.Fatal(err)
			}
			if data := pa[1].([]byte); crypto.Keccak256Hash(data) == ev.PartHash {
				parts[ev.PartHash] = data
			}
		}
	}
	var data []byte
	hashes := make([]common.Hash, len(names))
	for i, n := range names {
		part, ok := parts[n]
		if !ok {
			e.t.Fatalf("batch %d names part %x, which the poster did not post", number, n)
		}
		data, hashes[i] = append(data, part...), n
	}
	if want := PostedDataHash(hashes, rest); ev.DataHash != want {
		e.t.Fatalf("batch %d's dataHash is %x, PostedDataHash says %s", number, ev.DataHash, want)
	}
	return append(data, rest...)
}

// txsFrom returns the receipts of every transaction from account mined
// since the deployment.
func (e *env) txsFrom(account common.Address) []*types.Receipt {
	e.t.Helper()
	ctx := context.Background()
	var out []*types.Receipt
	for n := e.c.DeployedAt; n <= e.head(); n++ {
		b, err := e.chain.BlockByNumber(ctx, new(big.Int).SetUint64(n))
		if err != nil {
			e.t.Fatal(err)
		}
		for _, tx := range b.Transactions() {
			if from, err := types.Sender(e.chain.Signer(), tx); err == nil && from == account {
				r, err := e.chain.TransactionReceipt(ctx, tx.Hash())
				if err != nil {
					e.t.Fatal(err)
				}
				out = append(out, r)
			}
		}
	}
	return out
}

// TestPosterRestartsWithoutPostingTwice posts three consecutive batches
// with real sequencer signatures and attestations, one at a time, stops
// the poster while the third is in flight and the second waits for its
// confirmation, and finishes with a new poster on the same database.
func TestPosterRestartsWithoutPostingTwice(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	res := committee(t, 1)
	e.setUpEon(1, res)
	tbs := e.chainOf(res, 1, 3, 2)
	posts := make([]Posting, len(tbs))
	for i, tb := range tbs {
		posts[i] = e.posting(tb, Flate)
	}
	path := filepath.Join(t.TempDir(), "poster.db")
	cfg := PosterConfig{Confirmations: 1, MaxInFlight: 1, PollInterval: 5 * time.Millisecond, ResubmitAfter: time.Hour}

	p, err := NewPoster(e.chain, e.c, e.seq, path, cfg)
	if err != nil {
		t.Fatal(err)
	}
	stop := startPoster(t, p)
	for _, post := range posts {
		if err := p.Enqueue(ctx, post); err != nil {
			t.Fatal(err)
		}
	}
	if p.Next() != 4 {
		t.Fatalf("Next = %d after enqueuing 1-3", p.Next())
	}
	e.waitSent(t, p, 1, 1)
	e.commit()
	e.waitSent(t, p, 2, 1)
	e.commit() // batch 2 mined, batch 1 confirmed
	r1, err := p.Wait(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if r1.TxHash == (common.Hash{}) || r1.GasUsed == 0 {
		t.Fatalf("result of batch 1: %+v", r1)
	}
	before := e.waitSent(t, p, 3, 1)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}

	// Restart: the queue and the transaction in flight come back.
	p, err = NewPoster(e.chain, e.c, e.seq, path, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	after := p.Status()
	if after.Posted != 1 || len(after.Queue) != 2 || queuedOf(after, 3) != queuedOf(before, 3) {
		t.Fatalf("status after the restart %+v, before %+v", after, before)
	}
	if p.Next() != 4 {
		t.Fatalf("Next = %d after the restart", p.Next())
	}
	// Enqueuing again what is posted or queued is a no-op; another
	// commitment for a number is a conflict; a gap is refused.
	for _, post := range posts {
		if err := p.Enqueue(ctx, post); err != nil {
			t.Errorf("enqueuing batch %d again: %v", post.Number, err)
		}
	}
	for _, n := range []int{0, 2} {
		other := posts[n]
		other.CommitmentHash[0] ^= 1
		if err := p.Enqueue(ctx, other); !errors.Is(err, ErrConflict) {
			t.Errorf("batch %d with another commitment: %v, want ErrConflict", other.Number, err)
		}
	}
	gap := posts[2]
	gap.Number = 6
	if err := p.Enqueue(ctx, gap); !errors.Is(err, ErrNotConsecutive) {
		t.Errorf("batch 6 after 3: %v, want ErrNotConsecutive", err)
	}
	startPoster(t, p)
	e.commit() // batch 3 mined, batch 2 confirmed
	e.commit() // batch 3 confirmed
	r3, err := p.Wait(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	if r3.TxHash != before.Queue[len(before.Queue)-1].TxHash {
		t.Errorf("batch 3 was posted by %s, the transaction sent before the restart is %s", r3.TxHash, queuedOf(before, 3).TxHash)
	}
	r2, _ := p.Wait(ctx, 2)

	// Exactly three transactions, all successful: nothing posted twice.
	if n := e.nextNumber(); n != 4 {
		t.Fatalf("BatchInbox expects batch %d", n)
	}
	rs := e.txsFrom(addr(e.seq))
	if len(rs) != 3 {
		t.Fatalf("the poster sent %d transactions, want 3", len(rs))
	}
	for _, r := range rs {
		if r.Status != types.ReceiptStatusSuccessful {
			t.Errorf("posting transaction %s reverted", r.TxHash)
		}
	}
	// What L1 carries decodes to the batches and their keys.
	for i, r := range []*Result{r1, r2, r3} {
		b, keys, err := DecodeBatchData(e.postedData(r.TxHash), batch.DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := tbs[i].b.Encode()
		if got, _ := b.Encode(); string(got) != string(want) || string(keys.Attestation) != string(tbs[i].keys.Attestation) ||
			string(keys.Keys) != string(tbs[i].keys.Keys) {
			t.Errorf("batch %d read back from L1 differs", i+1)
		}
	}
}

// TestPosterPostsInParts: a batch too large for one transaction (500
// envelopes, uncompressed: about 390 kB, three parts and a final) and a
// small one pipelined behind it are sent with consecutive nonces, the
// parts first; the poster stops before they are mined and a new one on the
// same database sends nothing new; once mined, every transaction
// succeeded, none twice, and the batch read back from L1 (parts and
// final) is the batch.
func TestPosterPostsInParts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	res := committee(t, 1)
	e.setUpEon(1, res)
	large := e.makeBatch(res, 1, 1, common.Hash{}, 500)
	small := e.makeBatch(res, 1, 2, large.b.Commitment.Hash(), 1)
	posts := []Posting{e.posting(large, NoCompression), e.posting(small, Flate)}
	txs, err := posts[0].calldata()
	if err != nil {
		t.Fatal(err)
	}
	bi := contracts.NewBatchInbox()
	if ahead, err := view(ctx, e.chain, e.c.Inbox, bi.PackPARTSAHEAD(), bi.UnpackPARTSAHEAD); err != nil || ahead != PartsAhead {
		t.Fatalf("BatchInbox.PARTS_AHEAD is %d (%v), PartsAhead %d", ahead, err, PartsAhead)
	}
	parts := len(txs.parts)
	if parts < 3 {
		t.Fatalf("%d bytes of data in %d parts; the test wants at least 3", len(posts[0].Data), parts)
	}
	path := filepath.Join(t.TempDir(), "poster.db")
	cfg := PosterConfig{MaxInFlight: 2, PollInterval: 5 * time.Millisecond, ResubmitAfter: time.Hour}
	p, err := NewPoster(e.chain, e.c, e.seq, path, cfg)
	if err != nil {
		t.Fatal(err)
	}
	stop := startPoster(t, p)
	nonce, err := e.chain.PendingNonceAt(ctx, addr(e.seq))
	if err != nil {
		t.Fatal(err)
	}
	for _, post := range posts {
		if err := p.Enqueue(ctx, post); err != nil {
			t.Fatal(err)
		}
	}
	e.waitSent(t, p, 1, 1)
	before := e.waitSent(t, p, 2, 1)
	if q1, q2 := queuedOf(before, 1), queuedOf(before, 2); q1.Nonce != nonce || q2.Nonce != nonce+uint64(parts)+1 {
		t.Fatalf("batch 1 from nonce %d, batch 2 at %d; want %d and %d", q1.Nonce, q2.Nonce, nonce, nonce+uint64(parts)+1)
	}
	if pending, err := e.chain.PendingNonceAt(ctx, addr(e.seq)); err != nil || pending != nonce+uint64(parts)+2 {
		t.Fatalf("pending nonce %d (%v), want %d: the parts, the final posting and batch 2", pending, err, nonce+uint64(parts)+2)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}

	p, err = NewPoster(e.chain, e.c, e.seq, path, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if after := p.Status(); !reflect.DeepEqual(after, before) {
		t.Fatalf("status after the restart %+v, before %+v", after, before)
	}
	startPoster(t, p)
	var r1, r2 *Result
	e.mined(func() {
		if r2, err = p.Wait(ctx, 2); err == nil {
			r1, err = p.Wait(ctx, 1)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if r1.TxHash != queuedOf(before, 1).TxHash || r1.Parts != parts || r2.Parts != 0 || r1.Calldata != txs.size() {
		t.Errorf("results %+v and %+v; batch 1 was sent as %s in %d parts", r1, r2, queuedOf(before, 1).TxHash, parts)
	}
	rs := e.txsFrom(addr(e.seq))
	if len(rs) != parts+2 {
		t.Fatalf("the poster sent %d transactions, want %d", len(rs), parts+2)
	}
	gas := uint64(0)
	for _, r := range rs {
		if r.Status != types.ReceiptStatusSuccessful {
			t.Errorf("posting transaction %s reverted", r.TxHash)
		}
		if r.TxHash != r2.TxHash {
			gas += r.GasUsed
		}
	}
	if r1.GasUsed != gas {
		t.Errorf("batch 1 reports %d gas; its transactions used %d", r1.GasUsed, gas)
	}
	b, keys, err := DecodeBatchData(e.postedData(r1.TxHash), batch.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := large.b.Encode()
	if got, _ := b.Encode(); !bytes.Equal(got, want) || !bytes.Equal(keys.Keys, large.keys.Keys) {
		t.Error("batch 1 read back from L1 differs")
	}
	t.Logf("batch 1: %d bytes of data in %d parts and a final, %d gas", len(posts[0].Data), parts, r1.GasUsed)
}

// TestPosterBumpsFees: a posting not mined within ResubmitAfter is
// replaced with fees raised by 12.5%.
func TestPosterBumpsFees(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	res := committee(t, 1)
	e.setUpEon(1, res)
	post := e.posting(e.makeBatch(res, 1, 1, common.Hash{}, 1), Flate)
	p, err := NewPoster(e.chain, e.c, e.seq, filepath.Join(t.TempDir(), "poster.db"),
		PosterConfig{PollInterval: 5 * time.Millisecond, ResubmitAfter: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	startPoster(t, p)
	if err := p.Enqueue(ctx, post); err != nil {
		t.Fatal(err)
	}
	first := queuedOf(e.waitSent(t, p, 1, 1), 1)
	tx1, pending, err := e.chain.TransactionByHash(ctx, first.TxHash)
	if err != nil || !pending {
		t.Fatalf("first attempt: pending %v, %v", pending, err)
	}
	e.waitSent(t, p, 1, 2)
	e.commit()
	r, err := p.Wait(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if r.TxHash == first.TxHash || r.TxHash == (common.Hash{}) {
		t.Fatalf("batch 1 was posted by %s, the first attempt was %s", r.TxHash, first.TxHash)
	}
	tx, _, err := e.chain.TransactionByHash(ctx, r.TxHash)
	if err != nil {
		t.Fatal(err)
	}
	if tx.Nonce() != tx1.Nonce() || tx.GasTipCap().Cmp(bump(tx1.GasTipCap())) < 0 || tx.GasFeeCap().Cmp(bump(tx1.GasFeeCap())) < 0 {
		t.Errorf("replacement nonce %d tip %v cap %v; first nonce %d tip %v cap %v", tx.Nonce(), tx.GasTipCap(), tx.GasFeeCap(),
			tx1.Nonce(), tx1.GasTipCap(), tx1.GasFeeCap())
	}
	if rs := e.txsFrom(addr(e.seq)); len(rs) != 1 {
		t.Errorf("%d posting transactions mined, want 1", len(rs))
	}
}

// TestPosterWhenSomeoneElsePostsFirst: anyone may post an attested batch;
// when another account's posting of batch 1 lands first, the poster's own
// reverts, its batch 2 (pipelined behind) still lands, and both count as
// posted.
func TestPosterWhenSomeoneElsePostsFirst(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	res := committee(t, 1)
	e.setUpEon(1, res)
	tbs := e.chainOf(res, 1, 2, 1)
	posts := []Posting{e.posting(tbs[0], Flate), e.posting(tbs[1], Flate)}
	p, err := NewPoster(e.chain, e.c, e.seq, filepath.Join(t.TempDir(), "poster.db"),
		PosterConfig{MaxInFlight: 2, PollInterval: 5 * time.Millisecond, ResubmitAfter: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	startPoster(t, p)
	for _, post := range posts {
		if err := p.Enqueue(ctx, post); err != nil {
			t.Fatal(err)
		}
	}
	e.waitSent(t, p, 1, 1)
	e.waitSent(t, p, 2, 1)

	cd, err := posts[0].calldata()
	if err != nil {
		t.Fatal(err)
	}
	tip, feeCap, err := e.chain.fees(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tip.Mul(tip, big.NewInt(10))
	feeCap.Add(feeCap, tip)
	nonce, _ := e.chain.PendingNonceAt(ctx, addr(e.alice))
	alice := types.MustSignNewTx(e.alice, e.chain.Signer(), &types.DynamicFeeTx{ChainID: e.chain.chainID, Nonce: nonce,
		GasTipCap: tip, GasFeeCap: feeCap, Gas: 2_000_000, To: &e.c.Inbox, Data: cd.final})
	if err := e.chain.SendTransaction(ctx, alice); err != nil {
		t.Fatal(err)
	}
	e.commit()
	if r, err := e.chain.TransactionReceipt(ctx, alice.Hash()); err != nil || r.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("alice's posting: %v", err)
	}
	r2, err := p.Wait(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	r1, _ := p.Wait(ctx, 1)
	if r1.TxHash != (common.Hash{}) || r2.TxHash == (common.Hash{}) {
		t.Errorf("batch 1 by %s (want someone else), batch 2 by %s (want the poster)", r1.TxHash, r2.TxHash)
	}
	rs := e.txsFrom(addr(e.seq))
	if len(rs) != 2 || rs[0].Status != types.ReceiptStatusFailed || rs[1].Status != types.ReceiptStatusSuccessful {
		t.Errorf("poster transactions: %d, want its batch 1 reverted and its batch 2 posted", len(rs))
	}
	if s := p.Status(); s.Posted != 2 || len(s.Queue) != 0 {
		t.Errorf("status %+v", s)
	}
}

// TestPostingCost posts batches of 100 and 1000 envelopes, uncompressed
// and compressed, and reports L1 bytes and gas (parts included) per
// envelope.
func TestPostingCost(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	res := committee(t, 1)
	e.setUpEon(1, res)
	p, err := NewPoster(e.chain, e.c, e.seq, filepath.Join(t.TempDir(), "poster.db"), PosterConfig{PollInterval: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	startPoster(t, p)
	parent := common.Hash{}
	for i, c := range []struct {
		envelopes int
		comp      Compression
	}{{100, NoCompression}, {100, Flate}, {1000, NoCompression}, {1000, Flate}} {
		tb := e.makeBatch(res, 1, uint64(i+1), parent, c.envelopes)
		parent = tb.b.Commitment.Hash()
		post := e.posting(tb, c.comp)
		var r *Result
		e.mined(func() { r, err = p.Post(ctx, post) })
		if err != nil {
			t.Fatal(err)
		}
		wire, _ := tb.b.Encode()
		keys, _ := tb.keys.Encode()
		name := map[Compression]string{NoCompression: "uncompressed", Flate: "flate"}[c.comp]
		t.Logf("%d envelopes, %s: batch %d B + keys %d B -> data %d B, calldata %d B in %d parts and a final, gas %d; "+
			"per envelope %d B calldata, %d gas", c.envelopes, name, len(wire), len(keys), len(post.Data), r.Calldata, r.Parts,
			r.GasUsed, r.Calldata/c.envelopes, r.GasUsed/uint64(c.envelopes))
		if r.GasUsed == 0 || (c.envelopes == 1000) != (r.Parts > 0) {
			t.Fatalf("result %+v: want gas, and parts for the large batches only", r)
		}
	}
}

func TestPostingChecks(t *testing.T) {
	t.Parallel()
	e := &env{t: t, seq: testKey(2)}
	good := e.posting(e.makeBatch(committee(t, 1), 1, 1, common.Hash{}, 1), Flate)
	if _, err := good.calldata(); err != nil {
		t.Fatal(err)
	}
	for name, mod := range map[string]func(*Posting){
		"number 0":          func(p *Posting) { p.Number = 0 },
		"short signature":   func(p *Posting) { p.SequencerSig = p.SequencerSig[:64] },
		"bad attestation":   func(p *Posting) { p.Attestation = make([]byte, 48) },
		"short attestation": func(p *Posting) { p.Attestation = p.Attestation[:47] },
	} {
		p := good
		mod(&p)
		if _, err := p.calldata(); !errors.Is(err, ErrPosting) {
			t.Errorf("%s: %v, want ErrPosting", name, err)
		}
	}
	// Data is split only when one transaction cannot carry it: in parts
	// of PartSize from the front, the final posting with the rest.
	for _, c := range []struct{ size, parts int }{
		{1000, 0}, {MaxPostingCalldata - 1024, 0}, {MaxPostingCalldata, 1}, {2 * PartSize, 1}, {2*PartSize + 1, 2},
		{MaxPostingData, (MaxPostingData - 1) / PartSize},
	} {
		p := good
		p.Data = make([]byte, c.size)
		for i := range p.Data {
			p.Data[i] = byte(i*7 + 1)
		}
		txs, err := p.calldata()
		if err != nil {
			t.Fatalf("%d bytes: %v", c.size, err)
		}
		if len(txs.parts) != c.parts {
			t.Errorf("%d bytes: %d parts, want %d", c.size, len(txs.parts), c.parts)
		}
		rest := p.Data[PartSize*c.parts:]
		if len(rest) == 0 || len(rest) > max(PartSize, c.size) || len(txs.final) > MaxPostingCalldata {
			t.Errorf("%d bytes: the final posting carries %d bytes in %d bytes of calldata", c.size, len(rest), len(txs.final))
		}
		for i, part := range txs.parts {
			if len(part) > MaxPostingCalldata || txs.hashes[i] != crypto.Keccak256Hash(p.Data[i*PartSize:(i+1)*PartSize]) {
				t.Errorf("%d bytes: part %d of %d bytes, hash %s", c.size, i, len(part), txs.hashes[i])
			}
		}
		if c.parts == 0 && (len(txs.final) <= c.size || &txs.probe[0] != &txs.final[0]) {
			t.Errorf("%d bytes: a posting in one transaction", c.size)
		}
	}
	huge := good
	huge.Data = make([]byte, MaxPostingData+1)
	if _, err := huge.calldata(); !errors.Is(err, ErrTooLarge) {
		t.Errorf("%d bytes of data: %v, want ErrTooLarge", len(huge.Data), err)
	}
	for name, c := range map[string]PosterConfig{
		"confirmations": {Confirmations: 65},
		"negative":      {MaxInFlight: -1},
		"in flight":     {MaxInFlight: PartsAhead + 1},
		"fee cap":       {MaxFeeCap: new(big.Int)},
	} {
		if err := c.Check(); !errors.Is(err, ErrPosterConfig) {
			t.Errorf("%s: %v, want ErrPosterConfig", name, err)
		}
	}
}

// TestPosterDatabaseBinding: a poster database is tied to its chain,
// inbox and account.
func TestPosterDatabaseBinding(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	path := filepath.Join(t.TempDir(), "poster.db")
	cfg := PosterConfig{PollInterval: 5 * time.Millisecond}
	p, err := NewPoster(e.chain, e.c, e.seq, path, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.step(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	p.Close()
	p, err = NewPoster(e.chain, e.c, e.alice, path, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.Run(ctx); !errors.Is(err, ErrWrongChain) {
		t.Fatalf("another account on the same database: %v, want ErrWrongChain", err)
	}
}
