package tpke

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
)

// VectorFile is the test-vector format of SPEC-tpke.md section 7. Veil's own
// vectors (testdata/) are produced by GenerateVectors so that a client in
// another language can prove it is compatible; CheckVectors runs any such
// file, including the independent reference vectors, through this package.
type VectorFile struct {
	Scheme       string         `json:"scheme"`
	Threshold    int            `json:"threshold"`
	EonPublicKey string         `json:"eon_public_key"`
	Keypers      []VectorKeyper `json:"keypers"`
	Cases        []VectorCase   `json:"cases"`
}

// VectorKeyper is one keyper's shares.
type VectorKeyper struct {
	Index       int    `json:"index"`
	SecretShare string `json:"secret_share"`
	PublicShare string `json:"public_share"`
}

// VectorShare is one keyper's key share for a case.
type VectorShare struct {
	Index int    `json:"index"`
	Share string `json:"share"`
}

// VectorCase is one identity with its shares, key and, for "tx", one
// encryption.
type VectorCase struct {
	Kind           string        `json:"kind"`
	ChainID        uint64        `json:"chain_id"`
	Eon            uint64        `json:"eon"`
	Payer          string        `json:"payer,omitempty"`
	Prefix         string        `json:"prefix,omitempty"`
	BatchNumber    *uint64       `json:"batch_number,omitempty"`
	BatchHash      string        `json:"batch_hash,omitempty"`
	Identity       string        `json:"identity"`
	IdentityPoint  string        `json:"identity_point"`
	Shares         []VectorShare `json:"shares"`
	Signers        []int         `json:"signers"`
	Key            string        `json:"key"`
	Sigma          string        `json:"sigma,omitempty"`
	Plaintext      *string       `json:"plaintext,omitempty"`
	AssociatedData string        `json:"associated_data,omitempty"`
	Ciphertext     string        `json:"ciphertext,omitempty"`
}

// SchemeName is the scheme string of the vector file.
const SchemeName = "veil-tpke-v1"

// ErrVector reports a vector this implementation does not reproduce.
var ErrVector = errors.New("tpke: test vector mismatch")

func unhex(field, s string, n int) ([]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrVector, field, err)
	}
	if n >= 0 && len(b) != n {
		return nil, fmt.Errorf("%w: %s has %d bytes, want %d", ErrVector, field, len(b), n)
	}
	return b, nil
}

func mismatch(c int, field string, got []byte, want string) error {
	if hex.EncodeToString(got) == want {
		return nil
	}
	return fmt.Errorf("%w: case %d: %s: got %x, want %s", ErrVector, c, field, got, want)
}

// EnvelopeAD is the associated data of an envelope (SPEC-tpke.md section 6):
// u64(chain id) ‖ u64(eon) ‖ id ‖ u64(declared gas).
func EnvelopeAD(chainID, eon uint64, id Identity, declaredGas uint64) []byte {
	b := make([]byte, 0, 8+8+32+8)
	b = binary.BigEndian.AppendUint64(b, chainID)
	b = binary.BigEndian.AppendUint64(b, eon)
	b = append(b, id[:]...)
	return binary.BigEndian.AppendUint64(b, declaredGas)
}

