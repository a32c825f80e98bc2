package stack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"time"

	"go.temporal.io/sdk/interceptor"

	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/devserver"
	"github.com/researchflow/researchflow/internal/pools"
	"github.com/researchflow/researchflow/internal/telemetry"
)

// This file runs the application: one supervisor owns every part that
// runs — worker pools, HTTP servers, the metrics listener, the embedded
// Temporal server — ends the process when one of them dies after start,
// and stops them all, in reverse order of start.

// supervisor keeps the running parts of a process and stops them together.
type supervisor struct {
	closers []func()
	// failed receives the error of a part that died after start (a
	// server's listener, a worker's fatal error); wait ends on it.
	failed chan error
}

func newSupervisor() supervisor { return supervisor{failed: make(chan error, 4)} }

// onClose registers f to run at close, before everything registered
// earlier.
func (s *supervisor) onClose(f func()) { s.closers = append(s.closers, f) }

// fail reports a part that died after start.
func (s *supervisor) fail(err error) {
	select {
	case s.failed <- err:
	default: // one failure is enough to stop
	}
}

// serve serves srv on ln until close, which shuts it down within grace
// (at once when grace is 0); a server that stops by itself fails the
// process.
func (s *supervisor) serve(name string, srv *http.Server, ln net.Listener, grace time.Duration) {
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.fail(fmt.Errorf("%s on %s stopped: %w", name, srv.Addr, err))
		}
	}()
	s.onClose(func() {
		if grace <= 0 {
			_ = srv.Close()
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), grace)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
}

// wait blocks until ctx ends (nil) or a part fails (its error).
func (s *supervisor) wait(ctx context.Context, logger *slog.Logger) error {
	select {
	case <-ctx.Done():
		logger.Info("shutting down")
		return nil
	case err := <-s.failed:
		logger.Error("a component failed; stopping", "error", err)
		return err
	}
}

// close stops everything in reverse order of start.
func (s *supervisor) close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
	s.closers = nil
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
	return s.sup.wait(ctx, s.logger)
}

// startTracing turns OpenTelemetry on when the settings ask for it, and
// flushes the spans at close.
func (s *Stack) startTracing(ctx context.Context) error {
	if !s.Config.OTel {
		return nil
	}
	shutdown, err := telemetry.StartTracing(ctx, telemetry.DefaultServiceName)
	if err != nil {
		return err
	}
	s.sup.onClose(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := shutdown(ctx); err != nil {
			s.logger.Warn("flushing traces failed", "error", err)
		}
	})
	s.logger.Info("tracing: OpenTelemetry on (OTEL_* variables)")
	return nil
}

// startServer starts the embedded Temporal server through opts.DevServer.
func (s *Stack) startServer(ctx context.Context, opts Options, codecEndpoint string) error {
	cfg := s.Config
	if opts.DevServer == nil {
		return errors.New("TEMPORAL_ADDRESS is not set and this command does not run an embedded Temporal server: point it at a cluster or a dev stack")
	}
	uiPort := cfg.EmbeddedUIPort
	srv, err := opts.DevServer(ctx, devserver.Options{
		DatabaseFile:            cfg.TemporalDB(),
		FrontendPort:            cfg.EmbeddedFrontendPort,
		UIPort:                  uiPort,
		NoUI:                    opts.NoUI || uiPort == 0,
		Namespace:               cfg.Namespace,
		KeywordSearchAttributes: searchAttributes(),
		Logger:                  s.logger,
		LogLevel:                opts.ServerLogLevel,
		CodecEndpoint:           codecEndpoint,
	})
	if err != nil {
		return fmt.Errorf("start embedded Temporal server: %w", err)
	}
	s.Server = srv
	// Links go to the Web UI that serves: RESEARCHFLOW_UI_URL's, or this
	// server's own, and none when it serves none (RESEARCHFLOW_UI_PORT=0,
	// its port taken).
	s.uiURL = cfg.WebUI(srv.UIAddress())
	s.sup.onClose(func() {
		t0 := time.Now()
		srv.Stop()
		s.timed("embedded Temporal server stopped", t0)
	})
	return nil
}

// startPools starts the worker pools of opts on acts; a worker's fatal
// error fails the process.
func (s *Stack) startPools(opts Options, acts pools.Activities) error {
	cfg := s.Config
	var err error
	if s.Pools, err = pools.Start(s.Client, opts.Pools, acts, pools.Options{
		InferenceConcurrency: cfg.InferenceConcurrency,
		SearchConcurrency:    cfg.SearchConcurrency,
		IngestConcurrency:    cfg.IngestConcurrency,
		StopTimeout:          cfg.WorkerStopTimeout,
		BuildID:              cfg.BuildID,
		DeploymentName:       cfg.DeploymentName,
		Logger:               s.logger,
		// The supervisor stops the pools before the server (reverse order
		// of start), so an in-process server outlives its workers' last
		// reports: what lets them skip the confirm wait.
		ServerInProcess: s.Server != nil,
		Interceptors:    append(append([]interceptor.WorkerInterceptor(nil), opts.Interceptors...), s.Metrics.WorkerInterceptor()),
		OnFatalError:    func(err error) { s.sup.fail(fmt.Errorf("worker stopped: %w", err)) },
	}); err != nil {
		return err
	}
	s.sup.onClose(func() {
		t0 := time.Now()
		s.Pools.Stop()
		s.timed("worker pools stopped", t0)
	})
	if slices.Contains(opts.Pools, pools.Workflow) {
		// One process per deployment polls the backlog: the workflow pool's.
		pctx, cancel := context.WithCancel(context.Background())
		go s.Metrics.PollBacklog(pctx, s.Client, cfg.Namespace, 15*time.Second, s.logger)
		s.sup.onClose(cancel)
	}
	return nil
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
	s.sup.serve("metrics listener", srv, ln, 0)
	return nil
}

// listenGateway binds the gateway's address; the gateway serves on it once
// built (serveGateway).
func (s *Stack) listenGateway() error {
	ln, err := net.Listen("tcp", s.Config.Gateway.Addr)
	if err != nil {
		return fmt.Errorf("HTTP gateway on %s (RESEARCHFLOW_HTTP_ADDR): %w", s.Config.Gateway.Addr, err)
	}
	s.gatewayLn = ln
	s.sup.onClose(func() { _ = ln.Close() })
	return nil
}

// serveGateway serves h on the gateway's listener. Event streams never go
// idle: on shutdown, requests get a grace period, then their contexts are
// cancelled so that streams end.
func (s *Stack) serveGateway(h http.Handler) {
	ln := s.gatewayLn
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
	s.sup.onClose(cancelBase) // after the shutdown below
	s.sup.serve("HTTP gateway", srv, ln, 15*time.Second)
}
