package llm

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
)

// Provider names accepted in Config and RESEARCHFLOW_LLM_PROVIDER.
const (
	ProviderOffline   = "offline"
	ProviderOpenAI    = "openai"
	ProviderOllama    = "ollama"
	ProviderAnthropic = "anthropic"
)

// Role names, as used in env variable prefixes, Engine strings and Describe.
const (
	RolePlanner = "planner"
	RoleAnalyst = "analyst"
	RoleWriter  = "writer"
)

// Defaults applied by ConfigFromEnv and Config.Validate when a field is unset.
const (
	DefaultOpenAIBaseURL    = "https://api.openai.com/v1"
	DefaultOpenAIModel      = "gpt-4o-mini"
	DefaultOllamaBaseURL    = "http://127.0.0.1:11434"
	DefaultAnthropicBaseURL = "https://api.anthropic.com/v1"
	DefaultAnthropicModel   = "claude-3-5-haiku-latest"
	DefaultTemperature      = 0.2
)

// defaultMaxTokens is the completion cap of each role when none is set.
var defaultMaxTokens = map[string]int{RolePlanner: 512, RoleAnalyst: 1024, RoleWriter: 2048}

// RoleConfig says which model serves one role and how.
type RoleConfig struct {
	Provider string `json:"provider,omitempty"` // offline | openai | ollama | anthropic
	Model    string `json:"model,omitempty"`
	BaseURL  string `json:"baseURL,omitempty"`
	APIKey   string `json:"-"` // never serialized or logged
	// MaxTokens caps the completion of one model call (0 = role default).
	MaxTokens int `json:"maxTokens,omitempty"`
	// Temperature is the sampling temperature, 0..2.
	Temperature float64 `json:"temperature"`
	// NoStream asks for whole answers instead of streamed ones
	// (RESEARCHFLOW_LLM_STREAM=false). Activities heartbeat in the
	// background either way; streaming only adds beats while tokens arrive.
	NoStream bool `json:"noStream,omitempty"`
	// StructuredOutput is auto (default), json_schema, json_object or off:
	// whether to ask the server for JSON matching the role's schema
	// (OpenAI response_format, Ollama format). Whatever it is set to, a
	// server that refuses the field gets the request without it.
	StructuredOutput string `json:"structuredOutput,omitempty"`
}

// Enabled reports whether the role is served by a model.
func (r RoleConfig) Enabled() bool {
	return r.Provider != "" && r.Provider != ProviderOffline
}

// String describes the role without its API key.
func (r RoleConfig) String() string {
	if !r.Enabled() {
		return ProviderOffline
	}
	return r.Provider + "/" + r.Model
}

// Config holds the model settings of the three roles and the worker-side
// limits.
type Config struct {
	Planner RoleConfig `json:"planner"`
	Analyst RoleConfig `json:"analyst"`
	Writer  RoleConfig `json:"writer"`
	// RPM and TPM limit requests and tokens per minute on this worker
	// (0 = unlimited).
	RPM int `json:"rpm,omitempty"`
	TPM int `json:"tpm,omitempty"`
	// Prices turns token usage into CostUSD (empty = cost 0).
	Prices PriceTable `json:"prices,omitempty"`
}

// Enabled reports whether any role is served by a model. When it is false the
// offline extractive engine should be used.
func (c Config) Enabled() bool {
	return c.Planner.Enabled() || c.Analyst.Enabled() || c.Writer.Enabled()
}

// Role returns the settings of role (one of the Role constants).
func (c Config) Role(role string) RoleConfig {
	switch role {
	case RolePlanner:
		return c.Planner
	case RoleAnalyst:
		return c.Analyst
	case RoleWriter:
		return c.Writer
	}
	return RoleConfig{}
}

func (c *Config) setRole(role string, rc RoleConfig) {
	switch role {
	case RolePlanner:
		c.Planner = rc
	case RoleAnalyst:
		c.Analyst = rc
	case RoleWriter:
		c.Writer = rc
	}
}

var roles = []string{RolePlanner, RoleAnalyst, RoleWriter}

// Validate fills defaults (base URL, model, MaxTokens) and reports the first
// invalid setting with the role and field it concerns.
func (c *Config) Validate() error {
	if c.RPM < 0 || c.TPM < 0 {
		return fmt.Errorf("llm config: rpm and tpm must be >= 0 (got %d, %d)", c.RPM, c.TPM)
	}
	for _, role := range roles {
		rc := c.Role(role)
		if err := rc.normalize(role); err != nil {
			return fmt.Errorf("llm config: %s: %w (settings: RESEARCHFLOW_%s_*, RESEARCHFLOW_LLM_*, OPENAI_*)", role, err, strings.ToUpper(role))
		}
		c.setRole(role, rc)
	}
	return nil
}

