package fault

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestClassificationSurvivesWrapping(t *testing.T) {
	base := errors.New("401 unauthorized")
	err := fmt.Errorf("plan: %w", Permanent("egress.unauthorized", base))
	if !IsPermanent(err) {
		t.Fatalf("IsPermanent(%v) = false, want true", err)
	}
	if !errors.Is(err, base) {
		t.Errorf("errors.Is lost the cause")
	}
	tr := fmt.Errorf("x: %w", Transient("egress.rate_limited", base, 3*time.Second))
	if IsPermanent(tr) {
		t.Errorf("transient error reported permanent")
	}
	fe, ok := Classify(tr)
	if !ok || fe.RetryAfter != 3*time.Second || fe.Kind != "egress.rate_limited" {
		t.Errorf("Classify = %+v, %v", fe, ok)
	}
	if _, ok := Classify(base); ok {
		t.Errorf("unclassified error classified")
	}
}
