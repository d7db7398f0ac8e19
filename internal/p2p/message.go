package p2p

import (
	"bytes"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
)

// Version is the only wire format version this package accepts.
const Version uint8 = 1

// signingDomain separates Veil gossip signatures from every other use of the same key.
const signingDomain = "veil/p2p/msg/v1"

// Validation errors. The pubsub validator returns exactly one of these (wrapped) for every
// rejected message; the same value names the reason label of veil_p2p_rejected_total.
var (
	ErrOversize      = errors.New("p2p: message too large")
	ErrMalformed     = errors.New("p2p: malformed message")
	ErrWrongKind     = errors.New("p2p: message kind does not match topic")
	ErrWrongChain    = errors.New("p2p: message for another chain")
	ErrUnknownSigner = errors.New("p2p: unknown signer")
	ErrBadSignature  = errors.New("p2p: bad signature")
	ErrInvalid       = errors.New("p2p: message rejected by validator")
)

// Message is one signed gossip message. Its wire form is the RLP list of all fields in
// declaration order; Signature is crypto.Sign over SigningHash.
type Message struct {
	Version uint8
	Kind    string
	ChainID uint64
	Eon     uint64
	Sender  common.Address
	Payload []byte
	// SentAt is when the sender published, unix nanoseconds. It makes every
	// publication a distinct message, so a sender can publish the same
	// payload again (a pending commitment, a released batch's shares):
	// gossipsub drops a repeat of the same bytes for about two minutes.
	SentAt    uint64
	Signature [65]byte
}

// unsigned is Message without its signature; its RLP encoding is what gets signed.
type unsigned struct {
	Version uint8
	Kind    string
	ChainID uint64
	Eon     uint64
	Sender  common.Address
	Payload []byte
	SentAt  uint64
}

// SigningHash is keccak256("veil/p2p/msg/v1" ‖ rlp(all fields but Signature)).
func (m *Message) SigningHash() common.Hash {
	enc, err := rlp.EncodeToBytes(&unsigned{
		Version: m.Version,
		Kind:    m.Kind,
		ChainID: m.ChainID,
		Eon:     m.Eon,
		Sender:  m.Sender,
		Payload: m.Payload,
		SentAt:  m.SentAt,
	})
	if err != nil {
		// Encoding a struct of fixed-shape fields cannot fail.
		panic(fmt.Sprintf("p2p: encoding unsigned message: %v", err))
	}
	return crypto.Keccak256Hash([]byte(signingDomain), enc)
}

// Encode returns the wire form of m.
func (m *Message) Encode() ([]byte, error) {
	return rlp.EncodeToBytes(m)
}

// DecodeMessage parses the wire form strictly: a single canonical RLP list with exactly the
// fields of Message, no trailing bytes, a known version and a 65-byte signature. Every failure
// wraps ErrMalformed. The signature itself is not checked; see Message.RecoverSender.
func DecodeMessage(b []byte) (*Message, error) {
	var m Message
	if err := rlp.DecodeBytes(b, &m); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if m.Version != Version {
		return nil, fmt.Errorf("%w: unknown version %d", ErrMalformed, m.Version)
	}
	// rlp already rejects non-canonical sizes and integers; re-encoding makes the
	// "exactly one encoding per message" property explicit, so message IDs cannot be
	// varied by re-encoding the same message.
	enc, err := rlp.EncodeToBytes(&m)
	if err != nil || !bytes.Equal(enc, b) {
		return nil, fmt.Errorf("%w: non-canonical encoding", ErrMalformed)
	}
	return &m, nil
}

// RecoverSender returns the address that signed m. It rejects malleable (high-s)
// signatures so that one signed message has exactly one valid encoding.
func (m *Message) RecoverSender() (common.Address, error) {
	sig := m.Signature[:]
	r := new(big.Int).SetBytes(sig[:32])
	s := new(big.Int).SetBytes(sig[32:64])
	if !crypto.ValidateSignatureValues(sig[64], r, s, true) {
		return common.Address{}, fmt.Errorf("%w: invalid signature values", ErrBadSignature)
	}
	h := m.SigningHash()
	pub, err := crypto.SigToPub(h[:], sig)
	if err != nil {
		return common.Address{}, fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	return crypto.PubkeyToAddress(*pub), nil
}

// Signer signs messages with the Ethereum key a keyper or the sequencer registered on L1.
type Signer struct {
	key  *ecdsa.PrivateKey
	addr common.Address
}

// NewSigner wraps key. The key must be a secp256k1 key.
func NewSigner(key *ecdsa.PrivateKey) (*Signer, error) {
	if key == nil || key.Curve != crypto.S256() {
		return nil, errors.New("p2p: signer key must be a secp256k1 private key")
	}
	return &Signer{key: key, addr: crypto.PubkeyToAddress(key.PublicKey)}, nil
}

// Address is the Ethereum address of the signer; it is the Sender of every message it signs.
func (s *Signer) Address() common.Address { return s.addr }

// Sign sets m.Sender to the signer's address and fills m.Signature.
func (s *Signer) Sign(m *Message) error {
	m.Sender = s.addr
	h := m.SigningHash()
	sig, err := crypto.Sign(h[:], s.key)
	if err != nil {
		return fmt.Errorf("p2p: signing message: %w", err)
	}
	copy(m.Signature[:], sig)
	return nil
}
