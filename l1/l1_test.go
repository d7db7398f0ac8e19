package l1

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"errors"
	"math/big"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/ordering"
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
	origin, deps, _, err := o.Next(ctx, start)
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
	again, deps, _, err := o.Next(ctx, origin.Number)
	if err != nil || again != origin || len(deps) != 0 {
		t.Fatalf("Next(%d) = %+v, %d deposits, %v; want the same origin, none", origin.Number, again, len(deps), err)
	}
	// Never back: a head below after is refused.
	if _, _, _, err := o.Next(ctx, e.head()+5); !errors.Is(err, ErrL1Behind) {
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
	capped, deps, _, err := NewOrigin(e.chain, e.c, OriginConfig{Confirmations: 2, MaxDeposits: 2}).Next(ctx, start)
	if err != nil || capped.Number != start+2 || len(deps) != 2 {
		t.Errorf("MaxDeposits 2: origin %d with %d deposits (%v), want %d with 2", capped.Number, len(deps), err, start+2)
	}
	capped, deps, _, err = NewOrigin(e.chain, e.c, OriginConfig{Confirmations: 2, MaxDeposits: 1}).Next(ctx, start)
	if err != nil || capped.Number != start+1 || len(deps) != 2 {
		t.Errorf("MaxDeposits 1: origin %d with %d deposits (%v), want %d with 2", capped.Number, len(deps), err, start+1)
	}
	capped, _, _, err = NewOrigin(e.chain, e.c, OriginConfig{MaxBlocks: 1}).Next(ctx, start)
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
	if _, _, _, err := o.Next(ctx, origin.Number); !errors.Is(err, ErrReorged) {
		t.Fatalf("Next on a reorganised origin: %v, want ErrReorged", err)
	}
	// A fresh Origin told of the old origin (after a restart) refuses it too.
	o2 := NewOrigin(e.chain, e.c, OriginConfig{Confirmations: 2})
	o2.Remember(origin)
	if _, _, _, err := o2.Next(ctx, origin.Number); !errors.Is(err, ErrReorged) {
		t.Fatalf("Next on a remembered reorganised origin: %v, want ErrReorged", err)
	}
}

