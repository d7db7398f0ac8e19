package execution

import (
	"context"
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/holiman/uint256"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/veil-l2/veil/contracts"
)

// balance reads an account's balance at the head.
func balance(t testing.TB, n *Node, a common.Address) *big.Int {
	t.Helper()
	st, err := n.BlockChain().State()
	if err != nil {
		t.Fatal(err)
	}
	return st.GetBalance(a).ToBig()
}

func held(t testing.TB, n *Node) *big.Int {
	t.Helper()
	st, err := n.BlockChain().State()
	if err != nil {
		t.Fatal(err)
	}
	return heldDeposits(st)
}

// gasFee is what the sender of the block's i-th transaction paid for gas.
func gasFee(b *Built, i int) *big.Int {
	tx := b.Block.Transactions()[i]
	price := new(big.Int).Add(b.Block.BaseFee(), tx.EffectiveGasTipValue(b.Block.BaseFee()))
	return new(big.Int).Mul(new(big.Int).SetUint64(b.Receipts[i].GasUsed), price)
}

// withPlaintext replaces what the ordering layer decrypted, to hand the
// execution an inner transaction an honest wallet's library would refuse to
// encrypt.
func withPlaintext(it Item, tx *types.Transaction) Item {
	b, err := tx.MarshalBinary()
	if err != nil {
		panic(err)
	}
	it.Status, it.Plaintext = Decrypted, b
	return it
}

