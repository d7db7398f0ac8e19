package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/veil-l2/veil/encmempool/tpke"
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
