package client

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	rf "github.com/researchflow/researchflow"
)

// ErrScheduleNotFound: no schedule has that ID, or it is another owner's.
var ErrScheduleNotFound = errors.New("no such schedule")

// Schedules creates and manages research schedules: Temporal Schedules
// whose action starts a ResearchWorkflow (so `temporal schedule list` and
// the Web UI's Schedules page show them), with the overlap policy skip (a
// run still going when the next is due makes the next one skipped), a
// catch-up window of CatchupWindow, and the owner in the
// ResearchOwner search attribute of the schedule and of every run.
//
// An owner of "" in the methods below means any owner (the starter, a
// gateway without authentication); otherwise a schedule of another owner
// is ErrScheduleNotFound.
type Schedules struct {
	sc sdkclient.ScheduleClient
	dc converter.DataConverter
	// now is the time a schedule is created or its timing updated at,
	// whence an interval schedule's offset (time.Now; tests set it).
	now func() time.Time
}

// CatchupWindow is how late a run missed while the cluster was down may
// still start when it is back; older missed runs are skipped.
const CatchupWindow = time.Hour

// NewSchedules returns Schedules on sc (client.Client.ScheduleClient()).
func NewSchedules(sc sdkclient.ScheduleClient) *Schedules {
	return &Schedules{sc: sc, dc: converter.GetDefaultDataConverter(), now: time.Now}
}

// WithDataConverter returns s decoding schedules' inputs with dc (the
// client's, when it has a payload codec).
func (s *Schedules) WithDataConverter(dc converter.DataConverter) *Schedules {
	c := *s
	c.dc = dc
	return &c
}

// NewScheduleID returns a fresh schedule ID ("schedule-<uuid>").
func NewScheduleID() string { return scheduleIDPrefix + uuid.NewString() }

// scheduleIDPrefix starts every schedule ID; rf.ValidateScheduleID holds
// the rule (a test keeps the two in step).
const scheduleIDPrefix = "schedule-"

// ScheduledRunPrefix is the workflow ID of schedule id's runs, to which
// Temporal appends each run's scheduled time
// ("research-schedule-…-2026-12-04T07:00:00Z").
func ScheduledRunPrefix(id string) string { return "research-" + id }

var (
	ownerKey  = temporal.NewSearchAttributeKeyKeyword(rf.SearchAttrOwner)
	corpusKey = temporal.NewSearchAttributeKeyKeyword(rf.SearchAttrCorpus)
)

// Create creates schedule id from spec (normalized again here).
func (s *Schedules) Create(ctx context.Context, id string, spec rf.ScheduleSpec) (rf.ScheduleInfo, error) {
	if err := ValidateScheduleID(id); err != nil {
		return rf.ScheduleInfo{}, err
	}
	spec, err := spec.Normalize()
	if err != nil {
		return rf.ScheduleInfo{}, err
	}
	in := runInput(id, spec)
	attrs := []temporal.SearchAttributeUpdate{}
	if in.Owner != "" {
		attrs = append(attrs, ownerKey.ValueSet(in.Owner))
	}
	_, err = s.sc.Create(ctx, sdkclient.ScheduleOptions{
		ID:                    id,
		Spec:                  timing(spec, s.now()),
		Action:                action(id, in),
		Overlap:               enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		CatchupWindow:         CatchupWindow,
		Note:                  spec.Note,
		Paused:                spec.Paused,
		TypedSearchAttributes: temporal.NewSearchAttributes(attrs...),
	})
	if err != nil {
		var exists *serviceerror.WorkflowExecutionAlreadyStarted
		if errors.As(err, &exists) || errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
			return rf.ScheduleInfo{}, fmt.Errorf("schedule %s: %w", id, ErrIdempotencyConflict)
		}
		return rf.ScheduleInfo{}, fmt.Errorf("create schedule %s: %w", id, err)
	}
	return s.Get(ctx, id, in.Owner)
}

// runInput is the input of every run of schedule id.
func runInput(id string, spec rf.ScheduleSpec) rf.ResearchInput {
	in := spec.Research
	in.Schedule = &rf.ScheduleRef{ID: id, Notify: spec.Notify, Every: spec.Every, Cron: spec.Cron}
	return in
}

// timing is spec's timing for Temporal, set at time at: an interval
// schedule runs first one interval after at (intervalOffset).
func timing(spec rf.ScheduleSpec, at time.Time) sdkclient.ScheduleSpec {
	if spec.Cron != "" {
		return sdkclient.ScheduleSpec{CronExpressions: []string{spec.Cron}}
	}
	return sdkclient.ScheduleSpec{Intervals: []sdkclient.ScheduleIntervalSpec{{Every: spec.Interval, Offset: intervalOffset(at, spec.Interval)}}}
}

