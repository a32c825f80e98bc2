package chaos

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/reasoning/llm"
	"github.com/researchflow/researchflow/internal/reasoning/llm/llmtest"
)

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func at(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

const (
	bodyA       = `{"model":"m","messages":[{"role":"user","content":"a"}],"stream":true,"stream_options":{"include_usage":true}}`
	bodyANoOpts = `{"model":"m","max_tokens":100, "messages":[ {"content":"a","role":"user"} ],"stream":false}`
	bodyAOther  = `{"model":"m2","messages":[{"role":"user","content":"a"}],"stream":true}`
	bodyAJSON   = `{"model":"m","messages":[{"role":"user","content":"a"}],"response_format":{"type":"json_object"}}`
	bodyB       = `{"model":"m","messages":[{"role":"user","content":"b"}],"stream":true}`
)

func TestRequestHashKeepsWhatIsBilled(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		same bool
	}{
		{"stream options, token limit and layout ignored", bodyA, bodyANoOpts, true},
		{"another model", bodyA, bodyAOther, false},
		{"another format", bodyA, bodyAJSON, false},
		{"other messages", bodyA, bodyB, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RequestHash([]byte(tt.a)) == RequestHash([]byte(tt.b)); got != tt.same {
				t.Errorf("same hash = %v, want %v", got, tt.same)
			}
		})
	}
}

func TestCountCallsRePaid(t *testing.T) {
	call := func(body string, arrived, ended int, completed bool) llmtest.Request {
		r := llmtest.Request{Body: []byte(body), Time: at(arrived), Completed: completed, Role: llmtest.Analyst}
		if ended >= 0 {
			r.Ended = at(ended)
		}
		return r
	}
	tests := []struct {
		name                           string
		calls                          []llmtest.Request
		rePaid, retried, distinct, fly int
	}{
		{"one completed call", []llmtest.Request{call(bodyA, 0, 500, true)}, 0, 0, 1, 0},
		{"retry of a call cut by a kill", []llmtest.Request{call(bodyA, 0, 300, false), call(bodyA, 20000, 20500, true)}, 0, 1, 1, 0},
		{"retry after the answer was complete", []llmtest.Request{call(bodyA, 0, 500, true), call(bodyA, 21000, 21400, true)}, 1, 1, 1, 0},
		{"re-paid even when the second answer is not taken", []llmtest.Request{call(bodyA, 0, 500, true), call(bodyANoOpts, 600, 650, false)}, 1, 1, 1, 0},
		{"concurrent duplicate asked before the first completed", []llmtest.Request{call(bodyA, 0, 500, true), call(bodyA, 100, 600, true)}, 0, 1, 1, 0},
		{"order of the list does not matter", []llmtest.Request{call(bodyA, 21000, 21400, true), call(bodyA, 0, 500, true)}, 1, 1, 1, 0},
		{"different requests", []llmtest.Request{call(bodyA, 0, 500, true), call(bodyB, 600, 900, true), call(bodyAOther, 1000, 1200, true)}, 0, 0, 3, 0},
		{"three asks after one answer", []llmtest.Request{call(bodyA, 0, 500, true), call(bodyA, 600, 900, true), call(bodyA, 1000, -1, false)}, 2, 2, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CountCalls(tt.calls)
			if got.RePaid != tt.rePaid || got.Retried != tt.retried || got.Distinct != tt.distinct || got.InFlight != tt.fly || got.Total != len(tt.calls) {
				t.Errorf("re-paid %d, retried %d, distinct %d, in flight %d, total %d; want %d, %d, %d, %d, %d",
					got.RePaid, got.Retried, got.Distinct, got.InFlight, got.Total, tt.rePaid, tt.retried, tt.distinct, tt.fly, len(tt.calls))
			}
			if len(got.RePaidCalls) != got.RePaid {
				t.Errorf("%d re-paid calls listed, want %d", len(got.RePaidCalls), got.RePaid)
			}
		})
	}
}