// CheckVectors recomputes every value of f with this package and returns
// the first difference.
func CheckVectors(f *VectorFile) error {
	if f.Scheme != SchemeName {
		return fmt.Errorf("%w: scheme %q", ErrVector, f.Scheme)
	}
	pkb, err := unhex("eon_public_key", f.EonPublicKey, G2Size)
	if err != nil {
		return err
	}
	pk, err := ParseEonPublicKey(pkb)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrVector, err)
	}
	secrets := map[int]*SecretShare{}
	publics := map[int]*PublicShare{}
	for _, k := range f.Keypers {
		sb, err := unhex("secret_share", k.SecretShare, ScalarSize)
		if err != nil {
			return err
		}
		s, err := ParseSecretShare(k.Index, sb)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrVector, err)
		}
		if got := s.PublicShare().Bytes(); hex.EncodeToString(got) != k.PublicShare {
			return fmt.Errorf("%w: keyper %d public share: got %x", ErrVector, k.Index, got)
		}
		secrets[k.Index], publics[k.Index] = s, s.PublicShare()
	}
	for c, vc := range f.Cases {
		var id Identity
		switch vc.Kind {
		case "tx":
			payer, err := unhex("payer", vc.Payer, 20)
			if err != nil {
				return err
			}
			prefix, err := unhex("prefix", vc.Prefix, 32)
			if err != nil {
				return err
			}
			id = TxIdentity(vc.ChainID, vc.Eon, [20]byte(payer), [32]byte(prefix))
		case "batch":
			h, err := unhex("batch_hash", vc.BatchHash, 32)
			if err != nil {
				return err
			}
			if vc.BatchNumber == nil {
				return fmt.Errorf("%w: case %d: batch without batch_number", ErrVector, c)
			}
			id = BatchIdentity(vc.ChainID, vc.Eon, *vc.BatchNumber, [32]byte(h))
		default:
			return fmt.Errorf("%w: case %d: kind %q", ErrVector, c, vc.Kind)
		}
		if err := mismatch(c, "identity", id[:], vc.Identity); err != nil {
			return err
		}
		q := id.Point()
		if err := mismatch(c, "identity_point", q.Bytes(), vc.IdentityPoint); err != nil {
			return err
		}
		byIndex := map[int]KeyShare{}
		for _, vs := range vc.Shares {
			s, ok := secrets[vs.Index]
			if !ok {
				return fmt.Errorf("%w: case %d: share of unknown keyper %d", ErrVector, c, vs.Index)
			}
			ks := s.KeyShare(q)
			if err := mismatch(c, fmt.Sprintf("share %d", vs.Index), ks.Bytes(), vs.Share); err != nil {
				return err
			}
			if err := VerifyShare(publics[vs.Index], q, ks); err != nil {
				return fmt.Errorf("%w: case %d: share %d: %w", ErrVector, c, vs.Index, err)
			}
			byIndex[vs.Index] = ks
		}
		row := make([]KeyShare, len(vc.Signers))
		for k, s := range vc.Signers {
			ks, ok := byIndex[s]
			if !ok {
				return fmt.Errorf("%w: case %d: signer %d has no share", ErrVector, c, s)
			}
			row[k] = ks
		}
		key, err := Aggregate(vc.Signers, row)
		if err != nil {
			return fmt.Errorf("%w: case %d: %w", ErrVector, c, err)
		}
		if err := mismatch(c, "key", key.Bytes(), vc.Key); err != nil {
			return err
		}
		if err := VerifyKey(pk, q, key); err != nil {
			return fmt.Errorf("%w: case %d: %w", ErrVector, c, err)
		}
		if vc.Kind != "tx" {
			continue
		}
		sigma, err := unhex("sigma", vc.Sigma, SigmaSize)
		if err != nil {
			return err
		}
		if vc.Plaintext == nil {
			return fmt.Errorf("%w: case %d: tx without plaintext", ErrVector, c)
		}
		pt, err := unhex("plaintext", *vc.Plaintext, -1)
		if err != nil {
			return err
		}
		ad, err := unhex("associated_data", vc.AssociatedData, -1)
		if err != nil {
			return err
		}
		ct, err := Encrypt(pk, id, pt, ad, bytes.NewReader(sigma))
		if err != nil {
			return fmt.Errorf("%w: case %d: encrypt: %w", ErrVector, c, err)
		}
		if err := mismatch(c, "ciphertext", ct, vc.Ciphertext); err != nil {
			return err
		}
		got, err := Decrypt(key, id, ct, ad)
		if err != nil {
			return fmt.Errorf("%w: case %d: decrypt: %w", ErrVector, c, err)
		}
		if !bytes.Equal(got, pt) {
			return fmt.Errorf("%w: case %d: decrypted plaintext differs", ErrVector, c)
		}
	}
	return nil
}

// detStream is a deterministic byte source for vector generation:
// SHA-256(seed ‖ label ‖ counter) blocks.
type detStream struct {
	seed  []byte
	label string
	ctr   uint64
	buf   []byte
}

func (d *detStream) Read(p []byte) (int, error) {
	for len(d.buf) < len(p) {
		h := sha256.New()
		h.Write(d.seed)
		h.Write([]byte(d.label))
		var c [8]byte
		binary.BigEndian.PutUint64(c[:], d.ctr)
		h.Write(c[:])
		d.ctr++
		d.buf = h.Sum(d.buf)
	}
	n := copy(p, d.buf)
	d.buf = d.buf[n:]
	return n, nil
}

func (d *detStream) scalar() fr.Element {
	var b [48]byte
	d.Read(b[:])
	var e fr.Element
	e.SetBytes(b[:]) // reduced mod r; 384 bits make the bias negligible
	return e
}

// dealShares makes an eon key and n shares of it from a polynomial of degree
// threshold-1 drawn from rnd. It is a fixture for test vectors and tests
// only: in Veil the eon secret comes from the DKG and exists nowhere.
func dealShares(rnd *detStream, n, threshold int) (*EonPublicKey, []*SecretShare) {
	coeffs := make([]fr.Element, threshold)
	for i := range coeffs {
		coeffs[i] = rnd.scalar()
	}
	secrets := make([]*SecretShare, n)
	for i := range n {
		var acc, x fr.Element
		x.SetInt64(int64(i) + 1)
		for k := len(coeffs) - 1; k >= 0; k-- {
			acc.Mul(&acc, &x)
			acc.Add(&acc, &coeffs[k])
		}
		secrets[i] = &SecretShare{Index: i, x: acc}
	}
	return &EonPublicKey{g2Prepared{p: mulG2Base(&coeffs[0])}}, secrets
}

