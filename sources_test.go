package researchflow

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestNormalizeSources(t *testing.T) {
	for _, tt := range []struct {
		in   []string
		want []string
	}{
		{nil, []string{"corpus"}},
		{[]string{" Web", "arxiv", "WEB", "corpus"}, []string{"web", "arxiv", "corpus"}},
		{KnownSources, KnownSources},
		{append(slices.Clone(KnownSources), KnownSources...), KnownSources},
	} {
		got, err := NormalizeSources(tt.in)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("NormalizeSources(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range [][]string{{"google"}, {""}, {"web", "arxiv,openalex"}, make([]string, 40)} {
		_, err := NormalizeSources(bad)
		var ie *InputError
		if !errors.As(err, &ie) || ie.Field != "sources" {
			t.Errorf("NormalizeSources(%q) = %v, want an InputError on sources", bad, err)
		}
	}
	if got, err := ParseSources("web, arxiv,,"); err != nil || !slices.Equal(got, []string{"web", "arxiv"}) {
		t.Errorf("ParseSources = %q, %v", got, err)
	}
	in, err := ResearchInput{Question: "What is new?", Sources: []string{"arxiv", "corpus"}}.Normalize()
	if err != nil || !slices.Equal(in.ProviderSources(), []string{"arxiv"}) {
		t.Errorf("normalized %q, providers %q, %v", in.Sources, in.ProviderSources(), err)
	}
	again, _ := in.Normalize()
	if !slices.Equal(again.Sources, in.Sources) {
		t.Errorf("Normalize is not idempotent on sources: %q then %q", in.Sources, again.Sources)
	}
}

func TestRedriveInput(t *testing.T) {
	dead := DeadLetter{SubQuestionID: "sq2", SubQuestion: "B?", Provider: "arxiv", Attempts: 4, LastError: "503", At: time.Unix(1, 0)}
	st := ResearchState{Status: StatusCompleted, Stage: StageDone, SubQuestions: []SubQuestionState{
		{SubQuestion: SubQuestion{ID: "sq1", Text: "A?"}, State: SQDone, Searches: []SourceSearch{{Source: "web", State: SQSearched}, {Source: "arxiv", State: SQSearched}}},
		{SubQuestion: SubQuestion{ID: "sq2", Text: "B?"}, State: SQDone, Searches: []SourceSearch{{Source: "web", State: SQSearched}, {Source: "arxiv", State: SQFailed, Error: "503"}}},
	}, DeadLetters: []DeadLetter{dead}}
	rec := RunRecord{ResearchID: "r1", Input: ResearchInput{Question: "Q?", Sources: []string{"web", "arxiv"}}, State: st}
	id, in, err := RedriveInput(rec)
	if err != nil {
		t.Fatal(err)
	}
	next := in.Resume
	if id != "r1-rev2" || in.RedriveOf != "r1" || next.Revision != 2 || next.Status != StatusRunning || len(next.DeadLetters) != 0 || len(next.Redriven) != 1 {
		t.Fatalf("redrive %q of %q: %+v", id, in.RedriveOf, next)
	}
	if next.SubQuestions[0].State != SQDone || next.SubQuestions[1].State != SQPending ||
		next.SubQuestions[1].Searches[0].State != SQSearched || next.SubQuestions[1].Searches[1].State != SQPending {
		t.Errorf("reset = %+v", next.SubQuestions)
	}
	if rec.State.SubQuestions[1].Searches[1].State != SQFailed || rec.State.SubQuestions[1].State != SQDone {
		t.Error("RedriveInput changed the record it read")
	}
	// The next revision of a revision keeps the first run as its root.
	done := *next
	done.Status, done.DeadLetters = StatusCompleted, []DeadLetter{dead}
	done.SubQuestions = slices.Clone(next.SubQuestions)
	done.SubQuestions[1].Searches = []SourceSearch{{Source: "web", State: SQSearched}, {Source: "arxiv", State: SQFailed}}
	in.Resume = nil
	id3, in3, err := RedriveInput(RunRecord{ResearchID: id, Input: in, State: done})
	if err != nil || id3 != "r1-rev3" || in3.RedriveOf != "r1" || in3.Resume.Revision != 3 {
		t.Errorf("third revision %q of %q: %v", id3, in3.RedriveOf, err)
	}
	for _, bad := range []ResearchState{
		{Status: StatusRunning, DeadLetters: []DeadLetter{dead}},
		{Status: StatusFailed, DeadLetters: []DeadLetter{dead}},
		{Status: StatusCompleted},
	} {
		if _, _, err := RedriveInput(RunRecord{ResearchID: "r1", State: bad}); err == nil {
			t.Errorf("a %s run with %d dead letters was redriven", bad.Status, len(bad.DeadLetters))
		}
	}
}

// TestUnreadPagesInProgressAndAudit is issue 19 item 8: why a result page
// was not read is visible in progress and in the audit, not only counted.
func TestUnreadPagesInProgressAndAudit(t *testing.T) {
	unread := []UnreadPage{
		{URL: "https://a.example/report", Reason: UnreadContentType, Detail: `content type "application/zip" is not read`},
		{URL: "https://a.example/private", Reason: UnreadRobots, Detail: "robots.txt disallows it"},
	}
	st := ResearchState{SubQuestions: []SubQuestionState{{
		SubQuestion: SubQuestion{ID: "sq1", Text: "How long are backups kept?"}, State: SQDone,
		Searches: []SourceSearch{{Source: SourceWeb, State: SQSearched, Unread: unread}},
	}}}
	p := st.Progress("r1", ResearchInput{Question: "q"})
	if got := p.SubQuestions[0].Searches[0].Unread; !reflect.DeepEqual(got, unread) {
		t.Errorf("progress unread = %+v, want %+v", got, unread)
	}
	a := st.Audit("r1", ResearchInput{Question: "q"})
	got := a.SubQuestions[0].Unread
	if len(got) != 2 || got[0].Source != SourceWeb || got[1].Reason != UnreadRobots || got[1].URL != unread[1].URL {
		t.Errorf("audit unread = %+v", got)
	}
	blob, _ := json.Marshal(a.SubQuestions[0])
	if !strings.Contains(string(blob), `"reason":"robots_disallowed"`) || !strings.Contains(string(blob), `"source":"web"`) {
		t.Errorf("audit JSON %s", blob)
	}
}
