package devnet

import (
	"context"
	"fmt"
	"math/big"
	"path/filepath"
	"sync"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/veil-l2/veil/execution"
	"github.com/veil-l2/veil/internal/keyfile"
	"github.com/veil-l2/veil/internal/p2p"
	"github.com/veil-l2/veil/keyper"
	"github.com/veil-l2/veil/rescue"
)

// rescuer is the devnet's running rescuer and what it posted.
type rescuer struct {
	mu      sync.Mutex
	rescued map[uint64]rescue.Rescued
}

// startRescuer starts a rescuer (package rescue) on its own libp2p host,
// which every keyper peers with, posting from rescuer.key, an L1 account
// the operator funds at start when it holds less than 10 ether. It knows
// the committees running at its start.
func (d *Devnet) startRescuer(ctx context.Context) error {
	key, err := keyfile.ReadOrCreate(filepath.Join(d.dir, "rescuer.key"))
	if err != nil {
		return err
	}
	addr := crypto.PubkeyToAddress(key.PublicKey)
	// The embedded L1's client reads balances (l1.Client does not list it).
	bal := new(big.Int)
	if br, ok := d.L1.Client.(ethereum.ChainStateReader); ok {
		if bal, err = br.BalanceAt(ctx, addr, nil); err != nil {
			return err
		}
	}
	if bal.Cmp(Ether(10)) < 0 {
		d.addMu.Lock()
		err = d.fund(ctx, []common.Address{addr}, Ether(100))
		d.addMu.Unlock()
		if err != nil {
			return fmt.Errorf("devnet: funding the rescuer: %w", err)
		}
	}
	var peers []*member
	committees := keyper.NewEons()
	d.setMu.RLock()
	for _, set := range d.sets {
		peers = append(peers, set.hosts...)
		committees.Add(set.eon, set.committee)
	}
	d.setMu.RUnlock()
	pc, err := d.p2pConfig(d.rescueHost, peers)
	if err != nil {
		return err
	}
	host, err := p2p.New(d.ctx, pc)
	if err != nil {
		return err
	}
	res := &rescuer{rescued: map[uint64]rescue.Rescued{}}
	r, err := rescue.New(ctx, rescue.Config{L1: d.L1, Contracts: d.Contracts, Chain: d.st.Chain, Key: key, P2P: host, Committees: committees,
		DataDir: filepath.Join(d.dir, "rescuer"), PollInterval: d.cfg.L1BlockTime / 2, Logger: d.log.With("component", "rescuer"),
		OnRescued: func(x rescue.Rescued) {
			res.mu.Lock()
			res.rescued[x.Number] = x
			res.mu.Unlock()
		}})
	if err != nil {
		host.Close()
		return fmt.Errorf("devnet: rescuer: %w", err)
	}
	d.rescuer = res
	d.cfg.Progress("rescuer following L1 and the keypers' republished batches (L1 account %s)", addr)
	d.wg.Go(func() {
		defer host.Close()
		defer r.Close()
		if err := r.Run(d.ctx); err != nil && d.ctx.Err() == nil {
			d.fail(fmt.Errorf("rescuer: %w", err))
		}
	})
	return nil
}

// Rescued returns what the rescuer posted for batch number, once its
// posting is verified (false without a rescuer, or before).
func (d *Devnet) Rescued(number uint64) (rescue.Rescued, bool) {
	if d.rescuer == nil {
		return rescue.Rescued{}, false
	}
	d.rescuer.mu.Lock()
	defer d.rescuer.mu.Unlock()
	x, ok := d.rescuer.rescued[number]
	return x, ok
}

// VerifiedBlock returns the block hash the devnet's verifier computed for
// batch number (false before it verified it).
func (d *Devnet) VerifiedBlock(number uint64) (common.Hash, bool) {
	h, ok := d.vhashes.Load(number)
	if !ok {
		return common.Hash{}, false
	}
	return h.(common.Hash), true
}

// VerifierNode is the devnet verifier's execution node, the chain derived
// from L1 (nil without a verifier); it serves reads while the verifier
// runs.
func (d *Devnet) VerifierNode() *execution.Node {
	if d.verifier == nil {
		return nil
	}
	return d.verifier.Node()
}
