package stack

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/claims"
	"github.com/researchflow/researchflow/internal/gateway"
)

// A run over notes whose findings span lines: a command in a fenced code
// block after the sentence that introduces it, and an option's term on
// its own line before its definition. The claims list them as the report
// shows them; disputing them through the HTTP API corrects the edited one
// in revision 2 and withdraws the deleted one in revision 3. Both failed
// with "claim … is not in the text of revision 1".
func TestDisputedMultiLineClaimsAreRevised(t *testing.T) {
	endToEnd(t)
	notes := map[string]string{
		"testing.md": "# Testing\n\nTo run every test of the module 3 times, use:\n\n```sh\ngo test -count=3 ./...\n```\n\nIt needs nothing else.\n",
		"shell.md":   "# Shell options\n\nexpand_aliases\n\nIf set, aliases are expanded in non-interactive shells too.\n",
	}
	dir := namedNotes(t, "claims-code-notes", notes)
	id := unique("e2e-claims-code")
	run, _ := research(t, id, rf.ResearchInput{
		Question:   "How do I run every test of the module several times, and what does expand_aliases do?",
		CorpusPath: dir,
	})
	tests, alias := claimWith(t, run, run.Claims, "go test"), claimWith(t, run, run.Claims, "expand_aliases")
	for _, want := range []struct{ claim, shown string }{
		{tests.Text, "To run every test of the module 3 times, use: `go test -count=3 ./...` ["},
		{alias.Text, "`expand_aliases`: If set, aliases are expanded in non-interactive shells too ["},
	} {
		if body, _, _ := strings.Cut(want.shown, " ["); strings.TrimSuffix(want.claim, ".") != body || !strings.Contains(run.Report, want.shown) {
			t.Errorf("claim %q is not listed as the report shows it:\n%s", want.claim, run.Report)
		}
	}
	base := "http://" + shared.Gateway.Addr + "/v1/research/" + url.PathEscape(id)
	dispute := func(c rf.Claim, want int) claims.Review {
		t.Helper()
		resp, err := patient.Post(base+"/claims/"+c.ID+"/feedback", "application/json", strings.NewReader(`{"verdict":"dispute","reason":"the note changed"}`))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var fb gateway.FeedbackResponse
		if resp.StatusCode != http.StatusAccepted || json.Unmarshal(b, &fb) != nil || fb.Revision != want {
			t.Fatalf("dispute %s: %d %s, want revision %d", c.ID, resp.StatusCode, b, want)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		var rv claims.Review
		if err := shared.Client.GetWorkflow(ctx, fb.ID, "").Get(ctx, &rv); err != nil {
			t.Fatalf("review %s: %v", fb.ID, err)
		}
		return rv
	}

	edited := strings.ReplaceAll(notes["testing.md"], "3", "5")
	if err := os.WriteFile(filepath.Join(dir, "testing.md"), []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	rv2 := dispute(tests, 2)
	body, _, _ := strings.Cut(rv2.Report.Report, "## Changelog")
	if rv2.Check.Outcome != claims.OutcomeCorrected || !strings.Contains(body, "`go test -count=5 ./...`") || strings.Contains(body, "go test -count=3 ./...") {
		t.Fatalf("check %+v, revision 2:\n%s", rv2.Check, rv2.Report.Report)
	}
	if c := claimWith(t, run, rv2.Report.Claims, "go test"); c.ID != rv2.Check.CorrectionID {
		t.Errorf("revision 2 lists the correction as %s, the check names %s", c.ID, rv2.Check.CorrectionID)
	}

	if err := os.Remove(filepath.Join(dir, "shell.md")); err != nil {
		t.Fatal(err)
	}
	rv3 := dispute(alias, 3)
	body, _, _ = strings.Cut(rv3.Report.Report, "## Changelog")
	_, body, _ = strings.Cut(body, "## Summary") // the title asks about expand_aliases
	if rv3.Check.Outcome != claims.OutcomeWithdrawn || strings.Contains(body, "expand_aliases") || !strings.Contains(body, "`go test -count=5 ./...`") {
		t.Errorf("check %+v, revision 3:\n%s", rv3.Check, rv3.Report.Report)
	}
}
