package search

import "time"

// queryShape and resultShape are the search activities' WebQuery and
// WebResult: Query and Result must keep these fields in this order so that
// one converts to the other. These lines stop compiling when they drift
// apart.
type queryShape struct {
	Text     string
	Limit    int
	Category string
	Language string
}

type resultShape struct {
	URL, Title, Snippet, Site string
	Published                 time.Time
	DOI, ArxivID              string
	Provider                  string
}

var (
	_ = queryShape(Query{})
	_ = resultShape(Result{})
)
