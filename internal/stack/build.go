package stack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/gin-gonic/gin"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/activities"
	rfclient "github.com/researchflow/researchflow/client"
	"github.com/researchflow/researchflow/codec"
	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/corpus"
	"github.com/researchflow/researchflow/internal/embed"
	"github.com/researchflow/researchflow/internal/events"
	"github.com/researchflow/researchflow/internal/fetch"
	"github.com/researchflow/researchflow/internal/gateway"
	"github.com/researchflow/researchflow/internal/mailer"
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/memory/embedded"
	"github.com/researchflow/researchflow/internal/memory/qdrant"
	"github.com/researchflow/researchflow/internal/pools"
	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/reasoning/extractive"
	"github.com/researchflow/researchflow/internal/reasoning/llm"
	"github.com/researchflow/researchflow/internal/search"
	"github.com/researchflow/researchflow/internal/telemetry"
)

// This file builds the application from its settings: the Temporal
// client, memory, the engines, the activities of the pools and the
// gateway's handler. Nothing here listens on a port or prints.

// dial connects with Temporal's standard client configuration (env vars and
// the CLI's config file), pointed at addr; local says the server runs on
// this machine (see noGzipForLocal). With a codec, every payload is
// encrypted, and so are failure messages and stack traces (the failure
// converter's EncodeCommonAttributes), which may quote a question.
func dial(ctx context.Context, cfg config.Config, addr string, local bool, cc *codec.Codec, logger *slog.Logger, m *telemetry.Metrics) (client.Client, error) {
	opts := cfg.TemporalClient
	// The SDK's own metrics (temporal_*) and the workflows' (researchflow_runs_*).
	opts.MetricsHandler = m.TemporalHandler()
	opts.HostPort = addr
	opts.Namespace = cfg.Namespace
	noGzipForLocal(&opts, local)
	opts.Logger = sdklog.NewStructuredLogger(logger.With("component", "temporal-client"))
	if cc == nil && opts.DataConverter == nil {
		// Encrypted payloads (another process's keys) fail naming their key.
		opts.DataConverter = codec.KeylessDataConverter()
	} else {
		opts.DataConverter = cc.DataConverter()
		opts.FailureConverter = temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{
			DataConverter: opts.DataConverter, EncodeCommonAttributes: true,
		})
	}
	// Workers created from this client share its interceptors: one trace
	// runs from the caller through the workflow into every activity.
	tracing, err := telemetry.TemporalInterceptor()
	if err != nil {
		return nil, err
	}
	opts.Interceptors = append(append([]interceptor.ClientInterceptor(nil), opts.Interceptors...), tracing)
	c, err := client.DialContext(ctx, opts)
	if err != nil {
		hint := "start the dev stack with `go run ./workers -pool all`, or set TEMPORAL_ADDRESS"
		if cfg.TemporalAddress != "" {
			hint = "TEMPORAL_ADDRESS names it: is that cluster up? (the local cluster: task cluster:status)"
		}
		return nil, fmt.Errorf("connect to Temporal at %s (namespace %s; %s): %w", addr, cfg.Namespace, hint, err)
	}
	return c, nil
}

// noGzipForLocal turns off the gzip compression the SDK gives every
// request by default (the server then gzips its answers too) for a server
// on this machine (local: the embedded server, in this process or the dev
// or background stack's), unless opts choose a compression: over loopback
// it is CPU spent for nothing (a few percent of a research run's, server
// included, on the 2-core machine of the README's figures). A server that
// TEMPORAL_ADDRESS names keeps it, even on localhost: that may be a
// tunnel to a cluster elsewhere (kubectl port-forward, ssh -L).
func noGzipForLocal(opts *client.Options, local bool) {
	if local && opts.ConnectionOptions.GrpcCompression == nil {
		opts.ConnectionOptions.GrpcCompression = &client.GrpcCompressionNone{}
	}
}

// EnsureSearchAttributes registers the search attributes research runs set,
// where missing. On clusters where the caller lacks the permission, an
// operator runs the equivalent `temporal operator search-attribute create`.
func EnsureSearchAttributes(ctx context.Context, c client.Client, namespace string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	op := c.OperatorService()
	have, err := op.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("list search attributes: %w", err)
	}
	missing := map[string]enumspb.IndexedValueType{}
	for _, name := range searchAttributes() {
		if _, ok := have.GetCustomAttributes()[name]; !ok {
			missing[name] = enumspb.INDEXED_VALUE_TYPE_KEYWORD
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if _, err := op.AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace: namespace, SearchAttributes: missing,
	}); err != nil {
		return fmt.Errorf("add search attributes: %w", err)
	}
	return nil
}

