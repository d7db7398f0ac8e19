package batch

import (
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/veil-l2/veil/encmempool/tpke"
)

// ErrKeysMessage reports a malformed keys message.
var ErrKeysMessage = errors.New("batch: invalid keys message")

// KeysMessage is a batch's keys as the sequencer publishes and records
// them: one key per keyed envelope in batch order, then the attestation
// (the key of the batch identity), and which keypers' shares made them.
// Anyone can check it: the attestation against the eon key, each key
// against its identity. It lives here, beside the commitment, because
// the sequencer writes it, L1 carries it, and the keypers of a new eon
// read the previous eon's attestations from it.
type KeysMessage struct {
	ChainID     uint64
	Eon         uint64
	Number      uint64
	Hash        common.Hash
	Signers     []uint32
	Keys        []byte // concatenated 48-byte compressed G1 points
	Attestation []byte
}

// Encode returns the wire form.
func (m *KeysMessage) Encode() ([]byte, error) { return rlp.EncodeToBytes(m) }

// DecodeKeysMessage parses a keys message strictly; it checks no key.
func DecodeKeysMessage(raw []byte) (*KeysMessage, error) {
	var m KeysMessage
	if err := rlp.DecodeBytes(raw, &m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKeysMessage, err)
	}
	if len(m.Keys)%tpke.G1Size != 0 || len(m.Attestation) != tpke.G1Size {
		return nil, fmt.Errorf("%w: %d key bytes, %d attestation bytes", ErrKeysMessage, len(m.Keys), len(m.Attestation))
	}
	return &m, nil
}

// ParsedKeys returns the keys, each parsed and checked to be in G1.
func (m *KeysMessage) ParsedKeys() ([]*tpke.Key, error) {
	out := make([]*tpke.Key, len(m.Keys)/tpke.G1Size)
	for i := range out {
		k, err := tpke.ParseKey(m.Keys[i*tpke.G1Size : (i+1)*tpke.G1Size])
		if err != nil {
			return nil, fmt.Errorf("%w: key %d: %v", ErrKeysMessage, i, err)
		}
		out[i] = k
	}
	return out, nil
}

// VerifyAttestation checks the attestation against the eon key: the
// committee's signature on (chain, eon, number, hash).
func (m *KeysMessage) VerifyAttestation(pk *tpke.EonPublicKey) error {
	att, err := tpke.ParseKey(m.Attestation)
	if err != nil {
		return fmt.Errorf("%w: attestation: %v", ErrKeysMessage, err)
	}
	return tpke.VerifyBatchSignature(pk, m.ChainID, m.Eon, m.Number, m.Hash, att)
}
