package report

import (
	"bytes"
	"fmt"
	"html"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// markdown converts reports with goldmark (CommonMark and GitHub's tables,
// strikethrough and autolinks). Raw HTML in a report is escaped, never
// passed through: a report quotes pages and files that may hold any markup.
var markdown = goldmark.New(goldmark.WithExtensions(extension.GFM))

// HTML renders a Markdown report as a standalone HTML document titled
// title, for download and printing.
func HTML(title, md string) ([]byte, error) {
	var body bytes.Buffer
	if err := markdown.Convert([]byte(md), &body); err != nil {
		return nil, fmt.Errorf("render the report as HTML: %w", err)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%s</title>
<style>
body{font:16px/1.55 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;background:#fff}
code,pre{font-family:ui-monospace,monospace;font-size:.92em}
pre{overflow-x:auto;background:#f4f4f4;padding:.6rem}
hr{border:0;border-top:1px solid #ccc;margin:2rem 0 1rem}
hr~p{color:#555;font-size:.9em}
a{overflow-wrap:anywhere}
@media (prefers-color-scheme:dark){body{color:#e6e6e6;background:#141414}pre{background:#222}hr~p{color:#aaa}a{color:#8ab4f8}}
</style>
</head>
<body>
`, html.EscapeString(title))
	b.Write(body.Bytes())
	b.WriteString("</body>\n</html>\n")
	return b.Bytes(), nil
}
