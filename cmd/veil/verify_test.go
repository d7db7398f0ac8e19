package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"

	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/devnet"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/execution"
	"github.com/veil-l2/veil/verify"
)

func TestVerifyFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "--l1 is required"},
		{[]string{"--l1", "http://127.0.0.1:1"}, "--contracts is required"},
		{[]string{"--l1", "http://127.0.0.1:1", "--contracts", "c.json"}, "--chain is required"},
		{[]string{"--l1", "http://127.0.0.1:1", "--contracts", "missing.json", "--chain", "chain.json"}, "--contracts"},
		{[]string{"--l1", "http://127.0.0.1:1", "--contracts", "c.json", "--chain", "chain.json", "--sequencer-key", "k"},
			"flag provided but not defined: -sequencer-key"},
	} {
		app := newApp()
		var out logBuffer
		app.Writer, app.ErrWriter = &out, &out
		err := app.Run(append([]string{"veil", "verify"}, tc.args...))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("veil verify %v: %v, want %q", tc.args, err, tc.want)
		}
	}
}

// TestVerifyOnDevnet runs `veil verify` as a user would against a devnet's
// L1: the sequencer's chain, with an encrypted transfer and an L1
// deposit, is valid; with a chain config that differs in one balance, the
// first batch is reported invalid and the command fails.
func TestVerifyOnDevnet(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d, err := devnet.Start(ctx, devnet.Config{Dir: dir, HTTPAddr: "127.0.0.1:0", L1HTTPAddr: "127.0.0.1:0",
		L1BlockTime: 300 * time.Millisecond, Progress: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	l1URL := d.L1.HTTPEndpoint()
	contractsFile := filepath.Join(dir, devnet.ContractsFile)
	var out logBuffer
	run := func(args ...string) error {
		out = logBuffer{}
		app := newApp()
		app.Writer, app.ErrWriter = &out, &out
		return app.Run(append([]string{"veil"}, args...))
	}
	if err := run("l1", "deposit", "--l1-rpc", l1URL, "--contracts", contractsFile, "--key",
		hexutil.Encode(crypto.FromECDSA(DevAccount(5))), "--to", common.Address{0xd0}.Hex(), "--value", "1.5"); err != nil {
		t.Fatalf("veil l1 deposit: %v\n%s", err, &out)
	}
	l2URL := d.Sequencer().Exec().HTTPEndpoint()
	// An envelope forced through L1: the sequencer must commit it.
	forced := forcedEnvelope(t, d, DevAccount(6), DevAccount(7))
	if err := run("l1", "force", "--l1-rpc", l1URL, "--contracts", contractsFile, "--key",
		hexutil.Encode(crypto.FromECDSA(DevAccount(6))), "--raw", hexutil.Encode(mustMarshal(t, forced))); err != nil {
		t.Fatalf("veil l1 force: %v\n%s", err, &out)
	}
	r := sendTransfer(t, l2URL, DevAccount(0), DevAccount(1), common.Address{0xbe, 0xef})
	if r.Status != types.ReceiptStatusSuccessful {
		t.Fatal("the transfer failed")
	}
	// Wait until the deposit is credited and the blocks so far are on L1.
	l2 := d.Sequencer().Exec().BlockChain()
	bi := contracts.NewBatchInbox()
	var head uint64
	for {
		st, err := l2.State()
		if err != nil {
			t.Fatal(err)
		}
		if head == 0 && st.GetBalance(common.Address{0xd0}).Sign() > 0 && st.GetNonce(crypto.PubkeyToAddress(DevAccount(6).PublicKey)) > 0 {
			head = l2.CurrentBlock().Number.Uint64()
		}
		raw, err := d.L1.CallContract(ctx, ethereum.CallMsg{To: &d.Contracts.Inbox, Data: bi.PackNextNumber()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		next, err := bi.UnpackNextNumber(raw)
		if err != nil {
			t.Fatal(err)
		}
		if head > 0 && next > max(head, r.BlockNumber.Uint64()) {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the deposit, the forced envelope or the transfer's batch never reached L1 (L2 head %d, next batch on L1: %d)", l2.CurrentBlock().Number, next)
		case <-time.After(100 * time.Millisecond):
		}
	}

	args := []string{"verify", "--l1", l1URL, "--contracts", contractsFile, "--chain", filepath.Join(dir, devnet.ChainFile),
		"--confirmations", "0", "--log-level", "warn"}
	if err := run(args...); err != nil {
		t.Fatalf("veil verify: %v\n%s", err, &out)
	}
	t.Logf("veil verify:\n%s", &out)
	for _, want := range []string{"batch 1: ", "batch " + r.BlockNumber.String() + ": ", "all valid"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("output lacks %q:\n%s", want, &out)
		}
	}

	// Another genesis: one dev account has one more wei.
	chainCfg, err := execution.LoadChainConfig(filepath.Join(dir, devnet.ChainFile))
	if err != nil {
		t.Fatal(err)
	}
	acc := chainCfg.Alloc[crypto.PubkeyToAddress(DevAccount(0).PublicKey)]
	acc.Balance = new(big.Int).Add(acc.Balance, big.NewInt(1))
	chainCfg.Alloc[crypto.PubkeyToAddress(DevAccount(0).PublicKey)] = acc
	raw, err := json.Marshal(chainCfg)
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "chain.json")
	if err := os.WriteFile(other, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	args[6] = other
	err = run(args...)
	var mm *verify.Mismatch
	if !errors.Is(err, errChainInvalid) || !errors.As(err, &mm) || mm.Batch != 1 || !errors.Is(err, verify.ErrStateRoot) {
		t.Fatalf("veil verify with another genesis: %v\n%s", err, &out)
	}
	if !strings.Contains(out.String(), "batch 1: INVALID: state root differs") {
		t.Fatalf("output:\n%s", &out)
	}
}

// forcedEnvelope is an envelope of a transfer from user, paid by payer, to
// the devnet's eon key, with their next L2 nonces.
func forcedEnvelope(t *testing.T, d *devnet.Devnet, payer, user *ecdsa.PrivateKey) *types.Transaction {
	t.Helper()
	st, err := d.Sequencer().Exec().BlockChain().State()
	if err != nil {
		t.Fatal(err)
	}
	signer := types.LatestSignerForChainID(big.NewInt(devnet.ChainID))
	to := common.Address{0xf0, 0x7c}
	inner := types.MustSignNewTx(user, signer, &types.DynamicFeeTx{ChainID: big.NewInt(devnet.ChainID),
		Nonce: st.GetNonce(crypto.PubkeyToAddress(user.PublicKey)), GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(10 * params.GWei),
		Gas: params.TxGas, To: &to, Value: big.NewInt(params.Ether)})
	env, err := encmempool.BuildEnvelope(encmempool.BuildParams{ChainID: devnet.ChainID, Eon: devnet.Eon, EonKey: d.EonKey,
		Inbox: contracts.EncryptedInboxAddress, Inner: inner, PayerKey: payer, Nonce: st.GetNonce(crypto.PubkeyToAddress(payer.PublicKey)),
		GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(10 * params.GWei), Rand: rand.Reader})
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func mustMarshal(t *testing.T, tx *types.Transaction) []byte {
	t.Helper()
	b, err := tx.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
