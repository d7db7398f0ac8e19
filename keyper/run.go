package keyper

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/internal/p2p"
)

// StoreFile is the name of the keyper store in a keyper's data directory;
// the DKG's secret files sit beside it.
const StoreFile = "keyper.db"

// Errors of Run and its helpers.
var (
	// ErrNotMember: the keys in the data directory are not a member of
	// the committee (or its registered DKG key is another one).
	ErrNotMember = errors.New("keyper: this keyper is not a member of the committee")
	ErrRunConfig = errors.New("keyper: invalid run config")
)

// MemberIndex returns the position of the keys' owner among the
// committee's members: its address must be registered, with this keyper's
// DKG public key.
func (c *Committee) MemberIndex(keys *Keys) (int, error) {
	addr := keys.Address()
	idx, ok := c.Index(addr)
	if !ok {
		return 0, fmt.Errorf("%w: address %s is not among its %d members (register the address `veil keyper init` printed)",
			ErrNotMember, addr, len(c.Members))
	}
	pub, err := keys.DKGPublic()
	if err != nil {
		return 0, err
	}
	if pub != c.Members[idx].DKGPublicKey {
		return 0, fmt.Errorf("%w: member %d has this keyper's address %s but dkg public key %s; this keyper's is %s",
			ErrNotMember, idx, addr, c.Members[idx].DKGPublicKey, pub)
	}
	return idx, nil
}

// RunConfig is one keyper process: the parts its caller opened (keys,
// store, p2p node, an L1 endpoint) and the rules it applies.
type RunConfig struct {
	Committee *Committee
	Keys      *Keys
	// Passphrase seals and unseals the DKG's secret files.
	Passphrase []byte
	Store      *Store
	// Dir holds the DKG's secret files ("" means the store's directory).
	Dir string
	// P2P carries the DKG packets, commitments and shares. The caller
	// closes it after Run returns.
	P2P *p2p.Node
	// L1 serves the headers that make L1 origins known (ethclient does).
	L1       L1Headers
	L1Follow L1FollowConfig
	// Eons reads keyper sets and eon keys from L1 (final ones only). With
	// it the keyper checks its committee against its keyper set on L1
	// (CheckL1) and takes the set's activation block as the first L1
	// origin it releases, refuses batches from the next set's activation
	// on (ErrSuperseded), and, for an eon after the first, finds its first
	// batch through the previous eon's attestations, checked with that
	// eon's key from L1. Required for an eon after the first; without it a
	// keyper serves one eon from batch 1 and never hands over.
	Eons L1Eons
	// Release holds the release rules. ChainID, Eon and Sequencer are set
	// from the committee, Activation from L1; Inbox defaults to
	// contracts.EncryptedInboxAddress.
	Release ReleaseConfig
	// DKGPhaseTimeout is the DKG's phase deadline (DefaultDKGPhaseTimeout
	// when 0).
	DKGPhaseTimeout time.Duration
	Logger          *slog.Logger
	Registry        prometheus.Registerer
	// PointCache may be shared with other components of the process (an
	// in-process devnet).
	PointCache *tpke.PointCache
	// VoteEonKey, when set, votes the eon key (tpke's compressed form) on
	// L1 once the DKG has it, at every start (a vote already cast or a key
	// already accepted sends nothing: the l1 package's EonKeys.Vote). A
	// failed vote is retried with backoff while the keyper releases shares;
	// it never stops the keyper.
	VoteEonKey func(ctx context.Context, eon uint64, key []byte) error
	// Republish, when set, re-publishes released batches that stay off L1
	// (RepublishConfig; Run fills in the eon key and public shares from
	// the DKG).
	Republish *RepublishConfig
}