// updatedTiming is the timing of a schedule whose timing was old, updated
// to spec at time at: the same interval keeps its times (an update of the
// question does not move the next run); another counts from at.
func updatedTiming(old *sdkclient.ScheduleSpec, spec rf.ScheduleSpec, at time.Time) sdkclient.ScheduleSpec {
	t := timing(spec, at)
	if old != nil && len(old.Intervals) == 1 && len(t.Intervals) == 1 && old.Intervals[0].Every == t.Intervals[0].Every {
		t.Intervals[0].Offset = old.Intervals[0].Offset
	}
	return t
}

// intervalOffset is the offset of an interval schedule of every set at
// time at, so that its first run comes one interval after at (to the
// second). Temporal runs an interval schedule at the Unix epoch + offset
// + n·every: without an offset "every 7d" created on a Sunday at 14:58
// ran first on the Thursday at 00:00 UTC after (the epoch was a Thursday).
func intervalOffset(at time.Time, every time.Duration) time.Duration {
	if every <= 0 {
		return 0
	}
	return (time.Duration(at.Unix()) * time.Second % every).Truncate(time.Second)
}

func action(id string, in rf.ResearchInput) *sdkclient.ScheduleWorkflowAction {
	attrs := []temporal.SearchAttributeUpdate{corpusKey.ValueSet(in.Corpus)}
	if in.Owner != "" {
		attrs = append(attrs, ownerKey.ValueSet(in.Owner))
	}
	summary, details := researchSummary(in)
	return &sdkclient.ScheduleWorkflowAction{
		StaticSummary:         summary,
		StaticDetails:         details,
		ID:                    ScheduledRunPrefix(id),
		Workflow:              rf.ResearchWorkflowType,
		Args:                  []any{in},
		TaskQueue:             rf.TaskQueueWorkflow,
		Memo:                  map[string]any{MemoQuestion: rf.MemoQuestionText(in.Question)},
		TypedSearchAttributes: temporal.NewSearchAttributes(attrs...),
	}
}

// Get describes schedule id.
func (s *Schedules) Get(ctx context.Context, id, owner string) (rf.ScheduleInfo, error) {
	info, _, err := s.describe(ctx, id, owner)
	return info, err
}

// describe returns schedule id's info and its current spec.
func (s *Schedules) describe(ctx context.Context, id, owner string) (rf.ScheduleInfo, rf.ScheduleSpec, error) {
	if ValidateScheduleID(id) != nil {
		return rf.ScheduleInfo{}, rf.ScheduleSpec{}, fmt.Errorf("schedule %q: %w", id, ErrScheduleNotFound)
	}
	d, err := s.sc.GetHandle(ctx, id).Describe(ctx)
	if err != nil {
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			return rf.ScheduleInfo{}, rf.ScheduleSpec{}, fmt.Errorf("schedule %q: %w", id, ErrScheduleNotFound)
		}
		return rf.ScheduleInfo{}, rf.ScheduleSpec{}, fmt.Errorf("describe schedule %s: %w", id, err)
	}
	in, ok := s.researchInput(d.Schedule.Action)
	if !ok || in.Schedule == nil || (owner != "" && in.Owner != owner) {
		return rf.ScheduleInfo{}, rf.ScheduleSpec{}, fmt.Errorf("schedule %q: %w", id, ErrScheduleNotFound)
	}
	info, spec := scheduleInfo(id, in, d)
	return info, spec, nil
}

// The notes Pause and Resume give Temporal when none is given (Temporal
// would write "Paused via Go SDK"): a schedule's info leaves them out, so
// that a paused schedule does not read "paused (paused)".
const (
	defaultPauseNote  = "paused"
	defaultResumeNote = "resumed"
)

// scheduleInfo is the info and spec of schedule id, whose action runs in,
// as Temporal describes it in d.
func scheduleInfo(id string, in rf.ResearchInput, d *sdkclient.ScheduleDescription) (rf.ScheduleInfo, rf.ScheduleSpec) {
	spec := rf.ScheduleSpec{Every: in.Schedule.Every, Cron: in.Schedule.Cron, Notify: in.Schedule.Notify}
	if d.Schedule.State != nil {
		spec.Paused, spec.Note = d.Schedule.State.Paused, d.Schedule.State.Note
	}
	research := in
	research.Schedule = nil
	spec.Research = research
	note := spec.Note
	if note == defaultPauseNote || note == defaultResumeNote {
		note = ""
	}
	info := rf.ScheduleInfo{
		ID: id, Owner: in.Owner, Question: in.Question, Corpus: rf.PublicCorpus(in.Owner, in.Corpus),
		Sources: in.Sources, Every: spec.Every, Cron: spec.Cron, Notify: spec.Notify,
		MaxSubQuestions: in.MaxSubQuestions, MaxSources: in.MaxSources, Email: in.NotifyEmail(),
		Paused: spec.Paused, Note: note,
		Actions:   d.Info.NumActions,
		Skipped:   d.Info.NumActionsSkippedOverlap + d.Info.NumActionsMissedCatchupWindow,
		CreatedAt: stamp(d.Info.CreatedAt), UpdatedAt: stamp(d.Info.LastUpdateAt),
	}
	if !spec.Paused {
		info.NextRuns = d.Info.NextActionTimes
	}
	for _, a := range d.Info.RecentActions {
		if a.StartWorkflowResult != nil {
			info.RecentRuns = append(info.RecentRuns, rf.ScheduledRun{ResearchID: a.StartWorkflowResult.WorkflowID, ScheduledAt: a.ScheduleTime, StartedAt: a.ActualTime})
		}
	}
	return info, spec
}

