package client

import (
	"context"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/veil-l2/veil/encmempool/tpke"
)

// EonInfo is the eon envelopes are encrypted to now, as veil_eon announces
// it, with the key parsed.
type EonInfo struct {
	ChainID   uint64
	Eon       uint64
	Key       *tpke.EonPublicKey
	Threshold uint64
	Keypers   uint64
	// Sequencer signs order receipts.
	Sequencer common.Address
}

// eonJSON is veil_eon's answer (ordering.EonInfo; not imported, so a
// wallet does not link the sequencer).
type eonJSON struct {
	ChainID   *hexutil.Uint64 `json:"chainId"`
	Eon       *hexutil.Uint64 `json:"eon"`
	Key       hexutil.Bytes   `json:"key"`
	Threshold hexutil.Uint64  `json:"threshold"`
	Keypers   hexutil.Uint64  `json:"keypers"`
	Sequencer *common.Address `json:"sequencer"`
}

// Eon returns the current eon: the cached one, fetched with veil_eon (and
// checked against L1 when an EonKeySource is set) on first use.
func (c *Client) Eon(ctx context.Context) (*EonInfo, error) {
	c.mu.Lock()
	e := c.eon
	c.mu.Unlock()
	if e != nil {
		return e, nil
	}
	return c.refreshEon(ctx, nil)
}

// RefreshEon fetches the current eon again. Send does it by itself when
// the sequencer answers that an envelope is for another eon.
func (c *Client) RefreshEon(ctx context.Context) (*EonInfo, error) {
	return c.refreshEon(ctx, nil)
}

// refreshEon fetches veil_eon unless the cache already moved past stale
// (a concurrent caller refreshed it meanwhile).
func (c *Client) refreshEon(ctx context.Context, stale *EonInfo) (*EonInfo, error) {
	c.eonMu.Lock()
	defer c.eonMu.Unlock()
	c.mu.Lock()
	cur := c.eon
	c.mu.Unlock()
	if cur != nil && stale != nil && cur != stale {
		return cur, nil
	}
	var j eonJSON
	if err := c.rpc.CallContext(ctx, &j, "veil_eon"); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEonInfo, err)
	}
	if j.ChainID == nil || j.Eon == nil || j.Sequencer == nil {
		return nil, fmt.Errorf("%w: missing field", ErrEonInfo)
	}
	key, err := tpke.ParseEonPublicKey(j.Key)
	if err != nil {
		return nil, fmt.Errorf("%w: key: %w", ErrEonInfo, err)
	}
	e := &EonInfo{ChainID: uint64(*j.ChainID), Eon: uint64(*j.Eon), Key: key, Threshold: uint64(j.Threshold),
		Keypers: uint64(j.Keypers), Sequencer: *j.Sequencer}
	if c.sequencer != nil && *c.sequencer != e.Sequencer {
		return nil, fmt.Errorf("%w: veil_eon names %s, expected %s", ErrSequencerMismatch, e.Sequencer, *c.sequencer)
	}
	if err := c.checkEonKey(ctx, e); err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.eon = e
	c.mu.Unlock()
	if cur != nil {
		c.log.Info("eon refreshed", "eon", e.Eon, "previous", cur.Eon)
	}
	return e, nil
}

// checkEonKey compares the announced key with L1's, when a source is set.
func (c *Client) checkEonKey(ctx context.Context, e *EonInfo) error {
	if c.source == nil {
		return nil
	}
	raw, err := c.source.EonKey(ctx, e.Eon)
	if err != nil {
		return fmt.Errorf("%w: eon %d: %w", ErrEonKeySource, e.Eon, err)
	}
	l1, err := tpke.ParseEonPublicKey(raw)
	if err != nil {
		return fmt.Errorf("%w: eon %d: key from L1: %w", ErrEonKeySource, e.Eon, err)
	}
	if !l1.Equal(e.Key) {
		return fmt.Errorf("%w: eon %d", ErrEonKeyMismatch, e.Eon)
	}
	return nil
}