// Through the real engine and the scripted server: a planner call asked
// again after its answer streamed whole is re-paid; one asked again after
// its client gave up mid-stream is not.
func TestModelServerCountsRePaidEngineCalls(t *testing.T) {
	m := StartModelServer(ModelOptions{SubQuestions: 2, MinDelay: 200 * time.Millisecond, MaxDelay: 200 * time.Millisecond})
	defer m.Close()
	rc := llm.RoleConfig{Provider: llm.ProviderOpenAI, Model: "chaos", BaseURL: m.OpenAIURL(), APIKey: "k"}
	e, err := llm.New(llm.Config{Planner: rc, Analyst: rc, Writer: rc}, llm.Options{Fallback: noPlanner{}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	plan := func(ctx context.Context, q string) error {
		_, err := e.Plan(ctx, reasoning.PlanRequest{Question: q, MaxSubQuestions: 4})
		return err
	}
	// Streamed, as in an activity.
	ctx := llm.WithHeartbeat(context.Background(), func() {})
	if err := plan(ctx, "What is a goroutine?"); err != nil {
		t.Fatal(err)
	}
	cut, cancel := context.WithTimeout(ctx, 80*time.Millisecond)
	_ = plan(cut, "What is a channel?") // gives up mid-stream
	cancel()
	waitEnded(t, m)
	if got := CountCalls(m.Requests()); got.RePaid != 0 || got.Completed != 1 {
		t.Fatalf("after one whole and one abandoned call: re-paid %d, completed %d; want 0, 1", got.RePaid, got.Completed)
	}
	if err := plan(ctx, "What is a channel?"); err != nil { // the retry of an unpaid call
		t.Fatal(err)
	}
	if err := plan(ctx, "What is a goroutine?"); err != nil { // asked again after a whole answer
		t.Fatal(err)
	}
	got := CountCalls(m.Requests())
	for _, r := range m.Requests() {
		if !r.Stream {
			t.Errorf("a call was not streamed")
		}
	}
	if got.Total != 4 || got.RePaid != 1 || got.Retried != 2 || got.ByRole[llmtest.Planner] != 4 {
		t.Fatalf("calls %d, re-paid %d, retried %d, planner %d; want 4, 1, 2, 4", got.Total, got.RePaid, got.Retried, got.ByRole[llmtest.Planner])
	}
	if q := got.RePaidCalls[0].Question; q != "What is a goroutine?" {
		t.Errorf("re-paid call's question = %q", q)
	}
}

type noPlanner struct{}

func (noPlanner) Plan(context.Context, reasoning.PlanRequest) (reasoning.Plan, error) {
	return reasoning.Plan{}, nil
}

func waitEnded(t *testing.T, m *ModelServer) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m.inFlight() == 0 {
			return
		}
	}
	t.Fatal("calls still in flight")
}

func TestScriptedAnswersDifferPerQuestion(t *testing.T) {
	a, b := subQuestions("q1", 4), subQuestions("q2", 4)
	if len(a) != 4 || a[0] == b[0] {
		t.Errorf("sub-questions %q and %q", a, b)
	}
	if d := delayOf(RequestHash([]byte(bodyA)), 300*time.Millisecond, 800*time.Millisecond); d < 300*time.Millisecond || d > 800*time.Millisecond {
		t.Errorf("delay %s out of range", d)
	}
}

func TestCountDeliveriesDuplicates(t *testing.T) {
	d := func(id, run string, arrived, ended int, acked bool) Delivery {
		return Delivery{ID: id, ResearchID: run, Type: "research.stage.changed", Arrived: at(arrived), Ended: at(ended), Status: 204, Valid: true, Acked: acked}
	}
	tests := []struct {
		name             string
		ds               []Delivery
		dups, bad, acked int
		perRun           map[string]int
	}{
		{"each once", []Delivery{d("e1", "r1", 0, 150, true), d("e2", "r1", 200, 350, true)}, 0, 0, 2, map[string]int{"r1": 2}},
		{"redelivered after an ack", []Delivery{d("e1", "r1", 0, 150, true), d("e1", "r1", 30000, 30150, true)}, 1, 0, 2, map[string]int{"r1": 2}},
		{"redelivered after the sender died mid-delivery", []Delivery{d("e1", "r1", 0, 100, false), d("e1", "r1", 30000, 30150, true)}, 0, 0, 1, map[string]int{"r1": 2}},
		{"concurrent attempts", []Delivery{d("e1", "r1", 0, 150, true), d("e1", "r1", 100, 250, true)}, 0, 0, 2, map[string]int{"r1": 2}},
		{"bad signature", []Delivery{{ID: "e1", ResearchID: "r1", Arrived: at(0), Ended: at(1), Status: 400}}, 0, 1, 0, map[string]int{}},
		{"two runs", []Delivery{d("e1", "r1", 0, 150, true), d("e2", "r2", 0, 150, true), d("e2", "r2", 500, 650, true)}, 1, 0, 3, map[string]int{"r1": 1, "r2": 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CountDeliveries(tt.ds)
			if got.Duplicates != tt.dups || got.BadSignatures != tt.bad || got.Acked != tt.acked || len(got.DuplicateIDs) != tt.dups {
				t.Errorf("duplicates %d, bad %d, acked %d; want %d, %d, %d", got.Duplicates, got.BadSignatures, got.Acked, tt.dups, tt.bad, tt.acked)
			}
			if len(got.PerRun) != len(tt.perRun) {
				t.Errorf("per run %v, want %v", got.PerRun, tt.perRun)
			}
			for k, v := range tt.perRun {
				if got.PerRun[k] != v {
					t.Errorf("per run %v, want %v", got.PerRun, tt.perRun)
				}
			}
		})
	}
}

