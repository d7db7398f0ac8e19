package l1

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rpc"
)

// ErrNotSimulated: Commit or MineEvery on a dialed chain.
var ErrNotSimulated = errors.New("l1: not a simulated chain")

// Client is what the package reads and sends through: go-ethereum's
// ethclient.Client, over any Ethereum JSON-RPC endpoint, satisfies it, and
// so does the client of the simulated backend.
type Client interface {
	bind.ContractBackend
	bind.DeployBackend
	bind.BlockHashContractCaller
	ethereum.ChainReader
	ethereum.TransactionReader
	ethereum.ChainIDReader
	NonceAt(ctx context.Context, account common.Address, blockNumber *big.Int) (uint64, error)
}

var _ Client = (*ethclient.Client)(nil)

// Chain is one L1: a Client (so a *Chain serves as the backend of
// go-ethereum's contract bindings), its chain id, and for the in-process
// simulated backend a Commit that seals the next block.
type Chain struct {
	Client
	chainID *big.Int
	sim     *simulated.Backend
	// commit seals a block on an in-process chain (nil for a dialed one).
	commit func() common.Hash
	close  func() error
	// endpoint is an embedded chain's JSON-RPC URL.
	endpoint string
	// commitMu serialises sealing: go-ethereum's simulated beacon can hang
	// when two goroutines seal at once (its transaction pool sync).
	commitMu sync.Mutex
}

// seal seals one block on an in-process chain.
func (c *Chain) seal() common.Hash {
	c.commitMu.Lock()
	defer c.commitMu.Unlock()
	return c.commit()
}

// Dial connects to an Ethereum JSON-RPC endpoint (http, ws or an IPC path).
func Dial(ctx context.Context, url string) (*Chain, error) {
	c, err := ethclient.DialContext(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("l1: dialing %s: %w", url, err)
	}
	id, err := c.ChainID(ctx)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("l1: chain id of %s: %w", url, err)
	}
	return &Chain{Client: c, chainID: id, close: func() error { c.Close(); return nil }}, nil
}

// OsakaConfig returns the chain config of the simulated L1: go-ethereum's
// dev chain cut back to every fork through Osaka and nothing later (the
// dev default also enables a later fork that reprices state growth), so
// the EIP-2537 BLS12-381 precompiles BatchInbox and KeyBroadcast use are
// active from genesis. Its chain id is 1337.
func OsakaConfig() *params.ChainConfig {
	c := *params.AllDevChainProtocolChanges
	c.AmsterdamTime = nil
	c.BogotaTime = nil
	c.UBTTime = nil
	return &c
}

// NewSimulated starts go-ethereum's in-process simulated backend with the
// Osaka rules of OsakaConfig and the given genesis accounts. The chain
// lives in memory and mines only when Commit is called (or MineEvery
// runs). Its finalized block is the last multiple of 32 at or below the
// head (go-ethereum's simulated beacon finalizes in epochs of 32 blocks).
func NewSimulated(alloc types.GenesisAlloc) (*Chain, error) {
	sim := simulated.NewBackend(alloc, func(_ *node.Config, c *ethconfig.Config) {
		c.Genesis.Config = OsakaConfig()
	})
	client, ok := sim.Client().(Client)
	if !ok {
		sim.Close()
		return nil, errors.New("l1: the simulated backend's client lacks calls by block hash")
	}
	id, err := client.ChainID(context.Background())
	if err != nil {
		sim.Close()
		return nil, fmt.Errorf("l1: chain id of the simulated backend: %w", err)
	}
	return &Chain{Client: client, chainID: id, sim: sim, commit: sim.Commit, close: sim.Close}, nil
}

// Signer signs L1 transactions for this chain.
func (c *Chain) Signer() types.Signer { return types.LatestSignerForChainID(c.chainID) }

// Simulated returns the simulated backend (for Fork and Rollback in
// tests), or nil for a dialed chain.
func (c *Chain) Simulated() *simulated.Backend { return c.sim }

// Commit seals a block on the simulated chain and returns its hash.
func (c *Chain) Commit() (common.Hash, error) {
	if c.commit == nil {
		return common.Hash{}, ErrNotSimulated
	}
	return c.seal(), nil
}

// MineEvery seals a block on the simulated chain every period until ctx
// ends: an in-process L1 with a block time, as geth --dev --dev.period.
func (c *Chain) MineEvery(ctx context.Context, period time.Duration) error {
	if c.commit == nil {
		return ErrNotSimulated
	}
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			c.seal()
		}
	}
}

// Close disconnects, or stops the simulated backend.
func (c *Chain) Close() error { return c.close() }

// Finalized returns the newest finalized block's header (the "finalized"
// block tag).
func (c *Chain) Finalized(ctx context.Context) (*types.Header, error) {
	h, err := c.HeaderByNumber(ctx, big.NewInt(rpc.FinalizedBlockNumber.Int64()))
	if err != nil {
		return nil, fmt.Errorf("l1: the finalized block: %w", err)
	}
	return h, nil
}

// waitMined polls for the receipt of hash until it is mined and the head
// has reached its block (a node may serve the receipt an instant before
// its latest state includes the block), or ctx ends.
func (c *Chain) waitMined(ctx context.Context, hash common.Hash, poll time.Duration) (*types.Receipt, error) {
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		r, err := c.TransactionReceipt(ctx, hash)
		if err == nil {
			head, err := c.HeaderByNumber(ctx, nil)
			if err != nil {
				return nil, fmt.Errorf("l1: head: %w", err)
			}
			if head.Number.Cmp(r.BlockNumber) >= 0 {
				return r, nil
			}
		} else if !notMinedYet(err) {
			return nil, fmt.Errorf("l1: receipt of %s: %w", hash, err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("l1: waiting for %s: %w", hash, ctx.Err())
		case <-t.C:
		}
	}
}

// notMinedYet: a receipt lookup that may succeed later (go-ethereum
// answers "transaction indexing is in progress" while it indexes recent
// blocks).
func notMinedYet(err error) bool {
	return errors.Is(err, ethereum.NotFound) || strings.Contains(err.Error(), "indexing is in progress")
}

// fees returns a tip and a fee cap for a transaction now: the node's
// suggested tip, and twice the head's base fee plus the tip.
func (c *Chain) fees(ctx context.Context) (tip, feeCap *big.Int, err error) {
	head, err := c.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("l1: head: %w", err)
	}
	tip, err = c.SuggestGasTipCap(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("l1: suggested tip: %w", err)
	}
	feeCap = new(big.Int).Add(tip, new(big.Int).Mul(head.BaseFee, big.NewInt(2)))
	return tip, feeCap, nil
}
