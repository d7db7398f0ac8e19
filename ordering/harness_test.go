package ordering

import (
	"cmp"
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/math"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"
	libp2pcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/execution"
	"github.com/veil-l2/veil/internal/p2p"
	"github.com/veil-l2/veil/keyper"
	"github.com/veil-l2/veil/keyper/dkg"
	"github.com/veil-l2/veil/ordering/batch"
)

const (
	testChainID = 7117
	testEon     = 1
)

var testOrigin = Origin{Number: 10, Hash: common.Hash{0x11}}

// testOrigin2 is the next L1 block the keypers know (the forced-inclusion
// test's origin source moves to it).
var testOrigin2 = Origin{Number: 11, Hash: common.Hash{0x12}}

// harness is a committee of five keypers (threshold 3) from a real DKG,
// each a keyper.Node on its own libp2p host on 127.0.0.1, and a sequencer
// they dial.
type harness struct {
	t         testing.TB
	ctx       context.Context
	dir       string
	seqKey    *ecdsa.PrivateKey
	hostKey   string // the sequencer's libp2p key file, kept across restarts
	seqListen string
	committee *keyper.Committee
	results   []*dkg.Result
	keys      []*keyper.Keys
	chain     *execution.ChainConfig
	users     []*ecdsa.PrivateKey // inner transaction senders
	payers    []*ecdsa.PrivateKey // envelope payers
	signer    types.Signer

	mu       sync.Mutex
	keypers  []*keyper.Node
	stores   []string
	seqHosts []*p2p.Node
	seq      *Sequencer
	nonces   map[common.Address]uint64
	// points is shared by the in-process keypers and the sequencer, as an
	// in-process devnet shares it.
	points *tpke.PointCache
	// maxDrift is the keypers' MaxDrift (10 s when 0).
	maxDrift uint64
	// noOrigins lists keypers started without confirmed L1 blocks.
	noOrigins map[int]bool
}

