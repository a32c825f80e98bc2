package deploy

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// repoRoot is the module root, seen from this package's folder.
const repoRoot = ".."

// The image's binaries live here (Dockerfile) and the manifests call them so.
const binDir = "/usr/local/bin/"

// ---------------------------------------------------------------------------
// Reading the deploy files.

// yamlFiles lists every YAML file under deploy/.
func yamlFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		// deploy/local holds templates of the Temporal server and Web UI
		// configs, checked with those servers' own loaders (local_test.go).
		if d.IsDir() && path == "local" {
			return filepath.SkipDir
		}
		if ext := filepath.Ext(path); !d.IsDir() && (ext == ".yaml" || ext == ".yml") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk deploy/: %v", err)
	}
	if len(files) == 0 {
		t.Fatal("no YAML files under deploy/")
	}
	return files
}

// yamlDocs decodes every document of a (multi-document) YAML file.
func yamlDocs(t *testing.T, path string) []*yaml.Node {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*yaml.Node
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatalf("parse %s: %v", path, err)
		}
		if len(n.Content) > 0 && n.Content[0].Kind != yaml.ScalarNode {
			docs = append(docs, &n)
		}
	}
}

type meta struct {
	Name   string            `yaml:"name"`
	Labels map[string]string `yaml:"labels"`
}

type ref struct {
	Name     string `yaml:"name"`
	Optional bool   `yaml:"optional"`
}

type envVar struct {
	Name  string `yaml:"name"`
	Value string `yaml:"value"`
}

type probe struct {
	HTTPGet *struct {
		Path string `yaml:"path"`
		Port any    `yaml:"port"`
	} `yaml:"httpGet"`
}

type container struct {
	Name    string   `yaml:"name"`
	Image   string   `yaml:"image"`
	Command []string `yaml:"command"`
	Args    []string `yaml:"args"`
	Env     []envVar `yaml:"env"`
	EnvFrom []struct {
		ConfigMapRef *ref `yaml:"configMapRef"`
		SecretRef    *ref `yaml:"secretRef"`
	} `yaml:"envFrom"`
	Ports []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	LivenessProbe  *probe `yaml:"livenessProbe"`
	ReadinessProbe *probe `yaml:"readinessProbe"`
}

type podSpec struct {
	Containers   []container       `yaml:"containers"`
	NodeSelector map[string]string `yaml:"nodeSelector"`
	Tolerations  []struct {
		Key string `yaml:"key"`
	} `yaml:"tolerations"`
}

type podTemplate struct {
	Metadata meta    `yaml:"metadata"`
	Spec     podSpec `yaml:"spec"`
}

type labelSelector struct {
	MatchLabels map[string]string `yaml:"matchLabels"`
}

// k8sObject is the part of a manifest the checks read. Selector is a
// yaml.Node because a Service's is a plain map and a Deployment's is not.
type k8sObject struct {
	File       string
	APIVersion string            `yaml:"apiVersion"`
	Kind       string            `yaml:"kind"`
	Metadata   meta              `yaml:"metadata"`
	Data       map[string]string `yaml:"data"`
	StringData map[string]string `yaml:"stringData"`
	Resources  []string          `yaml:"resources"`
	Spec       struct {
		Selector yaml.Node   `yaml:"selector"`
		Template podTemplate `yaml:"template"`
		Ports    []struct {
			Port       int `yaml:"port"`
			TargetPort any `yaml:"targetPort"`
		} `yaml:"ports"`
	} `yaml:"spec"`
}

func (o k8sObject) matchLabels() map[string]string {
	var s labelSelector
	_ = o.Spec.Selector.Decode(&s)
	return s.MatchLabels
}

func (o k8sObject) serviceSelector() map[string]string {
	var s map[string]string
	_ = o.Spec.Selector.Decode(&s)
	return s
}

func k8sObjects(t *testing.T) []k8sObject {
	t.Helper()
	var objs []k8sObject
	for _, f := range yamlFiles(t) {
		if !strings.HasPrefix(filepath.ToSlash(f), "k8s/") {
			continue
		}
		for _, doc := range yamlDocs(t, f) {
			var o k8sObject
			if err := doc.Decode(&o); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			o.File = filepath.ToSlash(f)
			objs = append(objs, o)
		}
	}
	return objs
}

func byKind(objs []k8sObject, kind string) []k8sObject {
	var out []k8sObject
	for _, o := range objs {
		if o.Kind == kind {
			out = append(out, o)
		}
	}
	return out
}

// argv is a list given as a YAML sequence or a shell-like string.
type argv []string

func (a *argv) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*a = strings.Fields(n.Value)
		return nil
	}
	var l []string
	if err := n.Decode(&l); err != nil {
		return err
	}
	*a = l
	return nil
}

