package client_test

import (
	"context"
	"fmt"
	"log"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/veil-l2/veil/encmempool/client"
)

// Send a transfer privately: sign it as usual, let the client encrypt it
// into an envelope paid by a fee account, and wait for the sequencer's
// signed order receipt and then for the execution receipt.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// A running sequencer, such as `veil devnet` serves on
	// http://127.0.0.1:8545, and two funded accounts: a fee account that
	// pays for envelopes and the user sending the transfer.
	url := dn.httpURL
	payerKey, err := dn.takeAccount()
	if err != nil {
		log.Fatal(err)
	}
	userKey, err := dn.takeAccount()
	if err != nil {
		log.Fatal(err)
	}

	c, err := client.Dial(ctx, url, client.WithPayer(client.NewPayer(payerKey)))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	to := common.HexToAddress("0x00000000000000000000000000000000000e0a11")
	inner, err := c.SignInner(ctx, userKey, client.Call{To: &to, Value: big.NewInt(1000)})
	if err != nil {
		log.Fatal(err)
	}
	pending, err := c.Send(ctx, inner)
	if err != nil {
		log.Fatal(err)
	}
	receipt, err := c.WaitOrdered(ctx, pending) // signature checked
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("ordered:", receipt.Hash == pending.EnvelopeHash)
	executed, err := c.WaitExecuted(ctx, pending)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("executed, status", executed.Status)
	balance, err := c.Eth().BalanceAt(ctx, to, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("recipient balance:", balance)
	// Output:
	// ordered: true
	// executed, status 1
	// recipient balance: 1000
}
