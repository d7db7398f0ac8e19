package execution

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"runtime"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/consensus"
	"github.com/ethereum/go-ethereum/consensus/misc/eip1559"
	"github.com/ethereum/go-ethereum/consensus/misc/eip4844"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/params"
	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/ordering/batch"
)

// DropReason names why an inner (or plaintext) transaction is not in its
// block. Every verifier reaches the same reason from the same input.
type DropReason string

// The drop rules of DESIGN.md section 6, in the order they are checked.
const (
	DropNoKey          DropReason = "no_key"           // the envelope got no key
	DropDecryptFailed  DropReason = "decrypt_failed"   // a key, but decryption failed
	DropUndecodable    DropReason = "undecodable"      // the plaintext is no transaction
	DropTypeOrChainID  DropReason = "type_or_chain_id" // type 4, or no/another EIP-155 chain id
	DropGasMismatch    DropReason = "gas_mismatch"     // gas limit is not the declared gas
	DropSenderIsPayer  DropReason = "sender_is_payer"  // sent by the envelope's payer
	DropSystemSender   DropReason = "system_sender"    // sent from the system account
	DropRevealedBefore DropReason = "revealed_before"  // decrypted before, on any path
	DropInvalidAtSlot  DropReason = "invalid_at_slot"  // nonce, balance, intrinsic gas...
)

// DropReasons lists every reason, for metrics.
var DropReasons = []DropReason{DropNoKey, DropDecryptFailed, DropUndecodable, DropTypeOrChainID,
	DropGasMismatch, DropSenderIsPayer, DropSystemSender, DropRevealedBefore, DropInvalidAtSlot}

// Outcome is what became of one committed item.
type Outcome struct {
	// Envelope is set for envelopes: whether the envelope itself executed
	// (it pays gas and its deposit is held), or why not.
	IsEnvelope       bool
	EnvelopeIncluded bool
	EnvelopeErr      error
	// Content is the inner transaction (for envelopes, when it decoded) or
	// the plaintext transaction.
	Content *types.Transaction
	// Executed is true when Content is in the block.
	Executed bool
	Dropped  DropReason
	// Refund is the deposit the settlement returns (executed inner
	// transaction whose envelope paid it).
	Refund *big.Int
}

// Built is a block built from an input, not yet written.
type Built struct {
	Input    *BlockInput
	Block    *types.Block
	Receipts []*types.Receipt
	Outcomes []Outcome
	revealed []revealedEntry
}

// Errors of building.
var (
	ErrParent   = errors.New("execution: block does not extend the head")
	ErrSystemTx = errors.New("execution: system transaction failed")
	// ErrSystemSender: a committed transaction from the system account,
	// whose key is public; it is skipped.
	ErrSystemSender = errors.New("execution: transaction from the system account")
	ErrGasLimit     = errors.New("execution: gas limit outside the allowed change")
	ErrTimestamp    = errors.New("execution: timestamp not after the parent's")
)

const recoveryParallelAt = 64

type chainReader interface {
	consensus.ChainHeaderReader
	core.ChainContext
	CurrentBlock() *types.Header
	StateAt(root common.Hash, number *big.Int, time uint64) (*state.StateDB, error)
}

// builder builds blocks on top of a go-ethereum chain. It is pure with
// respect to its inputs: the same parent and input build the same block
// (the system transactions are signed with the public system key, RFC 6979
// deterministic).
type builder struct {
	chain    chainReader
	engine   consensus.Engine
	config   *params.ChainConfig
	signer   types.Signer
	revealed func(hashes []common.Hash, number uint64) (map[common.Hash]bool, error)
	limits   encmempool.Limits
}

