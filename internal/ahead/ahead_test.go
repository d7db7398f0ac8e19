package ahead

import (
	"testing"
	"time"
)

func TestCapacityTakeAndAge(t *testing.T) {
	c := New[int, string](2, 3)
	if !c.Put(1, "a") || !c.Put(2, "b") {
		t.Fatal("put below capacity refused")
	}
	if c.Put(3, "c") || c.Has(3) || !c.Full() {
		t.Fatal("put beyond capacity accepted")
	}
	if !c.Put(1, "other") {
		t.Fatal("a key already held reported missing")
	}
	if v, ok := c.Take(1); !ok || v != "a" {
		t.Fatalf("take 1: %q %v", v, ok)
	}
	if _, ok := c.Take(1); ok || c.Len() != 1 {
		t.Fatal("a value was taken twice")
	}
	c.Tick()
	c.Put(4, "d") // one batch younger than 2
	for range 2 {
		c.Tick()
	}
	if c.Len() != 2 {
		t.Fatalf("%d held before any went stale, want 2", c.Len())
	}
	c.Tick() // 2 is now 4 batches old
	if c.Has(2) || !c.Has(4) {
		t.Fatal("ageing dropped the wrong value")
	}
	c.Tick()
	if c.Len() != 0 {
		t.Fatalf("%d stale values held", c.Len())
	}
}

func TestOrderCompacts(t *testing.T) {
	c := New[int, int](1000, 1<<40)
	for round := range 50 {
		for i := range 100 {
			c.Put(round*100+i, i)
		}
		for i := range 100 {
			c.Take(round*100 + i)
		}
		c.Tick()
	}
	if len(c.order) > 64 {
		t.Fatalf("order of %d entries for %d values", len(c.order), c.Len())
	}
}

func TestWaitBlocksWhileCritical(t *testing.T) {
	Wait() // nothing critical: returns at once
	done1, done2 := Critical(), Critical()
	waited := make(chan struct{})
	go func() { Wait(); close(waited) }()
	done1()
	done1() // a second call changes nothing
	select {
	case <-waited:
		t.Fatal("Wait returned while critical work ran")
	case <-time.After(50 * time.Millisecond):
	}
	done2()
	select {
	case <-waited:
	case <-time.After(10 * time.Second):
		t.Fatal("Wait did not return after the critical work ended")
	}
}
