package config

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// loadLLM binds only the model settings, as Load does.
func loadLLM(l Lookup) (LLM, error) {
	b := &binder{lookup: l}
	c := bindLLM(b)
	return c, errors.Join(b.errs...)
}

func TestBindLLM(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		enabled bool
		planner LLMRole // compared on Provider, Model, BaseURL, APIKey, MaxTokens
		writer  LLMRole
		wantErr string
	}{
		{
			name: "nothing set is offline",
			env:  map[string]string{"HOME": "/root"},
		},
		{
			name:    "OPENAI_BASE_URL only selects openai for all roles",
			env:     map[string]string{"OPENAI_BASE_URL": "http://localhost:8000/v1"},
			enabled: true,
			planner: LLMRole{Provider: "openai", Model: DefaultLLMOpenAIModel, BaseURL: "http://localhost:8000/v1", MaxTokens: 512},
			writer:  LLMRole{Provider: "openai", Model: DefaultLLMOpenAIModel, BaseURL: "http://localhost:8000/v1", MaxTokens: 2048},
		},
		{
			name:    "OPENAI_API_KEY and OPENAI_MODEL",
			env:     map[string]string{"OPENAI_API_KEY": "sk-1", "OPENAI_MODEL": "gpt-4.1-mini"},
			enabled: true,
			planner: LLMRole{Provider: "openai", Model: "gpt-4.1-mini", BaseURL: DefaultOpenAIBaseURL, APIKey: "sk-1", MaxTokens: 512},
			writer:  LLMRole{Provider: "openai", Model: "gpt-4.1-mini", BaseURL: DefaultOpenAIBaseURL, APIKey: "sk-1", MaxTokens: 2048},
		},
		{
			name:    "explicit offline wins over OPENAI_API_KEY",
			env:     map[string]string{"RESEARCHFLOW_LLM_PROVIDER": "offline", "OPENAI_API_KEY": "sk-1"},
			enabled: false,
		},
		{
			name: "ollama with per-role overrides",
			env: map[string]string{
				"RESEARCHFLOW_LLM_PROVIDER": "ollama", "RESEARCHFLOW_LLM_MODEL": "llama3.1",
				"RESEARCHFLOW_WRITER_MODEL": "qwen3:14b", "RESEARCHFLOW_WRITER_MAX_TOKENS": "4000",
				"RESEARCHFLOW_PLANNER_PROVIDER": "openai", "RESEARCHFLOW_PLANNER_BASE_URL": "http://vllm:8000/v1",
			},
			enabled: true,
			planner: LLMRole{Provider: "openai", Model: "llama3.1", BaseURL: "http://vllm:8000/v1", MaxTokens: 512},
			writer:  LLMRole{Provider: "ollama", Model: "qwen3:14b", BaseURL: DefaultOllamaBaseURL, MaxTokens: 4000},
		},
		{
			name:    "anthropic takes ANTHROPIC_API_KEY",
			env:     map[string]string{"RESEARCHFLOW_LLM_PROVIDER": "Anthropic", "ANTHROPIC_API_KEY": "ak"},
			enabled: true,
			planner: LLMRole{Provider: "anthropic", Model: DefaultAnthropicModel, BaseURL: DefaultAnthropicBaseURL, APIKey: "ak", MaxTokens: 512},
			writer:  LLMRole{Provider: "anthropic", Model: DefaultAnthropicModel, BaseURL: DefaultAnthropicBaseURL, APIKey: "ak", MaxTokens: 2048},
		},
		{
			name:    "unknown provider",
			env:     map[string]string{"RESEARCHFLOW_LLM_PROVIDER": "gpt"},
			wantErr: `unknown provider "gpt"`,
		},
		{
			name:    "ollama without model",
			env:     map[string]string{"RESEARCHFLOW_LLM_PROVIDER": "ollama"},
			wantErr: "needs a model",
		},
		{
			name:    "openai.com without key",
			env:     map[string]string{"RESEARCHFLOW_LLM_PROVIDER": "openai"},
			wantErr: "needs an API key",
		},
		{
			name:    "anthropic without key",
			env:     map[string]string{"RESEARCHFLOW_ANALYST_PROVIDER": "anthropic"},
			wantErr: "analyst: provider anthropic needs an API key",
		},
		{
			name:    "bad base URL",
			env:     map[string]string{"RESEARCHFLOW_LLM_PROVIDER": "ollama", "RESEARCHFLOW_LLM_MODEL": "m", "RESEARCHFLOW_LLM_BASE_URL": "localhost:11434"},
			wantErr: "not an http(s) URL",
		},
		{
			name:    "bad max tokens",
			env:     map[string]string{"RESEARCHFLOW_LLM_MAX_TOKENS": "lots"},
			wantErr: "RESEARCHFLOW_LLM_MAX_TOKENS",
		},
		{
			name:    "bad rpm",
			env:     map[string]string{"RESEARCHFLOW_LLM_RPM": "-1"},
			wantErr: "rpm and tpm must be >= 0",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := loadLLM(lookup(tt.env))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error: got %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("bindLLM: %v", err)
			}
			if got := cfg.Enabled(); got != tt.enabled {
				t.Fatalf("Enabled: got %v, want %v", got, tt.enabled)
			}
			if !tt.enabled {
				return
			}
			for _, c := range []struct {
				role      string
				got, want LLMRole
			}{{"planner", cfg.Planner, tt.planner}, {"writer", cfg.Writer, tt.writer}} {
				got := c.got
				got.Temperature = 0
				if got.Enabled() && got.StructuredOutput != StructuredAuto {
					t.Errorf("%s: structured output %q, want the default %q", c.role, got.StructuredOutput, StructuredAuto)
				}
				got.StructuredOutput = ""
				if got != c.want {
					t.Errorf("%s: got %+v, want %+v", c.role, got, c.want)
				}
			}
		})
	}
}

