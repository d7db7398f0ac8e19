package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/client"
)

// sendRawTransaction: eth_sendRawTransaction(raw) becomes an envelope; the
// answer is the inner transaction's hash, the one the wallet computed.
func (p *Proxy) sendRawTransaction(ctx context.Context, c *call) *message {
	var raw hexutil.Bytes
	if err := c.params(1, &raw); err != nil {
		return reply(c, nil, err)
	}
	if isEnvelope(raw) {
		// Encrypted already (by veil send or the client library): it goes
		// upstream as it is.
		p.metrics.calls.WithLabelValues("forwarded").Inc()
		return p.forwardCalls(ctx, []*call{c})[0]
	}
	pend, err := p.send(ctx, raw)
	if err != nil {
		return reply(c, nil, err)
	}
	return reply(c, pend.InnerHash, nil)
}

// sendRawTransactionSync: eth_sendRawTransactionSync(raw, timeoutMs?)
// sends like eth_sendRawTransaction, then waits for the inner
// transaction's receipt and returns it, as go-ethereum does: code 4 with
// the hash as data when the wait ends first.
func (p *Proxy) sendRawTransactionSync(ctx context.Context, c *call) *message {
	var raw hexutil.Bytes
	var timeoutMs *hexutil.Uint64
	if err := c.params(1, &raw, &timeoutMs); err != nil {
		// A plain number is accepted as well as a hex quantity.
		var ms *uint64
		if err2 := c.params(1, &raw, &ms); err2 != nil {
			return reply(c, nil, err)
		}
		if ms != nil {
			timeoutMs = (*hexutil.Uint64)(ms)
		}
	}
	if isEnvelope(raw) {
		// The upstream's eth_sendRawTransactionSync is go-ethereum's, which
		// does not go through admission.
		return reply(c, nil, fmt.Errorf("%w: send an envelope with eth_sendRawTransaction", ErrParams))
	}
	timeout := p.cfg.SyncTimeout
	if timeoutMs != nil && *timeoutMs > 0 {
		timeout = min(time.Duration(*timeoutMs)*time.Millisecond, p.cfg.SyncMaxTimeout)
	}
	pend, err := p.send(ctx, raw)
	if err != nil {
		return reply(c, nil, err)
	}
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	stop := context.AfterFunc(p.quit, cancel)
	defer stop()
	_, err = p.client.WaitExecuted(wctx, pend)
	switch {
	case err == nil || errors.Is(err, client.ErrReverted):
		// The receipt as the upstream serves it (all of go-ethereum's
		// fields, which types.Receipt does not carry).
		var receipt json.RawMessage
		rctx, rcancel := context.WithTimeout(ctx, p.cfg.UpstreamTimeout)
		defer rcancel()
		if err := p.client.RPC().CallContext(rctx, &receipt, "eth_getTransactionReceipt", pend.InnerHash); err != nil {
			return reply(c, nil, fmt.Errorf("%w: receipt of %s: %w", ErrUpstream, pend.InnerHash, err))
		}
		return reply(c, receipt, nil)
	case errors.Is(err, client.ErrDropped):
		p.forget(pend)
		return reply(c, nil, fmt.Errorf("%w: %w", ErrDropped, err))
	default:
		return reply(c, nil, &rpcError{Code: codeSyncTimeout, Data: pend.InnerHash.Hex(),
			Message: fmt.Sprintf("The transaction was added to the transaction pool but wasn't processed in %v", timeout)})
	}
}

// isEnvelope tells whether raw is a transaction to the encrypted inbox:
// an envelope built elsewhere, not a plaintext.
func isEnvelope(raw []byte) bool {
	tx := new(types.Transaction)
	return tx.UnmarshalBinary(raw) == nil && tx.To() != nil && *tx.To() == contracts.EncryptedInboxAddress
}

// send checks raw against the sender's state, encrypts it into an envelope
// paid by the payer, submits it and records it in flight.
func (p *Proxy) send(ctx context.Context, raw []byte) (*client.Pending, error) {
	pend, err := p.sendChecked(ctx, raw)
	if err != nil {
		p.metrics.refusals.WithLabelValues(cause(err)).Inc()
		if errors.Is(err, ErrUpstream) || errors.Is(err, ErrEonKey) {
			p.log.Warn("transaction not sent", "cause", cause(err), "err", err)
		} else {
			p.log.Info("transaction refused", "cause", cause(err))
		}
		return nil, err
	}
	return pend, nil
}