// envMap is a compose environment, given as a map or as KEY=VALUE items.
type envMap map[string]string

func (e *envMap) UnmarshalYAML(n *yaml.Node) error {
	*e = envMap{}
	if n.Kind == yaml.SequenceNode {
		var l []string
		if err := n.Decode(&l); err != nil {
			return err
		}
		for _, kv := range l {
			k, v, _ := strings.Cut(kv, "=")
			(*e)[k] = v
		}
		return nil
	}
	var m map[string]string
	if err := n.Decode(&m); err != nil {
		return err
	}
	for k, v := range m {
		(*e)[k] = v
	}
	return nil
}

type composeService struct {
	Image       string `yaml:"image"`
	Build       any    `yaml:"build"`
	Entrypoint  argv   `yaml:"entrypoint"`
	Command     argv   `yaml:"command"`
	Environment envMap `yaml:"environment"`
	Profiles    []string
}

// researchflow reports whether the service runs the Researchflow image.
func (s composeService) researchflow() bool {
	return s.Build != nil || strings.HasPrefix(s.Image, "researchflow")
}

func composeServices(t *testing.T) map[string]composeService {
	t.Helper()
	docs := yamlDocs(t, "compose.yaml")
	if len(docs) != 1 {
		t.Fatalf("compose.yaml: %d documents, want 1", len(docs))
	}
	var c struct {
		Services map[string]composeService `yaml:"services"`
	}
	if err := docs[0].Decode(&c); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	if len(c.Services) == 0 {
		t.Fatal("compose.yaml: no services")
	}
	return c.Services
}

// envFile reads KEY=value lines (systemd EnvironmentFile, compose .env).
func envFile(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()
	vars := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Errorf("%s: %q is not KEY=value", path, line)
			continue
		}
		vars[k] = v
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return vars
}

// dockerfile returns the instructions of deploy/Dockerfile with their line
// continuations joined and comments dropped.
func dockerfile(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatalf("read Dockerfile: %v", err)
	}
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") || (trimmed == "" && cur.Len() == 0) {
			continue
		}
		if rest, ok := strings.CutSuffix(trimmed, "\\"); ok {
			cur.WriteString(rest + " ")
			continue
		}
		cur.WriteString(trimmed)
		if s := strings.TrimSpace(cur.String()); s != "" {
			out = append(out, s)
		}
		cur.Reset()
	}
	return out
}

// poolArg returns the value of -pool in args, the arguments of the workers
// command.
func poolArg(args []string) (string, bool) {
	for i, a := range args {
		for _, flag := range []string{"-pool", "--pool"} {
			if a == flag && i+1 < len(args) {
				return args[i+1], true
			}
			if v, ok := strings.CutPrefix(a, flag+"="); ok {
				return v, true
			}
		}
	}
	return "", false
}

// ---------------------------------------------------------------------------
// Reading the Go sources.

// goFiles parses the non-test Go files under dir, skipping testdata,
// vendor, hidden folders and skip.
func goFiles(t *testing.T, dir string, skip ...string) (*token.FileSet, []*ast.File) {
	t.Helper()
	fset := token.NewFileSet()
	var files []*ast.File
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != dir && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor" || name == "node_modules" || slices.Contains(skip, path)) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution|parser.ParseComments)
		if err != nil {
			return fmt.Errorf("parse %s: %w", path, err)
		}
		files = append(files, f)
		return nil
	})
	if err != nil {
		t.Fatalf("read Go sources under %s: %v", dir, err)
	}
	return fset, files
}

// stringConsts returns the string constants of the Go file at path, by name,
// with the first word of each one's line comment.
func stringConsts(t *testing.T, path string) (values, comments map[string]string) {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	values, comments = map[string]string{}, map[string]string{}
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if i >= len(vs.Values) {
					continue
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				v, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatalf("%s: constant %s: %v", path, name.Name, err)
				}
				values[name.Name] = v
				if vs.Comment != nil {
					if words := strings.Fields(strings.TrimRight(vs.Comment.Text(), "\n")); len(words) > 0 {
						comments[name.Name] = strings.TrimRight(words[0], ":,.")
					}
				}
			}
		}
	}
	return values, comments
}

// poolNames are the pools of `workers -pool`, from internal/pools.
func poolNames(t *testing.T) []string {
	t.Helper()
	values, _ := stringConsts(t, filepath.Join(repoRoot, "internal", "pools", "pools.go"))
	var names []string
	for _, c := range []string{"Workflow", "Search", "Inference", "Notify"} {
		v, ok := values[c]
		if !ok {
			t.Fatalf("internal/pools/pools.go has no constant %s", c)
		}
		names = append(names, v)
	}
	if len(values["All"]) == 0 {
		t.Fatal("internal/pools/pools.go has no constant All")
	}
	return names
}

