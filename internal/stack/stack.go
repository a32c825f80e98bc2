// Package stack is Researchflow's composition root: from a config.Config it
// builds memory (embedded or Qdrant, with embeddings), the reasoning engine
// (offline extractive, or models through langchaingo), the Temporal
// connection (a cluster, or an embedded server started through the
// devserver hook), the worker pools and the HTTP gateway, and runs them
// until one of them fails or the process is told to stop. The workers,
// starter and api commands and the end-to-end tests all start Researchflow
// through it. It does not import the Temporal server: only the commands
// that may run one (workers, starter) pass temporalserver.StartDev.
//
// Its files follow the three jobs:
//   - build.go builds the application from the settings — Temporal client,
//     memory, engines, activities, the gateway's handler — and neither
//     listens nor prints;
//   - run.go runs it: one supervisor owns the worker pools, the HTTP
//     servers, the metrics listener and the optional embedded server, ends
//     the process when one of them dies, and stops them together;
//   - devstack.go holds the developer-stack conveniences: finding a dev
//     stack already running (Connect), describing it and printing where
//     things are.
//
// stack.go ties them together in Start.
package stack

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	rfclient "github.com/researchflow/researchflow/client"
	"github.com/researchflow/researchflow/internal/devserver"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"

	"github.com/researchflow/researchflow/activities"
	"github.com/researchflow/researchflow/codec"
	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/pools"
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
	// LocalServer says the server TEMPORAL_ADDRESS names is this machine's
	// dev or background stack (Connect attaches to it): requests to it go
	// uncompressed, as to a server in this process (see dial).
	LocalServer bool
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
	// sup owns every running part and the order in which they stop.
	sup supervisor
}

// Start starts everything opts asks for. Without TEMPORAL_ADDRESS it starts
// the embedded Temporal server first. The order matters: the gateway's
// listener comes first (the embedded Web UI is told the codec server's
// address), then the server, the client (build.go), the activities, and
// only then the parts that serve (run.go).
func Start(ctx context.Context, cfg config.Config, opts Options) (_ *Stack, err error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	// Records logged with a traced context carry its trace ID.
	opts.Logger = slog.New(telemetry.LogHandler(opts.Logger.Handler()))
	s := &Stack{Config: cfg, logger: opts.Logger, sup: newSupervisor()}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if err := s.startTracing(ctx); err != nil {
		return nil, err
	}
	if s.Metrics, err = telemetry.NewMetrics(opts.Logger); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	s.sup.onClose(s.Metrics.Close)
	if cfg.Codec.Enabled() {
		if s.Codec, err = codec.New(codec.Config(cfg.Codec)); err != nil {
			return nil, err
		}
	}
	var codecEndpoint string
	if opts.Gateway {
		if err := s.listenGateway(); err != nil {
			return nil, err
		}
		if s.Codec != nil {
			codecEndpoint = "http://" + browserAddr(s.gatewayLn.Addr().String()) + "/codec"
		}
	}
	if cfg.Embedded() {
		t0 := time.Now()
		if err := s.startServer(ctx, opts, codecEndpoint); err != nil {
			return nil, err
		}
		s.timed("embedded Temporal server started", t0)
	} else {
		s.uiURL = cfg.WebUI("")
	}
	t0 := time.Now()
	local := s.Server != nil || opts.LocalServer
	if s.Client, err = dial(ctx, cfg, s.frontend(), local, s.Codec, opts.Logger, s.Metrics); err != nil {
		return nil, err
	}
	s.sup.onClose(s.Client.Close)
	s.timed("Temporal client dialled", t0)
	s.Runs = rfclient.New(s.Client, cfg.Namespace)
	if s.Codec != nil {
		s.Runs = s.Runs.WithDataConverter(s.Codec.DataConverter())
		opts.Logger.Info("payload encryption on", "key", cfg.Codec.KeyID, "keys", len(cfg.Codec.Keys))
	}
	t0 = time.Now()
	if err := EnsureSearchAttributes(ctx, s.Client, cfg.Namespace); err != nil {
		opts.Logger.Warn("could not register search attributes; research runs need them", "error", err)
	}
	s.timed("search attributes checked", t0)

	acts := opts.Activities
	if acts == nil && len(opts.Pools) > 0 {
		t0 := time.Now()
		built, err := s.buildActivities(ctx, opts.Pools)
		if err != nil {
			return nil, err
		}
		s.timed("activities built (memory opened)", t0)
		acts = built
		if opts.SetUpSearch != nil && acts.Search != nil {
			opts.SetUpSearch(acts.Search)
		}
	}
	if len(opts.Pools) > 0 {
		t0 := time.Now()
		if err := s.startPools(opts, *acts); err != nil {
			return nil, err
		}
		s.timed("worker pools started", t0)
	}
	if cfg.MetricsAddr != "" && len(opts.Pools) > 0 {
		// Worker processes only: a client-only command (the starter) run
		// with the same environment must not take the workers' port.
		if err := s.startMetrics(cfg.MetricsAddr); err != nil {
			return nil, err
		}
	}
	if opts.Gateway {
		h, err := s.gatewayHandler(ctx)
		if err != nil {
			return nil, err
		}
		s.serveGateway(h)
	}
	return s, nil
}

// Close stops everything in reverse order of start.
func (s *Stack) Close() {
	t0 := time.Now()
	s.sup.close()
	s.timed("stopped", t0)
}

// timed logs, at debug level, how long a step of start or close took
// (RESEARCHFLOW_LOG_LEVEL=debug shows where a command's seconds go).
func (s *Stack) timed(step string, since time.Time) {
	s.logger.Debug("stack: "+step, "took", time.Since(since).Round(time.Millisecond))
}

func (s *Stack) frontend() string {
	if s.Server != nil {
		return s.Server.FrontendAddress()
	}
	return s.Config.TemporalAddress
}