func newHarness(t testing.TB, accounts int) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	h := &harness{t: t, ctx: ctx, dir: t.TempDir(), signer: types.LatestSignerForChainID(big.NewInt(testChainID)),
		keypers: make([]*keyper.Node, 5), stores: make([]string, 5), nonces: map[common.Address]uint64{},
		points: tpke.NewPointCache(1 << 16)}
	h.seqKey, _ = crypto.GenerateKey()
	for _, d := range []string{"keyper", "keyper-p2p"} {
		if err := os.MkdirAll(filepath.Join(h.dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	h.hostKey = filepath.Join(h.dir, "seq-p2p.key")
	// A fixed port, so keypers started before the sequencer (and running
	// across its restarts) dial it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.seqListen = fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	res, err := dkg.RunLocal(testChainID, testEon, 5, 3)
	if err != nil {
		t.Fatal(err)
	}
	h.results = res
	h.committee = &keyper.Committee{ChainID: testChainID, Eon: testEon, Threshold: 3, Tolerated: 0,
		Sequencer: crypto.PubkeyToAddress(h.seqKey.PublicKey)}
	for i := range 5 {
		k, err := keyper.InitKeys(filepath.Join(h.dir, "keyper-keys", string(rune('a'+i))), nil)
		if err != nil {
			t.Fatal(err)
		}
		h.keys = append(h.keys, k)
		pub, _ := k.DKGPublic()
		h.committee.Members = append(h.committee.Members, keyper.Member{Address: k.Address(), DKGPublicKey: pub})
		h.stores[i] = filepath.Join(h.dir, "keyper", string(rune('a'+i))+".db")
	}
	alloc := types.GenesisAlloc{h.committee.Sequencer: {Balance: new(big.Int).Mul(big.NewInt(1000), big.NewInt(params.Ether))}}
	for range accounts {
		u, _ := crypto.GenerateKey()
		p, _ := crypto.GenerateKey()
		h.users, h.payers = append(h.users, u), append(h.payers, p)
		for _, k := range []*ecdsa.PrivateKey{u, p} {
			alloc[crypto.PubkeyToAddress(k.PublicKey)] = types.Account{Balance: new(big.Int).Mul(big.NewInt(100), big.NewInt(params.Ether))}
		}
	}
	h.chain = &execution.ChainConfig{ChainID: testChainID, GasLimit: execution.DefaultGasLimit, Timestamp: uint64(time.Now().Unix()) - 10,
		Sequencer: h.committee.Sequencer, BridgeSupply: (*math.HexOrDecimal256)(big.NewInt(0)), Alloc: alloc}
	return h
}

// seqHost starts the sequencer's libp2p host on a fixed port (so keypers
// find it again after a restart).
func (h *harness) seqHost() *p2p.Node {
	hk, err := p2p.LoadOrCreateHostKey(h.hostKey)
	if err != nil {
		h.t.Fatal(err)
	}
	n, err := p2p.New(h.ctx, p2p.Config{ListenAddrs: []string{h.seqListen}, HostKey: hk, ChainID: testChainID, MaxRedialBackoff: time.Second})
	if err != nil {
		h.t.Fatal(err)
	}
	h.mu.Lock()
	h.seqHosts = append(h.seqHosts, n)
	h.mu.Unlock()
	h.t.Cleanup(func() { n.Close() })
	return n
}

func (h *harness) seqAddr() string {
	hk, _ := p2p.LoadOrCreateHostKey(h.hostKey)
	id, err := peerID(hk)
	if err != nil {
		h.t.Fatal(err)
	}
	return h.seqListen + "/p2p/" + id
}

// startKeyper starts keyper i on its store (the same one after a stop).
func (h *harness) startKeyper(i int) {
	h.t.Helper()
	st, err := keyper.OpenStore(h.stores[i])
	if err != nil {
		h.t.Fatal(err)
	}
	hk, err := p2p.LoadOrCreateHostKey(filepath.Join(h.dir, "keyper-p2p", string(rune('a'+i))+".key"))
	if err != nil {
		h.t.Fatal(err)
	}
	host, err := p2p.New(h.ctx, p2p.Config{ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}, HostKey: hk, ChainID: testChainID,
		Peers: []string{h.seqAddr()}, MaxRedialBackoff: time.Second})
	if err != nil {
		h.t.Fatal(err)
	}
	confirmed := map[uint64]common.Hash{testOrigin.Number: testOrigin.Hash, testOrigin2.Number: testOrigin2.Hash}
	if h.noOrigins[i] {
		confirmed = nil
	}
	n, err := keyper.StartNode(h.ctx, keyper.NodeConfig{Committee: h.committee, Index: i, Keys: h.keys[i], Share: h.results[i].Share,
		EonKey: h.results[0].EonPublicKey,
		Release: keyper.ReleaseConfig{ChainID: testChainID, Eon: testEon, Sequencer: h.committee.Sequencer, Inbox: contracts.EncryptedInboxAddress,
			MaxDrift: cmp.Or(h.maxDrift, 10), MaxTxs: DefaultMaxTxs, MaxBytes: DefaultMaxBytes + 1<<20, MaxGasLimit: h.chain.GasLimit},
		Store: st, P2P: host, Logger: testLogger(), PointCache: h.points, Registry: prometheus.NewRegistry(),
		Confirmed: confirmed})
	if err != nil {
		h.t.Fatal(err)
	}
	stop := func() {
		n.Stop()
		host.Close()
		st.Close()
	}
	h.mu.Lock()
	h.keypers[i] = n
	h.mu.Unlock()
	h.t.Cleanup(func() {
		h.mu.Lock()
		running := h.keypers[i] == n
		h.mu.Unlock()
		if running {
			stop()
		}
	})
	keyperStops.Store(n, stop)
}

var keyperStops sync.Map

// stopKeyper stops keyper i (its store stays).
func (h *harness) stopKeyper(i int) {
	h.mu.Lock()
	n := h.keypers[i]
	h.keypers[i] = nil
	h.mu.Unlock()
	if stop, ok := keyperStops.LoadAndDelete(n); ok {
		stop.(func())()
	}
}

func (h *harness) config() Config {
	return Config{DataDir: filepath.Join(h.dir, "sequencer"), Chain: h.chain, SequencerKey: h.seqKey, Committee: h.committee,
		EonKey: h.results[0].EonPublicKey, PublicShares: h.results[0].PublicShares, Origin: StaticOrigin(testOrigin),
		HTTPHost: "127.0.0.1", WSHost: "127.0.0.1", Registry: prometheus.NewRegistry(), Logger: testLogger(), PointCache: h.points}
}

// openSequencer starts the sequencer on a fresh host and waits until at
// least want keypers are in its mesh.
func (h *harness) openSequencer(cfg Config, want int) *Sequencer {
	h.t.Helper()
	cfg.P2P = h.seqHost()
	s, err := Open(cfg)
	if err != nil {
		h.t.Fatal(err)
	}
	h.seq = s
	h.t.Cleanup(func() { s.Close() })
	deadline := time.Now().Add(20 * time.Second)
	for len(s.commits.ListPeers()) < want && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	return s
}

func (h *harness) nextNonce(k *ecdsa.PrivateKey) uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	a := crypto.PubkeyToAddress(k.PublicKey)
	n := h.nonces[a]
	h.nonces[a] = n + 1
	return n
}

