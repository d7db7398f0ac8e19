package proxy

import (
	"context"
	"errors"
	"math/big"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/client"
	"github.com/veil-l2/veil/keyper/dkg"
)

// eonUpstream stands in for a sequencer around an eon switch: veil_eon
// announces the eon it is set to, and eth_sendRawTransaction refuses
// envelopes of any other eon with encmempool.ErrWrongEon, as admission
// does once the next eon is admitted alone. (Sends to a real sequencer,
// and the check against a real L1, run in cmd/veil's TestProxyL1.)
type eonUpstream struct {
	mu  sync.Mutex
	eon uint64
	key map[uint64][]byte
}

type eonVeilAPI struct{ u *eonUpstream }

func (a *eonVeilAPI) Eon() map[string]any {
	a.u.mu.Lock()
	defer a.u.mu.Unlock()
	return map[string]any{"chainId": hexutil.Uint64(7117), "eon": hexutil.Uint64(a.u.eon), "key": hexutil.Bytes(a.u.key[a.u.eon]),
		"threshold": hexutil.Uint64(1), "keypers": hexutil.Uint64(1), "sequencer": common.Address{0x5e}}
}

type eonEthAPI struct{ u *eonUpstream }

func (a *eonEthAPI) ChainId() hexutil.Uint64 { return 7117 }

func (a *eonEthAPI) GetTransactionCount(common.Address, string) hexutil.Uint64 { return 0 }

func (a *eonEthAPI) GetBalance(common.Address, string) *hexutil.Big {
	return (*hexutil.Big)(big.NewInt(params.Ether))
}

func (a *eonEthAPI) GetBlockByNumber(string, bool) *types.Header {
	return &types.Header{Number: big.NewInt(5), Difficulty: new(big.Int), BaseFee: big.NewInt(params.GWei), GasLimit: 30_000_000}
}

// GetTransactionReceipt: nothing has executed.
func (a *eonEthAPI) GetTransactionReceipt(common.Hash) map[string]any { return nil }

func (a *eonEthAPI) MaxPriorityFeePerGas() *hexutil.Big { return (*hexutil.Big)(big.NewInt(1)) }

func (a *eonEthAPI) SendRawTransaction(raw hexutil.Bytes) (common.Hash, error) {
	env := new(types.Transaction)
	if err := env.UnmarshalBinary(raw); err != nil {
		return common.Hash{}, err
	}
	// The eon is the submit call's first word.
	d := env.Data()
	eon := new(big.Int).SetBytes(d[4:36]).Uint64()
	a.u.mu.Lock()
	defer a.u.mu.Unlock()
	if eon != a.u.eon {
		return common.Hash{}, errors.New(encmempool.ErrWrongEon.Error() + ": eon " + big.NewInt(int64(eon)).String())
	}
	return env.Hash(), nil
}

// l1Keys stands in for L1's KeyBroadcast (l1.EonKeys): the keys it has.
type l1Keys struct {
	mu   sync.Mutex
	keys map[uint64][]byte
}

func (k *l1Keys) EonKey(_ context.Context, eon uint64) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if key, ok := k.keys[eon]; ok {
		return key, nil
	}
	return nil, errors.New("l1: no finalized eon key")
}

// TestEonKeyChecked: with an EonKeySource the proxy uses an eon key only
// once L1 confirms it. Eon 1's key is L1's: it is used. The upstream
// switches to eon 2 with a key L1 does not have: the send that finds the
// switch (refused for eon 1) fetches eon 2, checks it against L1 and is
// refused with ErrEonKey, counted under that cause, and so is the next;
// nothing is encrypted to that key. Once L1 has the key, sends go through.
func TestEonKeyChecked(t *testing.T) {
	keys := map[uint64][]byte{}
	for _, eon := range []uint64{1, 2, 3} {
		res, err := dkg.RunLocal(7117, eon, 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		keys[eon] = res[0].EonPublicKey.Bytes()
	}
	u := &eonUpstream{eon: 1, key: map[uint64][]byte{1: keys[1], 2: keys[2]}}
	srv := rpc.NewServer()
	if err := srv.RegisterName("eth", &eonEthAPI{u}); err != nil {
		t.Fatal(err)
	}
	if err := srv.RegisterName("veil", &eonVeilAPI{u}); err != nil {
		t.Fatal(err)
	}
	up := httptest.NewServer(srv)
	t.Cleanup(func() { up.Close(); srv.Stop() })
	// L1 has eon 1's key, and another key for eon 2.
	l1 := &l1Keys{keys: map[uint64][]byte{1: keys[1], 2: keys[3]}}
	reg := prometheus.NewRegistry()
	p, px := newTestProxy(t, up.URL, func(c *Config) {
		c.EonKeySource = l1
		c.Registry = reg
	})
	ctx := context.Background()
	if e, err := p.Eon(ctx); err != nil || e.Eon != 1 {
		t.Fatalf("eon 1: %v, %v", e, err)
	}

	user, _ := crypto.GenerateKey()
	send := func(nonce uint64) string {
		tx, err := types.SignNewTx(user, types.LatestSignerForChainID(big.NewInt(7117)), &types.DynamicFeeTx{ChainID: big.NewInt(7117),
			Nonce: nonce, GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(10 * params.GWei), Gas: 21000, To: &common.Address{1},
			Value: big.NewInt(1)})
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := tx.MarshalBinary()
		_, out := post(t, px.URL, `{"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":["`+hexutil.Encode(raw)+`"]}`)
		return out
	}
	if out := send(0); !strings.Contains(out, `"result"`) {
		t.Fatalf("a send in eon 1: %s", out)
	}

	u.mu.Lock()
	u.eon = 2
	u.mu.Unlock()
	for i := range 2 {
		if out := send(1); !strings.Contains(out, ErrEonKey.Error()) || !strings.Contains(out, client.ErrEonKeyMismatch.Error()) {
			t.Fatalf("send %d after the switch to a key L1 does not have: %s", i, out)
		}
	}
	if n := testutil.ToFloat64(p.metrics.refusals.WithLabelValues(ErrEonKey.Error())); n != 2 {
		t.Fatalf("refusals counted under ErrEonKey: %v", n)
	}
	// Eon 1 stays what the proxy knows: the upstream's eon 2 was never taken.
	if e, err := p.Eon(ctx); err != nil || e.Eon != 1 {
		t.Fatalf("eon after the refusals: %v, %v", e, err)
	}

	// L1 confirms the upstream's key for eon 2: the next send goes through.
	l1.mu.Lock()
	l1.keys[2] = keys[2]
	l1.mu.Unlock()
	if out := send(1); !strings.Contains(out, `"result"`) {
		t.Fatalf("a send once L1 has eon 2's key: %s", out)
	}
	if e, err := p.Eon(ctx); err != nil || e.Eon != 2 {
		t.Fatalf("eon 2: %v, %v", e, err)
	}
}
