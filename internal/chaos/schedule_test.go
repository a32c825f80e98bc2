package chaos

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/client"
)

// TestScheduleSurvivesAClusterRestart: a schedule created through the HTTP
// API of the local cluster is kept by the Temporal server in PostgreSQL.
// After the whole cluster is stopped (every process, the Temporal server
// and PostgreSQL: cluster.sh down) and started again on the same data
// (cluster.sh up), `temporal schedule list` still shows it under its owner,
// it is still paused with its note, resume and pause work on it, and a
// trigger starts a run that completes and whose report reaches the
// webhook. Like TestChaosShort it needs PostgreSQL 15 and the temporal CLI
// and skips with -short. It took 109 s here (2026-12-05, 2 cores, load
// about 1.5, the cluster's packages already compiled): 68 s the first up,
// which links the binaries, 4 s down, 26 s up again.
func TestScheduleSurvivesAClusterRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the local cluster twice and takes minutes; runs without -short")
	}
	root, ctx := needCluster(t, "the schedule restart test")
	began := time.Now()
	model := StartModelServer(ModelOptions{SubQuestions: 1, MinDelay: 10 * time.Millisecond, MaxDelay: 50 * time.Millisecond})
	defer model.Close()
	recv, err := StartReceiver(10 * time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer recv.Close()
	lc, err := newLocalCluster(Options{RepoRoot: root}, scriptedEnv(model, recv))
	if err != nil {
		t.Fatal(err)
	}
	defer lc.log.Close()
	step := func(format string, args ...any) {
		t.Logf("+%4.0fs %s", time.Since(began).Seconds(), fmt.Sprintf(format, args...))
	}
	step("cluster up in %s, ports from %d", lc.dir, lc.base)
	defer func() {
		if err := lc.down(); err != nil {
			t.Error(err)
		}
	}()
	if err := lc.up(ctx); err != nil {
		t.Fatalf("%v (logs: %s/logs)", err, lc.dir)
	}
	exports, err := lc.Exports(ctx)
	if err != nil {
		t.Fatal(err)
	}
	api, addr := "http://"+exports["RESEARCHFLOW_HTTP_ADDR"], exports["TEMPORAL_ADDRESS"]
	do := func(method, path, body string, want int) []byte {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, method, api+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %d %s; want %d", method, path, resp.StatusCode, b, want)
		}
		return b
	}
	get := func(path string) rf.ScheduleInfo {
		t.Helper()
		var info rf.ScheduleInfo
		if err := json.Unmarshal(do("GET", path, "", http.StatusOK), &info); err != nil {
			t.Fatal(err)
		}
		return info
	}

	// Created through the API, as a user does; yearly on 1 January, so
	// that only the trigger starts a run.
	var created rf.ScheduleInfo
	b := do("POST", "/v1/schedules", `{"question":"How does the Go scheduler use goroutines?","cron":"0 7 1 1 *","notify":"always","maxSubQuestions":1}`, http.StatusCreated)
	if err := json.Unmarshal(b, &created); err != nil || created.ID == "" || created.Owner != rf.LocalOwner {
		t.Fatalf("POST /v1/schedules: %s (%v)", b, err)
	}
	self := "/v1/schedules/" + created.ID
	step("created %s", created.ID)
	listedWithOwner(ctx, t, addr, created.ID, rf.LocalOwner)
	if info := decodeInfo(t, do("POST", self+"/pause", `{"note":"until the restart"}`, http.StatusOK)); !info.Paused {
		t.Fatalf("pause: %+v", info)
	}
	pidsBefore := clusterPIDs(ctx, t, lc)

	step("cluster down (every process, the Temporal server and PostgreSQL; data kept)")
	if _, err := lc.Do(ctx, "down"); err != nil {
		t.Fatal(err)
	}
	if out, err := lc.Do(ctx, "status"); err != nil || strings.Contains(out, "running") {
		t.Fatalf("after down, still running:\n%s %v", out, err)
	}
	step("cluster up again on the same data")
	if err := lc.up(ctx); err != nil {
		t.Fatalf("%v (logs: %s/logs)", err, lc.dir)
	}
	for name, pid := range clusterPIDs(ctx, t, lc) {
		if pid == pidsBefore[name] {
			t.Fatalf("%s has pid %s before and after the restart: not restarted", name, pid)
		}
	}

	step("after the restart")
	listedWithOwner(ctx, t, addr, created.ID, rf.LocalOwner)
	if info := get(self); !info.Paused || info.Note != "until the restart" || info.Cron != "0 7 1 1 *" || info.Question != created.Question || info.Notify != rf.NotifyAlways {
		t.Errorf("after the restart: %+v; want it paused with its note, cron, question and notify mode", info)
	}
	if info := decodeInfo(t, do("POST", self+"/resume", "", http.StatusOK)); info.Paused || len(info.NextRuns) == 0 {
		t.Errorf("resume after the restart: %+v", info)
	}
	if info := decodeInfo(t, do("POST", self+"/pause", `{"note":"paused after the restart"}`, http.StatusOK)); !info.Paused || info.Note != "paused after the restart" {
		t.Errorf("pause after the restart: %+v", info)
	}
	if info := decodeInfo(t, do("POST", self+"/resume", "", http.StatusOK)); info.Paused {
		t.Errorf("resume after the restart: %+v", info)
	}

	var trig struct {
		Run rf.ScheduledRun `json:"run"`
	}
	if err := json.Unmarshal(do("POST", self+"/trigger", "", http.StatusAccepted), &trig); err != nil {
		t.Fatal(err)
	}
	id := trig.Run.ResearchID
	for deadline := time.Now().Add(30 * time.Second); id == ""; time.Sleep(500 * time.Millisecond) {
		// Temporal had not started the run when the gateway answered.
		if runs := get(self).RecentRuns; len(runs) > 0 {
			id = runs[len(runs)-1].ResearchID
		} else if time.Now().After(deadline) {
			t.Fatal("the trigger started no run in 30 s")
		}
	}
	if !strings.HasPrefix(id, client.ScheduledRunPrefix(created.ID)) {
		t.Errorf("triggered run %s is not one of schedule %s", id, created.ID)
	}
	step("triggered %s", id)
	tc, ns, err := lc.dial(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	wctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	if err := waitCompleted(wctx, client.New(tc, ns), id); err != nil {
		t.Fatalf("%v (logs: %s/logs)", err, lc.dir)
	}
	step("%s completed", id)
	for !CountDeliveries(recv.Deliveries()).ReportsAcked[id] {
		select {
		case <-wctx.Done():
			t.Fatalf("the report of %s never reached the webhook (%d deliveries)", id, len(recv.Deliveries()))
		case <-time.After(pollEvery):
		}
	}
	step("report of %s delivered to the webhook", id)
	if runs := get(self).RecentRuns; len(runs) != 1 || runs[0].ResearchID != id {
		t.Errorf("recent runs %+v; want the one triggered run %s", runs, id)
	}
}

