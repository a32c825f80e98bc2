package gateway

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/otel/trace"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/claims"
	"github.com/researchflow/researchflow/client"
	"github.com/researchflow/researchflow/internal/godoc"
	"github.com/researchflow/researchflow/internal/mailer"
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/report"
)

// decodeJSON reads one JSON object into v, rejecting unknown fields, trailing
// data and oversized bodies. It answers the error itself and reports false.
func (s *server) decodeJSON(c *gin.Context, v any) bool {
	if ct := c.GetHeader("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			abortError(c, http.StatusUnsupportedMediaType, "unsupported_media_type", "send application/json")
			return false
		}
	}
	if c.Request.ContentLength > s.cfg.MaxBodyBytes {
		// Answered before reading: a client that waits for "100 Continue"
		// (curl does for a body over 1 MB) gets the answer and sends
		// nothing, instead of a connection reset in the middle of its body.
		abortError(c, http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("the body exceeds %d bytes", s.cfg.MaxBodyBytes))
		return false
	}
	data, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, s.cfg.MaxBodyBytes))
	if err == nil {
		err = decodeStrict(data, v)
	}
	// A number that does not fit its field (99999999999999999999, 1e30 for
	// an integer) is read as -1, which the field's own rule refuses with
	// its range; s.fail says which number was out of range. One written
	// with an exponent that is a whole number in range (1e3) is read as
	// its digits.
	for tries := 0; err != nil && tries < 8; tries++ {
		var typ *json.UnmarshalTypeError
		if !errors.As(err, &typ) {
			break
		}
		fixed, literal, tooBig, ok := refitNumber(data, typ)
		if !ok {
			break
		}
		if tooBig {
			noteOutOfRange(c, typ.Field, literal)
		}
		data, err = fixed, decodeStrict(fixed, v)
	}
	if err == nil {
		// A type that notes its unknown keys itself (the start inputs,
		// approvals, budget requests: see rf.DecodeInputJSON) is not
		// held by DisallowUnknownFields.
		if u, ok := v.(interface{ UnknownField() error }); ok {
			var in *rf.InputError
			if uerr := u.UnknownField(); errors.As(uerr, &in) {
				err = fmt.Errorf("json: unknown field %q", in.Field)
			}
		}
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		var syntax *json.SyntaxError
		var typ *json.UnmarshalTypeError
		msg := "invalid JSON body"
		switch {
		case errors.As(err, &tooBig):
			abortError(c, http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("the body exceeds %d bytes", s.cfg.MaxBodyBytes))
			return false
		case errors.Is(err, io.EOF):
			msg = "empty body: send a JSON object"
		case errors.As(err, &syntax):
			msg = fmt.Sprintf("invalid JSON at byte %d", syntax.Offset)
		case errors.As(err, &typ) && typ.Field == "":
			msg = "the body must be a JSON object ({…}), not " + jsonKind(typ.Value)
		case errors.As(err, &typ):
			msg = fmt.Sprintf("%s: want %s, not %s", typ.Field, goKind(typ.Type), jsonKind(typ.Value))
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			msg = "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
		case err.Error() == "unexpected data after the JSON object":
			msg = err.Error()
		}
		abortError(c, http.StatusBadRequest, "invalid_request", msg)
		return false
	}
	return true
}

// decodeStrict decodes one JSON value of data into v: unknown fields and
// trailing data are errors.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if strings.HasPrefix(err.Error(), "json: unknown field ") {
			// Named by its path ("notify.emails"), as the inputs name
			// theirs: DecodeInputJSON finds it, in a copy of v's type.
			copied := reflect.New(reflect.TypeOf(v).Elem()).Interface()
			if path, _ := rf.DecodeInputJSON(data, copied); path != "" {
				return fmt.Errorf("json: unknown field %q", path)
			}
		}
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("unexpected data after the JSON object")
	}
	return nil
}

// refitNumber rewrites in data the number that typ says does not fit its
// numeric field: a whole number in the field's range written otherwise
// (1e3) as its digits, one out of the range of the field's Go type as -1
// (tooBig). It reports false for anything else (a string for a number, a
// fraction for an integer).
func refitNumber(data []byte, typ *json.UnmarshalTypeError) (fixed []byte, literal string, tooBig, ok bool) {
	literal, isNumber := strings.CutPrefix(typ.Value, "number ")
	end := int(typ.Offset)
	if !isNumber || typ.Type == nil || end > len(data) || end < len(literal) || string(data[end-len(literal):end]) != literal {
		return nil, "", false, false
	}
	f, _, err := big.ParseFloat(literal, 10, 256, big.ToNearestEven)
	if err != nil {
		return nil, "", false, false
	}
	var digits string
	switch typ.Type.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if !f.IsInt() {
			return nil, "", false, false
		}
		i, acc := f.Int64()
		if acc != big.Exact || reflect.Zero(typ.Type).OverflowInt(i) {
			tooBig = true
		}
		digits = strconv.FormatInt(i, 10)
	case reflect.Float32, reflect.Float64:
		if x, _ := f.Float64(); !math.IsInf(x, 0) && !reflect.Zero(typ.Type).OverflowFloat(x) {
			return nil, "", false, false
		}
		tooBig = true
	default:
		return nil, "", false, false
	}
	if tooBig {
		digits = "-1"
	}
	fixed = append(append(slices.Clip(data[:end-len(literal)]), digits...), data[end:]...)
	return fixed, literal, tooBig, true
}

