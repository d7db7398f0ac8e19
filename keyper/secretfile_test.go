package keyper

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSecretFiles(t *testing.T) {
	dir := t.TempDir()
	secret := bytes.Repeat([]byte{7}, 32)
	for _, pass := range [][]byte{nil, []byte("correct horse")} {
		path := filepath.Join(dir, "share.json")
		if err := WriteSecretFile(path, "eon-1 share", secret, pass); err != nil {
			t.Fatal(err)
		}
		st, _ := os.Stat(path)
		if st.Mode().Perm() != 0o600 {
			t.Fatalf("mode %o", st.Mode().Perm())
		}
		got, err := ReadSecretFile(path, "eon-1 share", pass)
		if err != nil || !bytes.Equal(got, secret) {
			t.Fatalf("read back: %v", err)
		}
		raw, _ := os.ReadFile(path)
		if len(pass) > 0 && bytes.Contains(raw, []byte("BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc")) {
			t.Fatal("sealed file holds the secret in the clear")
		}
		if _, err := ReadSecretFile(path, "eon-2 share", pass); !errors.Is(err, ErrKeyFileFormat) {
			t.Fatalf("wrong kind: %v", err)
		}
		if len(pass) > 0 {
			if _, err := ReadSecretFile(path, "eon-1 share", []byte("wrong")); !errors.Is(err, ErrPassphrase) {
				t.Fatalf("wrong passphrase: %v", err)
			}
			if _, err := ReadSecretFile(path, "eon-1 share", nil); !errors.Is(err, ErrPassphraseNeeded) {
				t.Fatalf("no passphrase: %v", err)
			}
		}
		os.Chmod(path, 0o640)
		if _, err := ReadSecretFile(path, "eon-1 share", pass); !errors.Is(err, ErrKeyFilePermissions) {
			t.Fatalf("group-readable file: %v", err)
		}
		os.Remove(path)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte("{"), 0o600)
	if _, err := ReadSecretFile(bad, "x", nil); !errors.Is(err, ErrKeyFileFormat) {
		t.Fatalf("damaged file: %v", err)
	}
}
