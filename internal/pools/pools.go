// Package pools builds Researchflow's worker pools: one Temporal worker per
// task queue, each registering only what its queue serves. A process runs
// any subset of them (`workers -pool search,notify`); the dev stack runs all.
package pools

import (
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	rf "github.com/researchflow/researchflow"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/researchflow/researchflow/activities"
	"github.com/researchflow/researchflow/claims"
	"github.com/researchflow/researchflow/workflows"
)

// Pool names, as given to `workers -pool`.
const (
	Workflow  = "workflow"
	Search    = "search"
	Inference = "inference"
	Notify    = "notify"
	All       = "all"
)

// Queues maps each pool to the task queues it serves: the search pool
// serves retrieval and, on a queue of its own, ingestion.
var Queues = map[string][]string{
	Workflow:  {rf.TaskQueueWorkflow},
	Search:    {workflows.TaskQueueSearch, workflows.TaskQueueIngest},
	Inference: {workflows.TaskQueueInference},
	Notify:    {workflows.TaskQueueNotify},
}

// Activities are the dependencies of the pools; a process needs only those
// of the pools it runs (nil for the others).
type Activities struct {
	Search    *activities.Search
	Inference *activities.Inference
	Notify    *activities.Notify
	// FollowUp reads finished runs for follow-ups, on the search pool
	// (nil: the search pool does not serve follow-ups).
	FollowUp *activities.FollowUp
}

// Options size the pools.
type Options struct {
	// InferenceConcurrency bounds concurrent model calls per worker: size it
	// to what the model server behind it can take (default 4).
	InferenceConcurrency int
	// SearchConcurrency bounds concurrent retrievals (default 8).
	SearchConcurrency int
	// IngestConcurrency bounds concurrent ingestions, which are heavy on
	// CPU and disk (default 2).
	IngestConcurrency int
	// StopTimeout is how long a stopping worker waits for its running
	// activities (worker.Options.WorkerStopTimeout): on SIGTERM the workers
	// stop polling at once and activities still running after it are
	// abandoned, to be retried elsewhere after their timeouts. Kubernetes
	// kills the pod terminationGracePeriodSeconds after SIGTERM, so keep
	// it a few seconds below that (default 0: no wait).
	StopTimeout time.Duration
	// BuildID, if set, opts the workers into Worker Deployment Versioning
	// as version DeploymentName + BuildID; workflows default to the
	// auto-upgrade behaviour (a running run moves to the new current
	// version, so workflow changes stay behind workflow.GetVersion, gated
	// by the replay tests). Empty: unversioned workers.
	BuildID string
	// DeploymentName is the Worker Deployment of every pool (default
	// "researchflow").
	DeploymentName string
	Logger         *slog.Logger
	// ServerInProcess says the Temporal server runs in this process (the
	// embedded server): the SDK then reports results itself, without the
	// confirm interceptor's tries (see confirmInterceptor), which guard
	// against a server that restarts while the worker lives; an
	// in-process server goes down only with the workers.
	ServerInProcess bool
	// Interceptors are added to every worker (metrics, tracing, tests).
	Interceptors []interceptor.WorkerInterceptor
	// OnFatalError is called when a worker stops for good (the namespace is
	// gone, the credentials are refused): the process should end.
	OnFatalError func(error)
}

