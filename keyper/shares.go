package keyper

import (
	"crypto/ecdsa"
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/veil-l2/veil/encmempool/tpke"
)

// ErrShareMessage reports a malformed or wrongly signed share message.
var ErrShareMessage = errors.New("keyper: invalid share message")

// ShareMessage is one keyper's shares for one released batch: one share per
// keyed identity, in batch order, then the share of the batch identity.
type ShareMessage struct {
	ChainID uint64
	Eon     uint64
	Number  uint64
	Hash    common.Hash
	Keyper  uint32
	// Shares is the concatenation of 48-byte compressed G1 points.
	Shares    []byte
	Signature []byte
}

const shareTag = "veil/keyper/shares/v1"

func (m *ShareMessage) signingHash() common.Hash {
	var b [8]byte
	h := crypto.NewKeccakState()
	h.Write([]byte(shareTag))
	for _, v := range []uint64{m.ChainID, m.Eon, m.Number, uint64(m.Keyper)} {
		binary.BigEndian.PutUint64(b[:], v)
		h.Write(b[:])
	}
	h.Write(m.Hash[:])
	h.Write(crypto.Keccak256(m.Shares))
	var out common.Hash
	h.Read(out[:])
	return out
}

// Sign signs the message with the keyper's registered key.
func (m *ShareMessage) Sign(key *ecdsa.PrivateKey) error {
	h := m.signingHash()
	sig, err := crypto.Sign(h[:], key)
	m.Signature = sig
	return err
}

// Signer recovers the signing address.
func (m *ShareMessage) Signer() (common.Address, error) {
	if len(m.Signature) != crypto.SignatureLength {
		return common.Address{}, fmt.Errorf("%w: signature of %d bytes", ErrShareMessage, len(m.Signature))
	}
	h := m.signingHash()
	pub, err := crypto.SigToPub(h[:], m.Signature)
	if err != nil {
		return common.Address{}, fmt.Errorf("%w: %v", ErrShareMessage, err)
	}
	return crypto.PubkeyToAddress(*pub), nil
}

// Encode returns the wire form.
func (m *ShareMessage) Encode() ([]byte, error) { return rlp.EncodeToBytes(m) }

// DecodeShareMessage parses a share message strictly (exact RLP, whole
// shares, a 65-byte signature). It checks neither signer nor shares.
func DecodeShareMessage(raw []byte) (*ShareMessage, error) {
	var m ShareMessage
	if err := rlp.DecodeBytes(raw, &m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrShareMessage, err)
	}
	if len(m.Shares) == 0 || len(m.Shares)%tpke.G1Size != 0 || len(m.Signature) != crypto.SignatureLength {
		return nil, fmt.Errorf("%w: %d share bytes, %d signature bytes", ErrShareMessage, len(m.Shares), len(m.Signature))
	}
	return &m, nil
}

// Identities lists the identities a release's shares are for, in message
// order: the keyed envelopes, then the batch identity.
func (r *Release) Identities() []tpke.Identity {
	ids := make([]tpke.Identity, 0, len(r.Keyed)+1)
	for _, k := range r.Keyed {
		ids = append(ids, k.Identity)
	}
	return append(ids, r.BatchIdentity)
}

// Shares computes this keyper's shares for a release on all cores, with
// identity points from the cache.
func Shares(secret *tpke.SecretShare, cache *tpke.PointCache, r *Release) []byte {
	out, _ := shares(secret, cache, r, nil)
	return out
}

// shares is Shares taking the shares take has (precomputed ones), when
// take is set; it also returns how many came from take.
func shares(secret *tpke.SecretShare, cache *tpke.PointCache, r *Release, take func(tpke.Identity) ([]byte, bool)) ([]byte, int) {
	ids := r.Identities()
	out := make([]byte, len(ids)*tpke.G1Size)
	var taken atomic.Int64
	parallel(len(ids), func(i int) {
		if take != nil {
			if s, ok := take(ids[i]); ok {
				copy(out[i*tpke.G1Size:], s)
				taken.Add(1)
				return
			}
		}
		copy(out[i*tpke.G1Size:], secret.KeyShare(cache.Point(ids[i])).Bytes())
	})
	return out, int(taken.Load())
}