// The receiver verifies signatures, acknowledges valid deliveries and
// counts a redelivery of an acknowledged ID as a duplicate.
func TestReceiverOverHTTP(t *testing.T) {
	r, err := StartReceiver(10 * time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	signer, err := standardwebhooks.NewWebhook(r.Secret)
	if err != nil {
		t.Fatal(err)
	}
	post := func(id string, sign bool) int {
		body := `{"specversion":"1.0","id":"` + id + `","type":"research.report.ready"}`
		req, _ := http.NewRequest(http.MethodPost, r.URL, strings.NewReader(body))
		now := time.Now()
		sig := "v1,AAAA"
		if sign {
			sig, _ = signer.Sign(id, now, []byte(body))
		}
		req.Header.Set(standardwebhooks.HeaderWebhookID, id)
		req.Header.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(now.Unix(), 10))
		req.Header.Set(standardwebhooks.HeaderWebhookSignature, sig)
		req.Header.Set(headerResearchID, "r1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post("e1", true); got != http.StatusNoContent {
		t.Errorf("signed delivery: %d, want 204", got)
	}
	if got := post("e1", false); got != http.StatusBadRequest {
		t.Errorf("unsigned delivery: %d, want 400", got)
	}
	if got := post("e1", true); got != http.StatusNoContent {
		t.Errorf("redelivery: %d, want 204 (a receiver acknowledges duplicates)", got)
	}
	got := CountDeliveries(endedDeliveries(r, 3))
	if got.Total != 3 || got.Duplicates != 1 || got.BadSignatures != 1 || !got.ReportsAcked["r1"] {
		t.Errorf("total %d, duplicates %d, bad %d, report acked %v; want 3, 1, 1, true", got.Total, got.Duplicates, got.BadSignatures, got.ReportsAcked["r1"])
	}
}

func TestParseExports(t *testing.T) {
	got := parseExports("export TEMPORAL_ADDRESS=127.0.0.1:17402 TEMPORAL_NAMESPACE=default\nexport QDRANT_URL='http://127.0.0.1:17404'\n# comment=x\nexport RESEARCHFLOW_UI_URL=\"http://a b\"\n")
	want := map[string]string{"TEMPORAL_ADDRESS": "127.0.0.1:17402", "TEMPORAL_NAMESPACE": "default", "QDRANT_URL": "http://127.0.0.1:17404", "RESEARCHFLOW_UI_URL": "http://a b"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func TestAppEnvDropsOutsideSettings(t *testing.T) {
	env := appEnv([]string{"PATH=/bin", "OPENAI_API_KEY=real", "TEMPORAL_ADDRESS=prod:7233", "RESEARCHFLOW_LLM_MODEL=gpt", "HOME=/h"},
		map[string]string{"RESEARCHFLOW_LLM_MODEL": "chaos-scripted"})
	got := strings.Join(env, " ")
	if got != "PATH=/bin HOME=/h RESEARCHFLOW_LLM_MODEL=chaos-scripted" {
		t.Errorf("env = %s", got)
	}
}

func TestRecovery(t *testing.T) {
	runs := []runState{
		{ID: "a", Start: at(0), Obs: []observation{{at(500), 3, "search"}, {at(1500), 3, "search"}, {at(2500), 4, "analyze"}}},
		{ID: "b", Start: at(0), End: at(4000), Obs: []observation{{at(500), 2, "plan"}}},
		{ID: "done before", Start: at(0), End: at(900)},
		{ID: "started after", Start: at(1100), Obs: []observation{{at(1200), 1, "plan"}}},
	}
	first, all := recovery(at(1000), runs)
	if first == nil || all == nil || *first != 1.5 || *all != 3 {
		t.Fatalf("recovery = %v, %v; want 1.5, 3", deref(first), deref(all))
	}
	stuck := append(runs, runState{ID: "stuck", Start: at(0), Obs: []observation{{at(500), 5, "search"}, {at(9000), 5, "search"}}})
	if first, all := recovery(at(1000), stuck); first != nil || all != nil {
		t.Errorf("with a run that never progressed: %v, %v; want none", deref(first), deref(all))
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// A delivery is acknowledged when the 2xx reached a connected sender,
// whatever the sender does with the connection next; a sender gone before
// the answer was not acknowledged.
func TestReceiverAcknowledgement(t *testing.T) {
	tests := []struct {
		name      string
		client    *http.Client
		wantAcked bool
	}{
		{"sender closes the connection after the answer", &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}, true},
		{"sender keeps the connection", &http.Client{}, true},
		{"sender gone before the answer", &http.Client{Timeout: 50 * time.Millisecond}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := StartReceiver(200 * time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			signer, _ := standardwebhooks.NewWebhook(r.Secret)
			for i := range 3 {
				id := "e" + strconv.Itoa(i)
				body := `{"type":"research.stage.changed"}`
				now := time.Now()
				sig, _ := signer.Sign(id, now, []byte(body))
				req, _ := http.NewRequest(http.MethodPost, r.URL, strings.NewReader(body))
				req.Header.Set(standardwebhooks.HeaderWebhookID, id)
				req.Header.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(now.Unix(), 10))
				req.Header.Set(standardwebhooks.HeaderWebhookSignature, sig)
				if resp, err := tt.client.Do(req); err == nil {
					resp.Body.Close()
				}
			}
			var ds []Delivery
			for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				if ds = r.Deliveries(); len(ds) == 3 && !r.InFlight() {
					break
				}
			}
			for _, d := range r.Deliveries() {
				if d.Acked != tt.wantAcked {
					t.Errorf("%s acked = %v, want %v", d.ID, d.Acked, tt.wantAcked)
				}
			}
		})
	}
}

func TestFreePortBaseFallsBackToOSPorts(t *testing.T) {
	// Take a port of the only candidate's range; FreePortBase must still
	// find a range, near a port the OS hands out.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	taken := l.Addr().(*net.TCPAddr).Port - 1 // cluster port B+1
	base, err := FreePortBase(taken)
	if err != nil {
		t.Fatalf("FreePortBase(%d) with that range taken: %v", taken, err)
	}
	if base == taken {
		t.Errorf("base %d: its port %d is taken", base, taken+1)
	}
	for _, p := range clusterPorts(base) {
		if p <= 0 || p >= 65536 {
			t.Errorf("base %d: port %d out of range", base, p)
		}
	}
}

// TestReceiverHoldsAnswersForAKill: a notify kill takes a hold while a
// delivery waits for its answer; no answer is written until the hold ends,
// and a hold is not taken when nothing waits.
func TestReceiverHoldsAnswersForAKill(t *testing.T) {
	r, err := StartReceiver(20 * time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, ok := r.HoldInFlight(); ok {
		t.Fatal("a hold was taken with no delivery in flight")
	}
	signer, _ := standardwebhooks.NewWebhook(r.Secret)
	answered := make(chan time.Time, 1)
	go func() {
		body := `{"type":"research.stage.changed"}`
		now := time.Now()
		sig, _ := signer.Sign("e1", now, []byte(body))
		req, _ := http.NewRequest(http.MethodPost, r.URL, strings.NewReader(body))
		req.Header.Set(standardwebhooks.HeaderWebhookID, "e1")
		req.Header.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(now.Unix(), 10))
		req.Header.Set(standardwebhooks.HeaderWebhookSignature, sig)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
		answered <- time.Now()
	}()
	var release func()
	for deadline := time.Now().Add(3 * time.Second); release == nil; time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the delivery never waited for its answer")
		}
		release, _ = r.HoldInFlight()
	}
	if _, ok := r.HoldInFlight(); ok {
		t.Error("a second hold was taken while one holds")
	}
	select {
	case <-answered:
		t.Fatal("the delivery was answered during the hold")
	case <-time.After(300 * time.Millisecond):
	}
	released := time.Now()
	release()
	select {
	case at := <-answered:
		if at.Before(released) {
			t.Errorf("answered %v before the release", released.Sub(at))
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the delivery was not answered after the release")
	}
	if ds := endedDeliveries(r, 1); len(ds) != 1 || !ds[0].Acked {
		t.Errorf("deliveries %+v, want one acknowledged", ds)
	}
	release() // a second release is harmless
}

// endedDeliveries returns r's deliveries once n of them have ended (or after 3
// seconds): the receiver records an answer after flushing it, so the
// sender may read it first.
func endedDeliveries(r *Receiver, n int) []Delivery {
	deadline := time.Now().Add(3 * time.Second)
	for {
		ds := r.Deliveries()
		ended := 0
		for _, d := range ds {
			if !d.Ended.IsZero() {
				ended++
			}
		}
		if ended >= n || time.Now().After(deadline) {
			return ds
		}
		time.Sleep(2 * time.Millisecond)
	}
}
