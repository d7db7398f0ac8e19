package execution

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/math"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"
	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/keyper/dkg"
)

const testChainID = 901

var (
	ether  = big.NewInt(params.Ether)
	gwei   = big.NewInt(params.GWei)
	feeCap = new(big.Int).Mul(big.NewInt(10), gwei)
)

// fixture is a chain with a sequencer, payers and users, and a keyper
// committee whose eon key encrypts the envelopes.
type fixture struct {
	t      testing.TB
	cfg    *ChainConfig
	seqKey *ecdsa.PrivateKey
	keys   map[string]*ecdsa.PrivateKey
	eonKey *tpke.EonPublicKey
	shares []*tpke.SecretShare
	signer types.Signer
	nonces map[common.Address]uint64
	number uint64
	time   uint64
	gasLim uint64
}

func newFixture(t testing.TB, accounts ...string) *fixture {
	t.Helper()
	seq, _ := crypto.GenerateKey()
	f := &fixture{t: t, seqKey: seq, keys: map[string]*ecdsa.PrivateKey{}, nonces: map[common.Address]uint64{},
		signer: types.LatestSignerForChainID(big.NewInt(testChainID)), time: 1_700_000_000, gasLim: DefaultGasLimit}
	alloc := types.GenesisAlloc{crypto.PubkeyToAddress(seq.PublicKey): {Balance: new(big.Int).Mul(big.NewInt(1000), ether)}}
	for _, name := range accounts {
		k, _ := crypto.GenerateKey()
		f.keys[name] = k
		alloc[crypto.PubkeyToAddress(k.PublicKey)] = types.Account{Balance: new(big.Int).Mul(big.NewInt(100), ether)}
	}
	f.cfg = &ChainConfig{
		ChainID: testChainID, GasLimit: DefaultGasLimit, Timestamp: f.time,
		Sequencer:    crypto.PubkeyToAddress(seq.PublicKey),
		BridgeSupply: (*math.HexOrDecimal256)(new(big.Int).Mul(big.NewInt(1_000_000), ether)),
		Alloc:        alloc,
	}
	results, err := dkg.RunLocal(testChainID, 1, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		f.shares = append(f.shares, r.Share)
	}
	f.eonKey = results[0].EonPublicKey
	return f
}

func (f *fixture) addr(name string) common.Address {
	return crypto.PubkeyToAddress(f.keys[name].PublicKey)
}

func (f *fixture) open(dir string) *Node {
	f.t.Helper()
	n, err := Open(Config{DataDir: dir, Chain: f.cfg, HTTPHost: "127.0.0.1", WSHost: "127.0.0.1"})
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

func (f *fixture) nextNonce(a common.Address) uint64 {
	n := f.nonces[a]
	f.nonces[a] = n + 1
	return n
}

// tx signs a dynamic-fee transaction from name.
func (f *fixture) tx(name string, to *common.Address, value *big.Int, gas uint64, data []byte) *types.Transaction {
	f.t.Helper()
	k := f.keys[name]
	tx, err := types.SignNewTx(k, f.signer, &types.DynamicFeeTx{
		ChainID: big.NewInt(testChainID), Nonce: f.nextNonce(f.addr(name)), GasTipCap: gwei, GasFeeCap: feeCap,
		Gas: gas, To: to, Value: value, Data: data,
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return tx
}

// envelope wraps inner in an envelope paid by payer and returns the item
// with the real decryption outcome.
func (f *fixture) envelope(payer string, inner *types.Transaction) Item {
	f.t.Helper()
	env, err := encmempool.BuildEnvelope(encmempool.BuildParams{
		ChainID: testChainID, Eon: 1, EonKey: f.eonKey, Inbox: contracts.EncryptedInboxAddress, Inner: inner,
		PayerKey: f.keys[payer], Nonce: f.nextNonce(f.addr(payer)), GasTipCap: gwei, GasFeeCap: feeCap, Rand: rand.Reader,
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return f.decrypt(env)
}

// decrypt plays the ordering layer: it aggregates the key of the
// envelope's identity and decrypts.
func (f *fixture) decrypt(envTx *types.Transaction) Item {
	f.t.Helper()
	env, err := encmempool.ParseEnvelope(envTx, f.signer, contracts.EncryptedInboxAddress, encmempool.DefaultLimits)
	if err != nil {
		f.t.Fatal(err)
	}
	q := env.Identity.Point()
	key, err := tpke.Aggregate([]int{0, 1}, []tpke.KeyShare{f.shares[0].KeyShare(q), f.shares[1].KeyShare(q)})
	if err != nil {
		f.t.Fatal(err)
	}
	pt, err := tpke.Decrypt(key, env.Identity, env.Ciphertext, env.AssociatedData())
	if err != nil {
		return Item{Tx: envTx, Status: DecryptFailed}
	}
	return Item{Tx: envTx, Status: Decrypted, Plaintext: pt}
}

// input makes the next block's input.
func (f *fixture) input(items ...Item) *BlockInput {
	f.number++
	f.time++
	var h common.Hash
	rand.Read(h[:])
	return &BlockInput{
		Number: f.number, BatchHash: h, Timestamp: f.time, L1OriginNumber: f.number, GasLimit: f.gasLim,
		FeeRecipient: f.cfg.Sequencer, Items: items,
	}
}

func apply(t testing.TB, n *Node, in *BlockInput) *Built {
	t.Helper()
	b, err := n.Apply(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// clients dials the node's HTTP and WebSocket endpoints; both close when
// the test ends.
func clients(t testing.TB, n *Node) (http, ws *ethclient.Client) {
	t.Helper()
	http, err := ethclient.Dial(n.HTTPEndpoint())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(http.Close)
	ws, err = ethclient.Dial(n.WSEndpoint())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ws.Close)
	return http, ws
}
