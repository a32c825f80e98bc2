package changes

import (
	"regexp"
	"strings"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"
)

const sq = "How are backups kept?"

func finding(sub, text, src string) rf.SnapshotFinding {
	return rf.SnapshotFinding{Key: FindingKey(sub, text), SubQuestion: sub, Text: text, SourceID: src}
}

func source(id string) rf.SnapshotSource {
	return rf.SnapshotSource{SourceID: id, Title: strings.ToUpper(id), Location: "/notes/" + id + ".md"}
}

var since = time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC)

func TestCompareNamesEachKindOfChange(t *testing.T) {
	prev := Snapshot{
		Findings: []rf.SnapshotFinding{
			finding(sq, "Nightly backups are retained for 30 days.", "retention"),
			finding(sq, "Tapes are stored in the vault for 12 months.", "vault"),
			finding(sq, "Weekly backups are copied to a second region.", "weekly"),
			finding(sq, "Snapshots are taken every 4 hours.", "snap"),
		},
		Sources: []rf.SnapshotSource{source("retention"), source("vault"), source("weekly"), source("snap")},
	}
	cur := Snapshot{
		Findings: []rf.SnapshotFinding{
			finding(sq, "Weekly backups are copied to a second region.", "weekly"),
			finding(sq, "Nightly backups are retained for 35 days.", "retention"),
			finding(sq, "Archives are encrypted with a key rotated every 90 days.", "crypto"),
		},
		Sources:   []rf.SnapshotSource{source("weekly"), source("retention"), source("crypto"), source("snap")},
		Retrieved: []string{"weekly", "retention", "crypto", "snap"},
	}
	c := Compare(prev, cur, "run-1", since)
	if len(c.Changed) != 1 || c.Changed[0].From != "30 days" || c.Changed[0].To != "35 days" {
		t.Errorf("changed %+v", c.Changed)
	}
	if len(c.New) != 1 || c.New[0].SourceID != "crypto" {
		t.Errorf("new %+v", c.New)
	}
	if len(c.Withdrawn) != 2 {
		t.Fatalf("withdrawn %+v", c.Withdrawn)
	}
	// The vault note is gone; the snapshot note is still retrieved but no
	// longer states its fact.
	if w := c.Withdrawn[0]; w.SourceID != "vault" || !w.SourceGone || !strings.Contains(w.Reason, "not found") {
		t.Errorf("withdrawn[0] %+v", w)
	}
	if w := c.Withdrawn[1]; w.SourceID != "snap" || w.SourceGone || !strings.Contains(w.Reason, "no longer states it") {
		t.Errorf("withdrawn[1] %+v", w)
	}
	if len(c.NewSources) != 1 || c.NewSources[0].SourceID != "crypto" || len(c.VanishedSources) != 1 || c.VanishedSources[0].SourceID != "vault" {
		t.Errorf("sources new %+v vanished %+v", c.NewSources, c.VanishedSources)
	}
	if got := c.Summary(); got != "1 new finding, 1 changed finding, 2 findings no longer supported, 1 new source, 1 vanished source" {
		t.Errorf("summary %q", got)
	}
	md := Section(c)
	for _, want := range []string{"## What changed since 2026-12-01 07:00 UTC", "**New findings**", "30 days → 35 days", "**No longer supported**", "**Vanished sources**", "VAULT (/notes/vault.md)"} {
		if !strings.Contains(md, want) {
			t.Errorf("section lacks %q:\n%s", want, md)
		}
	}
	// Deterministic: the same snapshots give the same section.
	if again := Section(Compare(prev, cur, "run-1", since)); again != md {
		t.Error("two comparisons of the same snapshots differ")
	}
}

