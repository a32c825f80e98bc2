package researchflow

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Recurring research runs as Temporal Schedules: a schedule starts a
// ResearchWorkflow every so often (or on a cron calendar) with the same
// question; each run receives the previous completed run of its schedule
// and reports what changed since (see Changes). `temporal schedule list`
// and the Web UI's Schedules page show them, with their owner in the
// ResearchOwner search attribute.

// Notification modes of a schedule (ScheduleRequest.Notify).
const (
	// NotifyOnChange publishes a research.changed event, and delivers the
	// report, only when a run found something changed since the previous
	// one; the run's stage events are not published. The default.
	NotifyOnChange = "on_change"
	// NotifyAlways publishes and delivers every run like an unscheduled one,
	// plus research.changed when something changed.
	NotifyAlways = "always"
	// NotifyNever publishes and delivers nothing; the runs are kept and
	// listed under their schedule.
	NotifyNever = "never"
)

// Schedule limits and policies.
const (
	// scheduleIDPrefix starts every schedule ID ("schedule-<uuid>").
	scheduleIDPrefix = "schedule-"
	// minScheduleEvery and maxScheduleEvery bound ScheduleRequest.Every.
	minScheduleEvery = time.Minute
	maxScheduleEvery = 366 * 24 * time.Hour
	// maxScheduleNoteLength bounds a schedule's note, in characters.
	maxScheduleNoteLength = 500
)

// ScheduleRef, in a ResearchInput, marks a run started by schedule ID. The
// schedule sets it in the input of every run it starts:
//
//	{"question": "…", "schedule": {"id": "schedule-…", "notify": "on_change"}}
type ScheduleRef struct {
	ID string `json:"id"`
	// Notify is the schedule's notification mode (Notify* values; empty
	// means NotifyOnChange).
	Notify string `json:"notify,omitempty"`
	// Every or Cron is the schedule's timing as its owner wrote it (for the
	// record: Temporal keeps a cron as a calendar).
	Every string `json:"every,omitempty"`
	Cron  string `json:"cron,omitempty"`
}

var scheduleIDPattern = regexp.MustCompile(`^schedule-[a-z0-9][a-z0-9-]{0,99}$`)

// validateScheduleID checks a schedule ID (scheduleIDPrefix, then 1 to 100
// lower-case letters, digits or '-'). Other packages check one as a
// ScheduleRef (client.ValidateScheduleID).
func validateScheduleID(id string) error {
	if !scheduleIDPattern.MatchString(id) {
		return inputError("schedule.id", "%q: want %s followed by 1 to 100 lower-case letters, digits or '-'", id, scheduleIDPrefix)
	}
	return nil
}

// Normalize validates r and fills the notification mode.
func (r *ScheduleRef) Normalize() (*ScheduleRef, error) {
	if r == nil {
		return nil, nil
	}
	out := *r
	if err := validateScheduleID(out.ID); err != nil {
		return nil, err
	}
	n, err := normalizeNotifyMode(out.Notify)
	if err != nil {
		return nil, err
	}
	out.Notify = n
	return &out, nil
}

func normalizeNotifyMode(m string) (string, error) {
	switch m = strings.TrimSpace(strings.ToLower(m)); m {
	case "":
		return NotifyOnChange, nil
	case NotifyOnChange, NotifyAlways, NotifyNever:
		return m, nil
	}
	return m, inputError("notify", "want %q, %q or %q, not %q", NotifyOnChange, NotifyAlways, NotifyNever, m)
}

// ScheduleRequest is the body of POST /v1/schedules, and what the starter's
// `schedule create` builds from its flags: the research to repeat and when.
// Exactly one of Every and Cron is set.
type ScheduleRequest struct {
	Question string `json:"question"`
	// Corpus is a corpus name (the owner's own, or the public default).
	Corpus string `json:"corpus,omitempty"`
	// Sources names where each run looks (see KnownSources).
	Sources []string `json:"sources,omitempty"`
	// Every is an interval: a Go duration ("24h", "90m") or whole days
	// ("7d"), from minScheduleEvery to maxScheduleEvery.
	Every string `json:"every,omitempty"`
	// Cron is a five-field cron expression (minute hour day-of-month month
	// day-of-week, UTC), e.g. "0 7 * * 1", or @hourly, @daily, @weekly,
	// @monthly, @yearly.
	Cron string `json:"cron,omitempty"`
	// Notify is on_change (default), always or never (Notify* values).
	Notify string `json:"notify,omitempty"`
	// MaxSubQuestions and MaxSources bound each run (see ResearchInput).
	MaxSubQuestions int `json:"maxSubQuestions,omitempty"`
	MaxSources      int `json:"maxSources,omitempty"`
	// Email lists who receives the notifications a run sends (see
	// NotifyTargets: only the operator's allowed domains).
	Email []string `json:"email,omitempty"`
	// Paused creates the schedule paused; Note says why (or anything else
	// its owner wants to read in `temporal schedule describe`).
	Paused bool   `json:"paused,omitempty"`
	Note   string `json:"note,omitempty"`
}

