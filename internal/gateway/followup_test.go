package gateway

import (
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/claims"
	"github.com/researchflow/researchflow/client"
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/report"
)

// Follow-ups follow the rules of runs: only the owner asks and reads the
// thread (others get 404), only a completed run is asked (409), bad input
// is a 400, and the follow-up started carries the run's ID, the owner and
// the question.
func TestFollowUpRules(t *testing.T) {
	h := newHarness(t, nil)
	id := h.start(aliceKey, "What is the log retention policy?")
	body := `{"question":"How long are audit logs kept?"}`
	rec := h.do("POST", "/v1/research/"+id+"/followups", aliceKey, body)
	if rec.Code != http.StatusConflict || errorCode(t, rec) != "not_finished" {
		t.Fatalf("follow-up of a running run: %d %s", rec.Code, rec.Body)
	}
	h.fake.complete(id, rf.ResearchResult{ResearchID: id, Title: "R"})
	starts := h.fake.starts
	for _, path := range []string{"/followups", "/thread"} {
		method := "POST"
		if path == "/thread" {
			method = "GET"
		}
		if rec := h.do(method, "/v1/research/"+id+path, bobKey, body); rec.Code != http.StatusNotFound {
			t.Errorf("%s %s as another owner: %d %s", method, path, rec.Code, rec.Body)
		}
	}
	for _, bad := range []string{`{"question":"?"}`, `{"question":"ok then","maxTokens":-1}`, `{"question":`} {
		if rec := h.do("POST", "/v1/research/"+id+"/followups", aliceKey, bad); rec.Code != http.StatusBadRequest {
			t.Errorf("body %s: %d %s, want 400", bad, rec.Code, rec.Body)
		}
	}
	if h.fake.starts != starts {
		t.Fatalf("refused requests started %d workflows", h.fake.starts-starts)
	}
	rec = h.do("POST", "/v1/research/"+id+"/followups", aliceKey, body, "Idempotency-Key", "fu-1")
	if rec.Code != http.StatusAccepted {
		t.Fatalf("follow-up: %d %s", rec.Code, rec.Body)
	}
	var out FollowUpResponse
	decode(t, rec, &out)
	if out.ResearchID != id || !strings.HasPrefix(out.ID, id+"-followup-") || out.Thread != "/v1/research/"+id+"/thread" {
		t.Errorf("response %+v", out)
	}
	w := h.fake.get(out.ID)
	in, ok := w.input.(rf.FollowUpInput)
	if w.typ != rf.ResearchFollowUpWorkflowType || !ok || in.ResearchID != id || in.Owner != "alice" || in.Question != "How long are audit logs kept?" {
		t.Errorf("started %s with %+v", w.typ, w.input)
	}
	if w.followUpOf != id || w.owner != "alice" {
		t.Errorf("follow-up of %q by %q, want of %s by alice", w.followUpOf, w.owner, id)
	}
	// The same Idempotency-Key is the same follow-up.
	rec = h.do("POST", "/v1/research/"+id+"/followups", aliceKey, body, "Idempotency-Key", "fu-1")
	var again FollowUpResponse
	decode(t, rec, &again)
	if again.ID != out.ID {
		t.Errorf("retried request started %s, first %s", again.ID, out.ID)
	}
	// The thread is listed by run and owner: bob's key sees none of it.
	rec = h.do("GET", "/v1/research/"+id+"/thread", aliceKey, "")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), out.ID) {
		t.Fatalf("thread: %d %s", rec.Code, rec.Body)
	}
	if rec := h.do("GET", "/v1/research/"+id+"/thread", bobKey, ""); strings.Contains(rec.Body.String(), out.ID) {
		t.Errorf("bob's thread of alice's run: %d %s", rec.Code, rec.Body)
	}
}

