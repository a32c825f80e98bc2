package researchflow

import (
	"strings"
)

// Gaps and notes are read by people: they say what is missing in plain
// words ("Wikipedia could not be reached") and keep the technical cause
// (the error, with hosts and addresses) in Gap.Cause, the audit and the JSON
// result, never in the report.

// SourceTitle is how a report names source (a KnownSources name).
func SourceTitle(source string) string {
	switch source {
	case SourceCorpus:
		return "The corpus"
	case SourceWeb:
		return "The web search"
	case SourceSearxNG:
		return "SearXNG"
	case SourceTavily:
		return "Tavily"
	case SourceBrave:
		return "Brave Search"
	case SourceArxiv:
		return "arXiv"
	case SourceOpenAlex:
		return "OpenAlex"
	case SourceWikipedia:
		return "Wikipedia"
	}
	if source == "" {
		return "The search"
	}
	return source
}

// PlainFailure says in plain words why what (a source title, or "the
// model") failed with the error text cause.
func PlainFailure(what, cause string) string {
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

// PlainReason rewrites a sub-question's failure reason recorded by the
// workflow ("search failed: <error>", "analysis failed: <error>") in plain
// words; reasons that are plain already are kept.
func PlainReason(reason string) string {
	switch {
	case strings.HasPrefix(reason, "search failed: "):
		return strings.Replace(PlainFailure("The search", strings.TrimPrefix(reason, "search failed: ")), "could not be searched", "failed", 1)
	case strings.HasPrefix(reason, "analysis failed: "):
		return strings.Replace(PlainFailure("The model", strings.TrimPrefix(reason, "analysis failed: ")), "could not be searched", "could not analyze the passages", 1)
	}
	return reason
}
