package fetch

import "time"

// pageShape is the page type of the search activities (activities.WebPage):
// Page must keep these fields in this order so that one converts to the
// other. This line stops compiling when they drift apart.
type pageShape struct {
	URL, CanonicalURL, Title, Site string
	Published                      time.Time
	ContentType, Text              string
	AccessedAt                     time.Time
	DOI, ArxivID                   string
}

var _ = pageShape(Page{})
