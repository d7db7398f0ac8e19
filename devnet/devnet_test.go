package devnet

import (
	"context"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/veil-l2/veil/encmempool/client"
)

// TestDevnetPostsAndRestarts starts a devnet, sends an encrypted transfer,
// sees its batch posted on L1, restarts on the same directory and sends
// another: the L1, its contracts and the L2 chain carry on.
func TestDevnetPostsAndRestarts(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cfg := Config{Dir: dir, HTTPAddr: "127.0.0.1:0", L1BlockTime: time.Second, Progress: t.Logf}
	send := func(d *Devnet, from int, to common.Address, value int64) *types.Receipt {
		t.Helper()
		c, err := client.Dial(ctx, d.Sequencer().Exec().HTTPEndpoint(), client.WithPayer(client.NewPayer(DevAccount(9))))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		tx, err := c.SignInner(ctx, DevAccount(from), client.Call{To: &to, Value: big.NewInt(value)})
		if err != nil {
			t.Fatal(err)
		}
		p, err := c.Send(ctx, tx)
		if err != nil {
			t.Fatal(err)
		}
		r, err := c.WaitExecuted(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != types.ReceiptStatusSuccessful {
			t.Fatalf("transfer failed in block %v", r.BlockNumber)
		}
		return r
	}
	to := common.HexToAddress("0x00000000000000000000000000000000000b0b01")

	d, err := Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := send(d, 0, to, 1000)
	posted := waitPosted(t, ctx, d, r.BlockNumber.Uint64())
	t.Logf("batch %d posted; L1 has batches up to %d", r.BlockNumber, posted)
	waitVerified(t, ctx, d, r.BlockNumber.Uint64())
	contracts := d.Contracts
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}

	d, err = Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.Contracts != contracts {
		t.Fatalf("contracts after the restart %+v, before %+v", d.Contracts, contracts)
	}
	r2 := send(d, 1, to, 2000)
	if r2.BlockNumber.Cmp(r.BlockNumber) <= 0 {
		t.Fatalf("after the restart the transfer is in block %v, before it was %v", r2.BlockNumber, r.BlockNumber)
	}
	waitPosted(t, ctx, d, r2.BlockNumber.Uint64())
	waitVerified(t, ctx, d, r2.BlockNumber.Uint64())
	st, err := d.Sequencer().Exec().BlockChain().State()
	if err != nil {
		t.Fatal(err)
	}
	if got := st.GetBalance(to).ToBig(); got.Cmp(big.NewInt(3000)) != 0 {
		t.Fatalf("recipient has %v wei, want 3000", got)
	}
}

// waitPosted waits until L1 has every batch up to number.
func waitPosted(t *testing.T, ctx context.Context, d *Devnet, number uint64) uint64 {
	t.Helper()
	for {
		if p := d.Poster().Posted(); p >= number {
			return p
		}
		select {
		case <-ctx.Done():
			t.Fatalf("batch %d not posted: %v (poster status %+v)", number, ctx.Err(), d.Poster().Status())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// waitVerified waits until the devnet's verifier has checked every batch
// up to number against L1.
func waitVerified(t *testing.T, ctx context.Context, d *Devnet, number uint64) {
	t.Helper()
	for d.Verified() < number {
		select {
		case <-ctx.Done():
			t.Fatalf("batch %d not verified (verified up to %d)", number, d.Verified())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func TestConfigCache(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cacheMB int
		want    int
		wantErr error
	}{
		{name: "default", cacheMB: 0, want: DefaultCacheMB},
		{name: "given", cacheMB: 512, want: 512},
		{name: "negative", cacheMB: -1, wantErr: ErrConfig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Config{CacheMB: tc.cacheMB}
			err := c.defaults()
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			if err == nil && c.CacheMB != tc.want {
				t.Fatalf("cache %d MiB, want %d", c.CacheMB, tc.want)
			}
		})
	}
}