var (
	envNamePattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
	wordPattern    = regexp.MustCompile(`^[a-z][a-z0-9]*$`)
)

// literals holds the string literals of one Go file that can be, or be
// part of, an environment variable name.
type literals struct {
	caps  map[string]bool // "QDRANT_URL", "RESEARCHFLOW_LLM_", "_MODEL"
	words map[string]bool // "PLANNER" (from "planner")
}

// envIndex knows the environment variable names the Go code reads: string
// literals that are a whole name, or names the code composes from two
// literals of one file ("RESEARCHFLOW_EMBEDDINGS" + "_DIM") or from a
// prefix, an upper-cased word and a suffix ("RESEARCHFLOW_" + "planner" +
// "_" + "MODEL").
type envIndex []literals

func (ix *envIndex) add(files []*ast.File) {
	for _, f := range files {
		l := literals{caps: map[string]bool{}, words: map[string]bool{}}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			switch {
			case envNamePattern.MatchString(strings.TrimPrefix(s, "_")):
				l.caps[s] = true
			case wordPattern.MatchString(s):
				l.words[strings.ToUpper(s)] = true
			}
			return true
		})
		*ix = append(*ix, l)
	}
}

func (ix envIndex) reads(name string) bool {
	for _, l := range ix {
		if l.caps[name] {
			return true
		}
		for i := 1; i < len(name); i++ {
			head, tail := name[:i], name[i:]
			if !l.caps[head] {
				continue
			}
			if l.caps[tail] && (strings.HasSuffix(head, "_") || strings.HasPrefix(tail, "_")) {
				return true
			}
			if !strings.HasSuffix(head, "_") {
				continue
			}
			for j := i + 1; j < len(name)-1; j++ {
				if name[j] == '_' && l.words[name[i:j]] && l.caps[name[j+1:]] {
					return true
				}
			}
		}
	}
	return false
}

// knownEnv indexes the repository's Go code (not deploy/, not tests) and,
// when its source is in the module cache, Temporal's envconfig package,
// which reads the TEMPORAL_* client variables for the workers.
func knownEnv(t *testing.T) (ix envIndex, temporalErr error) {
	t.Helper()
	_, files := goFiles(t, repoRoot, filepath.Join(repoRoot, "deploy"))
	ix.add(files)
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "go.temporal.io/sdk/contrib/envconfig")
	cmd.Dir = repoRoot
	out, err := cmd.Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		return ix, fmt.Errorf("go list -m go.temporal.io/sdk/contrib/envconfig: %v", err)
	}
	if _, err := os.Stat(dir); err != nil {
		return ix, fmt.Errorf("envconfig source: %w", err)
	}
	_, files = goFiles(t, dir)
	ix.add(files)
	return ix, nil
}

// ---------------------------------------------------------------------------
// The checks.

func TestYAMLFilesParse(t *testing.T) {
	for _, f := range yamlFiles(t) {
		if docs := yamlDocs(t, f); len(docs) == 0 {
			t.Errorf("%s: no YAML document", f)
		}
	}
	for _, o := range k8sObjects(t) {
		if o.APIVersion == "" || o.Kind == "" {
			t.Errorf("%s: a document without apiVersion or kind", o.File)
		}
		if o.Kind != "Kustomization" && o.Metadata.Name == "" {
			t.Errorf("%s: %s without metadata.name", o.File, o.Kind)
		}
	}
}

// TestKustomizationListsManifests keeps kubectl apply -k complete: every
// manifest but the Secret example is a resource, and every resource exists.
func TestKustomizationListsManifests(t *testing.T) {
	// The base is k8s/kustomization.yaml; overlays in sub-folders
	// (autoscaling/) are checked by strict_test.go.
	var ks []k8sObject
	for _, k := range byKind(k8sObjects(t), "Kustomization") {
		if k.File == "k8s/kustomization.yaml" {
			ks = append(ks, k)
		}
	}
	if len(ks) != 1 {
		t.Fatalf("%d Kustomizations in k8s/kustomization.yaml, want 1", len(ks))
	}
	listed := map[string]bool{}
	for _, r := range ks[0].Resources {
		listed[r] = true
		if _, err := os.Stat(filepath.Join("k8s", r)); err != nil {
			t.Errorf("kustomization.yaml lists %s: %v", r, err)
		}
	}
	entries, err := os.ReadDir("k8s")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		if filepath.Ext(name) != ".yaml" || name == "kustomization.yaml" {
			continue
		}
		isExample := strings.Contains(name, ".example.")
		if isExample && listed[name] {
			t.Errorf("kustomization.yaml applies %s: example secrets must not be deployed", name)
		}
		if !isExample && !listed[name] {
			t.Errorf("k8s/%s is not listed in kustomization.yaml resources", name)
		}
	}
}

