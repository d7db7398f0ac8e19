package gethdev

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
)

// gethModule is the module geth is built from.
const gethModule = "github.com/ethereum/go-ethereum"

// ErrBuild: geth cannot be built here (no Go command, no module proxy, a
// go-ethereum replaced by a directory, ...).
var ErrBuild = errors.New("gethdev: cannot build geth")

// Version returns the go-ethereum module version this program is built
// with (the one go.mod requires), as `go install` takes it.
func Version() (string, error) {
	_, v, err := module()
	return v, err
}

// module returns the module path and version to build geth from: the
// running program's go-ethereum dependency, following a replacement by
// another module version; else, as in a test binary (which lists no
// dependencies in its build information), what `go list -m` says in the
// working directory, inside the module.
func module() (path, version string, err error) {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path != gethModule {
				continue
			}
			if r := d.Replace; r != nil {
				if r.Version == "" {
					return "", "", fmt.Errorf("%w: %s is replaced by the directory %s", ErrBuild, gethModule, r.Path)
				}
				return r.Path, r.Version, nil
			}
			return d.Path, d.Version, nil
		}
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return "", "", fmt.Errorf("%w: no go command: %v", ErrBuild, err)
	}
	cmd := exec.Command(goCmd, "list", "-m", "-f",
		"{{with .Replace}}{{.Path}} {{.Version}}{{else}}{{.Path}} {{.Version}}{{end}}", gethModule)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", "", fmt.Errorf("%w: go list -m %s: %v: %s", ErrBuild, gethModule, err, strings.TrimSpace(stderr.String()))
	}
	path, version, _ = strings.Cut(strings.TrimSpace(string(out)), " ")
	if version == "" {
		return "", "", fmt.Errorf("%w: %s has no version in the module graph (%q)", ErrBuild, gethModule, out)
	}
	return path, version, nil
}

var built struct {
	sync.Mutex
	done bool
	path string
	err  error
}

// Binary returns the path of geth built from the go-ethereum version in
// go.mod, building it first if this machine has not (see the package
// doc). The outcome is kept for the rest of the process: a failed build is
// not tried again by the same test binary.
func Binary() (string, error) {
	built.Lock()
	defer built.Unlock()
	if !built.done {
		built.path, built.err = build()
		built.done = true
	}
	return built.path, built.err
}

// Dir is the directory Binary builds geth of version in.
func Dir(version string) (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("%w: no user cache directory: %v", ErrBuild, err)
	}
	return filepath.Join(cache, "veil", "gethdev", "geth@"+version), nil
}

func build() (string, error) {
	mod, version, err := module()
	if err != nil {
		return "", err
	}
	dir, err := Dir(version)
	if err != nil {
		return "", err
	}
	return buildIn(dir, mod, version)
}

// buildIn builds geth from module mod at version into dir, unless it is
// there already.
func buildIn(dir, mod, version string) (string, error) {
	bin := filepath.Join(dir, "geth"+exeSuffix())
	if isFile(bin) {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("%w: %v", ErrBuild, err)
	}
	unlock, err := lock(filepath.Join(dir, "lock"))
	if err != nil {
		return "", fmt.Errorf("%w: locking %s: %v", ErrBuild, dir, err)
	}
	defer unlock()
	if isFile(bin) { // built by another process while this one waited
		return bin, nil
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("%w: no go command: %v", ErrBuild, err)
	}
	tmp, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrBuild, err)
	}
	defer os.RemoveAll(tmp)
	pkg := mod + "/cmd/geth@" + version
	cmd := exec.Command(goCmd, "install", pkg)
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "GOBIN="+tmp, "GOWORK=off", "GOFLAGS="+withoutModFlag(os.Getenv("GOFLAGS")))
	out, err := cmd.CombinedOutput()
	_ = os.WriteFile(filepath.Join(dir, "build.log"), out, 0o644)
	if err != nil {
		return "", fmt.Errorf("%w: go install %s: %v\n%s", ErrBuild, pkg, err, tail(out, 20))
	}
	if err := os.Rename(filepath.Join(tmp, "geth"+exeSuffix()), bin); err != nil {
		return "", fmt.Errorf("%w: %v", ErrBuild, err)
	}
	return bin, nil
}

// withoutModFlag drops -mod=... from GOFLAGS: it concerns the main
// module, and `go install pkg@version` refuses it.
func withoutModFlag(goflags string) string {
	var keep []string
	for _, f := range strings.Fields(goflags) {
		if !strings.HasPrefix(f, "-mod=") && !strings.HasPrefix(f, "--mod=") {
			keep = append(keep, f)
		}
	}
	return strings.Join(keep, " ")
}

func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

func exeSuffix() string {
	if runtime.GOOS == "windows" {
		return ".exe"
	}
	return ""
}

// tail returns the last n lines of out.
func tail(out []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