func decodeInfo(t *testing.T, b []byte) rf.ScheduleInfo {
	t.Helper()
	var info rf.ScheduleInfo
	if err := json.Unmarshal(b, &info); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return info
}

// listedSchedule is an entry of `temporal schedule list -o json` (the
// ListSchedules answer; payloads in full, their data base64).
type listedSchedule struct {
	ScheduleID       string `json:"scheduleId"`
	SearchAttributes struct {
		IndexedFields map[string]struct {
			Data []byte `json:"data"`
		} `json:"indexedFields"`
	} `json:"searchAttributes"`
}

// listedWithOwner waits (at most 30 s: the list is Temporal's visibility
// store, written after the schedule) until `temporal schedule list` with
// a query on the owner search attribute shows schedule id with that owner.
func listedWithOwner(ctx context.Context, t *testing.T, addr, id, owner string) {
	t.Helper()
	query := fmt.Sprintf("%s = '%s'", rf.SearchAttrOwner, owner)
	var out []byte
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Second) {
		var err error
		out, err = exec.CommandContext(ctx, "temporal", "schedule", "list", "--address", addr, "--namespace", "default",
			"--query", query, "-o", "json").Output()
		if err != nil {
			t.Fatalf("temporal schedule list: %v\n%s", err, out)
		}
		var list []listedSchedule
		if err := json.Unmarshal(bytes.TrimSpace(out), &list); err != nil && len(bytes.TrimSpace(out)) > 0 {
			t.Fatalf("temporal schedule list -o json: %v\n%s", err, out)
		}
		for _, s := range list {
			if s.ScheduleID != id {
				continue
			}
			if got := string(s.SearchAttributes.IndexedFields[rf.SearchAttrOwner].Data); got != `"`+owner+`"` {
				t.Fatalf("schedule %s listed with %s %s, want %q", id, rf.SearchAttrOwner, got, owner)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("temporal schedule list --query %q does not show %s after 30 s:\n%s", query, id, out)
		}
	}
}

// clusterPIDs are the process IDs of the Temporal server, PostgreSQL and
// the gateway.
func clusterPIDs(ctx context.Context, t *testing.T, lc *localCluster) map[string]string {
	t.Helper()
	pids := map[string]string{}
	for _, name := range []string{"postgres", "temporal", "api"} {
		out, err := lc.Do(ctx, "pid", name)
		if err != nil || strings.TrimSpace(out) == "" {
			t.Fatalf("cluster.sh pid %s: %q %v", name, out, err)
		}
		pids[name] = strings.TrimSpace(out)
	}
	return pids
}
