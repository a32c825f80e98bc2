package gateway

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"
)

// apiSchemas names the components/schemas entry of every Go type that the
// HTTP API returns or accepts. A type added to the API belongs here.
var apiSchemas = map[string]reflect.Type{
	"Error":                  reflect.TypeFor[errorBody](),
	"RefusedFile":            reflect.TypeFor[RefusedFile](),
	"CreateResearchRequest":  reflect.TypeFor[rf.CreateResearchRequest](),
	"PlanApproval":           reflect.TypeFor[rf.PlanApproval](),
	"Progress":               reflect.TypeFor[rf.Progress](),
	"SubQuestionProgress":    reflect.TypeFor[rf.SubQuestionProgress](),
	"StageTiming":            reflect.TypeFor[rf.StageTiming](),
	"Usage":                  reflect.TypeFor[rf.Usage](),
	"Gap":                    reflect.TypeFor[rf.Gap](),
	"CitedSource":            reflect.TypeFor[rf.Source](),
	"Links":                  reflect.TypeFor[links](),
	"CreateResearchResponse": reflect.TypeFor[CreateResearchResponse](),
	"RunSummary":             reflect.TypeFor[RunSummary](),
	"RunFacts":               reflect.TypeFor[RunFacts](),
	"RunList":                reflect.TypeFor[RunList](),
	"ResultSummary":          reflect.TypeFor[ResultSummary](),
	"ResearchStatus":         reflect.TypeFor[ResearchStatus](),
	"FinalEvent":             reflect.TypeFor[FinalEvent](),
	"Event":                  reflect.TypeFor[rf.Event](),
	"EventData":              reflect.TypeFor[rf.EventData](),
	"Audit":                  reflect.TypeFor[AuditJSON](),
	"AuditSubQuestion":       reflect.TypeFor[rf.AuditSubQuestion](),
	"AuditRetrieval":         reflect.TypeFor[rf.AuditRetrieval](),
	"AuditPassage":           reflect.TypeFor[rf.AuditPassage](),
	"AuditFinding":           reflect.TypeFor[rf.AuditFinding](),
	"Decision":               reflect.TypeFor[rf.Decision](),
	"Report":                 reflect.TypeFor[ReportJSON](),
	"Source":                 reflect.TypeFor[SourceResponse](),
	"ApproveResponse":        reflect.TypeFor[ApproveResponse](),
	"EstimateRequest":        reflect.TypeFor[EstimateRequest](),
	"EstimateResponse":       reflect.TypeFor[EstimateResponse](),
	"UploadResponse":         reflect.TypeFor[UploadResponse](),
	"DeadLetter":             reflect.TypeFor[rf.DeadLetter](),
	"SearchProgress":         reflect.TypeFor[rf.SearchProgress](),
	"UnreadPage":             reflect.TypeFor[rf.UnreadPage](),
	"AuditUnread":            reflect.TypeFor[rf.AuditUnread](),
	"SourceInfo":             reflect.TypeFor[SourceInfo](),
	"SourcesResponse":        reflect.TypeFor[SourcesResponse](),
	"RedriveResponse":        reflect.TypeFor[RedriveResponse](),
	"ScheduleRequest":        reflect.TypeFor[rf.ScheduleRequest](),
	"SchedulePatch":          reflect.TypeFor[rf.SchedulePatch](),
	"ScheduledRun":           reflect.TypeFor[rf.ScheduledRun](),
	"ScheduleLinks":          reflect.TypeFor[scheduleLinks](),
	"Schedule":               reflect.TypeFor[ScheduleResponse](),
	"ScheduleList":           reflect.TypeFor[ScheduleList](),
	"ScheduleNote":           reflect.TypeFor[ScheduleNote](),
	"TriggerResponse":        reflect.TypeFor[TriggerResponse](),
	"ChangeSummary":          reflect.TypeFor[rf.ChangeSummary](),
	"Budget":                 reflect.TypeFor[rf.Budget](),
	"Spend":                  reflect.TypeFor[rf.Spend](),
	"BudgetRequest":          reflect.TypeFor[rf.BudgetRequest](),
	"BudgetResponse":         reflect.TypeFor[BudgetResponse](),
	"Document":               reflect.TypeFor[Document](),
	"DocumentList":           reflect.TypeFor[DocumentsResponse](),
	"DocumentDeleted":        reflect.TypeFor[DocumentDeleted](),
	"Ingestion":              reflect.TypeFor[Ingestion](),
	"SkippedFile":            reflect.TypeFor[SkippedFile](),
	"Why":                    reflect.TypeFor[Why](),
	"WhySubQuestion":         reflect.TypeFor[WhySubQuestion](),
	"WhyPassage":             reflect.TypeFor[WhyPassage](),
	"WhyFinding":             reflect.TypeFor[WhyFinding](),
	"WhyGap":                 reflect.TypeFor[WhyGap](),
	"WhyDecision":            reflect.TypeFor[WhyDecision](),
}