// buildActivities builds the dependencies of the pools that run here.
func (s *Stack) buildActivities(ctx context.Context, names []string) (*pools.Activities, error) {
	need := map[string]bool{}
	for _, n := range names {
		need[n] = true
	}
	acts := &pools.Activities{}
	if need[pools.Search] || need[pools.Inference] {
		store, err := s.openStore(ctx)
		if err != nil {
			return nil, err
		}
		s.Store = store
		s.sup.onClose(func() { _ = store.Close() })
	}
	if need[pools.Search] {
		acts.Search = &activities.Search{
			Store:    s.Store,
			Ingester: &corpus.Ingester{Store: s.Store, Logger: s.logger},
			GoRoot:   s.Config.GoRoot,
			Logger:   s.logger,
		}
		// The search providers configured (sources other than the corpus),
		// the SSRF-safe fetcher of their pages, and memory for the pages.
		// The metrics observe circuit changes and failed searches.
		var _ search.ErrorObserver = s.Metrics
		searchers, err := search.New(s.Config.Search, s.Metrics)
		if err != nil {
			return nil, fmt.Errorf("search providers: %w", err)
		}
		acts.Search.Searchers = activities.Providers(searchers)
		acts.Search.Fetcher = activities.Pages(fetch.New(s.Config.Fetch, fetch.WithLogger(s.logger)))
		acts.Search.Pages = s.Store
		acts.FollowUp = &activities.FollowUp{Runs: s.Client, Chunks: s.Store, Logger: s.logger}
		s.logger.Info("search providers", "configured", search.Names(searchers))
	}
	if need[pools.Inference] {
		offline := extractive.New(extractive.Config{}).Roles()
		engine, models, err := s.buildEngine(offline)
		if err != nil {
			return nil, err
		}
		acts.Inference = &activities.Inference{Engine: engine, Offline: offline, Chunks: s.Store, Logger: s.logger}
		if models != nil {
			acts.Inference.WithHeartbeat = llm.WithHeartbeat
			acts.Inference.Calls = models
		}
	}
	if need[pools.Notify] {
		signer, err := webhookSigner(s.Config)
		if err != nil {
			return nil, err
		}
		acts.Notify = &activities.Notify{
			Signer:       signer,
			ReportDir:    s.Config.ReportDir(),
			WebhookURL:   s.Config.WebhookURL,
			HTTP:         &http.Client{Timeout: 30 * time.Second},
			Logger:       s.logger,
			EmailDomains: s.Config.NotifyEmailDomains,
		}
		if s.Config.NATSURL != "" {
			acts.Notify.Bus = &events.JetStream{URL: s.Config.NATSURL}
		}
		if s.Config.SMTPURL != "" {
			m, err := mailer.New(s.Config.SMTPURL, s.Config.SMTPFrom)
			if err != nil {
				return nil, fmt.Errorf("RESEARCHFLOW_SMTP_URL: %w", err)
			}
			acts.Notify.Mailer = m
		}
	}
	return acts, nil
}

// openStore opens Qdrant when QDRANT_URL is set, else the embedded store
// under the data dir; either way wrapped with the configured embedder.
func (s *Stack) openStore(ctx context.Context) (memory.Store, error) {
	embedder, err := embed.New(s.Config.Embeddings)
	if err != nil {
		return nil, err
	}
	dim, err := embed.Probe(ctx, embedder)
	if err != nil {
		return nil, fmt.Errorf("embedding model %s: %w", embedder.Model(), err)
	}
	var backend memory.Store
	if s.Config.Qdrant != nil {
		qcfg := *s.Config.Qdrant
		qcfg.Dim, qcfg.EmbeddingModel = dim, embedder.Model()
		if backend, err = qdrant.Open(ctx, qcfg); err != nil {
			return nil, err
		}
		s.logger.Info("memory: Qdrant", "url", qcfg.URL, "collection", qcfg.Collection, "embeddings", embedder.Model())
	} else {
		dir := s.Config.MemoryDir()
		if backend, err = embedded.Open(dir, embedded.Options{EmbeddingModel: embedder.Model(), Dim: dim, Logger: s.logger}); err != nil {
			if errors.Is(err, embedded.ErrEmbeddingMismatch) {
				return nil, fmt.Errorf("%w; the memory in %s was built by another embedder (or an older version of it): move it aside (mv %s %s.old) and it is rebuilt, the Go docs on first use and folders on their next ingest (starter ingest DIR --corpus NAME)", err, dir, dir, dir)
			}
			return nil, err
		}
		s.logger.Info("memory: embedded", "dir", dir, "embeddings", embedder.Model())
	}
	return embed.WithEmbeddings(backend, embedder), nil
}

// buildEngine returns the offline engine, with every role that has a model
// configured served by that model instead, and the model engine (nil when
// no model is configured).
func (s *Stack) buildEngine(offline reasoning.Engine) (reasoning.Engine, *llm.Engine, error) {
	lcfg := s.Config.LLM
	if !lcfg.Enabled() {
		s.logger.Info("reasoning: offline extractive engine (no LLM configured)")
		return offline, nil, nil
	}
	e, err := llm.New(lcfg, llm.Options{Fallback: offline.Planner, Logger: s.logger, Observer: s.Metrics})
	if err != nil {
		return reasoning.Engine{}, nil, err
	}
	for _, r := range e.Describe() {
		s.logger.Info("reasoning", "role", r.Role, "provider", r.Provider, "model", r.Model, "prompt", r.PromptVersion)
	}
	return e.Overlay(offline), e, nil
}