func TestCompareKeepsSourcesApart(t *testing.T) {
	// A finding is its source's statement, whatever sub-question found it:
	// the same sentence under another sub-question is no change, a changed
	// value of the same source under another sub-question is one change
	// (until 2026-12-07 they were a new finding and one no longer
	// supported). Another source's value is a change of this one only
	// under the same sub-question.
	const other = "How long are logs kept?"
	prev := Snapshot{Findings: []rf.SnapshotFinding{finding(sq, "Logs are kept 30 days.", "a")}, Sources: []rf.SnapshotSource{source("a"), source("b")}}
	cur := Snapshot{Findings: []rf.SnapshotFinding{finding(other, "Logs are kept 30 days.", "a")}, Sources: prev.Sources, Retrieved: []string{"a", "b"}}
	if c := Compare(prev, cur, "run-1", since); !c.Empty() {
		t.Errorf("the same sentence under another sub-question: %s", c.Summary())
	}
	cur.Findings = []rf.SnapshotFinding{finding(other, "Logs are kept 35 days.", "a")}
	if c := Compare(prev, cur, "run-1", since); len(c.Changed) != 1 || len(c.New)+len(c.Withdrawn) != 0 {
		t.Errorf("another value under another sub-question: changed %+v new %+v withdrawn %+v", c.Changed, c.New, c.Withdrawn)
	}
	cur.Findings = []rf.SnapshotFinding{finding(other, "Logs are kept 35 days.", "b")}
	if c := Compare(prev, cur, "run-1", since); len(c.Changed) != 0 || len(c.New) != 1 || len(c.Withdrawn) != 1 {
		t.Errorf("another source's value under another sub-question: changed %+v new %+v withdrawn %+v", c.Changed, c.New, c.Withdrawn)
	}
	cur.Findings = []rf.SnapshotFinding{finding(sq, "Logs are kept 35 days.", "b")}
	if c := Compare(prev, cur, "run-1", since); len(c.Changed) != 1 || c.Changed[0].After.SourceID != "b" {
		t.Errorf("another source's value under the same sub-question: changed %+v new %+v withdrawn %+v", c.Changed, c.New, c.Withdrawn)
	}
}

func TestCompareOtherKindsOfChangedFact(t *testing.T) {
	tests := []struct{ before, after, from, to string }{
		{"Audit logs are encrypted at rest.", "Audit logs are not encrypted at rest.", "yes", "no"},
		{"The policy applies since 2019.", "The policy applies since 2021.", "2019", "2021"},
		// No unit the detector knows: the same sentence but for its number,
		// which keeps the noun it counts.
		{"The rack holds 42 widgets.", "The rack holds 48 widgets.", "42 widgets", "48 widgets"},
	}
	for _, tt := range tests {
		prev := Snapshot{Findings: []rf.SnapshotFinding{finding(sq, tt.before, "a")}, Sources: []rf.SnapshotSource{source("a")}}
		cur := Snapshot{Findings: []rf.SnapshotFinding{finding(sq, tt.after, "a")}, Sources: []rf.SnapshotSource{source("a")}}
		c := Compare(prev, cur, "run-1", since)
		if len(c.Changed) != 1 || c.Changed[0].From != tt.from || c.Changed[0].To != tt.to || len(c.New)+len(c.Withdrawn) != 0 {
			t.Errorf("%q → %q: %+v", tt.before, tt.after, c)
		}
	}
	// Different subjects are not a change of one fact.
	prev := Snapshot{Findings: []rf.SnapshotFinding{finding(sq, "Application logs are kept 30 days.", "a")}}
	cur := Snapshot{Findings: []rf.SnapshotFinding{finding(sq, "Bees build wax comb in 12 days.", "a")}}
	if c := Compare(prev, cur, "run-1", since); len(c.Changed) != 0 {
		t.Errorf("unrelated findings paired: %+v", c.Changed)
	}
	// Nor is another thing said of in alike words: snapshots are not
	// backups, and the backups' 35 days did not become 7.
	prev.Findings = []rf.SnapshotFinding{finding(sq, "Database backups at Example Corp are retained for 35 days.", "a")}
	cur.Findings = []rf.SnapshotFinding{finding(sq, "Database snapshots at Example Corp are retained for 7 days.", "a")}
	if c := Compare(prev, cur, "run-1", since); len(c.Changed) != 0 || len(c.New) != 1 || len(c.Withdrawn) != 1 {
		t.Errorf("backups and snapshots: changed %+v new %+v withdrawn %+v", c.Changed, c.New, c.Withdrawn)
	}
}

func TestUnchangedAndFirstRun(t *testing.T) {
	s := Snapshot{Findings: []rf.SnapshotFinding{finding(sq, "Backups are kept 30 days.", "a")}, Sources: []rf.SnapshotSource{source("a")}}
	// White space and case do not make a finding new.
	cur := Snapshot{Findings: []rf.SnapshotFinding{finding(" how are backups KEPT? ", "Backups are  kept 30 days.", "a")}, Sources: s.Sources}
	c := Compare(s, cur, "run-1", since)
	if !c.Empty() || !strings.Contains(Section(c), "No change since 2026-12-01 07:00 UTC") {
		t.Errorf("%+v\n%s", c, Section(c))
	}
	first := rf.Changes{}
	if first.Empty() || !strings.Contains(Section(first), "First run of this schedule") {
		t.Errorf("first run: %s", Section(first))
	}
}

