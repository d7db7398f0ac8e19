package execution

import (
	"bytes"
	"context"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/veil-l2/veil/contracts"
)

// TestReadRPC exercises every read method the issue lists, over HTTP and
// WebSocket, with go-ethereum's own client and its semantics.
func TestReadRPC(t *testing.T) {
	f := newFixture(t, "payer", "alice", "bob", "carol")
	n := f.open(t.TempDir())
	defer n.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client, ws := clients(t, n)

	bob := f.addr("bob")
	deploy := f.tx("carol", nil, nil, 200_000, storeContract())
	contract := crypto.CreateAddress(f.addr("carol"), deploy.Nonce())
	apply(t, n, f.input(f.envelope("payer", deploy)))

	logsCh := make(chan types.Log, 4)
	logSub, err := ws.SubscribeFilterLogs(ctx, ethereum.FilterQuery{Addresses: []common.Address{contract}}, logsCh)
	if err != nil {
		t.Fatal(err)
	}
	defer logSub.Unsubscribe()
	word := common.HexToHash("0x77")
	call := f.tx("carol", &contract, nil, 100_000, word[:])
	transfer := f.tx("alice", &bob, big.NewInt(99), 21000, nil)
	b2 := apply(t, n, f.input(f.envelope("payer", call), f.envelope("payer", transfer)))

	// eth_subscribe logs over WebSocket.
	select {
	case l := <-logsCh:
		if l.Address != contract || !bytes.Equal(l.Data, word[:]) || l.BlockHash != b2.Block.Hash() {
			t.Fatalf("subscribed log %+v", l)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no log over the WebSocket subscription")
	}
	// eth_blockNumber, eth_getBlockByNumber, eth_getBlockByHash.
	if num, err := client.BlockNumber(ctx); err != nil || num != 2 {
		t.Fatalf("eth_blockNumber %d %v", num, err)
	}
	byNum, err := client.BlockByNumber(ctx, big.NewInt(2))
	if err != nil || byNum.Hash() != b2.Block.Hash() || len(byNum.Transactions()) != len(b2.Block.Transactions()) {
		t.Fatalf("eth_getBlockByNumber: %v", err)
	}
	byHash, err := client.BlockByHash(ctx, b2.Block.Hash())
	if err != nil || byHash.NumberU64() != 2 {
		t.Fatalf("eth_getBlockByHash: %v", err)
	}
	if !bytes.Equal(byHash.Extra(), b2.Input.BatchHash[:]) {
		t.Fatal("the header's extraData does not link to the batch")
	}
	// eth_getTransactionCount (latest and pending: nothing is pending here).
	for _, tag := range []string{"latest", "pending"} {
		var nonce hexutil.Uint64
		if err := client.Client().CallContext(ctx, &nonce, "eth_getTransactionCount", f.addr("alice"), tag); err != nil || nonce != 1 {
			t.Fatalf("eth_getTransactionCount %s: %d %v", tag, nonce, err)
		}
	}
	// eth_getCode, eth_getStorageAt, eth_call.
	if code, err := client.CodeAt(ctx, contract, nil); err != nil || len(code) == 0 {
		t.Fatalf("eth_getCode: %v", err)
	}
	if v, err := client.StorageAt(ctx, contract, common.Hash{}, nil); err != nil || !bytes.Equal(v, word[:]) {
		t.Fatalf("eth_getStorageAt: %x %v", v, err)
	}
	held, err := client.CallContract(ctx, ethereum.CallMsg{To: &contracts.EncryptedInboxAddress, Data: contracts.NewEncryptedInbox().PackHeld()}, nil)
	if err != nil || new(big.Int).SetBytes(held).Sign() != 0 {
		t.Fatalf("eth_call held(): %x %v", held, err)
	}
	// A reverting eth_call answers go-ethereum's error: code 3, revert data.
	_, err = client.CallContract(ctx, ethereum.CallMsg{From: f.addr("alice"), To: &contracts.EncryptedInboxAddress,
		Data: contracts.NewEncryptedInbox().PackSettle(nil, nil, true)}, nil)
	var de rpc.DataError
	var ec rpc.Error
	if !errors.As(err, &de) || !errors.As(err, &ec) || ec.ErrorCode() != 3 ||
		!strings.HasPrefix(de.ErrorData().(string), hexutil.Encode(contracts.EncryptedInboxNotSequencerErrorID().Bytes()[:4])) {
		t.Fatalf("reverting eth_call: %v", err)
	}
	// eth_estimateGas, eth_gasPrice, eth_maxPriorityFeePerGas, eth_feeHistory.
	gas, err := client.EstimateGas(ctx, ethereum.CallMsg{From: f.addr("alice"), To: &bob, Value: big.NewInt(1)})
	if err != nil || gas != 21000 {
		t.Fatalf("eth_estimateGas %d %v", gas, err)
	}
	if price, err := client.SuggestGasPrice(ctx); err != nil || price.Cmp(b2.Block.BaseFee()) < 0 {
		t.Fatalf("eth_gasPrice %v %v", price, err)
	}
	if _, err := client.SuggestGasTipCap(ctx); err != nil {
		t.Fatalf("eth_maxPriorityFeePerGas: %v", err)
	}
	hist, err := client.FeeHistory(ctx, 2, nil, []float64{50})
	if err != nil || len(hist.BaseFee) != 3 || hist.BaseFee[1].Cmp(b2.Block.BaseFee()) != 0 {
		t.Fatalf("eth_feeHistory %+v %v", hist, err)
	}
	// eth_getTransactionByHash, eth_getTransactionReceipt, eth_getLogs.
	got, pending, err := client.TransactionByHash(ctx, transfer.Hash())
	if err != nil || pending || got.Hash() != transfer.Hash() {
		t.Fatalf("eth_getTransactionByHash: %v", err)
	}
	r, err := client.TransactionReceipt(ctx, call.Hash())
	if err != nil || r.Status != 1 || len(r.Logs) != 1 || r.BlockHash != b2.Block.Hash() {
		t.Fatalf("eth_getTransactionReceipt %+v %v", r, err)
	}
	inboxLogs, err := client.FilterLogs(ctx, ethereum.FilterQuery{FromBlock: big.NewInt(1), ToBlock: big.NewInt(2),
		Addresses: []common.Address{contracts.EncryptedInboxAddress}})
	// Three envelopes (Envelope events) and two settlements (Settled events).
	if err != nil || len(inboxLogs) != 5 {
		t.Fatalf("eth_getLogs on the inbox: %d logs, %v", len(inboxLogs), err)
	}
	if _, err := client.TransactionReceipt(ctx, common.Hash{1}); !errors.Is(err, ethereum.NotFound) {
		t.Fatalf("receipt of an unknown transaction: %v", err)
	}
	// eth_chainId, net_version, web3_clientVersion.
	if id, err := client.ChainID(ctx); err != nil || id.Uint64() != testChainID {
		t.Fatalf("eth_chainId %v %v", id, err)
	}
	if id, err := client.NetworkID(ctx); err != nil || id.Uint64() != testChainID {
		t.Fatalf("net_version %v %v", id, err)
	}
	var version string
	if err := client.Client().CallContext(ctx, &version, "web3_clientVersion"); err != nil || !strings.HasPrefix(version, "veil/") {
		t.Fatalf("web3_clientVersion %q %v", version, err)
	}
}

type recordingSubmitter struct{ got [][]byte }

func (s *recordingSubmitter) SubmitRawTransaction(_ context.Context, raw []byte) (common.Hash, error) {
	s.got = append(s.got, raw)
	var tx types.Transaction
	if err := tx.UnmarshalBinary(raw); err != nil {
		return common.Hash{}, err
	}
	return tx.Hash(), nil
}

func TestSendRawTransactionGoesToTheSubmitter(t *testing.T) {
	f := newFixture(t, "alice", "bob")
	sub := &recordingSubmitter{}
	n, err := Open(Config{DataDir: t.TempDir(), Chain: f.cfg, HTTPHost: "127.0.0.1", Submitter: sub})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	client, err := ethclient.Dial(n.HTTPEndpoint())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	bob := f.addr("bob")
	tx := f.tx("alice", &bob, big.NewInt(1), 21000, nil)
	if err := client.SendTransaction(context.Background(), tx); err != nil {
		t.Fatal(err)
	}
	if len(sub.got) != 1 {
		t.Fatalf("submitter got %d transactions", len(sub.got))
	}
	// The synchronous variant is refused rather than reaching go-ethereum's
	// pool around admission.
	raw, _ := f.tx("alice", &bob, big.NewInt(2), 21000, nil).MarshalBinary()
	err = client.Client().CallContext(context.Background(), nil, "eth_sendRawTransactionSync", hexutil.Bytes(raw))
	if err == nil || !strings.Contains(err.Error(), "eth_sendRawTransactionSync is not served") {
		t.Fatalf("eth_sendRawTransactionSync: %v", err)
	}
	// go-ethereum's own pool never saw either.
	if pending, queued := n.eth.TxPool().Stats(); pending+queued != 0 {
		t.Fatalf("go-ethereum's pool holds %d+%d transactions", pending, queued)
	}
}
