package search

import (
	"strings"

	"golang.org/x/net/html"
)

// stripTags returns the text of an HTML fragment, entities decoded.
func stripTags(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	for {
		switch z.Next() {
		case html.ErrorToken:
			return b.String()
		case html.TextToken:
			b.Write(z.Text())
		}
	}
}
