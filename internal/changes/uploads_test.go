package changes

import (
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"
)

// The "What changed" section, part of the report every format and the
// report JSON show, names an uploaded source by the name it was uploaded
// under, as the report's Sources list does (report.UploadedName): not by
// the server's path to it (its data directory, the owner's key hash).
func TestSectionNamesUploadsByTheirName(t *testing.T) {
	const dir = "/srv/researchflow/data/uploads/0123456789abcdef/team/"
	up := func(id, name string) rf.SnapshotSource {
		return rf.SnapshotSource{SourceID: id, Title: strings.ToUpper(id), Location: dir + name}
	}
	prev := Snapshot{
		Findings: []rf.SnapshotFinding{finding(sq, "Tapes are stored in the vault for 12 months.", "vault")},
		Sources:  []rf.SnapshotSource{up("vault", "notes/vault.md")},
	}
	cur := Snapshot{
		Findings: []rf.SnapshotFinding{finding(sq, "Archives are encrypted.", "crypto")},
		Sources:  []rf.SnapshotSource{{SourceID: "crypto", Title: "CRYPTO", Location: "file://" + dir + "crypto.md"}},
	}
	c := Compare(prev, cur, "run-1", since)
	md := Section(c)
	if strings.Contains(md, "/srv/researchflow") || strings.Contains(md, "0123456789abcdef") {
		t.Errorf("the section shows the server path:\n%s", md)
	}
	for _, want := range []string{"VAULT (notes/vault.md)", "CRYPTO (crypto.md)"} {
		if !strings.Contains(md, want) {
			t.Errorf("section lacks %q:\n%s", want, md)
		}
	}
	if len(c.Withdrawn) != 1 || strings.Contains(c.Withdrawn[0].Reason, "/srv/") {
		t.Errorf("withdrawn %+v", c.Withdrawn)
	}
}
