package client

import (
	"context"
	"encoding/json"
	"errors"
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

// An interval schedule runs first one interval after it is created, not at
// the epoch-aligned time Temporal picks without an offset: "every 7d"
// created on a Sunday at 14:58 ran first on a Thursday at 00:00 UTC.
func TestIntervalOffsetMakesTheFirstRunOneIntervalAfterCreation(t *testing.T) {
	for _, tt := range []struct {
		created time.Time
		every   time.Duration
	}{
		{time.Date(2026, 12, 6, 14, 58, 31, 500, time.UTC), 7 * 24 * time.Hour}, // a Sunday
		{time.Date(2026, 12, 6, 14, 58, 0, 0, time.UTC), 24 * time.Hour},
		{time.Date(2026, 12, 6, 14, 58, 59, 0, time.UTC), 90 * time.Minute},
		{time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC), time.Minute},
	} {
		off := intervalOffset(tt.created, tt.every)
		if off < 0 || off >= tt.every || off%time.Second != 0 {
			t.Errorf("%v every %v: offset %v, want whole seconds in [0, every)", tt.created, tt.every, off)
		}
		// Temporal runs an interval schedule at epoch + offset + n·every:
		// the first such time after the creation is one interval later
		// (to the second).
		epoch := time.Unix(0, 0).UTC()
		n := tt.created.Sub(epoch.Add(off)) / tt.every
		first := epoch.Add(off + (n+1)*tt.every)
		if want := tt.created.Truncate(time.Second).Add(tt.every); !first.Equal(want) {
			t.Errorf("%v every %v: first run %v, want %v", tt.created, tt.every, first, want)
		}
	}
}

// fakeScheduleClient records what Create was asked and refuses it.
type fakeScheduleClient struct {
	sdkclient.ScheduleClient
	created *sdkclient.ScheduleOptions
}

var errRefused = errors.New("refused by the fake")

func (f *fakeScheduleClient) Create(_ context.Context, o sdkclient.ScheduleOptions) (sdkclient.ScheduleHandle, error) {
	f.created = &o
	return nil, errRefused
}

// Create passes the offset of its own time to Temporal; a cron schedule
// has none.
func TestCreatePassesTheIntervalOffset(t *testing.T) {
	created := time.Date(2026, 12, 6, 14, 58, 31, 0, time.UTC)
	fake := &fakeScheduleClient{}
	s := NewSchedules(fake)
	s.now = func() time.Time { return created }
	spec := rf.ScheduleSpec{Research: rf.ResearchInput{Question: "How long are backups retained?"}, Every: "7d", Notify: rf.NotifyOnChange}
	if _, err := s.Create(context.Background(), "schedule-1", spec); !errors.Is(err, errRefused) {
		t.Fatalf("Create = %v", err)
	}
	iv := fake.created.Spec.Intervals
	week := 7 * 24 * time.Hour
	if len(iv) != 1 || iv[0].Every != week || iv[0].Offset != intervalOffset(created, week) || iv[0].Offset == 0 {
		t.Errorf("intervals %+v, want every 7d with offset %v", iv, intervalOffset(created, week))
	}
	spec.Every, spec.Cron = "", "0 7 * * 1"
	if _, err := s.Create(context.Background(), "schedule-2", spec); !errors.Is(err, errRefused) {
		t.Fatalf("Create = %v", err)
	}
	if len(fake.created.Spec.Intervals) != 0 || len(fake.created.Spec.CronExpressions) != 1 {
		t.Errorf("cron spec %+v", fake.created.Spec)
	}
}

// An update that keeps the interval keeps the schedule's times; one that
// changes it counts from the update.
func TestUpdatedTimingKeepsTheTimesOfTheSameInterval(t *testing.T) {
	created := time.Date(2026, 12, 6, 14, 58, 31, 0, time.UTC)
	updated := created.Add(50 * time.Hour)
	day := 24 * time.Hour
	old := timing(rf.ScheduleSpec{Every: "24h", Interval: day}, created)
	if got := updatedTiming(&old, rf.ScheduleSpec{Every: "24h", Interval: day}, updated); got.Intervals[0].Offset != intervalOffset(created, day) {
		t.Errorf("same interval: offset %v, want the creation's %v", got.Intervals[0].Offset, intervalOffset(created, day))
	}
	if got := updatedTiming(&old, rf.ScheduleSpec{Every: "12h", Interval: 12 * time.Hour}, updated); got.Intervals[0].Offset != intervalOffset(updated, 12*time.Hour) {
		t.Errorf("new interval: offset %v, want the update's %v", got.Intervals[0].Offset, intervalOffset(updated, 12*time.Hour))
	}
	cron := timing(rf.ScheduleSpec{Cron: "0 7 * * 1"}, created)
	if got := updatedTiming(&cron, rf.ScheduleSpec{Every: "24h", Interval: day}, updated); got.Intervals[0].Offset != intervalOffset(updated, day) {
		t.Errorf("cron to interval: offset %v, want the update's %v", got.Intervals[0].Offset, intervalOffset(updated, day))
	}
}
