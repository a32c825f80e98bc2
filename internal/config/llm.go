package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
)

// Model providers accepted in LLM and RESEARCHFLOW_LLM_PROVIDER.
const (
	ProviderOffline   = "offline"
	ProviderOpenAI    = "openai"
	ProviderOllama    = "ollama"
	ProviderAnthropic = "anthropic"
)

// Structured-output settings (LLMRole.StructuredOutput).
const (
	StructuredAuto       = "auto"        // JSON schema, then JSON mode, then none, as the server accepts
	StructuredJSONSchema = "json_schema" // JSON schema, else none
	StructuredJSONObject = "json_object" // JSON mode, else none
	StructuredOff        = "off"         // never ask for structured output
)

// Role names, as used in env variable prefixes, Engine strings and Describe.
const (
	RolePlanner = "planner"
	RoleAnalyst = "analyst"
	RoleWriter  = "writer"
)

// Defaults applied by the binder and LLM.Validate when a field is unset.
const (
	DefaultOpenAIBaseURL    = "https://api.openai.com/v1"
	DefaultLLMOpenAIModel   = "gpt-4o-mini"
	DefaultOllamaBaseURL    = "http://127.0.0.1:11434"
	DefaultAnthropicBaseURL = "https://api.anthropic.com/v1"
	DefaultAnthropicModel   = "claude-3-5-haiku-latest"
	DefaultTemperature      = 0.2
)

// defaultMaxTokens is the completion cap of each role when none is set.
var defaultMaxTokens = map[string]int{RolePlanner: 512, RoleAnalyst: 1024, RoleWriter: 2048}

// LLMRole says which model serves one role and how.
type LLMRole struct {
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
func (r LLMRole) Enabled() bool {
	return r.Provider != "" && r.Provider != ProviderOffline
}

// String describes the role without its API key.
func (r LLMRole) String() string {
	if !r.Enabled() {
		return ProviderOffline
	}
	return r.Provider + "/" + r.Model
}

// LLM holds the model settings of the three roles and the worker-side
// limits (package llm).
type LLM struct {
	Planner LLMRole `json:"planner"`
	Analyst LLMRole `json:"analyst"`
	Writer  LLMRole `json:"writer"`
	// RPM and TPM limit requests and tokens per minute on this worker
	// (0 = unlimited).
	RPM int `json:"rpm,omitempty"`
	TPM int `json:"tpm,omitempty"`
	// Prices turns token usage into CostUSD (empty = cost 0).
	Prices PriceTable `json:"prices,omitempty"`
}

// Enabled reports whether any role is served by a model. When it is false the
// offline extractive engine should be used.
func (c LLM) Enabled() bool {
	return c.Planner.Enabled() || c.Analyst.Enabled() || c.Writer.Enabled()
}

// Role returns the settings of role (one of the Role constants).
func (c LLM) Role(role string) LLMRole {
	switch role {
	case RolePlanner:
		return c.Planner
	case RoleAnalyst:
		return c.Analyst
	case RoleWriter:
		return c.Writer
	}
	return LLMRole{}
}

func (c *LLM) setRole(role string, rc LLMRole) {
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
func (c *LLM) Validate() error {
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

func (r *LLMRole) normalize(role string) error {
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
			r.Model = DefaultLLMOpenAIModel
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

// fileRole is a LLMRole as read from RESEARCHFLOW_LLM_CONFIG: pointers tell
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

func (f *fileRole) apply(r *LLMRole) {
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

// bindLLM reads the model settings, validates them and fills defaults.
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
// (model from OPENAI_MODEL, else DefaultLLMOpenAIModel). OpenAI roles without a
// key or base URL take OPENAI_API_KEY / OPENAI_BASE_URL, Anthropic roles take
// ANTHROPIC_API_KEY, Ollama roles take OLLAMA_HOST. With nothing configured
// every role is offline and Enabled is false.
func bindLLM(b *binder) LLM {
	get := b.get

	var file fileConfig
	if path := get("RESEARCHFLOW_LLM_CONFIG"); path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			b.failErr("RESEARCHFLOW_LLM_CONFIG", err)
		} else {
			dec := json.NewDecoder(strings.NewReader(string(data)))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&file); err != nil {
				b.fail("RESEARCHFLOW_LLM_CONFIG", "parse %s: %w", path, err)
				file = fileConfig{}
			}
		}
	}

	base := LLMRole{Temperature: DefaultTemperature}
	file.fileRole.apply(&base)
	envRole(b, "RESEARCHFLOW_LLM_").apply(&base)

	cfg := LLM{Prices: file.Prices}
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
				b.fail(v.name, "want a whole number, not %q", s)
				continue
			}
			*v.dst = n
		}
	}
	if s := get("RESEARCHFLOW_PRICES"); s != "" {
		p, err := ParsePrices(s)
		if err != nil {
			b.failErr("RESEARCHFLOW_PRICES", err)
		} else {
			cfg.Prices = p
		}
	}

	named := base.Provider != ""
	for _, role := range roles {
		rc := base
		file.role(role).apply(&rc)
		envRole(b, "RESEARCHFLOW_"+strings.ToUpper(role)+"_").apply(&rc)
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
		b.failErr("RESEARCHFLOW_LLM_*", err)
	}
	return cfg
}

