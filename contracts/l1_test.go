package contracts_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/keyper/dkg"
)

const (
	// l2ChainID is the chain id of the reference test vectors.
	l2ChainID      = 901
	forcedDeadline = 50
	l1TxGas        = 2_000_000
	nKeypers       = 5
	threshold      = 3
)

var ether = big.NewInt(params.Ether)

func testKey(i byte) *ecdsa.PrivateKey {
	k, err := crypto.ToECDSA(common.LeftPadBytes([]byte{i}, 32))
	if err != nil {
		panic(err)
	}
	return k
}

func addr(k *ecdsa.PrivateKey) common.Address { return crypto.PubkeyToAddress(k.PublicKey) }

// committee runs one DKG per eon (5 keypers, threshold 3) once per test
// binary: the eon keys and key shares of real committees.
var committee = func() func(t *testing.T, eon uint64) []*dkg.Result {
	var mu sync.Mutex
	runs := map[uint64][]*dkg.Result{}
	return func(t *testing.T, eon uint64) []*dkg.Result {
		t.Helper()
		mu.Lock()
		defer mu.Unlock()
		if r, ok := runs[eon]; ok {
			return r
		}
		cfgs, err := dkg.LocalConfigs(l2ChainID, eon, nKeypers, threshold)
		if err != nil {
			t.Fatal(err)
		}
		lc, err := dkg.NewLocalCommittee(cfgs)
		if err != nil {
			t.Fatal(err)
		}
		res, fails := lc.Run()
		for i, r := range res {
			if r == nil {
				t.Fatalf("dkg of eon %d, keyper %d: %v", eon, i, fails[i])
			}
			if r.Share.Index != i {
				t.Fatalf("keyper %d holds share %d", i, r.Share.Index)
			}
		}
		runs[eon] = res
		return res
	}
}()

// l1Env is a simulated L1 with Veil's contracts deployed by DeployL1.
type l1Env struct {
	t      *testing.T
	sim    *simulated.Backend
	client simulated.Client
	signer types.Signer

	owner, seq, alice, bob *ecdsa.PrivateKey
	keypers                []*ecdsa.PrivateKey // L1 accounts of keyper indexes 0..4

	d   *contracts.L1Deployment
	ksm *contracts.KeyperSetManager
	kb  *contracts.KeyBroadcast
	bi  *contracts.BatchInbox
	in  *contracts.L1Inbox
}