// outOfRangeKey keeps, on a request's context, the numbers of its body
// that did not fit their fields (field → number as sent).
const outOfRangeKey = "gateway.outOfRange"

func noteOutOfRange(c *gin.Context, field, literal string) {
	m, _ := c.Get(outOfRangeKey)
	notes, _ := m.(map[string]string)
	if notes == nil {
		notes = map[string]string{}
	}
	notes[field] = literal
	c.Set(outOfRangeKey, notes)
}

// outOfRange is the number of field that did not fit it, if any.
func outOfRange(c *gin.Context, field string) (string, bool) {
	m, _ := c.Get(outOfRangeKey)
	notes, _ := m.(map[string]string)
	n, ok := notes[field]
	return n, ok
}

// jsonKind names a JSON value's kind as encoding/json's type errors give
// it ("array", "number 1.5").
func jsonKind(value string) string {
	switch kind, _, _ := strings.Cut(value, " "); kind {
	case "array", "object":
		return "an " + kind
	case "number":
		return strings.TrimPrefix(value, "number ")
	case "":
		return "this value"
	default:
		return "a " + kind
	}
}

// goKind names what a Go type takes, in JSON words.
func goKind(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Pointer:
		return goKind(t.Elem())
	}
	return "another type"
}

// links are the URLs of a run.
type links struct {
	Self   string `json:"self"`
	Report string `json:"report"`
	Events string `json:"events"`
	// UI is the run in the Temporal Web UI; absent when no Web UI is
	// known (RESEARCHFLOW_UI_PORT=0 and no RESEARCHFLOW_UI_URL).
	UI string `json:"ui,omitempty"`
}

func (s *server) links(id string) links {
	self := "/v1/research/" + url.PathEscape(id)
	return links{
		Self:   self,
		Report: self + "/report",
		Events: self + "/events",
		UI:     s.uiLink("workflows", id),
	}
}

// uiLink is the page of a workflow or schedule (kind "workflows" or
// "schedules") in the Temporal Web UI, or "" when no Web UI is known: a
// link to a UI that is not served is no link.
func (s *server) uiLink(kind, id string) string {
	if s.cfg.UIURL == "" {
		return ""
	}
	return s.cfg.UIURL + "/namespaces/" + url.PathEscape(s.cfg.Namespace) + "/" + kind + "/" + url.PathEscape(id)
}

// CreateResearchResponse answers POST /v1/research.
type CreateResearchResponse struct {
	ID     string `json:"id"`
	RunID  string `json:"runId"`
	Status string `json:"status"`
	Links  links  `json:"links"`
	// TraceID is the OpenTelemetry trace of this request, which the
	// workflow and its activities continue (absent when tracing is off).
	TraceID string `json:"traceId,omitempty"`
}

// idempotencyKeyPattern bounds the Idempotency-Key header.
var idempotencyKeyPattern = regexp.MustCompile(`^[\x21-\x7e]{1,200}$`)

func (s *server) createResearch(c *gin.Context) error {
	var req rf.CreateResearchRequest
	if !s.decodeJSON(c, &req) {
		return nil
	}
	who := owner(c)
	in, err := req.Input(who)
	if err != nil {
		return err
	}
	if err := mailer.CheckDomains(in.NotifyEmail(), s.cfg.NotifyEmailDomains); err != nil {
		return err
	}
	if err := s.checkCorpus(c.Request.Context(), who, rf.PublicCorpus(who, in.Corpus), in); err != nil {
		return err
	}
	idem := c.GetHeader("Idempotency-Key")
	if idem != "" && !idempotencyKeyPattern.MatchString(idem) {
		return newAPIError(http.StatusBadRequest, "invalid_request", "Idempotency-Key: want 1 to 200 printable ASCII characters")
	}
	id := client.NewResearchID()
	if idem != "" {
		// A retried POST finds the run of its first attempt, running or closed.
		id = client.IdempotentID(who, idem)
	}
	run, err := s.runs.Start(c.Request.Context(), id, in)
	if err != nil {
		return err
	}
	if run.Status == rf.StatusRunning {
		s.metrics.researchStarted.Add(1)
	}
	ctx := c.Request.Context()
	s.log.InfoContext(ctx, "gateway: research started", "id", run.ID, "runId", run.RunID, "owner", who, "corpus", in.Corpus)
	c.Header("Location", s.links(run.ID).Self)
	c.JSON(http.StatusAccepted, CreateResearchResponse{ID: run.ID, RunID: run.RunID, Status: run.Status, Links: s.links(run.ID), TraceID: traceID(ctx)})
	return nil
}

