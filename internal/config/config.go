// Package config is the only reader of Researchflow's environment. Load
// returns one validated tree — Temporal connection, data dir, pools, HTTP
// gateway, models, embeddings and memory — before anything starts, so a
// bad setting is reported at once with the variable's name, never after
// the embedded server is up. Temporal's own client variables
// (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TLS_*, TEMPORAL_API_KEY,
// TEMPORAL_PROFILE and the CLI's config file) are read through the SDK's
// envconfig package, so the same binaries point at any cluster the Temporal
// CLI can.
package config

import (
	"encoding/base64"
	"errors"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/contrib/envconfig"

	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	rf "github.com/researchflow/researchflow"

	"github.com/researchflow/researchflow/codec"
	"github.com/researchflow/researchflow/internal/embed"
	"github.com/researchflow/researchflow/internal/fetch"
	"github.com/researchflow/researchflow/internal/gateway"
	"github.com/researchflow/researchflow/internal/mailer"
	"github.com/researchflow/researchflow/internal/memory/qdrant"
	"github.com/researchflow/researchflow/internal/reasoning/llm"
	"github.com/researchflow/researchflow/internal/search"
)

// Config holds the application settings. Defaults work on a laptop with
// nothing installed.
type Config struct {
	// DataDir holds the embedded Temporal database, the embedded memory, the
	// reports and uploads (RESEARCHFLOW_DATA_DIR, default ./.researchflow).
	DataDir string
	// TemporalAddress is the cluster to use (TEMPORAL_ADDRESS). Empty means
	// embedded: the dev stack starts its own server.
	TemporalAddress string
	// Namespace (TEMPORAL_NAMESPACE, default "default").
	Namespace string
	// EmbeddedFrontendPort and EmbeddedUIPort are the ports of the embedded
	// server (RESEARCHFLOW_TEMPORAL_PORT, default 7233;
	// RESEARCHFLOW_UI_PORT, default 8233; 0 disables the Web UI).
	EmbeddedFrontendPort int
	EmbeddedUIPort       int
	// GoRoot is where the default corpus comes from (RESEARCHFLOW_GOROOT,
	// default `go env GOROOT`).
	GoRoot string
	// WebhookURL receives finished reports (RESEARCHFLOW_WEBHOOK_URL).
	WebhookURL string
	// WebhookSecret signs them per the Standard Webhooks specification
	// (RESEARCHFLOW_WEBHOOK_SECRET, "whsec_" + base64 of 24 to 64 random
	// bytes; unset: unsigned).
	WebhookSecret string
	// LogFormat is "text" or "json" (RESEARCHFLOW_LOG_FORMAT, default text).
	LogFormat string
	// NATSURL, if set, makes the notify pool publish every event and report
	// to NATS JetStream (NATS_URL, e.g. nats://127.0.0.1:4222).
	NATSURL string
	// SMTPURL, if set, lets runs ask for their report by e-mail
	// (RESEARCHFLOW_SMTP_URL, smtp://user:pass@host:587 with STARTTLS
	// required, or smtps://…:465); SMTPFrom is the sender
	// (RESEARCHFLOW_SMTP_FROM, default researchflow@<SMTP host>).
	SMTPURL  string
	SMTPFrom string
	// NotifyEmailDomains are the only domains runs may mail
	// (RESEARCHFLOW_NOTIFY_EMAIL_DOMAINS, comma-separated; empty: none).
	NotifyEmailDomains []string
	// InferenceConcurrency and SearchConcurrency size the pools per worker
	// (RESEARCHFLOW_INFERENCE_CONCURRENCY, default 4;
	// RESEARCHFLOW_SEARCH_CONCURRENCY, default 8).
	InferenceConcurrency int
	SearchConcurrency    int
	// IngestConcurrency bounds concurrent ingestions per search worker
	// (RESEARCHFLOW_INGEST_CONCURRENCY, default 2).
	IngestConcurrency int
	// LogLevel is debug, info, warn or error (RESEARCHFLOW_LOG_LEVEL, default info).
	LogLevel slog.Level
	// UIURL is the Temporal Web UI of a cluster, for run links
	// (RESEARCHFLOW_UI_URL; the embedded server's own UI otherwise).
	UIURL string

	// OTel turns OpenTelemetry tracing on: set when OTEL_EXPORTER_OTLP_ENDPOINT,
	// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_TRACES_EXPORTER (other than
	// "none") is, unless OTEL_SDK_DISABLED=true. Only this switch and the
	// protocol check are read here; the OpenTelemetry SDK reads its own
	// OTEL_* variables (endpoint, headers, service name, sampler) itself,
	// as the Temporal SDK's envconfig reads TEMPORAL_* (package telemetry).
	OTel bool
	// MetricsAddr is where a worker process serves Prometheus metrics
	// (RESEARCHFLOW_METRICS_ADDR, e.g. 127.0.0.1:9464; empty: none). The
	// gateway always serves them on its own /metrics.
	MetricsAddr string

	// TemporalClient holds Temporal's standard client settings (address,
	// namespace, TLS, API key, profile), read through envconfig.
	TemporalClient client.Options
	// Gateway holds the HTTP gateway's settings (RESEARCHFLOW_HTTP_ADDR,
	// RESEARCHFLOW_API_KEYS, …), with DataDir and Namespace filled in.
	Gateway gateway.Config
	// LLM holds the model settings of every role (RESEARCHFLOW_LLM_*,
	// OPENAI_*, per-role overrides); LLM.Enabled() is false offline.
	LLM llm.Config
	// Embeddings holds the embedder's settings (RESEARCHFLOW_EMBEDDINGS…).
	Embeddings embed.Config
	// Qdrant is set when QDRANT_URL is: memory lives in that Qdrant
	// cluster instead of the embedded store.
	Qdrant *qdrant.Config
	// Search holds the search providers' settings (RESEARCHFLOW_SEARXNG_URL,
	// TAVILY_API_KEY, BRAVE_API_KEY, RESEARCHFLOW_SEARCH_*, …).
	Search search.Config
	// Fetch holds the page fetching limits (RESEARCHFLOW_FETCH_*).
	Fetch fetch.Config
	// Codec encrypts every Temporal payload when RESEARCHFLOW_CODEC_KEYS is
	// set (off by default); see package codec.
	Codec codec.Config

	// WorkerStopTimeout is how long a stopping worker lets its running
	// activities finish (RESEARCHFLOW_WORKER_STOP_TIMEOUT, a Go duration,
	// default 30s); keep it below the pod's terminationGracePeriodSeconds.
	WorkerStopTimeout time.Duration
	// BuildID opts the workers into Worker Deployment Versioning as version
	// DeploymentName.BuildID (RESEARCHFLOW_BUILD_ID, or
	// TEMPORAL_WORKER_BUILD_ID; empty: unversioned).
	BuildID string
	// DeploymentName is the Worker Deployment of every pool
	// (RESEARCHFLOW_DEPLOYMENT_NAME, default "researchflow").
	DeploymentName string
}

