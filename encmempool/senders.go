package encmempool

import (
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// senderCache remembers recovered payers by transaction hash, process-wide.
// A transaction's hash covers its signature, so the hash fixes the sender;
// the cache only saves the recovery (about 90 us) when several components
// of one process parse the same envelope from separate decodings: the
// sequencer and in-process keypers, each decoding the gossiped batch.
type senderCache struct {
	mu        sync.Mutex
	cur, prev map[senderKey]common.Address
	max       int
}

type senderKey struct {
	hash    common.Hash
	chainID uint64
}

var senders = &senderCache{cur: map[senderKey]common.Address{}, max: 1 << 16}

func (c *senderCache) get(k senderKey) (common.Address, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if a, ok := c.cur[k]; ok {
		return a, true
	}
	a, ok := c.prev[k]
	return a, ok
}

// put keeps two generations of at most max entries each.
func (c *senderCache) put(k senderKey, a common.Address) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.cur) >= c.max {
		c.prev, c.cur = c.cur, make(map[senderKey]common.Address, c.max)
	}
	c.cur[k] = a
}

// sender recovers tx's sender through the process-wide cache.
func sender(signer types.Signer, tx *types.Transaction) (common.Address, error) {
	k := senderKey{hash: tx.Hash(), chainID: signer.ChainID().Uint64()}
	if a, ok := senders.get(k); ok {
		return a, nil
	}
	a, err := types.Sender(signer, tx)
	if err == nil {
		senders.put(k, a)
	}
	return a, err
}
