package config

import (
	"path/filepath"
	"testing"
)

func lookup(m map[string]string) Lookup {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestLoadDefaults(t *testing.T) {
	c, err := Load(lookup(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Embedded() || c.Namespace != "default" || c.EmbeddedFrontendPort != 7233 || c.EmbeddedUIPort != 8233 {
		t.Errorf("defaults = %+v", c)
	}
	if !filepath.IsAbs(c.DataDir) || filepath.Base(c.DataDir) != ".researchflow" {
		t.Errorf("DataDir = %q, want an absolute .researchflow", c.DataDir)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := map[string]map[string]string{
		"port not a number": {"RESEARCHFLOW_TEMPORAL_PORT": "x"},
		"negative":          {"RESEARCHFLOW_INFERENCE_CONCURRENCY": "-1"},
		"bad level":         {"RESEARCHFLOW_LOG_LEVEL": "loud"},
	}
	for name, env := range tests {
		if _, err := Load(lookup(env)); err == nil {
			t.Errorf("%s: Load succeeded, want an error", name)
		}
	}
	c, err := Load(lookup(map[string]string{"TEMPORAL_ADDRESS": "temporal:7233", "RESEARCHFLOW_LOG_LEVEL": "debug"}))
	if err != nil || c.Embedded() || c.LogLevel.String() != "DEBUG" {
		t.Errorf("Load = %+v, %v", c, err)
	}
}