// Parse turns "search,notify" or "all" into sorted pool names.
func Parse(spec string) ([]string, error) {
	seen := map[string]bool{}
	for _, p := range strings.Split(spec, ",") {
		p = strings.TrimSpace(p)
		switch {
		case p == All:
			for name := range Queues {
				seen[name] = true
			}
		case len(Queues[p]) > 0:
			seen[p] = true
		default:
			return nil, fmt.Errorf("unknown pool %q: use %s, %s, %s, %s or %s", p, Workflow, Search, Inference, Notify, All)
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}

// Running is a set of started workers.
type Running struct {
	workers []worker.Worker
	Names   []string
}

// Start starts the workers of each named pool on c.
func Start(c client.Client, names []string, acts Activities, opt Options) (*Running, error) {
	if opt.InferenceConcurrency <= 0 {
		opt.InferenceConcurrency = 4
	}
	if opt.SearchConcurrency <= 0 {
		opt.SearchConcurrency = 8
	}
	if opt.IngestConcurrency <= 0 {
		opt.IngestConcurrency = 2
	}
	r := &Running{Names: names}
	for _, name := range names {
		ws, err := build(c, name, acts, opt)
		if err != nil {
			r.Stop()
			return nil, err
		}
		for _, w := range ws {
			if err := w.Start(); err != nil {
				r.Stop()
				return nil, fmt.Errorf("start %s pool: %w", name, err)
			}
			r.workers = append(r.workers, w)
		}
	}
	return r, nil
}

// withConfirm puts the confirm interceptor before ics, unless the server
// runs in this process (Options.ServerInProcess).
func withConfirm(c client.Client, opt Options, ics []interceptor.WorkerInterceptor) []interceptor.WorkerInterceptor {
	if opt.ServerInProcess {
		return ics
	}
	return append([]interceptor.WorkerInterceptor{&confirmInterceptor{c: c}}, ics...)
}

// build returns the workers of one pool, each registering only what its
// task queue serves.
func build(c client.Client, name string, acts Activities, opt Options) ([]worker.Worker, error) {
	newWorker := func(queue string, concurrency int) worker.Worker {
		o := workerOptions(opt, concurrency)
		o.Interceptors = withConfirm(c, opt, o.Interceptors)
		return worker.New(c, queue, o)
	}
	switch name {
	case Workflow:
		w := newWorker(rf.TaskQueueWorkflow, 0)
		w.RegisterWorkflowWithOptions(workflows.ResearchWorkflow, workflow.RegisterOptions{Name: rf.ResearchWorkflowType})
		w.RegisterWorkflowWithOptions(workflows.IngestWorkflow, workflow.RegisterOptions{Name: rf.IngestWorkflowType})
		w.RegisterWorkflowWithOptions(workflows.DeliveryWorkflow, workflow.RegisterOptions{Name: workflows.DeliveryWorkflowType})
		w.RegisterWorkflowWithOptions(workflows.ResearchFollowUpWorkflow, workflow.RegisterOptions{Name: rf.ResearchFollowUpWorkflowType})
		w.RegisterWorkflowWithOptions(workflows.ResearchClaimReviewWorkflow, workflow.RegisterOptions{Name: claims.WorkflowType})
		w.RegisterWorkflowWithOptions(workflows.CorpusCountWorkflow, workflow.RegisterOptions{Name: workflows.CorpusCountWorkflowType})
		// Scheduled runs compare themselves with their schedule's previous
		// run: an activity that reads Temporal, served here by its client.
		runs := &activities.Runs{Temporal: c, Logger: opt.Logger}
		w.RegisterActivityWithOptions(runs.CompareRuns, activity.RegisterOptions{Name: workflows.CompareRunsActivity})
		// Claim reviews read the revision they revise (the run's result
		// or an earlier review's).
		w.RegisterActivityWithOptions(runs.ReadRevision, activity.RegisterOptions{Name: workflows.ReadRevisionActivity})
		return []worker.Worker{w}, nil
	case Search:
		if acts.Search == nil {
			return nil, fmt.Errorf("search pool needs its activities")
		}
		retrieve := newWorker(workflows.TaskQueueSearch, opt.SearchConcurrency)
		retrieve.RegisterActivityWithOptions(acts.Search.Retrieve, activity.RegisterOptions{Name: workflows.RetrieveActivity})
		retrieve.RegisterActivityWithOptions(acts.Search.SearchSource, activity.RegisterOptions{Name: workflows.SearchSourceActivity})
		retrieve.RegisterActivityWithOptions(acts.Search.CountCorpus, activity.RegisterOptions{Name: workflows.CountCorpusActivity})
		if acts.FollowUp != nil {
			retrieve.RegisterActivityWithOptions(acts.FollowUp.RunEvidence, activity.RegisterOptions{Name: workflows.RunEvidenceActivity})
		}
		ingest := newWorker(workflows.TaskQueueIngest, opt.IngestConcurrency)
		ingest.RegisterActivityWithOptions(acts.Search.PrepareCorpus, activity.RegisterOptions{Name: workflows.PrepareCorpusActivity})
		ingest.RegisterActivityWithOptions(acts.Search.Ingest, activity.RegisterOptions{Name: workflows.IngestActivity})
		return []worker.Worker{retrieve, ingest}, nil
	case Inference:
		if acts.Inference == nil {
			return nil, fmt.Errorf("inference pool needs its activities")
		}
		w := newWorker(workflows.TaskQueueInference, opt.InferenceConcurrency)
		w.RegisterActivity(acts.Inference)
		return []worker.Worker{w}, nil
	case Notify:
		if acts.Notify == nil {
			return nil, fmt.Errorf("notify pool needs its activities")
		}
		w := newWorker(workflows.TaskQueueNotify, 0)
		w.RegisterActivity(acts.Notify)
		return []worker.Worker{w}, nil
	}
	return nil, fmt.Errorf("unknown pool %q", name)
}

// workerOptions are the options of every worker of a pool.
func workerOptions(opt Options, concurrency int) worker.Options {
	o := worker.Options{
		Interceptors:                       opt.Interceptors,
		MaxConcurrentActivityExecutionSize: concurrency,
		OnFatalError:                       opt.OnFatalError,
		WorkerStopTimeout:                  opt.StopTimeout,
	}
	if opt.BuildID != "" {
		name := opt.DeploymentName
		if name == "" {
			name = "researchflow"
		}
		o.DeploymentOptions = worker.DeploymentOptions{
			UseVersioning:             true,
			Version:                   worker.WorkerDeploymentVersion{DeploymentName: name, BuildID: opt.BuildID},
			DefaultVersioningBehavior: workflow.VersioningBehaviorAutoUpgrade,
		}
	}
	return o
}

// Stop stops the workers together: each stops polling at once and waits
// up to Options.StopTimeout for its running activities, so the whole stop
// takes at most StopTimeout (not one per worker).
func (r *Running) Stop() {
	var wg sync.WaitGroup
	for _, w := range r.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.Stop()
		}()
	}
	wg.Wait()
	r.workers = nil
}