// build executes input on top of the chain head, laid out as DESIGN.md
// section 6 says: deposits, all envelopes in order, the content in sequence
// order, then the settlement.
func (b *builder) build(ctx context.Context, parent *types.Header, in *BlockInput) (*Built, error) {
	number := new(big.Int).Add(parent.Number, common.Big1)
	if in.Number != number.Uint64() {
		return nil, fmt.Errorf("%w: input %d on head %d", ErrParent, in.Number, parent.Number)
	}
	if in.Timestamp <= parent.Time {
		return nil, fmt.Errorf("%w: %d after %d", ErrTimestamp, in.Timestamp, parent.Time)
	}
	if err := checkGasLimit(parent.GasLimit, in.GasLimit); err != nil {
		return nil, err
	}
	// Only Tx is read before prepare has waited for each item's decryption
	// (BlockInput.Decrypting).
	for i := range in.Items {
		if in.Items[i].Tx == nil {
			return nil, fmt.Errorf("%w: item %d has no transaction", ErrInput, i)
		}
	}
	for i, d := range in.Deposits {
		if d.Amount == nil || d.Amount.Sign() < 0 {
			return nil, fmt.Errorf("%w: deposit %d has no valid amount", ErrInput, i)
		}
	}
	beaconRoot := in.L1OriginHash
	excess := eip4844.CalcExcessBlobGas(b.config, parent, in.Timestamp)
	header := &types.Header{
		ParentHash:       parent.Hash(),
		Number:           number,
		GasLimit:         in.GasLimit,
		Time:             in.Timestamp,
		Coinbase:         in.FeeRecipient,
		Extra:            in.BatchHash.Bytes(),
		MixDigest:        in.BatchHash,
		BaseFee:          eip1559.CalcBaseFee(b.config, parent),
		BlobGasUsed:      new(uint64),
		ExcessBlobGas:    &excess,
		ParentBeaconRoot: &beaconRoot,
	}
	if err := b.engine.Prepare(b.chain, header); err != nil {
		return nil, err
	}
	statedb, err := b.chain.StateAt(parent.Root, parent.Number, parent.Time)
	if err != nil {
		return nil, err
	}
	evm := vm.NewEVM(core.NewEVMBlockContext(header, b.chain, &in.FeeRecipient), statedb, b.config, vm.Config{})
	defer evm.Release()
	core.PreExecution(ctx, header.ParentBeaconRoot, parent, b.config, evm, header.Number, header.Time)

	w := &work{b: b, ctx: ctx, header: header, state: statedb, evm: evm, gp: core.NewGasPool(header.GasLimit)}
	out := &Built{Input: in, Outcomes: make([]Outcome, len(in.Items))}
	// Inner transactions are decoded and their senders recovered on the
	// other cores while the deposits and envelopes execute.
	var inners []inner
	prepared := make(chan struct{})
	go func() {
		inners = b.prepare(in)
		close(prepared)
	}()
	defer func() { <-prepared }() // never leave the workers behind

	// 1. L1 deposits, credited from the bridge by one sequencer transaction.
	if err := w.credit(in); err != nil {
		return nil, err
	}
	// 2. Every envelope in committed order: fees and deposits are paid here,
	// before anything is revealed.
	envs := make([]*encmempool.Envelope, len(in.Items))
	for i := range in.Items {
		tx := in.Items[i].Tx
		if !isEnvelope(tx) {
			continue
		}
		o := &out.Outcomes[i]
		o.IsEnvelope = true
		envs[i], _ = encmempool.DecodeEnvelope(tx, b.signer, contracts.EncryptedInboxAddress, b.limits)
		if b.fromSystem(tx) {
			o.EnvelopeErr = ErrSystemSender
			continue
		}
		if _, err := w.apply(tx); err != nil {
			o.EnvelopeErr = err
			continue
		}
		o.EnvelopeIncluded = w.receipts[len(w.receipts)-1].Status == types.ReceiptStatusSuccessful
	}
	// 3. The content in sequence order.
	<-prepared
	candidates := make([]common.Hash, 0, len(in.Items))
	for i, it := range in.Items {
		switch {
		case !out.Outcomes[i].IsEnvelope:
			candidates = append(candidates, it.Tx.Hash())
		case inners[i].tx != nil:
			candidates = append(candidates, inners[i].tx.Hash())
		}
	}
	revealedBefore, err := b.revealed(candidates, in.Number)
	if err != nil {
		return nil, err
	}
	seen := map[common.Hash]bool{}
	var payers []common.Address
	var refunds []*big.Int
	for i, it := range in.Items {
		o := &out.Outcomes[i]
		var tx *types.Transaction
		if o.IsEnvelope {
			var reason DropReason
			tx, reason = b.innerCheck(it, inners[i], envs[i])
			o.Content = tx
			if tx != nil {
				// Every decoded inner transaction is revealed, whatever its fate.
				out.revealed = append(out.revealed, revealedEntry{Hash: tx.Hash(), At: in.Number, Sender: inners[i].sender, Nonce: tx.Nonce()})
			}
			if reason != "" {
				o.Dropped = reason
				continue
			}
		} else {
			tx = it.Tx
			o.Content = tx
			if b.fromSystem(tx) {
				o.Dropped = DropSystemSender
				continue
			}
		}
		h := tx.Hash()
		if revealedBefore[h] || seen[h] {
			o.Dropped = DropRevealedBefore
			continue
		}
		if o.IsEnvelope {
			seen[h] = true
		}
		if _, err := w.apply(tx); err != nil {
			o.Dropped = DropInvalidAtSlot
			continue
		}
		o.Executed = true
		if o.IsEnvelope && o.EnvelopeIncluded && envs[i] != nil {
			o.Refund = envs[i].Deposit()
			payers = append(payers, envs[i].Payer)
			refunds = append(refunds, o.Refund)
		}
	}
	// 4. The settlement: refunds for executed inner transactions; the
	// inbox burns every other deposit it holds.
	if err := w.settle(payers, refunds); err != nil {
		return nil, err
	}

	var logs []*types.Log
	for _, r := range w.receipts {
		logs = append(logs, r.Logs...)
	}
	body := &types.Body{Transactions: w.txs, Withdrawals: make([]*types.Withdrawal, 0)}
	requests, accessList, err := core.PostExecution(ctx, b.config, header.Number, header.Time, logs, body.Withdrawals, evm, uint32(len(w.txs)+1))
	if err != nil {
		return nil, err
	}
	if requests != nil {
		h := types.CalcRequestsHash(requests)
		header.RequestsHash = &h
	}
	_ = accessList
	header.GasUsed = w.gp.Used()
	b.engine.Finalize(b.chain, header, statedb, body)
	out.Block = core.AssembleBlock(b.chain, header, statedb, body, w.receipts, nil)
	out.Receipts = w.receipts
	if err := statedb.Error(); err != nil {
		return nil, fmt.Errorf("execution: state: %w", err)
	}
	return out, nil
}

