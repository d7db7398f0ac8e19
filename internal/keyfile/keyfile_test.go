package keyfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

func TestCreateReadRefuse(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "k.key")
	key, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if crypto.PubkeyToAddress(got.PublicKey) != crypto.PubkeyToAddress(key.PublicKey) {
		t.Fatal("read back another key")
	}
	if _, err := Create(path); !errors.Is(err, ErrKeyFile) {
		t.Fatalf("second create: %v, want ErrKeyFile", err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(path); !errors.Is(err, ErrKeyFile) {
		t.Fatalf("readable by others: %v, want ErrKeyFile", err)
	}
	bad := filepath.Join(dir, "bad.key")
	if err := os.WriteFile(bad, []byte("zz\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(bad); !errors.Is(err, ErrKeyFile) {
		t.Fatalf("not hex: %v, want ErrKeyFile", err)
	}
	again, err := ReadOrCreate(filepath.Join(dir, "new.key"))
	if err != nil {
		t.Fatal(err)
	}
	same, err := ReadOrCreate(filepath.Join(dir, "new.key"))
	if err != nil || crypto.PubkeyToAddress(same.PublicKey) != crypto.PubkeyToAddress(again.PublicKey) {
		t.Fatalf("ReadOrCreate twice: %v", err)
	}
}
