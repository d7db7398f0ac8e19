package proxy

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// The forwarding, merging and HTTP rules are tested here against a
// go-ethereum JSON-RPC server standing in for the sequencer's read side;
// sends end to end run against a real devnet in cmd/veil (TestProxy).

// chain is the upstream's state the tests set.
type chain struct {
	mu       sync.Mutex
	latest   map[common.Address]uint64
	pending  map[common.Address]uint64
	receipts map[common.Hash]bool
	indexing bool // lookups by hash answer "transaction indexing is in progress"
}

// EthAPI serves the eth_ methods the proxy reads.
type EthAPI struct{ c *chain }

func (a *EthAPI) ChainId() hexutil.Uint64 { return 7117 }

func (a *EthAPI) GetTransactionCount(addr common.Address, tag string) (hexutil.Uint64, error) {
	a.c.mu.Lock()
	defer a.c.mu.Unlock()
	switch tag {
	case "latest":
		return hexutil.Uint64(a.c.latest[addr]), nil
	case "pending":
		return hexutil.Uint64(max(a.c.pending[addr], a.c.latest[addr])), nil
	}
	return 0, errors.New("unknown block tag")
}

func (a *EthAPI) GetTransactionReceipt(h common.Hash) (map[string]any, error) {
	a.c.mu.Lock()
	defer a.c.mu.Unlock()
	if a.c.receipts[h] {
		return map[string]any{"transactionHash": h, "status": "0x1"}, nil
	}
	if a.c.indexing {
		return nil, errors.New(indexing)
	}
	return nil, nil
}

func (a *EthAPI) GetTransactionByHash(h common.Hash) (map[string]any, error) {
	a.c.mu.Lock()
	defer a.c.mu.Unlock()
	if a.c.receipts[h] {
		return map[string]any{"hash": h, "blockNumber": "0x5"}, nil
	}
	if a.c.indexing {
		return nil, errors.New(indexing)
	}
	return nil, nil
}

// upstream is the stand-in sequencer: it records every body it receives.
type upstream struct {
	*httptest.Server
	chain  *chain
	mu     sync.Mutex
	bodies []string
}

func (u *upstream) received() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return strings.Join(u.bodies, "\n")
}

func startUpstream(t *testing.T) *upstream {
	t.Helper()
	c := &chain{latest: map[common.Address]uint64{}, pending: map[common.Address]uint64{}, receipts: map[common.Hash]bool{}}
	srv := rpc.NewServer()
	if err := srv.RegisterName("eth", &EthAPI{c}); err != nil {
		t.Fatal(err)
	}
	u := &upstream{chain: c}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		u.mu.Lock()
		u.bodies = append(u.bodies, string(body))
		u.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { u.Close(); srv.Stop() })
	return u
}

func newTestProxy(t *testing.T, upstreamURL string, mod func(*Config)) (*Proxy, *httptest.Server) {
	t.Helper()
	key, _ := crypto.GenerateKey()
	cfg := Config{Upstream: upstreamURL, Payer: key, GapWait: 50 * time.Millisecond, Registry: prometheus.NewRegistry()}
	if mod != nil {
		mod(&cfg)
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p)
	t.Cleanup(func() { srv.Close(); p.Close() })
	return p, srv
}