// followUpAnswer is a follow-up's result as the follow-up workflow writes
// it: on its own, it numbers the sources the report did not after the
// report's last ([3], [4] …), whatever earlier follow-ups numbered so.
func followUpAnswer(question string, cites []rf.Source, texts []string, searched, fromEvidence bool) rf.FollowUpResult {
	res := rf.FollowUpResult{FromEvidence: fromEvidence, Engine: "extractive"}
	if searched {
		res.Searches = []rf.FollowUpSearch{{SubQuestion: "q", Source: rf.SourceCorpus, Passages: 2}}
	}
	next := 2 // the report's last (completedResult)
	for i, s := range cites {
		if s.N == 0 {
			next++
			s.N = next
			res.NewSources = append(res.NewSources, s)
		} else {
			res.Sources = append(res.Sources, s)
		}
		res.Findings = append(res.Findings, rf.FollowUpFinding{Text: texts[i], N: s.N, ChunkID: "c-" + s.SourceID, SourceID: s.SourceID})
	}
	res.Confidence = report.FollowUpConfidence(res.Findings, nil, 0)
	res.Answer = report.FollowUp(question, question, res.Confidence, report.FollowUpSentences(res.Findings), append(slices.Clone(res.Sources), res.NewSources...), nil, nil)
	return res
}

