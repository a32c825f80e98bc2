package llm

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	rf "github.com/researchflow/researchflow"

	"github.com/researchflow/researchflow/internal/fault"
	"github.com/researchflow/researchflow/internal/reasoning"
)

type sentenceAnswer struct {
	Text  string   `json:"text"`
	Cites citeList `json:"cites"`
}

type draftAnswer struct {
	Title    string           `json:"title"`
	Summary  []sentenceAnswer `json:"summary"`
	Sections []struct {
		Heading   string           `json:"heading"`
		Sentences []sentenceAnswer `json:"sentences"`
	} `json:"sections"`
}

type promptSection struct {
	SubQuestion string
	Findings    []reasoning.CitedFinding
}

// Write asks the writer model for a draft that cites the numbered sources of
// req.Sources. Citations outside that list (in "cites" or as [n] in the text)
// are rejected: the model is asked once to repair them, and what is still
// invalid is removed; a sentence left without a valid citation keeps
// Cites == nil for the renderer to mark or drop. No [n] marker survives in
// sentence text. An answer that is not valid JSON is repaired once; if the
// repair fails too the error is permanent (kind llm.invalid_output) and the
// caller writes the report another way.
func (e *Engine) Write(ctx context.Context, req reasoning.WriteRequest) (reasoning.Draft, error) {
	c := e.writer
	if c == nil {
		return reasoning.Draft{}, e.notServed(RoleWriter)
	}
	valid := make(map[int]bool, len(req.Sources))
	for _, s := range req.Sources {
		valid[s.N] = true
	}
	sections := make([]promptSection, len(req.Sections))
	for i, s := range req.Sections {
		sections[i] = promptSection{SubQuestion: s.SubQuestion.Text, Findings: s.Findings}
	}
	t, err := c.newTurn(req.Budget, struct {
		Question string
		Sources  []rf.Source
		Sections []promptSection
	}{req.Question, req.Sources, sections})
	if err != nil {
		return reasoning.Draft{}, err
	}

	var draft reasoning.Draft
	var invalid []int
	parse := func(text string) (err error) {
		draft, invalid, err = parseDraft(text, req, valid)
		return err
	}
	answer, err := t.ask(ctx)
	if err != nil {
		return reasoning.Draft{}, err
	}
	problem := t.read(ctx, answer, parse)
	if problem != nil || len(invalid) > 0 {
		msg := ""
		if problem != nil {
			msg = problem.Error()
		} else {
			msg = fmt.Sprintf("it cites source numbers that are not in the source list: %s. Cite only %s.",
				joinInts(invalid), joinInts(sourceNumbers(req.Sources)))
		}
		c.logger.Info("writer answer unusable, asking to repair", "model", c.cfg.Model, "problem", msg)
		kept, keptInvalid := draft, invalid
		answer, err = t.askRepair(ctx, msg)
		if fe, ok := fault.Classify(err); ok && fe.Kind == KindBudget && problem == nil {
			// No budget to fix the citations: keep the draft without them.
			answer, err = nil, nil
		}
		if err != nil {
			return reasoning.Draft{}, err
		}
		repairProblem := errors.New("no repair")
		if answer != nil {
			repairProblem = t.read(ctx, answer, parse)
		}
		switch {
		case repairProblem == nil:
		case problem != nil:
			return reasoning.Draft{}, fault.Permanent(KindInvalidOutput,
				fmt.Errorf("writer %s/%s: answer unusable after repair: %w", c.cfg.Provider, c.cfg.Model, repairProblem))
		default:
			draft, invalid = kept, keptInvalid
		}
		if len(invalid) > 0 {
			c.logger.Warn("writer cites sources outside the list after repair; citations removed",
				"model", c.cfg.Model, "invalid", joinInts(invalid))
		}
	}
	draft.Engine = c.engineName()
	draft.Usage = t.usage
	return draft, nil
}

// parseDraft reads a writer answer, moves [n] markers from sentence text to
// the sentence's citations and keeps only citations of valid sources. It
// returns the numbers it removed, and a problem when the answer cannot be
// used at all.
func parseDraft(answer string, req reasoning.WriteRequest, valid map[int]bool) (d reasoning.Draft, invalid []int, err error) {
	err = decodeJSON(answer, "", func(raw []byte) error {
		var a draftAnswer
		if err := unmarshalShape(raw, &a); err != nil {
			return err
		}
		d, invalid, err = validateDraft(a, req, valid)
		return err
	})
	return d, invalid, err
}

func validateDraft(a draftAnswer, req reasoning.WriteRequest, valid map[int]bool) (reasoning.Draft, []int, error) {
	var invalid []int
	sentences := func(in []sentenceAnswer) []reasoning.Sentence {
		var out []reasoning.Sentence
		for _, s := range in {
			text, inline := takeCiteMarkers(strings.Join(strings.Fields(s.Text), " "))
			if text == "" {
				continue
			}
			var cites []int
			for _, n := range sortedUnique(append(s.Cites.ints(), inline...)) {
				if valid[n] {
					cites = append(cites, n)
				} else {
					invalid = append(invalid, n)
				}
			}
			out = append(out, reasoning.Sentence{Text: text, Cites: cites})
		}
		return out
	}
	// The report is titled by the question, as every engine's is; the
	// model's own title is used only when there is no question.
	d := reasoning.Draft{Title: strings.TrimSpace(req.Question), Summary: sentences(a.Summary)}
	if d.Title == "" {
		d.Title = strings.TrimSpace(a.Title)
	}
	n := 0
	for i, s := range a.Sections {
		heading := strings.TrimSpace(s.Heading)
		if heading == "" && i < len(req.Sections) {
			heading = req.Sections[i].SubQuestion.Text
		}
		ss := sentences(s.Sentences)
		n += len(ss)
		if len(ss) > 0 {
			d.Sections = append(d.Sections, reasoning.DraftSection{Heading: heading, Sentences: ss})
		}
	}
	if n+len(d.Summary) == 0 {
		return reasoning.Draft{}, nil, errors.New("the draft has no sentences; give a summary and one section per sub-question")
	}
	return d, sortedUnique(invalid), nil
}

func sourceNumbers(sources []rf.Source) []int {
	ns := make([]int, len(sources))
	for i, s := range sources {
		ns[i] = s.N
	}
	return sortedUnique(ns)
}

func joinInts(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ", ")
}
