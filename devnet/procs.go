package devnet

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/veil-l2/veil/internal/p2p"
	"github.com/veil-l2/veil/keyper"
	"github.com/veil-l2/veil/l1"
	"github.com/veil-l2/veil/ordering"
	"github.com/veil-l2/veil/rescue"
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

func (d *Devnet) startKeypers(set *keyperSet) error {
	d.cfg.Progress("starting eon %d's %d keypers (threshold %d) and running the DKG", set.eon, len(set.keys), set.committee.Threshold)
	for i := range set.keys {
		if err := d.StartEonKeyper(set.eon, i); err != nil {
			return err
		}
	}
	return nil
}

// p2pConfig is a host's config: it peers with the given hosts.
func (d *Devnet) p2pConfig(self *member, peers []*member) (p2p.Config, error) {
	hk, err := p2p.LoadOrCreateHostKey(self.hostKey)
	if err != nil {
		return p2p.Config{}, err
	}
	var addrs []string
	for _, m := range peers {
		if m != self {
			addrs = append(addrs, m.addr())
		}
	}
	return p2p.Config{ListenAddrs: []string{self.listen}, HostKey: hk, Peers: addrs, ChainID: ChainID,
		MaxMessageSize: ordering.DefaultMaxBytes + 2<<20, MaxRedialBackoff: 2 * time.Second, Logger: d.log}, nil
}

// set returns the keyper set voting eon (nil when none).
func (d *Devnet) set(eon uint64) *keyperSet {
	d.setMu.RLock()
	defer d.setMu.RUnlock()
	for _, s := range d.sets {
		if s.eon == eon {
			return s
		}
	}
	return nil
}

// StartKeyper starts keyper i of the first committee (a no-op when it
// runs).
func (d *Devnet) StartKeyper(i int) error { return d.StartEonKeyper(Eon, i) }

// StopKeyper stops keyper i of the first committee and closes its store
// (a no-op when stopped).
func (d *Devnet) StopKeyper(i int) { d.StopEonKeyper(Eon, i) }

// StartEonKeyper starts keyper i of eon's committee (a no-op when it
// runs). Each keyper of each committee is its own process: its own
// libp2p host, store and directory; a member of two committees runs two.
func (d *Devnet) StartEonKeyper(eon uint64, i int) error {
	set := d.set(eon)
	if set == nil || i < 0 || i >= len(set.keys) {
		return fmt.Errorf("%w: no keyper %d in eon %d", ErrConfig, i, eon)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if set.procs[i] != nil {
		return nil
	}
	kd := d.keyperDir(set.index, i)
	st, err := keyper.OpenStore(filepath.Join(kd, keyper.StoreFile))
	if err != nil {
		return err
	}
	// A keyper peers with the sequencer and its own committee (and the
	// rescuer).
	peers := append([]*member{d.seqHost}, set.hosts...)
	if d.rescueHost != nil {
		peers = append(peers, d.rescueHost)
	}
	pc, err := d.p2pConfig(set.hosts[i], peers)
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
	set.procs[i] = p
	keys := l1.NewEonKeys(d.L1, d.Contracts)
	keys.Poll = 100 * time.Millisecond
	signing := set.keys[i].Signing
	index := set.index
	go func() {
		defer close(p.done)
		err := keyper.Run(ctx, keyper.RunConfig{Committee: set.committee, Keys: set.keys[i], Store: st, Dir: kd, P2P: host, L1: d.L1,
			L1Follow: keyper.L1FollowConfig{Confirmations: d.cfg.L1Confirmations, Interval: d.cfg.L1BlockTime / 4}, Eons: d.eons,
			Release: keyper.ReleaseConfig{MaxDrift: 10, MaxTxs: ordering.DefaultMaxTxs, MaxBytes: ordering.DefaultMaxBytes + 1<<20,
				MaxGasLimit: d.st.Chain.GasLimit},
			DKGPhaseTimeout: 5 * time.Second, Logger: d.log.With("eon", set.eon, "keyper", i), PointCache: d.points,
			Registry: d.metrics.registry(fmt.Sprintf("keyper-%d-%d", set.eon, i)),
			VoteEonKey: func(ctx context.Context, eon uint64, key []byte) error {
				return keys.Vote(ctx, signing, index, eon, key)
			},
			Republish: &keyper.RepublishConfig{After: d.cfg.RepublishAfter, Posted: func(ctx context.Context) (uint64, error) {
				return rescue.NextNumber(ctx, d.L1, d.Contracts)
			}}})
		if err != nil {
			d.fail(fmt.Errorf("eon %d keyper %d: %w", set.eon, i, err))
		}
	}()
	return nil
}

// StopEonKeyper stops keyper i of eon's committee and closes its store (a
// no-op when stopped).
func (d *Devnet) StopEonKeyper(eon uint64, i int) {
	set := d.set(eon)
	if set == nil || i < 0 || i >= len(set.procs) {
		return
	}
	d.mu.Lock()
	p := set.procs[i]
	set.procs[i] = nil
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
	// The sequencer peers with every keyper of every committee.
	var peers []*member
	d.setMu.RLock()
	for _, set := range d.sets {
		peers = append(peers, set.hosts...)
	}
	d.setMu.RUnlock()
	pc, err := d.p2pConfig(d.seqHost, peers)
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
		Eons: d.schedule(), P2P: host, Origin: origin,
		Cut: ordering.CutConfig{Interval: d.cfg.Interval, MaxTxs: l1.PostableBatchTxs, MaxBytes: l1.PostableBatchBytes}, HTTPHost: httpHost, HTTPPort: httpPort, WSHost: wsHost, WSPort: wsPort,
		Logger: d.log.With("component", "sequencer"), Registry: d.metrics.registry("sequencer"), PointCache: d.points,
		WithholdKeys: d.cfg.WithholdKeys, CacheMB: d.cfg.CacheMB})
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
