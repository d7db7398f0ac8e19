package ordering

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/sha256"
	"errors"
	"io"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool"
)

// repeatRand returns the same byte stream every time: envelopes built with
// it share their identity prefix.
func repeatRand() io.Reader {
	var buf []byte
	seed := sha256.Sum256([]byte("veil/test/identity"))
	for len(buf) < 4096 {
		seed = sha256.Sum256(seed[:])
		buf = append(buf, seed[:]...)
	}
	return bytes.NewReader(buf)
}

func (h *harness) plain(k *ecdsa.PrivateKey, signer types.Signer, tx *types.DynamicFeeTx) *types.Transaction {
	h.t.Helper()
	if tx.ChainID == nil {
		tx.ChainID = big.NewInt(testChainID)
	}
	if tx.To == nil {
		tx.To = &common.Address{0xc0}
	}
	if tx.GasFeeCap == nil {
		tx.GasFeeCap = big.NewInt(params.GWei)
	}
	if tx.GasTipCap == nil {
		tx.GasTipCap = big.NewInt(1)
	}
	if tx.Gas == 0 {
		tx.Gas = 21000
	}
	if tx.Value == nil {
		tx.Value = big.NewInt(1)
	}
	signed, err := types.SignNewTx(k, signer, tx)
	if err != nil {
		h.t.Fatal(err)
	}
	return signed
}

// TestAdmissionErrorsOverRPC: every refusal reaches the client as a
// JSON-RPC error naming its cause; nothing refused gets a receipt.
func TestAdmissionErrorsOverRPC(t *testing.T) {
	h := newHarness(t, 4)
	s := h.openSequencer(h.config(), 0)
	client, err := ethclient.Dial(s.Exec().HTTPEndpoint())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	u := h.users[0]
	ok := h.plain(u, h.signer, &types.DynamicFeeTx{Nonce: 0})
	if err := client.SendTransaction(h.ctx, ok); err != nil {
		t.Fatalf("a valid plaintext transaction: %v", err)
	}
	build := func(p encmempool.BuildParams) *types.Transaction {
		inner := h.plain(h.users[1], h.signer, &types.DynamicFeeTx{Nonce: p.Nonce})
		p.ChainID, p.EonKey, p.Inbox, p.Inner, p.PayerKey = testChainID, h.results[0].EonPublicKey, contracts.EncryptedInboxAddress, inner, h.payers[1]
		p.GasTipCap, p.GasFeeCap = big.NewInt(1), big.NewInt(params.GWei)
		if p.Eon == 0 {
			p.Eon = testEon
		}
		env, err := encmempool.BuildEnvelope(p)
		if err != nil {
			t.Fatal(err)
		}
		return env
	}
	first := build(encmempool.BuildParams{Nonce: 0, Rand: repeatRand()})
	if err := client.SendTransaction(h.ctx, first); err != nil {
		t.Fatalf("a valid envelope: %v", err)
	}
	malformed := h.plain(h.payers[2], h.signer, &types.DynamicFeeTx{Nonce: 0, To: &contracts.EncryptedInboxAddress, Gas: 100_000,
		Data: append(encmempool.SubmitSelector(), 1, 2, 3)})
	for _, c := range []struct {
		name string
		tx   *types.Transaction
		want error
	}{
		{"wrong chain", h.plain(u, types.LatestSignerForChainID(big.NewInt(999)), &types.DynamicFeeTx{ChainID: big.NewInt(999), Nonce: 1}), encmempool.ErrWrongChain},
		{"nonce gap", h.plain(u, h.signer, &types.DynamicFeeTx{Nonce: 5}), encmempool.ErrNonceGap},
		{"nonce too low", h.plain(u, h.signer, &types.DynamicFeeTx{Nonce: 0, Value: big.NewInt(2)}), encmempool.ErrNonceTooLow},
		{"already pending", ok, encmempool.ErrKnownTx},
		{"insufficient funds", h.plain(u, h.signer, &types.DynamicFeeTx{Nonce: 1, Value: new(big.Int).Mul(big.NewInt(1000), big.NewInt(params.Ether))}), encmempool.ErrInsufficientFunds},
		{"intrinsic gas", h.plain(u, h.signer, &types.DynamicFeeTx{Nonce: 1, Gas: 20_000}), encmempool.ErrIntrinsicGas},
		{"gas limit", h.plain(u, h.signer, &types.DynamicFeeTx{Nonce: 1, Gas: 300_000_000}), encmempool.ErrGasLimit},
		{"fee cap below base fee", h.plain(u, h.signer, &types.DynamicFeeTx{Nonce: 1, GasFeeCap: big.NewInt(1)}), encmempool.ErrFeeCapTooLow},
		{"tip above fee cap", h.plain(u, h.signer, &types.DynamicFeeTx{Nonce: 1, GasTipCap: big.NewInt(2 * params.GWei)}), encmempool.ErrTipAboveFeeCap},
		{"envelope for another eon", build(encmempool.BuildParams{Eon: testEon + 1, Nonce: 1, Rand: bytes.NewReader(make([]byte, 4096))}), encmempool.ErrWrongEon},
		{"identity used before", build(encmempool.BuildParams{Nonce: 1, Rand: repeatRand()}), encmempool.ErrIdentitySeen},
		{"malformed envelope", malformed, encmempool.ErrMalformed},
	} {
		err := client.SendTransaction(h.ctx, c.tx)
		if err == nil || !strings.Contains(err.Error(), c.want.Error()) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
		if _, err := s.Receipt(c.tx.Hash()); err == nil && c.tx != ok {
			t.Errorf("%s: a refused transaction has a receipt", c.name)
		}
	}
	// Bytes that are no transaction.
	err = client.Client().CallContext(h.ctx, nil, "eth_sendRawTransaction", hexutil.Bytes{1, 2, 3})
	if err == nil || !strings.Contains(err.Error(), ErrDecode.Error()) {
		t.Errorf("undecodable: %v", err)
	}
	// A request body over the cap is refused by the HTTP server itself.
	big := `{"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":["0x` + strings.Repeat("00", DefaultHTTPBodyLimit) + `"]}`
	resp, err := http.Post(s.Exec().HTTPEndpoint(), "application/json", strings.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversize body: HTTP %d", resp.StatusCode)
	}
}

