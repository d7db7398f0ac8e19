package p2p

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Validator is the user's part of message validation on one topic. Both methods are called
// from gossipsub's validation goroutines, concurrently, for every message received or
// published; they must be safe for concurrent use and must not block for long.
type Validator interface {
	// KnownSigner reports whether sender may send messages of kind for eon. It runs before
	// the signature is checked and must be cheap; it should return an error wrapping
	// ErrUnknownSigner for an unknown signer or a wrong eon (any other error is wrapped so).
	KnownSigner(sender common.Address, kind string, eon uint64) error
	// Validate runs the expensive, kind-specific checks (for example pairings) on a message
	// whose sender and signature have been verified. A non-nil error rejects the message;
	// it is wrapped in ErrInvalid and logged at debug level, so it must not carry secrets.
	Validate(m *Message) error
}

// Received is a message that passed validation on a topic. Message is shared by every
// subscription on the node: treat it as read-only.
type Received struct {
	Message *Message
	// From is the peer that forwarded the message to this node; this node's own id for
	// messages it published itself.
	From peer.ID
	// Local is true for messages this node published itself.
	Local bool
}

var kindPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// TopicName is the gossipsub topic of a message kind on a chain: /veil/<chainID>/<kind>/v1.
func TopicName(chainID uint64, kind string) string {
	return fmt.Sprintf("/veil/%d/%s/v%d", chainID, kind, Version)
}

// Topic is a node's membership of the topic for one message kind.
type Topic struct {
	node  *Node
	kind  string
	name  string
	v     Validator
	topic *pubsub.Topic

	// rejectedLocal carries the reason a message published by this node was rejected from
	// the validator back to Publish, keyed by message id.
	rejectedLocal sync.Map
}

// Join joins the topic for kind (lowercase letters, digits, '-' and '_'), validating every
// message on it with v. A kind can be joined once per node.
func (n *Node) Join(kind string, v Validator) (*Topic, error) {
	if !kindPattern.MatchString(kind) {
		return nil, fmt.Errorf("p2p: message kind %q must be lowercase letters, digits, '-' or '_'", kind)
	}
	if v == nil {
		return nil, errors.New("p2p: a validator is required to join a topic")
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.topics[kind]; ok {
		return nil, fmt.Errorf("p2p: topic for kind %q already joined", kind)
	}
	t := &Topic{node: n, kind: kind, name: TopicName(n.chainID, kind), v: v}
	if err := n.ps.RegisterTopicValidator(t.name, t.validate); err != nil {
		return nil, fmt.Errorf("p2p: joining %s: %w", t.name, err)
	}
	pt, err := n.ps.Join(t.name)
	if err != nil {
		_ = n.ps.UnregisterTopicValidator(t.name)
		return nil, fmt.Errorf("p2p: joining %s: %w", t.name, err)
	}
	t.topic = pt
	n.topics[kind] = t
	return t, nil
}

// Name is the gossipsub topic name.
func (t *Topic) Name() string { return t.name }

// ListPeers are the connected peers known to be subscribed to the topic.
func (t *Topic) ListPeers() []peer.ID { return t.topic.ListPeers() }

// Publish signs payload for eon with signer and publishes it. The message goes through the
// same validation as a received one; if that rejects it, the returned error wraps the
// reason (ErrOversize, ErrUnknownSigner, ErrInvalid, ...). Publishing bytes identical to a
// message already delivered is a no-op.
func (t *Topic) Publish(ctx context.Context, signer *Signer, eon uint64, payload []byte) error {
	m := &Message{Version: Version, Kind: t.kind, ChainID: t.node.chainID, Eon: eon, Payload: payload,
		SentAt: uint64(time.Now().UnixNano())}
	if err := signer.Sign(m); err != nil {
		return err
	}
	data, err := m.Encode()
	if err != nil {
		return fmt.Errorf("p2p: encoding message: %w", err)
	}
	id := messageID(t.name, data)
	if err := t.topic.Publish(ctx, data); err != nil {
		if reason, ok := t.rejectedLocal.LoadAndDelete(id); ok {
			return fmt.Errorf("p2p: publishing on %s: %w", t.name, reason.(error))
		}
		return fmt.Errorf("p2p: publishing on %s: %w", t.name, err)
	}
	return nil
}

// Subscribe delivers every message that passes validation on the topic, including the
// node's own, on the returned channel, in arrival order. The channel is closed after cancel
// is called or the node is closed. A subscriber that falls far behind loses messages
// (gossipsub drops them rather than stall the node), so read promptly.
func (t *Topic) Subscribe() (<-chan Received, func(), error) {
	sub, err := t.topic.Subscribe(pubsub.WithBufferSize(256))
	if err != nil {
		return nil, nil, fmt.Errorf("p2p: subscribing to %s: %w", t.name, err)
	}
	ctx, cancel := context.WithCancel(t.node.ctx)
	out := make(chan Received)
	go func() {
		defer close(out)
		self := t.node.host.ID()
		for {
			pm, err := sub.Next(ctx)
			if err != nil {
				return
			}
			m, ok := pm.ValidatorData.(*Message)
			if !ok {
				continue // unreachable: every delivered message passed t.validate
			}
			r := Received{Message: m, From: pm.ReceivedFrom, Local: pm.ReceivedFrom == self}
			select {
			case out <- r:
			case <-ctx.Done():
				return
			}
		}
	}()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			sub.Cancel()
			cancel()
		})
	}
	return out, stop, nil
}

