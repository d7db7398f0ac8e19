package main

import (
	"context"
	"crypto/ecdsa"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common/math"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/params"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/urfave/cli/v2"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/execution"
	"github.com/veil-l2/veil/internal/keyfile"
	"github.com/veil-l2/veil/internal/p2p"
	"github.com/veil-l2/veil/keyper"
	"github.com/veil-l2/veil/ordering"
)

// The devnet is the whole system in one process: an in-process L1
// (go-ethereum's simulated backend), n keypers on loopback libp2p running a
// fresh DKG, and the sequencer with its JSON-RPC. Decisions:
//   - Dev accounts are derived from a fixed seed (like other dev chains), so
//     their keys are the same on every machine and never hold real value.
//   - The sequencer's and keypers' keys are created in the data directory
//     (a temporary one without --data-dir).
//   - The L1 lives in memory. With --data-dir the devnet records the L1
//     height it reached and, on the next start, mines the L1 back to it,
//     so batch origins never go back.
//   - Batches are not posted to L1 yet and deposits come only from the
//     genesis; the L1 issue adds the contracts, posting and a verifier.

const (
	devnetChainID   = 7117
	devnetEonNumber = 1
	devnetAccounts  = 10
)

func devnetCommand() *cli.Command {
	return &cli.Command{
		Name:  "devnet",
		Usage: "run the whole system locally: in-process L1, keypers with a fresh DKG, the sequencer's JSON-RPC",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "data-dir", Usage: "keep state here across restarts (default: a temporary directory, removed at exit)", EnvVars: env("DEVNET_DATA_DIR")},
			&cli.IntFlag{Name: "keypers", Value: 5, Usage: "committee size n", EnvVars: env("DEVNET_KEYPERS")},
			&cli.IntFlag{Name: "threshold", Value: 3, Usage: "keypers needed for a key, t", EnvVars: env("DEVNET_THRESHOLD")},
			&cli.DurationFlag{Name: "batch-interval", Value: time.Second, Usage: "time between batches (the L2 block time)", EnvVars: env("DEVNET_BATCH_INTERVAL")},
			&cli.StringFlag{Name: "http-addr", Value: "127.0.0.1:8545", Usage: "JSON-RPC over HTTP", EnvVars: env("DEVNET_HTTP_ADDR")},
			&cli.StringFlag{Name: "ws-addr", Value: "127.0.0.1:8546", Usage: "JSON-RPC over WebSocket (empty: none)", EnvVars: env("DEVNET_WS_ADDR")},
			&cli.DurationFlag{Name: "l1-block-time", Value: 2 * time.Second, Usage: "time between L1 blocks", EnvVars: env("DEVNET_L1_BLOCK_TIME")},
			&cli.StringFlag{Name: "log-level", Value: "warn", Usage: "debug, info, warn or error (progress is printed regardless)", EnvVars: env("DEVNET_LOG_LEVEL")},
		},
		Action: func(c *cli.Context) error {
			var level slog.Level
			if err := level.UnmarshalText([]byte(c.String("log-level"))); err != nil {
				return fmt.Errorf("--log-level: %w", err)
			}
			log := slog.New(slog.NewTextHandler(c.App.ErrWriter, &slog.HandlerOptions{Level: level}))
			ctx, stop := signalContext(c.Context)
			defer stop()
			return runDevnet(ctx, devnetConfig{dataDir: c.String("data-dir"), keypers: c.Int("keypers"), threshold: c.Int("threshold"),
				interval: c.Duration("batch-interval"), httpAddr: c.String("http-addr"), wsAddr: c.String("ws-addr"),
				l1BlockTime: c.Duration("l1-block-time")}, c.App.Writer, log)
		},
	}
}

type devnetConfig struct {
	dataDir           string
	keypers           int
	threshold         int
	interval          time.Duration
	httpAddr, wsAddr  string
	l1BlockTime       time.Duration
	onReady           func(rpcURL string) // tests
	devAccountBalance *big.Int
}

// devnetState is what a devnet keeps in its data directory besides the
// components' own stores.
type devnetState struct {
	Chain    *execution.ChainConfig `json:"chain"`
	L1Height uint64                 `json:"l1Height"`
}

