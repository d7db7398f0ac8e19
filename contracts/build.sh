#!/usr/bin/env bash
# Rebuilds Veil's contract artifacts and Go bindings from src/*.sol:
#   artifacts/<Name>.{abi,bin,bin-runtime,storage.json}  (compile.js, solc-js)
#   <name>.gen.go                                       (abigen --v2)
# The L2 predeploys are bound from their ABI only (their code is placed in
# genesis); the L1 contracts and the L2 demo contracts also get their
# creation code (--bin) so that the bindings can deploy them.
# Run through `go generate ./contracts/` (gen.go). Needs node/npm and Go; the
# solc version is pinned in package.json (package-lock.json), the abigen
# version is go-ethereum's version in go.mod, so the output is reproducible.
set -euo pipefail
cd "$(dirname "$0")"

want_solc=$(node -p 'require("./package.json").dependencies.solc')
have_solc=$(node -p 'try { require("solc/package.json").version } catch (e) { "" }')
if [ "$have_solc" != "$want_solc" ]; then
	echo "build.sh: installing solc $want_solc (npm ci)" >&2
	npm ci --no-audit --no-fund >&2
fi

node compile.js artifacts

geth_version=$(go list -m -f '{{if .Replace}}{{.Replace.Version}}{{else}}{{.Version}}{{end}}' github.com/ethereum/go-ethereum)
abigen=(go run "github.com/ethereum/go-ethereum/cmd/abigen@$geth_version")

bind() { # bind <Type> <output file> [extra abigen flags]
	"${abigen[@]}" --v2 --pkg contracts --type "$1" --abi "artifacts/$1.abi" "${@:3}" --out "$2.tmp"
	chmod 644 "$2.tmp" # abigen writes 0600
	mv "$2.tmp" "$2"
}
bind EncryptedInbox encrypted_inbox.gen.go
bind Bridge bridge.gen.go
for c in KeyperSetManager:keyper_set_manager KeyBroadcast:key_broadcast BatchInbox:batch_inbox L1Inbox:l1_inbox \
	DemoToken:demo_token ConstantProductPool:constant_product_pool; do
	bind "${c%%:*}" "${c#*:}.gen.go" --bin "artifacts/${c%%:*}.bin"
done