func TestDropRules(t *testing.T) {
	f := newFixture(t, "payer", "alice", "bob")
	n := f.open(t.TempDir())
	defer n.Close()
	bob := f.addr("bob")
	one := big.NewInt(1)

	cases := []struct {
		name string
		item func() Item
		want DropReason
	}{
		{"no key", func() Item {
			it := f.envelope("payer", f.tx("alice", &bob, one, 21000, nil))
			it.Status, it.Plaintext = NoKey, nil
			f.nonces[f.addr("alice")]--
			return it
		}, DropNoKey},
		{"decryption failed", func() Item {
			it := f.envelope("payer", f.tx("alice", &bob, one, 21000, nil))
			it.Status, it.Plaintext = DecryptFailed, nil
			f.nonces[f.addr("alice")]--
			return it
		}, DropDecryptFailed},
		{"plaintext is no transaction", func() Item {
			it := f.envelope("payer", f.tx("alice", &bob, one, 21000, nil))
			it.Plaintext = []byte{0x02, 0xc0, 0x01}
			f.nonces[f.addr("alice")]--
			return it
		}, DropUndecodable},
		{"type 4", func() Item {
			it := f.envelope("payer", f.tx("alice", &bob, one, 21000, nil))
			f.nonces[f.addr("alice")]--
			auth, _ := types.SignSetCode(f.keys["alice"], types.SetCodeAuthorization{ChainID: *uint256.NewInt(testChainID), Address: bob, Nonce: 1})
			sc, err := types.SignNewTx(f.keys["alice"], f.signer, &types.SetCodeTx{
				ChainID: uint256.NewInt(testChainID), Nonce: f.nonces[f.addr("alice")], GasTipCap: uint256.NewInt(1e9),
				GasFeeCap: uint256.NewInt(1e10), Gas: 21000, To: bob, AuthList: []types.SetCodeAuthorization{auth},
			})
			if err != nil {
				t.Fatal(err)
			}
			return withPlaintext(it, sc)
		}, DropTypeOrChainID},
		{"no chain id", func() Item {
			it := f.envelope("payer", f.tx("alice", &bob, one, 21000, nil))
			f.nonces[f.addr("alice")]--
			legacy, err := types.SignTx(types.NewTransaction(f.nonces[f.addr("alice")], bob, one, 21000, big.NewInt(1e10), nil), types.HomesteadSigner{}, f.keys["alice"])
			if err != nil {
				t.Fatal(err)
			}
			return withPlaintext(it, legacy)
		}, DropTypeOrChainID},
		{"another chain id", func() Item {
			it := f.envelope("payer", f.tx("alice", &bob, one, 21000, nil))
			f.nonces[f.addr("alice")]--
			other, err := types.SignNewTx(f.keys["alice"], types.LatestSignerForChainID(big.NewInt(1)), &types.DynamicFeeTx{
				ChainID: big.NewInt(1), Nonce: f.nonces[f.addr("alice")], GasTipCap: gwei, GasFeeCap: feeCap, Gas: 21000, To: &bob, Value: one})
			if err != nil {
				t.Fatal(err)
			}
			return withPlaintext(it, other)
		}, DropTypeOrChainID},
		{"gas limit is not the declared gas", func() Item {
			it := f.envelope("payer", f.tx("alice", &bob, one, 21000, nil))
			f.nonces[f.addr("alice")]--
			return withPlaintext(it, f.tx("alice", &bob, one, 30000, nil))
		}, DropGasMismatch},
		{"sender is the payer", func() Item {
			it := f.envelope("payer", f.tx("alice", &bob, one, 21000, nil))
			f.nonces[f.addr("alice")]--
			inner := f.tx("payer", &bob, one, 21000, nil)
			f.nonces[f.addr("payer")]--
			return withPlaintext(it, inner)
		}, DropSenderIsPayer},
		{"sender is the system account", func() Item {
			it := f.envelope("payer", f.tx("alice", &bob, one, 21000, nil))
			f.nonces[f.addr("alice")]--
			sys, err := types.SignNewTx(contracts.SystemKey, f.signer, &types.DynamicFeeTx{ChainID: big.NewInt(testChainID),
				GasTipCap: gwei, GasFeeCap: feeCap, Gas: 21000, To: &bob, Value: one})
			if err != nil {
				t.Fatal(err)
			}
			return withPlaintext(it, sys)
		}, DropSystemSender},
		{"invalid at its slot", func() Item {
			f.nonces[f.addr("alice")] += 5
			it := f.envelope("payer", f.tx("alice", &bob, one, 21000, nil))
			f.nonces[f.addr("alice")] -= 6
			return it
		}, DropInvalidAtSlot},
		{"balance too low", func() Item {
			huge := new(big.Int).Mul(big.NewInt(1_000_000), ether)
			it := f.envelope("payer", f.tx("alice", &bob, huge, 21000, nil))
			f.nonces[f.addr("alice")]--
			return it
		}, DropInvalidAtSlot},
	}
	burn := common.Address{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			it := tc.item()
			payerBefore := balance(t, n, f.addr("payer"))
			burnBefore := balance(t, n, burn)
			built := apply(t, n, f.input(it))
			o := built.Outcomes[0]
			if o.Dropped != tc.want || o.Executed {
				t.Fatalf("outcome %+v, want dropped %s", o, tc.want)
			}
			if !o.EnvelopeIncluded {
				t.Fatalf("envelope not executed: %v", o.EnvelopeErr)
			}
			txs := built.Block.Transactions()
			if len(txs) != 2 || txs[0].Hash() != it.Tx.Hash() || *txs[1].To() != contracts.EncryptedInboxAddress {
				t.Fatalf("block holds %d transactions, want the envelope and the settlement", len(txs))
			}
			if o.Content != nil {
				for _, tx := range txs {
					if tx.Hash() == o.Content.Hash() {
						t.Fatal("dropped inner transaction is in the block")
					}
				}
			}
			deposit := it.Tx.Value()
			fee := gasFee(built, 0)
			spent := new(big.Int).Sub(payerBefore, balance(t, n, f.addr("payer")))
			if want := new(big.Int).Add(fee, deposit); spent.Cmp(want) != 0 {
				t.Fatalf("payer spent %v, want gas %v + deposit %v", spent, fee, deposit)
			}
			if burned := new(big.Int).Sub(balance(t, n, burn), burnBefore); burned.Cmp(deposit) != 0 {
				t.Fatalf("burned %v, want the deposit %v", burned, deposit)
			}
			if held(t, n).Sign() != 0 {
				t.Fatal("the inbox still holds deposits after the settlement")
			}
		})
	}
}

// TestSystemSenderSkipped: the system key is public, so a plaintext
// transaction or an envelope signed with it is skipped wherever a batch
// puts it: nobody but block building speaks for the system account (here:
// a forged deposit credit from the bridge).
func TestSystemSenderSkipped(t *testing.T) {
	f := newFixture(t, "payer", "alice")
	n := f.open(t.TempDir())
	defer n.Close()
	alice := f.addr("alice")
	forge, err := creditCalldata(1, []common.Address{alice}, []*big.Int{big.NewInt(1e18)})
	if err != nil {
		t.Fatal(err)
	}
	sign := func(nonce uint64, to common.Address, data []byte) *types.Transaction {
		tx, err := types.SignNewTx(contracts.SystemKey, f.signer, &types.DynamicFeeTx{ChainID: big.NewInt(testChainID), Nonce: nonce,
			GasTipCap: gwei, GasFeeCap: feeCap, Gas: 200_000, To: &to, Data: data})
		if err != nil {
			t.Fatal(err)
		}
		return tx
	}
	plain := sign(0, contracts.BridgeAddress, forge)
	envelope := f.envelope("payer", f.tx("alice", &alice, big.NewInt(1), 21000, nil))
	// The same envelope re-signed by the system account as its payer.
	sysEnv := sign(1, contracts.EncryptedInboxAddress, envelope.Tx.Data())
	before := balance(t, n, alice)
	built := apply(t, n, f.input(Item{Tx: plain, Status: NotEnvelope}, Item{Tx: sysEnv, Status: NoKey}))
	if o := built.Outcomes[0]; o.Dropped != DropSystemSender || o.Executed {
		t.Fatalf("plaintext from the system account: %+v", o)
	}
	if o := built.Outcomes[1]; !errors.Is(o.EnvelopeErr, ErrSystemSender) || o.EnvelopeIncluded {
		t.Fatalf("envelope from the system account: %+v", o)
	}
	for _, tx := range built.Block.Transactions() {
		if tx.Hash() == plain.Hash() || tx.Hash() == sysEnv.Hash() {
			t.Fatal("a transaction signed with the system key is in the block")
		}
	}
	if after := balance(t, n, alice); after.Cmp(before) != 0 {
		t.Fatalf("alice's balance moved from %v to %v", before, after)
	}
}

