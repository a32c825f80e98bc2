package gateway

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/claims"
	"github.com/researchflow/researchflow/client"
	"github.com/researchflow/researchflow/internal/events"
	"github.com/researchflow/researchflow/workflows"
)

// FeedbackResponse answers POST /v1/research/{id}/claims/{claim}/feedback:
// the review started (ResearchClaimReviewWorkflow). A dispute writes
// revision Revision of the report (Report reads it once written); a
// confirmation records the verdict on revision Revision.
type FeedbackResponse struct {
	ID         string `json:"id"`
	RunID      string `json:"runId"`
	ResearchID string `json:"researchId"`
	ClaimID    string `json:"claimId"`
	Verdict    string `json:"verdict"`
	Revision   int    `json:"revision"`
	Report     string `json:"report,omitempty"`
	Feedback   string `json:"feedback"`
	UI         string `json:"ui,omitempty"`
}

// FeedbackListResponse answers GET /v1/research/{id}/feedback: the
// readers' verdicts on the run's claims and what each review found.
type FeedbackListResponse struct {
	ResearchID string          `json:"researchId"`
	Reviews    []client.Review `json:"reviews"`
}

// claimFeedback records a reader's verdict on one claim of a completed run
// the caller owns; a dispute re-checks the claim and writes the report's
// next revision.
func (s *server) claimFeedback(c *gin.Context) error {
	r, err := s.lookup(c)
	if err != nil {
		return err
	}
	var req claims.FeedbackRequest
	if !s.decodeJSON(c, &req) {
		return nil
	}
	// Validate before anything is read: bad input is a 400 whatever the run.
	in, err := req.Input(r.ID, c.Param("claim"), s.followUpOwner(c), 2)
	if err != nil {
		return err
	}
	if r.Status != rf.StatusCompleted {
		return newAPIError(http.StatusConflict, "not_finished", "the run is "+r.Status+"; feedback is on the claims of a completed report")
	}
	ctx := c.Request.Context()
	in.Revision = 0
	run, in, err := s.runs.Feedback(ctx, "", in)
	switch {
	case errors.Is(err, client.ErrClaimNotFound):
		return newAPIError(http.StatusNotFound, "claim_not_found", err.Error()+" (GET the report as JSON to list its claims)")
	case errors.Is(err, client.ErrRunNotCompleted):
		return newAPIError(http.StatusConflict, "not_finished", err.Error())
	case err != nil:
		return err
	}
	s.log.InfoContext(ctx, "gateway: claim feedback", "id", run.ID, "research", r.ID, "claim", in.ClaimID, "verdict", in.Verdict, "owner", owner(c))
	self := s.links(r.ID).Self
	out := FeedbackResponse{ID: run.ID, RunID: run.RunID, ResearchID: r.ID, ClaimID: in.ClaimID, Verdict: in.Verdict,
		Revision: in.Revision, Feedback: self + "/feedback",
		UI: s.uiLink("workflows", run.ID)}
	if in.Verdict == claims.VerdictDispute {
		out.Report = self + "/report?revision=" + strconv.Itoa(in.Revision)
		c.Header("Location", out.Report)
	}
	c.JSON(http.StatusAccepted, out)
	return nil
}

// feedback lists the claim reviews of a run the caller owns.
func (s *server) feedback(c *gin.Context) error {
	r, err := s.lookup(c)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), threadTimeout)
	defer cancel()
	rvs, err := s.runs.Reviews(ctx, r.ID, s.followUpOwner(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, FeedbackListResponse{ResearchID: r.ID, Reviews: publicReviews(rvs)})
	return nil
}

