package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/params"
	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/internal/keyfile"
	"github.com/veil-l2/veil/keyper"
	"github.com/veil-l2/veil/keyper/dkg"
	l1pkg "github.com/veil-l2/veil/l1"
	"github.com/veil-l2/veil/ordering"
)

// sequencerInit runs `veil sequencer init` and returns what it prints.
func sequencerInit(t *testing.T, args ...string) (common.Address, string) {
	t.Helper()
	var out bytes.Buffer
	app := newApp()
	app.Writer = &out
	if err := app.Run(append([]string{"veil", "sequencer", "init"}, args...)); err != nil {
		t.Fatal(err)
	}
	var addr, id string
	for _, line := range strings.Split(out.String(), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "address:"); ok {
			addr = strings.TrimSpace(rest)
		}
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "peer id:"); ok {
			id = strings.TrimSpace(rest)
		}
	}
	if !common.IsHexAddress(addr) || !strings.HasPrefix(id, "12D3Koo") {
		t.Fatalf("init printed no address and peer id:\n%s", out.String())
	}
	return common.HexToAddress(addr), id
}

// veilProcess is one `veil ...` command running in this process.
type veilProcess struct {
	log  *logBuffer
	done chan error
	stop context.CancelFunc
}

// startVeil runs a veil command until stop, and returns once it has parsed
// its flags (it has logged): urfave/cli apps share the global help flag,
// so parsing in parallel races (in one process only, as here).
func startVeil(t *testing.T, ctx context.Context, args ...string) *veilProcess {
	t.Helper()
	ctx, stop := context.WithCancel(ctx)
	p := &veilProcess{log: &logBuffer{}, done: make(chan error, 1), stop: stop}
	app := newApp()
	app.Writer, app.ErrWriter = io.Discard, p.log
	go func() { p.done <- app.RunContext(ctx, append([]string{"veil"}, args...)) }()
	for p.log.String() == "" {
		select {
		case err := <-p.done:
			stop()
			t.Fatalf("%s returned at start: %v", strings.Join(args[:2], " "), err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	return p
}

// waitLog waits until the process's log matches re and returns the match.
func (p *veilProcess) waitLog(t *testing.T, re *regexp.Regexp, wait time.Duration) []string {
	t.Helper()
	deadline := time.After(wait)
	for {
		if m := re.FindStringSubmatch(p.log.String()); m != nil {
			return m
		}
		select {
		case err := <-p.done:
			t.Fatalf("returned while waiting for %q: %v\n%s", re, err, p.log.String())
		case <-deadline:
			t.Fatalf("no %q in the log after %v:\n%s", re, wait, p.log.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// halt cancels the process and checks it returns nil promptly.
func (p *veilProcess) halt(t *testing.T, name string) {
	t.Helper()
	p.stop()
	select {
	case err := <-p.done:
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, p.log.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not stop", name)
	}
}

var sequencerRunning = regexp.MustCompile(`msg="sequencer running" rpc=(\S+)`)

// TestSequencer sets up a chain as new operators would: `veil sequencer
// init`, three `veil keyper init` and `run` with a committee file and a
// simulated L1 served over HTTP (which keeps producing blocks), `veil
// sequencer eon-file` from a (stopped) keyper whose keys are sealed, a
// chain config, and `veil sequencer` with a TOML file, an environment
// variable and flags. An encrypted transaction sent with ethclient gets a
// signed order receipt and executes; the sequencer serves its metrics,
// stops cleanly on cancel, and a restart serves the same chain.
func TestSequencer(t *testing.T) {
	began := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const chainID, eon = 902, 1
	root := t.TempDir()

	// The sequencer's keys first: its address goes into both configs.
	seqDir := filepath.Join(root, "sequencer")
	seqAddr, _ := sequencerInit(t, "--datadir", seqDir)
	if st, err := os.Stat(filepath.Join(seqDir, SequencerKeyFile)); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	app := newApp()
	app.Writer = io.Discard
	if err := app.Run([]string{"veil", "sequencer", "init", "--datadir", seqDir}); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("a second init: %v", err)
	}

	pass := filepath.Join(root, "passphrase")
	if err := os.WriteFile(pass, []byte("correct horse battery staple\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dirs := make([]string, 3)
	listen := make([]string, 3)
	var members []member
	for i := range dirs {
		dirs[i] = filepath.Join(root, fmt.Sprintf("keyper-%d", i))
		args := []string{"--datadir", dirs[i]}
		if i == 0 {
			args = append(args, "--passphrase-file", pass)
		}
		addr, pub, id := keyperInit(t, args...)
		listen[i] = fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", freePort(t))
		members = append(members, member{addr, pub, listen[i] + "/p2p/" + id})
	}
	committeeFile := filepath.Join(root, "committee.json")
	writeCommittee(t, committeeFile, chainID, eon, 2, seqAddr, members)

	// L1: an embedded go-ethereum node over HTTP, with Veil's contracts
	// deployed by `veil l1 deploy` and the committee added as a keyper set
	// by `veil l1 add-keyper-set`. The sequencer and the keypers pay L1 gas.
	l1Port := freePort(t)
	l1Alloc := types.GenesisAlloc{seqAddr: {Balance: new(big.Int).Mul(big.NewInt(1000), big.NewInt(params.Ether))}}
	for _, m := range members {
		l1Alloc[common.HexToAddress(m.address)] = types.Account{Balance: new(big.Int).Mul(big.NewInt(10), big.NewInt(params.Ether))}
	}
	sim, err := l1pkg.OpenEmbedded(filepath.Join(root, "l1"), l1Alloc, fmt.Sprintf("127.0.0.1:%d", l1Port))
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	l1URL := sim.HTTPEndpoint()
	// L1 keeps moving, so transactions are mined and batches name ever
	// newer origins.
	l1Moving, stopL1 := context.WithCancel(ctx)
	defer stopL1()
	go sim.MineEvery(l1Moving, 300*time.Millisecond)
	contractsFile := filepath.Join(root, "contracts.json")
	seqKeyFile := filepath.Join(seqDir, SequencerKeyFile)
	for _, args := range [][]string{
		{"veil", "l1", "deploy", "--l1-rpc", l1URL, "--key-file", seqKeyFile, "--chain-id", fmt.Sprint(chainID),
			"--sequencer", seqAddr.Hex(), "--out", contractsFile},
		{"veil", "l1", "add-keyper-set", "--l1-rpc", l1URL, "--key-file", seqKeyFile, "--contracts", contractsFile,
			"--committee", committeeFile},
	} {
		app := newApp()
		var out bytes.Buffer
		app.Writer = &out
		if err := app.Run(args); err != nil {
			t.Fatalf("%s: %v", strings.Join(args[:3], " "), err)
		}
		t.Log(strings.TrimSpace(out.String()))
	}

	keyperArgs := func(i int) []string {
		args := []string{"keyper", "run", "--datadir", dirs[i], "--committee", committeeFile, "--listen", listen[i],
			"--l1-rpc", l1URL, "--contracts", contractsFile, "--dkg-phase-timeout", "5s", "--metrics-addr", ""}
		if i == 0 {
			args = append(args, "--passphrase-file", pass)
		}
		return args
	}
	keypers := make([]*veilProcess, 3)
	for i := range keypers {
		keypers[i] = startVeil(t, ctx, keyperArgs(i)...)
	}
	var seq *veilProcess
	defer func() {
		if t.Failed() {
			for i, k := range keypers {
				t.Logf("keyper %d log:\n%s", i, k.log.String())
			}
			if seq != nil {
				t.Logf("sequencer log:\n%s", seq.log.String())
			}
		}
	}()
	var loggedKey string
	for _, k := range keypers {
		loggedKey = k.waitLog(t, eonKeyLog, 20*time.Second)[1]
	}
	dkgDone := time.Since(began)

	// The eon file, from keyper 0, stopped for it: its keys are sealed, so
	// the passphrase is needed too.
	keypers[0].halt(t, "keyper 0")
	eonPath := filepath.Join(root, "eon.json")
	app = newApp()
	app.Writer = io.Discard
	exportArgs := []string{"veil", "sequencer", "eon-file", "--keyper-datadir", dirs[0], "--committee", committeeFile, "--out", eonPath}
	if err := app.Run(exportArgs); !errors.Is(err, keyper.ErrPassphraseNeeded) || !strings.Contains(err.Error(), "--passphrase-file") {
		t.Fatalf("eon-file without the passphrase: %v", err)
	}
	var out bytes.Buffer
	app = newApp()
	app.Writer = &out
	if err := app.Run(append(exportArgs, "--passphrase-file", pass)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "eon key: "+loggedKey) {
		t.Fatalf("eon-file printed:\n%s", out.String())
	}
	keypers[0] = startVeil(t, ctx, keyperArgs(0)...)
	keypers[0].waitLog(t, eonKeyLog, 10*time.Second)

	// The chain config: the sequencer (its system transactions pay gas), a
	// payer and a user funded at genesis.
	payer, _ := crypto.GenerateKey()
	user, _ := crypto.GenerateKey()
	ether := fmt.Sprintf("%d", new(big.Int).Mul(big.NewInt(100), big.NewInt(params.Ether)))
	chainFile := filepath.Join(root, "chain.json")
	chainJSON := fmt.Sprintf(`{
  "chainId": %d,
  "timestamp": %d,
  "sequencer": %q,
  "bridgeSupply": "1000000000000000000000000",
  "alloc": {
    %q: {"balance": %q},
    %q: {"balance": %q},
    %q: {"balance": %q}
  }
}
`, chainID, time.Now().Unix()-10, seqAddr.Hex(), seqAddr.Hex(), ether, crypto.PubkeyToAddress(payer.PublicKey).Hex(), ether,
		crypto.PubkeyToAddress(user.PublicKey).Hex(), ether)
	if err := os.WriteFile(chainFile, []byte(chainJSON), 0o644); err != nil {
		t.Fatal(err)
	}

	// The keypers' votes make the eon key; it counts once final on L1.
	cs, err := l1pkg.ReadContracts(contractsFile)
	if err != nil {
		t.Fatal(err)
	}
	eonKeys := l1pkg.NewEonKeys(sim, cs)
	for {
		if ok, err := eonKeys.Accepted(ctx, eon); err != nil {
			t.Fatal(err)
		} else if ok {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("the keypers never voted the eon key on L1")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := sim.SealToFinalized(ctx); err != nil {
		t.Fatal(err)
	}

	// The sequencer: some flags from a TOML file, the eon file from the
	// environment, the rest as flags.
	metricsPort := freePort(t)
	config := filepath.Join(root, "sequencer.toml")
	toml := fmt.Sprintf(`datadir = %q
chain = %q
committee = %q
l1-rpc = %q
contracts = %q
post-confirmations = 1
batch-interval = "1s"
listen = ["/ip4/127.0.0.1/tcp/%d"]
`, seqDir, chainFile, committeeFile, l1URL, contractsFile, freePort(t))
	if err := os.WriteFile(config, []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("VEIL_SEQUENCER_EON_FILE", eonPath)
	seqArgs := []string{"sequencer", "--config", config, "--http-addr", "127.0.0.1:0", "--ws-addr", "",
		"--metrics-addr", fmt.Sprintf("127.0.0.1:%d", metricsPort)}
	seqStart := time.Now()
	seq = startVeil(t, ctx, seqArgs...)
	rpcURL := seq.waitLog(t, sequencerRunning, 20*time.Second)[1]
	running := time.Since(seqStart)
	if !strings.Contains(seq.log.String(), fmt.Sprintf("chain_id=%d", chainID)) {
		t.Fatalf("the start log names no chain id:\n%s", seq.log.String())
	}

	// A user encrypts a transfer to the eon file's key.
	client, err := ethclient.Dial(rpcURL)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if id, err := client.ChainID(ctx); err != nil || id.Uint64() != chainID {
		t.Fatalf("chain id %v, %v", id, err)
	}
	var ef struct {
		EonKey hexutil.Bytes `json:"eonKey"`
	}
	raw, _ := os.ReadFile(eonPath)
	if err := json.Unmarshal(raw, &ef); err != nil || hex.EncodeToString(ef.EonKey) != loggedKey {
		t.Fatalf("eon file %s: %v", raw, err)
	}
	eonKey, err := tpke.ParseEonPublicKey(ef.EonKey)
	if err != nil {
		t.Fatal(err)
	}
	signer := types.LatestSignerForChainID(big.NewInt(chainID))
	to := common.Address{0xb0, 0x0b}
	feeCap := big.NewInt(10 * params.GWei)
	inner, err := types.SignNewTx(user, signer, &types.DynamicFeeTx{ChainID: big.NewInt(chainID), GasTipCap: big.NewInt(1),
		GasFeeCap: feeCap, Gas: 21000, To: &to, Value: big.NewInt(1)})
	if err != nil {
		t.Fatal(err)
	}
	envTx, err := encmempool.BuildEnvelope(encmempool.BuildParams{ChainID: chainID, Eon: eon, EonKey: eonKey,
		Inbox: contracts.EncryptedInboxAddress, Inner: inner, PayerKey: payer, GasTipCap: big.NewInt(1), GasFeeCap: feeCap,
		Rand: rand.Reader})
	if err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	if err := client.SendTransaction(ctx, envTx); err != nil {
		t.Fatal(err)
	}
	var receipt encmempool.Receipt
	if err := client.Client().CallContext(ctx, &receipt, "veil_getOrderReceipt", envTx.Hash()); err != nil {
		t.Fatal(err)
	}
	if err := receipt.Verify(seqAddr); err != nil || receipt.Hash != envTx.Hash() || receipt.ChainID != chainID {
		t.Fatalf("order receipt %+v: %v", receipt, err)
	}

	// The inner transaction executes.
	var executed *types.Receipt
	for {
		if executed, err = client.TransactionReceipt(ctx, inner.Hash()); err == nil {
			break
		}
		if time.Since(sent) > 30*time.Second {
			t.Fatalf("the inner transaction did not execute: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	toExecution := time.Since(sent)
	if executed.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("inner transaction failed: %+v", executed)
	}
	if bal, err := client.BalanceAt(ctx, to, nil); err != nil || bal.Uint64() != 1 {
		t.Fatalf("recipient balance %v, %v", bal, err)
	}

	// The batch is posted to L1's BatchInbox.
	bi := contracts.NewBatchInbox()
	for {
		out, err := sim.CallContract(ctx, ethereum.CallMsg{To: &cs.Inbox, Data: bi.PackNextNumber()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		next, err := bi.UnpackNextNumber(out)
		if err != nil {
			t.Fatal(err)
		}
		if next > executed.BlockNumber.Uint64() {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("batch %v never posted to L1 (BatchInbox expects %d)", executed.BlockNumber, next)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// A deposit on L1 is credited on L2 (`veil l1 deposit`).
	depositTo := common.Address{0xde, 0x90}
	app = newApp()
	app.Writer = io.Discard
	if err := app.Run([]string{"veil", "l1", "deposit", "--l1-rpc", l1URL, "--key-file", seqKeyFile, "--contracts", contractsFile,
		"--to", depositTo.Hex(), "--value", "7wei"}); err != nil {
		t.Fatal(err)
	}
	for {
		if bal, err := client.BalanceAt(ctx, depositTo, nil); err == nil && bal.Uint64() == 7 {
			break
		}
		if ctx.Err() != nil {
			head, _ := client.BlockNumber(context.Background())
			resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort))
			var origin string
			if err == nil {
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				for _, l := range strings.Split(string(body), "\n") {
					if strings.HasPrefix(l, "veil_sequencer_l1_origin_block") || strings.HasPrefix(l, "veil_sequencer_forced") {
						origin += l + "; "
					}
				}
			}
			l1Head, _ := sim.HeaderByNumber(context.Background(), nil)
			t.Fatalf("the deposit was never credited on L2 (L2 head %d, L1 head %v, %s)", head, l1Head.Number, origin)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// Metrics: the sequencer's, its L1 origin, the poster's, the network's, the process's.
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"veil_sequencer_executed_batch ", "veil_sequencer_l1_origin_block", "veil_poster_", "veil_p2p_", "go_goroutines"} {
		if !strings.Contains(string(body), want) {
			t.Fatalf("metrics lack %q", want)
		}
	}

	// Cancelling stops it cleanly; a restart serves the same chain.
	seq.halt(t, "the sequencer")
	head := executed.BlockNumber.Uint64()
	seq = startVeil(t, ctx, seqArgs...)
	rpcURL = seq.waitLog(t, sequencerRunning, 20*time.Second)[1]
	again, err := ethclient.Dial(rpcURL)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if r, err := again.TransactionReceipt(ctx, inner.Hash()); err != nil || r.BlockNumber.Uint64() != head {
		t.Fatalf("after a restart: %v, %v", r, err)
	}
	var stored encmempool.Receipt
	if err := again.Client().CallContext(ctx, &stored, "veil_getOrderReceipt", envTx.Hash()); err != nil || stored.Seq != receipt.Seq {
		t.Fatalf("order receipt after a restart: %+v, %v", stored, err)
	}
	seq.halt(t, "the restarted sequencer")
	stopL1()
	for i, k := range keypers {
		k.halt(t, fmt.Sprintf("keyper %d", i))
	}
	t.Logf("dkg done after %v, sequencer running %v after its start, transaction executed %v after it was sent, all in %v",
		dkgDone.Round(time.Millisecond), running.Round(time.Millisecond), toExecution.Round(time.Millisecond),
		time.Since(began).Round(time.Millisecond))
}

// TestSequencerRejects: bad input stops `veil sequencer` (and its eon-file
// subcommand) before it starts, with an error that says what is wrong.
func TestSequencerRejects(t *testing.T) {
	const chainID, eon = 902, 1
	root := t.TempDir()
	mine := filepath.Join(root, "mine")
	seqAddr, _ := sequencerInit(t, "--datadir", mine)
	loose := filepath.Join(root, "loose")
	looseAddr, _ := sequencerInit(t, "--datadir", loose)
	if err := os.Chmod(filepath.Join(loose, SequencerKeyFile), 0o644); err != nil {
		t.Fatal(err)
	}
	var members []member
	for i := range 3 {
		addr, pub, id := keyperInit(t, "--datadir", filepath.Join(root, fmt.Sprintf("keyper-%d", i)))
		members = append(members, member{addr, pub, fmt.Sprintf("/ip4/127.0.0.1/tcp/%d/p2p/%s", 9300+i, id)})
	}
	committee := filepath.Join(root, "committee.json")
	writeCommittee(t, committee, chainID, eon, 2, seqAddr, members)
	looseCommittee := filepath.Join(root, "loose-committee.json")
	writeCommittee(t, looseCommittee, chainID, eon, 2, looseAddr, members)
	otherSeq := filepath.Join(root, "other-sequencer.json")
	writeCommittee(t, otherSeq, chainID, eon, 2, common.Address{0x5e}, members)
	otherChain := filepath.Join(root, "other-chain.json")
	writeCommittee(t, otherChain, chainID+1, eon, 2, seqAddr, members)
	writeChain := func(name string, seq common.Address) string {
		path := filepath.Join(root, name)
		doc := fmt.Sprintf(`{"chainId": %d, "sequencer": %q}`, chainID, seq.Hex())
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	chain := writeChain("chain.json", seqAddr)
	looseChain := writeChain("loose-chain.json", looseAddr)
	// Eon files from a local DKG of three.
	res, err := dkg.RunLocal(chainID, eon, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	writeEon := func(name string, eon uint64) string {
		f := eonFileJSON{ChainID: chainID, Eon: eon, Threshold: 2, EonKey: res[0].EonPublicKey.Bytes()}
		for _, s := range res[0].PublicShares {
			f.PublicShares = append(f.PublicShares, s.Bytes())
		}
		raw, _ := json.Marshal(f)
		path := filepath.Join(root, name)
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	eonFile := writeEon("eon.json", eon)
	otherEon := writeEon("eon-2.json", eon+1)
	l1 := "http://127.0.0.1:1"
	base := func(more ...string) []string {
		return append([]string{"--datadir", mine, "--chain", chain, "--committee", committee, "--eon-file", eonFile, "--l1-rpc", l1}, more...)
	}
	// A keyper store without a finished DKG.
	noDKG := filepath.Join(root, "keyper-0")
	st, err := keyper.OpenStore(filepath.Join(noDKG, keyper.StoreFile))
	if err != nil {
		t.Fatal(err)
	}
	st.Close()

	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		err  error
		says string
	}{
		{"no data directory", []string{"--chain", chain, "--committee", committee, "--eon-file", eonFile, "--l1-rpc", l1},
			nil, errSequencerRun, "--datadir is required"},
		{"no eon file", []string{"--datadir", mine, "--chain", chain, "--committee", committee, "--l1-rpc", l1},
			nil, errSequencerRun, "--eon-file is required: the eon key and the keypers' public shares"},
		{"eon file from the environment, missing", []string{"--datadir", mine, "--chain", chain, "--committee", committee, "--l1-rpc", l1},
			map[string]string{"VEIL_SEQUENCER_EON_FILE": filepath.Join(root, "nowhere.json")}, fs.ErrNotExist, "eon file"},
		{"eon file of another eon", []string{"--datadir", mine, "--chain", chain, "--committee", committee, "--eon-file", otherEon,
			"--l1-rpc", l1}, nil, errEonFile, "is for chain 902 eon 2"},
		{"eon file without committee", []string{"--datadir", mine, "--chain", chain, "--eon-dir", root, "--eon-file", eonFile,
			"--l1-rpc", l1}, nil, errSequencerRun, "--eon-file needs --committee"},
		{"eon directory without contracts", []string{"--datadir", mine, "--chain", chain, "--eon-dir", root, "--l1-rpc", l1},
			nil, errSequencerRun, "--eon-dir needs --contracts"},
		{"no committee and no eon directory", []string{"--datadir", mine, "--chain", chain, "--l1-rpc", l1},
			nil, errSequencerRun, "--committee is required"},
		{"no chain config", []string{"--datadir", mine, "--committee", committee, "--eon-file", eonFile, "--l1-rpc", l1},
			nil, errSequencerRun, "--chain is required"},
		{"no L1", base()[:8], nil, errSequencerRun, "--l1-rpc is required (or --static-origin"},
		{"L1 and a static origin", base("--static-origin", "7:0x"+strings.Repeat("ab", 32)), nil, errSequencerRun, "not both"},
		{"static origin without hash", append(base()[:8], "--static-origin", "7"), nil, errSequencerRun, "--static-origin \"7\""},
		{"L1 not a URL", append(base()[:8], "--l1-rpc", "localhost:8545"), nil, errSequencerRun, "is not a URL"},
		{"batch interval below a second", base("--batch-interval", "500ms"), nil, errSequencerRun, "--batch-interval 500ms: at least 1s"},
		{"http address without port", base("--http-addr", "127.0.0.1"), nil, errSequencerRun, "--http-addr"},
		{"fee recipient not an address", base("--fee-recipient", "alice"), nil, errSequencerRun, "--fee-recipient"},
		{"an argument", base("run"), nil, errSequencerRun, "unexpected argument \"run\""},
		{"no key", []string{"--datadir", filepath.Join(root, "empty"), "--chain", chain, "--committee", committee,
			"--eon-file", eonFile, "--l1-rpc", l1}, nil, fs.ErrNotExist, "veil sequencer init --datadir"},
		{"key readable by others", []string{"--datadir", loose, "--chain", looseChain, "--committee", looseCommittee,
			"--eon-file", eonFile, "--l1-rpc", l1}, nil, keyfile.ErrKeyFile, "chmod 600"},
		{"key of another sequencer", []string{"--datadir", mine, "--chain", looseChain, "--committee", committee, "--eon-file", eonFile,
			"--l1-rpc", l1}, nil, errSequencerRun, "the chain config"},
		{"committee of another sequencer", []string{"--datadir", mine, "--chain", chain, "--committee", otherSeq, "--eon-file", eonFile,
			"--l1-rpc", l1}, nil, errSequencerRun, "the keypers would refuse its batches"},
		{"committee of another chain", []string{"--datadir", mine, "--chain", chain, "--committee", otherChain, "--eon-file", eonFile,
			"--l1-rpc", l1}, nil, errSequencerRun, "is for chain 903"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			app := newApp()
			var logs bytes.Buffer
			app.Writer, app.ErrWriter = io.Discard, &logs
			err := app.Run(append([]string{"veil", "sequencer", "--metrics-addr", ""}, tc.args...))
			if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("got %v, want %v saying %q", err, tc.err, tc.says)
			}
		})
	}

	for _, tc := range []struct {
		name string
		args []string
		err  error
		says string
	}{
		{"no keyper store", []string{"--keyper-datadir", filepath.Join(root, "keyper-1"), "--committee", committee},
			fs.ErrNotExist, "no keyper store in"},
		{"dkg not finished", []string{"--keyper-datadir", noDKG, "--committee", committee}, keyper.ErrNoDKGResult, "has not finished the DKG"},
	} {
		t.Run("eon-file/"+tc.name, func(t *testing.T) {
			app := newApp()
			app.Writer = io.Discard
			err := app.Run(append([]string{"veil", "sequencer", "eon-file"}, tc.args...))
			if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("got %v, want %v saying %q", err, tc.err, tc.says)
			}
		})
	}
}

// TestL1Origin: the sequencer's origin is the block l1-confirmations below
// the L1 head, never below the origin a batch named (after a restart on a
// lagging endpoint), and the last one while L1 fails.
func TestL1Origin(t *testing.T) {
	ctx := context.Background()
	sim := simulated.NewBackend(types.GenesisAlloc{})
	defer sim.Close()
	client := sim.Client()
	hash := func(n uint64) common.Hash {
		h, err := client.HeaderByNumber(ctx, new(big.Int).SetUint64(n))
		if err != nil {
			t.Fatal(err)
		}
		return h.Hash()
	}
	var logs bytes.Buffer
	o := newL1Origin(ordering.ConfirmedOrigin{L1: client, Confirmations: 2}, time.Second, slog.New(slog.NewTextHandler(&logs, nil)), nil)
	next := func(after uint64) (ordering.Origin, error) {
		got, deposits, forced, err := o.Next(ctx, after)
		if len(deposits) != 0 || len(forced) != 0 {
			t.Fatalf("deposits %v, forced %v", deposits, forced)
		}
		return got, err
	}

	if _, err := next(0); !errors.Is(err, errNoL1Origin) {
		t.Fatalf("before the first poll: %v", err)
	}
	for range 4 {
		sim.Commit()
	}
	o.poll(ctx)
	if got, err := next(0); err != nil || got != (ordering.Origin{Number: 2, Hash: hash(2)}) {
		t.Fatalf("head 4: %v, %v", got, err)
	}
	// The last batch named block 5 (a restart on an endpoint that lags):
	// never below it, and block 5 once the endpoint has it.
	if _, err := next(5); !errors.Is(err, errL1Behind) {
		t.Fatalf("below the last origin: %v", err)
	}
	sim.Commit()
	sim.Commit()
	o.poll(ctx)
	if got, err := next(5); err != nil || got != (ordering.Origin{Number: 5, Hash: hash(5)}) {
		t.Fatalf("head 6 after origin 5: %v, %v", got, err)
	}
	for range 4 {
		sim.Commit()
	}
	o.poll(ctx)
	want := ordering.Origin{Number: 8, Hash: hash(8)}
	if got, err := next(5); err != nil || got != want {
		t.Fatalf("head 10: %v, %v", got, err)
	}
	// L1 fails: batches keep the last origin, and the failure is logged once.
	sim.Close()
	o.poll(ctx)
	o.poll(ctx)
	if got, err := next(8); err != nil || got != want {
		t.Fatalf("L1 down: %v, %v", got, err)
	}
	if n := strings.Count(logs.String(), "reading L1 failed"); n != 1 {
		t.Fatalf("failure logged %d times:\n%s", n, logs.String())
	}

	// --static-origin never goes back below an origin a batch named.
	s := staticOrigin{ordering.StaticOrigin(want)}
	if got, _, _, err := s.Next(ctx, 8); err != nil || got != want {
		t.Fatalf("static: %v, %v", got, err)
	}
	if _, _, _, err := s.Next(ctx, 9); !errors.Is(err, errSequencerRun) {
		t.Fatalf("static below the last origin: %v", err)
	}
}

// TestL1OriginDeposits: over l1.Origin the poller hands each deposit to
// exactly one batch: the answer read for the last batch's origin, and
// nothing again once a batch named it.
func TestL1OriginDeposits(t *testing.T) {
	ctx := context.Background()
	key, _ := crypto.GenerateKey()
	from := crypto.PubkeyToAddress(key.PublicKey)
	chain, err := l1pkg.NewSimulated(types.GenesisAlloc{from: {Balance: big.NewInt(params.Ether)}})
	if err != nil {
		t.Fatal(err)
	}
	defer chain.Close()
	cs, err := l1pkg.Deploy(ctx, chain, key, contracts.L1Config{ChainID: 9, Owner: from, Sequencer: from, ForcedInclusionDeadline: 8})
	if err != nil {
		t.Fatal(err)
	}
	mined := make(chan struct{})
	go func() {
		defer close(mined)
		if _, err := l1pkg.Deposit(ctx, chain, cs, key, common.Address{7}, big.NewInt(7)); err != nil {
			t.Error(err)
		}
	}()
	for done := false; !done; {
		select {
		case <-mined:
			done = true
		case <-time.After(10 * time.Millisecond):
			chain.Commit()
		}
	}
	for range 3 {
		chain.Commit()
	}
	o := newL1Origin(l1pkg.NewOrigin(chain, cs, l1pkg.OriginConfig{Confirmations: 1}), time.Second, slog.New(slog.DiscardHandler), nil)
	o.poll(ctx)
	got, deposits, _, err := o.Next(ctx, 0)
	if err != nil || len(deposits) != 1 || deposits[0].Amount.Int64() != 7 || deposits[0].To != (common.Address{7}) {
		t.Fatalf("first answer %v: deposits %+v, %v", got, deposits, err)
	}
	// A batch named it: the same block brings nothing more.
	if again, deposits, _, err := o.Next(ctx, got.Number); err != nil || again != got || len(deposits) != 0 {
		t.Fatalf("after a batch named %v: %v, %+v, %v", got, again, deposits, err)
	}
	chain.Commit()
	o.poll(ctx)
	if next, deposits, _, err := o.Next(ctx, got.Number); err != nil || next.Number != got.Number+1 || len(deposits) != 0 {
		t.Fatalf("one block on: %v, %+v, %v", next, deposits, err)
	}
}

// eonSchedule is an embedded L1 with Veil's contracts and two keyper sets
// of three, each with its eon key voted and final, as `veil sequencer
// --contracts` finds them, and each eon's committee and DKG result.
type eonSchedule struct {
	chain         *l1pkg.Chain
	contractsFile string
	seqKey        *ecdsa.PrivateKey
	committees    []*keyper.Committee
	results       [][]*dkg.Result
}

func newEonSchedule(t *testing.T, ctx context.Context, chainID uint64, root string, seqKey *ecdsa.PrivateKey) *eonSchedule {
	t.Helper()
	seqAddr := crypto.PubkeyToAddress(seqKey.PublicKey)
	ether := func(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(params.Ether)) }
	alloc := types.GenesisAlloc{seqAddr: {Balance: ether(1000)}}
	s := &eonSchedule{seqKey: seqKey}
	voters := make([][]*ecdsa.PrivateKey, 2)
	for i := range voters {
		eon := uint64(i + 1)
		c := &keyper.Committee{ChainID: chainID, Eon: eon, Threshold: 2, Sequencer: seqAddr}
		for range 3 {
			k, _ := crypto.GenerateKey()
			_, pub := dkg.NewLongterm()
			raw, err := pub.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			addr := crypto.PubkeyToAddress(k.PublicKey)
			c.Members = append(c.Members, keyper.Member{Address: addr, DKGPublicKey: hex.EncodeToString(raw)})
			alloc[addr] = types.Account{Balance: ether(10)}
			voters[i] = append(voters[i], k)
		}
		res, err := dkg.RunLocal(chainID, eon, 3, 2)
		if err != nil {
			t.Fatal(err)
		}
		s.committees, s.results = append(s.committees, c), append(s.results, res)
	}
	chain, err := l1pkg.OpenEmbedded(filepath.Join(root, "l1"), alloc, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { chain.Close() })
	s.chain = chain
	// Blocks come while the contracts are deployed, the sets added and the
	// keys voted.
	mining, stopMining := context.WithCancel(ctx)
	defer stopMining()
	mined := make(chan struct{})
	go func() { defer close(mined); chain.MineEvery(mining, 50*time.Millisecond) }()
	cs, err := l1pkg.Deploy(ctx, chain, seqKey, contracts.L1Config{ChainID: chainID, Owner: seqAddr, Sequencer: seqAddr,
		ForcedInclusionDeadline: 8})
	if err != nil {
		t.Fatal(err)
	}
	s.contractsFile = filepath.Join(root, "contracts.json")
	if err := l1pkg.WriteContracts(s.contractsFile, cs); err != nil {
		t.Fatal(err)
	}
	keys := l1pkg.NewEonKeys(chain, cs)
	for i, c := range s.committees {
		head, err := chain.HeaderByNumber(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		var members []common.Address
		for _, m := range c.Members {
			members = append(members, m.Address)
		}
		// The first set is active at once, the second a while ahead.
		activation := head.Number.Uint64() + 2 + uint64(i)*100
		index, err := l1pkg.AddKeyperSet(ctx, chain, cs, seqKey, members, 2, activation)
		if err != nil || index != uint64(i) {
			t.Fatalf("keyper set %d: index %d, %v", i, index, err)
		}
		for _, k := range voters[i][:2] {
			if err := keys.Vote(ctx, k, index, c.Eon, s.results[i][0].EonPublicKey.Bytes()); err != nil {
				t.Fatal(err)
			}
		}
	}
	stopMining()
	<-mined
	if err := chain.SealToFinalized(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// writeEon writes committee and the eon file of res (at the given
// modification time, so a rewrite of the same size is seen as new) and
// returns their paths.
func writeEon(t *testing.T, committeePath, eonPath string, c *keyper.Committee, res []*dkg.Result, at time.Time) {
	t.Helper()
	raw, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	f := eonFileJSON{ChainID: c.ChainID, Eon: c.Eon, Threshold: c.Threshold, EonKey: res[0].EonPublicKey.Bytes()}
	for _, s := range res[0].PublicShares {
		f.PublicShares = append(f.PublicShares, s.Bytes())
	}
	eon, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	for path, b := range map[string][]byte{committeePath: raw, eonPath: eon} {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, at, at); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSequencerEonSchedule: with --contracts the sequencer's eons are
// L1's. Two keyper sets with final keys on an embedded L1; the files of
// eon 1 and 2 in --eon-dir (or eon 1's as --committee/--eon-file). The
// schedule has both eons; an eon-2 file that does not match L1 (another
// DKG's key, a committee in another order) is named in the error and the
// log, and eon 2 is not ready until the file is fixed, without a restart.
// With no eon usable the sequencer does not start. Then `veil sequencer`
// itself runs with the directory and takes eon 2 once its file is fixed.
func TestSequencerEonSchedule(t *testing.T) {
	began := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const chainID = 904
	root := t.TempDir()
	seqDir := filepath.Join(root, "sequencer")
	seqAddr, _ := sequencerInit(t, "--datadir", seqDir)
	seqKey, err := keyfile.Read(filepath.Join(seqDir, SequencerKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	s := newEonSchedule(t, ctx, chainID, root, seqKey)
	l1Ready := time.Since(began)
	other, err := dkg.RunLocal(chainID, 2, 3, 2) // another DKG of eon 2
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "eons")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	c1, e1 := filepath.Join(dir, "committee-1.json"), filepath.Join(dir, "eon-1.json")
	c2, e2 := filepath.Join(dir, "committee-2.json"), filepath.Join(dir, "eon-2.json")
	at := time.Now().Add(-time.Hour)
	next := func() time.Time { at = at.Add(time.Second); return at }
	writeEon(t, c1, e1, s.committees[0], s.results[0], next())
	writeEon(t, c2, e2, s.committees[1], other, next())

	open := func(cfg sequencerConfig, logs io.Writer) (*sequencerL1, error) {
		cfg.l1RPC, cfg.contracts = s.chain.HTTPEndpoint(), s.contractsFile
		files, err := loadEonFiles(cfg, chainID, seqAddr)
		if err != nil {
			t.Fatal(err)
		}
		l, err := openSequencerL1(ctx, cfg, chainID, files, slog.New(slog.NewTextHandler(logs, nil)), nil)
		if l != nil {
			t.Cleanup(func() { l.chain.Close() })
		}
		return l, err
	}
	ready := func(l *sequencerL1) []uint64 {
		t.Helper()
		eons, _, err := l.schedule.Eons(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []uint64
		for _, e := range eons {
			if e.Ready() {
				out = append(out, e.Number)
			}
		}
		if len(eons) != 2 {
			t.Fatalf("the schedule has %d eons, L1 has two", len(eons))
		}
		return out
	}

	// Eon 2's key file is another DKG's: eon 1 runs, eon 2 is not ready,
	// and the file is named, logged once however often the schedule is read.
	var logs logBuffer
	l, err := open(sequencerConfig{eonDir: dir}, &logs)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(l.ready, []uint64{1}) {
		t.Fatalf("ready at the start: %v", l.ready)
	}
	for range 2 {
		if got := ready(l); !slices.Equal(got, []uint64{1}) {
			t.Fatalf("ready: %v", got)
		}
	}
	if err := l.schedule.Err(2); !errors.Is(err, l1pkg.ErrEonMismatch) || !strings.Contains(err.Error(), e2) ||
		!strings.Contains(err.Error(), "another DKG's") {
		t.Fatalf("eon 2: %v", err)
	}
	if n := strings.Count(logs.String(), "eon final on L1 but not usable"); n != 1 || !strings.Contains(logs.String(), e2) {
		t.Fatalf("logged %d times:\n%s", n, logs.String())
	}
	if l.schedule.Err(1) != nil {
		t.Fatalf("eon 1: %v", l.schedule.Err(1))
	}

	// Its committee lists the members in another order than L1: named too.
	reordered := *s.committees[1]
	reordered.Members = slices.Clone(reordered.Members)
	slices.Reverse(reordered.Members)
	writeEon(t, c2, e2, &reordered, s.results[1], next())
	if got := ready(l); !slices.Equal(got, []uint64{1}) {
		t.Fatalf("with a reordered committee: %v", got)
	}
	if err := l.schedule.Err(2); !errors.Is(err, l1pkg.ErrEonMismatch) || !errors.Is(err, keyper.ErrCommittee) ||
		!strings.Contains(err.Error(), c2) {
		t.Fatalf("eon 2 with a reordered committee: %v", err)
	}

	// Fixed in place: eon 2 is ready at the next read.
	writeEon(t, c2, e2, s.committees[1], s.results[1], next())
	if got := ready(l); !slices.Equal(got, []uint64{1, 2}) {
		t.Fatalf("with eon 2's files fixed: %v (%v)", got, l.schedule.Err(2))
	}
	if !strings.Contains(logs.String(), `msg="eon now matches L1" eon=2`) {
		t.Fatalf("the fix is not logged:\n%s", logs.String())
	}

	// The one-eon form with --contracts: eon 1 from --committee and
	// --eon-file, and eon 2, final on L1, has no files: named.
	l, err = open(sequencerConfig{committee: c1, eonFile: e1}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if got := ready(l); !slices.Equal(got, []uint64{1}) {
		t.Fatalf("one eon given: %v", got)
	}
	if err := l.schedule.Err(2); !errors.Is(err, errEonFile) || !strings.Contains(err.Error(), "--eon-dir") {
		t.Fatalf("eon 2 without files: %v", err)
	}

	// No eon usable (eon 1's key is another DKG's, eon 2 has no files): the
	// sequencer does not start, and says which file is wrong.
	bad := filepath.Join(root, "bad")
	if err := os.Mkdir(bad, 0o755); err != nil {
		t.Fatal(err)
	}
	writeEon(t, filepath.Join(bad, "committee-1.json"), filepath.Join(bad, "eon-1.json"), s.committees[0], other, next())
	if _, err := open(sequencerConfig{eonDir: bad}, io.Discard); !errors.Is(err, errSequencerRun) ||
		!errors.Is(err, l1pkg.ErrEonMismatch) || !strings.Contains(err.Error(), filepath.Join(bad, "eon-1.json")) {
		t.Fatalf("no usable eon: %v", err)
	}
	libraryDone := time.Since(began)

	// `veil sequencer` with the directory, eon 2's key file wrong again.
	writeEon(t, c2, e2, s.committees[1], other, next())
	chainFile := filepath.Join(root, "chain.json")
	if err := os.WriteFile(chainFile, []byte(fmt.Sprintf(`{"chainId": %d, "sequencer": %q, "bridgeSupply": "1000000", "alloc": {%q: {"balance": "1000000000000000000"}}}`,
		chainID, seqAddr.Hex(), seqAddr.Hex())), 0o644); err != nil {
		t.Fatal(err)
	}
	seq := startVeil(t, ctx, "sequencer", "--datadir", seqDir, "--chain", chainFile, "--eon-dir", dir, "--l1-rpc", s.chain.HTTPEndpoint(),
		"--contracts", s.contractsFile, "--no-post", "--http-addr", "127.0.0.1:0", "--ws-addr", "", "--metrics-addr", "",
		"--listen", fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", freePort(t)))
	seq.waitLog(t, regexp.MustCompile(`msg="sequencer running".* eons_ready=\[1\]`), 30*time.Second)
	seq.waitLog(t, regexp.MustCompile(`msg="eon final on L1 but not usable" eon=2 err=.*`+regexp.QuoteMeta(e2)), 10*time.Second)
	writeEon(t, c2, e2, s.committees[1], s.results[1], next())
	seq.waitLog(t, regexp.MustCompile(`msg="eon ready" eon=2`), 10*time.Second)
	seq.halt(t, "the sequencer")
	t.Logf("L1 with two eons in %v, schedule checks done after %v, all in %v", l1Ready.Round(time.Millisecond),
		libraryDone.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
}
