package l1

import "time"

// The poster's planning core: from the queued postings and one consistent
// reading of L1 it decides which postings are confirmed and which
// transactions to send. It does no I/O; Poster.step is its driver.

// slot is the planner's view of one queued posting.
type slot struct {
	Number uint64
	// Txs is how many transactions the posting takes (its data parts and
	// the final submitBatch), with consecutive nonces; 0 counts as 1.
	Txs int
	// Sent: its transactions are in flight, with nonces from Nonce, last
	// sent at SentAt.
	Sent   bool
	Nonce  uint64
	SentAt time.Time
}

// end is the nonce after the slot's last transaction.
func (s slot) end() uint64 { return s.Nonce + uint64(max(s.Txs, 1)) }

// chainView is one reading of L1, every value at the same head block but
// PendingNonce.
type chainView struct {
	Now time.Time
	// LatestNext is BatchInbox.nextNumber at the head; ConfirmedNext the
	// same Confirmations blocks below it.
	LatestNext    uint64
	ConfirmedNext uint64
	// LatestNonce is the poster account's nonce at the head: every nonce
	// below it is used by a mined transaction. PendingNonce counts the
	// node's pool too.
	LatestNonce  uint64
	PendingNonce uint64
}

type planConfig struct {
	MaxInFlight   int
	ResubmitAfter time.Duration
}

// sendStep is one posting to sign and send: the transactions of Number
// with nonces from Nonce. Bump resends the posting's own transactions with
// higher fees; new ones are priced above whatever was last sent with their
// nonces too.
type sendStep struct {
	Number, Nonce uint64
	Bump          bool
}

type plan struct {
	// Confirmed are the numbers posted at least Confirmations deep.
	Confirmed []uint64
	// Reset: forget every attempt of the postings not on chain before
	// sending (their nonces are renumbered from LatestNonce).
	Reset bool
	Sends []sendStep
}

// makePlan decides, for slots in increasing number order:
//
//  1. A posting below ConfirmedNext is confirmed; one below LatestNext is
//     on chain, waiting for its confirmations; the rest are open.
//  2. A posting takes Txs consecutive nonces (its parts, then its final
//     submitBatch). The open postings in flight must be a prefix of the
//     open ones with consecutive nonces, none with its final nonce below
//     LatestNonce (its parts may be mined). Otherwise a nonce was used
//     without posting its batch (the transaction reverted, or another
//     transaction of the account took it) and the plan resets: the open
//     postings are renumbered from LatestNonce, each replacing whatever
//     was sent with its nonces. It resets too when the first open
//     posting's first nonce is above LatestNonce and it waited
//     ResubmitAfter: a transaction of the account below it does not move.
//  3. Of the first MaxInFlight open postings, one in flight for
//     ResubmitAfter is sent again with bumped fees; one not in flight is
//     sent with the next nonces: after its predecessor's, or for the first
//     open posting from the pending nonce (LatestNonce after a reset).
func makePlan(slots []slot, v chainView, cfg planConfig) plan {
	var p plan
	var open []slot
	for _, s := range slots {
		switch {
		case s.Number < v.ConfirmedNext:
			p.Confirmed = append(p.Confirmed, s.Number)
		case s.Number < v.LatestNext:
		default:
			open = append(open, s)
		}
	}
	if len(open) == 0 {
		return p
	}
	p.Reset = !consistent(open, v.LatestNonce) ||
		(open[0].Sent && open[0].Nonce > v.LatestNonce && v.Now.Sub(open[0].SentAt) >= cfg.ResubmitAfter)
	var next uint64
	for i, s := range open[:min(len(open), cfg.MaxInFlight)] {
		if s.Sent && !p.Reset {
			if v.Now.Sub(s.SentAt) >= cfg.ResubmitAfter {
				p.Sends = append(p.Sends, sendStep{Number: s.Number, Nonce: s.Nonce, Bump: true})
			}
			next = s.end()
			continue
		}
		if i == 0 {
			next = v.LatestNonce
			if !p.Reset {
				next = max(v.LatestNonce, v.PendingNonce)
			}
		}
		p.Sends = append(p.Sends, sendStep{Number: s.Number, Nonce: next})
		next += uint64(max(s.Txs, 1))
	}
	return p
}

// consistent: the sent slots are a prefix with consecutive nonces, none
// whose final transaction's nonce is below latestNonce.
func consistent(open []slot, latestNonce uint64) bool {
	prefix := true
	for i, s := range open {
		if !s.Sent {
			prefix = false
			continue
		}
		if !prefix || s.end() <= latestNonce || (i > 0 && s.Nonce != open[i-1].end()) {
			return false
		}
	}
	return true
}
