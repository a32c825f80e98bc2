package activities

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"
	rfclaims "github.com/researchflow/researchflow/claims"
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/reasoning/conflict"
	"github.com/researchflow/researchflow/internal/report"
	"github.com/researchflow/researchflow/workflows"
)

func reviewBase() rfclaims.Revision {
	sources := []rf.Source{{N: 1, SourceID: "s1", Title: "Kilns", Location: "kilns.md"}}
	d := reasoning.Draft{Title: "Kilns", Summary: []reasoning.Sentence{{Text: "A stoneware kiln is fired to about 1280 degrees Celsius.", Cites: []int{1}}}}
	md, _ := report.Render(report.Report{Question: "How hot?", Draft: d, Sources: sources})
	return rfclaims.Revision{Revision: 1, Report: md, Claims: report.Claims(d, sources), Sources: sources}
}

// A statement of a source the report does not list corrects the claim
// citing the next number, and the source joins the list: no citation
// outside the numbered list, whatever the analyst (model or extractive)
// found. A claim no statement supports is withdrawn.
func TestReviewClaimNumbersANewSourceAndWithdraws(t *testing.T) {
	base := reviewBase()
	claim := base.Claims[0]
	check := rfclaims.Check{ClaimID: claim.ID, Number: 1, Text: claim.Text, Verdict: rfclaims.VerdictDispute, Cites: claim.Cites}
	a := &Inference{}
	res, err := a.ReviewClaim(context.Background(), workflows.ReviewClaimInput{
		Base: base, Check: check, Revision: 2,
		Findings: []reasoning.Finding{{Text: "A stoneware kiln is fired to about 1300 degrees Celsius.", ChunkID: "k9", SourceID: "s9"}},
		Sources:  []rf.Source{{SourceID: "s9", Title: "Kilns, 2nd edition", Location: "kilns2.md"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Check.Outcome != rfclaims.OutcomeCorrected || len(res.Check.Cites) != 1 || res.Check.Cites[0] != 2 || res.Check.ChunkID != "k9" {
		t.Errorf("check %+v, want corrected citing [2]", res.Check)
	}
	// [1] is cited no more: it leaves the list, and [2] keeps its number.
	if len(res.Report.Sources) != 1 || res.Report.Sources[0].N != 2 || !strings.Contains(res.Report.Report, "- [2] Kilns, 2nd edition") ||
		strings.Contains(res.Report.Report, "- [1] Kilns") ||
		!strings.Contains(res.Report.Report, "1300 degrees Celsius [2].") {
		t.Errorf("revision 2:\n%s", res.Report.Report)
	}
	if err := report.CheckCitations(res.Report.Report); err != nil {
		t.Error(err)
	}

	res, err = a.ReviewClaim(context.Background(), workflows.ReviewClaimInput{Base: base, Check: check, Revision: 2,
		Findings: []reasoning.Finding{{Text: "Bees build comb.", ChunkID: "b1", SourceID: "s1"}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Check.Outcome != rfclaims.OutcomeWithdrawn || len(res.Report.Claims) != 0 || strings.Contains(res.Report.Report, "1280 degrees Celsius [1]") {
		t.Errorf("check %+v, revision:\n%s", res.Check, res.Report.Report)
	}
}

// A user deleted the note and disputed its claim: revision 3 read "Claim
// 1 withdrawn: no source states it", still said "Confidence: medium",
// still listed [1] backups.md that nothing cited and had no claims key.
func TestReviewClaimWithdrawsADeletedSource(t *testing.T) {
	sources := []rf.Source{{N: 1, SourceID: "s1", Title: "backups.md", Location: "backups.md"}}
	d := reasoning.Draft{Title: "Backups", Summary: []reasoning.Sentence{{Text: "Nightly database backups are retained for 40 days.", Cites: []int{1}}}}
	md, _ := report.Render(report.Report{Question: "How long are backups retained?", Confidence: report.ConfidenceMedium, Draft: d, Sources: sources})
	base := rfclaims.Revision{Revision: 2, Confidence: report.ConfidenceMedium, Report: md, Claims: report.Claims(d, sources), Sources: sources}
	claim := base.Claims[0]
	sq := reasoning.SubQuestion{ID: "q1", Text: "How long are backups retained?"}
	sections := []reasoning.SectionInput{{SubQuestion: sq, Findings: []reasoning.CitedFinding{{Finding: reasoning.Finding{
		Text: "Nightly database backups are retained for 35 days.", Score: 0.5, SourceID: "s1"}}}}}
	res, err := (&Inference{}).ReviewClaim(context.Background(), workflows.ReviewClaimInput{
		Base: base, Revision: 3, Sections: sections,
		RunClaims: []rf.Claim{{ID: "claim-000000000001", Text: "Nightly database backups are retained for 35 days.", Cites: []int{1}}},
		Check:     rfclaims.Check{ClaimID: claim.ID, Number: 1, Text: claim.Text, Verdict: rfclaims.VerdictDispute},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Claim 1 withdrawn: its source, backups.md, was not found in this re-check."; res.Check.Change != want {
		t.Errorf("change %q, want %q", res.Check.Change, want)
	}
	rev := res.Report
	if rev.Confidence != report.ConfidenceLow || !strings.Contains(rev.Report, "**Confidence:** low") || strings.Contains(rev.Report, "medium") {
		t.Errorf("confidence %q:\n%s", rev.Confidence, rev.Report)
	}
	if len(rev.Sources) != 0 || strings.Contains(rev.Report, "[1]") || !strings.Contains(rev.Report, "## Sources\n\nNo sources.\n") {
		t.Errorf("sources %+v:\n%s", rev.Sources, rev.Report)
	}
	b, err := json.Marshal(rev)
	if err != nil || !strings.Contains(string(b), `"claims":[]`) {
		t.Errorf("JSON has no empty claims list: %s (%v)", b, err)
	}

	// The note is there and no longer says it: the source is named as
	// retrieved.
	res, err = (&Inference{}).ReviewClaim(context.Background(), workflows.ReviewClaimInput{
		Base: base, Revision: 3, Retrieved: []string{"s1"},
		Findings: []reasoning.Finding{{Text: "Restores are tested monthly.", ChunkID: "c2", SourceID: "s1"}},
		Check:    rfclaims.Check{ClaimID: claim.ID, Number: 1, Text: claim.Text, Verdict: rfclaims.VerdictDispute},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Claim 1 withdrawn: its source, backups.md, no longer states it."; res.Check.Change != want {
		t.Errorf("change %q, want %q", res.Check.Change, want)
	}
}

// A user deleted one of two notes and disputed its claim: revision 2 was
// rated low (its sub-question answered by nothing now) yet listed no gap,
// in its Gaps section or its JSON. The sub-question whose last claim was
// withdrawn is a gap, saying why; the run's own gaps stay listed, and a
// later revision keeps them all.
func TestReviewClaimListsTheSubQuestionItLeftAsAGap(t *testing.T) {
	sources := []rf.Source{{N: 1, SourceID: "s1", Title: "backups.md", Location: "backups.md"}, {N: 2, SourceID: "s2", Title: "restore.md", Location: "restore.md"}}
	d := reasoning.Draft{Title: "Backups", Summary: []reasoning.Sentence{
		{Text: "Nightly database backups are retained for 40 days.", Cites: []int{1}},
		{Text: "A full restore takes about two hours.", Cites: []int{2}},
	}}
	runGaps := []rf.Gap{{SubQuestion: "Who tests restores?", Reason: "no passage answers it"}}
	md, _ := report.Render(report.Report{Question: "How long are backups retained, and how long does a restore take?",
		Confidence: report.ConfidenceMedium, Draft: d, Sources: sources, Gaps: runGaps})
	runClaims := report.Claims(d, sources)
	base := rfclaims.Revision{Revision: 1, Confidence: report.ConfidenceMedium, Report: md, Claims: runClaims, Sources: sources, Gaps: runGaps}
	section := func(id, q, finding, source string) reasoning.SectionInput {
		return reasoning.SectionInput{SubQuestion: reasoning.SubQuestion{ID: id, Text: q},
			Findings: []reasoning.CitedFinding{{Finding: reasoning.Finding{Text: finding, Score: 0.9, Support: 1, SourceID: source}}}}
	}
	sections := []reasoning.SectionInput{
		section("q1", "How long are backups retained?", "Nightly database backups are retained for 40 days.", "s1"),
		section("q2", "How long does a full restore take?", "A full restore takes about two hours.", "s2"),
	}
	review := func(base rfclaims.Revision, rev int, claim rf.Claim, findings []reasoning.Finding) rfclaims.Revision {
		t.Helper()
		var retrieved []string
		for _, f := range findings {
			retrieved = append(retrieved, f.SourceID)
		}
		res, err := (&Inference{}).ReviewClaim(context.Background(), workflows.ReviewClaimInput{
			Base: base, Revision: rev, Sections: sections, Gaps: runGaps, RunClaims: runClaims, Findings: findings, Retrieved: retrieved,
			Check: rfclaims.Check{ClaimID: claim.ID, Number: 1, Text: claim.Text, Verdict: rfclaims.VerdictDispute},
		})
		if err != nil {
			t.Fatal(err)
		}
		return res.Report
	}
	gapsOf := func(md string) string {
		_, s, _ := strings.Cut(md, "## Gaps\n\n")
		s, _, _ = strings.Cut(s, "\n## ")
		return s
	}
	r2 := review(base, 2, runClaims[0], nil)
	want := report.ClaimWithdrawn(2, report.SourceNotFound("backups.md", "this re-check"))
	if len(r2.Gaps) != 2 || r2.Gaps[0] != runGaps[0] || r2.Gaps[1].SubQuestion != "How long are backups retained?" || r2.Gaps[1].Reason != want {
		t.Errorf("revision 2's gaps %+v, want the run's and the backups sub-question: %q", r2.Gaps, want)
	}
	if g := gapsOf(r2.Report); !strings.Contains(g, "- **Who tests restores?** — no passage answers it\n") ||
		!strings.Contains(g, "- **How long are backups retained?** — "+want+"\n") {
		t.Errorf("revision 2's Gaps section:\n%s\nreport:\n%s", g, r2.Report)
	}
	if err := report.CheckCitations(r2.Report); err != nil {
		t.Error(err)
	}
	// Revision 3 withdraws the other claim: both sub-questions are gaps,
	// each with its revision, listed once; the changelog follows them.
	r3 := review(r2, 3, r2.Claims[0], []reasoning.Finding{{Text: "Bees build comb.", ChunkID: "b1", SourceID: "s2"}})
	if len(r3.Gaps) != 3 || r3.Gaps[1] != r2.Gaps[1] || r3.Gaps[2].SubQuestion != "How long does a full restore take?" ||
		r3.Gaps[2].Reason != report.ClaimWithdrawn(3, report.SourceNoLongerStates("restore.md")) {
		t.Errorf("revision 3's gaps %+v", r3.Gaps)
	}
	if g := gapsOf(r3.Report); strings.Count(g, "- **") != 3 || strings.Count(r3.Report, "## Gaps") != 1 ||
		strings.Index(r3.Report, "## Gaps") > strings.Index(r3.Report, "## Changelog") {
		t.Errorf("revision 3:\n%s", r3.Report)
	}
	if r3.Confidence != report.ConfidenceLow {
		t.Errorf("revision 3's confidence %q, want low", r3.Confidence)
	}
}

// A claim whose finding spans lines (a setting's term on its own line, a
// line of a code block after the sentence that introduces it) is disputed
// like any other: its edited value corrects it, listed as the report
// shows it under the ID the check names, and a finding that no longer
// states it withdraws it. Both failed with "claim … is not in the text of
// revision 1": the claim was listed with its lines joined.
func TestReviewClaimRevisesAMultiLineClaim(t *testing.T) {
	sources := []rf.Source{{N: 1, SourceID: "s1", Title: "Backups", Location: "backups.md"}}
	d := reasoning.Draft{Title: "Backups", Summary: []reasoning.Sentence{
		{Text: "To keep 7 daily backups, set:\n\tretention_days = 7", Cites: []int{1}},
		{Text: "compress_backups\nIf set, each backup is written with gzip.", Cites: []int{1}},
	}}
	md, _ := report.Render(report.Report{Question: "How are backups kept?", Draft: d, Sources: sources})
	base := rfclaims.Revision{Revision: 1, Report: md, Claims: report.Claims(d, sources), Sources: sources}
	a := &Inference{}

	keep := base.Claims[0]
	res, err := a.ReviewClaim(context.Background(), workflows.ReviewClaimInput{Base: base, Revision: 2,
		Check:    rfclaims.Check{ClaimID: keep.ID, Number: 1, Text: keep.Text, Verdict: rfclaims.VerdictDispute, Cites: keep.Cites},
		Findings: []reasoning.Finding{{Text: "To keep 14 daily backups, set:\n\tretention_days = 14", ChunkID: "b2", SourceID: "s1"}}})
	if err != nil {
		t.Fatal(err)
	}
	if body, _, _ := strings.Cut(res.Report.Report, "## Changelog"); res.Check.Outcome != rfclaims.OutcomeCorrected ||
		!strings.Contains(body, "To keep 14 daily backups, set: `retention_days = 14` [1].") || strings.Contains(body, "retention_days = 7") {
		t.Fatalf("check %+v, revision 2:\n%s", res.Check, res.Report.Report)
	}
	if c := res.Report.Claims[0]; c.Text != "To keep 14 daily backups, set: `retention_days = 14`" || c.ID != res.Check.CorrectionID {
		t.Errorf("corrected claim %+v, check names %s", c, res.Check.CorrectionID)
	}

	term := res.Report.Claims[1]
	res, err = a.ReviewClaim(context.Background(), workflows.ReviewClaimInput{Base: res.Report, Revision: 3,
		Check:    rfclaims.Check{ClaimID: term.ID, Number: 2, Text: term.Text, Verdict: rfclaims.VerdictDispute, Cites: term.Cites},
		Findings: []reasoning.Finding{{Text: "Backups are written to the archive bucket.", ChunkID: "b3", SourceID: "s1"}}})
	if err != nil {
		t.Fatal(err)
	}
	if body, _, _ := strings.Cut(res.Report.Report, "## Changelog"); res.Check.Outcome != rfclaims.OutcomeWithdrawn || strings.Contains(body, "compress_backups") || len(res.Report.Claims) != 1 {
		t.Errorf("check %+v, revision 3:\n%s", res.Check, res.Report.Report)
	}
}

// A new user deleted backups.md (30 days in Frankfurt) and disputed its
// claim; the other note says 35 days in Dublin. Revision 2 stated that
// twice, listed its claim ID twice and still quoted the deleted note
// under "Where sources disagree". It states it once, and the check's
// change (what the starter prints) says the two claims are one.
func TestReviewClaimMergesACorrectionIntoTheClaimItStates(t *testing.T) {
	sources := []rf.Source{{N: 1, SourceID: "s1", Title: "backups.md", Location: "backups.md"}, {N: 2, SourceID: "s2", Title: "dublin.md", Location: "dublin.md"}}
	d := reasoning.Draft{Title: "Backups", Summary: []reasoning.Sentence{
		{Text: "Nightly database backups are retained for 30 days in Frankfurt.", Cites: []int{1}},
		{Text: "Nightly database backups are retained for 35 days in Dublin.", Cites: []int{2}},
	}}
	cs := conflict.Detect([]conflict.Claim{{Text: d.Summary[0].Text, SourceID: "s1", N: 1}, {Text: d.Summary[1].Text, SourceID: "s2", N: 2}})
	md, _ := report.Render(report.Report{Question: "How long are backups retained and where?", Draft: d, Sources: sources, Conflicts: cs})
	base := rfclaims.Revision{Revision: 1, Report: md, Claims: report.Claims(d, sources), Sources: sources}
	claim := base.Claims[0]
	check := rfclaims.Check{ClaimID: claim.ID, Number: 1, Text: claim.Text, Verdict: rfclaims.VerdictDispute, Cites: claim.Cites}
	res, err := (&Inference{}).ReviewClaim(context.Background(), workflows.ReviewClaimInput{
		Base: base, Check: check, Revision: 2,
		Findings: []reasoning.Finding{{Text: "Nightly database backups are retained for 35 days in Dublin.", ChunkID: "d1", SourceID: "s2"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Report.Claims) != 1 || res.Report.Claims[0].ID != base.Claims[1].ID || res.Check.CorrectionID != base.Claims[1].ID {
		t.Errorf("claims %+v, check %+v", res.Report.Claims, res.Check)
	}
	if n := strings.Count(res.Report.Report, "35 days in Dublin [2]."); n != 1 || strings.Contains(res.Report.Report, "Where sources disagree") || strings.Contains(res.Report.Report, "- [1] ") {
		t.Errorf("revision 2:\n%s", res.Report.Report)
	}
	if !strings.Contains(res.Check.Change, "It now states what claim 2 states") {
		t.Errorf("change %q", res.Check.Change)
	}
}

// A revision lists no gap its own claims answer (report.OpenGaps, as the
// run's report): a sub-question whose claim was withdrawn while another
// claim still answers it, and a run's gap that a correction answers. A
// trial's revision 2 listed "How long are backups retained?" under Gaps
// above a Summary that said "Backups are stored in Frankfurt and retained
// for 40 days [2]."
func TestReviewClaimListsNoGapItsClaimsAnswer(t *testing.T) {
	sources := []rf.Source{{N: 1, SourceID: "s1", Title: "backups.md", Location: "backups.md"}, {N: 2, SourceID: "s2", Title: "storage.md", Location: "storage.md"}}
	retained, stored := "Nightly database backups are retained for 40 days.", "Backups are stored in Frankfurt and retained for 40 days."
	d := reasoning.Draft{Title: "Backups", Summary: []reasoning.Sentence{{Text: retained, Cites: []int{1}}, {Text: stored, Cites: []int{2}}}}
	runGaps := []rf.Gap{{SubQuestion: "Are backups retained in Dublin?", Reason: "no passage answers it"}}
	md, _ := report.Render(report.Report{Question: "How long are backups retained, and where?",
		Confidence: report.ConfidenceMedium, Draft: d, Sources: sources, Gaps: runGaps})
	runClaims := report.Claims(d, sources)
	base := rfclaims.Revision{Revision: 1, Confidence: report.ConfidenceMedium, Report: md, Claims: runClaims, Sources: sources, Gaps: runGaps}
	section := func(id, q, finding, source string) reasoning.SectionInput {
		return reasoning.SectionInput{SubQuestion: reasoning.SubQuestion{ID: id, Text: q},
			Findings: []reasoning.CitedFinding{{Finding: reasoning.Finding{Text: finding, Score: 0.9, Support: 1, SourceID: source}}}}
	}
	sections := []reasoning.SectionInput{
		section("q1", "How long are backups retained?", retained, "s1"),
		section("q2", "Where are backups stored?", stored, "s2"),
	}
	review := func(claim rf.Claim, findings []reasoning.Finding) rfclaims.Revision {
		t.Helper()
		var retrieved []string
		for _, f := range findings {
			retrieved = append(retrieved, f.SourceID)
		}
		res, err := (&Inference{}).ReviewClaim(context.Background(), workflows.ReviewClaimInput{
			Base: base, Revision: 2, Sections: sections, Gaps: runGaps, RunClaims: runClaims, Findings: findings, Retrieved: retrieved,
			Check: rfclaims.Check{ClaimID: claim.ID, Number: 1, Text: claim.Text, Verdict: rfclaims.VerdictDispute},
		})
		if err != nil {
			t.Fatal(err)
		}
		return res.Report
	}
	gapsOf := func(md string) []string {
		_, s, ok := strings.Cut(md, "## Gaps\n\n")
		if !ok {
			return nil
		}
		s, _, _ = strings.Cut(s, "\n\n")
		return strings.Split(s, "\n")
	}
	// Withdrawn: the storage claim still says how long backups are kept.
	r2 := review(runClaims[0], nil)
	if len(r2.Gaps) != 1 || r2.Gaps[0] != runGaps[0] {
		t.Errorf("withdrawn: gaps %+v, want the run's only", r2.Gaps)
	}
	if g := gapsOf(r2.Report); len(g) != 1 || !strings.Contains(g[0], "Are backups retained in Dublin?") {
		t.Errorf("withdrawn: Gaps section %q\n%s", g, r2.Report)
	}
	// Corrected to Dublin: the run's gap is answered, and the section goes.
	r2 = review(runClaims[0], []reasoning.Finding{{Text: "Nightly database backups are retained for 45 days in Dublin.", ChunkID: "c1", SourceID: "s1"}})
	if len(r2.Gaps) != 0 || strings.Contains(r2.Report, "## Gaps") {
		t.Errorf("corrected: gaps %+v\n%s", r2.Gaps, r2.Report)
	}
	// No gaps is this revision's: ReadRevision reads the run's gaps for a
	// revision written before revisions kept theirs.
	var read rfclaims.Revision
	if b, err := json.Marshal(r2); err != nil || json.Unmarshal(b, &read) != nil || !read.GapsSet {
		t.Errorf("corrected: the revision's JSON does not say its gaps are none: %v %+v", err, read)
	}
}

// A follow-up's answer lists no gap its own statements answer, in its
// Markdown or its result's gaps (report.OpenGaps, the report's rule); a
// gap they do not answer stays.
func TestRenderFollowUpListsNoGapItsStatementsAnswer(t *testing.T) {
	sources := []rf.Source{{N: 2, SourceID: "s2", Title: "oncall.md", Location: "oncall.md"}}
	answered := rf.Gap{SubQuestion: "Who do we escalate to?", Reason: "the retrieved passages did not answer it"}
	open := rf.Gap{SubQuestion: "What is the office Wi-Fi password?", Reason: "the retrieved passages did not answer it"}
	res, err := (&Inference{}).RenderFollowUp(context.Background(), workflows.RenderFollowUpInput{
		Title: "Who do we escalate to?", Question: "Who do we escalate to?",
		Sentences: []reasoning.Sentence{{Text: "Escalation goes to the platform lead after 30 minutes.", Cites: []int{2}}},
		Sources:   sources, Gaps: []rf.Gap{answered, open},
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(res.Markdown, answered.SubQuestion+"**") || !strings.Contains(res.Markdown, "- **"+open.SubQuestion+"**") {
		t.Errorf("the answer's gaps:\n%s", res.Markdown)
	}
	if !res.GapsSet || len(res.Gaps) != 1 || res.Gaps[0] != open {
		t.Errorf("gaps %+v (set: %v), want the Wi-Fi one", res.Gaps, res.GapsSet)
	}
}

// A trial disputed a claim of a run started by corpus name after editing
// the note on disk: "Claim 1 kept: source 1 still states it", though the
// file said otherwise, since the stored copy was checked. The message says
// what was checked (the stored copy, the passage's ingest time) and how to
// check the files as they are now. A run with a folder, read again, says
// nothing of it.
func TestReviewClaimOfAStoredCorpusSaysWhatItChecked(t *testing.T) {
	base := reviewBase()
	claim := base.Claims[0]
	check := rfclaims.Check{ClaimID: claim.ID, Number: 1, Text: claim.Text, Verdict: rfclaims.VerdictDispute, Cites: claim.Cites}
	at := time.Date(2026, 12, 1, 8, 15, 0, 0, time.UTC)
	store := &fakeStore{chunks: map[string]memory.Chunk{"k1": {ID: "k1", SourceID: "s1", Text: claim.Text, IngestedAt: at}}}
	a := &Inference{Chunks: store}
	for _, tt := range []struct {
		name     string
		findings []reasoning.Finding
		outcome  string
		want     []string
	}{
		{"kept", []reasoning.Finding{{Text: claim.Text, ChunkID: "k1", SourceID: "s1"}}, rfclaims.OutcomeKept,
			[]string{"Claim 1 kept: source 1 still states it.", "stored copy", "2026-12-01 08:15 UTC", "ingest them again", "?replace=true"}},
		{"withdrawn", []reasoning.Finding{{Text: "Bees build comb.", ChunkID: "b1", SourceID: "s1"}}, rfclaims.OutcomeWithdrawn,
			[]string{"Claim 1 withdrawn", "stored copy", "ingest them again"}},
	} {
		for _, stored := range []bool{true, false} {
			res, err := a.ReviewClaim(context.Background(), workflows.ReviewClaimInput{Base: base, Check: check, Revision: 2, Findings: tt.findings, Stored: stored})
			if err != nil {
				t.Fatal(err)
			}
			if res.Check.Outcome != tt.outcome {
				t.Fatalf("%s: outcome %q", tt.name, res.Check.Outcome)
			}
			for _, w := range tt.want {
				if got := strings.Contains(res.Check.Change, w); got != stored && !strings.HasPrefix(w, "Claim 1") {
					t.Errorf("%s, stored %v: change %q says %q: %v", tt.name, stored, res.Check.Change, w, got)
				}
			}
			if stored != (res.Check.Checked != "") {
				t.Errorf("%s, stored %v: checked %q", tt.name, stored, res.Check.Checked)
			}
			if strings.Contains(res.Report.Report, "stored copy") {
				t.Errorf("%s: the revision's changelog names the stored copy:\n%s", tt.name, res.Report.Report)
			}
		}
	}
}

// A revision's footer keeps when the report was generated and says when
// it was revised (the workflow's time), and a revision of a revision its
// own: a trial's revised report said only the original "Generated:" time.
func TestReviewClaimSaysWhenTheReportWasRevised(t *testing.T) {
	generated := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	sources := []rf.Source{{N: 1, SourceID: "s1", Title: "Kilns", Location: "kilns.md"}}
	d := reasoning.Draft{Title: "Kilns", Summary: []reasoning.Sentence{{Text: "A stoneware kiln is fired to about 1280 degrees Celsius.", Cites: []int{1}}}}
	md, _ := report.Render(report.Report{Question: "How hot?", Draft: d, Sources: sources, Meta: report.Meta{GeneratedAt: generated}})
	base := rfclaims.Revision{Revision: 1, Report: md, Claims: report.Claims(d, sources), Sources: sources}
	claim := base.Claims[0]
	check := rfclaims.Check{ClaimID: claim.ID, Number: 1, Text: claim.Text, Verdict: rfclaims.VerdictDispute, Cites: claim.Cites}
	found := []reasoning.Finding{{Text: claim.Text, ChunkID: "k1", SourceID: "s1"}}
	first := time.Date(2026, 12, 7, 10, 30, 0, 0, time.UTC)
	res, err := (&Inference{}).ReviewClaim(context.Background(), workflows.ReviewClaimInput{Base: base, Check: check, Revision: 2, Findings: found, RevisedAt: first})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Generated: 2026-12-07T09:00:00Z · Revised: 2026-12-07T10:30:00Z"; !strings.Contains(res.Report.Report, want) {
		t.Errorf("revision 2 does not say %q:\n%s", want, res.Report.Report)
	}
	second := first.Add(2 * time.Hour)
	res, err = (&Inference{}).ReviewClaim(context.Background(), workflows.ReviewClaimInput{Base: res.Report, Check: check, Revision: 3, Findings: found, RevisedAt: second})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Generated: 2026-12-07T09:00:00Z · Revised: 2026-12-07T12:30:00Z"; !strings.Contains(res.Report.Report, want) || strings.Count(res.Report.Report, "Revised:") != 1 {
		t.Errorf("revision 3 does not say %q once:\n%s", want, res.Report.Report)
	}
}
