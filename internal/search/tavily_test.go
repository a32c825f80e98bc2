package search

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/researchflow/researchflow/internal/egress"
)

// tavilyAnswer has the shape of Tavily's POST /search answer.
const tavilyAnswer = `{
  "query": "quantum computing trends",
  "follow_up_questions": null,
  "answer": null,
  "images": [],
  "results": [
    {"title": "Quantum computing in 2024", "url": "https://www.example.com/quantum-2024",
     "content": "The year saw logical qubits...", "score": 0.98, "raw_content": null,
     "published_date": "Wed, 20 Nov 2024 10:15:00 GMT"},
    {"title": "Attention Is All You Need", "url": "https://arxiv.org/abs/1706.03762",
     "content": "The dominant sequence transduction models...", "score": 0.71, "raw_content": null}
  ],
  "response_time": 1.67,
  "request_id": "123e4567-e89b-12d3-a456-426614174111"
}`

func TestTavily(t *testing.T) {
	var body tavilyRequest
	var auth string
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		if r.Method != http.MethodPost || r.URL.Path != "/search" || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "wrong request", 400)
			return
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		answer(200, "application/json", tavilyAnswer)(w, r)
	})
	got, err := NewTavily(p.URL, "tvly-secret-key", http.DefaultClient).Search(context.Background(),
		Query{Text: "quantum computing trends", Category: "news", Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	if auth != "Bearer tvly-secret-key" {
		t.Errorf("Authorization %q", auth)
	}
	if body.Query != "quantum computing trends" || body.Topic != "news" || body.MaxResults != 20 || body.SearchDepth != "basic" {
		t.Errorf("request body %+v (max_results capped at 20)", body)
	}
	if len(got) != 2 {
		t.Fatalf("%d results", len(got))
	}
	if want := time.Date(2024, 11, 20, 10, 15, 0, 0, time.UTC); !got[0].Published.Equal(want) || got[0].Site != "example.com" || got[0].Provider != Tavily {
		t.Errorf("first = %+v", got[0])
	}
	if got[1].ArxivID != "1706.03762" || !got[1].Published.IsZero() {
		t.Errorf("second = %+v", got[1])
	}
	// Science searches Tavily's general topic.
	if _, err := NewTavily(p.URL, "k", http.DefaultClient).Search(context.Background(), Query{Text: "q", Category: "science"}); err != nil || body.Topic != "general" {
		t.Errorf("science: topic %q, %v", body.Topic, err)
	}
}

func TestTavilyEmpty(t *testing.T) {
	p := newProvider(t, answer(200, "application/json", `{"query":"zzqx","follow_up_questions":null,"answer":null,"images":[],"results":[],"response_time":0.4}`))
	got, err := NewTavily(p.URL, "k", http.DefaultClient).Search(context.Background(), Query{Text: "zzqx"})
	if err != nil || len(got) != 0 {
		t.Errorf("got %v, %v; want no results, no error", got, err)
	}
}

func TestTavilyCommon(t *testing.T) {
	commonCases(t, func(base string) Searcher { return NewTavily(base, "secret-key", http.DefaultClient) },
		`{"query": "quantum", "results": [{"title": 5}]`, "application/json")
	// An answer without a results list is not Tavily's format.
	p := newProvider(t, answer(200, "application/json", `{"detail":{"error":"oops"}}`))
	_, err := NewTavily(p.URL, "k", http.DefaultClient).Search(context.Background(), Query{Text: "q"})
	wantKind(t, err, egress.KindBadResponse, false)
}
