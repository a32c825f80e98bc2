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
// resumes from. The first beat here is held while it records; the second,
// after new progress, must record after it.
func TestBeatsRecordTheLatestDetailsLast(t *testing.T) {
	var mu sync.Mutex
	progress, last := 0, -1
	holding := make(chan struct{})
	b := &beats{ctx: context.Background(), active: true}
	b.details = func() any {
		mu.Lock()
		defer mu.Unlock()
		return progress
	}
	b.record = func(_ context.Context, details ...any) {
		got := details[0].(int)
		if got == 0 {
			close(holding)
			time.Sleep(50 * time.Millisecond) // a slow heartbeat call
		}
		mu.Lock()
		last = got
		mu.Unlock()
	}
	var wg sync.WaitGroup
	wg.Go(b.beat)
	<-holding
	mu.Lock()
	progress = 1
	mu.Unlock()
	b.beat()
	wg.Wait()
	if last != 1 {
		t.Errorf("last heartbeat carried progress %d, want the latest (1)", last)
	}
}
