package execution

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"path/filepath"
	"slices"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/eth"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/eth/filters"
	"github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool"
)

// Submitter takes transactions that arrive on eth_sendRawTransaction: the
// sequencer's admission. The execution node never orders anything itself.
type Submitter interface {
	SubmitRawTransaction(ctx context.Context, raw []byte) (common.Hash, error)
}

// PendingNoncer is implemented by a Submitter that knows the transactions
// admitted and not yet executed: eth_getTransactionCount with "pending"
// answers its count, so wallets number their next transaction correctly.
type PendingNoncer interface {
	PendingNonce(addr common.Address) (nonce uint64, ok bool)
}

// ErrNoSubmitter answers eth_sendRawTransaction on a node without a
// sequencer behind it (a verifier or read replica).
var ErrNoSubmitter = errors.New("this node does not take transactions: send them to the sequencer")

// DefaultCheckpointInterval is how often the state is flushed to disk, which
// bounds the re-execution after a crash and lets the revealed set be pruned.
const DefaultCheckpointInterval = 64

// DefaultCacheMB is the default cache budget of go-ethereum's databases.
const DefaultCacheMB = 256

// Config configures a Node.
type Config struct {
	// DataDir holds go-ethereum's chain database (a cache) and Veil's record
	// (record.db). Empty means in memory, for tests.
	DataDir string
	Chain   *ChainConfig
	// HTTP and WebSocket JSON-RPC. A port of 0 picks a free one; an empty
	// host disables the endpoint.
	HTTPHost string
	HTTPPort int
	WSHost   string
	WSPort   int
	// Submitter receives eth_sendRawTransaction (nil: ErrNoSubmitter).
	Submitter Submitter
	// APIs are further JSON-RPC services served on HTTP and WebSocket
	// (the sequencer's veil_ namespace).
	APIs []rpc.API
	// HTTPBodyLimit caps a JSON-RPC request body in bytes; larger requests
	// are refused by the HTTP server (0: go-ethereum's 5 MiB).
	HTTPBodyLimit int
	// CacheMB caps go-ethereum's caches (database, clean and dirty trie
	// nodes, snapshot) in MiB; 0 means DefaultCacheMB.
	CacheMB int
	// CheckpointInterval in blocks (0: DefaultCheckpointInterval).
	CheckpointInterval uint64
	// Limits for envelopes (zero: encmempool.DefaultLimits).
	Limits encmempool.Limits
	Logger *slog.Logger
	// Registry receives the node's metrics (nil: not registered).
	Registry prometheus.Registerer
}

// Node is an L2 execution node: go-ethereum's chain and JSON-RPC, extended
// with blocks built from committed batches.
type Node struct {
	cfg     Config
	log     *slog.Logger
	stack   *node.Node
	eth     *eth.Ethereum
	chain   *core.BlockChain
	store   *store
	builder *builder
	metrics *metrics

	mu        sync.Mutex // serializes Apply
	recovered int        // blocks re-executed from the record at Open
}

