package activities

import (
	"strings"
	"testing"

	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/report"
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
