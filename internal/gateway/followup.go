package gateway

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/claims"
	"github.com/researchflow/researchflow/client"
	"github.com/researchflow/researchflow/internal/report"
)

// FollowUpResponse answers POST /v1/research/{id}/followups: the follow-up
// started (ResearchFollowUpWorkflow); GET Thread lists its answer once it
// has one.
type FollowUpResponse struct {
	ID         string `json:"id"`
	RunID      string `json:"runId"`
	Status     string `json:"status"`
	ResearchID string `json:"researchId"`
	Thread     string `json:"thread"`
	UI         string `json:"ui,omitempty"`
}

// ThreadResponse answers GET /v1/research/{id}/thread: the run's
// follow-ups, oldest first, their answers numbered for the whole run
// (numberThread): a citation number is one source in the report and in
// every answer, and GET /v1/research/{id}/sources/{n} resolves it.
type ThreadResponse struct {
	ResearchID string           `json:"researchId"`
	FollowUps  []ThreadFollowUp `json:"followUps"`
}

// ThreadFollowUp is one follow-up of a thread. RevisedSince is set on an
// answer written before a revision of the report: a dispute may have
// corrected or withdrawn a claim the answer still states as it stood. Its
// citation numbers are the thread's all the same.
type ThreadFollowUp struct {
	client.FollowUp
	RevisedSince *RevisedSince `json:"revisedSince,omitempty"`
}

// RevisedSince names the revisions of a report written after an answer.
type RevisedSince struct {
	// Revisions are their numbers, oldest first: the last is the latest.
	Revisions []int `json:"revisions"`
	// Outcomes are what their disputes did, one each (claims.Outcome*:
	// "corrected", "withdrawn", "kept").
	Outcomes []string `json:"outcomes"`
	// Note says so in words, as the web app shows it: "Written before
	// revision 2 of the report (1 claim corrected)."
	Note string `json:"note"`
}

// threadTimeout bounds listing a thread and reading its answers.
const threadTimeout = 30 * time.Second

// followUpOwner is the owner a follow-up is asked as: none without API
// keys (every caller sees every run), the key's owner with them.
func (s *server) followUpOwner(c *gin.Context) string {
	if s.cfg.LocalMode() {
		return ""
	}
	return owner(c)
}

// createFollowUp starts a follow-up of a completed run the caller owns.
func (s *server) createFollowUp(c *gin.Context) error {
	r, err := s.lookup(c)
	if err != nil {
		return err
	}
	var req rf.FollowUpRequest
	if !s.decodeJSON(c, &req) {
		return nil
	}
	in, err := req.Input(r.ID, s.followUpOwner(c))
	if err != nil {
		return err
	}
	if r.Status != rf.StatusCompleted {
		return newAPIError(http.StatusConflict, "not_finished", "the run is "+r.Status+"; follow-ups ask about completed runs")
	}
	idem := c.GetHeader("Idempotency-Key")
	if idem != "" && !idempotencyKeyPattern.MatchString(idem) {
		return newAPIError(http.StatusBadRequest, "invalid_request", "Idempotency-Key: want 1 to 200 printable ASCII characters")
	}
	key := ""
	if idem != "" {
		key = strings.TrimPrefix(client.IdempotentID(owner(c), idem), "research-")
	}
	run, err := s.runs.StartFollowUp(c.Request.Context(), key, in)
	if err != nil {
		return err
	}
	s.log.InfoContext(c.Request.Context(), "gateway: follow-up started", "id", run.ID, "research", r.ID, "owner", owner(c))
	out := FollowUpResponse{ID: run.ID, RunID: run.RunID, Status: run.Status, ResearchID: r.ID,
		Thread: s.links(r.ID).Self + "/thread",
		UI:     s.uiLink("workflows", run.ID)}
	c.Header("Location", out.Thread)
	c.JSON(http.StatusAccepted, out)
	return nil
}

