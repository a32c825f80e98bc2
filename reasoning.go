package researchflow

import "time"

// Values of a report that callers read: its numbered sources and what its
// model calls cost. The engines' own requests and answers are declared in
// internal/reasoning.

// Source is a numbered entry of a report's source list. Numbers are assigned
// once, before writing, and never change.
type Source struct {
	N        int    `json:"n"`
	SourceID string `json:"sourceId"`
	Title    string `json:"title"`
	// Location is where the source was read: a file path on the machine
	// that read it, or a page's URL.
	Location string `json:"location"`
	// Link is the public address of a corpus document that has one: a
	// file of the Go documentation (the default corpus, read from this
	// machine's Go installation) links its go.dev or pkg.go.dev page. The
	// analysis sets it when it binds a finding to the document. Reports,
	// the API and the web app show it in place of Location, which means
	// nothing on another machine; empty for other files and for web
	// pages (URL). A result recorded before sources had links has none:
	// the gateway gives such a source its link when it serves it
	// (internal/godoc.Link), and the stored result stays as it was.
	Link string `json:"link,omitempty"`
	// ChunkIDs are the chunks of this source that findings came from, so that
	// readers can open the exact passages (by reference: texts stay in memory).
	ChunkIDs []string `json:"chunkIds,omitempty"`
	// URL, Site, AccessedAt and Published describe a page read from the
	// web (a provider source): the report's Sources list shows them. A
	// corpus document leaves them empty.
	URL        string    `json:"url,omitempty"`
	Site       string    `json:"site,omitempty"`
	AccessedAt time.Time `json:"accessedAt,omitzero"`
	Published  time.Time `json:"published,omitzero"`
	// Provider is the source name that found it ("arxiv", "web", …).
	Provider string `json:"provider,omitempty"`
}

// Usage counts model tokens spent on one call or summed over many.
//
// Calls counts the model calls made (a request refused for an optional
// field and sent again without it is one call); FailedCalls, those of them
// that gave nothing usable: an error reply (429, 5xx, a cut stream) or an
// answer that could not be used. The tokens the server charged for them are
// included in the counts all the same.
type Usage struct {
	PromptTokens     int     `json:"promptTokens,omitempty"`
	CompletionTokens int     `json:"completionTokens,omitempty"`
	CostUSD          float64 `json:"costUsd,omitempty"`
	Calls            int     `json:"calls,omitempty"`
	FailedCalls      int     `json:"failedCalls,omitempty"`
}

// Tokens is the sum of prompt and completion tokens.
func (u Usage) Tokens() int { return u.PromptTokens + u.CompletionTokens }

// Add returns the sum of u and v.
func (u Usage) Add(v Usage) Usage {
	return Usage{
		PromptTokens:     u.PromptTokens + v.PromptTokens,
		CompletionTokens: u.CompletionTokens + v.CompletionTokens,
		CostUSD:          u.CostUSD + v.CostUSD,
		Calls:            u.Calls + v.Calls,
		FailedCalls:      u.FailedCalls + v.FailedCalls,
	}
}
