package embed

import (
	"context"
	"errors"
	"github.com/researchflow/researchflow/internal/config"
	"strings"
	"testing"
	"time"

	"github.com/researchflow/researchflow/internal/memory"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestBoundConfig(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    Config
		wantErr string
	}{
		{
			name: "default is offline hashing",
			env:  nil,
			want: Config{Provider: "hashing", Model: "hashing-v3", Dim: 384, BatchSize: 64, Timeout: 60 * time.Second},
		},
		{
			name: "openai falls back to OPENAI_API_KEY",
			env:  map[string]string{"RESEARCHFLOW_EMBEDDINGS": "OpenAI", "OPENAI_API_KEY": "sk-1", "RESEARCHFLOW_EMBEDDINGS_BATCH": "16"},
			want: Config{Provider: "openai", Model: DefaultOpenAIModel, BaseURL: DefaultOpenAIURL, APIKey: "sk-1", BatchSize: 16, Timeout: 60 * time.Second},
		},
		{
			name: "own key wins",
			env: map[string]string{"RESEARCHFLOW_EMBEDDINGS": "openai", "OPENAI_API_KEY": "sk-chat", "RESEARCHFLOW_EMBEDDINGS_API_KEY": "sk-emb",
				"RESEARCHFLOW_EMBEDDINGS_BASE_URL": "http://vllm:8000/v1", "RESEARCHFLOW_EMBEDDINGS_MODEL": "bge-m3", "RESEARCHFLOW_EMBEDDINGS_DIM": "1024"},
			want: Config{Provider: "openai", Model: "bge-m3", BaseURL: "http://vllm:8000/v1", APIKey: "sk-emb", Dim: 1024, BatchSize: 64, Timeout: 60 * time.Second},
		},
		{
			name: "ollama defaults, no key needed",
			env:  map[string]string{"RESEARCHFLOW_EMBEDDINGS": "ollama", "OPENAI_API_KEY": "sk-chat", "RESEARCHFLOW_EMBEDDINGS_TIMEOUT": "5s"},
			want: Config{Provider: "ollama", Model: DefaultOllamaModel, BaseURL: DefaultOllamaURL, BatchSize: 64, Timeout: 5 * time.Second},
		},
		{name: "openai without key", env: map[string]string{"RESEARCHFLOW_EMBEDDINGS": "openai"}, wantErr: "OPENAI_API_KEY"},
		{name: "unknown provider", env: map[string]string{"RESEARCHFLOW_EMBEDDINGS": "word2vec"}, wantErr: "word2vec"},
		{name: "bad dim", env: map[string]string{"RESEARCHFLOW_EMBEDDINGS_DIM": "big"}, wantErr: "RESEARCHFLOW_EMBEDDINGS_DIM"},
		{name: "hashing has one model", env: map[string]string{"RESEARCHFLOW_EMBEDDINGS_MODEL": "bge"}, wantErr: "hashing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := configFromEnv(env(tt.env))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestNewDefaultIsHashing(t *testing.T) {
	e, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if e.Model() != "hashing-v3" || e.Dim() != 384 {
		t.Errorf("New(Config{}) = %s/%d, want hashing-v3/384", e.Model(), e.Dim())
	}
}

// recordingStore is a memory.Store that keeps what it was given.
type recordingStore struct {
	upserted []memory.Chunk
	query    memory.Query
}

func (s *recordingStore) Upsert(_ context.Context, c []memory.Chunk) error {
	s.upserted = append(s.upserted, c...)
	return nil
}
func (s *recordingStore) Search(_ context.Context, q memory.Query) ([]memory.Hit, error) {
	s.query = q
	return nil, nil
}
func (s *recordingStore) Get(context.Context, []string) ([]memory.Chunk, error) { return nil, nil }
func (s *recordingStore) Delete(context.Context, memory.Filter) error           { return nil }
func (s *recordingStore) Count(context.Context, memory.Filter) (int, error)     { return 0, nil }
func (s *recordingStore) Close() error                                          { return nil }

// countingEmbedder counts calls to a Hashing embedder.
type countingEmbedder struct {
	Hashing
	docCalls, queryCalls int
	fail                 error
}

func (c *countingEmbedder) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	c.docCalls++
	if c.fail != nil {
		return nil, c.fail
	}
	return c.Hashing.EmbedDocuments(ctx, texts)
}

func (c *countingEmbedder) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	c.queryCalls++
	return c.Hashing.EmbedQuery(ctx, text)
}

