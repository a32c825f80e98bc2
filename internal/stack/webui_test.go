package stack

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/devserver"
)

// fakeServer is an embedded server that serves its Web UI at ui ("": none).
type fakeServer struct{ ui string }

func (f fakeServer) FrontendAddress() string { return "127.0.0.1:7233" }
func (f fakeServer) UIAddress() string       { return f.ui }
func (f fakeServer) Stop()                   {}

// Every place that links to the Temporal Web UI (the gateway's answers and
// web app, the starter's "Web UI:" line, the addresses printed at start)
// links to the one that serves: RESEARCHFLOW_UI_URL's when set, else the
// embedded server's own, and to none when none serves
// (RESEARCHFLOW_UI_PORT=0).
func TestWebUILinksFollowTheUIThatServes(t *testing.T) {
	for _, tt := range []struct {
		name   string
		env    map[string]string
		served string
		want   string
	}{
		{"embedded UI off", map[string]string{"RESEARCHFLOW_UI_PORT": "0"}, "", ""},
		{"embedded UI off, external UI", map[string]string{"RESEARCHFLOW_UI_PORT": "0", "RESEARCHFLOW_UI_URL": "https://temporal.example/"}, "", "https://temporal.example"},
		{"embedded UI on", nil, "http://127.0.0.1:8233", "http://127.0.0.1:8233"},
		{"embedded UI's port taken", nil, "", ""},
		{"embedded UI on, external UI configured", map[string]string{"RESEARCHFLOW_UI_URL": "https://temporal.example"}, "http://127.0.0.1:8233", "https://temporal.example"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"RESEARCHFLOW_DATA_DIR": t.TempDir()}
			for k, v := range tt.env {
				env[k] = v
			}
			cfg, err := config.Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
			if err != nil {
				t.Fatal(err)
			}
			s := &Stack{Config: cfg, logger: testLogger(), sup: newSupervisor()}
			defer s.Close()
			var asked devserver.Options
			start := func(_ context.Context, o devserver.Options) (devserver.Server, error) {
				asked = o
				return fakeServer{ui: tt.served}, nil
			}
			if err := s.startServer(t.Context(), Options{DevServer: start}, ""); err != nil {
				t.Fatal(err)
			}
			if cfg.EmbeddedUIPort == 0 && !asked.NoUI {
				t.Errorf("RESEARCHFLOW_UI_PORT=0 and the server was asked for a Web UI: %+v", asked)
			}
			if got := s.gatewayConfig().UIURL; got != tt.want {
				t.Errorf("gateway's Web UI = %q, want %q", got, tt.want)
			}
			run := s.RunURL("research-1")
			if tt.want == "" && run != "" || tt.want != "" && run != tt.want+"/namespaces/default/workflows/research-1" {
				t.Errorf("starter's link = %q, want one under %q", run, tt.want)
			}
			var b bytes.Buffer
			s.PrintAddresses(&b)
			if got := strings.Contains(b.String(), "Web UI"); got != (tt.want != "") || !strings.Contains(b.String(), tt.want) {
				t.Errorf("addresses printed at start:\n%s\nwant the Web UI %q", b.String(), tt.want)
			}
		})
	}
}
