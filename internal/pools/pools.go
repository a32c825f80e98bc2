// Package pools builds Researchflow's worker pools: one Temporal worker per
// task queue, each registering only what its queue serves. A process runs
// any subset of them (`workers -pool search,notify`); the dev stack runs all.
package pools

import (
	"fmt"
	"log/slog"
	"sort"
	"strings"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/researchflow/researchflow/activities"
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

// Queues maps each pool to its task queue.
var Queues = map[string]string{
	Workflow:  workflows.TaskQueueWorkflow,
	Search:    workflows.TaskQueueSearch,
	Inference: workflows.TaskQueueInference,
	Notify:    workflows.TaskQueueNotify,
}

// Activities are the dependencies of the pools; a process needs only those
// of the pools it runs (nil for the others).
type Activities struct {
	Search    *activities.Search
	Inference *activities.Inference
	Notify    *activities.Notify
}

// Options size the pools.
type Options struct {
	// InferenceConcurrency bounds concurrent model calls per worker: size it
	// to what the model server behind it can take (default 4).
	InferenceConcurrency int
	// SearchConcurrency bounds concurrent retrievals and ingestions (default 8).
	SearchConcurrency int
	Logger            *slog.Logger
	// Interceptors are added to every worker (metrics, tracing, tests).
	Interceptors []interceptor.WorkerInterceptor
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
		case Queues[p] != "":
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

// Start starts a worker for each named pool on c.
func Start(c client.Client, names []string, acts Activities, opt Options) (*Running, error) {
	if opt.InferenceConcurrency <= 0 {
		opt.InferenceConcurrency = 4
	}
	if opt.SearchConcurrency <= 0 {
		opt.SearchConcurrency = 8
	}
	r := &Running{Names: names}
	for _, name := range names {
		w, err := build(c, name, acts, opt)
		if err != nil {
			r.Stop()
			return nil, err
		}
		if err := w.Start(); err != nil {
			r.Stop()
			return nil, fmt.Errorf("start %s pool: %w", name, err)
		}
		r.workers = append(r.workers, w)
	}
	return r, nil
}

func build(c client.Client, name string, acts Activities, opt Options) (worker.Worker, error) {
	wo := worker.Options{Interceptors: opt.Interceptors}
	switch name {
	case Workflow:
		w := worker.New(c, Queues[name], wo)
		w.RegisterWorkflowWithOptions(workflows.ResearchWorkflow, workflow.RegisterOptions{Name: workflows.ResearchWorkflowType})
		w.RegisterWorkflowWithOptions(workflows.IngestWorkflow, workflow.RegisterOptions{Name: workflows.IngestWorkflowType})
		return w, nil
	case Search:
		if acts.Search == nil {
			return nil, fmt.Errorf("search pool needs its activities")
		}
		wo.MaxConcurrentActivityExecutionSize = opt.SearchConcurrency
		w := worker.New(c, Queues[name], wo)
		w.RegisterActivity(acts.Search)
		return w, nil
	case Inference:
		if acts.Inference == nil {
			return nil, fmt.Errorf("inference pool needs its activities")
		}
		wo.MaxConcurrentActivityExecutionSize = opt.InferenceConcurrency
		w := worker.New(c, Queues[name], wo)
		w.RegisterActivity(acts.Inference)
		return w, nil
	case Notify:
		if acts.Notify == nil {
			return nil, fmt.Errorf("notify pool needs its activities")
		}
		w := worker.New(c, Queues[name], wo)
		w.RegisterActivity(acts.Notify)
		return w, nil
	}
	return nil, fmt.Errorf("unknown pool %q", name)
}

// Stop stops the workers, waiting for running activities to return.
func (r *Running) Stop() {
	for _, w := range r.workers {
		w.Stop()
	}
	r.workers = nil
}