// Lookup reads one environment variable (os.LookupEnv in production, a map
// in tests).
type Lookup func(string) (string, bool)

// FromEnv reads the configuration from the process environment.
func FromEnv() (Config, error) { return load(os.LookupEnv, envconfig.EnvLookupOS) }

// Load reads the configuration through lookup (tests pass a map).
func Load(lookup Lookup) (Config, error) { return load(lookup, lookupEnv(lookup)) }

// lookupEnv adapts a Lookup to envconfig's interface; Environ (used only
// for TEMPORAL_GRPC_META_* headers) lists nothing.
type lookupEnv Lookup

func (l lookupEnv) LookupEnv(k string) (string, bool) { return l(k) }
func (l lookupEnv) Environ() []string                 { return nil }

func load(lookup Lookup, env envconfig.EnvLookup) (Config, error) {
	get := func(k, def string) string {
		if v, ok := lookup(k); ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
		return def
	}
	c := Config{
		DataDir:         get("RESEARCHFLOW_DATA_DIR", ".researchflow"),
		TemporalAddress: get("TEMPORAL_ADDRESS", ""),
		Namespace:       get("TEMPORAL_NAMESPACE", "default"),
		GoRoot:          get("RESEARCHFLOW_GOROOT", ""),
		WebhookURL:      get("RESEARCHFLOW_WEBHOOK_URL", ""),
		WebhookSecret:   get("RESEARCHFLOW_WEBHOOK_SECRET", ""),
		LogFormat:       get("RESEARCHFLOW_LOG_FORMAT", "text"),
		NATSURL:         get("NATS_URL", ""),
		SMTPURL:         get("RESEARCHFLOW_SMTP_URL", ""),
		SMTPFrom:        get("RESEARCHFLOW_SMTP_FROM", ""),
	}
	var err error
	ints := []struct {
		key string
		def int
		dst *int
	}{
		{"RESEARCHFLOW_TEMPORAL_PORT", 7233, &c.EmbeddedFrontendPort},
		{"RESEARCHFLOW_UI_PORT", 8233, &c.EmbeddedUIPort},
		{"RESEARCHFLOW_INFERENCE_CONCURRENCY", 4, &c.InferenceConcurrency},
		{"RESEARCHFLOW_SEARCH_CONCURRENCY", 8, &c.SearchConcurrency},
		{"RESEARCHFLOW_INGEST_CONCURRENCY", 2, &c.IngestConcurrency},
	}
	for _, i := range ints {
		if *i.dst, err = strconv.Atoi(get(i.key, strconv.Itoa(i.def))); err != nil || *i.dst < 0 {
			return c, fmt.Errorf("%s must be a non-negative whole number, not %q", i.key, get(i.key, ""))
		}
	}
	if err := c.LogLevel.UnmarshalText([]byte(get("RESEARCHFLOW_LOG_LEVEL", "info"))); err != nil {
		return c, fmt.Errorf("RESEARCHFLOW_LOG_LEVEL: %w", err)
	}
	if c.DataDir, err = filepath.Abs(c.DataDir); err != nil {
		return c, fmt.Errorf("RESEARCHFLOW_DATA_DIR: %w", err)
	}
	c.UIURL = strings.TrimRight(get("RESEARCHFLOW_UI_URL", ""), "/")
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return c, fmt.Errorf("RESEARCHFLOW_LOG_FORMAT: want text or json, not %q", c.LogFormat)
	}
	if c.OTel, err = otelEnabled(get); err != nil {
		return c, err
	}
	if c.Embedded() {
		if err := embeddedServerOTel(get); err != nil {
			return c, err
		}
	}
	c.MetricsAddr = get("RESEARCHFLOW_METRICS_ADDR", "")
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return c, fmt.Errorf("RESEARCHFLOW_METRICS_ADDR: want host:port (e.g. 127.0.0.1:9464), not %q", c.MetricsAddr)
		}
	}
	if c.WebhookSecret != "" {
		if _, err := c.WebhookSigner(); err != nil {
			return c, err
		}
	}
	if err := c.loadNotify(get); err != nil {
		return c, err
	}
	if c.TemporalClient, err = envconfig.LoadClientOptions(envconfig.LoadClientOptionsRequest{EnvLookup: env}); err != nil {
		return c, fmt.Errorf("temporal client settings (TEMPORAL_*, config profile): %w", err)
	}
	c.TemporalClient.HostPort, c.TemporalClient.Namespace = c.TemporalAddress, c.Namespace
	if c.Gateway, err = gateway.ConfigFromEnv(lookup); err != nil {
		return c, err
	}
	c.Gateway.DataDir, c.Gateway.Namespace = c.DataDir, c.Namespace
	if c.SMTPURL != "" {
		c.Gateway.NotifyEmailDomains = c.NotifyEmailDomains
	}
	if c.UIURL != "" {
		c.Gateway.UIURL = c.UIURL
	}
	if c.LLM, err = llm.ConfigFromEnv(lookup); err != nil {
		return c, err
	}
	if c.Embeddings, err = embed.ConfigFromEnv(lookup); err != nil {
		return c, err
	}
	if c.Search, err = search.ConfigFromEnv(lookup); err != nil {
		return c, err
	}
	if c.Fetch, err = fetch.ConfigFromEnv(lookup); err != nil {
		return c, err
	}
	c.Gateway.Sources = configuredSources(c.Search)
	if get("QDRANT_URL", "") != "" {
		q, err := qdrant.ConfigFromEnv(lookup)
		if err != nil {
			return c, err
		}
		c.Qdrant = &q
	}
	if c.Codec, err = codec.ParseKeys(get("RESEARCHFLOW_CODEC_KEYS", ""), get("RESEARCHFLOW_CODEC_KEY_ID", "")); err != nil {
		return c, err
	}
	c.Codec.AuthToken = get("RESEARCHFLOW_CODEC_AUTH_TOKEN", "")
	switch v := get("RESEARCHFLOW_CODEC_NO_AUTH", "0"); v {
	case "1", "true":
		c.Codec.NoAuth = true
	case "0", "false":
	default:
		return c, fmt.Errorf("RESEARCHFLOW_CODEC_NO_AUTH: want 1 or 0, not %q", v)
	}
	if c.Codec.AuthToken != "" && len(c.Codec.AuthToken) < 16 {
		return c, errors.New("RESEARCHFLOW_CODEC_AUTH_TOKEN: want at least 16 characters")
	}
	for _, o := range strings.Split(get("RESEARCHFLOW_CODEC_CORS_ORIGINS", ""), ",") {
		if o = strings.TrimRight(strings.TrimSpace(o), "/"); o != "" {
			c.Codec.Origins = append(c.Codec.Origins, o)
		}
	}
	if c.WorkerStopTimeout, err = time.ParseDuration(get("RESEARCHFLOW_WORKER_STOP_TIMEOUT", "30s")); err != nil || c.WorkerStopTimeout < 0 {
		return c, fmt.Errorf("RESEARCHFLOW_WORKER_STOP_TIMEOUT: want a duration such as 30s or 2m, not %q", get("RESEARCHFLOW_WORKER_STOP_TIMEOUT", ""))
	}
	c.BuildID = get("RESEARCHFLOW_BUILD_ID", get("TEMPORAL_WORKER_BUILD_ID", ""))
	c.DeploymentName = get("RESEARCHFLOW_DEPLOYMENT_NAME", "researchflow")
	for name, v := range map[string]string{"RESEARCHFLOW_BUILD_ID": c.BuildID, "RESEARCHFLOW_DEPLOYMENT_NAME": c.DeploymentName} {
		// The server joins them as "name.buildID" (Worker Deployment
		// Version strings); it refuses "." in a deployment name.
		if len(v) > 255 || strings.ContainsAny(v, " \t\n") || (name == "RESEARCHFLOW_DEPLOYMENT_NAME" && strings.Contains(v, ".")) {
			return c, fmt.Errorf("%s: %q is not a valid name (no spaces, at most 255 characters, no '.' in a deployment name)", name, v)
		}
	}
	return c, nil
}

