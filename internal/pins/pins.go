//go:build tools

// Package pins keeps the versions of the components later packages build on
// (go-ethereum for execution and L1, libp2p and gossipsub for the network,
// bbolt for durable state) pinned in go.mod before the first package
// imports them. The build tag keeps them out of every normal build; go mod
// tidy considers all tags, so the requirements stay.
package pins

import (
	_ "github.com/ethereum/go-ethereum"
	_ "github.com/libp2p/go-libp2p"
	_ "github.com/libp2p/go-libp2p-pubsub"
	_ "go.etcd.io/bbolt"
)
