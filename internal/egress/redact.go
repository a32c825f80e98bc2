package egress

import (
	"net/url"
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
