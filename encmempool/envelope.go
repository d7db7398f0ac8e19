package encmempool

import (
	"bytes"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"io"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	"github.com/holiman/uint256"
	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool/tpke"
)

// Envelope errors: each way an envelope can be malformed.
var (
	ErrNotEnvelope    = errors.New("encmempool: not sent to the encrypted inbox")
	ErrEnvelopeType   = errors.New("encmempool: envelope transaction type not allowed")
	ErrEnvelopeChain  = errors.New("encmempool: envelope for another chain")
	ErrSignature      = errors.New("encmempool: invalid envelope signature")
	ErrCalldata       = errors.New("encmempool: malformed envelope calldata")
	ErrDeclaredGas    = errors.New("encmempool: declared gas out of range")
	ErrDeposit        = errors.New("encmempool: deposit is not declared gas times fee cap")
	ErrCiphertextSize = errors.New("encmempool: ciphertext too large")
	ErrCiphertext     = errors.New("encmempool: malformed ciphertext")
	ErrInnerType      = errors.New("encmempool: inner transaction type not allowed")
	ErrInnerChainID   = errors.New("encmempool: inner transaction lacks this chain's id")
	ErrInnerSender    = errors.New("encmempool: inner transaction sent by the payer")
	ErrBuildParams    = errors.New("encmempool: incomplete envelope parameters")
)

// Limits bounds what ParseEnvelope accepts; the zero value means
// DefaultLimits.
type Limits struct {
	// MaxCiphertext is the largest ciphertext in bytes.
	MaxCiphertext int
}

// DefaultLimits caps ciphertexts at 128 KiB.
var DefaultLimits = Limits{MaxCiphertext: 128 << 10}

// EnvelopeExecutionGas is the gas BuildEnvelope allows for the inbox's own
// work beyond intrinsic gas (a deposit write, a hash, an event).
const EnvelopeExecutionGas = 60_000

// submitMethod is the inbox's submit method, the envelope's calldata, from
// the predeploy's generated ABI.
var submitMethod = contracts.EncryptedInboxABI().Methods["submit"]

// SubmitSelector is the 4-byte selector of the inbox's submit method.
func SubmitSelector() []byte { return append([]byte(nil), submitMethod.ID...) }

// Envelope is a parsed, well-formed envelope.
type Envelope struct {
	Tx          *types.Transaction
	Payer       common.Address
	Eon         uint64
	Prefix      [32]byte
	DeclaredGas uint64
	Ciphertext  []byte
	// Identity is derived from (chain id, eon, payer, prefix).
	Identity tpke.Identity
}

// AssociatedData returns the ciphertext's associated data.
func (e *Envelope) AssociatedData() []byte {
	return tpke.EnvelopeAD(e.Tx.ChainId().Uint64(), e.Eon, e.Identity, e.DeclaredGas)
}

// Deposit returns the reservation deposit the envelope carries.
func (e *Envelope) Deposit() *big.Int { return e.Tx.Value() }

// EncodeCalldata returns submit(eon, prefix, declaredGas, ciphertext).
func EncodeCalldata(eon uint64, prefix [32]byte, declaredGas uint64, ciphertext []byte) ([]byte, error) {
	args, err := submitMethod.Inputs.Pack(eon, prefix, declaredGas, ciphertext)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCalldata, err)
	}
	return append(SubmitSelector(), args...), nil
}

// decodeCalldata is the strict inverse of EncodeCalldata: the encoding must
// be exactly the canonical one (no trailing bytes, canonical offsets and
// padding), so one envelope has one byte form.
func decodeCalldata(data []byte) (eon uint64, prefix [32]byte, declaredGas uint64, ct []byte, err error) {
	if len(data) < 4 || !bytes.Equal(data[:4], submitMethod.ID) {
		return 0, prefix, 0, nil, fmt.Errorf("%w: not a submit call", ErrCalldata)
	}
	vals, err := submitMethod.Inputs.Unpack(data[4:])
	if err != nil || len(vals) != 4 {
		return 0, prefix, 0, nil, fmt.Errorf("%w: %v", ErrCalldata, err)
	}
	var ok1, ok2, ok3, ok4 bool
	eon, ok1 = vals[0].(uint64)
	prefix, ok2 = vals[1].([32]byte)
	declaredGas, ok3 = vals[2].(uint64)
	ct, ok4 = vals[3].([]byte)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return 0, prefix, 0, nil, fmt.Errorf("%w: argument types", ErrCalldata)
	}
	canon, err := EncodeCalldata(eon, prefix, declaredGas, ct)
	if err != nil || !bytes.Equal(canon, data) {
		return 0, prefix, 0, nil, fmt.Errorf("%w: not the canonical encoding", ErrCalldata)
	}
	return eon, prefix, declaredGas, ct, nil
}

