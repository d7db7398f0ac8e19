package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/urfave/cli/v2"
	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/devnet"
	"github.com/veil-l2/veil/encmempool/client"
	"github.com/veil-l2/veil/encmempool/proxy"
	"github.com/veil-l2/veil/keyper/dkg"
	"github.com/veil-l2/veil/l1"
)

// ethersDir is the ethers.js project the proxy is tested with.
var ethersDir = filepath.Join("..", "..", "encmempool", "proxy", "testdata", "ethers")

// TestProxy runs `veil proxy` against a devnet and uses it as wallets do:
// go-ethereum's ethclient with transactions signed by types.SignTx, and a
// real ethers.js v6 script run by node. Transfers, back-to-back sends
// counted by the pending nonce, a deployment and a contract call all
// execute; refusals name their cause; nothing the user signed appears in
// the proxy's logs.
func TestProxy(t *testing.T) {
	url, _, stopDevnet := startDevnet(t, t.TempDir())
	defer stopDevnet()
	port, err := loopbackPort()
	if err != nil {
		t.Fatal(err)
	}
	proxyURL := fmt.Sprintf("http://127.0.0.1:%d", port)
	var out logBuffer
	app := proxyApp(&out)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- app.RunContext(ctx, []string{"veil", "proxy", "--upstream", url, "--http-addr", fmt.Sprintf("127.0.0.1:%d", port),
			"--payer-key", hexutil.Encode(crypto.FromECDSA(DevAccount(5))), "--log-level", "debug"})
	}()
	for deadline := time.Now().Add(15 * time.Second); !strings.Contains(out.String(), "proxy listening"); {
		select {
		case err := <-done:
			t.Fatalf("veil proxy stopped: %v\n%s", err, &out)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("veil proxy not listening:\n%s", &out)
		}
	}
	for _, want := range []string{"JSON-RPC on " + proxyURL, "chain id 7117, eon 1", crypto.PubkeyToAddress(DevAccount(5).PublicKey).Hex()} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("output lacks %q:\n%s", want, &out)
		}
	}

	var secretsMu sync.Mutex
	var secrets []string // what must never be logged: senders, inner hashes
	remember := func(s ...string) {
		secretsMu.Lock()
		defer secretsMu.Unlock()
		secrets = append(secrets, s...)
	}
	t.Run("group", func(t *testing.T) {
		t.Run("ethclient", func(t *testing.T) {
			t.Parallel()
			testProxyEthclient(t, url, proxyURL, DevAccount(6), remember)
		})
		t.Run("refusals", func(t *testing.T) {
			t.Parallel()
			testProxyRefusals(t, proxyURL, DevAccount(7), DevAccount(5))
		})
		t.Run("envelope", func(t *testing.T) {
			t.Parallel()
			testProxyEnvelope(t, proxyURL, DevAccount(9), DevAccount(4))
		})
		t.Run("ethers", func(t *testing.T) {
			t.Parallel()
			testProxyEthers(t, url, proxyURL, DevAccount(8), remember)
		})
	})

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("veil proxy: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("veil proxy did not stop")
	}
	logs := strings.ToLower(out.String())
	if !strings.Contains(logs, "envelope sent") || !strings.Contains(logs, "proxy stopped") {
		t.Fatalf("logs lack the envelopes or the shutdown:\n%s", &out)
	}
	for _, s := range secrets {
		if strings.Contains(logs, strings.ToLower(strings.TrimPrefix(s, "0x"))) {
			t.Fatalf("the proxy logged %s:\n%s", s, &out)
		}
	}
}

// proxyApp is the veil command writing to w.
func proxyApp(w io.Writer) *cli.App {
	app := newApp()
	app.Writer, app.ErrWriter = w, w
	return app
}

// storageArtifact is the test contract (testdata/ethers/Storage.sol).
func storageArtifact(t *testing.T) (abi.ABI, []byte) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(ethersDir, "Storage.json"))
	if err != nil {
		t.Fatal(err)
	}
	var art struct {
		ABI      json.RawMessage `json:"abi"`
		Bytecode hexutil.Bytes   `json:"bytecode"`
	}
	if err := json.Unmarshal(raw, &art); err != nil {
		t.Fatal(err)
	}
	a, err := abi.JSON(bytes.NewReader(art.ABI))
	if err != nil {
		t.Fatal(err)
	}
	return a, art.Bytecode
}