func (p *Proxy) sendChecked(ctx context.Context, raw []byte) (*client.Pending, error) {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.UpstreamTimeout)
	defer cancel()
	inner := new(types.Transaction)
	if err := inner.UnmarshalBinary(raw); err != nil {
		return nil, fmt.Errorf("%w: not a signed transaction: %w", ErrParams, err)
	}
	eon, err := p.eon(ctx)
	if err != nil {
		return nil, err
	}
	sender, err := encmempool.CheckInner(inner, types.LatestSignerForChainID(new(big.Int).SetUint64(eon.ChainID)), p.payer)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotEncryptable, err)
	}
	deadline := time.Now().Add(p.cfg.GapWait)
	for {
		p.mu.Lock()
		added := p.added
		p.mu.Unlock()
		pend, gap, err := p.trySend(ctx, sender, inner)
		if !gap || time.Now().After(deadline) {
			return pend, err
		}
		// A lower nonce may still be on its way through the proxy (a
		// batch or concurrent calls): wait for it a little.
		t := time.NewTimer(100 * time.Millisecond)
		select {
		case <-added:
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, err
		}
		t.Stop()
	}
}

// trySend makes one attempt under sendMu. gap reports a nonce ahead of
// the sender's next one, with ErrNonceTooHigh.
func (p *Proxy) trySend(ctx context.Context, sender common.Address, inner *types.Transaction) (pend *client.Pending, gap bool, err error) {
	p.sendMu.Lock()
	defer p.sendMu.Unlock()
	view, err := p.observe(ctx, sender, true)
	if err != nil {
		return nil, false, err
	}
	nonce := inner.Nonce()
	p.mu.Lock()
	same := p.flights.get(sender, nonce)
	next, flying := p.flights.next(sender)
	inFlightCost := p.flights.cost(sender)
	p.mu.Unlock()
	expected := view.pending
	if flying {
		expected = max(expected, next)
	}
	switch {
	case nonce < view.latest:
		return nil, false, fmt.Errorf("%w: the account's next nonce is %d, the transaction has %d", ErrNonceTooLow, view.latest, nonce)
	case same != nil && same.tx.Hash() == inner.Hash():
		// As go-ethereum answers a transaction its pool holds: a wallet
		// that sent the same transaction twice learns it.
		return nil, false, fmt.Errorf("%w: %s", ErrKnown, inner.Hash())
	case same != nil:
		return nil, false, fmt.Errorf("%w: nonce %d; wait for it to execute", ErrInFlight, nonce)
	case nonce < expected:
		return nil, false, fmt.Errorf("%w: nonce %d is taken by a pending transaction, the next one is %d", ErrNonceTooLow, nonce, expected)
	case nonce > expected:
		return nil, true, fmt.Errorf("%w: the account's next nonce is %d, the transaction has %d; it would be dropped", ErrNonceTooHigh, expected, nonce)
	}
	if need := new(big.Int).Add(inFlightCost, inner.Cost()); view.balance.Cmp(need) < 0 {
		return nil, false, fmt.Errorf("%w: balance %s wei, this transaction and those in flight may cost %s", ErrInsufficientFunds, view.balance, need)
	}
	if view.baseFee != nil && inner.GasFeeCap().Cmp(view.baseFee) < 0 {
		return nil, false, fmt.Errorf("%w: max fee per gas %s, base fee %s", ErrFeeTooLow, inner.GasFeeCap(), view.baseFee)
	}
	pend, err = p.client.Send(ctx, inner)
	if errors.Is(err, client.ErrSendUnknown) && pend != nil {
		// The envelope may have been admitted: its order receipt tells.
		rctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		_, rerr := p.client.WaitOrdered(rctx, pend)
		cancel()
		if rerr == nil {
			err = nil
		}
	}
	if err != nil {
		switch {
		case errors.Is(err, client.ErrRejected):
			return nil, false, fmt.Errorf("%w (payer %s): %w", ErrRefused, p.payer, err)
		case errors.Is(err, encmempool.ErrDeclaredGas), errors.Is(err, encmempool.ErrCiphertextSize):
			return nil, false, fmt.Errorf("%w: %w", ErrNotEncryptable, err)
		case errors.Is(err, client.ErrEonKeyMismatch), errors.Is(err, client.ErrEonKeySource):
			// The upstream's eon changed to a key L1 does not confirm.
			return nil, false, fmt.Errorf("%w: %w", ErrEonKey, err)
		default:
			return nil, false, fmt.Errorf("%w: %w", ErrUpstream, err)
		}
	}
	p.mu.Lock()
	p.flights.add(sender, inner, pend.EnvelopeHash, time.Now())
	p.metrics.inflight.Set(float64(p.flights.size()))
	close(p.added)
	p.added = make(chan struct{})
	p.mu.Unlock()
	p.metrics.envelopes.Inc()
	p.log.Info("envelope sent", "envelope", pend.EnvelopeHash, "declared_gas", inner.Gas())
	return pend, false, nil
}

