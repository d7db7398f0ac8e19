package p2p

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	libp2pcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"
	"github.com/libp2p/go-libp2p/p2p/muxer/yamux"
	"github.com/libp2p/go-libp2p/p2p/security/noise"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	ma "github.com/multiformats/go-multiaddr"
	"github.com/prometheus/client_golang/prometheus"
)

const (
	// DefaultMaxMessageSize bounds the encoded size of one Message.
	DefaultMaxMessageSize = 4 << 20
	// DefaultMaxRedialBackoff bounds the wait between attempts to re-dial a configured peer.
	DefaultMaxRedialBackoff = 30 * time.Second

	// transportSlack is what gossipsub may read beyond MaxMessageSize for RPC framing, so an
	// oversize message reaches the topic validator (and its metric) instead of resetting the
	// stream.
	transportSlack = 64 << 10
	// minRedialBackoff is the first wait after a failed dial.
	minRedialBackoff = 250 * time.Millisecond
	// dialGrace is how long the node with the larger peer id leaves the first dial to the
	// other; see keepConnected.
	dialGrace = 2 * time.Second
	// dialTimeout bounds one dial attempt.
	dialTimeout = 5 * time.Second
	// peerCheckInterval is how often a connected peer's connection is re-checked even when
	// no disconnect notification arrived.
	peerCheckInterval = 10 * time.Second
	// protectTag keeps configured peers out of connection-manager trimming.
	protectTag = "veil-configured-peer"
)

// ErrConfig wraps every configuration error returned by Config.Check and New.
var ErrConfig = errors.New("p2p: bad config")

// Config configures a Node.
type Config struct {
	// ListenAddrs are TCP multiaddrs to listen on, e.g. /ip4/127.0.0.1/tcp/9000. None means
	// the node only dials out.
	ListenAddrs []string
	// HostKey is the libp2p identity of the node; see LoadOrCreateHostKey.
	HostKey libp2pcrypto.PrivKey
	// Peers are full multiaddrs (ending in /p2p/<id>) of the other committee members and the
	// sequencer. They are dialed at start, re-dialed with backoff whenever the connection
	// drops, and are gossipsub direct peers. Direct peering must be configured on both sides:
	// every node lists every node it should peer with.
	Peers []string
	// ChainID is the L2 chain id; it is part of every topic name and every message.
	ChainID uint64
	// MaxMessageSize bounds the encoded size of one Message; 0 means DefaultMaxMessageSize.
	MaxMessageSize int
	// MaxRedialBackoff bounds the wait between re-dials; 0 means DefaultMaxRedialBackoff.
	MaxRedialBackoff time.Duration
	// Logger receives the node's logs; nil discards them.
	Logger *slog.Logger
	// Registry receives the node's metrics; nil leaves them unregistered.
	Registry prometheus.Registerer
}

// Check rejects a configuration the node cannot run with.
func (c *Config) Check() error {
	if c.HostKey == nil {
		return fmt.Errorf("%w: a host key is required (see LoadOrCreateHostKey)", ErrConfig)
	}
	if c.ChainID == 0 {
		return fmt.Errorf("%w: the chain id must not be zero", ErrConfig)
	}
	if c.MaxMessageSize < 0 {
		return fmt.Errorf("%w: the maximum message size must not be negative", ErrConfig)
	}
	if c.MaxRedialBackoff < 0 {
		return fmt.Errorf("%w: the maximum re-dial backoff must not be negative", ErrConfig)
	}
	if _, err := parsePeers(c.Peers); err != nil {
		return err
	}
	return nil
}

func parsePeers(addrs []string) ([]peer.AddrInfo, error) {
	var out []peer.AddrInfo
	index := make(map[peer.ID]int)
	for _, s := range addrs {
		ai, err := peer.AddrInfoFromString(s)
		if err != nil {
			return nil, fmt.Errorf("%w: peer %q is not a multiaddr ending in /p2p/<peer id>: %w", ErrConfig, s, err)
		}
		if i, ok := index[ai.ID]; ok {
			out[i].Addrs = append(out[i].Addrs, ai.Addrs...)
			continue
		}
		index[ai.ID] = len(out)
		out = append(out, *ai)
	}
	return out, nil
}

