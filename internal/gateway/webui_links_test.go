package gateway

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// uiLinks starts a run, an ingestion and a schedule as alice on a gateway
// configured by env, and returns every "ui" link its answers carry, by
// answer ("" when the answer has none).
func uiLinks(t *testing.T, env map[string]string) map[string]string {
	t.Helper()
	h, _ := newScheduleHarness(t, env)
	out := map[string]string{}
	read := func(name string, body []byte, pick func(map[string]any) any) {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("%s: %v: %s", name, err, body)
		}
		if v, ok := pick(m).(string); ok {
			out[name] = v
		} else {
			out[name] = ""
		}
		if strings.Contains(string(body), ":8233") {
			t.Errorf("%s links to a Web UI on :8233: %s", name, body)
		}
	}
	linksUI := func(m map[string]any) any { l, _ := m["links"].(map[string]any); return l["ui"] }
	rec := h.do("POST", "/v1/research", aliceKey, `{"question":"How are backups kept?"}`)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("POST /v1/research = %d %s", rec.Code, rec.Body)
	}
	read("create", rec.Body.Bytes(), linksUI)
	var created CreateResearchResponse
	decode(t, rec, &created)
	rec = h.do("GET", "/v1/research/"+created.ID, aliceKey, "")
	read("get", rec.Body.Bytes(), linksUI)
	rec = h.do("GET", "/v1/research", aliceKey, "")
	read("list", rec.Body.Bytes(), func(m map[string]any) any {
		runs, _ := m["runs"].([]any)
		if len(runs) == 0 {
			return nil
		}
		return linksUI(runs[0].(map[string]any))
	})
	rec = h.do("POST", "/v1/research/"+created.ID+"/cancel", aliceKey, "")
	read("cancel", rec.Body.Bytes(), linksUI)
	rec = h.do("POST", "/v1/schedules", aliceKey, `{"question":"How are backups kept?","corpus":"notes","every":"24h"}`)
	if rec.Code != http.StatusCreated && rec.Code != http.StatusOK {
		t.Fatalf("POST /v1/schedules = %d %s", rec.Code, rec.Body)
	}
	read("schedule", rec.Body.Bytes(), linksUI)
	return out
}

// With the embedded Web UI off (RESEARCHFLOW_UI_PORT=0) and no other UI
// configured, no answer links to a Web UI: a link to a UI that is not
// served is no link. (The web app hides "Open in Temporal Web UI" when a
// run has none: TestWebAppRunPermalinkSurvivesReload.)
func TestNoWebUINoLinks(t *testing.T) {
	for name, link := range uiLinks(t, map[string]string{"RESEARCHFLOW_UI_PORT": "0"}) {
		if link != "" {
			t.Errorf("%s: ui link %q with no Web UI served", name, link)
		}
	}
}

// A Web UI configured by RESEARCHFLOW_UI_URL (a cluster's, or one in front
// of the embedded server) is linked to even with the embedded one off.
func TestConfiguredWebUILinkedWithEmbeddedOff(t *testing.T) {
	links := uiLinks(t, map[string]string{"RESEARCHFLOW_UI_PORT": "0", "RESEARCHFLOW_UI_URL": "https://temporal.example/"})
	for _, name := range []string{"create", "get", "list", "cancel", "schedule"} {
		want := "https://temporal.example/namespaces/default/workflows/research-"
		if name == "schedule" {
			want = "https://temporal.example/namespaces/default/schedules/"
		}
		if !strings.HasPrefix(links[name], want) {
			t.Errorf("%s: ui link %q, want one under %s", name, links[name], want)
		}
	}
}