// post sends body to url and returns the status and the answer.
func post(t *testing.T, url, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// TestForwardedUnchanged: calls the proxy does not handle reach the
// upstream byte for byte, and its answer comes back byte for byte.
func TestForwardedUnchanged(t *testing.T) {
	up := startUpstream(t)
	_, px := newTestProxy(t, up.URL, nil)
	for _, body := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}`,
		"  {\"id\": \"a\",\n \"jsonrpc\":\"2.0\", \"method\":\"eth_getTransactionCount\",\"params\":[\"0x0000000000000000000000000000000000000001\",\"latest\"]}\n",
		`[{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},{"jsonrpc":"2.0","method":"eth_chainId"},{"jsonrpc":"2.0","id":null,"method":"nope"}]`,
		`{"jsonrpc":"2.0","id":1,"method":"eth_getTransactionCount","params":["0x0000000000000000000000000000000000000001"]}`,
		`not json`,
		`[]`,
	} {
		_, direct := post(t, up.URL, body)
		status, got := post(t, px.URL, body)
		if got != direct {
			t.Errorf("%s: proxy answered %d %q, upstream %q", body, status, got, direct)
		}
		if last := up.received(); !strings.HasSuffix(last, body+"\n"+body) {
			t.Errorf("%s: upstream received %q", body, last)
		}
	}
}

// TestMixedBatch: the proxy answers its calls, forwards the others as one
// batch, and returns every answer in the order of the calls, ids kept.
func TestMixedBatch(t *testing.T) {
	up := startUpstream(t)
	p, px := newTestProxy(t, up.URL, nil)
	alice := common.BytesToAddress([]byte{0xa})
	up.chain.latest[alice] = 3
	body := `[
		{"jsonrpc":"2.0","id":"first","method":"eth_chainId"},
		{"jsonrpc":"2.0","id":2,"method":"eth_sendTransaction","params":[{"from":"0x000000000000000000000000000000000000000a","data":"0xsecret"}]},
		{"jsonrpc":"2.0","id":3,"method":"eth_getTransactionCount","params":["0x000000000000000000000000000000000000000a","pending"]},
		{"jsonrpc":"2.0","method":"eth_chainId"},
		{"jsonrpc":"2.0","id":"x","method":"eth_getTransactionCount","params":["0x000000000000000000000000000000000000000a","latest"]},
		{"jsonrpc":"2.0","id":6,"method":"eth_sendRawTransaction","params":["0xzz"]},
		42
	]`
	status, raw := post(t, px.URL, body)
	var got []message
	if err := json.Unmarshal([]byte(raw), &got); err != nil || status != http.StatusOK {
		t.Fatalf("%d %s: %v", status, raw, err)
	}
	want := []struct {
		id, result string
		code       int
	}{
		{`"first"`, `"0x1bcd"`, 0},
		{`2`, ``, codeMethodNotFound},
		{`3`, `"0x3"`, 0},
		{`"x"`, `"0x3"`, 0},
		{`6`, ``, codeInvalidParams},
		{`null`, ``, codeInvalidRequest},
	}
	if len(got) != len(want) {
		t.Fatalf("%d answers: %s", len(got), raw)
	}
	for i, w := range want {
		g := got[i]
		if string(g.ID) != w.id || string(g.Result) != w.result || (w.code == 0) != (g.Error == nil) || (g.Error != nil && g.Error.Code != w.code) {
			t.Errorf("answer %d: %s %s %+v, want %s %s %d", i, g.ID, g.Result, g.Error, w.id, w.result, w.code)
		}
	}
	if strings.Contains(up.received(), "secret") || strings.Contains(up.received(), "eth_sendTransaction") {
		t.Fatalf("a blocked call reached the upstream: %s", up.received())
	}
	if n := testutil.ToFloat64(p.metrics.calls.WithLabelValues("blocked")); n != 1 {
		t.Fatalf("%v blocked calls counted", n)
	}
	// A single blocked call.
	_, raw = post(t, px.URL, `{"jsonrpc":"2.0","id":7,"method":"eth_sendBundle","params":[]}`)
	if !strings.Contains(raw, `"id":7`) || !strings.Contains(raw, "plaintext") {
		t.Fatalf("eth_sendBundle: %s", raw)
	}
}

// TestPendingNonceCountsInFlight: the pending nonce is one past the
// highest nonce in flight until the transactions execute or are dropped.
func TestPendingNonceCountsInFlight(t *testing.T) {
	up := startUpstream(t)
	p, px := newTestProxy(t, up.URL, nil)
	alice := common.BytesToAddress([]byte{0xa})
	pending := func() string {
		_, raw := post(t, px.URL, `{"jsonrpc":"2.0","id":1,"method":"eth_getTransactionCount","params":["0x000000000000000000000000000000000000000a","pending"]}`)
		var m message
		if err := json.Unmarshal([]byte(raw), &m); err != nil || m.Error != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		return string(m.Result)
	}
	up.chain.latest[alice] = 2
	if got := pending(); got != `"0x2"` {
		t.Fatalf("nothing in flight: %s", got)
	}
	txs := []*sentTx{{innerTx(2, 1), common.Hash{0xe2}}, {innerTx(3, 1), common.Hash{0xe3}}, {innerTx(4, 1), common.Hash{0xe4}}}
	p.mu.Lock()
	for _, s := range txs {
		p.flights.add(alice, s.tx, s.env, time.Now())
	}
	p.mu.Unlock()
	// The upstream cannot tell yet (a fresh chain): still in flight.
	up.chain.indexing = true
	if got := pending(); got != `"0x5"` {
		t.Fatalf("three in flight: %s", got)
	}
	up.chain.indexing = false
	// A plaintext transaction the sequencer counts goes beyond.
	up.chain.pending[alice] = 7
	if got := pending(); got != `"0x7"` {
		t.Fatalf("upstream pending above: %s", got)
	}
	up.chain.pending[alice] = 0
	// Nonce 2 executed.
	up.chain.latest[alice] = 3
	up.chain.receipts[txs[0].env], up.chain.receipts[txs[0].tx.Hash()] = true, true
	if got := pending(); got != `"0x5"` {
		t.Fatalf("one executed: %s", got)
	}
	// Nonce 3's envelope executed without it: 3 and 4 are gone.
	up.chain.receipts[txs[1].env] = true
	if got := pending(); got != `"0x3"` {
		t.Fatalf("dropped: %s", got)
	}
	if p.flights.size() != 0 {
		t.Fatalf("%d left in flight", p.flights.size())
	}
	if n := testutil.ToFloat64(p.metrics.settled.WithLabelValues("dropped")); n != 2 {
		t.Fatalf("%v dropped counted", n)
	}
}

type sentTx struct {
	tx  *types.Transaction
	env common.Hash
}

func signedTx(t *testing.T, key *ecdsa.PrivateKey, nonce uint64) *types.Transaction {
	t.Helper()
	tx, err := types.SignTx(innerTx(nonce, 1), types.LatestSignerForChainID(big.NewInt(7117)), key)
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

// TestLookupsInFlight: by-hash lookups of a transaction in flight show it
// pending, and "indexing in progress" is null for them.
func TestLookupsInFlight(t *testing.T) {
	up := startUpstream(t)
	p, px := newTestProxy(t, up.URL, nil)
	key, _ := crypto.GenerateKey()
	alice := crypto.PubkeyToAddress(key.PublicKey)
	tx := signedTx(t, key, 0)
	p.mu.Lock()
	p.flights.add(alice, tx, common.Hash{0xe}, time.Now())
	p.mu.Unlock()
	up.chain.indexing = true
	byHash := `{"jsonrpc":"2.0","id":1,"method":"eth_getTransactionByHash","params":["` + tx.Hash().Hex() + `"]}`
	receipt := `{"jsonrpc":"2.0","id":1,"method":"eth_getTransactionReceipt","params":["` + tx.Hash().Hex() + `"]}`
	_, raw := post(t, px.URL, byHash)
	var m struct {
		Result struct {
			Hash        common.Hash     `json:"hash"`
			From        common.Address  `json:"from"`
			BlockNumber *hexutil.Uint64 `json:"blockNumber"`
		} `json:"result"`
	}
	if err := json.Unmarshal([]byte(raw), &m); err != nil || m.Result.Hash != tx.Hash() || m.Result.From != alice || m.Result.BlockNumber != nil {
		t.Fatalf("pending transaction: %s", raw)
	}
	if _, raw = post(t, px.URL, receipt); !strings.Contains(raw, `"result":null`) {
		t.Fatalf("receipt while indexing: %s", raw)
	}
	// Not in flight: forwarded, the upstream's error as it is.
	other := strings.Replace(receipt, tx.Hash().Hex()[2:], strings.Repeat("1", 64), 1)
	if _, raw = post(t, px.URL, other); !strings.Contains(raw, indexing) {
		t.Fatalf("receipt of another transaction: %s", raw)
	}
	up.chain.indexing = false
	up.chain.receipts[tx.Hash()] = true
	if _, raw = post(t, px.URL, byHash); !strings.Contains(raw, `"blockNumber":"0x5"`) {
		t.Fatalf("executed transaction: %s", raw)
	}
	if _, raw = post(t, px.URL, receipt); !strings.Contains(raw, `"status":"0x1"`) {
		t.Fatalf("receipt: %s", raw)
	}
}

// TestHTTPRules: what the proxy refuses before reading a call.
func TestHTTPRules(t *testing.T) {
	up := startUpstream(t)
	_, px := newTestProxy(t, up.URL, func(c *Config) {
		c.MaxBody, c.MaxBatch, c.CORSOrigins = 1024, 3, []string{"https://dapp.example"}
	})
	call := `{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}`
	for _, c := range []struct {
		name, method, contentType, host, origin, body string
		header                                        map[string]string
		status                                        int
		want                                          string
	}{
		{name: "ok", method: "POST", body: call, status: 200, want: `"result":"0x1bcd"`},
		{name: "json with charset", method: "POST", contentType: "application/json; charset=utf-8", body: call, status: 200},
		{name: "form post", method: "POST", contentType: "text/plain", body: call, status: http.StatusUnsupportedMediaType},
		{name: "dns rebinding", method: "POST", host: "evil.example:8547", body: call, status: http.StatusForbidden},
		{name: "localhost", method: "POST", host: "localhost:8547", body: call, status: 200},
		{name: "health", method: "GET", status: 200},
		{name: "websocket", method: "GET", header: map[string]string{"Upgrade": "websocket", "Connection": "Upgrade"},
			status: http.StatusMethodNotAllowed, want: "no WebSocket"},
		{name: "put", method: "PUT", body: call, status: http.StatusMethodNotAllowed},
		{name: "too large", method: "POST", body: `{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":["` + strings.Repeat("a", 2000) + `"]}`,
			status: http.StatusRequestEntityTooLarge, want: "larger than 1024 bytes"},
		{name: "batch too large", method: "POST", body: "[" + strings.Repeat(call+",", 3) + call + "]", status: 200, want: "more than 3 calls"},
		{name: "preflight allowed", method: "OPTIONS", origin: "https://dapp.example", status: http.StatusNoContent},
		{name: "preflight denied", method: "OPTIONS", origin: "https://evil.example", status: http.StatusForbidden},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, px.URL, strings.NewReader(c.body))
			req.Header.Set("Content-Type", "application/json")
			if c.contentType != "" {
				req.Header.Set("Content-Type", c.contentType)
			}
			if c.host != "" {
				req.Host = c.host
			}
			if c.origin != "" {
				req.Header.Set("Origin", c.origin)
			}
			for k, v := range c.header {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != c.status || !strings.Contains(string(body), c.want) {
				t.Fatalf("%d %q, want %d with %q", resp.StatusCode, body, c.status, c.want)
			}
			if c.origin == "https://dapp.example" && resp.Header.Get("Access-Control-Allow-Origin") != c.origin {
				t.Fatal("no CORS header for an allowed origin")
			}
		})
	}
}

