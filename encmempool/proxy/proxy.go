package proxy

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/veil-l2/veil/encmempool/client"
)

// Errors of the proxy. A refused transaction's JSON-RPC error message is
// the error's text: it starts with one of these.
var (
	// ErrConfig: Check found a setting the proxy cannot run with.
	ErrConfig = errors.New("proxy: invalid config")
	// ErrParams: a call's parameters do not decode.
	ErrParams = errors.New("proxy: invalid params")
	// ErrMethodBlocked: a method that would hand the upstream a
	// transaction in plaintext (eth_sendTransaction, bundles, ...).
	ErrMethodBlocked = errors.New("proxy: method not forwarded, it would reveal a transaction in plaintext")
	// ErrNotEncryptable: the transaction breaks a rule of inner
	// transactions (type 4, no EIP-155 chain id of this chain, bad
	// signature, sent by the payer, gas out of range, too large); wraps
	// encmempool's error.
	ErrNotEncryptable = errors.New("proxy: transaction cannot be sent encrypted")
	// ErrKnown: this very transaction is in flight already (go-ethereum's
	// "already known").
	ErrKnown = errors.New("proxy: already known")
	// ErrNonceTooLow: the nonce is used already; the text contains "nonce
	// too low" as wallets expect.
	ErrNonceTooLow = errors.New("proxy: nonce too low")
	// ErrNonceTooHigh: the nonce leaves a gap; the transaction would be
	// dropped at its slot.
	ErrNonceTooHigh = errors.New("proxy: nonce too high")
	// ErrInFlight: another transaction with this nonce is in flight.
	// Encrypted transactions cannot be replaced: the first one ordered
	// executes, a second one would be dropped.
	ErrInFlight = errors.New("proxy: replacement transaction not supported: this nonce is in flight encrypted")
	// ErrInsufficientFunds: the sender cannot pay gas × fee cap + value
	// of this transaction and those in flight.
	ErrInsufficientFunds = errors.New("proxy: insufficient funds for gas * price + value")
	// ErrFeeTooLow: the fee cap is below the latest block's base fee.
	ErrFeeTooLow = errors.New("proxy: max fee per gas less than block base fee")
	// ErrRefused: the sequencer refused the envelope; wraps the client's
	// ErrRejected and, where known, encmempool's error.
	ErrRefused = errors.New("proxy: the sequencer refused the envelope")
	// ErrUpstream: the upstream could not be reached or answered
	// something unusable; the outcome of a send is then unknown only if
	// the error says so.
	ErrUpstream = errors.New("proxy: upstream unavailable")
	// ErrDropped: eth_sendRawTransactionSync found the transaction
	// dropped at execution (its envelope executed without it).
	ErrDropped = errors.New("proxy: transaction dropped at execution")
	// ErrEonKey: with an EonKeySource, the eon key the sequencer announces
	// is not confirmed by L1: L1 has another key for the eon
	// (client.ErrEonKeyMismatch), or none final, or could not be read
	// (client.ErrEonKeySource). Nothing is encrypted to it.
	ErrEonKey = errors.New("proxy: the sequencer's eon key is not confirmed by L1")
)

// Defaults of Config.
const (
	DefaultMaxBody         = 5 << 20
	DefaultMaxBatch        = 1000
	DefaultUpstreamTimeout = 30 * time.Second
	DefaultSyncTimeout     = 20 * time.Second
	DefaultSyncMaxTimeout  = time.Minute
	DefaultGapWait         = 2 * time.Second
	DefaultPendingExpiry   = time.Hour
	DefaultShutdownTimeout = 5 * time.Second
)

// maxMerged caps an upstream answer the proxy must parse to merge it with
// its own (answers forwarded whole are streamed).
const maxMerged = 128 << 20

