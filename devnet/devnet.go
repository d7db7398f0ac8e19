package devnet

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	mathrand "math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/math"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/execution"
	"github.com/veil-l2/veil/internal/keyfile"
	"github.com/veil-l2/veil/internal/p2p"
	"github.com/veil-l2/veil/keyper"
	"github.com/veil-l2/veil/keyper/dkg"
	"github.com/veil-l2/veil/l1"
	"github.com/veil-l2/veil/verify"
)

const (
	// ChainID is the devnet's L2 chain id.
	ChainID = 7117
	// Eon is the first committee's eon number (keyper set 0 votes it;
	// AddKeyperSet's committees vote the eons after it).
	Eon = 1
	// Accounts is how many dev accounts are funded by default.
	Accounts = 10
	// ForcedInclusionDeadline is L1Inbox's deadline, in L1 blocks.
	ForcedInclusionDeadline = 32
	// StateFile is the devnet's own record in its directory.
	StateFile = "devnet.json"
	// DefaultCacheMB caps go-ethereum's caches in the devnet's L2 nodes
	// (the sequencer's and the verifier's): a devnet's state is a few
	// hundred accounts, so the production default (execution.DefaultCacheMB)
	// would only hold resident memory.
	DefaultCacheMB = 64
)

// ErrConfig reports a devnet configuration that cannot run.
var ErrConfig = errors.New("devnet: invalid configuration")

// Config is one devnet.
type Config struct {
	// Dir keeps the state; "" means a temporary directory removed by Close.
	Dir       string
	Keypers   int // committee size n (default 5)
	Threshold int // keypers needed for a key, t (default 3)
	// Interval is the batch interval, the L2 block time (default 1 s).
	Interval time.Duration
	// HTTPAddr and WSAddr are the sequencer's JSON-RPC endpoints
	// (host:port, port 0 picks one; "" for none).
	HTTPAddr, WSAddr string
	// L1HTTPAddr is where the in-process L1 serves Ethereum JSON-RPC
	// (host:port, port 0 picks one; "" for none).
	L1HTTPAddr string
	// L1BlockTime is the in-process L1's block time (default 2 s).
	L1BlockTime time.Duration
	// L1Confirmations: a batch's L1 origin and its deposits are this many
	// L1 blocks below the head (default 1).
	L1Confirmations uint64
	// DevAccountBalance is each dev account's L2 and L1 balance (default
	// 10000 ether).
	DevAccountBalance *big.Int
	// DevAccounts is how many dev accounts (DevAccount(0), ...) are funded
	// (default Accounts). It is part of the genesis: a directory keeps the
	// count it started with.
	DevAccounts int
	// CacheMB caps go-ethereum's caches in the sequencer's and the
	// verifier's L2 nodes (execution.Config.CacheMB; default
	// DefaultCacheMB).
	CacheMB int
	// NoVerifier leaves out the verifier that follows L1 and re-executes
	// every posted batch (it doubles the execution work: benchmarks).
	NoVerifier bool
	// Rescuer runs a rescuer (package rescue) beside the verifier: it
	// posts, from its own L1 account (rescuer.key, funded by the
	// operator), the batches the keypers re-publish because the sequencer
	// withheld them.
	Rescuer bool
	// RepublishAfter: a keyper re-publishes a batch it released that is
	// not on L1 this long after (keyper.DefaultRepublishAfter when 0).
	RepublishAfter time.Duration
	// WithholdKeys is the sequencer's fault-injection hook for tests
	// (ordering.Config.WithholdKeys): it withholds a batch it has the keys
	// of when the hook says so.
	WithholdKeys func(number uint64) bool
	// Progress, when set, is told what the devnet is doing while it starts.
	Progress func(format string, args ...any)
	Logger   *slog.Logger
}

