package workflows

import (
	"strings"
	"testing"
)

func TestPlainFailure(t *testing.T) {
	tests := []struct{ what, cause, want string }{
		{"Wikipedia", "wikipedia: Get \"https://en.wikipedia.org/w/api.php\": dial tcp: lookup en.wikipedia.org on 10.0.0.53:53: no such host", "Wikipedia could not be reached"},
		{"arXiv", "arxiv: context deadline exceeded", "arXiv could not be reached"},
		{"Tavily", "tavily: 401 Unauthorized", "Tavily refused the request (check its API key)"},
		{"Brave Search", "brave: 429 Too Many Requests", "Brave Search limited the requests (rate limit); try again later"},
		{"OpenAlex", "openalex: 503 Service Unavailable", "OpenAlex was unavailable (its server answered with an error)"},
		{"SearXNG", "searxng: unexpected JSON", "SearXNG could not be searched"},
	}
	for _, tt := range tests {
		got := plainFailure(tt.what, tt.cause)
		if got != tt.want {
			t.Errorf("plainFailure(%q, %q) = %q, want %q", tt.what, tt.cause, got, tt.want)
		}
		for _, leak := range []string{"10.0.0.53", "dial tcp", "http"} {
			if strings.Contains(got, leak) {
				t.Errorf("%q shows %q", got, leak)
			}
		}
	}
}