// workerContainers returns, per k8s object, the containers that run the
// workers command (the image's entrypoint when no command is given).
func workerContainers(objs []k8sObject) map[string][]container {
	out := map[string][]container{}
	for _, o := range byKind(objs, "Deployment") {
		for _, c := range o.Spec.Template.Spec.Containers {
			if isResearchflowImage(c.Image) && (len(c.Command) == 0 || c.Command[0] == binDir+"workers") {
				out[o.Metadata.Name] = append(out[o.Metadata.Name], c)
			}
		}
	}
	return out
}

func isResearchflowImage(image string) bool {
	return image == "researchflow" || strings.HasPrefix(image, "researchflow:")
}

func TestEveryPoolIsDeployed(t *testing.T) {
	pools := poolNames(t)
	objs := k8sObjects(t)
	services := composeServices(t)

	k8sByPool := map[string][]string{}
	for name, cs := range workerContainers(objs) {
		for _, c := range cs {
			args := append(slices.Clone(c.Command), c.Args...)
			pool, ok := poolArg(args)
			if !ok {
				t.Errorf("Deployment %s runs the workers without -pool (it would run every pool): args %q", name, args)
				continue
			}
			k8sByPool[pool] = append(k8sByPool[pool], name)
		}
	}
	composeByPool := map[string][]string{}
	for name, s := range services {
		if !s.researchflow() || (len(s.Entrypoint) > 0 && s.Entrypoint[0] != binDir+"workers") {
			continue
		}
		pool, ok := poolArg(append(slices.Clone(s.Entrypoint), s.Command...))
		if !ok {
			t.Errorf("compose service %s runs the workers without -pool: command %q", name, s.Command)
			continue
		}
		composeByPool[pool] = append(composeByPool[pool], name)
	}

	for _, p := range pools {
		if got := k8sByPool[p]; len(got) != 1 {
			t.Errorf("pool %s: k8s Deployments %v select it, want exactly one", p, got)
		}
		if got := composeByPool[p]; len(got) != 1 {
			t.Errorf("pool %s: compose services %v select it, want exactly one", p, got)
		}
	}
	for _, byPool := range []map[string][]string{k8sByPool, composeByPool} {
		for p, names := range byPool {
			if !slices.Contains(pools, p) {
				t.Errorf("%v run -pool %q: want exactly one of %v per process", names, p, pools)
			}
		}
	}
}

// TestEveryDeploymentHasABudget: each Deployment has one PodDisruptionBudget
// selecting its pods and no other Deployment's.
func TestEveryDeploymentHasABudget(t *testing.T) {
	objs := k8sObjects(t)
	deps := byKind(objs, "Deployment")
	pdbs := byKind(objs, "PodDisruptionBudget")
	if len(deps) == 0 {
		t.Fatal("no Deployments under k8s/")
	}
	for _, d := range deps {
		if !selects(d.matchLabels(), d.Spec.Template.Metadata.Labels) {
			t.Errorf("Deployment %s: selector %v does not match its pod labels %v", d.Metadata.Name, d.matchLabels(), d.Spec.Template.Metadata.Labels)
		}
		var covering []string
		for _, p := range pdbs {
			if selects(p.matchLabels(), d.Spec.Template.Metadata.Labels) {
				covering = append(covering, p.Metadata.Name)
			}
		}
		if len(covering) != 1 {
			t.Errorf("Deployment %s: PodDisruptionBudgets %v select its pods, want exactly one", d.Metadata.Name, covering)
		}
	}
}

