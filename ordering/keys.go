package ordering

import (
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/keyper"
	"github.com/veil-l2/veil/ordering/batch"
)

// ErrKeysMessage reports a malformed keys message (batch.ErrKeysMessage).
var ErrKeysMessage = batch.ErrKeysMessage

// TopicKeys is the gossip kind on which the sequencer publishes each
// batch's aggregated keys and attestation (keyper.TopicKeys: the keypers
// of a new eon read the previous eon's attestations there).
const TopicKeys = keyper.TopicKeys

// KeysMessage is a batch's keys as the sequencer publishes and records
// them (batch.KeysMessage).
type KeysMessage = batch.KeysMessage

// DecodeKeysMessage parses a keys message strictly; it checks no key.
func DecodeKeysMessage(raw []byte) (*KeysMessage, error) { return batch.DecodeKeysMessage(raw) }

func newKeysMessage(chainID, eon uint64, k *keyper.BatchKeys) *KeysMessage {
	m := &KeysMessage{ChainID: chainID, Eon: eon, Number: k.Number, Hash: k.Hash, Attestation: k.Attestation.Bytes(),
		Keys: make([]byte, 0, len(k.Keys)*tpke.G1Size)}
	for _, s := range k.Signers {
		m.Signers = append(m.Signers, uint32(s))
	}
	for _, key := range k.Keys {
		m.Keys = append(m.Keys, key.Bytes()...)
	}
	return m
}
