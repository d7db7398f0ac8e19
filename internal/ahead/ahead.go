// Package ahead keeps work done ahead of need: values computed for items
// announced or admitted before the batch that uses them, taken out when the
// batch comes. It is bounded twice: by count (Put refuses beyond its
// capacity: the oldest items are the next used, so they are the ones
// worth keeping) and by age (a value unused for a number of batches, as
// for an item that was never committed, is dropped).
package ahead

import "sync"

// Cache maps keys to values computed ahead. Safe for concurrent use.
type Cache[K comparable, V any] struct {
	mu    sync.Mutex
	m     map[K]V
	order []stamped[K] // insertion order, for ageing out
	max   int
	stale uint64
	gen   uint64 // batches so far (Tick)
}

type stamped[K comparable] struct {
	key K
	gen uint64
}

// New returns a cache of at most max values, each dropped once stale
// batches have passed since it was put.
func New[K comparable, V any](max int, stale uint64) *Cache[K, V] {
	return &Cache[K, V]{m: map[K]V{}, max: max, stale: stale}
}

// Has reports whether k has a value.
func (c *Cache[K, V]) Has(k K) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.m[k]
	return ok
}

// Full reports whether the cache holds its maximum.
func (c *Cache[K, V]) Full() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m) >= c.max
}

// Put stores v for k unless the cache is full; it reports whether k now
// has a value (an existing value is kept).
func (c *Cache[K, V]) Put(k K, v V) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; ok {
		return true
	}
	if len(c.m) >= c.max {
		return false
	}
	c.m[k] = v
	c.order = append(c.order, stamped[K]{k, c.gen})
	return true
}

// Take returns and forgets the value of k.
func (c *Cache[K, V]) Take(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	if ok {
		delete(c.m, k)
	}
	return v, ok
}

// Len is the number of values held.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// Tick counts a batch and drops the values gone stale.
func (c *Cache[K, V]) Tick() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for len(c.order) > 0 && c.order[0].gen+c.stale < c.gen {
		delete(c.m, c.order[0].key)
		c.order = c.order[1:]
	}
	// Most of the order names values already taken: compact it.
	if len(c.order) > 2*len(c.m)+64 {
		live := make([]stamped[K], 0, len(c.m))
		for _, e := range c.order {
			if _, ok := c.m[e.key]; ok {
				live = append(live, e)
			}
		}
		c.order = live
	}
}

// Work ahead runs beside latency-critical work on the same cores (a
// sequencer's decryption, a keyper's release) and must not slow it down:
// Go has no thread priorities, so the critical paths of a process say
// when they run (Critical) and background work waits for them between
// items (Wait). A process-wide gate: components of one process (the
// devnet's keypers and sequencer) share it, as they share the cores.
var gate struct {
	mu       sync.Mutex
	active   int
	released *sync.Cond
}

func init() { gate.released = sync.NewCond(&gate.mu) }

// Critical marks latency-critical work as running until the returned
// function is called.
func Critical() (done func()) {
	gate.mu.Lock()
	gate.active++
	gate.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			gate.mu.Lock()
			gate.active--
			if gate.active == 0 {
				gate.released.Broadcast()
			}
			gate.mu.Unlock()
		})
	}
}

// Wait blocks while critical work runs in the process.
func Wait() {
	gate.mu.Lock()
	for gate.active > 0 {
		gate.released.Wait()
	}
	gate.mu.Unlock()
}
