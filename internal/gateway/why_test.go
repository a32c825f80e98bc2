package gateway

import (
	"net/http"
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/memory"
)

// GET /v1/research/{id}/why tells the audit for a person: each
// sub-question's reason, the passages it read by source title and quote on
// one 0–100 scale (no chunk IDs), what it kept with its [n], and every gap
// in plain words with its cause, dead letters included.
func TestWhyForPeople(t *testing.T) {
	h := newHarness(t, nil)
	const c1, c2 = "6f1d0c2e-0000-4000-8000-000000000001", "6f1d0c2e-0000-4000-8000-000000000002"
	h.chunks.chunks[c1] = memory.Chunk{ID: c1, SourceTitle: "The Go Memory Model", Text: "A send on a channel is synchronized before the completion of the corresponding receive from that channel."}
	h.chunks.chunks[c2] = memory.Chunk{ID: c2, SourceLocation: "/usr/local/go/doc/effective_go.html", Text: strings.Repeat("Share memory by communicating. ", 20)}
	id := h.start(aliceKey, "What does the Go memory model guarantee?")
	h.fake.mu.Lock()
	w := h.fake.wfs[id]
	w.audit = &rf.Audit{ResearchID: id, Question: "What does the Go memory model guarantee?", Status: rf.StatusCompleted,
		Sources: []rf.Source{{N: 1, SourceID: "s1", Title: "The Go Memory Model"}},
		SubQuestions: []rf.AuditSubQuestion{
			{ID: "sq1", Text: "What is a happens-before edge?", Why: "the question rests on it", State: rf.SQDone,
				Retrieval: &rf.AuditRetrieval{Query: "happens-before", Passages: []rf.AuditPassage{{ChunkID: c1, Score: 0.032}, {ChunkID: c2, Score: 0.016}}},
				Findings:  []rf.AuditFinding{{Text: "A send is synchronized before the receive completes.", ChunkID: c1, SourceID: "s1", Cited: 1, Score: 0.9}}},
			{ID: "sq2", Text: "What does Wikipedia say about it?", Why: "a second view", State: rf.SQFailed, Gap: "no passages"},
		},
		Decisions: []rf.Decision{{Kind: "plan", Detail: "2 sub-questions"}},
	}
	res := completedResult(id)
	res.Gaps = []rf.Gap{{SubQuestion: "What does Wikipedia say about it?", Reason: "Wikipedia could not be reached", Cause: "dial tcp: lookup en.wikipedia.org: no such host"}}
	res.DeadLetters = []rf.DeadLetter{{SubQuestionID: "sq2", SubQuestion: "What does Wikipedia say about it?", Provider: "wikipedia", Attempts: 4, LastError: "dial tcp: lookup en.wikipedia.org: no such host"}}
	w.closeLocked(&res, nil, rf.StatusCompleted)
	h.fake.mu.Unlock()

	rec := h.do("GET", "/v1/research/"+id+"/why", aliceKey, "")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET why: %d %s", rec.Code, rec.Body)
	}
	if strings.Contains(rec.Body.String(), c1) || strings.Contains(rec.Body.String(), "6f1d0c2e") {
		t.Errorf("the explanation shows passage IDs: %s", rec.Body)
	}
	var got Why
	decode(t, rec, &got)
	if len(got.SubQuestions) != 2 || got.Relevance == "" {
		t.Fatalf("why = %+v", got)
	}
	sq1, sq2 := got.SubQuestions[0], got.SubQuestions[1]
	if sq1.Reason != "the question rests on it" || !sq1.Answered || len(sq1.Passages) != 2 {
		t.Fatalf("sq1 = %+v", sq1)
	}
	if p := sq1.Passages[0]; p.Source != "The Go Memory Model" || p.Relevance != 100 || !strings.HasPrefix(p.Quote, "A send on a channel") {
		t.Errorf("first passage = %+v", p)
	}
	if p := sq1.Passages[1]; p.Source != "effective_go.html" || p.Relevance != 50 || !strings.HasSuffix(p.Quote, "…") || len([]rune(p.Quote)) > whyQuoteRune+2 {
		t.Errorf("second passage = %+v", p)
	}
	if f := sq1.Findings; len(f) != 1 || f[0].Cited != 1 || f[0].Source != "The Go Memory Model" {
		t.Errorf("findings = %+v", f)
	}
	if sq2.Answered || len(sq2.Gaps) != 2 || sq2.Gaps[0].Reason != "Wikipedia could not be reached" || !strings.Contains(sq2.Gaps[0].Cause, "no such host") ||
		!strings.Contains(sq2.Gaps[1].Reason, "wikipedia could not be searched for it (gave up after 4 attempts)") {
		t.Errorf("sq2 gaps = %+v", sq2.Gaps)
	}
	if rec := h.do("GET", "/v1/research/"+id+"/why", bobKey, ""); rec.Code != http.StatusNotFound {
		t.Errorf("bob reads alice's why: %d", rec.Code)
	}
}

// A finished run whose report states none of a sub-question's findings (a
// low-confidence report: the sources found do not clearly answer) does not
// call that sub-question answered (a trial's /why said "answered": true
// beside a report with no statement).
func TestWhyLowConfidenceRunAnsweredNothing(t *testing.T) {
	h := newHarness(t, nil)
	id := h.start(aliceKey, "Which caterer serves the offsite?")
	h.fake.mu.Lock()
	w := h.fake.wfs[id]
	w.audit = &rf.Audit{ResearchID: id, Question: "Which caterer serves the offsite?", Status: rf.StatusCompleted,
		SubQuestions: []rf.AuditSubQuestion{{ID: "sq1", Text: "Which caterer serves the offsite?", State: rf.SQDone,
			Findings: []rf.AuditFinding{{Text: "The train leaves Geneva at 08:14.", ChunkID: "c1", SourceID: "s1"}}}},
	}
	res := completedResult(id)
	res.Sources, res.Confidence = nil, "low"
	res.Gaps = []rf.Gap{{SubQuestion: "Which caterer serves the offsite?", Reason: "the sources found do not clearly answer it"}}
	w.closeLocked(&res, nil, rf.StatusCompleted)
	h.fake.mu.Unlock()

	rec := h.do("GET", "/v1/research/"+id+"/why", aliceKey, "")
	var got Why
	decode(t, rec, &got)
	if rec.Code != http.StatusOK || len(got.SubQuestions) != 1 {
		t.Fatalf("why: %d %s", rec.Code, rec.Body)
	}
	if sq := got.SubQuestions[0]; sq.Answered || len(sq.Findings) != 1 || sq.Findings[0].Cited != 0 {
		t.Errorf("sub-question %+v: want unanswered, its finding listed uncited", sq)
	}
}
