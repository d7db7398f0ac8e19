package encmempool

import (
	"errors"
	"fmt"
	"math"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"
	"github.com/holiman/uint256"
	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool/tpke"
)

// Admission errors: each reason a transaction is refused. Every error
// Admit or Pool.Add returns wraps exactly one of these (envelope errors
// from ParseEnvelope are wrapped too, so both match errors.Is), and the
// message names the numbers.
var (
	ErrOversize   = errors.New("encmempool: transaction too large")
	ErrTxType     = errors.New("encmempool: transaction type not admitted")
	ErrWrongChain = errors.New("encmempool: wrong chain id")
	ErrSender     = errors.New("encmempool: invalid signature")
	// ErrSystemSender: signed by the system account, whose key is public
	// (contracts.SystemAddress); only block building sends from it.
	ErrSystemSender      = errors.New("encmempool: sent from the system account")
	ErrMalformed         = errors.New("encmempool: malformed envelope")
	ErrPlaintextDisabled = errors.New("encmempool: plaintext transactions are not admitted, send an envelope")
	ErrGasLimit          = errors.New("encmempool: gas limit too high")
	ErrIntrinsicGas      = errors.New("encmempool: gas limit below intrinsic gas")
	ErrTipAboveFeeCap    = errors.New("encmempool: tip above fee cap")
	ErrFeeCapTooLow      = errors.New("encmempool: fee cap below base fee")
	ErrWrongEon          = errors.New("encmempool: envelope for another eon")
	ErrKnownTx           = errors.New("encmempool: transaction already pending")
	ErrIdentitySeen      = errors.New("encmempool: identity used before")
	ErrNonceTooLow       = errors.New("encmempool: nonce too low")
	ErrNonceGap          = errors.New("encmempool: nonce too high")
	ErrInsufficientFunds = errors.New("encmempool: insufficient funds for gas × fee cap + value")
	ErrState             = errors.New("encmempool: head state unreadable")
)

// DefaultMaxTxSize is the largest transaction admitted, in encoded bytes:
// the default ciphertext cap plus room for the envelope around it.
const DefaultMaxTxSize = 128<<10 + 4<<10

// Rules are the chain parameters admission applies, as the sequencer has
// them now.
type Rules struct {
	ChainID uint64
	// Eon is the current eon: envelopes for any other are refused.
	Eon uint64
	// GasLimit is the block gas limit; BaseFee the base fee a transaction's
	// fee cap must reach (the next block's, or a margin above it).
	GasLimit uint64
	BaseFee  *big.Int
	// Limits bound envelopes (DefaultLimits when zero); MaxTxSize bounds
	// every transaction's encoding (DefaultMaxTxSize when 0).
	Limits    Limits
	MaxTxSize int
	// AllowPlaintext admits plaintext (not encrypted) transactions.
	AllowPlaintext bool
}

// Head is the sequencer's side of admission: the rules in force and the
// head state. Pool.Add calls Account and IdentitySeen under the pool's
// lock, so what they answer and the pool's pending set are one view.
type Head interface {
	Rules() Rules
	// Account reads an account's nonce and balance at the head state. A
	// missing account is (0, 0, nil).
	Account(addr common.Address) (nonce uint64, balance *big.Int, err error)
	// IdentitySeen reports identities used before that the pool does not
	// hold: those keyed by the batches already recorded, the pool's done
	// transactions and envelopes forced from L1 among them (the
	// sequencer's batch log). The pool answers only for the envelopes it
	// holds, so a Head that always answers false lets an identity be
	// admitted again once its first transaction is done.
	IdentitySeen(id tpke.Identity) (bool, error)
}

// View is everything Admit reads: the head, and the pending pool.
type View interface {
	Head
	// Pending describes sender's pending transactions: one past the
	// highest pending nonce (0 with none), and the most that those with a
	// nonce of at least stateNonce may spend (their gas × fee cap + value).
	Pending(sender common.Address, stateNonce uint64) (next uint64, spend *big.Int)
	// Known reports a transaction already pending.
	Known(hash common.Hash) bool
}

// Admission kinds, the "kind" label of the admitted metric.
const (
	KindEnvelope  = "envelope"
	KindPlaintext = "plaintext"
)

// Admitted is a transaction that passed admission.
type Admitted struct {
	Tx     *types.Transaction
	Sender common.Address
	// Envelope is the parsed envelope; nil for a plaintext transaction.
	Envelope *Envelope
	// Cost is the most the transaction may spend: gas × fee cap + value
	// (for an envelope the value is its deposit).
	Cost *big.Int
	// BlockGas is what the transaction counts against the block gas limit:
	// the gas limit, plus the declared gas for an envelope.
	BlockGas uint64
}

// Kind is KindEnvelope or KindPlaintext.
func (a *Admitted) Kind() string {
	if a.Envelope != nil {
		return KindEnvelope
	}
	return KindPlaintext
}

