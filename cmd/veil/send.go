package main

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	"github.com/urfave/cli/v2"
	"github.com/veil-l2/veil/encmempool/client"
	"github.com/veil-l2/veil/internal/keyfile"
	"github.com/veil-l2/veil/l1"
)

func sendCommand() *cli.Command {
	return &cli.Command{
		Name:      "send",
		Usage:     "encrypt and submit a transfer or contract call, then wait for the order and execution receipts",
		ArgsUsage: " ",
		Description: "The transaction is signed by --key, encrypted to the current eon key on this machine and sent as " +
			"an envelope paid by --payer-key (a different account: the payer is public, the sender is not). " +
			"Keys are hex, given directly, in a file (--key-file, --payer-key-file, mode 0600) or through " +
			"VEIL_SEND_KEY / VEIL_SEND_PAYER_KEY. On a devnet, any two of the printed dev accounts serve.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "rpc", Value: "http://127.0.0.1:8545", Usage: "the sequencer's JSON-RPC URL", EnvVars: env("SEND_RPC")},
			&cli.StringFlag{Name: "key", Usage: "the sender's private key (hex)", EnvVars: env("SEND_KEY")},
			&cli.StringFlag{Name: "key-file", Usage: "file holding the sender's private key (hex)", EnvVars: env("SEND_KEY_FILE")},
			&cli.StringFlag{Name: "payer-key", Usage: "the fee account's private key (hex)", EnvVars: env("SEND_PAYER_KEY")},
			&cli.StringFlag{Name: "payer-key-file", Usage: "file holding the fee account's private key (hex)", EnvVars: env("SEND_PAYER_KEY_FILE")},
			&cli.StringFlag{Name: "to", Usage: "recipient or contract address", Required: true},
			&cli.StringFlag{Name: "value", Value: "0", Usage: "amount in ether (e.g. 1.5), or in wei with a 'wei' suffix"},
			&cli.StringFlag{Name: "data", Usage: "call data (hex)"},
			&cli.Uint64Flag{Name: "gas", Usage: "gas limit (default: estimated)"},
			&cli.DurationFlag{Name: "timeout", Value: 2 * time.Minute, Usage: "how long to wait for execution"},
			&cli.StringFlag{Name: "l1-rpc", Usage: "with --contracts: check the sequencer's eon key against the one final on L1 before encrypting",
				EnvVars: env("SEND_L1_RPC")},
			&cli.StringFlag{Name: "contracts", Usage: "Veil's L1 contracts file (with --l1-rpc)", EnvVars: env("SEND_CONTRACTS")},
		},
		Action: func(c *cli.Context) error {
			key, err := keyFlag(c, "key")
			if err != nil {
				return err
			}
			payerKey, err := keyFlag(c, "payer-key")
			if err != nil {
				return err
			}
			if !common.IsHexAddress(c.String("to")) {
				return fmt.Errorf("--to %q is not an address", c.String("to"))
			}
			to := common.HexToAddress(c.String("to"))
			value, err := parseValue(c.String("value"))
			if err != nil {
				return fmt.Errorf("--value: %w", err)
			}
			var data []byte
			if d := c.String("data"); d != "" {
				if data, err = hexutil.Decode(d); err != nil {
					return fmt.Errorf("--data: %w", err)
				}
			}
			ctx, cancel := context.WithTimeout(c.Context, c.Duration("timeout"))
			defer cancel()
			opts := []client.Option{client.WithPayer(client.NewPayer(payerKey))}
			keys, closeL1, err := eonKeysOnL1(ctx, c)
			if err != nil {
				return err
			}
			defer closeL1()
			if keys != nil {
				opts = append(opts, client.WithEonKeySource(keys))
			}
			return send(ctx, c.App.Writer, c.String("rpc"), key, payerKey, client.Call{To: &to, Value: value, Data: data, Gas: c.Uint64("gas")},
				opts...)
		},
	}
}

