package workflows

import (
	"testing"

	rf "github.com/researchflow/researchflow"
)

func TestFooterCorpus(t *testing.T) {
	tests := []struct {
		in   rf.ResearchInput
		want string
	}{
		{rf.ResearchInput{Corpus: rf.DefaultCorpus, Sources: []string{rf.SourceCorpus}}, rf.DefaultCorpus},
		{rf.ResearchInput{Corpus: rf.DefaultCorpus}, rf.DefaultCorpus}, // recorded before sources existed
		{rf.ResearchInput{Corpus: rf.DefaultCorpus, Sources: []string{"searxng"}}, ""},
		{rf.ResearchInput{Corpus: "alice--notes", Owner: "alice", Sources: []string{"wikipedia", rf.SourceCorpus}}, "notes"},
		{rf.ResearchInput{Corpus: "local--notes", Owner: rf.LocalOwner, Sources: []string{rf.SourceCorpus}}, "notes"},
		{rf.ResearchInput{Corpus: "local--notes", Sources: []string{rf.SourceCorpus}}, "notes"},
	}
	for _, tt := range tests {
		if got := footerCorpus(tt.in); got != tt.want {
			t.Errorf("footerCorpus(%+v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
