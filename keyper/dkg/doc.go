// Package dkg runs the distributed key generation of one eon: kyber v4's
// share/dkg/pedersen over G2 of BLS12-381 (gnark suite), wrapped in a pure,
// deterministic state machine. No trusted dealer ever exists; each new keyper
// set runs a fresh DKG and gets a fresh, independent eon key (DESIGN.md
// section 2: resharing one secret across committees would let any t holders
// of any generation rebuild it).
//
// # The core
//
// DKG is a value with a step function. Events go in (Start, DealReceived,
// ResponseReceived, JustificationReceived, Timeout); an Output comes out with
// the packets to broadcast and, at the end, the Result or the failure. There
// is no clock, network, disk or goroutine inside. Randomness comes in once,
// as Config.Seed: it seeds the dealer's polynomial, and Schnorr signatures
// draw their nonces from the private key and the message (so a restart that
// signs something else can never reuse a nonce). The one exception is kyber's
// ECIES, which encrypts each deal with a fresh ephemeral key from crypto/rand;
// it changes only ciphertext bytes, never a decision.
//
// Every incoming packet is checked for shape (no nil points, sizes as the
// config says) and then with pedersen.VerifyPacketSignature, which kyber's
// Process* methods do not do themselves. A bad packet is answered with a
// named error (ErrMalformed, ErrBadSignature, ErrUnknownSender,
// ErrEquivocation, ErrLate) and changes nothing. Two different packets of the
// same kind from one sender mark it as misbehaving and both are ignored.
//
// # Phases (fast sync)
//
//	Init         --Start-->                       Deal (own deal broadcast)
//	Deal         --all n deals | Timeout(Deal)--> Response (own responses broadcast)
//	Response     --all n responses | Timeout-->   Done, or Justification
//	Justification--every accused dealer answered | Timeout--> Done or Failed
//
// Deal, Response and Justification buffer packets of later phases, so early
// arrivals are not lost; packets of a phase already processed are ErrLate.
//
// # Driver contract
//
//  1. Build the Config (participants and their long-term keys from L1, the
//     eon, the threshold, a session nonce unique to this run, 32 secret
//     random bytes as Seed) and call New.
//  2. Persist the Seed sealed, then Step(Start{}).
//  3. For every Output: persist the packets in Output.Send (and any Result)
//     in one transaction, then broadcast them. A restarted keyper re-sends
//     the persisted packets; it must never create a second, different deal.
//  4. Feed every packet from the network as an event; count the errors Step
//     returns in a metric, never stop on them.
//  5. Fire Timeout{Phase} when a phase's deadline passes.
//  6. On Output.Result, persist the share (file mode 0600, sealed when a
//     passphrase is given) and the public data; on Output.Failed, start a new
//     run with a new nonce.
package dkg
