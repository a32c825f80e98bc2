package search

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/researchflow/researchflow/internal/egress"
	"github.com/researchflow/researchflow/internal/fault"
)

// provider is a test API server: handler answers; hits counts requests.
type provider struct {
	*httptest.Server
	hits atomic.Int32
	last atomic.Pointer[http.Request]
}

func newProvider(t *testing.T, h http.HandlerFunc) *provider {
	t.Helper()
	p := &provider{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.hits.Add(1)
		p.last.Store(r)
		h(w, r)
	}))
	t.Cleanup(p.Close)
	return p
}

// answer is a handler writing body with content type ct and status code.
func answer(code int, ct, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(code)
		_, _ = w.Write([]byte(body))
	}
}

func wantKind(t *testing.T, err error, kind string, permanent bool) *fault.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("err = nil, want %s", kind)
	}
	fe, ok := fault.Classify(err)
	if !ok {
		t.Fatalf("err %v is unclassified, want %s", err, kind)
	}
	if fe.Kind != kind || fe.Permanent != permanent {
		t.Fatalf("err kind %q permanent=%v, want %q permanent=%v: %v", fe.Kind, fe.Permanent, kind, permanent, err)
	}
	return fe
}

// commonCases runs the cases every provider must pass against a server
// speaking its format: a 429 with Retry-After is a transient
// egress.KindRateLimited carrying the delay; a malformed body is egress.KindBadResponse;
// a 500 is egress.KindUnavailable; a 400 is a permanent egress.KindRejected; a 401 is a
// permanent egress.KindUnauthorized; an empty query is refused without a request.
func commonCases(t *testing.T, build func(base string) Searcher, malformed, ct string) {
	t.Run("429 Retry-After", func(t *testing.T) {
		p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "17")
			w.WriteHeader(http.StatusTooManyRequests)
		})
		_, err := build(p.URL).Search(context.Background(), Query{Text: "quantum computing"})
		fe := wantKind(t, err, egress.KindRateLimited, false)
		if fe.RetryAfter != 17*time.Second {
			t.Errorf("RetryAfter = %s, want 17s", fe.RetryAfter)
		}
	})
	t.Run("429 Retry-After date", func(t *testing.T) {
		p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", time.Now().Add(90*time.Second).UTC().Format(http.TimeFormat))
			w.WriteHeader(http.StatusTooManyRequests)
		})
		_, err := build(p.URL).Search(context.Background(), Query{Text: "quantum computing"})
		fe := wantKind(t, err, egress.KindRateLimited, false)
		if fe.RetryAfter < 80*time.Second || fe.RetryAfter > 91*time.Second {
			t.Errorf("RetryAfter = %s, want about 90s", fe.RetryAfter)
		}
	})
	t.Run("malformed body", func(t *testing.T) {
		p := newProvider(t, answer(200, ct, malformed))
		_, err := build(p.URL).Search(context.Background(), Query{Text: "quantum computing"})
		wantKind(t, err, egress.KindBadResponse, false)
	})
	t.Run("500", func(t *testing.T) {
		p := newProvider(t, answer(500, "text/plain", "internal error"))
		_, err := build(p.URL).Search(context.Background(), Query{Text: "quantum computing"})
		wantKind(t, err, egress.KindUnavailable, false)
	})
	t.Run("400", func(t *testing.T) {
		p := newProvider(t, answer(400, "application/json", `{"error":"bad request"}`))
		_, err := build(p.URL).Search(context.Background(), Query{Text: "quantum computing"})
		wantKind(t, err, egress.KindRejected, true)
	})
	t.Run("401 echoing the key", func(t *testing.T) {
		// A server that quotes the credentials it got back in its error
		// (header, bearer token or query parameter): none reaches the error.
		p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"error":"invalid key %q %q %q"}`, r.Header.Get("Authorization"), r.Header.Get("X-Subscription-Token"), r.URL.Query().Get("api_key"))
		})
		_, err := build(p.URL).Search(context.Background(), Query{Text: "quantum computing"})
		wantKind(t, err, egress.KindUnauthorized, true)
		if strings.Contains(err.Error(), "secret-key") || !strings.Contains(err.Error(), "HTTP 401") {
			t.Errorf("error leaks the key or loses the status: %v", err)
		}
	})
	for _, c := range []struct {
		status    int
		kind      string
		permanent bool
	}{{404, egress.KindNotFound, true}, {410, egress.KindNotFound, true}, {403, egress.KindUnauthorized, true}, {408, egress.KindUnavailable, false}, {503, egress.KindUnavailable, false}} {
		t.Run(fmt.Sprint(c.status), func(t *testing.T) {
			p := newProvider(t, answer(c.status, "text/plain", http.StatusText(c.status)))
			_, err := build(p.URL).Search(context.Background(), Query{Text: "quantum computing"})
			wantKind(t, err, c.kind, c.permanent)
			if !strings.Contains(err.Error(), fmt.Sprintf("HTTP %d", c.status)) {
				t.Errorf("error %v does not name the status", err)
			}
		})
	}
	t.Run("empty query", func(t *testing.T) {
		p := newProvider(t, answer(200, ct, malformed))
		_, err := build(p.URL).Search(context.Background(), Query{Text: "  "})
		wantKind(t, err, egress.KindInvalid, true)
		if _, err := build(p.URL).Search(context.Background(), Query{Text: "x", Category: "images"}); err == nil {
			t.Error("unknown category accepted")
		}
		if n := p.hits.Load(); n != 0 {
			t.Errorf("%d requests for invalid queries", n)
		}
	})
}