// ParseEnvelope checks tx as an envelope for inbox on the signer's chain.
// It recovers the payer (types.Sender caches it in tx). It does not check
// state (nonce, balance) or the current eon: admission does.
func ParseEnvelope(tx *types.Transaction, signer types.Signer, inbox common.Address, lim Limits) (*Envelope, error) {
	env, err := DecodeEnvelope(tx, signer, inbox, lim)
	if err != nil {
		return nil, err
	}
	if _, err := tpke.ParseCiphertext(env.Ciphertext); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCiphertext, err)
	}
	return env, nil
}

// DecodeEnvelope is ParseEnvelope without the check of the ciphertext's
// inner structure (a curve point decompression and subgroup check, about
// 0.15 ms). Keypers' no-key rule uses it, so does execution: a key released
// for a ciphertext that does not parse opens nothing and the decryption
// fails.
func DecodeEnvelope(tx *types.Transaction, signer types.Signer, inbox common.Address, lim Limits) (*Envelope, error) {
	if lim.MaxCiphertext == 0 {
		lim = DefaultLimits
	}
	if tx.To() == nil || *tx.To() != inbox {
		return nil, ErrNotEnvelope
	}
	switch tx.Type() {
	case types.LegacyTxType, types.AccessListTxType, types.DynamicFeeTxType:
	default:
		return nil, fmt.Errorf("%w: type %d", ErrEnvelopeType, tx.Type())
	}
	payer, err := envelopePayer(tx, signer)
	if err != nil {
		return nil, err
	}
	// Bound the work before decoding: the ciphertext dominates the calldata.
	if len(tx.Data()) > 4+4*32+32+lim.MaxCiphertext+32 {
		return nil, fmt.Errorf("%w: calldata of %d bytes", ErrCiphertextSize, len(tx.Data()))
	}
	eon, prefix, declared, ct, err := decodeCalldata(tx.Data())
	if err != nil {
		return nil, err
	}
	if declared == 0 || declared > params.MaxTxGas {
		return nil, fmt.Errorf("%w: %d", ErrDeclaredGas, declared)
	}
	if len(ct) > lim.MaxCiphertext {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrCiphertextSize, len(ct), lim.MaxCiphertext)
	}
	want := new(big.Int).Mul(new(big.Int).SetUint64(declared), tx.GasFeeCap())
	if tx.Value().Cmp(want) != 0 {
		return nil, fmt.Errorf("%w: value %v, want %v", ErrDeposit, tx.Value(), want)
	}
	chainID := tx.ChainId().Uint64()
	return &Envelope{
		Tx: tx, Payer: payer, Eon: eon, Prefix: prefix, DeclaredGas: declared, Ciphertext: ct,
		Identity: tpke.TxIdentity(chainID, eon, payer, prefix),
	}, nil
}

// EnvelopeIdentity returns the identity of an envelope already judged
// well formed (a keyper's record says it was keyed): tpke.TxIdentity of
// the chain, the eon and prefix of its submit calldata, and the payer,
// recovered with signer (the chain's, types.LatestSignerForChainID). It
// checks the calldata and the signature, not the inbox, the limits, the
// declared gas or the deposit: DecodeEnvelope judges an envelope.
func EnvelopeIdentity(tx *types.Transaction, signer types.Signer) (tpke.Identity, error) {
	payer, err := envelopePayer(tx, signer)
	if err != nil {
		return tpke.Identity{}, err
	}
	eon, prefix, _, _, err := decodeCalldata(tx.Data())
	if err != nil {
		return tpke.Identity{}, err
	}
	return tpke.TxIdentity(tx.ChainId().Uint64(), eon, payer, prefix), nil
}

// envelopePayer checks that an envelope is signed for the signer's chain
// (EIP-155 or a typed transaction) and recovers its payer.
func envelopePayer(tx *types.Transaction, signer types.Signer) (common.Address, error) {
	if !tx.Protected() || tx.ChainId().Cmp(signer.ChainID()) != 0 {
		return common.Address{}, fmt.Errorf("%w: chain id %v", ErrEnvelopeChain, tx.ChainId())
	}
	payer, err := sender(signer, tx)
	if err != nil {
		return common.Address{}, fmt.Errorf("%w: %v", ErrSignature, err)
	}
	return payer, nil
}

// CheckInner applies the rules every inner transaction must meet before it
// is encrypted or executed: not type 4, signed with chainID's EIP-155 id,
// and not sent by the payer. It returns the inner sender.
func CheckInner(inner *types.Transaction, signer types.Signer, payer common.Address) (common.Address, error) {
	if inner.Type() == types.SetCodeTxType {
		return common.Address{}, ErrInnerType
	}
	if !inner.Protected() || inner.ChainId().Cmp(signer.ChainID()) != 0 {
		return common.Address{}, fmt.Errorf("%w: chain id %v", ErrInnerChainID, inner.ChainId())
	}
	sender, err := types.Sender(signer, inner)
	if err != nil {
		return common.Address{}, fmt.Errorf("%w: inner: %v", ErrSignature, err)
	}
	if sender == payer {
		return common.Address{}, ErrInnerSender
	}
	return sender, nil
}

