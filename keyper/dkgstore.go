package keyper

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/keyper/dkg"
	bolt "go.etcd.io/bbolt"
)

// ErrNoDKGResult says no finished DKG is recorded for an eon.
var ErrNoDKGResult = errors.New("keyper: no dkg result recorded for this eon")

// What the DKG driver keeps in the keyper store, under the top-level bucket
// "dkg", one sub-bucket per eon (eonBucket):
//
//	attempt         the attempt in progress (dkgAttemptRecord)
//	result          the finished run's public data (dkgResultRecord)
//	attempt-<a>     the attempt's log: sequence number -> dkgLogEntry
//
// Secrets are not in bbolt: the attempt's seed and the key share are secret
// files (WriteSecretFile: mode 0600, sealed when a passphrase is given) in
// the DKG directory, named by dkgSeedFile and dkgShareFile.
var (
	bucketDKG    = []byte("dkg")
	keyDKGTry    = []byte("attempt")
	keyDKGResult = []byte("result")
)

// dkgAttemptRecord is the attempt in progress. It is written after the
// attempt's seed file and before anything of the attempt is sent.
type dkgAttemptRecord struct {
	Attempt uint64 `json:"attempt"`
	// Session is the committee's fingerprint (the nonce of attempt 0): a
	// store is never resumed for another committee with the same eon.
	Session   []byte `json:"session"`
	Index     int    `json:"index"`
	Threshold int    `json:"threshold"`
}

// dkgResultRecord is the public part of a finished run; the share is in
// the share file.
type dkgResultRecord struct {
	Attempt      uint64   `json:"attempt"`
	Session      []byte   `json:"session"`
	Index        int      `json:"index"`
	Threshold    int      `json:"threshold"`
	EonPublicKey []byte   `json:"eonPublicKey"`
	PublicShares [][]byte `json:"publicShares"`
	Qualified    []uint32 `json:"qualified"`
}

// Kinds of logged DKG events.
const (
	dkgEventStart   = "start"
	dkgEventPacket  = "packet"
	dkgEventTimeout = "timeout"
)

// dkgLogEntry is one event the core accepted, with the packets it made the
// keyper send. Replaying the entries of an attempt through a core built from
// the same seed brings it back to the same state.
type dkgLogEntry struct {
	Kind string `json:"kind"`
	// Phase is the phase that timed out (timeout events).
	Phase dkg.Phase `json:"phase,omitempty"`
	// Packet is a received packet in dkg wire encoding (packet events).
	Packet []byte `json:"packet,omitempty"`
	// Sent are the packets this keyper sent because of the event, in dkg
	// wire encoding. They are what a resumed keyper sends again.
	Sent [][]byte `json:"sent,omitempty"`
}

func dkgAttemptBucket(attempt uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte("attempt-"), attempt)
}

// dkgSeedFile and dkgShareFile name the DKG's secret files and their kinds
// (the kind is bound into a sealed file, so one cannot stand in for another).
func dkgSeedFile(dir string, eon, attempt uint64) (path, kind string) {
	return filepath.Join(dir, fmt.Sprintf("dkg-eon-%d-attempt-%d.seed", eon, attempt)),
		fmt.Sprintf("veil dkg seed, eon %d attempt %d", eon, attempt)
}

func dkgShareFile(dir string, eon uint64) (path, kind string) {
	return filepath.Join(dir, fmt.Sprintf("eon-%d.share", eon)), fmt.Sprintf("veil eon %d key share", eon)
}

// dkgDir is where the DKG's secret files go by default: beside the store.
func (s *Store) dkgDir() string { return filepath.Dir(s.db.Path()) }

// dkgEon returns the eon's bucket, creating it when create is set.
func dkgEon(tx *bolt.Tx, eon uint64, create bool) (*bolt.Bucket, error) {
	if !create {
		top := tx.Bucket(bucketDKG)
		if top == nil {
			return nil, nil
		}
		return top.Bucket(eonBucket(eon)), nil
	}
	top, err := tx.CreateBucketIfNotExists(bucketDKG)
	if err != nil {
		return nil, err
	}
	return top.CreateBucketIfNotExists(eonBucket(eon))
}

