package gateway

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"html"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/claims"
	"github.com/researchflow/researchflow/client"
	"github.com/researchflow/researchflow/internal/doctypes"
	"github.com/researchflow/researchflow/internal/uploads"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/contrib/instrumentation/github.com/gin-gonic/gin/otelgin"

	"github.com/researchflow/researchflow/internal/memory"
)

// Runs is what the gateway asks of research runs and ingestions: start,
// read, cancel, approve, list, watch and redrive them, and whether the
// workflow service answers. *client.Client is one (it speaks Temporal);
// the gateway's tests use a fake.
type Runs interface {
	Start(ctx context.Context, id string, in rf.ResearchInput) (client.Run, error)
	StartIngest(ctx context.Context, id string, in rf.IngestInput) (client.Run, error)
	Ingestions(ctx context.Context, pageToken []byte, pageSize int) ([]client.Info, []byte, error)
	CorpusRuns(ctx context.Context, pageToken []byte, pageSize int) ([]client.Info, []byte, error)
	DescribeIngestion(ctx context.Context, id string) (client.Info, error)
	IngestProgress(ctx context.Context, id string) (rf.IngestResult, error)
	IngestResult(ctx context.Context, id string) (rf.IngestResult, error)
	Describe(ctx context.Context, id string) (client.Info, error)
	Progress(ctx context.Context, id string) (rf.Progress, error)
	Audit(ctx context.Context, id string) (rf.Audit, error)
	Result(ctx context.Context, id string) (rf.ResearchResult, error)
	Cancel(ctx context.Context, id string) error
	Delete(ctx context.Context, id string) error
	Approve(ctx context.Context, id string, a rf.PlanApproval) (rf.Progress, error)
	PricePlan(ctx context.Context, id string, a rf.PlanApproval) (rf.Spend, error)
	ExtendBudget(ctx context.Context, id string, e rf.BudgetRequest) (rf.Progress, error)
	FinishNow(ctx context.Context, id string, f rf.BudgetRequest) (rf.Progress, error)
	List(ctx context.Context, o client.ListOptions) (client.Page, error)
	Watch(ctx context.Context, id string, o client.WatchOptions, fn func(rf.Progress) error) (client.Outcome, error)
	Redrive(ctx context.Context, id string) (client.Run, error)
	StartFollowUp(ctx context.Context, key string, in rf.FollowUpInput) (client.Run, error)
	Thread(ctx context.Context, researchID, owner string) ([]client.FollowUp, error)
	Feedback(ctx context.Context, key string, in claims.ReviewInput) (client.Run, claims.ReviewInput, error)
	Revision(ctx context.Context, researchID string, n int) (claims.Revision, error)
	LatestRevision(ctx context.Context, researchID string) (int, error)
	Reviews(ctx context.Context, researchID, owner string) ([]client.Review, error)
	CheckHealth(ctx context.Context) error
}

var _ Runs = (*client.Client)(nil)

// ChunkGetter returns stored chunks by ID (a memory.Store does).
type ChunkGetter interface {
	Get(ctx context.Context, ids []string) ([]memory.Chunk, error)
}

var _ ChunkGetter = memory.Store(nil)

// Deps are the gateway's collaborators.
type Deps struct {
	// Runs starts and reads the runs (a *client.Client, with the data
	// converter of the deployment's payload codec when there is one).
	Runs Runs
	// Chunks, if set, serves the passages of cited sources.
	Chunks ChunkGetter
	Logger *slog.Logger
	// Now defaults to time.Now.
	Now func() time.Time
	// Codec, if set, is the codec server (codec.Handler) served at
	// POST /codec/encode and /codec/decode for the Temporal Web UI and
	// CLI; it does its own CORS and authentication.
	Codec http.Handler
	// CodecOrigins are the browser origins allowed to call Codec (the
	// Temporal Web UI's, RESEARCHFLOW_CODEC_CORS_ORIGINS): trusted for
	// POST /codec/… by the cross-site request check (crossOrigin).
	CodecOrigins []string
	// Metrics is the process's Prometheus registry, served on /metrics with
	// the gateway's own series added to it (default: a registry of the
	// gateway's series only).
	Metrics *prometheus.Registry
	// Schedules, if set, serves /v1/schedules (client.Schedules).
	Schedules ScheduleService
	// Probe, if set, tells GET /v1/sources (and so the web app) which
	// configured sources cannot be reached from here, and why.
	Probe Prober
	// ReadDocument reads a file as ingestion will (corpus.Usable; the
	// gateway does not link the document readers). An upload with
	// ?replace=true reads each file that would take a stored file's
	// place with it first, and refuses the upload (422) when ingestion
	// could not use one. Without it, ?replace=true is answered 501.
	ReadDocument uploads.Reader
}

//go:embed openapi.json web
var assets embed.FS

