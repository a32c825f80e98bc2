package client

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	sdkclient "go.temporal.io/sdk/client"

	rf "github.com/researchflow/researchflow"
)

// A schedule never updated had "updatedAt": "1970-01-01T00:00:00Z" (Temporal's
// unset time), and one paused without a note read "paused (paused)" in the
// web app (the note Pause gives Temporal). Neither is shown.
func TestScheduleInfoLeavesOutUnsetTimesAndDefaultNotes(t *testing.T) {
	created := time.Date(2026, 12, 4, 7, 0, 0, 0, time.UTC)
	in := rf.ResearchInput{Question: "How long are backups retained?", Corpus: "notes", Schedule: &rf.ScheduleRef{ID: "schedule-1", Every: "24h", Notify: rf.NotifyOnChange}}
	d := &sdkclient.ScheduleDescription{
		Schedule: sdkclient.Schedule{State: &sdkclient.ScheduleState{Paused: true, Note: defaultPauseNote}},
		Info:     sdkclient.ScheduleInfo{CreatedAt: created, LastUpdateAt: time.Unix(0, 0).UTC()},
	}
	info, spec := scheduleInfo("schedule-1", in, d)
	b, err := json.Marshal(info)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "updatedAt") || strings.Contains(string(b), "1970") || strings.Contains(string(b), `"note"`) {
		t.Errorf("info %s: want no updatedAt and no note", b)
	}
	if !info.CreatedAt.Equal(created) || !info.Paused || spec.Note != defaultPauseNote {
		t.Errorf("info %+v spec %+v", info, spec)
	}
	// A note of one's own, and a real update time, are shown.
	d.Schedule.State.Note = "on holiday"
	d.Info.LastUpdateAt = created.Add(time.Hour)
	if info, _ := scheduleInfo("schedule-1", in, d); info.Note != "on holiday" || !info.UpdatedAt.Equal(created.Add(time.Hour)) {
		t.Errorf("info %+v", info)
	}
}
