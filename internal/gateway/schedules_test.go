package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/client"
)

// fakeSchedules keeps schedules in memory with client.Schedules' owner
// rule: an owner of "" sees every schedule, any other only its own.
type fakeSchedules struct {
	mu     sync.Mutex
	specs  map[string]rf.ScheduleSpec
	notes  []string
	nextID int
	// runs are the runs each schedule started (Trigger), oldest first.
	runs map[string][]rf.ScheduledRun
}

// fakeNextRun is when an active fake schedule runs next.
var fakeNextRun = time.Date(2026, 12, 5, 7, 0, 0, 0, time.UTC)

func (f *fakeSchedules) info(id string, s rf.ScheduleSpec) rf.ScheduleInfo {
	info := rf.ScheduleInfo{ID: id, Owner: s.Research.Owner, Question: s.Research.Question,
		Corpus: rf.PublicCorpus(s.Research.Owner, s.Research.Corpus), Sources: s.Research.Sources,
		Every: s.Every, Cron: s.Cron, Notify: s.Notify, MaxSubQuestions: s.Research.MaxSubQuestions,
		MaxSources: s.Research.MaxSources, Email: s.Research.NotifyEmail(), Paused: s.Paused, Note: s.Note,
		RecentRuns: f.runs[id], Actions: len(f.runs[id])}
	if !s.Paused {
		info.NextRuns = []time.Time{fakeNextRun}
	}
	return info
}

func (f *fakeSchedules) get(id, owner string) (rf.ScheduleSpec, error) {
	s, ok := f.specs[id]
	if !ok || (owner != "" && s.Research.Owner != owner) {
		return s, fmt.Errorf("schedule %q: %w", id, client.ErrScheduleNotFound)
	}
	return s, nil
}

func (f *fakeSchedules) Create(_ context.Context, id string, spec rf.ScheduleSpec) (rf.ScheduleInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.specs[id] = spec
	return f.info(id, spec), nil
}

func (f *fakeSchedules) Get(_ context.Context, id, owner string) (rf.ScheduleInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.get(id, owner)
	return f.info(id, s), err
}

