package stack

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/researchflow/researchflow/workflows"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	enumspb "go.temporal.io/api/enums/v1"

	rf "github.com/researchflow/researchflow"

	"github.com/researchflow/researchflow/internal/gateway"
	"github.com/researchflow/researchflow/internal/telemetry"
)

// One research started over HTTP is one trace: the gateway's request span
// is the root, the workflow and every activity type the run executed are
// its descendants through unbroken parent links.
func TestResearchIsOneTrace(t *testing.T) {
	endToEnd(t)
	base := "http://" + shared.Gateway.Addr
	resp, err := http.Post(base+"/v1/research", "application/json",
		strings.NewReader(`{"question":"What does the Go memory model guarantee about channel communication?"}`))
	if err != nil {
		t.Fatal(err)
	}
	var created gateway.CreateResearchResponse
	if err := json.NewDecoder(resp.Body).Decode(&created); err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST /v1/research: %d %v %+v", resp.StatusCode, err, created)
	}
	resp.Body.Close()
	if len(created.TraceID) != 32 {
		t.Fatalf("traceId = %q, want 32 hex digits", created.TraceID)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var res rf.ResearchResult
	if err := shared.Client.GetWorkflow(ctx, created.ID, "").Get(ctx, &res); err != nil {
		t.Fatalf("research %s: %v", created.ID, err)
	}
	// The activity types the run executed, from its history.
	executed := map[string]bool{}
	it := shared.Client.GetWorkflowHistory(ctx, created.ID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil {
			executed[a.GetActivityType().GetName()] = true
		}
	}
	for _, must := range []string{workflows.PrepareCorpusActivity, workflows.PlanActivity, workflows.RetrieveActivity, workflows.AnalyzeActivity, workflows.SynthesizeActivity} {
		if !executed[must] {
			t.Fatalf("the run did not execute %s (executed %v)", must, executed)
		}
	}

	// The workflow span ends just after the result is recorded.
	var trace []tracetest.SpanStub
	want := append([]string{"POST /v1/research", "StartWorkflow:" + rf.ResearchWorkflowType, "RunWorkflow:" + rf.ResearchWorkflowType}, activitySpans(executed)...)
	deadline := time.Now().Add(10 * time.Second)
	for {
		trace = trace[:0]
		for _, s := range spans.GetSpans() {
			if s.SpanContext.TraceID().String() == created.TraceID {
				trace = append(trace, s)
			}
		}
		if missing := missingNames(trace, want); len(missing) == 0 || time.Now().After(deadline) {
			if len(missing) > 0 {
				t.Fatalf("trace %s lacks spans %v; has %v", created.TraceID, missing, names(trace))
			}
			break
		}
		time.Sleep(100 * time.Millisecond)
	}

	byID := map[string]tracetest.SpanStub{}
	for _, s := range trace {
		byID[s.SpanContext.SpanID().String()] = s
	}
	var root tracetest.SpanStub
	for _, s := range trace {
		if s.Name == "POST /v1/research" {
			root = s
		}
	}
	if root.Parent.IsValid() {
		t.Errorf("the gateway span has a parent %s; want it to be the root", root.Parent.SpanID())
	}
	// Every span reaches the gateway span through parents recorded in this trace.
	for _, s := range trace {
		chain := []string{s.Name}
		cur := s
		for cur.Parent.IsValid() {
			p, ok := byID[cur.Parent.SpanID().String()]
			if !ok {
				t.Errorf("span %q: parent %s is not in the trace", s.Name, cur.Parent.SpanID())
				break
			}
			chain = append(chain, p.Name)
			cur = p
		}
		if cur.SpanContext.SpanID() != root.SpanContext.SpanID() {
			t.Errorf("span %q does not descend from the gateway span: %v", s.Name, chain)
		}
		if strings.HasPrefix(s.Name, "RunActivity:") && !contains(chain, "RunWorkflow:"+rf.ResearchWorkflowType) {
			t.Errorf("activity span %q is not under the workflow span: %v", s.Name, chain)
		}
	}
	t.Logf("trace %s: %d spans, activities %v", created.TraceID, len(trace), activitySpans(executed))

	// The run's log lines carry its trace ID: the gateway's, the workflow's
	// and the activities' (through the SDK loggers).
	logged := traceLogs.messages(created.TraceID)
	for _, want := range []string{"gateway: research started", "retrieved"} {
		if !contains(logged, want) {
			t.Errorf("no log line %q with trace_id=%s; lines with it: %q", want, created.TraceID, logged)
		}
	}
}

// traceLogs keeps the messages of the shared stack's log records by their
// trace_id attribute (from a record or from logger.With).
var traceLogs = &logRecorder{byTrace: map[string][]string{}}

type logRecorder struct {
	mu      sync.Mutex
	byTrace map[string][]string
}

func (r *logRecorder) wrap(h slog.Handler) slog.Handler { return recordingHandler{Handler: h, rec: r} }

func (r *logRecorder) messages(traceID string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.byTrace[traceID]...)
}

type recordingHandler struct {
	slog.Handler
	rec   *logRecorder
	trace string // from WithAttrs
}

func (h recordingHandler) Handle(ctx context.Context, rec slog.Record) error {
	trace := h.trace
	rec.Attrs(func(a slog.Attr) bool {
		if a.Key == telemetry.TraceIDKey {
			trace = a.Value.String()
		}
		return true
	})
	if trace != "" {
		h.rec.mu.Lock()
		h.rec.byTrace[trace] = append(h.rec.byTrace[trace], rec.Message)
		h.rec.mu.Unlock()
	}
	return h.Handler.Handle(ctx, rec)
}

func (h recordingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	out := recordingHandler{Handler: h.Handler.WithAttrs(as), rec: h.rec, trace: h.trace}
	for _, a := range as {
		if a.Key == telemetry.TraceIDKey {
			out.trace = a.Value.String()
		}
	}
	return out
}

func (h recordingHandler) WithGroup(name string) slog.Handler {
	return recordingHandler{Handler: h.Handler.WithGroup(name), rec: h.rec, trace: h.trace}
}

func activitySpans(executed map[string]bool) []string {
	var out []string
	for a := range executed {
		out = append(out, "RunActivity:"+a)
	}
	sort.Strings(out)
	return out
}

func missingNames(trace []tracetest.SpanStub, want []string) []string {
	have := map[string]bool{}
	for _, s := range trace {
		have[s.Name] = true
	}
	var missing []string
	for _, w := range want {
		if !have[w] {
			missing = append(missing, w)
		}
	}
	return missing
}

func names(trace []tracetest.SpanStub) []string {
	var out []string
	for _, s := range trace {
		out = append(out, s.Name)
	}
	sort.Strings(out)
	return out
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