func TestSectionEscapesMarkdown(t *testing.T) {
	c := rf.Changes{PreviousRun: "run-1", Since: since, New: []rf.SnapshotFinding{finding(sq, "# Not a heading [1] <b>x</b>", "a")}}
	md := Section(c)
	// "<b>" is written "\<b>": no tag opens.
	if strings.Contains(md, "\n- # ") || regexp.MustCompile(`(^|[^\\])<[A-Za-z/]`).MatchString(md) || strings.Contains(md, "[1]") {
		t.Errorf("unescaped:\n%s", md)
	}
}

func TestInsert(t *testing.T) {
	section := "## What changed since X\n\nNo change.\n\n"
	report := "# Title\n\n**Question:** Q?\n\n## Summary\n\nS.\n\n## Sources\n\n- [1] A\n"
	got := Insert(report, section)
	if want := "# Title\n\n**Question:** Q?\n\n" + section + "## Summary\n\nS.\n\n## Sources\n\n- [1] A\n"; got != want {
		t.Errorf("Insert:\n%q\nwant\n%q", got, want)
	}
	if got := Insert("# Title\n\nOnly text.", section); got != "# Title\n\nOnly text.\n\n"+section {
		t.Errorf("no sections: %q", got)
	}
	if Insert(report, "") != report {
		t.Error("an empty section changed the report")
	}
}

func TestFindingKey(t *testing.T) {
	a := FindingKey("How are backups kept?", "Backups are kept 30 days.")
	if a != FindingKey(" how are backups  kept? ", "BACKUPS are kept\n30 days.") {
		t.Error("white space or case changes the key")
	}
	if a == FindingKey("How are backups kept?", "Backups are kept 35 days.") || a == FindingKey("How long?", "Backups are kept 30 days.") {
		t.Error("another text or sub-question has the same key")
	}
}

// A new user's edited note was reported as "2 changed findings" (the same
// change under the offline planner's two sub-questions), labelled "30 days
// → 35 days" although Frankfurt became Dublin too, and cited no source.
// One statement is one change; its label names every changed part; the
// new statement cites its source by the report's number.
func TestChangedStatementCountsOnceCitedAndFullyLabelled(t *testing.T) {
	const sq2 = "What is the retention period for backups?"
	before, after := "Nightly database backups are retained for 30 days in Frankfurt.", "Nightly database backups are retained for 35 days in Dublin."
	kept := rf.SnapshotSource{SourceID: "backups", Title: "Backups", Location: "/notes/backups.md"}
	prev := Snapshot{
		Findings: []rf.SnapshotFinding{finding(sq, before, "backups"), finding(sq2, before, "backups")},
		Sources:  []rf.SnapshotSource{kept},
	}
	other := source("other")
	other.N, kept.N = 1, 2
	cur := Snapshot{
		Findings:  []rf.SnapshotFinding{finding(sq, after, "backups"), finding(sq2, after, "backups"), finding(sq2, "Restores are tested monthly.", "other")},
		Sources:   []rf.SnapshotSource{other, kept},
		Retrieved: []string{"backups", "other"},
	}
	c := Compare(prev, cur, "run-1", since)
	if len(c.Changed) != 1 || len(c.Withdrawn) != 0 {
		t.Fatalf("changed %+v withdrawn %+v: want one changed finding", c.Changed, c.Withdrawn)
	}
	if got := c.Summary(); got != "1 new finding, 1 changed finding, 1 new source" {
		t.Errorf("summary %q", got)
	}
	if b := c.Brief("schedule-1"); b.Changed != 1 {
		t.Errorf("event summary %+v", b)
	}
	if got := Label(c.Changed[0]); got != "30 days → 35 days, Frankfurt → Dublin" {
		t.Errorf("label %q", got)
	}
	md := Section(c)
	for _, want := range []string{
		"- 30 days → 35 days, Frankfurt → Dublin: Nightly database backups are retained for 35 days in Dublin [2]. — *How are backups kept?* (was: Nightly database backups are retained for 30 days in Frankfurt.)",
		"- Restores are tested monthly [1]. — *What is the retention period for backups?*",
		"- [1] OTHER (/notes/other.md)",
	} {
		if !strings.Contains(md, want+"\n") {
			t.Errorf("section lacks\n%s\nin:\n%s", want, md)
		}
	}
	if n := strings.Count(md, "retained for 35 days"); n != 1 {
		t.Errorf("the change is listed %d times:\n%s", n, md)
	}
}

