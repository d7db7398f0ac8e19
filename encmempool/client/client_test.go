package client_test

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"math/big"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/client"
)

func dial(t *testing.T, url string, opts ...client.Option) *client.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, url, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestDialAndEon(t *testing.T) {
	t.Parallel()
	seq := crypto.PubkeyToAddress(dn.seqKey.PublicKey)
	for _, tc := range []struct {
		name string
		url  string
		opts []client.Option
		err  error
	}{
		{name: "http", url: dn.httpURL},
		{name: "ws", url: dn.wsURL},
		{name: "pinned sequencer", url: dn.httpURL, opts: []client.Option{client.WithSequencer(seq)}},
		{name: "other sequencer", url: dn.wsURL, opts: []client.Option{client.WithSequencer(common.Address{1})}, err: client.ErrSequencerMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, tc.url, tc.opts...)
			e, err := c.Eon(testCtx(t))
			if !errors.Is(err, tc.err) {
				t.Fatalf("Eon: %v, want %v", err, tc.err)
			}
			if tc.err != nil {
				return
			}
			if e.ChainID != testChainID || e.Eon != testEon || !e.Key.Equal(dn.eonKey) || e.Threshold != threshold ||
				e.Keypers != nKeypers || e.Sequencer != seq {
				t.Fatalf("eon info %+v", e)
			}
		})
	}
	if _, err := client.Dial(context.Background(), "ftp://127.0.0.1:1"); !errors.Is(err, client.ErrDial) {
		t.Fatalf("dial of an unknown scheme: %v", err)
	}
}

// TestFees: fee cap = 2 × latest base fee + the tip the node suggests.
func TestFees(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	c := dial(t, dn.httpURL)
	tip, feeCap, err := c.Fees(ctx)
	if err != nil {
		t.Fatal(err)
	}
	head, err := c.Eth().HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("tip %v, base fee %v, fee cap %v", tip, head.BaseFee, feeCap)
	// The head may have moved between the two reads: base fee at most
	// 12.5% apart per block.
	if tip.Sign() < 0 || feeCap.Cmp(tip) <= 0 || feeCap.Cmp(new(big.Int).Add(head.BaseFee, tip)) < 0 {
		t.Fatalf("tip %v, fee cap %v, base fee %v", tip, feeCap, head.BaseFee)
	}
	fixed := dial(t, dn.httpURL, client.WithTip(big.NewInt(7)))
	if tip, _, err := fixed.Fees(ctx); err != nil || tip.Int64() != 7 {
		t.Fatalf("WithTip: %v %v", tip, err)
	}
}

