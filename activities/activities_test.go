package activities

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/researchflow/researchflow/internal/report"

	"github.com/researchflow/researchflow/workflows"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	rf "github.com/researchflow/researchflow"
	rfclaims "github.com/researchflow/researchflow/claims"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/researchflow/researchflow/internal/egress"
	"github.com/researchflow/researchflow/internal/events"
	"github.com/researchflow/researchflow/internal/fault"
	"github.com/researchflow/researchflow/internal/mailer"
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/reasoning/extractive"
)

func TestClassify(t *testing.T) {
	var appErr *temporal.ApplicationError
	err := classify(fault.Permanent(egress.KindUnauthorized, errors.New("401")))
	if !errors.As(err, &appErr) || !appErr.NonRetryable() || appErr.Type() != egress.KindUnauthorized {
		t.Errorf("permanent → %v, want a non-retryable llm.unauthorized", err)
	}
	err = classify(fault.Transient(egress.KindRateLimited, errors.New("429"), 3*time.Second))
	if !errors.As(err, &appErr) || appErr.NonRetryable() || appErr.NextRetryDelay() != 3*time.Second {
		t.Errorf("transient with Retry-After → %v, want retryable after 3s", err)
	}
	plain := errors.New("connection reset")
	if got := classify(plain); got != plain {
		t.Errorf("unclassified error changed: %v", got)
	}
}

// fakeStore is a hand-written memory store for the activities.
type fakeStore struct {
	hits   []memory.Hit
	chunks map[string]memory.Chunk
	query  memory.Query
	count  int
}

func (f *fakeStore) Search(_ context.Context, q memory.Query) ([]memory.Hit, error) {
	f.query = q
	return f.hits, nil
}
func (f *fakeStore) Count(context.Context, memory.Filter) (int, error) { return f.count, nil }
func (f *fakeStore) Get(_ context.Context, ids []string) ([]memory.Chunk, error) {
	var out []memory.Chunk
	for _, id := range ids {
		if c, ok := f.chunks[id]; ok {
			out = append(out, c)
		}
	}
	return out, nil
}

func chunk(id, source, text string) memory.Chunk {
	return memory.Chunk{ID: id, SourceID: source, SourceTitle: "Title " + source, SourceLocation: "/docs/" + source, Text: text, ContentHash: memory.Hash(text)}
}

func TestRetrieveDropsNearDuplicates(t *testing.T) {
	same := "A send on a channel is synchronized before the completion of the corresponding receive from that channel."
	store := &fakeStore{hits: []memory.Hit{
		{Chunk: chunk("c1", "mem", same), Score: 3},
		{Chunk: chunk("c2", "spec", same+" "), Score: 2.9}, // the same words, another window
		{Chunk: chunk("c3", "sync", "A Mutex is a mutual exclusion lock; the zero value is an unlocked mutex."), Score: 2},
	}}
	a := &Search{Store: store}
	var env testsuite.WorkflowTestSuite
	aenv := env.NewTestActivityEnvironment()
	aenv.RegisterActivity(a)
	val, err := aenv.ExecuteActivity(a.Retrieve, workflows.RetrieveInput{Corpus: "go-docs", SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: "channel send"}, TopK: 2})
	if err != nil {
		t.Fatal(err)
	}
	var res workflows.RetrieveResult
	if err := val.Get(&res); err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.ChunkIDs, ",") != "c1,c3" || res.Duplicates != 1 || strings.Join(res.SourceIDs, ",") != "mem,sync" {
		t.Errorf("retrieved %+v, want c1 and c3 with one duplicate dropped", res)
	}
	if store.query.Filter.Corpus != "go-docs" || store.query.TopK < 2 {
		t.Errorf("query %+v is not restricted to the corpus", store.query)
	}
	if _, err := aenv.ExecuteActivity(a.Retrieve, workflows.RetrieveInput{Corpus: "go-docs"}); err == nil {
		t.Errorf("an empty sub-question was retrieved")
	}
}

// lyingAnalyst cites a chunk it was not given.
type lyingAnalyst struct{}

func (lyingAnalyst) Analyze(_ context.Context, req reasoning.AnalyzeRequest) (reasoning.Analysis, error) {
	return reasoning.Analysis{Engine: "liar", Findings: []reasoning.Finding{
		{Text: "true", ChunkID: req.Passages[0].ChunkID, SourceID: "forged"},
		{Text: "invented", ChunkID: "not-given", SourceID: "elsewhere"},
	}}, nil
}