// Open starts a node: it opens the chain database and the record,
// re-executes every recorded block above go-ethereum's durable head (as a
// verifier would), and serves JSON-RPC.
func Open(cfg Config) (*Node, error) {
	if cfg.Chain == nil {
		return nil, fmt.Errorf("%w: no chain config", ErrConfig)
	}
	if err := cfg.Chain.Check(); err != nil {
		return nil, err
	}
	if cfg.CheckpointInterval == 0 {
		cfg.CheckpointInterval = DefaultCheckpointInterval
	}
	if cfg.CacheMB <= 0 {
		cfg.CacheMB = DefaultCacheMB
	}
	if cfg.Limits.MaxCiphertext == 0 {
		cfg.Limits = encmempool.DefaultLimits
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	nodeCfg := node.DefaultConfig
	nodeCfg.Name = "veil"
	nodeCfg.DataDir = cfg.DataDir
	nodeCfg.P2P = p2p.Config{NoDiscovery: true, MaxPeers: 0, ListenAddr: ""}
	nodeCfg.HTTPHost, nodeCfg.HTTPPort = cfg.HTTPHost, cfg.HTTPPort
	nodeCfg.HTTPModules = []string{"eth", "net", "web3"}
	nodeCfg.HTTPVirtualHosts = []string{"*"}
	nodeCfg.WSHost, nodeCfg.WSPort = cfg.WSHost, cfg.WSPort
	nodeCfg.WSModules = []string{"eth", "net", "web3"}
	for _, api := range cfg.APIs {
		if !slices.Contains(nodeCfg.HTTPModules, api.Namespace) {
			nodeCfg.HTTPModules = append(nodeCfg.HTTPModules, api.Namespace)
			nodeCfg.WSModules = append(nodeCfg.WSModules, api.Namespace)
		}
	}
	if cfg.HTTPBodyLimit > 0 {
		nodeCfg.HTTPBodyLimit = cfg.HTTPBodyLimit
	}
	nodeCfg.WSOrigins = []string{"*"}
	nodeCfg.AuthPort = 0
	stack, err := node.New(&nodeCfg)
	if err != nil {
		return nil, fmt.Errorf("execution: node: %w", err)
	}
	ethCfg := ethconfig.Defaults
	ethCfg.Genesis = cfg.Chain.Genesis()
	ethCfg.NetworkId = cfg.Chain.ChainID
	ethCfg.SyncMode = ethconfig.FullSync
	ethCfg.StateScheme = rawdb.PathScheme
	ethCfg.TxPool.NoLocals = true
	// The prefetcher re-executes each inserted block speculatively on another
	// core; the builder has just executed it, so the caches are warm and the
	// prefetcher would only compete for the cores.
	ethCfg.NoPrefetch = true
	ethCfg.Miner.GasCeil = cfg.Chain.GasLimit
	ethCfg.RPCGasCap = cfg.Chain.GasLimit
	// The split go-ethereum's own command uses for its --cache budget.
	ethCfg.DatabaseCache = cfg.CacheMB * 50 / 100
	ethCfg.TrieCleanCache = cfg.CacheMB * 15 / 100
	ethCfg.TrieDirtyCache = cfg.CacheMB * 25 / 100
	ethCfg.SnapshotCache = cfg.CacheMB * 10 / 100
	backend, err := eth.New(stack, &ethCfg)
	if err != nil {
		stack.Close()
		return nil, fmt.Errorf("execution: chain: %w", err)
	}
	filterSystem := filters.NewFilterSystem(backend.APIBackend, filters.Config{})
	n := &Node{cfg: cfg, log: cfg.Logger, stack: stack, eth: backend, chain: backend.BlockChain()}
	stack.RegisterAPIs(append([]rpc.API{
		{Namespace: "eth", Service: filters.NewFilterAPI(filterSystem)},
		// Registered after eth.New: replaces only the methods of this name,
		// so transactions never reach go-ethereum's own pool.
		{Namespace: "eth", Service: &sendAPI{n: n}},
	}, cfg.APIs...))
	var dir string
	if cfg.DataDir != "" {
		dir = filepath.Join(cfg.DataDir, "veil")
	} else {
		dir = filepath.Join(stack.InstanceDir(), "veil-mem")
	}
	n.store, err = openStore(dir)
	if err != nil {
		stack.Close()
		return nil, err
	}
	n.metrics = newMetrics(cfg.Registry)
	n.builder = &builder{
		chain: n.chain, engine: backend.Engine(), config: n.chain.Config(),
		signer:   types.LatestSigner(n.chain.Config()),
		revealed: n.store.revealedBefore, limits: cfg.Limits,
	}
	if err := stack.Start(); err != nil {
		n.store.close()
		stack.Close()
		return nil, fmt.Errorf("execution: start: %w", err)
	}
	if err := n.recover(); err != nil {
		n.Close()
		return nil, err
	}
	return n, nil
}

// recover re-executes the recorded blocks above go-ethereum's head.
func (n *Node) recover() error {
	last, err := n.store.lastRecorded()
	if err != nil {
		return err
	}
	head := n.chain.CurrentBlock().Number.Uint64()
	if head > last {
		return fmt.Errorf("%w: chain head %d is above the record's %d", ErrStore, head, last)
	}
	if head < last {
		first, err := n.store.firstRecorded()
		if err != nil {
			return err
		}
		if head+1 < first {
			return fmt.Errorf("%w: chain head %d is below the record's first input %d (inputs at or below the previous checkpoint are pruned): the chain database lost flushed state",
				ErrStore, head, first)
		}
	}
	for num := head + 1; num <= last; num++ {
		raw, err := n.store.input(num)
		if err != nil {
			return err
		}
		if raw == nil {
			return fmt.Errorf("%w: block %d missing from the record", ErrStore, num)
		}
		var in BlockInput
		if err := in.UnmarshalBinary(raw); err != nil {
			return fmt.Errorf("%w: block %d: %w", ErrStore, num, err)
		}
		if _, err := n.apply(context.Background(), &in); err != nil {
			return fmt.Errorf("execution: re-executing block %d: %w", num, err)
		}
	}
	if last > head {
		n.recovered = int(last - head)
		n.log.Info("re-executed recorded blocks", "from", head+1, "to", last)
	}
	return nil
}

// Close stops RPC and closes the databases, flushing go-ethereum's state.
func (n *Node) Close() error {
	err := n.stack.Close()
	return errors.Join(err, n.store.close())
}

// HTTPEndpoint returns the JSON-RPC URL ("" when disabled).
func (n *Node) HTTPEndpoint() string { return n.stack.HTTPEndpoint() }

// WSEndpoint returns the WebSocket URL ("" when disabled).
func (n *Node) WSEndpoint() string { return n.stack.WSEndpoint() }

// Attach returns an in-process RPC client.
func (n *Node) Attach() *rpc.Client { return n.stack.Attach() }

// Head returns the current head header.
func (n *Node) Head() *types.Header { return n.chain.CurrentBlock() }

// BlockChain exposes go-ethereum's chain for reads.
func (n *Node) BlockChain() *core.BlockChain { return n.chain }

// Build executes input on top of the head without writing anything.
func (n *Node) Build(ctx context.Context, in *BlockInput) (*Built, error) {
	return n.builder.build(ctx, n.chain.CurrentBlock(), in)
}

// Apply builds the block of input, records the input and what it revealed
// (before go-ethereum sees the block), and writes the block as the head.
func (n *Node) Apply(ctx context.Context, in *BlockInput) (*Built, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.apply(ctx, in)
}

func (n *Node) apply(ctx context.Context, in *BlockInput) (*Built, error) {
	// The input is recorded while the block is built; what the block
	// revealed is recorded after. Both are durable before go-ethereum sees
	// the block. A crash between the two re-executes the recorded input,
	// which reveals the same transactions again.
	recorded := make(chan error, 1)
	go func() {
		if in.Decrypting != nil {
			in.Decrypting.All()
		}
		raw, err := in.MarshalBinary()
		if err == nil {
			err = n.store.putInput(in.Number, raw)
		}
		recorded <- err
	}()
	built, err := n.builder.build(ctx, n.chain.CurrentBlock(), in)
	if rerr := <-recorded; rerr != nil {
		return nil, fmt.Errorf("%w: %v", ErrStore, rerr)
	}
	if err != nil {
		return nil, err
	}
	if err := n.store.putRevealed(built.revealed); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrStore, err)
	}
	if _, err := n.chain.InsertChain(types.Blocks{built.Block}); err != nil {
		return nil, fmt.Errorf("execution: insert block %d: %w", in.Number, err)
	}
	n.metrics.observe(built)
	if in.Number%n.cfg.CheckpointInterval == 0 {
		if err := n.checkpoint(built.Block.Header()); err != nil {
			return nil, err
		}
	}
	return built, nil
}