// pendingNonce: eth_getTransactionCount(addr, "pending") is the upstream's
// pending nonce or one past the highest nonce addr has in flight here,
// whichever is higher.
func (p *Proxy) pendingNonce(ctx context.Context, c *call) *message {
	var addr common.Address
	var tag string
	if err := c.params(2, &addr, &tag); err != nil {
		return reply(c, nil, err)
	}
	ctx, cancel := context.WithTimeout(ctx, p.cfg.UpstreamTimeout)
	defer cancel()
	p.sendMu.Lock()
	defer p.sendMu.Unlock()
	view, err := p.observe(ctx, addr, false)
	if err != nil {
		return reply(c, nil, err)
	}
	nonce := view.pending
	p.mu.Lock()
	if next, ok := p.flights.next(addr); ok {
		nonce = max(nonce, next)
	}
	p.mu.Unlock()
	return reply(c, hexutil.Uint64(nonce), nil)
}

// transactionByHash: eth_getTransactionByHash of a transaction in flight
// is the upstream's answer once it has one, the pending transaction (no
// block) until then.
func (p *Proxy) transactionByHash(ctx context.Context, c *call) *message {
	var hash common.Hash
	if err := c.params(1, &hash); err != nil {
		return reply(c, nil, err)
	}
	up, err := p.lookup(ctx, "eth_getTransactionByHash", hash)
	if err != nil || present(up) {
		return reply(c, up, err)
	}
	p.mu.Lock()
	s, sender, ok := p.flights.byHash(hash)
	p.mu.Unlock()
	if !ok {
		return reply(c, json.RawMessage("null"), nil)
	}
	pendingTx, err := pendingJSON(s.tx, sender)
	return reply(c, pendingTx, err)
}

// transactionReceipt: eth_getTransactionReceipt of a transaction in
// flight is the upstream's answer, null while the upstream cannot tell.
func (p *Proxy) transactionReceipt(ctx context.Context, c *call) *message {
	var hash common.Hash
	if err := c.params(1, &hash); err != nil {
		return reply(c, nil, err)
	}
	up, err := p.lookup(ctx, "eth_getTransactionReceipt", hash)
	return reply(c, up, err)
}

// indexing is go-ethereum's answer to a lookup by transaction hash before
// its transaction index covers the chain (on a fresh chain, until the first
// block is indexed): it cannot tell whether the transaction exists.
const indexing = "transaction indexing is in progress"

// lookup calls a by-hash method upstream. "Indexing in progress" is null:
// for a transaction in flight here that is the truth (it has not
// executed), and wallets fail on the error (ethers' tx.wait() throws). An
// error of the upstream keeps its code and message.
func (p *Proxy) lookup(ctx context.Context, method string, hash common.Hash) (json.RawMessage, error) {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.UpstreamTimeout)
	defer cancel()
	var up json.RawMessage
	err := p.client.RPC().CallContext(ctx, &up, method, hash)
	var re rpc.Error
	switch {
	case err == nil:
		if len(up) == 0 {
			up = json.RawMessage("null")
		}
		return up, nil
	case errors.As(err, &re) && re.Error() == indexing:
		return json.RawMessage("null"), nil
	case errors.As(err, &re):
		out := &rpcError{Code: re.ErrorCode(), Message: re.Error()}
		var de rpc.DataError
		if errors.As(err, &de) {
			out.Data = de.ErrorData()
		}
		return nil, out
	default:
		p.metrics.upstream.Inc()
		return nil, fmt.Errorf("%w: %w", ErrUpstream, err)
	}
}

// pendingJSON is a transaction as go-ethereum shows a pending one.
func pendingJSON(tx *types.Transaction, sender common.Address) (json.RawMessage, error) {
	raw, err := tx.MarshalJSON()
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	from, _ := json.Marshal(sender)
	m["from"] = from
	m["blockHash"], m["blockNumber"], m["transactionIndex"] = json.RawMessage("null"), json.RawMessage("null"), json.RawMessage("null")
	if _, ok := m["gasPrice"]; !ok {
		m["gasPrice"], _ = json.Marshal((*hexutil.Big)(tx.GasFeeCap()))
	}
	return json.Marshal(m)
}

// chainView is what observe read.
type chainView struct {
	latest, pending uint64
	balance         *big.Int // nil unless asked for
	baseFee         *big.Int // nil unless asked for, or before London
}

