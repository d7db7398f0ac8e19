// Package e2e holds Veil's end-to-end tests: the whole system in one
// process (package devnet: the embedded L1 with the contracts, keypers on
// real libp2p over loopback, the sequencer, the poster) driven the way
// users and operators drive it, through the client library and JSON-RPC.
//
// Long soak variants run only with -e2e.soak; the default set keeps `go
// test ./...` within its time budget on a 2-core machine.
package e2e
