package l1

import (
	"math/big"
	"reflect"
	"testing"
	"time"
)

func TestMakePlan(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_000_000, 0)
	fresh, stale := now.Add(-time.Second), now.Add(-time.Hour)
	cfg := planConfig{MaxInFlight: 3, ResubmitAfter: time.Minute}
	sent := func(n, nonce uint64, at time.Time) slot { return slot{Number: n, Sent: true, Nonce: nonce, SentAt: at} }
	open := func(n uint64) slot { return slot{Number: n} }
	// Postings in parts: txs transactions each.
	sentTxs := func(n, nonce uint64, txs int, at time.Time) slot {
		return slot{Number: n, Txs: txs, Sent: true, Nonce: nonce, SentAt: at}
	}
	openTxs := func(n uint64, txs int) slot { return slot{Number: n, Txs: txs} }
	for _, c := range []struct {
		name  string
		slots []slot
		view  chainView
		want  plan
	}{
		{
			name: "nothing queued",
			view: chainView{LatestNext: 5, ConfirmedNext: 5, LatestNonce: 3, PendingNonce: 3},
			want: plan{},
		},
		{
			name:  "fresh postings are sent with consecutive nonces up to the window",
			slots: []slot{open(5), open(6), open(7), open(8)},
			view:  chainView{LatestNext: 5, ConfirmedNext: 5, LatestNonce: 3, PendingNonce: 3},
			want:  plan{Sends: []sendStep{{Number: 5, Nonce: 3}, {Number: 6, Nonce: 4}, {Number: 7, Nonce: 5}}},
		},
		{
			name:  "a fresh start takes the pending nonce",
			slots: []slot{open(5)},
			view:  chainView{LatestNext: 5, ConfirmedNext: 5, LatestNonce: 3, PendingNonce: 7},
			want:  plan{Sends: []sendStep{{Number: 5, Nonce: 7}}},
		},
		{
			name:  "in flight and fresh: nothing again, the next one after",
			slots: []slot{sent(5, 3, fresh), sent(6, 4, fresh), open(7)},
			view:  chainView{LatestNext: 5, ConfirmedNext: 5, LatestNonce: 3, PendingNonce: 5},
			want:  plan{Sends: []sendStep{{Number: 7, Nonce: 5}}},
		},
		{
			name:  "mined, confirmed and open",
			slots: []slot{sent(3, 1, fresh), sent(4, 2, fresh), sent(5, 3, fresh)},
			view:  chainView{LatestNext: 5, ConfirmedNext: 4, LatestNonce: 3, PendingNonce: 4},
			want:  plan{Confirmed: []uint64{3}},
		},
		{
			name:  "stuck transactions are bumped",
			slots: []slot{sent(5, 3, stale), sent(6, 4, fresh), sent(7, 5, stale)},
			view:  chainView{Now: now, LatestNext: 5, ConfirmedNext: 5, LatestNonce: 3, PendingNonce: 6},
			want:  plan{Sends: []sendStep{{Number: 5, Nonce: 3, Bump: true}, {Number: 7, Nonce: 5, Bump: true}}},
		},
		{
			name:  "a nonce used without posting its batch renumbers the rest",
			slots: []slot{sent(5, 3, fresh), sent(6, 4, fresh)},
			view:  chainView{Now: now, LatestNext: 5, ConfirmedNext: 5, LatestNonce: 4, PendingNonce: 5},
			want:  plan{Reset: true, Sends: []sendStep{{Number: 5, Nonce: 4}, {Number: 6, Nonce: 5}}},
		},
		{
			name:  "someone else posted the first: the second goes on",
			slots: []slot{sent(5, 3, fresh), sent(6, 4, fresh)},
			view:  chainView{Now: now, LatestNext: 6, ConfirmedNext: 5, LatestNonce: 3, PendingNonce: 5},
			want:  plan{},
		},
		{
			name:  "a nonce below the first that does not move is replaced",
			slots: []slot{sent(5, 4, stale)},
			view:  chainView{Now: now, LatestNext: 5, ConfirmedNext: 5, LatestNonce: 3, PendingNonce: 5},
			want:  plan{Reset: true, Sends: []sendStep{{Number: 5, Nonce: 3}}},
		},
		{
			name:  "a nonce below the first is waited for a while",
			slots: []slot{sent(5, 4, fresh)},
			view:  chainView{Now: now, LatestNext: 5, ConfirmedNext: 5, LatestNonce: 3, PendingNonce: 5},
			want:  plan{},
		},
		{
			name:  "a gap in the nonces renumbers",
			slots: []slot{sent(5, 3, fresh), sent(6, 5, fresh)},
			view:  chainView{Now: now, LatestNext: 5, ConfirmedNext: 5, LatestNonce: 3, PendingNonce: 6},
			want:  plan{Reset: true, Sends: []sendStep{{Number: 5, Nonce: 3}, {Number: 6, Nonce: 4}}},
		},
		{
			name:  "an attempt after an unsent posting renumbers",
			slots: []slot{open(5), sent(6, 3, fresh)},
			view:  chainView{Now: now, LatestNext: 5, ConfirmedNext: 5, LatestNonce: 3, PendingNonce: 4},
			want:  plan{Reset: true, Sends: []sendStep{{Number: 5, Nonce: 3}, {Number: 6, Nonce: 4}}},
		},
		{
			name:  "postings in parts take consecutive runs of nonces",
			slots: []slot{openTxs(5, 4), open(6), openTxs(7, 2)},
			view:  chainView{LatestNext: 5, ConfirmedNext: 5, LatestNonce: 3, PendingNonce: 3},
			want:  plan{Sends: []sendStep{{Number: 5, Nonce: 3}, {Number: 6, Nonce: 7}, {Number: 7, Nonce: 8}}},
		},
		{
			name:  "parts mined, final pending: in flight, the next after its final",
			slots: []slot{sentTxs(5, 3, 4, fresh), openTxs(6, 3)},
			view:  chainView{Now: now, LatestNext: 5, ConfirmedNext: 5, LatestNonce: 6, PendingNonce: 7},
			want:  plan{Sends: []sendStep{{Number: 6, Nonce: 7}}},
		},
		{
			name:  "parts mined, final stuck: bumped, not renumbered",
			slots: []slot{sentTxs(5, 3, 4, stale)},
			view:  chainView{Now: now, LatestNext: 5, ConfirmedNext: 5, LatestNonce: 5, PendingNonce: 7},
			want:  plan{Sends: []sendStep{{Number: 5, Nonce: 3, Bump: true}}},
		},
		{
			name:  "the final's nonce used without posting the batch renumbers",
			slots: []slot{sentTxs(5, 3, 4, fresh), sentTxs(6, 7, 2, fresh)},
			view:  chainView{Now: now, LatestNext: 5, ConfirmedNext: 5, LatestNonce: 7, PendingNonce: 9},
			want:  plan{Reset: true, Sends: []sendStep{{Number: 5, Nonce: 7}, {Number: 6, Nonce: 11}}},
		},
		{
			name:  "a gap after a posting in parts renumbers",
			slots: []slot{sentTxs(5, 3, 4, fresh), sent(6, 6, fresh)},
			view:  chainView{Now: now, LatestNext: 5, ConfirmedNext: 5, LatestNonce: 3, PendingNonce: 7},
			want:  plan{Reset: true, Sends: []sendStep{{Number: 5, Nonce: 3}, {Number: 6, Nonce: 7}}},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := c.view
			if v.Now.IsZero() {
				v.Now = now
			}
			if got := makePlan(c.slots, v, cfg); !reflect.DeepEqual(got, c.want) {
				t.Errorf("plan %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestBump(t *testing.T) {
	t.Parallel()
	for _, c := range [][2]int64{{0, 0}, {1, 2}, {8, 9}, {1000, 1125}, {1001, 1127}} {
		if got := bump(big.NewInt(c[0])); got.Int64() != c[1] {
			t.Errorf("bump(%d) = %d, want %d", c[0], got, c[1])
		}
	}
}
