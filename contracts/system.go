package contracts

import (
	"crypto/ecdsa"

	"github.com/ethereum/go-ethereum/crypto"
)

// The system account sends each L2 block's system transactions: the
// deposit credit to the bridge and the settlement to the inbox, the only
// calls the predeploys take from their "sequencer" slot. Its key is public,
// derived from a fixed string, so that anyone can rebuild every block from
// what is posted on L1 (the system transactions' signatures are part of
// the block hash). What keeps others from using the account is that no
// transaction from it is ever taken from outside: admission refuses it
// (encmempool.ErrSystemSender), and execution skips it anywhere but in the
// system slots it builds itself, for envelopes, plaintext and inner
// transactions alike.
var (
	SystemKey     = systemKey()
	SystemAddress = crypto.PubkeyToAddress(SystemKey.PublicKey)
)

// systemKeySeed is hashed into the system key.
const systemKeySeed = "veil/system/v1"

func systemKey() *ecdsa.PrivateKey {
	seed := crypto.Keccak256([]byte(systemKeySeed))
	for {
		// A hash is a valid key except with negligible probability.
		if k, err := crypto.ToECDSA(seed); err == nil {
			return k
		}
		seed = crypto.Keccak256(seed)
	}
}
