package e2e

import (
	"context"
	"crypto/rand"
	"path/filepath"
	"testing"
	"time"

	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/devnet"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/internal/p2p"
	"github.com/veil-l2/veil/keyper"
	"github.com/veil-l2/veil/ordering/batch"
)

// TestByzantineKeyper: keyper 4 turns byzantine: it answers every batch
// with validly signed shares of the wrong identities. With keypers 2 and 3
// down, only two honest keypers and the byzantine one answer: its shares
// fail the check, so no batch executes with them, and nothing is lost.
// When keyper 2 comes back, the batches execute in order.
func TestByzantineKeyper(t *testing.T) {
	d, url := start(t, devnet.Config{DevAccounts: 8})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	senders := []*sender{newSender(t, ctx, url, 0, 4), newSender(t, ctx, url, 1, 5)}
	all := sendAll(t, ctx, senders, 2)
	// Counted executed (and posted) before the head is read below.
	waitPosted(t, ctx, d, waitExecuted(t, ctx, url, all))

	// Keyper 4's keys and key share, taken from its directory once it is
	// stopped; it comes back as a host that lies.
	d.StopKeyper(4)
	dir := filepath.Join(d.Dir(), "keyper-4")
	keys, err := keyper.LoadKeys(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := keyper.OpenStore(filepath.Join(dir, keyper.StoreFile))
	if err != nil {
		t.Fatal(err)
	}
	res, err := keyper.LoadDKGResult(st, dir, nil, devnet.Eon)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	startLiar(t, ctx, d, 4, keys, res.Share)

	d.StopKeyper(2)
	d.StopKeyper(3)
	stalled := sendAll(t, ctx, senders, 2)
	head := d.Sequencer().Executed()
	time.Sleep(4 * time.Second)
	executedNone(t, ctx, url, stalled)
	if now := d.Sequencer().Executed(); now != head {
		t.Fatalf("batches executed with two honest keypers and a liar: %d -> %d", head, now)
	}
	if err := d.StartKeyper(2); err != nil {
		t.Fatal(err)
	}
	waitExecuted(t, ctx, url, append(all, stalled...))
}

// startLiar runs keyper i's identity as a host that answers each batch it
// sees with shares of random identities, signed with the keyper's key.
func startLiar(t *testing.T, ctx context.Context, d *devnet.Devnet, i int, keys *keyper.Keys, share *tpke.SecretShare) {
	t.Helper()
	var peers []string
	for j, m := range d.Committee.Members {
		if j != i {
			peers = append(peers, m.Peer)
		}
	}
	hk, err := p2p.LoadOrCreateHostKey(filepath.Join(t.TempDir(), "liar.key"))
	if err != nil {
		t.Fatal(err)
	}
	host, err := p2p.New(ctx, p2p.Config{ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}, HostKey: hk, Peers: peers, ChainID: devnet.ChainID,
		MaxRedialBackoff: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { host.Close() })
	commits, err := host.Join(keyper.TopicCommitments, keyper.SequencerValidator{Sequencer: d.Committee.Sequencer, Eon: devnet.Eon})
	if err != nil {
		t.Fatal(err)
	}
	shares, err := host.Join(keyper.TopicShares, keyper.MembersValidator{Committee: d.Committee, Eon: devnet.Eon})
	if err != nil {
		t.Fatal(err)
	}
	sub, stop, err := commits.Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	signer, err := p2p.NewSigner(keys.Signing)
	if err != nil {
		t.Fatal(err)
	}
	cfg := keyper.ReleaseConfig{ChainID: devnet.ChainID, Eon: devnet.Eon, Inbox: contracts.EncryptedInboxAddress}
	go func() {
		for r := range sub {
			b, err := batch.Decode(r.Message.Payload, batch.DefaultLimits)
			if err != nil {
				continue
			}
			rel, _ := keyper.Classify(cfg, b, noneReleased{})
			var junk []byte
			for range rel.Identities() {
				var id tpke.Identity
				rand.Read(id[:])
				s := share.KeyShare(id.Point())
				junk = append(junk, s.Bytes()...)
			}
			m := &keyper.ShareMessage{ChainID: devnet.ChainID, Eon: devnet.Eon, Number: rel.Number, Hash: rel.Hash, Keyper: uint32(i), Shares: junk}
			if err := m.Sign(keys.Signing); err != nil {
				continue
			}
			raw, err := m.Encode()
			if err != nil {
				continue
			}
			shares.Publish(ctx, signer, devnet.Eon, raw)
		}
	}()
}

// noneReleased: the liar does not care what was released before.
type noneReleased struct{}

func (noneReleased) Released(tpke.Identity) bool { return false }
