package client

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool"
)

// Pending is a submitted envelope.
type Pending struct {
	// EnvelopeHash is the hash eth_sendRawTransaction returned; the order
	// receipt is for it.
	EnvelopeHash common.Hash
	// InnerHash is the inner transaction's hash; its execution receipt is
	// for it.
	InnerHash common.Hash
	// Sender and Nonce are the inner transaction's.
	Sender common.Address
	Nonce  uint64
	// Payer paid for the envelope.
	Payer common.Address
}

// Encrypt turns a signed inner transaction into a signed envelope paid by
// the client's payer, for the caller to submit. It uses the payer's next
// nonce: submit the envelopes Encrypt returns in order, or the payer
// resynchronizes its nonce on the next Send's nonce error.
func (c *Client) Encrypt(ctx context.Context, inner *types.Transaction) (*types.Transaction, error) {
	env, _, err := c.envelope(ctx, inner, false)
	return env, err
}

// Send encrypts a signed inner transaction, submits the envelope and
// returns once the sequencer admitted it (its order receipt exists then).
// With ErrSendUnknown the Pending is returned too.
func (c *Client) Send(ctx context.Context, inner *types.Transaction) (*Pending, error) {
	env, sender, err := c.envelope(ctx, inner, true)
	if env == nil {
		// Never admitted: the inner nonce is free again.
		c.releaseInnerNonce(sender, inner.Nonce())
		return nil, err
	}
	p := &Pending{EnvelopeHash: env.Hash(), InnerHash: inner.Hash(), Sender: sender, Nonce: inner.Nonce(), Payer: c.payer.addr}
	return p, err
}

// envelope builds (and with submit, submits) an envelope during one turn of
// the payer. On ErrSendUnknown it returns the envelope with the error.
func (c *Client) envelope(ctx context.Context, inner *types.Transaction, submit bool) (*types.Transaction, common.Address, error) {
	p := c.payer
	if p == nil {
		return nil, common.Address{}, ErrNoPayer
	}
	// The ticket fixes this call's place among the payer's envelopes; the
	// reads below overlap with other calls' turns.
	ticket := p.q.take()
	defer p.q.release(ticket)
	eon, err := c.Eon(ctx)
	if err != nil {
		return nil, common.Address{}, err
	}
	signer := types.LatestSignerForChainID(new(big.Int).SetUint64(eon.ChainID))
	sender, err := encmempool.CheckInner(inner, signer, p.addr)
	if err != nil {
		return nil, common.Address{}, err
	}
	tip, feeCap, err := c.Fees(ctx)
	if err != nil {
		return nil, sender, err
	}
	if err := p.q.wait(ctx, ticket); err != nil {
		return nil, sender, err
	}
	if !p.synced {
		if err := p.sync(ctx, c); err != nil {
			return nil, sender, err
		}
	}
	refreshed, resynced := false, false
	for {
		env, err := encmempool.BuildEnvelope(encmempool.BuildParams{ChainID: eon.ChainID, Eon: eon.Eon, EonKey: eon.Key,
			Inbox: contracts.EncryptedInboxAddress, Inner: inner, PayerKey: p.key, Nonce: p.nonce,
			GasTipCap: tip, GasFeeCap: feeCap, Rand: rand.Reader})
		if err != nil {
			return nil, sender, err
		}
		if !submit {
			p.nonce++
			return env, sender, nil
		}
		err = c.submit(ctx, env)
		switch {
		case err == nil:
			p.nonce++
			return env, sender, nil
		case !errors.Is(err, ErrRejected):
			// It may have been admitted: read the nonce again next time.
			p.synced = false
			return env, sender, err
		case errors.Is(err, encmempool.ErrWrongEon) && !refreshed:
			refreshed = true
			if eon, err = c.refreshEon(ctx, eon); err != nil {
				return nil, sender, err
			}
		case (errors.Is(err, encmempool.ErrNonceTooLow) || errors.Is(err, encmempool.ErrNonceGap)) && !resynced:
			resynced = true
			was := p.nonce
			if err := p.sync(ctx, c); err != nil {
				return nil, sender, err
			}
			c.log.Warn("payer nonce resynchronized", "payer", p.addr, "was", was, "now", p.nonce)
		default:
			return nil, sender, err
		}
	}
}

// submit sends an envelope with eth_sendRawTransaction. A JSON-RPC error
// (or an HTTP 4xx) is a definite refusal, ErrRejected; anything else
// leaves the outcome unknown, ErrSendUnknown.
func (c *Client) submit(ctx context.Context, env *types.Transaction) error {
	raw, err := env.MarshalBinary()
	if err != nil {
		return err
	}
	var hash common.Hash
	err = c.rpc.CallContext(ctx, &hash, "eth_sendRawTransaction", hexutil.Bytes(raw))
	if err == nil {
		if hash != env.Hash() {
			return fmt.Errorf("%w: the sequencer answered hash %s for envelope %s", ErrSendUnknown, hash, env.Hash())
		}
		return nil
	}
	var rerr rpc.Error
	var herr rpc.HTTPError
	switch {
	case errors.As(err, &rerr):
		if known := admissionError(rerr.Error()); known != nil {
			if detail := strings.TrimPrefix(strings.TrimPrefix(rerr.Error(), known.Error()), ": "); detail != "" {
				return fmt.Errorf("%w: %w: %s", ErrRejected, known, detail)
			}
			return fmt.Errorf("%w: %w", ErrRejected, known)
		}
		return fmt.Errorf("%w: %w", ErrRejected, err)
	case errors.As(err, &herr) && herr.StatusCode >= 400 && herr.StatusCode < 500:
		return fmt.Errorf("%w: %w", ErrRejected, err)
	default:
		return fmt.Errorf("%w: %w", ErrSendUnknown, err)
	}
}

// admissionErrors are the sequencer's refusals that travel by message over
// JSON-RPC.
var admissionErrors = []error{
	encmempool.ErrOversize, encmempool.ErrTxType, encmempool.ErrWrongChain, encmempool.ErrSender,
	encmempool.ErrMalformed, encmempool.ErrPlaintextDisabled, encmempool.ErrGasLimit, encmempool.ErrIntrinsicGas,
	encmempool.ErrTipAboveFeeCap, encmempool.ErrFeeCapTooLow, encmempool.ErrWrongEon, encmempool.ErrKnownTx,
	encmempool.ErrIdentitySeen, encmempool.ErrNonceTooLow, encmempool.ErrNonceGap, encmempool.ErrInsufficientFunds,
	encmempool.ErrState, encmempool.ErrPoolFull, encmempool.ErrClosed, encmempool.ErrStorage,
}

// admissionError maps a JSON-RPC error message back to encmempool's error:
// the one whose message is the longest prefix.
func admissionError(msg string) error {
	var best error
	for _, e := range admissionErrors {
		if strings.HasPrefix(msg, e.Error()) && (best == nil || len(e.Error()) > len(best.Error())) {
			best = e
		}
	}
	return best
}
