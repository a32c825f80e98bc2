package researchflow

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// A cron that matches no day is refused when the schedule is made: a
// trial's "0 7 30 2 *" (30 February) was created and shown as "active · no
// next run" for good. Temporal's schedules need a day to match the day of
// month, the month and the day of week (not either day, as classic cron).
func TestCronThatNeverRunsIsRefused(t *testing.T) {
	for _, cron := range []string{"0 7 30 2 *", "0 0 31 4 *", "0 0 31 2,4,6,9,11 *", "0 0 30-31 feb *", "0 0 31 */2 *" /* months 1,3,…,11: 31 Jan exists */} {
		spec := ScheduleSpec{Research: ResearchInput{Question: "When is the deploy freeze?"}, Cron: cron}
		_, err := spec.Normalize()
		var ie *InputError
		never := cron != "0 0 31 */2 *"
		switch {
		case never && (!errors.As(err, &ie) || ie.Field != "cron" || !strings.Contains(ie.Message, "never")):
			t.Errorf("cron %q: %v, want an InputError on cron saying it never runs", cron, err)
		case !never && err != nil:
			t.Errorf("cron %q: %v", cron, err)
		}
	}
	for _, cron := range []string{"0 7 29 2 *", "0 0 13 * 5", "0 0 13 * fri", "0 0 * * 7", "0 0 * * sun", "0 0 1 1 *", "@yearly", "*/15 * * * *", "0 9-17 * * mon-fri", "0 0 3/10 * *"} {
		spec := ScheduleSpec{Research: ResearchInput{Question: "When is the deploy freeze?"}, Cron: cron}
		if _, err := spec.Normalize(); err != nil {
			t.Errorf("cron %q: %v", cron, err)
		}
	}
}

// Whether a cron runs is looked for from a given time, within a horizon:
// 29 February on a Monday next comes in 2044.
func TestCronRunsWithin(t *testing.T) {
	from := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		cron  string
		from  time.Time
		want  bool
		years int
	}{
		{"0 0 29 2 1", from, false, 5},
		{"0 0 29 2 1", time.Date(2043, 1, 1, 0, 0, 0, 0, time.UTC), true, 5},
		{"0 0 13 * 5", from, true, 5},
		{"0 0 31 4 *", from, false, 400},
		{"@daily", from, true, 1},
	} {
		if got := cronRunsWithin(tt.cron, tt.from, tt.from.AddDate(tt.years, 0, 0)); got != tt.want {
			t.Errorf("cronRunsWithin(%q, %v, %d years) = %v, want %v", tt.cron, tt.from, tt.years, got, tt.want)
		}
	}
}

// Temporal reads a macro in lower case only: "@Daily" failed when the
// schedule was created. It is kept as Temporal reads it.
func TestCronMacroIsLowerCased(t *testing.T) {
	got, err := ScheduleSpec{Research: ResearchInput{Question: "When is the deploy freeze?"}, Cron: " @Daily "}.Normalize()
	if err != nil || got.Cron != "@daily" {
		t.Errorf("@Daily: %q, %v; want @daily", got.Cron, err)
	}
}