// TestSendConcurrent: one payer pays for 5 transfers from 2 users sent
// concurrently over WebSocket; every order receipt verifies, the payer's
// envelopes are numbered in receipt order, and every transfer executes.
func TestSendConcurrent(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	payer := client.NewPayer(dn.account(t))
	c := dial(t, dn.wsURL, client.WithPayer(payer))
	users := []struct {
		n  int
		to common.Address
	}{{3, freshAddress(t)}, {2, freshAddress(t)}}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		pending []*client.Pending
		errs    = make(chan error, 5)
	)
	for _, u := range users {
		key := dn.account(t)
		wg.Add(1)
		// One goroutine per user: a user's inner transactions must reach
		// the sequencer in nonce order.
		go func() {
			defer wg.Done()
			for i := range u.n {
				inner, err := c.SignInner(ctx, key, client.Call{To: &u.to, Value: big.NewInt(int64(1000 + i))})
				if err != nil {
					errs <- err
					return
				}
				if inner.Nonce() != uint64(i) {
					errs <- errors.New("inner nonce not counted locally")
					return
				}
				p, err := c.Send(ctx, inner)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				pending = append(pending, p)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	seqs := map[common.Hash]uint64{}
	for _, p := range pending {
		r, err := c.WaitOrdered(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		seqs[p.EnvelopeHash] = r.Seq
	}
	// What each account paid: the users their transfers and gas, the payer
	// only its envelopes' gas (every deposit was refunded).
	spent := map[common.Address]*big.Int{payer.Address(): new(big.Int)}
	fee := func(r *types.Receipt) *big.Int {
		return new(big.Int).Mul(new(big.Int).SetUint64(r.GasUsed), r.EffectiveGasPrice)
	}
	for _, p := range pending {
		r, err := c.WaitExecuted(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != types.ReceiptStatusSuccessful || r.TxHash != p.InnerHash {
			t.Fatalf("receipt %+v", r)
		}
		if spent[p.Sender] == nil {
			spent[p.Sender] = new(big.Int)
		}
		spent[p.Sender].Add(spent[p.Sender], fee(r))
		spent[p.Sender].Add(spent[p.Sender], big.NewInt(int64(1000+p.Nonce)))
		er, err := c.Eth().TransactionReceipt(ctx, p.EnvelopeHash)
		if err != nil || er.BlockNumber.Cmp(r.BlockNumber) != 0 {
			t.Fatalf("envelope receipt %v %v: not in the inner transaction's block %v", er, err, r.BlockNumber)
		}
		spent[payer.Address()].Add(spent[payer.Address()], fee(er))
	}
	for addr, paid := range spent {
		bal, err := c.Eth().BalanceAt(ctx, addr, nil)
		want := new(big.Int).Sub(new(big.Int).Mul(big.NewInt(100), big.NewInt(params.Ether)), paid)
		if err != nil || bal.Cmp(want) != 0 {
			t.Fatalf("balance of %s: %v %v, want %v", addr, bal, err, want)
		}
	}
	// Executed envelopes are readable: their payer nonces follow the order.
	slices.SortFunc(pending, func(a, b *client.Pending) int { return int(seqs[a.EnvelopeHash]) - int(seqs[b.EnvelopeHash]) })
	for i, p := range pending {
		env, _, err := c.Eth().TransactionByHash(ctx, p.EnvelopeHash)
		if err != nil {
			t.Fatal(err)
		}
		if env.Nonce() != uint64(i) {
			t.Fatalf("envelope %d in receipt order has payer nonce %d", i, env.Nonce())
		}
	}
	for _, want := range []struct {
		to  common.Address
		wei int64
	}{{users[0].to, 1000 + 1001 + 1002}, {users[1].to, 1000 + 1001}} {
		bal, err := c.Eth().BalanceAt(ctx, want.to, nil)
		if err != nil || bal.Int64() != want.wei {
			t.Fatalf("balance of %s: %v %v, want %d", want.to, bal, err, want.wei)
		}
	}
	if n, err := c.Eth().PendingNonceAt(ctx, payer.Address()); err != nil || n != 5 {
		t.Fatalf("payer nonce %d %v", n, err)
	}
}

type staticSource struct {
	key []byte
	err error
}

func (s staticSource) EonKey(context.Context, uint64) ([]byte, error) { return s.key, s.err }

func TestEonKeySource(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		src  staticSource
		err  error
	}{
		{name: "same key", src: staticSource{key: dn.eonKey.Bytes()}},
		{name: "another key", src: staticSource{key: dn.otherKey}, err: client.ErrEonKeyMismatch},
		{name: "not a key", src: staticSource{key: []byte{1, 2, 3}}, err: client.ErrEonKeySource},
		{name: "source down", src: staticSource{err: errors.New("L1 unreachable")}, err: client.ErrEonKeySource},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testCtx(t)
			c := dial(t, dn.httpURL, client.WithEonKeySource(tc.src), client.WithPayer(client.NewPayer(dn.account(t))))
			if _, err := c.Eon(ctx); !errors.Is(err, tc.err) {
				t.Fatalf("Eon: %v, want %v", err, tc.err)
			}
			if tc.err == nil {
				return
			}
			// Nothing is encrypted to a key that failed the check.
			to := freshAddress(t)
			inner, _ := types.SignNewTx(dn.account(t), types.LatestSignerForChainID(big.NewInt(testChainID)), &types.DynamicFeeTx{
				ChainID: big.NewInt(testChainID), GasFeeCap: big.NewInt(params.GWei), Gas: 21000, To: &to})
			if _, err := c.Send(ctx, inner); !errors.Is(err, tc.err) {
				t.Fatalf("Send: %v, want %v", err, tc.err)
			}
		})
	}
}

func TestVerifyReceipt(t *testing.T) {
	t.Parallel()
	seq := crypto.PubkeyToAddress(dn.seqKey.PublicKey)
	other, _ := crypto.GenerateKey()
	hash := common.Hash{0xe1}
	signed := func(key *ecdsa.PrivateKey, edit func(*encmempool.Receipt)) *encmempool.Receipt {
		r := &encmempool.Receipt{ChainID: testChainID, Seq: 7, Hash: hash, Time: 1_700_000_000_000}
		if edit != nil {
			edit(r)
		}
		if err := r.Sign(key); err != nil {
			t.Fatal(err)
		}
		return r
	}
	tampered := signed(dn.seqKey, nil)
	tampered.Seq++
	for _, tc := range []struct {
		name string
		r    *encmempool.Receipt
		err  error
	}{
		{name: "valid", r: signed(dn.seqKey, nil)},
		{name: "signed by another key", r: signed(other, nil), err: client.ErrReceiptSignature},
		{name: "altered after signing", r: tampered, err: client.ErrReceiptSignature},
		{name: "no signature", r: &encmempool.Receipt{ChainID: testChainID, Hash: hash}, err: client.ErrReceiptSignature},
		{name: "another transaction", r: signed(dn.seqKey, func(r *encmempool.Receipt) { r.Hash = common.Hash{0xe2} }), err: client.ErrReceiptMismatch},
		{name: "another chain", r: signed(dn.seqKey, func(r *encmempool.Receipt) { r.ChainID++ }), err: client.ErrReceiptMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := client.VerifyReceipt(tc.r, seq, testChainID, hash); !errors.Is(err, tc.err) {
				t.Fatalf("got %v, want %v", err, tc.err)
			}
		})
	}
}

