package extractive

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/textproc"
)

var _ reasoning.Reflector = (*Engine)(nil)

// Reflect proposes follow-ups only for what a round left unanswered: each
// unanswered sub-question is asked again as a broader keyword question (its
// topic words without the framing), so that retrieval can match passages
// that word it differently (questions in Latin script only). Answered sub-questions get no follow-up: without
// a model, extractive mode cannot tell what an answer is missing. Follow-ups
// never repeat an earlier sub-question.
func (e *Engine) Reflect(ctx context.Context, req reasoning.ReflectRequest) (reasoning.Reflection, error) {
	out := reasoning.Reflection{Engine: Name}
	if req.MaxFollowUps <= 0 {
		return out, nil
	}
	var asked []textproc.Vector
	for _, a := range req.Answered {
		asked = append(asked, textproc.TermVector(a.SubQuestion.Text))
	}
	for _, u := range req.Unanswered {
		asked = append(asked, textproc.TermVector(u.SubQuestion.Text))
	}
	for _, u := range req.Unanswered {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		if len(out.FollowUps) == req.MaxFollowUps {
			break
		}
		// The follow-up is phrased in English; a question in another script
		// gets none rather than English words around its own.
		topic := topicWords(u.SubQuestion.Text)
		if len(topic) == 0 || !latin(u.SubQuestion.Text) {
			continue
		}
		// The topic words are listed as words, so that the follow-up
		// reads as a sentence ("What does the documentation say about
		// “year”, “Go”, “first” and “generics”?"), and it keeps the kind of
		// answer asked for: a follow-up of "How many …?" still asks how
		// many (", and how many?").
		text := "What does the documentation say about " + wordList(topic)
		if cue := strings.TrimSpace(quantityCue(u.SubQuestion.Text)); cue != "" {
			text += ", and " + cue
		}
		text += "?"
		if slices.Equal(queryTerms(text), queryTerms(u.SubQuestion.Text)) {
			continue // the same search again: it would only repeat the gap
		}
		v := textproc.TermVector(text)
		dup := false
		for _, a := range asked {
			if textproc.Cosine(v, a) >= nearDuplicate {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		asked = append(asked, v)
		out.FollowUps = append(out.FollowUps, reasoning.SubQuestion{
			Text:     text,
			Reason:   fmt.Sprintf("broader search for the unanswered %q", u.SubQuestion.Text),
			Broadens: u.SubQuestion.Text,
		})
	}
	return out, nil
}

// topicWords keeps the words of a question that carry its topic, spelled
// as in the question (a name stays a name: "Kubernetes").
func topicWords(q string) []string {
	var out []string
	seen := map[string]bool{}
	ws := scanWords(q)
	docNoun, docVerb := textproc.AsksForSource(q)
	for i, sw := range ws {
		w := sw.lower
		// "won" of "won't" is the verb the ending negates.
		negated := i+1 < len(ws) && ws[i+1].lower == "t" && clitic(q, ws[i+1])
		// "Which notes mention …" asks which document: neither word is a
		// topic a broader search should look for.
		source := docNoun != "" && (w == docNoun || w == docVerb)
		if textproc.IsStopWord(w) || questionWords[w] || fillers[w] || facetWords[w] || verbs[w] || seen[w] || clitic(q, sw) || negated || source {
			continue
		}
		seen[w] = true
		out = append(out, sw.text)
	}
	return out
}

// clitics are the endings of English contractions and possessives.
var clitics = set(`s t d ll re ve m`)

// clitic reports whether w is the ending of a contraction or possessive
// written right after an apostrophe ("what's", "the engineer's", "don't"):
// no word of its own.
func clitic(q string, w word) bool {
	return clitics[w.lower] && (strings.HasSuffix(q[:w.start], "'") || strings.HasSuffix(q[:w.start], "’"))
}

// wordList lists words as mentioned: “a”, “b” and “c”.
func wordList(ws []string) string {
	q := make([]string, len(ws))
	for i, w := range ws {
		q[i] = "“" + w + "”"
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}
