package batch

// Gas of the sequencer's system transactions in a block (DESIGN.md section
// 6): the deposit credit to the bridge and the settlement to the inbox.
// They are generous bounds on what the predeploys use, so the system
// transactions never run out; each is split into several transactions when
// one would exceed MaxTxGas (EIP-7825). The gas budget of section 4 counts
// these limits, and the execution package sends exactly these limits, so
// the sequencer, every keyper and every verifier compute one number.
const (
	CreditBaseGas    = 80_000
	CreditPerDeposit = 40_000
	SettleBaseGas    = 80_000
	SettlePerRefund  = 20_000
	// MaxTxGas is the per-transaction gas cap of the pinned forks.
	MaxTxGas = 1 << 24

	MaxDepositsPerTx = (MaxTxGas - CreditBaseGas) / CreditPerDeposit
	MaxRefundsPerTx  = (MaxTxGas - SettleBaseGas) / SettlePerRefund
)

// CreditTxGas is the gas limit of one credit transaction for n deposits.
func CreditTxGas(n int) uint64 { return CreditBaseGas + uint64(n)*CreditPerDeposit }

// SettleTxGas is the gas limit of one settlement transaction for n refunds.
func SettleTxGas(n int) uint64 { return SettleBaseGas + uint64(n)*SettlePerRefund }

// CreditGas is the total gas limit of the credit transactions for the
// given number of deposits (none for none).
func CreditGas(deposits int) uint64 {
	return chunkedGas(deposits, MaxDepositsPerTx, CreditBaseGas, CreditPerDeposit)
}

// SettleGas bounds the gas limit of the settlement transactions for a
// block with the given number of envelopes: at most one refund per
// envelope, and one settlement transaction even when none is refunded
// (the held deposits are burned).
func SettleGas(envelopes int) uint64 {
	return chunkedGas(envelopes, MaxRefundsPerTx, SettleBaseGas, SettlePerRefund)
}

// SystemGas is the gas the block spends beyond its transactions.
func SystemGas(deposits, envelopes int) uint64 {
	return CreditGas(deposits) + SettleGas(envelopes)
}

func chunkedGas(items, perTx int, base, each uint64) uint64 {
	if items <= 0 {
		return 0
	}
	txs := max(1, (items+perTx-1)/perTx)
	return uint64(txs)*base + uint64(items)*each
}
