package llm

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/researchflow/researchflow/internal/fault"
	"github.com/researchflow/researchflow/internal/reasoning"
)

const (
	// defaultMaxFindings applies when an AnalyzeRequest gives none.
	defaultMaxFindings = 6
	// maxPassageChars keeps one passage from filling the model's context.
	maxPassageChars = 4000
)

type analysisAnswer struct {
	Findings *[]struct {
		Text    string     `json:"text"`
		Passage passageRef `json:"passage"`
	} `json:"findings"`
	Conflicts []struct {
		Text     string   `json:"text"`
		Passages citeList `json:"passages"`
	} `json:"conflicts"`
}

type promptPassage struct {
	N                              int
	Title, Location, Section, Text string
}

// Analyze asks the analyst model for findings, each bound to one of the
// passages it was given (numbered P1…Pn in the prompt and mapped back to
// ChunkIDs here). Findings that cite a passage it was not given are
// discarded; conflicts are kept only when they name passages of at least two
// different sources. An answer that is not valid JSON is repaired once; if
// the repair fails too the error is permanent (kind llm.invalid_output):
// the same input would get the same answer, so the caller makes the
// sub-question a gap instead of paying for retries.
func (e *Engine) Analyze(ctx context.Context, req reasoning.AnalyzeRequest) (reasoning.Analysis, error) {
	c := e.analyst
	if c == nil {
		return reasoning.Analysis{}, e.notServed(RoleAnalyst)
	}
	if len(req.Passages) == 0 {
		return reasoning.Analysis{Engine: c.engineName()}, nil
	}
	maxF := req.MaxFindings
	if maxF <= 0 {
		maxF = defaultMaxFindings
	}
	passages := make([]promptPassage, len(req.Passages))
	for i, p := range req.Passages {
		text := strings.TrimSpace(p.Text)
		if len(text) > maxPassageChars {
			text = strings.ToValidUTF8(text[:maxPassageChars], "") + " …"
		}
		passages[i] = promptPassage{N: i + 1, Title: p.Title, Location: p.Location, Section: p.Section, Text: text}
	}
	t, err := c.newTurn(req.Budget, struct {
		Question, SubQuestion string
		Passages              []promptPassage
		MaxFindings           int
	}{req.Question, req.SubQuestion.Text, passages, maxF})
	if err != nil {
		return reasoning.Analysis{}, err
	}

	var a analysisAnswer
	parse := func(text string) (err error) {
		a, err = parseAnalysis(text)
		return err
	}
	answer, err := t.ask(ctx)
	if err != nil {
		return reasoning.Analysis{}, err
	}
	problem := t.read(ctx, answer, parse)
	if problem != nil {
		c.logger.Info("analyst answer unusable, asking to repair", "model", c.cfg.Model, "problem", problem)
		if answer, err = t.askRepair(ctx, problem.Error()); err != nil {
			return reasoning.Analysis{}, err
		}
		problem = t.read(ctx, answer, parse)
	}
	if problem != nil {
		// The same input would get the same answer: not worth a retry.
		return reasoning.Analysis{}, fault.Permanent(KindInvalidOutput,
			fmt.Errorf("analyst %s/%s: answer unusable after repair: %w", c.cfg.Provider, c.cfg.Model, problem))
	}

	out := reasoning.Analysis{Engine: c.engineName(), Usage: t.usage}
	seen := map[string]bool{}
	for _, f := range *a.Findings {
		text := strings.Join(strings.Fields(f.Text), " ")
		text, _ = takeCiteMarkers(text)
		n := int(f.Passage)
		if n < 1 || n > len(req.Passages) {
			c.logger.Info("analyst finding cites a passage it was not given; discarded", "passage", n, "passages", len(req.Passages))
			continue
		}
		if text == "" || seen[normalizeKey(text)] {
			continue
		}
		seen[normalizeKey(text)] = true
		p := req.Passages[n-1]
		out.Findings = append(out.Findings, reasoning.Finding{Text: text, ChunkID: p.ChunkID, SourceID: p.SourceID, Score: p.Score})
		if len(out.Findings) == maxF {
			break
		}
	}
	for _, cf := range a.Conflicts {
		if s, ok := describeConflict(cf.Text, cf.Passages.ints(), req.Passages); ok {
			out.Conflicts = append(out.Conflicts, s)
		}
	}
	return out, nil
}

func parseAnalysis(answer string) (a analysisAnswer, err error) {
	err = decodeJSON(answer, "findings", func(raw []byte) error {
		a = analysisAnswer{}
		if err := unmarshalShape(raw, &a); err != nil {
			return err
		}
		if a.Findings == nil {
			return errors.New(`the "findings" array is missing; give "findings":[] when no passage answers`)
		}
		return nil
	})
	return a, err
}

// describeConflict renders a conflict between passages ns as
// "<text> (sources: Title A; Title B)", or reports false when it does not
// name valid passages of two different sources.
func describeConflict(text string, ns []int, passages []reasoning.Passage) (string, bool) {
	text = strings.Join(strings.Fields(text), " ")
	text, _ = takeCiteMarkers(text)
	if text == "" {
		return "", false
	}
	var names []string
	seen := map[string]bool{}
	for _, n := range sortedUnique(ns) {
		if n < 1 || n > len(passages) {
			return "", false
		}
		p := passages[n-1]
		key := p.SourceID
		if key == "" {
			key = p.ChunkID
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		name := p.Title
		if name == "" {
			name = key
		}
		names = append(names, name)
	}
	if len(names) < 2 {
		return "", false
	}
	return fmt.Sprintf("%s (sources: %s)", text, strings.Join(names, "; ")), true
}