// TestWrongEonRefresh: a client whose cached eon is stale gets ErrWrongEon
// from the sequencer, refreshes the eon and re-encrypts; the transaction
// executes.
func TestWrongEonRefresh(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	c := dial(t, dn.httpURL, client.WithPayer(client.NewPayer(dn.account(t))))
	if _, err := c.Eon(ctx); err != nil {
		t.Fatal(err)
	}
	client.SetCachedEon(c, testEon+1)
	to := freshAddress(t)
	p := sendTransfer(t, c, dn.account(t), to, 5)
	if e, _ := c.Eon(ctx); e.Eon != testEon {
		t.Fatalf("cached eon %d after refresh", e.Eon)
	}
	if _, err := c.WaitOrdered(ctx, p); err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitExecuted(ctx, p); err != nil {
		t.Fatal(err)
	}
}

// TestNonceResync: two Payers on one key; the one whose count went stale
// resynchronizes on the sequencer's nonce error.
func TestNonceResync(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	key := dn.account(t)
	c1 := dial(t, dn.httpURL, client.WithPayer(client.NewPayer(key)))
	c2 := dial(t, dn.httpURL, client.WithPayer(client.NewPayer(key)))
	var ps []*client.Pending
	for _, c := range []*client.Client{c1, c2, c1} {
		ps = append(ps, sendTransfer(t, c, dn.account(t), freshAddress(t), 1))
	}
	for i, p := range ps {
		if _, err := c1.WaitOrdered(ctx, p); err != nil {
			t.Fatal(i, err)
		}
	}
	if n, err := c1.Eth().PendingNonceAt(ctx, crypto.PubkeyToAddress(key.PublicKey)); err != nil || n != 3 {
		t.Fatalf("payer nonce %d %v", n, err)
	}
}

