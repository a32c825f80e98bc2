package researchflow

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// The HTTP gateway reads a number that does not fit its field
// (99999999999999999999, 1e30) as -1 so that the field's own rule refuses
// it with its range. That holds only while every number of every request
// body refuses -1, naming its field: this test keeps it so.
func TestRequestNumbersRefuseMinusOne(t *testing.T) {
	bodies := []struct {
		name  string
		base  any // a valid body
		check func(v any) error
	}{
		{"CreateResearchRequest", CreateResearchRequest{Question: "Where is the offsite?", RequireApproval: true},
			func(v any) error { _, err := v.(CreateResearchRequest).Input(LocalOwner); return err }},
		{"ScheduleRequest", ScheduleRequest{Question: "Where is the offsite?", Every: "24h"},
			func(v any) error { _, err := v.(ScheduleRequest).Spec(LocalOwner); return err }},
		{"FollowUpRequest", FollowUpRequest{Question: "And then?"},
			func(v any) error { _, err := v.(FollowUpRequest).Input("research-1", LocalOwner); return err }},
		{"BudgetRequest", BudgetRequest{MaxTokens: 100},
			func(v any) error { _, err := v.(BudgetRequest).Normalize(); return err }},
	}
	for _, b := range bodies {
		if err := b.check(b.base); err != nil {
			t.Fatalf("%s: the base body is refused: %v", b.name, err)
		}
		typ := reflect.TypeOf(b.base)
		n := 0
		for i := range typ.NumField() {
			f := typ.Field(i)
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if !ft.ConvertibleTo(reflect.TypeOf(0.0)) || ft.Kind() == reflect.String || ft.Kind() == reflect.Bool {
				continue
			}
			n++
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			v := reflect.New(typ).Elem()
			v.Set(reflect.ValueOf(b.base))
			minusOne := reflect.New(ft).Elem()
			minusOne.Set(reflect.ValueOf(-1).Convert(ft))
			if f.Type.Kind() == reflect.Pointer {
				p := reflect.New(ft)
				p.Elem().Set(minusOne)
				v.Field(i).Set(p)
			} else {
				v.Field(i).Set(minusOne)
			}
			var ie *InputError
			if err := b.check(v.Interface()); !errors.As(err, &ie) || ie.Field != name {
				t.Errorf("%s.%s = -1: %v, want an InputError on %s", b.name, f.Name, err, name)
			}
		}
		if n == 0 {
			t.Errorf("%s: no number field found", b.name)
		}
	}
}