// A sentence changed all over has no label: it is shown whole, before and
// after.
func TestLabelLeavesOutASentenceChangedAllOver(t *testing.T) {
	f := rf.ChangedFinding{
		Before: finding(sq, "Backups run nightly at 02:00 and are kept 30 days on tape in the Frankfurt vault.", "a"),
		After:  finding(sq, "Snapshots happen hourly since 2025, kept 35 days by the cloud provider in Dublin.", "a"),
	}
	if got := Label(f); got != "" {
		t.Errorf("label %q, want none", got)
	}
	f.Before.Text, f.After.Text = "Logs are kept 30 days.", "Logs are kept 35 days."
	if got := Label(f); got != "30 days → 35 days" {
		t.Errorf("label %q", got)
	}
}

// The section names the revision of the previous run's report it compared
// with, counting its disputes' outcomes in the changelog's words; a report
// never revised is named by its run alone.
func TestSectionNamesTheRevisionComparedWith(t *testing.T) {
	changed := rf.Changes{PreviousRun: "run-1", Since: since, New: []rf.SnapshotFinding{finding(sq, "Backups are encrypted.", "a")}}
	for _, tt := range []struct {
		revision int
		by       []string
		want     string
	}{
		{0, nil, "Compared with run run-1: 1 new finding.\n"},
		{1, nil, "Compared with run run-1: 1 new finding.\n"},
		{2, []string{"corrected"}, "Compared with run run-1 (revision 2: 1 claim corrected): 1 new finding.\n"},
		{4, []string{"withdrawn", "kept", "withdrawn"}, "Compared with run run-1 (revision 4: 2 claims withdrawn, 1 claim kept): 1 new finding.\n"},
		{3, nil, "Compared with run run-1 (revision 3): 1 new finding.\n"},
	} {
		c := changed
		c.PreviousRevision, c.PreviousRevisedBy = tt.revision, tt.by
		if got := Section(c); !strings.Contains(got, tt.want) {
			t.Errorf("revision %d %v: want %q in\n%s", tt.revision, tt.by, tt.want, got)
		}
	}
	same := rf.Changes{PreviousRun: "run-1", Since: since, PreviousRevision: 2, PreviousRevisedBy: []string{"withdrawn"}}
	if want := "No change since 2026-12-01 07:00 UTC (run run-1, revision 2: 1 claim withdrawn).\n"; !strings.Contains(Section(same), want) {
		t.Errorf("want %q in\n%s", want, Section(same))
	}
	same.PreviousRevision, same.PreviousRevisedBy = 0, nil
	if want := "No change since 2026-12-01 07:00 UTC (run run-1).\n"; !strings.Contains(Section(same), want) {
		t.Errorf("want %q in\n%s", want, Section(same))
	}
}

