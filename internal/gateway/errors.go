package gateway

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/client"
	"github.com/researchflow/researchflow/internal/uploads"
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
//	*corpusNotFound                  404 corpus_not_found, with the corpus and a suggestion
//	*researchflow.InputError         400 invalid_request
//	*uploads.Error                   by kind: 400 invalid_request, 415 unsupported_media_type,
//	                                 413 file_too_large / upload_too_large, 409 name_taken,
//	                                 422 unreadable_document, 500 internal (storage);
//	                                 files lists every file it refused
//	client.ErrNotFound               404 not_found (also another owner's run)
//	client.ErrIdempotencyConflict    409 idempotency_conflict
//	client.ErrNotRunning, ErrRejected 409 not_running / not_awaiting_approval
//	context.Canceled                 nothing: the client went away
//	deadline, Temporal unavailable   503 temporal_unavailable
//	anything else                    502 upstream_error
func (s *server) fail(c *gin.Context, err error) {
	var api *apiError
	var input *rf.InputError
	var upload *uploads.Error
	var rejected *client.RejectedError
	var corpus *corpusNotFound
	switch {
	case errors.As(err, &corpus):
		c.AbortWithStatusJSON(http.StatusNotFound, errorBody{corpus.body()})
	case errors.As(err, &api):
		abortError(c, api.status, api.code, api.message)
	case errors.As(err, &input):
		msg := input.Error()
		if n, ok := outOfRange(c, input.Field); ok {
			// decodeJSON read the number as -1 for the field's rule to refuse.
			msg = fmt.Sprintf("%s: %s is out of range: %s", input.Field, n, input.Message)
		}
		abortError(c, http.StatusBadRequest, "invalid_request", msg)
	case errors.As(err, &upload):
		status, code := uploadStatus(upload.Kind)
		if status >= http.StatusInternalServerError {
			s.log.Error("gateway: upload not stored", "route", c.FullPath(), "err", err)
		} else if upload.Err != nil {
			s.log.Warn("gateway: upload refused", "route", c.FullPath(), "err", err)
		}
		body := errorDetail{Code: code, Message: upload.Message}
		for _, f := range upload.Files {
			_, fcode := uploadStatus(f.Kind)
			body.Files = append(body.Files, RefusedFile{Name: f.Name, Code: fcode, Reason: f.Reason})
		}
		c.AbortWithStatusJSON(status, errorBody{body})
	case client.IsNotFound(err):
		abortError(c, http.StatusNotFound, "not_found", "no such research run")
	case errors.Is(err, client.ErrIdempotencyConflict):
		abortError(c, http.StatusConflict, "idempotency_conflict", "this Idempotency-Key was already used with a different request")
	case errors.As(err, &rejected):
		abortError(c, http.StatusConflict, "not_awaiting_approval", rejected.Reason)
	case errors.Is(err, client.ErrNotRunning):
		abortError(c, http.StatusConflict, "not_running", closedMessage(err))
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

// closedMessage says why a request to a run that is not running was
// refused: how and when it ended (client.ClosedError), when known.
func closedMessage(err error) string {
	var closed *client.ClosedError
	if errors.As(err, &closed) {
		return closed.Error()
	}
	return "the run is no longer running"
}

// uploadStatus is the HTTP status and error code of an upload refusal.
func uploadStatus(k uploads.Kind) (int, string) {
	switch k {
	case uploads.Invalid:
		return http.StatusBadRequest, "invalid_request"
	case uploads.Unsupported:
		return http.StatusUnsupportedMediaType, "unsupported_media_type"
	case uploads.FileTooLarge:
		return http.StatusRequestEntityTooLarge, "file_too_large"
	case uploads.UploadTooLarge:
		return http.StatusRequestEntityTooLarge, "upload_too_large"
	case uploads.NameTaken:
		return http.StatusConflict, "name_taken"
	case uploads.Unreadable:
		return http.StatusUnprocessableEntity, "unreadable_document"
	default:
		return http.StatusInternalServerError, "internal"
	}
}