// Config configures a Proxy. Zero durations and sizes take the defaults.
type Config struct {
	// Upstream is the sequencer's JSON-RPC URL, http:// or https://.
	Upstream string
	// Payer is the fee account that pays for every envelope.
	Payer *ecdsa.PrivateKey
	// VirtualHosts are the Host header names accepted (as go-ethereum's
	// --http.vhosts): an IP address is always accepted, "*" accepts any.
	// Default: localhost. It keeps web pages from reaching the proxy
	// through DNS rebinding.
	VirtualHosts []string
	// CORSOrigins are the browser origins allowed to call the proxy ("*"
	// for any). Default: none, so a web page the user visits cannot spend
	// the payer's funds.
	CORSOrigins []string
	// MaxBody is the largest request body in bytes; MaxBatch the most
	// calls in one batch.
	MaxBody  int64
	MaxBatch int
	// UpstreamTimeout bounds every call to the upstream.
	UpstreamTimeout time.Duration
	// SyncTimeout is how long eth_sendRawTransactionSync waits for the
	// receipt when the call gives no timeout; SyncMaxTimeout caps the one
	// it gives.
	SyncTimeout, SyncMaxTimeout time.Duration
	// GapWait is how long a transaction whose nonce is ahead of the
	// sender's next one waits for the missing ones to come through the
	// proxy before it is refused with ErrNonceTooHigh.
	GapWait time.Duration
	// PendingExpiry forgets a transaction in flight that has neither
	// executed nor been dropped after this long (a safety net; admitted
	// envelopes always execute).
	PendingExpiry time.Duration
	// ShutdownTimeout is how long Serve lets running calls finish when
	// its context ends.
	ShutdownTimeout time.Duration
	// EonKeySource, when set, is L1's record of the eon keys (l1.EonKeys
	// over Veil's L1 contracts): every eon key the upstream announces is
	// checked against it before anything is encrypted to it, at the first
	// use and whenever the upstream's eon changes; ErrEonKey otherwise.
	EonKeySource client.EonKeySource
	// HTTPClient talks to the upstream; default: a client with
	// UpstreamTimeout.
	HTTPClient *http.Client
	Logger     *slog.Logger
	// Registry receives the metrics; nil registers none.
	Registry prometheus.Registerer
}

// Check fills in the defaults and rejects settings the proxy cannot run
// with, in a sentence a user understands.
func (c *Config) Check() error {
	u, err := url.Parse(c.Upstream)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: upstream %q is not an http:// or https:// URL of the sequencer's JSON-RPC", ErrConfig, c.Upstream)
	}
	if c.Payer == nil {
		return fmt.Errorf("%w: a payer key is required: the fee account that pays for the envelopes", ErrConfig)
	}
	if c.MaxBody < 0 || c.MaxBatch < 0 || c.UpstreamTimeout < 0 || c.SyncTimeout < 0 || c.SyncMaxTimeout < 0 || c.GapWait < 0 ||
		c.PendingExpiry < 0 || c.ShutdownTimeout < 0 {
		return fmt.Errorf("%w: sizes and durations cannot be negative", ErrConfig)
	}
	if len(c.VirtualHosts) == 0 {
		c.VirtualHosts = []string{"localhost"}
	}
	c.MaxBody = cmpOr(c.MaxBody, DefaultMaxBody)
	c.MaxBatch = cmpOr(c.MaxBatch, DefaultMaxBatch)
	c.UpstreamTimeout = cmpOr(c.UpstreamTimeout, DefaultUpstreamTimeout)
	c.SyncMaxTimeout = cmpOr(c.SyncMaxTimeout, DefaultSyncMaxTimeout)
	c.SyncTimeout = min(cmpOr(c.SyncTimeout, DefaultSyncTimeout), c.SyncMaxTimeout)
	c.GapWait = cmpOr(c.GapWait, DefaultGapWait)
	c.PendingExpiry = cmpOr(c.PendingExpiry, DefaultPendingExpiry)
	c.ShutdownTimeout = cmpOr(c.ShutdownTimeout, DefaultShutdownTimeout)
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: c.UpstreamTimeout + c.SyncMaxTimeout}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

