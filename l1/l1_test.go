package l1

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"errors"
	"math/big"
	"path/filepath"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool/tpke"
)

func TestDeployAndContractsFile(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	if e.c.DeployedAt == 0 || e.c.DeployedAt > e.head() {
		t.Fatalf("deployed at %d, head %d", e.c.DeployedAt, e.head())
	}
	if err := e.c.Verify(ctx, e.chain, l2ChainID); err != nil {
		t.Fatal(err)
	}
	if err := e.c.Verify(ctx, e.chain, l2ChainID+1); !errors.Is(err, ErrContracts) {
		t.Errorf("Verify for another L2 chain: %v, want ErrContracts", err)
	}
	swapped := e.c
	swapped.Manager, swapped.Inbox = e.c.Inbox, e.c.Manager
	if err := swapped.Verify(ctx, e.chain, l2ChainID); err == nil {
		t.Error("Verify accepts swapped addresses")
	}
	nowhere := e.c
	nowhere.L1Inbox = common.Address{0x42}
	if err := nowhere.Verify(ctx, e.chain, l2ChainID); !errors.Is(err, ErrContracts) {
		t.Errorf("Verify with no code at an address: %v, want ErrContracts", err)
	}

	path := filepath.Join(t.TempDir(), "l1.json")
	if err := WriteContracts(path, e.c); err != nil {
		t.Fatal(err)
	}
	got, err := ReadContracts(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != e.c {
		t.Fatalf("read %+v, wrote %+v", got, e.c)
	}
	if err := WriteContracts(path, Contracts{Manager: e.c.Manager}); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadContracts(path); !errors.Is(err, ErrContracts) {
		t.Errorf("a file without addresses: %v, want ErrContracts", err)
	}

	if _, err := (&Chain{sim: nil}).Commit(); !errors.Is(err, ErrNotSimulated) {
		t.Errorf("Commit on a dialed chain: %v", err)
	}
}

// TestFinalizedOnTheSimulatedChain pins what the "finalized" tag means on
// go-ethereum's simulated backend, which EonKeys relies on.
func TestFinalizedOnTheSimulatedChain(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	for range 40 {
		e.commit()
	}
	head := e.head()
	fin, err := e.chain.Finalized(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := head / 32 * 32; fin.Number.Uint64() != want {
		t.Fatalf("finalized block %d at head %d, want %d (the last multiple of 32)", fin.Number, head, want)
	}
	// MineEvery gives the in-process chain a block time.
	mctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- e.chain.MineEvery(mctx, time.Millisecond) }()
	for e.head() < head+3 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestEonKeys(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	res := committee(t, 1)
	want := res[0].EonPublicKey.Bytes()
	// Keep clear of the next finalized block (a multiple of 32) while voting.
	for e.head()%32 != 1 {
		e.commit()
	}
	set := e.addSet()
	keys := NewEonKeys(e.chain, e.c)
	keys.Poll = 5 * time.Millisecond

	other := committee(t, 2)[0].EonPublicKey.Bytes()
	e.mined(func() { testVotes(t, e, keys, set, want, other) })
	accepted := e.head()

	// Accepted but not finalized: not there yet.
	if fin, _ := e.chain.Finalized(ctx); fin.Number.Uint64() >= accepted {
		t.Fatalf("finalized block %d already covers the votes (head %d)", fin.Number, accepted)
	}
	if _, err := keys.EonKey(ctx, 1); !errors.Is(err, ErrNoEonKey) {
		t.Fatalf("eon key before finalization: %v, want ErrNoEonKey", err)
	}
	e.finalize()
	got, err := keys.EonKey(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("eon key %x, want %x", got, want)
	}
	if _, err := tpke.ParseEonPublicKey(got); err != nil {
		t.Fatal(err)
	}
	info, err := keys.Get(ctx, 1)
	if err != nil || info.KeyperSet != set || info.Eon != 1 {
		t.Fatalf("Get: %+v, %v", info, err)
	}
	if _, err := keys.EonKey(ctx, 2); !errors.Is(err, ErrNoEonKey) {
		t.Errorf("eon 2: %v, want ErrNoEonKey", err)
	}
}

// testVotes votes eon 1's key from threshold keypers of set, and checks
// repeated, conflicting and refused votes.
// It runs beside the test's goroutine: it reports with Error only.
func testVotes(t *testing.T, e *env, keys *EonKeys, set uint64, want, other []byte) {
	ctx := context.Background()
	// Threshold votes; a second vote of the same keyper sends nothing.
	for i := range threshold {
		if err := keys.Vote(ctx, e.keypers[i], set, 1, want); err != nil {
			t.Error(err)
			return
		}
		if i == 0 {
			if err := keys.Vote(ctx, e.keypers[0], set, 1, want); err != nil {
				t.Errorf("voting again: %v", err)
			}
		}
	}
	// Accepted: voting it again is a no-op, voting another key a conflict.
	if err := keys.Vote(ctx, e.keypers[3], set, 1, want); err != nil {
		t.Errorf("voting the accepted key: %v", err)
	}
	if err := keys.Vote(ctx, e.keypers[3], set, 1, other); !errors.Is(err, ErrEonKeyConflict) {
		t.Errorf("voting another key for an accepted eon: %v, want ErrEonKeyConflict", err)
	}
	// KeyBroadcast's refusal comes back with its reason.
	err := keys.Vote(ctx, e.alice, set, 2, other)
	var re *RevertError
	if !errors.As(err, &re) || re.Name != "NotAMember" || !errors.Is(err, ErrReverted) {
		t.Errorf("a vote by a non-member: %v, want the NotAMember revert", err)
	}
	if err := keys.Vote(ctx, e.keypers[0], set, 2, want[:95]); err == nil {
		t.Error("a malformed key was voted")
	}
}

func TestOriginDeposits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	in := contracts.NewL1Inbox()
	deposit := func(key *ecdsa.PrivateKey, to common.Address, wei int64) *types.Transaction {
		return e.sendValue(key, e.c.L1Inbox, big.NewInt(wei), in.PackDeposit(to))
	}
	start := e.head()
	// Block start+1: two deposits; start+2: none; start+3: one.
	a := deposit(e.alice, common.Address{0xa1}, 100)
	b := deposit(e.bob, common.Address{0xb1}, 200)
	e.commit()
	e.commit()
	c := deposit(e.alice, common.Address{0xa2}, 300)
	e.commit()
	for range 2 {
		e.commit()
	}
	// head = start+5; with 2 confirmations the origin is start+3.
	o := NewOrigin(e.chain, e.c, OriginConfig{Confirmations: 2})
	origin, deps, err := o.Next(ctx, start)
	if err != nil {
		t.Fatal(err)
	}
	if origin.Number != start+3 {
		t.Fatalf("origin %d, want %d", origin.Number, start+3)
	}
	hdr, _ := e.chain.HeaderByNumber(ctx, big.NewInt(int64(start+3)))
	if origin.Hash != hdr.Hash() {
		t.Fatal("origin hash is not the block's")
	}
	wantTx := []common.Hash{a.Hash(), b.Hash(), c.Hash()}
	wantTo := []common.Address{{0xa1}, {0xb1}, {0xa2}}
	if len(deps) != 3 {
		t.Fatalf("%d deposits, want 3", len(deps))
	}
	for i, d := range deps {
		r, _ := e.chain.TransactionReceipt(ctx, wantTx[i])
		if d.L1TxHash != wantTx[i] || d.To != wantTo[i] || d.Amount.Int64() != int64(100*(i+1)) || d.LogIndex != uint64(r.Logs[0].Index) {
			t.Errorf("deposit %d: %+v", i, d)
		}
	}
	// The range is (after, origin]: from origin on, nothing more yet.
	again, deps, err := o.Next(ctx, origin.Number)
	if err != nil || again != origin || len(deps) != 0 {
		t.Fatalf("Next(%d) = %+v, %d deposits, %v; want the same origin, none", origin.Number, again, len(deps), err)
	}
	// Never back: a head below after is refused.
	if _, _, err := o.Next(ctx, e.head()+5); !errors.Is(err, ErrL1Behind) {
		t.Errorf("after above the head: %v, want ErrL1Behind", err)
	}
	// The same deposits by range, and one block at a time.
	all, err := o.Deposits(ctx, start+1, start+3)
	if err != nil || len(all) != 3 {
		t.Fatalf("Deposits: %d, %v", len(all), err)
	}
	if one, _ := o.Deposits(ctx, start+3, start+3); len(one) != 1 || one[0].L1TxHash != c.Hash() {
		t.Errorf("Deposits of block %d: %+v", start+3, one)
	}

	// A cap of two deposits stops before the block of the third; a cap of
	// one still takes the first block whole.
	capped, deps, err := NewOrigin(e.chain, e.c, OriginConfig{Confirmations: 2, MaxDeposits: 2}).Next(ctx, start)
	if err != nil || capped.Number != start+2 || len(deps) != 2 {
		t.Errorf("MaxDeposits 2: origin %d with %d deposits (%v), want %d with 2", capped.Number, len(deps), err, start+2)
	}
	capped, deps, err = NewOrigin(e.chain, e.c, OriginConfig{Confirmations: 2, MaxDeposits: 1}).Next(ctx, start)
	if err != nil || capped.Number != start+1 || len(deps) != 2 {
		t.Errorf("MaxDeposits 1: origin %d with %d deposits (%v), want %d with 2", capped.Number, len(deps), err, start+1)
	}
	capped, _, err = NewOrigin(e.chain, e.c, OriginConfig{MaxBlocks: 1}).Next(ctx, start)
	if err != nil || capped.Number != start+1 {
		t.Errorf("MaxBlocks 1: origin %d (%v), want %d", capped.Number, err, start+1)
	}

	// A reorganisation replaces the origin block: building on it is
	// refused with ErrReorged.
	parent, _ := e.chain.HeaderByNumber(ctx, big.NewInt(int64(origin.Number-1)))
	if err := e.chain.Simulated().Fork(parent.Hash()); err != nil {
		t.Fatal(err)
	}
	for range 4 {
		e.commit()
	}
	if now, _ := e.chain.HeaderByNumber(ctx, big.NewInt(int64(origin.Number))); now.Hash() == origin.Hash {
		t.Fatal("the fork did not replace the origin block")
	}
	if _, _, err := o.Next(ctx, origin.Number); !errors.Is(err, ErrReorged) {
		t.Fatalf("Next on a reorganised origin: %v, want ErrReorged", err)
	}
	// A fresh Origin told of the old origin (after a restart) refuses it too.
	o2 := NewOrigin(e.chain, e.c, OriginConfig{Confirmations: 2})
	o2.Remember(origin)
	if _, _, err := o2.Next(ctx, origin.Number); !errors.Is(err, ErrReorged) {
		t.Fatalf("Next on a remembered reorganised origin: %v, want ErrReorged", err)
	}
}