// Run is the keyper process after start-up: it finds this keyper in the
// committee, gets the eon's key share (the recorded DKG result, or a DKG
// run with the other members), then releases shares for the sequencer's
// batches while following L1, until ctx ends. It returns nil when ctx
// ends, and the error that stopped it otherwise (a failed DKG, a store
// that cannot record a release).
func Run(ctx context.Context, cfg RunConfig) error {
	switch {
	case cfg.Committee == nil || cfg.Keys == nil || cfg.Store == nil || cfg.P2P == nil:
		return fmt.Errorf("%w: the committee, the keys, the store and a p2p node are required", ErrRunConfig)
	case cfg.L1 == nil:
		return fmt.Errorf("%w: an L1 endpoint is required: a batch's L1 origin must be a confirmed L1 block the keyper knows", ErrRunConfig)
	case cfg.Eons == nil && cfg.Committee.Eon > 1:
		return fmt.Errorf("%w: eon %d follows another eon: its first batch is found through L1's keyper sets and eon keys, "+
			"which need an L1 reader (Eons)", ErrRunConfig, cfg.Committee.Eon)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	c := cfg.Committee
	idx, err := c.MemberIndex(cfg.Keys)
	if err != nil {
		return err
	}
	rel := cfg.Release
	rel.ChainID, rel.Eon, rel.Sequencer = c.ChainID, c.Eon, c.Sequencer
	if rel.Inbox == (common.Address{}) {
		rel.Inbox = contracts.EncryptedInboxAddress
	}
	log := cfg.Logger.With("eon", c.Eon, "keyper", idx)

	_, err = LoadDKGResult(cfg.Store, cfg.Dir, cfg.Passphrase, c.Eon)
	switch {
	case errors.Is(err, ErrNoDKGResult):
		log.Info("running the dkg", "members", len(c.Members), "threshold", c.Threshold, "tolerated", c.Tolerated)
	case err != nil:
		return err
	}
	// RunDKG also returns a recorded result, after checking that it
	// belongs to this committee.
	start := time.Now()
	res, err := RunDKG(ctx, DKGConfig{Committee: c, Index: idx, Keys: cfg.Keys, P2P: cfg.P2P, Store: cfg.Store,
		Dir: cfg.Dir, Passphrase: cfg.Passphrase, PhaseTimeout: cfg.DKGPhaseTimeout, Logger: cfg.Logger, Registry: cfg.Registry})
	if err != nil {
		if ctx.Err() != nil {
			log.Info("stopped before the dkg finished; it resumes at the next start")
			return nil
		}
		return err
	}
	took := time.Since(start)

	follow, stopFollow := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer stopFollow()
	if cfg.VoteEonKey != nil {
		wg.Go(func() { voteEonKey(follow, log, cfg.VoteEonKey, c.Eon, res.EonPublicKey.Bytes()) })
	}
	var previous *tpke.EonPublicKey
	if cfg.Eons != nil {
		set, prev, err := awaitL1(ctx, cfg.Eons, c, cfg.L1Follow.Interval, log)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		rel.Activation, previous = set.Activation, prev
	}

	var rep *RepublishConfig
	if cfg.Republish != nil {
		rc := *cfg.Republish
		rc.EonKey, rc.PublicShares = res.EonPublicKey, res.PublicShares
		rep = &rc
	}
	node, err := StartNode(ctx, NodeConfig{Committee: c, Index: idx, Keys: cfg.Keys, Share: res.Share, Release: rel, Previous: previous, EonKey: res.EonPublicKey,
		Store: cfg.Store, P2P: cfg.P2P, Logger: log, Registry: cfg.Registry, PointCache: cfg.PointCache, Republish: rep})
	if err != nil {
		return err
	}
	wg.Go(func() { node.FollowL1(follow, cfg.L1, cfg.L1Follow) })
	if cfg.Eons != nil {
		wg.Go(func() { node.watchSuccessor(follow, cfg.Eons, c.Eon, cfg.L1Follow.Interval) })
	}
	log.Info("keyper running", "eon_key", hex.EncodeToString(res.EonPublicKey.Bytes()), "qualified", res.Qualified,
		"dkg_took", took.Round(time.Millisecond), "sequencer", c.Sequencer, "l1_confirmations", cfg.L1Follow.Confirmations,
		"max_drift", rel.MaxDrift, "activation", rel.Activation, "follows_eon", previous != nil)

	select {
	case <-ctx.Done():
	case <-node.done:
	}
	stopFollow()
	node.Stop()
	wg.Wait()
	return node.Err()
}

// l1Poll is how often Run asks L1 for keyper sets and keys it waits for
// (L1FollowConfig.Interval when set).
func l1Poll(interval time.Duration) time.Duration {
	if interval <= 0 {
		return time.Second
	}
	return interval
}

// awaitL1 waits until the committee's keyper set is final on L1 and checks
// the committee against it, and, for an eon after the first, until the
// previous eon's key is final; it returns the set and that key (nil for
// eon 1).
func awaitL1(ctx context.Context, eons L1Eons, c *Committee, interval time.Duration, log *slog.Logger) (L1KeyperSet, *tpke.EonPublicKey, error) {
	var set L1KeyperSet
	logged := false
	err := pollL1(ctx, l1Poll(interval), func() (bool, error) {
		s, ok, err := eons.KeyperSet(ctx, c.Eon)
		if ok {
			set = s
		} else if err == nil && !logged {
			logged = true
			log.Info("waiting for the keyper set to be final on L1")
		}
		return ok, err
	}, log)
	if err != nil {
		return set, nil, err
	}
	if err := c.CheckL1(set); err != nil {
		return set, nil, err
	}
	if c.Eon <= 1 {
		return set, nil, nil
	}
	var prev *tpke.EonPublicKey
	err = pollL1(ctx, l1Poll(interval), func() (bool, error) {
		raw, ok, err := eons.EonKey(ctx, c.Eon-1)
		if err != nil || !ok {
			return false, err
		}
		if prev, err = tpke.ParseEonPublicKey(raw); err != nil {
			return false, fmt.Errorf("%w: eon %d's key on L1: %v", ErrRunConfig, c.Eon-1, err)
		}
		return true, nil
	}, log)
	return set, prev, err
}

// pollL1 calls f every interval until it is done or ctx ends. Errors that
// wrap ErrRunConfig or ErrCommittee end it; others are logged and retried.
func pollL1(ctx context.Context, interval time.Duration, f func() (bool, error), log *slog.Logger) error {
	for {
		done, err := f()
		switch {
		case errors.Is(err, ErrRunConfig) || errors.Is(err, ErrCommittee):
			return err
		case err != nil && ctx.Err() == nil:
			log.Warn("reading L1 failed, trying again", "err", err)
		case done:
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(interval):
		}
	}
}

// watchSuccessor waits for the next keyper set (the one voting eon+1) to
// be final on L1 and tells the core its activation block.
func (n *Node) watchSuccessor(ctx context.Context, eons L1Eons, eon uint64, interval time.Duration) {
	_ = pollL1(ctx, l1Poll(interval), func() (bool, error) {
		set, ok, err := eons.KeyperSet(ctx, eon+1)
		if err != nil || !ok {
			return false, err
		}
		n.Superseded(set.Activation)
		n.log.Info("next keyper set final on L1: this eon ends before its activation", "next_eon", eon+1,
			"activation", set.Activation)
		return true, nil
	}, n.log)
}

// voteEonKey votes the eon key on L1, retrying with backoff (1 s doubling
// to 1 min) until the vote is in or ctx ends.
func voteEonKey(ctx context.Context, log *slog.Logger, vote func(context.Context, uint64, []byte) error, eon uint64, key []byte) {
	wait := time.Second
	for {
		err := vote(ctx, eon, key)
		if err == nil {
			log.Info("eon key voted on L1")
			return
		}
		if ctx.Err() != nil {
			return
		}
		log.Warn("voting the eon key on L1 failed; trying again", "err", err, "in", wait)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Minute)
	}
}