func selects(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// containerEnv is the environment of a container: its env entries and the
// keys of the ConfigMaps and Secrets it reads with envFrom.
func containerEnv(c container, objs []k8sObject) map[string]string {
	env := map[string]string{}
	for _, ef := range c.EnvFrom {
		for _, o := range objs {
			switch {
			case ef.ConfigMapRef != nil && o.Kind == "ConfigMap" && o.Metadata.Name == ef.ConfigMapRef.Name:
				for k, v := range o.Data {
					env[k] = v
				}
			case ef.SecretRef != nil && o.Kind == "Secret" && o.Metadata.Name == ef.SecretRef.Name:
				for k, v := range o.StringData {
					env[k] = v
				}
				for k := range o.Data {
					env[k] = "(secret)"
				}
			}
		}
	}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	return env
}

// TestScaleOutSettings: without TEMPORAL_ADDRESS a worker starts its own
// embedded Temporal server, and without QDRANT_URL the search and inference
// pools would each keep a private memory. Neither may happen in the
// scale-out deployments.
func TestScaleOutSettings(t *testing.T) {
	objs := k8sObjects(t)
	need := func(where, pool string, env map[string]string) {
		if env["TEMPORAL_ADDRESS"] == "" {
			t.Errorf("%s: TEMPORAL_ADDRESS is not set: it would start an embedded Temporal server", where)
		}
		if (pool == "search" || pool == "inference" || pool == "") && env["QDRANT_URL"] == "" {
			t.Errorf("%s: QDRANT_URL is not set: memory would not be shared", where)
		}
	}
	for name, cs := range workerContainers(objs) {
		for _, c := range cs {
			pool, _ := poolArg(append(slices.Clone(c.Command), c.Args...))
			need("Deployment "+name, pool, containerEnv(c, objs))
		}
	}
	if gw := gatewayContainer(t, objs); gw != nil {
		need("gateway Deployment", "", containerEnv(*gw, objs))
	}
	for name, s := range composeServices(t) {
		if s.researchflow() {
			pool, _ := poolArg(s.Command)
			need("compose service "+name, pool, s.Environment)
		}
	}
	need("systemd/researchflow.env", "", envFile(t, filepath.Join("systemd", "researchflow.env")))
}

// deployedEnv collects every environment variable name the deploy files set
// for Researchflow processes, with where each is set.
func deployedEnv(t *testing.T) map[string][]string {
	t.Helper()
	where := map[string][]string{}
	add := func(name, file string) {
		if !slices.Contains(where[name], file) {
			where[name] = append(where[name], file)
		}
	}
	objs := k8sObjects(t)
	for _, o := range objs {
		switch o.Kind {
		case "ConfigMap":
			for k := range o.Data {
				add(k, o.File)
			}
		case "Secret":
			for k := range o.StringData {
				add(k, o.File)
			}
			for k := range o.Data {
				add(k, o.File)
			}
		}
		for _, c := range o.Spec.Template.Spec.Containers {
			if isResearchflowImage(c.Image) {
				for _, e := range c.Env {
					add(e.Name, o.File)
				}
			}
		}
	}
	for name, s := range composeServices(t) {
		if s.researchflow() {
			for k := range s.Environment {
				add(k, "compose.yaml ("+name+")")
			}
		}
	}
	envFiles, _ := filepath.Glob(filepath.Join("systemd", "*.env*"))
	envFiles = append(envFiles, ".env.example")
	for _, f := range envFiles {
		for k := range envFile(t, f) {
			add(k, filepath.ToSlash(f))
		}
	}
	for _, line := range dockerfile(t) {
		if rest, ok := strings.CutPrefix(line, "ENV "); ok {
			for _, kv := range strings.Fields(rest) {
				k, _, _ := strings.Cut(kv, "=")
				add(k, "Dockerfile")
			}
		}
	}
	return where
}

// TestEnvNamesAreRead: every variable the deploy files set is one the code
// reads; a misspelt name would be silently ignored in production.
func TestEnvNamesAreRead(t *testing.T) {
	ix, temporalErr := knownEnv(t)
	deployed := deployedEnv(t)
	if len(deployed) < 10 {
		t.Fatalf("found only %d variable names in the deploy files: the parsing is broken", len(deployed))
	}
	for name, files := range deployed {
		t.Run(name, func(t *testing.T) {
			if !envNamePattern.MatchString(name) {
				t.Fatalf("%q (in %v) is not an environment variable name", name, files)
			}
			if ix.reads(name) {
				return
			}
			if strings.HasPrefix(name, "TEMPORAL_") && temporalErr != nil {
				t.Skipf("needs the Temporal envconfig source to check %s: %v", name, temporalErr)
			}
			t.Errorf("%s is set in %v but no Go code of Researchflow or Temporal's envconfig reads it", name, files)
		})
	}
}

// TestEnvIndex checks the name matcher on names whose answer is known, so
// that TestEnvNamesAreRead cannot pass by accepting everything.
func TestEnvIndex(t *testing.T) {
	ix, temporalErr := knownEnv(t)
	tests := []struct {
		name string
		want bool
	}{
		{"QDRANT_URL", true},                      // a literal
		{"RESEARCHFLOW_EMBEDDINGS_DIM", true},     // envPrefix + "_DIM"
		{"RESEARCHFLOW_LLM_MODEL", true},          // "RESEARCHFLOW_LLM_" + "MODEL"
		{"RESEARCHFLOW_PLANNER_BASE_URL", true},   // "RESEARCHFLOW_" + "planner" + "_" + "BASE_URL"
		{"RESEARCHFLOW_QDRANT_URL", false},        // a plausible mistake
		{"RESEARCHFLOW_LLM_MODLE", false},         // a typo
		{"RESEARCHFLOW_CRITIC_MODEL", false},      // no such role
		{"RESEARCHFLOW_INFERENCE_WORKERS", false}, // no such setting
	}
	for _, tt := range tests {
		if got := ix.reads(tt.name); got != tt.want {
			t.Errorf("reads(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}
	if temporalErr != nil {
		t.Skipf("Temporal envconfig source unavailable: %v", temporalErr)
	}
	if !ix.reads("TEMPORAL_TLS_CLIENT_CERT_PATH") {
		t.Error("TEMPORAL_TLS_CLIENT_CERT_PATH not found in Temporal's envconfig")
	}
}

// TestREADMEDocumentsEveryVariable: the README's variable table names only
// variables the code reads, and every variable the deploy files set.
func TestREADMEDocumentsEveryVariable(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\|\\s*`([A-Z][A-Z0-9_]*)`")
	documented := map[string]bool{}
	for _, m := range row.FindAllStringSubmatch(string(data), -1) {
		documented[m[1]] = true
	}
	if len(documented) == 0 {
		t.Fatal("README.md has no variable table rows (| `NAME` | ...)")
	}
	ix, temporalErr := knownEnv(t)
	for name := range documented {
		if !ix.reads(name) && (!strings.HasPrefix(name, "TEMPORAL_") || temporalErr == nil) {
			t.Errorf("README.md documents %s, which no code reads", name)
		}
	}
	for name, files := range deployedEnv(t) {
		if !documented[name] {
			t.Errorf("%s is set in %v but missing from the README's variable table", name, files)
		}
	}
}

// TestSearchAttributeJob: the Job registers exactly the search attributes
// of names.go (the contract package), with the types their comments give.
func TestSearchAttributeJob(t *testing.T) {
	values, comments := stringConsts(t, filepath.Join(repoRoot, "names.go"))
	want := map[string]string{}
	for c, v := range values {
		if strings.HasPrefix(c, "SearchAttr") {
			want[v] = comments[c]
		}
	}
	if len(want) == 0 {
		t.Fatal("names.go (the contract package) declares no SearchAttr constants")
	}
	jobs := byKind(k8sObjects(t), "Job")
	if len(jobs) != 1 {
		t.Fatalf("%d Jobs under k8s/, want 1 (search attributes)", len(jobs))
	}
	cs := jobs[0].Spec.Template.Spec.Containers
	if len(cs) != 1 {
		t.Fatalf("Job %s: %d containers, want 1", jobs[0].Metadata.Name, len(cs))
	}
	args := append(slices.Clone(cs[0].Command), cs[0].Args...)
	if !containsSeq(args, "operator", "search-attribute", "create") {
		t.Errorf("Job args %q: want temporal operator search-attribute create", args)
	}
	got := map[string]string{}
	var names []string
	for i := 0; i+1 < len(args); i++ {
		if args[i] == "--name" {
			names = append(names, args[i+1])
		}
	}
	var types []string
	for i := 0; i+1 < len(args); i++ {
		if args[i] == "--type" {
			types = append(types, args[i+1])
		}
	}
	if len(names) != len(types) {
		t.Fatalf("Job: %d --name and %d --type flags, want pairs", len(names), len(types))
	}
	for i, n := range names {
		if _, dup := got[n]; dup {
			t.Errorf("Job names %s twice", n)
		}
		got[n] = types[i]
	}
	for n, typ := range want {
		if g, ok := got[n]; !ok {
			t.Errorf("Job does not create %s", n)
		} else if typ != "" && !strings.EqualFold(g, typ) {
			t.Errorf("Job creates %s as %s, names.go (the contract package) says %s", n, g, typ)
		}
	}
	for n := range got {
		if _, ok := want[n]; !ok {
			t.Errorf("Job creates %s, which names.go (the contract package) does not declare", n)
		}
	}
	env := containerEnv(cs[0], k8sObjects(t))
	if env["TEMPORAL_ADDRESS"] == "" {
		t.Error("Job: TEMPORAL_ADDRESS is not set for the Temporal CLI")
	}
}

func containsSeq(s []string, seq ...string) bool {
	for i := 0; i+len(seq) <= len(s); i++ {
		if slices.Equal(s[i:i+len(seq)], seq) {
			return true
		}
	}
	return false
}

// builtPackages returns the packages the Dockerfile builds (./workers, ...).
func builtPackages(t *testing.T) []string {
	t.Helper()
	var pkgs []string
	for _, line := range dockerfile(t) {
		if !strings.HasPrefix(line, "RUN ") || !strings.Contains(line, "go build") {
			continue
		}
		_, after, _ := strings.Cut(line, "go build")
		for _, f := range strings.Fields(after) {
			if f == "&&" || f == ";" {
				break
			}
			if strings.HasPrefix(f, "./") {
				pkgs = append(pkgs, f)
			}
		}
	}
	sort.Strings(pkgs)
	return pkgs
}

// TestDockerfileBuildsEveryCommand: the image has the three commands at the
// paths the manifests call, and the Go docs for the default corpus.
func TestDockerfileBuildsEveryCommand(t *testing.T) {
	got := builtPackages(t)
	want := []string{"./api", "./starter", "./workers"}
	if !slices.Equal(got, want) {
		t.Fatalf("Dockerfile builds %v, want %v", got, want)
	}
	lines := dockerfile(t)
	var entrypoint, gorootEnv string
	copies := map[string]bool{}
	for _, l := range lines {
		if rest, ok := strings.CutPrefix(l, "ENTRYPOINT "); ok {
			entrypoint = rest
		}
		if rest, ok := strings.CutPrefix(l, "ENV "); ok {
			for _, kv := range strings.Fields(rest) {
				if v, ok := strings.CutPrefix(kv, "RESEARCHFLOW_GOROOT="); ok {
					gorootEnv = v
				}
			}
		}
		if strings.HasPrefix(l, "COPY ") {
			f := strings.Fields(l)
			copies[strings.TrimSuffix(f[len(f)-1], "/")] = true
		}
	}
	if entrypoint != `["`+binDir+`workers"]` {
		t.Errorf("ENTRYPOINT %s, want [%q]", entrypoint, binDir+"workers")
	}
	if !copies[strings.TrimSuffix(binDir, "/")] {
		t.Errorf("no COPY into %s", binDir)
	}
	if gorootEnv == "" || !copies[gorootEnv] {
		t.Errorf("RESEARCHFLOW_GOROOT=%q is not a folder the Dockerfile copies the Go docs to", gorootEnv)
	}

	// Commands the manifests run must be binaries of the image.
	built := map[string]bool{}
	for _, p := range got {
		built[binDir+filepath.Base(p)] = true
	}
	check := func(where string, cmd []string) {
		if len(cmd) > 0 && !built[cmd[0]] {
			t.Errorf("%s runs %s, which the image does not build", where, cmd[0])
		}
	}
	for _, o := range byKind(k8sObjects(t), "Deployment") {
		for _, c := range o.Spec.Template.Spec.Containers {
			if isResearchflowImage(c.Image) {
				check("Deployment "+o.Metadata.Name, c.Command)
			}
		}
	}
	for name, s := range composeServices(t) {
		if s.researchflow() {
			check("compose service "+name, s.Entrypoint)
		}
	}
	units, _ := filepath.Glob(filepath.Join("systemd", "*.service"))
	for _, u := range units {
		check(u, strings.Fields(unitValue(t, u, "ExecStart")))
	}

	for _, p := range want {
		t.Run(p, func(t *testing.T) {
			fset, files := goFiles(t, filepath.Join(repoRoot, p))
			if len(files) == 0 {
				t.Skipf("%s has no Go files yet: the image cannot be built until it does", p)
			}
			for _, f := range files {
				if filepath.Dir(fset.File(f.Pos()).Name()) == filepath.Join(repoRoot, p) && f.Name.Name != "main" {
					t.Errorf("%s: package %s, want main", fset.File(f.Pos()).Name(), f.Name.Name)
				}
			}
		})
	}
}

// unitValue returns the value of key in a systemd unit file.
func unitValue(t *testing.T, path, key string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), key+"="); ok {
			return v
		}
	}
	t.Fatalf("%s: no %s=", path, key)
	return ""
}

func TestSystemdWorkerTemplate(t *testing.T) {
	unit := filepath.Join("systemd", "researchflow-worker@.service")
	args := strings.Fields(unitValue(t, unit, "ExecStart"))
	if pool, ok := poolArg(args); !ok || pool != "%i" {
		t.Errorf("%s: ExecStart %q, want -pool %%i (the instance name is the pool)", unit, args)
	}
	if f := unitValue(t, unit, "EnvironmentFile"); !strings.HasSuffix(f, "researchflow.env") {
		t.Errorf("%s: EnvironmentFile=%s, want the shared researchflow.env", unit, f)
	}
}

// gatewayContainer returns the container of the Deployment that runs the
// api command.
func gatewayContainer(t *testing.T, objs []k8sObject) *container {
	t.Helper()
	for _, o := range byKind(objs, "Deployment") {
		for _, c := range o.Spec.Template.Spec.Containers {
			if len(c.Command) > 0 && c.Command[0] == binDir+"api" {
				return &c
			}
		}
	}
	return nil
}

// TestGatewayIsReachable: the gateway listens on all interfaces on the port
// its probes and Service use, probes the gateway's health routes, and has
// API keys (a non-loopback gateway without keys refuses to start).
func TestGatewayIsReachable(t *testing.T) {
	objs := k8sObjects(t)
	c := gatewayContainer(t, objs)
	if c == nil {
		t.Fatal("no Deployment runs " + binDir + "api")
	}
	env := containerEnv(*c, objs)
	host, port, err := net.SplitHostPort(env["RESEARCHFLOW_HTTP_ADDR"])
	if err != nil {
		t.Fatalf("RESEARCHFLOW_HTTP_ADDR=%q: %v", env["RESEARCHFLOW_HTTP_ADDR"], err)
	}
	if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
		t.Errorf("RESEARCHFLOW_HTTP_ADDR=%s listens on loopback: unreachable from the Service", env["RESEARCHFLOW_HTTP_ADDR"])
	}
	if env["RESEARCHFLOW_API_KEYS"] == "" && env["RESEARCHFLOW_NO_AUTH"] != "1" {
		t.Error("gateway has neither RESEARCHFLOW_API_KEYS nor RESEARCHFLOW_NO_AUTH=1: it would refuse to start")
	}
	var portName string
	for _, p := range c.Ports {
		if strconv.Itoa(p.ContainerPort) == port {
			portName = p.Name
		}
	}
	if portName == "" {
		t.Fatalf("no containerPort %s", port)
	}
	samePort := func(p any) bool { return fmt.Sprint(p) == portName || fmt.Sprint(p) == port }

	routes := gatewayRoutes(t)
	for _, pr := range []struct {
		name string
		p    *probe
		path string
	}{{"livenessProbe", c.LivenessProbe, "/healthz"}, {"readinessProbe", c.ReadinessProbe, "/readyz"}} {
		switch {
		case pr.p == nil || pr.p.HTTPGet == nil:
			t.Errorf("gateway has no HTTP %s", pr.name)
		case pr.p.HTTPGet.Path != pr.path || !samePort(pr.p.HTTPGet.Port):
			t.Errorf("gateway %s: GET %s on port %v, want %s on %s", pr.name, pr.p.HTTPGet.Path, pr.p.HTTPGet.Port, pr.path, port)
		case !routes[pr.path]:
			t.Errorf("gateway %s probes %s, which internal/gateway does not serve", pr.name, pr.path)
		}
	}

	svcs := byKind(objs, "Service")
	var found bool
	for _, s := range svcs {
		for _, d := range byKind(objs, "Deployment") {
			if !selects(s.serviceSelector(), d.Spec.Template.Metadata.Labels) {
				continue
			}
			if gatewayContainer(t, []k8sObject{d}) == nil {
				t.Errorf("Service %s selects Deployment %s, which is not the gateway", s.Metadata.Name, d.Metadata.Name)
				continue
			}
			found = true
			for _, p := range s.Spec.Ports {
				if !samePort(p.TargetPort) {
					t.Errorf("Service %s: targetPort %v, want %s or %s", s.Metadata.Name, p.TargetPort, portName, port)
				}
			}
		}
	}
	if !found {
		t.Error("no Service selects the gateway's pods")
	}
}

