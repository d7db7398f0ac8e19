package execution

import (
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"testing"

	"github.com/ethereum/go-ethereum/params"
	"github.com/veil-l2/veil/contracts"
)

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "chain.json")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadChainConfig(t *testing.T) {
	good := `{"chainId": 901, "sequencer": "0x00000000000000000000000000000000000000aa",
		"bridgeSupply": "1000000000000000000000",
		"alloc": {"0x00000000000000000000000000000000000000bb": {"balance": "0x10"}}}`
	c, err := LoadChainConfig(writeConfig(t, good))
	if err != nil {
		t.Fatal(err)
	}
	if c.GasLimit != DefaultGasLimit {
		t.Fatalf("default gas limit %d", c.GasLimit)
	}
	g := c.Genesis()
	if g.Alloc[contracts.EncryptedInboxAddress].Code == nil || g.Alloc[contracts.BridgeAddress].Balance.Cmp(new(big.Int).Mul(big.NewInt(1000), big.NewInt(params.Ether))) != 0 {
		t.Fatal("predeploys missing from genesis")
	}
	if g.Alloc[params.BeaconRootsAddress].Code == nil || g.Alloc[params.HistoryStorageAddress].Code == nil {
		t.Fatal("system contracts of the active forks missing from genesis")
	}
	for _, tc := range []struct{ name, body string }{
		{"not json", `{"chainId": `},
		{"no chain id", `{"sequencer": "0x00000000000000000000000000000000000000aa"}`},
		{"gas limit too small", `{"chainId": 1, "gasLimit": 100, "sequencer": "0x00000000000000000000000000000000000000aa"}`},
		{"no sequencer", `{"chainId": 1}`},
		{"negative bridge supply", `{"chainId": 1, "sequencer": "0x00000000000000000000000000000000000000aa", "bridgeSupply": "-5"}`},
		{"alloc on the inbox", `{"chainId": 1, "sequencer": "0x00000000000000000000000000000000000000aa",
			"alloc": {"0x5e11000000000000000000000000000000000001": {"balance": "0x1"}}}`},
		{"alloc on a system contract", `{"chainId": 1, "sequencer": "0x00000000000000000000000000000000000000aa",
			"alloc": {"0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02": {"balance": "0x1"}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := LoadChainConfig(writeConfig(t, tc.body)); !errors.Is(err, ErrConfig) {
				t.Fatalf("got %v, want ErrConfig", err)
			}
		})
	}
	if _, err := LoadChainConfig(filepath.Join(t.TempDir(), "missing.json")); !errors.Is(err, ErrConfig) {
		t.Fatalf("missing file: %v", err)
	}
}

func TestForksArePinned(t *testing.T) {
	p := (&ChainConfig{ChainID: 5}).Params()
	zero, later := big.NewInt(0), uint64(1<<40)
	if !p.IsLondon(zero) || !p.IsShanghai(zero, 0) || !p.IsCancun(zero, 0) || !p.IsPrague(zero, 0) || !p.IsOsaka(zero, 0) {
		t.Fatal("a fork through Osaka is not active at genesis")
	}
	if p.IsAmsterdam(zero, later) || p.IsBogota(zero, later) || p.IsUBT(zero, later) {
		t.Fatal("a fork after Osaka is active")
	}
	if p.TerminalTotalDifficulty == nil || p.TerminalTotalDifficulty.Sign() != 0 {
		t.Fatal("the chain is not post-merge from genesis")
	}
}