// DevAccount returns dev account i's key: derived from a fixed seed, the
// same everywhere, for development only.
func DevAccount(i int) *ecdsa.PrivateKey {
	seed := crypto.Keccak256([]byte("veil devnet account"), binary.BigEndian.AppendUint64(nil, uint64(i)))
	for {
		// A hash is a valid key except with negligible probability; hash
		// again in that case.
		if k, err := crypto.ToECDSA(seed); err == nil {
			return k
		}
		seed = crypto.Keccak256(seed)
	}
}

func runDevnet(ctx context.Context, cfg devnetConfig, out io.Writer, log *slog.Logger) error {
	if cfg.keypers < 1 || cfg.threshold < 1 || cfg.threshold > cfg.keypers {
		return fmt.Errorf("devnet: need 1 <= threshold (%d) <= keypers (%d)", cfg.threshold, cfg.keypers)
	}
	if 2*cfg.threshold <= cfg.keypers {
		return fmt.Errorf("devnet: threshold %d of %d keypers: two disjoint quorums could release keys for different batches; need threshold > keypers/2", cfg.threshold, cfg.keypers)
	}
	progress := func(format string, a ...any) { fmt.Fprintf(out, format+"\n", a...) }
	dir := cfg.dataDir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "veil-devnet-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	state, err := loadDevnetState(dir)
	if err != nil {
		return err
	}

	// Keys: the sequencer's, and each keyper's.
	// The sequencer's key, as `veil sequencer init` writes it.
	seqKeyPath := filepath.Join(dir, SequencerKeyFile)
	seqKey, err := keyfile.ReadOrCreate(seqKeyPath)
	if err != nil {
		return err
	}
	seqAddr := crypto.PubkeyToAddress(seqKey.PublicKey)
	keys := make([]*keyper.Keys, cfg.keypers)
	for i := range keys {
		kd := filepath.Join(dir, "keyper-"+strconv.Itoa(i))
		if keys[i], err = keyper.LoadKeys(kd, nil); errors.Is(err, os.ErrNotExist) {
			keys[i], err = keyper.InitKeys(kd, nil)
		}
		if err != nil {
			return fmt.Errorf("devnet: keyper %d keys: %w", i, err)
		}
	}
	if state.Chain == nil {
		alloc := types.GenesisAlloc{seqAddr: {Balance: ether(1000)}}
		bal := cfg.devAccountBalance
		if bal == nil {
			bal = ether(10_000)
		}
		for i := range devnetAccounts {
			alloc[crypto.PubkeyToAddress(DevAccount(i).PublicKey)] = types.Account{Balance: bal}
		}
		state.Chain = &execution.ChainConfig{ChainID: devnetChainID, GasLimit: execution.DefaultGasLimit,
			Timestamp: uint64(time.Now().Unix()), Sequencer: seqAddr, BridgeSupply: (*math.HexOrDecimal256)(ether(1_000_000)), Alloc: alloc}
	}

	// L1.
	progress("starting the L1 (in-process, block time %v)", cfg.l1BlockTime)
	sim := simulated.NewBackend(types.GenesisAlloc{})
	defer sim.Close()
	for range state.L1Height {
		sim.Commit()
	}
	var l1wg sync.WaitGroup
	l1ctx, stopL1 := context.WithCancel(ctx)
	defer func() { stopL1(); l1wg.Wait() }()
	var l1mu sync.Mutex
	l1wg.Go(func() {
		t := time.NewTicker(cfg.l1BlockTime)
		defer t.Stop()
		for {
			select {
			case <-l1ctx.Done():
				return
			case <-t.C:
				l1mu.Lock()
				sim.Commit()
				l1mu.Unlock()
			}
		}
	})

	// Addresses: the sequencer's and each keyper's libp2p host.
	hostKeys := make([]string, cfg.keypers+1)
	listen := make([]string, cfg.keypers+1)
	ids := make([]string, cfg.keypers+1)
	for i := range hostKeys {
		hostKeys[i] = filepath.Join(dir, "p2p-"+strconv.Itoa(i)+".key")
		hk, err := p2p.LoadOrCreateHostKey(hostKeys[i])
		if err != nil {
			return err
		}
		id, err := peer.IDFromPrivateKey(hk)
		if err != nil {
			return err
		}
		port, err := loopbackPort()
		if err != nil {
			return err
		}
		listen[i], ids[i] = fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", port), id.String()
	}
	addr := func(i int) string { return listen[i] + "/p2p/" + ids[i] }
	committee := &keyper.Committee{ChainID: devnetChainID, Eon: devnetEonNumber, Threshold: cfg.threshold,
		Tolerated: 2*cfg.threshold - cfg.keypers - 1, Sequencer: seqAddr}
	for i, k := range keys {
		pub, err := k.DKGPublic()
		if err != nil {
			return err
		}
		committee.Members = append(committee.Members, keyper.Member{Address: k.Address(), DKGPublicKey: pub, Peer: addr(i + 1)})
	}
	if err := committee.Check(); err != nil {
		return err
	}
	points := tpke.NewPointCache(1 << 16)

	// Keypers.
	progress("starting %d keypers (threshold %d) and running the DKG", cfg.keypers, cfg.threshold)
	kctx, stopKeypers := context.WithCancel(ctx)
	var kwg sync.WaitGroup
	var closers []func() error // stores and hosts, closed once the keypers stopped
	defer func() {
		stopKeypers()
		kwg.Wait()
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}()
	stores := make([]*keyper.Store, cfg.keypers)
	kerr := make(chan error, cfg.keypers)
	for i := range keys {
		kd := filepath.Join(dir, "keyper-"+strconv.Itoa(i))
		st, err := keyper.OpenStore(filepath.Join(kd, keyper.StoreFile))
		if err != nil {
			return err
		}
		stores[i] = st
		closers = append(closers, st.Close)
		hk, _ := p2p.LoadOrCreateHostKey(hostKeys[i+1])
		var peers []string
		for j := range listen {
			if j != i+1 {
				peers = append(peers, addr(j))
			}
		}
		host, err := p2p.New(kctx, p2p.Config{ListenAddrs: []string{listen[i+1]}, HostKey: hk, Peers: peers, ChainID: devnetChainID,
			MaxMessageSize: ordering.DefaultMaxBytes + 2<<20, MaxRedialBackoff: 2 * time.Second, Logger: log})
		if err != nil {
			return err
		}
		closers = append(closers, host.Close)
		kwg.Go(func() {
			err := keyper.Run(kctx, keyper.RunConfig{Committee: committee, Keys: keys[i], Store: st, Dir: kd, P2P: host, L1: lockedL1{sim.Client(), &l1mu},
				L1Follow: keyper.L1FollowConfig{Confirmations: 1, Interval: cfg.l1BlockTime / 2},
				Release: keyper.ReleaseConfig{MaxDrift: 10, MaxTxs: ordering.DefaultMaxTxs, MaxBytes: ordering.DefaultMaxBytes + 1<<20,
					MaxGasLimit: state.Chain.GasLimit},
				DKGPhaseTimeout: 5 * time.Second, Logger: log.With("keyper", i), PointCache: points})
			if err != nil {
				kerr <- fmt.Errorf("keyper %d: %w", i, err)
			}
		})
	}
	start := time.Now()
	var res *devnetEonKey
	for res == nil {
		select {
		case <-ctx.Done():
			return nil
		case err := <-kerr:
			return err
		case <-time.After(200 * time.Millisecond):
		}
		if r, err := keyper.LoadDKGResult(stores[0], filepath.Join(dir, "keyper-0"), nil, devnetEonNumber); err == nil {
			res = &devnetEonKey{key: r.EonPublicKey, shares: r.PublicShares}
		} else if !errors.Is(err, keyper.ErrNoDKGResult) {
			return err
		}
	}
	progress("DKG done in %v: eon %d key %x", time.Since(start).Round(time.Millisecond), devnetEonNumber, res.key.Bytes())

	// Sequencer.
	seqHK, _ := p2p.LoadOrCreateHostKey(hostKeys[0])
	var seqPeers []string
	for j := 1; j < len(listen); j++ {
		seqPeers = append(seqPeers, addr(j))
	}
	seqHost, err := p2p.New(ctx, p2p.Config{ListenAddrs: []string{listen[0]}, HostKey: seqHK, Peers: seqPeers, ChainID: devnetChainID,
		MaxMessageSize: ordering.DefaultMaxBytes + 2<<20, MaxRedialBackoff: 2 * time.Second, Logger: log})
	if err != nil {
		return err
	}
	defer seqHost.Close()
	httpHost, httpPort, err := splitAddr(cfg.httpAddr)
	if err != nil {
		return fmt.Errorf("--http-addr: %w", err)
	}
	wsHost, wsPort, err := splitAddr(cfg.wsAddr)
	if err != nil {
		return fmt.Errorf("--ws-addr: %w", err)
	}
	if err := saveDevnetState(dir, state); err != nil {
		return err
	}
	seq, err := ordering.Open(ordering.Config{DataDir: filepath.Join(dir, "sequencer"), Chain: state.Chain, SequencerKey: seqKey,
		Committee: committee, EonKey: res.key, PublicShares: res.shares, P2P: seqHost,
		Origin: ordering.ConfirmedOrigin{L1: lockedL1{sim.Client(), &l1mu}, Confirmations: 1},
		Cut:    ordering.CutConfig{Interval: cfg.interval}, HTTPHost: httpHost, HTTPPort: httpPort, WSHost: wsHost, WSPort: wsPort,
		Logger: log.With("component", "sequencer"), Registry: prometheus.NewRegistry(), PointCache: points})
	if err != nil {
		return err
	}
	defer seq.Close()

	rpcURL := seq.Exec().HTTPEndpoint()
	progress("")
	progress("Veil devnet is running. Ctrl-C stops it.")
	progress("  JSON-RPC:  %s", rpcURL)
	if ws := seq.Exec().WSEndpoint(); wsHost != "" {
		progress("  WebSocket: %s", ws)
	}
	progress("  chain id:  %d", devnetChainID)
	progress("  sequencer: %s", seqAddr)
	progress("  data dir:  %s", dir)
	progress("")
	progress("Dev accounts (development keys: never send them real value):")
	for i := range devnetAccounts {
		k := DevAccount(i)
		progress("  %s  key 0x%x", crypto.PubkeyToAddress(k.PublicKey), crypto.FromECDSA(k))
	}
	if cfg.onReady != nil {
		cfg.onReady(rpcURL)
	}

	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			progress("stopping")
			l1mu.Lock()
			h, err := sim.Client().BlockNumber(context.Background())
			l1mu.Unlock()
			if err != nil {
				return err
			}
			state.L1Height = h
			return saveDevnetState(dir, state)
		case err := <-kerr:
			return err
		case <-tick.C:
			if err := seq.Err(); err != nil {
				return err
			}
		}
	}
}

type devnetEonKey struct {
	key    *tpke.EonPublicKey
	shares []*tpke.PublicShare
}

func ether(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(params.Ether)) }

func loadDevnetState(dir string) (*devnetState, error) {
	var s devnetState
	raw, err := os.ReadFile(filepath.Join(dir, "devnet.json"))
	if errors.Is(err, os.ErrNotExist) {
		return &s, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("devnet: %s: %w", filepath.Join(dir, "devnet.json"), err)
	}
	return &s, nil
}

func saveDevnetState(dir string, s *devnetState) error {
	raw, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, "devnet.json.tmp")
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, "devnet.json"))
}

// loopbackPort returns a 127.0.0.1 TCP port that was free a moment ago.
func loopbackPort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// splitAddr splits host:port ("" for none).
func splitAddr(a string) (string, int, error) {
	if a == "" {
		return "", 0, nil
	}
	h, p, err := net.SplitHostPort(a)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	return h, port, err
}

// lockedL1 serializes reads of the simulated L1 with its block production.
type lockedL1 struct {
	c  simulated.Client
	mu *sync.Mutex
}

func (l lockedL1) HeaderByNumber(ctx context.Context, n *big.Int) (*types.Header, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.c.HeaderByNumber(ctx, n)
}