func cmpOr[T int | int64 | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

// Proxy is the encrypting JSON-RPC proxy, an http.Handler. Create it with
// New; it is safe for concurrent use.
type Proxy struct {
	cfg     Config
	log     *slog.Logger
	client  *client.Client
	payer   common.Address
	metrics *metrics

	// sendMu serializes what reads and changes the nonces in flight:
	// sends, and pending-nonce answers (which settle finished ones).
	sendMu sync.Mutex
	// mu guards the fields below.
	mu      sync.Mutex
	flights *inflight
	// added is closed (and replaced) whenever a transaction is added to
	// flights, waking sends that wait for a missing nonce.
	added chan struct{}
	// quit ends when Serve stops: sync calls stop waiting.
	quit     context.Context
	stopQuit context.CancelFunc
}

// New checks cfg and returns a proxy to cfg.Upstream. It does not contact
// the upstream; Eon does.
func New(cfg Config) (*Proxy, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	rc, err := rpc.DialOptions(context.Background(), cfg.Upstream, rpc.WithHTTPClient(cfg.HTTPClient))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUpstream, err)
	}
	p := &Proxy{cfg: cfg, log: cfg.Logger, payer: crypto.PubkeyToAddress(cfg.Payer.PublicKey), metrics: newMetrics(cfg.Registry),
		flights: newInflight(), added: make(chan struct{})}
	opts := []client.Option{client.WithPayer(client.NewPayer(cfg.Payer)), client.WithLogger(cfg.Logger)}
	if cfg.EonKeySource != nil {
		opts = append(opts, client.WithEonKeySource(cfg.EonKeySource))
	}
	p.client = client.New(rc, opts...)
	p.quit, p.stopQuit = context.WithCancel(context.Background())
	return p, nil
}

// Payer is the fee account's address.
func (p *Proxy) Payer() common.Address { return p.payer }

// Eon asks the upstream for the current eon (veil_eon): a check that it is
// a Veil sequencer, and the chain id; with an EonKeySource, its key is
// checked against L1 (ErrEonKey).
func (p *Proxy) Eon(ctx context.Context) (*client.EonInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.UpstreamTimeout)
	defer cancel()
	return p.eon(ctx)
}

// eon is the client's current eon, its failures named.
func (p *Proxy) eon(ctx context.Context) (*client.EonInfo, error) {
	e, err := p.client.Eon(ctx)
	switch {
	case errors.Is(err, client.ErrEonKeyMismatch) || errors.Is(err, client.ErrEonKeySource):
		return nil, fmt.Errorf("%w: %w", ErrEonKey, err)
	case err != nil:
		return nil, fmt.Errorf("%w: %w", ErrUpstream, err)
	}
	return e, nil
}

// Upstream is the JSON-RPC client of the upstream, for reads.
func (p *Proxy) Upstream() *rpc.Client { return p.client.RPC() }

// Close closes the upstream connection.
func (p *Proxy) Close() {
	p.stopQuit()
	p.client.Close()
}

// Serve answers JSON-RPC on ln until ctx ends, then stops accepting, lets
// running calls finish for up to ShutdownTimeout (sync calls stop waiting
// for receipts at once) and returns nil.
func (p *Proxy) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           p,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      p.cfg.UpstreamTimeout + p.cfg.SyncMaxTimeout + 5*time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(p.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	p.stopQuit()
	shut, cancel := context.WithTimeout(context.Background(), p.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		p.log.Warn("calls still running at shutdown, closing their connections", "err", err)
		srv.Close()
	}
	return nil
}

// acceptedContentTypes are go-ethereum's.
var acceptedContentTypes = []string{"application/json", "application/json-rpc", "application/jsonrequest"}

// ServeHTTP answers one HTTP request: a JSON-RPC call or batch by POST.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !p.hostAllowed(r.Host) {
		http.Error(w, "invalid host specified", http.StatusForbidden)
		return
	}
	if !p.cors(w, r) {
		return
	}
	switch r.Method {
	case http.MethodPost:
	case http.MethodGet:
		// A health check, as go-ethereum answers it.
		if r.ContentLength <= 0 && r.URL.RawQuery == "" && r.Header.Get("Upgrade") == "" {
			w.WriteHeader(http.StatusOK)
			return
		}
		http.Error(w, "JSON-RPC over HTTP POST only (this proxy serves no WebSocket)", http.StatusMethodNotAllowed)
		return
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || !slices.Contains(acceptedContentTypes, mt) {
		http.Error(w, "invalid content type, only application/json is supported", http.StatusUnsupportedMediaType)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, p.cfg.MaxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeJSON(w, http.StatusRequestEntityTooLarge, errorMessage(codeInvalidRequest,
				fmt.Sprintf("proxy: request body larger than %d bytes", p.cfg.MaxBody)))
			return
		}
		http.Error(w, "cannot read the request body", http.StatusBadRequest)
		return
	}
	calls, batch, err := parseBody(body)
	if err != nil {
		// Not JSON: the upstream answers it as it would.
		p.forwardWhole(w, r.Context(), body)
		return
	}
	if batch && len(calls) > p.cfg.MaxBatch {
		writeJSON(w, http.StatusOK, errorMessage(codeInvalidRequest, fmt.Sprintf("proxy: batch of more than %d calls", p.cfg.MaxBatch)))
		return
	}
	local := make([]bool, len(calls))
	anyLocal := false
	for i, c := range calls {
		local[i] = p.isLocal(c)
		anyLocal = anyLocal || local[i]
		if !local[i] {
			p.metrics.calls.WithLabelValues("forwarded").Inc()
		}
	}
	if !anyLocal {
		p.forwardWhole(w, r.Context(), body)
		return
	}
	p.serveMixed(w, r.Context(), calls, local, batch)
}