func TestAnalyzeKeepsOnlyGivenChunks(t *testing.T) {
	store := &fakeStore{chunks: map[string]memory.Chunk{"c1": chunk("c1", "mem", "A send happens before the receive.")}}
	a := &Inference{Engine: reasoning.Engine{Analyst: lyingAnalyst{}}, Chunks: store}
	var env testsuite.WorkflowTestSuite
	aenv := env.NewTestActivityEnvironment()
	aenv.RegisterActivity(a)
	val, err := aenv.ExecuteActivity(a.Analyze, workflows.AnalyzeInput{SubQuestion: reasoning.SubQuestion{Text: "q"}, ChunkIDs: []string{"c1"}})
	if err != nil {
		t.Fatal(err)
	}
	var res workflows.AnalyzeResult
	_ = val.Get(&res)
	if len(res.Analysis.Findings) != 1 || res.Analysis.Findings[0].ChunkID != "c1" || res.Analysis.Findings[0].SourceID != "mem" {
		t.Errorf("findings = %+v, want only the one bound to c1, with its real source", res.Analysis.Findings)
	}
	if len(res.Sources) != 1 || res.Sources[0].Location != "/docs/mem" || res.Sources[0].ChunkIDs[0] != "c1" {
		t.Errorf("sources = %+v", res.Sources)
	}
}

func TestSynthesizeOfflineWhenBudgetSpent(t *testing.T) {
	offline := extractive.New(extractive.Config{}).Roles()
	a := &Inference{Engine: reasoning.Engine{Writer: failingWriter{}}, Offline: offline}
	var env testsuite.WorkflowTestSuite
	aenv := env.NewTestActivityEnvironment()
	aenv.RegisterActivity(a)
	in := workflows.SynthesizeInput{
		ResearchID: "r1", Question: "How do sends synchronize?",
		Sections: []reasoning.SectionInput{{SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: "How do sends synchronize?"},
			Findings: []reasoning.CitedFinding{{Finding: reasoning.Finding{Text: "A send happens before the receive completes.", ChunkID: "c1", SourceID: "mem"}, N: 1}}}},
		Sources: []rf.Source{{N: 1, SourceID: "mem", Title: "The Go Memory Model", Location: "/doc/go_mem.html"}},
		Offline: true,
		Notes:   []string{"the run's model budget is spent"},
	}
	val, err := aenv.ExecuteActivity(a.Synthesize, in)
	if err != nil {
		t.Fatalf("offline synthesis used the model writer: %v", err)
	}
	var res workflows.SynthesizeResult
	_ = val.Get(&res)
	if !strings.Contains(res.Markdown, "[1]") || !strings.Contains(res.Markdown, "budget is spent") {
		t.Errorf("report lacks the citation or the budget note:\n%s", res.Markdown)
	}
}

type failingWriter struct{}

func (failingWriter) Write(context.Context, reasoning.WriteRequest) (reasoning.Draft, error) {
	return reasoning.Draft{}, errors.New("the model writer must not be called")
}

func TestDeliverWritesReportAndCallsWebhook(t *testing.T) {
	var got struct {
		SpecVersion string `json:"specversion"`
		ID          string `json:"id"`
		Type        string `json:"type"`
		Source      string `json:"source"`
		Data        struct {
			ResearchID string `json:"researchId"`
			Title      string `json:"title"`
			ReportPath string `json:"reportPath"`
			Report     string `json:"report"`
		} `json:"data"`
	}
	var key, ctype string
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, ctype = r.Header.Get("Idempotency-Key"), r.Header.Get("Content-Type")
		_ = json.NewDecoder(r.Body).Decode(&got)
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "42")
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	dir := t.TempDir()
	n := &Notify{ReportDir: dir, WebhookURL: srv.URL}
	var env testsuite.WorkflowTestSuite
	aenv := env.NewTestActivityEnvironment()
	aenv.RegisterActivity(n)
	val, err := aenv.ExecuteActivity(n.Deliver, workflows.DeliverInput{ResearchID: "research/1", Title: "T", Markdown: "# T\n"})
	if err != nil {
		t.Fatal(err)
	}
	var res workflows.DeliverResult
	_ = val.Get(&res)
	if b, err := os.ReadFile(res.Path); err != nil || string(b) != "# T\n" || filepath.Dir(res.Path) != dir {
		t.Errorf("report file %q: %q, %v", res.Path, b, err)
	}
	// A CloudEvent in structured mode whose data carries the report.
	wantID := "research/1:" + rf.EventReportReady
	if key != wantID || got.ID != wantID || got.SpecVersion != "1.0" || got.Type != rf.EventReportReady ||
		got.Source != "/researchflow/research/research/1" || ctype != "application/cloudevents+json" ||
		got.Data.ResearchID != "research/1" || got.Data.Report != "# T\n" || got.Data.ReportPath != res.Path ||
		res.Webhook != "delivered" {
		t.Errorf("webhook got key %q type %q body %+v", key, ctype, got)
	}
	status = http.StatusBadRequest
	_, err = aenv.ExecuteActivity(n.Deliver, workflows.DeliverInput{ResearchID: "r2", Markdown: "x"})
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || !appErr.NonRetryable() {
		t.Errorf("a webhook that refuses the report: %v, want non-retryable", err)
	}
	status = http.StatusServiceUnavailable
	_, err = aenv.ExecuteActivity(n.Deliver, workflows.DeliverInput{ResearchID: "r3", Markdown: "x"})
	if err == nil || (errors.As(err, &appErr) && appErr.NonRetryable()) {
		t.Errorf("a webhook that is down: %v, want retryable", err)
	}
	// The egress kit's status table: 408 is worth another try, a 429's
	// Retry-After becomes the next retry delay, 401/404 refuse for good.
	for _, tt := range []struct {
		status    int
		retryable bool
		delay     time.Duration
	}{
		{http.StatusRequestTimeout, true, 0},
		{http.StatusTooManyRequests, true, 42 * time.Second},
		{http.StatusUnauthorized, false, 0},
		{http.StatusNotFound, false, 0},
	} {
		status = tt.status
		_, err = aenv.ExecuteActivity(n.Deliver, workflows.DeliverInput{ResearchID: "r4", Markdown: "x"})
		if !errors.As(err, &appErr) || appErr.NonRetryable() == tt.retryable || appErr.NextRetryDelay() != tt.delay {
			t.Errorf("a webhook answering %d: %v, want retryable %v after %v", tt.status, err, tt.retryable, tt.delay)
		}
	}
}