// TestPlaintextCanBeDisabled: with NoPlaintext only envelopes get in.
func TestPlaintextCanBeDisabled(t *testing.T) {
	h := newHarness(t, 1)
	cfg := h.config()
	cfg.NoPlaintext = true
	s := h.openSequencer(cfg, 0)
	_, err := s.Submit(mustBinary(t, h.plain(h.users[0], h.signer, &types.DynamicFeeTx{Nonce: 0})))
	if err == nil || !strings.Contains(err.Error(), encmempool.ErrPlaintextDisabled.Error()) {
		t.Fatalf("plaintext with NoPlaintext: %v", err)
	}
	env, _ := h.envelope(0)
	if _, err := s.Submit(mustBinary(t, env)); err != nil {
		t.Fatalf("envelope with NoPlaintext: %v", err)
	}
}

func mustBinary(t *testing.T, tx *types.Transaction) []byte {
	t.Helper()
	b, err := tx.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestOrderReceiptSubscription: veil_subscribe("orderReceipts") over
// WebSocket streams the signed receipt of every admitted transaction.
func TestOrderReceiptSubscription(t *testing.T) {
	h := newHarness(t, 1)
	s := h.openSequencer(h.config(), 0)
	client, err := rpc.Dial(s.Exec().WSEndpoint())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	ch := make(chan encmempool.Receipt, 8)
	sub, err := client.Subscribe(h.ctx, "veil", ch, "orderReceipts")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	var sent []common.Hash
	for range 3 {
		env, _ := h.envelope(0)
		if _, err := s.Submit(mustBinary(t, env)); err != nil {
			t.Fatal(err)
		}
		sent = append(sent, env.Hash())
	}
	for i, want := range sent {
		select {
		case r := <-ch:
			if r.Hash != want || r.Verify(s.Address()) != nil {
				t.Fatalf("receipt %d: %+v", i, r)
			}
		case err := <-sub.Err():
			t.Fatal(err)
		case <-time.After(10 * time.Second):
			t.Fatalf("receipt %d never streamed", i)
		}
	}
}

// TestDoneIdentityRefused: once an envelope's batch executed and the pool
// let it go (Done), its identity is still refused, from the batch log,
// and so after a restart.
func TestDoneIdentityRefused(t *testing.T) {
	h := newHarness(t, 2)
	for i := range 3 {
		h.startKeyper(i)
	}
	s := h.openSequencer(h.config(), 3)
	build := func(nonce uint64) *types.Transaction {
		inner := h.plain(h.users[1], h.signer, &types.DynamicFeeTx{Nonce: nonce})
		env, err := encmempool.BuildEnvelope(encmempool.BuildParams{ChainID: testChainID, Eon: testEon, EonKey: h.results[0].EonPublicKey,
			Inbox: contracts.EncryptedInboxAddress, Inner: inner, PayerKey: h.payers[1], Nonce: nonce,
			GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(params.GWei), Rand: repeatRand()})
		if err != nil {
			t.Fatal(err)
		}
		return env
	}
	first := build(0)
	if _, err := s.Submit(mustBinary(t, first)); err != nil {
		t.Fatal(err)
	}
	h.waitExecuted(s, []common.Hash{first.Hash()}, 60*time.Second)
	deadline := time.Now().Add(10 * time.Second)
	for s.pool.Len() > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := s.pool.Len(); n != 0 {
		t.Fatalf("the pool still holds %d transactions", n)
	}
	again := build(1)
	if _, err := s.Submit(mustBinary(t, again)); !errors.Is(err, encmempool.ErrIdentitySeen) {
		t.Fatalf("the identity of a done envelope: %v", err)
	}
	h.closeSequencer(s)
	s = h.openSequencer(h.config(), 0)
	if _, err := s.Submit(mustBinary(t, again)); !errors.Is(err, encmempool.ErrIdentitySeen) {
		t.Fatalf("the identity of a done envelope after a restart: %v", err)
	}
}
