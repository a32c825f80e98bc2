package llmtest

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/researchflow/researchflow/internal/textproc"
)

// Call names the N-th call (from 1, repairs included) of a role.
type Call struct {
	Role string
	N    int
}

// Script answers each request by its role. A nil role handler gives the
// default answer: PlanJSON of the user's question as the only sub-question,
// AnalystAnswer, ReflectJSON() (no follow-ups), WriterAnswer. Successful replies without token counts get
// deterministic ones (about four bytes a token of the messages and of the
// answer), so that usage is never zero. Requests of no known role get a 500.
type Script struct {
	Planner, Analyst, Reflector, Writer Handler
	// Fail answers the given calls with these replies instead (e.g.
	// RateLimited(1) for {Analyst, 1}).
	Fail map[Call]Reply
}

// Answer implements Handler.
func (s *Script) Answer(ctx context.Context, r *Request) Reply {
	if rp, ok := s.Fail[Call{Role: r.Role, N: r.N}]; ok {
		return rp
	}
	var h Handler
	var def func(*Request) string
	switch r.Role {
	case Planner:
		h, def = s.Planner, func(r *Request) string { return PlanJSON(r.Question()) }
	case Analyst:
		h, def = s.Analyst, AnalystAnswer
	case Reflector:
		h, def = s.Reflector, func(*Request) string { return ReflectJSON() }
	case Writer:
		h, def = s.Writer, WriterAnswer
	default:
		return Error(http.StatusInternalServerError, "llmtest: the system prompt is not one of a planner, analyst, reflector or writer")
	}
	var rp Reply
	if h != nil {
		rp = h.Answer(ctx, r)
	} else {
		rp = Reply{Content: def(r)}
	}
	if rp.OK() && rp.Prompt == 0 && rp.Completion == 0 {
		n := 0
		for _, m := range r.Messages {
			n += len(m.Content)
		}
		rp.Prompt, rp.Completion = (n+3)/4, (len(rp.Content)+3)/4
	}
	return rp
}

// Always answers every request with rp.
func Always(rp Reply) Handler {
	return HandlerFunc(func(context.Context, *Request) Reply { return rp })
}

// Hold blocks the first call it serves until release is closed or the
// client goes away, after closing held (so a test knows the call is in
// flight); later calls get next. A held call whose client went away is
// recorded as Abandoned.
func Hold(held chan<- struct{}, release <-chan struct{}, next Handler) Handler {
	var once sync.Once
	return HandlerFunc(func(ctx context.Context, r *Request) Reply {
		first := false
		once.Do(func() { first = true })
		if first {
			close(held)
			select {
			case <-ctx.Done():
			case <-release:
			}
		}
		return next.Answer(ctx, r)
	})
}

// Content answers with the text f computes from the request.
func Content(f func(*Request) string) Handler {
	return HandlerFunc(func(_ context.Context, r *Request) Reply { return Reply{Content: f(r)} })
}

// PlanJSON is a planner answer with these sub-questions.
func PlanJSON(subQuestions ...string) string {
	type sq struct {
		Text   string `json:"text"`
		Reason string `json:"reason"`
	}
	out := struct {
		SubQuestions []sq `json:"subQuestions"`
	}{SubQuestions: []sq{}}
	for _, q := range subQuestions {
		out.SubQuestions = append(out.SubQuestions, sq{Text: q, Reason: "part of the question"})
	}
	return string(mustJSON(out))
}

// ReflectJSON is a reflector answer with these follow-up sub-questions
// (none: the findings answer the question).
func ReflectJSON(followUps ...string) string {
	type fu struct {
		Text   string `json:"text"`
		Reason string `json:"reason"`
	}
	out := struct {
		FollowUps []fu `json:"followUps"`
	}{FollowUps: []fu{}}
	for _, q := range followUps {
		out.FollowUps = append(out.FollowUps, fu{Text: q, Reason: "a gap in the findings"})
	}
	return string(mustJSON(out))
}

// AnalystAnswer is a valid analyst answer: one finding, the sentence of the
// first passage sharing most words with the sub-question, citing passage 1.
// With no passages it answers no findings.
func AnalystAnswer(r *Request) string {
	type finding struct {
		Text    string `json:"text"`
		Passage int    `json:"passage"`
	}
	out := struct {
		Findings  []finding `json:"findings"`
		Conflicts []any     `json:"conflicts"`
	}{Findings: []finding{}, Conflicts: []any{}}
	ps := r.Passages()
	if len(ps) > 0 {
		if s := bestSentence(ps[0].Text, r.SubQuestion()); s != "" {
			out.Findings = append(out.Findings, finding{Text: s, Passage: ps[0].N})
		}
	}
	return string(mustJSON(out))
}

// Sentence is one sentence of a writer answer.
type Sentence struct {
	Text  string `json:"text"`
	Cites []int  `json:"cites"`
}

// Draft is a writer answer.
type Draft struct {
	Title    string         `json:"title"`
	Summary  []Sentence     `json:"summary"`
	Sections []DraftSection `json:"sections"`
}

// DraftSection is one section of a Draft.
type DraftSection struct {
	Heading   string     `json:"heading"`
	Sentences []Sentence `json:"sentences"`
}

// JSON encodes d as a writer answer.
func (d Draft) JSON() string { return string(mustJSON(d)) }

