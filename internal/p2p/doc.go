// Package p2p is the network layer shared by the keypers and the sequencer: a libp2p host
// running gossipsub, with one versioned topic per message kind and signed, validated
// messages.
//
// # Role
//
// A Node connects to the peers listed in its Config (the other committee members and the
// sequencer), keeps those connections up, and carries Messages between them. Components
// join the topics they need with Node.Join, publish with Topic.Publish and receive with
// Topic.Subscribe. The package knows nothing about the protocols on top: which addresses may
// sign, for which eon, and what a payload must satisfy is asked of the caller's Validator.
//
// # Topics
//
// Each message kind ("dkg", "commitments", "shares", "keys", ...) has its own topic,
// /veil/<chainID>/<kind>/v1 (see TopicName). A change to the wire format gets a new version
// and so a new topic.
//
// # Wire format
//
// A Message is the RLP list
//
//	[Version uint8, Kind string, ChainID uint64, Eon uint64, Sender address, Payload bytes, SentAt uint64, Signature [65]byte]
//
// with Version = 1. SentAt (unix nanoseconds of publication) makes each publication distinct, so
// a payload can be published again within gossipsub's duplicate window. Sender is the Ethereum address of the key the keyper or sequencer
// registered on L1, and Signature is crypto.Sign (r ‖ s ‖ v, low s) by that key over
//
//	keccak256("veil/p2p/msg/v1" ‖ rlp([Version, Kind, ChainID, Eon, Sender, Payload, SentAt]))
//
// Decoding is strict (DecodeMessage): one canonical RLP list with exactly these fields, no
// trailing bytes, a known version, a 65-byte signature. Gossipsub's message id is the
// SHA-256 of the topic and the full signed bytes, so identical payloads from different
// senders are different messages. libp2p's own per-message author signature is turned off
// (pubsub.WithNoAuthor): the Veil signature is the one that counts.
//
// # Validation
//
// Every message, received or published by the node itself, passes the topic validator,
// which runs the checks cheapest first and stops at the first failure:
//
//  1. size: at most Config.MaxMessageSize encoded bytes (ErrOversize);
//  2. decoding, including the version (ErrMalformed);
//  3. kind equals the topic's kind (ErrWrongKind);
//  4. chain id equals Config.ChainID (ErrWrongChain);
//  5. Validator.KnownSigner(Sender, Kind, Eon): a registered signer for that eon
//     (ErrUnknownSigner);
//  6. the signature recovers to Sender (ErrBadSignature);
//  7. Validator.Validate, the expensive kind-specific checks such as pairings (ErrInvalid
//     wrapping the returned error).
//
// A failing message gets pubsub.ValidationReject, so it is neither delivered to local
// subscribers nor forwarded, and increments veil_p2p_rejected_total{topic,reason}; a
// passing one increments veil_p2p_accepted_total{topic}. When the node's own message fails,
// Publish returns the reason. Gossipsub remembers rejected message ids for a while, so a
// message rejected for a transient reason (an eon a peer has not seen on L1 yet) must be
// re-sent with different bytes, not re-published as is.
//
// Payloads are never logged: they may carry key shares.
//
// # Transport and what is disabled
//
// The host speaks TCP with Noise and yamux, nothing else. There is no NAT port mapping, no
// mDNS, no DHT, no relay, no hole punching, no peer exchange and no address discovery from
// identify: a node talks to exactly the peers its operator lists in Config.Peers, and never
// reaches beyond them (in tests, never beyond 127.0.0.1). Listed peers are dialed at start,
// re-dialed with exponential backoff (up to Config.MaxRedialBackoff) whenever the
// connection drops, protected from connection trimming, and are gossipsub direct peers, so
// the committee and the sequencer forward to each other without waiting for a mesh. Direct
// peering must be symmetric: each node lists the others. Of two nodes listing each other,
// the one with the smaller peer id dials first, so a pair normally shares one connection.
// SO_REUSEPORT is off, so two nodes configured on one port fail to start instead of
// sharing it, and the host starts listening only after gossipsub is ready.
//
// # Lifetime
//
// New starts the node; it runs until Close or until the context given to New is done.
// Subscription channels close when the subscription is cancelled or the node stops.
package p2p