// thread lists the follow-ups of a run the caller owns.
func (s *server) thread(c *gin.Context) error {
	r, err := s.lookup(c)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), threadTimeout)
	defer cancel()
	fus, err := s.runs.Thread(ctx, r.ID, s.followUpOwner(c))
	if err != nil {
		return err
	}
	if r.Status == rf.StatusCompleted {
		// Only a completed run has follow-up answers (and a report).
		run, err := s.runs.Result(ctx, r.ID)
		if err != nil {
			return err
		}
		fus = numberThread(run, fus)
	}
	out := ThreadResponse{ResearchID: r.ID, FollowUps: []ThreadFollowUp{}}
	for _, fu := range publicThread(fus) {
		out.FollowUps = append(out.FollowUps, ThreadFollowUp{FollowUp: fu})
	}
	if slices.ContainsFunc(fus, func(fu client.FollowUp) bool { return fu.Result != nil }) {
		// The report's revisions are everyone's, as the report is: its
		// reviews are listed whoever asked for them.
		rvs, err := s.runs.Reviews(ctx, r.ID, "")
		if err != nil {
			return err
		}
		markRevisedSince(out.FollowUps, rvs)
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// markRevisedSince sets RevisedSince on each answer of fus written before
// a revision of the report that rvs (the run's claim reviews) wrote.
func markRevisedSince(fus []ThreadFollowUp, rvs []client.Review) {
	type written struct {
		n       int
		at      time.Time
		outcome string
	}
	var revs []written
	for _, rv := range rvs {
		if rv.Result != nil && rv.Result.Report != nil && !rv.ClosedAt.IsZero() {
			revs = append(revs, written{rv.Result.Report.Revision, rv.ClosedAt, rv.Result.Check.Outcome})
		}
	}
	slices.SortFunc(revs, func(a, b written) int { return cmp.Compare(a.n, b.n) })
	for i, fu := range fus {
		if fu.Result == nil || fu.ClosedAt.IsZero() {
			continue
		}
		var since RevisedSince
		for _, rv := range revs {
			if rv.at.After(fu.ClosedAt) {
				since.Revisions = append(since.Revisions, rv.n)
				since.Outcomes = append(since.Outcomes, rv.outcome)
			}
		}
		if len(since.Revisions) > 0 {
			since.Note = revisedSinceNote(since)
			fus[i].RevisedSince = &since
		}
	}
}

// revisedSinceNote is since in words: "Written before revision 2 of the
// report (1 claim corrected).", "Written before revisions 2 and 3 of the
// report (1 claim corrected, 1 claim withdrawn)."
func revisedSinceNote(since RevisedSince) string {
	nums := make([]string, len(since.Revisions))
	for i, n := range since.Revisions {
		nums[i] = strconv.Itoa(n)
	}
	which := "revision " + nums[0]
	if k := len(nums); k > 1 {
		which = "revisions " + strings.Join(nums[:k-1], ", ") + " and " + nums[k-1]
	}
	note := "Written before " + which + " of the report"
	if counts := claims.CountOutcomes(since.Outcomes); counts != "" {
		note += " (" + counts + ")"
	}
	return note + "."
}

// numberThread gives the answers of run's follow-ups fus one numbering
// with its report (report.NumberThread), taken in the order they were
// written (close time, then ID), so that an answer written later never
// renumbers an earlier one; fus keeps its order. Each follow-up workflow
// numbers the sources new to it after the report's last, not knowing of
// the others: [3] of one answer and [3] of the next would be two sources.
func numberThread(run rf.ResearchResult, fus []client.FollowUp) []client.FollowUp {
	out := slices.Clone(fus)
	var written []int
	for i, fu := range out {
		if fu.Result != nil {
			written = append(written, i)
		}
	}
	slices.SortStableFunc(written, func(a, b int) int {
		return cmp.Or(out[a].ClosedAt.Compare(out[b].ClosedAt), strings.Compare(out[a].ID, out[b].ID))
	})
	answers := make([]rf.FollowUpResult, len(written))
	for k, i := range written {
		answers[k] = *out[i].Result
	}
	answers = report.NumberThread(run.Sources, answers)
	for k, i := range written {
		out[i].Result = &answers[k]
	}
	return out
}

// threadSource is source n as run id's follow-ups number it (numberThread):
// nil when no answer of the thread shows n.
func (s *server) threadSource(c *gin.Context, id string, run rf.ResearchResult, n int) (*rf.Source, error) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), threadTimeout)
	defer cancel()
	fus, err := s.runs.Thread(ctx, id, s.followUpOwner(c))
	if err != nil {
		return nil, err
	}
	for _, fu := range numberThread(run, fus) {
		if fu.Result == nil {
			continue
		}
		if i := slices.IndexFunc(fu.Result.NewSources, func(src rf.Source) bool { return src.N == n }); i >= 0 {
			return &fu.Result.NewSources[i], nil
		}
	}
	return nil, nil
}

// publicThread is a thread as a reader of the API sees it: the sources of
// its answers, and the Sources lists of their Markdown, as publicSources
// and publicMarkdown give them.
func publicThread(fus []client.FollowUp) []client.FollowUp {
	out := slices.Clone(fus)
	for i := range out {
		if r := out[i].Result; r != nil {
			pub := *r
			pub.Sources, pub.NewSources, pub.Changed = publicSources(r.Sources), publicSources(r.NewSources), publicSources(r.Changed)
			pub.Answer = publicMarkdown(r.Answer, slices.Concat(r.Sources, r.NewSources))
			out[i].Result = &pub
		}
	}
	return out
}
