package execution

import (
	"bytes"
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/veil-l2/veil/contracts"
)

// logTopic is the event topic of the test contract.
var logTopic = crypto.Keccak256Hash([]byte("Stored(bytes32)"))

// storeContract is init code for a contract that stores the first calldata
// word at slot 0 and logs it under logTopic (hand-assembled EVM).
func storeContract() []byte {
	runtime := []byte{0x5f, 0x35, 0x80, 0x5f, 0x55, 0x5f, 0x52, 0x7f}
	runtime = append(runtime, logTopic[:]...)
	runtime = append(runtime, 0x60, 0x20, 0x5f, 0xa1, 0x00)
	init := []byte{0x60, byte(len(runtime)), 0x80, 0x60, 0x09, 0x5f, 0x39, 0x5f, 0xf3}
	return append(init, runtime...)
}

func TestEnvelopesExecuteAndRPCReadsThem(t *testing.T) {
	f := newFixture(t, "payer", "alice", "bob", "carol")
	n := f.open(t.TempDir())
	defer n.Close()
	ctx := context.Background()
	client, ws := clients(t, n)
	heads := make(chan *types.Header, 4)
	sub, err := ws.SubscribeNewHead(ctx, heads)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()

	bob := f.addr("bob")
	amount := big.NewInt(12345)
	transfer := f.tx("alice", &bob, amount, 21000, nil)
	deploy := f.tx("carol", nil, nil, 200_000, storeContract())
	contract := crypto.CreateAddress(f.addr("carol"), deploy.Nonce())
	word := common.HexToHash("0x5eed")
	call := f.tx("carol", &contract, nil, 100_000, word[:])
	payerBefore, _ := client.BalanceAt(ctx, f.addr("payer"), nil)
	bobBefore, _ := client.BalanceAt(ctx, bob, nil)

	built := apply(t, n, f.input(f.envelope("payer", transfer), f.envelope("payer", deploy), f.envelope("payer", call)))
	for i, o := range built.Outcomes {
		if !o.EnvelopeIncluded || !o.Executed || o.Dropped != "" || o.Refund == nil {
			t.Fatalf("item %d: %+v", i, o)
		}
	}
	// Layout: three envelopes, then the three inner transactions, then the
	// settlement.
	txs := built.Block.Transactions()
	if len(txs) != 7 {
		t.Fatalf("%d transactions in the block, want 7", len(txs))
	}
	for i := 0; i < 3; i++ {
		if *txs[i].To() != contracts.EncryptedInboxAddress || txs[i+3].Hash() != built.Outcomes[i].Content.Hash() {
			t.Fatalf("position %d: wrong layout", i)
		}
	}
	if *txs[6].To() != contracts.EncryptedInboxAddress {
		t.Fatal("settlement is not last")
	}

	// Reads over HTTP with go-ethereum's own client.
	if num, err := client.BlockNumber(ctx); err != nil || num != 1 {
		t.Fatalf("block number %d, %v", num, err)
	}
	if got, _ := client.BalanceAt(ctx, bob, nil); new(big.Int).Sub(got, bobBefore).Cmp(amount) != 0 {
		t.Fatalf("bob received %v", new(big.Int).Sub(got, bobBefore))
	}
	code, err := client.CodeAt(ctx, contract, nil)
	if err != nil || len(code) == 0 {
		t.Fatalf("no code at the deployed contract: %v", err)
	}
	if v, err := client.StorageAt(ctx, contract, common.Hash{}, nil); err != nil || !bytes.Equal(v, word[:]) {
		t.Fatalf("storage %x, %v", v, err)
	}
	for _, tx := range []*types.Transaction{transfer, deploy, call} {
		r, err := client.TransactionReceipt(ctx, tx.Hash())
		if err != nil || r.Status != types.ReceiptStatusSuccessful || r.BlockNumber.Uint64() != 1 {
			t.Fatalf("receipt of %s: %+v %v", tx.Hash(), r, err)
		}
		got, pending, err := client.TransactionByHash(ctx, tx.Hash())
		if err != nil || pending || got.Hash() != tx.Hash() {
			t.Fatalf("transaction by hash: %v", err)
		}
	}
	logs, err := client.FilterLogs(ctx, ethereum.FilterQuery{Addresses: []common.Address{contract}, Topics: [][]common.Hash{{logTopic}}})
	if err != nil || len(logs) != 1 || !bytes.Equal(logs[0].Data, word[:]) {
		t.Fatalf("logs %+v, %v", logs, err)
	}
	// The payer paid only gas: its deposits came back in the settlement.
	payerAfter, _ := client.BalanceAt(ctx, f.addr("payer"), nil)
	spent := new(big.Int).Sub(payerBefore, payerAfter)
	var fees big.Int
	for i := 0; i < 3; i++ {
		fees.Add(&fees, gasFee(built, i))
	}
	if spent.Cmp(&fees) != 0 {
		t.Fatalf("payer spent %v, gas fees were %v", spent, &fees)
	}
	select {
	case h := <-heads:
		if h.Hash() != built.Block.Hash() {
			t.Fatalf("newHeads sent %s, want %s", h.Hash(), built.Block.Hash())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no newHeads notification over WebSocket")
	}
	if id, err := client.ChainID(ctx); err != nil || id.Uint64() != testChainID {
		t.Fatalf("chain id %v %v", id, err)
	}
	// Plaintext sent to this node never bypasses the sequencer.
	raw := f.tx("alice", &bob, amount, 21000, nil)
	if err := client.SendTransaction(ctx, raw); err == nil {
		t.Fatal("a node without a sequencer accepted a transaction")
	}
}