// A citation number means one source for the whole run: two follow-ups
// that each found a source the report did not cite (each numbered [3] on
// its own, as a trial saw) show them as [3] and [4] in the thread, a
// follow-up citing a source an earlier one numbered uses that number, and
// GET /sources/{n} resolves every number any answer shows. fromEvidence
// is true only for an answer that cites no source new to the run.
func TestThreadNumbersSourcesForTheWholeRun(t *testing.T) {
	h := newHarness(t, nil)
	h.chunks.chunks["c3"] = memory.Chunk{ID: "c3", Text: "Atomic operations behave as if sequentially consistent."}
	h.chunks.chunks["c4"] = memory.Chunk{ID: "c4", Text: "Unlock is synchronized before a later Lock returns."}
	id := h.start(aliceKey, "What does the Go memory model guarantee?")
	run := completedResult(id)
	h.fake.complete(id, run)
	ask := func(q string) string {
		rec := h.do("POST", "/v1/research/"+id+"/followups", aliceKey, `{"question":"`+q+`"}`)
		var out FollowUpResponse
		decode(t, rec, &out)
		return out.ID
	}
	f1, f2, f3 := ask("What about atomics?"), ask("And mutexes?"), ask("Again, atomics?")
	report1, report2 := run.Sources[0], run.Sources[1]
	atomics := rf.Source{SourceID: "s3", Title: "Atomics", Location: "/doc/atomics.md", ChunkIDs: []string{"c3"}}
	mutexes := rf.Source{SourceID: "s4", Title: "Mutexes", Location: "/doc/mutexes.md", ChunkIDs: []string{"c4"}}
	t0 := time.Unix(1700001000, 0).UTC()
	// f1 searched and found the atomics note ([3] on its own); f2 answered
	// from passages the run retrieved but did not cite: mutexes, then
	// atomics ([3] and [4] on its own).
	h.fake.answerFollowUp(f1, t0, followUpAnswer("What about atomics?", []rf.Source{report1, atomics},
		[]string{"A send happens before the receive.", "Atomics are sequentially consistent."}, true, false))
	h.fake.answerFollowUp(f2, t0.Add(time.Minute), followUpAnswer("And mutexes?", []rf.Source{mutexes, atomics, report2},
		[]string{"Mutexes order Unlock before Lock.", "Atomics are sequentially consistent.", "Share memory by communicating."}, false, true))

	type numbered map[string]int // source ID → number
	thread := func() []client.FollowUp {
		t.Helper()
		rec := h.do("GET", "/v1/research/"+id+"/thread", aliceKey, "")
		var out ThreadResponse
		decode(t, rec, &out)
		if rec.Code != http.StatusOK {
			t.Fatalf("thread: %d %s", rec.Code, rec.Body)
		}
		fus := make([]client.FollowUp, len(out.FollowUps))
		for i, fu := range out.FollowUps {
			fus[i] = fu.FollowUp
		}
		return fus
	}
	check := func(fu client.FollowUp, sources, fresh numbered, fromEvidence bool, sentences ...string) {
		t.Helper()
		r := fu.Result
		if r == nil {
			t.Fatalf("%s has no answer", fu.ID)
		}
		got := func(list []rf.Source) numbered {
			m := numbered{}
			for _, s := range list {
				m[s.SourceID] = s.N
			}
			return m
		}
		if g := got(r.Sources); !maps.Equal(g, sources) {
			t.Errorf("%s: sources %v, want %v", fu.Question, g, sources)
		}
		if g := got(r.NewSources); !maps.Equal(g, fresh) {
			t.Errorf("%s: new sources %v, want %v", fu.Question, g, fresh)
		}
		for _, fd := range r.Findings {
			if want, ok := sources[fd.SourceID]; ok && fd.N != want || !ok && fd.N != fresh[fd.SourceID] {
				t.Errorf("%s: finding %q cites [%d], its source %s is numbered otherwise", fu.Question, fd.Text, fd.N, fd.SourceID)
			}
		}
		if r.FromEvidence != fromEvidence {
			t.Errorf("%s: fromEvidence %v with new sources %v, want %v", fu.Question, r.FromEvidence, got(r.NewSources), fromEvidence)
		}
		for _, s := range sentences {
			if !strings.Contains(r.Answer, s) {
				t.Errorf("%s: answer lacks %q:\n%s", fu.Question, s, r.Answer)
			}
		}
	}
	before := thread()
	if len(before) != 3 {
		t.Fatalf("thread has %d follow-ups, want 3", len(before))
	}
	check(before[0], numbered{"s1": 1}, numbered{"s3": 3}, false,
		"Atomics are sequentially consistent [3].", "- [3] Atomics")
	check(before[1], numbered{"s2": 2, "s3": 3}, numbered{"s4": 4}, false,
		"Mutexes order Unlock before Lock [4].", "Atomics are sequentially consistent [3].", "- [3] Atomics", "- [4] Mutexes")

	// A third follow-up answered from the run's passages, citing only what
	// the thread numbered already: from evidence, nothing new; the numbers
	// of the first two stay.
	h.fake.answerFollowUp(f3, t0.Add(2*time.Minute), followUpAnswer("Again, atomics?", []rf.Source{atomics},
		[]string{"Atomics are sequentially consistent."}, false, true))
	after := thread()
	check(after[2], numbered{"s3": 3}, numbered{}, true, "Atomics are sequentially consistent [3].", "- [3] Atomics")
	for i := range 2 {
		if !reflect.DeepEqual(after[i], before[i]) {
			t.Errorf("follow-up %d changed once a later one answered:\n%+v\nwas\n%+v", i+1, after[i].Result, before[i].Result)
		}
	}

	// Every number shown resolves to the source it means.
	for n, want := range map[int]string{1: "s1", 2: "s2", 3: "s3", 4: "s4"} {
		rec := h.do("GET", "/v1/research/"+id+"/sources/"+strconv.Itoa(n), aliceKey, "")
		var src SourceResponse
		decode(t, rec, &src)
		if rec.Code != http.StatusOK || src.N != n || src.SourceID != want {
			t.Errorf("sources/%d: %d %s, want %s", n, rec.Code, rec.Body, want)
		}
	}
	rec := h.do("GET", "/v1/research/"+id+"/sources/4", aliceKey, "")
	var src SourceResponse
	decode(t, rec, &src)
	if len(src.Passages) != 1 || !strings.Contains(src.Passages[0].Text, "Unlock is synchronized") {
		t.Errorf("sources/4 passages %+v, want the mutexes note's", src.Passages)
	}
	if rec := h.do("GET", "/v1/research/"+id+"/sources/5", aliceKey, ""); rec.Code != http.StatusNotFound {
		t.Errorf("sources/5: %d %s, want 404", rec.Code, rec.Body)
	}
	if rec := h.do("GET", "/v1/research/"+id+"/sources/4", bobKey, ""); rec.Code != http.StatusNotFound {
		t.Errorf("sources/4 as another owner: %d, want 404", rec.Code)
	}
}

