package search

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/researchflow/researchflow/internal/egress"
)

// TestSearXNGUnresponsiveEnginesIsAnOutage is issue 19 item 10: a 200
// answer with no result and four CAPTCHA-suspended engines read as
// "nothing found". It is a transient egress.KindUnavailable error naming the
// engines, so that the activity retries it and a dead letter says what
// was down.
func TestSearXNGUnresponsiveEnginesIsAnOutage(t *testing.T) {
	p := newProvider(t, answer(200, "application/json", `{"query":"backup retention","number_of_results":0,"results":[],
	  "answers":[],"corrections":[],"infoboxes":[],"suggestions":[],
	  "unresponsive_engines":[["google","CAPTCHA"],["duckduckgo","CAPTCHA"],["brave","Suspended: too many requests"],["startpage","CAPTCHA"]]}`))
	_, err := NewSearXNG(p.URL, http.DefaultClient).Search(context.Background(), Query{Text: "backup retention"})
	wantKind(t, err, egress.KindUnavailable, false)
	for _, e := range []string{"google (CAPTCHA)", "duckduckgo", "brave (Suspended: too many requests)", "startpage", "4 engines"} {
		if !strings.Contains(err.Error(), e) {
			t.Errorf("error %q does not name %q", err, e)
		}
	}
	// Variant: the only results are ones that are not web pages: still
	// nothing searched.
	p = newProvider(t, answer(200, "application/json", `{"query":"x","results":[{"url":"magnet:?xt=urn:btih:abc","title":"t"}],"unresponsive_engines":[["bing","timeout"]]}`))
	_, err = NewSearXNG(p.URL, http.DefaultClient).Search(context.Background(), Query{Text: "x"})
	wantKind(t, err, egress.KindUnavailable, false)
}

// TestWikipediaOverloadIsTransient: MediaWiki reports overload and
// maintenance as an error object in a 200 answer; those codes are the same
// kind of soft failure as SearXNG's unresponsive engines.
func TestWikipediaOverloadIsTransient(t *testing.T) {
	for code, permanent := range map[string]bool{"maxlag": false, "readonly": false, "internal_api_error_DBQueryError": false, "badvalue": true} {
		p := newProvider(t, answer(200, "application/json", `{"error":{"code":"`+code+`","info":"x"}}`))
		_, err := NewWikipedia(p.URL, "en", http.DefaultClient).Search(context.Background(), Query{Text: "bridges"})
		kind := egress.KindUnavailable
		if permanent {
			kind = egress.KindRejected
		}
		wantKind(t, err, kind, permanent)
		if !strings.Contains(err.Error(), code) {
			t.Errorf("%s: error %q does not name the code", code, err)
		}
	}
}