// stamp is t, or the zero time (left out of JSON) for a time Temporal
// never set: an unset protobuf Timestamp reads as 1970-01-01T00:00:00Z
// (a schedule never updated has no update time).
func stamp(t time.Time) time.Time {
	if t.Equal(time.Unix(0, 0)) {
		return time.Time{}
	}
	return t
}

// researchInput decodes the research input of a schedule's action; false
// when it is not a research schedule.
func (s *Schedules) researchInput(a sdkclient.ScheduleAction) (rf.ResearchInput, bool) {
	wa, ok := a.(*sdkclient.ScheduleWorkflowAction)
	if !ok || len(wa.Args) != 1 {
		return rf.ResearchInput{}, false
	}
	if name, _ := wa.Workflow.(string); name != rf.ResearchWorkflowType {
		return rf.ResearchInput{}, false
	}
	var in rf.ResearchInput
	switch p := wa.Args[0].(type) {
	case *commonpb.Payload:
		if err := s.dc.FromPayload(p, &in); err != nil {
			return rf.ResearchInput{}, false
		}
	case rf.ResearchInput:
		in = p
	default:
		return rf.ResearchInput{}, false
	}
	return in, true
}

// List returns owner's schedules, by ID. Temporal lists schedules from its
// visibility store: a schedule created a moment ago may be missing.
func (s *Schedules) List(ctx context.Context, owner string) ([]rf.ScheduleInfo, error) {
	query := ""
	if owner != "" {
		query = fmt.Sprintf("%s = %s", rf.SearchAttrOwner, quoteQuery(owner))
	}
	it, err := s.sc.List(ctx, sdkclient.ScheduleListOptions{PageSize: 100, Query: query})
	if err != nil {
		return nil, fmt.Errorf("list schedules: %w", err)
	}
	var ids []string
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("list schedules: %w", err)
		}
		if e.WorkflowType.Name == rf.ResearchWorkflowType && ValidateScheduleID(e.ID) == nil && !slices.Contains(ids, e.ID) {
			ids = append(ids, e.ID)
		}
	}
	sort.Strings(ids)
	out := []rf.ScheduleInfo{}
	for _, id := range ids {
		info, err := s.Get(ctx, id, owner)
		if errors.Is(err, ErrScheduleNotFound) {
			continue // deleted since, or another owner's
		}
		if err != nil {
			return nil, err
		}
		out = append(out, info)
	}
	return out, nil
}

// Update replaces schedule id's research and timing with spec (its pause
// state and note are kept: Pause and Resume change them).
func (s *Schedules) Update(ctx context.Context, id, owner string, spec rf.ScheduleSpec) (rf.ScheduleInfo, error) {
	spec, err := spec.Normalize()
	if err != nil {
		return rf.ScheduleInfo{}, err
	}
	if _, _, err := s.describe(ctx, id, owner); err != nil {
		return rf.ScheduleInfo{}, err
	}
	in := runInput(id, spec)
	err = s.sc.GetHandle(ctx, id).Update(ctx, sdkclient.ScheduleUpdateOptions{
		DoUpdate: func(u sdkclient.ScheduleUpdateInput) (*sdkclient.ScheduleUpdate, error) {
			cur, ok := s.researchInput(u.Description.Schedule.Action)
			if !ok || (owner != "" && cur.Owner != owner) {
				return nil, fmt.Errorf("schedule %q: %w", id, ErrScheduleNotFound)
			}
			sched := u.Description.Schedule
			t := updatedTiming(sched.Spec, spec, s.now())
			sched.Spec = &t
			sched.Action = action(id, in)
			return &sdkclient.ScheduleUpdate{Schedule: &sched}, nil
		},
	})
	if err != nil {
		return rf.ScheduleInfo{}, fmt.Errorf("update schedule %s: %w", id, err)
	}
	return s.Get(ctx, id, owner)
}

