package textproc

import (
	"strings"
	"testing"
)

// Expression widens the words an edit touched to the date, time, quantity
// or version they are part of, and leaves other words alone.
func TestExpression(t *testing.T) {
	for _, tt := range []struct {
		text, words, want string
	}{
		{"the freeze starts 4 January 2027 and deploys take about 4 minutes.", "4 January", "4 January 2027"},
		{"the freeze starts 4 January 2027 and deploys take about 4 minutes.", "4 minutes.", "4 minutes."},
		{"deploys take about 4 minutes, mostly", "4", "4 minutes,"},
		{"the freeze starts 4 January 2027 and deploys take about 4 minutes.", "2027", "4 January 2027"},
		{"the freeze starts 4 January 2027 and deploys take about 4 minutes.", "January", "4 January 2027"},
		{"starts on January 4, 2027, for everyone", "4,", "January 4, 2027,"},
		{"starts on Monday, 4 January.", "4", "Monday, 4 January."},
		{"starts on the 4th of January 2027", "4th", "4th of January 2027"},
		{"the 4th of May is free", "May", "4th of May"},
		// A year alone, or a day number beside no month, is no date.
		{"applies since 2019 to 12 teams", "2019", "2019"},
		{"applies since 2019 to 12 teams", "12", "12"},
		// Two dates side by side stay two.
		{"from 4 January 2027 11 February 2027", "4", "4 January 2027"},
		{"kept 30 days.", "30", "30 days."},
		{"kept 30 days.", "days.", "30 days."},
		{"above 5,000 USD need approval", "5,000", "5,000 USD"},
		{"above USD 5,000 need approval", "5,000", "USD 5,000"},
		{"costs $40 a month", "$40", "$40"},
		{"a budget of 2 million EUR in 4 quarters", "2", "2 million EUR"},
		{"uses 45% of the disk", "45%", "45%"},
		{"uses 45 percent of the disk", "45", "45 percent"},
		{"stand-up at 9 am for 4 people", "9", "9 am"},
		{"stops at 14:00 UTC on Fridays", "14:00", "14:00 UTC"},
		{"runs version 1.4 on 4 nodes", "1.4", "version 1.4"},
		{"holds 42 widgets", "42", "42"},
		// No expression reaches past the end of a sentence or clause.
		{"the team has 4. Days are long", "4.", "4."},
		{"the team has 4, days are long", "4,", "4,"},
		{"nothing here changes", "here", "here"},
	} {
		ws := strings.Fields(tt.text)
		span := strings.Fields(tt.words)
		i := -1
		for k := range ws {
			if k+len(span) <= len(ws) && strings.Join(ws[k:k+len(span)], " ") == tt.words {
				i = k
				break
			}
		}
		if i < 0 {
			t.Fatalf("%q not in %q", tt.words, tt.text)
		}
		lo, hi := Expression(ws, i, i+len(span))
		if got := strings.Join(ws[lo:hi], " "); got != tt.want {
			t.Errorf("%q in %q: %q, want %q", tt.words, tt.text, got, tt.want)
		}
	}
}

func TestCountedTakesTheNounANumberCounts(t *testing.T) {
	for _, tt := range []struct {
		text string
		i    int
		want string
	}{
		{"has 42 desks and more", 1, "42 desks"},
		{"and 6 parking spaces.", 1, "6 parking spaces."},
		{"hired 3 people in March", 1, "3 people"},
		{"kept 30 days here", 1, "30 days"}, // a unit, as Expression
		{"number 42 in all", 1, "42"},
		{"is 42 as agreed", 1, "42"},
		{"was 42, then desks", 1, "42,"},
		{"in 2025 prices rose", 1, "2025"},
		{"rose 5% pays", 1, "5%"},
		{"has 42 Main Streets", 1, "42"},
	} {
		ws := strings.Fields(tt.text)
		lo, hi := Counted(ws, tt.i, tt.i+1)
		if got := strings.Join(ws[lo:hi], " "); got != tt.want {
			t.Errorf("Counted(%q, %d) = %q, want %q", tt.text, tt.i, got, tt.want)
		}
	}
}