func (f *fakeSchedules) List(_ context.Context, owner string) ([]rf.ScheduleInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []rf.ScheduleInfo
	for id, s := range f.specs {
		if owner == "" || s.Research.Owner == owner {
			out = append(out, f.info(id, s))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (f *fakeSchedules) Update(_ context.Context, id, owner string, spec rf.ScheduleSpec) (rf.ScheduleInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	cur, err := f.get(id, owner)
	if err != nil {
		return rf.ScheduleInfo{}, err
	}
	spec.Paused, spec.Note = cur.Paused, cur.Note
	f.specs[id] = spec
	return f.info(id, spec), nil
}

func (f *fakeSchedules) setPaused(id, owner, note string, paused bool) (rf.ScheduleInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.get(id, owner)
	if err != nil {
		return rf.ScheduleInfo{}, err
	}
	s.Paused, s.Note = paused, note
	f.specs[id] = s
	f.notes = append(f.notes, note)
	return f.info(id, s), nil
}

func (f *fakeSchedules) Pause(_ context.Context, id, owner, note string) (rf.ScheduleInfo, error) {
	return f.setPaused(id, owner, note, true)
}

func (f *fakeSchedules) Resume(_ context.Context, id, owner, note string) (rf.ScheduleInfo, error) {
	return f.setPaused(id, owner, note, false)
}

func (f *fakeSchedules) Trigger(_ context.Context, id, owner string) (rf.ScheduledRun, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.get(id, owner); err != nil {
		return rf.ScheduledRun{}, err
	}
	f.nextID++
	run := rf.ScheduledRun{ResearchID: fmt.Sprintf("%s-%d", client.ScheduledRunPrefix(id), f.nextID),
		ScheduledAt: fakeNextRun.Add(time.Duration(f.nextID-48) * time.Hour), StartedAt: fakeNextRun}
	if f.runs == nil {
		f.runs = map[string][]rf.ScheduledRun{}
	}
	f.runs[id] = append(f.runs[id], run)
	return run, nil
}

func (f *fakeSchedules) Delete(_ context.Context, id, owner string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.get(id, owner); err != nil {
		return err
	}
	delete(f.specs, id)
	return nil
}

func newScheduleHarness(t *testing.T, env map[string]string) (*harness, *fakeSchedules) {
	t.Helper()
	h := &harness{t: t, fake: newMemRuns(), cfg: testConfig(t, env)}
	f := &fakeSchedules{specs: map[string]rf.ScheduleSpec{}}
	handler, err := New(h.cfg, Deps{Runs: h.fake, Schedules: f, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	h.h = handler
	return h, f
}

func TestSchedulesBelongToTheirOwner(t *testing.T) {
	h, f := newScheduleHarness(t, nil)
	rec := h.do("POST", "/v1/schedules", aliceKey, `{"question":"How are backups kept?","corpus":"notes","every":"24h"}`)
	var created ScheduleResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &created); err != nil || rec.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	// Stored with the owner's scoped corpus; shown with the corpus as she
	// knows it.
	if s := f.specs[created.ID]; s.Research.Owner != "alice" || s.Research.Corpus != "alice--notes" || s.Notify != rf.NotifyOnChange {
		t.Errorf("stored %+v", s)
	}
	if created.Corpus != "notes" || created.Links.Self != "/v1/schedules/"+created.ID || rec.Header().Get("Location") != created.Links.Self {
		t.Errorf("created %+v, Location %q", created, rec.Header().Get("Location"))
	}
	if rec := h.do("GET", "/v1/schedules", bobKey, ""); rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), created.ID) {
		t.Errorf("bob's list: %d %s", rec.Code, rec.Body)
	}
	if rec := h.do("GET", "/v1/schedules", aliceKey, ""); !strings.Contains(rec.Body.String(), created.ID) {
		t.Errorf("alice's list: %s", rec.Body)
	}
	routes := []struct{ method, path, body string }{
		{"GET", "/v1/schedules/%s", ""},
		{"PATCH", "/v1/schedules/%s", `{"every":"12h"}`},
		{"POST", "/v1/schedules/%s/pause", `{"note":"mine now"}`},
		{"POST", "/v1/schedules/%s/resume", ""},
		{"POST", "/v1/schedules/%s/trigger", ""},
		{"DELETE", "/v1/schedules/%s", ""},
	}
	for _, rt := range routes {
		rec := h.do(rt.method, fmt.Sprintf(rt.path, created.ID), bobKey, rt.body)
		missing := h.do(rt.method, fmt.Sprintf(rt.path, "schedule-missing"), bobKey, rt.body)
		if rec.Code != http.StatusNotFound || rec.Body.String() != missing.Body.String() {
			t.Errorf("bob %s %s = %d %s; want the 404 of a missing schedule (%s)", rt.method, rt.path, rec.Code, rec.Body, missing.Body)
		}
	}
	if s := f.specs[created.ID]; s.Every != "24h" || s.Paused {
		t.Errorf("bob changed alice's schedule: %+v", s)
	}
	for _, rt := range routes {
		if rec := h.do(rt.method, fmt.Sprintf(rt.path, created.ID), aliceKey, rt.body); rec.Code >= 300 {
			t.Errorf("alice %s %s = %d %s", rt.method, rt.path, rec.Code, rec.Body)
		}
	}
	if len(f.notes) != 2 || f.notes[0] != "mine now" {
		t.Errorf("notes %q", f.notes)
	}
}

func TestScheduleRequestsRefused(t *testing.T) {
	h, f := newScheduleHarness(t, nil)
	for _, tt := range []struct{ body, want string }{
		{`{"question":"How are backups kept?"}`, "every"},
		{`{"question":"How are backups kept?","every":"24h","cron":"0 7 * * 1"}`, "not both"},
		{`{"question":"How are backups kept?","cron":"0 7 * * 9"}`, "day of week"},
		{`{"question":"How are backups kept?","every":"24h","notify":"loudly"}`, "notify"},
		{`{"question":"How are backups kept?","every":"24h","corpus":"a--b"}`, "corpus"},
		{`{"question":"How are backups kept?","every":"24h","corpusPath":"/etc"}`, "unknown field"},
		{`{"question":"How are backups kept?","every":"24h","requireApproval":true}`, "unknown field"},
		{`{"question":"How are backups kept?","every":"24h","email":["ana@example.org"]}`, "notify.email"}, // no domain allowed
		{`{"question":"How are backups kept?","every":"24h","email":["not an address"]}`, "notify.email"},
	} {
		rec := h.do("POST", "/v1/schedules", aliceKey, tt.body)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), tt.want) {
			t.Errorf("POST %s = %d %s; want 400 saying %s", tt.body, rec.Code, rec.Body, tt.want)
		}
	}
	if len(f.specs) != 0 {
		t.Errorf("refused requests created %d schedules", len(f.specs))
	}
	rec := h.do("POST", "/v1/schedules", aliceKey, `{"question":"How are backups kept?","cron":"0 7 * * 1"}`)
	var created ScheduleResponse
	_ = json.Unmarshal(rec.Body.Bytes(), &created)
	self := "/v1/schedules/" + created.ID
	for _, tt := range []struct{ body, want string }{
		{`{}`, "nothing to change"},
		{`{"every":"1s"}`, "every"},
		{`{"every":"24h","cron":"0 7 * * 1"}`, "not both"},
		{`{"question":""}`, "question"},
	} {
		if rec := h.do("PATCH", self, aliceKey, tt.body); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), tt.want) {
			t.Errorf("PATCH %s = %d %s; want 400 saying %s", tt.body, rec.Code, rec.Body, tt.want)
		}
	}
	if s := f.specs[created.ID]; s.Cron != "0 7 * * 1" || s.Every != "" {
		t.Errorf("a refused PATCH changed the schedule: %+v", s)
	}
	if rec := h.do("POST", self+"/pause", aliceKey, `{"note":"`+strings.Repeat("x", 501)+`"}`); rec.Code != http.StatusBadRequest {
		t.Errorf("a long note: %d %s", rec.Code, rec.Body)
	}
}

func TestSchedulesNeedTheService(t *testing.T) {
	h := newHarness(t, nil)
	if rec := h.do("GET", "/v1/schedules", aliceKey, ""); rec.Code != http.StatusNotImplemented {
		t.Errorf("no schedule service: %d %s", rec.Code, rec.Body)
	}
}
