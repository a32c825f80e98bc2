package gateway

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"
)

// sseEvent is one parsed Server-Sent Event.
type sseEvent struct {
	id, event, data string
}

// readSSE reads events from a live stream until it ends.
func readSSE(t *testing.T, srv *httptest.Server, path, key, lastID string) []sseEvent {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "GET", srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var events []sseEvent
	var cur sseEvent
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if cur.event != "" || cur.data != "" {
				events = append(events, cur)
			}
			cur = sseEvent{}
		case strings.HasPrefix(line, "id: "):
			cur.id = strings.TrimPrefix(line, "id: ")
		case strings.HasPrefix(line, "event: "):
			cur.event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			cur.data = strings.TrimPrefix(line, "data: ")
		}
	}
	return events
}

// scriptedRun makes new runs report progress through stages, with some
// snapshots repeated (polls that see no change), then complete.
func scriptedRun(w *fakeRun) {
	in := w.input.(rf.ResearchInput)
	p := func(seq int64, status, stage string, sq ...rf.SubQuestionProgress) rf.Progress {
		return rf.Progress{ResearchID: w.id, Question: in.Question, Status: status, Stage: stage, Seq: seq, SubQuestions: sq}
	}
	sq := func(state string) rf.SubQuestionProgress {
		return rf.SubQuestionProgress{ID: "sq1", Text: "What is a happens-before edge?", State: state}
	}
	w.script = []rf.Progress{
		p(1, rf.StatusRunning, rf.StagePlan),
		p(1, rf.StatusRunning, rf.StagePlan),
		p(2, rf.StatusRunning, rf.StageSearch, sq(rf.SQSearching)),
		p(2, rf.StatusRunning, rf.StageSearch, sq(rf.SQSearching)),
		p(3, rf.StatusRunning, rf.StageAnalyze, sq(rf.SQAnalyzing)),
		p(5, rf.StatusRunning, rf.StageSynthesize, sq(rf.SQDone)),
		p(6, rf.StatusCompleted, rf.StageDone, sq(rf.SQDone)),
	}
	res := completedResult(w.id)
	w.result = &res
}

func TestEventsStream(t *testing.T) {
	h := newHarness(t, nil)
	h.fake.newRun = scriptedRun
	srv := httptest.NewServer(h.h)
	defer srv.Close()
	id := h.start(aliceKey, "What does the Go memory model guarantee?")

	events := readSSE(t, srv, "/v1/research/"+id+"/events", aliceKey, "")
	var ids []int64
	for _, ev := range events[:len(events)-1] {
		if ev.event != "progress" {
			t.Fatalf("event %q before the end", ev.event)
		}
		n, err := strconv.ParseInt(ev.id, 10, 64)
		if err != nil {
			t.Fatalf("event id %q", ev.id)
		}
		var p rf.Progress
		if err := json.Unmarshal([]byte(ev.data), &p); err != nil || p.Seq != n {
			t.Fatalf("event %s data %s: %v", ev.id, ev.data, err)
		}
		ids = append(ids, n)
	}
	if got, want := fmt.Sprint(ids), "[1 2 3 5 6]"; got != want {
		t.Errorf("event ids = %s, want %s (each seq once, increasing)", got, want)
	}
	last := events[len(events)-1]
	if last.event != "done" || last.id != "" {
		t.Fatalf("final event = %+v", last)
	}
	var fin FinalEvent
	if err := json.Unmarshal([]byte(last.data), &fin); err != nil {
		t.Fatal(err)
	}
	if fin.Status != rf.StatusCompleted || fin.Result == nil || fin.Result.Sources != 2 || fin.Links.Report == "" {
		t.Errorf("done event = %+v", fin)
	}
}

func TestEventsResume(t *testing.T) {
	h := newHarness(t, nil)
	srv := httptest.NewServer(h.h)
	defer srv.Close()
	id := h.start(aliceKey, "Resume me")
	// The run stays at seq 4 until it completes.
	h.fake.mu.Lock()
	w := h.fake.wfs[id]
	w.script = []rf.Progress{{ResearchID: id, Status: rf.StatusRunning, Stage: rf.StageAnalyze, Seq: 4}}
	h.fake.mu.Unlock()
	go func() {
		time.Sleep(100 * time.Millisecond)
		h.fake.complete(id, completedResult(id))
	}()

	// A client that already saw seq 4 gets nothing twice, only the end.
	events := readSSE(t, srv, "/v1/research/"+id+"/events", aliceKey, "4")
	if len(events) != 1 || events[0].event != "done" {
		t.Errorf("resume at the current seq: %+v", events)
	}
	// A client that saw seq 2 gets the current snapshot at once, then the end.
	events = readSSE(t, srv, "/v1/research/"+id+"/events", aliceKey, "2")
	if len(events) != 2 || events[0].id != "4" || events[1].event != "done" {
		t.Errorf("resume behind: %+v", events)
	}
	req := httptest.NewRequest("GET", "/v1/research/"+id+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+aliceKey)
	req.Header.Set("Last-Event-ID", "four")
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, req)
	if rec.Code != 400 {
		t.Errorf("bad Last-Event-ID: %d", rec.Code)
	}
}

func TestEventsEndings(t *testing.T) {
	h := newHarness(t, nil)
	srv := httptest.NewServer(h.h)
	defer srv.Close()

	failed := h.start(aliceKey, "Fail me")
	h.fake.fail(failed, errors.New("no passages in corpus"))
	events := readSSE(t, srv, "/v1/research/"+failed+"/events", aliceKey, "")
	last := events[len(events)-1]
	if last.event != "failed" || !strings.Contains(last.data, "no passages in corpus") {
		t.Errorf("failed run ends with %+v", last)
	}

	cancelled := h.start(aliceKey, "Cancel me")
	go func() {
		time.Sleep(50 * time.Millisecond)
		h.fake.Cancel(t.Context(), cancelled)
	}()
	events = readSSE(t, srv, "/v1/research/"+cancelled+"/events", aliceKey, "")
	if len(events) < 2 || events[0].event != "progress" || events[len(events)-1].event != "cancelled" {
		t.Errorf("cancelled run: %+v", events)
	}
}

func TestEventsHeartbeat(t *testing.T) {
	h := newHarness(t, nil)
	h.cfg.EventsHeartbeat = 20 * time.Millisecond
	h.cfg.EventsPoll = time.Hour
	h.build()
	srv := httptest.NewServer(h.h)
	defer srv.Close()
	id := h.start(aliceKey, "Beat")
	req, _ := http.NewRequestWithContext(t.Context(), "GET", srv.URL+"/v1/research/"+id+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+aliceKey)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	deadline := time.After(5 * time.Second)
	got := make(chan bool)
	go func() {
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), ": heartbeat") {
				got <- true
				return
			}
		}
	}()
	select {
	case <-got:
	case <-deadline:
		t.Fatal("no heartbeat comment")
	}
}
