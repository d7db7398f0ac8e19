package keyper

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

func testCommitteeConfig(t *testing.T, n, threshold, tolerated int) *Committee {
	t.Helper()
	c := &Committee{ChainID: 901, Eon: 1, Threshold: threshold, Tolerated: tolerated, Sequencer: common.Address{0xaa}}
	for i := 0; i < n; i++ {
		k, err := InitKeys(t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		pub, _ := k.DKGPublic()
		c.Members = append(c.Members, Member{Address: k.Address(), DKGPublicKey: pub, Peer: "/ip4/127.0.0.1/tcp/1"})
	}
	return c
}

func TestCommitteeConfig(t *testing.T) {
	good := testCommitteeConfig(t, 5, 3, 0) // 3 of 5: safe without byzantine keypers, live with 2 offline
	raw, _ := json.Marshal(good)
	path := filepath.Join(t.TempDir(), "committee.json")
	os.WriteFile(path, raw, 0o600)
	c, err := LoadCommittee(path)
	if err != nil {
		t.Fatal(err)
	}
	parts, err := c.Participants()
	if err != nil || len(parts) != 5 || parts[4].Index != 4 {
		t.Fatalf("participants %v %v", parts, err)
	}
	if i, ok := c.Index(c.Members[3].Address); !ok || i != 3 {
		t.Fatal("index of a member")
	}
	for name, mut := range map[string]func(c *Committee){
		"threshold too low for the tolerance": func(c *Committee) { c.Tolerated = 1 }, // 2*3 <= 5+1
		"threshold above members":             func(c *Committee) { c.Threshold = 6 },
		"threshold zero":                      func(c *Committee) { c.Threshold = 0 },
		"no chain":                            func(c *Committee) { c.ChainID = 0 },
		"no sequencer":                        func(c *Committee) { c.Sequencer = common.Address{} },
		"repeated member":                     func(c *Committee) { c.Members[1].Address = c.Members[0].Address },
		"bad dkg key":                         func(c *Committee) { c.Members[2].DKGPublicKey = "00" },
		"no members":                          func(c *Committee) { c.Members = nil },
	} {
		t.Run(name, func(t *testing.T) {
			cc := *testCommitteeCopy(good)
			mut(&cc)
			if err := cc.Check(); !errors.Is(err, ErrCommittee) {
				t.Fatalf("got %v, want ErrCommittee", err)
			}
		})
	}
	// 4 of 5 tolerates one byzantine keyper (2*4 > 5+1).
	four := testCommitteeCopy(good)
	four.Threshold, four.Tolerated = 4, 1
	if err := four.Check(); err != nil {
		t.Fatalf("4 of 5 with one byzantine keyper: %v", err)
	}
}

func testCommitteeCopy(c *Committee) *Committee {
	cc := *c
	cc.Members = append([]Member(nil), c.Members...)
	return &cc
}
