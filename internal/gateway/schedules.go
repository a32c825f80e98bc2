package gateway

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/client"
	"github.com/researchflow/researchflow/internal/mailer"
)

// ScheduleService is what the gateway needs of research schedules
// (client.Schedules). An owner of "" means any owner (a gateway without
// authentication).
type ScheduleService interface {
	Create(ctx context.Context, id string, spec rf.ScheduleSpec) (rf.ScheduleInfo, error)
	Get(ctx context.Context, id, owner string) (rf.ScheduleInfo, error)
	List(ctx context.Context, owner string) ([]rf.ScheduleInfo, error)
	Update(ctx context.Context, id, owner string, spec rf.ScheduleSpec) (rf.ScheduleInfo, error)
	Pause(ctx context.Context, id, owner, note string) (rf.ScheduleInfo, error)
	Resume(ctx context.Context, id, owner, note string) (rf.ScheduleInfo, error)
	Trigger(ctx context.Context, id, owner string) (rf.ScheduledRun, error)
	Delete(ctx context.Context, id, owner string) error
}

var _ ScheduleService = (*client.Schedules)(nil)

// scheduleRoutes serves /v1/schedules: research schedules, each a Temporal
// Schedule owned by the caller.
func (s *server) scheduleRoutes(v1 *gin.RouterGroup) {
	v1.POST("/schedules", s.handle(s.createSchedule))
	v1.GET("/schedules", s.handle(s.listSchedules))
	v1.GET("/schedules/:id", s.handle(s.getSchedule))
	v1.PATCH("/schedules/:id", s.handle(s.patchSchedule))
	v1.DELETE("/schedules/:id", s.handle(s.deleteSchedule))
	v1.POST("/schedules/:id/pause", s.handle(s.pauseSchedule))
	v1.POST("/schedules/:id/resume", s.handle(s.resumeSchedule))
	v1.POST("/schedules/:id/trigger", s.handle(s.triggerSchedule))
}

// scheduleOwner is whose schedules the caller may see: its own, or any
// without authentication.
func (s *server) scheduleOwner(c *gin.Context) string {
	if s.cfg.LocalMode() {
		return ""
	}
	return owner(c)
}

// schedules returns the service, or an error answer when the gateway has
// none.
func (s *server) schedules() (ScheduleService, error) {
	if s.sched == nil {
		return nil, newAPIError(http.StatusNotImplemented, "not_implemented", "schedules are not available on this gateway")
	}
	return s.sched, nil
}

// scheduleError maps the schedule errors the general mapper does not know.
func scheduleError(err error) error {
	switch {
	case errors.Is(err, client.ErrScheduleNotFound):
		return newAPIError(http.StatusNotFound, "not_found", "no such schedule")
	case errors.Is(err, client.ErrSkipped):
		return newAPIError(http.StatusConflict, "skipped", "the schedule's previous run is still going; the trigger was skipped (overlap policy skip)")
	}
	return err
}

// ScheduleResponse is a schedule with its links.
type ScheduleResponse struct {
	rf.ScheduleInfo
	Links scheduleLinks `json:"links"`
}

type scheduleLinks struct {
	Self string `json:"self"`
	// UI is the schedule in the Temporal Web UI (its runs are listed by
	// GET /v1/research too); absent when no Web UI is known.
	UI string `json:"ui,omitempty"`
}

func (s *server) scheduleResponse(info rf.ScheduleInfo) ScheduleResponse {
	return ScheduleResponse{ScheduleInfo: info, Links: scheduleLinks{
		Self: "/v1/schedules/" + url.PathEscape(info.ID),
		UI:   s.uiLink("schedules", info.ID),
	}}
}

func (s *server) createSchedule(c *gin.Context) error {
	sched, err := s.schedules()
	if err != nil {
		return err
	}
	var req rf.ScheduleRequest
	if !s.decodeJSON(c, &req) {
		return nil
	}
	spec, err := req.Spec(owner(c))
	if err != nil {
		return err
	}
	if err := mailer.CheckDomains(spec.Research.NotifyEmail(), s.cfg.NotifyEmailDomains); err != nil {
		return err
	}
	// As for POST /v1/research: a schedule on a corpus nobody filled would
	// start runs that all fail.
	who := owner(c)
	if err := s.checkCorpus(c.Request.Context(), who, rf.PublicCorpus(who, spec.Research.Corpus), spec.Research); err != nil {
		return err
	}
	info, err := sched.Create(c.Request.Context(), client.NewScheduleID(), spec)
	if err != nil {
		return scheduleError(err)
	}
	s.log.InfoContext(c.Request.Context(), "gateway: schedule created", "id", info.ID, "owner", info.Owner)
	res := s.scheduleResponse(info)
	c.Header("Location", res.Links.Self)
	c.JSON(http.StatusCreated, res)
	return nil
}

