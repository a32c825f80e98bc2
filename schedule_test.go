package researchflow

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseEvery(t *testing.T) {
	good := map[string]time.Duration{"24h": 24 * time.Hour, "90m": 90 * time.Minute, "7d": 7 * 24 * time.Hour, " 1m ": time.Minute, "366d": maxScheduleEvery}
	for in, want := range good {
		if got, err := parseEvery(in); err != nil || got != want {
			t.Errorf("parseEvery(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "30s", "59s", "367d", "1.5d", "d", "every day", "-24h", "1y"} {
		var ie *InputError
		if _, err := parseEvery(in); !errors.As(err, &ie) || ie.Field != "every" {
			t.Errorf("parseEvery(%q) = %v; want an InputError on every", in, err)
		}
	}
}

func TestValidateCron(t *testing.T) {
	for _, in := range []string{"0 7 * * 1", "*/15 * * * *", "0 9-17 * * mon-fri", "30 6 1,15 * *", "0 0 1 jan *", "0 12 * * 7", "@daily", "@Weekly"} {
		if err := validateCron(in); err != nil {
			t.Errorf("validateCron(%q) = %v", in, err)
		}
	}
	for in, field := range map[string]string{
		"0 7 * *":        "5 fields",
		"0 7 * * * *":    "5 fields",
		"60 * * * *":     "minute",
		"0 24 * * *":     "hour",
		"0 0 0 * *":      "day of month",
		"0 0 * 13 *":     "month",
		"0 0 * * 8":      "day of week",
		"0 17-9 * * *":   "backwards",
		"*/0 * * * *":    "step",
		"0 0 * * funday": "day of week",
		"@sometimes":     "macro",
	} {
		if err := validateCron(in); err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("validateCron(%q) = %v; want an error naming %s", in, err, field)
		}
	}
}

func TestScheduleRequestSpec(t *testing.T) {
	spec, err := ScheduleRequest{Question: "  How are backups kept?  ", Corpus: "notes", Every: "24h"}.Spec("ana")
	if err != nil {
		t.Fatal(err)
	}
	// The rule of POST /v1/research: trimmed, scoped to the owner,
	// defaults filled; and the schedule's own: on_change by default.
	if spec.Research.Question != "How are backups kept?" || spec.Research.Corpus != "ana--notes" || spec.Research.Owner != "ana" ||
		spec.Research.MaxSources != DefaultMaxSources || spec.Notify != NotifyOnChange || spec.Interval != 24*time.Hour {
		t.Errorf("spec %+v", spec)
	}
	withMail, err := ScheduleRequest{Question: "How are backups kept?", Every: "24h", Email: []string{"Ana@Example.ORG"}}.Spec("ana")
	if err != nil || len(withMail.Research.NotifyEmail()) != 1 || withMail.Research.NotifyEmail()[0] != "Ana@example.org" {
		t.Errorf("e-mail recipients: %+v %v", withMail.Research.Notify, err)
	}
	if again, err := spec.Normalize(); err != nil || again.Research.Corpus != spec.Research.Corpus || again.Interval != spec.Interval {
		t.Errorf("not idempotent: %+v %v", again, err)
	}
	bad := []struct {
		r     ScheduleRequest
		field string
	}{
		{ScheduleRequest{Question: "How are backups kept?"}, "every"},
		{ScheduleRequest{Question: "How are backups kept?", Every: "24h", Cron: "0 7 * * 1"}, "every"},
		{ScheduleRequest{Question: "How are backups kept?", Cron: "0 7 * *"}, "cron"},
		{ScheduleRequest{Question: "How are backups kept?", Every: "24h", Notify: "sometimes"}, "notify"},
		{ScheduleRequest{Question: "How are backups kept?", Every: "24h", Note: strings.Repeat("n", maxScheduleNoteLength+1)}, "note"},
		{ScheduleRequest{Question: "?", Every: "24h"}, "question"},
		{ScheduleRequest{Question: "How are backups kept?", Every: "24h", Corpus: "../etc"}, "corpus"},
		{ScheduleRequest{Question: "How are backups kept?", Every: "24h", Sources: []string{"gopher"}}, "sources"},
		{ScheduleRequest{Question: "How are backups kept?", Every: "24h", MaxSources: 99}, "maxSources"},
	}
	for _, tt := range bad {
		var ie *InputError
		if _, err := tt.r.Spec("ana"); !errors.As(err, &ie) || ie.Field != tt.field {
			t.Errorf("%+v: %v; want an InputError on %s", tt.r, err, tt.field)
		}
	}
	if _, err := (ScheduleSpec{Research: ResearchInput{Question: "How are backups kept?", RequireApproval: true}, Every: "24h"}).Normalize(); err == nil {
		t.Error("a schedule that waits for approval was accepted")
	}
}

func TestSchedulePatchApply(t *testing.T) {
	base := ScheduleRequest{Question: "How are backups kept?", Every: "24h", Notify: NotifyOnChange}
	cron := "0 7 * * 1"
	got, err := SchedulePatch{Cron: &cron}.Apply(base)
	if err != nil || got.Cron != cron || got.Every != "" || got.Question != base.Question {
		t.Errorf("cron replaces every: %+v %v", got, err)
	}
	every, notify := "12h", NotifyNever
	if got, err = (SchedulePatch{Every: &every, Notify: &notify}).Apply(ScheduleRequest{Question: "q?!", Cron: cron}); err != nil || got.Every != "12h" || got.Cron != "" || got.Notify != NotifyNever {
		t.Errorf("every replaces cron: %+v %v", got, err)
	}
	if _, err := (SchedulePatch{}).Apply(base); err == nil {
		t.Error("an empty patch was accepted")
	}
	if _, err := (SchedulePatch{Every: &every, Cron: &cron}).Apply(base); err == nil {
		t.Error("a patch with every and cron was accepted")
	}
}

func TestScheduleRefInResearchInput(t *testing.T) {
	in, err := ResearchInput{Question: "How are backups kept?", Schedule: &ScheduleRef{ID: "schedule-0a1b"}}.Normalize()
	if err != nil || in.Schedule.Notify != NotifyOnChange {
		t.Fatalf("%+v %v", in.Schedule, err)
	}
	for _, ref := range []ScheduleRef{{ID: "nightly"}, {ID: "schedule-"}, {ID: "schedule-AB"}, {ID: "schedule-a", Notify: "loud"}} {
		if _, err := (ResearchInput{Question: "How are backups kept?", Schedule: &ref}).Normalize(); err == nil {
			t.Errorf("%+v accepted", ref)
		}
	}
}
