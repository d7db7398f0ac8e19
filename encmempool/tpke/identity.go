package tpke

import (
	"encoding/binary"
	"sync"

	bls "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"golang.org/x/crypto/sha3"
)

// Domain separation (SPEC-tpke.md section 1). The transaction and batch tags
// differ, and every field is fixed-width, so the two preimage sets are
// disjoint.
const (
	tagTxIdentity    = "veil/id/tx/v1"
	tagBatchIdentity = "veil/id/batch/v1"
	dstIdentityPoint = "VEIL-V1-ID-BLS12381G1_XMD:SHA-256_SSWU_RO_"
)

// Identity is the 32-byte identity a ciphertext is encrypted to and a key is
// released for.
type Identity [32]byte

// TxIdentity derives the identity of a user's envelope:
// keccak256("veil/id/tx/v1" ‖ u64(chain id) ‖ u64(eon) ‖ payer ‖ prefix).
func TxIdentity(chainID, eon uint64, payer [20]byte, prefix [32]byte) Identity {
	buf := make([]byte, 0, len(tagTxIdentity)+8+8+20+32)
	buf = append(buf, tagTxIdentity...)
	buf = binary.BigEndian.AppendUint64(buf, chainID)
	buf = binary.BigEndian.AppendUint64(buf, eon)
	buf = append(buf, payer[:]...)
	buf = append(buf, prefix[:]...)
	return keccak(buf)
}

// BatchIdentity derives the identity of a committed batch, whose key is the
// committee's signature on the batch:
// keccak256("veil/id/batch/v1" ‖ u64(chain id) ‖ u64(eon) ‖ u64(number) ‖ hash).
func BatchIdentity(chainID, eon, batchNumber uint64, batchHash [32]byte) Identity {
	buf := make([]byte, 0, len(tagBatchIdentity)+8+8+8+32)
	buf = append(buf, tagBatchIdentity...)
	buf = binary.BigEndian.AppendUint64(buf, chainID)
	buf = binary.BigEndian.AppendUint64(buf, eon)
	buf = binary.BigEndian.AppendUint64(buf, batchNumber)
	buf = append(buf, batchHash[:]...)
	return keccak(buf)
}

func keccak(b []byte) (out Identity) {
	h := sha3.NewLegacyKeccak256()
	h.Write(b)
	h.Sum(out[:0])
	return out
}

// IdentityPoint is Q(id), the identity hashed onto G1 (RFC 9380, Veil tag).
// It is always computed locally, so it is in the subgroup by construction.
type IdentityPoint struct {
	id Identity
	p  bls.G1Affine
}

// Point hashes the identity onto G1. It costs about 0.1 ms; use a
// PointCache where the same identities are hashed repeatedly.
func (id Identity) Point() *IdentityPoint {
	// HashToG1 only fails for a DST longer than 255 bytes; ours is constant.
	p, err := bls.HashToG1(id[:], []byte(dstIdentityPoint))
	if err != nil {
		panic("tpke: hash to curve with a constant tag failed: " + err.Error())
	}
	return &IdentityPoint{id: id, p: p}
}

// Identity returns the identity this point was hashed from.
func (q *IdentityPoint) Identity() Identity { return q.id }

// Bytes returns the compressed encoding of Q(id).
func (q *IdentityPoint) Bytes() []byte { b := q.p.Bytes(); return b[:] }

// PointCache keeps the identity points of recently used identities. It is
// safe for concurrent use. When full it forgets the oldest entry.
type PointCache struct {
	mu    sync.Mutex
	max   int
	m     map[Identity]*IdentityPoint
	order []Identity // ring of insertion order
	next  int
}

// NewPointCache returns a cache holding at most size points (at least 1).
func NewPointCache(size int) *PointCache {
	size = max(size, 1)
	return &PointCache{max: size, m: make(map[Identity]*IdentityPoint, size), order: make([]Identity, 0, size)}
}

// Point returns Q(id), hashing it only if it is not cached.
func (c *PointCache) Point(id Identity) *IdentityPoint {
	c.mu.Lock()
	p, ok := c.m[id]
	c.mu.Unlock()
	if ok {
		return p
	}
	p = id.Point()
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[id]; ok {
		return p
	}
	if len(c.order) < c.max {
		c.order = append(c.order, id)
	} else {
		delete(c.m, c.order[c.next])
		c.order[c.next] = id
		c.next = (c.next + 1) % c.max
	}
	c.m[id] = p
	return p
}

// Len returns the number of cached points.
func (c *PointCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
