package verify

import (
	"io"

	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/internal/idset"
	"github.com/veil-l2/veil/keyper"
	"github.com/veil-l2/veil/ordering"
)

// eonKey is an eon's key parsed once: as the eon key (for the
// attestation and one key at a time) and in the form tpke's batched share
// check takes (the check e(Σ c_k·D_k, g2) = e(Σ c_k·Q_k, PK) is the same
// for keys under PK as for shares under a public share).
type eonKey struct {
	pk      *tpke.EonPublicKey
	batched *tpke.PublicShare
	set     uint64 // the keyper set that voted it
}

func parseEonKey(b []byte, set uint64) (*eonKey, error) {
	pk, err := tpke.ParseEonPublicKey(b)
	if err != nil {
		return nil, err
	}
	as, err := tpke.ParsePublicShare(0, b)
	if err != nil {
		return nil, err
	}
	return &eonKey{pk: pk, batched: as, set: set}, nil
}

// checkKeys checks the keys message of batch n against the envelopes the
// no-key rule keys (rel.Keyed, in batch order): one key each, no more, no
// fewer, each the eon's key for its envelope's identity. All keys are
// checked at once with random coefficients from rnd (two multi-scalar
// multiplications and one pairing check); when that fails, one at a time,
// to name the first invalid key.
func checkKeys(n uint64, ek *eonKey, rel *keyper.Release, km *ordering.KeysMessage, rnd io.Reader) error {
	have, want := len(km.Keys)/tpke.G1Size, len(rel.Keyed)
	if have < want {
		return mismatch(n, ErrMissingKey, "%d keys for %d keyed envelopes: transaction %d (identity %x) has none",
			have, want, rel.Keyed[have].Index, rel.Keyed[have].Identity[:])
	}
	if have > want {
		return mismatch(n, ErrExtraKey, "%d keys for %d keyed envelopes", have, want)
	}
	if want == 0 {
		return nil
	}
	ids := make([]*tpke.IdentityPoint, want)
	for i, k := range rel.Keyed {
		ids[i] = k.Identity.Point()
	}
	if want > 1 {
		if _, err := tpke.VerifyShares(ek.batched, ids, km.Keys, rnd); err == nil {
			return nil
		}
	}
	for i, k := range rel.Keyed {
		key, err := tpke.ParseKey(km.Keys[i*tpke.G1Size : (i+1)*tpke.G1Size])
		if err == nil {
			err = tpke.VerifyKey(ek.pk, ids[i], key)
		}
		if err != nil {
			return mismatch(n, ErrInvalidKey, "key %d, for transaction %d (identity %x): %v", i, k.Index, k.Identity[:], err)
		}
	}
	return nil
}

// released is the set of identities keyed by the batches verified so far:
// the no-key rule's view of earlier releases (keyper.Released). It is an
// idset file in the data directory, emptied when the verifier starts (the
// verified prefix is rebuilt from batch 1), so that an eon's identities,
// about 40 bytes per keyed envelope ever, stay out of the process's
// memory. A read that fails is recorded in err: the caller checks it after
// the rule ran, and the batch is verified again later.
type released struct {
	set *idset.Set
	err error
}

// Released reports an identity keyed by an earlier batch.
func (r *released) Released(id tpke.Identity) bool {
	_, ok, err := r.set.Get(id)
	if err != nil {
		r.err = err
	}
	return ok
}

var _ keyper.Released = (*released)(nil)

// keyedIdentities lists rel's keyed identities.
func keyedIdentities(rel *keyper.Release) []tpke.Identity {
	out := make([]tpke.Identity, len(rel.Keyed))
	for i, k := range rel.Keyed {
		out[i] = k.Identity
	}
	return out
}