// checkpoint flushes go-ethereum's state of header to disk, so that a crash
// never rewinds below it, prunes the revealed set against it, and deletes
// the recorded inputs at or below the previous checkpoint.
func (n *Node) checkpoint(h *types.Header) error {
	if err := n.chain.TrieDB().Commit(h.Root, false); err != nil {
		return fmt.Errorf("execution: flush state of block %d: %w", h.Number, err)
	}
	st, err := n.chain.StateAt(h.Root, h.Number, h.Time)
	if err != nil {
		return err
	}
	pruned, err := n.store.setCheckpoint(h.Number.Uint64(), st.GetNonce)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrStore, err)
	}
	n.metrics.revealedPruned.Add(float64(pruned.Revealed))
	n.metrics.inputsPruned.Add(float64(pruned.Inputs))
	return nil
}

// Recovered returns how many recorded blocks Open re-executed because
// go-ethereum's durable head was behind the record.
func (n *Node) Recovered() int { return n.recovered }

// RevealedCount returns the size of the persisted revealed set.
func (n *Node) RevealedCount() (int, error) { return n.store.revealedCount() }

// heldDeposits reads the inbox's held deposits from state.
func heldDeposits(st *state.StateDB) *big.Int {
	return st.GetState(contracts.EncryptedInboxAddress, contracts.SlotHeld).Big()
}

