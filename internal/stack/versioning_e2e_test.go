package stack

import (
	"context"
	"strings"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/researchflow/researchflow/internal/pools"
)

// With RESEARCHFLOW_BUILD_ID set, every pool polls as a version of the
// Worker Deployment; once an operator makes that version current (the
// rollout's last step), research runs on it, with the auto-upgrade
// behaviour the rollout procedure relies on.
func TestVersionedWorkersRunResearch(t *testing.T) {
	endToEnd(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cfg, plain := ownNamespace(ctx, t, "versioned")
	cfg.BuildID, cfg.DeploymentName = "build-1", "researchflow"
	all, _ := pools.Parse(pools.All)
	s, err := Start(ctx, cfg, Options{Pools: all, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	// The version exists once its pollers have reached the server.
	h := plain.WorkerDeploymentClient().GetHandle(cfg.DeploymentName)
	var lastErr error
	for {
		if _, lastErr = h.SetCurrentVersion(ctx, client.WorkerDeploymentSetCurrentVersionOptions{BuildID: cfg.BuildID}); lastErr == nil {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("set current version %s: %v", cfg.BuildID, lastErr)
		case <-time.After(300 * time.Millisecond):
		}
	}

	id := unique("versioned-run")
	waitFor(ctx, t, "search attributes of "+cfg.Namespace, func() error {
		_, err := s.Runs.Start(ctx, id, rf.ResearchInput{Question: "What do worker bees store?", CorpusPath: writeCorpus(t)})
		return err
	})
	var res rf.ResearchResult
	if err := s.Client.GetWorkflow(ctx, id, "").Get(ctx, &res); err != nil {
		t.Fatalf("research on versioned workers: %v", err)
	}
	if !strings.Contains(res.Report, "nectar") && !strings.Contains(res.Report, "honey") {
		t.Errorf("unexpected report:\n%s", res.Report)
	}
	desc, err := plain.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		t.Fatal(err)
	}
	vi := desc.GetWorkflowExecutionInfo().GetVersioningInfo()
	if got := vi.GetDeploymentVersion().GetBuildId(); got != cfg.BuildID || vi.GetDeploymentVersion().GetDeploymentName() != cfg.DeploymentName {
		t.Errorf("run's deployment version = %v, want %s.%s", vi.GetDeploymentVersion(), cfg.DeploymentName, cfg.BuildID)
	}
	if vi.GetBehavior() != enumspb.VERSIONING_BEHAVIOR_AUTO_UPGRADE {
		t.Errorf("run's versioning behaviour = %v, want auto-upgrade", vi.GetBehavior())
	}
}