func newL1Env(t *testing.T, chainID uint64) *l1Env {
	t.Helper()
	e := &l1Env{t: t, owner: testKey(1), seq: testKey(2), alice: testKey(3), bob: testKey(4),
		ksm: contracts.NewKeyperSetManager(), kb: contracts.NewKeyBroadcast(), bi: contracts.NewBatchInbox(), in: contracts.NewL1Inbox()}
	for i := range nKeypers {
		e.keypers = append(e.keypers, testKey(byte(10+i)))
	}
	alloc := types.GenesisAlloc{}
	funds := new(big.Int).Mul(big.NewInt(1000), ether)
	for _, k := range append([]*ecdsa.PrivateKey{e.owner, e.seq, e.alice, e.bob}, e.keypers...) {
		alloc[addr(k)] = types.Account{Balance: funds}
	}
	e.sim = simulated.NewBackend(alloc, func(_ *node.Config, c *ethconfig.Config) {
		c.Genesis.Config = contracts.OsakaConfig
	})
	t.Cleanup(func() { e.sim.Close() })
	e.client = e.sim.Client()
	l1ChainID, err := e.client.ChainID(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	e.signer = types.LatestSignerForChainID(l1ChainID)
	opts := bind.NewKeyedTransactor(e.owner, l1ChainID)
	e.d, err = contracts.DeployL1(opts, e.client, contracts.L1Config{
		ChainID: chainID, Owner: addr(e.owner), Sequencer: addr(e.seq), ForcedInclusionDeadline: forcedDeadline,
	})
	if err != nil {
		t.Fatal(err)
	}
	// The four transactions usually land in one block; the pool may hold
	// the last back for the next one.
	for i, tx := range e.d.Txs {
		var r *types.Receipt
		for range 3 {
			if r, err = e.client.TransactionReceipt(context.Background(), tx.Hash()); err == nil {
				break
			}
			e.sim.Commit()
		}
		if err != nil || r.Status != types.ReceiptStatusSuccessful {
			t.Fatalf("deployment transaction %d failed: %v", i, err)
		}
	}
	return e
}

// on returns the environment reporting to t (a subtest).
func (e *l1Env) on(t *testing.T) *l1Env {
	c := *e
	c.t = t
	return &c
}

func (e *l1Env) head() uint64 {
	e.t.Helper()
	n, err := e.client.BlockNumber(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// send mines a transaction from key in a block of its own and returns its
// receipt. A nil to creates a contract.
func (e *l1Env) send(key *ecdsa.PrivateKey, to *common.Address, value *big.Int, data []byte, gas uint64) *types.Receipt {
	e.t.Helper()
	ctx := context.Background()
	nonce, err := e.client.PendingNonceAt(ctx, addr(key))
	if err != nil {
		e.t.Fatal(err)
	}
	h, err := e.client.HeaderByNumber(ctx, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	gwei := big.NewInt(params.GWei)
	feeCap := new(big.Int).Add(new(big.Int).Mul(h.BaseFee, big.NewInt(3)), gwei)
	tx := types.MustSignNewTx(key, e.signer, &types.DynamicFeeTx{
		ChainID: e.signer.ChainID(), Nonce: nonce, GasTipCap: gwei, GasFeeCap: feeCap,
		Gas: gas, To: to, Value: value, Data: data,
	})
	if err := e.client.SendTransaction(ctx, tx); err != nil {
		e.t.Fatal(err)
	}
	e.sim.Commit()
	r, err := e.client.TransactionReceipt(ctx, tx.Hash())
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *l1Env) mustSucceed(key *ecdsa.PrivateKey, to common.Address, value *big.Int, data []byte) *types.Receipt {
	e.t.Helper()
	r := e.send(key, &to, value, data, l1TxGas)
	if r.Status != types.ReceiptStatusSuccessful {
		e.t.Fatalf("transaction to %v reverted (gas used %d)", to, r.GasUsed)
	}
	return r
}

// expectRevert checks that the call reverts with the custom error errID and
// that the same transaction, mined, fails.
func (e *l1Env) expectRevert(key *ecdsa.PrivateKey, to common.Address, value *big.Int, data []byte, errID common.Hash) {
	e.t.Helper()
	e.expectCallRevert(key, &to, value, data, errID)
	if r := e.send(key, &to, value, data, l1TxGas); r.Status != types.ReceiptStatusFailed {
		e.t.Fatal("transaction succeeded, want a revert")
	}
}

// expectCallRevert checks that eth_call (on the latest block) reverts with
// the custom error errID. A nil to is a contract creation.
func (e *l1Env) expectCallRevert(key *ecdsa.PrivateKey, to *common.Address, value *big.Int, data []byte, errID common.Hash) {
	e.t.Helper()
	_, err := e.client.CallContract(context.Background(), ethereum.CallMsg{
		From: addr(key), To: to, Value: value, Data: data, Gas: l1TxGas,
	}, nil)
	var de rpc.DataError
	if !errors.As(err, &de) {
		e.t.Fatalf("call did not revert with data: %v", err)
	}
	s, _ := de.ErrorData().(string)
	raw, decErr := hexutil.Decode(s)
	if decErr != nil || len(raw) < 4 || !bytes.Equal(raw[:4], errID[:4]) {
		e.t.Fatalf("call reverted with %q, want error selector %x", s, errID[:4])
	}
}

func (e *l1Env) call(to common.Address, data []byte) []byte {
	e.t.Helper()
	out, err := e.client.CallContract(context.Background(), ethereum.CallMsg{To: &to, Data: data}, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// must returns v, or panics (failing the test) on an error: for results
// that cannot fail unless the test itself is broken, such as unpacking a
// view's return value.
func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("unexpected error: %v", err))
	}
	return v
}

func addrs(keys []*ecdsa.PrivateKey) []common.Address {
	out := make([]common.Address, len(keys))
	for i, k := range keys {
		out[i] = addr(k)
	}
	return out
}

// addSet adds the keypers as a keyper set and returns its index.
func (e *l1Env) addSet(members []*ecdsa.PrivateKey, t, activation uint64) uint64 {
	e.t.Helper()
	r := e.mustSucceed(e.owner, e.d.KeyperSetManager, nil, e.ksm.PackAddKeyperSet(addrs(members), t, activation))
	ev := must(e.ksm.UnpackKeyperSetAddedEvent(r.Logs[0]))
	return ev.Index
}

func (e *l1Env) vote(keyper *ecdsa.PrivateKey, set, eon uint64, key []byte) *types.Receipt {
	e.t.Helper()
	return e.mustSucceed(keyper, e.d.KeyBroadcast, nil, e.kb.PackVoteEonKey(set, eon, key))
}

// eonKeyL1 is the committee's eon key in KeyBroadcast's encoding.
func eonKeyL1(t *testing.T, res []*dkg.Result) []byte {
	t.Helper()
	return must(contracts.EonKeyToL1(res[0].EonPublicKey.Bytes()))
}

// setUpEon registers the keypers as a set active from the next block and
// votes the committee's key of eon as its key (threshold votes).
func (e *l1Env) setUpEon(eon uint64, res []*dkg.Result) uint64 {
	e.t.Helper()
	set := e.addSet(e.keypers, threshold, e.head()+2)
	key := eonKeyL1(e.t, res)
	for i := range threshold {
		e.vote(e.keypers[i], set, eon, key)
	}
	if got := must(e.kb.UnpackEonKey(e.call(e.d.KeyBroadcast, e.kb.PackEonKey(eon)))); !bytes.Equal(got.Key, key) {
		e.t.Fatalf("eon %d has key %x after %d votes", eon, got.Key, threshold)
	}
	return set
}

func TestBLSPrecompilesAtGenesis(t *testing.T) {
	t.Parallel()
	rules := contracts.OsakaConfig.Rules(common.Big0, true, 0)
	active := vm.ActivePrecompiles(rules)
	for a := byte(0x0b); a <= 0x11; a++ {
		if !slices.Contains(active, common.BytesToAddress([]byte{a})) {
			t.Errorf("EIP-2537 precompile %#x is not active at genesis", a)
		}
	}
	// And on the running chain: MAP_FP_TO_G1(0) is a point of G1.
	e := newL1Env(t, l2ChainID)
	to := common.BytesToAddress([]byte{0x10})
	out := e.call(to, make([]byte, 64))
	if _, err := contracts.DecodeG1(out); err != nil {
		t.Errorf("MAP_FP_TO_G1(0) = %x: %v", out, err)
	}
}

func TestL1ConfigCheck(t *testing.T) {
	t.Parallel()
	good := contracts.L1Config{ChainID: 1, Owner: common.Address{1}, Sequencer: common.Address{2}, ForcedInclusionDeadline: 1}
	if err := good.Check(); err != nil {
		t.Fatal(err)
	}
	for name, mod := range map[string]func(*contracts.L1Config){
		"no owner":     func(c *contracts.L1Config) { c.Owner = common.Address{} },
		"no sequencer": func(c *contracts.L1Config) { c.Sequencer = common.Address{} },
		"no deadline":  func(c *contracts.L1Config) { c.ForcedInclusionDeadline = 0 },
	} {
		c := good
		mod(&c)
		if err := c.Check(); !errors.Is(err, contracts.ErrL1Config) {
			t.Errorf("%s: %v, want ErrL1Config", name, err)
		}
		if _, err := contracts.DeployL1(&bind.TransactOpts{}, nil, c); !errors.Is(err, contracts.ErrL1Config) {
			t.Errorf("%s: DeployL1: %v, want ErrL1Config", name, err)
		}
	}
}

// TestConstructorsRevert checks the constructors' own checks, which
// L1Config.Check mirrors.
func TestConstructorsRevert(t *testing.T) {
	t.Parallel()
	e := newL1Env(t, l2ChainID)
	code := func(meta *bind.MetaData, args []byte) []byte { return append(common.FromHex(meta.Bin), args...) }
	e.expectCallRevert(e.alice, nil, nil, code(&contracts.KeyperSetManagerMetaData, e.ksm.PackConstructor(common.Address{})),
		contracts.KeyperSetManagerZeroOwnerErrorID())
	e.expectCallRevert(e.alice, nil, nil, code(&contracts.BatchInboxMetaData, e.bi.PackConstructor(1, common.Address{}, e.d.KeyBroadcast)),
		contracts.BatchInboxZeroSequencerErrorID())
	e.expectCallRevert(e.alice, nil, nil, code(&contracts.L1InboxMetaData, e.in.PackConstructor(0)),
		contracts.L1InboxZeroDeadlineErrorID())
}

func TestKeyperSetManager(t *testing.T) {
	t.Parallel()
	e := newL1Env(t, l2ChainID)
	ksm, at := e.ksm, e.d.KeyperSetManager
	if o := must(ksm.UnpackOwner(e.call(at, ksm.PackOwner()))); o != addr(e.owner) {
		t.Fatalf("owner %v, want %v", o, addr(e.owner))
	}
	members := addrs(e.keypers)
	e.sim.Commit()
	e.sim.Commit()
	head := e.head()

	// Bad sets, each with its reason.
	for _, c := range []struct {
		name       string
		from       *ecdsa.PrivateKey
		members    []common.Address
		t          uint64
		activation uint64
		want       common.Hash
	}{
		{"not the owner", e.alice, members, 3, head + 10, contracts.KeyperSetManagerNotOwnerErrorID()},
		{"no members", e.owner, nil, 1, head + 10, contracts.KeyperSetManagerNoMembersErrorID()},
		{"zero member", e.owner, []common.Address{members[0], {}}, 1, head + 10, contracts.KeyperSetManagerZeroMemberErrorID()},
		{"duplicate member", e.owner, []common.Address{members[0], members[1], members[0]}, 2, head + 10, contracts.KeyperSetManagerDuplicateMemberErrorID()},
		{"threshold 0", e.owner, members, 0, head + 10, contracts.KeyperSetManagerBadThresholdErrorID()},
		{"threshold above n", e.owner, members, 6, head + 10, contracts.KeyperSetManagerBadThresholdErrorID()},
		{"activation in the past", e.owner, members, 3, head - 1, contracts.KeyperSetManagerActivationTooEarlyErrorID()},
	} {
		t.Run(c.name, func(t *testing.T) {
			e.on(t).expectRevert(c.from, at, nil, ksm.PackAddKeyperSet(c.members, c.t, c.activation), c.want)
		})
	}
	if n := must(ksm.UnpackKeyperSetCount(e.call(at, ksm.PackKeyperSetCount()))); n != 0 {
		t.Fatalf("%d sets after rejected additions", n)
	}

	// Set 0: activation at the very block the transaction lands in.
	a0 := e.head() + 1
	r := e.mustSucceed(e.owner, at, nil, ksm.PackAddKeyperSet(members, 3, a0))
	ev := must(ksm.UnpackKeyperSetAddedEvent(r.Logs[0]))
	if ev.Index != 0 || ev.ActivationBlock != a0 || ev.Threshold != 3 || !slices.Equal(ev.Members, members) {
		t.Errorf("KeyperSetAdded %+v", ev)
	}
	// Set 1 must activate strictly later.
	e.expectRevert(e.owner, at, nil, ksm.PackAddKeyperSet(members[:2], 2, a0), contracts.KeyperSetManagerActivationTooEarlyErrorID())
	a1 := a0 + 10
	e.addSet(e.keypers[3:], 1, a1)

	if n := must(ksm.UnpackKeyperSetCount(e.call(at, ksm.PackKeyperSetCount()))); n != 2 {
		t.Fatalf("%d sets, want 2", n)
	}
	s1 := must(ksm.UnpackKeyperSet(e.call(at, ksm.PackKeyperSet(1))))
	if !slices.Equal(s1.Members, members[3:]) || s1.Threshold != 1 || s1.ActivationBlock != a1 {
		t.Errorf("keyperSet(1) = %+v", s1)
	}
	p0 := must(ksm.UnpackKeyperSetParams(e.call(at, ksm.PackKeyperSetParams(0))))
	if p0.Threshold != 3 || p0.ActivationBlock != a0 {
		t.Errorf("keyperSetParams(0) = %+v", p0)
	}
	for i, m := range members {
		ki := must(ksm.UnpackKeyperIndex(e.call(at, ksm.PackKeyperIndex(0, m))))
		if !ki.IsMember || ki.Keyper != uint64(i) {
			t.Errorf("keyperIndex(0, member %d) = %+v", i, ki)
		}
	}
	if ki := must(ksm.UnpackKeyperIndex(e.call(at, ksm.PackKeyperIndex(1, members[0])))); ki.IsMember {
		t.Errorf("member 0 is in set 1: %+v", ki)
	}
	e.expectCallRevert(e.alice, &at, nil, ksm.PackKeyperSet(2), contracts.KeyperSetManagerNoSuchKeyperSetErrorID())
	e.expectCallRevert(e.alice, &at, nil, ksm.PackKeyperSetParams(2), contracts.KeyperSetManagerNoSuchKeyperSetErrorID())
	e.expectCallRevert(e.alice, &at, nil, ksm.PackKeyperIndex(2, members[0]), contracts.KeyperSetManagerNoSuchKeyperSetErrorID())

	// Activation: the set active at a block.
	e.expectCallRevert(e.alice, &at, nil, ksm.PackKeyperSetIndexAt(a0-1), contracts.KeyperSetManagerNoActiveKeyperSetErrorID())
	for _, c := range []struct{ block, want uint64 }{{a0, 0}, {a1 - 1, 0}, {a1, 1}, {1 << 62, 1}} {
		if got := must(ksm.UnpackKeyperSetIndexAt(e.call(at, ksm.PackKeyperSetIndexAt(c.block)))); got != c.want {
			t.Errorf("keyperSetIndexAt(%d) = %d, want %d", c.block, got, c.want)
		}
	}

	// Ownership.
	e.expectRevert(e.alice, at, nil, ksm.PackTransferOwnership(addr(e.alice)), contracts.KeyperSetManagerNotOwnerErrorID())
	e.expectRevert(e.owner, at, nil, ksm.PackTransferOwnership(common.Address{}), contracts.KeyperSetManagerZeroOwnerErrorID())
	r = e.mustSucceed(e.owner, at, nil, ksm.PackTransferOwnership(addr(e.alice)))
	ot := must(ksm.UnpackOwnershipTransferredEvent(r.Logs[0]))
	if ot.PreviousOwner != addr(e.owner) || ot.NewOwner != addr(e.alice) {
		t.Errorf("OwnershipTransferred %+v", ot)
	}
	e.expectRevert(e.owner, at, nil, ksm.PackAddKeyperSet(members, 3, a1+1), contracts.KeyperSetManagerNotOwnerErrorID())
	e.mustSucceed(e.alice, at, nil, ksm.PackAddKeyperSet(members, 3, a1+1))
}

func TestKeyBroadcastThresholdVoting(t *testing.T) {
	t.Parallel()
	e := newL1Env(t, l2ChainID)
	kb, at := e.kb, e.d.KeyBroadcast
	const eon = 1
	key := eonKeyL1(t, committee(t, 1))
	other := eonKeyL1(t, committee(t, 2))
	set := e.addSet(e.keypers, threshold, e.head()+2)
	keyHash, otherHash := crypto.Keccak256Hash(key), crypto.Keccak256Hash(other)

	// Calls refused before any vote counts.
	e.expectRevert(e.keypers[0], at, nil, kb.PackVoteEonKey(set+1, eon, key), contracts.KeyBroadcastNoSuchKeyperSetErrorID())
	e.expectRevert(e.alice, at, nil, kb.PackVoteEonKey(set, eon, key), contracts.KeyBroadcastNotAMemberErrorID())
	e.expectRevert(e.keypers[0], at, nil, kb.PackVoteEonKey(set, eon, key[:255]), contracts.KeyBroadcastBadKeyLengthErrorID())
	for name, bad := range badG2Encodings(t, key) {
		t.Run(name, func(t *testing.T) {
			e.on(t).expectRevert(e.keypers[0], at, nil, kb.PackVoteEonKey(set, eon, bad), contracts.KeyBroadcastInvalidKeyErrorID())
		})
	}

	votes := func(h common.Hash) uint64 { return must(kb.UnpackVotes(e.call(at, kb.PackVotes(set, eon, h)))) }
	noKey := func(when string) {
		t.Helper()
		if k := must(kb.UnpackEonKey(e.call(at, kb.PackEonKey(eon)))); len(k.Key) != 0 {
			t.Fatalf("%s: eon has a key", when)
		}
	}
	// Two votes for key, two for other: neither reaches 3.
	for i, k := range [][]byte{key, other, key, other} {
		r := e.vote(e.keypers[i], set, eon, k)
		if len(r.Logs) != 1 {
			t.Fatalf("vote %d: %d logs, want only EonKeyVoted", i, len(r.Logs))
		}
		ev := must(kb.UnpackEonKeyVotedEvent(r.Logs[0]))
		if ev.KeyperSetIndex != set || ev.Eon != eon || ev.Voter != addr(e.keypers[i]) ||
			ev.KeyHash != crypto.Keccak256Hash(k) || ev.Votes != uint64(i/2+1) {
			t.Errorf("vote %d: EonKeyVoted %+v", i, ev)
		}
	}
	noKey("two votes each for two keys")
	if votes(keyHash) != 2 || votes(otherHash) != 2 {
		t.Errorf("votes %d and %d, want 2 and 2", votes(keyHash), votes(otherHash))
	}
	if !must(kb.UnpackHasVoted(e.call(at, kb.PackHasVoted(set, eon, addr(e.keypers[1]))))) ||
		must(kb.UnpackHasVoted(e.call(at, kb.PackHasVoted(set, eon, addr(e.keypers[4]))))) {
		t.Error("hasVoted wrong")
	}
	// No second vote, not even for the same key.
	e.expectRevert(e.keypers[1], at, nil, kb.PackVoteEonKey(set, eon, other), contracts.KeyBroadcastAlreadyVotedErrorID())
	e.expectRevert(e.keypers[0], at, nil, kb.PackVoteEonKey(set, eon, other), contracts.KeyBroadcastAlreadyVotedErrorID())
	noKey("after refused second votes")

	// The third identical vote accepts the key.
	r := e.vote(e.keypers[4], set, eon, key)
	if len(r.Logs) != 2 {
		t.Fatalf("%d logs, want EonKeyVoted and EonKeyAccepted", len(r.Logs))
	}
	acc := must(kb.UnpackEonKeyAcceptedEvent(r.Logs[1]))
	if acc.Eon != eon || acc.KeyperSetIndex != set || !bytes.Equal(acc.Key, key) {
		t.Errorf("EonKeyAccepted %+v", acc)
	}
	got := must(kb.UnpackEonKey(e.call(at, kb.PackEonKey(eon))))
	params := must(e.ksm.UnpackKeyperSetParams(e.call(e.d.KeyperSetManager, e.ksm.PackKeyperSetParams(set))))
	if !bytes.Equal(got.Key, key) || got.KeyperSetIndex != set || got.ActivationBlock != params.ActivationBlock {
		t.Errorf("eonKey(%d) = %+v", eon, got)
	}
	// The key read back is the committee's tpke key.
	compressed := must(contracts.EonKeyFromL1(got.Key))
	if !bytes.Equal(compressed, committee(t, 1)[0].EonPublicKey.Bytes()) {
		t.Error("the key read from KeyBroadcast is not the committee's eon key")
	}

	// The eon is settled: no set can vote it again.
	set2 := e.addSet(e.keypers[:3], 2, e.head()+10)
	e.expectRevert(e.keypers[0], at, nil, kb.PackVoteEonKey(set2, eon, other), contracts.KeyBroadcastEonKeyAlreadyAcceptedErrorID())
	// Another eon is independent; a set with threshold 2 accepts at 2.
	e.vote(e.keypers[0], set2, eon+1, other)
	r = e.vote(e.keypers[1], set2, eon+1, other)
	if len(r.Logs) != 2 {
		t.Fatalf("%d logs at the second of two votes, want the key accepted", len(r.Logs))
	}
	if got := must(kb.UnpackEonKey(e.call(at, kb.PackEonKey(eon)))); !bytes.Equal(got.Key, key) {
		t.Error("eon 1's key changed")
	}
	// Once set2 is active, set 0 votes no more; set2, the last, still does.
	activation := must(e.ksm.UnpackKeyperSetParams(e.call(e.d.KeyperSetManager, e.ksm.PackKeyperSetParams(set2)))).ActivationBlock
	if e.head()+1 >= activation {
		t.Fatal("set2 is active too early for the test")
	}
	e.vote(e.keypers[0], set, eon+2, key)
	for e.head() < activation { // eth_call runs at the head
		e.sim.Commit()
	}
	e.expectRevert(e.keypers[1], at, nil, kb.PackVoteEonKey(set, eon+2, key), contracts.KeyBroadcastKeyperSetSupersededErrorID())
	e.vote(e.keypers[0], set2, eon+2, key)
}

func TestL1Inbox(t *testing.T) {
	t.Parallel()
	e := newL1Env(t, l2ChainID)
	in, at := e.in, e.d.L1Inbox
	if d := must(in.UnpackDeadline(e.call(at, in.PackDeadline()))); d != forcedDeadline {
		t.Fatalf("deadline %d, want %d", d, forcedDeadline)
	}

	amounts := []*big.Int{ether, big.NewInt(12345)}
	for i, amount := range amounts {
		r := e.mustSucceed(e.alice, at, amount, in.PackDeposit(addr(e.bob)))
		ev := must(in.UnpackDepositEvent(r.Logs[0]))
		if ev.To != addr(e.bob) || ev.Amount.Cmp(amount) != 0 || ev.Index != uint64(i) || ev.From != addr(e.alice) {
			t.Errorf("deposit %d: %+v", i, ev)
		}
	}
	e.expectRevert(e.alice, at, nil, in.PackDeposit(addr(e.bob)), contracts.L1InboxZeroDepositErrorID())
	e.expectRevert(e.alice, at, ether, in.PackDeposit(common.Address{}), contracts.L1InboxZeroRecipientErrorID())
	bal, err := e.client.BalanceAt(context.Background(), at, nil)
	if err != nil || bal.Cmp(new(big.Int).Add(amounts[0], amounts[1])) != 0 {
		t.Errorf("inbox holds %v, %v", bal, err)
	}
	if n := must(in.UnpackDepositCount(e.call(at, in.PackDepositCount()))); n != 2 {
		t.Errorf("depositCount %d", n)
	}

	// A forced envelope: any signed L2 transaction to the EncryptedInbox.
	l2Signer := types.LatestSignerForChainID(big.NewInt(l2ChainID))
	env := types.MustSignNewTx(e.bob, l2Signer, &types.DynamicFeeTx{ChainID: big.NewInt(l2ChainID), Nonce: 3,
		GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(2e9), Gas: 100_000, To: &contracts.EncryptedInboxAddress,
		Value: big.NewInt(1e15), Data: []byte("submit(...)")})
	raw, err := env.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		r := e.mustSucceed(e.alice, at, nil, in.PackForceEnvelope(raw))
		ev := must(in.UnpackForcedEnvelopeEvent(r.Logs[0]))
		l1Block := r.BlockNumber.Uint64()
		if ev.Index != uint64(i) || ev.L1Block != l1Block || ev.DeadlineBlock != l1Block+forcedDeadline ||
			ev.Sender != addr(e.alice) || !bytes.Equal(ev.Envelope, raw) {
			t.Errorf("forced envelope %d: %+v", i, ev)
		}
		var back types.Transaction
		if err := back.UnmarshalBinary(ev.Envelope); err != nil || back.Hash() != env.Hash() {
			t.Errorf("the event's envelope does not decode to the transaction: %v", err)
		}
	}
	if n := must(in.UnpackForcedCount(e.call(at, in.PackForcedCount()))); n != 2 {
		t.Errorf("forcedCount %d", n)
	}
	e.expectRevert(e.alice, at, nil, in.PackForceEnvelope(nil), contracts.L1InboxEmptyEnvelopeErrorID())
	maxSize := must(in.UnpackMAXENVELOPESIZE(e.call(at, in.PackMAXENVELOPESIZE()))).Uint64()
	tooLarge := in.PackForceEnvelope(make([]byte, maxSize+1))
	to := at
	// Such a transaction exceeds the pool's size limit (128 KiB) anyway:
	// check the contract with eth_call, and mine the largest envelope that
	// the pool takes.
	e.expectCallRevert(e.alice, &to, nil, tooLarge, contracts.L1InboxEnvelopeTooLargeErrorID())
	fits := in.PackForceEnvelope(make([]byte, maxSize-1024))
	if r := e.send(e.alice, &to, nil, fits, 6_000_000); r.Status != types.ReceiptStatusSuccessful {
		t.Error("a large envelope was refused")
	}
	if _, err := e.client.CallContract(context.Background(), ethereum.CallMsg{From: addr(e.alice), To: &to, Gas: 6_000_000,
		Data: in.PackForceEnvelope(make([]byte, maxSize))}, nil); err != nil {
		t.Errorf("an envelope of the maximum size was refused: %v", err)
	}
}
