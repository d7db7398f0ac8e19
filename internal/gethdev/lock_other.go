//go:build !unix

package gethdev

import (
	"fmt"
	"runtime"
)

func lock(string) (func(), error) {
	return nil, fmt.Errorf("no file locking on %s", runtime.GOOS)
}