// envelope encrypts a transfer of 1 wei from user i to a fixed address,
// paid by payer i.
func (h *harness) envelope(i int) (env, inner *types.Transaction) {
	h.t.Helper()
	to := common.Address{0xb0, byte(i)}
	inner, err := types.SignNewTx(h.users[i], h.signer, &types.DynamicFeeTx{ChainID: big.NewInt(testChainID), Nonce: h.nextNonce(h.users[i]),
		GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(params.GWei), Gas: 21000, To: &to, Value: big.NewInt(1)})
	if err != nil {
		h.t.Fatal(err)
	}
	env, err = encmempool.BuildEnvelope(encmempool.BuildParams{ChainID: testChainID, Eon: testEon, EonKey: h.results[0].EonPublicKey,
		Inbox: contracts.EncryptedInboxAddress, Inner: inner, PayerKey: h.payers[i], Nonce: h.nextNonce(h.payers[i]),
		GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(params.GWei), Rand: rand.Reader})
	if err != nil {
		h.t.Fatal(err)
	}
	return env, inner
}

// waitExecuted waits until every transaction hash has an execution
// receipt, read over the sequencer's JSON-RPC.
func (h *harness) waitExecuted(s *Sequencer, hashes []common.Hash, wait time.Duration) map[common.Hash]*types.Receipt {
	h.t.Helper()
	client, err := ethclient.Dial(s.Exec().HTTPEndpoint())
	if err != nil {
		h.t.Fatal(err)
	}
	defer client.Close()
	out := map[common.Hash]*types.Receipt{}
	deadline := time.Now().Add(wait)
	for {
		for _, hash := range hashes {
			if out[hash] == nil {
				if r, err := client.TransactionReceipt(h.ctx, hash); err == nil {
					out[hash] = r
				}
			}
		}
		if len(out) == len(hashes) {
			// A receipt shows once the block is written; the sequencer
			// counts the batch executed just after. Wait for that too.
			top := uint64(0)
			for _, r := range out {
				top = max(top, r.BlockNumber.Uint64())
			}
			if s.executedBatch() >= top {
				return out
			}
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("%d of %d transactions executed after %v (executed batch %d, err %v)", len(out), len(hashes), wait, s.executedBatch(), s.Err())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func peerID(k libp2pcrypto.PrivKey) (string, error) {
	id, err := peer.IDFromPrivateKey(k)
	return id.String(), err
}

// testLogger logs to stderr when VEIL_TEST_LOG is set.
func testLogger() *slog.Logger {
	if os.Getenv("VEIL_TEST_LOG") == "" {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// startTamperingKeyper runs keyper i as a host that answers every
// commitment with validly signed shares of random identities.
func (h *harness) startTamperingKeyper(i int) {
	h.t.Helper()
	hk, _ := p2p.LoadOrCreateHostKey(filepath.Join(h.dir, "keyper-p2p", "bad.key"))
	host, err := p2p.New(h.ctx, p2p.Config{ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}, HostKey: hk, ChainID: testChainID,
		Peers: []string{h.seqAddr()}, MaxRedialBackoff: time.Second})
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { host.Close() })
	commits, err := host.Join(keyper.TopicCommitments, keyper.SequencerValidator{Sequencer: h.committee.Sequencer, Eon: testEon})
	if err != nil {
		h.t.Fatal(err)
	}
	shares, err := host.Join(keyper.TopicShares, keyper.MembersValidator{Committee: h.committee, Eon: testEon})
	if err != nil {
		h.t.Fatal(err)
	}
	sub, cancel, err := commits.Subscribe()
	if err != nil {
		h.t.Fatal(err)
	}
	signer, _ := p2p.NewSigner(h.keys[i].Signing)
	cfg := keyper.ReleaseConfig{ChainID: testChainID, Eon: testEon, Inbox: contracts.EncryptedInboxAddress}
	go func() {
		defer cancel()
		cache := tpke.NewPointCache(64)
		for r := range sub {
			b, err := batch.Decode(r.Message.Payload, batch.DefaultLimits)
			if err != nil {
				continue
			}
			rel, _ := keyper.Classify(cfg, b, noneReleased{})
			var junk []byte
			for range rel.Identities() {
				var id tpke.Identity
				rand.Read(id[:])
				junk = append(junk, h.results[i].Share.KeyShare(cache.Point(id)).Bytes()...)
			}
			m := &keyper.ShareMessage{ChainID: testChainID, Eon: testEon, Number: rel.Number, Hash: rel.Hash, Keyper: uint32(i), Shares: junk}
			m.Sign(h.keys[i].Signing)
			raw, _ := m.Encode()
			shares.Publish(h.ctx, signer, testEon, raw)
		}
	}()
}

type noneReleased struct{}

func (noneReleased) Released(tpke.Identity) bool { return false }
