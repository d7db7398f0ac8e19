package execution

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"os"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/math"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"
)

// ErrConfig reports a chain config a node cannot run.
var ErrConfig = errors.New("execution: invalid chain config")

// DefaultGasLimit is the block gas limit when the config names none: room
// for about 1,000 envelope+inner pairs and their settlement.
const DefaultGasLimit = 200_000_000

// ChainConfig is the chain config file: what every node of one L2 chain
// must agree on. Hard forks are not configurable: every fork through Osaka
// is active from genesis and later ones are off, so the gas rules never
// change under the chain because of a library upgrade. A later fork is
// enabled by a new release that adds its activation time here, with its own
// tests.
type ChainConfig struct {
	ChainID uint64 `json:"chainId"`
	// GasLimit is the block gas limit.
	GasLimit uint64 `json:"gasLimit"`
	// Timestamp is the genesis time (unix seconds).
	Timestamp uint64 `json:"timestamp"`
	// Sequencer is the sequencer's address: the key that signs batches and
	// order receipts. The blocks' system transactions (deposit credit,
	// settlement) come from contracts.SystemAddress, whose key is public so
	// that anyone can rebuild the blocks from L1.
	Sequencer common.Address `json:"sequencer"`
	// BridgeSupply is the L2 supply locked in the bridge predeploy at
	// genesis, from which L1 deposits are credited.
	BridgeSupply *math.HexOrDecimal256 `json:"bridgeSupply"`
	// Alloc holds further genesis accounts (dev accounts, the sequencer's
	// own balance for gas). It must not touch the predeploy or system
	// contract addresses.
	Alloc types.GenesisAlloc `json:"alloc"`
}

// LoadChainConfig reads and checks a chain config file.
func LoadChainConfig(path string) (*ChainConfig, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	var c ChainConfig
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrConfig, path, err)
	}
	if c.GasLimit == 0 {
		c.GasLimit = DefaultGasLimit
	}
	if err := c.Check(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Check rejects a config a chain cannot start from, with a sentence a user
// understands.
func (c *ChainConfig) Check() error {
	if c.ChainID == 0 {
		return fmt.Errorf("%w: chainId must be set (and differ from every other chain's)", ErrConfig)
	}
	if c.GasLimit < params.MinGasLimit {
		return fmt.Errorf("%w: gasLimit %d is below the minimum %d", ErrConfig, c.GasLimit, params.MinGasLimit)
	}
	if c.Sequencer == (common.Address{}) {
		return fmt.Errorf("%w: sequencer address must be set", ErrConfig)
	}
	if c.BridgeSupply != nil && (*big.Int)(c.BridgeSupply).Sign() < 0 {
		return fmt.Errorf("%w: bridgeSupply must not be negative", ErrConfig)
	}
	reserved := core.SystemContractAllocs()
	maps.Copy(reserved, predeployAlloc(big.NewInt(0)))
	for addr := range c.Alloc {
		if _, ok := reserved[addr]; ok {
			return fmt.Errorf("%w: alloc must not set %s, a predeploy, system contract or the system account", ErrConfig, addr)
		}
	}
	return nil
}

// Params returns go-ethereum's chain config: every fork through Osaka at
// genesis, post-merge from the start, nothing later.
func (c *ChainConfig) Params() *params.ChainConfig {
	zero := uint64(0)
	return &params.ChainConfig{
		ChainID:                 new(big.Int).SetUint64(c.ChainID),
		HomesteadBlock:          big.NewInt(0),
		EIP150Block:             big.NewInt(0),
		EIP155Block:             big.NewInt(0),
		EIP158Block:             big.NewInt(0),
		ByzantiumBlock:          big.NewInt(0),
		ConstantinopleBlock:     big.NewInt(0),
		PetersburgBlock:         big.NewInt(0),
		IstanbulBlock:           big.NewInt(0),
		MuirGlacierBlock:        big.NewInt(0),
		BerlinBlock:             big.NewInt(0),
		LondonBlock:             big.NewInt(0),
		ArrowGlacierBlock:       big.NewInt(0),
		GrayGlacierBlock:        big.NewInt(0),
		MergeNetsplitBlock:      big.NewInt(0),
		ShanghaiTime:            &zero,
		CancunTime:              &zero,
		PragueTime:              &zero,
		OsakaTime:               &zero,
		TerminalTotalDifficulty: big.NewInt(0),
		BlobScheduleConfig: &params.BlobScheduleConfig{
			Cancun: params.DefaultCancunBlobConfig,
			Prague: params.DefaultPragueBlobConfig,
		},
	}
}

// Genesis returns the genesis block spec: the system contracts of the
// active forks, the predeploys, and the configured accounts.
func (c *ChainConfig) Genesis() *core.Genesis {
	alloc := core.SystemContractAllocs()
	supply := big.NewInt(0)
	if c.BridgeSupply != nil {
		supply = (*big.Int)(c.BridgeSupply)
	}
	maps.Copy(alloc, predeployAlloc(supply))
	maps.Copy(alloc, c.Alloc)
	return &core.Genesis{
		Config:     c.Params(),
		Timestamp:  c.Timestamp,
		GasLimit:   c.GasLimit,
		Difficulty: big.NewInt(0),
		BaseFee:    big.NewInt(params.InitialBaseFee),
		Alloc:      alloc,
	}
}