// Deliveries are signed per the Standard Webhooks specification: a receiver
// holding the secret verifies every one, and a retried delivery carries the
// same webhook-id, so the receiver accepts each event once.
func TestDeliverSignsWebhooks(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	verifier, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	accepted := map[string]int{} // webhook-id -> verified deliveries
	fail := true
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := verifier.Verify(body, r.Header); err != nil {
			t.Errorf("delivery does not verify: %v", err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if fail { // the first attempt is lost on the way back
			fail = false
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		accepted[r.Header.Get("webhook-id")]++
	}))
	defer srv.Close()
	signer, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	n := &Notify{WebhookURL: srv.URL, Signer: signer}
	var env testsuite.WorkflowTestSuite
	aenv := env.NewTestActivityEnvironment()
	aenv.RegisterActivity(n)
	in := workflows.DeliverInput{ResearchID: "research-42", Title: "T", Markdown: "# T\n"}
	if _, err := aenv.ExecuteActivity(n.Deliver, in); err == nil {
		t.Fatal("the first attempt should fail (502)")
	}
	if _, err := aenv.ExecuteActivity(n.Deliver, in); err != nil {
		t.Fatal(err)
	}
	if got := accepted[WebhookDeliveryID("research-42")]; got != 1 || len(accepted) != 1 {
		t.Errorf("accepted deliveries by id = %v, want one for %s", accepted, WebhookDeliveryID("research-42"))
	}

	// A receiver with another secret refuses the delivery.
	other, _ := standardwebhooks.NewWebhook("whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 32)))
	req := httptest.NewRequest("POST", "/", nil)
	body := []byte(`{"researchId":"x"}`)
	sig, _ := signer.Sign("id-1", time.Now(), body)
	req.Header.Set("webhook-id", "id-1")
	req.Header.Set("webhook-timestamp", strconv.FormatInt(time.Now().Unix(), 10))
	req.Header.Set("webhook-signature", sig)
	if other.Verify(body, req.Header) == nil {
		t.Error("a signature verified with the wrong secret")
	}
}

// The notify pool checks the recipients again: a run started from the
// Temporal CLI never passed the gateway.
func TestDeliverRefusesRecipientsOutsideTheAllowList(t *testing.T) {
	n := &Notify{EmailDomains: []string{"example.org"}}
	var env testsuite.WorkflowTestSuite
	aenv := env.NewTestActivityEnvironment()
	aenv.RegisterActivity(n)
	_, err := aenv.ExecuteActivity(n.Deliver, workflows.DeliverInput{ResearchID: "r1", Markdown: "# R\n", Email: []string{"eve@evil.example"}})
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || !appErr.NonRetryable() || !strings.Contains(appErr.Message(), "eve@evil.example") {
		t.Errorf("err = %v, want a non-retryable error naming the address", err)
	}
}

// Issue 19 item 3: a webhook that answers 301 (or 302, 303) to the POST has
// not received the event; the Go client would follow with a bodyless GET
// whose 200 counted as delivered. The delivery fails for good, naming the
// Location, and the redirect target never sees a request.
func TestWebhookRedirectIsNotADelivery(t *testing.T) {
	for _, code := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			var gets, posts int
			var mu sync.Mutex
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				if r.URL.Path == "/hooks/new" {
					if r.Method == http.MethodGet {
						gets++
					} else {
						posts++
					}
					return // 200
				}
				http.Redirect(w, r, "/hooks/new", code)
			}))
			defer srv.Close()
			n := &Notify{WebhookURL: srv.URL + "/hooks/old"}
			var env testsuite.WorkflowTestSuite
			aenv := env.NewTestActivityEnvironment()
			aenv.RegisterActivity(n)
			val, err := aenv.ExecuteActivity(n.Deliver, workflows.DeliverInput{ResearchID: "r1", Title: "T", Markdown: "# T\n"})
			var appErr *temporal.ApplicationError
			if !errors.As(err, &appErr) || !appErr.NonRetryable() || !strings.Contains(appErr.Message(), srv.URL+"/hooks/new") {
				var res workflows.DeliverResult
				if val != nil {
					_ = val.Get(&res)
				}
				t.Fatalf("Deliver = %+v, %v: want a non-retryable failure naming the Location", res, err)
			}
			if gets+posts != 0 {
				t.Errorf("redirect target got %d GETs and %d POSTs, want none", gets, posts)
			}
			// The run's other events are held to the same rule.
			_, err = aenv.ExecuteActivity(n.Publish, workflows.PublishInput{Event: rf.Event{ID: "r1:x", Type: rf.EventPlanReady, Data: rf.EventData{ResearchID: "r1"}}})
			if !errors.As(err, &appErr) || !appErr.NonRetryable() {
				t.Errorf("Publish: %v, want a non-retryable failure", err)
			}
		})
	}
}

