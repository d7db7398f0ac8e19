package l1

import (
	"context"
	"testing"
)

// TestEonsSchedule: keyper sets count for keypers only once final, while
// the schedule names a set as soon as the latest state has it (so origins
// stay below its activation); NextUpTo caps the origin.
func TestEonsSchedule(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	eons := NewEons(e.chain, e.c)
	list, through, err := eons.Schedule(ctx)
	if err != nil || len(list) != 0 || through != e.head() {
		t.Fatalf("no sets: %+v through %d (head %d), %v", list, through, e.head(), err)
	}
	res := committee(t, 1)
	e.setUpEon(1, res)
	e.addSet() // set 1, voting eon 2, not final
	list, through, err = eons.Schedule(ctx)
	if err != nil || len(list) != 2 || through != e.head() {
		t.Fatalf("two sets: %+v through %d, %v", list, through, err)
	}
	if s := list[0]; s.Eon != 1 || !s.Final || string(s.Key) != string(res[0].EonPublicKey.Bytes()) {
		t.Fatalf("eon 1: %+v", s)
	}
	if s := list[1]; s.Eon != 2 || s.Final || s.Key != nil || s.Set.ActivationBlock == 0 || len(s.Set.Members) != nKeypers {
		t.Fatalf("eon 2: %+v", s)
	}
	if set, ok, err := eons.KeyperSet(ctx, 1); err != nil || !ok || set.Threshold != threshold || len(set.Members) != nKeypers {
		t.Fatalf("set of eon 1: %+v %v %v", set, ok, err)
	}
	if _, ok, err := eons.KeyperSet(ctx, 2); err != nil || ok {
		t.Fatalf("set of eon 2 before it is final: %v %v", ok, err)
	}
	if _, ok, err := eons.EonKey(ctx, 2); err != nil || ok {
		t.Fatalf("key of eon 2: %v %v", ok, err)
	}
	e.finalize()
	set, ok, err := eons.KeyperSet(ctx, 2)
	if err != nil || !ok || set.Activation != list[1].Set.ActivationBlock {
		t.Fatalf("set of eon 2 once final: %+v %v %v", set, ok, err)
	}

	o := NewOrigin(e.chain, e.c, OriginConfig{})
	start := e.head()
	for range 3 {
		e.commit()
	}
	if got, _, _, err := o.NextUpTo(ctx, start, start+1); err != nil || got.Number != start+1 {
		t.Fatalf("capped at %d: %+v %v", start+1, got, err)
	}
	if got, _, _, err := o.NextUpTo(ctx, start+1, start); err != nil || got.Number != start+1 {
		t.Fatalf("a cap below after: %+v %v", got, err)
	}
	if got, _, _, err := o.Next(ctx, start+1); err != nil || got.Number != start+3 {
		t.Fatalf("uncapped: %+v %v", got, err)
	}
}