func getJSON(b *bolt.Bucket, key []byte, v any) (bool, error) {
	if b == nil {
		return false, nil
	}
	raw := b.Get(key)
	if raw == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, fmt.Errorf("%w: dkg %s: %v", ErrStore, key, err)
	}
	return true, nil
}

// dkgAttempt returns the eon's attempt in progress, nil when none began.
func (s *Store) dkgAttempt(eon uint64) (*dkgAttemptRecord, error) {
	var rec dkgAttemptRecord
	var found bool
	err := s.db.View(func(tx *bolt.Tx) error {
		b, err := dkgEon(tx, eon, false)
		if err != nil {
			return err
		}
		found, err = getJSON(b, keyDKGTry, &rec)
		return err
	})
	if err != nil || !found {
		return nil, err
	}
	return &rec, nil
}

// dkgBegin records the start of an attempt, with an empty log, in one
// transaction. The attempt's seed file must be written before.
func (s *Store) dkgBegin(eon uint64, rec dkgAttemptRecord) error {
	raw, err := json.Marshal(&rec)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		b, err := dkgEon(tx, eon, true)
		if err != nil {
			return err
		}
		name := dkgAttemptBucket(rec.Attempt)
		if b.Bucket(name) != nil {
			if err := b.DeleteBucket(name); err != nil {
				return err
			}
		}
		if _, err := b.CreateBucket(name); err != nil {
			return err
		}
		return b.Put(keyDKGTry, raw)
	})
}

// dkgAppend appends an entry (when not nil) to an attempt's log and records
// a result (when not nil), in one transaction. Only after it returns may the
// entry's packets be sent. The share file must be written before a result.
func (s *Store) dkgAppend(eon, attempt uint64, e *dkgLogEntry, res *dkgResultRecord) error {
	var entryRaw, resRaw []byte
	var err error
	if e != nil {
		if entryRaw, err = json.Marshal(e); err != nil {
			return err
		}
	}
	if res != nil {
		if resRaw, err = json.Marshal(res); err != nil {
			return err
		}
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		b, err := dkgEon(tx, eon, true)
		if err != nil {
			return err
		}
		if entryRaw != nil {
			log := b.Bucket(dkgAttemptBucket(attempt))
			if log == nil {
				return fmt.Errorf("attempt %d was never begun", attempt)
			}
			seq, err := log.NextSequence()
			if err != nil {
				return err
			}
			if err := log.Put(binary.BigEndian.AppendUint64(nil, seq), entryRaw); err != nil {
				return err
			}
		}
		if resRaw != nil {
			return b.Put(keyDKGResult, resRaw)
		}
		return nil
	})
	if err != nil && !errors.Is(err, ErrStore) {
		err = fmt.Errorf("%w: dkg eon %d attempt %d: %v", ErrStore, eon, attempt, err)
	}
	return err
}

// dkgLog returns an attempt's log in order.
func (s *Store) dkgLog(eon, attempt uint64) ([]dkgLogEntry, error) {
	var out []dkgLogEntry
	err := s.db.View(func(tx *bolt.Tx) error {
		b, err := dkgEon(tx, eon, false)
		if err != nil || b == nil {
			return err
		}
		log := b.Bucket(dkgAttemptBucket(attempt))
		if log == nil {
			return nil
		}
		return log.ForEach(func(k, v []byte) error {
			var e dkgLogEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("%w: dkg eon %d attempt %d entry %x: %v", ErrStore, eon, attempt, k, err)
			}
			out = append(out, e)
			return nil
		})
	})
	return out, err
}

// dkgResult returns the eon's recorded result, nil when none.
func (s *Store) dkgResult(eon uint64) (*dkgResultRecord, error) {
	var rec dkgResultRecord
	var found bool
	err := s.db.View(func(tx *bolt.Tx) error {
		b, err := dkgEon(tx, eon, false)
		if err != nil {
			return err
		}
		found, err = getJSON(b, keyDKGResult, &rec)
		return err
	})
	if err != nil || !found {
		return nil, err
	}
	return &rec, nil
}