// Close leaves the topic. Cancel its subscriptions first.
func (t *Topic) Close() error {
	t.node.mu.Lock()
	defer t.node.mu.Unlock()
	if err := t.topic.Close(); err != nil {
		return fmt.Errorf("p2p: leaving %s: %w", t.name, err)
	}
	_ = t.node.ps.UnregisterTopicValidator(t.name)
	delete(t.node.topics, t.kind)
	return nil
}

// validate is the gossipsub topic validator. It rejects, and so stops from spreading, every
// message that fails check, and counts every outcome.
func (t *Topic) validate(_ context.Context, from peer.ID, pm *pubsub.Message) pubsub.ValidationResult {
	m, err := t.check(pm.GetData())
	if err != nil {
		r := reason(err)
		t.node.metrics.rejected.WithLabelValues(t.name, r).Inc()
		if from == t.node.host.ID() {
			t.rejectedLocal.Store(messageID(t.name, pm.GetData()), err)
		}
		// Never the payload: it may carry key shares.
		t.node.log.Debug("rejected gossip message", "topic", t.name, "from", from, "reason", r, "err", err)
		return pubsub.ValidationReject
	}
	pm.ValidatorData = m
	t.node.metrics.accepted.WithLabelValues(t.name).Inc()
	return pubsub.ValidationAccept
}

// check runs the validation steps cheapest first: size, decoding (with version), kind,
// chain id, known signer, signature, then the user's Validate.
func (t *Topic) check(data []byte) (*Message, error) {
	if len(data) > t.node.maxSize {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrOversize, len(data), t.node.maxSize)
	}
	m, err := DecodeMessage(data)
	if err != nil {
		return nil, err
	}
	if m.Kind != t.kind {
		kind := m.Kind
		if len(kind) > 32 {
			kind = kind[:32] + "..." // peer-controlled; keep logs short
		}
		return nil, fmt.Errorf("%w: kind %q on the %q topic", ErrWrongKind, kind, t.kind)
	}
	if m.ChainID != t.node.chainID {
		return nil, fmt.Errorf("%w: chain id %d, want %d", ErrWrongChain, m.ChainID, t.node.chainID)
	}
	if err := t.v.KnownSigner(m.Sender, m.Kind, m.Eon); err != nil {
		if !errors.Is(err, ErrUnknownSigner) {
			err = fmt.Errorf("%w: %w", ErrUnknownSigner, err)
		}
		return nil, err
	}
	signer, err := m.RecoverSender()
	if err != nil {
		return nil, err
	}
	if signer != m.Sender {
		return nil, fmt.Errorf("%w: signed by %s, sender is %s", ErrBadSignature, signer, m.Sender)
	}
	if err := t.v.Validate(m); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return m, nil
}
