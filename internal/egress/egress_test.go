package egress

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/researchflow/researchflow/internal/fault"
)

// Every status class lands on its kind, with the retryability the kind
// promises and the Retry-After the remote sent on transient ones only.
func TestStatus(t *testing.T) {
	tests := []struct {
		code      int
		kind      string // "" : success
		permanent bool
	}{
		{200, "", false}, {201, "", false}, {204, "", false}, {299, "", false},
		{100, KindRejected, true}, {301, KindRejected, true}, {304, KindRejected, true},
		{400, KindRejected, true}, {402, KindRejected, true}, {405, KindRejected, true},
		{409, KindRejected, true}, {413, KindRejected, true}, {422, KindRejected, true}, {451, KindRejected, true},
		{401, KindUnauthorized, true}, {403, KindUnauthorized, true},
		{404, KindNotFound, true}, {410, KindNotFound, true},
		{408, KindUnavailable, false}, {500, KindUnavailable, false}, {502, KindUnavailable, false},
		{503, KindUnavailable, false}, {504, KindUnavailable, false}, {599, KindUnavailable, false},
		{429, KindRateLimited, false},
		{600, KindRejected, true},
	}
	for _, tt := range tests {
		if got := StatusKind(tt.code); got != tt.kind {
			t.Errorf("StatusKind(%d) = %q, want %q", tt.code, got, tt.kind)
		}
		cause := fmt.Errorf("svc: GET https://example.test/x: HTTP %d", tt.code)
		err := Status(tt.code, 7*time.Second, cause)
		if tt.kind == "" {
			if err != nil {
				t.Errorf("Status(%d) = %v, want nil", tt.code, err)
			}
			continue
		}
		fe, ok := fault.Classify(err)
		if !ok {
			t.Fatalf("Status(%d) = %v: not classified", tt.code, err)
		}
		if fe.Kind != tt.kind || fe.Permanent != tt.permanent {
			t.Errorf("Status(%d): kind %q permanent %v, want %q permanent %v", tt.code, fe.Kind, fe.Permanent, tt.kind, tt.permanent)
		}
		wantDelay := 7 * time.Second
		if tt.permanent {
			wantDelay = 0
		}
		if fe.RetryAfter != wantDelay {
			t.Errorf("Status(%d): RetryAfter %v, want %v", tt.code, fe.RetryAfter, wantDelay)
		}
		if !errors.Is(err, cause) || err.Error() != cause.Error() {
			t.Errorf("Status(%d) = %q: the caller's message and chain must be kept", tt.code, err)
		}
	}
}

// Each kind is transient or permanent, never both, and Fail applies it: a
// retry policy may list PermanentKinds as non-retryable.
func TestKindsAreOneScheme(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range Kinds() {
		if seen[k] {
			t.Errorf("kind %q listed twice", k)
		}
		seen[k] = true
		if !strings.HasPrefix(k, "egress.") {
			t.Errorf("kind %q is not an egress kind", k)
		}
		err := FailAfter(k, errors.New("x"), 3*time.Second)
		fe, _ := fault.Classify(err)
		if fe == nil || fe.Kind != k || fe.Permanent != Permanent(k) || fe.Permanent != slices.Contains(PermanentKinds(), k) {
			t.Errorf("FailAfter(%q) = %+v, want permanent=%v", k, fe, Permanent(k))
		}
		if fe != nil && fe.Permanent && fe.RetryAfter != 0 {
			t.Errorf("FailAfter(%q): a permanent error carries a retry delay", k)
		}
	}
	if len(seen) != 12 || len(PermanentKinds()) != 8 {
		t.Errorf("%d kinds, %d permanent; the scheme (doc.go, README) says 12 and 8", len(seen), len(PermanentKinds()))
	}
	p := PermanentKinds()
	p[0] = "mutated"
	if PermanentKinds()[0] == "mutated" {
		t.Error("PermanentKinds hands out its own slice")
	}
	if Permanent("llm.invalid_output") || Permanent("") {
		t.Error("a kind of another package counted as an egress permanent kind")
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name, in string
		want     time.Duration
	}{
		{"absent", "", 0},
		{"delta-seconds", "120", 2 * time.Minute},
		{"delta-seconds padded", "  5 ", 5 * time.Second},
		{"zero", "0", 0},
		{"negative", "-3", 0},
		{"huge delta capped at a day", "99999999999999999", 24 * time.Hour},
		{"beyond int64", "999999999999999999999999", 0},
		{"HTTP-date (IMF-fixdate)", "Fri, 04 Dec 2026 12:00:30 GMT", 30 * time.Second},
		{"HTTP-date (RFC 850)", "Friday, 04-Dec-26 12:01:00 GMT", time.Minute},
		{"HTTP-date (asctime)", "Fri Dec  4 12:00:10 2026", 10 * time.Second},
		{"HTTP-date in the past", "Fri, 04 Dec 2026 11:59:00 GMT", 0},
		{"HTTP-date far ahead capped", "Fri, 04 Dec 2027 12:00:00 GMT", 24 * time.Hour},
		{"garbage", "soon", 0},
		{"fraction", "1.5", 0},
		{"ISO date is not an HTTP-date", "2026-12-04T12:00:30Z", 0},
	}
	for _, tt := range tests {
		if got := RetryAfter(tt.in, now); got != tt.want {
			t.Errorf("%s: RetryAfter(%q) = %v, want %v", tt.name, tt.in, got, tt.want)
		}
	}
	h := http.Header{}
	h.Set("Retry-After", "4")
	if got := RetryAfterHeader(h, now); got != 4*time.Second {
		t.Errorf("RetryAfterHeader = %v, want 4s", got)
	}
	if got := RetryAfterHeader(nil, now); got != 0 {
		t.Errorf("RetryAfterHeader(nil) = %v", got)
	}
}