// Pause pauses schedule id with a note (why; shown by Get and by
// `temporal schedule describe`).
func (s *Schedules) Pause(ctx context.Context, id, owner, note string) (rf.ScheduleInfo, error) {
	note, err := NormalizeNote(note)
	if err != nil {
		return rf.ScheduleInfo{}, err
	}
	if note == "" {
		note = defaultPauseNote
	}
	if _, _, err := s.describe(ctx, id, owner); err != nil {
		return rf.ScheduleInfo{}, err
	}
	if err := s.sc.GetHandle(ctx, id).Pause(ctx, sdkclient.SchedulePauseOptions{Note: note}); err != nil {
		return rf.ScheduleInfo{}, fmt.Errorf("pause schedule %s: %w", id, err)
	}
	return s.Get(ctx, id, owner)
}

// Resume resumes schedule id with a note.
func (s *Schedules) Resume(ctx context.Context, id, owner, note string) (rf.ScheduleInfo, error) {
	note, err := NormalizeNote(note)
	if err != nil {
		return rf.ScheduleInfo{}, err
	}
	if note == "" {
		note = defaultResumeNote
	}
	if _, _, err := s.describe(ctx, id, owner); err != nil {
		return rf.ScheduleInfo{}, err
	}
	if err := s.sc.GetHandle(ctx, id).Unpause(ctx, sdkclient.ScheduleUnpauseOptions{Note: note}); err != nil {
		return rf.ScheduleInfo{}, fmt.Errorf("resume schedule %s: %w", id, err)
	}
	return s.Get(ctx, id, owner)
}

// ErrSkipped: a trigger found the schedule's previous run still going, and
// the overlap policy skipped it.
var ErrSkipped = errors.New("skipped: the schedule's previous run is still going")

// Trigger starts a run of schedule id now and returns it once Temporal has
// started it (skipped, like a scheduled one, while the previous run is
// still going: ErrSkipped).
func (s *Schedules) Trigger(ctx context.Context, id, owner string) (rf.ScheduledRun, error) {
	before, _, err := s.describe(ctx, id, owner)
	if err != nil {
		return rf.ScheduledRun{}, err
	}
	if err := s.sc.GetHandle(ctx, id).Trigger(ctx, sdkclient.ScheduleTriggerOptions{Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP}); err != nil {
		return rf.ScheduledRun{}, fmt.Errorf("trigger schedule %s: %w", id, err)
	}
	// The schedule acts on its own time: wait (briefly) to name the run.
	deadline := time.Now().Add(triggerWait)
	for {
		now, _, err := s.describe(ctx, id, owner)
		if err != nil {
			return rf.ScheduledRun{}, err
		}
		switch {
		case now.Actions > before.Actions && len(now.RecentRuns) > 0:
			return now.RecentRuns[len(now.RecentRuns)-1], nil
		case now.Skipped > before.Skipped:
			return rf.ScheduledRun{}, fmt.Errorf("trigger schedule %s: %w", id, ErrSkipped)
		case time.Now().After(deadline):
			return rf.ScheduledRun{}, nil // triggered; not started yet
		}
		select {
		case <-ctx.Done():
			return rf.ScheduledRun{}, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// triggerWait bounds how long Trigger waits to name the run it started.
var triggerWait = 10 * time.Second

// Delete deletes schedule id; its runs are kept (and listed by List of
// research runs).
func (s *Schedules) Delete(ctx context.Context, id, owner string) error {
	if _, _, err := s.describe(ctx, id, owner); err != nil {
		return err
	}
	if err := s.sc.GetHandle(ctx, id).Delete(ctx); err != nil {
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			return fmt.Errorf("schedule %q: %w", id, ErrScheduleNotFound)
		}
		return fmt.Errorf("delete schedule %s: %w", id, err)
	}
	return nil
}

// ValidateScheduleID checks a schedule ID as a run's schedule reference
// (rf.ScheduleRef) checks it: "schedule-" and 1 to 100 lower-case letters,
// digits or '-'. Errors are *researchflow.InputError.
func ValidateScheduleID(id string) error {
	_, err := (&rf.ScheduleRef{ID: id}).Normalize()
	return err
}

// NormalizeNote validates the note of a pause or resume as a schedule's
// note (rf.ScheduleSpec's Note): at most 500 characters of UTF-8, trimmed.
func NormalizeNote(note string) (string, error) {
	note = strings.TrimSpace(note)
	if !utf8.ValidString(note) || utf8.RuneCountInString(note) > maxNoteLength {
		return note, &rf.InputError{Field: "note", Message: fmt.Sprintf("want at most %d characters of UTF-8", maxNoteLength)}
	}
	return note, nil
}

// maxNoteLength is the root package's bound on a schedule's note
// (TestNoteBoundMatchesTheSpec keeps the two equal).
const maxNoteLength = 500
