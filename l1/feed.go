package l1

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/veil-l2/veil/ordering"
)

// Executed is what Feed reads from the sequencer (ordering.Sequencer
// implements it): the highest executed batch and each executed batch with
// its block hash and state root.
type Executed interface {
	Executed() uint64
	ExecutedBatch(number uint64) (*ordering.ExecutedBatch, error)
}

// Feed enqueues every executed batch to the poster, in number order, from
// the poster's Next() on: after a restart it carries on where the
// poster's queue ends, so no batch is skipped and none is queued twice. A
// poster whose database is new or lost starts at batch 1: batches L1
// already has are compared with it, and those the sequencer's log no
// longer holds (it keeps a window of executed batches) are skipped up to
// L1's next number. It
// polls src every poll (250 ms when 0) until ctx ends, and returns the
// error of an Enqueue that cannot succeed later (the poster stopped on a
// fatal error, or a conflict). Transient errors are logged and retried.
func Feed(ctx context.Context, p *Poster, src Executed, c Compression, poll time.Duration, log *slog.Logger) error {
	if poll <= 0 {
		poll = 250 * time.Millisecond
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		for n := p.Next(); n <= src.Executed(); n = max(n+1, p.Next()) {
			eb, err := src.ExecutedBatch(n)
			if err != nil {
				next, lerr := p.L1Next(ctx)
				if lerr == nil && n < next {
					log.Info("skipping batches L1 already has that the sequencer's log no longer holds", "from", n, "to", next)
					n = next - 1 // the loop's step takes it to next
					continue
				}
				return fmt.Errorf("l1: reading executed batch %d to post: %w", n, err)
			}
			post, err := NewPosting(eb.Batch, eb.Keys, eb.BlockHash, eb.StateRoot, c)
			if err != nil {
				return fmt.Errorf("l1: posting of batch %d: %w", n, err)
			}
			if err := p.Enqueue(ctx, post); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				if isFatal(err) {
					return err
				}
				log.Warn("enqueueing a batch to post failed; trying again", "batch", n, "err", err)
				break
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
