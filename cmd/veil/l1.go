package main

import (
	"context"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/urfave/cli/v2"

	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/keyper"
	"github.com/veil-l2/veil/l1"
)

// `veil l1`: the L1 side of a rollup operator's and a user's work, over any
// Ethereum JSON-RPC endpoint. Each subcommand sends one kind of
// transaction, waits until it is mined and prints what it did.

func l1Command() *cli.Command {
	rpcFlag := &cli.StringFlag{Name: "l1-rpc", Usage: "URL of the L1's Ethereum JSON-RPC (required)", EnvVars: env("L1_RPC"), Required: true}
	keyFlags := []cli.Flag{
		&cli.StringFlag{Name: "key", Usage: "hex private key of the L1 account that sends (or --key-file)", EnvVars: env("L1_KEY")},
		&cli.StringFlag{Name: "key-file", Usage: "file holding that key (hex, mode 0600)", EnvVars: env("L1_KEY_FILE")},
	}
	contractsFlag := &cli.StringFlag{Name: "contracts", Usage: "the contracts file veil l1 deploy wrote (required)",
		EnvVars: env("L1_CONTRACTS"), Required: true}
	withChain := func(c *cli.Context, fn func(ctx context.Context, chain *l1.Chain) error) error {
		ctx, cancel := context.WithTimeout(c.Context, 5*time.Minute)
		defer cancel()
		chain, err := l1.Dial(ctx, c.String("l1-rpc"))
		if err != nil {
			return err
		}
		defer chain.Close()
		return fn(ctx, chain)
	}
	return &cli.Command{
		Name:  "l1",
		Usage: "deploy Veil's L1 contracts, add keyper sets, deposit to L2 and force envelopes through L1",
		Subcommands: []*cli.Command{
			{
				Name:  "deploy",
				Usage: "deploy KeyperSetManager, KeyBroadcast, BatchInbox and L1Inbox and write their addresses to a file",
				Flags: append([]cli.Flag{rpcFlag,
					&cli.Uint64Flag{Name: "chain-id", Usage: "the L2 chain id BatchInbox is fixed to (required)", Required: true},
					&cli.StringFlag{Name: "sequencer", Usage: "the sequencer's address: the key that signs commitments and receipts (required)", Required: true},
					&cli.StringFlag{Name: "owner", Usage: "who may add keyper sets (default: the deployer)"},
					&cli.Uint64Flag{Name: "forced-deadline", Value: 64, Usage: "L1 blocks within which the sequencer must commit a forced envelope"},
					&cli.StringFlag{Name: "out", Value: "contracts.json", Usage: "where to write the addresses"},
				}, keyFlags...),
				Action: func(c *cli.Context) error {
					key, err := keyFlag(c, "key")
					if err != nil {
						return err
					}
					if !common.IsHexAddress(c.String("sequencer")) {
						return fmt.Errorf("--sequencer %q is not an address", c.String("sequencer"))
					}
					owner := crypto.PubkeyToAddress(key.PublicKey)
					if o := c.String("owner"); o != "" {
						if !common.IsHexAddress(o) {
							return fmt.Errorf("--owner %q is not an address", o)
						}
						owner = common.HexToAddress(o)
					}
					cfg := contracts.L1Config{ChainID: c.Uint64("chain-id"), Owner: owner, Sequencer: common.HexToAddress(c.String("sequencer")),
						ForcedInclusionDeadline: c.Uint64("forced-deadline")}
					if err := cfg.Check(); err != nil {
						return err
					}
					return withChain(c, func(ctx context.Context, chain *l1.Chain) error {
						cs, err := l1.Deploy(ctx, chain, key, cfg)
						if err != nil {
							return err
						}
						if err := l1.WriteContracts(c.String("out"), cs); err != nil {
							return err
						}
						fmt.Fprintf(c.App.Writer, "deployed at block %d: KeyperSetManager %s, KeyBroadcast %s, BatchInbox %s, L1Inbox %s; written to %s\n",
							cs.DeployedAt, cs.Manager, cs.Broadcast, cs.Inbox, cs.L1Inbox, c.String("out"))
						return nil
					})
				},
			},
			{
				Name:  "add-keyper-set",
				Usage: "add the committee file's members as a keyper set (owner only)",
				Flags: append([]cli.Flag{rpcFlag, contractsFlag,
					&cli.StringFlag{Name: "committee", Usage: "the committee file the keypers run with (required)", Required: true},
					&cli.Uint64Flag{Name: "activation", Usage: "the L1 block from which the set is active (default: the next block, tried again from the new head if L1 passes it first)"},
				}, keyFlags...),
				Action: func(c *cli.Context) error {
					key, err := keyFlag(c, "key")
					if err != nil {
						return err
					}
					committee, err := keyper.LoadCommittee(c.String("committee"))
					if err != nil {
						return err
					}
					members := make([]common.Address, len(committee.Members))
					for i, m := range committee.Members {
						members[i] = m.Address
					}
					return withChain(c, func(ctx context.Context, chain *l1.Chain) error {
						cs, err := l1.ReadContracts(c.String("contracts"))
						if err != nil {
							return err
						}
						activation := c.Uint64("activation")
						var idx uint64
						if activation == 0 {
							idx, activation, err = l1.AddKeyperSetAfter(ctx, chain, cs, key, members, uint64(committee.Threshold), 1)
						} else {
							idx, err = l1.AddKeyperSet(ctx, chain, cs, key, members, uint64(committee.Threshold), activation)
						}
						if err != nil {
							return err
						}
						fmt.Fprintf(c.App.Writer, "keyper set %d: %d members, threshold %d, active from L1 block %d\n",
							idx, len(members), committee.Threshold, activation)
						return nil
					})
				},
			},
			{
				Name:  "deposit",
				Usage: "deposit ETH from L1 to an L2 account",
				Flags: append([]cli.Flag{rpcFlag, contractsFlag,
					&cli.StringFlag{Name: "to", Usage: "the L2 recipient (default: the sender's address)"},
					&cli.StringFlag{Name: "value", Usage: "amount: ether (\"1.5\") or wei (\"100wei\") (required)", Required: true},
				}, keyFlags...),
				Action: func(c *cli.Context) error {
					key, err := keyFlag(c, "key")
					if err != nil {
						return err
					}
					value, err := parseValue(c.String("value"))
					if err != nil {
						return err
					}
					to := crypto.PubkeyToAddress(key.PublicKey)
					if s := c.String("to"); s != "" {
						if !common.IsHexAddress(s) {
							return fmt.Errorf("--to %q is not an address", s)
						}
						to = common.HexToAddress(s)
					}
					return withChain(c, func(ctx context.Context, chain *l1.Chain) error {
						cs, err := l1.ReadContracts(c.String("contracts"))
						if err != nil {
							return err
						}
						r, err := l1.Deposit(ctx, chain, cs, key, to, value)
						if err != nil {
							return err
						}
						fmt.Fprintf(c.App.Writer, "deposited %s wei for %s in L1 block %d (%s)\n", value, to, r.BlockNumber, r.TxHash)
						return nil
					})
				},
			},
			{
				Name:  "force",
				Usage: "post a signed L2 transaction or envelope to L1Inbox: the sequencer must include it by the deadline",
				Flags: append([]cli.Flag{rpcFlag, contractsFlag,
					&cli.StringFlag{Name: "raw", Usage: "the signed transaction, 0x-hex (required)", Required: true},
				}, keyFlags...),
				Action: func(c *cli.Context) error {
					key, err := keyFlag(c, "key")
					if err != nil {
						return err
					}
					raw, err := hexutil.Decode(c.String("raw"))
					if err != nil {
						return fmt.Errorf("--raw: %w", err)
					}
					return withChain(c, func(ctx context.Context, chain *l1.Chain) error {
						cs, err := l1.ReadContracts(c.String("contracts"))
						if err != nil {
							return err
						}
						r, err := l1.ForceEnvelope(ctx, chain, cs, key, raw)
						if err != nil {
							return err
						}
						fmt.Fprintf(c.App.Writer, "forced %d bytes in L1 block %d (%s)\n", len(raw), r.BlockNumber, r.TxHash)
						return nil
					})
				},
			},
		},
	}
}