// ScheduleSpec is a validated schedule: the research input every run starts
// with (its Schedule set by the client once the ID is known) and the
// timing. ScheduleRequest.Spec (the gateway) and NewScheduleSpec (the
// starter) make one; both end in ScheduleSpec.Normalize.
type ScheduleSpec struct {
	Research ResearchInput `json:"research"`
	// Every, as typed ("24h", "7d"), and its value; or Cron.
	Every    string        `json:"every,omitempty"`
	Interval time.Duration `json:"-"`
	Cron     string        `json:"cron,omitempty"`
	Notify   string        `json:"notify"`
	Paused   bool          `json:"paused,omitempty"`
	Note     string        `json:"note,omitempty"`
}

// Spec is the normalized schedule of r created by owner: the corpus is
// scoped to the owner and the research input goes through the rule of POST
// /v1/research (CreateResearchRequest.Input). Errors are *InputError.
func (r ScheduleRequest) Spec(owner string) (ScheduleSpec, error) {
	req := CreateResearchRequest{
		Question: r.Question, Corpus: r.Corpus, Sources: r.Sources,
		MaxSubQuestions: r.MaxSubQuestions, MaxSources: r.MaxSources,
	}
	if len(r.Email) > 0 {
		req.Notify = &NotifyTargets{Email: r.Email}
	}
	in, err := req.Input(owner)
	if err != nil {
		return ScheduleSpec{}, err
	}
	return ScheduleSpec{Research: in, Every: r.Every, Cron: r.Cron, Notify: r.Notify, Paused: r.Paused, Note: r.Note}.Normalize()
}

// Normalize validates s: its research input (ResearchInput.Normalize; an
// input that needs approval is refused, nobody would be there to approve),
// exactly one of Every and Cron, the notification mode and the note.
func (s ScheduleSpec) Normalize() (ScheduleSpec, error) {
	in, err := s.Research.Normalize()
	if err != nil {
		return s, err
	}
	if in.RequireApproval {
		return s, inputError("requireApproval", "a scheduled run cannot wait for approval")
	}
	s.Research = in
	s.Every, s.Cron = strings.TrimSpace(s.Every), strings.Join(strings.Fields(s.Cron), " ")
	switch {
	case s.Every == "" && s.Cron == "":
		return s, inputError("every", "set every (e.g. \"24h\") or cron (e.g. \"0 7 * * 1\")")
	case s.Every != "" && s.Cron != "":
		return s, inputError("every", "set every or cron, not both")
	case s.Every != "":
		if s.Interval, err = parseEvery(s.Every); err != nil {
			return s, err
		}
	default:
		if err := validateCron(s.Cron); err != nil {
			return s, err
		}
		if strings.HasPrefix(s.Cron, "@") {
			s.Cron = strings.ToLower(s.Cron) // Temporal reads macros in lower case only
		}
		// A schedule that would never start a run is refused (a trial's
		// "0 7 30 2 *" was shown as active with no next run, for good).
		now := time.Now()
		if !cronRunsWithin(s.Cron, now, now.AddDate(cronHorizonYears, 0, 0)) {
			return s, inputError("cron", "%q never runs: no day in the next %d years has its day of month, month and day of week together (a run needs all three)", s.Cron, cronHorizonYears)
		}
		s.Interval = 0
	}
	if s.Notify, err = normalizeNotifyMode(s.Notify); err != nil {
		return s, err
	}
	if s.Note, err = normalizeNote(s.Note); err != nil {
		return s, err
	}
	return s, nil
}

func normalizeNote(note string) (string, error) {
	note = strings.TrimSpace(note)
	if !utf8.ValidString(note) || utf8.RuneCountInString(note) > maxScheduleNoteLength {
		return note, inputError("note", "want at most %d characters of UTF-8", maxScheduleNoteLength)
	}
	return note, nil
}

// Request is the ScheduleRequest that makes schedule i again, with the
// corpus as its owner knows it (the base of a PATCH).
func (i ScheduleInfo) Request() ScheduleRequest {
	return ScheduleRequest{
		Question: i.Question, Corpus: i.Corpus, Sources: i.Sources, Every: i.Every, Cron: i.Cron,
		Notify: i.Notify, MaxSubQuestions: i.MaxSubQuestions, MaxSources: i.MaxSources,
		Email: i.Email, Paused: i.Paused, Note: i.Note,
	}
}

