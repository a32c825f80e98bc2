package stack

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	rf "github.com/researchflow/researchflow"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	sdklog "go.temporal.io/sdk/log"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/durationpb"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/researchflow/researchflow/codec"
	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/pools"
)

// With RESEARCHFLOW_CODEC_KEYS set, what Temporal stores holds no plaintext
// question, passage or report: a client without the codec reads the raw
// history and finds only encrypted payloads; the codec's client and the
// gateway's /codec endpoint read them back.
//
// The encrypted stack runs in a namespace of its own on the shared server,
// so that the shared stack's workers (without the codec) never take its
// tasks.
func TestPayloadEncryptionEndToEnd(t *testing.T) {
	endToEnd(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cfg, plain := ownNamespace(ctx, t, "encrypted")
	ns := cfg.Namespace
	key := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	keys, err := codec.ParseKeys("retired:"+base64.StdEncoding.EncodeToString(make([]byte, 32))+",current:"+key, "current")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Codec = config.Codec(keys)
	// A gateway reachable from other hosts does not decrypt for anyone.
	open := cfg
	open.Gateway.Addr = "0.0.0.0:0"
	if s, err := Start(ctx, open, Options{Gateway: true, Logger: testLogger()}); err == nil || !strings.Contains(err.Error(), "RESEARCHFLOW_CODEC_AUTH_TOKEN") {
		if s != nil {
			s.Close()
		}
		t.Fatalf("gateway on 0.0.0.0 with codec keys and no token: %v, want an error naming RESEARCHFLOW_CODEC_AUTH_TOKEN", err)
	}
	cfg.Codec.AuthToken = "codec-test-token-0123"
	all, _ := pools.Parse(pools.All)
	enc, err := Start(ctx, cfg, Options{Pools: all, Gateway: true, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()

	question := "How do beekeepers find queen cells, and what do worker bees store?"
	id := unique("sealed-run")
	waitFor(ctx, t, "search attributes of "+ns, func() error {
		_, err := enc.Runs.Start(ctx, id, rf.ResearchInput{Question: question, CorpusPath: writeCorpus(t)})
		return err
	})
	var res rf.ResearchResult
	if err := enc.Client.GetWorkflow(ctx, id, "").Get(ctx, &res); err != nil {
		t.Fatalf("encrypted research: %v", err)
	}
	if !strings.Contains(res.Report, "queen cells") {
		t.Fatalf("the codec's client did not decode the report:\n%s", res.Report)
	}
	if info, err := enc.Runs.Describe(ctx, id); err != nil || info.Question != question {
		t.Errorf("Describe through the codec: question %q, %v", info.Question, err)
	}

	// The raw history, read without the codec.
	secrets := []string{question, "queen cells", "brood frames", "worker bees", "Fresnel"}
	var input *commonpb.Payloads
	events, payloads := 0, 0
	it := plain.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		events++
		raw, err := proto.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			if bytes.Contains(raw, []byte(s)) {
				t.Errorf("event %d (%s) holds %q in plaintext", ev.GetEventId(), ev.GetEventType(), s)
			}
		}
		payloads += countEncrypted(t, ev.ProtoReflect().Interface())
		if a := ev.GetWorkflowExecutionStartedEventAttributes(); a != nil {
			input = a.GetInput()
		}
	}
	if events < 10 || payloads < 10 {
		t.Fatalf("%d events, %d encrypted payloads: the run did not go through the codec", events, payloads)
	}
	desc, err := plain.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		t.Fatal(err)
	}
	if raw, _ := proto.Marshal(desc); bytes.Contains(raw, []byte("queen cells")) {
		t.Error("the memo or another visible field holds the question in plaintext")
	}
	var q rf.ResearchInput
	if err := converter.GetDefaultDataConverter().FromPayloads(input, &q); err == nil {
		t.Fatalf("a client without the codec decoded the input: %+v", q)
	}

	// The gateway's codec server decodes them for the Web UI and the CLI.
	body, _ := protojson.Marshal(input)
	url := "http://" + enc.Gateway.Addr + "/codec/decode"
	for _, tt := range []struct {
		auth string
		want int
	}{{"", http.StatusUnauthorized}, {"Bearer " + cfg.Codec.AuthToken, http.StatusOK}} {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Namespace", ns)
		if tt.auth != "" {
			req.Header.Set("Authorization", tt.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Fatalf("POST /codec/decode (auth %q) = %d %s, want %d", tt.auth, resp.StatusCode, out, tt.want)
		}
		if tt.want == http.StatusOK {
			var decoded commonpb.Payloads
			if err := protojson.Unmarshal(out, &decoded); err != nil {
				t.Fatal(err)
			}
			if err := converter.GetDefaultDataConverter().FromPayloads(&decoded, &q); err != nil || q.Question != question {
				t.Fatalf("codec server decoded %+v, %v", q, err)
			}
		}
	}

	// A run started without the memo (as `temporal workflow start
	// --codec-endpoint` starts one) writes its question there itself, sealed
	// like the client's: the list reads it through the codec, and no
	// visible field holds it in plaintext.
	bare := unique("sealed-cli-run")
	const bareQuestion = "What do worker bees store in the comb?"
	run, err := enc.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: bare, TaskQueue: rf.TaskQueueWorkflow},
		rf.ResearchWorkflowType, rf.ResearchInput{Question: bareQuestion, CorpusPath: writeCorpus(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Get(ctx, nil); err != nil {
		t.Fatalf("encrypted run started without a memo: %v", err)
	}
	if info, err := enc.Runs.Describe(ctx, bare); err != nil || info.Question != bareQuestion {
		t.Errorf("Describe through the codec of a run started without a memo: question %q, %v", info.Question, err)
	}
	desc, err = plain.DescribeWorkflowExecution(ctx, bare, "")
	if err != nil {
		t.Fatal(err)
	}
	if raw, _ := proto.Marshal(desc); bytes.Contains(raw, []byte("worker bees store")) {
		t.Error("the memo the run wrote holds its question in plaintext")
	}
}

// ownNamespace registers a fresh namespace on the shared server and returns
// a configuration for a second Stack in it (own data dir, gateway on a free
// loopback port) and a plain client (default data converter) of it. A
// namespace of its own keeps the shared stack's workers from taking its
// tasks.
func ownNamespace(ctx context.Context, t *testing.T, name string) (config.Config, client.Client) {
	t.Helper()
	addr := shared.Server.FrontendAddress()
	ns := unique(name)
	nc, err := client.NewNamespaceClient(client.Options{HostPort: addr, Logger: quietSDKLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if err := nc.Register(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace: ns, WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour),
	}); err != nil {
		t.Fatal(err)
	}
	plain, err := client.Dial(client.Options{HostPort: addr, Namespace: ns, Logger: quietSDKLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(plain.Close)
	// The frontend knows a new namespace once its namespace cache refreshes.
	waitFor(ctx, t, "namespace "+ns, func() error {
		_, err := plain.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: ns})
		return err
	})
	cfg := shared.Config
	cfg.TemporalAddress, cfg.Namespace = addr, ns
	cfg.TemporalClient.Namespace = ns
	cfg.DataDir = t.TempDir()
	cfg.Gateway.DataDir, cfg.Gateway.Namespace, cfg.Gateway.Addr = cfg.DataDir, ns, "127.0.0.1:0"
	return cfg, plain
}

// countEncrypted counts the payloads of m (recursively) that the codec
// sealed, and fails the test on any other payload except search
// attributes, which Temporal indexes and so never encodes (research runs
// keep there only status, stage, owner and corpus name), and the trace
// context header, which the SDK's tracing interceptor writes with the
// default converter (it must hold nothing but the W3C trace context).
func countEncrypted(t *testing.T, m proto.Message) int {
	t.Helper()
	n := 0
	var walk func(proto.Message)
	walk = func(m proto.Message) {
		if p, ok := m.(*commonpb.Payload); ok {
			if string(p.GetMetadata()[converter.MetadataEncoding]) != codec.Encoding {
				t.Errorf("a payload is not encrypted: encoding %q", p.GetMetadata()[converter.MetadataEncoding])
			}
			n++
			return
		}
		if _, ok := m.(*commonpb.SearchAttributes); ok {
			return
		}
		if h, ok := m.(*commonpb.Header); ok {
			for k, p := range h.GetFields() {
				if k == tracerHeader {
					checkTraceContext(t, p)
					continue
				}
				walk(p)
			}
			return
		}
		rangeMessages(m, walk)
	}
	walk(m)
	return n
}

// waitFor retries f until it succeeds or ctx ends; NotFound and
// InvalidArgument are what a namespace or search attribute not yet in the
// server's caches gives.
func waitFor(ctx context.Context, t *testing.T, what string, f func() error) {
	t.Helper()
	for {
		err := f()
		if err == nil {
			return
		}
		var nf *serviceerror.NamespaceNotFound
		var ia *serviceerror.InvalidArgument
		if !errors.As(err, &nf) && !errors.As(err, &ia) {
			t.Fatalf("%s: %v", what, err)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: still %v", what, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// rangeMessages calls f on every message directly inside m (fields, lists
// and map values).
func rangeMessages(m proto.Message, f func(proto.Message)) {
	m.ProtoReflect().Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			for i := 0; i < v.List().Len(); i++ {
				f(v.List().Get(i).Message().Interface())
			}
		case fd.IsMap() && fd.MapValue().Message() != nil:
			v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
				f(mv.Message().Interface())
				return true
			})
		case !fd.IsList() && !fd.IsMap() && fd.Message() != nil:
			f(v.Message().Interface())
		}
		return true
	})
}

func quietSDKLogger() sdklog.Logger { return sdklog.NewStructuredLogger(testLogger()) }

// tracerHeader is the header key of the SDK's tracing interceptor
// (interceptor.TracerOptions.HeaderKey's default).
const tracerHeader = "_tracer-data"

// checkTraceContext fails unless p holds only W3C trace context: IDs, no
// user data (no baggage is set by Researchflow).
func checkTraceContext(t *testing.T, p *commonpb.Payload) {
	t.Helper()
	var fields map[string]string
	if err := converter.GetDefaultDataConverter().FromPayload(p, &fields); err != nil {
		t.Errorf("trace header: %v", err)
		return
	}
	for k := range fields {
		if k != "traceparent" && k != "tracestate" {
			t.Errorf("trace header carries %q; only traceparent and tracestate may travel unencrypted", k)
		}
	}
}
