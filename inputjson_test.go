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
		{`{"question":"q","notify":{"emails":["a@b.org"]}}`, "notify.emails", research},
		{`{"question":"q","Notify":{"emails":["a@b.org"]}}`, "Notify.emails", research},
		{`{"question":"q","notify":{"notify":1}}`, "notify.notify", research},
		{`{"question":"q","schedule":{"id":"schedule-a","evry":"1h"}}`, "schedule.evry", research},
		{`{"question":"q","notify":{"emails":[]},"maxSource":3}`, "notify.emails", research},
		{`{"question":"q","resume":{"anything":1}}`, "", research},
		{`{"path":"/p","resume":{"skipped":[{"path":"a","reason":"b"},{"path":"c","reasn":"d"}]}}`, "resume.skipped[1].reasn", ingest},
		{`{"path":"/p","resume":{"skipped":[{"path":"a","REASON":"b"}]}}`, "", ingest},
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

func ingest(b []byte) (unknownField, decodeErr error) {
	var in IngestInput
	err := json.Unmarshal(b, &in)
	return in.UnknownField(), err
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

// unknownKey finds the key encoding/json's DisallowUnknownFields finds,
// fields promoted from embedded structs and names that two of them annul
// included, and names it by its path.
func TestUnknownKeyFollowsEncodingJSON(t *testing.T) {
	type Inner struct {
		A int `json:"a"`
		B int
	}
	type Other struct {
		B int
	}
	type outer struct {
		Inner
		*Other
		Items  [1]Inner           `json:"items"`
		ByName map[string]Inner   `json:"byName"`
		Any    any                `json:"any"`
		Raw    json.RawMessage    `json:"raw"`
		List   []map[string]Inner `json:"list"`
	}
	for in, want := range map[string]string{
		`{"a":1}`:                           "",
		`{"b":1}`:                           "b", // Inner.B and Other.B annul each other
		`{"items":[{"a":1},{"zz":2}]}`:      "",  // past the array's end: dropped unread
		`{"items":[{"zz":1}]}`:              "items[0].zz",
		`{"byName":{"x":{"a":1,"c":2}}}`:    "byName.x.c",
		`{"any":{"c":1},"raw":{"c":1}}`:     "",
		`{"list":[{},{"k":{"A":1,"d":2}}]}`: "list[1].k.d",
	} {
		if got := unknownKey([]byte(in), new(outer)); got != want {
			t.Errorf("%s: %q, want %q", in, got, want)
		}
	}
}