func send(ctx context.Context, w io.Writer, url string, key, payerKey *ecdsa.PrivateKey, call client.Call, opts ...client.Option) error {
	if crypto.PubkeyToAddress(key.PublicKey) == crypto.PubkeyToAddress(payerKey.PublicKey) {
		return errors.New("the payer must be another account than the sender: an envelope's payer is public")
	}
	if len(opts) == 0 {
		opts = []client.Option{client.WithPayer(client.NewPayer(payerKey))}
	}
	c, err := client.Dial(ctx, url, opts...)
	if err != nil {
		return err
	}
	defer c.Close()
	inner, err := c.SignInner(ctx, key, call)
	if err != nil {
		return err
	}
	p, err := c.Send(ctx, inner)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "sent envelope %s (encrypted transaction %s)\n", p.EnvelopeHash, p.InnerHash)
	r, err := c.WaitOrdered(ctx, p)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "ordered:  sequence number %d at %s, receipt signed by the sequencer\n", r.Seq,
		time.UnixMilli(int64(r.Time)).UTC().Format(time.RFC3339Nano))
	x, err := c.WaitExecuted(ctx, p)
	if x != nil {
		fmt.Fprintf(w, "executed: block %d, status %d, gas used %d\n", x.BlockNumber, x.Status, x.GasUsed)
	}
	return err
}

// keyFlag reads a hex key from --name or --name-file.
func keyFlag(c *cli.Context, name string) (*ecdsa.PrivateKey, error) {
	hexKey := c.String(name)
	if f := c.String(name + "-file"); f != "" {
		if hexKey != "" {
			return nil, fmt.Errorf("give --%s or --%s-file, not both", name, name)
		}
		k, err := keyfile.Read(f)
		if err != nil {
			return nil, fmt.Errorf("--%s-file: %w", name, err)
		}
		return k, nil
	}
	if hexKey == "" {
		return nil, fmt.Errorf("--%s (or --%s-file) is required", name, name)
	}
	k, err := crypto.HexToECDSA(strings.TrimPrefix(hexKey, "0x"))
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", name, err)
	}
	return k, nil
}

// parseValue reads "1.5" as ether and "100wei" as wei.
func parseValue(s string) (*big.Int, error) {
	if w, ok := strings.CutSuffix(s, "wei"); ok {
		v, ok := new(big.Int).SetString(strings.TrimSpace(w), 10)
		if !ok || v.Sign() < 0 {
			return nil, fmt.Errorf("%q is not an amount of wei", s)
		}
		return v, nil
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok || r.Sign() < 0 {
		return nil, fmt.Errorf("%q is not an amount of ether", s)
	}
	r.Mul(r, new(big.Rat).SetInt(big.NewInt(params.Ether)))
	if !r.IsInt() {
		return nil, fmt.Errorf("%q has more decimals than wei allow", s)
	}
	return r.Num(), nil
}

// errL1Pair: the eon key is checked on L1 with both flags or neither.
var errL1Pair = errors.New("--l1-rpc and --contracts go together: the eon key is checked on L1's KeyBroadcast")

// eonKeysOnL1 opens the eon keys on L1 that --l1-rpc and --contracts name
// (veil send, veil proxy): nil, and a close that does nothing, when
// neither is given; errL1Pair when one is.
func eonKeysOnL1(ctx context.Context, c *cli.Context) (*l1.EonKeys, func(), error) {
	l1URL, cs := c.String("l1-rpc"), c.String("contracts")
	switch {
	case (l1URL == "") != (cs == ""):
		return nil, func() {}, errL1Pair
	case l1URL == "":
		return nil, func() {}, nil
	}
	contracts, err := l1.ReadContracts(cs)
	if err != nil {
		return nil, func() {}, err
	}
	chain, err := l1.Dial(ctx, l1URL)
	if err != nil {
		return nil, func() {}, err
	}
	return l1.NewEonKeys(chain, contracts), func() { chain.Close() }, nil
}
