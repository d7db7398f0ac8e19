package ordering

import (
	"context"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/veil-l2/veil/encmempool"
)

// API is the sequencer's veil_ JSON-RPC namespace, served next to eth_.
type API struct{ s *Sequencer }

// GetOrderReceipt returns the sequencer-signed order receipt of an
// admitted transaction (veil_getOrderReceipt).
func (a *API) GetOrderReceipt(hash common.Hash) (*encmempool.Receipt, error) {
	return a.s.Receipt(hash)
}

// EonInfo describes the key envelopes are encrypted to now.
type EonInfo struct {
	ChainID   hexutil.Uint64 `json:"chainId"`
	Eon       hexutil.Uint64 `json:"eon"`
	Key       hexutil.Bytes  `json:"key"`
	Threshold hexutil.Uint64 `json:"threshold"`
	Keypers   hexutil.Uint64 `json:"keypers"`
	Sequencer common.Address `json:"sequencer"`
}

// Eon returns the eon envelopes are admitted for now and its public key
// (veil_eon): the current eon, or the next one once the switch has begun.
// Clients that can check it against L1 should.
func (a *API) Eon() EonInfo {
	a.s.admitMu.RLock()
	n := a.s.admitEon
	a.s.admitMu.RUnlock()
	e := a.s.eonAt(n)
	if e == nil || !e.Ready() {
		a.s.mu.Lock()
		e = a.s.eonAt(a.s.cur)
		a.s.mu.Unlock()
	}
	c := e.Committee
	return EonInfo{ChainID: hexutil.Uint64(c.ChainID), Eon: hexutil.Uint64(c.Eon), Key: e.EonKey.Bytes(),
		Threshold: hexutil.Uint64(c.Threshold), Keypers: hexutil.Uint64(len(c.Members)), Sequencer: a.s.address}
}

// OrderReceipts streams the order receipt of every transaction admitted
// from now on (veil_subscribe("orderReceipts")). A subscriber that falls
// far behind loses receipts, never the sequencer's pace: it can fetch any
// receipt with veil_getOrderReceipt.
func (a *API) OrderReceipts(ctx context.Context) (*rpc.Subscription, error) {
	notifier, ok := rpc.NotifierFromContext(ctx)
	if !ok {
		return nil, rpc.ErrNotificationsUnsupported
	}
	sub := notifier.CreateSubscription()
	ch := a.s.subs.subscribe()
	go func() {
		defer a.s.subs.unsubscribe(ch)
		for {
			select {
			case r := <-ch:
				if err := notifier.Notify(sub.ID, r); err != nil {
					return
				}
			case <-sub.Err():
				return
			}
		}
	}()
	return sub, nil
}

// receiptFeed fans admitted receipts out to subscribers without blocking
// admission.
type receiptFeed struct {
	mu   sync.Mutex
	subs map[chan *encmempool.Receipt]struct{}
}

func newReceiptFeed() *receiptFeed {
	return &receiptFeed{subs: map[chan *encmempool.Receipt]struct{}{}}
}

func (f *receiptFeed) subscribe() chan *encmempool.Receipt {
	ch := make(chan *encmempool.Receipt, 1024)
	f.mu.Lock()
	f.subs[ch] = struct{}{}
	f.mu.Unlock()
	return ch
}

func (f *receiptFeed) unsubscribe(ch chan *encmempool.Receipt) {
	f.mu.Lock()
	delete(f.subs, ch)
	f.mu.Unlock()
}

func (f *receiptFeed) send(r *encmempool.Receipt) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for ch := range f.subs {
		select {
		case ch <- r:
		default:
		}
	}
}
