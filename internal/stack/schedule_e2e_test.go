package stack

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/researchflow/researchflow/workflows"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/claims"
	rfclient "github.com/researchflow/researchflow/client"
	"github.com/researchflow/researchflow/internal/gateway"
	"github.com/researchflow/researchflow/internal/pools"
	"github.com/researchflow/researchflow/internal/temporalserver"
)

// A schedule over a folder: its first triggered run has nothing to compare
// with; after one fact is edited (30 → 35 days), one note added and one
// deleted, the next run's "What changed" lists exactly the changed fact,
// the new finding, the withdrawn one, the new and the vanished source; a
// run over the unchanged folder says "No change", and with notify on_change
// the webhook receives nothing from it (nor from the first run).
func TestScheduleReportsWhatChanged(t *testing.T) {
	endToEnd(t)
	var mu sync.Mutex
	var received []string // event types, in delivery order
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev struct {
			Type string `json:"type"`
		}
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &ev)
		mu.Lock()
		received = append(received, ev.Type)
		mu.Unlock()
	}))
	defer srv.Close()
	deliveries := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), received...)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cfg := llmConfig(t)
	cfg.WebhookURL = srv.URL
	all, _ := pools.Parse(pools.All)
	s, err := Start(ctx, cfg, Options{Pools: all, Logger: testLogger(), NoUI: true, DevServer: temporalserver.StartDev})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sched := rfclient.NewSchedules(s.Client.ScheduleClient())

	dir, write := notesFolder(t)
	write("retention.md", "# Backup retention\n\nNightly database backups are retained for 30 days before they are deleted.\n")
	write("vault.md", "# Offsite vault\n\nOffsite backup tapes are stored in the bank vault for 12 months.\n")
	write("weekly.md", "# Weekly backups\n\nWeekly full backups are copied to a second region every Sunday.\n")

	spec, err := rf.ScheduleSpec{
		Research: rf.ResearchInput{Question: "How are the backups retained and stored?", CorpusPath: dir,
			MaxSubQuestions: 1, MaxSources: 20, Depth: new(int), Owner: "ana"},
		Every: "24h", Notify: rf.NotifyOnChange,
	}.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	id := rfclient.NewScheduleID()
	before := time.Now()
	info, err := sched.Create(ctx, id, spec)
	if err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	defer sched.Delete(context.Background(), id, "")
	if info.Owner != "ana" || info.Every != "24h" || info.Notify != rf.NotifyOnChange || len(info.NextRuns) == 0 {
		t.Fatalf("created %+v", info)
	}
	// Its first run is one interval after its creation, not at Temporal's
	// epoch-aligned 00:00 UTC.
	if next := info.NextRuns[0]; next.Before(before.Add(24*time.Hour).Add(-time.Second)) || next.After(after.Add(24*time.Hour)) {
		t.Errorf("first run at %v, want 24h after the creation (%v)", next, before.UTC())
	}
	if _, err := sched.Get(ctx, id, "bob"); err == nil {
		t.Error("another owner sees the schedule")
	}
	// Listed by its owner's search attribute (Temporal lists schedules from
	// visibility, which may lag a moment).
	for deadline := time.Now().Add(30 * time.Second); ; {
		mine, err := sched.List(ctx, "ana")
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		if len(mine) == 1 && mine[0].ID == id {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("ana's schedules: %+v", mine)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if theirs, err := sched.List(ctx, "bob"); err != nil || len(theirs) != 0 {
		t.Errorf("bob's schedules: %+v %v", theirs, err)
	}

	runOnce := func(label string) rf.ResearchResult {
		t.Helper()
		// A schedule names a run by its start second: one run per second
		// keeps the research IDs apart (runs of one second share an ID).
		time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
		run, err := sched.Trigger(ctx, id, "ana")
		if err != nil || run.ResearchID == "" {
			t.Fatalf("%s: trigger: %+v %v", label, run, err)
		}
		if !strings.HasPrefix(run.ResearchID, rfclient.ScheduledRunPrefix(id)) {
			t.Errorf("%s: run ID %s does not start with %s", label, run.ResearchID, rfclient.ScheduledRunPrefix(id))
		}
		res, err := s.Runs.Result(ctx, run.ResearchID)
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		if res.Schedule != id || res.Changes == nil || res.Snapshot == nil {
			t.Fatalf("%s: schedule %q changes %v snapshot %v", label, res.Schedule, res.Changes, res.Snapshot)
		}
		t.Logf("%s: %s\n%s", label, res.Changes.Summary(), res.Changes.Markdown)
		// The run hands its events to its delivery workflow and completes
		// without waiting for a sink: what it delivered is known once that
		// workflow has ended.
		if res.DeliveryWorkflowID == "" {
			t.Fatalf("%s: no delivery workflow", label)
		}
		if err := s.Client.GetWorkflow(ctx, res.DeliveryWorkflowID, "").Get(ctx, nil); err != nil {
			t.Fatalf("%s: delivery workflow: %v", label, err)
		}
		return res
	}

	first := runOnce("first run")
	if first.Changes.PreviousRun != "" || !strings.Contains(first.Report, "First run of this schedule") {
		t.Errorf("first run: previous %q; report:\n%s", first.Changes.PreviousRun, first.Report)
	}
	if got := deliveries(); len(got) != 0 {
		t.Errorf("the first run of an on_change schedule delivered %v", got)
	}

	write("retention.md", "# Backup retention\n\nNightly database backups are retained for 35 days before they are deleted.\n")
	if err := os.Remove(filepath.Join(dir, "vault.md")); err != nil {
		t.Fatal(err)
	}
	write("encryption.md", "# Backup encryption\n\nBackup archives are encrypted and stored with a key rotated every 90 days.\n")

	second := runOnce("second run")
	recordHistoryFrom(t, s.Client, second.ResearchID, "", "research_%s_scheduled.json")
	// Its delivery workflow delivered to the webhook (on a stack without a
	// sink a run starts none): the delivery workflow's fixture.
	recordHistoryFrom(t, s.Client, second.DeliveryWorkflowID, "", "delivery_%s.json")
	c := second.Changes
	if c.PreviousRun == "" || c.Since.IsZero() {
		t.Fatalf("second run compared with nothing: %+v", c)
	}
	if len(c.Changed) != 1 || !strings.Contains(c.Changed[0].Before.Text, "30 days") || !strings.Contains(c.Changed[0].After.Text, "35 days") ||
		c.Changed[0].From != "30 days" || c.Changed[0].To != "35 days" {
		t.Errorf("changed: %+v; want the retention fact 30 days → 35 days", c.Changed)
	}
	if len(c.Changed) == 1 && (c.Changed[0].After.N < 1 || !strings.Contains(second.Report, fmt.Sprintf("deleted [%d].", c.Changed[0].After.N))) {
		t.Errorf("the changed finding %+v is not cited by its source's number:\n%s", c.Changed[0].After, second.Report)
	}
	if len(c.New) != 1 || !strings.Contains(c.New[0].Text, "encrypted") {
		t.Errorf("new: %+v; want the encryption finding", c.New)
	}
	if len(c.Withdrawn) != 1 || !strings.Contains(c.Withdrawn[0].Text, "vault") || !c.Withdrawn[0].SourceGone {
		t.Errorf("withdrawn: %+v; want the vault finding, its source gone", c.Withdrawn)
	}
	if len(c.NewSources) != 1 || !strings.HasSuffix(c.NewSources[0].Location, "encryption.md") {
		t.Errorf("new sources: %+v", c.NewSources)
	}
	if len(c.VanishedSources) != 1 || !strings.HasSuffix(c.VanishedSources[0].Location, "vault.md") {
		t.Errorf("vanished sources: %+v", c.VanishedSources)
	}
	if !strings.Contains(second.Report, "## What changed since ") || strings.Index(second.Report, "## What changed") > strings.Index(second.Report, "## Summary") {
		t.Errorf("the report does not open with what changed:\n%s", second.Report)
	}
	afterSecond := deliveries()
	if !contains(afterSecond, rf.EventChanged) || !contains(afterSecond, rf.EventReportReady) {
		t.Errorf("a changed on_change run delivered %v; want %s and %s", afterSecond, rf.EventChanged, rf.EventReportReady)
	}
	audit, err := s.Runs.Audit(ctx, second.ResearchID)
	if err != nil {
		t.Fatal(err)
	}
	if !hasDecision(audit, workflows.DecisionWhatChanged, "1 changed finding") {
		t.Errorf("the audit does not record what changed: %+v", audit.Decisions)
	}

	third := runOnce("third run")
	if !third.Changes.Empty() || third.Changes.PreviousRun != second.ResearchID || !strings.Contains(third.Report, "No change since ") {
		t.Errorf("unchanged folder: %+v\n%s", third.Changes, third.Report)
	}
	time.Sleep(500 * time.Millisecond) // nothing is in flight; let a stray delivery land
	if got := deliveries(); len(got) != len(afterSecond) {
		t.Errorf("an unchanged on_change run delivered %v", got[len(afterSecond):])
	}
}

// A reader disputes two claims of a scheduled run's report between two
// runs: the note that said 35 days now says 40 (revision 2 corrects the
// claim) and the vault note is deleted (revision 3 withdraws its claim).
// The next run compares with revision 3, what the reader last saw: no
// change, neither the correction again nor the withdrawn finding and its
// vanished source.
func TestScheduleComparesWithTheLatestRevision(t *testing.T) {
	endToEnd(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	all, _ := pools.Parse(pools.All)
	s, err := Start(ctx, llmConfig(t), Options{Pools: all, Logger: testLogger(), NoUI: true, DevServer: temporalserver.StartDev})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sched := rfclient.NewSchedules(s.Client.ScheduleClient())

	dir, write := notesFolder(t)
	write("retention.md", "# Backup retention\n\nNightly database backups are retained for 35 days before they are deleted.\n")
	write("vault.md", "# Offsite vault\n\nOffsite backup tapes are stored in the bank vault for 12 months.\n")
	write("weekly.md", "# Weekly backups\n\nWeekly full backups are copied to a second region every Sunday.\n")
	runOnce := backupSchedule(ctx, t, s, sched, dir)
	dispute := func(run rf.ResearchResult, word, outcome string) claims.Review {
		t.Helper()
		i := slices.IndexFunc(run.Claims, func(c rf.Claim) bool { return strings.Contains(c.Text, word) })
		if i < 0 {
			t.Fatalf("no claim mentions %q: %+v\n%s", word, run.Claims, run.Report)
		}
		_, in, err := s.Runs.Feedback(ctx, "", claims.ReviewInput{ResearchID: run.ResearchID, ClaimID: run.Claims[i].ID,
			Verdict: claims.VerdictDispute, Reason: "the note says otherwise"})
		if err != nil {
			t.Fatalf("dispute %q: %v", word, err)
		}
		var rv claims.Review
		if err := s.Client.GetWorkflow(ctx, claims.RevisionWorkflowID(run.ResearchID, in.Revision), "").Get(ctx, &rv); err != nil {
			t.Fatalf("dispute %q: %v", word, err)
		}
		if rv.Check.Outcome != outcome {
			t.Fatalf("dispute %q: %+v, want %s", word, rv.Check, outcome)
		}
		return rv
	}

	first := runOnce("first run")
	write("retention.md", "# Backup retention\n\nNightly database backups are retained for 40 days before they are deleted.\n")
	if err := os.Remove(filepath.Join(dir, "vault.md")); err != nil {
		t.Fatal(err)
	}
	if rv := dispute(first, "35 days", claims.OutcomeCorrected); !strings.Contains(rv.Check.Correction, "40 days") {
		t.Fatalf("revision 2 corrected to %q, want 40 days", rv.Check.Correction)
	}
	dispute(first, "vault", claims.OutcomeWithdrawn)

	second := runOnce("second run")
	if c := second.Changes; c.PreviousRun != first.ResearchID || !c.Empty() || !strings.Contains(second.Report, "No change since ") {
		t.Errorf("the run after two revisions did not compare with the latest: %s\n%s", c.Summary(), c.Markdown)
	}
	// And says which revision it compared with.
	if c := second.Changes; c.PreviousRevision != 3 || !strings.Contains(second.Report, "(run "+first.ResearchID+", revision 3: 1 claim corrected, 1 claim withdrawn).") {
		t.Errorf("the section does not name revision 3 (previousRevision %d):\n%s", c.PreviousRevision, c.Markdown)
	}
}

func hasDecision(a rf.Audit, kind, detail string) bool {
	for _, d := range a.Decisions {
		if d.Kind == kind && strings.Contains(d.Detail, detail) {
			return true
		}
	}
	return false
}

// The schedule routes on the shared stack's gateway: clear 400s, create,
// list, get, patch, pause with a note, resume, trigger, delete.
func TestScheduleHTTPAPI(t *testing.T) {
	endToEnd(t)
	base := "http://" + shared.Gateway.Addr
	do := func(method, path, body string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	for _, tt := range []struct{ body, field string }{
		{`{"question":"How are backups kept?"}`, "every"},
		{`{"question":"How are backups kept?","every":"24h","cron":"0 7 * * 1"}`, "every"},
		{`{"question":"How are backups kept?","every":"30s"}`, "every"},
		{`{"question":"How are backups kept?","cron":"0 25 * * *"}`, "hour"},
		{`{"question":"How are backups kept?","every":"24h","notify":"sometimes"}`, "notify"},
		{`{"question":"?","every":"24h"}`, "question"},
	} {
		resp, b := do("POST", "/v1/schedules", tt.body)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), tt.field) {
			t.Errorf("POST %s: %d %s; want 400 naming %s", tt.body, resp.StatusCode, b, tt.field)
		}
	}
	resp, b := do("POST", "/v1/schedules", `{"question":"What does the Go memory model guarantee?","cron":"0 7 * * mon","notify":"never","maxSubQuestions":1}`)
	var created gateway.ScheduleResponse
	if err := json.Unmarshal(b, &created); err != nil || resp.StatusCode != http.StatusCreated || created.ID == "" {
		t.Fatalf("POST /v1/schedules: %d %s", resp.StatusCode, b)
	}
	self := created.Links.Self
	defer do("DELETE", self, "")
	if created.Cron != "0 7 * * mon" || created.Notify != rf.NotifyNever || created.Paused {
		t.Errorf("created %+v", created.ScheduleInfo)
	}

	deadline := time.Now().Add(30 * time.Second)
	for {
		_, b := do("GET", "/v1/schedules", "")
		if strings.Contains(string(b), created.ID) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET /v1/schedules never lists %s: %s", created.ID, b)
		}
		time.Sleep(200 * time.Millisecond)
	}

	resp, b = do("PATCH", self, `{"every":"12h","notify":"always"}`)
	var patched gateway.ScheduleResponse
	if err := json.Unmarshal(b, &patched); err != nil || resp.StatusCode != http.StatusOK || patched.Every != "12h" || patched.Cron != "" || patched.Notify != rf.NotifyAlways {
		t.Errorf("PATCH: %d %s", resp.StatusCode, b)
	}
	if resp, b := do("PATCH", self, `{}`); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("empty PATCH: %d %s", resp.StatusCode, b)
	}
	resp, b = do("POST", self+"/pause", `{"note":"on holiday"}`)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `"paused":true`) || !strings.Contains(string(b), "on holiday") {
		t.Errorf("pause: %d %s", resp.StatusCode, b)
	}
	resp, b = do("POST", self+"/resume", "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `"paused":false`) {
		t.Errorf("resume: %d %s", resp.StatusCode, b)
	}
	resp, b = do("POST", self+"/trigger", "")
	var trig gateway.TriggerResponse
	if err := json.Unmarshal(b, &trig); err != nil || resp.StatusCode != http.StatusAccepted || trig.Run.ResearchID == "" {
		t.Fatalf("trigger: %d %s", resp.StatusCode, b)
	}
	if resp, b := do("GET", "/v1/research/"+trig.Run.ResearchID, ""); resp.StatusCode != http.StatusOK {
		t.Errorf("the triggered run is not readable: %d %s", resp.StatusCode, b)
	}
	if resp, _ := do("DELETE", self, ""); resp.StatusCode != http.StatusNoContent {
		t.Errorf("DELETE: %d", resp.StatusCode)
	}
	if resp, _ := do("GET", self, ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET after DELETE: %d", resp.StatusCode)
	}
	if resp, _ := do("GET", "/v1/schedules/schedule-nope", ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET of an unknown schedule: %d", resp.StatusCode)
	}
}