// A 307 or 308 keeps the method and body: the event is re-sent in full,
// signature included, and verifies at its new address. A redirect loop
// fails for good.
func TestWebhookFollows307And308WithBodyAndSignature(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	verifier, _ := standardwebhooks.NewWebhook(secret)
	signer, _ := standardwebhooks.NewWebhook(secret)
	for _, code := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		var got []byte
		var verr error
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/new":
				got, _ = io.ReadAll(r.Body)
				verr = verifier.Verify(got, r.Header)
			case "/loop":
				http.Redirect(w, r, "/loop", code)
			default:
				http.Redirect(w, r, "/new", code)
			}
		}))
		n := &Notify{WebhookURL: srv.URL + "/old", Signer: signer}
		var env testsuite.WorkflowTestSuite
		aenv := env.NewTestActivityEnvironment()
		aenv.RegisterActivity(n)
		if _, err := aenv.ExecuteActivity(n.Deliver, workflows.DeliverInput{ResearchID: "r1", Title: "T", Markdown: "# T\n"}); err != nil {
			t.Errorf("%d: %v", code, err)
		}
		if !strings.Contains(string(got), `"report":"# T\n"`) || verr != nil {
			t.Errorf("%d: the new address got %q (signature: %v), want the signed event with the report", code, got, verr)
		}
		n.WebhookURL = srv.URL + "/loop"
		_, err := aenv.ExecuteActivity(n.Deliver, workflows.DeliverInput{ResearchID: "r2", Markdown: "x"})
		var appErr *temporal.ApplicationError
		if !errors.As(err, &appErr) || !appErr.NonRetryable() || !strings.Contains(appErr.Message(), "redirects") {
			t.Errorf("%d loop: %v, want a non-retryable failure", code, err)
		}
		srv.Close()
	}
}

// A report folder the worker cannot write into fails for good.
func TestDeliverToAFileInsteadOfAFolderIsNotRetried(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	n := &Notify{ReportDir: filepath.Join(file, "reports")}
	var env testsuite.WorkflowTestSuite
	aenv := env.NewTestActivityEnvironment()
	aenv.RegisterActivity(n)
	_, err := aenv.ExecuteActivity(n.Deliver, workflows.DeliverInput{ResearchID: "r1", Markdown: "# R\n"})
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || !appErr.NonRetryable() {
		t.Errorf("err = %v, want non-retryable", err)
	}
}

type fakeBus struct{ subjects []string }

func (b *fakeBus) Publish(_ context.Context, subject, _ string, _ map[string]string, _ []byte) (events.Published, error) {
	b.subjects = append(b.subjects, subject)
	return events.Published{Stream: events.Stream, Sequence: uint64(len(b.subjects))}, nil
}

type fakeMailer struct{ sent []mailer.Mail }

func (m *fakeMailer) Send(_ context.Context, msg mailer.Mail) error {
	m.sent = append(m.sent, msg)
	return nil
}

