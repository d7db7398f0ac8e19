package keyper

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"sync"

	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/internal/ahead"
)

// TopicPending carries the sequencer's pending announcements
// (PendingMessage): envelopes it admitted and has not committed yet. A
// keyper computes its shares for them ahead of the commitment, so that
// when the commitment comes only the decision and the record stand
// between it and the shares. Precomputed shares stay in memory and leave
// the process only through a release, exactly as shares computed at the
// commitment would: an announcement decides nothing and is never
// answered. Identities are derived from the envelopes, as always, never
// taken from the announcement.
const TopicPending = "pending"

// ErrPendingMessage reports a malformed pending announcement.
var ErrPendingMessage = errors.New("keyper: invalid pending announcement")

// MaxPendingTxs bounds the envelopes of one pending announcement.
const MaxPendingTxs = 1024

// PendingMessage is the sequencer's announcement of admitted envelopes,
// each in its binary transaction encoding. It is signed on gossip by the
// sequencer's key like every sequencer message.
type PendingMessage struct {
	Txs [][]byte
}

// Encode returns the wire form.
func (m *PendingMessage) Encode() ([]byte, error) { return rlp.EncodeToBytes(m) }

// DecodePendingMessage parses an announcement strictly.
func DecodePendingMessage(raw []byte) (*PendingMessage, error) {
	var m PendingMessage
	if err := rlp.DecodeBytes(raw, &m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPendingMessage, err)
	}
	if len(m.Txs) == 0 || len(m.Txs) > MaxPendingTxs {
		return nil, fmt.Errorf("%w: %d transactions", ErrPendingMessage, len(m.Txs))
	}
	return &m, nil
}

// precomputeQueue bounds the announcements waiting to be worked on; more
// are dropped (their shares are computed at the commitment instead).
const precomputeQueue = 64

// precomputed holds this keyper's shares computed ahead of commitments,
// by identity (ahead.Cache: a release takes the shares it uses; at most
// precomputeMax are kept, and a share unused for staleReleases releases,
// as for an envelope announced and never committed, is dropped).
type precomputed struct {
	secret *tpke.SecretShare
	cache  *tpke.PointCache
	cfg    ReleaseConfig
	signer types.Signer
	in     chan *PendingMessage
	shares *ahead.Cache[tpke.Identity, []byte]

	metrics *precomputeMetrics
}

// staleReleases is how many releases an unused precomputed share is kept.
const staleReleases = 64

// precomputeMax is how many precomputed shares a keyper keeps: four full
// batches, and at least 4096 (about 0.5 MiB).
func precomputeMax(cfg ReleaseConfig) int { return max(4*cfg.MaxTxs, 4096) }

type precomputeMetrics struct {
	computed *prometheus.CounterVec // by outcome
	used     *prometheus.CounterVec // shares at release, by source
	dropped  prometheus.Counter
}

func newPrecomputeMetrics() *precomputeMetrics {
	return &precomputeMetrics{
		computed: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "veil", Subsystem: "keyper", Name: "pending_envelopes_total",
			Help: "Announced pending envelopes, by outcome (precomputed; not_keyed: not an envelope of this eon and inbox; malformed: the announcement or transaction did not decode; full: the precomputed shares were at their cap)."},
			[]string{"outcome"}),
		used: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "veil", Subsystem: "keyper", Name: "release_shares_total",
			Help: "Shares sent in releases, by source (precomputed from an announcement, or computed at the commitment)."},
			[]string{"source"}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "veil", Subsystem: "keyper", Name: "pending_dropped_total",
			Help: "Pending announcements dropped because the precomputation queue was full."}),
	}
}

func (m *precomputeMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.computed, m.used, m.dropped}
}

func newPrecomputed(secret *tpke.SecretShare, cache *tpke.PointCache, cfg ReleaseConfig, max int, m *precomputeMetrics) *precomputed {
	if cfg.Limits.MaxCiphertext == 0 {
		cfg.Limits = encmempool.DefaultLimits
	}
	return &precomputed{secret: secret, cache: cache, cfg: cfg, metrics: m,
		signer: types.LatestSignerForChainID(new(big.Int).SetUint64(cfg.ChainID)),
		in:     make(chan *PendingMessage, precomputeQueue), shares: ahead.New[tpke.Identity, []byte](max, staleReleases)}
}

// offer queues an announcement's payload without blocking.
func (p *precomputed) offer(payload []byte) {
	m, err := DecodePendingMessage(payload)
	if err != nil {
		p.metrics.computed.WithLabelValues("malformed").Inc()
		return
	}
	select {
	case p.in <- m:
	default:
		p.metrics.dropped.Inc()
	}
}

// run works through queued announcements until ctx ends. One goroutine:
// the precomputation uses at most one core, leaving the others to the
// release path.
func (p *precomputed) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case m := <-p.in:
			for _, raw := range m.Txs {
				if ctx.Err() != nil {
					return
				}
				ahead.Wait()
				p.metrics.computed.WithLabelValues(p.precompute(raw)).Inc()
			}
		}
	}
}

// precompute computes the share of one announced envelope. Decoding the
// envelope also recovers its payer into the process-wide sender cache, so
// the commitment's classification does not recover it again.
func (p *precomputed) precompute(raw []byte) string {
	var tx types.Transaction
	if err := tx.UnmarshalBinary(raw); err != nil {
		return "malformed"
	}
	env, err := encmempool.DecodeEnvelope(&tx, p.signer, p.cfg.Inbox, p.cfg.Limits)
	if err != nil || env.Eon != p.cfg.Eon {
		return "not_keyed"
	}
	switch {
	case p.shares.Has(env.Identity):
		return "precomputed"
	case p.shares.Full():
		return "full"
	}
	if !p.shares.Put(env.Identity, p.secret.KeyShare(p.cache.Point(env.Identity)).Bytes()) {
		return "full"
	}
	return "precomputed"
}

// releaseShares computes a release's shares on all cores, taking the
// precomputed ones; it also returns how many were precomputed.
func (p *precomputed) releaseShares(r *Release) (out []byte, precomputed int) {
	out, pre := shares(p.secret, p.cache, r, p.shares.Take)
	p.shares.Tick()
	p.metrics.used.WithLabelValues("precomputed").Add(float64(pre))
	p.metrics.used.WithLabelValues("at_commitment").Add(float64(len(out)/tpke.G1Size - pre))
	return out, pre
}

// joinPending subscribes to the sequencer's announcements for the node's
// eon and starts the precomputation; the returned function stops both.
func (n *Node) joinPending(ctx context.Context) (func(), error) {
	t, err := n.cfg.P2P.Join(TopicPending, SequencerValidator{Sequencer: n.cfg.Committee.Sequencer, Eon: n.cfg.Release.Eon})
	if err != nil {
		return nil, err
	}
	msgs, cancel, err := t.Subscribe()
	if err != nil {
		return nil, err
	}
	ctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		n.pre.run(ctx)
	}()
	go func() {
		defer wg.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case r, ok := <-msgs:
				if !ok {
					return
				}
				n.heard()
				n.pre.offer(r.Message.Payload)
			}
		}
	}()
	return func() {
		stop()
		cancel()
		wg.Wait()
	}, nil
}
