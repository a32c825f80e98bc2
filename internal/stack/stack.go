// Package stack is Researchflow's composition root: from a config.Config it
// builds memory (embedded or Qdrant, with embeddings), the reasoning engine
// (offline extractive, or models through langchaingo), the Temporal
// connection (a cluster, or an embedded server started through the
// devserver hook), the worker pools and the HTTP gateway, and runs them
// until one of them fails or the process is told to stop. The workers,
// starter and api commands and the end-to-end tests all start Researchflow
// through it. It does not import the Temporal server: only the commands
// that may run one (workers, starter) pass temporalserver.StartDev.
package stack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"time"

	rf "github.com/researchflow/researchflow"
	rfclient "github.com/researchflow/researchflow/client"
	"github.com/researchflow/researchflow/internal/devserver"

	"github.com/gin-gonic/gin"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"

	"github.com/researchflow/researchflow/activities"
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

// Options choose what a process runs.
type Options struct {
	// Pools to run (see package pools); none for a client-only process.
	Pools []string
	// Gateway serves the HTTP API and web app on cfg's gateway address.
	Gateway bool
	Logger  *slog.Logger
	// Activities, if set, replaces the activities built from cfg (tests
	// wrap them to count executions).
	Activities *pools.Activities
	// SetUpSearch, if set, completes the search pool's activities once
	// built, before any worker starts (tests install providers with it).
	SetUpSearch func(*activities.Search)
	// NoUI keeps the embedded server's Web UI off.
	NoUI bool
	// Interceptors are added to every worker.
	Interceptors []interceptor.WorkerInterceptor
	// ServerLogLevel is the embedded server's log level (default warn).
	ServerLogLevel slog.Level
	// DevServer starts the embedded Temporal server when the configuration
	// names no cluster; nil in processes that never run one (api).
	DevServer devserver.Starter
}

// Stack is a running Researchflow process.
type Stack struct {
	Config config.Config
	Client client.Client
	// Runs starts and reads research runs over Client.
	Runs    *rfclient.Client
	Server  devserver.Server // nil when connected to a cluster
	Store   memory.Store     // nil when no pool needs memory
	Pools   *pools.Running
	Gateway *http.Server
	// Metrics is the process's Prometheus registry (gateway /metrics and
	// the metrics listener).
	Metrics *telemetry.Metrics
	// MetricsServer serves Metrics on RESEARCHFLOW_METRICS_ADDR; nil when
	// that is not set.
	MetricsServer *http.Server

	// Codec encrypts payloads when the configuration has codec keys (nil
	// otherwise); Client was dialled with its data converter.
	Codec *codec.Codec

	logger    *slog.Logger
	gatewayLn net.Listener
	ephemeral bool
	uiURL     string
	closers   []func()
	// failed receives the error of a component that died after start (the
	// gateway's listener, a worker's fatal error); Serve ends on it.
	failed chan error
}