type openAPIDoc struct {
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas map[string]*schema `json:"schemas"`
	} `json:"components"`
}

// schema is the part of an OpenAPI schema object the checks read.
type schema struct {
	Ref        string             `json:"$ref"`
	Type       string             `json:"type"`
	Format     string             `json:"format"`
	Properties map[string]*schema `json:"properties"`
	Items      *schema            `json:"items"`
	Enum       []string           `json:"enum"`
	Required   []string           `json:"required"`
	Minimum    *float64           `json:"minimum"`
	Maximum    *float64           `json:"maximum"`
	Default    any                `json:"default"`
	MinLength  *int               `json:"minLength"`
	MaxLength  *int               `json:"maxLength"`
	MaxItems   *int               `json:"maxItems"`
	Pattern    string             `json:"pattern"`
}

func loadOpenAPI(t *testing.T) openAPIDoc {
	t.Helper()
	b, err := assets.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc openAPIDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	return doc
}

// TestOpenAPISchemasMatchTypes walks the JSON fields of every API type (and
// of the types they hold) and checks that its schema lists exactly those
// properties with compatible types, and that a property holding another API
// type refers to that type's schema, so the document cannot drift from the
// code again (it lacked Progress.round and budgetSpent).
func TestOpenAPISchemasMatchTypes(t *testing.T) {
	doc := loadOpenAPI(t)
	byType := map[reflect.Type]string{}
	for name, typ := range apiSchemas {
		byType[typ] = name
	}
	for name, typ := range apiSchemas {
		s, ok := doc.Components.Schemas[name]
		if !ok {
			t.Errorf("components/schemas lacks %s (%v)", name, typ)
			continue
		}
		for _, e := range compareSchema(doc, byType, name, typ, s, true) {
			t.Error(e)
		}
	}
	for name := range doc.Components.Schemas {
		if _, ok := apiSchemas[name]; !ok {
			t.Errorf("components/schemas/%s has no Go type in apiSchemas", name)
		}
	}
}

// compareSchema lists the differences between Go type typ and schema s,
// found at path. top is true for the schema that typ is declared as.
func compareSchema(doc openAPIDoc, byType map[reflect.Type]string, path string, typ reflect.Type, s *schema, top bool) []string {
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	if s.Ref != "" {
		target := strings.TrimPrefix(s.Ref, "#/components/schemas/")
		if want, ok := byType[typ]; !ok || want != target {
			return []string{fmt.Sprintf("%s: refers to %s, but holds %v (schema %q)", path, target, typ, want)}
		}
		return nil // the target is checked on its own
	}
	if name, ok := byType[typ]; ok && !top {
		return []string{fmt.Sprintf("%s: holds %v; refer to #/components/schemas/%s instead of repeating it", path, typ, name)}
	}
	want := jsonType(typ)
	if s.Type != want {
		return []string{fmt.Sprintf("%s: type %q, want %q (Go %v)", path, s.Type, want, typ)}
	}
	switch {
	case typ == reflect.TypeFor[time.Time]():
		if s.Format != "date-time" {
			return []string{fmt.Sprintf("%s: a time, want format date-time", path)}
		}
	case want == "array":
		if s.Items == nil {
			return []string{path + ": array without items"}
		}
		return compareSchema(doc, byType, path+"[]", typ.Elem(), s.Items, false)
	case want == "object" && typ.Kind() == reflect.Struct:
		var errs []string
		fields := jsonFields(typ)
		for name, ft := range fields {
			ps, ok := s.Properties[name]
			if !ok {
				errs = append(errs, fmt.Sprintf("%s: property %q (Go %v.%s) is missing", path, name, typ, name))
				continue
			}
			errs = append(errs, compareSchema(doc, byType, path+"."+name, ft, ps, false)...)
		}
		for name := range s.Properties {
			if _, ok := fields[name]; !ok {
				errs = append(errs, fmt.Sprintf("%s: property %q is not a JSON field of %v", path, name, typ))
			}
		}
		for _, name := range s.Required {
			if _, ok := fields[name]; !ok {
				errs = append(errs, fmt.Sprintf("%s: required %q is not a JSON field of %v", path, name, typ))
			}
		}
		sort.Strings(errs)
		return errs
	}
	return nil
}