func checkGasLimit(parent, limit uint64) error {
	diff := int64(limit) - int64(parent)
	if diff < 0 {
		diff = -diff
	}
	if bound := parent / params.GasLimitBoundDivisor; uint64(diff) >= bound || limit < params.MinGasLimit {
		return fmt.Errorf("%w: %d after %d", ErrGasLimit, limit, parent)
	}
	return nil
}

func isEnvelope(tx *types.Transaction) bool {
	return tx.To() != nil && *tx.To() == contracts.EncryptedInboxAddress
}

// inner is an envelope's decoded inner transaction.
type inner struct {
	tx     *types.Transaction
	sender common.Address
	err    error // decoding or signature error
}

// prepare recovers the senders of the committed transactions (a no-op for
// envelopes admission already checked) and decodes every decrypted inner
// transaction and recovers its sender, on all cores; types.Sender caches
// each result in its transaction.
func (b *builder) prepare(in *BlockInput) []inner {
	out := make([]inner, len(in.Items))
	envelopes := func(i int) {
		types.Sender(b.signer, in.Items[i].Tx) // errors surface in execution
	}
	inners := func(i int) {
		if in.Decrypting != nil {
			in.Decrypting.Item(i)
		}
		it := in.Items[i]
		if it.Status != Decrypted || !isEnvelope(it.Tx) {
			return
		}
		tx := new(types.Transaction)
		if err := tx.UnmarshalBinary(it.Plaintext); err != nil {
			out[i].err = err
			return
		}
		out[i].tx = tx
		if tx.Type() == types.SetCodeTxType || !tx.Protected() {
			return // dropped by type or chain id before the sender matters
		}
		out[i].sender, out[i].err = types.Sender(b.signer, tx)
	}
	n := len(in.Items)
	workers := runtime.GOMAXPROCS(0)
	if n < recoveryParallelAt {
		workers = 1
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// In committed order: the envelope phase consumes them in order.
			for i := w; i < n; i += workers {
				envelopes(i)
			}
			for i := w; i < n; i += workers {
				inners(i)
			}
		}()
	}
	wg.Wait()
	return out
}

// innerCheck applies the drop rules that need no state. It returns the
// decoded inner transaction (nil when it did not decode) and the reason it
// is dropped, if any.
func (b *builder) innerCheck(it Item, in inner, env *encmempool.Envelope) (*types.Transaction, DropReason) {
	switch it.Status {
	case NoKey:
		return nil, DropNoKey
	case DecryptFailed:
		return nil, DropDecryptFailed
	case Decrypted:
	default:
		return nil, DropNoKey // an envelope recorded without an outcome gets no key
	}
	if env == nil {
		// A malformed envelope never gets a key (the keypers' rule); an input
		// that says otherwise is treated the same way.
		return nil, DropNoKey
	}
	if in.tx == nil {
		return nil, DropUndecodable
	}
	tx := in.tx
	if tx.Type() == types.SetCodeTxType || !tx.Protected() || tx.ChainId().Cmp(b.config.ChainID) != 0 {
		return tx, DropTypeOrChainID
	}
	if in.err != nil {
		return tx, DropUndecodable
	}
	if tx.Gas() != env.DeclaredGas {
		return tx, DropGasMismatch
	}
	if in.sender == env.Payer {
		return tx, DropSenderIsPayer
	}
	if in.sender == contracts.SystemAddress {
		return tx, DropSystemSender
	}
	return tx, ""
}

