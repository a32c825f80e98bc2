package extractive

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/researchflow/researchflow/internal/corpus"
	"github.com/researchflow/researchflow/internal/reasoning"
)

// The lines a sentence ending in ":" introduces are its block, whatever
// they hold: a fenced command reaches the analyst as a bare line
// ("systemctl restart rf-worker", the fences gone in the document's text),
// which no rule for code recognised, so that it was read as a sentence of
// its own and the introduction ("To restart the worker, run:") was quoted
// without it, or not at all.
func TestIntroducedLinesAreTheSentencesBlock(t *testing.T) {
	for _, tt := range []struct {
		text, intro, block string
	}{
		{"Worker\n\nTo restart the worker, run:\n\nsystemctl restart rf-worker", "To restart the worker, run:", "systemctl restart rf-worker"},
		{"To restart the worker, run:\nsystemctl restart rf-worker", "To restart the worker, run:", "systemctl restart rf-worker"},
		{"To restart the worker, run:\n\nsystemctl stop rf-worker\nsystemctl start rf-worker\n\nIt is back in seconds.", "To restart the worker, run:",
			"systemctl stop rf-worker\nsystemctl start rf-worker"},
		// A command starting with a capital is no heading.
		{"On Windows, restart it with:\n\nRestart-Service rf-worker", "On Windows, restart it with:", "Restart-Service rf-worker"},
		// A command ending in a dot ("docker build .") is a command.
		{"To build the image, type:\n\ndocker build .", "To build the image, type:", "docker build ."},
	} {
		ss := passageSentences(tt.text)
		i := -1
		for k, s := range ss {
			if s.text == tt.intro {
				i = k
			}
		}
		if i < 0 || i+1 >= len(ss) || !ss[i+1].code || ss[i+1].text != tt.block {
			t.Errorf("%q: sentences %+v, want %q then its block %q", tt.text, ss, tt.intro, tt.block)
		}
	}
	// A list's items are marked as items, its introduction not.
	ss := passageSentences("To restart the worker:\n\n1. Stop the worker.\n2. Start the worker again.\n\nIt is back in seconds.")
	if len(ss) != 4 || ss[0].item || !ss[1].item || !ss[2].item || ss[3].item {
		t.Errorf("sentences %+v, want the introduction, two items, a sentence", ss)
	}
	// Prose wrapped at a fixed width ends no line but its last: it stays
	// prose, and the block after it is code.
	ss = passageSentences("Programs should follow these rules:\n\nDo not store Contexts inside a struct type; instead, pass a Context\nexplicitly to each function that needs it. This is discussed further in\nthe blog. The Context should be the first\nparameter, typically named ctx:\n\n\tfunc DoSomething(ctx context.Context) error")
	for _, s := range ss {
		if s.code != strings.Contains(s.text, "DoSomething") {
			t.Errorf("wrapped prose: %q read with code %v", s.text, s.code)
		}
	}
	// Prose after a colon stays prose: a paragraph of sentences, a list.
	for _, text := range []string{
		"Note:\n\nThe worker restarts itself after a crash. Nothing needs to be done.",
		"To restart the worker:\n\n1. Stop the worker.\n2. Start the worker again.",
		"The steps are:\n\n- stop the worker\n- start the worker",
	} {
		for _, s := range passageSentences(text) {
			if s.code {
				t.Errorf("%q: %q read as code", text, s.text)
			}
		}
	}
}

