package l1

import (
	"context"
	"crypto/ecdsa"
	"fmt"

	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rlp"

	"github.com/veil-l2/veil/contracts"
	"github.com/veil-l2/veil/encmempool"
	"github.com/veil-l2/veil/ordering/batch"
)

// Evidence against the sequencer goes to BatchInbox, which checks it on
// chain and freezes the sequencer (no more postings). Anyone may send it;
// the functions below send it from key, wait until it is mined and return
// the receipt. BatchInbox's refusals (the evidence does not prove what it
// should, or the sequencer is frozen already) come back as a *RevertError
// naming the contract's error, before anything is sent.

// ProveEquivocation sends two sequencer-signed commitments with the same
// number and different contents.
func ProveEquivocation(ctx context.Context, chain *Chain, c Contracts, key *ecdsa.PrivateKey, a, b *batch.Signed) (*types.Receipt, error) {
	ra, err := rlp.EncodeToBytes(&a.Commitment)
	if err != nil {
		return nil, err
	}
	rb, err := rlp.EncodeToBytes(&b.Commitment)
	if err != nil {
		return nil, err
	}
	bi := contracts.NewBatchInbox()
	return sendAndWait(ctx, chain, key, c.Inbox, nil, bi.PackProveEquivocation(ra, a.Signature, rb, b.Signature), "equivocation evidence")
}

// ProveReceiptMismatch sends an order receipt and the posted commitment of
// the batch whose sequence range holds the receipt's sequence number with
// another transaction at that place.
func ProveReceiptMismatch(ctx context.Context, chain *Chain, c Contracts, key *ecdsa.PrivateKey, r *encmempool.Receipt,
	posted *batch.Commitment) (*types.Receipt, error) {
	raw, err := rlp.EncodeToBytes(posted)
	if err != nil {
		return nil, err
	}
	bi := contracts.NewBatchInbox()
	return sendAndWait(ctx, chain, key, c.Inbox, nil, bi.PackProveReceiptMismatch(receiptArg(r), posted.Number, raw),
		"receipt mismatch evidence")
}

// ProveReceiptSkipped sends an order receipt and two consecutive posted
// commitments between whose sequence ranges the receipt's number falls.
func ProveReceiptSkipped(ctx context.Context, chain *Chain, c Contracts, key *ecdsa.PrivateKey, r *encmempool.Receipt,
	posted, next *batch.Commitment) (*types.Receipt, error) {
	raw, err := rlp.EncodeToBytes(posted)
	if err != nil {
		return nil, err
	}
	rawNext, err := rlp.EncodeToBytes(next)
	if err != nil {
		return nil, err
	}
	bi := contracts.NewBatchInbox()
	return sendAndWait(ctx, chain, key, c.Inbox, nil, bi.PackProveReceiptSkipped(receiptArg(r), posted.Number, raw, rawNext),
		"receipt skipped evidence")
}

// Frozen says whether BatchInbox has frozen the sequencer (latest state).
func Frozen(ctx context.Context, chain *Chain, c Contracts) (bool, error) {
	bi := contracts.NewBatchInbox()
	frozen, err := view(ctx, chain, c.Inbox, bi.PackFrozen(), bi.UnpackFrozen)
	if err != nil {
		return false, fmt.Errorf("l1: frozen: %w", err)
	}
	return frozen, nil
}

func receiptArg(r *encmempool.Receipt) contracts.BatchInboxReceipt {
	return contracts.BatchInboxReceipt{Seq: r.Seq, TxHash: r.Hash, Time: r.Time, Signature: r.Signature}
}
