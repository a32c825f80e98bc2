package config

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
	if c.Search.WebProvider() != "" || c.Fetch.MaxBytes != 5<<20 || len(c.Fetch.AllowCIDRs) != 0 {
		t.Errorf("search defaults = %+v, fetch %+v", c.Search, c.Fetch)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := map[string]map[string]string{
		"port not a number": {"RESEARCHFLOW_TEMPORAL_PORT": "x"},
		"negative":          {"RESEARCHFLOW_INFERENCE_CONCURRENCY": "-1"},
		"bad level":         {"RESEARCHFLOW_LOG_LEVEL": "loud"},
		"bad fetch range":   {"RESEARCHFLOW_FETCH_ALLOW_CIDRS": "lan"},
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

// Every setting is checked by Load, before any process starts a server or a
// pool, and the error names the variable at fault.
func TestLoadChecksEverySubsystemUpFront(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string // the variable the error must name
	}{
		{map[string]string{"RESEARCHFLOW_LLM_PROVIDER": "bogus"}, "RESEARCHFLOW_LLM_"},
		{map[string]string{"RESEARCHFLOW_API_KEYS": "alice"}, "RESEARCHFLOW_API_KEYS"},
		{map[string]string{"RESEARCHFLOW_HTTP_ADDR": "0.0.0.0:8080"}, "RESEARCHFLOW_API_KEYS"},
		{map[string]string{"RESEARCHFLOW_EMBEDDINGS": "bogus"}, "RESEARCHFLOW_EMBEDDINGS"},
		{map[string]string{"RESEARCHFLOW_RATE_LIMIT": "many"}, "RESEARCHFLOW_RATE_LIMIT"},
		{map[string]string{"RESEARCHFLOW_UI_URL": "127.0.0.1:8233"}, "RESEARCHFLOW_UI_URL"},
	}
	for _, tt := range tests {
		_, err := Load(lookup(tt.env))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Load(%v) = %v, want an error naming %s", tt.env, err, tt.want)
		}
	}
	c, err := Load(lookup(map[string]string{
		"RESEARCHFLOW_DATA_DIR": "/srv/rf", "TEMPORAL_NAMESPACE": "research", "QDRANT_URL": "http://qdrant:6334",
		"RESEARCHFLOW_UI_URL": "https://temporal.example/",
	}))
	if err != nil {
		t.Fatal(err)
	}
	// One data dir and one namespace for every part.
	if c.Gateway.DataDir != "/srv/rf" || c.Gateway.Namespace != "research" || c.TemporalClient.Namespace != "research" ||
		c.Gateway.UIURL != "https://temporal.example" || c.Qdrant == nil {
		t.Errorf("config tree = gateway %+v, temporal namespace %q, qdrant %v", c.Gateway, c.TemporalClient.Namespace, c.Qdrant)
	}
}

func TestWebhookSecretAndLogFormat(t *testing.T) {
	for _, bad := range []string{"secret", "whsec_not-base64!", "whsec_c2hvcnQ="} {
		if _, err := Load(lookup(map[string]string{"RESEARCHFLOW_WEBHOOK_SECRET": bad})); err == nil || !strings.Contains(err.Error(), "RESEARCHFLOW_WEBHOOK_SECRET") {
			t.Errorf("secret %q: %v, want an error naming the variable", bad, err)
		}
	}
	c, err := Load(lookup(map[string]string{"RESEARCHFLOW_WEBHOOK_SECRET": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "RESEARCHFLOW_LOG_FORMAT": "json"}))
	if err != nil {
		t.Fatal(err)
	}
	if k, err := c.WebhookKey(); len(k) != 24 || err != nil {
		t.Errorf("WebhookKey = %d bytes, %v; want 24", len(k), err)
	}
	if _, ok := c.Logger().Handler().(*slog.JSONHandler); !ok {
		t.Error("RESEARCHFLOW_LOG_FORMAT=json did not give a JSON logger")
	}
	if _, err := Load(lookup(map[string]string{"RESEARCHFLOW_LOG_FORMAT": "xml"})); err == nil {
		t.Error("RESEARCHFLOW_LOG_FORMAT=xml accepted")
	}
}

