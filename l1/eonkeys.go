package l1

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool/client"
)

// Eon key errors.
var (
	// ErrNoEonKey: the eon has no accepted key in the finalized state (it
	// may have one in a newer block).
	ErrNoEonKey = errors.New("l1: no finalized eon key")
	// ErrEonKeyConflict: the eon already has another key than the one
	// voted.
	ErrEonKeyConflict = errors.New("l1: the eon has another key")
)

// EonKey is an eon's key accepted on KeyBroadcast.
type EonKey struct {
	Eon uint64
	// Key is tpke's compressed form (96 bytes, tpke.ParseEonPublicKey).
	Key []byte
	// KeyperSet is the index of the set that voted it, ActivationBlock
	// that set's activation block.
	KeyperSet       uint64
	ActivationBlock uint64
}

// EonKeys reads eon keys from KeyBroadcast as of the finalized block, and
// votes them for keypers. An accepted key never changes, so each is read
// from L1 once and kept. Safe for concurrent use.
type EonKeys struct {
	chain     *Chain
	broadcast common.Address
	kb        *contracts.KeyBroadcast
	// Poll is how often Vote checks for its receipt (default 1 s).
	Poll time.Duration

	mu    sync.Mutex
	known map[uint64]EonKey
}

var _ client.EonKeySource = (*EonKeys)(nil)

// NewEonKeys reads and votes on the deployment's KeyBroadcast.
func NewEonKeys(chain *Chain, c Contracts) *EonKeys {
	return &EonKeys{chain: chain, broadcast: c.Broadcast, kb: contracts.NewKeyBroadcast(), Poll: time.Second,
		known: map[uint64]EonKey{}}
}

// EonKey returns the eon's key in tpke's compressed form, once it is
// accepted in a finalized block: client.EonKeySource.
func (e *EonKeys) EonKey(ctx context.Context, eon uint64) ([]byte, error) {
	k, err := e.Get(ctx, eon)
	if err != nil {
		return nil, err
	}
	return k.Key, nil
}

// Get returns the eon's key with the set that voted it, as of the
// finalized block; ErrNoEonKey when it has none there yet.
func (e *EonKeys) Get(ctx context.Context, eon uint64) (EonKey, error) {
	e.mu.Lock()
	k, ok := e.known[eon]
	e.mu.Unlock()
	if ok {
		return k, nil
	}
	fin, err := e.chain.Finalized(ctx)
	if err != nil {
		return EonKey{}, err
	}
	h := fin.Hash()
	out, err := viewAt(ctx, e.chain, e.broadcast, e.kb.PackEonKey(eon), e.kb.UnpackEonKey, &h)
	if errors.Is(err, ErrContracts) {
		// No code yet at the finalized block: deployed after it.
		return EonKey{}, fmt.Errorf("%w: eon %d (KeyBroadcast is newer than finalized block %d)", ErrNoEonKey, eon, fin.Number)
	}
	if err != nil {
		return EonKey{}, err
	}
	if len(out.Key) == 0 {
		return EonKey{}, fmt.Errorf("%w: eon %d at finalized block %d", ErrNoEonKey, eon, fin.Number)
	}
	key, err := contracts.EonKeyFromL1(out.Key)
	if err != nil {
		return EonKey{}, fmt.Errorf("l1: eon %d's key on KeyBroadcast: %w", eon, err)
	}
	k = EonKey{Eon: eon, Key: key, KeyperSet: out.KeyperSetIndex, ActivationBlock: out.ActivationBlock}
	e.mu.Lock()
	e.known[eon] = k
	e.mu.Unlock()
	return k, nil
}

// Accepted says whether the eon has an accepted key in the latest state,
// final or not yet.
func (e *EonKeys) Accepted(ctx context.Context, eon uint64) (bool, error) {
	cur, err := view(ctx, e.chain, e.broadcast, e.kb.PackEonKey(eon), e.kb.UnpackEonKey)
	if err != nil {
		return false, err
	}
	return len(cur.Key) != 0, nil
}

