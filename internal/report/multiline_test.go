package report

import (
	"fmt"
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/claims"
	"github.com/researchflow/researchflow/internal/reasoning"
)

// multiLine are statements whose finding spans lines, as the offline
// analyst keeps them: a command after the sentence that introduces it, a
// definition term on its own line before its definition, a line of a
// fenced code block (an indented line once ingested), and a command line
// that ends in marks that are part of it ("./...").
var multiLine = []struct {
	name, text, shown string
}{
	{"command", "The following sets the zone of the system clock:\n# dpkg-reconfigure tzdata",
		"The following sets the zone of the system clock: `# dpkg-reconfigure tzdata` [1]."},
	{"definition term", "expand_aliases\nIf set, aliases are expanded in non-interactive shells too.",
		"`expand_aliases`: If set, aliases are expanded in non-interactive shells too [1]."},
	{"fenced code", "To run only the tests whose name matches a pattern, use:\n\tgo test -run '^TestFoo$' ./...",
		"To run only the tests whose name matches a pattern, use: `go test -run '^TestFoo$' ./...` [2]."},
	{"trailing marks", "To vet every package of the module, run go vet ./...",
		"To vet every package of the module, run go vet ./... [2]."},
}

// multiLineRevisionOne is a run's report stating each of multiLine, and a
// plain sentence, with its claims as the run lists them.
func multiLineRevisionOne(t *testing.T) claims.Revision {
	t.Helper()
	sources := []rf.Source{{N: 1, SourceID: "s1", Title: "Shell manual", Location: "bash.md"},
		{N: 2, SourceID: "s2", Title: "Go notes", Location: "go.md"}, {N: 3, SourceID: "s3", Title: "Bees", Location: "bees.txt"}}
	// A sentence no source grounds, shown in italics, before the first.
	d := reasoning.Draft{Title: "Shells and Go", Summary: []reasoning.Sentence{{Text: "Shells read their startup files first."}}}
	for i, m := range multiLine {
		d.Summary = append(d.Summary, reasoning.Sentence{Text: m.text, Cites: []int{1 + i/2}})
	}
	d.Summary = append(d.Summary, reasoning.Sentence{Text: "Worker bees build wax comb.", Cites: []int{3}})
	md, _ := Render(Report{Question: "Shells and Go?", Draft: d, Sources: sources, MarkUngrounded: true})
	return claims.Revision{Revision: 1, Title: d.Title, Report: md, Claims: Claims(d, sources), Sources: sources}
}

// A claim is listed as the report shows it: code as code, a definition's
// term as its term, every mark of a command kept ("expand_aliases If set,
// …" was listed while the report showed "`expand_aliases`: If set, …", and
// "… ./..." was shown "… ./ [2].").
func TestClaimsOfMultiLineFindingsAreAsShown(t *testing.T) {
	r1 := multiLineRevisionOne(t)
	if len(r1.Claims) != len(multiLine)+1 {
		t.Fatalf("claims %+v", r1.Claims)
	}
	for i, m := range multiLine {
		if !strings.Contains(r1.Report, m.shown) {
			t.Errorf("%s: the report does not show %q:\n%s", m.name, m.shown, r1.Report)
		}
		c := r1.Claims[i]
		body, _, _ := strings.Cut(m.shown, " [")
		if c.Text != body && c.Text != body+"." {
			t.Errorf("%s: claim text %q, the report shows %q", m.name, c.Text, body)
		}
		if c.ID != ClaimID(c.Text) {
			t.Errorf("%s: claim ID %s is not its text's", m.name, c.ID)
		}
	}
}

// Disputing a claim whose finding spans lines corrected or withdrew it;
// it failed with "claim … is not in the text of revision 1". So do the
// revisions after: the next claim is disputed in the revision the first
// dispute wrote, and kept in the one after.
func TestReviseMultiLineClaims(t *testing.T) {
	for i, m := range multiLine {
		for _, outcome := range []string{claims.OutcomeCorrected, claims.OutcomeWithdrawn} {
			t.Run(m.name+"/"+outcome, func(t *testing.T) {
				r := multiLineRevisionOne(t)
				// This claim in revision 2, the next one (a multi-line
				// one too) in revision 3, kept in revision 4.
				for rev, j := range []int{i, (i + 1) % len(multiLine)} {
					c := r.Claims[j]
					if rev == 1 {
						c = r.Claims[claimIndex(t, r, multiLine[j].shown)]
					}
					check := claims.Check{ClaimID: c.ID, Number: j + 1, Text: c.Text, Outcome: outcome, Cites: c.Cites}
					if outcome == claims.OutcomeCorrected {
						check.Correction = fmt.Sprintf("Corrected statement number %d of the manual.", j+1)
					}
					check.Change = ChangeLine(check)
					next, err := Revise(r, rev+2, check, nil)
					if err != nil {
						t.Fatalf("revision %d: %v\n%s", rev+2, err, r.Report)
					}
					body, _, _ := strings.Cut(next.Report, "## Changelog")
					if strings.Contains(body, multiLine[j].shown) {
						t.Errorf("revision %d still states %q:\n%s", rev+2, multiLine[j].shown, next.Report)
					}
					if outcome == claims.OutcomeCorrected && !strings.Contains(body, check.Correction[:len(check.Correction)-1]+" [") {
						t.Errorf("revision %d does not state the correction:\n%s", rev+2, next.Report)
					}
					r = next
				}
				c := r.Claims[len(r.Claims)-1]
				kept := claims.Check{ClaimID: c.ID, Number: 1, Text: c.Text, Outcome: claims.OutcomeKept, Cites: c.Cites}
				kept.Change = ChangeLine(kept)
				if _, err := Revise(r, 4, kept, nil); err != nil {
					t.Fatalf("revision 4: %v", err)
				}
			})
		}
	}
}

