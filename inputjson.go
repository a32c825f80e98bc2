package researchflow

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// DecodeInputJSON decodes the JSON of a workflow's start input into v (a
// pointer to a struct without an UnmarshalJSON method of its own,
// typically a plain alias of the input type) as the Temporal data
// converter does (json.Unmarshal, unknown keys ignored) and returns the
// first key, at any depth, that names no field of v's type ("" when every
// key does), as encoding/json's DisallowUnknownFields finds it: the same
// matching of names, case and nested objects included. A nested key is
// named by its path (see unknownKey): "notify.emails", not "emails". The
// start inputs keep that key (UnknownField) so that a workflow refuses an
// input typed by hand ("maxSource" for "maxSources" in `temporal workflow
// start --input`) instead of running without it; the HTTP gateway refuses
// such keys itself, before a workflow starts, named by the same path.
func DecodeInputJSON(data []byte, v any) (unknown string, err error) {
	unknown = unknownKey(data, v)
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

// unknownKey is the path of the first key of data, at any depth, that
// names no field of v's type (a pointer, as for json.Unmarshal), or ""
// when every key does. Which key that is, is encoding/json's
// DisallowUnknownFields's answer; the path says where it is: the keys of
// the objects around it joined by dots, with an array element's index in
// brackets ("notify.emails", "resume.skipped[2].reasn"); a key at the top
// is its bare name ("maxSource"). A path longer than maxUnknownName
// characters is cut, marked with "…".
func unknownKey(data []byte, v any) string {
	t := reflect.TypeOf(v).Elem()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	serr := dec.Decode(reflect.New(t).Interface())
	if serr == nil {
		return ""
	}
	quoted, ok := strings.CutPrefix(serr.Error(), "json: unknown field ")
	if !ok {
		return ""
	}
	name, err := strconv.Unquote(quoted)
	if err != nil {
		name = strings.Trim(quoted, `"`)
	}
	path := name
	// The walk finds the same key unless the two disagree on a rule of
	// encoding/json's; then the bare name is still right.
	if p, key, ok := firstUnknownKey(data, t); ok && key == name {
		path = p
	}
	if r := []rune(path); len(r) > maxUnknownName {
		path = string(r[:maxUnknownName]) + "…" // named, not copied into the run's failure whole
	}
	return path
}

// firstUnknownKey walks data as it decodes into t and returns the path
// (see unknownKey) and the name of its first key, in the order written,
// that names no field of the struct it is decoded into.
func firstUnknownKey(data []byte, t reflect.Type) (path, key string, ok bool) {
	w := keyWalk{dec: json.NewDecoder(bytes.NewReader(data))}
	w.dec.UseNumber()
	if err := w.value(t, ""); err != nil || w.key == "" {
		return "", "", false
	}
	return w.path, w.key, true
}

// keyWalk reads one JSON value token by token, noting its first unknown key.
type keyWalk struct {
	dec       *json.Decoder
	path, key string
}

var (
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// value reads the next value, decoded into t (nil: anything goes) at path.
// It stops at the first unknown key (w.key set).
func (w *keyWalk) value(t reflect.Type, path string) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != nil && (t.Kind() == reflect.Interface ||
		reflect.PointerTo(t).Implements(jsonUnmarshalerType) ||
		reflect.PointerTo(t).Implements(textUnmarshalerType)) {
		// Decoded by a method of its own (or into anything), which
		// DisallowUnknownFields does not look into.
		t = nil
	}
	tok, err := w.dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		return w.object(t, path)
	case json.Delim('['):
		var elem reflect.Type
		n := -1
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
			if t.Kind() == reflect.Array {
				n = t.Len() // encoding/json skips the elements past the end
			}
		}
		for i := 0; w.dec.More(); i++ {
			et := elem
			if i == n {
				et = nil
			}
			if err := w.value(et, fmt.Sprintf("%s[%d]", path, i)); err != nil || w.key != "" {
				return err
			}
		}
		_, err := w.dec.Token()
		return err
	}
	return nil
}

