package l1

import "time"

// The poster's planning core: from the queued postings and one consistent
// reading of L1 it decides which postings are confirmed and which
// transactions to send. It does no I/O; Poster.step is its driver.

// slot is the planner's view of one queued posting.
type slot struct {
	Number uint64
	// Sent: a transaction for it is in flight, with Nonce, last sent at
	// SentAt.
	Sent   bool
	Nonce  uint64
	SentAt time.Time
}

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

// sendStep is one transaction to sign and send: the posting of Number with
// Nonce. Bump resends the posting's own transaction with higher fees; a
// new one is priced above whatever was last sent with that nonce too.
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
//  2. The open postings in flight must be a prefix of the open ones with
//     consecutive nonces, none below LatestNonce. Otherwise a nonce was
//     used without posting its batch (the transaction reverted, or
//     another transaction of the account took it) and the plan resets:
//     the open postings are renumbered from LatestNonce, each replacing
//     whatever was sent with its nonce. It resets too when the first open
//     posting's nonce is above LatestNonce and it waited ResubmitAfter: a
//     transaction of the account below it does not move.
//  3. Of the first MaxInFlight open postings, one in flight for
//     ResubmitAfter is sent again with bumped fees; one not in flight is
//     sent with the next nonce: after its predecessor's, or for the first
//     open posting the pending nonce (LatestNonce after a reset).
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
			next = s.Nonce + 1
			continue
		}
		if i == 0 {
			next = v.LatestNonce
			if !p.Reset {
				next = max(v.LatestNonce, v.PendingNonce)
			}
		}
		p.Sends = append(p.Sends, sendStep{Number: s.Number, Nonce: next})
		next++
	}
	return p
}

// consistent: the sent slots are a prefix with consecutive nonces, none
// below latestNonce.
func consistent(open []slot, latestNonce uint64) bool {
	prefix := true
	for i, s := range open {
		if !s.Sent {
			prefix = false
			continue
		}
		if !prefix || s.Nonce < latestNonce || (i > 0 && s.Nonce != open[i-1].Nonce+1) {
			return false
		}
	}
	return true
}
