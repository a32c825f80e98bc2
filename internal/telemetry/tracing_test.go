package telemetry

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// An OTLP/HTTP receiver named by OTEL_EXPORTER_OTLP_ENDPOINT gets the spans
// as protobuf on /v1/traces, with the service name from OTEL_SERVICE_NAME.
func TestStartTracingExportsToOTLPHTTPReceiver(t *testing.T) {
	var (
		mu    sync.Mutex
		got   []*coltrace.ExportTraceServiceRequest
		paths []string
	)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		paths = append(paths, r.Method+" "+r.URL.Path+" "+r.Header.Get("Content-Type"))
		var req coltrace.ExportTraceServiceRequest
		if err := proto.Unmarshal(body, &req); err != nil {
			t.Errorf("receiver: body is not an OTLP ExportTraceServiceRequest: %v", err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		got = append(got, &req)
		w.Header().Set("Content-Type", "application/x-protobuf")
		out, _ := proto.Marshal(&coltrace.ExportTraceServiceResponse{})
		_, _ = w.Write(out)
	}))
	defer recv.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", recv.URL)
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
	t.Setenv("OTEL_SERVICE_NAME", "researchflow-test")
	t.Setenv("OTEL_TRACES_SAMPLER", "always_on")

	ctx := context.Background()
	shutdown, err := StartTracing(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	_, span := otel.Tracer("test").Start(ctx, "research question")
	want := span.SpanContext().TraceID().String()
	span.End()
	if err := shutdown(ctx); err != nil { // flushes the batch
		t.Fatal(err)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(paths) == 0 {
		t.Fatal("the receiver got no request")
	}
	for _, p := range paths {
		if p != "POST /v1/traces application/x-protobuf" {
			t.Errorf("request %q, want POST /v1/traces application/x-protobuf", p)
		}
	}
	found := false
	for _, req := range got {
		for _, rs := range req.GetResourceSpans() {
			service := ""
			for _, a := range rs.GetResource().GetAttributes() {
				if a.GetKey() == "service.name" {
					service = a.GetValue().GetStringValue()
				}
			}
			for _, ss := range rs.GetScopeSpans() {
				for _, s := range ss.GetSpans() {
					if s.GetName() == "research question" {
						found = true
						if tid := hexID(s.GetTraceId()); tid != want {
							t.Errorf("trace ID %s, want %s", tid, want)
						}
						if service != "researchflow-test" {
							t.Errorf("service.name %q, want researchflow-test (OTEL_SERVICE_NAME)", service)
						}
					}
				}
			}
		}
	}
	if !found {
		t.Errorf("span not received; got %d requests", len(got))
	}
}

// A bad protocol is reported by the SDK's exporter factory with our context.
func TestStartTracingRejectsUnknownExporter(t *testing.T) {
	t.Setenv("OTEL_TRACES_EXPORTER", "carrier-pigeon")
	if _, err := StartTracing(context.Background(), ""); err == nil || !strings.Contains(err.Error(), "OTEL_TRACES_EXPORTER") {
		t.Fatalf("err = %v, want one naming OTEL_TRACES_EXPORTER", err)
	}
}

func TestLogHandlerAddsTraceID(t *testing.T) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(tracetest.NewInMemoryExporter()))
	ctx, span := tp.Tracer("test").Start(context.Background(), "op")
	defer span.End()
	var buf bytes.Buffer
	log := slog.New(LogHandler(slog.NewTextHandler(&buf, nil))).With("component", "x")
	log.InfoContext(ctx, "traced")
	log.Info("untraced")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %q", buf.String())
	}
	if want := "trace_id=" + span.SpanContext().TraceID().String(); !strings.Contains(lines[0], want) || !strings.Contains(lines[0], "span_id=") {
		t.Errorf("traced line %q lacks %s", lines[0], want)
	}
	if strings.Contains(lines[1], "trace_id") {
		t.Errorf("untraced line %q has a trace_id", lines[1])
	}
	if TraceID(ctx) != span.SpanContext().TraceID().String() || TraceID(context.Background()) != "" {
		t.Error("TraceID")
	}
}

func hexID(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}
