package l1

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"

	"github.com/ethereum/go-ethereum/rlp"

	"github.com/veil-l2/veil/encmempool/tpke"
	"github.com/veil-l2/veil/ordering"
	"github.com/veil-l2/veil/ordering/batch"
)

// ErrBatchData reports posted batch data that does not decode, or whose
// parts do not belong together.
var ErrBatchData = errors.New("l1: invalid batch data")

// Compression is how batch data is compressed (the second byte of the
// data).
type Compression byte

const (
	// NoCompression posts the payload as it is.
	NoCompression Compression = 0
	// Flate is DEFLATE (RFC 1951, compress/flate at BestCompression).
	Flate Compression = 1
)

// batchDataVersion is the first byte of batch data.
const batchDataVersion = 1

// batchPayload is the data's content: the batch's wire encoding
// (batch.Batch.Encode: the signed commitment and the transactions) and the
// keys message (ordering.KeysMessage.Encode: one key per keyed envelope,
// the attestation, the signers).
type batchPayload struct {
	Batch []byte
	Keys  []byte
}

// EncodeBatchData returns what BatchInbox.submitBatch carries as data for
// the batch b with its keys: version (1) ‖ compression ‖ payload, the
// payload being RLP([batch wire encoding, keys message]), compressed as
// asked. The keys message must be the batch's (chain, eon, number, hash).
func EncodeBatchData(b *batch.Batch, keys *ordering.KeysMessage, c Compression) ([]byte, error) {
	if err := matchKeys(&b.Commitment, keys); err != nil {
		return nil, err
	}
	bw, err := b.Encode()
	if err != nil {
		return nil, err
	}
	kw, err := keys.Encode()
	if err != nil {
		return nil, err
	}
	payload, err := rlp.EncodeToBytes(&batchPayload{Batch: bw, Keys: kw})
	if err != nil {
		return nil, err
	}
	out := []byte{batchDataVersion, byte(c)}
	switch c {
	case NoCompression:
		return append(out, payload...), nil
	case Flate:
		buf := bytes.NewBuffer(out)
		w, err := flate.NewWriter(buf, flate.BestCompression)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(payload); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	return nil, fmt.Errorf("%w: unknown compression %d", ErrBatchData, c)
}

// DecodeBatchData is EncodeBatchData's strict inverse: it decompresses at
// most what lim allows (a batch of lim.MaxBytes plus a key per
// transaction), decodes the batch with batch.Decode and the keys message
// with ordering.DecodeKeysMessage, and checks that they belong together.
// It checks no signature and no key.
func DecodeBatchData(data []byte, lim batch.Limits) (*batch.Batch, *ordering.KeysMessage, error) {
	if len(data) < 2 || data[0] != batchDataVersion {
		return nil, nil, fmt.Errorf("%w: not version %d data", ErrBatchData, batchDataVersion)
	}
	maxPayload := int64(lim.MaxBytes) + int64(lim.MaxTxs+1)*tpke.G1Size + 4096
	var payload []byte
	switch Compression(data[1]) {
	case NoCompression:
		payload = data[2:]
	case Flate:
		src := bytes.NewReader(data[2:])
		var err error
		payload, err = io.ReadAll(io.LimitReader(flate.NewReader(src), maxPayload+1))
		if err != nil {
			return nil, nil, fmt.Errorf("%w: decompressing: %v", ErrBatchData, err)
		}
		if src.Len() != 0 && int64(len(payload)) <= maxPayload {
			return nil, nil, fmt.Errorf("%w: %d bytes after the compressed stream", ErrBatchData, src.Len())
		}
	default:
		return nil, nil, fmt.Errorf("%w: unknown compression %d", ErrBatchData, data[1])
	}
	if int64(len(payload)) > maxPayload {
		return nil, nil, fmt.Errorf("%w: payload above %d bytes", ErrBatchData, maxPayload)
	}
	var p batchPayload
	if err := rlp.DecodeBytes(payload, &p); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrBatchData, err)
	}
	b, err := batch.Decode(p.Batch, lim)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrBatchData, err)
	}
	keys, err := ordering.DecodeKeysMessage(p.Keys)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrBatchData, err)
	}
	if len(keys.Keys)/tpke.G1Size > len(b.Txs) {
		return nil, nil, fmt.Errorf("%w: %d keys for %d transactions", ErrBatchData, len(keys.Keys)/tpke.G1Size, len(b.Txs))
	}
	if err := matchKeys(&b.Commitment, keys); err != nil {
		return nil, nil, err
	}
	return b, keys, nil
}

func matchKeys(c *batch.Commitment, k *ordering.KeysMessage) error {
	if k.ChainID != c.ChainID || k.Eon != c.Eon || k.Number != c.Number || k.Hash != c.Hash() {
		return fmt.Errorf("%w: keys for batch %d of eon %d (chain %d), the batch is %d of eon %d (chain %d) or has another hash",
			ErrBatchData, k.Number, k.Eon, k.ChainID, c.Number, c.Eon, c.ChainID)
	}
	return nil
}