// signFor signs a dynamic-fee transaction from key as a wallet would: fees
// from the node (through the proxy), gas estimated unless given.
func signFor(t *testing.T, ctx context.Context, ec *ethclient.Client, key *ecdsa.PrivateKey, nonce uint64, to *common.Address,
	value *big.Int, data []byte, gas uint64) *types.Transaction {
	t.Helper()
	chainID, err := ec.ChainID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tip, err := ec.SuggestGasTipCap(ctx)
	if err != nil {
		t.Fatal(err)
	}
	head, err := ec.HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if gas == 0 {
		if gas, err = ec.EstimateGas(ctx, ethereum.CallMsg{From: crypto.PubkeyToAddress(key.PublicKey), To: to, Value: value, Data: data}); err != nil {
			t.Fatal(err)
		}
	}
	feeCap := new(big.Int).Add(new(big.Int).Mul(head.BaseFee, big.NewInt(2)), tip)
	tx, err := types.SignTx(types.NewTx(&types.DynamicFeeTx{ChainID: chainID, Nonce: nonce, GasTipCap: tip, GasFeeCap: feeCap, Gas: gas,
		To: to, Value: value, Data: data}), types.LatestSignerForChainID(chainID), key)
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

// waitReceipt polls the receipt of hash.
func waitReceipt(t *testing.T, ctx context.Context, ec *ethclient.Client, hash common.Hash) *types.Receipt {
	t.Helper()
	for {
		r, err := ec.TransactionReceipt(ctx, hash)
		if err == nil {
			if r.Status != types.ReceiptStatusSuccessful {
				t.Fatalf("transaction %s failed", hash)
			}
			return r
		}
		if !errors.Is(err, ethereum.NotFound) {
			t.Fatal(err)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no receipt for %s", hash)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func testProxyEthclient(t *testing.T, upstreamURL, proxyURL string, user *ecdsa.PrivateKey, remember func(...string)) {
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	ec, err := ethclient.Dial(proxyURL)
	if err != nil {
		t.Fatal(err)
	}
	defer ec.Close()
	up, err := ethclient.Dial(upstreamURL)
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	from := crypto.PubkeyToAddress(user.PublicKey)
	remember(from.Hex())
	to := common.Address{0x70, 0x01}

	// A transfer: the answer is the hash the wallet computed, and the
	// receipt is found under it.
	nonce, err := ec.PendingNonceAt(ctx, from)
	if err != nil {
		t.Fatal(err)
	}
	tx := signFor(t, ctx, ec, user, nonce, &to, big.NewInt(params.Ether), nil, 0)
	remember(tx.Hash().Hex())
	raw, _ := tx.MarshalBinary()
	var hash common.Hash
	if err := ec.Client().CallContext(ctx, &hash, "eth_sendRawTransaction", hexutil.Bytes(raw)); err != nil {
		t.Fatal(err)
	}
	if hash != tx.Hash() {
		t.Fatalf("proxy answered %s for transaction %s", hash, tx.Hash())
	}
	// While in flight, the transaction is known to the proxy.
	if got, _, err := ec.TransactionByHash(ctx, tx.Hash()); err != nil || got.Hash() != tx.Hash() {
		t.Fatalf("eth_getTransactionByHash in flight: %v", err)
	}
	r := waitReceipt(t, ctx, ec, tx.Hash())
	if r.TxHash != tx.Hash() {
		t.Fatalf("receipt for %s", r.TxHash)
	}

	// Two in a row: the pending nonce counts the one in flight, which the
	// sequencer cannot see.
	n, err := ec.PendingNonceAt(ctx, from)
	if err != nil || n != nonce+1 {
		t.Fatalf("pending nonce %d after one transfer from %d: %v", n, nonce, err)
	}
	first := signFor(t, ctx, ec, user, n, &to, big.NewInt(params.Ether), nil, 21000)
	if err := ec.SendTransaction(ctx, first); err != nil {
		t.Fatal(err)
	}
	upstream, _ := up.PendingNonceAt(ctx, from)
	next, err := ec.PendingNonceAt(ctx, from)
	if err != nil || next != n+1 {
		t.Fatalf("pending nonce through the proxy %d with %d in flight: %v", next, n, err)
	}
	t.Logf("pending nonce: proxy %d, sequencer %d", next, upstream)
	// The same transaction again is "already known" (or "nonce too low"
	// if it executed meanwhile); another one with its nonce is refused.
	if err := ec.SendTransaction(ctx, first); err == nil ||
		!(strings.Contains(err.Error(), "already known") || strings.Contains(err.Error(), "nonce too low")) {
		t.Fatalf("resending the same transaction: %v", err)
	}
	replacement := signFor(t, ctx, ec, user, n, &to, big.NewInt(2*params.Ether), nil, 21000)
	if err := ec.SendTransaction(ctx, replacement); err == nil ||
		!(strings.Contains(err.Error(), "replacement transaction not supported") || strings.Contains(err.Error(), "nonce too low")) {
		t.Fatalf("replacement of a nonce in flight: %v", err)
	}
	second := signFor(t, ctx, ec, user, next, &to, big.NewInt(params.Ether), nil, 21000)
	if err := ec.SendTransaction(ctx, second); err != nil {
		t.Fatal(err)
	}
	remember(first.Hash().Hex(), second.Hash().Hex(), replacement.Hash().Hex())
	if n2, err := ec.PendingNonceAt(ctx, from); err != nil || n2 != n+2 {
		t.Fatalf("pending nonce %d after two sends from %d: %v", n2, n, err)
	}
	waitReceipt(t, ctx, ec, first.Hash())
	waitReceipt(t, ctx, ec, second.Hash())
	if bal, err := ec.BalanceAt(ctx, to, nil); err != nil || bal.Cmp(big.NewInt(3*params.Ether)) != 0 {
		t.Fatalf("recipient balance %v: %v", bal, err)
	}

	// A deployment (To nil) and a call to the contract.
	storage, code := storageArtifact(t)
	n, _ = ec.PendingNonceAt(ctx, from)
	deploy := signFor(t, ctx, ec, user, n, nil, new(big.Int), code, 0)
	remember(deploy.Hash().Hex())
	if err := ec.SendTransaction(ctx, deploy); err != nil {
		t.Fatal(err)
	}
	r = waitReceipt(t, ctx, ec, deploy.Hash())
	if r.ContractAddress != crypto.CreateAddress(from, n) {
		t.Fatalf("contract at %s", r.ContractAddress)
	}
	contract := r.ContractAddress
	data, err := storage.Pack("set", big.NewInt(42))
	if err != nil {
		t.Fatal(err)
	}
	n, _ = ec.PendingNonceAt(ctx, from)
	set := signFor(t, ctx, ec, user, n, &contract, new(big.Int), data, 0)
	remember(set.Hash().Hex())
	if err := ec.SendTransaction(ctx, set); err != nil {
		t.Fatal(err)
	}
	r = waitReceipt(t, ctx, ec, set.Hash())
	if len(r.Logs) != 1 || r.Logs[0].Address != contract {
		t.Fatalf("call logs %+v", r.Logs)
	}
	slot, err := ec.StorageAt(ctx, contract, common.Hash{}, nil)
	if err != nil || new(big.Int).SetBytes(slot).Int64() != 42 {
		t.Fatalf("storage slot 0 = %x: %v", slot, err)
	}
	get, _ := storage.Pack("value")
	res, err := ec.CallContract(ctx, ethereum.CallMsg{To: &contract, Data: get}, nil)
	if err != nil || new(big.Int).SetBytes(res).Int64() != 42 {
		t.Fatalf("value() = %x: %v", res, err)
	}

	// eth_sendRawTransactionSync answers with the receipt.
	n, _ = ec.PendingNonceAt(ctx, from)
	syncTx := signFor(t, ctx, ec, user, n, &to, big.NewInt(1), nil, 21000)
	remember(syncTx.Hash().Hex())
	raw, _ = syncTx.MarshalBinary()
	var rec types.Receipt
	if err := ec.Client().CallContext(ctx, &rec, "eth_sendRawTransactionSync", hexutil.Bytes(raw)); err != nil {
		t.Fatal(err)
	}
	if rec.TxHash != syncTx.Hash() || rec.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("sync receipt %+v", rec)
	}

	// A batch with two sends in reverse nonce order: the higher nonce
	// waits for the lower one to come through.
	hi := signFor(t, ctx, ec, user, n+2, &to, big.NewInt(1), nil, 21000)
	lo := signFor(t, ctx, ec, user, n+1, &to, big.NewInt(1), nil, 21000)
	remember(hi.Hash().Hex(), lo.Hash().Hex())
	rawHi, _ := hi.MarshalBinary()
	rawLo, _ := lo.MarshalBinary()
	var hashHi, hashLo common.Hash
	batch := []rpc.BatchElem{
		{Method: "eth_sendRawTransaction", Args: []any{hexutil.Bytes(rawHi)}, Result: &hashHi},
		{Method: "eth_sendRawTransaction", Args: []any{hexutil.Bytes(rawLo)}, Result: &hashLo},
	}
	if err := ec.Client().BatchCallContext(ctx, batch); err != nil || batch[0].Error != nil || batch[1].Error != nil {
		t.Fatalf("batch: %v %v %v", err, batch[0].Error, batch[1].Error)
	}
	if hashHi != hi.Hash() || hashLo != lo.Hash() {
		t.Fatalf("batch answered %s %s", hashHi, hashLo)
	}
	waitReceipt(t, ctx, ec, hi.Hash())
	waitReceipt(t, ctx, ec, lo.Hash())
}

// testProxyRefusals: what would be dropped or leak is refused with its
// cause, before anything reaches the sequencer.
func testProxyRefusals(t *testing.T, proxyURL string, user, payer *ecdsa.PrivateKey) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ec, err := ethclient.Dial(proxyURL)
	if err != nil {
		t.Fatal(err)
	}
	defer ec.Close()
	from := crypto.PubkeyToAddress(user.PublicKey)
	to := common.Address{0x70, 0x02}
	n, err := ec.PendingNonceAt(ctx, from)
	if err != nil {
		t.Fatal(err)
	}
	tx := signFor(t, ctx, ec, user, n, &to, big.NewInt(1), nil, 21000)
	if err := ec.SendTransaction(ctx, tx); err != nil {
		t.Fatal(err)
	}
	waitReceipt(t, ctx, ec, tx.Hash())
	otherChain, _ := types.SignTx(types.NewTx(&types.DynamicFeeTx{ChainID: big.NewInt(1), Nonce: n + 1, GasTipCap: big.NewInt(1),
		GasFeeCap: big.NewInt(params.GWei), Gas: 21000, To: &to}), types.LatestSignerForChainID(big.NewInt(1)), user)
	legacy, _ := types.SignTx(types.NewTx(&types.LegacyTx{Nonce: n + 1, GasPrice: big.NewInt(params.GWei), Gas: 21000, To: &to}),
		types.HomesteadSigner{}, user)
	poor, _ := crypto.GenerateKey()
	for _, c := range []struct {
		name string
		tx   *types.Transaction
		want string
	}{
		{"nonce used", signFor(t, ctx, ec, user, n, &to, big.NewInt(1), nil, 21000), "nonce too low"},
		{"nonce gap", signFor(t, ctx, ec, user, n+3, &to, big.NewInt(1), nil, 21000), "nonce too high"},
		{"sent by the payer", signFor(t, ctx, ec, payer, 0, &to, big.NewInt(1), nil, 21000), "inner transaction sent by the payer"},
		{"other chain", otherChain, "cannot be sent encrypted: encmempool: inner transaction lacks this chain's id"},
		{"no chain id", legacy, "lacks this chain's id"},
		{"no funds", signFor(t, ctx, ec, poor, 0, &to, big.NewInt(1), nil, 21000), "insufficient funds for gas * price + value"},
		{"too much value", signFor(t, ctx, ec, user, n+1, &to, new(big.Int).Mul(big.NewInt(1e6), big.NewInt(params.Ether)), nil, 21000),
			"insufficient funds"},
	} {
		err := ec.SendTransaction(ctx, c.tx)
		var re rpc.Error
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.As(err, &re) || re.ErrorCode() != -32000 {
			t.Errorf("%s: got %v, want -32000 with %q", c.name, err, c.want)
		}
	}
	// eth_sendTransaction would show the transaction to the sequencer.
	err = ec.Client().CallContext(ctx, nil, "eth_sendTransaction", map[string]any{"from": from, "to": to})
	var re rpc.Error
	if err == nil || !errors.As(err, &re) || re.ErrorCode() != -32601 || !strings.Contains(err.Error(), "plaintext") {
		t.Errorf("eth_sendTransaction: %v", err)
	}
	// Nothing was left in flight: the next nonce is the chain's.
	if got, err := ec.PendingNonceAt(ctx, from); err != nil || got != n+1 {
		t.Errorf("pending nonce %d after the refusals, want %d: %v", got, n+1, err)
	}
}

// testProxyEnvelope: an envelope built elsewhere (the client library, as
// veil send does, pointed at the proxy) goes upstream as it is.
func testProxyEnvelope(t *testing.T, proxyURL string, user, payer *ecdsa.PrivateKey) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, proxyURL, client.WithPayer(client.NewPayer(payer)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	to := common.Address{0x70, 0x04}
	inner, err := c.SignInner(ctx, user, client.Call{To: &to, Value: big.NewInt(5)})
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.Send(ctx, inner)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitOrdered(ctx, p); err != nil {
		t.Fatal(err)
	}
	if r, err := c.WaitExecuted(ctx, p); err != nil || r.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("envelope through the proxy: %v", err)
	}
}

