package contracts

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/consensus/misc/eip1559"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rpc"
)

var (
	ether = big.NewInt(params.Ether)
	gwei  = big.NewInt(params.GWei)

	// Accounts with code that make a payment to them fail: one reverts, one
	// loops until it runs out of gas.
	revertingAddr = common.HexToAddress("0x00000000000000000000000000000000000dead1")
	revertingCode = []byte{0x5f, 0x5f, 0xfd} // PUSH0 PUSH0 REVERT
	loopingAddr   = common.HexToAddress("0x00000000000000000000000000000000000dead2")
	loopingCode   = []byte{0x5b, 0x5f, 0x56} // JUMPDEST PUSH0 JUMP

	bridgeSupply = new(big.Int).Mul(big.NewInt(1_000_000), ether)
)

// osakaConfig is the simulated backend's dev chain config cut back to
// Veil's rules, every fork through Osaka and nothing later (the backend's
// default also enables a later fork that reprices state growth).
var osakaConfig = func() *params.ChainConfig {
	c := *params.AllDevChainProtocolChanges
	c.AmsterdamTime = nil
	c.BogotaTime = nil
	c.UBTTime = nil
	return &c
}()

const txGas = 1_000_000 // generous: reverting transactions must still be mined

type testEnv struct {
	t      *testing.T
	sim    *simulated.Backend
	client simulated.Client
	signer types.Signer

	seq, alice, bob *ecdsa.PrivateKey
	inbox           *EncryptedInbox
	bridge          *Bridge
}

func testKey(i byte) *ecdsa.PrivateKey {
	k, err := crypto.ToECDSA(common.LeftPadBytes([]byte{i}, 32))
	if err != nil {
		panic(err)
	}
	return k
}

func addr(k *ecdsa.PrivateKey) common.Address { return crypto.PubkeyToAddress(k.PublicKey) }

// newTestEnv starts a simulated chain whose genesis holds the predeploys
// from GenesisAlloc, three funded accounts and two accounts that refuse
// payments.
func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	e := &testEnv{t: t, seq: testKey(1), alice: testKey(2), bob: testKey(3),
		inbox: NewEncryptedInbox(), bridge: NewBridge()}
	alloc := GenesisAlloc(addr(e.seq), bridgeSupply)
	funds := new(big.Int).Mul(big.NewInt(1000), ether)
	for _, k := range []*ecdsa.PrivateKey{e.seq, e.alice, e.bob} {
		alloc[addr(k)] = types.Account{Balance: funds}
	}
	alloc[revertingAddr] = types.Account{Code: revertingCode, Balance: new(big.Int)}
	alloc[loopingAddr] = types.Account{Code: loopingCode, Balance: new(big.Int)}
	e.sim = simulated.NewBackend(alloc, func(_ *node.Config, c *ethconfig.Config) {
		c.Genesis.Config = osakaConfig
	})
	t.Cleanup(func() { e.sim.Close() })
	e.client = e.sim.Client()
	chainID, err := e.client.ChainID(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	e.signer = types.LatestSignerForChainID(chainID)
	return e
}

func (e *testEnv) chainID() uint64 { return e.signer.ChainID().Uint64() }

