package gateway

import (
	"mime"
	"strconv"
	"strings"
)

// Report formats of GET /v1/research/{id}/report, chosen by Accept.
const (
	formatMarkdown = "text/markdown"
	formatJSON     = "application/json"
	formatHTML     = "text/html"
)

// reportFormat picks the report format an Accept header prefers: the
// highest q-value among Markdown (text/markdown, text/plain, text/*), JSON
// and HTML, the first listed on a tie; Markdown when none is named.
func reportFormat(accept string) string {
	best, bestQ := formatMarkdown, -1.0
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		var f string
		switch mt {
		case "application/json":
			f = formatJSON
		case "text/html", "application/xhtml+xml":
			f = formatHTML
		case "text/markdown", "text/plain", "text/*":
			f = formatMarkdown
		default:
			continue
		}
		if q > bestQ && q > 0 {
			best, bestQ = f, q
		}
	}
	return best
}
