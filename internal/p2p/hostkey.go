package p2p

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	libp2pcrypto "github.com/libp2p/go-libp2p/core/crypto"
)

// ErrKeyFileMode is returned when a host key file can be read by group or others.
var ErrKeyFileMode = errors.New("p2p: host key file is readable by group or others")

// LoadOrCreateHostKey returns the libp2p host key stored at path, creating a new Ed25519 key
// there (mode 0600) when the file does not exist. The file holds the hex-encoded libp2p
// protobuf form of the key. A file whose mode grants any access to group or others is refused:
// the key is the node's network identity.
func LoadOrCreateHostKey(path string) (libp2pcrypto.PrivKey, error) {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return createHostKey(path)
	case err != nil:
		return nil, fmt.Errorf("p2p: reading host key: %w", err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %04o, run \"chmod 600 %s\"", ErrKeyFileMode, path, perm, path)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("p2p: reading host key: %w", err)
	}
	der, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil {
		return nil, fmt.Errorf("p2p: host key file %s is not hex: %w", path, err)
	}
	key, err := libp2pcrypto.UnmarshalPrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("p2p: host key file %s: %w", path, err)
	}
	if key.Type() != libp2pcrypto.Ed25519 {
		return nil, fmt.Errorf("p2p: host key file %s holds a %v key, want Ed25519", path, key.Type())
	}
	return key, nil
}

func createHostKey(path string) (libp2pcrypto.PrivKey, error) {
	key, _, err := libp2pcrypto.GenerateEd25519Key(nil)
	if err != nil {
		return nil, fmt.Errorf("p2p: generating host key: %w", err)
	}
	der, err := libp2pcrypto.MarshalPrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("p2p: encoding host key: %w", err)
	}
	// Write a temporary file and rename it so a crash never leaves a truncated key behind.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".hostkey-*")
	if err != nil {
		return nil, fmt.Errorf("p2p: writing host key: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("p2p: writing host key: %w", err)
	}
	if _, err := tmp.WriteString(hex.EncodeToString(der) + "\n"); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("p2p: writing host key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("p2p: writing host key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("p2p: writing host key: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, fmt.Errorf("p2p: writing host key: %w", err)
	}
	return key, nil
}