// server carries the dependencies of the handlers.
type server struct {
	cfg     Config
	runs    Runs
	chunks  ChunkGetter
	log     *slog.Logger
	now     func() time.Time
	keys    *keyring
	limits  *limiter
	metrics *metrics
	web     fs.FS
	codec   http.Handler
	sched   ScheduleService
	probes  *probes
	readDoc uploads.Reader
}

// New returns the gateway's HTTP handler. It refuses a configuration that
// would serve runs to anyone on a non-loopback address. The handler refuses
// cross-site browser requests that change state (see crossOrigin).
func New(cfg Config, deps Deps) (http.Handler, error) {
	e, err := newEngine(cfg, deps)
	if err != nil {
		return nil, err
	}
	logger := deps.Logger
	if logger == nil {
		logger = slog.Default()
	}
	return crossOrigin(e, cfg.CORSOrigins, deps.CodecOrigins, logger)
}

func newEngine(cfg Config, deps Deps) (*gin.Engine, error) {
	if deps.Runs == nil {
		return nil, fmt.Errorf("gateway: Deps.Runs is required")
	}
	if err := validate(cfg); err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 64 << 10
	}
	if cfg.EventsPoll <= 0 {
		cfg.EventsPoll = 300 * time.Millisecond
	}
	if cfg.EventsHeartbeat <= 0 {
		cfg.EventsHeartbeat = 15 * time.Second
	}
	if cfg.Namespace == "" {
		cfg.Namespace = DefaultNamespace
	}
	if cfg.DataDir == "" {
		return nil, fmt.Errorf("gateway: Config.DataDir is required (uploads are stored under it)")
	}
	if cfg.MaxFileBytes <= 0 {
		cfg.MaxFileBytes = 10 * mib
	}
	if cfg.MaxUploadBytes <= 0 {
		cfg.MaxUploadBytes = 32 * mib
	}
	web, err := fs.Sub(assets, "web")
	if err != nil {
		return nil, fmt.Errorf("gateway: web assets: %w", err)
	}
	m, err := newMetrics(deps.Metrics)
	if err != nil {
		return nil, fmt.Errorf("gateway metrics: %w", err)
	}
	s := &server{
		cfg:     cfg,
		runs:    deps.Runs,
		chunks:  deps.Chunks,
		log:     deps.Logger,
		now:     deps.Now,
		keys:    newKeyring(cfg.APIKeys),
		limits:  newLimiter(cfg.RatePerMinute, cfg.RateBurst),
		metrics: m,
		web:     web,
		codec:   deps.Codec,
		sched:   deps.Schedules,
		readDoc: deps.ReadDocument,
	}
	if deps.Probe != nil {
		s.probes = &probes{probe: deps.Probe, now: deps.Now, last: map[string]probeResult{}}
	}
	if cfg.LocalMode() {
		s.log.Warn("gateway: AUTHENTICATION IS OFF: every caller is the owner \"local\" and sees every run; set RESEARCHFLOW_API_KEYS to require keys", "addr", cfg.Addr)
	}
	e := s.routes()
	// gin trusts X-Forwarded-For from every peer unless told otherwise;
	// a nil list trusts none (the remote address is the client).
	if err := e.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("gateway: trusted proxies: %w", err)
	}
	s.startMigrations()
	return e, nil
}

// traced leaves scrapes and probes out of traces.
func traced(r *http.Request) bool {
	switch r.URL.Path {
	case "/metrics", "/healthz", "/readyz":
		return false
	}
	return true
}

