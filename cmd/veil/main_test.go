package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/keyper"
)

func TestDemo(t *testing.T) {
	var out bytes.Buffer
	app := newApp()
	app.Writer = &out
	if err := app.Run([]string{"veil", "demo", "--keypers", "4", "--threshold", "3", "--message", "hello"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`decrypted: "hello"`, "2 shares (one fewer than the threshold) cannot decrypt", "ok\n"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestDemoRejectsBadThreshold(t *testing.T) {
	app := newApp()
	app.Writer = &bytes.Buffer{}
	if err := app.Run([]string{"veil", "demo", "--keypers", "3", "--threshold", "4"}); err == nil {
		t.Fatal("threshold above committee size accepted")
	}
}

func TestVectorsCommand(t *testing.T) {
	var out bytes.Buffer
	app := newApp()
	app.Writer = &out
	if err := app.Run([]string{"veil", "vectors", "--keypers", "3", "--threshold", "2"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"scheme": "`+tpke.SchemeName+`"`) {
		t.Fatalf("no vector file:\n%.200s", out.String())
	}
}

func TestKeyperInit(t *testing.T) {
	dir := t.TempDir()
	pass := filepath.Join(dir, "pass")
	os.WriteFile(pass, []byte("secret\n"), 0o600)
	var out bytes.Buffer
	app := newApp()
	app.Writer = &out
	data := filepath.Join(dir, "keyper")
	if err := app.Run([]string{"veil", "keyper", "init", "--datadir", data, "--passphrase-file", pass}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"address:        0x", "dkg public key: ", "peer id:        12D3Koo"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("output lacks %q:\n%s", want, out.String())
		}
	}
	if _, err := keyper.LoadKeys(data, []byte("secret")); err != nil {
		t.Fatal(err)
	}
	if err := app.Run([]string{"veil", "keyper", "init", "--datadir", data}); err == nil {
		t.Fatal("init overwrote existing keys")
	}
}
