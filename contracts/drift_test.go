package contracts

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi/abigen"
)

// bindings maps each contract to its generated binding (as build.sh).
var bindings = map[string]string{
	"EncryptedInbox":      "encrypted_inbox.gen.go",
	"Bridge":              "bridge.gen.go",
	"KeyperSetManager":    "keyper_set_manager.gen.go",
	"KeyBroadcast":        "key_broadcast.gen.go",
	"BatchInbox":          "batch_inbox.gen.go",
	"L1Inbox":             "l1_inbox.gen.go",
	"DemoToken":           "demo_token.gen.go",
	"ConstantProductPool": "constant_product_pool.gen.go",
}

// deployable lists the contracts bound with their creation code (abigen
// --bin, as build.sh does for the L1 contracts and the L2 demo contracts);
// the predeploys are bound from their ABI only.
var deployable = map[string]bool{"KeyperSetManager": true, "KeyBroadcast": true, "BatchInbox": true, "L1Inbox": true,
	"DemoToken": true, "ConstantProductPool": true}

// TestArtifactsUpToDate recompiles src/ with the pinned solc-js into a
// temporary directory and compares every artifact byte for byte with the
// committed ones, then regenerates the bindings from the committed ABIs
// and compares them with the committed *.gen.go files.
func TestArtifactsUpToDate(t *testing.T) {
	t.Parallel() // compiling takes seconds of one core; the L1 tests run beside it
	if _, err := os.Stat(filepath.Join("node_modules", ".bin", "solcjs")); err != nil {
		t.Skip("solcjs not installed: run npm ci in contracts/ (CI installs it)")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not on PATH: solcjs needs it (install Node.js)")
	}
	dir := t.TempDir()
	cmd := exec.Command(node, "compile.js", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("compile.js: %v\n%s", err, out)
	}
	fresh, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadDir("artifacts")
	if err != nil {
		t.Fatal(err)
	}
	names := func(es []os.DirEntry) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.Name())
		}
		return out
	}
	if !slices.Equal(names(fresh), names(committed)) {
		t.Errorf("artifacts/ has %v, the compiler writes %v: run go generate ./contracts/", names(committed), names(fresh))
	}
	for _, name := range names(fresh) {
		want, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := os.ReadFile(filepath.Join("artifacts", name)); err != nil {
			t.Error(err)
		} else if !bytes.Equal(got, want) {
			t.Errorf("artifacts/%s is stale: run go generate ./contracts/", name)
		}
	}

	t.Run("bindings", func(t *testing.T) {
		for typ, file := range bindings {
			want := bindV2(t, typ)
			if got, err := os.ReadFile(file); err != nil {
				t.Error(err)
			} else if string(got) != want {
				t.Errorf("%s is stale: run go generate ./contracts/", file)
			}
		}
	})

	// The comparison above runs abigen's generator in-process; when the
	// abigen command is installed, check that it agrees.
	t.Run("abigen", func(t *testing.T) {
		bin, err := exec.LookPath("abigen")
		if err != nil {
			t.Skip("abigen not on PATH: go install github.com/ethereum/go-ethereum/cmd/abigen@" + gethVersion(t))
		}
		out, err := exec.Command(bin, "--version").CombinedOutput()
		if want := strings.TrimPrefix(gethVersion(t), "v"); err != nil || !strings.Contains(string(out), want) {
			t.Skipf("abigen on PATH is %q, not go-ethereum %s as in go.mod", strings.TrimSpace(string(out)), want)
		}
		for typ, file := range bindings {
			outFile := filepath.Join(t.TempDir(), file)
			args := []string{"--v2", "--pkg", "contracts", "--type", typ, "--abi", filepath.Join("artifacts", typ+".abi")}
			if deployable[typ] {
				args = append(args, "--bin", filepath.Join("artifacts", typ+".bin"))
			}
			cmd := exec.Command(bin, append(args, "--out", outFile)...)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("abigen: %v\n%s", err, out)
			}
			want, err := os.ReadFile(outFile)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := os.ReadFile(file); err != nil {
				t.Error(err)
			} else if !bytes.Equal(got, want) {
				t.Errorf("%s differs from abigen's output: run go generate ./contracts/", file)
			}
		}
	})
}

// bindV2 generates typ's binding as `abigen --v2 --pkg contracts --type typ
// --abi artifacts/typ.abi` (plus `--bin artifacts/typ.bin` for a deployable
// contract) does.
func bindV2(t *testing.T, typ string) string {
	t.Helper()
	abiJSON, err := os.ReadFile(filepath.Join("artifacts", typ+".abi"))
	if err != nil {
		t.Fatal(err)
	}
	var bytecode string
	if deployable[typ] {
		raw, err := os.ReadFile(filepath.Join("artifacts", typ+".bin"))
		if err != nil {
			t.Fatal(err)
		}
		bytecode = string(raw)
	}
	code, err := abigen.BindV2([]string{typ}, []string{string(abiJSON)}, []string{bytecode}, "contracts",
		map[string]string{}, map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// gethVersion is go-ethereum's version in go.mod.
func gethVersion(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", gethVersionFormat, "github.com/ethereum/go-ethereum").Output()
	if err != nil {
		t.Fatalf("go list -m github.com/ethereum/go-ethereum: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// gethVersionFormat is the go list -m format that build.sh uses too.
const gethVersionFormat = "{{if .Replace}}{{.Replace.Version}}{{else}}{{.Version}}{{end}}"
