package egress

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// redacted replaces a secret in messages.
const redacted = "[redacted]"

// minSecret is the shortest secret Redact replaces: shorter ones would
// blank ordinary words of a message (and are no real key).
const minSecret = 4

// Redact replaces every occurrence of each secret (an API key, a token) in
// s with "[redacted]". Secrets shorter than four bytes are left alone.
func Redact(s string, secrets ...string) string {
	for _, k := range secrets {
		if len(k) >= minSecret {
			s = strings.ReplaceAll(s, k, redacted)
		}
	}
	return s
}

// RedactErr is err with every secret redacted from its message; errors.Is
// and errors.As still see err's chain. nil stays nil, and err itself when
// its message holds no secret.
func RedactErr(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if r := Redact(msg, secrets...); r != msg {
		return &redactedError{msg: r, err: err}
	}
	return err
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// RedactURL is u for messages and logs: without its query and user
// information, where some services take keys (OpenAlex's api_key, a
// user:password@ host).
func RedactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	c.RawQuery, c.ForceQuery, c.User, c.Fragment, c.RawFragment = "", false, nil, "", ""
	return c.String()
}

// credentialHeaders are the request headers that carry keys and tokens.
var credentialHeaders = []string{"Authorization", "Proxy-Authorization", "X-Api-Key", "Api-Key", "X-Subscription-Token", "X-Goog-Api-Key"}

// credentialParams are the query parameters that carry keys and tokens.
var credentialParams = []string{"api_key", "apikey", "key", "token", "access_token"}

// RequestSecrets are the credentials req carries — the values of its
// credential headers (Authorization's token without its scheme too), of
// key and token query parameters, and the URL's password — for Redact:
// an adapter that does not hold its key itself can still keep it out of
// messages (a provider's error body may echo it).
func RequestSecrets(req *http.Request) []string {
	var out []string
	for _, h := range credentialHeaders {
		for _, v := range req.Header.Values(h) {
			out = append(out, v)
			if _, tok, ok := strings.Cut(v, " "); ok {
				out = append(out, strings.TrimSpace(tok))
			}
		}
	}
	if req.URL != nil {
		q := req.URL.Query()
		for _, p := range credentialParams {
			out = append(out, q[p]...)
		}
		if pw, ok := req.URL.User.Password(); ok {
			out = append(out, pw)
		}
	}
	// Longest first, so that a whole header value is replaced before the
	// token inside it.
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}
