package researchflow

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// DecodeInputJSON decodes the JSON of a workflow's start input into v (a
// pointer to a struct without an UnmarshalJSON method of its own,
// typically a plain alias of the input type) as the Temporal data
// converter does (json.Unmarshal, unknown keys ignored) and returns the
// first key, at any depth, that names no field of v's type ("" when every
// key does), as encoding/json's DisallowUnknownFields finds it: the same
// matching of names, case and nested objects included. The start inputs
// keep that key (UnknownField) so that a workflow refuses an input typed
// by hand ("maxSource" for "maxSources" in `temporal workflow start
// --input`) instead of running without it; the HTTP gateway refuses such
// keys itself, before a workflow starts.
func DecodeInputJSON(data []byte, v any) (unknown string, err error) {
	strict := reflect.New(reflect.TypeOf(v).Elem()).Interface()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if serr := dec.Decode(strict); serr != nil {
		if name, ok := strings.CutPrefix(serr.Error(), "json: unknown field "); ok {
			unknown = strings.Trim(name, `"`)
			if r := []rune(unknown); len(r) > maxUnknownName {
				unknown = string(r[:maxUnknownName]) + "…" // named, not copied into the run's failure whole
			}
		}
	}
	if err := json.Unmarshal(data, v); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) {
			// Named as the input's fields are, not as the Go type that
			// decodes them ("plain.maxSources").
			if typ.Field == "" {
				return "", &inputTypeError{fmt.Sprintf("the input must be a JSON object ({…}), not a JSON %s", typ.Value), typ}
			}
			return "", &inputTypeError{fmt.Sprintf("%s: want a JSON %s, not a JSON %s", typ.Field, jsonKind(typ.Type), typ.Value), typ}
		}
		return "", err
	}
	return unknown, nil
}

// inputTypeError is a value of the wrong type in an input, worded by the
// input's field; it wraps encoding/json's error (whose Go type names are
// the decoder's, "plain.maxSources") for callers that read its parts.
type inputTypeError struct {
	msg string
	err *json.UnmarshalTypeError
}

func (e *inputTypeError) Error() string { return e.msg }
func (e *inputTypeError) Unwrap() error { return e.err }

// maxUnknownName bounds how much of an unknown key an error repeats.
const maxUnknownName = 60

// jsonKind names the JSON value a Go type decodes from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "whole number"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return t.String()
}

// DecodeInput decodes b into v (a plain alias of a start input, over the
// input itself) as DecodeInputJSON does and keeps the first unknown key in
// *unknown: the start inputs' UnmarshalJSON.
func DecodeInput(b []byte, v any, unknown *string) error {
	u, err := DecodeInputJSON(b, v)
	if err != nil {
		return err
	}
	*unknown = u
	return nil
}

// UnknownFieldError is the input error of a start input's first unknown key
// (nil for "").
func UnknownFieldError(unknown string) error {
	if unknown == "" {
		return nil
	}
	return inputError(unknown, "unknown field: no input field has this name (misspelt? the README lists the input's fields)")
}

// UnmarshalJSON decodes in, noting the first unknown key (see
// DecodeInputJSON).
func (in *ResearchInput) UnmarshalJSON(b []byte) error {
	type plain ResearchInput
	return DecodeInput(b, (*plain)(in), &in.unknownField)
}

// UnknownField is the error of the first key of the JSON in was decoded
// from that names no field of ResearchInput (nil when none, or when in was
// not decoded from JSON).
func (in ResearchInput) UnknownField() error { return UnknownFieldError(in.unknownField) }

// UnmarshalJSON decodes in, noting the first unknown key (see
// DecodeInputJSON).
func (in *FollowUpInput) UnmarshalJSON(b []byte) error {
	type plain FollowUpInput
	return DecodeInput(b, (*plain)(in), &in.unknownField)
}

// UnknownField is the error of the first key of the JSON in was decoded
// from that names no field of FollowUpInput (nil when none).
func (in FollowUpInput) UnknownField() error { return UnknownFieldError(in.unknownField) }

// UnmarshalJSON decodes in, noting the first unknown key (see
// DecodeInputJSON).
func (in *IngestInput) UnmarshalJSON(b []byte) error {
	type plain IngestInput
	return DecodeInput(b, (*plain)(in), &in.unknownField)
}

// UnknownField is the error of the first key of the JSON in was decoded
// from that names no field of IngestInput (nil when none).
func (in IngestInput) UnknownField() error { return UnknownFieldError(in.unknownField) }