// Node is a libp2p host running gossipsub for one chain. Use Join to take part in a topic.
type Node struct {
	host    host.Host
	ps      *pubsub.PubSub
	chainID uint64
	maxSize int
	log     *slog.Logger
	metrics *metrics

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once

	mu     sync.Mutex
	topics map[string]*Topic
}

// New starts a node. It listens on cfg.ListenAddrs, starts dialing cfg.Peers and runs until
// Close is called or ctx is done.
func New(ctx context.Context, cfg Config) (*Node, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	if cfg.MaxMessageSize == 0 {
		cfg.MaxMessageSize = DefaultMaxMessageSize
	}
	if cfg.MaxRedialBackoff == 0 {
		cfg.MaxRedialBackoff = DefaultMaxRedialBackoff
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	peers, err := parsePeers(cfg.Peers)
	if err != nil {
		return nil, err
	}
	m, err := newMetrics(cfg.Registry)
	if err != nil {
		return nil, fmt.Errorf("p2p: registering metrics: %w", err)
	}

	opts := []libp2p.Option{
		libp2p.Identity(cfg.HostKey),
		// Only TCP with Noise and yamux: one well-understood stack, no UDP, no browsers.
		// SO_REUSEPORT is off: two processes configured with the same port must fail to
		// start rather than silently split incoming connections between them. (Reuseport
		// only helps NAT traversal, which Veil does not do.)
		libp2p.Transport(tcp.NewTCPTransport, tcp.DisableReuseport()),
		libp2p.Security(noise.ID, noise.New),
		libp2p.Muxer(yamux.ID, yamux.DefaultTransport),
		// Nothing that reaches beyond the configured peers: no relay (and so no hole
		// punching, which is also off by default), no NAT port mapping (libp2p.NATPortMap is
		// deliberately absent), no address discovery from what peers observe.
		libp2p.DisableRelay(),
		libp2p.DisableIdentifyAddressDiscovery(),
		// libp2p's own metrics would go to the global registry; ours are injected.
		libp2p.DisableMetrics(),
	}
	listen := make([]ma.Multiaddr, 0, len(cfg.ListenAddrs))
	for _, s := range cfg.ListenAddrs {
		a, err := ma.NewMultiaddr(s)
		if err != nil {
			return nil, fmt.Errorf("%w: listen address %q: %w", ErrConfig, s, err)
		}
		listen = append(listen, a)
	}
	// The host starts without listening and listens only once gossipsub is registered: a
	// peer connecting earlier would fail to open its gossipsub stream and, as gossipsub does
	// not retry, never see this node's subscriptions for the whole connection.
	opts = append(opts, libp2p.NoListenAddrs)
	h, err := libp2p.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("p2p: starting libp2p host: %w", err)
	}

	nctx, cancel := context.WithCancel(ctx)
	ps, err := pubsub.NewGossipSub(nctx, h,
		pubsub.WithDirectPeers(peers),
		pubsub.WithPeerExchange(false),
		pubsub.WithLogger(log.With("component", "gossipsub")),
		// Our own signature authenticates messages; libp2p's per-message author signature
		// would only add bytes, and without authors the message ID must be content based.
		pubsub.WithNoAuthor(),
		pubsub.WithMessageIdFn(pubsubMessageID),
		pubsub.WithMaxMessageSize(cfg.MaxMessageSize+transportSlack),
	)
	if err != nil {
		cancel()
		h.Close()
		return nil, fmt.Errorf("p2p: starting gossipsub: %w", err)
	}

	if len(listen) > 0 {
		if err := h.Network().Listen(listen...); err != nil {
			cancel()
			h.Close()
			return nil, fmt.Errorf("p2p: listening on %v: %w", cfg.ListenAddrs, err)
		}
	}

	n := &Node{
		host:    h,
		ps:      ps,
		chainID: cfg.ChainID,
		maxSize: cfg.MaxMessageSize,
		log:     log,
		metrics: m,
		ctx:     nctx,
		cancel:  cancel,
		topics:  make(map[string]*Topic),
	}
	n.startDialers(peers, cfg.MaxRedialBackoff)
	log.Info("p2p node started", "id", h.ID(), "addrs", n.Addrs(), "peers", len(peers))
	return n, nil
}

// messageID identifies a gossip message by the hash of its topic and full signed bytes, so
// identical payloads from different senders are different messages and one message
// re-published by any node is the same message.
func messageID(topic string, data []byte) string {
	h := sha256.New()
	h.Write([]byte(topic))
	h.Write([]byte{0})
	h.Write(data)
	return string(h.Sum(nil))
}

