package client

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestTurns: tickets are served in the order taken, and an abandoned
// ticket (released before its turn, or cancelled while waiting) is
// skipped.
func TestTurns(t *testing.T) {
	q := turns{abandoned: map[uint64]bool{}}
	t0, t1, t2, t3 := q.take(), q.take(), q.take(), q.take()
	if err := q.wait(context.Background(), t0); err != nil {
		t.Fatal(err)
	}
	served := make(chan uint64, 2)
	go func() {
		if q.wait(context.Background(), t3) == nil {
			served <- t3
			q.release(t3)
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	cancelled := make(chan error, 1)
	go func() {
		err := q.wait(ctx, t2)
		q.release(t2)
		cancelled <- err
	}()
	q.release(t1) // gives up before its turn
	cancel()
	if err := <-cancelled; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled wait: %v", err)
	}
	select {
	case <-served:
		t.Fatal("ticket 3 served before ticket 0 was released")
	case <-time.After(20 * time.Millisecond):
	}
	q.release(t0)
	select {
	case got := <-served:
		if got != t3 {
			t.Fatalf("served %d", got)
		}
	case <-time.After(time.Second):
		t.Fatal("ticket 3 not served after 0 was released and 1, 2 abandoned")
	}
	if t4 := q.take(); q.wait(context.Background(), t4) != nil {
		t.Fatal("a fresh ticket is not served at once")
	}
}