// Vote votes key (tpke's compressed eon key) as eon's key for keyper set
// set from the keyper's L1 account, and waits until the vote is mined. It
// returns at once, sending nothing, when the keyper has voted for (set,
// eon) already or the eon has this key; ErrEonKeyConflict when the eon has
// another key; a *RevertError (ErrReverted) with the contract's reason when
// KeyBroadcast refuses the vote.
func (e *EonKeys) Vote(ctx context.Context, keyper *ecdsa.PrivateKey, set, eon uint64, key []byte) error {
	l1Key, err := contracts.EonKeyToL1(key)
	if err != nil {
		return fmt.Errorf("l1: eon key to vote: %w", err)
	}
	from := crypto.PubkeyToAddress(keyper.PublicKey)
	cur, err := view(ctx, e.chain, e.broadcast, e.kb.PackEonKey(eon), e.kb.UnpackEonKey)
	if err != nil {
		return err
	}
	if len(cur.Key) != 0 {
		if bytes.Equal(cur.Key, l1Key) {
			return nil
		}
		return fmt.Errorf("%w: eon %d, accepted from keyper set %d", ErrEonKeyConflict, eon, cur.KeyperSetIndex)
	}
	voted, err := view(ctx, e.chain, e.broadcast, e.kb.PackHasVoted(set, eon, from), e.kb.UnpackHasVoted)
	if err != nil {
		return err
	}
	if voted {
		return nil
	}
	data := e.kb.PackVoteEonKey(set, eon, l1Key)
	// Keypers vote at about the same time: the estimate is made in a state
	// before the others' votes, but the vote that reaches the threshold
	// also stores the 256-byte key (eight new slots and the event).
	tx, err := e.chain.sendCallExtra(ctx, keyper, e.broadcast, nil, data, voteStoreGas)
	if err != nil {
		return fmt.Errorf("l1: vote of %s for eon %d: %w", from, eon, err)
	}
	r, err := e.chain.waitMined(ctx, tx.Hash(), e.Poll)
	if err != nil {
		return err
	}
	if r.Status != types.ReceiptStatusSuccessful {
		// Voting together, the others may have reached the threshold in
		// the same block: then the key this keyper voted is accepted.
		if cur, err := view(ctx, e.chain, e.broadcast, e.kb.PackEonKey(eon), e.kb.UnpackEonKey); err == nil && bytes.Equal(cur.Key, l1Key) {
			return nil
		}
		return fmt.Errorf("l1: vote of %s for eon %d reverted in block %d (%s)", from, eon, r.BlockNumber, tx.Hash())
	}
	return nil
}

// sendCall estimates, signs and sends a call from key to to, with the
// pending nonce and the fees of fees(). A call the contract refuses comes
// back as a *RevertError before anything is sent.
func (c *Chain) sendCall(ctx context.Context, key *ecdsa.PrivateKey, to common.Address, data []byte) (*types.Transaction, error) {
	return c.sendValueCall(ctx, key, to, nil, data)
}

// voteStoreGas is what storing an accepted eon key costs above a plain
// vote.
const voteStoreGas = 250_000

// sendValueCall is sendCall with value wei attached (nil: none).
func (c *Chain) sendValueCall(ctx context.Context, key *ecdsa.PrivateKey, to common.Address, value *big.Int, data []byte) (*types.Transaction, error) {
	return c.sendCallExtra(ctx, key, to, value, data, 0)
}

// sendCallExtra is sendValueCall with extra gas above the estimate (and
// its 20% margin).
func (c *Chain) sendCallExtra(ctx context.Context, key *ecdsa.PrivateKey, to common.Address, value *big.Int, data []byte,
	extra uint64) (*types.Transaction, error) {
	from := crypto.PubkeyToAddress(key.PublicKey)
	gas, err := c.EstimateGas(ctx, ethereum.CallMsg{From: from, To: &to, Value: value, Data: data})
	if err != nil {
		return nil, asRevert(err)
	}
	nonce, err := c.PendingNonceAt(ctx, from)
	if err != nil {
		return nil, err
	}
	tip, feeCap, err := c.fees(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := types.SignNewTx(key, c.Signer(), &types.DynamicFeeTx{ChainID: c.chainID, Nonce: nonce, GasTipCap: tip,
		GasFeeCap: feeCap, Gas: gas + gas/5 + extra, To: &to, Value: value, Data: data})
	if err != nil {
		return nil, err
	}
	if err := c.SendTransaction(ctx, tx); err != nil {
		return nil, err
	}
	return tx, nil
}