func (r *RoleConfig) normalize(role string) error {
	r.Provider = strings.ToLower(strings.TrimSpace(r.Provider))
	if r.Provider == "" {
		r.Provider = ProviderOffline
	}
	switch r.Provider {
	case ProviderOffline:
		return nil
	case ProviderOpenAI:
		if r.BaseURL == "" {
			r.BaseURL = DefaultOpenAIBaseURL
		}
		if r.Model == "" {
			r.Model = DefaultOpenAIModel
		}
		if r.APIKey == "" && isOpenAIHost(r.BaseURL) {
			return fmt.Errorf("provider openai at %s needs an API key (RESEARCHFLOW_LLM_API_KEY or OPENAI_API_KEY)", r.BaseURL)
		}
	case ProviderOllama:
		if r.BaseURL == "" {
			r.BaseURL = DefaultOllamaBaseURL
		}
		if r.Model == "" {
			return errors.New("provider ollama needs a model (RESEARCHFLOW_LLM_MODEL, e.g. llama3.1)")
		}
	case ProviderAnthropic:
		if r.BaseURL == "" {
			r.BaseURL = DefaultAnthropicBaseURL
		}
		if r.Model == "" {
			r.Model = DefaultAnthropicModel
		}
		if r.APIKey == "" {
			return errors.New("provider anthropic needs an API key (RESEARCHFLOW_LLM_API_KEY or ANTHROPIC_API_KEY)")
		}
	default:
		return fmt.Errorf("unknown provider %q (want offline, openai, ollama or anthropic)", r.Provider)
	}
	u, err := url.Parse(r.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("base URL %q is not an http(s) URL", r.BaseURL)
	}
	if r.MaxTokens < 0 {
		return fmt.Errorf("max tokens must be >= 0 (got %d)", r.MaxTokens)
	}
	if r.MaxTokens == 0 {
		r.MaxTokens = defaultMaxTokens[role]
	}
	if r.Temperature < 0 || r.Temperature > 2 {
		return fmt.Errorf("temperature must be within 0..2 (got %g)", r.Temperature)
	}
	r.StructuredOutput = strings.ToLower(strings.TrimSpace(r.StructuredOutput))
	switch r.StructuredOutput {
	case "":
		r.StructuredOutput = StructuredAuto
	case StructuredAuto, StructuredJSONSchema, StructuredJSONObject, StructuredOff:
	default:
		return fmt.Errorf("structured output %q: want auto, json_schema, json_object or off", r.StructuredOutput)
	}
	return nil
}

func isOpenAIHost(baseURL string) bool {
	u, err := url.Parse(baseURL)
	return err == nil && strings.EqualFold(u.Hostname(), "api.openai.com")
}

// fileRole is a RoleConfig as read from RESEARCHFLOW_LLM_CONFIG: pointers tell
// "unset" from zero.
type fileRole struct {
	Provider    string   `json:"provider"`
	Model       string   `json:"model"`
	BaseURL     string   `json:"baseURL"`
	APIKey      string   `json:"apiKey"`
	MaxTokens   *int     `json:"maxTokens"`
	Temperature *float64 `json:"temperature"`
	Stream      *bool    `json:"stream"`
	Structured  string   `json:"structuredOutput"`
}

type fileConfig struct {
	fileRole
	Planner *fileRole  `json:"planner"`
	Analyst *fileRole  `json:"analyst"`
	Writer  *fileRole  `json:"writer"`
	RPM     *int       `json:"rpm"`
	TPM     *int       `json:"tpm"`
	Prices  PriceTable `json:"prices"`
}

func (f *fileConfig) role(role string) *fileRole {
	switch role {
	case RolePlanner:
		return f.Planner
	case RoleAnalyst:
		return f.Analyst
	case RoleWriter:
		return f.Writer
	}
	return nil
}

func (f *fileRole) apply(r *RoleConfig) {
	if f == nil {
		return
	}
	if f.Provider != "" {
		r.Provider = f.Provider
	}
	if f.Model != "" {
		r.Model = f.Model
	}
	if f.BaseURL != "" {
		r.BaseURL = f.BaseURL
	}
	if f.APIKey != "" {
		r.APIKey = f.APIKey
	}
	if f.MaxTokens != nil {
		r.MaxTokens = *f.MaxTokens
	}
	if f.Temperature != nil {
		r.Temperature = *f.Temperature
	}
	if f.Stream != nil {
		r.NoStream = !*f.Stream
	}
	if f.Structured != "" {
		r.StructuredOutput = f.Structured
	}
}

