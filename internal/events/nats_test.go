package events_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/researchflow/researchflow/workflows"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.temporal.io/sdk/testsuite"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/activities"
	"github.com/researchflow/researchflow/internal/events"
	"github.com/researchflow/researchflow/internal/events/natstest"
	"github.com/researchflow/researchflow/internal/mailer"
)

// flakyMailer fails its first send, after the events are published: the
// notify activity is retried and publishes them again.
type flakyMailer struct{ sends int }

func (m *flakyMailer) Send(context.Context, mailer.Mail) error {
	if m.sends++; m.sends == 1 {
		return errors.New("smtp: connection reset")
	}
	return nil
}

// TestReportReadyOncePerRun: a JetStream consumer receives
// research.report.ready once per run and the report once, although the
// notify activity ran twice (its first attempt failed after publishing),
// and every event published twice (a retried Publish) arrives once.
func TestReportReadyOncePerRun(t *testing.T) {
	url := natstest.Start(t)
	bus := &events.JetStream{URL: url}
	defer bus.Close()
	n := &activities.Notify{Bus: bus, Mailer: &flakyMailer{}, EmailDomains: []string{"example.org"}}
	var suite testsuite.WorkflowTestSuite
	aenv := suite.NewTestActivityEnvironment()
	aenv.RegisterActivity(n)

	for _, run := range []string{"run-1", "run-2"} {
		plan := rf.Event{ID: workflows.EventID(run, rf.EventPlanReady, 0), Type: rf.EventPlanReady,
			Time: time.Now(), Data: rf.EventData{ResearchID: run, SubQuestions: 3}}
		for range 2 {
			if _, err := aenv.ExecuteActivity(n.Publish, workflows.PublishInput{Event: plan}); err != nil {
				t.Fatal(err)
			}
		}
		ready := rf.Event{ID: workflows.EventID(run, rf.EventReportReady, 0), Type: rf.EventReportReady,
			Time: time.Now(), Data: rf.EventData{ResearchID: run, Title: "Report " + run}}
		in := workflows.DeliverInput{ResearchID: run, Title: "Report " + run, Markdown: "# Report " + run + "\n",
			Event: &ready, Email: []string{"ana@example.org"}}
		n.Mailer = &flakyMailer{}
		if _, err := aenv.ExecuteActivity(n.Deliver, in); err == nil {
			t.Fatal("the first attempt should fail (mail)")
		}
		val, err := aenv.ExecuteActivity(n.Deliver, in)
		if err != nil {
			t.Fatal(err)
		}
		var res workflows.DeliverResult
		if err := val.Get(&res); err != nil || res.NATS != "duplicate" || res.Email != "sent" {
			t.Errorf("retried delivery: %+v, %v; want NATS duplicate, e-mail sent", res, err)
		}
	}

	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	got := consume(ctx, t, js, events.Subject(rf.EventReportReady))
	if len(got) != 2 {
		t.Fatalf("report.ready messages = %d, want one per run (2)", len(got))
	}
	for i, m := range got {
		var ce struct {
			SpecVersion, ID, Type, Source, DataContentType string
			Data                                           struct {
				ResearchID string `json:"researchId"`
				Title      string `json:"title"`
			}
		}
		if err := json.Unmarshal(m.Data(), &ce); err != nil {
			t.Fatal(err)
		}
		run := []string{"run-1", "run-2"}[i]
		if ce.SpecVersion != "1.0" || ce.ID != workflows.EventID(run, rf.EventReportReady, 0) || ce.Type != rf.EventReportReady ||
			ce.Data.ResearchID != run || m.Headers().Get("Nats-Msg-Id") != ce.ID {
			t.Errorf("message %d = %s (headers %v)", i, m.Data(), m.Headers())
		}
	}
	if got := consume(ctx, t, js, events.ReportSubject); len(got) != 2 || string(got[0].Data()) != "# Report run-1\n" ||
		got[1].Headers().Get(activities.HeaderResearchID) != "run-2" {
		t.Errorf("reports = %d messages", len(got))
	}
	if got := consume(ctx, t, js, events.Subject(rf.EventPlanReady)); len(got) != 2 {
		t.Errorf("plan.ready messages = %d, want 2 (each published twice)", len(got))
	}
}

// consume reads every message of the stream on subject.
func consume(ctx context.Context, t *testing.T, js jetstream.JetStream, subject string) []jetstream.Msg {
	t.Helper()
	c, err := js.OrderedConsumer(ctx, events.Stream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{subject}})
	if err != nil {
		t.Fatal(err)
	}
	var out []jetstream.Msg
	for {
		batch, err := c.FetchNoWait(100)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for m := range batch.Messages() {
			out = append(out, m)
			n++
		}
		if n == 0 {
			return out
		}
	}
}
