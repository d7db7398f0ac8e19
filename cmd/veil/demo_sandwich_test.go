package main

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/veil-l2/veil/demo/sandwich"
)

// TestDemoSandwichRejectsParams: bad numbers are refused before anything
// starts (the scenario itself runs in e2e.TestSandwich).
func TestDemoSandwichRejectsParams(t *testing.T) {
	p := sandwich.DefaultParams()
	p.SlippageBps = 10_000
	var out bytes.Buffer
	err := runDemoSandwich(context.Background(), &out, p, sandwich.Options{})
	if !errors.Is(err, sandwich.ErrParams) {
		t.Fatalf("%v, want ErrParams", err)
	}
	if out.Len() != 0 {
		t.Fatalf("printed %q before refusing", out.String())
	}
	cmd := demoSandwichCommand()
	if cmd.Name != "sandwich" || cmd.Action == nil {
		t.Fatalf("command %q", cmd.Name)
	}
}