// A how-to question over a Markdown note whose command is fenced after
// "run:" is answered with the command, read as ingestion reads the note.
func TestHowToAnswerShowsTheFencedCommandItsSentenceIntroduces(t *testing.T) {
	for _, tt := range []struct{ note, question, command string }{
		{"# Worker\n\nTo restart the worker, run:\n\n```\nsystemctl restart rf-worker\n```\n", "How do I restart the worker?", "systemctl restart rf-worker"},
		{"# Worker\n\nTo restart the worker, run:\n\n```sh\nsudo systemctl restart rf-worker\n```\n\nThe worker is back within seconds.\n",
			"How do I restart the worker?", "sudo systemctl restart rf-worker"},
		{"# Cache\n\nSome notes on the cache.\n\nTo clear the build cache, use:\n\n~~~\ngo clean -cache\n~~~\n", "How can I clear the build cache?", "go clean -cache"},
		{"# Worker\n\nTo rotate the worker's logs, run:\n\n    logrotate -f /etc/logrotate.d/rf-worker\n", "How do I rotate the worker's logs?", "logrotate -f /etc/logrotate.d/rf-worker"},
		// No comma after the phrase that says what for: the word before
		// the block is the verb ("To cut a release run:").
		{"# Release process\n\nReleases are cut every second Tuesday at 10:00 UTC.\n\nTo cut a release run:\n\n```sh\nmake release VERSION=2027.02.1\ngit push origin release/2027.02.1\n```\n",
			"How do I cut a release?", "make release VERSION=2027.02.1"},
		{"# Deploys\n\nDeploys go out on weekdays.\n\nTo roll back the last deploy use:\n\n```\nkubectl rollout undo deploy/api\n```\n", "How do I roll back the last deploy?", "kubectl rollout undo deploy/api"},
		// The block answers a question asking for a command or the
		// steps though its sentence names nothing the question asks.
		{"# Incident runbook\n\nThe first step is to check the dashboard and the recent deploys:\n\n```sh\nkubectl -n payments rollout history deploy/payments-api\n```\n\nPostmortems are due within 5 working days.\n",
			"Which kubectl command shows the rollout history?", "kubectl -n payments rollout history deploy/payments-api"},
		{"# Incident runbook\n\nThe first step is to check the dashboard and the recent deploys:\n\n```sh\nkubectl -n payments rollout history deploy/payments-api\n```\n\nPostmortems are due within 5 working days.\n",
			"How do I see the rollout history of the payments API?", "kubectl -n payments rollout history deploy/payments-api"},
		// A full-width colon introduces its block as an ASCII one does.
		{"# 服务\n\n要重启服务，运行：\n\n```\nkestrelctl restart --all\n```\n", "如何重启服务？", "kestrelctl restart --all"},
		{"# サービス\n\nサービスを再起動するには、次を実行します：\n\n```\nkestrelctl restart --all\n```\n", "サービスを再起動するには？", "kestrelctl restart --all"},
		// A list the sentence introduces is its too, related or not.
		{"# Worker\n\nTo restart the worker, run:\n\n- systemctl stop rf-worker\n- systemctl start rf-worker\n", "How do I restart the worker?",
			"systemctl stop rf-worker\nsystemctl start rf-worker"},
		{"# Worker\n\nTo restart the worker, do this:\n\n1. Drain the queue with rfctl drain.\n2. Run systemctl restart rf-worker.\n", "How do I restart the worker?",
			"Drain the queue with rfctl drain.\nRun systemctl restart rf-worker."},
	} {
		path := filepath.Join(t.TempDir(), "note.md")
		if err := os.WriteFile(path, []byte(tt.note), 0o644); err != nil {
			t.Fatal(err)
		}
		doc, err := corpus.LoadFile(context.Background(), "notes", path)
		if err != nil {
			t.Fatal(err)
		}
		var ps []reasoning.Passage
		for _, c := range corpus.Split(doc, "notes", corpus.SplitOptions{}) {
			ps = append(ps, reasoning.Passage{ChunkID: c.ID, SourceID: c.SourceID, Title: c.SourceTitle, Section: c.Section, Text: c.Text})
		}
		a, err := New(Config{}).Analyze(context.Background(), reasoning.AnalyzeRequest{
			Question: tt.question, SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: tt.question}, Passages: ps,
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Findings) == 0 || !strings.Contains(a.Findings[0].Text, tt.command) {
			t.Errorf("%q over %q: findings %+v, want the first to show %q", tt.question, doc.Text, a.Findings, tt.command)
		}
	}
}