// testProxyEthers runs testdata/ethers/send.mjs with node against the
// proxy: ethers v6 unchanged, its own nonce, fee and receipt handling.
func testProxyEthers(t *testing.T, upstreamURL, proxyURL string, user *ecdsa.PrivateKey, remember func(...string)) {
	node, nerr := exec.LookPath("node")
	npm, perr := exec.LookPath("npm")
	if nerr != nil || perr != nil {
		t.Skip("node or npm not on PATH: the ethers.js test needs Node.js (apt-get install nodejs npm)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 55*time.Second)
	defer cancel()
	if !ethersInstalled() {
		cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
		cmd.Dir = ethersDir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm ci in %s: %v\n%s", ethersDir, err, out)
		}
	}
	from := crypto.PubkeyToAddress(user.PublicKey)
	remember(from.Hex())
	recipient := common.Address{0x70, 0x03}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, node, "send.mjs", proxyURL, hexutil.Encode(crypto.FromECDSA(user)), recipient.Hex())
	cmd.Dir = ethersDir
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("node send.mjs: %v\n%s%s", err, &stdout, &stderr)
	}
	t.Logf("send.mjs ran in %v", time.Since(start).Round(time.Millisecond))
	type sent struct {
		Hash   common.Hash `json:"hash"`
		Nonce  uint64      `json:"nonce"`
		Status int         `json:"status"`
		Block  uint64      `json:"block"`
	}
	var res struct {
		From              common.Address `json:"from"`
		ChainID           string         `json:"chainId"`
		Transfer          sent           `json:"transfer"`
		PendingAfterFirst uint64         `json:"pendingAfterFirst"`
		Pair              []sent         `json:"pair"`
		Deploy            struct {
			sent
			Address common.Address `json:"address"`
		} `json:"deploy"`
		Call struct {
			sent
			Event *struct {
				By    common.Address `json:"by"`
				Value string         `json:"value"`
			} `json:"event"`
		} `json:"call"`
		Value   string `json:"value"`
		Balance string `json:"balance"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("send.mjs printed %q: %v", &stdout, err)
	}
	t.Logf("send.mjs: %s", bytes.TrimSpace(stdout.Bytes()))
	all := append([]sent{res.Transfer, res.Deploy.sent, res.Call.sent}, res.Pair...)
	for _, s := range all {
		remember(s.Hash.Hex())
		if s.Status != 1 || s.Block == 0 {
			t.Errorf("transaction %s: status %d block %d", s.Hash, s.Status, s.Block)
		}
	}
	if res.From != from || res.ChainID != "7117" {
		t.Errorf("from %s chain %s", res.From, res.ChainID)
	}
	if len(res.Pair) != 2 || res.Pair[1].Nonce != res.Pair[0].Nonce+1 || res.PendingAfterFirst != res.Pair[0].Nonce+1 {
		t.Errorf("back-to-back nonces: %+v, pending after the first %d", res.Pair, res.PendingAfterFirst)
	}
	if res.Value != "42" || res.Call.Event == nil || res.Call.Event.By != from || res.Call.Event.Value != "42" {
		t.Errorf("contract call: value %s event %+v", res.Value, res.Call.Event)
	}
	if res.Balance != new(big.Int).SetUint64(params.Ether).String() {
		t.Errorf("recipient balance %s", res.Balance)
	}
	// The sequencer's own view agrees.
	up, err := ethclient.Dial(upstreamURL)
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	if code, err := up.CodeAt(ctx, res.Deploy.Address, nil); err != nil || len(code) == 0 {
		t.Errorf("no code at %s: %v", res.Deploy.Address, err)
	}
	if n, err := up.NonceAt(ctx, from, nil); err != nil || n != 5 {
		t.Errorf("sender nonce %d after 5 transactions: %v", n, err)
	}
}

// ethersInstalled tells whether node_modules holds the ethers version
// package-lock.json pins.
func ethersInstalled() bool {
	var lock, installed struct {
		Version  string `json:"version"`
		Packages map[string]struct {
			Version string `json:"version"`
		} `json:"packages"`
	}
	raw, err := os.ReadFile(filepath.Join(ethersDir, "package-lock.json"))
	if err != nil || json.Unmarshal(raw, &lock) != nil {
		return false
	}
	raw, err = os.ReadFile(filepath.Join(ethersDir, "node_modules", "ethers", "package.json"))
	if err != nil || json.Unmarshal(raw, &installed) != nil {
		return false
	}
	want := lock.Packages["node_modules/ethers"].Version
	return want != "" && installed.Version == want
}

// TestProxyFlags: bad settings are refused with a sentence; the payer key
// comes from the environment too; the proxy starts before its upstream
// and stops cleanly.
func TestProxyFlags(t *testing.T) {
	run := func(args ...string) (*logBuffer, error) {
		var out logBuffer
		return &out, proxyApp(&out).Run(append([]string{"veil", "proxy"}, args...))
	}
	key := hexutil.Encode(crypto.FromECDSA(DevAccount(5)))
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "--payer-key (or --payer-key-file) is required"},
		{[]string{"--payer-key", "0x1234"}, "--payer-key"},
		{[]string{"--payer-key", key, "--upstream", "ws://127.0.0.1:8546"}, "is not an http:// or https:// URL"},
		{[]string{"--payer-key", key, "--log-format", "xml"}, "--log-format"},
		{[]string{"--payer-key", key, "--l1-rpc", "http://127.0.0.1:1"}, "--l1-rpc and --contracts go together"},
		{[]string{"--payer-key", key, "--l1-rpc", "http://127.0.0.1:1", "--contracts", "/nowhere/contracts.json"}, "contracts.json"},
	} {
		if out, err := run(c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want %q\n%s", c.args, err, c.want, out)
		}
	}

	t.Setenv("VEIL_PROXY_PAYER_KEY", key)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &logBuffer{}
	app := proxyApp(out)
	done := make(chan error, 1)
	go func() {
		done <- app.RunContext(ctx, []string{"veil", "proxy", "--upstream", "http://127.0.0.1:1", "--http-addr", "127.0.0.1:0"})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "proxy listening") {
		if time.Now().After(deadline) {
			t.Fatalf("not listening:\n%s", out)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(out.String(), "upstream not answering veil_eon yet") ||
		!strings.Contains(out.String(), crypto.PubkeyToAddress(DevAccount(5).PublicKey).Hex()) {
		t.Fatalf("output:\n%s", out)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("veil proxy: %v", err)
	}
}

// TestProxyL1: `veil proxy --l1-rpc --contracts` against a devnet. With
// the devnet's contracts file the sequencer's eon key is confirmed on L1
// and a wallet's transfer goes through. With another deployment's file
// (KeyBroadcast has no key for the eon) or one whose KeyBroadcast has
// another key for the eon, the proxy refuses to start with ErrEonKey.
func TestProxyL1(t *testing.T) {
	began := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	d, err := devnet.Start(ctx, devnet.Config{Dir: dir, Keypers: 3, Threshold: 2, HTTPAddr: "127.0.0.1:0", L1HTTPAddr: "127.0.0.1:0",
		L1BlockTime: 300 * time.Millisecond, NoVerifier: true})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := d.Close(); err != nil {
			t.Errorf("closing the devnet: %v", err)
		}
	}()
	upstream, l1URL := d.Sequencer().Exec().HTTPEndpoint(), d.L1.HTTPEndpoint()
	started := time.Since(began)
	key := hexutil.Encode(crypto.FromECDSA(DevAccount(5)))
	run := func(ctx context.Context, out io.Writer, contractsFile string) error {
		return proxyApp(out).RunContext(ctx, []string{"veil", "proxy", "--upstream", upstream, "--http-addr", "127.0.0.1:0",
			"--payer-key", key, "--l1-rpc", l1URL, "--contracts", contractsFile})
	}
	// refused runs a proxy that must refuse to start (a proxy that starts
	// runs until the limit).
	refused := func(out io.Writer, contractsFile string) error {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		return run(ctx, out, contractsFile)
	}

	// Another deployment on the same L1, for the same chain: no eon key.
	owner, voter := DevAccount(3), DevAccount(4)
	other, err := l1.Deploy(ctx, d.L1, owner, contracts.L1Config{ChainID: devnet.ChainID, Owner: crypto.PubkeyToAddress(owner.PublicKey),
		Sequencer: crypto.PubkeyToAddress(owner.PublicKey), ForcedInclusionDeadline: 8})
	if err != nil {
		t.Fatal(err)
	}
	otherFile := filepath.Join(dir, "other-contracts.json")
	if err := l1.WriteContracts(otherFile, other); err != nil {
		t.Fatal(err)
	}
	var out logBuffer
	if err := refused(&out, otherFile); !errors.Is(err, proxy.ErrEonKey) || !errors.Is(err, client.ErrEonKeySource) {
		t.Fatalf("another deployment: %v\n%s", err, &out)
	}
	if strings.Contains(out.String(), "proxy listening") {
		t.Fatalf("listening with another deployment's contracts:\n%s", &out)
	}

	// There, a keyper set of one votes another key for eon 1, final.
	head, err := d.L1.HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	set, err := l1.AddKeyperSet(ctx, d.L1, other, owner, []common.Address{crypto.PubkeyToAddress(voter.PublicKey)}, 1,
		head.Number.Uint64()+2)
	if err != nil {
		t.Fatal(err)
	}
	res, err := dkg.RunLocal(devnet.ChainID, devnet.Eon, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := l1.NewEonKeys(d.L1, other).Vote(ctx, voter, set, devnet.Eon, res[0].EonPublicKey.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := d.L1.SealToFinalized(ctx); err != nil {
		t.Fatal(err)
	}
	out = logBuffer{}
	if err := refused(&out, otherFile); !errors.Is(err, proxy.ErrEonKey) || !errors.Is(err, client.ErrEonKeyMismatch) {
		t.Fatalf("another key on L1: %v\n%s", err, &out)
	}

	// The devnet's own contracts: the key is confirmed, a transfer goes
	// through the proxy.
	pctx, stop := context.WithCancel(ctx)
	defer stop()
	var logs logBuffer
	done := make(chan error, 1)
	go func() { done <- run(pctx, &logs, filepath.Join(dir, devnet.ContractsFile)) }()
	var proxyURL string
	re := regexp.MustCompile(`JSON-RPC on (http://\S+),`)
	for proxyURL == "" {
		if m := re.FindStringSubmatch(logs.String()); m != nil && strings.Contains(logs.String(), "proxy listening") {
			proxyURL = m[1]
			break
		}
		select {
		case err := <-done:
			t.Fatalf("veil proxy stopped: %v\n%s", err, &logs)
		case <-ctx.Done():
			t.Fatalf("veil proxy not listening:\n%s", &logs)
		case <-time.After(20 * time.Millisecond):
		}
	}
	if !strings.Contains(logs.String(), "eon key confirmed on L1") {
		t.Fatalf("output:\n%s", &logs)
	}
	wallet, err := ethclient.Dial(proxyURL)
	if err != nil {
		t.Fatal(err)
	}
	defer wallet.Close()
	user := DevAccount(6)
	nonce, err := wallet.PendingNonceAt(ctx, crypto.PubkeyToAddress(user.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	to := common.Address{0x70, 0x11}
	tx, err := types.SignNewTx(user, types.LatestSignerForChainID(big.NewInt(devnet.ChainID)), &types.DynamicFeeTx{
		ChainID: big.NewInt(devnet.ChainID), Nonce: nonce, GasTipCap: big.NewInt(params.GWei), GasFeeCap: big.NewInt(100 * params.GWei),
		Gas: 21000, To: &to, Value: big.NewInt(3)})
	if err != nil {
		t.Fatal(err)
	}
	if err := wallet.SendTransaction(ctx, tx); err != nil {
		t.Fatal(err)
	}
	for {
		r, err := wallet.TransactionReceipt(ctx, tx.Hash())
		if err == nil {
			if r.Status != types.ReceiptStatusSuccessful {
				t.Fatalf("transfer failed: %+v", r)
			}
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the transfer never executed: %v\n%s", err, &logs)
		case <-time.After(100 * time.Millisecond):
		}
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("veil proxy: %v", err)
	}
	t.Logf("devnet up in %v, all in %v", started.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
}
