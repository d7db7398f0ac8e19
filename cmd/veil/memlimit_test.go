package main

import (
	"bytes"
	"math"
	"runtime/debug"
	"testing"
)

func TestMemoryLimitFlag(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	for _, tc := range []struct {
		name    string
		args    []string
		want    int64
		wantErr bool
	}{
		{name: "set", args: []string{"--memory-limit-mb", "3000"}, want: 3000 << 20},
		{name: "zero keeps the runtime's", args: []string{"--memory-limit-mb", "0"}, want: math.MaxInt64},
		{name: "negative", args: []string{"--memory-limit-mb", "-1"}, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			debug.SetMemoryLimit(math.MaxInt64)
			app := newApp()
			app.Writer, app.ErrWriter = &bytes.Buffer{}, &bytes.Buffer{}
			err := app.Run(append(append([]string{"veil"}, tc.args...), "vectors", "--keypers", "3", "--threshold", "2"))
			if tc.wantErr {
				if err == nil {
					t.Fatal("accepted")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := debug.SetMemoryLimit(-1); got != tc.want {
				t.Fatalf("memory limit %d, want %d", got, tc.want)
			}
		})
	}
}
