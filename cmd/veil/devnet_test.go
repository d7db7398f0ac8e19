package main

import (
	"context"
	"crypto/ecdsa"
	"log/slog"
	"math/big"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"
)

// startDevnet runs the devnet in the background until the returned stop.
func startDevnet(t *testing.T, dir string) (url string, out *logBuffer, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out = &logBuffer{}
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- runDevnet(ctx, devnetConfig{dataDir: dir, keypers: 5, threshold: 3, interval: time.Second, httpAddr: "127.0.0.1:0",
			l1HTTPAddr:  "127.0.0.1:0",
			l1BlockTime: 300 * time.Millisecond, onReady: func(u string) { ready <- u }}, out, slog.New(slog.DiscardHandler))
	}()
	select {
	case url = <-ready:
	case err := <-done:
		t.Fatalf("devnet stopped: %v\n%s", err, out)
	case <-time.After(90 * time.Second):
		t.Fatalf("devnet not ready:\n%s", out)
	}
	return url, out, func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("devnet: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("devnet did not stop")
		}
	}
}

// sendTransfer encrypts a transfer from user to `to`, paid by payer, and
// waits for the inner transaction's receipt.
func sendTransfer(t *testing.T, url string, payer, user *ecdsa.PrivateKey, to common.Address) *types.Receipt {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	hash := sendEnvelope(t, ctx, url, payer, user, to)
	client, err := ethclient.Dial(url)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	for {
		if r, err := client.TransactionReceipt(ctx, hash); err == nil {
			return r
		}
		select {
		case <-ctx.Done():
			t.Fatal("the transfer never executed")
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// TestDevnet: tried as a new user would. The devnet starts, prints its
// RPC URL, chain id and dev accounts; an encrypted transfer executes; after
// Ctrl-C and a restart on the same data directory the chain continues.
func TestDevnet(t *testing.T) {
	dir := t.TempDir()
	url, out, stop := startDevnet(t, dir)
	for _, want := range []string{"DKG done", "JSON-RPC:  http://127.0.0.1:", "chain id:  7117", crypto.PubkeyToAddress(DevAccount(0).PublicKey).Hex()} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}
	// A fresh chain answers receipt lookups (null for an unknown hash)
	// without "transaction indexing is in progress": the sequencer builds
	// block 1 at once.
	lookup, err := ethclient.Dial(url)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var r *types.Receipt
		err := lookup.Client().CallContext(context.Background(), &r, "eth_getTransactionReceipt", common.Hash{0x01})
		if err == nil && r == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("receipt lookup on a fresh devnet: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	lookup.Close()
	to := common.Address{0xbe, 0xef}
	r := sendTransfer(t, url, DevAccount(0), DevAccount(1), to)
	if r.Status != types.ReceiptStatusSuccessful {
		t.Fatal("the transfer failed")
	}
	first := r.BlockNumber.Uint64()
	stop()

	url, _, stop = startDevnet(t, dir)
	defer stop()
	r = sendTransfer(t, url, DevAccount(0), DevAccount(1), to)
	if r.Status != types.ReceiptStatusSuccessful || r.BlockNumber.Uint64() <= first {
		t.Fatalf("after the restart: block %v status %d", r.BlockNumber, r.Status)
	}
	client, _ := ethclient.Dial(url)
	defer client.Close()
	bal, err := client.BalanceAt(context.Background(), to, nil)
	if err != nil || bal.Cmp(big.NewInt(2*params.Ether)) != 0 {
		t.Fatalf("recipient balance %v: %v", bal, err)
	}
}

// TestSendOnDevnet: `veil send` as a new user would run it against the
// devnet, with two of its printed dev accounts.
func TestSendOnDevnet(t *testing.T) {
	dir := t.TempDir()
	url, devnetOut, stop := startDevnet(t, dir)
	defer stop()
	l1URL := regexp.MustCompile(`L1 JSON-RPC: (http://\S+)`).FindStringSubmatch(devnetOut.String())
	if l1URL == nil {
		t.Fatalf("the devnet printed no L1 URL:\n%s", devnetOut)
	}
	var out logBuffer
	app := newApp()
	app.Writer, app.ErrWriter = &out, &out
	to := common.Address{0xca, 0xfe}
	// The eon key is checked against L1's, as a careful wallet would.
	err := app.Run([]string{"veil", "send", "--rpc", url, "--key", hexutil.Encode(crypto.FromECDSA(DevAccount(2))),
		"--payer-key", hexutil.Encode(crypto.FromECDSA(DevAccount(3))), "--to", to.Hex(), "--value", "0.25",
		"--l1-rpc", l1URL[1], "--contracts", filepath.Join(dir, "contracts.json")})
	if err != nil {
		t.Fatalf("veil send: %v\n%s", err, &out)
	}
	for _, want := range []string{"sent envelope 0x", "ordered:  sequence number", "executed: block", "status 1"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("output lacks %q:\n%s", want, &out)
		}
	}
	client, _ := ethclient.Dial(url)
	defer client.Close()
	if bal, _ := client.BalanceAt(context.Background(), to, nil); bal.Cmp(big.NewInt(params.Ether/4)) != 0 {
		t.Fatalf("recipient has %v", bal)
	}
	// Bad input: the payer is the sender.
	k := hexutil.Encode(crypto.FromECDSA(DevAccount(2)))
	if err := app.Run([]string{"veil", "send", "--rpc", url, "--key", k, "--payer-key", k, "--to", to.Hex()}); err == nil {
		t.Fatal("sender as payer accepted")
	}
	if _, err := parseValue("1.0000000000000000001"); err == nil {
		t.Fatal("a value finer than wei accepted")
	}
}
