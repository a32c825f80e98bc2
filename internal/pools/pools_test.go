package pools

import (
	"reflect"
	"testing"
	"time"

	"go.temporal.io/sdk/workflow"
)

func TestParse(t *testing.T) {
	tests := []struct {
		spec    string
		want    []string
		wantErr bool
	}{
		{"all", []string{Inference, Notify, Search, Workflow}, false},
		{"search", []string{Search}, false},
		{"notify, search,notify", []string{Notify, Search}, false},
		{"inference,all", []string{Inference, Notify, Search, Workflow}, false},
		{"gpu", nil, true},
		{"", nil, true},
	}
	for _, tt := range tests {
		got, err := Parse(tt.spec)
		if (err != nil) != tt.wantErr || (!tt.wantErr && !reflect.DeepEqual(got, tt.want)) {
			t.Errorf("Parse(%q) = %v, %v; want %v (error %v)", tt.spec, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestWorkerOptions(t *testing.T) {
	o := workerOptions(Options{StopTimeout: 25 * time.Second}, 4)
	if o.WorkerStopTimeout != 25*time.Second || o.MaxConcurrentActivityExecutionSize != 4 {
		t.Errorf("options = %+v", o)
	}
	if o.DeploymentOptions.UseVersioning {
		t.Error("versioning on without a build ID")
	}
	o = workerOptions(Options{BuildID: "2026-11-29.1"}, 0)
	d := o.DeploymentOptions
	if !d.UseVersioning || d.Version.BuildID != "2026-11-29.1" || d.Version.DeploymentName != "researchflow" ||
		d.DefaultVersioningBehavior != workflow.VersioningBehaviorAutoUpgrade {
		t.Errorf("deployment options = %+v", d)
	}
	if o := workerOptions(Options{BuildID: "b", DeploymentName: "rf-eu"}, 0); o.DeploymentOptions.Version.DeploymentName != "rf-eu" {
		t.Errorf("deployment name = %q", o.DeploymentOptions.Version.DeploymentName)
	}
}