// GenerateVectors produces a vector file from a seed with a dealer-made
// polynomial of degree threshold-1 over n keypers (a test fixture only: in
// Veil the eon secret comes from the DKG and exists nowhere).
func GenerateVectors(seed []byte, n, threshold int) (*VectorFile, error) {
	if threshold < 1 || threshold > n {
		return nil, fmt.Errorf("%w: threshold %d of %d", ErrSigners, threshold, n)
	}
	pk, secrets := dealShares(&detStream{seed: seed, label: "poly"}, n, threshold)
	f := &VectorFile{Scheme: SchemeName, Threshold: threshold, EonPublicKey: hex.EncodeToString(pk.Bytes())}
	for _, s := range secrets {
		f.Keypers = append(f.Keypers, VectorKeyper{
			Index:       s.Index,
			SecretShare: hex.EncodeToString(s.Bytes()),
			PublicShare: hex.EncodeToString(s.PublicShare().Bytes()),
		})
	}
	pick := &detStream{seed: seed, label: "cases"}
	signersFor := func() []int {
		// a deterministic t-subset, varying per case
		perm := make([]int, n)
		for i := range perm {
			perm[i] = i
		}
		for i := n - 1; i > 0; i-- {
			var b [1]byte
			pick.Read(b[:])
			j := int(b[0]) % (i + 1)
			perm[i], perm[j] = perm[j], perm[i]
		}
		s := perm[:threshold]
		for i := 1; i < len(s); i++ { // sort for readability
			for j := i; j > 0 && s[j] < s[j-1]; j-- {
				s[j], s[j-1] = s[j-1], s[j]
			}
		}
		return s
	}
	fill := func(vc *VectorCase, id Identity) error {
		q := id.Point()
		vc.Identity = hex.EncodeToString(id[:])
		vc.IdentityPoint = hex.EncodeToString(q.Bytes())
		all := make([]KeyShare, n)
		for i, s := range secrets {
			all[i] = s.KeyShare(q)
			vc.Shares = append(vc.Shares, VectorShare{Index: i, Share: hex.EncodeToString(all[i].Bytes())})
		}
		vc.Signers = signersFor()
		row := make([]KeyShare, len(vc.Signers))
		for k, s := range vc.Signers {
			row[k] = all[s]
		}
		key, err := Aggregate(vc.Signers, row)
		if err != nil {
			return err
		}
		vc.Key = hex.EncodeToString(key.Bytes())
		return nil
	}
	const chainID, eon = 901, 1
	for _, size := range []int{0, 1, 32, 250, 255, 256, 1000, 4095} {
		var payer [20]byte
		var prefix [32]byte
		pick.Read(payer[:])
		pick.Read(prefix[:])
		id := TxIdentity(chainID, eon, payer, prefix)
		vc := VectorCase{Kind: "tx", ChainID: chainID, Eon: eon,
			Payer: hex.EncodeToString(payer[:]), Prefix: hex.EncodeToString(prefix[:])}
		if err := fill(&vc, id); err != nil {
			return nil, err
		}
		sigma := make([]byte, SigmaSize)
		pick.Read(sigma)
		pt := make([]byte, size)
		pick.Read(pt)
		ad := EnvelopeAD(chainID, eon, id, 21000+uint64(size)*16)
		ct, err := Encrypt(pk, id, pt, ad, bytes.NewReader(sigma))
		if err != nil {
			return nil, err
		}
		pth := hex.EncodeToString(pt)
		vc.Sigma, vc.Plaintext = hex.EncodeToString(sigma), &pth
		vc.AssociatedData, vc.Ciphertext = hex.EncodeToString(ad), hex.EncodeToString(ct)
		f.Cases = append(f.Cases, vc)
	}
	for _, num := range []uint64{0, 1, 1 << 40} {
		var h [32]byte
		pick.Read(h[:])
		n := num
		vc := VectorCase{Kind: "batch", ChainID: chainID, Eon: eon, BatchNumber: &n, BatchHash: hex.EncodeToString(h[:])}
		if err := fill(&vc, BatchIdentity(chainID, eon, num, h)); err != nil {
			return nil, err
		}
		f.Cases = append(f.Cases, vc)
	}
	return f, nil
}

// Parameters of Veil's own vector file (testdata/tpke-veil-v1.json).
const (
	VeilVectorSeed      = "veil-tpke-v1 test vectors"
	VeilVectorKeypers   = 7
	VeilVectorThreshold = 5
)

// MarshalVectors renders a vector file as indented JSON with a final newline.
func MarshalVectors(f *VectorFile) ([]byte, error) {
	b, err := json.MarshalIndent(f, "", " ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
