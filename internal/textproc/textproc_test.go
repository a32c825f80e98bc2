package textproc

import (
	"reflect"
	"testing"
)

func TestTokenize(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"The channels are buffered", []string{"channel", "buffer"}},
		{"What does sync.Mutex guarantee?", []string{"sync.mutex", "guarante"}},
		{"Goroutines and a goroutine", []string{"goroutin", "goroutin"}},
		{"guaranteed guarantees guarantee", []string{"guarante", "guarante", "guarante"}},
		{"How does boost::optional work? Note: see", []string{"boost::optional", "work", "not"}},
		{"", nil},
	}
	for _, tt := range tests {
		got := Tokenize(tt.in)
		if len(got) == 0 && len(tt.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Tokenize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSentences(t *testing.T) {
	if got := Sentences("Presented by Hans-J. Boehm and Sarita V. Adve in 2008. Next one."); len(got) != 2 {
		t.Errorf("initials split a sentence: %q", got)
	}
	in := "A send on a channel happens before the receive. Use sync.Mutex, e.g. for maps. Is it safe? Yes!\n\nNew paragraph without stop"
	want := []string{
		"A send on a channel happens before the receive.",
		"Use sync.Mutex, e.g. for maps.",
		"Is it safe?",
		"Yes!",
		"New paragraph without stop",
	}
	if got := Sentences(in); !reflect.DeepEqual(got, want) {
		t.Errorf("Sentences() =\n%q\nwant\n%q", got, want)
	}
}

func TestCosine(t *testing.T) {
	a := TermVector("channel send receive")
	if got := Cosine(a, a); got < 0.999 {
		t.Errorf("Cosine(a, a) = %v, want 1", got)
	}
	if got := Cosine(a, TermVector("mutex lock")); got != 0 {
		t.Errorf("Cosine of disjoint = %v, want 0", got)
	}
}