// gatewayRoutes returns the string literals starting with "/" in
// internal/gateway: the routes it registers are among them.
func gatewayRoutes(t *testing.T) map[string]bool {
	t.Helper()
	_, files := goFiles(t, filepath.Join(repoRoot, "internal", "gateway"))
	routes := map[string]bool{}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil && strings.HasPrefix(s, "/") {
					routes[s] = true
				}
			}
			return true
		})
	}
	return routes
}

// TestInferenceRunsNearTheModel: the inference pool is scheduled on GPU
// nodes (where the model server is), the other pools are not pinned there.
func TestInferenceRunsNearTheModel(t *testing.T) {
	for _, d := range byKind(k8sObjects(t), "Deployment") {
		spec := d.Spec.Template.Spec
		gpu := false
		for k := range spec.NodeSelector {
			gpu = gpu || strings.Contains(k, "nvidia.com/gpu")
		}
		for _, tol := range spec.Tolerations {
			gpu = gpu || strings.Contains(tol.Key, "nvidia.com/gpu")
		}
		isInference := false
		for _, c := range spec.Containers {
			if p, _ := poolArg(c.Args); p == "inference" {
				isInference = true
			}
		}
		if gpu != isInference {
			t.Errorf("Deployment %s: scheduled on GPU nodes = %v, want %v", d.Metadata.Name, gpu, isInference)
		}
	}
}
