package gateway

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/researchflow/researchflow/workflows"

	"github.com/researchflow/researchflow/internal/events"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	rf "github.com/researchflow/researchflow"
)

// eventedRun makes new runs go through their stage events: plan.ready at
// Seq 1, search.completed at 4, analysis.completed at 6, report.ready at 7,
// shown by snapshots 2, 5 and 8.
func eventedRun(w *fakeRun) {
	in := w.input.(rf.ResearchInput)
	ev := func(seq int64, typ string) rf.Event {
		return rf.Event{ID: workflows.EventID(w.id, typ, 0), Type: typ, Seq: seq, Data: rf.EventData{ResearchID: w.id}}
	}
	all := []rf.Event{ev(1, rf.EventPlanReady), ev(4, rf.EventSearchCompleted), ev(6, rf.EventAnalysisCompleted), ev(7, rf.EventReportReady)}
	p := func(seq int64, status, stage string, events int) rf.Progress {
		return rf.Progress{ResearchID: w.id, Question: in.Question, Status: status, Stage: stage, Seq: seq, Events: all[:events]}
	}
	w.script = []rf.Progress{
		p(2, rf.StatusRunning, rf.StagePlan, 1),
		p(5, rf.StatusRunning, rf.StageSearch, 2),
		p(5, rf.StatusRunning, rf.StageSearch, 2),
		p(8, rf.StatusCompleted, rf.StageDone, 4),
	}
	res := completedResult(w.id)
	w.result = &res
}

// names renders a stream as "name@id" words.
func names(pairs [][2]string) string {
	var b []string
	for _, p := range pairs {
		b = append(b, p[0]+"@"+p[1])
	}
	return strings.Join(b, " ")
}

const wantStream = "research.plan.ready@1 progress@2 research.search.completed@4 progress@5 " +
	"research.analysis.completed@6 research.report.ready@7 progress@8 done@"

// TestEventsStreamCarriesStageEvents: the SSE stream names the stage events
// by their CloudEvents type, carries the CloudEvent as data, orders them
// with the progress snapshots by Seq, and resumes after any ID.
func TestEventsStreamCarriesStageEvents(t *testing.T) {
	h := newHarness(t, nil)
	h.fake.newRun = eventedRun
	srv := httptest.NewServer(h.h)
	defer srv.Close()
	sse := func(id, last string) ([][2]string, []sseEvent) {
		var out [][2]string
		evs := readSSE(t, srv, "/v1/research/"+id+"/events", aliceKey, last)
		for _, e := range evs {
			out = append(out, [2]string{e.event, e.id})
		}
		return out, evs
	}
	id := h.start(aliceKey, "What does the Go memory model guarantee?")
	got, evs := sse(id, "")
	if names(got) != wantStream {
		t.Fatalf("stream = %s\nwant     %s", names(got), wantStream)
	}
	var ce struct {
		SpecVersion string `json:"specversion"`
		ID, Type    string
		Source      string
		Data        rf.EventData
	}
	if err := json.Unmarshal([]byte(evs[0].data), &ce); err != nil {
		t.Fatal(err)
	}
	if ce.SpecVersion != "1.0" || ce.ID != id+":"+rf.EventPlanReady || ce.Type != rf.EventPlanReady ||
		ce.Source != events.Source(id) || ce.Data.ResearchID != id {
		t.Errorf("plan.ready data = %s", evs[0].data)
	}
	// Resumed after the search event: the rest, nothing twice.
	id = h.start(aliceKey, "Resume after an event")
	got, _ = sse(id, "4")
	if want := "progress@5 research.analysis.completed@6 research.report.ready@7 progress@8 done@"; names(got) != want {
		t.Errorf("resumed after 4 = %s\nwant %s", names(got), want)
	}
}

