package stack

import (
	"context"
	"errors"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/researchflow/researchflow/internal/config"
)

// The gateway learns which sources runs may use from the search settings.
func TestConfiguredSources(t *testing.T) {
	load := func(env map[string]string) config.Config {
		t.Helper()
		c, err := config.Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := load(map[string]string{"RESEARCHFLOW_SEARCH_DISABLE": "openalex,wikipedia"})
	if got := strings.Join(configuredSources(c.Search), ","); got != "corpus,arxiv" {
		t.Errorf("sources without keys = %s, want corpus,arxiv", got)
	}
	c = load(map[string]string{"RESEARCHFLOW_SEARXNG_URL": "http://127.0.0.1:8888", "BRAVE_API_KEY": "k"})
	got := configuredSources(c.Search)
	for _, want := range []string{"corpus", "searxng", "brave", "arxiv", "web"} {
		if !slices.Contains(got, want) {
			t.Errorf("sources %q lack %s", got, want)
		}
	}
}

// The supervisor stops parts in reverse order of start, ends wait on the
// first failure or on the context, and fails when a server stops by itself.
func TestSupervisor(t *testing.T) {
	sup := newSupervisor()
	var order []int
	for i := range 3 {
		sup.onClose(func() { order = append(order, i) })
	}
	sup.close()
	if !slices.Equal(order, []int{2, 1, 0}) {
		t.Errorf("close order %v, want [2 1 0]", order)
	}

	sup = newSupervisor()
	boom := errors.New("boom")
	sup.fail(boom)
	for range 10 {
		sup.fail(errors.New("later")) // one failure is enough; later ones must not block
	}
	if err := sup.wait(context.Background(), testLogger()); !errors.Is(err, boom) {
		t.Errorf("wait = %v, want the first failure", err)
	}
	sup = newSupervisor()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sup.wait(ctx, testLogger()); err != nil {
		t.Errorf("wait after cancel = %v, want nil", err)
	}

	sup = newSupervisor()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Addr: ln.Addr().String(), Handler: http.NotFoundHandler(), ReadHeaderTimeout: time.Second}
	sup.serve("test server", srv, ln, time.Second)
	_ = ln.Close() // the listener dies under the server
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := sup.wait(ctx, testLogger()); err == nil || !strings.Contains(err.Error(), "test server on "+srv.Addr) {
		t.Errorf("wait = %v, want the server's failure", err)
	}
	sup.close()
}