// revised returns res with the report revision the request asks for
// (?revision=N; the latest written by default): its text, claims,
// sources and gaps, Revision set. The changelog is kept for changelog().
func (s *server) revised(c *gin.Context, id string, res rf.ResearchResult) (rf.ResearchResult, error) {
	ctx := c.Request.Context()
	n := 0
	if q, ok := c.GetQuery("revision"); ok {
		v, err := strconv.Atoi(strings.TrimSpace(q))
		if err != nil || v < 1 {
			return res, newAPIError(http.StatusBadRequest, "invalid_request", "revision: want a revision number (1 is the run's report)")
		}
		n = v
	} else {
		latest, err := s.runs.LatestRevision(ctx, id)
		if err != nil {
			return res, err
		}
		n = latest
	}
	res.Revision = n
	if n == 1 {
		return res, nil
	}
	rev, err := s.runs.Revision(ctx, id, n)
	switch {
	case errors.Is(err, client.ErrRevisionNotReady):
		c.Header("Retry-After", "5")
		return res, newAPIError(http.StatusConflict, "not_ready", "revision "+strconv.Itoa(n)+" is still being written")
	case client.IsNotFound(err):
		return res, newAPIError(http.StatusNotFound, "revision_not_found", "the report has no revision "+strconv.Itoa(n))
	case err != nil:
		return res, err
	}
	res.Report, res.Claims, res.Sources = rev.Report, rev.Claims, rev.Sources
	if rev.Gaps != nil {
		// A revision written before revisions kept their gaps lists the run's.
		res.Gaps = rev.Gaps
	}
	if rev.Confidence != "" {
		res.Confidence = rev.Confidence
	}
	c.Set(changelogKey, rev.Changelog)
	return res, nil
}

const changelogKey = "researchflow.changelog"

// changelog is the changelog of the revision revised() chose.
func (s *server) changelog(c *gin.Context) []string {
	v, _ := c.Get(changelogKey)
	lines, _ := v.([]string)
	return lines
}

// afterRun reports whether a stream asked (?afterRun=true) to stay open
// after a completed run's "done" event for the events that come after it.
func afterRun(c *gin.Context) bool {
	v, _ := strconv.ParseBool(c.Query("afterRun"))
	return v
}

// streamAfterRun sends, after a completed run's "done" event, the events
// that come after the run: research.followup.answered for each answered
// follow-up and research.revised for each revision a dispute wrote, those
// so far first, then new ones as they come (it polls the thread and the
// reviews), until the client goes away. They carry no stream id (a client
// that reconnects gets them all again): consumers deduplicate on the
// CloudEvent id, the same the webhook and NATS receive.
func (s *server) streamAfterRun(ctx context.Context, id, owner string, out sink) {
	sent := map[string]bool{} // lookup only
	send := func(e rf.Event) bool {
		if sent[e.ID] {
			return true
		}
		ce, err := events.CloudEvent(e, nil)
		if err != nil {
			return true
		}
		if out.send(e.Type, "", ce) != nil {
			return false
		}
		sent[e.ID] = true
		return true
	}
	idle := time.Now()
	for {
		if fus, err := s.runs.Thread(ctx, id, owner); err == nil {
			for _, fu := range fus {
				if fu.Result == nil {
					continue
				}
				r := fu.Result
				if !send(rf.Event{ID: workflows.FollowUpEventID(fu.ID), Type: rf.EventFollowUpAnswered, Time: fu.ClosedAt,
					Data: rf.EventData{ResearchID: id, FollowUpID: fu.ID, Question: fu.Question, Findings: len(r.Findings), Gaps: len(r.Gaps)}}) {
					return
				}
			}
		}
		if rvs, err := s.runs.Reviews(ctx, id, owner); err == nil {
			for _, rv := range rvs {
				if rv.Result == nil || rv.Result.Report == nil {
					continue
				}
				r := rv.Result
				if !send(rf.Event{ID: claims.RevisedEventID(rv.ID), Type: claims.EventRevised,
					Data: rf.EventData{ResearchID: id, Revision: r.Revision, ClaimID: r.Check.ClaimID, Outcome: r.Check.Outcome}}) {
					return
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(s.cfg.EventsPoll):
		}
		if time.Since(idle) >= s.cfg.EventsHeartbeat {
			if out.idle() != nil {
				return
			}
			idle = time.Now()
		}
	}
}

// publicReviews are claim reviews as a reader of the API sees them: the
// sources of the revisions they wrote, and the Sources lists of their
// Markdown, as publicSources and publicMarkdown give them.
func publicReviews(rvs []client.Review) []client.Review {
	out := slices.Clone(rvs)
	for i := range out {
		if r := out[i].Result; r != nil && r.Report != nil {
			pub, rev := *r, *r.Report
			rev.Sources, rev.Report = publicSources(rev.Sources), publicMarkdown(rev.Report, rev.Sources)
			pub.Report = &rev
			out[i].Result = &pub
		}
	}
	return out
}
