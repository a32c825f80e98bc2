package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/researchflow/researchflow/client"
)

// fakeRuns is a Runs whose methods tests set one by one; a method left
// unset panics through the nil embedded interface, so a test that reaches
// it by mistake fails loudly.
type fakeRuns struct {
	Runs
	describe func(ctx context.Context, id string) (client.Info, error)
	health   func(ctx context.Context) error
}

func (f *fakeRuns) Describe(ctx context.Context, id string) (client.Info, error) {
	return f.describe(ctx, id)
}

func (f *fakeRuns) CheckHealth(ctx context.Context) error { return f.health(ctx) }

func serveRuns(t *testing.T, runs Runs, method, path, key string) *httptest.ResponseRecorder {
	t.Helper()
	h, err := New(testConfig(t, nil), Deps{Runs: runs, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(method, path, nil)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestErrorsOfRunsMapToAnswers: the one error mapper turns what Runs
// returns — the client's domain errors, unreachable Temporal, anything
// else — into precise HTTP answers, and the gateway asks nothing of
// Temporal but through Runs.
func TestErrorsOfRunsMapToAnswers(t *testing.T) {
	for _, tt := range []struct {
		name   string
		err    error
		status int
		code   string
	}{
		{"not found", fmt.Errorf("describe r1: %w", client.ErrNotFound), http.StatusNotFound, "not_found"},
		{"deadline", fmt.Errorf("describe r1: %w", context.DeadlineExceeded), http.StatusServiceUnavailable, "temporal_unavailable"},
		{"anything else", errors.New("frontend said no"), http.StatusBadGateway, "upstream_error"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			runs := &fakeRuns{describe: func(context.Context, string) (client.Info, error) { return client.Info{}, tt.err }}
			rec := serveRuns(t, runs, "GET", "/v1/research/r1", aliceKey)
			if rec.Code != tt.status || errorCode(t, rec) != tt.code {
				t.Errorf("GET /v1/research/r1 with %v: %d %s, want %d %s", tt.err, rec.Code, rec.Body, tt.status, tt.code)
			}
		})
	}
	// Another owner's run is not found, whatever Runs says of it.
	runs := &fakeRuns{describe: func(_ context.Context, id string) (client.Info, error) {
		return client.Info{ID: id, Owner: "bob"}, nil
	}}
	if rec := serveRuns(t, runs, "GET", "/v1/research/r1", aliceKey); rec.Code != http.StatusNotFound {
		t.Errorf("another owner's run: %d %s", rec.Code, rec.Body)
	}
}

func TestReadyAsksRuns(t *testing.T) {
	for _, tt := range []struct {
		err    error
		status int
	}{
		{nil, http.StatusOK},
		{errors.New("temporal health check: connection refused"), http.StatusServiceUnavailable},
	} {
		runs := &fakeRuns{health: func(context.Context) error { return tt.err }}
		if rec := serveRuns(t, runs, "GET", "/readyz", ""); rec.Code != tt.status {
			t.Errorf("readyz with health %v: %d %s, want %d", tt.err, rec.Code, rec.Body, tt.status)
		}
	}
}