// A schedule and its runs are kept by Temporal: after the embedded stack is
// stopped and started again on the same data, the schedule is there, paused
// with its note, and its next run compares with the run made before.
func TestScheduleSurvivesARestart(t *testing.T) {
	endToEnd(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cfg := llmConfig(t)
	all, _ := pools.Parse(pools.All)
	start := func() (*Stack, *rfclient.Schedules) {
		t.Helper()
		// A free port picked for the server may be taken by another test
		// process before it listens: try again on another.
		for attempt := 1; ; attempt++ {
			s, err := Start(ctx, cfg, Options{Pools: all, Logger: testLogger(), NoUI: true, DevServer: temporalserver.StartDev})
			if err == nil {
				return s, rfclient.NewSchedules(s.Client.ScheduleClient())
			}
			if attempt == 3 || !strings.Contains(err.Error(), "address already in use") {
				t.Fatal(err)
			}
		}
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "retention.md"), []byte("# Retention\n\nNightly backups are retained for 30 days.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	spec, err := rf.ScheduleSpec{Research: rf.ResearchInput{Question: "How long are backups retained?", CorpusPath: dir,
		MaxSubQuestions: 1, Depth: new(int), Owner: rf.LocalOwner}, Cron: "0 7 * * 1", Notify: rf.NotifyNever}.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	id := rfclient.NewScheduleID()

	s, sched := start()
	if _, err := sched.Create(ctx, id, spec); err != nil {
		t.Fatal(err)
	}
	run, err := sched.Trigger(ctx, id, "")
	if err != nil || run.ResearchID == "" {
		t.Fatalf("trigger: %+v %v", run, err)
	}
	if _, err := s.Runs.Result(ctx, run.ResearchID); err != nil {
		t.Fatal(err)
	}
	if _, err := sched.Pause(ctx, id, "", "until the restart"); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, sched = start()
	defer s.Close()
	info, err := sched.Get(ctx, id, "")
	if err != nil {
		t.Fatalf("after the restart: %v", err)
	}
	if !info.Paused || info.Note != "until the restart" || info.Cron != "0 7 * * 1" || len(info.RecentRuns) != 1 {
		t.Errorf("after the restart: %+v", info)
	}
	// The Temporal CLI lists it too, as a Temporal Schedule of the server.
	if out, ok := temporalCLI(t, "schedule", "list", "--address", s.Server.FrontendAddress(), "--namespace", cfg.Namespace); ok &&
		!strings.Contains(out, id) {
		t.Errorf("temporal schedule list after the restart does not show %s:\n%s", id, out)
	}
	if _, err := sched.Resume(ctx, id, "", ""); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
	next, err := sched.Trigger(ctx, id, "")
	if err != nil || next.ResearchID == "" {
		t.Fatalf("trigger after the restart: %+v %v", next, err)
	}
	res, err := s.Runs.Result(ctx, next.ResearchID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Changes == nil || res.Changes.PreviousRun != run.ResearchID || !res.Changes.Empty() {
		t.Errorf("the run after the restart compared with %+v; want no change since %s", res.Changes, run.ResearchID)
	}
}

// temporalCLI runs the Temporal CLI (on PATH, or /root/go/bin/temporal)
// with args and returns its output; ok is false, with a logged reason, when
// the CLI is not installed.
func temporalCLI(t *testing.T, args ...string) (string, bool) {
	t.Helper()
	bin, err := exec.LookPath("temporal")
	if err != nil {
		if _, statErr := os.Stat("/root/go/bin/temporal"); statErr != nil {
			t.Log("the temporal CLI is not installed (go install github.com/temporalio/cli/cmd/temporal@v1.5.1): its check is skipped")
			return "", false
		}
		bin = "/root/go/bin/temporal"
	}
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Errorf("temporal %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), true
}

// notesFolder is a folder of notes for a scheduled run, and the function
// that writes (or rewrites) one of them.
func notesFolder(t *testing.T) (dir string, write func(name, text string)) {
	dir = t.TempDir()
	return dir, func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// A claim of a scheduled report withdrawn because its note was edited: the
// report's "What changed" had listed the note among its new sources, so the
// revision still lists it, cited by no claim. The next run, over the same
// folder, reported "1 vanished source" for the note that is still there (a
// trial); it must report no change, and name the revision it compared with.
func TestScheduleWithdrawnClaimsSourceIsNotVanished(t *testing.T) {
	endToEnd(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	all, _ := pools.Parse(pools.All)
	s, err := Start(ctx, llmConfig(t), Options{Pools: all, Logger: testLogger(), NoUI: true, DevServer: temporalserver.StartDev})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sched := rfclient.NewSchedules(s.Client.ScheduleClient())
	dir, write := notesFolder(t)
	write("retention.md", "# Backup retention\n\nNightly database backups are retained for 35 days before they are deleted.\n")
	runOnce := backupSchedule(ctx, t, s, sched, dir)

	runOnce("first run")
	write("vault.md", "# Offsite vault\n\nOffsite backup tapes are stored in the bank vault for 12 months.\n")
	second := runOnce("second run")
	if c := second.Changes; len(c.NewSources) != 1 || !strings.HasSuffix(c.NewSources[0].Location, "vault.md") {
		t.Fatalf("second run: new sources %+v, want vault.md", c.NewSources)
	}
	write("vault.md", "# Offsite vault\n\nThe bank vault is on Main Street and opens at nine.\n")
	i := slices.IndexFunc(second.Claims, func(c rf.Claim) bool { return strings.Contains(c.Text, "vault") })
	if i < 0 {
		t.Fatalf("no claim mentions the vault: %+v", second.Claims)
	}
	_, in, err := s.Runs.Feedback(ctx, "", claims.ReviewInput{ResearchID: second.ResearchID, ClaimID: second.Claims[i].ID,
		Verdict: claims.VerdictDispute, Reason: "the note says otherwise"})
	if err != nil {
		t.Fatal(err)
	}
	var rv claims.Review
	if err := s.Client.GetWorkflow(ctx, claims.RevisionWorkflowID(second.ResearchID, in.Revision), "").Get(ctx, &rv); err != nil {
		t.Fatal(err)
	}
	if rv.Check.Outcome != claims.OutcomeWithdrawn || !slices.ContainsFunc(rv.Report.Sources, func(s rf.Source) bool { return strings.HasSuffix(s.Location, "vault.md") }) {
		t.Fatalf("dispute: %+v, sources %+v: want the claim withdrawn and vault.md still listed (by What changed)", rv.Check, rv.Report.Sources)
	}

	third := runOnce("third run")
	if c := third.Changes; c.PreviousRun != second.ResearchID || !c.Empty() || c.PreviousRevision != 2 {
		t.Errorf("the run after the withdrawal: %s (revision %d), want no change since revision 2\n%s", c.Summary(), c.PreviousRevision, c.Markdown)
	}
}

// backupSchedule makes a daily schedule of "How are the backups retained
// and stored?" over the notes in dir on stack s, deleted when the test
// ends, and returns a function that triggers one run of it and returns the
// run's result, with what changed since the schedule's run before.
func backupSchedule(ctx context.Context, t *testing.T, s *Stack, sched *rfclient.Schedules, dir string) func(label string) rf.ResearchResult {
	t.Helper()
	spec, err := rf.ScheduleSpec{
		Research: rf.ResearchInput{Question: "How are the backups retained and stored?", CorpusPath: dir,
			MaxSubQuestions: 1, MaxSources: 20, Depth: new(int)},
		Every: "24h", Notify: rf.NotifyAlways,
	}.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	id := rfclient.NewScheduleID()
	if _, err := sched.Create(ctx, id, spec); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sched.Delete(context.Background(), id, "") })
	return func(label string) rf.ResearchResult {
		t.Helper()
		time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second))) // one run per second
		run, err := sched.Trigger(ctx, id, "")
		if err != nil || run.ResearchID == "" {
			t.Fatalf("%s: trigger: %+v %v", label, run, err)
		}
		res, err := s.Runs.Result(ctx, run.ResearchID)
		if err != nil || res.Changes == nil {
			t.Fatalf("%s: %+v %v", label, res.Changes, err)
		}
		t.Logf("%s: %s\n%s", label, res.Changes.Summary(), res.Changes.Markdown)
		return res
	}
}
