package researchflow

import (
	"fmt"
	"strings"
	"time"
)

// What changed: a scheduled run compares its findings and sources with
// those of the previous completed run of its schedule and puts the
// difference at the top of its report. The comparison is deterministic:
// a finding is identified by its text and its source, whatever sub-question
// found it (see internal/changes), a source by its SourceID (the hash of
// its corpus and location, or of its URL), so an edited note is the same
// source with a changed finding, never a vanished and a new source.

// EventChanged: a scheduled run found something changed since the previous
// run of its schedule; data carries the summary (EventData.Changes).
// Published for schedules whose notify mode is on_change or always.
const EventChanged = "research.changed"

// SnapshotFinding is one finding of a report.
type SnapshotFinding struct {
	// Key identifies the finding in its run (a hash of its folded
	// sub-question and text); across runs a finding is its text and
	// source (internal/changes).
	Key         string `json:"key"`
	SubQuestion string `json:"subQuestion"`
	Text        string `json:"text"`
	SourceID    string `json:"sourceId"`
	// N is the number of its source in the report of the run that states
	// it (set on this run's findings by the comparison; 0 when unknown).
	N int `json:"n,omitempty"`
}

// SnapshotSource is one source of a report.
type SnapshotSource struct {
	SourceID string `json:"sourceId"`
	Title    string `json:"title"`
	Location string `json:"location"`
	URL      string `json:"url,omitempty"`
	// Link is the source's public address (Source.Link).
	Link string `json:"link,omitempty"`
	// N is its number in the report's Sources list.
	N int `json:"n,omitempty"`
}

// Changes is what changed since the previous completed run of a schedule
// (ResearchResult.Changes). PreviousRun is empty for a schedule's first run.
type Changes struct {
	PreviousRun string `json:"previousRun,omitempty"`
	// PreviousRevision is the revision of the previous run's report that
	// was compared with, when readers' disputes had revised it (2, 3, …;
	// 0: the run's own report), and PreviousRevisedBy the outcomes of the
	// disputes that wrote its revisions, oldest first ("corrected",
	// "withdrawn", "kept": package claims's outcomes).
	PreviousRevision  int      `json:"previousRevision,omitempty"`
	PreviousRevisedBy []string `json:"previousRevisedBy,omitempty"`
	// Since is when the previous run completed.
	Since           time.Time          `json:"since,omitzero"`
	New             []SnapshotFinding  `json:"new,omitempty"`
	Changed         []ChangedFinding   `json:"changed,omitempty"`
	Withdrawn       []WithdrawnFinding `json:"withdrawn,omitempty"`
	NewSources      []SnapshotSource   `json:"newSources,omitempty"`
	VanishedSources []SnapshotSource   `json:"vanishedSources,omitempty"`
	// Markdown is the report's "What changed since <date>" section.
	Markdown string `json:"markdown"`
}

// ChangedFinding is a source's statement of a fact with another value
// (e.g. 30 days → 35 days), or, under one sub-question, another source's.
// A statement that changed alike under several sub-questions is one
// ChangedFinding (the first sub-question's), and so is an edited sentence
// that passages of several sentences found by different sub-questions
// hold.
type ChangedFinding struct {
	Before SnapshotFinding `json:"before"`
	After  SnapshotFinding `json:"after"`
	// From and To are the differing values as stated ("30 days", "35
	// days"; "4 January 2027", "11 January 2027": the whole expression a
	// changed number is part of), when the change is one of a quantity, a
	// date, a year or a yes/no.
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
}

// WithdrawnFinding is a finding of the previous run this run no longer
// supports, and why.
type WithdrawnFinding struct {
	SnapshotFinding
	// SourceGone is set when its source was not retrieved at all (deleted,
	// or no longer found); otherwise the source no longer states it.
	SourceGone bool   `json:"sourceGone,omitempty"`
	Reason     string `json:"reason"`
}

// Empty reports whether nothing changed (a first run is not empty: it has
// nothing to compare with, which Summary says).
func (c *Changes) Empty() bool {
	return c != nil && c.PreviousRun != "" && len(c.New)+len(c.Changed)+len(c.Withdrawn)+len(c.NewSources)+len(c.VanishedSources) == 0
}

// Summary says what changed in one line: "1 new finding, 1 changed finding,
// 1 finding no longer supported, 1 new source, 1 vanished source", "no
// change", or "first run".
func (c *Changes) Summary() string {
	if c == nil || c.PreviousRun == "" {
		return "first run of its schedule: nothing to compare with"
	}
	var parts []string
	add := func(n int, one, many string) {
		switch {
		case n == 1:
			parts = append(parts, "1 "+one)
		case n > 1:
			parts = append(parts, fmt.Sprintf("%d %s", n, many))
		}
	}
	add(len(c.New), "new finding", "new findings")
	add(len(c.Changed), "changed finding", "changed findings")
	add(len(c.Withdrawn), "finding no longer supported", "findings no longer supported")
	add(len(c.NewSources), "new source", "new sources")
	add(len(c.VanishedSources), "vanished source", "vanished sources")
	if len(parts) == 0 {
		return "no change since " + c.Since.UTC().Format("2006-01-02 15:04 UTC")
	}
	return strings.Join(parts, ", ")
}

// ChangeSummary is the data of a research.changed event.
type ChangeSummary struct {
	Schedule        string    `json:"schedule"`
	PreviousRun     string    `json:"previousRun"`
	Since           time.Time `json:"since"`
	New             int       `json:"new"`
	Changed         int       `json:"changed"`
	Withdrawn       int       `json:"withdrawn"`
	NewSources      int       `json:"newSources"`
	VanishedSources int       `json:"vanishedSources"`
	Summary         string    `json:"summary"`
}

// Brief is the event summary of c for schedule.
func (c *Changes) Brief(schedule string) *ChangeSummary {
	return &ChangeSummary{
		Schedule: schedule, PreviousRun: c.PreviousRun, Since: c.Since,
		New: len(c.New), Changed: len(c.Changed), Withdrawn: len(c.Withdrawn),
		NewSources: len(c.NewSources), VanishedSources: len(c.VanishedSources),
		Summary: c.Summary(),
	}
}