// Start starts everything opts asks for. Without TEMPORAL_ADDRESS it starts
// the embedded Temporal server first.
func Start(ctx context.Context, cfg config.Config, opts Options) (_ *Stack, err error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	// Records logged with a traced context carry its trace ID.
	opts.Logger = slog.New(telemetry.LogHandler(opts.Logger.Handler()))
	s := &Stack{Config: cfg, logger: opts.Logger, failed: make(chan error, 4)}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if cfg.OTel {
		shutdown, err := telemetry.StartTracing(ctx, telemetry.DefaultServiceName)
		if err != nil {
			return nil, err
		}
		s.closers = append(s.closers, func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := shutdown(ctx); err != nil {
				opts.Logger.Warn("flushing traces failed", "error", err)
			}
		})
		opts.Logger.Info("tracing: OpenTelemetry on (OTEL_* variables)")
	}
	if s.Metrics, err = telemetry.NewMetrics(opts.Logger); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	s.closers = append(s.closers, s.Metrics.Close)
	if cfg.Codec.Enabled() {
		if s.Codec, err = codec.New(cfg.Codec); err != nil {
			return nil, err
		}
	}
	var codecEndpoint string
	if opts.Gateway {
		// Listen first: the embedded Web UI is told the codec server's
		// address before the gateway serves.
		if s.gatewayLn, err = net.Listen("tcp", cfg.Gateway.Addr); err != nil {
			return nil, fmt.Errorf("HTTP gateway on %s (RESEARCHFLOW_HTTP_ADDR): %w", cfg.Gateway.Addr, err)
		}
		ln := s.gatewayLn
		s.closers = append(s.closers, func() { _ = ln.Close() })
		if s.Codec != nil {
			codecEndpoint = "http://" + browserAddr(ln.Addr().String()) + "/codec"
		}
	}
	if cfg.Embedded() {
		if opts.DevServer == nil {
			return nil, errors.New("TEMPORAL_ADDRESS is not set and this command does not run an embedded Temporal server: point it at a cluster or a dev stack")
		}
		uiPort := cfg.EmbeddedUIPort
		srv, err := opts.DevServer(ctx, devserver.Options{
			DatabaseFile:            cfg.TemporalDB(),
			FrontendPort:            cfg.EmbeddedFrontendPort,
			UIPort:                  uiPort,
			NoUI:                    opts.NoUI || uiPort == 0,
			Namespace:               cfg.Namespace,
			KeywordSearchAttributes: rf.SearchAttributes,
			Logger:                  opts.Logger,
			LogLevel:                opts.ServerLogLevel,
			CodecEndpoint:           codecEndpoint,
		})
		if err != nil {
			return nil, fmt.Errorf("start embedded Temporal server: %w", err)
		}
		s.Server = srv
		s.uiURL = srv.UIAddress()
		s.closers = append(s.closers, srv.Stop)
	} else {
		s.uiURL = cfg.UIURL
	}
	if s.Client, err = dial(ctx, cfg, s.frontend(), s.Codec, opts.Logger, s.Metrics); err != nil {
		return nil, err
	}
	s.closers = append(s.closers, s.Client.Close)
	s.Runs = rfclient.New(s.Client, cfg.Namespace)
	if s.Codec != nil {
		s.Runs = s.Runs.WithDataConverter(s.Codec.DataConverter())
		opts.Logger.Info("payload encryption on", "key", cfg.Codec.KeyID, "keys", len(cfg.Codec.Keys))
	}
	if err := EnsureSearchAttributes(ctx, s.Client, cfg.Namespace); err != nil {
		opts.Logger.Warn("could not register search attributes; research runs need them", "error", err)
	}

	acts := opts.Activities
	if acts == nil && len(opts.Pools) > 0 {
		built, err := s.buildActivities(ctx, opts.Pools)
		if err != nil {
			return nil, err
		}
		acts = built
		if opts.SetUpSearch != nil && acts.Search != nil {
			opts.SetUpSearch(acts.Search)
		}
	}
	if len(opts.Pools) > 0 {
		if s.Pools, err = pools.Start(s.Client, opts.Pools, *acts, pools.Options{
			InferenceConcurrency: cfg.InferenceConcurrency,
			SearchConcurrency:    cfg.SearchConcurrency,
			IngestConcurrency:    cfg.IngestConcurrency,
			StopTimeout:          cfg.WorkerStopTimeout,
			BuildID:              cfg.BuildID,
			DeploymentName:       cfg.DeploymentName,
			Logger:               opts.Logger,
			Interceptors:         append(append([]interceptor.WorkerInterceptor(nil), opts.Interceptors...), s.Metrics.WorkerInterceptor()),
			OnFatalError:         func(err error) { s.fail(fmt.Errorf("worker stopped: %w", err)) },
		}); err != nil {
			return nil, err
		}
		s.closers = append(s.closers, s.Pools.Stop)
		if slices.Contains(opts.Pools, pools.Workflow) {
			// One process per deployment polls the backlog: the workflow pool's.
			pctx, cancel := context.WithCancel(context.Background())
			go s.Metrics.PollBacklog(pctx, s.Client, cfg.Namespace, 15*time.Second, opts.Logger)
			s.closers = append(s.closers, cancel)
		}
	}
	if cfg.MetricsAddr != "" && len(opts.Pools) > 0 {
		// Worker processes only: a client-only command (the starter) run
		// with the same environment must not take the workers' port.
		if err := s.startMetrics(cfg.MetricsAddr); err != nil {
			return nil, err
		}
	}
	if opts.Gateway {
		if err := s.startGateway(ctx); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Serve starts what opts asks for, prints where to find it, and keeps it up
// until ctx ends (nil) or a component dies (its error): the body of the
// long-running commands, whose exit code then says so.
func Serve(ctx context.Context, cfg config.Config, opts Options) error {
	s, err := Start(ctx, cfg, opts)
	if err != nil {
		return err
	}
	defer s.Close()
	s.PrintAddresses(os.Stderr)
	select {
	case <-ctx.Done():
		s.logger.Info("shutting down")
		return nil
	case err := <-s.failed:
		s.logger.Error("a component failed; stopping", "error", err)
		return err
	}
}

// fail reports a component that died after start.
func (s *Stack) fail(err error) {
	select {
	case s.failed <- err:
	default: // one failure is enough to stop
	}
}

// ConnectOptions configure Connect.
type ConnectOptions struct {
	Logger *slog.Logger
	// DevServer, if set, lets Connect start an embedded stack when no
	// server answers.
	DevServer devserver.Starter
}

// Connect gives a client-side process (the starter) a Temporal connection:
// TEMPORAL_ADDRESS if set; else a dev stack already listening on the
// embedded address; else an in-process embedded stack with every pool,
// which lives as long as the returned Stack.
func Connect(ctx context.Context, cfg config.Config, opts ConnectOptions) (*Stack, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if !cfg.Embedded() {
		return Start(ctx, cfg, Options{Logger: opts.Logger})
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(cfg.EmbeddedFrontendPort))
	if conn, err := net.DialTimeout("tcp", addr, 300*time.Millisecond); err == nil {
		conn.Close()
		ext := cfg
		ext.TemporalAddress = addr
		s, err := Start(ctx, ext, Options{Logger: opts.Logger})
		if err != nil {
			return nil, fmt.Errorf("a Temporal server answers on %s but: %w", addr, err)
		}
		if s.uiURL == "" && cfg.EmbeddedUIPort > 0 {
			s.uiURL = "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(cfg.EmbeddedUIPort))
		}
		return s, nil
	}
	all, _ := pools.Parse(pools.All)
	// The server's own warnings (shutdown chatter) would drown the progress
	// display of a short-lived command.
	// A stack that lives as long as one command has nothing to scrape.
	cfg.MetricsAddr = ""
	s, err := Start(ctx, cfg, Options{Pools: all, Logger: opts.Logger, NoUI: true, ServerLogLevel: slog.LevelError, DevServer: opts.DevServer})
	if err != nil {
		if errors.Is(err, devserver.ErrLocked) {
			return nil, fmt.Errorf("%w: another Researchflow process uses %s but does not answer on %s", err, cfg.DataDir, addr)
		}
		return nil, err
	}
	s.ephemeral = true
	return s, nil
}

// Ephemeral reports whether the stack was started only for this command.
func (s *Stack) Ephemeral() bool { return s.ephemeral }

// Describe says in a few words what the stack is connected to.
func (s *Stack) Describe() string {
	switch {
	case s.ephemeral:
		return "an embedded stack started for this command (" + s.Config.DataDir + ")"
	case s.Server != nil:
		return "the embedded Temporal server at " + s.Server.FrontendAddress()
	default:
		return "Temporal at " + s.Config.TemporalAddress
	}
}

// RunURL links to a workflow in the Temporal Web UI, or "" when none is known.
func (s *Stack) RunURL(workflowID string) string {
	if s.uiURL == "" || s.ephemeral {
		return ""
	}
	return fmt.Sprintf("%s/namespaces/%s/workflows/%s", s.uiURL, url.PathEscape(s.Config.Namespace), url.PathEscape(workflowID))
}

// PrintAddresses tells a person where to find things.
func (s *Stack) PrintAddresses(w io.Writer) {
	if s.Server != nil {
		fmt.Fprintf(w, "Temporal server:  %s (namespace %s, data in %s)\n", s.Server.FrontendAddress(), s.Config.Namespace, s.Config.DataDir)
	} else {
		fmt.Fprintf(w, "Temporal cluster: %s (namespace %s)\n", s.Config.TemporalAddress, s.Config.Namespace)
	}
	if s.uiURL != "" {
		fmt.Fprintf(w, "Temporal Web UI:  %s\n", s.uiURL)
	}
	if s.Gateway != nil {
		fmt.Fprintf(w, "HTTP gateway:     http://%s\n", s.Gateway.Addr)
		if s.Codec != nil {
			fmt.Fprintf(w, "codec server:     http://%s/codec (payloads encrypted with key %s)\n", browserAddr(s.Gateway.Addr), s.Config.Codec.KeyID)
		}
	}
	if s.Pools != nil {
		fmt.Fprintf(w, "worker pools:     %v\n", s.Pools.Names)
	}
	if s.MetricsServer != nil {
		fmt.Fprintf(w, "metrics:          http://%s/metrics\n", s.MetricsServer.Addr)
	}
}

// Close stops everything in reverse order of start.
func (s *Stack) Close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
	s.closers = nil
}

