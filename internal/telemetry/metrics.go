package telemetry

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/researchflow/researchflow/workflows"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/workflow"

	rf "github.com/researchflow/researchflow"
)

// Metrics is one process's Prometheus registry: the Go runtime and process
// collectors, the Temporal SDK's own metrics (temporal_*) and
// Researchflow's (researchflow_*). The gateway serves it on /metrics and a
// worker process on RESEARCHFLOW_METRICS_ADDR. Metric names and labels are
// listed in README.md ("Observability").
type Metrics struct {
	Registry *prometheus.Registry

	modelLatency   *prometheus.HistogramVec
	modelTokens    *prometheus.CounterVec
	modelCost      *prometheus.CounterVec
	modelErrors    *prometheus.CounterVec
	stageDuration  *prometheus.HistogramVec
	ingestFiles    prometheus.Counter
	ingestChunks   prometheus.Counter
	backlog        *prometheus.GaugeVec
	breakerOpen    *prometheus.GaugeVec
	searchErrors   *prometheus.CounterVec
	meterProvider  *sdkmetric.MeterProvider
	temporalMetric client.MetricsHandler
}

// NewMetrics builds the registry. logger reports failures of the Temporal
// metrics bridge (which would otherwise panic).
func NewMetrics(logger *slog.Logger) (*Metrics, error) {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		modelLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "researchflow_model_call_duration_seconds",
			Help:    "Latency of model calls (chat completions), by role, provider, model and outcome (ok, error).",
			Buckets: []float64{.1, .25, .5, 1, 2.5, 5, 10, 20, 40, 80, 160},
		}, []string{"role", "provider", "model", "outcome"}),
		modelTokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "researchflow_model_tokens_total",
			Help: "Tokens of model calls, by role, provider, model and kind (prompt, completion).",
		}, []string{"role", "provider", "model", "kind"}),
		modelCost: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "researchflow_model_cost_usd_total",
			Help: "Cost of model calls in US dollars (from the price table), by role, provider and model.",
		}, []string{"role", "provider", "model"}),
		modelErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "researchflow_model_errors_total",
			Help: "Failed model calls, by role, provider and model.",
		}, []string{"role", "provider", "model"}),
		stageDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "researchflow_stage_duration_seconds",
			Help:    "Duration of one activity attempt (a stage of a run: PrepareCorpus, Plan, Retrieve, Analyze, Reflect, Synthesize, Deliver, Ingest), by stage and outcome (ok, error).",
			Buckets: []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300},
		}, []string{"stage", "outcome"}),
		ingestFiles: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "researchflow_ingest_files_total",
			Help: "Files read by ingestion (new or changed; unchanged files excluded).",
		}),
		ingestChunks: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "researchflow_ingest_chunks_total",
			Help: "Chunks written to memory by ingestion.",
		}),
		backlog: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "researchflow_task_queue_backlog",
			Help: "Approximate number of tasks waiting in a task queue (Temporal's DescribeTaskQueue statistics), by task queue and type (workflow, activity); polled by the workflow pool.",
		}, []string{"task_queue", "type"}),
		breakerOpen: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "researchflow_breaker_open",
			Help: "1 while the circuit breaker of a provider is open (calls refused), else 0.",
		}, []string{"provider"}),
		searchErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "researchflow_search_errors_total",
			Help: "Failed searches of a provider, by provider and error kind (egress.unavailable, egress.rate_limited, egress.breaker_open, …).",
		}, []string{"provider", "kind"}),
	}
	for _, c := range []prometheus.Collector{
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.modelLatency, m.modelTokens, m.modelCost, m.modelErrors, m.stageDuration,
		m.ingestFiles, m.ingestChunks, m.backlog, m.breakerOpen, m.searchErrors,
	} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	// The Temporal SDK records through OpenTelemetry's metric API; the
	// Prometheus exporter turns those into temporal_* series of reg.
	exp, err := otelprom.New(otelprom.WithRegisterer(reg), otelprom.WithoutScopeInfo(), otelprom.WithoutTargetInfo())
	if err != nil {
		return nil, err
	}
	m.meterProvider = sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp))
	m.temporalMetric = temporalotel.NewMetricsHandler(temporalotel.MetricsHandlerOptions{
		Meter:                m.meterProvider.Meter("go.temporal.io/sdk"),
		UseMonotonicCounters: true,
		OnError:              func(err error) { logger.Warn("temporal metrics", "error", err) },
	})
	return m, nil
}

// TemporalHandler is the SDK metrics handler to set on client.Options:
// the SDK's own metrics, and what workflows record through
// workflow.GetMetricsHandler (researchflow_runs_*).
func (m *Metrics) TemporalHandler() client.MetricsHandler { return m.temporalMetric }

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

// Close stops the Temporal metrics bridge.
func (m *Metrics) Close() { _ = m.meterProvider.Shutdown(context.Background()) }

// ModelCall records one model call: its latency, tokens, cost and outcome.
// It implements the llm engine's call observer.
func (m *Metrics) ModelCall(role, provider, model string, elapsed time.Duration, promptTokens, completionTokens int, costUSD float64, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
		m.modelErrors.WithLabelValues(role, provider, model).Inc()
	}
	m.modelLatency.WithLabelValues(role, provider, model, outcome).Observe(elapsed.Seconds())
	if promptTokens > 0 {
		m.modelTokens.WithLabelValues(role, provider, model, "prompt").Add(float64(promptTokens))
	}
	if completionTokens > 0 {
		m.modelTokens.WithLabelValues(role, provider, model, "completion").Add(float64(completionTokens))
	}
	if costUSD > 0 {
		m.modelCost.WithLabelValues(role, provider, model).Add(costUSD)
	}
}