// jsonType is the JSON Schema type of Go values of typ as encoding/json
// writes them.
func jsonType(typ reflect.Type) string {
	if typ == reflect.TypeFor[time.Time]() {
		return "string"
	}
	switch typ.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	}
	return "object"
}

// jsonFields maps the JSON names of typ's fields to their types, following
// encoding/json: unexported and `json:"-"` fields are skipped, embedded
// structs without a tag are flattened.
func jsonFields(typ reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for f := range typ.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for n, t := range jsonFields(ft) {
					out[n] = t
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// TestOpenAPILimitsMatchContract checks the documented limits, defaults and
// enumerations against the contract's constants and naming rules.
func TestOpenAPILimitsMatchContract(t *testing.T) {
	doc := loadOpenAPI(t)
	req := doc.Components.Schemas["CreateResearchRequest"].Properties
	num := func(p *float64) float64 {
		if p == nil {
			return -1
		}
		return *p
	}
	integer := func(p *int) int {
		if p == nil {
			return -1
		}
		return *p
	}
	checks := []struct {
		what      string
		got, want float64
	}{
		{"maxSubQuestions.minimum", num(req["maxSubQuestions"].Minimum), 1},
		{"maxSubQuestions.maximum", num(req["maxSubQuestions"].Maximum), rf.MaxSubQuestionsLimit},
		{"maxSources.default", toFloat(req["maxSources"].Default), rf.DefaultMaxSources},
		{"depth.maximum", num(req["depth"].Maximum), rf.MaxDepthLimit},
		{"breadth.maximum", num(req["breadth"].Maximum), rf.MaxBreadthLimit},
		{"PlanApproval.subQuestions.maxItems", float64(integer(doc.Components.Schemas["PlanApproval"].Properties["subQuestions"].MaxItems)), rf.MaxSubQuestionsLimit},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("CreateResearchRequest %s = %v, want %v (the contract's limit)", c.what, c.got, c.want)
		}
	}
	// The limits that only Normalize knows are checked by behaviour: the
	// documented bound is accepted and one past it refused.
	question := func(n int) rf.ResearchInput { return rf.ResearchInput{Question: strings.Repeat("a", n)} }
	minQ, maxQ := integer(req["question"].MinLength), integer(req["question"].MaxLength)
	maxSources := int(num(req["maxSources"].Maximum))
	maxApproval := int(num(req["approvalTimeoutSeconds"].Maximum))
	maxCost := num(req["maxCostUsd"].Maximum)
	ok := rf.ResearchInput{Question: "How are backups kept?"}
	with := func(f func(*rf.ResearchInput)) rf.ResearchInput { in := ok; f(&in); return in }
	bounds := []struct {
		what      string
		at, above rf.ResearchInput
	}{
		{"question.minLength", question(minQ), question(minQ - 1)},
		{"question.maxLength", question(maxQ), question(maxQ + 1)},
		{"maxSources.maximum", with(func(in *rf.ResearchInput) { in.MaxSources = maxSources }), with(func(in *rf.ResearchInput) { in.MaxSources = maxSources + 1 })},
		{"approvalTimeoutSeconds.maximum", with(func(in *rf.ResearchInput) { in.RequireApproval, in.ApprovalTimeoutSeconds = true, maxApproval }), with(func(in *rf.ResearchInput) { in.RequireApproval, in.ApprovalTimeoutSeconds = true, maxApproval+1 })},
		{"maxCostUsd.maximum", with(func(in *rf.ResearchInput) { in.MaxCostUSD = maxCost }), with(func(in *rf.ResearchInput) { in.MaxCostUSD = maxCost * 2 })},
	}
	for _, b := range bounds {
		if _, err := b.at.Normalize(); err != nil {
			t.Errorf("CreateResearchRequest %s: the documented bound is refused: %v", b.what, err)
		}
		if _, err := b.above.Normalize(); err == nil {
			t.Errorf("CreateResearchRequest %s: past the documented bound is accepted", b.what)
		}
	}
	if in, err := ok.Normalize(); err != nil || float64(in.MaxSubQuestions) != toFloat(req["maxSubQuestions"].Default) {
		t.Errorf("maxSubQuestions default = %v (%v), documented %v", in.MaxSubQuestions, err, req["maxSubQuestions"].Default)
	}
	subMax := integer(doc.Components.Schemas["PlanApproval"].Properties["subQuestions"].Items.MaxLength)
	if _, err := (rf.PlanApproval{Approved: new(true), SubQuestions: []string{strings.Repeat("a", subMax)}}).Normalize(); err != nil {
		t.Errorf("PlanApproval.subQuestions[].maxLength %d refused: %v", subMax, err)
	}
	if _, err := (rf.PlanApproval{Approved: new(true), SubQuestions: []string{strings.Repeat("a", subMax+1)}}).Normalize(); err == nil {
		t.Errorf("PlanApproval.subQuestions[].maxLength: %d characters accepted", subMax+1)
	}
	if got, want := req["corpus"].Default, any(rf.DefaultCorpus); got != want {
		t.Errorf("corpus default = %v, want %v", got, want)
	}
	enums := []struct {
		what      string
		got, want []string
	}{
		{"onApprovalTimeout", req["onApprovalTimeout"].Enum, []string{rf.OnTimeoutApprove, rf.OnTimeoutCancel}},
		{"Progress.status", doc.Components.Schemas["Progress"].Properties["status"].Enum,
			[]string{rf.StatusRunning, rf.StatusAwaitingApproval, rf.StatusAwaitingBudget, rf.StatusCompleted, rf.StatusFailed, rf.StatusCancelled}},
		{"SubQuestionProgress.state", doc.Components.Schemas["SubQuestionProgress"].Properties["state"].Enum,
			[]string{rf.SQPending, rf.SQSearching, rf.SQSearched, rf.SQAnalyzing, rf.SQDone, rf.SQFailed}},
	}
	for _, e := range enums {
		if !slices.Equal(slices.Sorted(slices.Values(e.got)), slices.Sorted(slices.Values(e.want))) {
			t.Errorf("%s enum = %q, want %q", e.what, e.got, e.want)
		}
	}

	// The corpus name pattern of the upload route accepts what the contract
	// accepts (its "--" and ".." rules are in the description: JSON Schema
	// patterns cannot say "not").
	var op struct {
		Parameters []struct {
			Name   string `json:"name"`
			Schema schema `json:"schema"`
		} `json:"parameters"`
	}
	if err := json.Unmarshal(doc.Paths["/v1/corpora/{name}/documents"]["post"], &op); err != nil || len(op.Parameters) == 0 {
		t.Fatalf("upload route: %v", err)
	}
	pattern := regexp.MustCompile(op.Parameters[0].Schema.Pattern)
	names := []string{"notes", "Notes.2025", "a", "my_corpus-1", strings.Repeat("a", 100), strings.Repeat("a", 101),
		"-x", ".x", "a b", "a--b", "a..b", "", "数据", "a/b", "go-docs"}
	for _, n := range names {
		if ok := rf.ValidateCorpusName(n) == nil; ok && !pattern.MatchString(n) {
			t.Errorf("corpus %q: the contract accepts it, the OpenAPI pattern %s does not", n, pattern)
		} else if !ok && pattern.MatchString(n) && !strings.Contains(n, "--") && !strings.Contains(n, "..") {
			t.Errorf("corpus %q: the OpenAPI pattern %s accepts it, the contract does not", n, pattern)
		}
	}
}

func toFloat(v any) float64 {
	if f, ok := v.(float64); ok {
		return f
	}
	return -1
}
