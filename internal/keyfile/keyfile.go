// Package keyfile reads and writes the plain secp256k1 key files of Veil's
// unattended processes (the sequencer, the L1 poster, dev accounts): 64
// hex digits and a newline, mode 0600, the format go-ethereum's
// crypto.SaveECDSA writes, so an existing key can be brought in.
//
// The files are not sealed with a passphrase: the key signs for a process
// that runs unattended, so a passphrase would sit next to it anyway. They
// are refused when anyone but their owner may read them.
package keyfile

import (
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/ethereum/go-ethereum/crypto"
)

// ErrKeyFile reports a key file that is refused: readable by others, not
// a hex key, or already there when a new one is to be written.
var ErrKeyFile = errors.New("key file")

// Create writes a new random key to path, which must not exist.
func Create(path string) (*ecdsa.PrivateKey, error) {
	key, err := crypto.GenerateKey()
	if err != nil {
		return nil, err
	}
	return key, Write(path, key)
}

// Write writes key to path, which must not exist, with mode 0600, and
// syncs it.
func Write(path string, key *ecdsa.PrivateKey) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%w: %s exists; a key is never overwritten: %w", ErrKeyFile, path, err)
	} else if err != nil {
		return err
	}
	_, err = f.WriteString(hex.EncodeToString(crypto.FromECDSA(key)) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if err = errors.Join(err, f.Close()); err != nil {
		os.Remove(path)
		return err
	}
	return nil
}

// Read reads a key file that only its owner may access.
func Read(path string) (*ecdsa.PrivateKey, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if mode := st.Mode().Perm(); mode&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %04o, so others may read the key; run chmod 600 %s", ErrKeyFile, path, mode, path)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key, err := crypto.HexToECDSA(strings.TrimPrefix(strings.TrimSpace(string(raw)), "0x"))
	if err != nil {
		// The error names no key material.
		return nil, fmt.Errorf("%w: %s holds no hex secp256k1 key: %v", ErrKeyFile, path, err)
	}
	return key, nil
}

// ReadOrCreate reads the key at path, creating it first when it does not
// exist.
func ReadOrCreate(path string) (*ecdsa.PrivateKey, error) {
	key, err := Read(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Create(path)
	}
	return key, err
}