// gatewayHandler builds the HTTP gateway (API, web app, codec server) on
// the process's client, memory and metrics.
func (s *Stack) gatewayHandler(ctx context.Context) (http.Handler, error) {
	// gin's mode is process-wide; debug mode prints every route.
	gin.SetMode(gin.ReleaseMode)
	gcfg := s.gatewayConfig()
	if s.Store == nil && s.Config.Qdrant != nil {
		// A gateway alone can still open cited passages from a shared Qdrant.
		store, err := s.openStore(ctx)
		if err != nil {
			return nil, err
		}
		s.Store = store
		s.sup.onClose(func() { _ = store.Close() })
	}
	deps := gateway.Deps{Runs: s.Runs, Logger: s.logger, Metrics: s.Metrics.Registry}
	// A replacement upload is read as ingestion will read it before it
	// takes the stored file's place: one it cannot use is refused.
	deps.ReadDocument = corpus.Usable
	// The web app shows which sources this machine cannot reach (no
	// internet), probed from here: the dev stack's gateway and search
	// workers share one network.
	searchCfg := s.Config.Search
	deps.Probe = func(ctx context.Context, source string) error { return search.Probe(ctx, searchCfg, source) }
	schedules := rfclient.NewSchedules(s.Client.ScheduleClient())
	deps.Schedules = schedules
	if s.Codec != nil {
		ccfg := s.Config.Codec
		if ccfg.AuthToken == "" && !ccfg.NoAuth && !loopback(s.gatewayLn.Addr().String()) {
			return nil, fmt.Errorf("RESEARCHFLOW_CODEC_KEYS is set and the gateway listens on %s: set RESEARCHFLOW_CODEC_AUTH_TOKEN (or RESEARCHFLOW_CODEC_NO_AUTH=1 where the network limits who reaches it), or anyone who can reach /codec could decrypt payloads", gcfg.Addr)
		}
		if len(ccfg.Origins) == 0 {
			ccfg.Origins = s.uiCodecOrigins()
		}
		deps.Schedules = schedules.WithDataConverter(s.Codec.DataConverter())
		deps.Codec = codec.Handler(s.Codec, codec.Config(ccfg))
		deps.CodecOrigins = ccfg.Origins
	}
	if s.Store != nil {
		deps.Chunks = s.Store
	} else {
		s.logger.Warn("gateway: no shared memory in this process; cited sources are shown without their passages (set QDRANT_URL)")
	}
	return gateway.New(gcfg, deps)
}

// gatewayConfig is the gateway's configuration in this stack: its
// sources, and run links to the Web UI the stack knows serves (s.uiURL,
// none when none does: the configuration's own UIURL is only
// RESEARCHFLOW_UI_URL).
func (s *Stack) gatewayConfig() gateway.Config {
	gcfg := s.Config.Gateway
	gcfg.Sources = configuredSources(s.Config.Search)
	gcfg.UIURL = s.uiURL
	return gcfg
}

// uiCodecOrigins are the browser origins of the Web UIs that decode
// payloads with the gateway's codec server: the one runs link to, and the
// embedded server's own when it serves another (it is told the codec
// server's address).
func (s *Stack) uiCodecOrigins() []string {
	var out []string
	for _, u := range []string{s.uiURL, s.servedUI()} {
		if u == "" {
			continue
		}
		for _, o := range uiOrigins(u) {
			if !slices.Contains(out, o) {
				out = append(out, o)
			}
		}
	}
	return out
}

// servedUI is the embedded server's Web UI, or "" when it serves none.
func (s *Stack) servedUI() string {
	if s.Server == nil {
		return ""
	}
	return s.Server.UIAddress()
}

// webhookSigner is the Standard Webhooks signer of the configured secret,
// or nil when none is set.
func webhookSigner(cfg config.Config) (*standardwebhooks.Webhook, error) {
	key, err := cfg.WebhookKey()
	if key == nil || err != nil {
		return nil, err
	}
	return standardwebhooks.NewWebhookRaw(key)
}

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

// loopback reports whether a listen address is reachable from this host only.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

// uiOrigins are the CORS origins of a Web UI at raw: its
// scheme://host[:port], and the same with localhost for a loopback IP (a
// browser may open either).
func uiOrigins(raw string) []string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return []string{raw}
	}
	out := []string{u.Scheme + "://" + u.Host}
	if ip := net.ParseIP(u.Hostname()); ip != nil && ip.IsLoopback() {
		host := "localhost"
		if u.Port() != "" {
			host = net.JoinHostPort(host, u.Port())
		}
		out = append(out, u.Scheme+"://"+host)
	}
	return out
}

// searchAttributes lists the custom search attributes research runs and
// their follow-ups set (the rf.SearchAttr* names); all are Keyword
// attributes, registered at start where missing.
func searchAttributes() []string {
	return []string{rf.SearchAttrStatus, rf.SearchAttrStage, rf.SearchAttrOwner, rf.SearchAttrCorpus, rf.SearchAttrFollowUpOf}
}