func TestRedaction(t *testing.T) {
	const key = "sk-live-4f9a8b7c6d5e"
	msg := "openai: Incorrect API key provided: " + key + " (and again " + key + ")"
	if got := Redact(msg, key); strings.Contains(got, key) || strings.Count(got, "[redacted]") != 2 {
		t.Errorf("Redact = %q", got)
	}
	if got := Redact("a key abc here", "abc", ""); got != "a key abc here" {
		t.Errorf("Redact with a 3-byte secret changed the message: %q", got)
	}
	if got := Redact("two keys: tok-one, tok-two", "tok-one", "tok-two"); got != "two keys: [redacted], [redacted]" {
		t.Errorf("Redact of two secrets = %q", got)
	}

	inner := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("refused for " + key)}
	err := RedactErr(fmt.Errorf("call: %w", inner), key)
	if strings.Contains(err.Error(), key) {
		t.Errorf("RedactErr kept the key: %q", err)
	}
	var oe *net.OpError
	if !errors.As(err, &oe) {
		t.Error("RedactErr lost the error chain")
	}
	if wrapped := fmt.Errorf("outer: %w", err); strings.Contains(wrapped.Error(), key) {
		t.Errorf("wrapping a redacted error shows the key: %q", wrapped)
	}
	plain := errors.New("nothing secret")
	if RedactErr(plain, key) != plain || RedactErr(nil, key) != nil {
		t.Error("RedactErr changed an error without secrets, or nil")
	}

	u, _ := url.Parse("https://user:pw@api.openalex.org/works?search=go&api_key=" + key + "#frag")
	if got := RedactURL(u); got != "https://api.openalex.org/works" {
		t.Errorf("RedactURL = %q", got)
	}
	if got := Excerpt([]byte(`{"error": "bad key `+key+`"}`), key); strings.Contains(got, key) || !strings.Contains(got, "bad key [redacted]") {
		t.Errorf("Excerpt = %q", got)
	}
}

