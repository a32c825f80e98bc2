package llm

import (
	"net/url"
	"strings"

	"github.com/researchflow/researchflow/internal/config"
)

// Provider names accepted in Config and RESEARCHFLOW_LLM_PROVIDER.
const (
	ProviderOffline   = config.ProviderOffline
	ProviderOpenAI    = config.ProviderOpenAI
	ProviderOllama    = config.ProviderOllama
	ProviderAnthropic = config.ProviderAnthropic
)

// Role names, as used in env variable prefixes, Engine strings and Describe.
const (
	RolePlanner = config.RolePlanner
	RoleAnalyst = config.RoleAnalyst
	RoleWriter  = config.RoleWriter
)

// Defaults applied by package config and Config.Validate when a field is
// unset.
const (
	DefaultOpenAIBaseURL    = config.DefaultOpenAIBaseURL
	DefaultOpenAIModel      = config.DefaultLLMOpenAIModel
	DefaultOllamaBaseURL    = config.DefaultOllamaBaseURL
	DefaultAnthropicBaseURL = config.DefaultAnthropicBaseURL
	DefaultAnthropicModel   = config.DefaultAnthropicModel
	DefaultTemperature      = config.DefaultTemperature
)

// RoleConfig says which model serves one role and how; package config
// declares it and binds it from RESEARCHFLOW_LLM_*, RESEARCHFLOW_<ROLE>_*
// and OPENAI_* (see config.LLM).
type RoleConfig = config.LLMRole

// Config holds the model settings of the three roles and the worker-side
// limits (config.LLM).
type Config = config.LLM

var roles = []string{RolePlanner, RoleAnalyst, RoleWriter}

func isOpenAIHost(baseURL string) bool {
	u, err := url.Parse(baseURL)
	return err == nil && strings.EqualFold(u.Hostname(), "api.openai.com")
}
