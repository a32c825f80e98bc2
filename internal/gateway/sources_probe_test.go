package gateway

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"
)

// GET /v1/sources says which configured sources cannot be reached from
// here, with the reason in plain words; the corpus and unconfigured
// sources are not probed, and an answer is reused for a minute.
func TestSourcesProbed(t *testing.T) {
	h := newHarness(t, nil)
	h.cfg.Sources = []string{"corpus", "arxiv", "wikipedia"}
	var mu sync.Mutex
	asked := map[string]int{}
	now := time.Unix(1700000000, 0)
	probe := func(ctx context.Context, source string) error {
		mu.Lock()
		defer mu.Unlock()
		asked[source]++
		if source == "arxiv" {
			return errors.New("export.arxiv.org cannot be found (no network or no DNS on this machine)")
		}
		return nil
	}
	handler, err := New(h.cfg, Deps{Runs: h.fake, Probe: probe, Now: func() time.Time { return now },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	h.h = handler
	get := func() map[string]SourceInfo {
		t.Helper()
		rec := h.do("GET", "/v1/sources", aliceKey, "")
		if rec.Code != http.StatusOK {
			t.Fatalf("GET /v1/sources: %d %s", rec.Code, rec.Body)
		}
		var out SourcesResponse
		decode(t, rec, &out)
		m := map[string]SourceInfo{}
		for _, s := range out.Sources {
			m[s.Name] = s
		}
		return m
	}
	got := get()
	if a := got["arxiv"]; a.Available == nil || *a.Available || a.Reason == "" || !a.Configured {
		t.Errorf("arxiv = %+v, want configured, unavailable, with the reason", a)
	}
	if w := got["wikipedia"]; w.Available == nil || !*w.Available || w.Reason != "" {
		t.Errorf("wikipedia = %+v, want available", w)
	}
	if c, o := got["corpus"], got["openalex"]; c.Available != nil || o.Available != nil || o.Configured {
		t.Errorf("corpus %+v and openalex %+v were probed", c, o)
	}
	get()
	now = now.Add(2 * time.Minute)
	get()
	mu.Lock()
	defer mu.Unlock()
	if asked["arxiv"] != 2 || asked["wikipedia"] != 2 || asked["corpus"] != 0 || asked["openalex"] != 0 {
		t.Errorf("probes asked %v: want arxiv and wikipedia once per minute, nothing else", asked)
	}
}
