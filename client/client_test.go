package client

import (
	"errors"
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"
)

func TestQuoteQuery(t *testing.T) {
	if got, want := quoteQuery(`o'brien\`), `'o\'brien\\'`; got != want {
		t.Errorf("quoteQuery = %s, want %s", got, want)
	}
}

func TestIdempotentID(t *testing.T) {
	a, b := IdempotentID("alice", "k1"), IdempotentID("bob", "k1")
	if a == b || a != IdempotentID("alice", "k1") {
		t.Errorf("IdempotentID: alice %s, bob %s: want stable per owner and distinct across owners", a, b)
	}
}

func TestRejectedError(t *testing.T) {
	var err error = &RejectedError{Reason: "run is not waiting for plan approval"}
	if !errors.Is(err, ErrRejected) {
		t.Error("RejectedError is not ErrRejected")
	}
	if got, want := err.Error(), "the run refused the request: run is not waiting for plan approval"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestTruncateCountsCharacters(t *testing.T) {
	q := ""
	for range 300 {
		q += "问"
	}
	got := []rune(truncate(q, 200))
	if len(got) != 201 || got[len(got)-1] != '…' {
		t.Errorf("truncate kept %d characters", len(got))
	}
	if truncate("short", 200) != "short" {
		t.Error("a short question changed")
	}
}

// A fresh schedule ID passes the contract's rule for schedule IDs (the
// prefix is spelled in both places).
func TestNewScheduleIDIsValid(t *testing.T) {
	t.Parallel()
	for range 3 {
		if id := NewScheduleID(); ValidateScheduleID(id) != nil {
			t.Errorf("NewScheduleID() = %q: %v", id, ValidateScheduleID(id))
		}
	}
}

// TestNoteBoundMatchesTheSpec: a pause note is bounded as a schedule's note.
func TestNoteBoundMatchesTheSpec(t *testing.T) {
	spec := func(note string) error {
		_, err := rf.ScheduleSpec{Research: rf.ResearchInput{Question: "How are backups kept?"}, Every: "24h", Note: note}.Normalize()
		return err
	}
	for _, n := range []int{maxNoteLength, maxNoteLength + 1} {
		note := strings.Repeat("n", n)
		_, err := NormalizeNote(note)
		if (err == nil) != (spec(note) == nil) {
			t.Errorf("a note of %d characters: pause says %v, the schedule says %v", n, err, spec(note))
		}
	}
	if _, err := NormalizeNote(strings.Repeat("n", maxNoteLength+1)); err == nil {
		t.Error("an over-long pause note passed")
	}
}
