package proxy

import (
	"encoding/json"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

// FuzzParseBody: any request body splits into calls without a panic, and
// every call keeps its bytes, so a forwarded call goes upstream unchanged.
func FuzzParseBody(f *testing.F) {
	for _, s := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}`,
		`[{"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":["0x00"]},{"method":"x"},7,null]`,
		`{"jsonrpc":"2.0","id":1,"method":"eth_getTransactionCount","params":["0x000000000000000000000000000000000000000a","pending"]}`,
		`[]`, ` [ ] `, `{}`, `null`, `"x"`, `[`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		calls, batch, err := parseBody(body)
		if err != nil {
			if json.Valid(body) {
				t.Fatalf("valid JSON refused: %v", err)
			}
			return
		}
		if !batch && len(calls) != 1 {
			t.Fatalf("single body gave %d calls", len(calls))
		}
		p := &Proxy{flights: newInflight()}
		for _, c := range calls {
			if !json.Valid(c.raw) {
				t.Fatalf("call bytes %q are not JSON", c.raw)
			}
			if c.valid && c.Method == "" {
				t.Fatal("valid call without a method")
			}
			p.isLocal(c)
			var addr common.Address
			var tag string
			c.params(0, &addr, &tag)
		}
	})
}
