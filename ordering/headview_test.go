package ordering

import (
	"crypto/rand"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/math"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/veil-l2/veil/execution"
)

// TestHeadViewSurvivesCheckpoint reads an account through admission's view
// of block 1 after block 2's checkpoint flushed the state to disk: go-
// ethereum's path scheme merges every layer into the disk layer then, so
// the StateDB of block 1 answers "layer stale" for anything it has not
// cached. The soak found this as admission errors naming the head state;
// the view reopens the head's state and answers from block 2.
func TestHeadViewSurvivesCheckpoint(t *testing.T) {
	funded := common.Address{0xf0}
	chain := &execution.ChainConfig{ChainID: testChainID, GasLimit: execution.DefaultGasLimit, Timestamp: 1000,
		Sequencer: common.Address{0x5e}, BridgeSupply: (*math.HexOrDecimal256)(big.NewInt(0)),
		Alloc: types.GenesisAlloc{funded: {Balance: big.NewInt(params.Ether)}}}
	node, err := execution.Open(execution.Config{DataDir: t.TempDir(), Chain: chain, CheckpointInterval: 2,
		Registry: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	defer node.Close()
	apply := func(n uint64) {
		var h common.Hash
		rand.Read(h[:])
		if _, err := node.Apply(t.Context(), &execution.BlockInput{Number: n, BatchHash: h, Timestamp: 1000 + n,
			L1OriginNumber: n, GasLimit: chain.GasLimit, FeeRecipient: chain.Sequencer}); err != nil {
			t.Fatal(err)
		}
	}
	apply(1)
	hv := &headView{s: &Sequencer{exec: node, cfg: Config{Chain: chain}}}
	if err := hv.refresh(); err != nil {
		t.Fatal(err)
	}
	apply(2) // a checkpoint: block 1's layer is merged away
	nonce, bal, err := hv.Account(funded)
	if err != nil {
		t.Fatalf("reading the head state after a checkpoint: %v", err)
	}
	if nonce != 0 || bal.Cmp(big.NewInt(params.Ether)) != 0 {
		t.Fatalf("nonce %d balance %v, want 0 and 1 ether", nonce, bal)
	}
}
