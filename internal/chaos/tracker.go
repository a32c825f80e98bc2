package chaos

import (
	"context"
	"sync"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/client"
)

// pollEvery is how often each run's status and progress are read.
const pollEvery = 500 * time.Millisecond

// observation is one progress reading of a run.
type observation struct {
	At    time.Time
	Seq   int64
	Stage string
}

// runState is what the tracker knows of one run.
type runState struct {
	ID, Question string
	Start, End   time.Time // End zero while it runs
	Status       string    // closed status (rf.Status*), "" while it runs
	Failure      string
	Engine       string
	DeadLetters  int
	Report       bool // the result has a report
	Obs          []observation
}

// tracker follows the runs: one poller per run reads its status
// (Describe) and progress (the progress query) until it closes. Errors
// (Temporal or the workflow worker down) are skipped: the next poll tries
// again.
type tracker struct {
	runs *client.Client
	mu   sync.Mutex
	st   []*runState
	wg   sync.WaitGroup
}

func newTracker(runs *client.Client) *tracker { return &tracker{runs: runs} }

func (t *tracker) add(ctx context.Context, id, question string, start time.Time) {
	s := &runState{ID: id, Question: question, Start: start}
	t.mu.Lock()
	t.st = append(t.st, s)
	t.mu.Unlock()
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		t.poll(ctx, s)
	}()
}

func (t *tracker) poll(ctx context.Context, s *runState) {
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		dctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		info, err := t.runs.Describe(dctx, s.ID)
		cancel()
		if err == nil && info.Closed {
			t.mu.Lock()
			s.End, s.Status = info.ClosedAt, info.Status
			if s.End.IsZero() {
				s.End = time.Now()
			}
			t.mu.Unlock()
			return
		}
		qctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		p, err := t.runs.Progress(qctx, s.ID)
		cancel()
		if err == nil {
			t.mu.Lock()
			s.Obs = append(s.Obs, observation{At: time.Now(), Seq: p.Seq, Stage: p.Stage})
			t.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// wait returns when every run has closed or ctx is done.
func (t *tracker) wait(ctx context.Context) {
	for {
		if t.open() == 0 {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(pollEvery):
		}
	}
}

// stop waits for the pollers (after their context was cancelled).
func (t *tracker) stop() { t.wg.Wait() }

// fetchResults reads the outcome of each closed run.
func (t *tracker) fetchResults(ctx context.Context) {
	for _, s := range t.snapshot() {
		if s.End.IsZero() {
			continue
		}
		rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		r, err := t.runs.Result(rctx, s.ID)
		cancel()
		t.mu.Lock()
		for _, live := range t.st {
			if live.ID != s.ID {
				continue
			}
			if err != nil {
				live.Failure = client.FailureMessage(err)
			} else {
				live.Engine, live.DeadLetters, live.Report = r.Engine, len(r.DeadLetters), r.Report != ""
			}
		}
		t.mu.Unlock()
	}
}

// snapshot returns copies of the runs' states.
func (t *tracker) snapshot() []runState {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]runState, len(t.st))
	for i, s := range t.st {
		out[i] = *s
		out[i].Obs = append([]observation(nil), s.Obs...)
	}
	return out
}

// open counts the runs that have not closed.
func (t *tracker) open() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, s := range t.st {
		if s.End.IsZero() {
			n++
		}
	}
	return n
}

// inStage counts the open runs whose last progress is in one of stages.
func (t *tracker) inStage(stages ...string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, s := range t.st {
		if !s.End.IsZero() || len(s.Obs) == 0 {
			continue
		}
		last := s.Obs[len(s.Obs)-1].Stage
		for _, st := range stages {
			if last == st {
				n++
				break
			}
		}
	}
	return n
}

func (t *tracker) firstStart() time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	var first time.Time
	for _, s := range t.st {
		if first.IsZero() || s.Start.Before(first) {
			first = s.Start
		}
	}
	return first
}

// searchStages are the stages in which the search pool works.
var searchStages = []string{rf.StageCorpus, rf.StageSearch, rf.StageAnalyze}