func (c *Config) defaults() error {
	if c.Keypers == 0 {
		c.Keypers = 5
	}
	if c.Threshold == 0 {
		c.Threshold = 3
	}
	if c.Interval == 0 {
		c.Interval = time.Second
	}
	if c.L1BlockTime == 0 {
		c.L1BlockTime = 2 * time.Second
	}
	if c.L1Confirmations == 0 {
		c.L1Confirmations = 1
	}
	if c.DevAccounts == 0 {
		c.DevAccounts = Accounts
	}
	if c.CacheMB == 0 {
		c.CacheMB = DefaultCacheMB
	}
	if c.DevAccountBalance == nil {
		c.DevAccountBalance = Ether(10_000)
	}
	if c.Progress == nil {
		c.Progress = func(string, ...any) {}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	switch {
	case c.Keypers < 1 || c.Threshold < 1 || c.Threshold > c.Keypers:
		return fmt.Errorf("%w: need 1 <= threshold (%d) <= keypers (%d)", ErrConfig, c.Threshold, c.Keypers)
	case 2*c.Threshold <= c.Keypers:
		return fmt.Errorf("%w: threshold %d of %d keypers: two disjoint quorums could release keys for different batches; "+
			"need threshold > keypers/2", ErrConfig, c.Threshold, c.Keypers)
	case c.CacheMB < 0:
		return fmt.Errorf("%w: cache of %d MiB: give a positive size, or 0 for the default %d", ErrConfig, c.CacheMB, DefaultCacheMB)
	case c.Interval < time.Second:
		return fmt.Errorf("%w: batch interval %v: L2 block timestamps are whole seconds, so at least 1s", ErrConfig, c.Interval)
	}
	return nil
}

// state is what a devnet keeps in its directory besides the components'
// own stores.
type state struct {
	Chain     *execution.ChainConfig `json:"chain"`
	Contracts *l1.Contracts          `json:"contracts,omitempty"`
	KeyperSet uint64                 `json:"keyperSet"`
	// Sets are the keyper sets AddKeyperSet added after the first.
	Sets []setState `json:"sets,omitempty"`
}

// setState is a keyper set added after the first.
type setState struct {
	Index      uint64 `json:"index"`
	Keypers    int    `json:"keypers"`
	Threshold  int    `json:"threshold"`
	Activation uint64 `json:"activation"`
}

// Devnet is the running system. Its fields are read-only.
type Devnet struct {
	cfg  Config
	dir  string
	tmp  bool
	st   *state
	log  *slog.Logger
	ctx  context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup

	// L1 is the in-process L1 chain.
	L1 *l1.Chain
	// Contracts are Veil's L1 contracts on it.
	Contracts l1.Contracts
	// Committee is the first keyper committee's (eon Eon).
	Committee *keyper.Committee
	// EonKey is the first eon's key as accepted on L1.
	EonKey *tpke.EonPublicKey
	// SequencerKey signs batches and receipts and posts to L1.
	SequencerKey *ecdsa.PrivateKey
	// OperatorKey is the L1 operator's: it deploys the contracts, owns
	// KeyperSetManager and funds new keypers. It is not the poster's, so
	// the operator's transactions never take the poster's nonces.
	OperatorKey *ecdsa.PrivateKey

	seqHost *member // the sequencer's libp2p host
	// rescueHost is the rescuer's libp2p host (nil without Config.Rescuer):
	// keypers peer with it.
	rescueHost *member
	points     *tpke.PointCache
	eons       *l1.Eons
	addMu      sync.Mutex // serializes AddKeyperSet

	// setMu guards sets, each set's eonKey and shares, and st.Sets. Lock
	// order: mu before setMu.
	setMu sync.RWMutex
	sets  []*keyperSet // by index on L1

	verified atomic.Uint64
	metrics  metricsSet
	verifier *verify.Verifier // nil without one
	// vhashes holds the block hash of each batch the verifier checked.
	vhashes  sync.Map   // uint64 -> common.Hash
	rescuer  *rescuer   // nil without Config.Rescuer
	mu       sync.Mutex // guards seq and each set's procs
	seq      *seqProc
	failures chan error
}

// member is a libp2p host of the devnet: its key file and this start's
// address.
type member struct {
	hostKey, listen, id string
}

func (m *member) addr() string { return m.listen + "/p2p/" + m.id }

// keyperSet is one committee: keyper set index on L1, voting eon index+1,
// its keypers' keys and hosts, and once its DKG is done and its key is
// final on L1, the key and the public shares.
type keyperSet struct {
	index      uint64
	eon        uint64
	activation uint64
	committee  *keyper.Committee
	keys       []*keyper.Keys
	hosts      []*member
	procs      []*keyperProc // under Devnet.mu
	// Set once the DKG is done and the key is final (under Devnet.setMu).
	eonKey *tpke.EonPublicKey
	shares []*tpke.PublicShare
}

// Start brings the devnet up: the L1 with the contracts deployed and the
// keyper set added, the keypers with their DKG and their votes for the eon
// key on L1, the sequencer with its JSON-RPC, and the poster. It returns
// once the eon key is final on L1 and the sequencer runs.
func Start(ctx context.Context, cfg Config) (_ *Devnet, err error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	d := &Devnet{cfg: cfg, dir: cfg.Dir, log: cfg.Logger, failures: make(chan error, 64), points: tpke.NewPointCache(1 << 16)}
	d.ctx, d.stop = context.WithCancel(context.Background())
	defer func() {
		if err != nil {
			d.Close() // everything started so far
		}
	}()
	if d.dir == "" {
		if d.dir, err = os.MkdirTemp("", "veil-devnet-"); err != nil {
			return nil, err
		}
		d.tmp = true
	}
	if err := os.MkdirAll(d.dir, 0o700); err != nil {
		return nil, err
	}
	if d.st, err = loadState(d.dir); err != nil {
		return nil, err
	}
	if err := d.loadKeys(); err != nil {
		return nil, err
	}
	if err := d.startL1(ctx); err != nil {
		return nil, err
	}
	if err := d.writeConfigs(); err != nil {
		return nil, err
	}
	d.eons = l1.NewEons(d.L1, d.Contracts)
	for _, set := range d.sets {
		if err := d.writeCommittee(set); err != nil {
			return nil, err
		}
		if err := d.startKeypers(set); err != nil {
			return nil, err
		}
	}
	for _, set := range d.sets {
		if err := d.awaitEonKey(ctx, set); err != nil {
			return nil, err
		}
	}
	d.setMu.RLock()
	d.EonKey = d.sets[0].eonKey
	d.setMu.RUnlock()
	if err := d.StartSequencer(); err != nil {
		return nil, err
	}
	if !d.cfg.NoVerifier {
		if err := d.startVerifier(ctx); err != nil {
			return nil, err
		}
	}
	if d.cfg.Rescuer {
		if err := d.startRescuer(ctx); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// startVerifier runs a verifier that follows L1 and checks every posted
// batch (package verify), keeping its chain in the devnet's directory. A
// mismatch stops the devnet with the verifier's error.
func (d *Devnet) startVerifier(ctx context.Context) error {
	v, err := verify.New(ctx, verify.Config{L1: d.L1, Contracts: d.Contracts, Chain: d.st.Chain, DataDir: filepath.Join(d.dir, "verifier"),
		CacheMB: d.cfg.CacheMB, Confirmations: 0, PollInterval: d.cfg.L1BlockTime / 2, Logger: d.log.With("component", "verifier"),
		OnVerified: func(r verify.Result) {
			d.vhashes.Store(r.Number, r.BlockHash)
			d.verified.Store(r.Number)
		}})
	if err != nil {
		return fmt.Errorf("devnet: verifier: %w", err)
	}
	d.verifier = v
	d.cfg.Progress("verifier following L1 (its chain in %s)", filepath.Join(d.dir, "verifier"))
	d.wg.Go(func() {
		defer v.Close()
		if err := v.Follow(d.ctx); err != nil && d.ctx.Err() == nil {
			d.fail(fmt.Errorf("verifier: %w", err))
		}
	})
	return nil
}

// Verified is the highest batch the devnet's verifier has checked against
// L1 (0 before the first, and without a verifier).
func (d *Devnet) Verified() uint64 { return d.verified.Load() }

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

// Ether is n ether in wei.
func Ether(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(params.Ether)) }

// Dir is the devnet's directory.
func (d *Devnet) Dir() string { return d.dir }

// Chain is the L2 chain config (genesis).
func (d *Devnet) Chain() *execution.ChainConfig { return d.st.Chain }

// loadKeys reads or creates the sequencer's and keypers' keys and the L2
// genesis.
func (d *Devnet) loadKeys() error {
	var err error
	if d.OperatorKey, err = keyfile.ReadOrCreate(filepath.Join(d.dir, "l1-operator.key")); err != nil {
		return err
	}
	if d.SequencerKey, err = keyfile.ReadOrCreate(filepath.Join(d.dir, "sequencer.key")); err != nil {
		return err
	}
	if d.st.Chain == nil {
		seq := crypto.PubkeyToAddress(d.SequencerKey.PublicKey)
		alloc := types.GenesisAlloc{seq: {Balance: Ether(1000)}}
		for i := range d.cfg.DevAccounts {
			alloc[crypto.PubkeyToAddress(DevAccount(i).PublicKey)] = types.Account{Balance: d.cfg.DevAccountBalance}
		}
		d.st.Chain = &execution.ChainConfig{ChainID: ChainID, GasLimit: execution.DefaultGasLimit, Timestamp: uint64(time.Now().Unix()),
			Sequencer: seq, BridgeSupply: (*math.HexOrDecimal256)(Ether(1_000_000)), Alloc: alloc}
	}
	if d.seqHost, err = newMember(filepath.Join(d.dir, "p2p-0.key")); err != nil {
		return err
	}
	if d.cfg.Rescuer {
		if d.rescueHost, err = newMember(filepath.Join(d.dir, "p2p-rescuer.key")); err != nil {
			return err
		}
	}
	first, err := d.newSet(d.st.KeyperSet, d.cfg.Keypers, d.cfg.Threshold)
	if err != nil {
		return err
	}
	d.sets = []*keyperSet{first}
	d.Committee = first.committee
	for _, ss := range d.st.Sets {
		set, err := d.newSet(ss.Index, ss.Keypers, ss.Threshold)
		if err != nil {
			return err
		}
		set.activation = ss.Activation
		d.sets = append(d.sets, set)
	}
	return nil
}

// newMember reads or creates a libp2p host key and picks a loopback port
// for this start.
func newMember(keyFile string) (*member, error) {
	hk, err := p2p.LoadOrCreateHostKey(keyFile)
	if err != nil {
		return nil, err
	}
	id, err := peer.IDFromPrivateKey(hk)
	if err != nil {
		return nil, err
	}
	port, err := LoopbackPort()
	if err != nil {
		return nil, err
	}
	return &member{hostKey: keyFile, listen: fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", port), id: id.String()}, nil
}

// newSet reads or creates the keys of keyper set index's n keypers (in
// the first set's directories for index 0, set-<index>/ for the others)
// and makes its committee, with this start's peer addresses.
func (d *Devnet) newSet(index uint64, n, t int) (*keyperSet, error) {
	set := &keyperSet{index: index, eon: index + 1, procs: make([]*keyperProc, n)}
	for i := range n {
		kd := d.keyperDir(index, i)
		k, err := keyper.LoadKeys(kd, nil)
		if errors.Is(err, os.ErrNotExist) {
			k, err = keyper.InitKeys(kd, nil)
		}
		if err != nil {
			return nil, fmt.Errorf("devnet: keyper %d of set %d keys: %w", i, index, err)
		}
		hostKey := filepath.Join(d.dir, "p2p-"+strconv.Itoa(i+1)+".key")
		if index > 0 {
			hostKey = filepath.Join(d.setDir(index), "p2p-"+strconv.Itoa(i)+".key")
		}
		m, err := newMember(hostKey)
		if err != nil {
			return nil, err
		}
		set.keys, set.hosts = append(set.keys, k), append(set.hosts, m)
	}
	set.committee = &keyper.Committee{ChainID: ChainID, Eon: set.eon, Threshold: t, Tolerated: 2*t - n - 1,
		Sequencer: crypto.PubkeyToAddress(d.SequencerKey.PublicKey)}
	for i, k := range set.keys {
		pub, err := k.DKGPublic()
		if err != nil {
			return nil, err
		}
		set.committee.Members = append(set.committee.Members, keyper.Member{Address: k.Address(), DKGPublicKey: pub, Peer: set.hosts[i].addr()})
	}
	return set, set.committee.Check()
}

func (d *Devnet) setDir(index uint64) string {
	return filepath.Join(d.dir, "set-"+strconv.FormatUint(index, 10))
}

// keyperDir is keyper i's directory in set index: keys, store, DKG files.
func (d *Devnet) keyperDir(index uint64, i int) string {
	if index == 0 {
		return filepath.Join(d.dir, "keyper-"+strconv.Itoa(i))
	}
	return filepath.Join(d.setDir(index), "keyper-"+strconv.Itoa(i))
}

// writeCommittee writes a set's committee config (keyper.Committee JSON,
// with this start's peer addresses) as committee-<eon>.json, for other
// tools.
func (d *Devnet) writeCommittee(set *keyperSet) error {
	raw, err := json.MarshalIndent(set.committee, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(d.dir, "committee-"+strconv.FormatUint(set.eon, 10)+".json"), append(raw, '\n'), 0o644)
}

// startL1 starts the in-process L1 and deploys the contracts and the
// keyper set on a new one.
func (d *Devnet) startL1(ctx context.Context) error {
	d.cfg.Progress("starting the L1 (in-process, block time %v)", d.cfg.L1BlockTime)
	seq := crypto.PubkeyToAddress(d.SequencerKey.PublicKey)
	operator := crypto.PubkeyToAddress(d.OperatorKey.PublicKey)
	alloc := types.GenesisAlloc{seq: {Balance: Ether(1_000_000)}, operator: {Balance: Ether(1_000_000)}}
	for _, k := range d.sets[0].keys {
		alloc[k.Address()] = types.Account{Balance: Ether(100)}
	}
	for i := range d.cfg.DevAccounts {
		alloc[crypto.PubkeyToAddress(DevAccount(i).PublicKey)] = types.Account{Balance: d.cfg.DevAccountBalance}
	}
	chain, err := l1.OpenEmbedded(filepath.Join(d.dir, "l1"), alloc, d.cfg.L1HTTPAddr)
	if err != nil {
		return err
	}
	d.L1 = chain
	d.wg.Go(func() { chain.MineEvery(d.ctx, d.cfg.L1BlockTime) })
	if d.st.Contracts != nil {
		d.Contracts = *d.st.Contracts
		return d.Contracts.Verify(ctx, chain, ChainID)
	}
	d.cfg.Progress("deploying the contracts and the keyper set on L1")
	if d.Contracts, err = l1.Deploy(ctx, chain, d.OperatorKey, contracts.L1Config{ChainID: ChainID, Owner: operator, Sequencer: seq,
		ForcedInclusionDeadline: ForcedInclusionDeadline}); err != nil {
		return err
	}
	members := make([]common.Address, len(d.sets[0].keys))
	for i, k := range d.sets[0].keys {
		members[i] = k.Address()
	}
	if d.st.KeyperSet, _, err = l1.AddKeyperSetAfter(ctx, chain, d.Contracts, d.OperatorKey, members, uint64(d.cfg.Threshold), 1); err != nil {
		return err
	}
	d.st.Contracts = &d.Contracts
	return saveState(d.dir, d.st)
}

// Files the devnet writes for other tools: the L2 chain config (the JSON
// `veil sequencer --chain` and `veil verify --chain` read) and the L1
// contracts (`--contracts`).
const (
	ChainFile     = "chain.json"
	ContractsFile = "contracts.json"
)

func (d *Devnet) writeConfigs() error {
	raw, err := json.MarshalIndent(d.st.Chain, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(d.dir, ChainFile), append(raw, '\n'), 0o644); err != nil {
		return err
	}
	return l1.WriteContracts(filepath.Join(d.dir, ContractsFile), d.Contracts)
}

// awaitEonKey waits for a set's DKG and for the eon key its keypers vote
// to be final on L1, checked to be the key the DKG made; then the set's
// eon can be scheduled. On the in-process L1 it seals blocks ahead to the
// next finalized epoch instead of waiting up to 32 block times.
func (d *Devnet) awaitEonKey(ctx context.Context, set *keyperSet) error {
	start := time.Now()
	var res *dkg.Result
	for res == nil {
		if err := d.pause(ctx, 200*time.Millisecond); err != nil {
			return err
		}
		// Any running member's record has the public shares.
		d.mu.Lock()
		procs := slices.Clone(set.procs)
		d.mu.Unlock()
		for i, p := range procs {
			if p == nil {
				continue
			}
			r, err := keyper.LoadDKGResult(p.store, d.keyperDir(set.index, i), nil, set.eon)
			if err == nil {
				res = r
				break
			}
			if !errors.Is(err, keyper.ErrNoDKGResult) && !errors.Is(err, keyper.ErrStore) {
				return err
			}
		}
	}
	d.cfg.Progress("eon %d: DKG done in %v; the keypers vote the eon key on L1", set.eon, time.Since(start).Round(time.Millisecond))
	keys := d.eons.EonKeys()
	for {
		k, err := keys.Get(ctx, set.eon)
		if err == nil {
			pk, err := tpke.ParseEonPublicKey(k.Key)
			if err != nil {
				return fmt.Errorf("devnet: the eon key on L1: %w", err)
			}
			if !bytes.Equal(k.Key, res.EonPublicKey.Bytes()) || k.KeyperSet != set.index {
				return fmt.Errorf("devnet: L1 accepted eon %d key %x from keyper set %d, the DKG of set %d made %x", set.eon, k.Key,
					k.KeyperSet, set.index, res.EonPublicKey.Bytes())
			}
			d.setMu.Lock()
			set.eonKey, set.shares = pk, res.PublicShares
			d.setMu.Unlock()
			d.cfg.Progress("eon %d key final on L1: %x", set.eon, k.Key)
			return nil
		}
		if !errors.Is(err, l1.ErrNoEonKey) {
			return err
		}
		// Accepted but not final yet: seal to the next epoch.
		if accepted, err := keys.Accepted(ctx, set.eon); err != nil {
			return err
		} else if accepted {
			if err := d.L1.SealToFinalized(ctx); err != nil {
				return err
			}
			continue
		}
		if err := d.pause(ctx, 200*time.Millisecond); err != nil {
			return err
		}
	}
}

// pause waits for dt, or returns the error that ended the wait: the
// context's, or a component's failure.
func (d *Devnet) pause(ctx context.Context, dt time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case err := <-d.failures:
		return err
	case <-time.After(dt):
		return nil
	}
}

// fail reports a component's failure to Wait.
func (d *Devnet) fail(err error) {
	select {
	case d.failures <- err:
	default:
	}
}

// Wait blocks until ctx ends (nil) or a component fails (its error).
func (d *Devnet) Wait(ctx context.Context) error {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-d.failures:
			return err
		case <-t.C:
			d.mu.Lock()
			seq := d.seq
			d.mu.Unlock()
			if seq != nil {
				if err := seq.s.Err(); err != nil {
					return err
				}
			}
		}
	}
}

