package gateway

import (
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/report"
)

// Report formats of GET /v1/research/{id}/report, chosen by Accept.
const (
	formatMarkdown = "text/markdown"
	formatJSON     = "application/json"
	formatHTML     = "text/html"
	formatPDF      = "application/pdf"
)

// reportFormat picks the report format an Accept header prefers: the
// highest q-value among Markdown (text/markdown, text/plain, text/*), JSON,
// HTML and PDF, the first listed on a tie; Markdown when none is named.
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
		case "application/pdf":
			f = formatPDF
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

// exportReport answers GET /report as an HTML page or a PDF document
// (downloaded as research-ID.pdf), titled with the question.
func (s *server) exportReport(c *gin.Context, format, id string, res rf.ResearchResult) error {
	title := res.Question
	if title == "" {
		title = res.Title
	}
	render, ctype := report.HTML, "text/html; charset=utf-8"
	if format == formatPDF {
		render, ctype = report.PDF, formatPDF
		c.Header("Content-Disposition", `attachment; filename="`+fileSafe(id)+`.pdf"`)
	}
	out, err := render(title, res.Report)
	if err != nil {
		return err
	}
	c.Header("Vary", "Accept")
	c.Data(http.StatusOK, ctype, out)
	return nil
}

// fileSafe keeps the letters, digits, '.', '_' and '-' of s (a run ID) for a
// download's file name; others become '_'.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 128 && (r == '.' || r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return r
		}
		return '_'
	}, s)
}
