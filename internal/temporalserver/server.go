package temporalserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/researchflow/researchflow/internal/devserver"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uioptions "github.com/temporalio/ui-server/v2/server/server_options"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
)

// embeddedClusterID is fixed so that restarts on the same file agree.
const embeddedClusterID = "5c2a8f0e-7b1d-4e43-9d55-2f7a61c0b8e4"

// Options configure an embedded server. The zero value of each field has a
// sensible default.
type Options struct {
	// DatabaseFile is the SQLite file. Empty keeps everything in memory
	// (lost when the process ends).
	DatabaseFile string
	// IP to bind (default 127.0.0.1).
	IP string
	// FrontendPort is the gRPC port clients dial (default 7233; -1 picks a
	// free port).
	FrontendPort int
	// UIPort is the Web UI port (default 8233; -1 picks a free port).
	UIPort int
	// NoUI disables the Web UI.
	NoUI bool
	// CodecEndpoint is the codec server the Web UI sends encrypted
	// payloads to (from the browser) to show them; empty: none.
	CodecEndpoint string
	// Namespace is created at start (default "default").
	Namespace string
	// SearchAttributes are registered in the namespace.
	SearchAttributes map[string]enumspb.IndexedValueType
	Logger           *slog.Logger
	// LogLevel of the server's own logs (default warn: the server is chatty).
	LogLevel slog.Level

	// portsChosen, in tests, sees each attempt's ports before the server
	// binds them.
	portsChosen func(servicePorts)
}

// Server is a running embedded Temporal server.
type Server struct {
	server     temporal.Server
	ui         *uiserver.Server
	uiListener net.Listener
	lock       *fileLock
	frontend   string
	uiAddress  string
	namespace  string
	logLevel   *slog.LevelVar
}

// FrontendAddress is the host:port that SDK clients and the CLI dial.
func (s *Server) FrontendAddress() string { return s.frontend }

// UIAddress is the Web UI's base URL, or "" when the UI is off.
func (s *Server) UIAddress() string { return s.uiAddress }

// Namespace is the namespace the server was started with.
func (s *Server) Namespace() string { return s.namespace }

// startAttempts bounds the tries with fresh ports when a port the server
// chose was taken before the server bound it (see ports.go).
const startAttempts = 3

