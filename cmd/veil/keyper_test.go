package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/node"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/urfave/cli/v2"
	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/internal/p2p"
	"github.com/veil-l2/veil/keyper"
	l1pkg "github.com/veil-l2/veil/l1"
	"github.com/veil-l2/veil/ordering/batch"
)

// logBuffer collects a process's logs; the test reads while it writes.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// freePort returns a 127.0.0.1 TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	port, err := loopbackPort()
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// keyperInit runs `veil keyper init` and returns what it prints to register.
func keyperInit(t *testing.T, args ...string) (address, dkgPublic, peerID string) {
	t.Helper()
	var out bytes.Buffer
	app := newApp()
	app.Writer = &out
	if err := app.Run(append([]string{"veil", "keyper", "init"}, args...)); err != nil {
		t.Fatal(err)
	}
	field := func(label string) string {
		for _, line := range strings.Split(out.String(), "\n") {
			if rest, ok := strings.CutPrefix(strings.TrimSpace(line), label); ok {
				return strings.TrimSpace(rest)
			}
		}
		t.Fatalf("init printed no %q:\n%s", label, out.String())
		return ""
	}
	return field("address:"), field("dkg public key:"), field("peer id:")
}

type member struct{ address, dkgPublic, peer string }

// writeCommittee writes a committee file as an operator would.
func writeCommittee(t *testing.T, path string, chainID, eon uint64, threshold int, sequencer common.Address, members []member) {
	t.Helper()
	var ms []string
	for _, m := range members {
		ms = append(ms, fmt.Sprintf("    {\"address\": %q, \"dkgPublicKey\": %q, \"peer\": %q}", m.address, m.dkgPublic, m.peer))
	}
	doc := fmt.Sprintf("{\n  \"chainId\": %d,\n  \"eon\": %d,\n  \"threshold\": %d,\n  \"tolerated\": 0,\n  \"sequencer\": %q,\n  \"members\": [\n%s\n  ]\n}\n",
		chainID, eon, threshold, sequencer.Hex(), strings.Join(ms, ",\n"))
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
}

type noneReleased struct{}

func (noneReleased) Released(tpke.Identity) bool { return false }

// eonKeyLog finds the eon key in the line a keyper logs once it releases.
var eonKeyLog = regexp.MustCompile(`keyper running"?.*"?eon_key"?[=:]"?([0-9a-f]+)`)

