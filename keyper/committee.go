package keyper

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/ethereum/go-ethereum/common"
	"github.com/veil-l2/veil/keyper/dkg"
	"go.dedis.ch/kyber/v4"
)

// ErrCommittee reports a committee config a keyper cannot run with.
var ErrCommittee = errors.New("keyper: invalid committee config")

// Member is one keyper of a committee as the committee registers it.
type Member struct {
	// Address is the member's signing key address (shares, announcements,
	// p2p messages).
	Address common.Address `json:"address"`
	// DKGPublicKey is the member's DKG long-term key, hex compressed G2.
	DKGPublicKey string `json:"dkgPublicKey"`
	// Peer is the member's libp2p address with /p2p/<id>.
	Peer string `json:"peer"`
}

// Committee is one eon's keyper set, taken from a config file until L1
// carries it (the L1 issue). Index i in Members is keyper index i.
type Committee struct {
	ChainID uint64 `json:"chainId"`
	Eon     uint64 `json:"eon"`
	// Threshold t: keypers needed for a key.
	Threshold int `json:"threshold"`
	// Tolerated f: byzantine keypers the threshold is chosen against.
	Tolerated int `json:"tolerated"`
	// Sequencer is the registered sequencer's address.
	Sequencer common.Address `json:"sequencer"`
	Members   []Member       `json:"members"`
}

// LoadCommittee reads and checks a committee config file.
func LoadCommittee(path string) (*Committee, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCommittee, err)
	}
	var c Committee
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCommittee, path, err)
	}
	return &c, c.Check()
}

// Check rejects a committee that cannot work or does not give the safety it
// claims: with n members, f tolerated byzantine keypers and threshold t,
// two quorums for different batches must share an honest member
// (t > (n + f) / 2), and the committee must stay live with n - t offline.
func (c *Committee) Check() error {
	n := len(c.Members)
	switch {
	case c.ChainID == 0:
		return fmt.Errorf("%w: chainId must be set", ErrCommittee)
	case n == 0:
		return fmt.Errorf("%w: no members", ErrCommittee)
	case n > dkg.MaxParticipants:
		return fmt.Errorf("%w: %d members, at most %d", ErrCommittee, n, dkg.MaxParticipants)
	case c.Threshold < 1 || c.Threshold > n:
		return fmt.Errorf("%w: threshold %d with %d members: need 1 <= threshold <= members", ErrCommittee, c.Threshold, n)
	case c.Tolerated < 0:
		return fmt.Errorf("%w: tolerated must not be negative", ErrCommittee)
	case 2*c.Threshold <= n+c.Tolerated:
		return fmt.Errorf("%w: threshold %d does not tolerate %d byzantine keypers among %d: need threshold > (members + tolerated) / 2, at least %d",
			ErrCommittee, c.Threshold, c.Tolerated, n, (n+c.Tolerated)/2+1)
	case c.Sequencer == (common.Address{}):
		return fmt.Errorf("%w: sequencer address must be set", ErrCommittee)
	}
	seen := map[common.Address]bool{}
	for i, m := range c.Members {
		if m.Address == (common.Address{}) || seen[m.Address] {
			return fmt.Errorf("%w: member %d: address missing or repeated", ErrCommittee, i)
		}
		seen[m.Address] = true
		if _, err := m.dkgKey(); err != nil {
			return fmt.Errorf("%w: member %d: %v", ErrCommittee, i, err)
		}
	}
	return nil
}

func (m Member) dkgKey() (kyber.Point, error) {
	b, err := hex.DecodeString(m.DKGPublicKey)
	if err != nil {
		return nil, fmt.Errorf("dkg public key is not hex: %v", err)
	}
	p := dkg.Suite().Point()
	if len(b) != p.MarshalSize() || p.UnmarshalBinary(b) != nil {
		return nil, errors.New("dkg public key is not a compressed G2 point")
	}
	return p, nil
}

// Participants returns the members as DKG participants (index = position).
func (c *Committee) Participants() ([]dkg.Participant, error) {
	out := make([]dkg.Participant, len(c.Members))
	for i, m := range c.Members {
		p, err := m.dkgKey()
		if err != nil {
			return nil, fmt.Errorf("%w: member %d: %v", ErrCommittee, i, err)
		}
		out[i] = dkg.Participant{Index: uint32(i), Public: p}
	}
	return out, nil
}

// Index returns the position of address in the committee.
func (c *Committee) Index(address common.Address) (int, bool) {
	for i, m := range c.Members {
		if m.Address == address {
			return i, true
		}
	}
	return 0, false
}