// Start starts the server and returns once its frontend accepts requests.
func Start(ctx context.Context, opt Options) (*Server, error) {
	if opt.IP == "" {
		opt.IP = "127.0.0.1"
	}
	if opt.Namespace == "" {
		opt.Namespace = "default"
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.LogLevel == 0 {
		opt.LogLevel = slog.LevelWarn
	}
	var lock *fileLock
	if opt.DatabaseFile != "" {
		if err := os.MkdirAll(filepath.Dir(opt.DatabaseFile), 0o755); err != nil {
			return nil, fmt.Errorf("create data dir: %w", err)
		}
		var err error
		if lock, err = lockFile(devserver.LockPath(opt.DatabaseFile)); err != nil {
			return nil, err
		}
	}
	for attempt := 1; ; attempt++ {
		s, err := start(ctx, opt, lock)
		if err == nil {
			return s, nil
		}
		if !errors.Is(err, errPortTaken) || attempt == startAttempts || ctx.Err() != nil {
			lock.release()
			return nil, err
		}
		opt.Logger.Warn("Temporal server: a port was taken before the server bound it; trying fresh ports", "error", err, "attempt", attempt)
	}
}

// start makes one attempt with freshly reserved ports. A listener the
// server could not bind (address in use) wraps errPortTaken.
func start(ctx context.Context, opt Options, lock *fileLock) (_ *Server, err error) {
	frontendWant := opt.FrontendPort
	switch {
	case frontendWant < 0:
		frontendWant = 0
	case frontendWant == 0:
		frontendWant = 7233
	}
	// frontend, frontend HTTP, history, matching, worker.
	held, err := reservePorts(opt.IP, frontendWant, 0, 0, 0, 0)
	if err != nil {
		return nil, fmt.Errorf("temporal server ports: %w", err)
	}
	// The server has bound every port (or failed) once start returns.
	defer releaseAll(held)
	p := servicePorts{frontend: held[0].port, http: held[1].port, history: held[2].port, matching: held[3].port, worker: held[4].port}
	s := &Server{namespace: opt.Namespace, frontend: net.JoinHostPort(opt.IP, strconv.Itoa(p.frontend)), lock: lock}
	if opt.portsChosen != nil {
		opt.portsChosen(p)
	}

	conf, err := buildConfig(opt, p)
	if err != nil {
		return nil, err
	}
	level := &slog.LevelVar{}
	level.Set(opt.LogLevel)
	s.logLevel = level
	starting := new(atomic.Bool)
	starting.Store(true)
	defer starting.Store(false)
	logger := slogLogger{l: opt.Logger.With("component", "temporal-server"), level: level, starting: starting}
	authorizer, err := authorization.GetAuthorizerFromConfig(&conf.Global.Authorization)
	if err != nil {
		return nil, fmt.Errorf("authorizer: %w", err)
	}
	claimMapper, err := authorization.GetClaimMapperFromConfig(&conf.Global.Authorization, logger)
	if err != nil {
		return nil, fmt.Errorf("claim mapper: %w", err)
	}
	hosts := map[primitives.ServiceName]static.Hosts{}
	for name, svc := range map[primitives.ServiceName]string{
		primitives.FrontendService: "frontend", primitives.HistoryService: "history",
		primitives.MatchingService: "matching", primitives.WorkerService: "worker",
	} {
		hosts[name] = static.SingleLocalHost(net.JoinHostPort(opt.IP, strconv.Itoa(conf.Services[svc].RPC.GRPCPort)))
	}
	dyn := dynamicconfig.StaticClient{
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key():                 8096,
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
		dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key():      true,
		// Each sequential activity waits for the history service to read
		// its transfer tasks, at most 20 times a second by default: ~100 ms
		// a stage. At 1000 a no-op stage costs ~20 ms on a loaded 2-core
		// machine (README, "Latency per stage").
		dynamicconfig.TransferProcessorMaxPollRPS.Key(): 1000,
		// With stages that fast, a client waiting for a run's result (a
		// long poll on its history) can miss the notification that the
		// run closed: the history service keeps one pending notification
		// per waiter and drops a newer one behind a stale one. The waiter
		// then sleeps until its long poll expires, 20 s by default; 1 s
		// bounds that stall (the client polls again at once).
		dynamicconfig.HistoryLongPollExpirationInterval.Key(): time.Second,
		// One partition per task queue: with the default 4, a task written
		// to a partition no poller is waiting on waits to be forwarded or
		// read back, and one activity of a fan-out of 4 was seen to start
		// 2 s late. Partitions spread a busy queue over matching hosts;
		// this server has one.
		dynamicconfig.MatchingNumTaskqueueReadPartitions.Key():  1,
		dynamicconfig.MatchingNumTaskqueueWritePartitions.Key(): 1,
	}
	// A listener the server cannot bind makes it call the logger's Fatal,
	// which panics while starting; the panic becomes this start's error.
	// What the failed attempt had built is left to the garbage collector.
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(*startFailure)
			if !ok {
				panic(r)
			}
			err = classifyStartError(fmt.Errorf("start temporal server: %w", f))
		}
	}()
	srv, err := temporal.NewServer(
		temporal.WithConfig(conf),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(hosts),
		temporal.WithLogger(logger),
		temporal.WithAuthorizer(authorizer),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return claimMapper }),
		temporal.WithDynamicConfigClient(dyn),
	)
	if err != nil {
		return nil, classifyStartError(fmt.Errorf("create temporal server: %w", err))
	}
	if err := srv.Start(); err != nil {
		_ = srv.Stop()
		return nil, classifyStartError(fmt.Errorf("start temporal server: %w", err))
	}
	s.server = srv

	if !opt.NoUI {
		if err := s.startUI(opt); err != nil {
			// The Web UI is a convenience: a busy port must not stop research.
			opt.Logger.Warn("Temporal Web UI not started", "error", err)
		}
	}
	if err := waitForPort(ctx, s.frontend); err != nil {
		s.stopServices()
		return nil, err
	}
	return s, nil
}

// classifyStartError marks err as errPortTaken when an address was in use.
// A retry reserves every port again, so a fixed frontend port that someone
// else now listens on fails that reservation with a plain error.
func classifyStartError(err error) error {
	if isAddrInUse(err) {
		return fmt.Errorf("%w: %w", errPortTaken, err)
	}
	return err
}

