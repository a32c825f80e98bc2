package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/researchflow/researchflow/internal/egress"
)

// maxBody bounds a provider's response body: a page of results is a few
// hundred KiB at most.
const maxBody = 8 << 20

// send performs req and returns the body of a 2xx response. Other answers
// become errors classified by package egress's status table (429
// rate-limited and 408/5xx unavailable, both honouring Retry-After; 401/403
// unauthorized; 404/410 not found; other 4xx rejected). Messages name the
// provider and never the request URL's query (it may hold a key), and
// every credential the request carries is redacted from them (an error
// body may echo the key).
func send(client *http.Client, provider string, req *http.Request) ([]byte, error) {
	req.Header.Set("User-Agent", egress.UserAgent)
	secrets := egress.RequestSecrets(req)
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL may carry a key
		}
		err = egress.RedactErr(err, secrets...)
		if ctxErr := req.Context().Err(); errors.Is(ctxErr, context.Canceled) {
			return nil, fmt.Errorf("%s: %w", provider, ctxErr)
		}
		return nil, egress.Fail(egress.KindUnavailable, fmt.Errorf("%s: %s %s: %w", provider, req.Method, egress.RedactURL(req.URL), err))
	}
	defer resp.Body.Close()
	body, err := egress.ReadBody(resp.Body, maxBody)
	switch {
	case errors.Is(err, egress.ErrTooLarge):
		return nil, egress.Fail(egress.KindTooLarge, fmt.Errorf("%s: %s %s: answer is a %w", provider, req.Method, egress.RedactURL(req.URL), err))
	case err != nil:
		return nil, egress.Fail(egress.KindUnavailable, fmt.Errorf("%s: reading the answer: %w", provider, err))
	}
	code := resp.StatusCode
	now := time.Now()
	retry := egress.RetryAfterHeader(resp.Header, now)
	if retry == 0 && code == http.StatusTooManyRequests {
		// Brave sends X-RateLimit-Reset: seconds until each window resets,
		// shortest window first ("1, 1419704").
		first, _, _ := strings.Cut(resp.Header.Get("X-RateLimit-Reset"), ",")
		retry = egress.RetryAfter(first, now)
	}
	if err := egress.Status(code, retry, fmt.Errorf("%s: %s %s: HTTP %d%s", provider, req.Method, egress.RedactURL(req.URL), code, egress.Excerpt(body, secrets...))); err != nil {
		return nil, err
	}
	return body, nil
}

// decodeJSON decodes a provider's JSON body into v; a body that is not
// JSON of that shape is egress.KindBadResponse, quoted without secrets.
func decodeJSON(provider string, body []byte, v any, secrets ...string) error {
	if err := json.Unmarshal(body, v); err != nil {
		return egress.Fail(egress.KindBadResponse, fmt.Errorf("%s: answer is not the documented JSON: %w%s", provider, err, egress.Excerpt(body, secrets...)))
	}
	return nil
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
