package client

import (
	"errors"
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
	got := []rune(truncate(q, memoQuestionLength))
	if len(got) != memoQuestionLength+1 || got[len(got)-1] != '…' {
		t.Errorf("truncate kept %d characters", len(got))
	}
	if truncate("short", memoQuestionLength) != "short" {
		t.Error("a short question changed")
	}
}

// A fresh schedule ID passes the contract's rule for schedule IDs (the
// prefix is spelled in both places).
func TestNewScheduleIDIsValid(t *testing.T) {
	t.Parallel()
	for range 3 {
		if id := NewScheduleID(); rf.ValidateScheduleID(id) != nil {
			t.Errorf("NewScheduleID() = %q: %v", id, rf.ValidateScheduleID(id))
		}
	}
}
