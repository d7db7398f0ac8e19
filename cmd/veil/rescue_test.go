package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"

	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/devnet"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/execution"
	"github.com/veil-l2/veil/internal/keyfile"
	"github.com/veil-l2/veil/keyper"
	l1pkg "github.com/veil-l2/veil/l1"
)

// TestRescueOnDevnet is issue 7 with the production process, tried as a
// new user would: a devnet whose sequencer takes the keys of a batch with
// an encrypted transfer and withholds it (and every later one), with no
// rescuer of its own; `veil rescue init` makes a key, the user funds it on
// L1 and runs `veil rescue` with the devnet's contracts, chain config and
// committee directory, peered with the keypers. A keyper re-publishes the
// batch, `veil rescue` posts it from its own account, the devnet's
// verifier verifies it, and the transfer is executed in its chain.
func TestRescueOnDevnet(t *testing.T) {
	began := time.Now()
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var armed atomic.Bool
	withheld := make(chan uint64, 1)
	d, err := devnet.Start(ctx, devnet.Config{Dir: dir, HTTPAddr: "127.0.0.1:0", L1HTTPAddr: "127.0.0.1:0",
		L1BlockTime: 300 * time.Millisecond, RepublishAfter: time.Second, DevAccounts: 3,
		WithholdKeys: func(n uint64) bool {
			if !armed.CompareAndSwap(true, false) {
				return false
			}
			withheld <- n
			return true
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	started := time.Since(began)
	l1URL := d.L1.HTTPEndpoint()
	l2URL := d.Sequencer().Exec().HTTPEndpoint()

	// The rescuer's key, made and funded as a user would.
	rdir := filepath.Join(t.TempDir(), "rescuer")
	var out logBuffer
	app := newApp()
	app.Writer, app.ErrWriter = &out, &out
	if err := app.Run([]string{"veil", "rescue", "init", "--datadir", rdir}); err != nil {
		t.Fatalf("veil rescue init: %v\n%s", err, &out)
	}
	var rescuer common.Address
	for _, line := range strings.Split(out.String(), "\n") {
		if a, ok := strings.CutPrefix(strings.TrimSpace(line), "address:"); ok {
			rescuer = common.HexToAddress(strings.TrimSpace(a))
		}
	}
	if rescuer == (common.Address{}) {
		t.Fatalf("veil rescue init printed no address:\n%s", &out)
	}
	fundL1(t, ctx, d.L1, DevAccount(2), rescuer, devnet.Ether(10))

	// `veil rescue`, peered with the keypers, until the test ends.
	var peers []string
	for _, m := range d.Committee.Members {
		peers = append(peers, m.Peer)
	}
	metricsPort := freePort(t)
	args := []string{"veil", "rescue", "--datadir", rdir, "--l1-rpc", l1URL, "--contracts", filepath.Join(dir, devnet.ContractsFile),
		"--chain", filepath.Join(dir, devnet.ChainFile), "--eon-dir", dir, "--peers", strings.Join(peers, ","),
		"--listen", fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", freePort(t)), "--confirmations", "0", "--poll-interval", "150ms",
		"--metrics-addr", fmt.Sprintf("127.0.0.1:%d", metricsPort)}
	var printed, logs logBuffer
	rctx, stopRescue := context.WithCancel(ctx)
	defer stopRescue()
	done := make(chan error, 1)
	go func() {
		app := newApp()
		app.Writer, app.ErrWriter = &printed, &logs
		done <- app.RunContext(rctx, args)
	}()
	defer func() {
		if t.Failed() {
			t.Logf("veil rescue log:\n%s", &logs)
		}
	}()

	// The chain runs; then the next batch with keys is withheld: it holds
	// the transfer sent after arming.
	sendTransfer(t, l2URL, DevAccount(0), DevAccount(1), common.Address{0xbe, 0xef})
	armed.Store(true)
	inner := sendEnvelope(t, ctx, l2URL, DevAccount(0), DevAccount(1), common.Address{0xbe, 0xef})
	var n uint64
	select {
	case n = <-withheld:
	case err := <-done:
		t.Fatalf("veil rescue stopped: %v", err)
	case <-ctx.Done():
		t.Fatal("no batch was withheld")
	}
	withheldAt := time.Since(began)

	// A keyper re-publishes n; veil rescue posts it; the devnet's verifier
	// verifies it.
	var verified common.Hash
	for ok := false; !ok; verified, ok = d.VerifiedBlock(n) {
		select {
		case err := <-done:
			t.Fatalf("veil rescue stopped: %v", err)
		case <-ctx.Done():
			t.Fatalf("batch %d was not verified (verifier at %d)", n, d.Verified())
		case <-time.After(100 * time.Millisecond):
		}
	}
	rescued := time.Since(began)

	// Posted by the rescuer's account, with the block the verifier computed.
	ev := batchPosted(t, ctx, d, n)
	if ev.Poster != rescuer || ev.L2BlockHash != verified {
		t.Fatalf("batch %d posted by %s with block %x; want the rescuer %s and the verified block %s", n, ev.Poster,
			ev.L2BlockHash, rescuer, verified)
	}
	// The transfer executed in the verifier's chain, in batch n.
	vc := ethclient.NewClient(d.VerifierNode().Attach())
	defer vc.Close()
	r, err := vc.TransactionReceipt(ctx, inner)
	if err != nil || r.Status != types.ReceiptStatusSuccessful || r.BlockNumber.Uint64() != n {
		t.Fatalf("the withheld transfer in the verifier's chain: %+v, %v; want success in block %d", r, err, n)
	}
	// veil rescue says so once its own verifier has it, and counts it.
	want := fmt.Sprintf("batch %d rescued: posted in L1 block %d (tx %s), block %s", n, ev.Raw.BlockNumber, ev.Raw.TxHash, verified)
	for !strings.Contains(printed.String(), want) {
		select {
		case <-ctx.Done():
			t.Fatalf("veil rescue printed %q, want %q", &printed, want)
		case <-time.After(100 * time.Millisecond):
		}
	}
	metrics := scrape(t, fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort))
	for _, want := range []string{"veil_rescue_posted_total 1", "veil_rescue_republished_total"} {
		if !strings.Contains(metrics, want) {
			t.Fatalf("metrics lack %q", want)
		}
	}
	stopRescue()
	if err := <-done; err != nil {
		t.Fatalf("veil rescue: %v", err)
	}
	t.Logf("devnet up after %v, batch %d withheld after %v, rescued and verified after %v (L1 block %d, tx %s)",
		started.Round(time.Millisecond), n, withheldAt.Round(time.Millisecond), rescued.Round(time.Millisecond), ev.Raw.BlockNumber,
		ev.Raw.TxHash)
}

// fundL1 sends amount wei on L1 from `from` to `to` and waits until it is
// mined.
func fundL1(t *testing.T, ctx context.Context, chain *l1pkg.Chain, from *ecdsa.PrivateKey, to common.Address, amount *big.Int) {
	t.Helper()
	nonce, err := chain.PendingNonceAt(ctx, crypto.PubkeyToAddress(from.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	head, err := chain.HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	tip := big.NewInt(params.GWei)
	tx, err := types.SignNewTx(from, chain.Signer(), &types.DynamicFeeTx{ChainID: chain.Signer().ChainID(), Nonce: nonce,
		GasTipCap: tip, GasFeeCap: new(big.Int).Add(new(big.Int).Mul(head.BaseFee, big.NewInt(2)), tip), Gas: 21000, To: &to, Value: amount})
	if err != nil {
		t.Fatal(err)
	}
	if err := chain.SendTransaction(ctx, tx); err != nil {
		t.Fatal(err)
	}
	for {
		r, err := chain.TransactionReceipt(ctx, tx.Hash())
		if err == nil {
			if r.Status != types.ReceiptStatusSuccessful {
				t.Fatal("funding the rescuer failed")
			}
			return
		}
		select {
		case <-ctx.Done():
			t.Fatal("funding the rescuer was not mined")
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// sendEnvelope encrypts a transfer from user to `to`, paid by payer, sends
// it and returns the inner transaction's hash without waiting.
func sendEnvelope(t *testing.T, ctx context.Context, url string, payer, user *ecdsa.PrivateKey, to common.Address) common.Hash {
	t.Helper()
	client, err := ethclient.DialContext(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	var eon struct {
		Eon hexutil.Uint64 `json:"eon"`
		Key hexutil.Bytes  `json:"key"`
	}
	if err := client.Client().CallContext(ctx, &eon, "veil_eon"); err != nil {
		t.Fatal(err)
	}
	pk, err := tpke.ParseEonPublicKey(eon.Key)
	if err != nil {
		t.Fatal(err)
	}
	signer := types.LatestSignerForChainID(big.NewInt(devnetChainID))
	userNonce, err := client.PendingNonceAt(ctx, crypto.PubkeyToAddress(user.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	payerNonce, err := client.PendingNonceAt(ctx, crypto.PubkeyToAddress(payer.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	inner, err := types.SignNewTx(user, signer, &types.DynamicFeeTx{ChainID: big.NewInt(devnetChainID), Nonce: userNonce,
		GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(10 * params.GWei), Gas: 21000, To: &to, Value: big.NewInt(params.Ether)})
	if err != nil {
		t.Fatal(err)
	}
	env, err := encmempool.BuildEnvelope(encmempool.BuildParams{ChainID: devnetChainID, Eon: uint64(eon.Eon), EonKey: pk,
		Inbox: contracts.EncryptedInboxAddress, Inner: inner, PayerKey: payer, Nonce: payerNonce,
		GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(10 * params.GWei), Rand: rand.Reader})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.SendTransaction(ctx, env); err != nil {
		t.Fatal(err)
	}
	return inner.Hash()
}

// batchPosted finds BatchInbox's BatchPosted event of batch n on L1.
func batchPosted(t *testing.T, ctx context.Context, d *devnet.Devnet, n uint64) *contracts.BatchInboxBatchPosted {
	t.Helper()
	bi := contracts.NewBatchInbox()
	logs, err := d.L1.FilterLogs(ctx, ethereum.FilterQuery{FromBlock: new(big.Int).SetUint64(d.Contracts.DeployedAt),
		Addresses: []common.Address{d.Contracts.Inbox}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range logs {
		ev, err := bi.UnpackBatchPostedEvent(&logs[i])
		if err == nil && ev.Number == n {
			return ev
		}
	}
	t.Fatalf("no BatchPosted event of batch %d on L1", n)
	return nil
}

// scrape reads a Prometheus endpoint.
func scrape(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// TestRescueRejects: bad flags and files stop `veil rescue` before it
// starts anything, each with errRescueRun (or the key file's error) and
// a message that says what is wrong.
func TestRescueRejects(t *testing.T) {
	root := t.TempDir()
	seq, _ := crypto.GenerateKey()
	sequencer := crypto.PubkeyToAddress(seq.PublicKey)
	const chainID = 901
	var members []member
	for i := range 3 {
		addr, pub, id := keyperInit(t, "--datadir", filepath.Join(root, fmt.Sprintf("keyper-%d", i)))
		members = append(members, member{addr, pub, fmt.Sprintf("/ip4/127.0.0.1/tcp/%d/p2p/%s", 9200+i, id)})
	}
	file := func(name string, raw []byte) string {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	committee := filepath.Join(root, "committee.json")
	writeCommittee(t, committee, chainID, 1, 2, sequencer, members)
	otherChain := filepath.Join(root, "other-chain.json")
	writeCommittee(t, otherChain, chainID+1, 1, 2, sequencer, members)
	otherSeq := filepath.Join(root, "other-sequencer.json")
	writeCommittee(t, otherSeq, chainID, 1, 2, common.Address{1}, members)
	misnamed := filepath.Join(root, "misnamed")
	if err := os.MkdirAll(misnamed, 0o700); err != nil {
		t.Fatal(err)
	}
	writeCommittee(t, filepath.Join(misnamed, "committee-2.json"), chainID, 1, 2, sequencer, members)
	empty := filepath.Join(root, "empty")
	if err := os.MkdirAll(empty, 0o700); err != nil {
		t.Fatal(err)
	}
	chainRaw, err := json.Marshal(&execution.ChainConfig{ChainID: chainID, GasLimit: execution.DefaultGasLimit, Timestamp: 1,
		Sequencer: sequencer})
	if err != nil {
		t.Fatal(err)
	}
	chain := file("chain.json", chainRaw)
	cs := filepath.Join(root, "contracts.json")
	if err := l1pkg.WriteContracts(cs, l1pkg.Contracts{Manager: common.Address{1}, Broadcast: common.Address{2}, Inbox: common.Address{3},
		L1Inbox: common.Address{4}, DeployedAt: 1}); err != nil {
		t.Fatal(err)
	}
	notJSON := file("garbage.json", []byte("{"))
	datadir := filepath.Join(root, "rescuer")
	var out bytes.Buffer
	app := newApp()
	app.Writer = &out
	if err := app.Run([]string{"veil", "rescue", "init", "--datadir", datadir}); err != nil {
		t.Fatal(err)
	}
	// init never overwrites a key.
	if err := newApp().Run([]string{"veil", "rescue", "init", "--datadir", datadir}); !errors.Is(err, keyfile.ErrKeyFile) {
		t.Fatalf("a second init: %v", err)
	}
	loose := file("loose.key", []byte(strings.Repeat("11", 32)+"\n"))
	l1 := "http://127.0.0.1:1"
	ok := []string{"--datadir", datadir, "--l1-rpc", l1, "--contracts", cs, "--chain", chain, "--committee", committee}
	with := func(flag, value string) []string {
		args := append([]string(nil), ok...)
		for i := 0; i < len(args); i += 2 {
			if args[i] == flag {
				if value == "" {
					return append(args[:i:i], args[i+2:]...)
				}
				args[i+1] = value
				return args
			}
		}
		return append(args, flag, value)
	}

	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		err  error
		says string
	}{
		{"no data directory", with("--datadir", ""), nil, errRescueRun, "--datadir is required"},
		{"no l1 endpoint", with("--l1-rpc", ""), nil, errRescueRun, "--l1-rpc is required"},
		{"l1 endpoint not a url", with("--l1-rpc", "localhost:8545"), nil, errRescueRun, "is not a URL"},
		{"no contracts", with("--contracts", ""), nil, errRescueRun, "--contracts is required"},
		{"no chain", with("--chain", ""), nil, errRescueRun, "--chain is required"},
		{"no committee", with("--committee", ""), nil, errRescueRun, "--committee or --eon-dir is required"},
		{"no committee, chain from the environment", ok[:6], map[string]string{"VEIL_RESCUE_CHAIN": chain},
			errRescueRun, "--committee or --eon-dir is required"},
		{"zero poll interval", with("--poll-interval", "0s"), nil, errRescueRun, "--poll-interval"},
		{"peer without an id", with("--peers", "/ip4/127.0.0.1/tcp/9100"), nil, errRescueRun, "/p2p/<peer id>"},
		{"listen address not a multiaddr", with("--listen", "127.0.0.1:9300"), nil, errRescueRun, "--listen"},
		{"unexpected argument", append(with("--peers", members[0].peer), "now"), nil, errRescueRun, "unexpected argument"},
		{"missing contracts file", with("--contracts", filepath.Join(root, "missing.json")), nil, errRescueRun, "--contracts"},
		{"chain config not json", with("--chain", notJSON), nil, errRescueRun, "--chain"},
		{"committee not json", with("--committee", notJSON), nil, keyper.ErrCommittee, "--committee"},
		{"committee of another chain", with("--committee", otherChain), nil, errRescueRun, "is for chain 902"},
		{"committee of another sequencer", with("--committee", otherSeq), nil, errRescueRun, "names sequencer"},
		{"eon dir not a directory", with("--eon-dir", chain), nil, errRescueRun, "is not a directory"},
		{"eon dir without committees", append(with("--committee", ""), "--eon-dir", empty), nil, errRescueRun, "has no committee-<eon>.json"},
		{"eon dir with a misnamed committee", with("--eon-dir", misnamed), nil, errRescueRun, "is eon 1's committee, not eon 2's"},
		{"no key", with("--key-file", filepath.Join(root, "none.key")), nil, errRescueRun, "veil rescue init --datadir"},
		{"key readable by others", with("--key-file", loose), nil, keyfile.ErrKeyFile, "--key-file"},
		{"bad log format", with("--log-format", "xml"), nil, nil, "--log-format"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			app := newApp()
			var logs bytes.Buffer
			app.Writer, app.ErrWriter = io.Discard, &logs
			err := app.Run(append([]string{"veil", "rescue", "--metrics-addr", ""}, tc.args...))
			if err == nil || (tc.err != nil && !errors.Is(err, tc.err)) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("got %v, want %v saying %q", err, tc.err, tc.says)
			}
			// Nothing started: no verifier chain or poster database.
			for _, p := range []string{"verifier", "poster.db"} {
				if _, err := os.Stat(filepath.Join(datadir, p)); err == nil {
					t.Fatalf("%s was created", p)
				}
			}
		})
	}
}
