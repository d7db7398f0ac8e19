package ordering

// Retention of the batch log (batches.db). Every executed batch is in the
// L2 chain, and the L1 feed (l1.Feed) copies each one into the poster's
// own database (poster.db) within a poll, 250 ms, of its execution; the
// log keeps a margin of executed batches beyond that:
//
//   - retainBatches executed batches below the executed one are kept, with
//     their keys messages and their transactions' order receipts
//     (veil_getOrderReceipt answers for them): about 17 minutes at one
//     batch a second. This is also how far the feed may fall behind
//     before the batch it needs is gone.
//   - Every batch not executed, the executed one and the last one are
//     always kept: restore reads them (the executed batch's eon, the next
//     number and parent, the batches to wait for keys again), and the
//     parent of an eon's first batch (publishParentKeys) is at or above
//     the executed one while that batch waits.
//   - The identities keyed by a batch are kept while their eon may be
//     asked about (store.prune): admission's IdentitySeen and the no-key
//     rule read them for the whole eon. Their batch-ids entries (40 bytes
//     an identity) stay with them, beside the eon's identity index, so a
//     lost or damaged index is rebuilt from the log whatever its age. A
//     keyper keeps no such copy beyond its retention window (keyper.Store):
//     one keyper that loses its index only withholds its own shares, which
//     the threshold tolerates, while the sequencer must answer for every
//     identity of the eon to admit any envelope and to mirror the keypers'
//     no-key rule.
const (
	retainBatches = 1024
	// pruneEvery: the log is pruned once every pruneEvery executed
	// batches, so one write transaction (one fsync) serves that many.
	pruneEvery = 16
)

// pruneBound is the number below which the log may be pruned once batch
// executed is executed: retainBatches below it (0, nothing, until then).
func pruneBound(executed uint64) uint64 {
	if executed <= retainBatches {
		return 0
	}
	return executed - retainBatches
}

// pruneLog prunes the batch log below pruneBound of the executed mark,
// once every pruneEvery executed batches, at most prunePerCall batches at
// a time (a backlog, such as a log written before pruning, shrinks by
// prunePerCall - pruneEvery batches a call). It is called from finish,
// after the executed mark is recorded and s.executed set. A failure is
// logged: nothing is lost, and the next call tries again.
func (s *Sequencer) pruneLog() {
	executed := s.executedBatch()
	if executed%pruneEvery != 0 {
		return
	}
	below := pruneBound(executed)
	if below == 0 {
		return
	}
	p, err := s.store.prune(below)
	if err != nil {
		s.log.Warn("pruning the batch log failed", "below", below, "err", err)
		return
	}
	if p.Batches > 0 || p.Identities > 0 {
		s.log.Debug("pruned the batch log", "below", below, "batches", p.Batches, "receipts", p.Receipts, "identities", p.Identities)
	}
}