// fromSystem says whether a committed transaction is signed by the system
// account (its sender was recovered by prepare and is cached).
func (b *builder) fromSystem(tx *types.Transaction) bool {
	from, err := types.Sender(b.signer, tx)
	return err == nil && from == contracts.SystemAddress
}

// work is the state of one block being built.
type work struct {
	b        *builder
	ctx      context.Context
	header   *types.Header
	state    *state.StateDB
	evm      *vm.EVM
	gp       *core.GasPool
	txs      []*types.Transaction
	receipts []*types.Receipt
}

// apply executes tx at the next position. On error nothing changes.
func (w *work) apply(tx *types.Transaction) (*types.Receipt, error) {
	snap := w.state.Snapshot()
	gp := w.gp.Snapshot()
	w.state.SetTxContext(tx.Hash(), len(w.txs), uint32(len(w.txs)+1))
	r, _, err := core.ApplyTransaction(w.ctx, w.evm, w.gp, w.state, w.header, tx)
	if err != nil {
		w.state.RevertToSnapshot(snap)
		w.gp.Set(gp)
		return nil, err
	}
	w.txs = append(w.txs, tx)
	w.receipts = append(w.receipts, r)
	return r, nil
}

// system signs and applies one sequencer transaction that must succeed.
func (w *work) system(to common.Address, data []byte, gas uint64) error {
	tx, err := types.SignNewTx(contracts.SystemKey, w.b.signer, &types.DynamicFeeTx{
		ChainID:   w.b.config.ChainID,
		Nonce:     w.state.GetNonce(contracts.SystemAddress),
		GasTipCap: new(big.Int),
		GasFeeCap: w.header.BaseFee,
		Gas:       min(gas, params.MaxTxGas),
		To:        &to,
		Data:      data,
	})
	if err != nil {
		return err
	}
	r, err := w.apply(tx)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrSystemTx, err)
	}
	if r.Status != types.ReceiptStatusSuccessful {
		return fmt.Errorf("%w: %s reverted (gas used %d of %d)", ErrSystemTx, to, r.GasUsed, tx.Gas())
	}
	return nil
}

// The system transactions' gas limits come from batch (section 4's gas
// budget, shared with keypers and verifiers); its cap must be the forks'.
var _ [0]struct{} = [params.MaxTxGas - batch.MaxTxGas]struct{}{}

func (w *work) credit(in *BlockInput) error {
	for start := 0; start < len(in.Deposits); start += batch.MaxDepositsPerTx {
		part := in.Deposits[start:min(start+batch.MaxDepositsPerTx, len(in.Deposits))]
		to := make([]common.Address, len(part))
		amounts := make([]*big.Int, len(part))
		for i, d := range part {
			to[i], amounts[i] = d.To, d.Amount
		}
		data, err := creditCalldata(in.L1OriginNumber, to, amounts)
		if err != nil {
			return err
		}
		if err := w.system(contracts.BridgeAddress, data, batch.CreditTxGas(len(part))); err != nil {
			return err
		}
	}
	return nil
}

// settle sends the settlement when the inbox holds deposits of this block:
// refunds for the executed inner transactions, in as many transactions as
// the per-transaction gas cap needs; the last one burns whatever the inbox
// still holds.
func (w *work) settle(payers []common.Address, refunds []*big.Int) error {
	if heldDeposits(w.state).Sign() == 0 {
		return nil
	}
	for start := 0; ; start += batch.MaxRefundsPerTx {
		end := min(start+batch.MaxRefundsPerTx, len(payers))
		last := end == len(payers)
		data, err := settleCalldata(payers[start:end], refunds[start:end], last)
		if err != nil {
			return err
		}
		if err := w.system(contracts.EncryptedInboxAddress, data, batch.SettleTxGas(end-start)); err != nil {
			return err
		}
		if last {
			return nil
		}
	}
}