// otelEnabled decides whether tracing is on and checks the OTLP protocol
// variables, whose values the SDK would otherwise reject only at start.
// Names and values per the OpenTelemetry specification:
// https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/
func otelEnabled(get func(k, def string) string) (bool, error) {
	if strings.EqualFold(get("OTEL_SDK_DISABLED", "false"), "true") {
		return false, nil
	}
	for _, k := range []string{"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"} {
		switch v := get(k, "http/protobuf"); v {
		case "http/protobuf", "grpc":
		default:
			return false, fmt.Errorf("%s: want http/protobuf or grpc, not %q", k, v)
		}
	}
	exporter := get("OTEL_TRACES_EXPORTER", "")
	if exporter == "none" {
		return false, nil
	}
	return exporter != "" || get("OTEL_EXPORTER_OTLP_ENDPOINT", "") != "" || get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "") != "", nil
}

// embeddedServerOTel refuses the OTEL_* values that would stop the
// embedded Temporal server, which reads OTEL_TRACES_EXPORTER itself and
// supports only otlp (over gRPC) and none
// (go.temporal.io/server/common/telemetry.SpanExportersFromEnv).
func embeddedServerOTel(get func(k, def string) string) error {
	exporters := get("OTEL_TRACES_EXPORTER", "")
	if exporters == "" {
		return nil
	}
	for _, e := range strings.Split(exporters, ",") {
		switch e {
		case "none":
		case "otlp":
			if p := get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "grpc"); p != "grpc" {
				return fmt.Errorf("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=%s with OTEL_TRACES_EXPORTER=otlp: the embedded Temporal server exports its own spans over grpc only; unset OTEL_TRACES_EXPORTER (OTEL_EXPORTER_OTLP_ENDPOINT alone traces Researchflow) or set TEMPORAL_ADDRESS", p)
			}
		default:
			return fmt.Errorf("OTEL_TRACES_EXPORTER=%s: the embedded Temporal server reads it too and supports only otlp and none; unset it (OTEL_EXPORTER_OTLP_ENDPOINT alone turns tracing on) or set TEMPORAL_ADDRESS", exporters)
		}
	}
	return nil
}