// envRole reads PROVIDER, MODEL, BASE_URL, API_KEY, MAX_TOKENS,
// TEMPERATURE, STREAM and STRUCTURED_OUTPUT under prefix.
func envRole(b *binder, prefix string) *fileRole {
	r := &fileRole{
		Provider:   b.get(prefix + "PROVIDER"),
		Model:      b.get(prefix + "MODEL"),
		BaseURL:    b.get(prefix + "BASE_URL"),
		APIKey:     b.get(prefix + "API_KEY"),
		Structured: b.get(prefix + "STRUCTURED_OUTPUT"),
	}
	if s := b.get(prefix + "STREAM"); s != "" {
		if v, err := strconv.ParseBool(s); err != nil {
			b.fail(prefix+"STREAM", "%q is not true or false", s)
		} else {
			r.Stream = &v
		}
	}
	if s := b.get(prefix + "MAX_TOKENS"); s != "" {
		if n, err := strconv.Atoi(s); err != nil {
			b.fail(prefix+"MAX_TOKENS", "%q is not an integer", s)
		} else {
			r.MaxTokens = &n
		}
	}
	if s := b.get(prefix + "TEMPERATURE"); s != "" {
		if t, err := strconv.ParseFloat(s, 64); err != nil {
			b.fail(prefix+"TEMPERATURE", "%q is not a number", s)
		} else {
			r.Temperature = &t
		}
	}
	return r
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// Price is what a model costs, in USD per million tokens.
type Price struct {
	Input  float64 `json:"input"`
	Output float64 `json:"output"`
}

// PriceTable maps a model ("gpt-4o-mini") or a provider-qualified model
// ("openai/gpt-4o-mini") to its price. Models not in the table cost 0.
type PriceTable map[string]Price

// Cost returns the USD cost of a call to provider/model.
func (t PriceTable) Cost(provider, model string, promptTokens, completionTokens int) float64 {
	p, ok := t[provider+"/"+model]
	if !ok {
		p, ok = t[model]
	}
	if !ok {
		return 0
	}
	return (float64(promptTokens)*p.Input + float64(completionTokens)*p.Output) / 1e6
}

// ParsePrices reads a price table from JSON text or, when s does not start
// with '{', from the JSON file named s. The JSON maps model to
// {"input": USD per million input tokens, "output": USD per million output tokens}.
func ParsePrices(s string) (PriceTable, error) {
	data := []byte(s)
	if !strings.HasPrefix(strings.TrimSpace(s), "{") {
		b, err := os.ReadFile(s)
		if err != nil {
			return nil, fmt.Errorf("read prices: %w", err)
		}
		data = b
	}
	var t PriceTable
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, fmt.Errorf("parse prices: %w", err)
	}
	for model, p := range t {
		if p.Input < 0 || p.Output < 0 {
			return nil, fmt.Errorf("price of %s is negative", model)
		}
	}
	return t, nil
}
