package app

import (
	"context"
	"testing"
	"time"
)

// A value is read once per period, and forget makes the next get read it again, even while a read begun before
// the forget is still under way: that read's value (from before the change) is not kept.
func TestKeptValueForgottenDuringARead(t *testing.T) {
	var k kept[int]
	ctx := context.Background()
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	reads := 0
	read := func(context.Context) (int, error) { reads++; return reads, nil }
	if v, _, _ := k.get(ctx, now, time.Minute, read); v != 1 {
		t.Fatalf("first read %d", v)
	}
	if v, _, _ := k.get(ctx, now.Add(30*time.Second), time.Minute, read); v != 1 || reads != 1 {
		t.Fatalf("kept value %d after %d reads", v, reads)
	}

	started, release := make(chan struct{}), make(chan struct{})
	slow := func(context.Context) (int, error) { close(started); <-release; return -1, nil }
	k.forget()
	done := make(chan int)
	go func() { v, _, _ := k.get(ctx, now, time.Minute, slow); done <- v }()
	<-started
	k.forget() // a change while the read is under way
	if v, _, _ := k.get(ctx, now, time.Minute, read); v != 2 {
		t.Errorf("after the second forget: %d, want a read of its own (2)", v)
	}
	close(release)
	<-done
	if v, _, _ := k.get(ctx, now, time.Minute, read); v != 2 || reads != 2 {
		t.Errorf("kept %d after %d reads: the read begun before the change was kept", v, reads)
	}
}