// TestRejected: an unfunded payer's envelope is refused with the
// sequencer's reason, and the inner nonce is free again.
func TestRejected(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	poor, _ := crypto.GenerateKey()
	c := dial(t, dn.httpURL, client.WithPayer(client.NewPayer(poor)))
	user := dn.account(t)
	to := freshAddress(t)
	inner, err := c.SignInner(ctx, user, client.Call{To: &to, Value: big.NewInt(1)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Send(ctx, inner)
	if !errors.Is(err, client.ErrRejected) || !errors.Is(err, encmempool.ErrInsufficientFunds) {
		t.Fatalf("Send: %v", err)
	}
	again, err := c.SignInner(ctx, user, client.Call{To: &to, Value: big.NewInt(1)})
	if err != nil || again.Nonce() != inner.Nonce() {
		t.Fatalf("nonce after a rejection: %d, want %d (%v)", again.Nonce(), inner.Nonce(), err)
	}
	if _, err := dial(t, dn.httpURL).Send(ctx, inner); !errors.Is(err, client.ErrNoPayer) {
		t.Fatalf("Send without payer: %v", err)
	}
}

// TestDropped: an inner transaction with a nonce gap is admitted (the
// sequencer cannot see it) and dropped at its slot; WaitExecuted says so
// and SignInner counts from the chain again.
func TestDropped(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	c := dial(t, dn.httpURL, client.WithPayer(client.NewPayer(dn.account(t))))
	user := dn.account(t)
	to := freshAddress(t)
	if _, err := c.SignInner(ctx, user, client.Call{To: &to, Value: big.NewInt(1)}); err != nil { // nonce 0, never sent
		t.Fatal(err)
	}
	inner, err := c.SignInner(ctx, user, client.Call{To: &to, Value: big.NewInt(1)})
	if err != nil || inner.Nonce() != 1 {
		t.Fatalf("second nonce %v %v", inner.Nonce(), err)
	}
	p, err := c.Send(ctx, inner)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitExecuted(ctx, p); !errors.Is(err, client.ErrDropped) {
		t.Fatalf("WaitExecuted: %v", err)
	}
	next, err := c.SignInner(ctx, user, client.Call{To: &to, Value: big.NewInt(1)})
	if err != nil || next.Nonce() != 0 {
		t.Fatalf("nonce after a drop: %v %v", next.Nonce(), err)
	}
}

// TestEncrypt: an envelope from Encrypt, submitted by the caller.
func TestEncrypt(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	c := dial(t, dn.wsURL, client.WithPayer(client.NewPayer(dn.account(t))))
	to := freshAddress(t)
	inner, err := c.SignInner(ctx, dn.account(t), client.Call{To: &to, Value: big.NewInt(1), Gas: 21000})
	if err != nil {
		t.Fatal(err)
	}
	env, err := c.Encrypt(ctx, inner)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Eth().SendTransaction(ctx, env); err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitOrdered(ctx, &client.Pending{EnvelopeHash: env.Hash(), InnerHash: inner.Hash()}); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := c.WaitOrdered(short, &client.Pending{EnvelopeHash: common.Hash{1}}); !errors.Is(err, client.ErrNoReceipt) {
		t.Fatalf("WaitOrdered of an unknown envelope: %v", err)
	}
}

// sendTransfer signs and sends a transfer of wei from user to to.
func sendTransfer(t *testing.T, c *client.Client, user *ecdsa.PrivateKey, to common.Address, wei int64) *client.Pending {
	t.Helper()
	ctx := testCtx(t)
	inner, err := c.SignInner(ctx, user, client.Call{To: &to, Value: big.NewInt(wei)})
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.Send(ctx, inner)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestReverted: a deployment whose init code reverts (so estimation fails
// and the fallback gas is used) executes with status 0: WaitExecuted
// returns its receipt with ErrReverted.
func TestReverted(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	c := dial(t, dn.httpURL, client.WithPayer(client.NewPayer(dn.account(t))))
	revert := []byte{0x60, 0x00, 0x60, 0x00, 0xfd} // PUSH1 0 PUSH1 0 REVERT
	user := dn.account(t)
	if _, err := c.SignInner(ctx, user, client.Call{Data: revert}); !errors.Is(err, client.ErrGasEstimate) {
		t.Fatalf("SignInner without fallback: %v", err)
	}
	inner, err := c.SignInner(ctx, user, client.Call{Data: revert, FallbackGas: 100_000})
	if err != nil || inner.Gas() != 100_000 || inner.To() != nil {
		t.Fatalf("SignInner: %v", err)
	}
	p, err := c.Send(ctx, inner)
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.WaitExecuted(ctx, p)
	if !errors.Is(err, client.ErrReverted) || r == nil || r.Status != types.ReceiptStatusFailed {
		t.Fatalf("WaitExecuted: %+v %v", r, err)
	}
}