// ConfigFromEnv reads the model settings from env variables (through lookup,
// e.g. os.LookupEnv), validates them and fills defaults.
//
// Precedence, lowest first: defaults; the JSON file named by
// RESEARCHFLOW_LLM_CONFIG (top-level fields for all roles, then "planner",
// "analyst", "writer" objects); RESEARCHFLOW_LLM_* for all roles;
// RESEARCHFLOW_<ROLE>_PROVIDER/_MODEL/_BASE_URL/_API_KEY/_MAX_TOKENS/
// _TEMPERATURE/_STREAM/_STRUCTURED_OUTPUT per role. _STREAM is true or false
// (default true); _STRUCTURED_OUTPUT is auto (default), json_schema,
// json_object or off. In the file the same settings are "stream" and
// "structuredOutput".
//
// When no Researchflow variable names a provider but OPENAI_BASE_URL or
// OPENAI_API_KEY is set, every role uses the OpenAI-compatible provider
// (model from OPENAI_MODEL, else DefaultOpenAIModel). OpenAI roles without a
// key or base URL take OPENAI_API_KEY / OPENAI_BASE_URL, Anthropic roles take
// ANTHROPIC_API_KEY, Ollama roles take OLLAMA_HOST. With nothing configured
// every role is offline and Enabled is false.
func ConfigFromEnv(lookup func(string) (string, bool)) (Config, error) {
	get := func(name string) string {
		v, ok := lookup(name)
		if !ok {
			return ""
		}
		return strings.TrimSpace(v)
	}

	var file fileConfig
	if path := get("RESEARCHFLOW_LLM_CONFIG"); path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return Config{}, fmt.Errorf("llm config: read RESEARCHFLOW_LLM_CONFIG: %w", err)
		}
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&file); err != nil {
			return Config{}, fmt.Errorf("llm config: parse %s: %w", path, err)
		}
	}

	base := RoleConfig{Temperature: DefaultTemperature}
	file.fileRole.apply(&base)
	general, err := envRole(get, "RESEARCHFLOW_LLM_")
	if err != nil {
		return Config{}, err
	}
	general.apply(&base)

	cfg := Config{Prices: file.Prices}
	if file.RPM != nil {
		cfg.RPM = *file.RPM
	}
	if file.TPM != nil {
		cfg.TPM = *file.TPM
	}
	for _, v := range []struct {
		name string
		dst  *int
	}{{"RESEARCHFLOW_LLM_RPM", &cfg.RPM}, {"RESEARCHFLOW_LLM_TPM", &cfg.TPM}} {
		if s := get(v.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				return Config{}, fmt.Errorf("llm config: %s=%q is not an integer", v.name, s)
			}
			*v.dst = n
		}
	}
	if s := get("RESEARCHFLOW_PRICES"); s != "" {
		p, err := ParsePrices(s)
		if err != nil {
			return Config{}, fmt.Errorf("llm config: RESEARCHFLOW_PRICES: %w", err)
		}
		cfg.Prices = p
	}

	named := base.Provider != ""
	for _, role := range roles {
		rc := base
		file.role(role).apply(&rc)
		override, err := envRole(get, "RESEARCHFLOW_"+strings.ToUpper(role)+"_")
		if err != nil {
			return Config{}, err
		}
		override.apply(&rc)
		if rc.Provider != "" {
			named = true
		}
		cfg.setRole(role, rc)
	}

	openAIKey, openAIURL := get("OPENAI_API_KEY"), get("OPENAI_BASE_URL")
	if openAIURL == "" {
		openAIURL = get("OPENAI_API_BASE")
	}
	if !named && (openAIKey != "" || openAIURL != "") {
		for _, role := range roles {
			rc := cfg.Role(role)
			rc.Provider = ProviderOpenAI
			cfg.setRole(role, rc)
		}
	}
	for _, role := range roles {
		rc := cfg.Role(role)
		switch strings.ToLower(rc.Provider) {
		case ProviderOpenAI:
			rc.APIKey = firstNonEmpty(rc.APIKey, openAIKey)
			rc.BaseURL = firstNonEmpty(rc.BaseURL, openAIURL)
			rc.Model = firstNonEmpty(rc.Model, get("OPENAI_MODEL"))
		case ProviderAnthropic:
			rc.APIKey = firstNonEmpty(rc.APIKey, get("ANTHROPIC_API_KEY"))
		case ProviderOllama:
			if h := get("OLLAMA_HOST"); rc.BaseURL == "" && h != "" {
				if !strings.Contains(h, "://") {
					h = "http://" + h
				}
				rc.BaseURL = h
			}
		}
		cfg.setRole(role, rc)
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// envRole reads PROVIDER, MODEL, BASE_URL, API_KEY, MAX_TOKENS,
// TEMPERATURE, STREAM and STRUCTURED_OUTPUT under prefix.
func envRole(get func(string) string, prefix string) (*fileRole, error) {
	r := &fileRole{
		Provider:   get(prefix + "PROVIDER"),
		Model:      get(prefix + "MODEL"),
		BaseURL:    get(prefix + "BASE_URL"),
		APIKey:     get(prefix + "API_KEY"),
		Structured: get(prefix + "STRUCTURED_OUTPUT"),
	}
	if s := get(prefix + "STREAM"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, fmt.Errorf("llm config: %sSTREAM=%q is not true or false", prefix, s)
		}
		r.Stream = &b
	}
	if s := get(prefix + "MAX_TOKENS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, fmt.Errorf("llm config: %sMAX_TOKENS=%q is not an integer", prefix, s)
		}
		r.MaxTokens = &n
	}
	if s := get(prefix + "TEMPERATURE"); s != "" {
		t, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("llm config: %sTEMPERATURE=%q is not a number", prefix, s)
		}
		r.Temperature = &t
	}
	return r, nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