func TestBodyLimits(t *testing.T) {
	b, err := ReadBody(strings.NewReader("12345"), 5)
	if err != nil || string(b) != "12345" {
		t.Errorf("ReadBody at the limit = %q, %v", b, err)
	}
	b, err = ReadBody(strings.NewReader("123456"), 5)
	if !errors.Is(err, ErrTooLarge) || b != nil {
		t.Errorf("ReadBody over the limit = %q, %v; want ErrTooLarge and nothing", b, err)
	}
	if _, err := ReadBody(io.MultiReader(strings.NewReader("ab"), errReader{}), 5); err == nil || errors.Is(err, ErrTooLarge) {
		t.Errorf("ReadBody of a failing reader = %v", err)
	}
	if got := Excerpt(nil); got != "" {
		t.Errorf("Excerpt(nil) = %q", got)
	}
	if got := Excerpt([]byte("  a \n\t b  ")); got != ": a b" {
		t.Errorf("Excerpt folds white space: %q", got)
	}
	long := strings.Repeat("é", 300) // 2 bytes a rune: byte 200 is a rune start, 199 is not
	got := Excerpt([]byte("x" + long))
	if !strings.HasSuffix(got, "…") || len(got) > len(": ")+excerptLen+len("…") || !utf8Valid(got) {
		t.Errorf("Excerpt of a long body = %d bytes, valid %v", len(got), utf8Valid(got))
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// The Recorder keeps what a client library would hide: status,
// Retry-After and the transport error of the call's last request.
func TestRecorder(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/busy":
			w.Header().Set("Retry-After", "9")
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			w.WriteHeader(http.StatusOK)
		}
	}))
	defer srv.Close()
	client := &http.Client{Transport: Recorder{}}
	get := func(ctx context.Context, path string) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}

	x := &Exchange{}
	ctx := WithExchange(context.Background(), x)
	if err := get(ctx, "/ok"); err != nil {
		t.Fatal(err)
	}
	if err := get(ctx, "/busy"); err != nil {
		t.Fatal(err)
	}
	status, after, terr := x.Result()
	if status != 503 || after != 9*time.Second || terr != nil || x.Requests() != 2 {
		t.Errorf("after /ok and /busy: status %d after %v err %v requests %d; want the last: 503, 9s, nil, 2", status, after, terr, x.Requests())
	}

	if err := get(context.Background(), "/busy"); err != nil { // no Exchange: nothing recorded, nothing breaks
		t.Fatal(err)
	}
	if x.Requests() != 2 {
		t.Errorf("a call without the Exchange was recorded into it")
	}

	srv.Close()
	y := &Exchange{}
	if err := get(WithExchange(context.Background(), y), "/ok"); err == nil {
		t.Fatal("request to a closed server succeeded")
	}
	if status, _, terr := y.Result(); status != 0 || terr == nil {
		t.Errorf("failed request: status %d err %v, want 0 and the transport error", status, terr)
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{
		"2024-11-20T10:15:00":           "2024-11-20T10:15:00Z",
		"2024-11-20T10:15:00+02:00":     "2024-11-20T08:15:00Z",
		"2024/03/05":                    "2024-03-05T00:00:00Z",
		"2024":                          "2024-01-01T00:00:00Z",
		"Wed, 20 Nov 2024 10:15:00 GMT": "2024-11-20T10:15:00Z",
	} {
		if got := ParseDate(in).Format(time.RFC3339); got != want {
			t.Errorf("ParseDate(%q) = %s, want %s", in, got, want)
		}
	}
	if !ParseDate("2 days ago").IsZero() || !ParseDate("").IsZero() {
		t.Error("relative or empty dates parsed")
	}
}

func TestRequestSecrets(t *testing.T) {
	req, _ := http.NewRequest(http.MethodGet, "https://u:pa55word@api.example/x?q=go&api_key=oa-key-123&token=tok-456", nil)
	req.Header.Set("Authorization", "Bearer tvly-abcdef")
	req.Header.Set("X-Subscription-Token", "brave-789xyz")
	req.Header.Set("X-Api-Key", "sk-ant-0000")
	secrets := RequestSecrets(req)
	msg := "echo: Bearer tvly-abcdef / tvly-abcdef / brave-789xyz / sk-ant-0000 / oa-key-123 / tok-456 / pa55word / go"
	got := Redact(msg, secrets...)
	for _, k := range []string{"tvly-abcdef", "brave-789xyz", "sk-ant-0000", "oa-key-123", "tok-456", "pa55word"} {
		if strings.Contains(got, k) {
			t.Errorf("Redact(RequestSecrets) kept %q: %s", k, got)
		}
	}
	if !strings.HasSuffix(got, "/ go") {
		t.Errorf("an ordinary query value was redacted: %s", got)
	}
	plain, _ := http.NewRequest(http.MethodGet, "https://api.example/x?q=go", nil)
	if s := RequestSecrets(plain); len(s) != 0 {
		t.Errorf("a request without credentials has secrets %q", s)
	}
}
