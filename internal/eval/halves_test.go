package eval

import (
	"os"
	"path/filepath"
	"testing"
)

func TestHalfIsStableAndSplits(t *testing.T) {
	// The split depends on the ID only: these values must never change, or
	// every tune/test result recorded before becomes incomparable.
	for id, want := range map[string]string{"mem-channels": HalfTest, "dr-umask": HalfTest, "a": HalfTune, "b": HalfTune} {
		if got := Half(id); got != want {
			t.Errorf("Half(%q) = %s, want %s", id, got, want)
		}
	}
	var s Set
	for _, id := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		s.Questions = append(s.Questions, Question{ID: id, Question: "q " + id})
	}
	tune, err := s.Only(HalfTune)
	if err != nil {
		t.Fatal(err)
	}
	test, err := s.Only(HalfTest)
	if err != nil {
		t.Fatal(err)
	}
	if len(tune.Questions)+len(test.Questions) != len(s.Questions) || len(tune.Questions) == 0 || len(test.Questions) == 0 {
		t.Errorf("tune %d + test %d of %d", len(tune.Questions), len(test.Questions), len(s.Questions))
	}
	for _, q := range tune.Questions {
		if Half(q.ID) != HalfTune {
			t.Errorf("%s in tune half, Half says %s", q.ID, Half(q.ID))
		}
	}
	if _, err := s.Only("both"); err == nil {
		t.Error("an unknown half is accepted")
	}
}

func TestEvidenceRecallAndOffTopic(t *testing.T) {
	q := Question{ID: "m", Answerable: true, Gold: []string{"go_mem"},
		Nuggets: []string{`synchronized before the completion`, `closing of a channel`, `panic`, `channels and close`}}
	a := sampleAnswer()
	a.Evidence = []string{"A send is synchronized before the completion of the receive.", "Sending on a closed channel causes a panic."}
	s := ScoreAnswer(q, a)
	if s.EvidenceRecall != 0.5 {
		t.Errorf("evidence recall = %v, want 0.5 (2 of 4 nuggets in the passages)", s.EvidenceRecall)
	}
	if s.OffTopic {
		t.Error("a report citing its gold source is counted off-topic")
	}
	a.Evidence = nil
	if s := ScoreAnswer(q, a); s.EvidenceRecall != -1 {
		t.Errorf("unknown evidence scored %v", s.EvidenceRecall)
	}
	q.Gold = []string{"elsewhere"}
	if s := ScoreAnswer(q, a); !s.OffTopic {
		t.Error("cited findings from no gold source are not off-topic")
	}
	if s := ScoreAnswer(Question{ID: "u"}, a); !s.OffTopic || !s.ConfidentOffTopic {
		t.Error("an answered unanswerable question is not off-topic")
	}
	a.Confidence = "low"
	if s := ScoreAnswer(Question{ID: "u"}, a); !s.OffTopic || s.ConfidentOffTopic {
		t.Errorf("a low-confidence answer: off-topic %v, confident off-topic %v", s.OffTopic, s.ConfidentOffTopic)
	}
	tot := Total([]Score{{ID: "x", Answerable: true, EvidenceRecall: 1, OffTopic: true}, {ID: "y", Answerable: true, EvidenceRecall: -1}, {ID: "z"}})
	if tot.EvidenceRecall != 1 || tot.OffTopicShare < 0.33 || tot.OffTopicShare > 0.34 {
		t.Errorf("totals evidence %v off-topic %v", tot.EvidenceRecall, tot.OffTopicShare)
	}
}

func TestCorpusFolderLinksAPattern(t *testing.T) {
	src := t.TempDir()
	for _, n := range []string{"ch01.en.html", "ch02.en.html", "book.pdf"} {
		if err := os.WriteFile(filepath.Join(src, n), []byte("<p>x</p>"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	root := t.TempDir()
	if got, err := CorpusFolder(src, root); err != nil || got != src {
		t.Errorf("a plain folder: %q, %v", got, err)
	}
	dir, err := CorpusFolder(filepath.Join(src, "ch*.en.html"), root)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("folder holds %d entries, want the 2 chapters", len(entries))
	}
	again, err := CorpusFolder(filepath.Join(src, "ch*.en.html"), root)
	if err != nil || again != dir {
		t.Errorf("the same pattern gives %q (%v), want %q", again, err, dir)
	}
	if _, err := CorpusFolder(filepath.Join(src, "*.txt"), root); err == nil {
		t.Error("a pattern matching nothing is accepted")
	}
}