// TestKeyperRun sets up a committee of three as new operators would (keyper
// init, a committee file, one keyper configured by a TOML file), with a
// simulated L1 served over HTTP, and runs three `veil keyper run` in this
// process. They finish the DKG with one eon key and serve their metrics; a
// test sequencer publishes a signed batch with an envelope, at least two
// keypers release shares for it, and those shares decrypt the envelope.
// Cancelling stops every keyper cleanly.
func TestKeyperRun(t *testing.T) {
	began := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const chainID, eon = 901, 1
	root := t.TempDir()
	seqKey, _ := crypto.GenerateKey()
	sequencer := crypto.PubkeyToAddress(seqKey.PublicKey)
	pass := filepath.Join(root, "passphrase")
	if err := os.WriteFile(pass, []byte("correct horse battery staple\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	dirs := make([]string, 3)
	p2pPorts := make([]int, 3)
	var members []member
	for i := range dirs {
		dirs[i] = filepath.Join(root, fmt.Sprintf("keyper-%d", i))
		args := []string{"--datadir", dirs[i]}
		if i == 0 {
			args = append(args, "--passphrase-file", pass)
		}
		addr, pub, id := keyperInit(t, args...)
		p2pPorts[i] = freePort(t)
		members = append(members, member{addr, pub, fmt.Sprintf("/ip4/127.0.0.1/tcp/%d/p2p/%s", p2pPorts[i], id)})
	}
	committeeFile := filepath.Join(root, "committee.json")
	writeCommittee(t, committeeFile, chainID, eon, 2, sequencer, members)
	committee, err := keyper.LoadCommittee(committeeFile)
	if err != nil {
		t.Fatal(err)
	}

	// L1: go-ethereum's simulated backend, served over HTTP.
	l1Port := freePort(t)
	sim := simulated.NewBackend(types.GenesisAlloc{}, func(nc *node.Config, _ *ethconfig.Config) {
		nc.HTTPHost, nc.HTTPPort, nc.HTTPModules = "127.0.0.1", l1Port, []string{"eth"}
	})
	defer sim.Close()
	for range 6 {
		sim.Commit()
	}
	l1URL := fmt.Sprintf("http://127.0.0.1:%d", l1Port)

	// Keyper 0 is configured by a TOML file, the others by flags; keyper 2
	// logs JSON.
	metricsPorts := make([]int, 3)
	for i := range metricsPorts {
		metricsPorts[i] = freePort(t)
	}
	config := filepath.Join(root, "keyper-0.toml")
	toml := fmt.Sprintf(`datadir = %q
passphrase-file = %q
committee = %q
listen = ["/ip4/127.0.0.1/tcp/%d"]
l1-rpc = %q
l1-confirmations = 2
max-drift = "10s"
max-txs = 1000
dkg-phase-timeout = "5s"
metrics-addr = "127.0.0.1:%d"
`, dirs[0], pass, committeeFile, p2pPorts[0], l1URL, metricsPorts[0])
	if err := os.WriteFile(config, []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	runCtx, stopKeypers := context.WithCancel(ctx)
	defer stopKeypers()
	logs := make([]*logBuffer, 3)
	done := make([]chan error, 3)
	args := make([][]string, 3)
	for i := range 3 {
		args[i] = []string{"veil", "keyper", "run", "--config", config}
		if i > 0 {
			args[i] = []string{"veil", "keyper", "run", "--datadir", dirs[i], "--committee", committeeFile,
				"--listen", fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", p2pPorts[i]), "--l1-rpc", l1URL, "--dkg-phase-timeout", "5s"}
			if i == 2 {
				args[i] = append(args[i], "--log-format", "json")
			}
			args[i] = append(args[i], "--metrics-addr", fmt.Sprintf("127.0.0.1:%d", metricsPorts[i]))
		}
		logs[i], done[i] = &logBuffer{}, make(chan error, 1)
		app := newApp()
		app.Writer, app.ErrWriter = io.Discard, logs[i]
		go func() { done[i] <- app.RunContext(runCtx, args[i]) }()
		// One at a time until the flags are parsed: urfave/cli apps share
		// the global help flag, so parsing in parallel races (in one
		// process only, as here).
		for logs[i].String() == "" {
			select {
			case err := <-done[i]:
				t.Fatalf("keyper %d returned at start: %v", i, err)
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
	defer func() {
		if t.Failed() {
			for i, l := range logs {
				t.Logf("keyper %d log:\n%s", i, l.String())
			}
		}
	}()

	// All three finish the DKG with the same eon key.
	eonKeys := make([]string, 3)
	deadline := time.After(20 * time.Second)
	for i := 0; i < 3; {
		if m := eonKeyLog.FindStringSubmatch(logs[i].String()); m != nil {
			eonKeys[i] = m[1]
			i++
			continue
		}
		select {
		case err := <-done[i]:
			t.Fatalf("keyper %d returned during the dkg: %v", i, err)
		case <-deadline:
			t.Fatalf("keyper %d did not finish the dkg", i)
		case <-time.After(50 * time.Millisecond):
		}
	}
	if eonKeys[0] != eonKeys[1] || eonKeys[0] != eonKeys[2] {
		t.Fatalf("different eon keys: %v", eonKeys)
	}
	dkgDone := time.Since(began)
	raw, _ := hex.DecodeString(eonKeys[0])
	eonKey, err := tpke.ParseEonPublicKey(raw)
	if err != nil {
		t.Fatal(err)
	}

	// Metrics: the keyper's, the network's and the process's.
	for i, port := range metricsPorts {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", port))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, want := range []string{"veil_keyper_dkg_phase 4", "veil_keyper_batches_released_total", "veil_p2p_", "go_goroutines"} {
			if !strings.Contains(string(body), want) {
				t.Fatalf("keyper %d metrics lack %q", i, want)
			}
		}
	}

	// A test sequencer dials the keypers.
	hostKey, err := p2p.LoadOrCreateHostKey(filepath.Join(root, "sequencer-p2p.key"))
	if err != nil {
		t.Fatal(err)
	}
	seqNode, err := p2p.New(ctx, p2p.Config{HostKey: hostKey, ChainID: chainID,
		Peers: []string{members[0].peer, members[1].peer, members[2].peer}})
	if err != nil {
		t.Fatal(err)
	}
	defer seqNode.Close()
	commits, err := seqNode.Join(keyper.TopicCommitments, keyper.SequencerValidator{Sequencer: sequencer, Eon: eon})
	if err != nil {
		t.Fatal(err)
	}
	sharesTopic, err := seqNode.Join(keyper.TopicShares, keyper.MembersValidator{Committee: committee, Eon: eon})
	if err != nil {
		t.Fatal(err)
	}
	shares, stopShares, err := sharesTopic.Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	defer stopShares()
	seqSigner, _ := p2p.NewSigner(seqKey)

	// A batch with one envelope, its L1 origin a confirmed block.
	client := sim.Client()
	head, err := client.HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	origin, err := client.HeaderByNumber(ctx, new(big.Int).Sub(head.Number, big.NewInt(2)))
	if err != nil {
		t.Fatal(err)
	}
	signer := types.LatestSignerForChainID(big.NewInt(chainID))
	user, _ := crypto.GenerateKey()
	payer, _ := crypto.GenerateKey()
	to := common.Address{0xb0}
	feeCap := big.NewInt(10_000_000_000)
	inner, err := types.SignNewTx(user, signer, &types.DynamicFeeTx{ChainID: big.NewInt(chainID), GasTipCap: big.NewInt(1),
		GasFeeCap: feeCap, Gas: 21000, To: &to, Value: big.NewInt(1)})
	if err != nil {
		t.Fatal(err)
	}
	envTx, err := encmempool.BuildEnvelope(encmempool.BuildParams{ChainID: chainID, Eon: eon, EonKey: eonKey,
		Inbox: contracts.EncryptedInboxAddress, Inner: inner, PayerKey: payer, GasTipCap: big.NewInt(1), GasFeeCap: feeCap, Rand: rand.Reader})
	if err != nil {
		t.Fatal(err)
	}
	signed, err := batch.Sign(batch.Commitment{ChainID: chainID, Eon: eon, Number: 1, Timestamp: uint64(time.Now().Unix()),
		L1OriginNumber: origin.Number.Uint64(), L1OriginHash: origin.Hash(), BaseFee: big.NewInt(7), GasLimit: 30_000_000,
		TxHashes: []common.Hash{envTx.Hash()}}, seqKey)
	if err != nil {
		t.Fatal(err)
	}
	b, err := batch.New(signed, []*types.Transaction{envTx})
	if err != nil {
		t.Fatal(err)
	}
	rawBatch, _ := b.Encode()

	// Publish it, again every half second as a sequencer does, until two
	// keypers have answered.
	for len(commits.ListPeers()) < 3 {
		select {
		case <-ctx.Done():
			t.Fatal("the keypers never subscribed to the commitments")
		case <-time.After(50 * time.Millisecond):
		}
	}
	got := map[uint32]*keyper.ShareMessage{}
	resend := time.NewTicker(500 * time.Millisecond)
	defer resend.Stop()
	giveUp := time.After(15 * time.Second)
	for publish := true; len(got) < 2; publish = false {
		if publish {
			if err := commits.Publish(ctx, seqSigner, eon, rawBatch); err != nil {
				t.Fatal(err)
			}
		}
		select {
		case <-resend.C:
			publish = true
		case r := <-shares:
			m, err := keyper.DecodeShareMessage(r.Message.Payload)
			if err != nil {
				t.Fatal(err)
			}
			if from, err := m.Signer(); err != nil || int(m.Keyper) >= 3 || from.Hex() != members[m.Keyper].address {
				t.Fatalf("share message of keyper %d signed by %v (%v)", m.Keyper, from, err)
			}
			if m.Number != 1 || m.Hash != signed.Commitment.Hash() {
				t.Fatalf("shares for batch %d %s", m.Number, m.Hash)
			}
			got[m.Keyper] = m
		case <-giveUp:
			t.Fatalf("share messages from %d keypers", len(got))
		}
	}
	released := time.Since(began)

	// Cancelling stops every keyper, cleanly and promptly.
	stopKeypers()
	stopping := time.Now()
	for i := range done {
		select {
		case err := <-done[i]:
			if err != nil {
				t.Fatalf("keyper %d: %v", i, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("keyper %d did not stop", i)
		}
	}
	stopped := time.Since(stopping)

	// The stores hold the eon key the logs named; the shares decrypt the
	// envelope.
	var results []*tpke.PublicShare
	for i, dir := range dirs {
		st, err := keyper.OpenStore(filepath.Join(dir, keyper.StoreFile))
		if err != nil {
			t.Fatal(err)
		}
		var p []byte
		if i == 0 {
			p = []byte("correct horse battery staple")
		}
		res, err := keyper.LoadDKGResult(st, "", p, eon)
		st.Close()
		if err != nil {
			t.Fatalf("keyper %d: %v", i, err)
		}
		if !res.EonPublicKey.Equal(eonKey) {
			t.Fatalf("keyper %d stored another eon key", i)
		}
		results = res.PublicShares
	}
	var addrs []common.Address
	for _, m := range committee.Members {
		addrs = append(addrs, m.Address)
	}
	col, err := keyper.NewCollector(keyper.CollectorConfig{ChainID: chainID, Eon: eon, Threshold: 2, Members: addrs,
		EonKey: eonKey, PublicShares: results, Registry: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	rel, _ := keyper.Classify(keyper.ReleaseConfig{ChainID: chainID, Eon: eon, Sequencer: sequencer, Inbox: contracts.EncryptedInboxAddress},
		b, noneReleased{})
	keys, err := col.Expect(rel)
	for _, m := range got {
		if keys != nil || err != nil {
			break
		}
		keys, err = col.Add(m)
	}
	if err != nil || keys == nil || len(keys.Keys) != 1 {
		t.Fatalf("no key from the shares: %v", err)
	}
	env, err := encmempool.ParseEnvelope(envTx, signer, contracts.EncryptedInboxAddress, encmempool.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := tpke.Decrypt(keys.Keys[0], env.Identity, env.Ciphertext, env.AssociatedData())
	want, _ := inner.MarshalBinary()
	if err != nil || !bytes.Equal(plain, want) {
		t.Fatalf("decrypting the envelope: %v", err)
	}

	// A restarted keyper takes its recorded DKG result, without a new run.
	restart := time.Now()
	again, stopAgain := context.WithCancel(ctx)
	defer stopAgain()
	args[1] = append(args[1][:len(args[1])-1], fmt.Sprintf("127.0.0.1:%d", freePort(t)))
	logs[1] = &logBuffer{}
	app := newApp()
	app.Writer, app.ErrWriter = io.Discard, logs[1]
	go func() { done[1] <- app.RunContext(again, args[1]) }()
	for {
		if m := eonKeyLog.FindStringSubmatch(logs[1].String()); m != nil {
			if m[1] != eonKeys[0] || !strings.Contains(logs[1].String(), "dkg result already recorded") {
				t.Fatalf("restarted with eon key %s", m[1])
			}
			break
		}
		select {
		case err := <-done[1]:
			t.Fatalf("the restarted keyper returned: %v", err)
		case <-time.After(10 * time.Second):
			t.Fatal("the restarted keyper is not running")
		case <-time.After(20 * time.Millisecond):
		}
	}
	restarted := time.Since(restart)
	stopAgain()
	if err := <-done[1]; err != nil {
		t.Fatal(err)
	}
	t.Logf("dkg done after %v, shares after %v, all stopped %v after the cancel, a restart running after %v",
		dkgDone.Round(time.Millisecond), released.Round(time.Millisecond), stopped.Round(time.Millisecond),
		restarted.Round(time.Millisecond))
}

// TestKeyperRunRejects: bad input stops `veil keyper run` before it starts,
// with an error that says what is wrong.
func TestKeyperRunRejects(t *testing.T) {
	root := t.TempDir()
	mine := filepath.Join(root, "mine")
	myAddress, _, myID := keyperInit(t, "--datadir", mine)
	// A committee of three others.
	var others []member
	for i := range 3 {
		addr, pub, id := keyperInit(t, "--datadir", filepath.Join(root, fmt.Sprintf("other-%d", i)))
		others = append(others, member{addr, pub, fmt.Sprintf("/ip4/127.0.0.1/tcp/%d/p2p/%s", 9200+i, id)})
	}
	seq, _ := crypto.GenerateKey()
	othersFile := filepath.Join(root, "others.json")
	writeCommittee(t, othersFile, 901, 1, 2, crypto.PubkeyToAddress(seq.PublicKey), others)
	// A committee that registered this keyper's address with another DKG key.
	wrongKeyFile := filepath.Join(root, "wrong-key.json")
	writeCommittee(t, wrongKeyFile, 901, 1, 2, crypto.PubkeyToAddress(seq.PublicKey), []member{others[0], others[1],
		{myAddress, others[2].dkgPublic, "/ip4/127.0.0.1/tcp/9203/p2p/" + myID}})
	// Keys that others may read.
	loose := filepath.Join(root, "loose")
	keyperInit(t, "--datadir", loose)
	if err := os.Chmod(filepath.Join(loose, keyper.SigningKeyFile), 0o644); err != nil {
		t.Fatal(err)
	}
	l1 := "http://127.0.0.1:1"

	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		err  error
		says string
	}{
		{"not a member", []string{"--datadir", mine, "--committee", othersFile, "--l1-rpc", l1},
			nil, keyper.ErrNotMember, "is not among its 3 members"},
		{"not a member, committee from the environment", []string{"--datadir", mine, "--l1-rpc", l1},
			map[string]string{"VEIL_KEYPER_COMMITTEE": othersFile}, keyper.ErrNotMember, "not a member"},
		{"registered with another dkg key", []string{"--datadir", mine, "--committee", wrongKeyFile, "--l1-rpc", l1},
			nil, keyper.ErrNotMember, "member 2 has this keyper's address"},
		{"no l1 endpoint", []string{"--datadir", mine, "--committee", othersFile},
			nil, errKeyperRun, "--l1-rpc is required: the keyper releases shares only for batches whose L1 origin"},
		{"no committee", []string{"--datadir", mine, "--l1-rpc", l1}, nil, errKeyperRun, "--committee is required"},
		{"no data directory", []string{"--committee", othersFile, "--l1-rpc", l1}, nil, errKeyperRun, "--datadir is required"},
		{"no keys", []string{"--datadir", filepath.Join(root, "empty"), "--committee", othersFile, "--l1-rpc", l1},
			nil, fs.ErrNotExist, "veil keyper init --datadir"},
		{"key readable by others", []string{"--datadir", loose, "--committee", othersFile, "--l1-rpc", l1},
			nil, keyper.ErrKeyFilePermissions, "chmod 600"},
		{"l1 endpoint not a url", []string{"--datadir", mine, "--committee", othersFile, "--l1-rpc", "localhost"},
			nil, errKeyperRun, "is not a URL"},
		{"strict mode", []string{"--datadir", mine, "--committee", othersFile, "--l1-rpc", l1, "--strict"},
			nil, errKeyperRun, "--strict"},
		{"drift in fractions of a second", []string{"--datadir", mine, "--committee", othersFile, "--l1-rpc", l1, "--max-drift", "1500ms"},
			nil, errKeyperRun, "--max-drift"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			app := newApp()
			var logs bytes.Buffer
			app.Writer, app.ErrWriter = io.Discard, &logs
			err := app.Run(append([]string{"veil", "keyper", "run", "--metrics-addr", ""}, tc.args...))
			if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("got %v, want %v saying %q", err, tc.err, tc.says)
			}
		})
	}
}

// TestKeyperRunRepublishAfter: --republish-after reaches the keyper's
// config from a flag, the environment and the config file, is refused when
// negative or without --contracts, and becomes RunConfig.Republish, whose
// Posted reads BatchInbox's nextNumber on a real L1.
func TestKeyperRunRepublishAfter(t *testing.T) {
	root := t.TempDir()
	toml := filepath.Join(root, "keyper.toml")
	if err := os.WriteFile(toml, []byte("republish-after = \"7s\"\ncontracts = \"c.json\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"--datadir", root, "--committee", "committee.json", "--l1-rpc", "http://127.0.0.1:1"}
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want time.Duration
		err  string
	}{
		{"default", nil, nil, keyper.DefaultRepublishAfter, ""},
		{"flag", []string{"--contracts", "c.json", "--republish-after", "5s"}, nil, 5 * time.Second, ""},
		{"disabled", []string{"--contracts", "c.json", "--republish-after", "0"}, nil, 0, ""},
		{"environment", []string{"--contracts", "c.json"}, map[string]string{"VEIL_KEYPER_REPUBLISH_AFTER": "3s"}, 3 * time.Second, ""},
		{"config file", []string{"--config", toml}, nil, 7 * time.Second, ""},
		{"negative", []string{"--contracts", "c.json", "--republish-after", "-1s"}, nil, 0, "--republish-after -1s: must not be negative"},
		{"without contracts", []string{"--republish-after", "5s"}, nil, 0, "--republish-after needs --contracts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			cmd := keyperRunCommand()
			var got keyperRunConfig
			cmd.Action = func(c *cli.Context) error {
				got = readKeyperRunConfig(c)
				return got.check()
			}
			app := &cli.App{Name: "veil", Commands: []*cli.Command{cmd}, Writer: io.Discard, ErrWriter: io.Discard}
			err := app.Run(append(append([]string{"veil", "run"}, base...), tc.args...))
			if tc.err != "" {
				if !errors.Is(err, errKeyperRun) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got %v, want %v saying %q", err, errKeyperRun, tc.err)
				}
				return
			}
			if err != nil || got.republishAfter != tc.want {
				t.Fatalf("republish after %v (%v), want %v", got.republishAfter, err, tc.want)
			}
		})
	}

	if keyperRepublish(0, nil, l1pkg.Contracts{}) != nil {
		t.Fatal("--republish-after 0 re-publishes")
	}
	key, _ := crypto.GenerateKey()
	from := crypto.PubkeyToAddress(key.PublicKey)
	chain, err := l1pkg.NewSimulated(types.GenesisAlloc{from: {Balance: big.NewInt(1e18)}})
	if err != nil {
		t.Fatal(err)
	}
	defer chain.Close()
	ctx := context.Background()
	cs, err := l1pkg.Deploy(ctx, chain, key, contracts.L1Config{ChainID: 9, Owner: from, Sequencer: from, ForcedInclusionDeadline: 8})
	if err != nil {
		t.Fatal(err)
	}
	rc := keyperRepublish(5*time.Second, chain, cs)
	if rc == nil || rc.After != 5*time.Second || rc.Posted == nil {
		t.Fatalf("republish config %+v", rc)
	}
	if next, err := rc.Posted(ctx); err != nil || next != 1 {
		t.Fatalf("posted: next batch %d (%v), want 1 on a new BatchInbox", next, err)
	}
}