// isLocal tells whether the proxy answers c itself.
func (p *Proxy) isLocal(c *call) bool {
	if !c.valid {
		return false
	}
	switch c.Method {
	case "eth_sendRawTransaction", "eth_sendRawTransactionSync":
		return true
	case "eth_getTransactionCount":
		var addr common.Address
		var tag string
		return c.params(2, &addr, &tag) == nil && tag == "pending"
	case "eth_getTransactionByHash", "eth_getTransactionReceipt":
		var h common.Hash
		if c.params(1, &h) != nil {
			return false
		}
		p.mu.Lock()
		_, _, ok := p.flights.byHash(h)
		p.mu.Unlock()
		return ok
	}
	return blocked(c.Method)
}

// serveMixed answers a body with calls the proxy handles: the others go
// upstream as one batch while the local ones run, each in its own
// goroutine (a send waiting for a lower nonce of the same batch must not
// hold that one up). Responses come in the order of the calls.
func (p *Proxy) serveMixed(w http.ResponseWriter, ctx context.Context, calls []*call, local []bool, batch bool) {
	answers := make([]*message, len(calls))
	var forwarded []*call
	for i, c := range calls {
		if !local[i] {
			forwarded = append(forwarded, c)
		}
	}
	var wg sync.WaitGroup
	var upstream []*message
	if len(forwarded) > 0 {
		wg.Go(func() { upstream = p.forwardCalls(ctx, forwarded) })
	}
	for i, c := range calls {
		if local[i] {
			wg.Go(func() { answers[i] = p.handle(ctx, c) })
		}
	}
	wg.Wait()
	j := 0
	for i := range calls {
		if !local[i] {
			answers[i] = upstream[j]
			j++
		}
	}
	var out []*message
	for i, c := range calls {
		if answers[i] != nil && !c.notification() {
			out = append(out, answers[i])
		}
	}
	switch {
	case len(out) == 0:
		w.WriteHeader(http.StatusOK)
	case batch:
		writeJSON(w, http.StatusOK, out)
	default:
		writeJSON(w, http.StatusOK, out[0])
	}
}

// handle answers a call the proxy serves itself.
func (p *Proxy) handle(ctx context.Context, c *call) *message {
	if blocked(c.Method) && c.Method != "eth_sendRawTransaction" && c.Method != "eth_sendRawTransactionSync" {
		p.metrics.calls.WithLabelValues("blocked").Inc()
		p.log.Warn("blocked a call that would reveal a transaction", "method", c.Method)
		return reply(c, nil, fmt.Errorf("%w: %s (sign in the wallet and use eth_sendRawTransaction)", ErrMethodBlocked, c.Method))
	}
	p.metrics.calls.WithLabelValues("local").Inc()
	switch c.Method {
	case "eth_sendRawTransaction":
		return p.sendRawTransaction(ctx, c)
	case "eth_sendRawTransactionSync":
		return p.sendRawTransactionSync(ctx, c)
	case "eth_getTransactionCount":
		return p.pendingNonce(ctx, c)
	case "eth_getTransactionByHash":
		return p.transactionByHash(ctx, c)
	case "eth_getTransactionReceipt":
		return p.transactionReceipt(ctx, c)
	}
	return reply(c, nil, &rpcError{Code: codeMethodNotFound, Message: "proxy: no local handler for " + c.Method})
}

