package egress

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// ErrTooLarge is wrapped by ReadBody's error for a body over its limit.
var ErrTooLarge = errors.New("body over the size limit")

// ReadBody reads r to its end, at most limit bytes: a longer body is an
// error wrapping ErrTooLarge (nothing of it is returned), so a remote can
// never make a worker hold more than limit bytes of one answer.
func ReadBody(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w of %d bytes", ErrTooLarge, limit)
	}
	return b, nil
}

// excerptLen is how much of a body an error message quotes.
const excerptLen = 200

// Excerpt is the start of an answer's body for an error message, its white
// space folded and cut at 200 bytes (on a rune boundary), with every
// secret redacted, as ": <text>"; "" for an empty body.
func Excerpt(body []byte, secrets ...string) string {
	s := Redact(strings.Join(strings.Fields(string(body)), " "), secrets...)
	if s == "" {
		return ""
	}
	if len(s) > excerptLen {
		cut := excerptLen
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return ": " + s
}