// observe reads sender's nonces (and, for a send, its balance and the base
// fee) and the fate of its transactions in flight, and settles them. The
// caller holds sendMu.
func (p *Proxy) observe(ctx context.Context, sender common.Address, forSend bool) (*chainView, error) {
	p.mu.Lock()
	flying := p.flights.list(sender)
	p.mu.Unlock()
	var latest, pending hexutil.Uint64
	var balance hexutil.Big
	var head struct {
		BaseFee *hexutil.Big `json:"baseFeePerGas"`
	}
	batch := []rpc.BatchElem{
		{Method: "eth_getTransactionCount", Args: []any{sender, "latest"}, Result: &latest},
		{Method: "eth_getTransactionCount", Args: []any{sender, "pending"}, Result: &pending},
	}
	if forSend {
		batch = append(batch,
			rpc.BatchElem{Method: "eth_getBalance", Args: []any{sender, "latest"}, Result: &balance},
			rpc.BatchElem{Method: "eth_getBlockByNumber", Args: []any{"latest", false}, Result: &head})
	}
	// The envelope's receipt before the inner's: a block's receipts appear
	// together, so an envelope receipt without the inner one means dropped
	// (asked once more below, as a server may answer a batch in any order).
	envReceipts := make([]*json.RawMessage, len(flying))
	innerReceipts := make([]*json.RawMessage, len(flying))
	for i, s := range flying {
		envReceipts[i], innerReceipts[i] = new(json.RawMessage), new(json.RawMessage)
		batch = append(batch,
			rpc.BatchElem{Method: "eth_getTransactionReceipt", Args: []any{s.envelope}, Result: envReceipts[i]},
			rpc.BatchElem{Method: "eth_getTransactionReceipt", Args: []any{s.tx.Hash()}, Result: innerReceipts[i]})
	}
	if err := p.client.RPC().BatchCallContext(ctx, batch); err != nil {
		p.metrics.upstream.Inc()
		return nil, fmt.Errorf("%w: %w", ErrUpstream, err)
	}
	for _, b := range batch {
		if b.Error != nil && !(b.Method == "eth_getTransactionReceipt" && b.Error.Error() == indexing) {
			p.metrics.upstream.Inc()
			return nil, fmt.Errorf("%w: %s: %w", ErrUpstream, b.Method, b.Error)
		}
	}
	obs := observation{latest: uint64(latest), executed: map[common.Hash]bool{}, dropped: map[common.Hash]bool{}}
	for i, s := range flying {
		h := s.tx.Hash()
		switch {
		case present(*innerReceipts[i]):
			obs.executed[h] = true
		case present(*envReceipts[i]):
			again, err := p.lookup(ctx, "eth_getTransactionReceipt", h)
			if err != nil {
				return nil, err
			}
			if present(again) {
				obs.executed[h] = true
			} else {
				obs.dropped[h] = true
			}
		}
	}
	p.mu.Lock()
	done := p.flights.settle(sender, obs, time.Now(), p.cfg.PendingExpiry)
	p.metrics.inflight.Set(float64(p.flights.size()))
	p.mu.Unlock()
	p.metrics.observeSettled(done)
	if done.dropped > 0 {
		p.log.Warn("transactions sent through the proxy were dropped at execution", "count", done.dropped)
	}
	if done.expired > 0 {
		p.log.Warn("forgot transactions in flight for too long", "count", done.expired, "after", p.cfg.PendingExpiry)
	}
	v := &chainView{latest: uint64(latest), pending: max(uint64(pending), uint64(latest))}
	if forSend {
		v.balance = (*big.Int)(&balance)
		v.baseFee = (*big.Int)(head.BaseFee)
	}
	return v, nil
}

func present(r json.RawMessage) bool { return len(r) > 0 && string(r) != "null" }

// forget drops a transaction found dropped from the in-flight set.
func (p *Proxy) forget(pend *client.Pending) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s := p.flights.get(pend.Sender, pend.Nonce); s != nil && s.tx.Hash() == pend.InnerHash {
		done := p.flights.settle(pend.Sender, observation{dropped: map[common.Hash]bool{pend.InnerHash: true}}, time.Now(), 0)
		p.metrics.observeSettled(done)
		p.metrics.inflight.Set(float64(p.flights.size()))
	}
}

// causes are the named errors a refusal is counted and logged under.
var causes = []error{ErrParams, ErrNotEncryptable, ErrKnown, ErrNonceTooLow, ErrNonceTooHigh, ErrInFlight, ErrInsufficientFunds,
	ErrFeeTooLow, ErrRefused, ErrEonKey, ErrUpstream}

// cause names err by the first of causes it is (never by its details,
// which may describe the transaction).
func cause(err error) string {
	for _, c := range causes {
		if errors.Is(err, c) {
			return c.Error()
		}
	}
	return "other"
}