func TestCodecAndWorkerSettings(t *testing.T) {
	c, err := Load(lookup(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Codec.Enabled() || c.BuildID != "" || c.WorkerStopTimeout != 30*time.Second || c.DeploymentName != "researchflow" {
		t.Errorf("defaults: codec %v, build ID %q, stop timeout %s, deployment %q", c.Codec.Enabled(), c.BuildID, c.WorkerStopTimeout, c.DeploymentName)
	}
	key := "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=" // 32 bytes
	c, err = Load(lookup(map[string]string{
		"RESEARCHFLOW_CODEC_KEYS": "old:" + key + ",new:" + key, "RESEARCHFLOW_CODEC_KEY_ID": "new",
		"RESEARCHFLOW_CODEC_CORS_ORIGINS": "https://temporal.example/", "RESEARCHFLOW_CODEC_AUTH_TOKEN": "0123456789abcdef",
		"RESEARCHFLOW_WORKER_STOP_TIMEOUT": "2m", "TEMPORAL_WORKER_BUILD_ID": "v42",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Codec.Enabled() || c.Codec.KeyID != "new" || len(c.Codec.Keys) != 2 || c.Codec.Origins[0] != "https://temporal.example" ||
		c.WorkerStopTimeout != 2*time.Minute || c.BuildID != "v42" {
		t.Errorf("settings = codec %+v, stop %s, build %q", c.Codec, c.WorkerStopTimeout, c.BuildID)
	}
	if c, _ := Load(lookup(map[string]string{"RESEARCHFLOW_BUILD_ID": "a", "TEMPORAL_WORKER_BUILD_ID": "b"})); c.BuildID != "a" {
		t.Errorf("RESEARCHFLOW_BUILD_ID should win over TEMPORAL_WORKER_BUILD_ID, got %q", c.BuildID)
	}
	for _, tt := range []struct{ env map[string]string }{
		{map[string]string{"RESEARCHFLOW_CODEC_KEYS": "k:short"}},
		{map[string]string{"RESEARCHFLOW_CODEC_KEYS": "a:" + key + ",b:" + key}},
		{map[string]string{"RESEARCHFLOW_CODEC_KEYS": "a:" + key, "RESEARCHFLOW_CODEC_AUTH_TOKEN": "short"}},
		{map[string]string{"RESEARCHFLOW_WORKER_STOP_TIMEOUT": "30"}},
		{map[string]string{"RESEARCHFLOW_DEPLOYMENT_NAME": "a.b"}},
		{map[string]string{"RESEARCHFLOW_CODEC_NO_AUTH": "maybe"}},
	} {
		var name string
		for k := range tt.env {
			if k != "RESEARCHFLOW_CODEC_KEYS" || len(tt.env) == 1 {
				name = k
			}
		}
		if _, err := Load(lookup(tt.env)); err == nil || !strings.Contains(err.Error(), strings.TrimSuffix(name, "_KEYS")) {
			t.Errorf("Load(%v) = %v, want an error naming %s", tt.env, err, name)
		}
	}
}

func TestNotificationSettings(t *testing.T) {
	for _, tt := range []struct{ k, v string }{
		{"NATS_URL", "http://nats:4222"},
		{"RESEARCHFLOW_SMTP_URL", "mail.example.org:587"},
		{"RESEARCHFLOW_NOTIFY_EMAIL_DOMAINS", "example.org,ana@example.org"},
	} {
		if _, err := Load(lookup(map[string]string{tt.k: tt.v})); err == nil || !strings.Contains(err.Error(), tt.k) {
			t.Errorf("%s=%q: %v, want an error naming the variable", tt.k, tt.v, err)
		}
	}
	c, err := Load(lookup(map[string]string{
		"NATS_URL": "nats://127.0.0.1:4222", "RESEARCHFLOW_SMTP_URL": "smtp://rf:pw@mail.example.org:587",
		"RESEARCHFLOW_NOTIFY_EMAIL_DOMAINS": " Example.org , lab.example.net",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.SMTPFrom != "researchflow@mail.example.org" || strings.Join(c.Gateway.NotifyEmailDomains, ",") != "example.org,lab.example.net" {
		t.Errorf("from %q, gateway domains %q", c.SMTPFrom, c.Gateway.NotifyEmailDomains)
	}
	// Without an SMTP server the gateway allows no e-mail, whatever the list.
	c, _ = Load(lookup(map[string]string{"RESEARCHFLOW_NOTIFY_EMAIL_DOMAINS": "example.org"}))
	if len(c.Gateway.NotifyEmailDomains) != 0 {
		t.Errorf("gateway domains without SMTP = %q", c.Gateway.NotifyEmailDomains)
	}
}

// Tracing is on only when an exporter or endpoint is named, and a protocol
// the exporters do not speak is refused up front.
func TestLoadOTel(t *testing.T) {
	on := map[string]map[string]string{
		"endpoint":        {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"},
		"traces endpoint": {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"},
		"exporter":        {"OTEL_TRACES_EXPORTER": "console", "TEMPORAL_ADDRESS": "temporal:7233"},
		"grpc":            {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"},
	}
	for name, env := range on {
		if c, err := Load(lookup(env)); err != nil || !c.OTel {
			t.Errorf("%s: OTel = %v, %v; want on", name, c.OTel, err)
		}
	}
	off := map[string]map[string]string{
		"unset":    nil,
		"none":     {"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"},
		"disabled": {"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"},
	}
	for name, env := range off {
		if c, err := Load(lookup(env)); err != nil || c.OTel {
			t.Errorf("%s: OTel = %v, %v; want off", name, c.OTel, err)
		}
	}
	for _, k := range []string{"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"} {
		_, err := Load(lookup(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", k: "http/json"}))
		if err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=http/json: err = %v, want one naming %s", k, err, k)
		}
	}
}

func TestLoadMetricsAddr(t *testing.T) {
	c, err := Load(lookup(map[string]string{"RESEARCHFLOW_METRICS_ADDR": "127.0.0.1:9464"}))
	if err != nil || c.MetricsAddr != "127.0.0.1:9464" {
		t.Errorf("MetricsAddr = %q, %v", c.MetricsAddr, err)
	}
	if _, err := Load(lookup(map[string]string{"RESEARCHFLOW_METRICS_ADDR": "9464"})); err == nil || !strings.Contains(err.Error(), "RESEARCHFLOW_METRICS_ADDR") {
		t.Errorf("port without host: err = %v", err)
	}
}

// The embedded Temporal server reads OTEL_TRACES_EXPORTER too and would
// fail to start on values it does not support: Load says so first.
func TestLoadOTelEmbeddedServer(t *testing.T) {
	for _, env := range []map[string]string{
		{"OTEL_TRACES_EXPORTER": "console"},
		{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/protobuf"},
	} {
		if _, err := Load(lookup(env)); err == nil || !strings.Contains(err.Error(), "embedded Temporal server") {
			t.Errorf("%v: err = %v, want one about the embedded server", env, err)
		}
		env["TEMPORAL_ADDRESS"] = "temporal:7233"
		if c, err := Load(lookup(env)); err != nil || !c.OTel {
			t.Errorf("%v with a cluster: OTel %v, err %v", env, c.OTel, err)
		}
	}
	if c, err := Load(lookup(map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4317"})); err != nil || !c.OTel {
		t.Errorf("otlp embedded: OTel %v, err %v", c.OTel, err)
	}
}

// Load reports every invalid variable at once, each as a *VarError naming
// it, so that one run of a command lists everything to fix.
func TestLoadReportsEveryInvalidVariable(t *testing.T) {
	env := map[string]string{
		"RESEARCHFLOW_TEMPORAL_PORT":       "x",
		"RESEARCHFLOW_LOG_LEVEL":           "loud",
		"RESEARCHFLOW_RATE_LIMIT":          "many",
		"RESEARCHFLOW_EMBEDDINGS":          "word2vec",
		"RESEARCHFLOW_LLM_MAX_TOKENS":      "lots",
		"RESEARCHFLOW_SEARCH_DISABLE":      "google",
		"RESEARCHFLOW_FETCH_TIMEOUT":       "soon",
		"QDRANT_URL":                       "ftp://q",
		"RESEARCHFLOW_CODEC_KEYS":          "k:short",
		"RESEARCHFLOW_SMTP_URL":            "mail.example.org:587",
		"RESEARCHFLOW_WORKER_STOP_TIMEOUT": "30",
		"NATS_URL":                         "http://nats:4222",
	}
	_, err := Load(lookup(env))
	if err == nil {
		t.Fatal("Load accepted every invalid variable")
	}
	named := map[string]bool{}
	var walk func(error)
	walk = func(err error) {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		var ve *VarError
		if !errors.As(err, &ve) {
			t.Errorf("error %q names no variable", err)
			return
		}
		named[ve.Var] = true
	}
	walk(err)
	for k := range env {
		if !named[k] {
			t.Errorf("%s=%q is not among the reported errors:\n%v", k, env[k], err)
		}
	}
	if len(named) != len(env) {
		t.Errorf("reported %d variables, want %d:\n%v", len(named), len(env), err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, fmt.Sprintf("%d invalid settings:", len(env))) || strings.Count(msg, "\n") != len(env) {
		t.Errorf("message is not a count and one line per setting:\n%s", msg)
	}
	var first *VarError
	if !errors.As(err, &first) || first.Var == "" {
		t.Errorf("errors.As(*VarError) = %v", first)
	}
}
