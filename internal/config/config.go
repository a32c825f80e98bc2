// Package config is the only reader of Researchflow's environment, and the
// ground floor of the import graph: it imports the standard library and
// Temporal's envconfig, nothing of Researchflow (deps_test.go), and every
// component imports it for its settings struct (Gateway, LLM, Embeddings,
// Search, Fetch, Qdrant, Codec) instead of reading variables itself.
//
// Load binds the whole tree — Temporal connection, data dir, pools, HTTP
// gateway, models, embeddings and memory — in one pass before anything
// starts, and reports every invalid variable at once (Errors, a list of
// *VarError, each naming its variable), never after the embedded server
// is up. Temporal's own client variables (TEMPORAL_ADDRESS,
// TEMPORAL_NAMESPACE, TEMPORAL_TLS_*, TEMPORAL_API_KEY, TEMPORAL_PROFILE
// and the CLI's config file) are read through the SDK's envconfig package,
// so the same binaries point at any cluster the Temporal CLI can.
package config

import (
	"encoding/base64"
	"errors"
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

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/contrib/envconfig"
)

// Config holds the application settings. Defaults work on a laptop with
// nothing installed.
type Config struct {
	// DataDir holds the embedded Temporal database, the embedded memory, the
	// reports and uploads (RESEARCHFLOW_DATA_DIR, default ./.researchflow).
	DataDir string
	// DataDirSet: RESEARCHFLOW_DATA_DIR names the data dir (not the
	// default, relative to wherever a command runs).
	DataDirSet bool
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
	// Background lets a client command (the starter) that finds no server
	// start the embedded stack as a background process that later commands
	// share, instead of one in-process stack per command
	// (RESEARCHFLOW_BACKGROUND, default 1; 0 keeps the in-process stack).
	Background bool
	// BackgroundIdle is how long the background stack waits without a
	// command before it exits (RESEARCHFLOW_BACKGROUND_IDLE, default 10m).
	BackgroundIdle time.Duration
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
	// UIURL is a Temporal Web UI to link runs to (RESEARCHFLOW_UI_URL): a
	// cluster's, or one in front of the embedded server. Unset, runs link
	// to the embedded server's own Web UI while it serves one, and to none
	// otherwise (see WebUI).
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
	Gateway Gateway
	// LLM holds the model settings of every role (RESEARCHFLOW_LLM_*,
	// OPENAI_*, per-role overrides); LLM.Enabled() is false offline.
	LLM LLM
	// Embeddings holds the embedder's settings (RESEARCHFLOW_EMBEDDINGS…).
	Embeddings Embeddings
	// Qdrant is set when QDRANT_URL is: memory lives in that Qdrant
	// cluster instead of the embedded store.
	Qdrant *Qdrant
	// Search holds the search providers' settings (RESEARCHFLOW_SEARXNG_URL,
	// TAVILY_API_KEY, BRAVE_API_KEY, RESEARCHFLOW_SEARCH_*, …).
	Search Search
	// Fetch holds the page fetching limits (RESEARCHFLOW_FETCH_*).
	Fetch Fetch
	// Codec encrypts every Temporal payload when RESEARCHFLOW_CODEC_KEYS is
	// set (off by default); see package codec.
	Codec Codec

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

// VarError is one invalid setting: the variable (or group of variables, as
// "RESEARCHFLOW_LLM_*") and what is wrong with it. Load returns every
// VarError it finds together, as Errors.
type VarError struct {
	Var string
	Err error
}

func (e *VarError) Error() string { return e.Var + ": " + e.Err.Error() }
func (e *VarError) Unwrap() error { return e.Err }

// binder reads variables through lookup and collects every invalid one, so
// that Load reports them together instead of one per attempt.
type binder struct {
	lookup Lookup
	errs   []error
}

// get is the trimmed value of k ("" when unset).
func (b *binder) get(k string) string {
	v, _ := b.lookup(k)
	return strings.TrimSpace(v)
}

// str is the value of k, or def when k is unset or blank.
func (b *binder) str(k, def string) string {
	if v := b.get(k); v != "" {
		return v
	}
	return def
}

// fail records that variable k is invalid.
func (b *binder) fail(k, format string, args ...any) {
	b.errs = append(b.errs, &VarError{Var: k, Err: fmt.Errorf(format, args...)})
}

// failErr records err against k, unless err is already a VarError.
func (b *binder) failErr(k string, err error) {
	var ve *VarError
	if errors.As(err, &ve) {
		b.errs = append(b.errs, err)
		return
	}
	b.errs = append(b.errs, &VarError{Var: k, Err: err})
}

// count is k as a whole number >= min, or def when unset.
func (b *binder) count(k string, def, min int) int {
	v := b.get(k)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min {
		if min > 0 {
			b.fail(k, "want a positive whole number, not %q", v)
		} else {
			b.fail(k, "want a non-negative whole number, not %q", v)
		}
		return def
	}
	return n
}

// duration is k as a Go duration > 0 (>= 0 when zeroOK), or def when unset.
func (b *binder) duration(k string, def time.Duration, zeroOK bool) time.Duration {
	v := b.get(k)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 || d == 0 && !zeroOK {
		b.fail(k, "want a positive Go duration such as 30s or 2m, not %q", v)
		return def
	}
	return d
}

// flag is k as 1/0 (also true/false, yes/no, on/off), or def when unset.
func (b *binder) flag(k string, def bool) bool {
	switch v := strings.ToLower(b.get(k)); v {
	case "":
		return def
	case "1", "true", "yes", "on":
		return true
	case "0", "false", "no", "off":
		return false
	default:
		b.fail(k, "want 1 or 0, not %q", v)
		return def
	}
}

// list is k split at commas, items trimmed, empty ones dropped.
func (b *binder) list(k string) []string {
	var out []string
	for _, s := range strings.Split(b.get(k), ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// httpURL checks that the value of k, if set, is an http(s) URL.
func (b *binder) httpURL(k, v string) {
	if v == "" {
		return
	}
	if p, err := url.Parse(v); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		b.fail(k, "want an http(s) URL, not %q", v)
	}
}

func load(lookup Lookup, env envconfig.EnvLookup) (Config, error) {
	b := &binder{lookup: lookup}
	c := Config{
		DataDir:         b.str("RESEARCHFLOW_DATA_DIR", ".researchflow"),
		DataDirSet:      b.get("RESEARCHFLOW_DATA_DIR") != "",
		TemporalAddress: b.get("TEMPORAL_ADDRESS"),
		Namespace:       b.str("TEMPORAL_NAMESPACE", "default"),
		GoRoot:          b.get("RESEARCHFLOW_GOROOT"),
		WebhookURL:      b.get("RESEARCHFLOW_WEBHOOK_URL"),
		WebhookSecret:   b.get("RESEARCHFLOW_WEBHOOK_SECRET"),
		LogFormat:       b.str("RESEARCHFLOW_LOG_FORMAT", "text"),
		NATSURL:         b.get("NATS_URL"),
		SMTPURL:         b.get("RESEARCHFLOW_SMTP_URL"),
		SMTPFrom:        b.get("RESEARCHFLOW_SMTP_FROM"),

		EmbeddedFrontendPort: b.count("RESEARCHFLOW_TEMPORAL_PORT", 7233, 0),
		EmbeddedUIPort:       b.count("RESEARCHFLOW_UI_PORT", 8233, 0),
		InferenceConcurrency: b.count("RESEARCHFLOW_INFERENCE_CONCURRENCY", 4, 0),
		SearchConcurrency:    b.count("RESEARCHFLOW_SEARCH_CONCURRENCY", 8, 0),
		IngestConcurrency:    b.count("RESEARCHFLOW_INGEST_CONCURRENCY", 2, 0),
		WorkerStopTimeout:    b.duration("RESEARCHFLOW_WORKER_STOP_TIMEOUT", 30*time.Second, true),
		Background:           b.flag("RESEARCHFLOW_BACKGROUND", true),
		BackgroundIdle:       b.duration("RESEARCHFLOW_BACKGROUND_IDLE", 10*time.Minute, false),
	}
	if err := c.LogLevel.UnmarshalText([]byte(b.str("RESEARCHFLOW_LOG_LEVEL", "info"))); err != nil {
		b.failErr("RESEARCHFLOW_LOG_LEVEL", err)
	}
	if abs, err := filepath.Abs(c.DataDir); err != nil {
		b.failErr("RESEARCHFLOW_DATA_DIR", err)
	} else {
		c.DataDir = abs
	}
	c.UIURL = strings.TrimRight(b.get("RESEARCHFLOW_UI_URL"), "/")
	b.httpURL("RESEARCHFLOW_UI_URL", c.UIURL)
	if c.LogFormat != "text" && c.LogFormat != "json" {
		b.fail("RESEARCHFLOW_LOG_FORMAT", "want text or json, not %q", c.LogFormat)
	}
	c.OTel = otelEnabled(b)
	if c.Embedded() {
		embeddedServerOTel(b)
	}
	c.MetricsAddr = b.get("RESEARCHFLOW_METRICS_ADDR")
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			b.fail("RESEARCHFLOW_METRICS_ADDR", "want host:port (e.g. 127.0.0.1:9464), not %q", c.MetricsAddr)
		}
	}
	if c.WebhookSecret != "" {
		if _, err := c.WebhookKey(); err != nil {
			b.failErr("RESEARCHFLOW_WEBHOOK_SECRET", err)
		}
	}
	c.loadNotify(b)
	var err error
	if c.TemporalClient, err = envconfig.LoadClientOptions(envconfig.LoadClientOptionsRequest{EnvLookup: env}); err != nil {
		b.failErr("TEMPORAL_*", fmt.Errorf("temporal client settings (TEMPORAL_*, config profile): %w", err))
	}
	c.TemporalClient.HostPort, c.TemporalClient.Namespace = c.TemporalAddress, c.Namespace
	c.Gateway = bindGateway(b)
	c.Gateway.DataDir, c.Gateway.Namespace = c.DataDir, c.Namespace
	if c.SMTPURL != "" {
		c.Gateway.NotifyEmailDomains = c.NotifyEmailDomains
	}
	c.Gateway.UIURL = c.WebUI("")
	c.LLM = bindLLM(b)
	c.Embeddings = bindEmbeddings(b)
	c.Search = bindSearch(b)
	c.Fetch = bindFetch(b)
	if b.get("QDRANT_URL") != "" {
		q := bindQdrant(b)
		c.Qdrant = &q
	}
	c.Codec = bindCodec(b)
	c.BuildID = b.str("RESEARCHFLOW_BUILD_ID", b.get("TEMPORAL_WORKER_BUILD_ID"))
	c.DeploymentName = b.str("RESEARCHFLOW_DEPLOYMENT_NAME", "researchflow")
	for _, n := range []struct{ name, v string }{{"RESEARCHFLOW_BUILD_ID", c.BuildID}, {"RESEARCHFLOW_DEPLOYMENT_NAME", c.DeploymentName}} {
		// The server joins them as "name.buildID" (Worker Deployment
		// Version strings); it refuses "." in a deployment name.
		if len(n.v) > 255 || strings.ContainsAny(n.v, " \t\n") || (n.name == "RESEARCHFLOW_DEPLOYMENT_NAME" && strings.Contains(n.v, ".")) {
			b.fail(n.name, "%q is not a valid name (no spaces, at most 255 characters, no '.' in a deployment name)", n.v)
		}
	}
	if len(b.errs) > 0 {
		return c, Errors(b.errs)
	}
	return c, nil
}