// BuildParams are the inputs of BuildEnvelope.
type BuildParams struct {
	ChainID uint64
	Eon     uint64
	EonKey  *tpke.EonPublicKey
	Inbox   common.Address
	// Inner is the signed inner transaction.
	Inner *types.Transaction
	// PayerKey signs the envelope; Nonce is the payer's next nonce.
	PayerKey *ecdsa.PrivateKey
	Nonce    uint64
	// GasTipCap and GasFeeCap are the envelope's fees; the deposit is
	// declared gas times GasFeeCap.
	GasTipCap, GasFeeCap *big.Int
	// Gas is the envelope's gas limit; 0 means EnvelopeGas.
	Gas uint64
	// Rand supplies the identity prefix and the encryption randomness
	// (crypto/rand.Reader in production).
	Rand io.Reader
	// Limits bounds the ciphertext (DefaultLimits when zero).
	Limits Limits
}

// BuildEnvelope encrypts a signed inner transaction to the eon key under a
// fresh identity of the payer and returns the signed envelope.
func BuildEnvelope(p BuildParams) (*types.Transaction, error) {
	if p.Limits.MaxCiphertext == 0 {
		p.Limits = DefaultLimits
	}
	switch {
	case p.EonKey == nil || p.Inner == nil || p.PayerKey == nil || p.Rand == nil:
		return nil, ErrBuildParams
	case p.GasFeeCap == nil || p.GasTipCap == nil || p.GasFeeCap.Sign() < 0 || p.GasTipCap.Sign() < 0:
		return nil, fmt.Errorf("%w: fee caps must be set and not negative", ErrBuildParams)
	}
	chainID := new(big.Int).SetUint64(p.ChainID)
	signer := types.LatestSignerForChainID(chainID)
	payer := crypto.PubkeyToAddress(p.PayerKey.PublicKey)
	if _, err := CheckInner(p.Inner, signer, payer); err != nil {
		return nil, err
	}
	declared := p.Inner.Gas()
	if declared == 0 || declared > params.MaxTxGas {
		return nil, fmt.Errorf("%w: %d", ErrDeclaredGas, declared)
	}
	plain, err := p.Inner.MarshalBinary()
	if err != nil {
		return nil, err
	}
	if size := tpke.CiphertextSize(len(plain)); size > p.Limits.MaxCiphertext {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrCiphertextSize, size, p.Limits.MaxCiphertext)
	}
	var prefix [32]byte
	if _, err := io.ReadFull(p.Rand, prefix[:]); err != nil {
		return nil, fmt.Errorf("encmempool: randomness: %w", err)
	}
	id := tpke.TxIdentity(p.ChainID, p.Eon, payer, prefix)
	ct, err := tpke.Encrypt(p.EonKey, id, plain, tpke.EnvelopeAD(p.ChainID, p.Eon, id, declared), p.Rand)
	if err != nil {
		return nil, err
	}
	data, err := EncodeCalldata(p.Eon, prefix, declared, ct)
	if err != nil {
		return nil, err
	}
	gas := p.Gas
	if gas == 0 {
		if gas, err = EnvelopeGas(data, p.Inbox, payer); err != nil {
			return nil, err
		}
	}
	deposit := new(big.Int).Mul(new(big.Int).SetUint64(declared), p.GasFeeCap)
	inbox := p.Inbox
	return types.SignNewTx(p.PayerKey, signer, &types.DynamicFeeTx{
		ChainID: chainID, Nonce: p.Nonce, GasTipCap: p.GasTipCap, GasFeeCap: p.GasFeeCap,
		Gas: gas, To: &inbox, Value: deposit, Data: data,
	})
}

// osakaRules are the gas rules of a Veil chain (every fork through Osaka).
var osakaRules = params.Rules{
	IsHomestead: true, IsEIP150: true, IsEIP155: true, IsEIP158: true, IsByzantium: true,
	IsConstantinople: true, IsPetersburg: true, IsIstanbul: true, IsBerlin: true, IsLondon: true,
	IsMerge: true, IsShanghai: true, IsCancun: true, IsPrague: true, IsOsaka: true,
}

// EnvelopeGas returns the gas limit BuildEnvelope uses for calldata data:
// max(intrinsic gas + EnvelopeExecutionGas, the Prague calldata floor).
// Where the floor applies it already exceeds intrinsic gas by more than the
// inbox's work.
func EnvelopeGas(data []byte, inbox, payer common.Address) (uint64, error) {
	v := uint256.NewInt(1)
	intrinsic, err := core.IntrinsicGas(data, nil, nil, payer, &inbox, v, osakaRules)
	if err != nil {
		return 0, err
	}
	floor, err := core.FloorDataGas(osakaRules, payer, &inbox, v, data, nil)
	if err != nil {
		return 0, err
	}
	return max(intrinsic+EnvelopeExecutionGas, floor), nil
}
