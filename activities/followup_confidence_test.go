package activities

import (
	"strings"
	"testing"

	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/report"
	"github.com/researchflow/researchflow/workflows"
)

// A trial's notes: the offsite as planned (Lisbon, the Hotel Alfama) and
// the meeting that moved it to Porto because the Lisbon hotel was booked.
var (
	offsiteNote = chunk("c-offsite", "offsite", "Team offsite 2025\n\nThe Lumen offsite takes place in Lisbon from 14 to 16 May 2025. We stay at the Hotel Alfama, and the budget is 900 EUR per person including flights.\n\nThe agenda covers the roadmap for the second half of the year and a one-day hackathon.")
	meetingNote = chunk("c-meeting", "meeting", "Team meeting, 4 March 2025\n\nAttendees: Priya, Tomasz, Mei, Jonas.\n\n- The offsite moves to Porto, 21 to 23 May 2025, because the Lisbon hotel was fully booked.\n- Expenses above 250 EUR now need approval from the engineering manager.\n- Mei takes over the backup restore drill, which runs on the first Thursday of every month.")
)

// "Which hotel do we stay at in Porto?" No note says: one names the
// Lisbon hotel, the other the move to Porto. A trial's answer stated both,
// reading as if the Hotel Alfama were in Porto, and carried no
// confidence. It is low now, with the report's banner over its statements.
func TestFollowUpStitchedFromTwoNotesIsLowConfidence(t *testing.T) {
	for _, question := range []string{
		"Which hotel do we stay at in Porto?",
		"Which hotel do we stay at for the Porto offsite?",
	} {
		res := followUpOn(t, []memory.Chunk{offsiteNote, meetingNote}, question)
		t.Logf("%s\n%s", question, res.Answer)
		if res.Confidence != report.ConfidenceLow {
			t.Errorf("%s: confidence %q, want low: no note names a hotel in Porto", question, res.Confidence)
		}
		if !strings.Contains(res.Answer, "**Confidence:** low") || !strings.Contains(res.Answer, report.LowConfidenceBanner) {
			t.Errorf("%s: the answer does not state its low confidence with the banner:\n%s", question, res.Answer)
		}
	}
}

// What one note answers whole is confident, and says so.
func TestFollowUpAnsweredByOneNoteStatesItsConfidence(t *testing.T) {
	for _, question := range []string{"Where is the offsite?", "What is the offsite budget per person?"} {
		res := followUpOn(t, []memory.Chunk{offsiteNote, meetingNote}, question)
		if res.Confidence == "" || res.Confidence == report.ConfidenceLow {
			t.Errorf("%s: confidence %q, want high or medium:\n%s", question, res.Confidence, res.Answer)
		}
		if !strings.Contains(res.Answer, "**Confidence:** "+res.Confidence) || strings.Contains(res.Answer, report.LowConfidenceBanner) {
			t.Errorf("%s: the answer does not state confidence %q:\n%s", question, res.Confidence, res.Answer)
		}
	}
}

// A follow-up nothing answers is low, as a report that answers nothing.
func TestFollowUpNothingAnswersIsLowConfidence(t *testing.T) {
	res := followUpOver(t, "How often are passwords rotated?", onCallNote)
	if len(res.Findings) != 0 || res.Confidence != report.ConfidenceLow || !strings.Contains(res.Answer, report.LowConfidenceBanner) {
		t.Errorf("findings %d, confidence %q, want none and low with the banner:\n%s", len(res.Findings), res.Confidence, res.Answer)
	}
}

// A trial replaced an uploaded note (30 days in Frankfurt became 60 days
// in Dublin) and asked a follow-up: the answer cited [1] with the new
// text, the report's [1] the old, and nothing said the note had changed.
// The answer says so now, under its confidence, and lists it as changed.
func TestFollowUpCitingAChangedSourceSaysSo(t *testing.T) {
	edited := chunk("c-backups-2", "backups", "Nightly database backups are retained for 60 days in Dublin.")
	gone := []workflows.GoneSource{{N: 2, SourceID: "backups", Title: "Title backups", Passages: 1, Cited: 1}}
	res := followUpGone(t, []memory.Chunk{onCallNote, backupsNote}, gone, "How long are backups retained?", edited)
	t.Logf("answer:\n%s", res.Answer)
	if len(res.Findings) == 0 || res.Findings[0].N != 2 || !strings.Contains(res.Findings[0].Text, "60 days") {
		t.Fatalf("findings %+v, want the edited note's text as [2]", res.Findings)
	}
	want := "Source 2, Title backups, changed since the run: this answer quotes it as it is now, the report as the run read it."
	if len(res.Changed) != 1 || res.Changed[0].N != 2 || report.ChangedNote(res.Changed[0]) != want || !strings.Contains(res.Answer, "> "+want) {
		t.Errorf("changed %+v, want source 2 said changed in the answer (%q):\n%s", res.Changed, want, res.Answer)
	}
}

// A source whose document did not change is not said changed, though
// another of the run's sources did.
func TestFollowUpCitingAnUnchangedSourceSaysNothingOfChanges(t *testing.T) {
	gone := []workflows.GoneSource{{N: 2, SourceID: "backups", Title: "Title backups", Passages: 1, Cited: 1, Deleted: true}}
	res := followUpGone(t, []memory.Chunk{onCallNote, backupsNote}, gone, "How often does the on-call rotation change?")
	if len(res.Findings) == 0 || res.Findings[0].N != 1 {
		t.Fatalf("findings %+v, want the on-call note as [1]", res.Findings)
	}
	if len(res.Changed) != 0 || strings.Contains(res.Answer, "since the run") {
		t.Errorf("changed %+v, want none:\n%s", res.Changed, res.Answer)
	}
}