func (e *testEnv) head() *types.Header {
	e.t.Helper()
	h, err := e.client.HeaderByNumber(context.Background(), nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return h
}

// nextBaseFee is the base fee of the block the next transaction lands in.
func (e *testEnv) nextBaseFee() *big.Int {
	return eip1559.CalcBaseFee(osakaConfig, e.head())
}

func (e *testEnv) balance(a common.Address) *big.Int {
	e.t.Helper()
	b, err := e.client.BalanceAt(context.Background(), a, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

func (e *testEnv) storage(a common.Address, slot common.Hash) *big.Int {
	e.t.Helper()
	v, err := e.client.StorageAt(context.Background(), a, slot, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return new(big.Int).SetBytes(v)
}

// send mines a transaction from key in a block of its own and returns its
// receipt; the transaction pays a tip of 1 gwei.
func (e *testEnv) send(key *ecdsa.PrivateKey, to common.Address, value *big.Int, data []byte) *types.Receipt {
	e.t.Helper()
	ctx := context.Background()
	nonce, err := e.client.PendingNonceAt(ctx, addr(key))
	if err != nil {
		e.t.Fatal(err)
	}
	feeCap := new(big.Int).Add(new(big.Int).Mul(e.nextBaseFee(), big.NewInt(2)), gwei)
	tx := types.MustSignNewTx(key, e.signer, &types.DynamicFeeTx{
		ChainID: e.signer.ChainID(), Nonce: nonce, GasTipCap: gwei, GasFeeCap: feeCap,
		Gas: txGas, To: &to, Value: value, Data: data,
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

func (e *testEnv) mustSucceed(key *ecdsa.PrivateKey, to common.Address, value *big.Int, data []byte) *types.Receipt {
	e.t.Helper()
	r := e.send(key, to, value, data)
	if r.Status != types.ReceiptStatusSuccessful {
		e.t.Fatalf("transaction to %v reverted (gas used %d)", to, r.GasUsed)
	}
	return r
}

// expectRevert checks that the call reverts with the custom error errID
// (expectCallRevert) and that the same transaction, mined, fails.
func (e *testEnv) expectRevert(key *ecdsa.PrivateKey, to common.Address, value *big.Int, data []byte, errID common.Hash) {
	e.t.Helper()
	e.expectCallRevert(key, to, value, data, errID)
	if r := e.send(key, to, value, data); r.Status != types.ReceiptStatusFailed {
		e.t.Fatal("transaction succeeded, want a revert")
	}
}

// expectCallRevert checks that the call reverts with the custom error errID
// (eth_call on the latest block, at that block's base fee).
func (e *testEnv) expectCallRevert(key *ecdsa.PrivateKey, to common.Address, value *big.Int, data []byte, errID common.Hash) {
	e.t.Helper()
	_, err := e.client.CallContract(context.Background(), ethereum.CallMsg{
		From: addr(key), To: &to, Value: value, Data: data, Gas: txGas,
		GasFeeCap: new(big.Int).Mul(e.head().BaseFee, big.NewInt(2)), GasTipCap: new(big.Int),
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

func (e *testEnv) callInbox(data []byte) []byte {
	e.t.Helper()
	out, err := e.client.CallContract(context.Background(), ethereum.CallMsg{To: &EncryptedInboxAddress, Data: data}, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

func (e *testEnv) callBridge(data []byte) []byte {
	e.t.Helper()
	out, err := e.client.CallContract(context.Background(), ethereum.CallMsg{To: &BridgeAddress, Data: data}, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

func (e *testEnv) held() *big.Int {
	e.t.Helper()
	h, err := e.inbox.UnpackHeld(e.callInbox(e.inbox.PackHeld()))
	if err != nil {
		e.t.Fatal(err)
	}
	if s := e.storage(EncryptedInboxAddress, SlotHeld); s.Cmp(h) != 0 {
		e.t.Fatalf("held() = %v but slot %v holds %v", h, SlotHeld, s)
	}
	return h
}

// goIdentity is the identity computed independently of the contract.
func goIdentity(chainID, eon uint64, payer common.Address, prefix [32]byte) common.Hash {
	var buf []byte
	buf = append(buf, "veil/id/tx/v1"...)
	buf = binary.BigEndian.AppendUint64(buf, chainID)
	buf = binary.BigEndian.AppendUint64(buf, eon)
	buf = append(buf, payer.Bytes()...)
	buf = append(buf, prefix[:]...)
	if len(buf) != 13+8+8+20+32 {
		panic("identity preimage length")
	}
	return crypto.Keccak256Hash(buf)
}

func mul(a *big.Int, b uint64) *big.Int { return new(big.Int).Mul(a, new(big.Int).SetUint64(b)) }
func add(a, b *big.Int) *big.Int        { return new(big.Int).Add(a, b) }
func sub(a, b *big.Int) *big.Int        { return new(big.Int).Sub(a, b) }

func TestGenesis(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	for _, c := range []struct {
		name string
		at   common.Address
		code []byte
	}{{"inbox", EncryptedInboxAddress, EncryptedInboxRuntimeCode()}, {"bridge", BridgeAddress, BridgeRuntimeCode()}} {
		got, err := e.client.CodeAt(ctx, c.at, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, c.code) {
			t.Errorf("%s: code in genesis differs from the runtime artifact", c.name)
		}
	}
	seq, err := e.inbox.UnpackSequencer(e.callInbox(e.inbox.PackSequencer()))
	if err != nil || seq != addr(e.seq) {
		t.Errorf("inbox sequencer() = %v, %v; want %v", seq, err, addr(e.seq))
	}
	seq, err = e.bridge.UnpackSequencer(e.callBridge(e.bridge.PackSequencer()))
	if err != nil || seq != addr(e.seq) {
		t.Errorf("bridge sequencer() = %v, %v; want %v", seq, err, addr(e.seq))
	}
	if h := e.held(); h.Sign() != 0 {
		t.Errorf("held = %v at genesis", h)
	}
	last, err := e.bridge.UnpackLastL1Block(e.callBridge(e.bridge.PackLastL1Block()))
	if err != nil || last != 0 {
		t.Errorf("lastL1Block() = %d, %v at genesis", last, err)
	}
	if b := e.balance(BridgeAddress); b.Cmp(bridgeSupply) != 0 {
		t.Errorf("bridge balance %v, want %v", b, bridgeSupply)
	}
	stipend, err := e.inbox.UnpackREFUNDGASSTIPEND(e.callInbox(e.inbox.PackREFUNDGASSTIPEND()))
	if err != nil || stipend.Cmp(big.NewInt(RefundGasStipend)) != 0 {
		t.Errorf("REFUND_GAS_STIPEND = %v, %v; want %d", stipend, err, RefundGasStipend)
	}
	stipend, err = e.bridge.UnpackCREDITGASSTIPEND(e.callBridge(e.bridge.PackCREDITGASSTIPEND()))
	if err != nil || stipend.Cmp(big.NewInt(CreditGasStipend)) != 0 {
		t.Errorf("CREDIT_GAS_STIPEND = %v, %v; want %d", stipend, err, CreditGasStipend)
	}
}

func TestGenesisAllocValues(t *testing.T) {
	seq := common.HexToAddress("0x00000000000000000000000000000000000000aa")
	supply := big.NewInt(12345)
	alloc := GenesisAlloc(seq, supply)
	supply.SetInt64(0) // GenesisAlloc keeps its own copy
	if len(alloc) != 2 {
		t.Fatalf("%d accounts, want 2", len(alloc))
	}
	inbox, bridge := alloc[EncryptedInboxAddress], alloc[BridgeAddress]
	want := common.HexToHash("0x00000000000000000000000000000000000000000000000000000000000000aa")
	for name, a := range map[string]types.Account{"inbox": inbox, "bridge": bridge} {
		if got := a.Storage[SlotSequencer]; got != want || len(a.Storage) != 1 {
			t.Errorf("%s storage %v, want only the sequencer slot = %v", name, a.Storage, want)
		}
	}
	if bridge.Balance.Cmp(big.NewInt(12345)) != 0 || inbox.Balance.Sign() != 0 {
		t.Errorf("balances inbox %v bridge %v", inbox.Balance, bridge.Balance)
	}
	if GenesisAlloc(seq, nil)[BridgeAddress].Balance.Sign() != 0 {
		t.Error("nil supply is not zero")
	}
	code := EncryptedInboxRuntimeCode()
	code[0] ^= 0xff
	if bytes.Equal(code, EncryptedInboxRuntimeCode()) {
		t.Error("EncryptedInboxRuntimeCode returns shared memory")
	}
}

// TestStorageLayout checks the slot constants against the compiler's
// storage layout in the committed artifacts.
func TestStorageLayout(t *testing.T) {
	slotNumber := func(h common.Hash) int { return int(h.Big().Int64()) }
	type entry struct {
		Label  string `json:"label"`
		Slot   int    `json:"slot"`
		Offset int    `json:"offset"`
		Type   string `json:"type"`
	}
	for name, want := range map[string][]entry{
		"EncryptedInbox": {{"sequencer", slotNumber(SlotSequencer), 0, "address"}, {"held", slotNumber(SlotHeld), 0, "uint256"}},
		"Bridge":         {{"sequencer", slotNumber(SlotSequencer), 0, "address"}, {"_lastL1Block", slotNumber(SlotLastL1Block), 0, "uint256"}},
	} {
		raw, err := os.ReadFile(filepath.Join("artifacts", name+".storage.json"))
		if err != nil {
			t.Fatal(err)
		}
		var got []entry
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: layout %+v, want %+v", name, got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s: layout %+v, want %+v", name, got[i], want[i])
			}
		}
	}
}

func TestSubmitEmitsEnvelope(t *testing.T) {
	e := newTestEnv(t)
	const eon, declaredGas = uint64(7), uint64(100_000)
	prefix := common.HexToHash("0x0102030405060708091011121314151617181920212223242526272829303132")
	deposit := mul(e.nextBaseFee(), declaredGas) // exactly the minimum
	r := e.mustSucceed(e.alice, EncryptedInboxAddress, deposit, e.inbox.PackSubmit(eon, prefix, declaredGas, []byte("ciphertext")))
	if len(r.Logs) != 1 {
		t.Fatalf("%d logs, want 1", len(r.Logs))
	}
	ev, err := e.inbox.UnpackEnvelopeEvent(r.Logs[0])
	if err != nil {
		t.Fatal(err)
	}
	wantID := goIdentity(e.chainID(), eon, addr(e.alice), prefix)
	if ev.Eon != eon || common.Hash(ev.Identity) != wantID || ev.Payer != addr(e.alice) ||
		ev.DeclaredGas != declaredGas || ev.Deposit.Cmp(deposit) != 0 {
		t.Errorf("Envelope %+v; want eon %d identity %v payer %v declaredGas %d deposit %v",
			ev, eon, wantID, addr(e.alice), declaredGas, deposit)
	}
	if bytes.Contains(r.Logs[0].Data, []byte("ciphertext")) {
		t.Error("the ciphertext is emitted")
	}
	// A second envelope adds to held.
	deposit2 := mul(e.nextBaseFee(), 2*declaredGas)
	r = e.mustSucceed(e.bob, EncryptedInboxAddress, deposit2, e.inbox.PackSubmit(eon+1, prefix, declaredGas, nil))
	ev, err = e.inbox.UnpackEnvelopeEvent(r.Logs[0])
	if err != nil {
		t.Fatal(err)
	}
	if want := goIdentity(e.chainID(), eon+1, addr(e.bob), prefix); common.Hash(ev.Identity) != want {
		t.Errorf("identity %x, want %v", ev.Identity, want)
	}
	if h, want := e.held(), add(deposit, deposit2); h.Cmp(want) != 0 {
		t.Errorf("held = %v, want %v", h, want)
	}
	if b := e.balance(EncryptedInboxAddress); b.Cmp(e.held()) != 0 {
		t.Errorf("inbox balance %v != held %v", b, e.held())
	}
	t.Logf("submit with a 0-byte ciphertext used %d gas", r.GasUsed)
}

func TestSubmitDepositTooSmall(t *testing.T) {
	e := newTestEnv(t)
	const declaredGas = uint64(50_000)
	// eth_call runs at the latest block's base fee.
	short := sub(mul(e.head().BaseFee, declaredGas), big.NewInt(1))
	e.expectCallRevert(e.alice, EncryptedInboxAddress, short, e.inbox.PackSubmit(1, common.Hash{}, declaredGas, []byte{1}),
		EncryptedInboxDepositTooSmallErrorID())
	// Mined one wei short of the block's base fee times declared gas.
	short = sub(mul(e.nextBaseFee(), declaredGas), big.NewInt(1))
	if r := e.send(e.alice, EncryptedInboxAddress, short, e.inbox.PackSubmit(1, common.Hash{}, declaredGas, []byte{1})); r.Status != types.ReceiptStatusFailed {
		t.Error("a deposit one wei short was accepted")
	}
	if h := e.held(); h.Sign() != 0 {
		t.Errorf("held = %v after rejected deposits", h)
	}
}

func TestSubmitZeroDeclaredGas(t *testing.T) {
	e := newTestEnv(t)
	e.expectRevert(e.alice, EncryptedInboxAddress, ether, e.inbox.PackSubmit(1, common.Hash{}, 0, []byte{1}),
		EncryptedInboxZeroDeclaredGasErrorID())
	if h := e.held(); h.Sign() != 0 {
		t.Errorf("held = %v after a rejected envelope", h)
	}
}

// fundInbox submits one envelope from each of alice and bob and returns the
// deposits.
func (e *testEnv) fundInbox() (aliceDeposit, bobDeposit *big.Int) {
	aliceDeposit = mul(e.nextBaseFee(), 300_000)
	e.mustSucceed(e.alice, EncryptedInboxAddress, aliceDeposit, e.inbox.PackSubmit(1, common.Hash{1}, 100_000, []byte{1}))
	bobDeposit = mul(e.nextBaseFee(), 500_000)
	e.mustSucceed(e.bob, EncryptedInboxAddress, bobDeposit, e.inbox.PackSubmit(1, common.Hash{2}, 100_000, []byte{2}))
	return aliceDeposit, bobDeposit
}

func TestSettleNotSequencer(t *testing.T) {
	e := newTestEnv(t)
	e.fundInbox()
	before := e.held()
	e.expectRevert(e.alice, EncryptedInboxAddress, nil,
		e.inbox.PackSettle([]common.Address{addr(e.alice)}, []*big.Int{big.NewInt(1)}, true), EncryptedInboxNotSequencerErrorID())
	if h := e.held(); h.Cmp(before) != 0 {
		t.Errorf("held %v, want %v", h, before)
	}
}

func TestSettleRefundsAndBurns(t *testing.T) {
	e := newTestEnv(t)
	a, b := e.fundInbox()
	total := add(a, b)
	if h := e.held(); h.Cmp(total) != 0 {
		t.Fatalf("held %v, want %v", h, total)
	}
	refundA := new(big.Int).Div(a, big.NewInt(3))
	refundB := new(big.Int).Div(b, big.NewInt(2))
	failed1, failed2 := big.NewInt(1000), big.NewInt(2000) // refunds to accounts that refuse them
	payers := []common.Address{addr(e.alice), revertingAddr, addr(e.bob), loopingAddr}
	refunds := []*big.Int{refundA, failed1, refundB, failed2}

	aliceBefore, bobBefore, burnBefore := e.balance(addr(e.alice)), e.balance(addr(e.bob)), e.balance(common.Address{})
	r := e.mustSucceed(e.seq, EncryptedInboxAddress, nil, e.inbox.PackSettle(payers, refunds, true))

	refunded := add(refundA, refundB)
	burned := sub(total, refunded)
	if len(r.Logs) != 1 {
		t.Fatalf("%d logs, want 1", len(r.Logs))
	}
	ev, err := e.inbox.UnpackSettledEvent(r.Logs[0])
	if err != nil {
		t.Fatal(err)
	}
	if ev.Refunded.Cmp(refunded) != 0 || ev.Burned.Cmp(burned) != 0 {
		t.Errorf("Settled(%v, %v), want (%v, %v)", ev.Refunded, ev.Burned, refunded, burned)
	}
	if got := sub(e.balance(addr(e.alice)), aliceBefore); got.Cmp(refundA) != 0 {
		t.Errorf("alice got %v, want %v", got, refundA)
	}
	if got := sub(e.balance(addr(e.bob)), bobBefore); got.Cmp(refundB) != 0 {
		t.Errorf("bob got %v, want %v", got, refundB)
	}
	for _, a := range []common.Address{revertingAddr, loopingAddr} {
		if got := e.balance(a); got.Sign() != 0 {
			t.Errorf("%v accepted a refund of %v", a, got)
		}
	}
	// address(0) is also the simulated chain's fee recipient: take the
	// settlement's priority fee out of its gain.
	tip := mul(sub(r.EffectiveGasPrice, e.head().BaseFee), r.GasUsed)
	if got := sub(sub(e.balance(common.Address{}), burnBefore), tip); got.Cmp(burned) != 0 {
		t.Errorf("address(0) got %v, want %v", got, burned)
	}
	if h := e.held(); h.Sign() != 0 {
		t.Errorf("held = %v after settle", h)
	}
	if bal := e.balance(EncryptedInboxAddress); bal.Sign() != 0 {
		t.Errorf("inbox balance %v after settle", bal)
	}
	t.Logf("settle of 4 refunds (2 failing) used %d gas", r.GasUsed)

	// An empty settlement of nothing held burns nothing.
	r = e.mustSucceed(e.seq, EncryptedInboxAddress, nil, e.inbox.PackSettle(nil, nil, true))
	ev, err = e.inbox.UnpackSettledEvent(r.Logs[0])
	if err != nil || ev.Refunded.Sign() != 0 || ev.Burned.Sign() != 0 {
		t.Errorf("empty settle: %+v, %v", ev, err)
	}
}

func TestSettleInParts(t *testing.T) {
	e := newTestEnv(t)
	a, b := e.fundInbox()
	total := add(a, b)
	refundA := new(big.Int).Div(a, big.NewInt(2))
	aliceBefore := e.balance(addr(e.alice))
	// A part that is not the last refunds and keeps the rest held.
	r := e.mustSucceed(e.seq, EncryptedInboxAddress, nil,
		e.inbox.PackSettle([]common.Address{addr(e.alice)}, []*big.Int{refundA}, false))
	ev, err := e.inbox.UnpackSettledEvent(r.Logs[0])
	if err != nil || ev.Refunded.Cmp(refundA) != 0 || ev.Burned.Sign() != 0 {
		t.Fatalf("first part: %+v, %v", ev, err)
	}
	if h := e.held(); h.Cmp(sub(total, refundA)) != 0 {
		t.Fatalf("held %v after a first part, want %v", h, sub(total, refundA))
	}
	// A refund that fails in a non-final part is burned at once.
	r = e.mustSucceed(e.seq, EncryptedInboxAddress, nil,
		e.inbox.PackSettle([]common.Address{revertingAddr}, []*big.Int{big.NewInt(5)}, false))
	if ev, err = e.inbox.UnpackSettledEvent(r.Logs[0]); err != nil || ev.Burned.Cmp(big.NewInt(5)) != 0 {
		t.Fatalf("failed refund in a part: %+v, %v", ev, err)
	}
	// The last part refunds bob and burns the remainder.
	refundB := new(big.Int).Div(b, big.NewInt(3))
	r = e.mustSucceed(e.seq, EncryptedInboxAddress, nil,
		e.inbox.PackSettle([]common.Address{addr(e.bob)}, []*big.Int{refundB}, true))
	ev, err = e.inbox.UnpackSettledEvent(r.Logs[0])
	want := sub(sub(sub(total, refundA), big.NewInt(5)), refundB)
	if err != nil || ev.Refunded.Cmp(refundB) != 0 || ev.Burned.Cmp(want) != 0 {
		t.Fatalf("last part: %+v, %v (want burned %v)", ev, err, want)
	}
	if h := e.held(); h.Sign() != 0 {
		t.Fatalf("held %v after the last part", h)
	}
	if got := sub(e.balance(addr(e.alice)), aliceBefore); got.Cmp(refundA) != 0 {
		t.Fatalf("alice got %v, want %v", got, refundA)
	}
}

func TestSettleRefundTooLarge(t *testing.T) {
	e := newTestEnv(t)
	a, b := e.fundInbox()
	total := add(a, b)
	over := add(total, big.NewInt(1))
	e.expectRevert(e.seq, EncryptedInboxAddress, nil,
		e.inbox.PackSettle([]common.Address{addr(e.alice)}, []*big.Int{over}, true), EncryptedInboxRefundTooLargeErrorID())
	// Refunds that each fit but add up to more than held.
	e.expectRevert(e.seq, EncryptedInboxAddress, nil,
		e.inbox.PackSettle([]common.Address{addr(e.alice), addr(e.bob)}, []*big.Int{total, big.NewInt(1)}, true),
		EncryptedInboxRefundTooLargeErrorID())
	// Refunds whose sum overflows uint256.
	maxU := sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))
	e.expectRevert(e.seq, EncryptedInboxAddress, nil,
		e.inbox.PackSettle([]common.Address{addr(e.alice), addr(e.bob)}, []*big.Int{big.NewInt(1), maxU}, true),
		EncryptedInboxRefundTooLargeErrorID())
	e.expectRevert(e.seq, EncryptedInboxAddress, nil,
		e.inbox.PackSettle([]common.Address{addr(e.alice)}, nil, true), EncryptedInboxLengthMismatchErrorID())
	if h := e.held(); h.Cmp(total) != 0 {
		t.Errorf("held %v after rejected settlements, want %v", h, total)
	}
	// Refunding exactly everything held burns nothing.
	r := e.mustSucceed(e.seq, EncryptedInboxAddress, nil,
		e.inbox.PackSettle([]common.Address{addr(e.alice), addr(e.bob)}, []*big.Int{a, b}, true))
	ev, err := e.inbox.UnpackSettledEvent(r.Logs[0])
	if err != nil || ev.Refunded.Cmp(total) != 0 || ev.Burned.Sign() != 0 {
		t.Errorf("full refund: %+v, %v", ev, err)
	}
}

func (e *testEnv) lastL1Block() uint64 {
	e.t.Helper()
	v, err := e.bridge.UnpackLastL1Block(e.callBridge(e.bridge.PackLastL1Block()))
	if err != nil {
		e.t.Fatal(err)
	}
	if s := e.storage(BridgeAddress, SlotLastL1Block); s.Cmp(new(big.Int).SetUint64(v)) != 0 {
		e.t.Fatalf("lastL1Block() = %d but slot %v holds %v", v, SlotLastL1Block, s)
	}
	return v
}

func TestBridgeCredit(t *testing.T) {
	e := newTestEnv(t)
	fresh := common.HexToAddress("0x00000000000000000000000000000000000f4e54") // no account yet
	to := []common.Address{addr(e.alice), revertingAddr, fresh, loopingAddr}
	amounts := []*big.Int{ether, big.NewInt(5), big.NewInt(123456789), big.NewInt(6)}
	aliceBefore := e.balance(addr(e.alice))

	r := e.mustSucceed(e.seq, BridgeAddress, nil, e.bridge.PackCredit(10, to, amounts))
	if len(r.Logs) != 4 {
		t.Fatalf("%d logs, want 4", len(r.Logs))
	}
	for i, l := range r.Logs {
		if ok := i%2 == 0; ok {
			ev, err := e.bridge.UnpackCreditedEvent(l)
			if err != nil || ev.L1Block != 10 || ev.To != to[i] || ev.Amount.Cmp(amounts[i]) != 0 {
				t.Errorf("log %d: Credited %+v, %v; want (10, %v, %v)", i, ev, err, to[i], amounts[i])
			}
		} else {
			ev, err := e.bridge.UnpackCreditFailedEvent(l)
			if err != nil || ev.To != to[i] || ev.Amount.Cmp(amounts[i]) != 0 {
				t.Errorf("log %d: CreditFailed %+v, %v; want (%v, %v)", i, ev, err, to[i], amounts[i])
			}
		}
	}
	if got := sub(e.balance(addr(e.alice)), aliceBefore); got.Cmp(ether) != 0 {
		t.Errorf("alice got %v, want %v", got, ether)
	}
	if got := e.balance(fresh); got.Cmp(amounts[2]) != 0 {
		t.Errorf("fresh account got %v, want %v", got, amounts[2])
	}
	for _, a := range []common.Address{revertingAddr, loopingAddr} {
		if got := e.balance(a); got.Sign() != 0 {
			t.Errorf("%v accepted a credit of %v", a, got)
		}
	}
	if got, want := e.balance(BridgeAddress), sub(bridgeSupply, add(ether, amounts[2])); got.Cmp(want) != 0 {
		t.Errorf("bridge balance %v, want %v", got, want)
	}
	if got := e.lastL1Block(); got != 10 {
		t.Errorf("lastL1Block %d, want 10", got)
	}
	t.Logf("credit of 4 deposits (1 to a new account, 2 failing) used %d gas", r.GasUsed)

	// The same L1 block again is fine (deposits of one L1 block may take
	// more than one credit); an older one is not.
	e.mustSucceed(e.seq, BridgeAddress, nil, e.bridge.PackCredit(10, nil, nil))
	e.expectRevert(e.seq, BridgeAddress, nil,
		e.bridge.PackCredit(9, []common.Address{addr(e.bob)}, []*big.Int{ether}), BridgeL1BlockTooOldErrorID())
	e.expectRevert(e.bob, BridgeAddress, nil,
		e.bridge.PackCredit(11, []common.Address{addr(e.bob)}, []*big.Int{ether}), BridgeNotSequencerErrorID())
	e.expectRevert(e.seq, BridgeAddress, nil,
		e.bridge.PackCredit(11, []common.Address{addr(e.bob)}, nil), BridgeLengthMismatchErrorID())
	if got := e.lastL1Block(); got != 10 {
		t.Errorf("lastL1Block %d after rejected credits, want 10", got)
	}
	// Crediting more than the bridge holds fails that credit only.
	r = e.mustSucceed(e.seq, BridgeAddress, nil, e.bridge.PackCredit(12,
		[]common.Address{addr(e.bob), addr(e.alice)}, []*big.Int{add(bridgeSupply, big.NewInt(1)), big.NewInt(1)}))
	if _, err := e.bridge.UnpackCreditFailedEvent(r.Logs[0]); err != nil {
		t.Errorf("overdraft: %v", err)
	}
	if _, err := e.bridge.UnpackCreditedEvent(r.Logs[1]); err != nil {
		t.Errorf("credit after an overdraft: %v", err)
	}
	if got := e.lastL1Block(); got != 12 {
		t.Errorf("lastL1Block %d, want 12", got)
	}
}

// TestBridgeHasNoReceive checks that plain payments to the bridge fail: it
// is funded only in genesis.
func TestBridgeHasNoReceive(t *testing.T) {
	e := newTestEnv(t)
	if r := e.send(e.alice, BridgeAddress, ether, nil); r.Status != types.ReceiptStatusFailed {
		t.Error("the bridge accepted a plain payment")
	}
	if r := e.send(e.alice, EncryptedInboxAddress, ether, nil); r.Status != types.ReceiptStatusFailed {
		t.Error("the inbox accepted a plain payment")
	}
}

// TestGasPerItem measures the marginal gas of one refund and of one credit
// in the worst case (a cold payer; a recipient with no account yet), for the
// sequencer's gas budgets, and checks them against loose bounds.
func TestGasPerItem(t *testing.T) {
	e := newTestEnv(t)
	const n = 10
	accounts := func(seed byte, k int) []common.Address {
		out := make([]common.Address, k)
		for i := range out {
			out[i] = common.BytesToAddress(crypto.Keccak256([]byte{seed, byte(i)})[:20])
		}
		return out
	}
	amounts := func(k int) []*big.Int {
		out := make([]*big.Int, k)
		for i := range out {
			out[i] = big.NewInt(1_000_000_007)
		}
		return out
	}
	// Credits to accounts that do not exist yet: each creates one.
	g1 := e.mustSucceed(e.seq, BridgeAddress, nil, e.bridge.PackCredit(1, accounts(1, 1), amounts(1))).GasUsed
	gn := e.mustSucceed(e.seq, BridgeAddress, nil, e.bridge.PackCredit(1, accounts(2, n+1), amounts(n+1))).GasUsed
	perCredit := (gn - g1) / n
	// Refunds to existing, cold accounts (the credits above created them).
	e.fundInbox()
	s1 := e.mustSucceed(e.seq, EncryptedInboxAddress, nil, e.inbox.PackSettle(accounts(1, 1), amounts(1), true)).GasUsed
	e.fundInbox()
	sn := e.mustSucceed(e.seq, EncryptedInboxAddress, nil, e.inbox.PackSettle(accounts(2, n+1), amounts(n+1), true)).GasUsed
	perRefund := (sn - s1) / n
	t.Logf("credit: %d gas for 1 new recipient, %d per further one; settle: %d gas for 1 refund, %d per further one (receipt gas, intrinsic included)",
		g1, perCredit, s1, perRefund)
	if perCredit > 40_000 || perRefund > 20_000 {
		t.Errorf("per credit %d gas (bound 40000), per refund %d gas (bound 20000)", perCredit, perRefund)
	}
}
