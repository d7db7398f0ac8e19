package keyper

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// Secret file errors.
var (
	ErrKeyFilePermissions = errors.New("keyper: key file is readable by others")
	ErrKeyFileFormat      = errors.New("keyper: key file is damaged or of an unknown format")
	ErrPassphrase         = errors.New("keyper: wrong passphrase or damaged key file")
	ErrPassphraseNeeded   = errors.New("keyper: key file is sealed: a passphrase is needed")
)

// Argon2id parameters for sealing key files: memory-hard, about a quarter
// of a second on the reference machine.
const (
	argonTime    = 3
	argonMemory  = 64 * 1024 // KiB
	argonThreads = 2
)

type secretFile struct {
	Version int    `json:"version"`
	Kind    string `json:"kind"`
	// Plain holds the secret when no passphrase was given.
	Plain []byte `json:"plain,omitempty"`
	// Sealed: XChaCha20-Poly1305 under an Argon2id key of the passphrase.
	KDF        string `json:"kdf,omitempty"`
	Salt       []byte `json:"salt,omitempty"`
	Time       uint32 `json:"time,omitempty"`
	Memory     uint32 `json:"memory,omitempty"`
	Threads    uint8  `json:"threads,omitempty"`
	Nonce      []byte `json:"nonce,omitempty"`
	Ciphertext []byte `json:"ciphertext,omitempty"`
}

// WriteSecretFile writes secret (of the given kind, e.g. "eon-1 share") to
// path with mode 0600, sealed with passphrase when it is not empty. The
// write is atomic: a crash leaves the old file or the new one.
func WriteSecretFile(path, kind string, secret, passphrase []byte) error {
	f := secretFile{Version: 1, Kind: kind}
	if len(passphrase) == 0 {
		f.Plain = secret
	} else {
		f.KDF, f.Time, f.Memory, f.Threads = "argon2id", argonTime, argonMemory, argonThreads
		f.Salt = make([]byte, 16)
		f.Nonce = make([]byte, chacha20poly1305.NonceSizeX)
		if _, err := rand.Read(f.Salt); err != nil {
			return err
		}
		if _, err := rand.Read(f.Nonce); err != nil {
			return err
		}
		aead, err := chacha20poly1305.NewX(argon2.IDKey(passphrase, f.Salt, f.Time, f.Memory, f.Threads, chacha20poly1305.KeySize))
		if err != nil {
			return err
		}
		f.Ciphertext = aead.Seal(nil, f.Nonce, secret, []byte(kind))
	}
	raw, err := json.Marshal(&f)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path))
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(raw); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// ReadSecretFile reads a secret file written by WriteSecretFile. It refuses
// a file that group or others may read, and a sealed file without the
// right passphrase.
func ReadSecretFile(path, kind string, passphrase []byte) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if mode := st.Mode().Perm(); mode&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %04o; run chmod 600 %s", ErrKeyFilePermissions, path, mode, path)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f secretFile
	if err := json.Unmarshal(raw, &f); err != nil || f.Version != 1 || f.Kind != kind {
		return nil, fmt.Errorf("%w: %s", ErrKeyFileFormat, path)
	}
	if f.KDF == "" {
		if len(f.Plain) == 0 {
			return nil, fmt.Errorf("%w: %s", ErrKeyFileFormat, path)
		}
		return f.Plain, nil
	}
	if f.KDF != "argon2id" || len(f.Salt) < 16 || len(f.Nonce) != chacha20poly1305.NonceSizeX ||
		f.Time == 0 || f.Time > 16 || f.Memory == 0 || f.Memory > 4<<20 || f.Threads == 0 {
		return nil, fmt.Errorf("%w: %s", ErrKeyFileFormat, path)
	}
	if len(passphrase) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrPassphraseNeeded, path)
	}
	aead, err := chacha20poly1305.NewX(argon2.IDKey(passphrase, f.Salt, f.Time, f.Memory, f.Threads, chacha20poly1305.KeySize))
	if err != nil {
		return nil, err
	}
	secret, err := aead.Open(nil, f.Nonce, f.Ciphertext, []byte(kind))
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrPassphrase, path)
	}
	return secret, nil
}