// startUI serves the Web UI on a listener bound here and handed over.
func (s *Server) startUI(opt Options) error {
	port := opt.UIPort
	switch {
	case port < 0:
		port = 0
	case port == 0:
		port = 8233
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(opt.IP, strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("port %d is not free: %w", port, err)
	}
	port = ln.Addr().(*net.TCPAddr).Port
	ui := uiserver.NewServer(uioptions.WithConfigProvider(&uiconfig.Config{
		Host:                opt.IP,
		Port:                port,
		TemporalGRPCAddress: s.frontend,
		EnableUI:            true,
		DefaultNamespace:    opt.Namespace,
		CORS:                uiconfig.CORS{CookieInsecure: true},
		HideLogs:            true,
		DisableNewsFetch:    true,
		Codec:               uiconfig.Codec{Endpoint: opt.CodecEndpoint},
	}))
	if err := handOverListener(ui, ln); err != nil {
		ln.Close()
		return err
	}
	s.ui, s.uiListener = ui, ln
	go func() {
		if err := ui.Start(); err != nil {
			opt.Logger.Error("Temporal Web UI stopped", "error", err)
		}
	}()
	s.uiAddress = "http://" + net.JoinHostPort(opt.IP, strconv.Itoa(port))
	return nil
}

// Stop stops the UI and the server and releases the database.
func (s *Server) Stop() {
	s.stopServices()
	s.lock.release()
}

// stopServices stops the UI and the server, keeping the database lock.
func (s *Server) stopServices() {
	// Stopping services warn about each other going away; that is expected.
	if s.logLevel != nil {
		s.logLevel.Set(slog.LevelError)
	}
	if s.ui != nil {
		s.ui.Stop()
		s.ui = nil
	}
	if s.uiListener != nil {
		_ = s.uiListener.Close()
		s.uiListener = nil
	}
	if s.server != nil {
		_ = s.server.Stop()
		s.server = nil
	}
}

// servicePorts are the ports of the server's listeners.
type servicePorts struct{ frontend, http, history, matching, worker int }

func buildConfig(opt Options, p servicePorts) (*config.Config, error) {
	var conf config.Config
	conf.Global.Membership.MaxJoinDuration = 30 * time.Second
	conf.Global.Membership.BroadcastAddress = opt.IP
	conf.Persistence.DefaultStore = "sqlite-default"
	conf.Persistence.VisibilityStore = "sqlite-default"
	conf.Persistence.NumHistoryShards = 1
	sqlConf, err := buildSQL(opt)
	if err != nil {
		return nil, err
	}
	conf.Persistence.DataStores = map[string]config.DataStore{"sqlite-default": {SQL: sqlConf}}
	frontendAddr := net.JoinHostPort(opt.IP, strconv.Itoa(p.frontend))
	conf.ClusterMetadata = &cluster.Config{
		FailoverVersionIncrement: 10,
		MasterClusterName:        "active",
		CurrentClusterName:       "active",
		ClusterInformation: map[string]cluster.ClusterInformation{
			"active": {
				Enabled:                true,
				InitialFailoverVersion: 1,
				RPCAddress:             frontendAddr,
				HTTPAddress:            net.JoinHostPort(opt.IP, strconv.Itoa(p.http)),
				ClusterID:              embeddedClusterID,
			},
		},
	}
	conf.DCRedirectionPolicy.Policy = "noop"
	conf.Services = map[string]config.Service{}
	for name, port := range map[string]int{"frontend": p.frontend, "history": p.history, "matching": p.matching, "worker": p.worker} {
		var svc config.Service
		svc.RPC.BindOnIP = opt.IP
		svc.RPC.GRPCPort = port
		if name == "frontend" {
			svc.RPC.HTTPPort = p.http
		}
		conf.Services[name] = svc
	}
	conf.Archival.History.State = "disabled"
	conf.Archival.Visibility.State = "disabled"
	conf.NamespaceDefaults.Archival.History.State = "disabled"
	conf.NamespaceDefaults.Archival.Visibility.State = "disabled"
	conf.PublicClient.HostPort = frontendAddr
	return &conf, nil
}

func buildSQL(opt Options) (*config.SQL, error) {
	conf := config.SQL{PluginName: sqliteplugin.PluginName}
	if opt.DatabaseFile == "" {
		conf.ConnectAttributes = map[string]string{"mode": "memory", "cache": "shared"}
		conf.DatabaseName = strconv.Itoa(rand.IntN(9_999_999))
	} else {
		// WAL with normal sync: measured here ~3.5× the throughput of the
		// defaults, still durable across a process crash.
		conf.ConnectAttributes = map[string]string{"mode": "rwc", "journal_mode": "wal", "synchronous": "normal"}
		conf.DatabaseName = opt.DatabaseFile
		if _, err := os.Stat(opt.DatabaseFile); errors.Is(err, os.ErrNotExist) {
			if err := sqliteschema.SetupSchema(&conf); err != nil {
				return nil, fmt.Errorf("set up SQLite schema in %s: %w", opt.DatabaseFile, err)
			}
		}
	}
	ns, err := sqliteschema.NewNamespaceConfig("active", opt.Namespace, false, opt.SearchAttributes)
	if err != nil {
		return nil, fmt.Errorf("namespace %s: %w", opt.Namespace, err)
	}
	if err := sqliteschema.CreateNamespaces(&conf, ns); err != nil {
		return nil, fmt.Errorf("create namespace %s: %w", opt.Namespace, err)
	}
	return &conf, nil
}

// waitForPort waits until addr accepts connections: until ctx ends when
// the caller set a deadline (a loaded machine, or several servers starting
// at once, may need longer than usual), else for at most 30 seconds.
func waitForPort(ctx context.Context, addr string) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
	}
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("temporal frontend %s did not come up: %w", addr, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// StartDev is Start behind the devserver hook (a devserver.Starter).
func StartDev(ctx context.Context, o devserver.Options) (devserver.Server, error) {
	attrs := make(map[string]enumspb.IndexedValueType, len(o.KeywordSearchAttributes))
	for _, name := range o.KeywordSearchAttributes {
		attrs[name] = enumspb.INDEXED_VALUE_TYPE_KEYWORD
	}
	srv, err := Start(ctx, Options{
		DatabaseFile: o.DatabaseFile, FrontendPort: o.FrontendPort, UIPort: o.UIPort, NoUI: o.NoUI, CodecEndpoint: o.CodecEndpoint,
		Namespace: o.Namespace, SearchAttributes: attrs, Logger: o.Logger, LogLevel: o.LogLevel,
	})
	if err != nil {
		return nil, err
	}
	return srv, nil
}

var _ devserver.Starter = StartDev