// A trial: after a dispute corrected a claim (revision 2 of the report),
// the follow-up answered before still stated the old claim, with no mark.
// An answer written before a revision says so (revisedSince, and its
// note); one written after does not; the citation numbers stay.
func TestThreadMarksAnswersWrittenBeforeARevision(t *testing.T) {
	h := newHarness(t, nil)
	id := h.start(aliceKey, "Who approves big purchases?")
	run := completedResult(id)
	h.fake.complete(id, run)
	ask := func(q string) string {
		rec := h.do("POST", "/v1/research/"+id+"/followups", aliceKey, `{"question":"`+q+`"}`)
		var out FollowUpResponse
		decode(t, rec, &out)
		return out.ID
	}
	old, later := ask("Above which amount?"), ask("Who approves below it?")
	t0 := time.Unix(1700001000, 0).UTC()
	h.fake.answerFollowUp(old, t0, followUpAnswer("Above which amount?", []rf.Source{run.Sources[0]},
		[]string{"Purchases above 5,000 USD need the director."}, false, true))
	thread := func() map[string]ThreadFollowUp {
		t.Helper()
		rec := h.do("GET", "/v1/research/"+id+"/thread", aliceKey, "")
		if rec.Code != http.StatusOK {
			t.Fatalf("thread: %d %s", rec.Code, rec.Body)
		}
		var out ThreadResponse
		decode(t, rec, &out)
		m := map[string]ThreadFollowUp{}
		for _, fu := range out.FollowUps {
			m[fu.ID] = fu
		}
		return m
	}
	before := thread()[old]
	if before.RevisedSince != nil {
		t.Fatalf("an answer of an unrevised report is marked: %+v", before.RevisedSince)
	}

	revised := claims.Revision{Revision: 2, Report: "# R\n\nPurchases above 7,500 USD need the director [1].\n", Sources: run.Sources}
	h.fake.writeRevision(id, t0.Add(time.Minute), claims.OutcomeCorrected, revised)
	h.fake.answerFollowUp(later, t0.Add(2*time.Minute), followUpAnswer("Who approves below it?", []rf.Source{run.Sources[1]},
		[]string{"Team leads approve smaller purchases."}, false, true))
	fus := thread()
	want := &RevisedSince{Revisions: []int{2}, Outcomes: []string{"corrected"}, Note: "Written before revision 2 of the report (1 claim corrected)."}
	if got := fus[old].RevisedSince; !reflect.DeepEqual(got, want) {
		t.Errorf("the answer written before revision 2: revisedSince %+v, want %+v", got, want)
	}
	if fus[old].Result.Answer != before.Result.Answer {
		t.Errorf("the marked answer changed:\n%s\nwas\n%s", fus[old].Result.Answer, before.Result.Answer)
	}
	if got := fus[later].RevisedSince; got != nil {
		t.Errorf("the answer written after revision 2 is marked: %+v", got)
	}
	rec := h.do("GET", "/v1/research/"+id+"/thread", aliceKey, "")
	if n := strings.Count(rec.Body.String(), `"revisedSince"`); n != 1 {
		t.Errorf("%d answers carry revisedSince, want 1: %s", n, rec.Body)
	}

	// A second revision: both answers predate it.
	h.fake.writeRevision(id, t0.Add(3*time.Minute), claims.OutcomeWithdrawn, claims.Revision{Revision: 3, Report: "# R\n", Sources: run.Sources})
	fus = thread()
	if got := fus[old].RevisedSince; got == nil || got.Note != "Written before revisions 2 and 3 of the report (1 claim corrected, 1 claim withdrawn)." {
		t.Errorf("the first answer after two revisions: %+v", got)
	}
	if got := fus[later].RevisedSince; got == nil || got.Note != "Written before revision 3 of the report (1 claim withdrawn)." {
		t.Errorf("the second answer after revision 3: %+v", got)
	}
}
