package search

import (
	"context"
	"net"
	"strings"
	"testing"
)

// A reachable provider probes fine; one whose name does not resolve, or
// whose port refuses, says so in plain words; a keyed provider without its
// key is not configured.
func TestProbe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := closed.Addr().String()
	closed.Close()
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		cfg      Config
		provider string
		want     string // "" = reachable
	}{
		{"reachable arxiv", Config{ArxivURL: "http://" + ln.Addr().String() + "/api/query"}, Arxiv, ""},
		{"wikipedia by language", Config{WikipediaURL: "http://" + ln.Addr().String() + "/{lang}"}, Wikipedia, ""},
		{"name not found", Config{OpenAlexURL: "https://openalex.invalid"}, OpenAlex, "openalex.invalid cannot be found"},
		{"refused", Config{ArxivURL: "http://" + refused}, Arxiv, "refused the connection"},
		{"searxng not set", Config{}, SearXNG, "not configured"},
		{"web stands for searxng", Config{SearXNGURL: "http://" + ln.Addr().String()}, "web", ""},
	} {
		err := Probe(ctx, tc.cfg, tc.provider)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v, want reachable", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	if got := Endpoint(Config{WikipediaLanguage: "de"}, Wikipedia); got != "https://de.wikipedia.org" {
		t.Errorf("Endpoint(wikipedia, de) = %q", got)
	}
}
