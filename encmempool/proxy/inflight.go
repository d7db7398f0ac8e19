package proxy

import (
	"cmp"
	"math/big"
	"slices"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// inflight holds the inner transactions this proxy sent that have neither
// executed nor been dropped, per sender and nonce. It is a plain value: no
// locks, no I/O, the time comes in as an argument. The proxy's driver
// observes the chain and hands the observation to settle.
type inflight struct {
	senders map[common.Address]map[uint64]*sent
}

// sent is one inner transaction in flight. The signed transaction stays in
// this process's memory only (eth_getTransactionByHash answers with it
// while it is pending); it is never logged.
type sent struct {
	tx       *types.Transaction
	envelope common.Hash
	at       time.Time
}

// observation is what the driver read from the sequencer about a sender's
// transactions in flight.
type observation struct {
	// latest is the sender's nonce in the latest block: every transaction
	// with a lower nonce is done.
	latest uint64
	// executed holds inner hashes that have an execution receipt.
	executed map[common.Hash]bool
	// dropped holds inner hashes whose envelope executed without them.
	dropped map[common.Hash]bool
}

// settled counts what settle forgot.
type settled struct {
	executed, dropped, expired int
}

func newInflight() *inflight {
	return &inflight{senders: map[common.Address]map[uint64]*sent{}}
}

// add records tx (nonce tx.Nonce()) as sent by sender in envelope.
func (f *inflight) add(sender common.Address, tx *types.Transaction, envelope common.Hash, now time.Time) {
	m := f.senders[sender]
	if m == nil {
		m = map[uint64]*sent{}
		f.senders[sender] = m
	}
	m[tx.Nonce()] = &sent{tx: tx, envelope: envelope, at: now}
}

// get returns the transaction in flight with sender's nonce, or nil.
func (f *inflight) get(sender common.Address, nonce uint64) *sent {
	return f.senders[sender][nonce]
}

// next returns one past the highest nonce sender has in flight, and false
// when it has none.
func (f *inflight) next(sender common.Address) (uint64, bool) {
	m := f.senders[sender]
	if len(m) == 0 {
		return 0, false
	}
	var hi uint64
	for n := range m {
		hi = max(hi, n)
	}
	return hi + 1, true
}

// list returns sender's transactions in flight in nonce order.
func (f *inflight) list(sender common.Address) []*sent {
	m := f.senders[sender]
	out := make([]*sent, 0, len(m))
	for _, s := range m {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b *sent) int { return cmp.Compare(a.tx.Nonce(), b.tx.Nonce()) })
	return out
}

// cost is what sender's transactions in flight may spend at most: the sum
// of gas × fee cap + value.
func (f *inflight) cost(sender common.Address) *big.Int {
	sum := new(big.Int)
	for _, s := range f.senders[sender] {
		sum.Add(sum, s.tx.Cost())
	}
	return sum
}

// byHash finds an inner transaction in flight by its hash.
func (f *inflight) byHash(hash common.Hash) (*sent, common.Address, bool) {
	for sender, m := range f.senders {
		for _, s := range m {
			if s.tx.Hash() == hash {
				return s, sender, true
			}
		}
	}
	return nil, common.Address{}, false
}

// size is the number of transactions in flight.
func (f *inflight) size() int {
	n := 0
	for _, m := range f.senders {
		n += len(m)
	}
	return n
}

// settle forgets sender's transactions that are done according to obs:
//  1. a nonce below obs.latest, or an execution receipt: executed (or its
//     nonce was used by another transaction: it can never execute);
//  2. dropped (its envelope executed without it); then every transaction
//     of the sender with a higher nonce is doomed too, since this proxy
//     sends a sender's nonces in order, so their envelopes come later and
//     meet the nonce gap at their slots;
//  3. sent longer than ttl ago (ttl > 0) without either: expired, a
//     safety net for an envelope the sequencer lost.
func (f *inflight) settle(sender common.Address, obs observation, now time.Time, ttl time.Duration) settled {
	var out settled
	m := f.senders[sender]
	var doomedAbove *uint64
	for n, s := range m {
		h := s.tx.Hash()
		switch {
		case n < obs.latest || obs.executed[h]:
			delete(m, n)
			out.executed++
		case obs.dropped[h]:
			delete(m, n)
			out.dropped++
			if doomedAbove == nil || n < *doomedAbove {
				doomedAbove = &n
			}
		}
	}
	for n, s := range m {
		switch {
		case doomedAbove != nil && n > *doomedAbove:
			delete(m, n)
			out.dropped++
		case ttl > 0 && now.Sub(s.at) > ttl:
			delete(m, n)
			out.expired++
		}
	}
	if len(m) == 0 {
		delete(f.senders, sender)
	}
	return out
}
