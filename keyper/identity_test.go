package keyper

import (
	"errors"
	"testing"
)

func TestInitAndLoadKeys(t *testing.T) {
	dir := t.TempDir()
	pass := []byte("keyper passphrase")
	k, err := InitKeys(dir, pass)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := InitKeys(dir, pass); !errors.Is(err, ErrKeysExist) {
		t.Fatalf("second init: %v", err)
	}
	got, err := LoadKeys(dir, pass)
	if err != nil {
		t.Fatal(err)
	}
	if got.Address() != k.Address() || !got.DKG.Equal(k.DKG) {
		t.Fatal("loaded keys differ")
	}
	if pub, err := got.DKGPublic(); err != nil || len(pub) != 192 {
		t.Fatalf("dkg public key %q %v", pub, err)
	}
	if _, err := LoadKeys(dir, []byte("wrong")); !errors.Is(err, ErrPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
}