// DeliverToSink delivers to the one sink it is asked for: the webhook gets
// the event (the report's with the report), NATS the event and the report,
// e-mail only the report; an unconfigured sink says so at once.
func TestDeliverToSinkServesOneSink(t *testing.T) {
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
	}))
	defer srv.Close()
	bus, mails := &fakeBus{}, &fakeMailer{}
	n := &Notify{WebhookURL: srv.URL, Bus: bus, Mailer: mails, EmailDomains: []string{"example.org"}}
	var env testsuite.WorkflowTestSuite
	aenv := env.NewTestActivityEnvironment()
	aenv.RegisterActivity(n)
	plan := rf.Event{ID: "r1:" + rf.EventPlanReady, Type: rf.EventPlanReady, Data: rf.EventData{ResearchID: "r1"}}
	ready := rf.Event{ID: "r1:" + rf.EventReportReady, Type: rf.EventReportReady, Data: rf.EventData{ResearchID: "r1", Title: "T"}}
	deliver := func(in workflows.SinkDeliveryInput) workflows.SinkDeliveryResult {
		t.Helper()
		val, err := aenv.ExecuteActivity(n.DeliverToSink, in)
		if err != nil {
			t.Fatalf("%s: %v", in.Sink, err)
		}
		var res workflows.SinkDeliveryResult
		_ = val.Get(&res)
		return res
	}
	email := []string{"ana@example.org"}
	for _, ev := range []rf.Event{plan, ready} {
		for _, sink := range workflows.Sinks {
			deliver(workflows.SinkDeliveryInput{Sink: sink, Event: ev, Report: "# T\n", ReportPath: "/r/r1.md", Email: email})
		}
	}
	if len(bodies) != 2 || strings.Contains(bodies[0], `"report"`) || !strings.Contains(bodies[1], `"report":"# T\n"`) {
		t.Errorf("webhook bodies = %q", bodies)
	}
	if want := []string{"researchflow.events." + rf.EventPlanReady, events.ReportSubject, "researchflow.events." + rf.EventReportReady}; !slices.Equal(bus.subjects, want) {
		t.Errorf("nats subjects = %q, want %q", bus.subjects, want)
	}
	if len(mails.sent) != 1 || mails.sent[0].Text != "# T\n" || mails.sent[0].MessageID != ready.ID {
		t.Errorf("mails = %+v, want the report once", mails.sent)
	}
	bare := &Notify{EmailDomains: []string{"example.org"}}
	aenv.RegisterActivity(bare)
	for _, sink := range []string{workflows.SinkWebhook, workflows.SinkNATS, workflows.SinkEmail} {
		val, err := aenv.ExecuteActivity(bare.DeliverToSink, workflows.SinkDeliveryInput{Sink: sink, Event: ready, Report: "# T\n", Email: email})
		var res workflows.SinkDeliveryResult
		if err != nil || val.Get(&res) != nil || res.Outcome != workflows.DeliveryNotConfigured {
			t.Errorf("%s unconfigured: %+v, %v", sink, res, err)
		}
	}
	_, err := aenv.ExecuteActivity(n.DeliverToSink, workflows.SinkDeliveryInput{Sink: "pigeon", Event: plan})
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || !appErr.NonRetryable() {
		t.Errorf("unknown sink: %v, want non-retryable", err)
	}
}

func TestStoreReport(t *testing.T) {
	dir := t.TempDir()
	n := &Notify{ReportDir: dir}
	var env testsuite.WorkflowTestSuite
	aenv := env.NewTestActivityEnvironment()
	aenv.RegisterActivity(n)
	val, err := aenv.ExecuteActivity(n.StoreReport, workflows.StoreReportInput{ResearchID: "research/1", Markdown: "# T\n"})
	if err != nil {
		t.Fatal(err)
	}
	var res workflows.StoreReportResult
	_ = val.Get(&res)
	if b, err := os.ReadFile(res.Path); err != nil || string(b) != "# T\n" || filepath.Dir(res.Path) != dir {
		t.Errorf("stored %q: %q, %v", res.Path, b, err)
	}
}

// Only a 2xx is a delivery: a receiver (or something in front of it) that
// answers 101 Switching Protocols to the POST has not taken the event.
func TestWebhookOnlyA2xxIsADelivery(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 4096)
				_, _ = c.Read(buf)
				_, _ = c.Write([]byte("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"))
			}()
		}
	}()
	n := &Notify{WebhookURL: "http://" + l.Addr().String() + "/hook"}
	var env testsuite.WorkflowTestSuite
	aenv := env.NewTestActivityEnvironment()
	aenv.RegisterActivity(n)
	ev := rf.Event{ID: "r1:" + rf.EventPlanReady, Type: rf.EventPlanReady, Data: rf.EventData{ResearchID: "r1"}}
	if _, err := aenv.ExecuteActivity(n.DeliverToSink, workflows.SinkDeliveryInput{Sink: workflows.SinkWebhook, Event: ev}); err == nil {
		t.Error("a 101 answer counted as delivered")
	}
}