// SchedulePatch is the body of PATCH /v1/schedules/{id}: the fields given
// replace the schedule's; every replaces cron and cron replaces every.
// Pausing has its own routes (pause, resume), with a note.
type SchedulePatch struct {
	Question        *string   `json:"question,omitempty"`
	Corpus          *string   `json:"corpus,omitempty"`
	Sources         *[]string `json:"sources,omitempty"`
	Every           *string   `json:"every,omitempty"`
	Cron            *string   `json:"cron,omitempty"`
	Notify          *string   `json:"notify,omitempty"`
	MaxSubQuestions *int      `json:"maxSubQuestions,omitempty"`
	MaxSources      *int      `json:"maxSources,omitempty"`
	Email           *[]string `json:"email,omitempty"`
}

// Apply returns r with p's fields. An empty patch is an *InputError.
func (p SchedulePatch) Apply(r ScheduleRequest) (ScheduleRequest, error) {
	if p == (SchedulePatch{}) {
		return r, inputError("body", "nothing to change: give at least one of question, corpus, sources, every, cron, notify, maxSubQuestions, maxSources, email")
	}
	if p.Every != nil && p.Cron != nil && *p.Every != "" && *p.Cron != "" {
		return r, inputError("every", "set every or cron, not both")
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&r.Question, p.Question)
	set(&r.Corpus, p.Corpus)
	set(&r.Notify, p.Notify)
	if p.Sources != nil {
		r.Sources = *p.Sources
	}
	if p.Every != nil {
		r.Every, r.Cron = *p.Every, ""
	}
	if p.Cron != nil {
		r.Cron = *p.Cron
		if *p.Cron != "" {
			r.Every = ""
		}
	}
	if p.MaxSubQuestions != nil {
		r.MaxSubQuestions = *p.MaxSubQuestions
	}
	if p.MaxSources != nil {
		r.MaxSources = *p.MaxSources
	}
	if p.Email != nil {
		r.Email = *p.Email
	}
	return r, nil
}

// ScheduleInfo describes a schedule (GET /v1/schedules/{id}, the starter's
// `schedule list`).
type ScheduleInfo struct {
	ID       string   `json:"id"`
	Owner    string   `json:"owner"`
	Question string   `json:"question"`
	Corpus   string   `json:"corpus"`
	Sources  []string `json:"sources,omitempty"`
	Every    string   `json:"every,omitempty"`
	Cron     string   `json:"cron,omitempty"`
	Notify   string   `json:"notify"`
	// MaxSubQuestions and MaxSources bound each run (see ResearchInput).
	MaxSubQuestions int      `json:"maxSubQuestions"`
	MaxSources      int      `json:"maxSources"`
	Email           []string `json:"email,omitempty"`
	Paused          bool     `json:"paused"`
	Note            string   `json:"note,omitempty"`
	// NextRuns are the next times it will start a run (none while paused).
	NextRuns []time.Time `json:"nextRuns,omitempty"`
	// RecentRuns are the last runs it started, oldest first (Temporal keeps
	// the last ten); every run is also listed by GET /v1/research.
	RecentRuns []ScheduledRun `json:"recentRuns,omitempty"`
	// Actions counts the runs started; Skipped, the runs not started
	// because the previous one was still running (overlap policy skip) or
	// were missed past the catch-up window.
	Actions   int       `json:"actions"`
	Skipped   int       `json:"skipped,omitempty"`
	CreatedAt time.Time `json:"createdAt,omitzero"`
	UpdatedAt time.Time `json:"updatedAt,omitzero"`
}

// ScheduledRun is one run a schedule started.
type ScheduledRun struct {
	ResearchID  string    `json:"researchId"`
	ScheduledAt time.Time `json:"scheduledAt"`
	StartedAt   time.Time `json:"startedAt"`
}

// parseEvery reads a schedule interval: a Go duration ("24h", "90m") or a
// whole number of days ("7d"). Errors are *InputError on "every".
func parseEvery(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var d time.Duration
	var err error
	if days, ok := strings.CutSuffix(s, "d"); ok && days != "" && !strings.ContainsAny(days, "hms.") {
		var n int
		if n, err = strconv.Atoi(days); err == nil {
			d = time.Duration(n) * 24 * time.Hour
		}
	} else {
		d, err = time.ParseDuration(s)
	}
	if err != nil {
		return 0, inputError("every", "%q: want a duration such as 90m, 24h or 7d", s)
	}
	if d < minScheduleEvery || d > maxScheduleEvery {
		return 0, inputError("every", "%q: want %v to %v", s, minScheduleEvery, "366d")
	}
	return d, nil
}

