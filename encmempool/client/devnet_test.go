package client_test

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/math"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/execution"
	"github.com/veil-l2/veil/internal/p2p"
	"github.com/veil-l2/veil/keyper"
	"github.com/veil-l2/veil/keyper/dkg"
	"github.com/veil-l2/veil/ordering"
)

// The devnet every test and the example share: a real sequencer and three
// keypers (threshold 2) from a real DKG, on libp2p over loopback, built as
// ordering's harness builds one. Tests take fresh funded accounts from it.
const (
	testChainID = 7117
	testEon     = 1
	nKeypers    = 3
	threshold   = 2
	nAccounts   = 32 // per run (-count)
)

var (
	testOrigin = ordering.Origin{Number: 10, Hash: common.Hash{0x11}}
	dn         *devnet
)

type devnet struct {
	seq       *ordering.Sequencer
	seqKey    *ecdsa.PrivateKey
	eonKey    *tpke.EonPublicKey
	otherKey  []byte // a valid G2 point that is not the eon key
	httpURL   string
	wsURL     string
	cancel    context.CancelFunc
	closers   []func()
	mu        sync.Mutex
	accounts  []*ecdsa.PrivateKey // funded at genesis, not handed out yet
	dirToDrop string
}

func TestMain(m *testing.M) {
	flag.Parse() // -count, for the accounts to fund
	d, err := startDevnet()
	if err != nil {
		fmt.Fprintln(os.Stderr, "devnet:", err)
		if d != nil {
			d.close()
		}
		os.Exit(1)
	}
	dn = d
	code := m.Run()
	d.close()
	os.Exit(code)
}

