package researchflow

import (
	"errors"
	"slices"
	"testing"
)

func TestNormalizeSources(t *testing.T) {
	for _, tt := range []struct {
		in   []string
		want []string
	}{
		{nil, []string{"corpus"}},
		{[]string{" Web", "arxiv", "WEB", "corpus"}, []string{"web", "arxiv", "corpus"}},
		{KnownSources, KnownSources},
		{append(slices.Clone(KnownSources), KnownSources...), KnownSources},
	} {
		got, err := normalizeSources(tt.in)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("normalizeSources(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range [][]string{{"google"}, {""}, {"web", "arxiv,openalex"}, make([]string, 40)} {
		_, err := normalizeSources(bad)
		var ie *InputError
		if !errors.As(err, &ie) || ie.Field != "sources" {
			t.Errorf("normalizeSources(%q) = %v, want an InputError on sources", bad, err)
		}
	}
	in, err := ResearchInput{Question: "What is new?", Sources: []string{"arxiv", "corpus"}}.Normalize()
	if err != nil || !slices.Equal(in.Sources, []string{"arxiv", "corpus"}) {
		t.Errorf("normalized %q, %v", in.Sources, err)
	}
	again, _ := in.Normalize()
	if !slices.Equal(again.Sources, in.Sources) {
		t.Errorf("Normalize is not idempotent on sources: %q then %q", in.Sources, again.Sources)
	}
}
