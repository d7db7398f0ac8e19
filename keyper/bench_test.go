package keyper

import (
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/ordering/batch"
)

// BenchmarkKeyperRelease1000: a signed commitment with 1000 envelopes in,
// signed shares out, every check included (sequencer signature, the batch
// rules, each envelope parsed with its ciphertext checked, the no-key rule),
// then the 1001 shares computed on all cores and the message signed. Each
// iteration is a fresh keyper (its identity cache empty), as for a batch of
// identities it has never seen.
func BenchmarkKeyperRelease1000(b *testing.B) {
	const n = 1000
	e, _, raw := envelopeBatch(b, n)
	key := e.users[0]
	b.ResetTimer()
	for b.Loop() {
		dec, err := batch.Decode(raw, batch.DefaultLimits) // from the wire: no sender cached
		if err != nil {
			b.Fatal(err)
		}
		r := e.releaser(memReleased{})
		rel, err := r.Decide(dec, now+1)
		if err != nil {
			b.Fatal(err)
		}
		if len(rel.Keyed) != n {
			b.Fatalf("%d keyed, want %d", len(rel.Keyed), n)
		}
		m := &ShareMessage{ChainID: chainID, Eon: eon, Number: rel.Number, Hash: rel.Hash, Keyper: 0,
			Shares: Shares(e.results[0].Share, tpke.NewPointCache(2*n), rel)}
		if err := m.Sign(key); err != nil {
			b.Fatal(err)
		}
	}
}

// envelopeBatch is batch 1 of n envelopes, one per user of a new env, and
// its encoding.
func envelopeBatch(b *testing.B, n int) (*env, *batch.Batch, []byte) {
	e := newEnv(b, n)
	bt := e.batchOf(1, common.Hash{}, envelopesOf(e, n), func(c *batch.Commitment) { c.GasLimit = 200_000_000 })
	raw, err := bt.Encode()
	if err != nil {
		b.Fatal(err)
	}
	return e, bt, raw
}
