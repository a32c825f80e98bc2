package gateway

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/researchflow/researchflow/workflows"

	"github.com/researchflow/researchflow/internal/reasoning"

	rf "github.com/researchflow/researchflow"
)

func TestRedrive(t *testing.T) {
	h := newHarness(t, nil)
	id := h.start(aliceKey, "What is the log retention policy?")
	rec := h.do("POST", "/v1/research/"+id+"/redrive", aliceKey, "")
	if rec.Code != http.StatusConflict || errorCode(t, rec) != "not_finished" {
		t.Fatalf("redrive of a running run: %d %s", rec.Code, rec.Body)
	}

	h.fake.complete(id, rf.ResearchResult{ResearchID: id, Title: "R"})
	w := h.fake.get(id)
	in := w.input.(rf.ResearchInput)
	h.fake.mu.Lock()
	h.fake.wfs[id].record = &workflows.RunRecord{ResearchID: id, Input: in, State: workflows.ResearchState{Status: rf.StatusCompleted}}
	h.fake.mu.Unlock()
	rec = h.do("POST", "/v1/research/"+id+"/redrive", aliceKey, "")
	if rec.Code != http.StatusConflict || errorCode(t, rec) != "nothing_to_redrive" {
		t.Fatalf("redrive without dead letters: %d %s", rec.Code, rec.Body)
	}

	st := workflows.ResearchState{Status: rf.StatusCompleted, SubQuestions: []workflows.SubQuestionState{{
		SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: "How long?"}, State: rf.SQFailed, Error: "no source answered it",
		Searches: []workflows.SourceSearch{{Source: "arxiv", State: rf.SQFailed, Error: "503", Attempts: 4}},
	}}, DeadLetters: []rf.DeadLetter{{SubQuestionID: "sq1", SubQuestion: "How long?", Provider: "arxiv", Attempts: 4, LastError: "503", At: time.Unix(1, 0)}}}
	h.fake.mu.Lock()
	h.fake.wfs[id].record = &workflows.RunRecord{ResearchID: id, Input: in, State: st}
	h.fake.mu.Unlock()
	starts := h.fake.starts
	rec = h.do("POST", "/v1/research/"+id+"/redrive", bobKey, "")
	if rec.Code != http.StatusNotFound {
		t.Errorf("another owner's redrive: %d %s", rec.Code, rec.Body)
	}
	rec = h.do("POST", "/v1/research/"+id+"/redrive", aliceKey, "")
	if rec.Code != http.StatusAccepted {
		t.Fatalf("redrive: %d %s", rec.Code, rec.Body)
	}
	var rr RedriveResponse
	decode(t, rec, &rr)
	if rr.ID != id+"-rev2" || rr.RedriveOf != id || rr.Links.Self != "/v1/research/"+rr.ID {
		t.Errorf("answer = %+v", rr)
	}
	next := h.fake.get(rr.ID).input.(rf.ResearchInput)
	var resumed workflows.ResearchState
	if err := json.Unmarshal(next.Resume, &resumed); err != nil {
		t.Fatalf("the redrive input's saved state: %v", err)
	}
	if next.RedriveOf != id || resumed.Revision != 2 || next.Owner != "alice" ||
		resumed.SubQuestions[0].State != rf.SQPending || resumed.SubQuestions[0].Searches[0].State != rf.SQPending {
		t.Errorf("redrive input = %+v, state %+v", next, resumed)
	}
	// A second redrive of the same revision is the same run.
	rec = h.do("POST", "/v1/research/"+id+"/redrive", aliceKey, "")
	var again RedriveResponse
	decode(t, rec, &again)
	if rec.Code != http.StatusAccepted || again.ID != rr.ID || h.fake.starts != starts+1 {
		t.Errorf("second redrive: %d %+v, %d starts", rec.Code, again, h.fake.starts-starts)
	}
}

func TestCreateResearchSources(t *testing.T) {
	h := newHarness(t, nil)
	rec := h.do("POST", "/v1/research", aliceKey, `{"question":"What is new in quantum computing?","sources":[" Web","arxiv","web"]}`)
	if rec.Code != http.StatusAccepted && rec.Code != http.StatusOK && rec.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	var out CreateResearchResponse
	decode(t, rec, &out)
	got := h.fake.get(out.ID).input.(rf.ResearchInput).Sources
	if len(got) != 2 || got[0] != "web" || got[1] != "arxiv" {
		t.Errorf("sources = %q, want [web arxiv]", got)
	}
	for _, body := range []string{`{"question":"What is it?","sources":["google"]}`, `{"question":"What is it?","sources":[""]}`} {
		rec = h.do("POST", "/v1/research", aliceKey, body)
		if rec.Code != http.StatusBadRequest || errorCode(t, rec) != "invalid_request" {
			t.Errorf("%s: %d %s", body, rec.Code, rec.Body)
		}
	}
}

func TestSourcesList(t *testing.T) {
	h := newHarness(t, nil)
	h.cfg.Sources = []string{"corpus", "arxiv", "searxng", "web"}
	h.build()
	rec := h.do("GET", "/v1/sources", aliceKey, "")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /v1/sources: %d %s", rec.Code, rec.Body)
	}
	var out SourcesResponse
	decode(t, rec, &out)
	got := map[string]bool{}
	var names []string
	for _, s := range out.Sources {
		got[s.Name] = s.Configured
		names = append(names, s.Name)
	}
	if !slices.Equal(names, rf.KnownSources) {
		t.Errorf("names %q, want %q", names, rf.KnownSources)
	}
	for name, want := range map[string]bool{"corpus": true, "web": true, "searxng": true, "arxiv": true, "tavily": false, "brave": false, "openalex": false, "wikipedia": false} {
		if got[name] != want {
			t.Errorf("%s configured = %v, want %v", name, got[name], want)
		}
	}
	if rec := h.do("GET", "/v1/sources", "", ""); rec.Code != http.StatusUnauthorized {
		t.Errorf("without a key: %d", rec.Code)
	}
}
