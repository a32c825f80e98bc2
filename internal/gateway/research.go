package gateway

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	rf "github.com/researchflow/researchflow"

	"github.com/gin-gonic/gin"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/google/uuid"

	"github.com/researchflow/researchflow/internal/reasoning"
)

// Typed search attribute keys of research runs.
var (
	attrOwner  = temporal.NewSearchAttributeKeyKeyword(rf.SearchAttrOwner)
	attrStatus = temporal.NewSearchAttributeKeyKeyword(rf.SearchAttrStatus)
	attrStage  = temporal.NewSearchAttributeKeyKeyword(rf.SearchAttrStage)
	attrCorpus = temporal.NewSearchAttributeKeyKeyword(rf.SearchAttrCorpus)
)

// Memo fields the gateway sets on the runs it starts.
const (
	memoQuestion    = "question"
	memoRequestHash = "requestHash"
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
	body := http.MaxBytesReader(c.Writer, c.Request.Body, s.cfg.MaxBodyBytes)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			err = errors.New("unexpected data after the JSON object")
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
		case errors.As(err, &typ):
			msg = fmt.Sprintf("field %q: wrong type", typ.Field)
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

// links are the URLs of a run.
type links struct {
	Self   string `json:"self"`
	Report string `json:"report"`
	Events string `json:"events"`
	UI     string `json:"ui"`
}

func (s *server) links(id string) links {
	self := "/v1/research/" + url.PathEscape(id)
	return links{
		Self:   self,
		Report: self + "/report",
		Events: self + "/events",
		UI:     s.cfg.UIURL + "/namespaces/" + url.PathEscape(s.cfg.Namespace) + "/workflows/" + url.PathEscape(id),
	}
}

// CreateResearchResponse answers POST /v1/research.
type CreateResearchResponse struct {
	ID     string `json:"id"`
	RunID  string `json:"runId"`
	Status string `json:"status"`
	Links  links  `json:"links"`
}

// idempotencyKeyPattern bounds the Idempotency-Key header.
var idempotencyKeyPattern = regexp.MustCompile(`^[\x21-\x7e]{1,200}$`)

// researchID is the workflow ID of a run: deterministic for an idempotency
// key (scoped by owner), fresh otherwise.
func researchID(owner, idemKey string) string {
	if idemKey == "" {
		return "research-" + uuid.NewString()
	}
	sum := sha256.Sum256([]byte("idempotency\x00" + owner + "\x00" + idemKey))
	return "research-" + hex.EncodeToString(sum[:16])
}

func (s *server) createResearch(c *gin.Context) {
	var req rf.CreateResearchRequest
	if !s.decodeJSON(c, &req) {
		return
	}
	who := owner(c)
	in, err := req.Input(who)
	if err != nil {
		abortError(c, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	idem := c.GetHeader("Idempotency-Key")
	if idem != "" && !idempotencyKeyPattern.MatchString(idem) {
		abortError(c, http.StatusBadRequest, "invalid_request", "Idempotency-Key: want 1 to 200 printable ASCII characters")
		return
	}
	corpus := in.Corpus
	canon, _ := json.Marshal(in) // a struct of plain values cannot fail
	sum := sha256.Sum256(canon)
	reqHash := hex.EncodeToString(sum[:])
	id := researchID(who, idem)
	question := req.Question
	if rs := []rune(question); len(rs) > 200 {
		question = string(rs[:200]) + "…"
	}
	opts := client.StartWorkflowOptions{
		ID:        id,
		TaskQueue: rf.TaskQueueWorkflow,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			attrOwner.ValueSet(who),
			attrStatus.ValueSet(rf.StatusRunning),
			attrStage.ValueSet(rf.StageCorpus),
			attrCorpus.ValueSet(corpus),
		),
		Memo: map[string]any{memoQuestion: question, memoRequestHash: reqHash},
	}
	if idem != "" {
		// A retried POST finds the run of its first attempt, running or closed.
		opts.WorkflowIDConflictPolicy = enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING
		opts.WorkflowIDReusePolicy = enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE
	}
	ctx := c.Request.Context()
	run, err := s.tc.ExecuteWorkflow(ctx, opts, rf.ResearchWorkflowType, in)
	if err != nil {
		s.temporalError(c, "start the research run", err)
		return
	}
	status := rf.StatusRunning
	if idem != "" {
		d, err := s.tc.DescribeWorkflowExecution(ctx, id, run.GetRunID())
		if err != nil {
			s.temporalError(c, "describe the research run", err)
			return
		}
		info := d.GetWorkflowExecutionInfo()
		if memoString(info.GetMemo(), memoRequestHash) != reqHash {
			abortError(c, http.StatusConflict, "idempotency_conflict", "this Idempotency-Key was already used with a different request")
			return
		}
		status = runStatus(info)
	}
	if status == rf.StatusRunning && run.GetRunID() != "" {
		s.metrics.researchStarted.Add(1)
	}
	s.log.Info("gateway: research started", "id", id, "runId", run.GetRunID(), "owner", who, "corpus", corpus)
	c.Header("Location", s.links(id).Self)
	c.JSON(http.StatusAccepted, CreateResearchResponse{ID: id, RunID: run.GetRunID(), Status: status, Links: s.links(id)})
}

// run is what the gateway knows of an owned research run.
type run struct {
	ID       string
	RunID    string
	Owner    string
	Status   string
	Closed   bool
	Question string
	Started  time.Time
	ClosedAt time.Time
}

// lookup finds run id and checks that the caller owns it. Anything else
// answers 404, whether the run does not exist or belongs to someone else.
func (s *server) lookup(c *gin.Context) (run, bool) {
	id := c.Param("id")
	if id == "" || len(id) > 255 || !utf8.ValidString(id) {
		abortError(c, http.StatusNotFound, "not_found", "no such research run")
		return run{}, false
	}
	d, err := s.tc.DescribeWorkflowExecution(c.Request.Context(), id, "")
	if err != nil {
		s.temporalError(c, "describe the research run", err)
		return run{}, false
	}
	info := d.GetWorkflowExecutionInfo()
	o := searchAttrString(info.GetSearchAttributes(), rf.SearchAttrOwner)
	if info.GetType().GetName() != rf.ResearchWorkflowType || (!s.cfg.localMode() && o != owner(c)) {
		abortError(c, http.StatusNotFound, "not_found", "no such research run")
		return run{}, false
	}
	r := run{
		ID:       id,
		RunID:    info.GetExecution().GetRunId(),
		Owner:    o,
		Status:   runStatus(info),
		Closed:   isClosed(info.GetStatus()),
		Question: memoString(info.GetMemo(), memoQuestion),
		Started:  info.GetStartTime().AsTime(),
	}
	if info.GetCloseTime() != nil {
		r.ClosedAt = info.GetCloseTime().AsTime()
	}
	return r, true
}

func isClosed(st enumspb.WorkflowExecutionStatus) bool {
	switch st {
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW,
		enumspb.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED:
		return false
	}
	return true
}

// runStatus maps an execution to a run status: the workflow's own
// ResearchStatus while it runs, the execution status once closed.
func runStatus(info *workflowpb.WorkflowExecutionInfo) string {
	switch info.GetStatus() {
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		return rf.StatusCompleted
	case enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED:
		return rf.StatusCancelled
	case enumspb.WORKFLOW_EXECUTION_STATUS_FAILED, enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT,
		enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED:
		return rf.StatusFailed
	}
	if st := searchAttrString(info.GetSearchAttributes(), rf.SearchAttrStatus); st != "" {
		return st
	}
	return rf.StatusRunning
}

func decodePayload(p *commonpb.Payload) string {
	if p == nil {
		return ""
	}
	var v string
	if err := converter.GetDefaultDataConverter().FromPayload(p, &v); err != nil {
		return ""
	}
	return v
}

func searchAttrString(sa *commonpb.SearchAttributes, name string) string {
	return decodePayload(sa.GetIndexedFields()[name])
}

func memoString(m *commonpb.Memo, name string) string {
	return decodePayload(m.GetFields()[name])
}

// queryProgress asks a run for its Progress.
// A closed run may have no worker left to answer, so callers bound the wait.
func (s *server) queryProgress(ctx context.Context, id string, timeout time.Duration) (rf.Progress, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	v, err := s.tc.QueryWorkflow(ctx, id, "", rf.ProgressQuery)
	if err != nil {
		return rf.Progress{}, fmt.Errorf("query progress of %s: %w", id, err)
	}
	var p rf.Progress
	if err := v.Get(&p); err != nil {
		return rf.Progress{}, fmt.Errorf("decode progress of %s: %w", id, err)
	}
	return p, nil
}

// result waits for the result of a run; for a closed run it returns at once.
func (s *server) result(ctx context.Context, id string) (rf.ResearchResult, error) {
	var res rf.ResearchResult
	err := s.tc.GetWorkflow(ctx, id, "").Get(ctx, &res)
	return res, err
}

// failureMessage is what a caller may read of a run's failure: the message of
// an application error (written by Researchflow), nothing of other failures.
func failureMessage(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) && app.Message() != "" {
		return app.Message()
	}
	var timeout *temporal.TimeoutError
	if errors.As(err, &timeout) {
		return "the run timed out"
	}
	var term *temporal.TerminatedError
	if errors.As(err, &term) {
		return "the run was terminated"
	}
	return "the run failed"
}

// ResultSummary is the short form of a finished run's result.
type ResultSummary struct {
	Title   string          `json:"title"`
	Sources int             `json:"sources"`
	Gaps    []rf.Gap        `json:"gaps,omitempty"`
	Engine  string          `json:"engine,omitempty"`
	Usage   reasoning.Usage `json:"usage"`
	Corpus  string          `json:"corpus"`
}

func summarize(who string, res rf.ResearchResult) *ResultSummary {
	return &ResultSummary{
		Title: res.Title, Sources: len(res.Sources), Gaps: res.Gaps,
		Engine: res.Engine, Usage: res.Usage, Corpus: rf.PublicCorpus(who, res.Corpus),
	}
}

// ResearchStatus answers GET /v1/research/{id}.
type ResearchStatus struct {
	ID        string         `json:"id"`
	RunID     string         `json:"runId"`
	Status    string         `json:"status"`
	Question  string         `json:"question,omitempty"`
	StartedAt time.Time      `json:"startedAt"`
	ClosedAt  *time.Time     `json:"closedAt,omitempty"`
	Progress  *rf.Progress   `json:"progress,omitempty"`
	Result    *ResultSummary `json:"result,omitempty"`
	Error     string         `json:"error,omitempty"`
	Links     links          `json:"links"`
}

func (s *server) getResearch(c *gin.Context) {
	r, ok := s.lookup(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	out := ResearchStatus{ID: r.ID, RunID: r.RunID, Status: r.Status, Question: r.Question, StartedAt: r.Started, Links: s.links(r.ID)}
	if !r.ClosedAt.IsZero() {
		out.ClosedAt = &r.ClosedAt
	}
	if !r.Closed {
		p, err := s.queryProgress(ctx, r.ID, 10*time.Second)
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
		return
	}
	res, err := s.result(ctx, r.ID)
	switch {
	case err == nil:
		out.Result = summarize(owner(c), res)
		if out.Question == "" {
			out.Question = res.Question
		}
	case r.Status == rf.StatusFailed || r.Status == rf.StatusCancelled:
		out.Error = failureMessage(err)
	default:
		s.temporalError(c, "read the result", err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// ReportJSON answers GET /v1/research/{id}/report with Accept: application/json.
type ReportJSON struct {
	ID       string             `json:"id"`
	Question string             `json:"question"`
	Title    string             `json:"title"`
	Report   string             `json:"report"`
	Sources  []reasoning.Source `json:"sources"`
	Gaps     []rf.Gap           `json:"gaps,omitempty"`
	Engine   string             `json:"engine,omitempty"`
	Usage    reasoning.Usage    `json:"usage"`
	Corpus   string             `json:"corpus"`
	Links    links              `json:"links"`
}

// finished returns the result of a completed run, answering 409 otherwise.
func (s *server) finished(c *gin.Context, r run) (rf.ResearchResult, bool) {
	if !r.Closed {
		c.Header("Retry-After", "5")
		abortError(c, http.StatusConflict, "not_ready", "the run is "+strings.ReplaceAll(r.Status, "_", " ")+"; its report is not ready yet")
		return rf.ResearchResult{}, false
	}
	if r.Status != rf.StatusCompleted {
		abortError(c, http.StatusConflict, "no_report", "the run is "+r.Status+" and has no report")
		return rf.ResearchResult{}, false
	}
	res, err := s.result(c.Request.Context(), r.ID)
	if err != nil {
		s.temporalError(c, "read the result", err)
		return rf.ResearchResult{}, false
	}
	return res, true
}

func (s *server) report(c *gin.Context) {
	r, ok := s.lookup(c)
	if !ok {
		return
	}
	res, ok := s.finished(c, r)
	if !ok {
		return
	}
	if wantsJSON(c.GetHeader("Accept")) {
		c.JSON(http.StatusOK, ReportJSON{
			ID: r.ID, Question: res.Question, Title: res.Title, Report: res.Report, Sources: res.Sources,
			Gaps: res.Gaps, Engine: res.Engine, Usage: res.Usage, Corpus: rf.PublicCorpus(owner(c), res.Corpus),
			Links: s.links(r.ID),
		})
		return
	}
	c.Data(http.StatusOK, "text/markdown; charset=utf-8", []byte(res.Report))
}

// wantsJSON reports whether an Accept header prefers JSON to Markdown.
func wantsJSON(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		mt, _, _ := mime.ParseMediaType(strings.TrimSpace(part))
		switch mt {
		case "application/json":
			return true
		case "text/markdown", "text/plain", "text/*":
			return false
		}
	}
	return false
}

// Passage is one stored chunk of a cited source.
type Passage struct {
	ChunkID string `json:"chunkId"`
	Section string `json:"section,omitempty"`
	Text    string `json:"text"`
	Start   int    `json:"start"`
	End     int    `json:"end"`
}

// SourceResponse answers GET /v1/research/{id}/sources/{n}.
type SourceResponse struct {
	N        int       `json:"n"`
	SourceID string    `json:"sourceId"`
	Title    string    `json:"title"`
	Location string    `json:"location"`
	Passages []Passage `json:"passages"`
	// PassagesAvailable is false when the gateway has no access to memory.
	PassagesAvailable bool `json:"passagesAvailable"`
}

func (s *server) source(c *gin.Context) {
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 {
		abortError(c, http.StatusBadRequest, "invalid_request", "source number: want a positive integer")
		return
	}
	r, ok := s.lookup(c)
	if !ok {
		return
	}
	res, ok := s.finished(c, r)
	if !ok {
		return
	}
	var src *reasoning.Source
	for i := range res.Sources {
		if res.Sources[i].N == n {
			src = &res.Sources[i]
		}
	}
	if src == nil {
		abortError(c, http.StatusNotFound, "not_found", fmt.Sprintf("the report has no source [%d]", n))
		return
	}
	out := SourceResponse{N: n, SourceID: src.SourceID, Title: src.Title, Location: src.Location, Passages: []Passage{}}
	if s.chunks != nil && len(src.ChunkIDs) > 0 {
		chunks, err := s.chunks.Get(c.Request.Context(), src.ChunkIDs)
		if err != nil {
			s.log.Error("gateway: read passages", "id", r.ID, "source", n, "err", err)
			abortError(c, http.StatusBadGateway, "upstream_error", "the memory store failed to return the passages")
			return
		}
		for _, ch := range chunks {
			out.Passages = append(out.Passages, Passage{ChunkID: ch.ID, Section: ch.Section, Text: ch.Text, Start: ch.Start, End: ch.End})
		}
		out.PassagesAvailable = true
	}
	c.JSON(http.StatusOK, out)
}

func (s *server) cancel(c *gin.Context) {
	r, ok := s.lookup(c)
	if !ok {
		return
	}
	if r.Closed {
		abortError(c, http.StatusConflict, "not_running", "the run is already "+r.Status)
		return
	}
	if err := s.tc.CancelWorkflow(c.Request.Context(), r.ID, ""); err != nil {
		var notFound *serviceerror.NotFound
		if errors.As(err, &notFound) {
			abortError(c, http.StatusConflict, "not_running", "the run is no longer running")
			return
		}
		s.temporalError(c, "cancel the run", err)
		return
	}
	s.log.Info("gateway: research cancel requested", "id", r.ID, "owner", owner(c))
	c.JSON(http.StatusAccepted, gin.H{"id": r.ID, "status": "cancelling", "links": s.links(r.ID)})
}

// ApproveResponse answers POST /v1/research/{id}/approve.
type ApproveResponse struct {
	ID       string      `json:"id"`
	Approved bool        `json:"approved"`
	Progress rf.Progress `json:"progress"`
	Links    links       `json:"links"`
}

// approveTimeout bounds how long an approval waits for the workflow.
const approveTimeout = 30 * time.Second

func (s *server) approve(c *gin.Context) {
	r, ok := s.lookup(c)
	if !ok {
		return
	}
	var a rf.PlanApproval
	if !s.decodeJSON(c, &a) {
		return
	}
	if len(a.SubQuestions) > rf.MaxSubQuestionsLimit {
		abortError(c, http.StatusBadRequest, "invalid_request", fmt.Sprintf("subQuestions: at most %d", rf.MaxSubQuestionsLimit))
		return
	}
	for i, q := range a.SubQuestions {
		if n := utf8.RuneCountInString(strings.TrimSpace(q)); n < 1 || n > rf.MaxQuestionLength {
			abortError(c, http.StatusBadRequest, "invalid_request", fmt.Sprintf("subQuestions[%d]: want 1 to %d characters", i, rf.MaxQuestionLength))
			return
		}
		a.SubQuestions[i] = strings.TrimSpace(q)
	}
	a.By = owner(c) // the key decides who approved, not the body
	if r.Closed {
		abortError(c, http.StatusConflict, "not_awaiting_approval", "the run is "+r.Status+"; it is not awaiting approval")
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), approveTimeout)
	defer cancel()
	h, err := s.tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   r.ID,
		UpdateName:   rf.ApprovePlanUpdate,
		Args:         []any{a},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var progress rf.Progress // the update answers the run's progress
	if err == nil {
		err = h.Get(ctx, &progress)
	}
	if err != nil {
		var app *temporal.ApplicationError
		var notFound *serviceerror.NotFound
		switch {
		case errors.As(err, &app):
			abortError(c, http.StatusConflict, "not_awaiting_approval", app.Message())
		case errors.As(err, &notFound):
			abortError(c, http.StatusConflict, "not_awaiting_approval", "the run is no longer running")
		default:
			s.temporalError(c, "approve the plan", err)
		}
		return
	}
	s.log.Info("gateway: plan approval sent", "id", r.ID, "approved", a.Approved, "by", a.By)
	c.JSON(http.StatusOK, ApproveResponse{ID: r.ID, Approved: a.Approved, Progress: progress, Links: s.links(r.ID)})
}

// RunSummary is one entry of GET /v1/research.
type RunSummary struct {
	ID        string     `json:"id"`
	RunID     string     `json:"runId"`
	Status    string     `json:"status"`
	Question  string     `json:"question,omitempty"`
	StartedAt time.Time  `json:"startedAt"`
	ClosedAt  *time.Time `json:"closedAt,omitempty"`
	Links     links      `json:"links"`
}

// RunList answers GET /v1/research.
type RunList struct {
	Runs          []RunSummary `json:"runs"`
	NextPageToken string       `json:"nextPageToken,omitempty"`
}

// quoteQuery quotes s as a string literal of a Temporal visibility query.
func quoteQuery(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`)
	return "'" + r.Replace(s) + "'"
}

func (s *server) listResearch(c *gin.Context) {
	pageSize := 20
	if v := c.Query("pageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			abortError(c, http.StatusBadRequest, "invalid_request", "pageSize: want 1 to 100")
			return
		}
		pageSize = n
	}
	var token []byte
	if v := c.Query("pageToken"); v != "" {
		t, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil || len(t) == 0 {
			abortError(c, http.StatusBadRequest, "invalid_request", "pageToken: not a token from a previous page")
			return
		}
		token = t
	}
	q := "WorkflowType = " + quoteQuery(rf.ResearchWorkflowType)
	if !s.cfg.localMode() {
		q += " AND " + rf.SearchAttrOwner + " = " + quoteQuery(owner(c))
	}
	resp, err := s.tc.ListWorkflow(c.Request.Context(), &workflowservice.ListWorkflowExecutionsRequest{
		Namespace:     s.cfg.Namespace,
		PageSize:      int32(pageSize),
		NextPageToken: token,
		Query:         q,
	})
	if err != nil {
		var bad *serviceerror.InvalidArgument
		if errors.As(err, &bad) && token != nil {
			abortError(c, http.StatusBadRequest, "invalid_request", "pageToken: not a token from a previous page")
			return
		}
		s.temporalError(c, "list research runs", err)
		return
	}
	out := RunList{Runs: []RunSummary{}}
	for _, info := range resp.GetExecutions() {
		id := info.GetExecution().GetWorkflowId()
		rs := RunSummary{
			ID: id, RunID: info.GetExecution().GetRunId(), Status: runStatus(info),
			Question: memoString(info.GetMemo(), memoQuestion), StartedAt: info.GetStartTime().AsTime(),
			Links: s.links(id),
		}
		if ct := info.GetCloseTime(); ct != nil {
			t := ct.AsTime()
			rs.ClosedAt = &t
		}
		out.Runs = append(out.Runs, rs)
	}
	if len(resp.GetNextPageToken()) > 0 {
		out.NextPageToken = base64.RawURLEncoding.EncodeToString(resp.GetNextPageToken())
	}
	c.JSON(http.StatusOK, out)
}
