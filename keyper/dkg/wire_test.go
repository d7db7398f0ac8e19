package dkg

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ethereum/go-ethereum/rlp"
)

// TestDKGOverTheWireEncoding runs a committee whose every packet is encoded
// and decoded on its way, as over the network.
func TestDKGOverTheWireEncoding(t *testing.T) {
	cfgs, err := LocalConfigs(chainID, 1, 5, 3)
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int
	results, fails := runCommittee(t, cfgs, func(lc *LocalCommittee) {
		lc.Filter = func(from uint32, m Message) (Message, bool) {
			raw, err := EncodeMessage(m)
			if err != nil {
				t.Fatal(err)
			}
			sizes = append(sizes, len(raw))
			back, err := DecodeMessage(raw)
			if err != nil {
				t.Fatal(err)
			}
			again, _ := EncodeMessage(back)
			if !bytes.Equal(again, raw) {
				t.Fatal("decoding changed the packet")
			}
			return back, true
		}
		lc.OnError = func(k uint32, err error) { t.Errorf("keyper %d: %v", k, err) }
	})
	agree(t, results, fails, []int{0, 1, 2, 3, 4})
	if len(sizes) == 0 {
		t.Fatal("no packet crossed the wire")
	}
}

func TestDecodeMessageRejects(t *testing.T) {
	cfgs, err := LocalConfigs(chainID, 1, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := New(cfgs[0])
	out, _ := d.Step(Start{})
	good, err := EncodeMessage(out.Send[0])
	if err != nil {
		t.Fatal(err)
	}
	mutate := func(f func(p *wirePacket)) []byte {
		var p wirePacket
		if err := rlp.DecodeBytes(good, &p); err != nil {
			t.Fatal(err)
		}
		f(&p)
		b, _ := rlp.EncodeToBytes(&p)
		return b
	}
	for name, raw := range map[string][]byte{
		"empty":           nil,
		"trailing":        append(bytes.Clone(good), 0),
		"wrong kind":      mutate(func(p *wirePacket) { p.Kind = kindResponse }),
		"two bodies":      mutate(func(p *wirePacket) { p.Response = &wireResponse{} }),
		"short point":     mutate(func(p *wirePacket) { p.Deal.Public[0] = p.Deal.Public[0][:95] }),
		"point off curve": mutate(func(p *wirePacket) { p.Deal.Public[0] = append([]byte{0x80 | 0x1f}, bytes.Repeat([]byte{0xff}, 95)...) }),
		"huge share":      mutate(func(p *wirePacket) { p.Deal.Deals[0].EncryptedShare = make([]byte, 2000) }),
		"bad justification": func() []byte {
			b, _ := rlp.EncodeToBytes(&wirePacket{Kind: kindJustification, Justification: &wireJustification{
				Justifications: []wireJustEntry{{Share: bytes.Repeat([]byte{0xff}, 32)}}}})
			return b
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := DecodeMessage(raw); !errors.Is(err, ErrWire) {
				t.Fatalf("got %v, want ErrWire", err)
			}
		})
	}
	if _, err := EncodeMessage(Message{}); !errors.Is(err, ErrWire) {
		t.Fatalf("empty message: %v", err)
	}
}

func FuzzDecodeMessage(f *testing.F) {
	cfgs, _ := LocalConfigs(chainID, 1, 3, 2)
	d, _ := New(cfgs[0])
	out, _ := d.Step(Start{})
	good, _ := EncodeMessage(out.Send[0])
	f.Add(good)
	f.Add([]byte{0xc0})
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := DecodeMessage(raw)
		if err != nil {
			return
		}
		if _, err := EncodeMessage(m); err != nil {
			t.Fatalf("decoded packet does not encode: %v", err)
		}
		// A decoded packet must be safe to hand to a core.
		c, _ := New(cfgs[1])
		c.Step(eventOf(m))
	})
}