// cronFields are the fields of a five-field cron expression: their names
// and ranges, and the names a month or a day of the week may use.
var cronFields = []struct {
	name     string
	min, max int
	names    []string
}{
	{"minute", 0, 59, nil},
	{"hour", 0, 23, nil},
	{"day of month", 1, 31, nil},
	{"month", 1, 12, []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
	{"day of week", 0, 7, []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
}

var cronMacros = []string{"@hourly", "@daily", "@midnight", "@weekly", "@monthly", "@yearly", "@annually"}

// validateCron checks a five-field cron expression (or a macro such as
// @daily): each field is *, a number, a name (months, days of the week), a
// range a-b, a list, with an optional /step, within the field's range.
// Errors are *InputError on "cron" naming the field at fault.
func validateCron(expr string) error {
	_, err := cronSets(expr)
	return err
}

// cronHorizonYears is how far ahead a cron must match a day to be accepted.
const cronHorizonYears = 5

// cronSets are the values each field of expr matches, as Temporal reads
// them (see cronSet); nil for a macro, which matches every year.
func cronSets(expr string) ([]uint64, error) {
	fields := strings.Fields(expr)
	if len(fields) == 1 && strings.HasPrefix(fields[0], "@") {
		for _, m := range cronMacros {
			if strings.EqualFold(fields[0], m) {
				return nil, nil
			}
		}
		return nil, inputError("cron", "%q: unknown macro; want one of %s", expr, strings.Join(cronMacros, ", "))
	}
	if len(fields) != len(cronFields) {
		return nil, inputError("cron", "%q: want 5 fields (minute hour day-of-month month day-of-week), got %d", expr, len(fields))
	}
	sets := make([]uint64, len(fields))
	for i, f := range fields {
		spec := cronFields[i]
		set, err := cronSet(f, spec.min, spec.max, spec.names)
		if err != nil {
			return nil, inputError("cron", "%q: %s field %q: %v", expr, spec.name, f, err)
		}
		sets[i] = set
	}
	if sets[4]&(1<<7) != 0 { // 7 is Sunday too
		sets[4] |= 1
	}
	return sets, nil
}

// cronSet is the set of values (bit v for value v) that field, a list of
// items, matches: "*", a value, a range a-b, each with an optional /step;
// "a/step" runs from a to hi, as Temporal reads it.
func cronSet(field string, lo, hi int, names []string) (uint64, error) {
	var set uint64
	for _, item := range strings.Split(field, ",") {
		rng, step, hasStep := strings.Cut(item, "/")
		n := 1
		if hasStep {
			var err error
			if n, err = strconv.Atoi(step); err != nil || n < 1 || n > hi-lo+1 {
				return 0, fmt.Errorf("step %q: want 1 to %d", step, hi-lo+1)
			}
		}
		a, b := lo, hi
		if rng != "*" {
			x, y, isRange := strings.Cut(rng, "-")
			var err error
			if a, err = cronValue(x, lo, hi, names); err != nil {
				return 0, err
			}
			switch {
			case isRange:
				if b, err = cronValue(y, lo, hi, names); err != nil {
					return 0, err
				}
				if b < a {
					return 0, fmt.Errorf("range %q runs backwards", rng)
				}
			case !hasStep:
				b = a
			}
		}
		for v := a; v <= b; v += n {
			set |= 1 << v
		}
	}
	return set, nil
}

// cronRunsWithin reports whether the valid cron expr matches a day from
// from (UTC) to until: a day of its months that has one of its days of
// month and one of its days of week (Temporal needs both, unlike classic
// cron, which needs either). Its minutes and hours always match some
// time of such a day.
func cronRunsWithin(expr string, from, until time.Time) bool {
	sets, err := cronSets(expr)
	if err != nil {
		return false
	}
	if sets == nil {
		return true // a macro
	}
	month, dom, dow := sets[3], sets[2], sets[4]
	y, m, d := from.UTC().Date()
	for day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC); !day.After(until); day = day.AddDate(0, 0, 1) {
		if month&(1<<int(day.Month())) != 0 && dom&(1<<day.Day()) != 0 && dow&(1<<int(day.Weekday())) != 0 {
			return true
		}
	}
	return false
}

func cronValue(s string, lo, hi int, names []string) (int, error) {
	for i, n := range names {
		if strings.EqualFold(s, n) {
			return i + lo, nil
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%q: want %d to %d", s, lo, hi)
	}
	return n, nil
}
