// Package telemetry wires Researchflow to OpenTelemetry tracing and to
// Prometheus metrics.
//
// Tracing is configured only by the standard OTEL_* variables. The
// configuration loader (internal/config, the only reader of the
// environment) decides whether tracing is on (config.Config.OTel: an OTLP
// endpoint or a traces exporter is named, and OTEL_SDK_DISABLED is not
// true) and checks OTEL_EXPORTER_OTLP_PROTOCOL; the OpenTelemetry SDK then
// reads the rest of its own variables itself (endpoint, headers,
// OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER and its
// argument), the way the Temporal SDK's envconfig reads TEMPORAL_*. See
// https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"go.opentelemetry.io/contrib/exporters/autoexport"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.temporal.io/sdk/activity"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"
	sdklog "go.temporal.io/sdk/log"
)

// DefaultServiceName names the traces of a process when OTEL_SERVICE_NAME
// is not set.
const DefaultServiceName = "researchflow"

// StartTracing builds a tracer provider whose exporter is chosen by the
// OTEL_* variables (OTEL_TRACES_EXPORTER, default otlp;
// OTEL_EXPORTER_OTLP_PROTOCOL http/protobuf or grpc;
// OTEL_EXPORTER_OTLP_ENDPOINT), installs it and the W3C trace-context and
// baggage propagators as OpenTelemetry's globals, and returns a function
// that flushes and stops it. service names the process unless
// OTEL_SERVICE_NAME does.
func StartTracing(ctx context.Context, service string) (shutdown func(context.Context) error, err error) {
	exp, err := autoexport.NewSpanExporter(ctx)
	if err != nil {
		return nil, fmt.Errorf("OpenTelemetry trace exporter (OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_*): %w", err)
	}
	if service == "" {
		service = DefaultServiceName
	}
	// Later options win: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES
	// override the default name.
	res, err := resource.New(ctx,
		resource.WithTelemetrySDK(),
		resource.WithAttributes(attribute.String("service.name", service)),
		resource.WithFromEnv(),
	)
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		_ = exp.Shutdown(ctx)
		return nil, fmt.Errorf("OpenTelemetry resource (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES): %w", err)
	}
	// The sampler comes from OTEL_TRACES_SAMPLER(_ARG) (default
	// parentbased_always_on), read by the SDK.
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	Install(tp)
	return tp.Shutdown, nil
}

// Install makes tp the global tracer provider that the gateway, the
// Temporal interceptor and the HTTP and gRPC clients use, with W3C trace
// context and baggage propagation. Tests install a provider with an
// in-memory exporter.
func Install(tp trace.TracerProvider) {
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
}

// TemporalInterceptor traces the Temporal client and every worker created
// from it: starting a workflow continues the caller's trace (the gateway's
// request span), and the workflow and each activity get child spans
// (StartWorkflow, RunWorkflow, StartActivity, RunActivity). The loggers of
// workflows and activities carry trace_id and span_id, the keys LogHandler
// uses. With tracing off the spans are no-ops and nothing is added to
// Temporal headers.
func TemporalInterceptor() (interceptor.Interceptor, error) {
	t, err := temporalotel.NewTracer(temporalotel.TracerOptions{
		Tracer: otel.GetTracerProvider().Tracer("go.temporal.io/sdk"),
	})
	if err != nil {
		return nil, fmt.Errorf("temporal tracing interceptor: %w", err)
	}
	return interceptor.NewTracingInterceptor(logKeys{t}), nil
}

// logKeys names the trace fields of Temporal loggers like LogHandler does,
// and does not count an activity's asynchronous completion as its failure
// (see pendingSpan).
type logKeys struct{ interceptor.Tracer }

// pendingSpan is a RunActivity span: an activity that returns
// activity.ErrResultPending ("not error": the pools' confirm interceptor
// handed its result to the server itself) did not fail, but the SDK's
// tracing interceptor, which wraps the workers' own, finishes its span
// with that error, and the OpenTelemetry tracer marks it an error. The
// tracer asserts its own span type on what it is given back: unwrap
// gives it that.
type pendingSpan struct{ interceptor.TracerSpan }

func (s pendingSpan) Finish(opts *interceptor.TracerFinishSpanOptions) {
	if opts != nil && errors.Is(opts.Error, activity.ErrResultPending) {
		o := *opts
		o.Error = nil
		opts = &o
	}
	s.TracerSpan.Finish(opts)
}

func unwrap[T any](v T) T {
	if s, ok := any(v).(pendingSpan); ok {
		if t, ok := s.TracerSpan.(T); ok {
			return t
		}
	}
	return v
}

func (k logKeys) StartSpan(opts *interceptor.TracerStartSpanOptions) (interceptor.TracerSpan, error) {
	if opts.Parent != nil {
		o := *opts
		o.Parent = unwrap(o.Parent)
		opts = &o
	}
	span, err := k.Tracer.StartSpan(opts)
	if err != nil || span == nil || opts.Operation != "RunActivity" {
		return span, err
	}
	return pendingSpan{span}, nil
}

func (k logKeys) ContextWithSpan(ctx context.Context, span interceptor.TracerSpan) context.Context {
	return k.Tracer.ContextWithSpan(ctx, unwrap(span))
}

func (k logKeys) MarshalSpan(span interceptor.TracerSpan) (map[string]string, error) {
	return k.Tracer.MarshalSpan(unwrap(span))
}

func (k logKeys) GetLogger(logger sdklog.Logger, ref interceptor.TracerSpanRef) sdklog.Logger {
	ref = unwrap(ref)
	// Temporal passes the span of the workflow or activity context.
	var sc trace.SpanContext
	if span, ok := ref.(interface{ SpanContext() trace.SpanContext }); ok {
		sc = span.SpanContext()
	}
	if !sc.IsValid() {
		return logger
	}
	return sdklog.With(logger, TraceIDKey, sc.TraceID().String(), SpanIDKey, sc.SpanID().String())
}

// Log keys of the trace fields.
const (
	TraceIDKey = "trace_id"
	SpanIDKey  = "span_id"
)

// TraceID is the hexadecimal trace ID of ctx's span, or "" when there is none.
func TraceID(ctx context.Context) string {
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsValid() {
		return ""
	}
	return sc.TraceID().String()
}

// LogHandler adds trace_id and span_id to every record logged with a
// context that carries a span (logger.InfoContext(ctx, …)).
func LogHandler(h slog.Handler) slog.Handler {
	if _, ok := h.(logHandler); ok {
		return h
	}
	return logHandler{h}
}

type logHandler struct{ slog.Handler }

func (h logHandler) Handle(ctx context.Context, r slog.Record) error {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r = r.Clone()
		r.AddAttrs(slog.String(TraceIDKey, sc.TraceID().String()), slog.String(SpanIDKey, sc.SpanID().String()))
	}
	return h.Handler.Handle(ctx, r)
}

func (h logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return logHandler{h.Handler.WithAttrs(as)}
}

func (h logHandler) WithGroup(name string) slog.Handler {
	return logHandler{h.Handler.WithGroup(name)}
}