// Logger is the process logger: text or JSON (LogFormat) on stderr at
// LogLevel.
func (c Config) Logger() *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

// WebhookSigner is the Standard Webhooks signer of WebhookSecret, or nil
// when no secret is set.
func (c Config) WebhookSigner() (*standardwebhooks.Webhook, error) {
	if c.WebhookSecret == "" {
		return nil, nil
	}
	b64, ok := strings.CutPrefix(c.WebhookSecret, "whsec_")
	raw, err := base64.StdEncoding.DecodeString(b64)
	if !ok || err != nil || len(raw) < 24 || len(raw) > 64 {
		return nil, errors.New("RESEARCHFLOW_WEBHOOK_SECRET: want whsec_ followed by the base64 of 24 to 64 random bytes (e.g. whsec_$(openssl rand -base64 32))")
	}
	return standardwebhooks.NewWebhookRaw(raw)
}

// Embedded reports whether the process must run its own Temporal server.
func (c Config) Embedded() bool { return c.TemporalAddress == "" }

// Paths under the data dir.
func (c Config) TemporalDB() string { return filepath.Join(c.DataDir, "temporal.db") }
func (c Config) MemoryDir() string  { return filepath.Join(c.DataDir, "memory") }
func (c Config) ReportDir() string  { return filepath.Join(c.DataDir, "reports") }

