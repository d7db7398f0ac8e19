package devnet

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/veil-l2/veil/internal/p2p"
	"github.com/veil-l2/veil/keyper"
	"github.com/veil-l2/veil/l1"
	"github.com/veil-l2/veil/ordering"
)

// keyperProc is one running keyper.
type keyperProc struct {
	store  *keyper.Store
	host   *p2p.Node
	cancel context.CancelFunc
	done   chan struct{}
}

// seqProc is the running sequencer with its poster.
type seqProc struct {
	s      *ordering.Sequencer
	host   *p2p.Node
	poster *l1.Poster
	cancel context.CancelFunc
	done   chan struct{} // the poster and its feed stopped
}

func (d *Devnet) startKeypers() error {
	d.cfg.Progress("starting %d keypers (threshold %d) and running the DKG", d.cfg.Keypers, d.cfg.Threshold)
	d.keypers = make([]*keyperProc, d.cfg.Keypers)
	for i := range d.keypers {
		if err := d.StartKeyper(i); err != nil {
			return err
		}
	}
	return nil
}

func (d *Devnet) p2pConfig(i int) (p2p.Config, error) {
	hk, err := p2p.LoadOrCreateHostKey(d.hostKeys[i])
	if err != nil {
		return p2p.Config{}, err
	}
	var peers []string
	for j := range d.listen {
		if j != i {
			peers = append(peers, d.peerAddr(j))
		}
	}
	return p2p.Config{ListenAddrs: []string{d.listen[i]}, HostKey: hk, Peers: peers, ChainID: ChainID,
		MaxMessageSize: ordering.DefaultMaxBytes + 2<<20, MaxRedialBackoff: 2 * time.Second, Logger: d.log}, nil
}

// StartKeyper starts keyper i (a no-op when it runs).
func (d *Devnet) StartKeyper(i int) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.keypers[i] != nil {
		return nil
	}
	kd := d.keyperDir(i)
	st, err := keyper.OpenStore(filepath.Join(kd, keyper.StoreFile))
	if err != nil {
		return err
	}
	pc, err := d.p2pConfig(i + 1)
	if err != nil {
		st.Close()
		return err
	}
	ctx, cancel := context.WithCancel(d.ctx)
	host, err := p2p.New(ctx, pc)
	if err != nil {
		cancel()
		st.Close()
		return err
	}
	p := &keyperProc{store: st, host: host, cancel: cancel, done: make(chan struct{})}
	d.keypers[i] = p
	keys := l1.NewEonKeys(d.L1, d.Contracts)
	keys.Poll = 100 * time.Millisecond
	signing := d.keyperKeys[i].Signing
	set := d.st.KeyperSet
	go func() {
		defer close(p.done)
		err := keyper.Run(ctx, keyper.RunConfig{Committee: d.Committee, Keys: d.keyperKeys[i], Store: st, Dir: kd, P2P: host, L1: d.L1,
			L1Follow: keyper.L1FollowConfig{Confirmations: d.cfg.L1Confirmations, Interval: d.cfg.L1BlockTime / 4},
			Release: keyper.ReleaseConfig{MaxDrift: 10, MaxTxs: ordering.DefaultMaxTxs, MaxBytes: ordering.DefaultMaxBytes + 1<<20,
				MaxGasLimit: d.st.Chain.GasLimit},
			DKGPhaseTimeout: 5 * time.Second, Logger: d.log.With("keyper", i), PointCache: d.points,
			VoteEonKey: func(ctx context.Context, eon uint64, key []byte) error {
				return keys.Vote(ctx, signing, set, eon, key)
			}})
		if err != nil {
			d.fail(fmt.Errorf("keyper %d: %w", i, err))
		}
	}()
	return nil
}

// StopKeyper stops keyper i and closes its store (a no-op when stopped).
func (d *Devnet) StopKeyper(i int) {
	d.mu.Lock()
	p := d.keypers[i]
	d.keypers[i] = nil
	d.mu.Unlock()
	if p == nil {
		return
	}
	p.cancel()
	<-p.done
	p.host.Close()
	p.store.Close()
}

// StartSequencer starts the sequencer, its L1 poster and the feed between
// them (a no-op when it runs).
func (d *Devnet) StartSequencer() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.seq != nil {
		return nil
	}
	pc, err := d.p2pConfig(0)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(d.ctx)
	host, err := p2p.New(ctx, pc)
	if err != nil {
		cancel()
		return err
	}
	httpHost, httpPort, err := splitAddr(d.cfg.HTTPAddr)
	if err != nil {
		cancel()
		host.Close()
		return fmt.Errorf("%w: HTTP address: %v", ErrConfig, err)
	}
	wsHost, wsPort, err := splitAddr(d.cfg.WSAddr)
	if err != nil {
		cancel()
		host.Close()
		return fmt.Errorf("%w: WebSocket address: %v", ErrConfig, err)
	}
	origin := l1.NewOrigin(d.L1, d.Contracts, l1.OriginConfig{Confirmations: d.cfg.L1Confirmations})
	s, err := ordering.Open(ordering.Config{DataDir: filepath.Join(d.dir, "sequencer"), Chain: d.st.Chain, SequencerKey: d.SequencerKey,
		Committee: d.Committee, EonKey: d.EonKey, PublicShares: d.shares, P2P: host, Origin: origin,
		Cut: ordering.CutConfig{Interval: d.cfg.Interval}, HTTPHost: httpHost, HTTPPort: httpPort, WSHost: wsHost, WSPort: wsPort,
		Logger: d.log.With("component", "sequencer"), Registry: prometheus.NewRegistry(), PointCache: d.points})
	if err != nil {
		cancel()
		host.Close()
		return err
	}
	poster, err := l1.NewPoster(d.L1, d.Contracts, d.SequencerKey, filepath.Join(d.dir, "poster.db"),
		l1.PosterConfig{PollInterval: d.cfg.L1BlockTime / 2, Logger: d.log.With("component", "poster")})
	if err != nil {
		cancel()
		s.Close()
		host.Close()
		return err
	}
	p := &seqProc{s: s, host: host, poster: poster, cancel: cancel, done: make(chan struct{})}
	d.seq = p
	go func() {
		defer close(p.done)
		done := make(chan struct{})
		go func() {
			defer close(done)
			if err := poster.Run(ctx); err != nil && ctx.Err() == nil {
				d.fail(fmt.Errorf("poster: %w", err))
			}
		}()
		if err := l1.Feed(ctx, poster, s, l1.Flate, 0, d.log.With("component", "feed")); err != nil && ctx.Err() == nil {
			d.fail(fmt.Errorf("posting: %w", err))
		}
		<-done
	}()
	return nil
}

// StopSequencer stops the sequencer and its poster (a no-op when stopped).
func (d *Devnet) StopSequencer() {
	d.mu.Lock()
	p := d.seq
	d.seq = nil
	d.mu.Unlock()
	if p == nil {
		return
	}
	p.cancel()
	<-p.done
	p.poster.Close()
	p.s.Close()
	p.host.Close()
}

// Sequencer is the running sequencer (nil while stopped).
func (d *Devnet) Sequencer() *ordering.Sequencer {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.seq == nil {
		return nil
	}
	return d.seq.s
}

// Poster is the running sequencer's L1 poster (nil while stopped).
func (d *Devnet) Poster() *l1.Poster {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.seq == nil {
		return nil
	}
	return d.seq.poster
}
