package fetch

import "github.com/researchflow/researchflow/internal/config"

// Config holds the fetching settings; package config declares it and
// binds it from RESEARCHFLOW_FETCH_* (config.Fetch).
type Config = config.Fetch

// Defaults of the fetching limits.
const (
	DefaultMaxBytes = config.DefaultFetchMaxBytes
	DefaultTimeout  = config.DefaultFetchTimeout
	DefaultPerHost  = config.DefaultFetchPerHost
	MaxRedirects    = config.FetchMaxRedirects
)