// A trial's schedule reported an edited date as "4 → 11" in a sentence
// that also says "4 minutes". A label shows the changed expression whole:
// the date, the number with its unit or currency, the time, the version.
func TestLabelShowsTheChangedExpressionWhole(t *testing.T) {
	for _, tt := range []struct{ before, after, want string }{
		{"Production deploys happen on Tuesdays; the freeze starts 4 January 2027 and deploys take about 4 minutes.",
			"Production deploys happen on Tuesdays; the freeze starts 11 January 2027 and deploys take about 4 minutes.",
			"4 January 2027 → 11 January 2027"},
		{"The freeze starts January 4, 2027.", "The freeze starts January 11, 2027.", "January 4, 2027 → January 11, 2027"},
		{"The freeze starts on Monday, 4 January.", "The freeze starts on Monday, 11 January.", "Monday, 4 January → Monday, 11 January"},
		{"The freeze starts 4 January 2027.", "The freeze starts 4 January 2028.", "4 January 2027 → 4 January 2028"},
		{"The freeze starts 4 January 2027.", "The freeze starts 4 February 2027.", "4 January 2027 → 4 February 2027"},
		{"Logs are kept 30 days.", "Logs are kept 45 days.", "30 days → 45 days"},
		{"Logs are kept 30 days.", "Logs are kept 30 weeks.", "30 days → 30 weeks"},
		{"Purchases above 5,000 USD need the director.", "Purchases above 7,500 USD need the director.", "5,000 USD → 7,500 USD"},
		{"Purchases above USD 5,000 need the director.", "Purchases above USD 7,500 need the director.", "USD 5,000 → USD 7,500"},
		{"The budget is 2 million EUR in 4 quarters.", "The budget is 3 million EUR in 4 quarters.", "2 million EUR → 3 million EUR"},
		{"The stand-up is at 9 am for 4 people.", "The stand-up is at 10 am for 4 people.", "9 am → 10 am"},
		{"Deploys stop at 14:00 UTC on Fridays.", "Deploys stop at 16:00 UTC on Fridays.", "14:00 UTC → 16:00 UTC"},
		{"The cluster runs version 1.4 on 4 nodes.", "The cluster runs version 1.5 on 4 nodes.", "version 1.4 → version 1.5"},
		// A year alone is whole already; a count keeps what it counts.
		{"The policy applies since 2019.", "The policy applies since 2021.", "2019 → 2021"},
		{"The rack holds 42 widgets.", "The rack holds 48 widgets.", "42 widgets → 48 widgets"},
		// A number at the end of a sentence does not take the next one's
		// first word as its unit.
		{"The team has 4. Days are long.", "The team has 5. Days are long.", "4 → 5"},
		// Two values changed in one finding are two parts, never the span
		// from one to the other across a sentence's end (a trial's label
		// was "10 am. Each on-call engineer receives a stipend of 400 EUR →
		// 11 am. …").
		{"The rotation hands over every Tuesday at 10 am. Each on-call engineer receives a stipend of 400 EUR per week.",
			"The rotation hands over every Tuesday at 11 am. Each on-call engineer receives a stipend of 450 EUR per week.",
			"10 am → 11 am, 400 EUR → 450 EUR"},
	} {
		// A changed month or unit is no "same sentence but for its
		// numbers": such a pair is labelled as the comparison's would be.
		f := rf.ChangedFinding{Before: finding(sq, tt.before, "a"), After: finding(sq, tt.after, "a")}
		prev := Snapshot{Findings: []rf.SnapshotFinding{f.Before}, Sources: []rf.SnapshotSource{source("a")}}
		cur := Snapshot{Findings: []rf.SnapshotFinding{f.After}, Sources: []rf.SnapshotSource{source("a")}, Retrieved: []string{"a"}}
		c := Compare(prev, cur, "run-1", since)
		if len(c.Changed) == 1 {
			f = c.Changed[0]
		}
		if got := Label(f); got != tt.want {
			t.Errorf("%q → %q: label %q, want %q", tt.before, tt.after, got, tt.want)
		}
	}
}

// The trial's repro whole: the section says which date changed, and the
// change's values (from, to in the result) are the dates.
func TestSectionNamesAChangedDateWhole(t *testing.T) {
	before := "Production deploys happen on Tuesdays; the freeze starts 4 January 2027 and deploys take about 4 minutes."
	after := "Production deploys happen on Tuesdays; the freeze starts 11 January 2027 and deploys take about 4 minutes."
	prev := Snapshot{Findings: []rf.SnapshotFinding{finding(sq, before, "deploys")}, Sources: []rf.SnapshotSource{source("deploys")}}
	cur := Snapshot{Findings: []rf.SnapshotFinding{finding(sq, after, "deploys")}, Sources: []rf.SnapshotSource{source("deploys")}, Retrieved: []string{"deploys"}}
	c := Compare(prev, cur, "run-1", since)
	if len(c.Changed) != 1 || c.Changed[0].From != "4 January 2027" || c.Changed[0].To != "11 January 2027" {
		t.Fatalf("changed %+v, want 4 January 2027 → 11 January 2027", c.Changed)
	}
	md := Section(c)
	if want := "- 4 January 2027 → 11 January 2027: Production deploys"; !strings.Contains(md, want) {
		t.Errorf("section lacks %q:\n%s", want, md)
	}
	if strings.Contains(md, "- 4 → 11") {
		t.Errorf("the section shows a bare 4 → 11:\n%s", md)
	}
	// A year the conflict detector compares is shown as the date it is
	// part of, in the values as in the label.
	cur.Findings[0] = finding(sq, strings.Replace(before, "2027", "2028", 1), "deploys")
	c = Compare(prev, cur, "run-1", since)
	if len(c.Changed) != 1 || c.Changed[0].From != "4 January 2027" || c.Changed[0].To != "4 January 2028" || Label(c.Changed[0]) != "4 January 2027 → 4 January 2028" {
		t.Errorf("changed %+v, want 4 January 2027 → 4 January 2028", c.Changed)
	}
}

