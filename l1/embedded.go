package l1

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"strconv"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/eth"
	"github.com/ethereum/go-ethereum/eth/catalyst"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/eth/filters"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/rpc"
)

// OpenEmbedded starts an in-process L1 that keeps its chain in dir: the
// same go-ethereum node and simulated beacon as NewSimulated (Osaka rules,
// blocks sealed by Commit or MineEvery, the last multiple of 32 final),
// but persistent: started again on the same directory it carries on from
// its head instead of starting over. It runs as an archive node (every
// block's state is written with the block), so a process killed at any
// moment restarts on the last block it sealed. The genesis accounts must
// be the same at every start (go-ethereum refuses another genesis for a
// database). It opens no IPC socket and no p2p port; with httpAddr
// (host:port, port 0 picks one) it serves Ethereum JSON-RPC (eth, net,
// web3) over HTTP there, for wallets, `veil verify` and other tools
// (HTTPEndpoint gives the URL).
func OpenEmbedded(dir string, alloc types.GenesisAlloc, httpAddr string) (*Chain, error) {
	const embeddedCacheMB = 64
	if dir == "" {
		return nil, errors.New("l1: an embedded L1 needs a directory")
	}
	nodeConf := node.DefaultConfig
	nodeConf.DataDir = dir
	nodeConf.Name = "veil-l1"
	nodeConf.IPCPath = ""
	nodeConf.HTTPHost, nodeConf.WSHost, nodeConf.AuthAddr = "", "", ""
	nodeConf.P2P = p2p.Config{NoDiscovery: true, MaxPeers: 0, ListenAddr: ""}
	if httpAddr != "" {
		host, port, err := net.SplitHostPort(httpAddr)
		if err != nil {
			return nil, fmt.Errorf("l1: embedded HTTP address %q: %w", httpAddr, err)
		}
		if nodeConf.HTTPPort, err = strconv.Atoi(port); err != nil {
			return nil, fmt.Errorf("l1: embedded HTTP address %q: %w", httpAddr, err)
		}
		nodeConf.HTTPHost, nodeConf.HTTPModules = host, []string{"eth", "net", "web3"}
		nodeConf.HTTPVirtualHosts = []string{"*"}
	}
	stack, err := node.New(&nodeConf)
	if err != nil {
		return nil, fmt.Errorf("l1: embedded node in %s: %w", dir, err)
	}
	genesisAlloc := core.SystemContractAllocs()
	maps.Copy(genesisAlloc, alloc)
	ethConf := ethconfig.Defaults
	ethConf.Genesis = &core.Genesis{Config: OsakaConfig(), GasLimit: ethconfig.Defaults.Miner.GasCeil, Alloc: genesisAlloc}
	ethConf.SyncMode = ethconfig.FullSync
	ethConf.TxPool.NoLocals = true
	ethConf.LogNoHistory = true
	// Archive over the hash scheme: the state of every block is on disk
	// once the block is, so kill -9 loses no sealed block's state.
	ethConf.NoPruning = true
	ethConf.StateScheme = rawdb.HashScheme
	// A development L1's state is a few contracts and accounts: caches
	// of go-ethereum's mainnet defaults (about 1 GiB, filled as blocks
	// are read, outside the Go heap) only grow a devnet's memory. 64 MiB:
	// pebble's block cache of 32 MiB (C malloc under cgo) with memtables
	// of 4 MiB, and 32 MiB of clean trie nodes and snapshot (fastcache,
	// mmap); all fill and then stay at their caps.
	ethConf.DatabaseCache, ethConf.TrieCleanCache, ethConf.TrieDirtyCache, ethConf.SnapshotCache = embeddedCacheMB/2,
		embeddedCacheMB/4, embeddedCacheMB/8, embeddedCacheMB/8
	backend, err := eth.New(stack, &ethConf)
	if err != nil {
		stack.Close()
		return nil, fmt.Errorf("l1: embedded chain in %s: %w", dir, err)
	}
	fs := filters.NewFilterSystem(backend.APIBackend, filters.Config{})
	stack.RegisterAPIs([]rpc.API{{Namespace: "eth", Service: filters.NewFilterAPI(fs)}})
	if err := stack.Start(); err != nil {
		stack.Close()
		return nil, fmt.Errorf("l1: starting the embedded node: %w", err)
	}
	beacon, err := catalyst.NewSimulatedBeacon(0, common.Address{}, backend)
	if err != nil {
		stack.Close()
		return nil, fmt.Errorf("l1: the embedded chain's beacon: %w", err)
	}
	client := ethclient.NewClient(stack.Attach())
	id, err := client.ChainID(context.Background())
	if err != nil {
		client.Close()
		beacon.Stop()
		stack.Close()
		return nil, fmt.Errorf("l1: chain id of the embedded chain: %w", err)
	}
	closeAll := func() error {
		client.Close()
		return errors.Join(beacon.Stop(), stack.Close())
	}
	c := &Chain{Client: client, chainID: id, commit: beacon.Commit, close: closeAll}
	if httpAddr != "" {
		c.endpoint = stack.HTTPEndpoint()
	}
	return c, nil
}

// HTTPEndpoint is the URL of an embedded L1's JSON-RPC ("" when it serves
// none, and for other chains).
func (c *Chain) HTTPEndpoint() string { return c.endpoint }

// SealToFinalized seals blocks on an in-process chain until its head is
// final (a multiple of 32): what waiting for finality takes on a
// development chain without waiting. ErrNotSimulated on a dialed chain.
func (c *Chain) SealToFinalized(ctx context.Context) error {
	if c.commit == nil {
		return ErrNotSimulated
	}
	for {
		head, err := c.HeaderByNumber(ctx, nil)
		if err != nil {
			return err
		}
		if head.Number.Uint64()%32 == 0 {
			return nil
		}
		c.seal()
	}
}
