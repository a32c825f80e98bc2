package search

import (
	"testing"
	"time"
)

func TestDedupMergesOneWorkReachedByDifferentURLs(t *testing.T) {
	in := []Result{
		{URL: "https://arxiv.org/abs/2411.01234v1", Title: "Quantum advantage", Snippet: "short", ArxivID: "2411.01234", Provider: Arxiv, Site: "arXiv"},
		{URL: "https://www.example.com/post?utm_source=feed", Title: "A blog post", Provider: SearXNG},
		{URL: "https://doi.org/10.1126/science.abn7293", Title: "Quantum advantage in learning", DOI: "10.1126/science.abn7293", ArxivID: "2411.01234",
			Snippet: "a much longer abstract of the paper", Published: time.Date(2024, 11, 2, 0, 0, 0, 0, time.UTC), Provider: OpenAlex},
		{URL: "http://example.com/post/", Title: "The same blog post", Provider: Brave},
		{URL: "https://www.science.org/doi/10.1126/science.abn7293", DOI: "10.1126/SCIENCE.ABN7293", Provider: Tavily},
		{URL: "https://arxiv.org/pdf/2411.01234v2", Provider: SearXNG},
		{URL: "https://example.com/other", Title: "Another page", Provider: SearXNG},
	}
	got := Dedup(in)
	if len(got) != 3 {
		t.Fatalf("%d works, want 3: %+v", len(got), got)
	}
	p := got[0]
	if p.URL != in[0].URL || p.Provider != Arxiv || p.DOI != "10.1126/science.abn7293" || p.Snippet != "a much longer abstract of the paper" || p.Published.IsZero() {
		t.Errorf("paper = %+v", p)
	}
	if got[1].Title != "A blog post" || got[2].Title != "Another page" {
		t.Errorf("order: %q, %q", got[1].Title, got[2].Title)
	}
	if in[0].Snippet != "short" {
		t.Error("input modified")
	}
}

func TestDedupTransitive(t *testing.T) {
	// A and B share nothing; C shares A's DOI and B's URL: one work.
	in := []Result{
		{URL: "https://a.example/x", DOI: "10.1000/abc", Title: "A"},
		{URL: "https://b.example/y", Title: "B"},
		{URL: "https://b.example/y", DOI: "10.1000/ABC", Title: "C"},
	}
	if got := Dedup(in); len(got) != 1 || got[0].Title != "A" {
		t.Errorf("Dedup = %+v", got)
	}
	if got := Dedup(nil); len(got) != 0 {
		t.Errorf("Dedup(nil) = %v", got)
	}
}
