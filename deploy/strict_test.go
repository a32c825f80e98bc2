package deploy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/pools"
)

// kustomization is the part of kustomize's Kustomization
// (sigs.k8s.io/kustomize/api/types: kustomization.go, labels.go, image.go,
// patch.go, selector.go) that deploy/k8s uses.
type kustomization struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Labels     []struct {
		Pairs            map[string]string `json:"pairs"`
		IncludeSelectors bool              `json:"includeSelectors,omitempty"`
		IncludeTemplates bool              `json:"includeTemplates,omitempty"`
	} `json:"labels,omitempty"`
	Resources []string `json:"resources"`
	Images    []struct {
		Name    string `json:"name"`
		NewName string `json:"newName,omitempty"`
		NewTag  string `json:"newTag,omitempty"`
		Digest  string `json:"digest,omitempty"`
	} `json:"images,omitempty"`
	Patches []struct {
		Path   string `json:"path,omitempty"`
		Patch  string `json:"patch,omitempty"`
		Target *struct {
			Group              string `json:"group,omitempty"`
			Version            string `json:"version,omitempty"`
			Kind               string `json:"kind,omitempty"`
			Name               string `json:"name,omitempty"`
			Namespace          string `json:"namespace,omitempty"`
			LabelSelector      string `json:"labelSelector,omitempty"`
			AnnotationSelector string `json:"annotationSelector,omitempty"`
		} `json:"target,omitempty"`
	} `json:"patches,omitempty"`
}

// kinds maps apiVersion/kind to the Go type a manifest must decode into.
// A kind missing here fails the test: add its k8s.io/api type first.
var kinds = map[string]func() any{
	"v1/Namespace":                  func() any { return &corev1.Namespace{} },
	"v1/ConfigMap":                  func() any { return &corev1.ConfigMap{} },
	"v1/Secret":                     func() any { return &corev1.Secret{} },
	"v1/PersistentVolumeClaim":      func() any { return &corev1.PersistentVolumeClaim{} },
	"v1/Service":                    func() any { return &corev1.Service{} },
	"apps/v1/Deployment":            func() any { return &appsv1.Deployment{} },
	"batch/v1/Job":                  func() any { return &batchv1.Job{} },
	"policy/v1/PodDisruptionBudget": func() any { return &policyv1.PodDisruptionBudget{} },
	"keda.sh/v1alpha1/ScaledObject": func() any { return &kedaScaledObject{} },
	"kustomize.config.k8s.io/v1beta1/Kustomization": func() any { return &kustomization{} },
}