// forwardWhole sends body upstream unchanged and streams the answer back.
func (p *Proxy) forwardWhole(w http.ResponseWriter, ctx context.Context, body []byte) {
	resp, err := p.post(ctx, body)
	if err != nil {
		p.metrics.upstream.Inc()
		p.log.Warn("upstream unavailable", "err", err)
		writeJSON(w, http.StatusBadGateway, errorMessage(codeInternal, err.Error()))
		return
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

// forwardCalls sends calls upstream as one batch and returns one answer
// per call (nil for a notification), matched by id.
func (p *Proxy) forwardCalls(ctx context.Context, calls []*call) []*message {
	out := make([]*message, len(calls))
	fail := func(err error) []*message {
		p.metrics.upstream.Inc()
		p.log.Warn("upstream unavailable", "err", err)
		for i, c := range calls {
			out[i] = reply(c, nil, err)
		}
		return out
	}
	raws := make([]json.RawMessage, len(calls))
	for i, c := range calls {
		raws[i] = c.raw
	}
	body, _ := json.Marshal(raws)
	resp, err := p.post(ctx, body)
	if err != nil {
		return fail(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxMerged))
	if err != nil {
		return fail(fmt.Errorf("%w: reading the answer: %w", ErrUpstream, err))
	}
	if !slices.ContainsFunc(calls, func(c *call) bool { return !c.notification() }) {
		return out // only notifications: no answer expected
	}
	var answers []*message
	if err := json.Unmarshal(raw, &answers); err != nil {
		// One error for the whole batch (for example "batch too large").
		var single message
		if json.Unmarshal(raw, &single) == nil && single.Error != nil {
			for i, c := range calls {
				out[i] = reply(c, nil, single.Error)
			}
			return out
		}
		return fail(fmt.Errorf("%w: HTTP %d, answer is not a JSON-RPC batch", ErrUpstream, resp.StatusCode))
	}
	used := make([]bool, len(answers))
	for i, c := range calls {
		if c.notification() {
			continue
		}
		id := c.ID
		if !c.valid {
			id = json.RawMessage("null")
		}
		for k, a := range answers {
			if !used[k] && a != nil && sameID(a.ID, id) {
				used[k], out[i] = true, a
				break
			}
		}
		if out[i] == nil {
			out[i] = reply(c, nil, fmt.Errorf("%w: no answer to this call in the upstream's batch", ErrUpstream))
		}
	}
	return out
}

func sameID(a, b json.RawMessage) bool {
	var ca, cb bytes.Buffer
	if json.Compact(&ca, a) != nil || json.Compact(&cb, b) != nil {
		return bytes.Equal(a, b)
	}
	return bytes.Equal(ca.Bytes(), cb.Bytes())
}

// post sends a JSON-RPC body to the upstream.
func (p *Proxy) post(ctx context.Context, body []byte) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.UpstreamTimeout)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.cfg.Upstream, bytes.NewReader(body))
	if err != nil {
		cancel()
		return nil, fmt.Errorf("%w: %w", ErrUpstream, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := p.cfg.HTTPClient.Do(req)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("%w: %w", ErrUpstream, err)
	}
	resp.Body = cancelOnClose{resp.Body, cancel}
	return resp, nil
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// hostAllowed applies VirtualHosts to the Host header.
func (p *Proxy) hostAllowed(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if net.ParseIP(host) != nil {
		return true
	}
	for _, v := range p.cfg.VirtualHosts {
		if v == "*" || strings.EqualFold(v, host) {
			return true
		}
	}
	return false
}

// cors applies CORSOrigins: it sets the headers for an allowed origin and
// answers a preflight. It returns false when the request is answered.
func (p *Proxy) cors(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	allowed := origin != "" && slices.ContainsFunc(p.cfg.CORSOrigins, func(o string) bool { return o == "*" || strings.EqualFold(o, origin) })
	if allowed {
		w.Header().Set("Access-Control-Allow-Origin", origin)
		w.Header().Add("Vary", "Origin")
	}
	if r.Method != http.MethodOptions {
		return true
	}
	if !allowed {
		http.Error(w, "origin not allowed", http.StatusForbidden)
		return false
	}
	w.Header().Set("Access-Control-Allow-Methods", "POST, GET")
	w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
	w.Header().Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
	return false
}
