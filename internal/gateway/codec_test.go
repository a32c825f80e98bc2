package gateway

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

// The codec server is mounted at /codec/… when given, outside API-key
// authentication (it has its own), and answers its own CORS preflights even
// for an origin the API also allows.
func TestCodecRoute(t *testing.T) {
	cfg := testConfig(t, map[string]string{"RESEARCHFLOW_CORS_ORIGINS": "http://ui.example"})
	var got []string
	codec := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Method+" "+r.URL.Path)
		w.WriteHeader(http.StatusTeapot)
	})
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	h, err := New(cfg, Deps{Runs: newMemRuns(), Logger: logger, Codec: codec, CodecOrigins: []string{"http://ui.example"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ method, path string }{
		{http.MethodPost, "/codec/decode"},
		{http.MethodPost, "/codec/encode"},
		{http.MethodOptions, "/codec/decode"},
	} {
		req := httptest.NewRequest(tt.method, tt.path, nil)
		req.Header.Set("Origin", "http://ui.example")
		req.Header.Set("Access-Control-Request-Method", "POST")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusTeapot {
			t.Errorf("%s %s = %d, want the codec handler's answer", tt.method, tt.path, rec.Code)
		}
	}
	if len(got) != 3 {
		t.Errorf("codec handler saw %v", got)
	}

	// Without a codec, there is no such route.
	h, err = New(cfg, Deps{Runs: newMemRuns(), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/codec/decode", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("POST /codec/decode without a codec = %d, want 404", rec.Code)
	}
}
