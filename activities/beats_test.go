package activities

import (
	"context"
	"sync"
	"testing"
	"time"
)

// A heartbeat that read older details never lands after one that read
// newer ones: the server keeps the last beat's details (a usage total, a
// resume checkpoint), and a stale last beat under-counts what a retry
// resumes from. The first beat here is held after reading its details;
// the second, after new progress, must read and record after it. (A lock
// around the recording alone would let the second read and record first.)
func TestBeatsRecordTheLatestDetailsLast(t *testing.T) {
	var mu sync.Mutex
	progress, last, calls := 0, -1, 0
	holding := make(chan struct{})
	b := &beats{ctx: context.Background(), active: true}
	b.details = func() any {
		mu.Lock()
		got := progress
		calls++
		first := calls == 1
		mu.Unlock()
		if first {
			close(holding)
			time.Sleep(50 * time.Millisecond) // a beat slow between reading and recording
		}
		return got
	}
	b.record = func(_ context.Context, details ...any) {
		mu.Lock()
		last = details[0].(int)
		mu.Unlock()
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		var wg sync.WaitGroup
		wg.Go(b.beat)
		<-holding
		mu.Lock()
		progress = 1
		mu.Unlock()
		b.beat()
		wg.Wait()
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("beats did not finish: deadlock")
	}
	if last != 1 {
		t.Errorf("last heartbeat carried progress %d, want the latest (1)", last)
	}
}
