package batch

import "testing"

func TestSystemGas(t *testing.T) {
	for _, c := range []struct {
		deposits, envelopes int
		want                uint64
	}{
		{0, 0, 0},
		{1, 0, CreditBaseGas + CreditPerDeposit},
		{0, 1, SettleBaseGas + SettlePerRefund},
		{2, 3, CreditBaseGas + 2*CreditPerDeposit + SettleBaseGas + 3*SettlePerRefund},
		// One more refund than fits in one transaction: a second base.
		{0, MaxRefundsPerTx + 1, 2*SettleBaseGas + (MaxRefundsPerTx+1)*SettlePerRefund},
		{MaxDepositsPerTx, 0, CreditBaseGas + MaxDepositsPerTx*CreditPerDeposit},
	} {
		if got := SystemGas(c.deposits, c.envelopes); got != c.want {
			t.Errorf("SystemGas(%d, %d) = %d, want %d", c.deposits, c.envelopes, got, c.want)
		}
	}
	if CreditTxGas(MaxDepositsPerTx) > MaxTxGas || SettleTxGas(MaxRefundsPerTx) > MaxTxGas {
		t.Fatal("a full system transaction exceeds the per-transaction cap")
	}
}
