// Package gethdev runs a real `geth --dev` node for tests: the geth built
// from the go-ethereum version in go.mod, on 127.0.0.1, in a directory the
// test owns, so that code written against the in-process simulated L1 can
// be run against the node operators use.
//
// # The binary
//
// Binary builds geth once per machine: the go-ethereum module version is
// read from the module graph (a program's build information; a test
// binary lists no dependencies there, so `go list -m` in its package
// directory), and `go install github.com/ethereum/go-ethereum/cmd/
// geth@<version>` builds it in module mode with geth's own go.mod, through
// the Go module proxy, into the user cache directory under
// veil/gethdev/geth@<version>/. A file lock there makes parallel test
// binaries wait for one build instead of each building; a finished build is
// renamed into place, so a binary that is there is whole. A cold build
// (empty module and build caches) took 4.5 minutes on two idle cores, and
// up to 13 when they were shared; with a warm build cache, 25 seconds;
// once built, Binary only looks at the file. When geth cannot be built (no
// Go command, no proxy), Binary returns ErrBuild with go's output, and
// Start skips the test saying so.
//
// # The node
//
// Launch starts geth --dev with a block every second (--dev.period 1) and
// a 60M gas limit (the miner's default ceiling, which the simulated backend
// uses too), a 128 MB cache, JSON-RPC over HTTP and WebSocket on one free loopback port,
// eth, net, web3 and debug APIs, no IPC, and no networking: --dev already
// turns off listening, dialing and discovery; --nodiscover, --maxpeers 0
// and --nat none say so again (NAT "any", the default, would probe the
// LAN). It waits until the node answers eth_accounts and returns a *Geth;
// geth's output goes to geth.log in the directory. Close interrupts geth
// and waits for it to exit. Start is Launch for a test: it skips when
// geth cannot be built, fails when it cannot start, closes the node at
// cleanup and prints the end of geth's log when the test failed.
//
// What geth --dev of go-ethereum v1.17.10 is, as found by running it:
//
//   - Its chain config is go-ethereum's AllDevChainProtocolChanges, chain
//     id 1337: every fork through Osaka active from genesis (so the
//     EIP-2537 BLS12-381 precompiles at 0x0b..0x11 answer), and the later
//     Bogota fork too, which package l1's simulated chain leaves out.
//   - Its simulated beacon finalizes in epochs of 32 blocks: the
//     "finalized" tag answers the last multiple of 32 at or below the
//     head (the genesis block before block 32); "safe" answers the head.
//   - Its developer account (go-ethereum's fixed dev key, imported into
//     the node's keystore with an empty passphrase) holds nearly 2^256
//     wei and is unlocked, so eth_sendTransaction from eth_accounts[0]
//     is signed by the node: Fund pays test accounts from it.
//   - The suggested tip is 1 wei (--dev sets the miner's minimum price to
//     1); the base fee starts at 1 gwei.
package gethdev
