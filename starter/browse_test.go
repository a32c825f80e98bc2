package main

import (
	"testing"

	"github.com/researchflow/researchflow/internal/config"
)

// A run kept after the command's own stack ended is found again in the
// dev stack's web app, and in a Temporal Web UI only where one will serve.
func TestBrowseInNamesOnlyAServedWebUI(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{nil, "the web app and the Temporal Web UI"},
		{map[string]string{"RESEARCHFLOW_UI_PORT": "0"}, "the web app"},
		{map[string]string{"RESEARCHFLOW_UI_PORT": "0", "RESEARCHFLOW_UI_URL": "https://temporal.example"}, "the web app and the Temporal Web UI"},
	} {
		cfg, err := config.Load(func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok })
		if err != nil {
			t.Fatal(err)
		}
		if got := browseIn(cfg); got != tt.want {
			t.Errorf("%v: browse it in %q, want %q", tt.env, got, tt.want)
		}
	}
}