// traceID is the hexadecimal trace ID of ctx's sampled span, or "".
func traceID(ctx context.Context) string {
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsValid() || !sc.IsSampled() {
		return ""
	}
	return sc.TraceID().String()
}

// lookup finds run id and checks that the caller owns it. Anything else is
// client.ErrNotFound (404), whether the run does not exist or belongs to
// someone else.
func (s *server) lookup(c *gin.Context) (client.Info, error) {
	info, err := s.runs.Describe(c.Request.Context(), c.Param("id"))
	if err != nil {
		return client.Info{}, err
	}
	if !s.cfg.LocalMode() && info.Owner != owner(c) {
		return client.Info{}, fmt.Errorf("run %q: %w", info.ID, client.ErrNotFound)
	}
	return info, nil
}

// progress asks a run for its Progress, waiting at most timeout: a closed
// run may have no worker left to answer.
func (s *server) progress(ctx context.Context, id string, timeout time.Duration) (rf.Progress, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return s.runs.Progress(ctx, id)
}

// publicCorpus is a run's corpus as its owner names it; empty when the run
// does not record one.
func publicCorpus(who, scoped string) string {
	if scoped == "" {
		return ""
	}
	return rf.PublicCorpus(who, scoped)
}

// ResultSummary is the short form of a finished run's result.
type ResultSummary struct {
	Title   string   `json:"title"`
	Sources int      `json:"sources"`
	Gaps    []rf.Gap `json:"gaps,omitempty"`
	Engine  string   `json:"engine,omitempty"`
	Usage   rf.Usage `json:"usage"`
	Corpus  string   `json:"corpus"`
	// DeadLetters are the searches that failed for good (POST
	// /v1/research/{id}/redrive retries them); Revision numbers the report.
	DeadLetters []rf.DeadLetter `json:"deadLetters,omitempty"`
	Revision    int             `json:"revision,omitempty"`
	RedriveOf   string          `json:"redriveOf,omitempty"`
	// Estimate (shown at approval) and Actual, side by side; the final
	// Budget and what the run Skipped when it finished early.
	Estimate *rf.Spend  `json:"estimate,omitempty"`
	Actual   *rf.Spend  `json:"actual,omitempty"`
	Budget   *rf.Budget `json:"budget,omitempty"`
	Skipped  []string   `json:"skipped,omitempty"`
}

func summarize(who string, res rf.ResearchResult) *ResultSummary {
	return &ResultSummary{
		Title: res.Title, Sources: len(res.Sources), Gaps: res.Gaps,
		Engine: res.Engine, Usage: res.Usage, Corpus: rf.PublicCorpus(who, res.Corpus),
		DeadLetters: res.DeadLetters, Revision: res.Revision, RedriveOf: res.RedriveOf,
		Estimate: res.Estimate, Actual: res.Actual, Budget: res.Budget, Skipped: res.Skipped,
	}
}

// ResearchStatus answers GET /v1/research/{id}.
type ResearchStatus struct {
	ID     string `json:"id"`
	RunID  string `json:"runId"`
	Status string `json:"status"`
	// Question is the run's question from its memo (see rf.MemoQuestion).
	Question string `json:"question,omitempty"`
	// Corpus is the corpus the run researches, as its owner names it: the
	// web app's Ask box asks there about a run being viewed.
	Corpus    string         `json:"corpus,omitempty"`
	StartedAt time.Time      `json:"startedAt"`
	ClosedAt  *time.Time     `json:"closedAt,omitempty"`
	Progress  *rf.Progress   `json:"progress,omitempty"`
	Result    *ResultSummary `json:"result,omitempty"`
	Error     string         `json:"error,omitempty"`
	Links     links          `json:"links"`
}

