// Package boltdb opens the bbolt files Veil's components keep their
// durable state in: created readable by the owner only, in a directory
// created if needed, with a lock timeout instead of waiting forever for
// another process that holds the file, and with the named top-level
// buckets created.
package boltdb

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// LockTimeout is how long Open waits for another process's lock.
const LockTimeout = 5 * time.Second

// Options adjust Open.
type Options struct {
	// NoSync skips fsync: for benchmarks only.
	NoSync bool
}

// Open opens (or creates) the file at path with the given top-level
// buckets.
func Open(path string, opts Options, buckets ...[]byte) (*bolt.DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: LockTimeout, NoSync: opts.NoSync})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range buckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return db, nil
}