// TestUpstreamDown: an unreachable upstream is a JSON-RPC error, for
// forwarded calls and the proxy's own alike.
func TestUpstreamDown(t *testing.T) {
	up := startUpstream(t)
	url := up.URL
	up.Close()
	_, px := newTestProxy(t, url, func(c *Config) { c.UpstreamTimeout = 2 * time.Second })
	status, raw := post(t, px.URL, `{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}`)
	if status != http.StatusBadGateway || !strings.Contains(raw, `"code":-32603`) || !strings.Contains(raw, "upstream unavailable") {
		t.Fatalf("forwarded: %d %s", status, raw)
	}
	key, _ := crypto.GenerateKey()
	tx, _ := signedTx(t, key, 0).MarshalBinary()
	_, raw = post(t, px.URL, `{"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":["`+hexutil.Encode(tx)+`"]}`)
	if !strings.Contains(raw, `"code":-32603`) || !strings.Contains(raw, "upstream unavailable") {
		t.Fatalf("send: %s", raw)
	}
}

func TestConfigCheck(t *testing.T) {
	key, _ := crypto.GenerateKey()
	for _, c := range []struct {
		name string
		cfg  Config
		want error
	}{
		{"ok", Config{Upstream: "http://127.0.0.1:8545", Payer: key}, nil},
		{"https", Config{Upstream: "https://rpc.example/path", Payer: key}, nil},
		{"websocket upstream", Config{Upstream: "ws://127.0.0.1:8546", Payer: key}, ErrConfig},
		{"no upstream", Config{Payer: key}, ErrConfig},
		{"no payer", Config{Upstream: "http://127.0.0.1:8545"}, ErrConfig},
		{"negative", Config{Upstream: "http://127.0.0.1:8545", Payer: key, GapWait: -1}, ErrConfig},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.cfg.Check()
			if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if err == nil && (c.cfg.MaxBody != DefaultMaxBody || c.cfg.VirtualHosts[0] != "localhost" || c.cfg.Logger == nil) {
				t.Fatalf("defaults not filled in: %+v", c.cfg)
			}
		})
	}
}