// Errors is every invalid setting Load found, each a *VarError (errors.As
// finds the first). Its message lists them one per line.
type Errors []error

func (e Errors) Error() string {
	if len(e) == 1 {
		return e[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d invalid settings:", len(e))
	for _, err := range e {
		b.WriteString("\n  " + err.Error())
	}
	return b.String()
}

func (e Errors) Unwrap() []error { return e }

// otelEnabled decides whether tracing is on and checks the OTLP protocol
// variables, whose values the SDK would otherwise reject only at start.
// Names and values per the OpenTelemetry specification:
// https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/
func otelEnabled(b *binder) bool {
	for _, k := range []string{"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"} {
		switch v := b.str(k, "http/protobuf"); v {
		case "http/protobuf", "grpc":
		default:
			b.fail(k, "want http/protobuf or grpc, not %q", v)
		}
	}
	if strings.EqualFold(b.str("OTEL_SDK_DISABLED", "false"), "true") {
		return false
	}
	exporter := b.get("OTEL_TRACES_EXPORTER")
	if exporter == "none" {
		return false
	}
	return exporter != "" || b.get("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || b.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// embeddedServerOTel refuses the OTEL_* values that would stop the
// embedded Temporal server, which reads OTEL_TRACES_EXPORTER itself and
// supports only otlp (over gRPC) and none
// (go.temporal.io/server/common/telemetry.SpanExportersFromEnv).
func embeddedServerOTel(b *binder) {
	exporters := b.get("OTEL_TRACES_EXPORTER")
	if exporters == "" {
		return
	}
	for _, e := range strings.Split(exporters, ",") {
		switch e {
		case "none":
		case "otlp":
			if p := b.str("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "grpc"); p != "grpc" {
				b.fail("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "%s with OTEL_TRACES_EXPORTER=otlp: the embedded Temporal server exports its own spans over grpc only; unset OTEL_TRACES_EXPORTER (OTEL_EXPORTER_OTLP_ENDPOINT alone traces Researchflow) or set TEMPORAL_ADDRESS", p)
			}
		default:
			b.fail("OTEL_TRACES_EXPORTER", "%s: the embedded Temporal server reads it too and supports only otlp and none; unset it (OTEL_EXPORTER_OTLP_ENDPOINT alone turns tracing on) or set TEMPORAL_ADDRESS", exporters)
			return
		}
	}
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

// WebhookKey is the raw key of WebhookSecret (nil when no secret is set),
// for a Standard Webhooks signer.
func (c Config) WebhookKey() ([]byte, error) {
	if c.WebhookSecret == "" {
		return nil, nil
	}
	b64, ok := strings.CutPrefix(c.WebhookSecret, "whsec_")
	raw, err := base64.StdEncoding.DecodeString(b64)
	if !ok || err != nil || len(raw) < 24 || len(raw) > 64 {
		return nil, errors.New("RESEARCHFLOW_WEBHOOK_SECRET: want whsec_ followed by the base64 of 24 to 64 random bytes (e.g. whsec_$(openssl rand -base64 32))")
	}
	return raw, nil
}

// Embedded reports whether the process must run its own Temporal server.
func (c Config) Embedded() bool { return c.TemporalAddress == "" }

// WebUI is the Temporal Web UI that runs link to, given served, the base
// URL of the Web UI this process's embedded server serves ("" when it
// serves none: RESEARCHFLOW_UI_PORT=0, its port was taken, or there is
// no embedded server). RESEARCHFLOW_UI_URL, when set, comes first. ""
// means no Web UI is known: the API, the web app, the starter and the
// startup lines then show no link to one.
func (c Config) WebUI(served string) string {
	if c.UIURL != "" {
		return c.UIURL
	}
	return served
}

// Paths under the data dir.
func (c Config) TemporalDB() string { return filepath.Join(c.DataDir, "temporal.db") }
func (c Config) MemoryDir() string  { return filepath.Join(c.DataDir, "memory") }
func (c Config) ReportDir() string  { return filepath.Join(c.DataDir, "reports") }

// loadNotify checks the notification settings: NATS_URL, the SMTP server,
// its sender and the e-mail domain allow-list.
func (c *Config) loadNotify(b *binder) {
	if c.NATSURL != "" {
		for _, u := range strings.Split(c.NATSURL, ",") {
			p, err := url.Parse(strings.TrimSpace(u))
			if err != nil || p.Host == "" || (p.Scheme != "nats" && p.Scheme != "tls" && p.Scheme != "ws" && p.Scheme != "wss") {
				b.fail("NATS_URL", "want nats://host:port (or tls://, ws://, wss://), not %q", u)
			}
		}
	}
	for _, d := range b.list("RESEARCHFLOW_NOTIFY_EMAIL_DOMAINS") {
		d = strings.ToLower(d)
		if strings.ContainsAny(d, "@/: ") || !strings.Contains(d, ".") && d != "localhost" {
			b.fail("RESEARCHFLOW_NOTIFY_EMAIL_DOMAINS", "%q is not a domain name", d)
			continue
		}
		c.NotifyEmailDomains = append(c.NotifyEmailDomains, d)
	}
	if c.SMTPURL == "" {
		return
	}
	host, _, _, err := ParseSMTPURL(c.SMTPURL)
	if err != nil {
		b.failErr("RESEARCHFLOW_SMTP_URL", err)
		return
	}
	if c.SMTPFrom == "" {
		c.SMTPFrom = "researchflow@" + host
	}
	if a, err := mail.ParseAddress(c.SMTPFrom); err != nil || a.Address != c.SMTPFrom {
		b.fail("RESEARCHFLOW_SMTP_FROM", "want a plain address, not %q", c.SMTPFrom)
	}
}

// ParseSMTPURL reads an SMTP server URL, smtp://[user:pass@]host[:port]
// (STARTTLS required, port 587 by default) or smtps://… (implicit TLS, port
// 465 by default).
func ParseSMTPURL(raw string) (host string, port int, implicitTLS bool, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", 0, false, fmt.Errorf("not a URL: %w", err)
	}
	switch u.Scheme {
	case "smtp":
		port = 587
	case "smtps":
		port, implicitTLS = 465, true
	default:
		return "", 0, false, fmt.Errorf("want smtp://[user:pass@]host[:port] or smtps://…, not scheme %q", u.Scheme)
	}
	if u.Hostname() == "" {
		return "", 0, false, errors.New("no host")
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil || port < 1 || port > 65535 {
			return "", 0, false, fmt.Errorf("bad port %q", p)
		}
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" {
		return "", 0, false, errors.New("want no path or query")
	}
	return u.Hostname(), port, implicitTLS, nil
}
