package fetch

import "github.com/researchflow/researchflow/internal/search"

// Config holds the fetching settings (RESEARCHFLOW_FETCH_*); see
// search.FetchConfig, where it is declared so that the configuration tree
// stays free of the page readers.
type Config = search.FetchConfig

// Defaults of the fetching limits.
const (
	DefaultMaxBytes = search.DefaultFetchMaxBytes
	DefaultTimeout  = search.DefaultFetchTimeout
	DefaultPerHost  = search.DefaultFetchPerHost
	MaxRedirects    = search.FetchMaxRedirects
)

// ConfigFromEnv reads the RESEARCHFLOW_FETCH_* settings through lookup
// (search.FetchConfigFromEnv).
func ConfigFromEnv(lookup func(string) (string, bool)) (Config, error) {
	return search.FetchConfigFromEnv(lookup)
}