func TestRevealedStaysDropped(t *testing.T) {
	f := newFixture(t, "payer", "payer2", "alice", "bob")
	n := f.open(t.TempDir())
	defer n.Close()
	bob := f.addr("bob")
	// Block 1: the inner transaction is revealed but dropped (its envelope
	// declared other gas).
	inner := f.tx("alice", &bob, big.NewInt(7), 21000, nil)
	f.nonces[f.addr("alice")]--
	declared := f.tx("alice", &bob, big.NewInt(7), 22000, nil)
	first := apply(t, n, f.input(withPlaintext(f.envelope("payer", declared), inner)))
	if first.Outcomes[0].Dropped != DropGasMismatch {
		t.Fatalf("block 1: %+v", first.Outcomes[0])
	}
	// Block 2: the same inner transaction in a new, correct envelope, and
	// block 3: the same transaction sent as plaintext. Both are dropped.
	second := apply(t, n, f.input(f.envelope("payer2", inner)))
	if o := second.Outcomes[0]; o.Dropped != DropRevealedBefore || o.Executed {
		t.Fatalf("block 2: %+v", o)
	}
	third := apply(t, n, f.input(Item{Tx: inner}))
	if o := third.Outcomes[0]; o.Dropped != DropRevealedBefore || o.Executed {
		t.Fatalf("block 3: %+v", o)
	}
	if got := balance(t, n, bob); got.Cmp(new(big.Int).Mul(big.NewInt(100), ether)) != 0 {
		t.Fatalf("bob's balance moved: %v", got)
	}
	// Within one block, the second copy of an inner transaction is dropped.
	f.nonces[f.addr("alice")] = 0 // nothing of alice's has executed
	dup := f.tx("alice", &bob, big.NewInt(8), 21000, nil)
	fourth := apply(t, n, f.input(f.envelope("payer", dup), f.envelope("payer2", dup)))
	if !fourth.Outcomes[0].Executed || fourth.Outcomes[1].Dropped != DropRevealedBefore {
		t.Fatalf("block 4: %+v / %+v", fourth.Outcomes[0], fourth.Outcomes[1])
	}
}

func TestEnvelopeFailureDoesNotDecideInnerFate(t *testing.T) {
	f := newFixture(t, "payer", "alice", "bob")
	n := f.open(t.TempDir())
	defer n.Close()
	bob := f.addr("bob")
	// The envelope's nonce is wrong (invalid at its slot, so not in the
	// block), but its inner transaction was decrypted and executes; with no
	// deposit paid, nothing is refunded.
	f.nonces[f.addr("payer")] = 3
	it := f.envelope("payer", f.tx("alice", &bob, big.NewInt(5), 21000, nil))
	built := apply(t, n, f.input(it))
	o := built.Outcomes[0]
	if o.EnvelopeIncluded || o.EnvelopeErr == nil || !o.Executed || o.Refund != nil {
		t.Fatalf("outcome %+v", o)
	}
	if txs := built.Block.Transactions(); len(txs) != 1 || txs[0].Hash() != o.Content.Hash() {
		t.Fatalf("block holds %d transactions, want only the inner one", len(txs))
	}
}