// readWS reads a WebSocket stream until the server closes it.
func readWS(t *testing.T, srv *httptest.Server, path, key string, hdr http.Header) ([][2]string, []WSMessage, error) {
	t.Helper()
	if hdr == nil {
		hdr = http.Header{}
	}
	hdr.Set("Authorization", "Bearer "+key)
	conn, resp, err := websocket.Dial(t.Context(), "ws"+strings.TrimPrefix(srv.URL, "http")+path, &websocket.DialOptions{HTTPHeader: hdr})
	if err != nil {
		if resp != nil {
			return nil, nil, fmt.Errorf("%w (status %d)", err, resp.StatusCode)
		}
		return nil, nil, err
	}
	defer conn.CloseNow()
	var out [][2]string
	var msgs []WSMessage
	for {
		var m WSMessage
		if err := wsjson.Read(t.Context(), conn, &m); err != nil {
			if websocket.CloseStatus(err) != websocket.StatusNormalClosure {
				t.Errorf("stream ended with %v", err)
			}
			return out, msgs, nil
		}
		out = append(out, [2]string{m.Event, m.ID})
		msgs = append(msgs, m)
	}
}

// TestWebSocketStream: the WebSocket carries the same events as SSE, with
// the same resumption, and closes normally after the final one; a caller
// without the run's key or from a foreign origin gets no stream.
func TestWebSocketStream(t *testing.T) {
	h := newHarness(t, nil)
	h.fake.newRun = eventedRun
	srv := httptest.NewServer(h.h)
	defer srv.Close()
	id := h.start(aliceKey, "What does the Go memory model guarantee?")
	got, msgs, err := readWS(t, srv, "/v1/research/"+id+"/ws", aliceKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	if names(got) != wantStream {
		t.Fatalf("ws stream = %s\nwant        %s", names(got), wantStream)
	}
	if d, _ := json.Marshal(msgs[0].Data); !strings.Contains(string(d), `"specversion":"1.0"`) {
		t.Errorf("plan.ready data = %s", d)
	}
	id = h.start(aliceKey, "Resume")
	got, _, err = readWS(t, srv, "/v1/research/"+id+"/ws?lastEventId=6", aliceKey, nil)
	if want := "research.report.ready@7 progress@8 done@"; err != nil || names(got) != want {
		t.Errorf("resumed after 6 = %s, %v; want %s", names(got), err, want)
	}
	if _, _, err := readWS(t, srv, "/v1/research/"+id+"/ws", bobKey, nil); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("bob opened alice's stream: %v", err)
	}
	if _, _, err := readWS(t, srv, "/v1/research/"+id+"/ws", aliceKey, http.Header{"Origin": {"https://evil.example"}}); err == nil {
		t.Error("a foreign origin opened a stream")
	}
}

// TestAudit: GET /v1/research/{id}/audit answers the run's audit query to
// its owner only, and 503 when no worker can answer.
func TestAudit(t *testing.T) {
	h := newHarness(t, nil)
	id := h.start(aliceKey, "Why this answer?")
	h.fake.mu.Lock()
	h.fake.wfs[id].audit = &rf.Audit{ResearchID: id, SubQuestions: []rf.AuditSubQuestion{{
		ID: "sq1", Text: "What is a channel?", Why: "the question names channels", State: rf.SQFailed, Gap: "no passage of the corpus matched it",
	}}}
	h.fake.mu.Unlock()
	rec := h.do("GET", "/v1/research/"+id+"/audit", aliceKey, "")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d %s", rec.Code, rec.Body)
	}
	var a rf.Audit
	decode(t, rec, &a)
	if a.ResearchID != id || len(a.SubQuestions) != 1 || a.SubQuestions[0].Gap == "" || a.SubQuestions[0].Why == "" {
		t.Errorf("audit = %+v", a)
	}
	if rec := h.do("GET", "/v1/research/"+id+"/audit", bobKey, ""); rec.Code != http.StatusNotFound {
		t.Errorf("bob reads alice's audit: %d", rec.Code)
	}
	other := h.start(aliceKey, "No worker")
	if rec := h.do("GET", "/v1/research/"+other+"/audit", aliceKey, ""); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("audit without an answer: %d %s", rec.Code, rec.Body)
	}
}
