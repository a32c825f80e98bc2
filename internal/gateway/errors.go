package gateway

import (
	"context"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/client"
)

// apiError is an answer a handler chose: status, a stable code, a message
// for people.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func newAPIError(status int, code, message string) error {
	return &apiError{status: status, code: code, message: message}
}

// handle adapts a handler that returns an error to gin; every error goes
// through fail, the one mapper from errors to HTTP answers.
func (s *server) handle(h func(c *gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			s.fail(c, err)
		}
	}
}

// fail answers err as JSON with the status it maps to, without leaking the
// text of Temporal or transport failures:
//
//	*apiError                        its own status and code
//	*researchflow.InputError         400 invalid_request
//	client.ErrNotFound               404 not_found (also another owner's run)
//	client.ErrIdempotencyConflict    409 idempotency_conflict
//	client.ErrNotRunning, ErrRejected 409 not_running / not_awaiting_approval
//	context.Canceled                 nothing: the client went away
//	deadline, Temporal unavailable   503 temporal_unavailable
//	anything else                    502 upstream_error
func (s *server) fail(c *gin.Context, err error) {
	var api *apiError
	var input *rf.InputError
	var rejected *client.RejectedError
	switch {
	case errors.As(err, &api):
		abortError(c, api.status, api.code, api.message)
	case errors.As(err, &input):
		abortError(c, http.StatusBadRequest, "invalid_request", input.Error())
	case client.IsNotFound(err):
		abortError(c, http.StatusNotFound, "not_found", "no such research run")
	case errors.Is(err, client.ErrIdempotencyConflict):
		abortError(c, http.StatusConflict, "idempotency_conflict", "this Idempotency-Key was already used with a different request")
	case errors.As(err, &rejected):
		abortError(c, http.StatusConflict, "not_awaiting_approval", rejected.Reason)
	case errors.Is(err, client.ErrNotRunning):
		abortError(c, http.StatusConflict, "not_running", "the run is no longer running")
	case errors.Is(err, context.Canceled):
		c.Abort()
	case client.IsUnavailable(err):
		s.log.Warn("gateway: temporal unavailable", "route", c.FullPath(), "err", err)
		abortError(c, http.StatusServiceUnavailable, "temporal_unavailable", "the workflow service is not reachable; try again")
	default:
		s.log.Error("gateway: request failed", "route", c.FullPath(), "err", err)
		abortError(c, http.StatusBadGateway, "upstream_error", "the workflow service failed; try again later")
	}
}