func TestBuildRejectsBadInput(t *testing.T) {
	f := newFixture(t, "payer")
	n := f.open(t.TempDir())
	defer n.Close()
	ctx := context.Background()
	in := f.input()
	in.Number = 5
	if _, err := n.Build(ctx, in); err == nil {
		t.Fatal("a block that does not extend the head was built")
	}
	in = f.input()
	in.Number = 1
	in.Timestamp = f.cfg.Timestamp
	if _, err := n.Build(ctx, in); err == nil {
		t.Fatal("a block with the parent's timestamp was built")
	}
	in.Timestamp = f.cfg.Timestamp + 10
	in.GasLimit = f.cfg.GasLimit * 2
	if _, err := n.Build(ctx, in); !errors.Is(err, ErrGasLimit) {
		t.Fatalf("a block with a doubled gas limit: %v", err)
	}
	in.GasLimit = f.cfg.GasLimit
	in.Items = []Item{{}}
	if _, err := n.Build(ctx, in); !errors.Is(err, ErrInput) {
		t.Fatalf("an item without a transaction: %v", err)
	}
	in.Items = nil
	in.Deposits = []Deposit{{To: f.addr("payer")}}
	if _, err := n.Build(ctx, in); !errors.Is(err, ErrInput) {
		t.Fatalf("a deposit without an amount: %v", err)
	}
	// A plaintext transaction marked as decrypted is still a plaintext
	// transaction: the mark is ignored.
	bob := f.addr("payer")
	plain := Item{Tx: f.tx("payer", &bob, big.NewInt(1), 21000, nil), Status: Decrypted, Plaintext: []byte{1}}
	in.Deposits = nil
	in.Items = []Item{plain}
	b, err := n.Build(ctx, in)
	if err != nil || !b.Outcomes[0].Executed || b.Outcomes[0].IsEnvelope {
		t.Fatalf("plaintext marked decrypted: %+v %v", b.Outcomes, err)
	}
}

func TestRevealedSetIsPrunedAtCheckpoints(t *testing.T) {
	f := newFixture(t, "payer", "alice", "bob")
	reg := prometheus.NewRegistry()
	n, err := Open(Config{DataDir: t.TempDir(), Chain: f.cfg, CheckpointInterval: 2, Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	bob := f.addr("bob")
	// Block 1: alice's nonce-0 transfer executes (prunable once the state
	// is flushed), and a revealed inner transaction with a future nonce is
	// dropped (must stay: it could still become valid).
	executed := f.envelope("payer", f.tx("alice", &bob, big.NewInt(1), 21000, nil))
	f.nonces[f.addr("alice")] = 7
	future := f.envelope("payer", f.tx("alice", &bob, big.NewInt(2), 21000, nil))
	f.nonces[f.addr("alice")] = 1
	b1 := apply(t, n, f.input(executed, future))
	if !b1.Outcomes[0].Executed || b1.Outcomes[1].Dropped != DropInvalidAtSlot {
		t.Fatalf("block 1: %+v / %+v", b1.Outcomes[0], b1.Outcomes[1])
	}
	if c, _ := n.RevealedCount(); c != 2 {
		t.Fatalf("revealed set holds %d after block 1, want 2", c)
	}
	// Block 2 is a checkpoint: the executed transaction's entry goes.
	apply(t, n, f.input())
	if c, _ := n.RevealedCount(); c != 1 {
		t.Fatalf("revealed set holds %d after the checkpoint, want 1", c)
	}
	// The future-nonce transaction is still refused when it becomes valid.
	f.nonces[f.addr("alice")] = 1
	for i := 0; i < 6; i++ {
		apply(t, n, f.input(Item{Tx: f.tx("alice", &bob, big.NewInt(3), 21000, nil)}))
	}
	var inner types.Transaction
	if err := inner.UnmarshalBinary(future.Plaintext); err != nil {
		t.Fatal(err)
	}
	late := apply(t, n, f.input(Item{Tx: &inner}))
	if late.Outcomes[0].Dropped != DropRevealedBefore {
		t.Fatalf("revealed transaction at its valid nonce: %+v", late.Outcomes[0])
	}
	// The metrics counted the drops by rule.
	if got := testutil.ToFloat64(n.metrics.dropped.WithLabelValues(string(DropRevealedBefore))); got != 1 {
		t.Fatalf("dropped_total{reason=revealed_before} = %v", got)
	}
	if got := testutil.ToFloat64(n.metrics.dropped.WithLabelValues(string(DropInvalidAtSlot))); got != 1 {
		t.Fatalf("dropped_total{reason=invalid_at_slot} = %v", got)
	}
	if got := testutil.ToFloat64(n.metrics.revealedPruned); got < 1 {
		t.Fatalf("revealed_pruned_total = %v", got)
	}
	mfs, err := reg.Gather()
	if err != nil || len(mfs) == 0 {
		t.Fatalf("registry gathered %d families: %v", len(mfs), err)
	}
}