func startDevnet() (*devnet, error) {
	dir, err := os.MkdirTemp("", "veil-client-test")
	if err != nil {
		return nil, err
	}
	d := &devnet{dirToDrop: dir}
	var ctx context.Context
	ctx, d.cancel = context.WithCancel(context.Background())
	if err := os.Mkdir(filepath.Join(dir, "p2p"), 0o700); err != nil {
		return d, err
	}
	d.seqKey, _ = crypto.GenerateKey()
	seqAddr := crypto.PubkeyToAddress(d.seqKey.PublicKey)

	res, err := dkg.RunLocal(testChainID, testEon, nKeypers, threshold)
	if err != nil {
		return d, err
	}
	d.eonKey, d.otherKey = res[0].EonPublicKey, res[0].PublicShares[1].Bytes()
	committee := &keyper.Committee{ChainID: testChainID, Eon: testEon, Threshold: threshold, Sequencer: seqAddr}
	var keys []*keyper.Keys
	for i := range nKeypers {
		k, err := keyper.InitKeys(filepath.Join(dir, "keyper-keys", fmt.Sprint(i)), nil)
		if err != nil {
			return d, err
		}
		pub, _ := k.DKGPublic()
		keys = append(keys, k)
		committee.Members = append(committee.Members, keyper.Member{Address: k.Address(), DKGPublicKey: pub})
	}
	ether100 := new(big.Int).Mul(big.NewInt(100), big.NewInt(params.Ether))
	alloc := types.GenesisAlloc{seqAddr: {Balance: ether100}}
	for range nAccounts * runs() {
		k, _ := crypto.GenerateKey()
		d.accounts = append(d.accounts, k)
		alloc[crypto.PubkeyToAddress(k.PublicKey)] = types.Account{Balance: ether100}
	}
	chain := &execution.ChainConfig{ChainID: testChainID, GasLimit: execution.DefaultGasLimit, Timestamp: uint64(time.Now().Unix()) - 10,
		Sequencer: seqAddr, BridgeSupply: (*math.HexOrDecimal256)(big.NewInt(0)), Alloc: alloc}

	newHost := func(name string, peers []string) (*p2p.Node, error) {
		hk, err := p2p.LoadOrCreateHostKey(filepath.Join(dir, "p2p", name+".key"))
		if err != nil {
			return nil, err
		}
		n, err := p2p.New(ctx, p2p.Config{ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}, HostKey: hk, ChainID: testChainID,
			Peers: peers, MaxRedialBackoff: time.Second})
		if err != nil {
			return nil, err
		}
		d.closers = append(d.closers, func() { n.Close() })
		return n, nil
	}
	seqHost, err := newHost("sequencer", nil)
	if err != nil {
		return d, err
	}
	points := tpke.NewPointCache(1 << 12)
	for i := range nKeypers {
		st, err := keyper.OpenStore(filepath.Join(dir, fmt.Sprintf("keyper-%d.db", i)))
		if err != nil {
			return d, err
		}
		d.closers = append(d.closers, func() { st.Close() })
		host, err := newHost(fmt.Sprint("keyper-", i), seqHost.Addrs()[:1])
		if err != nil {
			return d, err
		}
		n, err := keyper.StartNode(ctx, keyper.NodeConfig{Committee: committee, Index: i, Keys: keys[i], Share: res[i].Share,
			Release: keyper.ReleaseConfig{ChainID: testChainID, Eon: testEon, Sequencer: seqAddr, Inbox: contracts.EncryptedInboxAddress,
				MaxDrift: 10, MaxTxs: ordering.DefaultMaxTxs, MaxBytes: ordering.DefaultMaxBytes + 1<<20, MaxGasLimit: chain.GasLimit},
			Store: st, P2P: host, Logger: testLogger(), PointCache: points, Confirmed: map[uint64]common.Hash{testOrigin.Number: testOrigin.Hash},
			Registry: prometheus.NewRegistry()})
		if err != nil {
			return d, err
		}
		d.closers = append(d.closers, n.Stop)
	}
	d.seq, err = ordering.Open(ordering.Config{DataDir: filepath.Join(dir, "sequencer"), Chain: chain, SequencerKey: d.seqKey,
		Committee: committee, EonKey: res[0].EonPublicKey, PublicShares: res[0].PublicShares, P2P: seqHost,
		Origin: ordering.StaticOrigin(testOrigin), HTTPHost: "127.0.0.1", WSHost: "127.0.0.1", Registry: prometheus.NewRegistry(),
		Logger: testLogger(), PointCache: points})
	if err != nil {
		return d, err
	}
	d.closers = append(d.closers, func() { d.seq.Close() })
	d.httpURL, d.wsURL = d.seq.Exec().HTTPEndpoint(), d.seq.Exec().WSEndpoint()
	// The sequencer resends a batch without keys, so a keyper that joins
	// the gossip mesh late only delays the first batch.
	for deadline := time.Now().Add(10 * time.Second); len(seqHost.Peers()) < nKeypers; {
		if time.Now().After(deadline) {
			return d, errors.New("keypers did not connect to the sequencer")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return d, nil
}

// close stops everything in reverse order and removes the data.
func (d *devnet) close() {
	for i := len(d.closers) - 1; i >= 0; i-- {
		d.closers[i]()
	}
	d.cancel()
	os.RemoveAll(d.dirToDrop)
}

// freshAddress is an address no test has used, so that recipients' balances
// start at zero in every run.
func freshAddress(tb testing.TB) common.Address {
	tb.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		tb.Fatal(err)
	}
	return crypto.PubkeyToAddress(k.PublicKey)
}

// runs is how many times the tests run on the one devnet (-count): each
// run takes fresh accounts.
func runs() int {
	if f := flag.Lookup("test.count"); f != nil {
		if n, err := strconv.Atoi(f.Value.String()); err == nil && n > 1 {
			return n
		}
	}
	return 1
}

// takeAccount hands out a funded account no other test uses.
func (d *devnet) takeAccount() (*ecdsa.PrivateKey, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.accounts) == 0 {
		return nil, fmt.Errorf("devnet: the %d funded accounts of each run are taken: raise nAccounts", nAccounts)
	}
	k := d.accounts[0]
	d.accounts = d.accounts[1:]
	return k, nil
}

// account is takeAccount for a test.
func (d *devnet) account(tb testing.TB) *ecdsa.PrivateKey {
	tb.Helper()
	k, err := d.takeAccount()
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// testLogger logs to stderr when VEIL_TEST_LOG is set.
func testLogger() *slog.Logger {
	if os.Getenv("VEIL_TEST_LOG") == "" {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