func (s *Stack) frontend() string {
	if s.Server != nil {
		return s.Server.FrontendAddress()
	}
	return s.Config.TemporalAddress
}

// dial connects with Temporal's standard client configuration (env vars and
// the CLI's config file), pointed at addr. With a codec, every payload is
// encrypted, and so are failure messages and stack traces (the failure
// converter's EncodeCommonAttributes), which may quote a question.
func dial(ctx context.Context, cfg config.Config, addr string, cc *codec.Codec, logger *slog.Logger, m *telemetry.Metrics) (client.Client, error) {
	opts := cfg.TemporalClient
	// The SDK's own metrics (temporal_*) and the workflows' (researchflow_runs_*).
	opts.MetricsHandler = m.TemporalHandler()
	opts.HostPort = addr
	opts.Namespace = cfg.Namespace
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

// browserAddr is a listen address a browser can open: an unspecified host
// (":8080", "0.0.0.0:8080") becomes 127.0.0.1.
func browserAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
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
	for _, name := range rf.SearchAttributes {
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
		s.closers = append(s.closers, func() { _ = store.Close() })
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
		s.logger.Info("search providers", "configured", search.Names(searchers))
	}
	if need[pools.Inference] {
		offline := extractive.New(extractive.Config{}).Roles()
		engine, usesModels, err := s.buildEngine(offline)
		if err != nil {
			return nil, err
		}
		acts.Inference = &activities.Inference{Engine: engine, Offline: offline, Chunks: s.Store, Logger: s.logger}
		if usesModels {
			acts.Inference.WithHeartbeat = llm.WithHeartbeat
		}
	}
	if need[pools.Notify] {
		signer, err := s.Config.WebhookSigner()
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
// configured served by that model instead.
func (s *Stack) buildEngine(offline reasoning.Engine) (reasoning.Engine, bool, error) {
	lcfg := s.Config.LLM
	if !lcfg.Enabled() {
		s.logger.Info("reasoning: offline extractive engine (no LLM configured)")
		return offline, false, nil
	}
	e, err := llm.New(lcfg, llm.Options{Fallback: offline.Planner, Logger: s.logger, Observer: s.Metrics})
	if err != nil {
		return reasoning.Engine{}, false, err
	}
	for _, r := range e.Describe() {
		s.logger.Info("reasoning", "role", r.Role, "provider", r.Provider, "model", r.Model, "prompt", r.PromptVersion)
	}
	return e.Overlay(offline), true, nil
}

// startMetrics serves the process's metrics on addr (/metrics), for
// Prometheus to scrape worker processes.
func (s *Stack) startMetrics(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("metrics listener on %s (RESEARCHFLOW_METRICS_ADDR): %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.Metrics.Handler())
	srv := &http.Server{Addr: ln.Addr().String(), Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	s.MetricsServer = srv
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.fail(fmt.Errorf("metrics listener on %s stopped: %w", srv.Addr, err))
		}
	}()
	s.closers = append(s.closers, func() { _ = srv.Close() })
	return nil
}

func (s *Stack) startGateway(ctx context.Context) error {
	// gin's mode is process-wide; debug mode prints every route.
	gin.SetMode(gin.ReleaseMode)
	gcfg := s.Config.Gateway
	if s.uiURL != "" {
		gcfg.UIURL = s.uiURL
	}
	if s.Store == nil && s.Config.Qdrant != nil {
		// A gateway alone can still open cited passages from a shared Qdrant.
		store, err := s.openStore(ctx)
		if err != nil {
			return err
		}
		s.Store = store
		s.closers = append(s.closers, func() { _ = store.Close() })
	}
	deps := gateway.Deps{Temporal: s.Client, Logger: s.logger, Metrics: s.Metrics.Registry}
	if s.Codec != nil {
		ccfg := s.Config.Codec
		if ccfg.AuthToken == "" && !ccfg.NoAuth && !loopback(s.gatewayLn.Addr().String()) {
			return fmt.Errorf("RESEARCHFLOW_CODEC_KEYS is set and the gateway listens on %s: set RESEARCHFLOW_CODEC_AUTH_TOKEN (or RESEARCHFLOW_CODEC_NO_AUTH=1 where the network limits who reaches it), or anyone who can reach /codec could decrypt payloads", gcfg.Addr)
		}
		if len(ccfg.Origins) == 0 && s.uiURL != "" {
			ccfg.Origins = uiOrigins(s.uiURL)
		}
		deps.DataConverter = s.Codec.DataConverter()
		deps.Codec = codec.Handler(s.Codec, ccfg)
		deps.CodecOrigins = ccfg.Origins
	}
	if s.Store != nil {
		deps.Chunks = s.Store
	} else {
		s.logger.Warn("gateway: no shared memory in this process; cited sources are shown without their passages (set QDRANT_URL)")
	}
	h, err := gateway.New(gcfg, deps)
	if err != nil {
		return err
	}
	ln := s.gatewayLn
	// Event streams never go idle: on shutdown, requests get a grace period,
	// then their contexts are cancelled so that streams end.
	base, cancelBase := context.WithCancel(context.Background())
	srv := &http.Server{
		Addr:              ln.Addr().String(),
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // uploads
		WriteTimeout:      2 * time.Minute, // event streams lift it for themselves
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return base },
	}
	srv.RegisterOnShutdown(func() { time.AfterFunc(5*time.Second, cancelBase) })
	s.Gateway = srv
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.fail(fmt.Errorf("HTTP gateway on %s stopped: %w", srv.Addr, err))
		}
	}()
	s.closers = append(s.closers, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		cancelBase()
	})
	return nil
}