func TestConfigFromFileAndPrices(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "llm.json")
	file := `{"provider":"ollama","model":"llama3.1","temperature":0,
	  "writer":{"model":"qwen3:32b","maxTokens":3000},
	  "rpm":30,
	  "prices":{"llama3.1":{"input":0.1,"output":0.2}}}`
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadLLM(lookup(map[string]string{
		"RESEARCHFLOW_LLM_CONFIG":    path,
		"RESEARCHFLOW_ANALYST_MODEL": "mistral",
		"RESEARCHFLOW_LLM_TPM":       "100000",
	}))
	if err != nil {
		t.Fatalf("bindLLM: %v", err)
	}
	if got, want := cfg.Planner.Model, "llama3.1"; got != want {
		t.Errorf("planner model: got %q, want %q", got, want)
	}
	if got, want := cfg.Analyst.Model, "mistral"; got != want {
		t.Errorf("analyst model (env over file): got %q, want %q", got, want)
	}
	if got, want := cfg.Writer.Model+"/"+strconv.Itoa(cfg.Writer.MaxTokens), "qwen3:32b/3000"; got != want {
		t.Errorf("writer: got %q, want %q", got, want)
	}
	if got := cfg.Planner.Temperature; got != 0 {
		t.Errorf("temperature 0 from the file: got %g", got)
	}
	if cfg.RPM != 30 || cfg.TPM != 100000 {
		t.Errorf("limits: got rpm %d tpm %d, want 30 and 100000", cfg.RPM, cfg.TPM)
	}
	if got, want := cfg.Prices.Cost("ollama", "llama3.1", 1_000_000, 500_000), 0.2; got < want-1e-9 || got > want+1e-9 {
		t.Errorf("cost: got %g, want %g", got, want)
	}

	if _, err := loadLLM(lookup(map[string]string{"RESEARCHFLOW_LLM_CONFIG": filepath.Join(dir, "missing.json")})); err == nil {
		t.Error("missing config file: got nil error")
	}
}

func TestParsePrices(t *testing.T) {
	p, err := ParsePrices(`{"gpt-4o-mini":{"input":0.15,"output":0.6},"openai/gpt-4o":{"input":2.5,"output":10}}`)
	if err != nil {
		t.Fatalf("ParsePrices: %v", err)
	}
	if got, want := p.Cost("openai", "gpt-4o", 1000, 1000), 0.0125; got < want-1e-12 || got > want+1e-12 {
		t.Errorf("qualified price: got %g, want %g", got, want)
	}
	if got := p.Cost("openai", "unknown", 1000, 1000); got != 0 {
		t.Errorf("unknown model: got %g, want 0", got)
	}
	if _, err := ParsePrices(`{"m":{"input":-1}}`); err == nil {
		t.Error("negative price: got nil error")
	}
	if _, err := ParsePrices(filepath.Join(t.TempDir(), "none.json")); err == nil {
		t.Error("missing prices file: got nil error")
	}
}

func TestConfigStreamAndStructuredOutput(t *testing.T) {
	cfg, err := loadLLM(lookup(map[string]string{
		"OPENAI_BASE_URL":                        "http://gw:8000/v1",
		"RESEARCHFLOW_LLM_STREAM":                "false",
		"RESEARCHFLOW_WRITER_STREAM":             "true",
		"RESEARCHFLOW_LLM_STRUCTURED_OUTPUT":     "JSON_OBJECT",
		"RESEARCHFLOW_ANALYST_STRUCTURED_OUTPUT": "off",
	}))
	if err != nil {
		t.Fatalf("bindLLM: %v", err)
	}
	if !cfg.Planner.NoStream || !cfg.Analyst.NoStream || cfg.Writer.NoStream {
		t.Errorf("streaming: planner off %v, analyst off %v, writer off %v; want off, off, on", cfg.Planner.NoStream, cfg.Analyst.NoStream, cfg.Writer.NoStream)
	}
	if cfg.Planner.StructuredOutput != StructuredJSONObject || cfg.Analyst.StructuredOutput != StructuredOff {
		t.Errorf("structured output: planner %q, analyst %q", cfg.Planner.StructuredOutput, cfg.Analyst.StructuredOutput)
	}
	for env, want := range map[string]string{
		"RESEARCHFLOW_LLM_STREAM":            "is not true or false",
		"RESEARCHFLOW_LLM_STRUCTURED_OUTPUT": "want auto, json_schema, json_object or off",
	} {
		_, err := loadLLM(lookup(map[string]string{"OPENAI_BASE_URL": "http://gw:8000/v1", env: "maybe"}))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s=maybe: got %v, want an error containing %q", env, err, want)
		}
	}
}
