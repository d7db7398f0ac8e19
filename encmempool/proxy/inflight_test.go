package proxy

import (
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

func innerTx(nonce uint64, value int64) *types.Transaction {
	return types.NewTx(&types.DynamicFeeTx{ChainID: big.NewInt(7117), Nonce: nonce, GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(10),
		Gas: 21000, To: &common.Address{1}, Value: big.NewInt(value)})
}

func TestInflightSettle(t *testing.T) {
	alice, bob := common.Address{0xa}, common.Address{0xb}
	t0 := time.Unix(1_700_000_000, 0)
	txs := map[uint64]*types.Transaction{}
	for n := range uint64(6) {
		txs[n] = innerTx(n, 1)
	}
	hashes := func(ns ...uint64) map[common.Hash]bool {
		m := map[common.Hash]bool{}
		for _, n := range ns {
			m[txs[n].Hash()] = true
		}
		return m
	}
	for _, c := range []struct {
		name     string
		sent     []uint64 // nonces of alice in flight, 2..5
		obs      observation
		at       time.Duration // since t0
		ttl      time.Duration
		left     []uint64
		want     settled
		wantNext uint64 // 0: none left
	}{
		{"nothing happened", []uint64{2, 3, 4}, observation{latest: 2}, time.Minute, time.Hour, []uint64{2, 3, 4}, settled{}, 5},
		{"below the account nonce", []uint64{2, 3, 4}, observation{latest: 4}, 0, time.Hour, []uint64{4}, settled{executed: 2}, 5},
		{"receipts", []uint64{2, 3, 4}, observation{latest: 2, executed: hashes(2, 3)}, 0, time.Hour, []uint64{4}, settled{executed: 2}, 5},
		{"all executed", []uint64{2, 3}, observation{latest: 4}, 0, time.Hour, nil, settled{executed: 2}, 0},
		{"dropped dooms higher nonces", []uint64{2, 3, 4, 5}, observation{latest: 3, dropped: hashes(3)}, 0, time.Hour, nil,
			settled{executed: 1, dropped: 3}, 0},
		{"dropped in the middle", []uint64{2, 3, 4, 5}, observation{latest: 2, executed: hashes(2), dropped: hashes(4)}, 0, time.Hour,
			[]uint64{3}, settled{executed: 1, dropped: 2}, 4},
		{"expired", []uint64{2, 3}, observation{latest: 2}, 2 * time.Hour, time.Hour, nil, settled{expired: 2}, 0},
		{"no expiry", []uint64{2, 3}, observation{latest: 2}, 2 * time.Hour, 0, []uint64{2, 3}, settled{}, 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newInflight()
			for _, n := range c.sent {
				f.add(alice, txs[n], common.Hash{byte(n)}, t0)
			}
			f.add(bob, txs[0], common.Hash{0xff}, t0)
			got := f.settle(alice, c.obs, t0.Add(c.at), c.ttl)
			if got != c.want {
				t.Errorf("settled %+v, want %+v", got, c.want)
			}
			var left []uint64
			for _, s := range f.list(alice) {
				left = append(left, s.tx.Nonce())
			}
			if !slices.Equal(left, c.left) {
				t.Errorf("left %v, want %v", left, c.left)
			}
			next, ok := f.next(alice)
			if ok != (c.wantNext != 0) || next != c.wantNext {
				t.Errorf("next %d %v, want %d", next, ok, c.wantNext)
			}
			// Another sender is untouched.
			if f.get(bob, 0) == nil || f.size() != len(c.left)+1 {
				t.Errorf("bob's transaction gone or size %d", f.size())
			}
		})
	}
}

func TestInflightLookups(t *testing.T) {
	f := newInflight()
	alice := common.Address{0xa}
	a, b := innerTx(7, 100), innerTx(8, 200)
	f.add(alice, b, common.Hash{2}, time.Unix(0, 0))
	f.add(alice, a, common.Hash{1}, time.Unix(0, 0))
	if s, who, ok := f.byHash(b.Hash()); !ok || who != alice || s.envelope != (common.Hash{2}) {
		t.Fatalf("byHash: %v %s %v", s, who, ok)
	}
	if _, _, ok := f.byHash(common.Hash{9}); ok {
		t.Fatal("byHash found an unknown hash")
	}
	want := new(big.Int).Add(a.Cost(), b.Cost())
	if got := f.cost(alice); got.Cmp(want) != 0 {
		t.Fatalf("cost %v, want %v", got, want)
	}
	if l := f.list(alice); len(l) != 2 || l[0].tx != a || l[1].tx != b {
		t.Fatal("list is not in nonce order")
	}
	if f.cost(common.Address{0xb}).Sign() != 0 {
		t.Fatal("cost of nobody")
	}
}