// TestOriginForced: envelopes forced with L1Inbox.forceEnvelope come back
// from Next in the range of their blocks, next to the deposits, capped like
// them, and the origin never passes a forced envelope's deadline; Forced
// lists them by block range.
func TestOriginForced(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	in := contracts.NewL1Inbox()
	raw1, raw2 := []byte("a signed L2 envelope, or any bytes"), bytes.Repeat([]byte{0xee}, 1000)
	start := e.head()
	// Block start+1: a deposit and a forced envelope; start+2: another
	// forced envelope.
	dep := e.sendValue(e.alice, e.c.L1Inbox, big.NewInt(100), in.PackDeposit(common.Address{0xa1}))
	e.sendValue(e.bob, e.c.L1Inbox, nil, in.PackForceEnvelope(raw1))
	e.commit()
	e.sendValue(e.bob, e.c.L1Inbox, nil, in.PackForceEnvelope(raw2))
	e.commit()
	e.commit()
	e.commit()
	// head = start+4; with 2 confirmations the origin is start+2.
	want := []ordering.ForcedEnvelope{
		{Index: 0, L1Block: start + 1, Deadline: start + 1 + forcedDeadline, Raw: raw1},
		{Index: 1, L1Block: start + 2, Deadline: start + 2 + forcedDeadline, Raw: raw2},
	}
	sameForced := func(got, want []ordering.ForcedEnvelope) bool {
		return slices.EqualFunc(got, want, func(a, b ordering.ForcedEnvelope) bool {
			return a.Index == b.Index && a.L1Block == b.L1Block && a.Deadline == b.Deadline && bytes.Equal(a.Raw, b.Raw)
		})
	}
	o := NewOrigin(e.chain, e.c, OriginConfig{Confirmations: 2})
	origin, deps, forced, err := o.Next(ctx, start)
	if err != nil {
		t.Fatal(err)
	}
	if origin.Number != start+2 || len(deps) != 1 || deps[0].L1TxHash != dep.Hash() || !sameForced(forced, want) {
		t.Fatalf("Next(%d) = origin %d, deposits %+v, forced %+v; want origin %d, the deposit, forced %+v", start, origin.Number,
			deps, forced, start+2, want)
	}
	// From the origin on, nothing more.
	if _, deps, forced, err := o.Next(ctx, origin.Number); err != nil || len(deps) != 0 || len(forced) != 0 {
		t.Fatalf("Next(%d): %d deposits, %d forced, %v", origin.Number, len(deps), len(forced), err)
	}
	// The verifier's reader.
	if got, err := o.Forced(ctx, start+1, start+2); err != nil || !sameForced(got, want) {
		t.Fatalf("Forced(%d, %d) = %+v, %v", start+1, start+2, got, err)
	}
	if got, err := o.Forced(ctx, start+2, start+4); err != nil || !sameForced(got, want[1:]) {
		t.Fatalf("Forced(%d, %d) = %+v, %v", start+2, start+4, got, err)
	}
	if got, err := o.Forced(ctx, start+3, start+2); err != nil || len(got) != 0 {
		t.Fatalf("Forced of an empty range = %+v, %v", got, err)
	}
	if got, err := o.Deposits(ctx, start+1, start+2); err != nil || len(got) != 1 {
		t.Fatalf("Deposits next to forced envelopes = %+v, %v", got, err)
	}

	// Caps: one forced envelope, or its bytes, stop before the block of the
	// second; a block is never split.
	for name, cfg := range map[string]OriginConfig{
		"MaxForced 1":     {Confirmations: 2, MaxForced: 1},
		"MaxForcedBytes":  {Confirmations: 2, MaxForcedBytes: len(raw1) + 10},
		"MaxDeposits too": {Confirmations: 2, MaxForced: 1, MaxDeposits: 1},
	} {
		capped, deps, forced, err := NewOrigin(e.chain, e.c, cfg).Next(ctx, start)
		if err != nil || capped.Number != start+1 || len(deps) != 1 || !sameForced(forced, want[:1]) {
			t.Errorf("%s: origin %d, %d deposits, forced %+v (%v); want %d with the first block's", name, capped.Number, len(deps),
				forced, err, start+1)
		}
		hdr, _ := e.chain.HeaderByNumber(ctx, big.NewInt(int64(start+1)))
		if capped.Hash != hdr.Hash() {
			t.Errorf("%s: the capped origin's hash is not block %d's", name, start+1)
		}
	}
	if capped, _, forced, err := NewOrigin(e.chain, e.c, OriginConfig{Confirmations: 2, MaxForcedBytes: 1}).Next(ctx, start); err != nil ||
		capped.Number != start+1 || len(forced) != 1 {
		t.Errorf("a first block over the byte cap: origin %d, %d forced (%v); want it whole", capped.Number, len(forced), err)
	}

	// The deadline: with L1 far ahead, the origin stops at the first forced
	// envelope's deadline block, so the batch naming it commits it in time.
	for range forcedDeadline + 10 {
		e.commit()
	}
	far, _, forced, err := NewOrigin(e.chain, e.c, OriginConfig{}).Next(ctx, start)
	if err != nil || far.Number != want[0].Deadline || !sameForced(forced, want) {
		t.Fatalf("far behind: origin %d with %d forced (%v), want the deadline %d with both", far.Number, len(forced), err,
			want[0].Deadline)
	}
	hdr, _ := e.chain.HeaderByNumber(ctx, new(big.Int).SetUint64(far.Number))
	if far.Hash != hdr.Hash() {
		t.Fatal("the deadline origin's hash is not its block's")
	}
	// Past both, the origin goes as far as the confirmations allow.
	if next, _, forced, err := NewOrigin(e.chain, e.c, OriginConfig{}).Next(ctx, far.Number); err != nil || next.Number != e.head() ||
		len(forced) != 0 {
		t.Fatalf("after the deadline origin: %d with %d forced (%v), want the head %d", next.Number, len(forced), err, e.head())
	}
}