// object reads the members of an object decoded into t (nil: anything
// goes), its '{' read.
func (w *keyWalk) object(t reflect.Type, path string) error {
	var fields []jsonField
	isStruct := t != nil && t.Kind() == reflect.Struct
	if isStruct {
		fields = jsonFields(t)
	}
	for w.dec.More() {
		tok, err := w.dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		at := key
		if path != "" {
			at = path + "." + key
		}
		var ft reflect.Type
		switch {
		case isStruct:
			f, ok := matchField(fields, key)
			if !ok {
				w.path, w.key = at, key
				return nil
			}
			ft = f.typ
		case t != nil && t.Kind() == reflect.Map:
			ft = t.Elem()
		}
		if err := w.value(ft, at); err != nil || w.key != "" {
			return err
		}
	}
	_, err := w.dec.Token()
	return err
}

// jsonField is a field of a struct as encoding/json names it.
type jsonField struct {
	name   string
	tagged bool
	index  []int
	typ    reflect.Type
}

// jsonFields lists the fields encoding/json decodes into a struct of type
// t, in the order of their index: exported fields and those promoted from
// embedded structs, named by their json tag or Go name, the ones hidden by
// Go's embedding rules (tags aside) dropped.
func jsonFields(t reflect.Type) []jsonField {
	type embedded struct {
		typ   reflect.Type
		index []int
	}
	var all []jsonField
	visited := map[reflect.Type]bool{}
	next := []embedded{{typ: t}}
	// How often each embedded struct type to explore is embedded at this
	// depth and the next.
	var count, nextCount map[reflect.Type]int
	for len(next) > 0 {
		current := next
		next = nil
		count, nextCount = nextCount, map[reflect.Type]int{}
		for _, e := range current {
			if visited[e.typ] {
				continue
			}
			visited[e.typ] = true
			for i := range e.typ.NumField() {
				sf := e.typ.Field(i)
				if sf.Anonymous {
					st := sf.Type
					if st.Kind() == reflect.Pointer {
						st = st.Elem()
					}
					if !sf.IsExported() && st.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, _, _ := strings.Cut(tag, ",")
				if !validTagName(name) {
					name = ""
				}
				index := append(slices.Clone(e.index), i)
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if name != "" || !sf.Anonymous || ft.Kind() != reflect.Struct {
					f := jsonField{name: name, tagged: name != "", index: index, typ: ft}
					if f.name == "" {
						f.name = sf.Name
					}
					all = append(all, f)
					if count[e.typ] > 1 {
						all = append(all, f) // seen twice at this depth: annulled below
					}
					continue
				}
				nextCount[ft]++
				if nextCount[ft] == 1 {
					next = append(next, embedded{typ: ft, index: index})
				}
			}
		}
	}
	slices.SortFunc(all, func(a, b jsonField) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		if c := len(a.index) - len(b.index); c != 0 {
			return c
		}
		if a.tagged != b.tagged {
			if a.tagged {
				return -1
			}
			return 1
		}
		return slices.Compare(a.index, b.index)
	})
	var out []jsonField
	for i := 0; i < len(all); {
		j := i + 1
		for j < len(all) && all[j].name == all[i].name {
			j++
		}
		// The shallowest field of a name wins, a tagged one over an
		// untagged one at its depth; two alike annul each other.
		if j-i == 1 || len(all[i].index) != len(all[i+1].index) || all[i].tagged != all[i+1].tagged {
			out = append(out, all[i])
		}
		i = j
	}
	slices.SortFunc(out, func(a, b jsonField) int { return slices.Compare(a.index, b.index) })
	return out
}

// matchField finds the field key names: the one of that exact name, else
// the first whose name is key with case folded.
func matchField(fields []jsonField, key string) (jsonField, bool) {
	for _, f := range fields {
		if f.name == key {
			return f, true
		}
	}
	for _, f := range fields {
		if strings.EqualFold(f.name, key) {
			return f, true
		}
	}
	return jsonField{}, false
}

// validTagName reports whether a json tag's name is one encoding/json
// uses (else the Go field name stands).
func validTagName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
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
// (nil for ""), named by its path (see unknownKey).
func UnknownFieldError(unknown string) error {
	if unknown == "" {
		return nil
	}
	return inputError(unknown, "unknown field: no input field has this name (misspelt? the README lists the input's fields; a nested key is named by its path: notify.emails, resume.skipped[2].reasn)")
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
