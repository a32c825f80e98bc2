package conflict

import (
	"testing"
)

func claim(src, text string) Claim { return Claim{Text: text, SourceID: src, ChunkID: "c-" + src} }

func TestDetect(t *testing.T) {
	tests := []struct {
		name     string
		a, b     string
		wantKind string // "" = no conflict
		aVal     string
		bVal     string
	}{
		{"retention in days", "Logs are kept for 30 days.", "Logs are kept for 90 days.", KindQuantity, "30 days", "90 days"},
		{"retention reworded", "Example Corp keeps application logs for 30 days.", "Application logs at Example Corp are retained for 90 days.", KindQuantity, "30 days", "90 days"},
		{"one adds a clause", "Example Corp keeps application logs for 30 days.", "Application logs at Example Corp are retained for 90 days according to our audit of application logs.", KindQuantity, "30 days", "90 days"},
		{"one adds detail", "Logs are kept 30 days.", "At Example Corp, logs are kept 90 days before deletion.", KindQuantity, "30 days", "90 days"},
		{"percent", "The cache hit rate of the proxy is 85%.", "The proxy's cache hit rate is 60 percent.", KindQuantity, "85%", "60 percent"},
		{"year", "The retention policy took effect in 2019.", "The retention policy took effect in 2021.", KindDate, "2019", "2021"},
		{"yes/no", "Logs are encrypted at rest.", "Logs are not encrypted at rest.", KindYesNo, "yes", "no"},
		{"yes/no contraction", "The service stores backups offsite.", "The service doesn't store backups offsite.", KindYesNo, "yes", "no"},
		// Agreements and different subjects are not conflicts.
		{"same value", "Logs are kept for 30 days.", "Logs are retained for 30 days at most.", "", "", ""},
		{"different subjects", "Application logs are kept 30 days.", "Audit logs are kept 90 days.", "", "", ""},
		{"different subjects, longer", "Example Corp keeps application logs for 30 days.", "Example Corp keeps audit logs for 90 days in cold storage.", "", "", ""},
		{"different pages of a policy", "Application logs at Example Corp are kept for 30 days before they are deleted.",
			"Audit logs are kept for 90 days and then archived to cold storage.", "", "", ""},
		{"different plans", "The free plan keeps logs for 7 days.", "The paid plan keeps logs for 30 days.", "", "", ""},
		{"different units", "Logs are kept for 30 days.", "Logs are kept for 1 month.", "", "", ""},
		{"unrelated numbers", "The library has 30 contributors.", "Logs are kept for 90 days.", "", "", ""},
		{"negation elsewhere", "Logs are encrypted at rest.", "Logs are not encrypted in transit over the old VPN link between offices.", "", "", ""},
		{"range includes", "Logs are kept 30 to 90 days.", "Logs are kept 90 days.", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Detect([]Claim{claim("s1", tt.a), claim("s2", tt.b)})
			if tt.wantKind == "" {
				if len(got) != 0 {
					t.Fatalf("conflict %+v, want none", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("got %d conflicts, want 1", len(got))
			}
			c := got[0]
			if c.Kind != tt.wantKind || c.AValue != tt.aVal || c.BValue != tt.bVal || c.A.SourceID != "s1" || c.B.SourceID != "s2" || c.Subject == "" {
				t.Errorf("conflict = %+v, want %s %q vs %q", c, tt.wantKind, tt.aVal, tt.bVal)
			}
		})
	}
}

func TestDetectSameSourceIsNoConflict(t *testing.T) {
	got := Detect([]Claim{claim("s1", "Logs are kept for 30 days."), claim("s1", "Logs are kept for 90 days.")})
	if len(got) != 0 {
		t.Errorf("one source against itself: %+v", got)
	}
	got = Detect([]Claim{claim("s1", "Logs are kept for 30 days."), claim("s2", "Logs are kept for 90 days."), claim("s3", "Logs are kept for 30 days.")})
	if len(got) != 2 {
		t.Errorf("three sources, one disagreeing: %d conflicts, want 2 (s1–s2, s2–s3): %+v", len(got), got)
	}
}

// A claim that is a passage (the value's sentence with a sentence of
// context) still disagrees with a one-sentence claim of another source.
func TestDetectInPassages(t *testing.T) {
	claims := []Claim{
		{SourceID: "a", Text: "Example Corp keeps application logs for 30 days. Application logs are kept in a central store."},
		{SourceID: "b", Text: "Application logs at Example Corp are retained for 90 days according to our audit of application logs."},
		{SourceID: "c", Text: "The cafeteria opens at 8. Lunch is served for 2 hours."},
	}
	got := Detect(claims)
	if len(got) != 1 || got[0].A.SourceID != "a" || got[0].B.SourceID != "b" || got[0].AValue != "30 days" || got[0].BValue != "90 days" {
		t.Errorf("Detect = %+v, want the 30 vs 90 days of a and b only", got)
	}
}