func pubsubMessageID(m *pb.Message) string { return messageID(m.GetTopic(), m.GetData()) }

// startDialers runs one re-dial loop per configured peer.
func (n *Node) startDialers(peers []peer.AddrInfo, maxBackoff time.Duration) {
	wake := make(map[peer.ID]chan struct{}, len(peers))
	for _, ai := range peers {
		if ai.ID == n.host.ID() {
			continue // a shared peer list may name this node too
		}
		wake[ai.ID] = make(chan struct{}, 1)
		n.host.Peerstore().AddAddrs(ai.ID, ai.Addrs, peerstore.PermanentAddrTTL)
		n.host.ConnManager().Protect(ai.ID, protectTag)
	}
	n.host.Network().Notify(&network.NotifyBundle{
		DisconnectedF: func(_ network.Network, c network.Conn) {
			if ch, ok := wake[c.RemotePeer()]; ok {
				select {
				case ch <- struct{}{}:
				default:
				}
			}
		},
	})
	for _, ai := range peers {
		ch, ok := wake[ai.ID]
		if !ok {
			continue
		}
		n.wg.Add(1)
		go func() {
			defer n.wg.Done()
			n.keepConnected(ai, ch, maxBackoff)
		}()
	}
}

// keepConnected dials ai whenever it is not connected, backing off exponentially between
// failed attempts, until the node stops.
//
// Of two nodes that list each other, the one with the smaller peer id dials at once and the
// other only after dialGrace: simultaneous dials leave two connections, and gossipsub loses
// the peer's subscriptions when it later drops the stream on one of them.
func (n *Node) keepConnected(ai peer.AddrInfo, wake <-chan struct{}, maxBackoff time.Duration) {
	backoff := minRedialBackoff
	preferred := n.host.ID() < ai.ID
	yielded := false
	for {
		wait := peerCheckInterval
		switch {
		case n.host.Network().Connectedness(ai.ID) == network.Connected:
			yielded = false
		case !preferred && !yielded:
			yielded = true
			wait = dialGrace
		default:
			// Our own backoff replaces the swarm's, which would otherwise refuse to dial a
			// peer that just failed for up to minutes.
			ctx, cancel := context.WithTimeout(network.WithForceDirectDial(n.ctx, "configured peer"), dialTimeout)
			err := n.host.Connect(ctx, ai)
			cancel()
			if n.ctx.Err() != nil {
				return
			}
			if err != nil {
				n.log.Debug("dialing peer failed", "peer", ai.ID, "retry_in", backoff, "err", err)
				wait = backoff
				backoff = min(2*backoff, maxBackoff)
			} else {
				n.log.Info("connected to peer", "peer", ai.ID)
				backoff = minRedialBackoff
				yielded = false
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-n.ctx.Done():
			t.Stop()
			return
		case <-wake:
			t.Stop()
			// Let gossipsub finish with the dropped connection before a new one arrives:
			// if it handles the old stream's death after the new connection is up, it
			// forgets the peer's subscriptions for the life of the new connection.
			if !sleepCtx(n.ctx, minRedialBackoff) {
				return
			}
		case <-t.C:
		}
	}
}

// Close stops the node: its topics, its dialers and its host.
func (n *Node) Close() error {
	var err error
	n.once.Do(func() {
		n.cancel()
		n.wg.Wait()
		err = n.host.Close()
		n.log.Info("p2p node stopped", "id", n.host.ID())
	})
	return err
}

// ID is the node's libp2p peer id.
func (n *Node) ID() peer.ID { return n.host.ID() }

// Addrs are the node's listen addresses as full multiaddrs ending in /p2p/<id>, the form
// other nodes put in Config.Peers.
func (n *Node) Addrs() []string {
	mas, err := peer.AddrInfoToP2pAddrs(&peer.AddrInfo{ID: n.host.ID(), Addrs: n.host.Addrs()})
	if err != nil {
		return nil
	}
	out := make([]string, len(mas))
	for i, ma := range mas {
		out[i] = ma.String()
	}
	return out
}

// Peers are the peers the node is connected to now.
func (n *Node) Peers() []peer.ID { return n.host.Network().Peers() }

// sleepCtx waits for d and reports whether ctx is still live.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