// Admit checks tx against view: the ordinary rules of an Ethereum pool
// (size, type, chain id, signature, gas, fees, nonce, balance) plus the
// envelope's (well-formed, current eon, fresh identity) and the plaintext
// switch. It only reads view.
func Admit(tx *types.Transaction, view View) (*Admitted, error) {
	a, err := precheck(tx, view.Rules())
	if err != nil {
		return nil, err
	}
	if err := checkState(a, view); err != nil {
		return nil, err
	}
	return a, nil
}

// precheck applies the rules that need no state, the expensive ones
// (sender recovery, ciphertext decoding) among them.
func precheck(tx *types.Transaction, r Rules) (*Admitted, error) {
	maxSize := r.MaxTxSize
	if maxSize == 0 {
		maxSize = DefaultMaxTxSize
	}
	if size := tx.Size(); size > uint64(maxSize) {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrOversize, size, maxSize)
	}
	chainID := new(big.Int).SetUint64(r.ChainID)
	signer := types.LatestSignerForChainID(chainID)
	a := &Admitted{Tx: tx}

	if to := tx.To(); to != nil && *to == contracts.EncryptedInboxAddress {
		env, err := ParseEnvelope(tx, signer, contracts.EncryptedInboxAddress, r.Limits)
		if err != nil {
			return nil, envelopeError(err)
		}
		a.Envelope, a.Sender = env, env.Payer
	} else {
		if !r.AllowPlaintext {
			return nil, ErrPlaintextDisabled
		}
		switch tx.Type() {
		case types.LegacyTxType, types.AccessListTxType, types.DynamicFeeTxType:
		default:
			return nil, fmt.Errorf("%w: type %d", ErrTxType, tx.Type())
		}
		if !tx.Protected() {
			return nil, fmt.Errorf("%w: no EIP-155 chain id, want %d", ErrWrongChain, r.ChainID)
		}
		if tx.ChainId().Cmp(chainID) != 0 {
			return nil, fmt.Errorf("%w: %v, want %d", ErrWrongChain, tx.ChainId(), r.ChainID)
		}
		sender, err := types.Sender(signer, tx)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrSender, err)
		}
		a.Sender = sender
		if tx.To() == nil && len(tx.Data()) > params.MaxInitCodeSize {
			return nil, fmt.Errorf("%w: init code of %d bytes, at most %d", ErrOversize, len(tx.Data()), params.MaxInitCodeSize)
		}
	}

	// Gas: the per-transaction cap (EIP-7825), the block, intrinsic gas and
	// the calldata floor (EIP-7623).
	if a.Sender == contracts.SystemAddress {
		return nil, fmt.Errorf("%w: %s", ErrSystemSender, a.Sender)
	}
	if tx.Gas() > params.MaxTxGas {
		return nil, fmt.Errorf("%w: %d, the transaction cap is %d", ErrGasLimit, tx.Gas(), params.MaxTxGas)
	}
	a.BlockGas = tx.Gas()
	if a.Envelope != nil {
		a.BlockGas += a.Envelope.DeclaredGas // both at most MaxTxGas: no overflow
	}
	if a.BlockGas > r.GasLimit {
		if a.Envelope != nil {
			return nil, fmt.Errorf("%w: envelope gas %d + declared gas %d above the block gas limit %d",
				ErrGasLimit, tx.Gas(), a.Envelope.DeclaredGas, r.GasLimit)
		}
		return nil, fmt.Errorf("%w: %d above the block gas limit %d", ErrGasLimit, tx.Gas(), r.GasLimit)
	}
	value, overflow := uint256.FromBig(tx.Value())
	if overflow {
		return nil, fmt.Errorf("%w: value of %d bits", ErrInsufficientFunds, tx.Value().BitLen())
	}
	intrinsic, err := core.IntrinsicGas(tx.Data(), tx.AccessList(), tx.SetCodeAuthorizations(), a.Sender, tx.To(), value, osakaRules)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrIntrinsicGas, err)
	}
	if tx.Gas() < intrinsic {
		return nil, fmt.Errorf("%w: gas %d, intrinsic %d", ErrIntrinsicGas, tx.Gas(), intrinsic)
	}
	floor, err := core.FloorDataGas(osakaRules, a.Sender, tx.To(), value, tx.Data(), tx.AccessList())
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrIntrinsicGas, err)
	}
	if tx.Gas() < floor {
		return nil, fmt.Errorf("%w: gas %d, calldata floor %d", ErrIntrinsicGas, tx.Gas(), floor)
	}

	// Fees.
	if tx.GasFeeCap().BitLen() > 256 || tx.GasTipCap().BitLen() > 256 {
		return nil, fmt.Errorf("%w: fee cap of %d bits", ErrInsufficientFunds, tx.GasFeeCap().BitLen())
	}
	if tx.GasTipCap().Cmp(tx.GasFeeCap()) > 0 {
		return nil, fmt.Errorf("%w: tip %v, fee cap %v", ErrTipAboveFeeCap, tx.GasTipCap(), tx.GasFeeCap())
	}
	if r.BaseFee != nil && tx.GasFeeCap().Cmp(r.BaseFee) < 0 {
		return nil, fmt.Errorf("%w: fee cap %v, base fee %v", ErrFeeCapTooLow, tx.GasFeeCap(), r.BaseFee)
	}
	a.Cost = new(big.Int).Mul(new(big.Int).SetUint64(tx.Gas()), tx.GasFeeCap())
	a.Cost.Add(a.Cost, tx.Value())

	if a.Envelope != nil && a.Envelope.Eon != r.Eon {
		return nil, fmt.Errorf("%w: eon %d, current eon %d", ErrWrongEon, a.Envelope.Eon, r.Eon)
	}
	return a, nil
}

