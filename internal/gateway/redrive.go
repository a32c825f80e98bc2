package gateway

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/researchflow/researchflow/client"
)

// RedriveResponse answers POST /v1/research/{id}/redrive: the run that
// writes the next revision of the report.
type RedriveResponse struct {
	ID        string `json:"id"`
	RunID     string `json:"runId"`
	Status    string `json:"status"`
	RedriveOf string `json:"redriveOf"`
	Links     links  `json:"links"`
}

// redriveTimeout bounds reading the finished run's state (a query that a
// workflow worker answers by replaying it) and starting the next revision.
const redriveTimeout = 30 * time.Second

// redrive retries the dead letters of a finished run as a new run, the
// report's next revision (client.Redrive). It takes no body.
func (s *server) redrive(c *gin.Context) error {
	r, err := s.lookup(c)
	if err != nil {
		return err
	}
	if !r.Closed {
		return newAPIError(http.StatusConflict, "not_finished", "the run is "+r.Status+"; redrive it once it has finished")
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), redriveTimeout)
	defer cancel()
	run, err := s.runs.Redrive(ctx, r.ID)
	var rejected *client.RejectedError
	if errors.As(err, &rejected) {
		return newAPIError(http.StatusConflict, "nothing_to_redrive", rejected.Reason)
	}
	if err != nil {
		return err
	}
	s.log.Info("gateway: research redriven", "id", r.ID, "revision", run.ID, "owner", owner(c))
	c.JSON(http.StatusAccepted, RedriveResponse{ID: run.ID, RunID: run.RunID, Status: run.Status, RedriveOf: r.ID, Links: s.links(run.ID)})
	return nil
}