// configuredSources are the source names a run may use with the search
// settings sc: the corpus, every configured provider, and "web" when one
// of the web providers is (GET /v1/sources; the search workers must have
// the same settings).
func configuredSources(sc search.Config) []string {
	out := append([]string{rf.SourceCorpus}, sc.Configured()...)
	if sc.WebProvider() != "" {
		out = append(out, rf.SourceWeb)
	}
	return out
}

// loadNotify checks the notification settings: NATS_URL, the SMTP server,
// its sender and the e-mail domain allow-list.
func (c *Config) loadNotify(get func(k, def string) string) error {
	if c.NATSURL != "" {
		for _, u := range strings.Split(c.NATSURL, ",") {
			p, err := url.Parse(strings.TrimSpace(u))
			if err != nil || p.Host == "" || (p.Scheme != "nats" && p.Scheme != "tls" && p.Scheme != "ws" && p.Scheme != "wss") {
				return fmt.Errorf("NATS_URL: want nats://host:port (or tls://, ws://, wss://), not %q", u)
			}
		}
	}
	for _, d := range strings.Split(get("RESEARCHFLOW_NOTIFY_EMAIL_DOMAINS", ""), ",") {
		d = strings.ToLower(strings.TrimSpace(d))
		if d == "" {
			continue
		}
		if strings.ContainsAny(d, "@/: ") || !strings.Contains(d, ".") && d != "localhost" {
			return fmt.Errorf("RESEARCHFLOW_NOTIFY_EMAIL_DOMAINS: %q is not a domain name", d)
		}
		c.NotifyEmailDomains = append(c.NotifyEmailDomains, d)
	}
	if c.SMTPURL == "" {
		return nil
	}
	host, _, _, err := mailer.ParseURL(c.SMTPURL)
	if err != nil {
		return fmt.Errorf("RESEARCHFLOW_SMTP_URL: %w", err)
	}
	if c.SMTPFrom == "" {
		c.SMTPFrom = "researchflow@" + host
	}
	if a, err := mail.ParseAddress(c.SMTPFrom); err != nil || a.Address != c.SMTPFrom {
		return fmt.Errorf("RESEARCHFLOW_SMTP_FROM: want a plain address, not %q", c.SMTPFrom)
	}
	return nil
}
