package encmempool

import (
	"errors"
	"math/big"
	"path/filepath"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	"github.com/veil-l2/veil/encmempool/tpke"
	bolt "go.etcd.io/bbolt"
)

// richHead funds every account with one ether at nonce 0.
type richHead struct{}

func (richHead) Rules() Rules {
	return Rules{ChainID: 1337, GasLimit: 30_000_000, BaseFee: big.NewInt(1), AllowPlaintext: true}
}
func (richHead) Account(common.Address) (uint64, *big.Int, error) {
	return 0, big.NewInt(params.Ether), nil
}
func (richHead) IdentitySeen(tpke.Identity) (bool, error) { return false, nil }

// TestPoolStorageFailure: when a write fails, the Adds waiting on it get
// ErrStorage, nothing of theirs is visible, and admission stays stopped
// (no sequence number is skipped by a later success).
func TestPoolStorageFailure(t *testing.T) {
	seqKey, _ := crypto.GenerateKey()
	p, err := OpenPool(filepath.Join(t.TempDir(), "pool.db"), PoolConfig{ChainID: 1337, SequencerKey: seqKey})
	if err != nil {
		t.Fatal(err)
	}
	signer := types.LatestSignerForChainID(big.NewInt(1337))
	to := common.Address{1}
	tx := func(nonce uint64) *types.Transaction {
		key, _ := crypto.GenerateKey()
		return types.MustSignNewTx(key, signer, &types.DynamicFeeTx{
			ChainID: big.NewInt(1337), Nonce: nonce, GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(1), Gas: 21_000, To: &to})
	}
	if _, err := p.Add(tx(0), richHead{}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := p.db.Close(); err != nil { // the disk goes away
		t.Fatal(err)
	}
	lost := tx(0)
	if _, err := p.Add(lost, richHead{}, time.Now()); !errors.Is(err, ErrStorage) {
		t.Fatalf("Add on a failed disk: %v", err)
	}
	if _, ok := p.Receipt(lost.Hash()); ok || len(p.Pending(0, 0)) != 1 || len(p.Cut(10)) != 1 {
		t.Fatal("an unwritten transaction is visible")
	}
	if _, err = p.Add(tx(0), richHead{}, time.Now()); !errors.Is(err, ErrStorage) {
		t.Fatalf("Add after a failed write: %v", err)
	}
	if Reason(err) != "storage" {
		t.Fatalf("reason %q", Reason(err))
	}
	_ = p.Close()
}

// TestPoolDeletesOlderIdentities: a pool file from an older pool, with its
// bucket of done identities, opens with that bucket deleted and its
// transactions intact.
func TestPoolDeletesOlderIdentities(t *testing.T) {
	seqKey, _ := crypto.GenerateKey()
	path := filepath.Join(t.TempDir(), "pool.db")
	cfg := PoolConfig{ChainID: 1337, SequencerKey: seqKey}
	p, err := OpenPool(path, cfg)
	if err != nil {
		t.Fatal(err)
	}
	signer := types.LatestSignerForChainID(big.NewInt(1337))
	key, _ := crypto.GenerateKey()
	to := common.Address{1}
	tx := types.MustSignNewTx(key, signer, &types.DynamicFeeTx{
		ChainID: big.NewInt(1337), GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(1), Gas: 21_000, To: &to})
	if _, err := p.Add(tx, richHead{}, time.Now()); err != nil {
		t.Fatal(err)
	}
	err = p.db.Update(func(btx *bolt.Tx) error {
		b, err := btx.CreateBucket(bucketIDs)
		if err != nil {
			return err
		}
		return b.Put(make([]byte, 32), append(u64(1), u64(0)...))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if p, err = OpenPool(path, cfg); err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.db.View(func(btx *bolt.Tx) error {
		if btx.Bucket(bucketIDs) != nil {
			t.Error("the older identities bucket is still there")
		}
		return nil
	})
	if _, ok := p.Receipt(tx.Hash()); !ok || p.Len() != 1 {
		t.Fatal("the pool lost its transaction")
	}
}
