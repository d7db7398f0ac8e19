package ordering

import (
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/internal/ahead"
	"github.com/veil-l2/veil/internal/p2p"
	"github.com/veil-l2/veil/keyper"
)

// Work done ahead for an admitted envelope, off the path from commitment
// to block: the keypers are told of it (they compute their shares), and
// the sequencer prepares its ciphertext for decryption (parsed, with the
// Miller loop lines of U computed: what decryption can do without the
// key). Both are best effort and bounded; an envelope that misses either
// is handled in full once its batch's keys come.

// Pending announcements (keyper.TopicPending): the sequencer gossips every
// admitted envelope shortly after its receipt, so keypers compute their
// shares while the envelope waits for its batch instead of after the
// commitment. An announcement commits to nothing (the commitment does)
// and reveals nothing the envelope's own gossip would not: envelopes are
// public ciphertexts. Announcements are best effort: one that is lost or
// dropped only means the shares are computed at the commitment.
const (
	// announceInterval is how long an admitted envelope waits at most
	// before it is announced.
	announceInterval = 20 * time.Millisecond
	// announceMaxTxs and announceMaxBytes cut an announcement early.
	announceMaxTxs   = 256
	announceMaxBytes = 512 << 10
	// announceQueue bounds envelopes waiting to be announced; beyond it
	// they are not announced (admission never waits on gossip).
	announceQueue = 4096
)

type announced struct {
	eon uint64
	raw []byte
}

// Ciphertexts prepared ahead: at most preparedMax (24 KiB each: 48 MiB),
// dropped when unused for preparedStale executed batches.
const (
	preparedMax   = 2048
	preparedStale = 16
)

func newPreparedCache() *ahead.Cache[common.Hash, *tpke.PreparedCiphertext] {
	return ahead.New[common.Hash, *tpke.PreparedCiphertext](preparedMax, preparedStale)
}

// admitted queues the work ahead for an admitted envelope of eon.
func (s *Sequencer) admitted(eon uint64, tx *types.Transaction, raw []byte) {
	select {
	case s.announceIn <- announced{eon, raw}:
	default:
		s.metrics.announceDropped.Inc()
	}
	select {
	case s.prepareIn <- tx:
	default:
	}
}

// prepareLoopAhead prepares admitted envelopes' ciphertexts, on one core.
func (s *Sequencer) prepareAheadLoop() {
	signer := types.LatestSignerForChainID(new(big.Int).SetUint64(s.cfg.Chain.ChainID))
	for {
		select {
		case <-s.ctx.Done():
			return
		case tx := <-s.prepareIn:
			ahead.Wait()
			if s.prepared.Full() {
				continue
			}
			env, err := encmempool.DecodeEnvelope(tx, signer, contracts.EncryptedInboxAddress, s.cfg.Limits)
			if err != nil {
				continue
			}
			if p, err := tpke.PrepareCiphertext(env.Ciphertext); err == nil {
				s.prepared.Put(tx.Hash(), p)
			}
		}
	}
}

// announceLoop gathers admitted envelopes and publishes them per eon,
// every announceInterval or when an announcement is full.
func (s *Sequencer) announceLoop(t *p2p.Topic) {
	byEon := map[uint64]*keyper.PendingMessage{}
	size := map[uint64]int{}
	tick := time.NewTicker(announceInterval)
	defer tick.Stop()
	flush := func(eon uint64) {
		m := byEon[eon]
		delete(byEon, eon)
		delete(size, eon)
		payload, err := m.Encode()
		if err != nil {
			s.log.Warn("encoding a pending announcement failed", "err", err)
			return
		}
		s.publish(t, eon, payload)
		s.metrics.announced.Add(float64(len(m.Txs)))
	}
	for {
		select {
		case <-s.ctx.Done():
			return
		case a := <-s.announceIn:
			m := byEon[a.eon]
			if m == nil {
				m = &keyper.PendingMessage{}
				byEon[a.eon] = m
			}
			m.Txs = append(m.Txs, a.raw)
			size[a.eon] += len(a.raw)
			if len(m.Txs) >= announceMaxTxs || size[a.eon] >= announceMaxBytes {
				flush(a.eon)
			}
		case <-tick.C:
			for eon := range byEon {
				flush(eon)
			}
		}
	}
}