// BreakerOpen sets the breaker state of a provider (for the search
// providers' circuit breakers).
func (m *Metrics) BreakerOpen(provider string, open bool) {
	v := 0.0
	if open {
		v = 1
	}
	m.breakerOpen.WithLabelValues(provider).Set(v)
}

// SearchError counts a failed search of a provider (search.ErrorObserver).
func (m *Metrics) SearchError(provider, kind string) {
	m.searchErrors.WithLabelValues(provider, kind).Inc()
}

// WorkerInterceptor records stage durations and ingestion throughput from
// activities, and run outcomes from workflows (through the replay-safe
// workflow.GetMetricsHandler: researchflow_runs_started_total and
// researchflow_runs_finished_total{status}).
func (m *Metrics) WorkerInterceptor() interceptor.WorkerInterceptor { return &workerInterceptor{m: m} }

type workerInterceptor struct {
	interceptor.WorkerInterceptorBase
	m *Metrics
}

func (w *workerInterceptor) InterceptActivity(ctx context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	i := &activityInbound{m: w.m}
	i.Next = next
	return i
}

func (w *workerInterceptor) InterceptWorkflow(ctx workflow.Context, next interceptor.WorkflowInboundInterceptor) interceptor.WorkflowInboundInterceptor {
	i := &workflowInbound{}
	i.Next = next
	return i
}

type activityInbound struct {
	interceptor.ActivityInboundInterceptorBase
	m *Metrics
}

func (a *activityInbound) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	start := time.Now()
	res, err := a.Next.ExecuteActivity(ctx, in)
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	a.m.stageDuration.WithLabelValues(activity.GetInfo(ctx).ActivityType.Name, outcome).Observe(time.Since(start).Seconds())
	var ingested rf.IngestSummary
	switch r := res.(type) {
	case rf.IngestSummary:
		ingested = r
	case workflows.PrepareCorpusResult:
		ingested = r.Ingest
	}
	a.m.ingestFiles.Add(float64(max(0, ingested.Files-ingested.Unchanged)))
	a.m.ingestChunks.Add(float64(ingested.Chunks))
	return res, err
}

type workflowInbound struct {
	interceptor.WorkflowInboundInterceptorBase
}

// ExecuteWorkflow counts research runs. The SDK's workflow metrics handler
// records nothing while replaying, so a run is counted once however often
// it is replayed; a continued-as-new run counts neither as started again
// nor as finished.
func (w *workflowInbound) ExecuteWorkflow(ctx workflow.Context, in *interceptor.ExecuteWorkflowInput) (any, error) {
	info := workflow.GetInfo(ctx)
	if info.WorkflowType.Name != rf.ResearchWorkflowType {
		return w.Next.ExecuteWorkflow(ctx, in)
	}
	h := workflow.GetMetricsHandler(ctx)
	if info.ContinuedExecutionRunID == "" {
		h.Counter("researchflow_runs_started").Inc(1)
	}
	res, err := w.Next.ExecuteWorkflow(ctx, in)
	var can *workflow.ContinueAsNewError
	if errors.As(err, &can) {
		return res, err
	}
	h.WithTags(map[string]string{"status": workflows.RunStatus(err)}).Counter("researchflow_runs_finished").Inc(1)
	return res, err
}

// PollBacklog sets researchflow_task_queue_backlog for every Researchflow
// task queue from Temporal's task-queue statistics, every interval until
// ctx ends. Errors are logged once per change, not per poll.
func (m *Metrics) PollBacklog(ctx context.Context, c client.Client, namespace string, interval time.Duration, logger *slog.Logger) {
	type q struct {
		name string
		typ  enumspb.TaskQueueType
	}
	queues := []q{{rf.TaskQueueWorkflow, enumspb.TASK_QUEUE_TYPE_WORKFLOW}}
	for _, name := range []string{workflows.TaskQueueSearch, workflows.TaskQueueIngest, workflows.TaskQueueInference, workflows.TaskQueueNotify} {
		queues = append(queues, q{name, enumspb.TASK_QUEUE_TYPE_ACTIVITY})
	}
	lastErr := ""
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		for _, tq := range queues {
			rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			resp, err := c.WorkflowService().DescribeTaskQueue(rctx, &workflowservice.DescribeTaskQueueRequest{
				Namespace: namespace, TaskQueue: &taskqueuepb.TaskQueue{Name: tq.name, Kind: enumspb.TASK_QUEUE_KIND_NORMAL}, TaskQueueType: tq.typ, ReportStats: true,
			})
			cancel()
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				if err.Error() != lastErr {
					lastErr = err.Error()
					logger.Warn("task queue backlog: describe failed", "taskQueue", tq.name, "error", err)
				}
				continue
			}
			typ := "workflow"
			if tq.typ == enumspb.TASK_QUEUE_TYPE_ACTIVITY {
				typ = "activity"
			}
			m.backlog.WithLabelValues(tq.name, typ).Set(float64(resp.GetStats().GetApproximateBacklogCount()))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
