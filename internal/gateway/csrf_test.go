package gateway

import (
	"bytes"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// In no-auth mode, any page a user visits could post a form to the gateway on
// loopback (the tester's upload of files=@f.md from http://evil.example was
// stored and ingested). State-changing requests from other sites must be
// refused; the web app (same origin), the configured origins and clients that
// are not browsers must keep working.
func TestCrossSiteRequestsRefused(t *testing.T) {
	cfg := testConfig(t, map[string]string{
		"RESEARCHFLOW_API_KEYS":     "", // local mode: no key stops a forged request
		"RESEARCHFLOW_CORS_ORIGINS": "https://app.example",
	})
	codecCalls := 0
	codec := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		codecCalls++
		w.WriteHeader(http.StatusOK)
	})
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	h, err := New(cfg, Deps{Runs: newMemRuns(), Logger: logger, Codec: codec,
		CodecOrigins: []string{"http://127.0.0.1:8233"}})
	if err != nil {
		t.Fatal(err)
	}
	// httptest requests are for Host example.com.
	for _, tt := range []struct {
		name    string
		method  string
		path    string
		headers []string
		want    int
	}{
		{"cross-site upload", "POST", "/v1/corpora/c1/documents",
			[]string{"Origin", "http://evil.example", "Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
		{"same-site upload (another port)", "POST", "/v1/corpora/c2/documents",
			[]string{"Origin", "http://example.com:9999", "Sec-Fetch-Site", "same-site"}, http.StatusForbidden},
		{"old browser, foreign Origin only", "POST", "/v1/corpora/c3/documents",
			[]string{"Origin", "http://evil.example"}, http.StatusForbidden},
		{"cross-site cancel", "POST", "/v1/research/r1/cancel",
			[]string{"Origin", "http://evil.example", "Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
		{"cross-site run delete", "DELETE", "/v1/research/r1",
			[]string{"Origin", "http://evil.example", "Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
		{"cross-site document delete", "DELETE", "/v1/corpora/c1/documents/d1",
			[]string{"Origin", "http://evil.example", "Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
		{"cross-site codec decode", "POST", "/codec/decode",
			[]string{"Origin", "http://evil.example", "Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
		{"API origin is not a codec origin", "POST", "/codec/decode",
			[]string{"Origin", "https://app.example", "Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},

		{"same-origin upload (web app)", "POST", "/v1/corpora/ok1/documents",
			[]string{"Origin", "http://example.com", "Sec-Fetch-Site", "same-origin"}, http.StatusAccepted},
		{"old browser, same-origin Origin", "POST", "/v1/corpora/ok2/documents",
			[]string{"Origin", "http://example.com"}, http.StatusAccepted},
		{"trusted origin upload", "POST", "/v1/corpora/ok3/documents",
			[]string{"Origin", "https://app.example", "Sec-Fetch-Site", "cross-site"}, http.StatusAccepted},
		{"no headers (curl, client, starter)", "POST", "/v1/corpora/ok4/documents", nil, http.StatusAccepted},
		{"user typed it (Sec-Fetch-Site none)", "POST", "/v1/corpora/ok5/documents",
			[]string{"Sec-Fetch-Site", "none"}, http.StatusAccepted},
		{"cross-site GET", "GET", "/v1/research",
			[]string{"Origin", "http://evil.example", "Sec-Fetch-Site", "cross-site"}, http.StatusOK},
		{"Web UI decodes from its origin", "POST", "/codec/decode",
			[]string{"Origin", "http://127.0.0.1:8233", "Sec-Fetch-Site", "same-site"}, http.StatusOK},
		{"Web UI preflight", "OPTIONS", "/codec/decode",
			[]string{"Origin", "http://127.0.0.1:8233", "Sec-Fetch-Site", "same-site", "Access-Control-Request-Method", "POST"}, http.StatusOK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			fw, err := mw.CreateFormFile("files", "f.md")
			if err != nil {
				t.Fatal(err)
			}
			fw.Write([]byte("# planted\n"))
			mw.Close()
			req := httptest.NewRequest(tt.method, tt.path, &body)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			for i := 0; i+1 < len(tt.headers); i += 2 {
				req.Header.Set(tt.headers[i], tt.headers[i+1])
			}
			before := codecCalls
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Fatalf("%s %s = %d %s, want %d", tt.method, tt.path, rec.Code, rec.Body, tt.want)
			}
			if tt.want != http.StatusForbidden {
				return
			}
			if got := errorCode(t, rec); got != "cross_origin" {
				t.Errorf("error code %q, want cross_origin", got)
			}
			setting := "RESEARCHFLOW_CORS_ORIGINS"
			if strings.HasPrefix(tt.path, "/codec/") {
				setting = "RESEARCHFLOW_CODEC_CORS_ORIGINS"
			}
			if !strings.Contains(rec.Body.String(), setting) {
				t.Errorf("refusal does not say what to configure (%s): %s", setting, rec.Body)
			}
			if codecCalls != before {
				t.Error("the codec server answered a refused request")
			}
			if strings.HasPrefix(tt.path, "/v1/corpora/") {
				corpus := strings.Split(tt.path, "/")[3]
				dir := filepath.Join(cfg.DataDir, "uploads", ownerHash(LocalOwner), corpus)
				if _, err := os.Stat(dir); !os.IsNotExist(err) {
					t.Errorf("a refused upload left %s (%v)", dir, err)
				}
			}
		})
	}
	// The allowed uploads were stored.
	for _, corpus := range []string{"ok1", "ok2", "ok3", "ok4", "ok5"} {
		dir := filepath.Join(cfg.DataDir, "uploads", ownerHash(LocalOwner), corpus)
		if _, err := os.Stat(filepath.Join(dir, "f.md")); err != nil {
			t.Errorf("allowed upload to %s not stored: %v", corpus, err)
		}
	}
}

// An origin that CrossOriginProtection cannot trust is a configuration
// mistake, reported when the gateway starts.
func TestCrossOriginBadOrigin(t *testing.T) {
	cfg := testConfig(t, map[string]string{"RESEARCHFLOW_CORS_ORIGINS": "app.example"})
	_, err := New(cfg, Deps{Runs: newMemRuns()})
	if err == nil || !strings.Contains(err.Error(), "RESEARCHFLOW_CORS_ORIGINS") {
		t.Errorf("New with origin %q: %v, want an error naming RESEARCHFLOW_CORS_ORIGINS", "app.example", err)
	}
}