// Close stops every component and, for a temporary directory, removes it.
func (d *Devnet) Close() error {
	d.StopSequencer()
	d.setMu.RLock()
	sets := slices.Clone(d.sets)
	d.setMu.RUnlock()
	for _, set := range sets {
		for i := range set.procs {
			d.StopEonKeyper(set.eon, i)
		}
	}
	d.stop()
	d.wg.Wait()
	var err error
	if d.L1 != nil {
		err = d.L1.Close()
	}
	if d.tmp {
		err = errors.Join(err, os.RemoveAll(d.dir))
	}
	return err
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

// LoopbackPort returns a 127.0.0.1 TCP port that was free a moment ago,
// for an address that must be known before its listener starts (a
// keyper's peer address, a URL that survives a restart). It is drawn at
// random below the kernel's ephemeral range: a port the kernel hands out
// for ":0" listeners and outgoing connections (an RPC client's, another
// test's) could be taken again between this check and the real listen.
func LoopbackPort() (int, error) {
	lo := ephemeralLow()
	for range 64 {
		if lo <= loopbackPortFloor {
			break
		}
		port := loopbackPortFloor + mathrand.IntN(lo-loopbackPortFloor)
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			ln.Close()
			return port, nil
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// loopbackPortFloor is the lowest port LoopbackPort draws.
const loopbackPortFloor = 20000

// ephemeralLow is the first port of the kernel's ephemeral range (Linux's
// default when it cannot be read).
func ephemeralLow() int {
	raw, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err == nil {
		if f := strings.Fields(string(raw)); len(f) == 2 {
			if lo, err := strconv.Atoi(f[0]); err == nil {
				return lo
			}
		}
	}
	return 32768
}

func loadState(dir string) (*state, error) {
	var s state
	raw, err := os.ReadFile(filepath.Join(dir, StateFile))
	if errors.Is(err, os.ErrNotExist) {
		return &s, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("devnet: %s: %w", filepath.Join(dir, StateFile), err)
	}
	return &s, nil
}

func saveState(dir string, s *state) error {
	raw, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, StateFile+".tmp")
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, StateFile))
}