// WriterDraft is a valid draft for the request: each finding becomes a
// sentence of its sub-question's section citing the finding's source, and
// the first finding of each section (up to four) is repeated in the summary.
// It cites only numbers of the request's source list.
func WriterDraft(r *Request) Draft {
	valid := map[int]bool{}
	for _, n := range r.SourceNumbers() {
		valid[n] = true
	}
	d := Draft{Title: r.Question(), Summary: []Sentence{}, Sections: []DraftSection{}}
	for _, sec := range r.Sections() {
		ds := DraftSection{Heading: sec.SubQuestion, Sentences: []Sentence{}}
		for _, f := range sec.Findings {
			if !valid[f.Source] {
				continue
			}
			s := Sentence{Text: f.Text, Cites: []int{f.Source}}
			if len(ds.Sentences) == 0 && len(d.Summary) < 4 {
				d.Summary = append(d.Summary, s)
			}
			ds.Sentences = append(ds.Sentences, s)
		}
		d.Sections = append(d.Sections, ds)
	}
	return d
}

// WriterAnswer is WriterDraft(r) as JSON.
func WriterAnswer(r *Request) string { return WriterDraft(r).JSON() }

// Passage is one numbered passage of an analyst prompt.
type Passage struct {
	N     int
	Title string // the header after "Pn — ", section and location included
	Text  string
}

// Finding is one finding of a writer prompt with its source number.
type Finding struct {
	Text   string
	Source int
}

// Section is the findings of one sub-question in a writer prompt.
type Section struct {
	SubQuestion string
	Findings    []Finding
}

var (
	passageHeader = regexp.MustCompile(`^P(\d+) — (.*)$`)
	sourceLine    = regexp.MustCompile(`^\[(\d+)\] `)
	findingLine   = regexp.MustCompile(`^- (.*) \(source (\d+)\)$`)
)

// Question is the user's question in any role's prompt.
func (r *Request) Question() string {
	for _, line := range strings.Split(r.User(), "\n") {
		for _, p := range []string{"Question: ", "Research question: "} {
			if q, ok := strings.CutPrefix(line, p); ok {
				return strings.TrimSpace(q)
			}
		}
	}
	return ""
}

// SubQuestion is the sub-question of an analyst prompt.
func (r *Request) SubQuestion() string {
	for _, line := range strings.Split(r.User(), "\n") {
		if q, ok := strings.CutPrefix(line, "Sub-question: "); ok {
			return strings.TrimSpace(q)
		}
	}
	return ""
}

// Passages are the numbered passages of an analyst prompt.
func (r *Request) Passages() []Passage {
	_, body, ok := strings.Cut(r.User(), "\nPassages:\n")
	if !ok {
		return nil
	}
	var out []Passage
	var text []string
	flush := func() {
		if len(out) > 0 {
			out[len(out)-1].Text = strings.TrimSpace(strings.Join(text, "\n"))
		}
		text = nil
	}
	for _, line := range strings.Split(body, "\n") {
		if m := passageHeader.FindStringSubmatch(line); m != nil {
			flush()
			n, _ := strconv.Atoi(m[1])
			out = append(out, Passage{N: n, Title: m[2]})
			continue
		}
		text = append(text, line)
	}
	flush()
	return out
}

// SourceNumbers are the numbers of a writer prompt's source list.
func (r *Request) SourceNumbers() []int {
	user := r.User()
	_, list, ok := strings.Cut(user, "\nSources:\n")
	if !ok {
		return nil
	}
	list, _, _ = strings.Cut(list, "\nFindings by sub-question:")
	var out []int
	for _, line := range strings.Split(list, "\n") {
		if m := sourceLine.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			out = append(out, n)
		}
	}
	return out
}

// Sections are the findings by sub-question of a writer prompt.
func (r *Request) Sections() []Section {
	_, body, ok := strings.Cut(r.User(), "\nFindings by sub-question:")
	if !ok {
		return nil
	}
	var out []Section
	for _, line := range strings.Split(body, "\n") {
		if q, ok := strings.CutPrefix(line, "Sub-question: "); ok {
			out = append(out, Section{SubQuestion: strings.TrimSpace(q)})
			continue
		}
		if m := findingLine.FindStringSubmatch(line); m != nil && len(out) > 0 {
			n, _ := strconv.Atoi(m[2])
			out[len(out)-1].Findings = append(out[len(out)-1].Findings, Finding{Text: m[1], Source: n})
		}
	}
	return out
}

// bestSentence returns the sentence of text sharing most index terms with
// query (the first on ties), skipping Markdown headings.
func bestSentence(text, query string) string {
	want := map[string]bool{}
	for _, t := range textproc.Tokenize(query) {
		want[t] = true
	}
	best, bestScore := "", -1
	for _, s := range textproc.Sentences(text) {
		s = strings.TrimSpace(strings.TrimLeft(s, "#"))
		if s == "" || !strings.ContainsAny(s, ".!?") {
			continue // a heading or a fragment
		}
		score := 0
		for _, t := range textproc.Tokenize(s) {
			if want[t] {
				score++
			}
		}
		if score > bestScore {
			best, bestScore = s, score
		}
	}
	if best == "" {
		best = strings.Join(strings.Fields(text), " ")
	}
	return best
}