// claimIndex is the index of the claim of r that its report shows as
// shown.
func claimIndex(t *testing.T, r claims.Revision, shown string) int {
	t.Helper()
	body, _, _ := strings.Cut(shown, " [")
	for i, c := range r.Claims {
		if c.Text == body || c.Text == body+"." {
			return i
		}
	}
	t.Fatalf("no claim of revision %d is %q: %+v", r.Revision, body, r.Claims)
	return -1
}

// A correction that spans lines (a passage with a command) is shown as
// the report shows code, listed as shown, and disputed again in the next
// revision; a kept multi-line claim stays as it is.
func TestReviseWithAMultiLineCorrection(t *testing.T) {
	r1 := multiLineRevisionOne(t)
	c := r1.Claims[0]
	corr := claims.Check{ClaimID: c.ID, Number: 1, Text: c.Text, Outcome: claims.OutcomeCorrected, Cites: []int{1},
		Correction: "The following sets the zone of the system clock:\n# timedatectl set-timezone Europe/Dublin"}
	corr.Change = ChangeLine(corr)
	r2, err := Revise(r1, 2, corr, nil)
	if err != nil {
		t.Fatal(err)
	}
	shown := "The following sets the zone of the system clock: `# timedatectl set-timezone Europe/Dublin` [1]."
	if !strings.Contains(r2.Report, shown) || !strings.Contains(r2.Report, "is now “The following sets the zone of the system clock: `# timedatectl set-timezone Europe/Dublin`”") {
		t.Errorf("revision 2:\n%s", r2.Report)
	}
	if got := r2.Claims[0]; got.Text != "The following sets the zone of the system clock: `# timedatectl set-timezone Europe/Dublin`" || got.ID != ClaimID(got.Text) {
		t.Errorf("corrected claim %+v", got)
	}
	kept := claims.Check{ClaimID: r2.Claims[1].ID, Number: 2, Text: r2.Claims[1].Text, Outcome: claims.OutcomeKept, Cites: []int{1}}
	kept.Change = ChangeLine(kept)
	r3, err := Revise(r2, 3, kept, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r3.Report, multiLine[1].shown) {
		t.Errorf("revision 3 changed a kept claim:\n%s", r3.Report)
	}
	wd := claims.Check{ClaimID: r3.Claims[0].ID, Number: 1, Text: r3.Claims[0].Text, Outcome: claims.OutcomeWithdrawn}
	wd.Change = ChangeLine(wd)
	r4, err := Revise(r3, 4, wd, nil)
	if err != nil {
		t.Fatal(err)
	}
	if body, _, _ := strings.Cut(r4.Report, "## Changelog"); strings.Contains(body, "timedatectl") {
		t.Errorf("revision 4 still states the withdrawn correction:\n%s", r4.Report)
	}
}

// A run recorded before claims were listed as shown lists a multi-line
// claim with its lines joined ("expand_aliases If set, …"): it is found in
// the report all the same.
func TestReviseFindsAClaimListedWithItsLinesJoined(t *testing.T) {
	r1 := multiLineRevisionOne(t)
	for i, m := range multiLine {
		c := r1.Claims[i]
		c.Text = strings.Join(strings.Fields(m.text), " ")
		c.ID = ClaimID(c.Text)
		r := r1
		r.Claims = append([]rf.Claim{c}, r1.Claims...)
		wd := claims.Check{ClaimID: c.ID, Number: 1, Text: c.Text, Outcome: claims.OutcomeWithdrawn}
		wd.Change = ChangeLine(wd)
		r2, err := Revise(r, 2, wd, nil)
		if err != nil {
			t.Errorf("%s: %v", m.name, err)
			continue
		}
		if body, _, _ := strings.Cut(r2.Report, "## Changelog"); strings.Contains(body, m.shown) {
			t.Errorf("%s: revision 2 still states it:\n%s", m.name, r2.Report)
		}
	}
}

// A claim listed as shown is kept by the passage it was found in, whose
// finding spans lines as the analyst states it again.
func TestJudgeKeepsAMultiLineClaim(t *testing.T) {
	for _, m := range multiLine {
		claim := ClaimText(m.text)
		found := []Statement{{Text: "Worker bees build wax comb."}, {Text: m.text}}
		if got, best := Judge(claim, found); got != claims.OutcomeKept || best != 1 {
			t.Errorf("%s: %s %d, want kept 1", m.name, got, best)
		}
		if got := SubQuestionFor(claim, [][]string{{"Worker bees build wax comb."}, {m.text}}); got != 1 {
			t.Errorf("%s: sub-question %d, want 1", m.name, got)
		}
	}
}