// A number that counts something keeps the noun it counts, as a number
// keeps its unit: a new user's note "42 desks and 6 parking spaces" that
// became "45 desks and 9 parking spaces" was labelled "42 → 45, 6 → 9".
func TestLabelKeepsTheNounANumberCounts(t *testing.T) {
	for _, tt := range []struct{ before, after, want string }{
		{"The office has 42 desks and 6 parking spaces.", "The office has 45 desks and 9 parking spaces.", "42 desks → 45 desks, 6 parking spaces → 9 parking spaces"},
		{"We hired 3 people in March.", "We hired 5 people in March.", "3 people → 5 people"},
		{"The team keeps 12 open tickets.", "The team keeps 14 open tickets.", "12 open tickets → 14 open tickets"},
		{"It serves 1,200 customers daily.", "It serves 1,500 customers daily.", "1,200 customers → 1,500 customers"},
		// A unit as before; a word that counts nothing stays out.
		{"Logs are kept 30 days.", "Logs are kept 35 days.", "30 days → 35 days"},
		{"The desks number 42 in all.", "The desks number 45 in all.", "42 → 45"},
		{"The rent is 42 as agreed.", "The rent is 45 as agreed.", "42 → 45"},
		{"The count was 42, then it grew.", "The count was 45, then it grew.", "42 → 45"},
		{"In 2025 prices rose.", "In 2026 prices rose.", "2025 → 2026"},
	} {
		f := rf.ChangedFinding{Before: finding(sq, tt.before, "a"), After: finding(sq, tt.after, "a")}
		if got := Label(f); got != tt.want {
			t.Errorf("%q → %q: label %q, want %q", tt.before, tt.after, got, tt.want)
		}
	}
}

// A statement two sources make (or two passages of theirs, under two
// sub-questions) is said once in the section, citing each source: a
// trial's "What changed" listed one new finding twice, [1] and [2]. The
// same holds for a changed finding and one no longer supported; the
// counts still count each source's finding.
func TestSectionSaysAStatementOfSeveralSourcesOnce(t *testing.T) {
	const other = "Where are backups stored?"
	a, b, c := source("a"), source("b"), source("c")
	a.N, b.N, c.N = 1, 2, 3
	prev := Snapshot{
		Findings: []rf.SnapshotFinding{
			finding(sq, "Backups are kept 30 days.", "a"), finding(sq, "Backups are kept 30 days.", "b"),
			finding(sq, "Tapes sit in the vault.", "a"), finding(other, "Tapes sit in the vault.", "c"),
		},
		Sources: []rf.SnapshotSource{a, b, c},
	}
	cur := Snapshot{
		Findings: []rf.SnapshotFinding{
			finding(sq, "Backups are kept 35 days.", "a"), finding(sq, "Backups are kept 35 days.", "b"),
			finding(sq, "Restores are tested monthly.", "a"), finding(other, "Restores are tested monthly.", "b"),
		},
		Sources:   []rf.SnapshotSource{a, b},
		Retrieved: []string{"a", "b"},
	}
	ch := Compare(prev, cur, "run-1", since)
	if len(ch.New) != 2 || len(ch.Changed) != 2 || len(ch.Withdrawn) != 2 {
		t.Fatalf("new %+v changed %+v withdrawn %+v: want two of each, one per source", ch.New, ch.Changed, ch.Withdrawn)
	}
	md := Section(ch)
	for _, want := range []string{
		"- Restores are tested monthly [1][2]. — *How are backups kept?*, *Where are backups stored?*\n",
		"- 30 days → 35 days: Backups are kept 35 days [1][2]. — *How are backups kept?* (was: Backups are kept 30 days.)\n",
		"- Tapes sit in the vault. — *How are backups kept?*, *Where are backups stored?*: its source, A (/notes/a.md), no longer states it; its source, C (/notes/c.md), was not found in this run\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("section lacks\n%s\nin:\n%s", want, md)
		}
	}
	for _, s := range []string{"Restores are tested monthly", "Backups are kept 35 days", "Tapes sit in the vault"} {
		if n := strings.Count(md, s); n != 1 {
			t.Errorf("%q is said %d times:\n%s", s, n, md)
		}
	}
	if !strings.Contains(md, "2 new findings, 2 changed findings, 2 findings no longer supported") {
		t.Errorf("the counts changed:\n%s", md)
	}
}
