package researchflow

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// The inputs typed by hand (start inputs, approvals, budget requests) note
// the first key that names no field, at any depth, as encoding/json's
// DisallowUnknownFields finds it, case aside; what they decode is what
// json.Unmarshal decodes.
func TestInputsNoteTheFirstUnknownKey(t *testing.T) {
	unknown := func(err error) string {
		var in *InputError
		if errors.As(err, &in) {
			return in.Field
		}
		return ""
	}
	for _, c := range []struct {
		json, unknown string
		decode        func([]byte) (unknownField, decodeErr error)
	}{
		{`{"question":"q","maxSources":3}`, "", research},
		{`{"Question":"q","MAXSOURCES":3}`, "", research},
		{`{"question":"q","maxSource":3}`, "maxSource", research},
		{`{"question":"q","notify":{"emails":["a@b.org"]}}`, "emails", research},
		{`{"approved":true,"subQuestion":["a?"]}`, "subQuestion", approval},
		{`{"approved":false}`, "", approval},
		{`{"maxToken":5000}`, "maxToken", budget},
		{`{"maxTokens":5000,"by":"ana"}`, "", budget},
	} {
		err, derr := c.decode([]byte(c.json))
		if derr != nil {
			t.Errorf("%s: %v", c.json, derr)
			continue
		}
		if got := unknown(err); got != c.unknown {
			t.Errorf("%s: unknown %q (%v), want %q", c.json, got, err, c.unknown)
		}
	}
	var in ResearchInput
	if err := json.Unmarshal([]byte(`{"question":3}`), &in); err == nil {
		t.Error("a question of the wrong type decoded")
	}
}

func research(b []byte) (unknownField, decodeErr error) {
	var in ResearchInput
	err := json.Unmarshal(b, &in)
	return in.UnknownField(), err
}

func approval(b []byte) (unknownField, decodeErr error) {
	var a PlanApproval
	err := json.Unmarshal(b, &a)
	return a.UnknownField(), err
}

func budget(b []byte) (unknownField, decodeErr error) {
	var e BudgetRequest
	err := json.Unmarshal(b, &e)
	return e.UnknownField(), err
}

// A value of the wrong type is named by its field, not by the Go type that
// decodes it ("plain.maxSources"), and a long unknown key is cut.
func TestInputErrorsNameTheField(t *testing.T) {
	for in, want := range map[string]string{
		`{"question":"q","maxSources":"3"}`: "maxSources: want a JSON whole number, not a JSON string",
		`[{"question":"q"}]`:                "the input must be a JSON object ({…}), not a JSON array",
		`{"question":"q","depth":"one"}`:    "depth: want a JSON whole number, not a JSON string",
	} {
		var r ResearchInput
		if err := json.Unmarshal([]byte(in), &r); err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %q", in, err, want)
		}
	}
	long := strings.Repeat("x", 100000)
	var r ResearchInput
	if err := json.Unmarshal([]byte(`{"question":"q","`+long+`":1}`), &r); err != nil {
		t.Fatal(err)
	}
	var in *InputError
	if !errors.As(r.UnknownField(), &in) || len(in.Field) > 200 || !strings.HasPrefix(in.Field, "xxxx") {
		t.Errorf("unknown field named %d bytes long, want it cut", len(in.Field))
	}
}