// A low-confidence synthesis states no findings: every sub-question is a
// gap, the report carries the warning, the result says "low".
func TestSynthesizeLowConfidenceStatesNoFindings(t *testing.T) {
	a := &Inference{Engine: extractive.New(extractive.Config{}).Roles()}
	var env testsuite.WorkflowTestSuite
	aenv := env.NewTestActivityEnvironment()
	aenv.RegisterActivity(a)
	in := workflows.SynthesizeInput{
		ResearchID: "r1", Question: "Who maintains the Korn shell today and which company funds it?",
		Sections: []reasoning.SectionInput{{SubQuestion: reasoning.SubQuestion{ID: "sq3", Text: "Which company funds the Korn shell?"},
			Findings: []reasoning.CitedFinding{{Finding: reasoning.Finding{Text: "MACHTYPE is set in the standard GNU cpu-company-system format.", ChunkID: "c1", SourceID: "bash", Score: 0.15}, N: 1}}}},
		Sources: []rf.Source{{N: 1, SourceID: "bash", Title: "Bash Reference Manual", Location: "/doc/bashref.html"}},
		Gaps:    []rf.Gap{{SubQuestion: "Who maintains the Korn shell today?", Reason: "the retrieved passages did not answer it"}},
	}
	val, err := aenv.ExecuteActivity(a.Synthesize, in)
	if err != nil {
		t.Fatal(err)
	}
	var res workflows.SynthesizeResult
	_ = val.Get(&res)
	if res.Confidence != report.ConfidenceLow || strings.Contains(res.Markdown, "[1]") || strings.Contains(res.Markdown, "MACHTYPE") ||
		!strings.Contains(res.Markdown, "do not clearly answer this question") || len(res.Gaps) != 2 {
		t.Errorf("confidence %q, gaps %v, report:\n%s", res.Confidence, res.Gaps, res.Markdown)
	}
}

// Publish mails a follow-up's answer and a report's revision to the run's
// recipients (subject: what happened to which question), and no other event.
func TestPublishMailsFollowUpsAndRevisions(t *testing.T) {
	mails := &fakeMailer{}
	n := &Notify{Mailer: mails, EmailDomains: []string{"example.org"}}
	var env testsuite.WorkflowTestSuite
	aenv := env.NewTestActivityEnvironment()
	aenv.RegisterActivity(n)
	email := []string{"ana@example.org"}
	for _, ev := range []rf.Event{
		{ID: "r1:" + rf.EventPlanReady, Type: rf.EventPlanReady, Data: rf.EventData{ResearchID: "r1"}},
		{ID: workflows.FollowUpEventID("f1"), Type: rf.EventFollowUpAnswered,
			Data: rf.EventData{ResearchID: "r1", FollowUpID: "f1", Question: "Why twelve hours?", Findings: 2}},
		{ID: rfclaims.RevisedEventID("r1-claims-r2"), Type: rfclaims.EventRevised,
			Data: rf.EventData{ResearchID: "r1", Question: "How is a starter kept active?", Revision: 2, Outcome: "corrected"}},
	} {
		if _, err := aenv.ExecuteActivity(n.Publish, workflows.PublishInput{Event: ev, Email: email}); err != nil {
			t.Fatalf("%s: %v", ev.Type, err)
		}
	}
	if len(mails.sent) != 2 {
		t.Fatalf("mails = %+v, want the follow-up's and the revision's", mails.sent)
	}
	if m := mails.sent[0]; m.Subject != "Follow-up answered: Why twelve hours?" || m.MessageID != workflows.FollowUpEventID("f1") || !slices.Equal(m.To, email) {
		t.Errorf("follow-up mail = %+v", m)
	}
	if m := mails.sent[1]; m.Subject != "Report revised (revision 2): How is a starter kept active?" || !strings.Contains(m.Text, "corrected") {
		t.Errorf("revision mail = %+v", m)
	}
	if _, err := aenv.ExecuteActivity(n.Publish, workflows.PublishInput{Event: rf.Event{ID: "x", Type: rf.EventFollowUpAnswered,
		Data: rf.EventData{ResearchID: "r1"}}, Email: []string{"eve@elsewhere.net"}}); err == nil {
		t.Error("a recipient outside the allowed domains: no error")
	}
}

// A sink's acknowledgement is recorded in the attempt's heartbeat as soon
// as it comes, and an attempt that finds it (the worker died before the
// completion reached the server) does not deliver again: the webhook and
// the mail are sent once.
func TestDeliverToSinkDoesNotRepeatAnAcknowledgedDelivery(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls++ }))
	defer srv.Close()
	mails := &fakeMailer{}
	n := &Notify{WebhookURL: srv.URL, Mailer: mails, EmailDomains: []string{"example.org"}}
	ready := rf.Event{ID: "r1:" + rf.EventReportReady, Type: rf.EventReportReady, Data: rf.EventData{ResearchID: "r1", Title: "T"}}
	for _, sink := range []string{workflows.SinkWebhook, workflows.SinkEmail} {
		var env testsuite.WorkflowTestSuite
		aenv := env.NewTestActivityEnvironment()
		aenv.RegisterActivity(n)
		var recorded []string
		aenv.SetOnActivityHeartbeatListener(func(_ *activity.Info, d converter.EncodedValues) {
			var s string
			if d.Get(&s) == nil {
				recorded = append(recorded, s)
			}
		})
		in := workflows.SinkDeliveryInput{Sink: sink, Event: ready, Report: "# T\n", Email: []string{"ana@example.org"}}
		if _, err := aenv.ExecuteActivity(n.DeliverToSink, in); err != nil {
			t.Fatalf("%s, first attempt: %v", sink, err)
		}
		if len(recorded) != 1 {
			t.Fatalf("%s: heartbeats recorded %q, want the acknowledgement", sink, recorded)
		}
		// The next attempt, as the server hands it over after the worker
		// died: with the last heartbeat's details.
		retry := env.NewTestActivityEnvironment()
		retry.RegisterActivity(n)
		retry.SetHeartbeatDetails(recorded[0])
		val, err := retry.ExecuteActivity(n.DeliverToSink, in)
		var res workflows.SinkDeliveryResult
		if err != nil || val.Get(&res) != nil || res.Outcome != workflows.DeliveryDelivered || res.Detail != acknowledgedBefore {
			t.Errorf("%s, retry after the acknowledgement: %+v, %v", sink, res, err)
		}
		// Details of another delivery do not count.
		other := env.NewTestActivityEnvironment()
		other.RegisterActivity(n)
		other.SetHeartbeatDetails(sink + " r2:" + rf.EventReportReady)
		if _, err := other.ExecuteActivity(n.DeliverToSink, in); err != nil {
			t.Fatalf("%s, other details: %v", sink, err)
		}
	}
	if calls != 2 || len(mails.sent) != 2 {
		t.Errorf("webhook calls %d, mails %d; want 2 each (the first attempt and the one with another delivery's details)", calls, len(mails.sent))
	}
}

