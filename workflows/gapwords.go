package workflows

import (
	"strings"

	rf "github.com/researchflow/researchflow"
)

// Gaps and notes are read by people: they say what is missing in plain
// words ("Wikipedia could not be reached") and keep the technical cause
// (the error, with hosts and addresses) in rf.Gap.Cause, the audit and the JSON
// result, never in the report.

// sourceTitle is how a report names source (a rf.KnownSources name).
func sourceTitle(source string) string {
	switch source {
	case rf.SourceCorpus:
		return "The corpus"
	case rf.SourceWeb:
		return "The web search"
	case rf.SourceSearxNG:
		return "SearXNG"
	case rf.SourceTavily:
		return "Tavily"
	case rf.SourceBrave:
		return "Brave Search"
	case rf.SourceArxiv:
		return "arXiv"
	case rf.SourceOpenAlex:
		return "OpenAlex"
	case rf.SourceWikipedia:
		return "Wikipedia"
	}
	if source == "" {
		return "The search"
	}
	return source
}

// plainFailure says in plain words why what (a source title, or "the
// model") failed with the error text cause.
func plainFailure(what, cause string) string {
	c := strings.ToLower(cause)
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(c, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("budget"):
		return what + " was not used: the run's budget is spent"
	case has("401", "403", "unauthorized", "forbidden", "api key", "permission denied"):
		return what + " refused the request (check its API key)"
	case has("429", "rate limit", "too many requests"):
		return what + " limited the requests (rate limit); try again later"
	case has("500 ", "502", "503", "504", "service unavailable", "bad gateway", "internal server error"):
		return what + " was unavailable (its server answered with an error)"
	case has("no such host", "connection refused", "network is unreachable", "no route to host", "dial tcp",
		"i/o timeout", "timeout", "deadline exceeded", "connection reset", "tls:", "eof", "unreachable", "offline"):
		return what + " could not be reached"
	}
	return what + " could not be searched"
}

// plainReason rewrites a sub-question's failure reason recorded by the
// workflow ("search failed: <error>", "analysis failed: <error>") in plain
// words; reasons that are plain already are kept.
func plainReason(reason string) string {
	switch {
	case strings.HasPrefix(reason, "search failed: "):
		return strings.Replace(plainFailure("The search", strings.TrimPrefix(reason, "search failed: ")), "could not be searched", "failed", 1)
	case strings.HasPrefix(reason, "analysis failed: "):
		return strings.Replace(plainFailure("The model", strings.TrimPrefix(reason, "analysis failed: ")), "could not be searched", "could not analyze the passages", 1)
	}
	return reason
}