// ScheduleList answers GET /v1/schedules.
type ScheduleList struct {
	Schedules []ScheduleResponse `json:"schedules"`
}

func (s *server) listSchedules(c *gin.Context) error {
	sched, err := s.schedules()
	if err != nil {
		return err
	}
	infos, err := sched.List(c.Request.Context(), s.scheduleOwner(c))
	if err != nil {
		return scheduleError(err)
	}
	out := ScheduleList{Schedules: []ScheduleResponse{}}
	for _, i := range infos {
		out.Schedules = append(out.Schedules, s.scheduleResponse(i))
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (s *server) getSchedule(c *gin.Context) error {
	sched, err := s.schedules()
	if err != nil {
		return err
	}
	info, err := sched.Get(c.Request.Context(), c.Param("id"), s.scheduleOwner(c))
	if err != nil {
		return scheduleError(err)
	}
	c.JSON(http.StatusOK, s.scheduleResponse(info))
	return nil
}

func (s *server) patchSchedule(c *gin.Context) error {
	sched, err := s.schedules()
	if err != nil {
		return err
	}
	var p rf.SchedulePatch
	if !s.decodeJSON(c, &p) {
		return nil
	}
	ctx, id, who := c.Request.Context(), c.Param("id"), s.scheduleOwner(c)
	info, err := sched.Get(ctx, id, who)
	if err != nil {
		return scheduleError(err)
	}
	req, err := p.Apply(info.Request())
	if err != nil {
		return err
	}
	spec, err := req.Spec(info.Owner)
	if err != nil {
		return err
	}
	if err := mailer.CheckDomains(spec.Research.NotifyEmail(), s.cfg.NotifyEmailDomains); err != nil {
		return err
	}
	// A change of where the runs look is checked as at create; other
	// changes leave the corpus as it was.
	if p.Corpus != nil || p.Sources != nil {
		if err := s.checkCorpus(ctx, info.Owner, rf.PublicCorpus(info.Owner, spec.Research.Corpus), spec.Research); err != nil {
			return err
		}
	}
	if info, err = sched.Update(ctx, id, who, spec); err != nil {
		return scheduleError(err)
	}
	c.JSON(http.StatusOK, s.scheduleResponse(info))
	return nil
}

func (s *server) deleteSchedule(c *gin.Context) error {
	sched, err := s.schedules()
	if err != nil {
		return err
	}
	if err := sched.Delete(c.Request.Context(), c.Param("id"), s.scheduleOwner(c)); err != nil {
		return scheduleError(err)
	}
	c.Status(http.StatusNoContent)
	return nil
}

// ScheduleNote is the optional body of pause and resume.
type ScheduleNote struct {
	Note string `json:"note"`
}

// note reads the optional {"note": …} body; false when it answered an error.
func (s *server) note(c *gin.Context) (string, bool) {
	if c.Request.ContentLength == 0 {
		return "", true
	}
	var n ScheduleNote
	if !s.decodeJSON(c, &n) {
		return "", false
	}
	return n.Note, true
}

func (s *server) pauseSchedule(c *gin.Context) error  { return s.setPaused(c, true) }
func (s *server) resumeSchedule(c *gin.Context) error { return s.setPaused(c, false) }

func (s *server) setPaused(c *gin.Context, pause bool) error {
	sched, err := s.schedules()
	if err != nil {
		return err
	}
	note, ok := s.note(c)
	if !ok {
		return nil
	}
	if note, err = client.NormalizeNote(note); err != nil {
		return err
	}
	do := sched.Resume
	if pause {
		do = sched.Pause
	}
	info, err := do(c.Request.Context(), c.Param("id"), s.scheduleOwner(c), note)
	if err != nil {
		return scheduleError(err)
	}
	c.JSON(http.StatusOK, s.scheduleResponse(info))
	return nil
}

// TriggerResponse answers POST /v1/schedules/{id}/trigger: the run started
// (its ID empty when Temporal had not started it yet when answering).
type TriggerResponse struct {
	Schedule string          `json:"schedule"`
	Run      rf.ScheduledRun `json:"run"`
	Links    *links          `json:"links,omitempty"`
}

func (s *server) triggerSchedule(c *gin.Context) error {
	sched, err := s.schedules()
	if err != nil {
		return err
	}
	id := c.Param("id")
	run, err := sched.Trigger(c.Request.Context(), id, s.scheduleOwner(c))
	if err != nil {
		return scheduleError(err)
	}
	res := TriggerResponse{Schedule: id, Run: run}
	if run.ResearchID != "" {
		l := s.links(run.ResearchID)
		res.Links = &l
	}
	c.JSON(http.StatusAccepted, res)
	return nil
}
