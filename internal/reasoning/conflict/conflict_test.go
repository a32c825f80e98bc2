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
		// A money threshold, however the currency is written (trial 47's
		// budget note and meeting note).
		{"money threshold", "Expenses above 500 EUR need approval from the engineering manager before purchase.",
			"- Expenses above 250 EUR now need approval from the engineering manager.", KindQuantity, "500 EUR", "250 EUR"},
		{"currency symbol", "Purchases above €500 need a second signature.", "Purchases above 750 euros need a second signature.", KindQuantity, "€500", "750 euros"},
		{"thousands", "The cloud budget is 42,000 EUR per quarter.", "The cloud budget is 45,000 EUR per quarter.", KindQuantity, "42,000 EUR per quarter", "45,000 EUR per quarter"},
		// Numbers in words, and a rate named with its period.
		{"days a week in words", "Engineers work from the office at least two days a week.",
			"Engineers work from the office at least three days a week: Tuesday, Wednesday and Thursday.", KindQuantity, "two days a week", "three days a week"},
		{"calendar dates", "The offsite takes place from 14 to 16 May 2025.", "The offsite takes place from 21 to 23 May 2025.", KindDate, "14 to 16 May 2025", "21 to 23 May 2025"},
		// Agreements and different subjects are not conflicts.
		{"same amount written two ways", "The cloud budget is 42,000 EUR per quarter.", "The cloud budget is 42000 EUR per quarter.", "", "", ""},
		{"different currencies", "The license costs 500 EUR a year.", "The license costs 550 USD a year.", "", "", ""},
		{"rates of different periods", "Engineers work from the office two days a week.", "Engineers work from the office 90 days a year.", "", "", ""},
		{"one per person, one in all", "The offsite budget is 900 EUR per person.", "The offsite budget is 12,000 EUR.", "", "", ""},
		{"same dates written two ways", "The offsite takes place on 14–16 May 2025.", "The offsite takes place on May 14 to 16, 2025.", "", "", ""},
		{"a day within the dates", "The offsite takes place from 14 to 16 May 2025.", "The offsite hackathon takes place on 15 May.", "", "", ""},
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
		// Alike words, another head noun: snapshots are not backups.
		{"another thing of the same kind", "Database backups at Example Corp are retained for 35 days.",
			"Database snapshots at Example Corp are retained for 7 days.", "", "", ""},
		{"another thing, more detail", "The nightly database backups at Example Corp are retained for 35 days.",
			"The database snapshots at Example Corp are retained for 7 days.", "", "", ""},
		{"another database's backups", "Backups of the billing database are kept for 35 days.", "Backups of the auth database are kept for 7 days.", "", "", ""},
		// The same head, one with more detail: one subject, two values.
		{"one subject, more detail", "Nightly backups are kept for 35 days.", "Backups are kept for 30 days.", KindQuantity, "35 days", "30 days"},
		{"one subject, rephrased", "Database backups at Example Corp are retained for 35 days.",
			"At Example Corp, backups of the database are retained for 30 days.", KindQuantity, "35 days", "30 days"},
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

// For a question, the disagreement it asks about comes first, and two
// claims that both state its subject disagree however much else they say
// (trial 47: the handbook's office days, the offsite that moved).
func TestDetectAbout(t *testing.T) {
	tests := []struct {
		name     string
		question string
		a, b     string
		want     [][2]string // AValue, BValue in order; none = no conflict
	}{
		{"office days first", "How many days a week must engineers be in the office?",
			"Engineers work from the office at least two days a week.\n\nWorking from abroad is allowed for up to 30 days per calendar year.",
			"Engineers work from the office at least three days a week: Tuesday, Wednesday and Thursday.\n\nWorking from abroad is allowed for up to 20 days per calendar year. Requests go to the engineering manager at least two weeks in advance.",
			[][2]string{{"two days a week", "three days a week"}, {"30 days per calendar year", "20 days per calendar year"}}},
		{"abroad first when asked", "How many days a year may engineers work from abroad?",
			"Engineers work from the office at least two days a week.\n\nWorking from abroad is allowed for up to 30 days per calendar year.",
			"Engineers work from the office at least three days a week.\n\nWorking from abroad is allowed for up to 20 days per calendar year.",
			[][2]string{{"30 days per calendar year", "20 days per calendar year"}, {"two days a week", "three days a week"}}},
		{"money threshold", "Above what amount do expenses need the engineering manager's approval?",
			"The hardware refresh budget for 2025 is 18,000 EUR, covering 12 laptops.\n\nExpenses above 500 EUR need approval from the engineering manager before purchase.",
			"- Expenses above 250 EUR now need approval from the engineering manager.\n- Jonas will write the new deploy checklist by end of March.",
			[][2]string{{"500 EUR", "250 EUR"}}},
		{"the offsite moved", "Where and when is the team offsite?",
			"The Lumen offsite takes place in Lisbon from 14 to 16 May 2025. We stay at the Hotel Alfama, and the budget is 900 EUR per person including flights.",
			"- The offsite moves to Porto, 21 to 23 May 2025, because the Lisbon hotel was fully booked.",
			[][2]string{{"14 to 16 May 2025", "21 to 23 May 2025"}}},
		// Not the same subject, though both answer the question.
		{"another date of the offsite", "When is the offsite?",
			"The offsite takes place in Lisbon from 14 to 16 May 2025.", "Offsite registration closes on 30 April 2025.", nil},
		{"another team's offsite", "Where and when is the team offsite?",
			"The Lumen offsite is in Lisbon from 14 to 16 May 2025.", "The Kestrel offsite is in Lisbon from 2 to 4 June 2025.", nil},
		{"another kind of expense", "Above what amount do expenses need approval?",
			"Travel expenses above 1,000 EUR need approval from the finance director.", "Expenses above 500 EUR need approval from the engineering manager.", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got [][2]string
			for _, c := range DetectAbout(tt.question, []Claim{claim("s1", tt.a), claim("s2", tt.b)}) {
				got = append(got, [2]string{c.AValue, c.BValue})
			}
			if len(got) != len(tt.want) {
				t.Fatalf("conflicts %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("conflicts %q, want %q", got, tt.want)
				}
			}
		})
	}
}