// DeliverySinks names exactly the sinks the pool was configured with, in
// the delivery state's order.
func TestDeliverySinksNamesTheConfiguredOnes(t *testing.T) {
	for _, tc := range []struct {
		n    *Notify
		want []string
	}{
		{&Notify{}, []string{}},
		{&Notify{WebhookURL: "http://127.0.0.1:1/hook"}, []string{workflows.SinkWebhook}},
		{&Notify{Bus: &fakeBus{}}, []string{workflows.SinkNATS}},
		{&Notify{Mailer: &fakeMailer{}}, []string{workflows.SinkEmail}},
		{&Notify{WebhookURL: "http://127.0.0.1:1/hook", Bus: &fakeBus{}, Mailer: &fakeMailer{}}, workflows.Sinks},
	} {
		res, err := tc.n.DeliverySinks(context.Background(), workflows.DeliverySinksInput{ResearchID: "r1"})
		if err != nil || !slices.Equal(res.Configured, tc.want) {
			t.Errorf("%+v: %q, %v; want %q", tc.n, res.Configured, err, tc.want)
		}
	}
}

// summaryWriter writes every finding of every section as one cited
// sentence of the summary, as a writer may gather what was found for the
// whole question.
type summaryWriter struct{}

func (summaryWriter) Write(_ context.Context, req reasoning.WriteRequest) (reasoning.Draft, error) {
	var d reasoning.Draft
	for _, sec := range req.Sections {
		for _, f := range sec.Findings {
			d.Summary = append(d.Summary, reasoning.Sentence{Text: f.Text, Cites: []int{f.N}})
		}
	}
	return d, nil
}

// A sub-question the report's own summary answers is not listed as one
// nothing answered: a trial's report on "How much is the on-call stipend,
// and who do we escalate to?" said "Escalation goes to the platform lead
// after 30 minutes" and listed "Who do we escalate to?" under Gaps as one
// "the retrieved passages did not answer". A gap no sentence covers stays.
func TestSynthesizeListsNoGapTheReportAnswers(t *testing.T) {
	a := &Inference{Engine: reasoning.Engine{Writer: summaryWriter{}}}
	finding := func(text, source string, n int) reasoning.CitedFinding {
		return reasoning.CitedFinding{Finding: reasoning.Finding{Text: text, ChunkID: "c-" + source, SourceID: source, Score: 0.9, Support: 1}, N: n}
	}
	in := workflows.SynthesizeInput{
		ResearchID: "r1", Question: "How much is the on-call stipend, and who do we escalate to?",
		Sections: []reasoning.SectionInput{
			{SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: "How much is the on-call stipend?"}, Findings: []reasoning.CitedFinding{
				finding("The on-call stipend is 400 EUR a week.", "pay", 1),
				finding("Escalation goes to the platform lead after 30 minutes without an acknowledgement.", "oncall", 2),
			}},
			{SubQuestion: reasoning.SubQuestion{ID: "sq3", Text: "When is the stipend paid?"}, Findings: []reasoning.CitedFinding{
				finding("The stipend is paid with the monthly salary.", "pay", 1),
			}},
		},
		Sources: []rf.Source{{N: 1, SourceID: "pay", Title: "Pay", Location: "/docs/pay"}, {N: 2, SourceID: "oncall", Title: "On-call", Location: "/docs/oncall"}},
		Gaps: []rf.Gap{
			{SubQuestion: "Who do we escalate to?", Reason: "the retrieved passages did not answer it"},
			{SubQuestion: "Who approves a stipend exception?", Reason: "the retrieved passages did not answer it"},
		},
	}
	res := synthesize(t, a, in)
	if !strings.Contains(res.Markdown, "Escalation goes to the platform lead") || strings.Contains(res.Markdown, "Who do we escalate to?") {
		t.Errorf("the report states the escalation and lists it as a gap:\n%s", res.Markdown)
	}
	if !res.GapsSet || len(res.Gaps) != 1 || res.Gaps[0].SubQuestion != "Who approves a stipend exception?" ||
		!strings.Contains(res.Markdown, "**Who approves a stipend exception?**") {
		t.Errorf("gaps %+v (set %v), want the stipend exception alone; report:\n%s", res.Gaps, res.GapsSet, res.Markdown)
	}
}