// sendAPI replaces eth_sendRawTransaction: transactions go to the
// sequencer's admission, never around it.
type sendAPI struct{ n *Node }

// SendRawTransaction hands a signed transaction to the sequencer.
func (a *sendAPI) SendRawTransaction(ctx context.Context, input hexutil.Bytes) (common.Hash, error) {
	if a.n.cfg.Submitter == nil {
		return common.Hash{}, ErrNoSubmitter
	}
	return a.n.cfg.Submitter.SubmitRawTransaction(ctx, input)
}

// ErrSyncSend answers eth_sendRawTransactionSync: every transaction goes
// through the sequencer's admission with eth_sendRawTransaction; the
// synchronous variant would otherwise reach go-ethereum's own pool.
var ErrSyncSend = errors.New("eth_sendRawTransactionSync is not served: send with eth_sendRawTransaction, then poll eth_getTransactionReceipt (the order receipt comes first, with veil_getOrderReceipt)")

// SendRawTransactionSync replaces go-ethereum's method of that name.
func (a *sendAPI) SendRawTransactionSync(context.Context, hexutil.Bytes, *hexutil.Uint64) (map[string]any, error) {
	return nil, ErrSyncSend
}

// GetTransactionCount answers like go-ethereum, except that "pending"
// counts the transactions the sequencer admitted and has not executed.
func (a *sendAPI) GetTransactionCount(ctx context.Context, address common.Address, blockNrOrHash rpc.BlockNumberOrHash) (*hexutil.Uint64, error) {
	if nr, ok := blockNrOrHash.Number(); ok && nr == rpc.PendingBlockNumber {
		if pn, ok := a.n.cfg.Submitter.(PendingNoncer); ok {
			if nonce, ok := pn.PendingNonce(address); ok {
				return (*hexutil.Uint64)(&nonce), nil
			}
		}
		blockNrOrHash = rpc.BlockNumberOrHashWithNumber(rpc.LatestBlockNumber)
	}
	st, _, err := a.n.eth.APIBackend.StateAndHeaderByNumberOrHash(ctx, blockNrOrHash)
	if st == nil || err != nil {
		return nil, err
	}
	nonce := st.GetNonce(address)
	return (*hexutil.Uint64)(&nonce), st.Error()
}