// decodeStrict decodes one YAML document into the type of its
// apiVersion/kind, refusing unknown fields, duplicate keys and unknown
// kinds.
func decodeStrict(doc []byte) (any, error) {
	js, err := sigsyaml.YAMLToJSONStrict(doc)
	if err != nil {
		return nil, err
	}
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	if err := json.Unmarshal(js, &head); err != nil {
		return nil, err
	}
	newObj, ok := kinds[head.APIVersion+"/"+head.Kind]
	if !ok {
		return nil, fmt.Errorf("unknown kind %s %s", head.APIVersion, head.Kind)
	}
	obj := newObj()
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(obj); err != nil {
		return nil, fmt.Errorf("%s: %w", head.Kind, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: trailing data", head.Kind)
	}
	return obj, nil
}

// typedObject is one decoded manifest.
type typedObject struct {
	File string
	Obj  any
}

// typedManifests decodes every document under k8s/ strictly.
func typedManifests(t *testing.T) []typedObject {
	t.Helper()
	var out []typedObject
	for _, f := range yamlFiles(t) {
		if !strings.HasPrefix(filepath.ToSlash(f), "k8s/") {
			continue
		}
		for i, doc := range yamlDocs(t, f) {
			raw, err := yaml.Marshal(doc)
			if err != nil {
				t.Fatalf("%s document %d: %v", f, i+1, err)
			}
			obj, err := decodeStrict(raw)
			if err != nil {
				t.Errorf("%s document %d: %v", f, i+1, err)
				continue
			}
			out = append(out, typedObject{File: filepath.ToSlash(f), Obj: obj})
		}
	}
	return out
}

func typed[T any](objs []typedObject) []T {
	var out []T
	for _, o := range objs {
		if v, ok := o.Obj.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

// TestManifestsDecodeStrictly: every Kubernetes manifest is a known kind
// whose fields all exist in k8s.io/api (or in KEDA's and kustomize's
// schemas): a misspelt or misplaced field, which kubectl would drop or
// refuse, fails here.
func TestManifestsDecodeStrictly(t *testing.T) {
	objs := typedManifests(t)
	counts := map[string]int{}
	for _, o := range objs {
		counts[fmt.Sprintf("%T", o.Obj)]++
	}
	for typ, min := range map[string]int{
		"*v1.Deployment": 5, "*v1.PodDisruptionBudget": 5, "*v1.ConfigMap": 1, "*v1.Job": 1,
		"*deploy.kedaScaledObject": 4, "*deploy.kustomization": 2,
	} {
		if counts[typ] < min {
			t.Errorf("%d objects of type %s, want at least %d (all: %v)", counts[typ], typ, min, counts)
		}
	}
}

// TestStrictDecodeRefuses keeps the strict decoding honest: each document
// has one fault that a loose YAML decode would let through.
func TestStrictDecodeRefuses(t *testing.T) {
	deployment := `apiVersion: apps/v1
kind: Deployment
metadata: {name: x}
spec:
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec:
      %s
      containers: [{name: w, image: researchflow, %s}]
`
	scaled := `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: x}
spec:
  scaleTargetRef: {name: x}
  %s
  triggers: [{type: temporal, %s}]
`
	tests := map[string]string{
		"misspelt pod field":        fmt.Sprintf(deployment, "terminationGracePeriodSecond: 30", "args: [-pool, search]"),
		"misplaced container field": fmt.Sprintf(deployment, "", "envFrom: [{configMap: {name: c}}]"),
		"wrong type":                fmt.Sprintf(deployment, "terminationGracePeriodSeconds: soon", "args: [-pool, search]"),
		"duplicate key":             fmt.Sprintf(deployment, "terminationGracePeriodSeconds: 30\n      terminationGracePeriodSeconds: 60", "args: []"),
		"unknown kind":              "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n",
		"KEDA: HPA field name":      fmt.Sprintf(scaled, "minReplicas: 0", "metadata: {taskQueue: q}"),
		"KEDA: misspelt trigger":    fmt.Sprintf(scaled, "", "metdata: {taskQueue: q}"),
		"KEDA: status set":          fmt.Sprintf(scaled, "", "metadata: {taskQueue: q}") + "status: {hpaName: h}\n",
	}
	for name, doc := range tests {
		if _, err := decodeStrict([]byte(doc)); err == nil {
			t.Errorf("%s: decoded without error:\n%s", name, doc)
		}
	}
	ok := fmt.Sprintf(deployment, "terminationGracePeriodSeconds: 30", "args: [-pool, search]")
	if _, err := decodeStrict([]byte(ok)); err != nil {
		t.Errorf("a valid Deployment was refused: %v", err)
	}
}

// lookupMap adapts a map to config.Lookup.
func lookupMap(env map[string]string) config.Lookup {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

// podEnv is a container's environment as the code will read it: the
// ConfigMaps of its envFrom and its env (Secrets left out: they hold
// keys, not settings).
func podEnv(c corev1.Container, cms []*corev1.ConfigMap) map[string]string {
	env := map[string]string{}
	for _, ef := range c.EnvFrom {
		for _, cm := range cms {
			if ef.ConfigMapRef != nil && ef.ConfigMapRef.Name == cm.Name {
				for k, v := range cm.Data {
					env[k] = v
				}
			}
		}
	}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	return env
}

// workerPool returns the pool a container runs, or "" when it is not a
// worker.
func workerPool(c corev1.Container) string {
	if !isResearchflowImage(c.Image) || (len(c.Command) > 0 && c.Command[0] != binDir+"workers") {
		return ""
	}
	p, _ := poolArg(append(slices.Clone(c.Command), c.Args...))
	return p
}

// stopMargin is the least time between the end of the workers' stop
// timeout and the SIGKILL: closing the client and flushing logs.
const stopMargin = 5 * time.Second

// TestGracefulShutdown: every worker process, as deployed (Kubernetes,
// compose, systemd), loads its settings through internal/config without
// error, and is killed only after its workers' stop timeout
// (RESEARCHFLOW_WORKER_STOP_TIMEOUT, default from the code) has passed.
func TestGracefulShutdown(t *testing.T) {
	objs := typedManifests(t)
	cms := typed[*corev1.ConfigMap](objs)
	workers := 0
	for _, d := range typed[*appsv1.Deployment](objs) {
		for _, c := range d.Spec.Template.Spec.Containers {
			if workerPool(c) == "" {
				continue
			}
			workers++
			cfg, err := config.Load(lookupMap(podEnv(c, cms)))
			if err != nil {
				t.Errorf("Deployment %s: the workers would not start: %v", d.Name, err)
				continue
			}
			grace := 30 * time.Second // Kubernetes' default
			if g := d.Spec.Template.Spec.TerminationGracePeriodSeconds; g != nil {
				grace = time.Duration(*g) * time.Second
			}
			if cfg.WorkerStopTimeout+stopMargin > grace {
				t.Errorf("Deployment %s: workers wait %s for running activities but the pod is killed %s after SIGTERM (terminationGracePeriodSeconds)", d.Name, cfg.WorkerStopTimeout, grace)
			}
		}
	}
	if workers < 4 {
		t.Fatalf("%d worker containers found, want one per pool", workers)
	}

	docs := yamlDocs(t, "compose.yaml")
	var compose struct {
		Services map[string]struct {
			Image           string `yaml:"image"`
			Build           any    `yaml:"build"`
			Entrypoint      argv   `yaml:"entrypoint"`
			Command         argv   `yaml:"command"`
			Environment     envMap `yaml:"environment"`
			StopGracePeriod string `yaml:"stop_grace_period"`
		} `yaml:"services"`
	}
	if err := docs[0].Decode(&compose); err != nil {
		t.Fatal(err)
	}
	for name, s := range compose.Services {
		rf := composeService{Image: s.Image, Build: s.Build}
		if !rf.researchflow() || (len(s.Entrypoint) > 0 && s.Entrypoint[0] != binDir+"workers") {
			continue
		}
		env := map[string]string{}
		for k, v := range s.Environment {
			env[k] = interpolate(v)
		}
		cfg, err := config.Load(lookupMap(env))
		if err != nil {
			t.Errorf("compose service %s: the workers would not start: %v", name, err)
			continue
		}
		grace := 10 * time.Second // compose's default
		if s.StopGracePeriod != "" {
			if grace, err = time.ParseDuration(s.StopGracePeriod); err != nil {
				t.Errorf("compose service %s: stop_grace_period %q: %v", name, s.StopGracePeriod, err)
			}
		}
		if cfg.WorkerStopTimeout+stopMargin > grace {
			t.Errorf("compose service %s: workers wait %s for running activities but compose kills them after %s (stop_grace_period)", name, cfg.WorkerStopTimeout, grace)
		}
	}

	cfg, err := config.Load(lookupMap(envFile(t, filepath.Join("systemd", "researchflow.env"))))
	if err != nil {
		t.Fatalf("systemd/researchflow.env: the workers would not start: %v", err)
	}
	unit := filepath.Join("systemd", "researchflow-worker@.service")
	secs, err := strconv.Atoi(strings.TrimSuffix(unitValue(t, unit, "TimeoutStopSec"), "s"))
	if err != nil {
		t.Fatalf("%s: TimeoutStopSec: %v", unit, err)
	}
	if grace := time.Duration(secs) * time.Second; cfg.WorkerStopTimeout+stopMargin > grace {
		t.Errorf("%s: workers wait %s for running activities but systemd kills them after %s (TimeoutStopSec)", unit, cfg.WorkerStopTimeout, grace)
	}
}

// interpolate resolves compose's ${NAME:-default} and ${NAME} to what they
// are with an empty deploy/.env.
func interpolate(v string) string {
	return regexp.MustCompile(`\$\{[A-Z0-9_]+(:?-([^}]*))?\}`).ReplaceAllString(v, "$2")
}

// TestKEDAScaledObjects: each pool has one ScaledObject, on its own
// Deployment, whose temporal triggers watch exactly the pool's task queues
// (internal/pools) in the namespace and on the Temporal address its pods
// use; inference scales to zero, the workflow pool keeps one replica, and
// the autoscaling overlay lets KEDA own the replica counts.
func TestKEDAScaledObjects(t *testing.T) {
	objs := typedManifests(t)
	cms := typed[*corev1.ConfigMap](objs)
	deployments := map[string]*appsv1.Deployment{}
	for _, d := range typed[*appsv1.Deployment](objs) {
		deployments[d.Name] = d
	}
	byPool := map[string]*kedaScaledObject{}
	for _, so := range typed[*kedaScaledObject](objs) {
		ref := so.Spec.ScaleTargetRef
		if ref == nil || ref.Name == "" {
			t.Errorf("ScaledObject %s: no scaleTargetRef.name", so.Metadata.Name)
			continue
		}
		if (ref.Kind != "" && ref.Kind != "Deployment") || (ref.APIVersion != "" && ref.APIVersion != "apps/v1") {
			t.Errorf("ScaledObject %s: target %s %s, want an apps/v1 Deployment", so.Metadata.Name, ref.APIVersion, ref.Kind)
		}
		d := deployments[ref.Name]
		if d == nil {
			t.Errorf("ScaledObject %s: no Deployment %s", so.Metadata.Name, ref.Name)
			continue
		}
		var worker *corev1.Container
		for i, c := range d.Spec.Template.Spec.Containers {
			if workerPool(c) != "" && (ref.EnvSourceContainerName == "" || ref.EnvSourceContainerName == c.Name) {
				worker = &d.Spec.Template.Spec.Containers[i]
			}
		}
		if worker == nil {
			t.Errorf("ScaledObject %s: Deployment %s runs no worker pool", so.Metadata.Name, d.Name)
			continue
		}
		pool := workerPool(*worker)
		if byPool[pool] != nil {
			t.Errorf("pool %s: ScaledObjects %s and %s", pool, byPool[pool].Metadata.Name, so.Metadata.Name)
		}
		byPool[pool] = so
		checkTriggers(t, so, pool, podEnv(*worker, cms))

		minR, maxR := int32(0), int32(100) // KEDA's defaults
		if so.Spec.MinReplicaCount != nil {
			minR = *so.Spec.MinReplicaCount
		}
		if so.Spec.MaxReplicaCount != nil {
			maxR = *so.Spec.MaxReplicaCount
		}
		if minR > maxR || maxR < 1 {
			t.Errorf("ScaledObject %s: min %d, max %d", so.Metadata.Name, minR, maxR)
		}
		switch {
		case pool == pools.Inference && minR != 0:
			t.Errorf("ScaledObject %s: minReplicaCount %d, want 0 (the GPU pool scales to zero)", so.Metadata.Name, minR)
		case pool == pools.Workflow && minR < 1:
			t.Errorf("ScaledObject %s: minReplicaCount %d, want at least 1 (no workflow progresses without a poller)", so.Metadata.Name, minR)
		}
	}
	for _, p := range poolNames(t) {
		if byPool[p] == nil {
			t.Errorf("pool %s has no ScaledObject", p)
		}
	}
	checkOverlay(t, objs, byPool)
}

func checkTriggers(t *testing.T, so *kedaScaledObject, pool string, env map[string]string) {
	t.Helper()
	name := "ScaledObject " + so.Metadata.Name
	var queues []string
	for i, tr := range so.Spec.Triggers {
		if tr.Type != "temporal" {
			t.Errorf("%s trigger %d: type %q, want temporal", name, i, tr.Type)
			continue
		}
		for k := range tr.Metadata {
			if !temporalScalerKeys[k] {
				t.Errorf("%s trigger %d: %q is not a parameter of KEDA's temporal scaler (KEDA would ignore it)", name, i, k)
			}
		}
		m := tr.Metadata
		switch {
		case m["endpoint"] != "" && m["endpoint"] != env["TEMPORAL_ADDRESS"]:
			t.Errorf("%s trigger %d: endpoint %s, but the pods dial %s", name, i, m["endpoint"], env["TEMPORAL_ADDRESS"])
		case m["endpoint"] == "" && m["endpointFromEnv"] == "":
			t.Errorf("%s trigger %d: no endpoint or endpointFromEnv", name, i)
		case m["endpointFromEnv"] != "" && env[m["endpointFromEnv"]] == "":
			t.Errorf("%s trigger %d: endpointFromEnv %s is not set in the target's container", name, i, m["endpointFromEnv"])
		}
		ns := m["namespace"]
		if ns == "" {
			ns = "default" // the scaler's default
		}
		want := env["TEMPORAL_NAMESPACE"]
		if want == "" {
			want = "default"
		}
		if ns != want {
			t.Errorf("%s trigger %d: namespace %s, but the pods use %s", name, i, ns, want)
		}
		for _, k := range []string{"targetQueueSize", "activationTargetQueueSize"} {
			if v, ok := m[k]; ok {
				if n, err := strconv.Atoi(v); err != nil || n < 0 || (k == "targetQueueSize" && n == 0) {
					t.Errorf("%s trigger %d: %s %q, want a whole number (targetQueueSize > 0)", name, i, k, v)
				}
			}
		}
		wantType := "activity"
		if pool == pools.Workflow {
			wantType = "workflow"
		}
		if m["queueTypes"] != wantType {
			t.Errorf("%s trigger %d: queueTypes %q, want %q (what the %s pool polls)", name, i, m["queueTypes"], wantType, pool)
		}
		queues = append(queues, m["taskQueue"])
	}
	slices.Sort(queues)
	want := slices.Clone(pools.Queues[pool])
	slices.Sort(want)
	if !slices.Equal(queues, want) {
		t.Errorf("%s: triggers watch task queues %v, the %s pool serves %v", name, queues, pool, want)
	}
}

// checkOverlay: the autoscaling overlay builds on the base, includes every
// ScaledObject file, and removes spec.replicas from exactly the scaled
// Deployments.
func checkOverlay(t *testing.T, objs []typedObject, byPool map[string]*kedaScaledObject) {
	t.Helper()
	var overlay *kustomization
	var soFiles []string
	for _, o := range objs {
		if k, ok := o.Obj.(*kustomization); ok && o.File == "k8s/autoscaling/kustomization.yaml" {
			overlay = k
		}
		if _, ok := o.Obj.(*kedaScaledObject); ok && !slices.Contains(soFiles, o.File) {
			soFiles = append(soFiles, o.File)
		}
		if k, ok := o.Obj.(*kustomization); ok && o.File == "k8s/kustomization.yaml" {
			for _, r := range k.Resources {
				if strings.Contains(r, "autoscaling") {
					t.Errorf("the base lists %s: it must apply without KEDA installed", r)
				}
			}
		}
	}
	if overlay == nil {
		t.Fatal("no k8s/autoscaling/kustomization.yaml")
	}
	if !slices.Contains(overlay.Resources, "..") {
		t.Errorf("autoscaling overlay resources %v: want the base (..)", overlay.Resources)
	}
	for _, f := range soFiles {
		if rel := strings.TrimPrefix(f, "k8s/autoscaling/"); rel == f || !slices.Contains(overlay.Resources, rel) {
			t.Errorf("%s is not a resource of the autoscaling overlay", f)
		}
	}
	var removes *regexp.Regexp
	for _, p := range overlay.Patches {
		if p.Target != nil && p.Target.Kind == "Deployment" && strings.Contains(p.Patch, "/spec/replicas") && strings.Contains(p.Patch, "remove") {
			removes = regexp.MustCompile("^(?:" + p.Target.Name + ")$")
		}
	}
	if removes == nil {
		t.Fatal("the autoscaling overlay does not remove spec.replicas from the scaled Deployments")
	}
	for _, d := range typed[*appsv1.Deployment](objs) {
		scaled := false
		for _, so := range byPool {
			scaled = scaled || so.Spec.ScaleTargetRef.Name == d.Name
		}
		if removes.MatchString(d.Name) != scaled {
			t.Errorf("Deployment %s: replicas patched away = %v, scaled by KEDA = %v", d.Name, removes.MatchString(d.Name), scaled)
		}
	}
}