// LoadDKGResult returns the DKG result recorded for eon: the public data
// from the store and the key share from its secret file in dir ("" means
// the store's directory), unsealed with passphrase. It returns
// ErrNoDKGResult when the eon's DKG has not finished.
func LoadDKGResult(store *Store, dir string, passphrase []byte, eon uint64) (*dkg.Result, error) {
	res, _, err := loadDKGResult(store, dir, passphrase, eon)
	return res, err
}

func loadDKGResult(store *Store, dir string, passphrase []byte, eon uint64) (*dkg.Result, *dkgResultRecord, error) {
	if dir == "" {
		dir = store.dkgDir()
	}
	rec, err := store.dkgResult(eon)
	if err != nil {
		return nil, nil, err
	}
	if rec == nil {
		return nil, nil, fmt.Errorf("%w: eon %d", ErrNoDKGResult, eon)
	}
	path, kind := dkgShareFile(dir, eon)
	raw, err := ReadSecretFile(path, kind, passphrase)
	if err != nil {
		return nil, nil, fmt.Errorf("keyper: eon %d key share: %w", eon, err)
	}
	bad := func(what string, err error) error {
		return fmt.Errorf("%w: dkg result of eon %d: %s: %v", ErrStore, eon, what, err)
	}
	share, err := tpke.ParseSecretShare(rec.Index, raw)
	if err != nil {
		return nil, nil, bad("key share", err)
	}
	pk, err := tpke.ParseEonPublicKey(rec.EonPublicKey)
	if err != nil {
		return nil, nil, bad("eon public key", err)
	}
	pubs := make([]*tpke.PublicShare, len(rec.PublicShares))
	for i, b := range rec.PublicShares {
		if pubs[i], err = tpke.ParsePublicShare(i, b); err != nil {
			return nil, nil, bad("public share", err)
		}
	}
	if rec.Index < 0 || rec.Index >= len(pubs) || !bytes.Equal(share.PublicShare().Bytes(), pubs[rec.Index].Bytes()) {
		return nil, nil, bad("key share", errors.New("does not match the recorded public share"))
	}
	return &dkg.Result{Eon: eon, Threshold: rec.Threshold, Share: share, EonPublicKey: pk,
		PublicShares: pubs, Qualified: rec.Qualified}, rec, nil
}

// writeDKGShare writes the share file (before the result is recorded).
func writeDKGShare(dir string, eon uint64, share *tpke.SecretShare, passphrase []byte) error {
	path, kind := dkgShareFile(dir, eon)
	if err := WriteSecretFile(path, kind, share.Bytes(), passphrase); err != nil {
		return fmt.Errorf("keyper: writing the eon %d key share: %w", eon, err)
	}
	return nil
}

// writeDKGSeed writes an attempt's seed file (before the attempt is
// recorded, so before anything derived from the seed is sent).
func writeDKGSeed(dir string, eon, attempt uint64, seed [32]byte, passphrase []byte) error {
	path, kind := dkgSeedFile(dir, eon, attempt)
	if err := WriteSecretFile(path, kind, seed[:], passphrase); err != nil {
		return fmt.Errorf("keyper: writing the dkg seed: %w", err)
	}
	return nil
}

// readDKGSeed reads an attempt's seed; fs.ErrNotExist when it is missing.
func readDKGSeed(dir string, eon, attempt uint64, passphrase []byte) ([32]byte, error) {
	var seed [32]byte
	path, kind := dkgSeedFile(dir, eon, attempt)
	raw, err := ReadSecretFile(path, kind, passphrase)
	if err != nil {
		return seed, err
	}
	if len(raw) != len(seed) {
		return seed, fmt.Errorf("%w: %s", ErrKeyFileFormat, path)
	}
	copy(seed[:], raw)
	return seed, nil
}

// removeDKGSeeds deletes the seed files of attempts 0..last once the result
// is recorded: nothing can ask for them any more.
func removeDKGSeeds(dir string, eon, last uint64) error {
	var errs []error
	for a := uint64(0); a <= last; a++ {
		path, _ := dkgSeedFile(dir, eon, a)
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