func (s *server) routes() *gin.Engine {
	r := gin.New()
	r.HandleMethodNotAllowed = true
	// A span per request (OpenTelemetry's global provider: a no-op unless
	// tracing is on); research started here continues its trace.
	r.Use(otelgin.Middleware("researchflow-gateway", otelgin.WithFilter(traced)))
	r.Use(s.recoverJSON, s.countRequests, s.securityHeaders, s.cors)
	r.NoRoute(func(c *gin.Context) { abortError(c, http.StatusNotFound, "not_found", "no such route") })
	r.NoMethod(func(c *gin.Context) {
		abortError(c, http.StatusMethodNotAllowed, "method_not_allowed", "method not allowed on this route")
	})

	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	r.GET("/metrics", s.serveMetrics)
	r.GET("/openapi.json", s.openAPI)
	r.GET("/", s.index)
	r.GET("/runs/:id", s.index) // a run's permalink: the app opens the run
	r.GET("/assets/:file", s.asset)
	// Browsers ask for /favicon.ico whatever the page names (the web app's
	// own pages name /assets/icon.svg): the same icon, no 404.
	r.GET("/favicon.ico", func(c *gin.Context) { s.serveAsset(c, "icon.svg") })
	if s.codec != nil {
		r.Any("/codec/*op", gin.WrapH(s.codec))
	}

	v1 := r.Group("/v1", s.authenticate, s.rateLimit)
	v1.POST("/research", s.handle(s.createResearch))
	v1.GET("/research", s.handle(s.listResearch))
	v1.GET("/sources", s.handle(s.sources))
	v1.GET("/research/:id", s.handle(s.getResearch))
	v1.GET("/research/:id/events", s.handle(s.events))
	v1.GET("/research/:id/ws", s.handle(s.websocket))
	v1.GET("/research/:id/audit", s.handle(s.audit))
	v1.GET("/research/:id/why", s.handle(s.why))
	v1.GET("/research/:id/report", s.handle(s.report))
	v1.GET("/research/:id/sources/:n", s.handle(s.source))
	v1.POST("/research/:id/cancel", s.handle(s.cancel))
	v1.DELETE("/research/:id", s.handle(s.deleteResearch))
	v1.POST("/research/:id/estimate", s.handle(s.estimatePlan))
	v1.POST("/research/:id/approve", s.handle(s.approve))
	v1.POST("/research/:id/budget", s.handle(s.extendBudget))
	v1.POST("/research/:id/finish", s.handle(s.finishNow))
	v1.POST("/research/:id/redrive", s.handle(s.redrive))
	v1.POST("/research/:id/followups", s.handle(s.createFollowUp))
	v1.GET("/research/:id/thread", s.handle(s.thread))
	v1.POST("/research/:id/claims/:claim/feedback", s.handle(s.claimFeedback))
	v1.GET("/research/:id/feedback", s.handle(s.feedback))
	v1.POST("/corpora/:name/documents", s.upload)
	v1.GET("/corpora", s.handle(s.listCorpora))
	v1.DELETE("/corpora/:name", s.handle(s.deleteCorpus))
	v1.GET("/corpora/:name/documents", s.handle(s.listDocuments))
	v1.DELETE("/corpora/:name/documents/:doc", s.handle(s.deleteDocument))
	v1.GET("/corpora/:name/ingestions/:id", s.handle(s.getIngestion))
	s.scheduleRoutes(v1)
	return r
}

func (s *server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

func (s *server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
	defer cancel()
	if err := s.runs.CheckHealth(ctx); err != nil {
		s.log.Warn("gateway: temporal not reachable", "err", err)
		abortError(c, http.StatusServiceUnavailable, "temporal_unavailable", "Temporal is not reachable")
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}

func (s *server) openAPI(c *gin.Context) {
	b, err := assets.ReadFile("openapi.json")
	if err != nil {
		abortError(c, http.StatusInternalServerError, "internal", "internal error")
		return
	}
	c.Data(http.StatusOK, "application/json", b)
}

func (s *server) index(c *gin.Context) {
	s.serveAsset(c, "index.html")
}

func (s *server) asset(c *gin.Context) {
	s.serveAsset(c, c.Param("file"))
}

var assetTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".svg":  "image/svg+xml",
}

// pageValues writes the contract's values that the web app's page names
// into it: the corpus naming rule, so that the browser checks a corpus name
// as the API does and says the same rule; and the document types, so that
// a file the page leaves out of an upload is shown with the reason and
// hint the API gives for it.
var pageValues = strings.NewReplacer(
	"{{corpusNamePattern}}", html.EscapeString(rf.CorpusNamePattern),
	"{{corpusNameRule}}", html.EscapeString(rf.CorpusNameRule),
	"{{docTypes}}", docTypesJSON(),
)

// docTypesJSON is what the web app knows of a file before it uploads it:
// the types ingestion reads (read), and why any other file is not taken,
// in the upload route's words (doctypes.Refusal): a known document type's
// hint by its extension (notRead), else otherwise. encoding/json escapes
// <, > and &, so the JSON is safe inside the page's script element.
func docTypesJSON() string {
	v := struct {
		Read      []string          `json:"read"`
		NotRead   map[string]string `json:"notRead"`
		Otherwise string            `json:"otherwise"`
	}{Read: doctypes.List(), NotRead: map[string]string{}, Otherwise: doctypes.Refusal("file")}
	for _, ext := range doctypes.UnreadableTypes() {
		v.NotRead[ext] = doctypes.Refusal("file" + ext)
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // strings only
	}
	return string(b)
}

func (s *server) serveAsset(c *gin.Context, name string) {
	if !fs.ValidPath(name) {
		abortError(c, http.StatusNotFound, "not_found", "no such file")
		return
	}
	b, err := fs.ReadFile(s.web, name)
	if err != nil {
		abortError(c, http.StatusNotFound, "not_found", "no such file")
		return
	}
	if name == "index.html" {
		b = []byte(pageValues.Replace(string(b)))
	}
	ct := "application/octet-stream"
	for ext, t := range assetTypes {
		if len(name) > len(ext) && name[len(name)-len(ext):] == ext {
			ct = t
		}
	}
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, ct, b)
}