func (s *server) getResearch(c *gin.Context) error {
	r, err := s.lookup(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	out := ResearchStatus{ID: r.ID, RunID: r.RunID, Status: r.Status, Question: r.Question, Corpus: publicCorpus(owner(c), r.Corpus), StartedAt: r.Started, Links: s.links(r.ID)}
	if !r.ClosedAt.IsZero() {
		out.ClosedAt = &r.ClosedAt
	}
	if !r.Closed {
		p, err := s.progress(ctx, r.ID, 10*time.Second)
		if err != nil {
			s.log.Warn("gateway: progress query failed", "id", r.ID, "err", err)
		} else {
			out.Progress = &p
			if p.Status != "" {
				out.Status = p.Status
			}
			if out.Question == "" {
				out.Question = p.Question
			}
		}
		c.JSON(http.StatusOK, out)
		return nil
	}
	res, err := s.runs.Result(ctx, r.ID)
	switch {
	case err == nil:
		out.Result = summarize(owner(c), res)
		if out.Question == "" {
			out.Question = res.Question
		}
	case r.Status == rf.StatusFailed || r.Status == rf.StatusCancelled:
		out.Error = client.FailureMessage(err)
	default:
		return err
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// ReportJSON answers GET /v1/research/{id}/report with Accept: application/json.
type ReportJSON struct {
	ID       string `json:"id"`
	Question string `json:"question"`
	Title    string `json:"title"`
	// Confidence is high, medium or low (empty for older runs).
	Confidence string      `json:"confidence,omitempty"`
	Report     string      `json:"report"`
	Sources    []rf.Source `json:"sources"`
	Gaps       []rf.Gap    `json:"gaps,omitempty"`
	Engine     string      `json:"engine,omitempty"`
	Usage      rf.Usage    `json:"usage"`
	Corpus     string      `json:"corpus"`
	Links      links       `json:"links"`
	// Claims are the report's cited statements with stable IDs: listed
	// (empty) also when a revision withdrew them all.
	Claims []rf.Claim `json:"claims"`
	// Revision numbers the report revision shown (?revision=N; the latest
	// by default); Changelog lists the changes of every revision so far.
	Revision  int      `json:"revision"`
	Changelog []string `json:"changelog,omitempty"`
}

// finished returns the result of a completed run; 409 otherwise.
func (s *server) finished(c *gin.Context, r client.Info) (rf.ResearchResult, error) {
	if !r.Closed {
		c.Header("Retry-After", "5")
		return rf.ResearchResult{}, newAPIError(http.StatusConflict, "not_ready", "the run is "+strings.ReplaceAll(r.Status, "_", " ")+"; its report is not ready yet")
	}
	if r.Status != rf.StatusCompleted {
		return rf.ResearchResult{}, newAPIError(http.StatusConflict, "no_report", "the run is "+r.Status+" and has no report")
	}
	return s.runs.Result(c.Request.Context(), r.ID)
}

func (s *server) report(c *gin.Context) error {
	r, err := s.lookup(c)
	if err != nil {
		return err
	}
	res, err := s.finished(c, r)
	if err != nil {
		return err
	}
	if res, err = s.revised(c, r.ID, res); err != nil {
		return err
	}
	res.Report = publicMarkdown(res.Report, res.Sources)
	switch f := reportFormat(c.GetHeader("Accept")); f {
	case formatHTML, formatPDF:
		return s.exportReport(c, f, r.ID, res)
	case formatJSON:
		c.JSON(http.StatusOK, ReportJSON{
			ID: r.ID, Question: res.Question, Title: res.Title, Confidence: res.Confidence, Report: res.Report, Sources: publicSources(res.Sources),
			Gaps: res.Gaps, Engine: res.Engine, Usage: res.Usage, Corpus: rf.PublicCorpus(owner(c), res.Corpus),
			Links: s.links(r.ID), Claims: orEmpty(res.Claims), Revision: max(res.Revision, 1), Changelog: s.changelog(c),
		})
		return nil
	}
	c.Data(http.StatusOK, "text/markdown; charset=utf-8", []byte(res.Report))
	return nil
}

// orEmpty is list, or an empty list for nil (JSON [] rather than null).
func orEmpty[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

// publicSources are sources as a reader of the API sees them (publicSource).
func publicSources(list []rf.Source) []rf.Source {
	if list == nil {
		return nil
	}
	out := make([]rf.Source, len(list))
	for i, s := range list {
		out[i] = publicSource(s)
	}
	return out
}

// publicSource is source s as a reader of the API sees it: an uploaded
// file's location is the name it was uploaded under (as in the report and
// the corpus's document list), not where the server keeps it (its data
// directory and the owner's key hash are the server's business); a file
// of the Go documentation has its go.dev address as link, also in a run
// recorded before sources had links (godoc.Link). Every route that serves
// a stored source serves it so; the stored result is left as it is.
func publicSource(s rf.Source) rf.Source {
	s.Link = godoc.Link(s)
	s.Location = publicLocation(s.Location)
	return s
}

// publicMarkdown is md, a report or an answer listing sources, as a reader
// of the API sees it: its Sources list names each source by its public
// link where it has one (report.LinkSources), also in a report written
// before sources had links, which names a file of the Go documentation by
// its path on the worker that read it.
func publicMarkdown(md string, sources []rf.Source) string {
	return report.LinkSources(md, publicSources(sources))
}

// publicLocation is loc, or an upload's name where loc is the server path
// of an uploaded file.
func publicLocation(loc string) string {
	if name, ok := report.UploadedName(strings.TrimPrefix(loc, "file://")); ok {
		return name
	}
	return loc
}

// Passage is one stored chunk of a cited source.
type Passage struct {
	ChunkID string `json:"chunkId"`
	Section string `json:"section,omitempty"`
	Text    string `json:"text"`
	Start   int    `json:"start"`
	End     int    `json:"end"`
}

// SourceResponse answers GET /v1/research/{id}/sources/{n}: source n of
// the report or, numbered after the report's, of a follow-up's answer (the
// thread's numbers, see numberThread).
type SourceResponse struct {
	N        int    `json:"n"`
	SourceID string `json:"sourceId"`
	Title    string `json:"title"`
	Location string `json:"location"`
	// Link is the source's public address (rf.Source.Link): the go.dev
	// page of a file of the Go documentation, given also for a run
	// recorded before sources had links (publicSource).
	Link     string    `json:"link,omitempty"`
	Passages []Passage `json:"passages"`
	// PassagesAvailable is false when the gateway has no access to memory,
	// or when none of the passages the run read is stored any more (the
	// document was edited or deleted since the run); Reason then says so.
	PassagesAvailable bool   `json:"passagesAvailable"`
	Reason            string `json:"reason,omitempty"`
	// ReplacedAt is when the document was ingested again, changed, after
	// the run (an edited note read again, an upload with ?replace=true):
	// memory holds that version, not the passages the run read. Set only
	// when none of those is stored.
	ReplacedAt *time.Time `json:"replacedAt,omitempty"`
}

// passagesGone is why a source's passages cannot be shown: memory no
// longer holds any passage the run or a revision of its report cites of
// it (an edited note's passages are replaced, a deleted note's removed).
const passagesGone = "the document changed or was deleted since this run: the passages it read are no longer stored"

// whyPassagesGone says why memory holds none of the passages a run read of
// source sourceID: its document was replaced (ingested again, changed) at
// the time returned, or deleted; passagesGone where memory cannot list
// documents or fails to.
func (s *server) whyPassagesGone(ctx context.Context, sourceID string) (string, *time.Time) {
	docs, ok := s.chunks.(memory.DocumentLister)
	if !ok || sourceID == "" {
		return passagesGone, nil
	}
	list, err := docs.Documents(ctx, memory.Filter{SourceID: sourceID})
	if err != nil {
		s.log.Warn("gateway: list the documents of a source", "source", sourceID, "err", err)
		return passagesGone, nil
	}
	if len(list) == 0 {
		return "the document was deleted since this run: the passages it read are no longer stored", nil
	}
	at := list[0].IngestedAt.UTC()
	return "the document was replaced since this run (a new version was ingested " + at.Format("2006-01-02 15:04 UTC") +
		"): the passages the run read are no longer stored, and follow-ups asked since quote the new version", &at
}

// revisedSource is source n of the report, as its latest revision lists
// it (a revision's correction cites the passage that states the claim now,
// and may number a source the run did not cite), else as an earlier one or
// the run's report lists it: its passages are those of every revision that
// lists it, the latest revision's first, then the run's. nil when no
// revision numbers n.
func (s *server) revisedSource(c *gin.Context, id string, run rf.ResearchResult, n int) (*rf.Source, error) {
	ctx := c.Request.Context()
	latest, err := s.runs.LatestRevision(ctx, id)
	if err != nil {
		return nil, err
	}
	var src *rf.Source
	add := func(list []rf.Source) {
		i := slices.IndexFunc(list, func(x rf.Source) bool { return x.N == n })
		if i < 0 {
			return
		}
		if src == nil {
			found := list[i]
			found.ChunkIDs = nil
			src = &found
		}
		for _, ch := range list[i].ChunkIDs {
			if !slices.Contains(src.ChunkIDs, ch) {
				src.ChunkIDs = append(src.ChunkIDs, ch)
			}
		}
	}
	for rev := latest; rev >= 2; rev-- {
		rv, err := s.runs.Revision(ctx, id, rev)
		switch {
		case errors.Is(err, client.ErrRevisionNotReady) || client.IsNotFound(err):
			continue // being written, or its dispute failed: it lists nothing
		case err != nil:
			return nil, err
		}
		add(rv.Sources)
	}
	add(run.Sources)
	return src, nil
}

func (s *server) source(c *gin.Context) error {
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 {
		return newAPIError(http.StatusBadRequest, "invalid_request", "source number: want a positive integer")
	}
	r, err := s.lookup(c)
	if err != nil {
		return err
	}
	res, err := s.finished(c, r)
	if err != nil {
		return err
	}
	src, err := s.revisedSource(c, r.ID, res, n)
	if err != nil {
		return err
	}
	if src == nil {
		// A number after the report's is a source a follow-up cited first.
		if src, err = s.threadSource(c, r.ID, res, n); err != nil {
			return err
		}
	}
	if src == nil {
		return newAPIError(http.StatusNotFound, "not_found", fmt.Sprintf("neither the report nor a follow-up has a source [%d]", n))
	}
	pub := publicSource(*src)
	out := SourceResponse{N: n, SourceID: pub.SourceID, Title: pub.Title, Location: pub.Location, Link: pub.Link, Passages: []Passage{}}
	if s.chunks != nil && len(src.ChunkIDs) > 0 {
		chunks, err := s.chunks.Get(c.Request.Context(), src.ChunkIDs)
		if err != nil {
			s.log.Error("gateway: read passages", "id", r.ID, "source", n, "err", err)
			return newAPIError(http.StatusBadGateway, "upstream_error", "the memory store failed to return the passages")
		}
		for _, ch := range chunks {
			out.Passages = append(out.Passages, Passage{ChunkID: ch.ID, Section: ch.Section, Text: ch.Text, Start: ch.Start, End: ch.End})
		}
		out.PassagesAvailable = len(out.Passages) > 0
		if !out.PassagesAvailable {
			out.Reason, out.ReplacedAt = s.whyPassagesGone(c.Request.Context(), src.SourceID)
		}
	} else if s.chunks == nil {
		out.Reason = "this gateway has no access to the memory store"
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (s *server) cancel(c *gin.Context) error {
	r, err := s.lookup(c)
	if err != nil {
		return err
	}
	if r.Closed {
		return newAPIError(http.StatusConflict, "not_running", client.Closed(r, "cancelled").Error())
	}
	if err := s.runs.Cancel(c.Request.Context(), r.ID); err != nil {
		return err
	}
	s.log.Info("gateway: research cancel requested", "id", r.ID, "owner", owner(c))
	c.JSON(http.StatusAccepted, gin.H{"id": r.ID, "status": "cancelling", "links": s.links(r.ID)})
	return nil
}

// deleteResearch answers DELETE /v1/research/{id}: a closed run of the
// caller is removed with its history and report (204); a run still
// running is refused (409: cancel it first).
func (s *server) deleteResearch(c *gin.Context) error {
	r, err := s.lookup(c)
	if err != nil {
		return err
	}
	if !r.Closed {
		return newAPIError(http.StatusConflict, "running", "the run is still "+r.Status+": cancel it first (POST /v1/research/"+r.ID+"/cancel), then delete it")
	}
	if err := s.runs.Delete(c.Request.Context(), r.ID); err != nil {
		return err
	}
	s.log.Info("gateway: research deleted", "id", r.ID, "owner", owner(c))
	c.Status(http.StatusNoContent)
	return nil
}

// ApproveResponse answers POST /v1/research/{id}/approve. Progress is the
// run as the approval found it; SubQuestions and Estimate are the plan
// approved and its price: for an edited plan, the edits and the price the
// run records for them (priced before the approval was sent).
type ApproveResponse struct {
	ID           string      `json:"id"`
	Approved     bool        `json:"approved"`
	SubQuestions []string    `json:"subQuestions,omitempty"`
	Estimate     *rf.Spend   `json:"estimate,omitempty"`
	Progress     rf.Progress `json:"progress"`
	Links        links       `json:"links"`
}

// approveTimeout bounds how long an approval waits for the workflow.
const approveTimeout = 30 * time.Second

func (s *server) approve(c *gin.Context) error {
	r, err := s.lookup(c)
	if err != nil {
		return err
	}
	var a rf.PlanApproval
	if !s.decodeJSON(c, &a) {
		return nil
	}
	// Without approved the body says nothing: refused, never a rejection
	// (a rejected run cannot be resumed).
	approved, err := a.Decision()
	if err != nil {
		return err
	}
	if a, err = a.Normalize(); err != nil {
		return err
	}
	a.By = owner(c) // the key decides who approved, not the body
	if r.Closed {
		return newAPIError(http.StatusConflict, "not_awaiting_approval", client.Closed(r, "approved").Error())
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), approveTimeout)
	defer cancel()
	// An edited plan is priced first, by the run and its estimator: the
	// answer then says what the approval costs. A run that does not price
	// its plan (started before priced plans) is approved without one.
	var est *rf.Spend
	if approved && len(a.SubQuestions) > 0 {
		e, err := s.runs.PricePlan(ctx, r.ID, a)
		var rejected *client.RejectedError
		switch {
		case err == nil:
			est = &e
		case errors.Is(err, client.ErrNotRunning):
			return newAPIError(http.StatusConflict, "not_awaiting_approval", closedMessage(err))
		case !errors.As(err, &rejected):
			return err
		}
	}
	progress, err := s.runs.Approve(ctx, r.ID, a)
	if errors.Is(err, client.ErrNotRunning) {
		return newAPIError(http.StatusConflict, "not_awaiting_approval", closedMessage(err))
	}
	if err != nil {
		return err
	}
	s.log.Info("gateway: plan approval sent", "id", r.ID, "approved", approved, "by", a.By)
	resp := ApproveResponse{ID: r.ID, Approved: approved, Progress: progress, Links: s.links(r.ID)}
	switch {
	case !approved:
	case len(a.SubQuestions) > 0:
		resp.SubQuestions, resp.Estimate = a.SubQuestions, est
	default:
		for _, sq := range progress.SubQuestions {
			resp.SubQuestions = append(resp.SubQuestions, sq.Text)
		}
		resp.Estimate = progress.Estimate
	}
	c.JSON(http.StatusOK, resp)
	return nil
}

// EstimateRequest is the body of POST /v1/research/{id}/estimate: the
// plan as edited, before it is approved.
type EstimateRequest struct {
	SubQuestions []string `json:"subQuestions"`
}

// EstimateResponse answers POST /v1/research/{id}/estimate: the plan
// (trimmed) and what it would use, priced by the run's own estimator on
// the inference pool; approving that plan records the same estimate.
type EstimateResponse struct {
	ID           string   `json:"id"`
	SubQuestions []string `json:"subQuestions"`
	Estimate     rf.Spend `json:"estimate"`
	Links        links    `json:"links"`
}

// estimatePlan prices an edited plan of a run waiting for approval
// (rf.PricePlanUpdate); it approves nothing.
func (s *server) estimatePlan(c *gin.Context) error {
	r, err := s.lookup(c)
	if err != nil {
		return err
	}
	var req EstimateRequest
	if !s.decodeJSON(c, &req) {
		return nil
	}
	a, err := rf.PlanApproval{SubQuestions: req.SubQuestions}.Normalize()
	if err != nil {
		return err
	}
	if len(a.SubQuestions) == 0 {
		return &rf.InputError{Field: "subQuestions", Message: "give the plan to price: at least one sub-question"}
	}
	if r.Closed {
		return newAPIError(http.StatusConflict, "not_awaiting_approval", client.Closed(r, "priced").Error())
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), approveTimeout)
	defer cancel()
	e, err := s.runs.PricePlan(ctx, r.ID, a)
	if errors.Is(err, client.ErrNotRunning) {
		return newAPIError(http.StatusConflict, "not_awaiting_approval", closedMessage(err))
	}
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, EstimateResponse{ID: r.ID, SubQuestions: a.SubQuestions, Estimate: e, Links: s.links(r.ID)})
	return nil
}

// BudgetResponse answers POST /v1/research/{id}/budget and
// POST /v1/research/{id}/finish: the run's progress after the update.
type BudgetResponse struct {
	ID       string      `json:"id"`
	Progress rf.Progress `json:"progress"`
	Links    links       `json:"links"`
}

// extendBudget sends new limits to a run (rf.ExtendBudgetUpdate): a run
// paused in awaiting_budget resumes.
func (s *server) extendBudget(c *gin.Context) error {
	r, err := s.lookup(c)
	if err != nil {
		return err
	}
	var e rf.BudgetRequest
	if !s.decodeJSON(c, &e) {
		return nil
	}
	if e, err = e.Normalize(); err != nil {
		return err
	}
	e.By = owner(c) // the key decides who extended, not the body
	return s.budgetUpdate(c, r, "extendBudget", func(ctx context.Context) (rf.Progress, error) {
		return s.runs.ExtendBudget(ctx, r.ID, e)
	})
}

// finishNow asks a run to write its report from what it has
// (rf.FinishNowUpdate).
func (s *server) finishNow(c *gin.Context) error {
	r, err := s.lookup(c)
	if err != nil {
		return err
	}
	if c.Request.ContentLength > 0 {
		var f rf.BudgetRequest
		if !s.decodeJSON(c, &f) {
			return nil
		}
		if f.MaxTokens != 0 || f.MaxCostUSD != 0 {
			return &rf.InputError{Field: "maxTokens", Message: "finish takes no limits: POST them to /budget"}
		}
	}
	f := rf.BudgetRequest{By: owner(c)}
	return s.budgetUpdate(c, r, "finishNow", func(ctx context.Context) (rf.Progress, error) {
		return s.runs.FinishNow(ctx, r.ID, f)
	})
}

// budgetAction is what each budget update would have done to a run, as a
// closed run's refusal says it (client.ClosedError).
var budgetAction = map[string]string{"extendBudget": "given more budget", "finishNow": "finished"}

func (s *server) budgetUpdate(c *gin.Context, r client.Info, what string, send func(context.Context) (rf.Progress, error)) error {
	if r.Closed {
		return newAPIError(http.StatusConflict, "run_closed", client.Closed(r, budgetAction[what]).Error())
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), approveTimeout)
	defer cancel()
	progress, err := send(ctx)
	var rejected *client.RejectedError
	switch {
	case errors.Is(err, client.ErrNotRunning):
		return newAPIError(http.StatusConflict, "run_closed", closedMessage(err))
	case errors.As(err, &rejected):
		return newAPIError(http.StatusConflict, "budget_refused", rejected.Reason)
	}
	if err != nil {
		return err
	}
	s.log.Info("gateway: "+what+" sent", "id", r.ID, "by", owner(c))
	c.JSON(http.StatusOK, BudgetResponse{ID: r.ID, Progress: progress, Links: s.links(r.ID)})
	return nil
}

// RunSummary is one entry of GET /v1/research.
type RunSummary struct {
	ID     string `json:"id"`
	RunID  string `json:"runId"`
	Status string `json:"status"`
	// Question is the run's question from its memo (see rf.MemoQuestion).
	Question string `json:"question,omitempty"`
	// Corpus is the corpus the run researches, as its owner names it.
	Corpus    string     `json:"corpus,omitempty"`
	StartedAt time.Time  `json:"startedAt"`
	ClosedAt  *time.Time `json:"closedAt,omitempty"`
	// Facts, for a completed run, are what its report says of itself
	// (absent while it runs, when it closed without a report, or when the
	// report could not be read in time).
	Facts *RunFacts `json:"facts,omitempty"`
	Links links     `json:"links"`
}

// RunFacts are a completed run's engine, corpus, cited sources and
// confidence as its latest report revision tells them: what a list of runs
// shows of each without asking for every report.
type RunFacts struct {
	Engine     string `json:"engine,omitempty"`
	Corpus     string `json:"corpus"`
	Sources    int    `json:"sources"`
	Confidence string `json:"confidence,omitempty"`
}

// RunList answers GET /v1/research.
type RunList struct {
	Runs          []RunSummary `json:"runs"`
	NextPageToken string       `json:"nextPageToken,omitempty"`
}

func (s *server) listResearch(c *gin.Context) error {
	o := client.ListOptions{}
	if v := c.Query("pageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return &rf.InputError{Field: "pageSize", Message: "want 1 to 100"}
		}
		o.PageSize = n
	}
	if v := c.Query("pageToken"); v != "" {
		t, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil || len(t) == 0 {
			return &rf.InputError{Field: "pageToken", Message: "not a token from a previous page"}
		}
		o.PageToken = t
	}
	if !s.cfg.LocalMode() {
		o.Owner = owner(c)
	}
	page, err := s.runs.List(c.Request.Context(), o)
	if err != nil {
		return err
	}
	out := RunList{Runs: []RunSummary{}}
	for _, info := range page.Runs {
		rs := RunSummary{ID: info.ID, RunID: info.RunID, Status: info.Status, Question: info.Question, Corpus: publicCorpus(owner(c), info.Corpus), StartedAt: info.Started, Links: s.links(info.ID)}
		if !info.ClosedAt.IsZero() {
			t := info.ClosedAt
			rs.ClosedAt = &t
		}
		out.Runs = append(out.Runs, rs)
	}
	s.addFacts(c.Request.Context(), owner(c), out.Runs)
	if len(page.NextPageToken) > 0 {
		out.NextPageToken = base64.RawURLEncoding.EncodeToString(page.NextPageToken)
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// Reading the facts of a page of runs: so many reads at once, and no
// longer than this for the page (a run whose facts are late has none).
const (
	factsReaders = 4
	factsTimeout = 10 * time.Second
)

// addFacts sets the facts of the completed runs of a page, a few at a
// time. A run whose report cannot be read is listed without them.
func (s *server) addFacts(ctx context.Context, who string, runs []RunSummary) {
	ctx, cancel := context.WithTimeout(ctx, factsTimeout)
	defer cancel()
	sem := make(chan struct{}, factsReaders)
	var wg sync.WaitGroup
	for i := range runs {
		r := &runs[i]
		if r.Status != rf.StatusCompleted {
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			f, err := s.runFacts(ctx, who, r.ID)
			if err != nil {
				s.log.Warn("gateway: run facts not read", "id", r.ID, "err", err)
				return
			}
			r.Facts = &f
		})
	}
	wg.Wait()
}

// runFacts reads the facts of completed run id as GET
// /v1/research/{id}/report would tell them: the sources of its latest
// revision.
func (s *server) runFacts(ctx context.Context, who, id string) (RunFacts, error) {
	res, err := s.runs.Result(ctx, id)
	if err != nil {
		return RunFacts{}, fmt.Errorf("result of %s: %w", id, err)
	}
	f := RunFacts{Engine: res.Engine, Corpus: rf.PublicCorpus(who, res.Corpus), Sources: len(res.Sources), Confidence: res.Confidence}
	n, err := s.runs.LatestRevision(ctx, id)
	if err != nil {
		return RunFacts{}, fmt.Errorf("latest revision of %s: %w", id, err)
	}
	if n > 1 {
		rev, err := s.runs.Revision(ctx, id, n)
		if err != nil {
			return RunFacts{}, fmt.Errorf("revision %d of %s: %w", n, id, err)
		}
		f.Sources = len(rev.Sources)
		if rev.Confidence != "" {
			f.Confidence = rev.Confidence
		}
	}
	return f, nil
}

// audit answers a run's Audit (the workflow's audit query): why each
// sub-question exists, its retrieval with scores, why each finding was kept
// and where it is cited, why each gap exists, and the run's decisions.
// AuditJSON answers GET /v1/research/{id}/audit: the run's audit query,
// with the readers' verdicts on its claims and what each re-check found,
// oldest first (claim reviews are workflows of their own: the run's audit
// knows nothing of them).
type AuditJSON struct {
	rf.Audit
	Feedback []claims.Check `json:"feedback,omitempty"`
}

func (s *server) audit(c *gin.Context) error {
	r, err := s.lookup(c)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), 10*time.Second)
	defer cancel()
	a, err := s.runs.Audit(ctx, r.ID)
	if err != nil {
		s.log.Warn("gateway: audit query failed", "id", r.ID, "err", err)
		return newAPIError(http.StatusServiceUnavailable, "audit_unavailable", "the run's audit cannot be read now (no workflow worker answers); try again later")
	}
	// Who disputed or confirmed which claim, and what the re-check found.
	rvs, err := s.runs.Reviews(ctx, r.ID, s.followUpOwner(c))
	if err != nil {
		s.log.Warn("gateway: claim reviews not listed", "id", r.ID, "err", err)
	}
	a.Sources = publicSources(a.Sources)
	out := AuditJSON{Audit: a}
	for _, rv := range rvs {
		if rv.Result != nil {
			out.Feedback = append(out.Feedback, rv.Result.Check)
		}
	}
	c.JSON(http.StatusOK, out)
	return nil
}
