package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/researchflow/researchflow/internal/fault"
)

// maxBody bounds a provider's response body: a page of results is a few
// hundred KiB at most.
const maxBody = 8 << 20

// send performs req and returns the body of a 2xx response. Other answers
// become classified errors: 429 rate-limited (Retry-After honoured), 408
// and 5xx unavailable (Retry-After honoured), 401/403 unauthorized, other
// 4xx rejected. Messages name the provider and never the request URL's
// query (it may hold a key).
func send(client *http.Client, provider string, req *http.Request) ([]byte, error) {
	req.Header.Set("User-Agent", UserAgent)
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL may carry a key
		}
		if ctxErr := req.Context().Err(); errors.Is(ctxErr, context.Canceled) {
			return nil, fmt.Errorf("%s: %w", provider, ctxErr)
		}
		return nil, fault.Transient(KindUnavailable, fmt.Errorf("%s: %s %s: %w", provider, req.Method, redact(req.URL), err), 0)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, fault.Transient(KindUnavailable, fmt.Errorf("%s: reading the answer: %w", provider, err), 0)
	}
	code := resp.StatusCode
	if code >= 200 && code < 300 {
		return body, nil
	}
	msg := fmt.Errorf("%s: %s %s: HTTP %d%s", provider, req.Method, redact(req.URL), code, excerpt(body))
	retry := RetryAfter(resp.Header.Get("Retry-After"), time.Now())
	if retry == 0 && code == http.StatusTooManyRequests {
		// Brave sends X-RateLimit-Reset: seconds until each window resets,
		// shortest window first ("1, 1419704").
		first, _, _ := strings.Cut(resp.Header.Get("X-RateLimit-Reset"), ",")
		retry = RetryAfter(first, time.Now())
	}
	switch {
	case code == http.StatusTooManyRequests:
		return nil, fault.Transient(KindRateLimited, msg, retry)
	case code == http.StatusRequestTimeout || code >= 500:
		return nil, fault.Transient(KindUnavailable, msg, retry)
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return nil, fault.Permanent(KindUnauthorized, msg)
	}
	return nil, fault.Permanent(KindRejected, msg)
}

// decodeJSON decodes a provider's JSON body into v; a body that is not
// JSON of that shape is KindBadResponse.
func decodeJSON(provider string, body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return fault.Transient(KindBadResponse, fmt.Errorf("%s: answer is not the documented JSON: %w%s", provider, err, excerpt(body)), 0)
	}
	return nil
}

// redact is u without its query (keys travel there for some providers).
func redact(u *url.URL) string {
	c := *u
	c.RawQuery, c.User = "", nil
	return c.String()
}

// excerpt is the start of a body for an error message.
func excerpt(body []byte) string {
	s := strings.Join(strings.Fields(string(body)), " ")
	if s == "" {
		return ""
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return ": " + s
}

// hostOf is the host of a URL without "www.", "" when it has none.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
}

// webURL reports whether raw is an absolute http(s) URL: providers' hits
// that are not are dropped.
func webURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// joinURL appends path to a base URL (which may have a path of its own).
func joinURL(base, path string) string {
	return strings.TrimRight(base, "/") + path
}