// envelopeError files a ParseEnvelope error under its admission reason.
func envelopeError(err error) error {
	switch {
	case errors.Is(err, ErrEnvelopeChain):
		return fmt.Errorf("%w: %w", ErrWrongChain, err)
	case errors.Is(err, ErrEnvelopeType):
		return fmt.Errorf("%w: %w", ErrTxType, err)
	case errors.Is(err, ErrSignature):
		return fmt.Errorf("%w: %w", ErrSender, err)
	case errors.Is(err, ErrCiphertextSize):
		return fmt.Errorf("%w: %w", ErrOversize, err)
	default:
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
}

// checkState applies the rules that read the head state and the pending
// pool: known transaction, fresh identity, nonce, balance.
func checkState(a *Admitted, view View) error {
	tx := a.Tx
	if view.Known(tx.Hash()) {
		return fmt.Errorf("%w: %s", ErrKnownTx, tx.Hash())
	}
	if a.Envelope != nil {
		seen, err := view.IdentitySeen(a.Envelope.Identity)
		if err != nil {
			return fmt.Errorf("%w: identities: %v", ErrState, err)
		}
		if seen {
			return fmt.Errorf("%w: %x (eon %d)", ErrIdentitySeen, a.Envelope.Identity[:], a.Envelope.Eon)
		}
	}
	nonce, balance, err := view.Account(a.Sender)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrState, err)
	}
	pendingNext, spend := view.Pending(a.Sender, nonce)
	next := max(nonce, pendingNext)
	switch {
	case tx.Nonce() < next:
		return fmt.Errorf("%w: nonce %d, next nonce of %s is %d", ErrNonceTooLow, tx.Nonce(), a.Sender, next)
	case tx.Nonce() > next:
		return fmt.Errorf("%w: nonce %d, next nonce of %s is %d (no gaps)", ErrNonceGap, tx.Nonce(), a.Sender, next)
	case tx.Nonce() == math.MaxUint64:
		return fmt.Errorf("%w: nonce %d is the maximum", ErrNonceGap, tx.Nonce())
	}
	need := new(big.Int).Set(a.Cost)
	if spend != nil {
		need.Add(need, spend)
	}
	if balance == nil {
		balance = new(big.Int)
	}
	if balance.Cmp(need) < 0 {
		return fmt.Errorf("%w: balance of %s is %v, cost %v plus pending %v", ErrInsufficientFunds,
			a.Sender, balance, a.Cost, new(big.Int).Sub(need, a.Cost))
	}
	return nil
}

// reasons maps each error to its metric label, most specific first.
var reasons = []struct {
	err   error
	label string
}{
	{ErrOversize, "oversize"},
	{ErrTxType, "tx_type"},
	{ErrWrongChain, "wrong_chain"},
	{ErrSender, "invalid_signature"},
	{ErrSystemSender, "system_sender"},
	{ErrMalformed, "malformed_envelope"},
	{ErrPlaintextDisabled, "plaintext_disabled"},
	{ErrGasLimit, "gas_limit"},
	{ErrIntrinsicGas, "intrinsic_gas"},
	{ErrTipAboveFeeCap, "tip_above_fee_cap"},
	{ErrFeeCapTooLow, "fee_cap_too_low"},
	{ErrWrongEon, "wrong_eon"},
	{ErrKnownTx, "known_tx"},
	{ErrIdentitySeen, "identity_seen"},
	{ErrNonceTooLow, "nonce_too_low"},
	{ErrNonceGap, "nonce_gap"},
	{ErrInsufficientFunds, "insufficient_funds"},
	{ErrState, "state"},
	{ErrPoolFull, "pool_full"},
	{ErrClosed, "closed"},
	{ErrStorage, "storage"},
}

// reasonOther labels an error that is none of the named ones.
const reasonOther = "other"

// Reason returns the metric label of an admission error ("" for nil,
// "other" for an error that is none of the named ones).
func Reason(err error) string {
	if err == nil {
		return ""
	}
	for _, r := range reasons {
		if errors.Is(err, r.err) {
			return r.label
		}
	}
	return reasonOther
}
