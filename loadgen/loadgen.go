package loadgen

import (
	"context"
	"crypto/ecdsa"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/big"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/veil-l2/veil/encmempool/client"
)

// Errors of the load generator.
var (
	ErrConfig  = errors.New("loadgen: invalid config")
	ErrFunding = errors.New("loadgen: funding the accounts failed")
	ErrSetup   = errors.New("loadgen: cannot prepare the run")
)

// Defaults.
const (
	DefaultPollInterval = 20 * time.Millisecond
	DefaultDrain        = 30 * time.Second
	// transferGas is a plain transfer's gas: no estimation per send.
	transferGas = 21_000
	// maxErrorKinds bounds Result.Errors.
	maxErrorKinds = 20
	// orderTimeout bounds the wait for one order receipt.
	orderTimeout = 10 * time.Second
)

// Config is one run.
type Config struct {
	// URL is the sequencer's JSON-RPC (http:// or ws://).
	URL string
	// Funders are funded accounts that pay for the workers' accounts (on a
	// devnet, its dev accounts).
	Funders []*ecdsa.PrivateKey
	// FundEach is sent to each derived account (default 10 ether).
	FundEach *big.Int
	// Seed derives the workers' keys (default "veil bench").
	Seed string
	// Accounts is the number of workers, each with its own sender and
	// payer.
	Accounts int
	// Rate is transactions per second over all workers; 0 sends flat out.
	Rate float64
	// Duration is how long to send.
	Duration time.Duration
	// Drain bounds the wait for outstanding transactions after sending
	// (default DefaultDrain).
	Drain time.Duration
	// Plaintext sends plaintext transactions instead of envelopes.
	Plaintext bool
	// PollInterval is the block watcher's (default DefaultPollInterval).
	PollInterval time.Duration
	// Progress receives a carriage-return updated line every second (nil:
	// none).
	Progress io.Writer
	// Log receives errors worth a line (default: discard).
	Log *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Check rejects a config Run cannot use.
func (c *Config) Check() error {
	switch {
	case c.URL == "":
		return fmt.Errorf("%w: no sequencer URL", ErrConfig)
	case len(c.Funders) == 0:
		return fmt.Errorf("%w: no funded account to pay for the load's accounts", ErrConfig)
	case c.Accounts < 1:
		return fmt.Errorf("%w: accounts must be at least 1, not %d", ErrConfig, c.Accounts)
	case c.Rate < 0:
		return fmt.Errorf("%w: rate must not be negative (0 sends flat out), not %v", ErrConfig, c.Rate)
	case c.Duration <= 0:
		return fmt.Errorf("%w: duration must be positive, not %v", ErrConfig, c.Duration)
	case c.Drain < 0:
		return fmt.Errorf("%w: drain must not be negative, not %v", ErrConfig, c.Drain)
	}
	return nil
}

func (c *Config) defaults() {
	if c.FundEach == nil {
		c.FundEach = new(big.Int).Mul(big.NewInt(10), big.NewInt(params.Ether))
	}
	if c.Seed == "" {
		c.Seed = "veil bench"
	}
	if c.Drain == 0 {
		c.Drain = DefaultDrain
	}
	if c.PollInterval == 0 {
		c.PollInterval = DefaultPollInterval
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Key derives the load's account key of role ("sender" or "payer") and
// index i from seed: the same on every run.
func Key(seed, role string, i int) *ecdsa.PrivateKey {
	h := crypto.Keccak256([]byte(seed), []byte(role), binary.BigEndian.AppendUint64(nil, uint64(i)))
	for {
		if k, err := crypto.ToECDSA(h); err == nil {
			return k
		}
		h = crypto.Keccak256(h)
	}
}

// sink receives the load's 1-wei transfers.
var sink = common.HexToAddress("0x000000000000000000000000000000000000bE4c")

// run is the state shared by one run's goroutines.
type run struct {
	cfg     Config
	tr      *tracker
	chainID *big.Int
	signer  types.Signer
	tip     *big.Int

	feeCap atomic.Pointer[big.Int] // refreshed in the background
	failed atomic.Int64
	missed atomic.Int64
	errMu  sync.Mutex
	errs   map[string]int
}

// Run funds the accounts, sends the load, drains and returns the result.
// It returns early, with what it measured so far, when ctx ends.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	cfg.defaults()
	main, err := dial(ctx, cfg.URL)
	if err != nil {
		return nil, err
	}
	defer main.Close()
	eon, err := main.Eon(ctx)
	if err != nil {
		return nil, err
	}
	tip, feeCap, err := main.Fees(ctx)
	if err != nil {
		return nil, err
	}
	r := &run{cfg: cfg, tr: newTracker(), chainID: new(big.Int).SetUint64(eon.ChainID), tip: tip, errs: map[string]int{}}
	r.signer = types.LatestSignerForChainID(r.chainID)
	r.feeCap.Store(feeCap)

	senders := make([]*ecdsa.PrivateKey, cfg.Accounts)
	payers := make([]*ecdsa.PrivateKey, cfg.Accounts)
	var fund []common.Address
	for i := range senders {
		senders[i] = Key(cfg.Seed, "sender", i)
		fund = append(fund, crypto.PubkeyToAddress(senders[i].PublicKey))
		if !cfg.Plaintext {
			payers[i] = Key(cfg.Seed, "payer", i)
			fund = append(fund, crypto.PubkeyToAddress(payers[i].PublicKey))
		}
	}
	if err := r.fund(ctx, main, fund); err != nil {
		return nil, err
	}

	// Workers' clients and nonces.
	workers := make([]*worker, cfg.Accounts)
	fees := client.NewFeeCache() // one header read a block for all workers
	for i := range workers {
		opts := []client.Option{client.WithFeeCache(fees)}
		if !cfg.Plaintext {
			opts = append(opts, client.WithPayer(client.NewPayer(payers[i])), client.WithTip(tip))
		}
		c, err := dial(ctx, cfg.URL, opts...)
		if err != nil {
			return nil, err
		}
		defer c.Close()
		from := crypto.PubkeyToAddress(senders[i].PublicKey)
		nonce, err := c.Eth().PendingNonceAt(ctx, from)
		if err != nil {
			return nil, fmt.Errorf("%w: nonce of %s: %w", ErrSetup, from, err)
		}
		workers[i] = &worker{r: r, c: c, key: senders[i], nonce: nonce}
	}
	head, err := main.Eth().BlockNumber(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: block number: %w", ErrSetup, err)
	}

	// Background: block watcher, fee refresher, sampler.
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	var bgwg sync.WaitGroup
	defer func() { stopBG(); bgwg.Wait() }()
	bgwg.Go(func() { r.tr.watch(bg, main.RPC(), head, cfg.PollInterval, r.fail) })
	bgwg.Go(func() { r.refreshFees(bg, main) })
	start := cfg.Now()
	smp := &sampler{r: r, start: start}
	smp.samples = append(smp.samples, sampleUsage(start))
	bgwg.Go(func() { smp.loop(bg) })

	// Load.
	sendCtx, stopSending := context.WithTimeout(ctx, cfg.Duration)
	defer stopSending()
	var tokens chan struct{}
	if cfg.Rate > 0 {
		tokens = make(chan struct{}, cfg.Accounts)
		go r.dispatch(sendCtx, tokens, start)
	}
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(func() { w.loop(ctx, sendCtx, tokens) })
	}
	wg.Wait()
	sendEnd := cfg.Now()
	smp.phase.Store("draining")

	// Drain, then ask for the receipts of whatever is still open.
	deadline := time.NewTimer(cfg.Drain)
	defer deadline.Stop()
	tick := time.NewTicker(cfg.PollInterval)
	defer tick.Stop()
drain:
	for {
		if _, _, _, _, open := r.tr.counts(); open == 0 {
			break
		}
		select {
		case <-ctx.Done():
			break drain
		case <-deadline.C:
			break drain
		case <-tick.C:
		}
	}
	stopBG()
	bgwg.Wait()
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := r.tr.reconcile(rctx, main.RPC()); err != nil {
		r.fail(fmt.Errorf("reconcile: %w", err))
	}
	smp.final(cfg.Progress)
	res := r.result(start, sendEnd, smp.samples)
	return res, ctx.Err()
}

// fund sends each address FundEach from the funders (plaintext transfers,
// each funder's in nonce order) and waits until they all executed.
func (r *run) fund(ctx context.Context, c *client.Client, to []common.Address) error {
	per := (len(to) + len(r.cfg.Funders) - 1) / len(r.cfg.Funders)
	var mu sync.Mutex
	var hashes []common.Hash
	var wg sync.WaitGroup
	errs := make([]error, len(r.cfg.Funders))
	for f, key := range r.cfg.Funders {
		lo, hi := min(f*per, len(to)), min((f+1)*per, len(to))
		if lo == hi {
			continue
		}
		wg.Go(func() {
			from := crypto.PubkeyToAddress(key.PublicKey)
			nonce, err := c.Eth().PendingNonceAt(ctx, from)
			if err != nil {
				errs[f] = err
				return
			}
			for _, addr := range to[lo:hi] {
				tx, err := types.SignNewTx(key, r.signer, &types.DynamicFeeTx{ChainID: r.chainID, Nonce: nonce,
					GasTipCap: r.tip, GasFeeCap: r.feeCap.Load(), Gas: transferGas, To: &addr, Value: r.cfg.FundEach})
				if err == nil {
					err = sendRaw(ctx, c.RPC(), tx)
				}
				if err != nil {
					errs[f] = fmt.Errorf("from %s: %w", from, err)
					return
				}
				nonce++
				mu.Lock()
				hashes = append(hashes, tx.Hash())
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w: %w", ErrFunding, err)
	}
	// Wait for the receipts, in batches.
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for len(hashes) > 0 {
		receipts := make([]*types.Receipt, len(hashes))
		elems := make([]rpc.BatchElem, len(hashes))
		for i, h := range hashes {
			elems[i] = rpc.BatchElem{Method: "eth_getTransactionReceipt", Args: []any{h}, Result: &receipts[i]}
		}
		if err := c.RPC().BatchCallContext(wctx, elems); err != nil {
			head, herr := c.Eth().BlockNumber(context.WithoutCancel(ctx))
			return fmt.Errorf("%w: %d of %d transfers without a receipt at block %d (%v): %w", ErrFunding, len(hashes), len(to), head, herr, err)
		}
		var left []common.Hash
		for i, h := range hashes {
			switch {
			case receipts[i] == nil:
				left = append(left, h)
			case receipts[i].Status != types.ReceiptStatusSuccessful:
				return fmt.Errorf("%w: transfer %s failed", ErrFunding, h)
			}
		}
		hashes = left
		if len(hashes) == 0 {
			break
		}
		select {
		case <-wctx.Done():
			return fmt.Errorf("%w: %d transfers not executed: %w", ErrFunding, len(hashes), wctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
	return nil
}

// sendRaw submits a signed transaction with eth_sendRawTransaction.
func sendRaw(ctx context.Context, rc *rpc.Client, tx *types.Transaction) error {
	raw, err := tx.MarshalBinary()
	if err != nil {
		return err
	}
	var h common.Hash
	return rc.CallContext(ctx, &h, "eth_sendRawTransaction", hexutil.Bytes(raw))
}

// dial connects a client as client.Dial does, but over HTTP without
// compression: go-ethereum's server gzips every response a client accepts
// gzipped, and for a generator next to the sequencer that costs both sides
// CPU (a tenth of the devnet's, measured at 175 tx/s) and saves nothing.
func dial(ctx context.Context, url string, opts ...client.Option) (*client.Client, error) {
	hc := &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 16}}
	rc, err := rpc.DialOptions(ctx, url, rpc.WithHTTPClient(hc))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", client.ErrDial, err)
	}
	return client.New(rc, opts...), nil
}

// refreshFees keeps the inner transactions' fee cap at the client's
// (2 × base fee + tip), read every half second.
func (r *run) refreshFees(ctx context.Context, c *client.Client) {
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, feeCap, err := c.Fees(ctx); err == nil {
			r.feeCap.Store(feeCap)
		}
	}
}

// dispatch issues Rate tokens per second until ctx ends; a token no worker
// is free to take is a missed slot.
func (r *run) dispatch(ctx context.Context, tokens chan<- struct{}, start time.Time) {
	t := time.NewTicker(2 * time.Millisecond)
	defer t.Stop()
	issued := int64(0)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		due := int64(r.cfg.Now().Sub(start).Seconds() * r.cfg.Rate)
		for ; issued < due; issued++ {
			select {
			case tokens <- struct{}{}:
			default:
				r.missed.Add(1)
			}
		}
	}
}

// fail counts an error by its message.
func (r *run) fail(err error) {
	r.errMu.Lock()
	defer r.errMu.Unlock()
	msg := err.Error()
	if len(msg) > 200 {
		msg = msg[:200]
	}
	if _, ok := r.errs[msg]; ok || len(r.errs) < maxErrorKinds {
		if r.errs[msg] == 0 {
			r.cfg.Log.Warn("load error", "err", msg)
		}
		r.errs[msg]++
	}
}

// worker sends one account's transactions, one at a time.
type worker struct {
	r     *run
	c     *client.Client
	key   *ecdsa.PrivateKey
	nonce uint64
}

// loop sends until sendCtx ends: on each token, or back to back without
// tokens. In-flight calls use ctx, so the last send completes.
func (w *worker) loop(ctx, sendCtx context.Context, tokens <-chan struct{}) {
	for {
		if tokens != nil {
			select {
			case <-sendCtx.Done():
				return
			case <-tokens:
			}
		} else if sendCtx.Err() != nil {
			return
		}
		w.send(ctx)
	}
}

func (w *worker) send(ctx context.Context) {
	r := w.r
	tx, err := types.SignNewTx(w.key, r.signer, &types.DynamicFeeTx{ChainID: r.chainID, Nonce: w.nonce,
		GasTipCap: r.tip, GasFeeCap: r.feeCap.Load(), Gas: transferGas, To: &sink, Value: big.NewInt(1)})
	if err != nil {
		r.fail(err)
		return
	}
	rec := r.tr.add(tx.Hash(), r.cfg.Now())
	var p *client.Pending
	if r.cfg.Plaintext {
		err = sendRaw(ctx, w.c.RPC(), tx)
		p = &client.Pending{EnvelopeHash: tx.Hash(), InnerHash: tx.Hash()}
		var rerr rpc.Error
		if err != nil && !errors.As(err, &rerr) {
			err = fmt.Errorf("%w: %w", client.ErrSendUnknown, err)
		}
	} else {
		p, err = w.c.Send(ctx, tx)
	}
	if err != nil && !errors.Is(err, client.ErrSendUnknown) {
		// Refused: the nonce is free again.
		r.tr.cancel(rec)
		r.failed.Add(1)
		r.fail(err)
		return
	}
	if !r.cfg.Plaintext {
		r.tr.setEnvelope(rec, p.EnvelopeHash)
	}
	octx, cancel := context.WithTimeout(ctx, orderTimeout)
	defer cancel()
	_, oerr := w.c.WaitOrdered(octx, p)
	now := r.cfg.Now()
	switch {
	case oerr == nil:
		r.tr.setOrdered(rec, now)
		w.nonce++
	case err != nil:
		// Outcome unknown and no receipt: not admitted.
		r.tr.cancel(rec)
		r.failed.Add(1)
		r.fail(err)
	default:
		// Admitted (Send succeeded) but the receipt did not come.
		w.nonce++
		r.fail(oerr)
	}
}

// result assembles the Result from the records and usage samples.
func (r *run) result(start, sendEnd time.Time, samples []usage) *Result {
	cfg := r.cfg
	res := &Result{Config: ResultConfig{URL: cfg.URL, Accounts: cfg.Accounts, Rate: cfg.Rate, Duration: cfg.Duration.String(),
		Plaintext: cfg.Plaintext}, Machine: machine(), Started: start.UTC(), Seconds: sendEnd.Sub(start).Seconds(),
		Failed: int(r.failed.Load()), Missed: int(r.missed.Load())}
	r.errMu.Lock()
	if len(r.errs) > 0 {
		res.Errors = maps.Clone(r.errs)
	}
	r.errMu.Unlock()

	recs := r.tr.snapshot()
	var order, exec []time.Duration
	type bucket struct {
		sent, executed int
		order, exec    []time.Duration
	}
	var buckets []bucket
	at := func(t time.Time) *bucket {
		i := max(int(t.Sub(start)/time.Second), 0)
		for len(buckets) <= i {
			buckets = append(buckets, bucket{})
		}
		return &buckets[i]
	}
	for _, o := range recs {
		sent, ordered, done := fromNanos(o.sent), fromNanos(o.ordered), fromNanos(o.done)
		res.Sent++
		at(sent).sent++
		if !ordered.IsZero() {
			res.Ordered++
			d := ordered.Sub(sent)
			order = append(order, d)
			b := at(ordered)
			b.order = append(b.order, d)
		}
		switch o.fate {
		case executed:
			res.Executed++
			if !done.IsZero() {
				d := done.Sub(sent)
				exec = append(exec, d)
				b := at(done)
				b.executed++
				b.exec = append(b.exec, d)
			}
		case dropped:
			res.Dropped++
		default:
			res.Lost++
		}
	}
	res.OrderLatency, res.ExecLatency = summarize(order), summarize(exec)
	if res.Seconds > 0 {
		res.ThroughputTPS = float64(res.Executed) / res.Seconds
		res.OfferedTPS = float64(res.Sent) / res.Seconds
	}

	// Usage: totals, and per second.
	first, last := samples[0], samples[len(samples)-1]
	wall := last.at.Sub(first.at).Seconds()
	res.CPU = CPU{UserSeconds: (last.user - first.user).Seconds(), SystemSeconds: (last.sys - first.sys).Seconds()}
	if wall > 0 {
		res.CPU.AvgPercent = 100 * (res.CPU.UserSeconds + res.CPU.SystemSeconds) / wall
	}
	res.RSSMiB = Memory{Start: first.rssMiB, End: last.rssMiB}
	res.HeapMiB = Memory{Start: first.heapMiB, End: last.heapMiB}
	for _, s := range samples {
		res.RSSMiB.Max = max(res.RSSMiB.Max, s.rssMiB)
		res.HeapMiB.Max = max(res.HeapMiB.Max, s.heapMiB)
	}
	n := max(len(buckets), len(samples)-1)
	for i := range n {
		p := Point{T: i + 1}
		if i < len(buckets) {
			b := buckets[i]
			p.Sent, p.Executed = b.sent, b.executed
			p.OrderP50Ms = summarize(b.order).P50
			l := summarize(b.exec)
			p.ExecP50Ms, p.ExecP99Ms = l.P50, l.P99
		}
		if i+1 < len(samples) {
			a, b := samples[i], samples[i+1]
			if dt := b.at.Sub(a.at).Seconds(); dt > 0 {
				p.CPUPercent = 100 * (b.user + b.sys - a.user - a.sys).Seconds() / dt
			}
			p.RSSMiB, p.AnonMiB, p.FileMiB, p.HeapMiB = b.rssMiB, b.anonMiB, b.fileMiB, b.heapMiB
		}
		res.Series = append(res.Series, p)
	}
	return res
}

// sampler samples usage every second and prints the progress line.
type sampler struct {
	r       *run
	start   time.Time
	samples []usage // written by loop only until it returns
	phase   atomic.Value
}

func (s *sampler) loop(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s.samples = append(s.samples, sampleUsage(s.r.cfg.Now()))
		s.progress(s.r.cfg.Progress, false)
	}
}

// final takes the last sample and ends the progress line; call it after
// loop returned.
func (s *sampler) final(w io.Writer) {
	s.samples = append(s.samples, sampleUsage(s.r.cfg.Now()))
	s.progress(w, true)
}

func (s *sampler) progress(w io.Writer, last bool) {
	if w == nil {
		return
	}
	sent, ordered, executed, dropped, open := s.r.tr.counts()
	u := s.samples[len(s.samples)-1]
	cpu := 0.0
	if len(s.samples) > 1 {
		p := s.samples[len(s.samples)-2]
		if dt := u.at.Sub(p.at).Seconds(); dt > 0 {
			cpu = 100 * (u.user + u.sys - p.user - p.sys).Seconds() / dt
		}
	}
	phase, _ := s.phase.Load().(string)
	if phase == "" {
		phase = "sending"
	}
	elapsed := u.at.Sub(s.start).Truncate(time.Second)
	line := fmt.Sprintf("\r%-8s %6v/%v  sent %d  ordered %d  executed %d  dropped %d  open %d  failed %d  cpu %3.0f%%  rss %.0f MiB ",
		phase, elapsed, s.r.cfg.Duration, sent, ordered, executed, dropped, open, s.r.failed.Load(), cpu, u.rssMiB)
	if last {
		line += "\n"
	}
	io.WriteString(w, line)
}
