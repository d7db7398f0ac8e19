package client

// SetCachedEon makes the client's cached eon number eon, as if the
// sequencer had moved on since it was fetched.
func SetCachedEon(c *Client, eon uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := *c.eon
	e.Eon = eon
	c.eon = &e
}
