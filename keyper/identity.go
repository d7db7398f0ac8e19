package keyper

import (
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/veil-l2/veil/keyper/dkg"
	"go.dedis.ch/kyber/v4"
)

// File names of a keyper's keys in its data directory.
const (
	SigningKeyFile = "signing.key" // secp256k1: signs shares and announcements
	DKGKeyFile     = "dkg.key"     // the DKG long-term key (G2 scalar)
	HostKeyFile    = "p2p.key"     // libp2p host key (written by the p2p layer)
)

// ErrKeysExist refuses to overwrite a keyper's keys.
var ErrKeysExist = errors.New("keyper: keys already exist in this data directory")

// Keys are a keyper's long-term keys.
type Keys struct {
	Signing *ecdsa.PrivateKey
	DKG     kyber.Scalar
}

// Address is the signing key's address, which the committee registers.
func (k *Keys) Address() common.Address { return crypto.PubkeyToAddress(k.Signing.PublicKey) }

// DKGPublic is the DKG long-term public key, hex-encoded compressed G2.
func (k *Keys) DKGPublic() (string, error) {
	b, err := dkg.Suite().Point().Mul(k.DKG, nil).MarshalBinary()
	return hex.EncodeToString(b), err
}

// InitKeys creates a keyper's signing and DKG keys in dir, sealed with the
// passphrase when one is given. It never overwrites existing keys.
func InitKeys(dir string, passphrase []byte) (*Keys, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	for _, name := range []string{SigningKeyFile, DKGKeyFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return nil, fmt.Errorf("%w: %s", ErrKeysExist, filepath.Join(dir, name))
		}
	}
	signing, err := crypto.GenerateKey()
	if err != nil {
		return nil, err
	}
	secret, _ := dkg.NewLongterm()
	dkgRaw, err := secret.MarshalBinary()
	if err != nil {
		return nil, err
	}
	if err := WriteSecretFile(filepath.Join(dir, SigningKeyFile), "veil keyper signing key", crypto.FromECDSA(signing), passphrase); err != nil {
		return nil, err
	}
	if err := WriteSecretFile(filepath.Join(dir, DKGKeyFile), "veil keyper dkg key", dkgRaw, passphrase); err != nil {
		return nil, err
	}
	return &Keys{Signing: signing, DKG: secret}, nil
}

// LoadKeys reads the keys InitKeys wrote.
func LoadKeys(dir string, passphrase []byte) (*Keys, error) {
	raw, err := ReadSecretFile(filepath.Join(dir, SigningKeyFile), "veil keyper signing key", passphrase)
	if err != nil {
		return nil, err
	}
	signing, err := crypto.ToECDSA(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: signing key: %v", ErrKeyFileFormat, err)
	}
	raw, err = ReadSecretFile(filepath.Join(dir, DKGKeyFile), "veil keyper dkg key", passphrase)
	if err != nil {
		return nil, err
	}
	secret := dkg.Suite().Scalar()
	if len(raw) != secret.MarshalSize() || secret.UnmarshalBinary(raw) != nil {
		return nil, fmt.Errorf("%w: dkg key", ErrKeyFileFormat)
	}
	return &Keys{Signing: signing, DKG: secret}, nil
}