// The question as asked is no gap when a part of it is answered: a trial's
// report stated the restore command and listed the whole question as one
// the passages did not answer, beside its Wi-Fi part.
func TestSynthesizeListsNoAskedGapWhenAPartIsAnswered(t *testing.T) {
	a := &Inference{Engine: reasoning.Engine{Writer: summaryWriter{}}}
	q := "Which command restores a backup and what is the office Wi-Fi password?"
	in := workflows.SynthesizeInput{
		ResearchID: "r1", Question: q,
		Sections: []reasoning.SectionInput{
			{SubQuestion: reasoning.SubQuestion{ID: "sq2", Text: "Which command restores a backup?"}, Findings: []reasoning.CitedFinding{
				{Finding: reasoning.Finding{Text: "To restore a backup, run `kestrelctl restore --latest`.", ChunkID: "c-b", SourceID: "b", Score: 0.9, Support: 1}, N: 1},
			}},
		},
		Sources: []rf.Source{{N: 1, SourceID: "b", Title: "Backups", Location: "/notes/backups.md"}},
		Gaps: []rf.Gap{
			{SubQuestion: q, Reason: "the retrieved passages did not answer it"},
			{SubQuestion: "What is the office Wi-Fi password?", Reason: "the retrieved passages did not answer it"},
		},
	}
	res := synthesize(t, a, in)
	if len(res.Gaps) != 1 || res.Gaps[0].SubQuestion != "What is the office Wi-Fi password?" || strings.Contains(res.Markdown, "**"+q+"**") {
		t.Errorf("gaps %+v, want the Wi-Fi part alone; report:\n%s", res.Gaps, res.Markdown)
	}
}

// synthesize runs Synthesize of a on in in a test activity environment.
func synthesize(t *testing.T, a *Inference, in workflows.SynthesizeInput) workflows.SynthesizeResult {
	t.Helper()
	var env testsuite.WorkflowTestSuite
	aenv := env.NewTestActivityEnvironment()
	aenv.RegisterActivity(a)
	val, err := aenv.ExecuteActivity(a.Synthesize, in)
	if err != nil {
		t.Fatal(err)
	}
	var res workflows.SynthesizeResult
	if err := val.Get(&res); err != nil {
		t.Fatal(err)
	}
	return res
}

// One part of a question answered and the other not is half answered,
// not a third: the question as asked is no unanswered part beside its
// parts. A trial's "How much is on-call paid, and is there a parking
// allowance?" was low and stated nothing, though its pay part had its
// finding. A sub-question that only supports the question is no part:
// its answer alone leaves the question as asked unanswered.
func TestSynthesizeRatesAHalfAnsweredQuestionByItsParts(t *testing.T) {
	a := &Inference{Engine: reasoning.Engine{Writer: summaryWriter{}}}
	q := "How much is on-call paid, and is there a parking allowance?"
	pay := reasoning.CitedFinding{Finding: reasoning.Finding{Text: "Each on-call week is compensated with 250 EUR.", ChunkID: "c-o", SourceID: "o", Score: 0.23, Support: 0.5}, N: 1}
	in := func(reason string) workflows.SynthesizeInput {
		return workflows.SynthesizeInput{
			ResearchID: "r1", Question: q,
			Sections: []reasoning.SectionInput{
				{SubQuestion: reasoning.SubQuestion{ID: "sq2", Text: "How much is on-call paid?", Reason: reason}, Findings: []reasoning.CitedFinding{pay}},
			},
			Sources: []rf.Source{{N: 1, SourceID: "o", Title: "On-call", Location: "/notes/oncall.md"}},
			Gaps: []rf.Gap{
				{SubQuestion: q, Reason: "the retrieved passages did not answer it"},
				{SubQuestion: "Is there a parking allowance?", Reason: "the retrieved passages did not answer it"},
			},
		}
	}
	res := synthesize(t, a, in("clause 1 of the question"))
	if res.Confidence != report.ConfidenceMedium || !strings.Contains(res.Markdown, "250 EUR") {
		t.Errorf("confidence %q, want medium with the pay stated; report:\n%s", res.Confidence, res.Markdown)
	}
	if res := synthesize(t, a, in("a named focus of the question")); res.Confidence != report.ConfidenceLow {
		t.Errorf("a supporting sub-question answered: confidence %q, want low", res.Confidence)
	}
}