func TestWithEmbeddingsFillsVectors(t *testing.T) {
	ctx := context.Background()
	inner := &recordingStore{}
	e := &countingEmbedder{Hashing: Hashing{Dimensions: 32}}
	s := WithEmbeddings(inner, e)

	own := []float32{1, 0, 0}
	chunks := []memory.Chunk{
		{ID: "a", SourceTitle: "The Go Memory Model", Section: "Introduction", Text: "happens before"},
		{ID: "b", Text: "has its own vector", Vector: own},
		{ID: "c", Text: "channels"},
	}
	if err := s.Upsert(ctx, chunks); err != nil {
		t.Fatal(err)
	}
	if e.docCalls != 1 {
		t.Errorf("EmbedDocuments calls = %d, want 1 (one batched call)", e.docCalls)
	}
	if chunks[0].Vector != nil {
		t.Errorf("caller's chunk was modified")
	}
	got := inner.upserted
	want0 := e.Vector("The Go Memory Model\nIntroduction\nhappens before")
	if len(got) != 3 || len(got[0].Vector) != 32 || got[0].Vector[0] != want0[0] || cosine(got[0].Vector, want0) < 0.9999 {
		t.Errorf("chunk a was not embedded from title, section and text")
	}
	if len(got[1].Vector) != 3 {
		t.Errorf("chunk b: its own vector was replaced")
	}
	if len(got[2].Vector) != 32 {
		t.Errorf("chunk c: vector of %d, want 32", len(got[2].Vector))
	}

	if _, err := s.Search(ctx, memory.Query{Text: "memory model", TopK: 3}); err != nil {
		t.Fatal(err)
	}
	if len(inner.query.Vector) != 32 || inner.query.Text != "memory model" || inner.query.TopK != 3 {
		t.Errorf("Search query = %+v, want the text kept and a 32-dim vector added", inner.query)
	}
	if _, err := s.Search(ctx, memory.Query{Text: "x", Vector: own}); err != nil {
		t.Fatal(err)
	}
	if e.queryCalls != 1 || len(inner.query.Vector) != 3 {
		t.Errorf("a query with its own vector was embedded again")
	}

	e.fail = errors.New("boom")
	if err := s.Upsert(ctx, []memory.Chunk{{ID: "d", Text: "x"}}); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("Upsert with a failing embedder: err = %v, want it to carry the cause", err)
	}
}

// configFromEnv binds the embedder settings as the processes do, and
// resolves them as New does.
func configFromEnv(lookup func(string) (string, bool)) (Config, error) {
	c, err := config.Load(lookup)
	if err != nil {
		return Config{}, err
	}
	e := withDefaults(c.Embeddings)
	return e, validate(e)
}

// listingStore is a recordingStore that also lists documents, as the
// embedded and Qdrant stores do.
type listingStore struct {
	recordingStore
	filter memory.Filter
}

func (s *listingStore) Documents(_ context.Context, f memory.Filter) ([]memory.Document, error) {
	s.filter = f
	return []memory.Document{{SourceID: "s1", Location: "notes.md", Chunks: 2}}, nil
}

// The wrapped store still lists documents when its backend does: the
// gateway asserts memory.DocumentLister (with Count and Delete) on the store
// the stack hands it, and answered 501 no_memory on the dev stack when the
// wrapper hid it.
func TestWithEmbeddingsKeepsDocumentLister(t *testing.T) {
	inner := &listingStore{}
	s := WithEmbeddings(inner, Hashing{Dimensions: 32})
	st, ok := s.(interface {
		memory.Store
		memory.DocumentLister
	})
	if !ok {
		t.Fatalf("WithEmbeddings(a DocumentLister) = %T, which lists no documents", s)
	}
	f := memory.Filter{Corpus: "notes", SourceID: "s1"}
	docs, err := st.Documents(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || docs[0].Location != "notes.md" || inner.filter.Corpus != f.Corpus || inner.filter.SourceID != f.SourceID {
		t.Errorf("Documents(%+v) = %+v, backend asked with %+v; want the backend's list for the same filter", f, docs, inner.filter)
	}

	// A backend that cannot list is not made to look as if it could.
	if _, ok := WithEmbeddings(&recordingStore{}, Hashing{Dimensions: 32}).(memory.DocumentLister); ok {
		t.Errorf("WithEmbeddings(a store without Documents) claims to list documents")
	}
}
