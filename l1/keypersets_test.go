package l1

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

// TestAddKeyperSetPastActivation: a set whose activation block the chain
// passes before the transaction is mined is refused as KeyperSetManager
// refuses it (ActivationTooEarly, named, with the blocks); AddKeyperSetAfter
// adds from the head and gives up, with the same named error, when every
// try is refused.
func TestAddKeyperSetPastActivation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	members := make([]common.Address, len(e.keypers))
	for i, k := range e.keypers {
		members[i] = addr(k)
	}
	tooEarly := func(err error) bool {
		var re *RevertError
		return errors.As(err, &re) && re.Name == activationTooEarly
	}

	// Activation = the head: the estimate (in the head's state) passes, the
	// block that takes the transaction is past it.
	var err error
	at := e.head()
	e.mined(func() { _, err = AddKeyperSet(ctx, e.chain, e.c, e.owner, members, threshold, at) })
	if !tooEarly(err) || !strings.Contains(err.Error(), "past its activation block") {
		t.Fatalf("activation %d, mined after it: %v, want a mined ActivationTooEarly", at, err)
	}

	var index, activation uint64
	head := e.head()
	e.mined(func() { index, activation, err = AddKeyperSetAfter(ctx, e.chain, e.c, e.owner, members, threshold, 5) })
	if err != nil {
		t.Fatal(err)
	}
	if index != 0 || activation != head+5 {
		t.Fatalf("set %d active from %d, want set 0 from %d", index, activation, head+5)
	}
	// Set 0 is active from head+5: a set from the next block is refused on
	// every try (the head does not move without a transaction).
	e.mined(func() { _, _, err = AddKeyperSetAfter(ctx, e.chain, e.c, e.owner, members, threshold, 1) })
	if !tooEarly(err) {
		t.Fatalf("a set before the last one's activation: %v, want ActivationTooEarly", err)
	}
}
