package activities

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"

	"github.com/researchflow/researchflow/workflows"

	rf "github.com/researchflow/researchflow"

	"go.temporal.io/sdk/activity"

	"github.com/researchflow/researchflow/internal/fault"

	"github.com/researchflow/researchflow/internal/corpus"
	"github.com/researchflow/researchflow/internal/godoc"
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/reasoning/conflict"
	"github.com/researchflow/researchflow/internal/reasoning/extractive"
	"github.com/researchflow/researchflow/internal/report"
	"github.com/researchflow/researchflow/internal/textproc"
)

// ChunkGetter reads chunks back from memory by ID.
type ChunkGetter interface {
	Get(ctx context.Context, ids []string) ([]memory.Chunk, error)
}

// Inference serves the inference pool: the reasoning roles.
type Inference struct {
	Engine reasoning.Engine
	// Offline writes reports when a run's budget is spent (the extractive
	// engine: it costs no tokens).
	Offline reasoning.Engine
	Chunks  ChunkGetter
	Logger  *slog.Logger
	// Calls, if set, prices the model calls of a plan's estimate
	// (EstimatePlan); nil: the offline engine, whose calls cost nothing.
	Calls CallEstimator
	// WithHeartbeat, if set, lets an engine heartbeat while it streams
	// (langchaingo streaming calls); it returns the context to call with.
	WithHeartbeat func(ctx context.Context, beat func()) context.Context
}

func (a *Inference) logger(ctx context.Context) interface {
	Info(string, ...any)
	Warn(string, ...any)
} {
	if activity.IsActivity(ctx) {
		return activity.GetLogger(ctx)
	}
	if a.Logger != nil {
		return a.Logger
	}
	return slog.Default()
}

// meter accounts for the model calls of one activity attempt on top of the
// earlier attempts' total, and heartbeats the running total after each
// call.
type meter struct {
	beats *beats
	mu    sync.Mutex
	prev  rf.Usage // earlier attempts
	cur   rf.Usage // this attempt
}

func newMeter(ctx context.Context) *meter {
	m := &meter{}
	m.beats = newBeats(ctx, m.details)
	if activity.IsActivity(ctx) && activity.HasHeartbeatDetails(ctx) {
		var p workflows.InferenceProgress
		if err := activity.GetHeartbeatDetails(ctx, &p); err == nil {
			m.prev = p.Usage
		}
	}
	return m
}

func (m *meter) add(u rf.Usage) {
	m.mu.Lock()
	m.cur = m.cur.Add(u)
	m.mu.Unlock()
	m.beat()
}

// details is the heartbeat detail now: every beat must carry it, or the
// server would keep a beat without it.
func (m *meter) details() any { return workflows.InferenceProgress{Usage: m.total()} }

func (m *meter) total() rf.Usage {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.prev.Add(m.cur)
}

func (m *meter) beat() { m.beats.beat() }

// start begins an attempt: it heartbeats in the background and returns the
// context for the engine, which records every model call's usage in m and
// heartbeats while an answer streams, and the budget of this attempt: what
// is left of budget after the earlier attempts (zero = no cap), for the
// engine's request.
func (a *Inference) start(ctx context.Context, budget rf.Budget) (context.Context, *meter, rf.Budget, func()) {
	m := newMeter(ctx)
	stop := m.beats.keepAlive()
	call := reasoning.WithUsageRecorder(ctx, m.add)
	if activity.IsActivity(ctx) {
		call = reasoning.WithRunLogger(call, activity.GetLogger(ctx))
	}
	if a.WithHeartbeat != nil && activity.IsActivity(ctx) {
		call = a.WithHeartbeat(call, m.beat)
	}
	return call, m, budget.Left(m.prev), stop
}

// fail classifies err and attaches the attempts' total usage to it.
func (m *meter) fail(err error) error {
	return classifyWithDetails(err, workflows.InferenceProgress{Usage: m.total()})
}

// Plan splits the question into sub-questions.
func (a *Inference) Plan(ctx context.Context, in workflows.PlanInput) (reasoning.Plan, error) {
	if strings.TrimSpace(in.Question) == "" {
		return reasoning.Plan{}, invalid(workflows.ErrInvalidInput, "plan needs a question")
	}
	call, m, budget, stop := a.start(ctx, in.Budget)
	defer stop()
	plan, err := a.Engine.Planner.Plan(call, reasoning.PlanRequest{Question: in.Question, MaxSubQuestions: in.MaxSubQuestions, Budget: budget})
	if err != nil {
		return reasoning.Plan{}, m.fail(fmt.Errorf("plan %q: %w", in.Question, err))
	}
	plan.Usage = m.prev.Add(plan.Usage)
	if in.MaxSubQuestions > 0 && len(plan.SubQuestions) > in.MaxSubQuestions {
		plan.SubQuestions = plan.SubQuestions[:in.MaxSubQuestions]
	}
	a.logger(ctx).Info("planned", "subQuestions", len(plan.SubQuestions), "engine", plan.Engine)
	return plan, nil
}

// Analyze extracts the findings of one sub-question from its chunks. Findings
// that point at a chunk the analyst was not given are dropped here, whatever
// the engine did.
func (a *Inference) Analyze(ctx context.Context, in workflows.AnalyzeInput) (workflows.AnalyzeResult, error) {
	if len(in.ChunkIDs) == 0 {
		return workflows.AnalyzeResult{}, invalid(workflows.ErrInvalidInput, "analyze needs chunk IDs")
	}
	call, m, budget, stop := a.start(ctx, in.Budget)
	defer stop()
	chunks, err := a.Chunks.Get(ctx, in.ChunkIDs)
	if err != nil {
		return workflows.AnalyzeResult{}, m.fail(fmt.Errorf("read %d chunks: %w", len(in.ChunkIDs), err))
	}
	if len(chunks) == 0 {
		return workflows.AnalyzeResult{}, invalid(workflows.ErrCorpusEmpty, "none of the retrieved chunks is in memory any more")
	}
	passages := make([]reasoning.Passage, len(chunks))
	given := make(map[string]memory.Chunk, len(chunks))
	for i, c := range chunks {
		given[c.ID] = c
		passages[i] = reasoning.Passage{
			ChunkID: c.ID, SourceID: c.SourceID, Title: c.SourceTitle, Location: c.SourceLocation,
			// Sentences addressed to machines are never evidence, also in
			// chunks stored before extraction removed them.
			Section: c.Section, Text: corpus.WithoutMachineAddressed(c.Text), Score: float64(len(chunks) - i),
		}
	}
	if in.OnTopic && in.Parts {
		if parts := a.parts(ctx, in.SubQuestion); len(parts) > 1 {
			return a.analyzeParts(ctx, call, m, in, parts, chunks, passages)
		}
	}
	if in.OnTopic {
		if missing := unmentioned(in.SubQuestion.Text, chunks); len(missing) > 0 {
			a.logger(ctx).Info("not analyzed: no passage mentions the sub-question's topic", "subQuestion", in.SubQuestion.ID,
				"unmentioned", missing, "passages", len(chunks))
			return workflows.AnalyzeResult{Analysis: reasoning.Analysis{Findings: []reasoning.Finding{}, Usage: m.prev}, Unmentioned: missing}, nil
		}
	}
	analysis, err := a.Engine.Analyst.Analyze(call, reasoning.AnalyzeRequest{
		Question: in.Question, SubQuestion: in.SubQuestion, Passages: passages, MaxFindings: in.MaxFindings,
		Budget: budget,
	})
	if err != nil {
		return workflows.AnalyzeResult{}, m.fail(fmt.Errorf("analyze %q: %w", in.SubQuestion.Text, err))
	}
	analysis.Usage = m.prev.Add(analysis.Usage)
	var b binder
	analysis.Findings = a.bind(ctx, &b, analysis.Findings, given)
	a.logger(ctx).Info("analyzed", "subQuestion", in.SubQuestion.ID, "findings", len(analysis.Findings), "engine", analysis.Engine)
	return workflows.AnalyzeResult{Analysis: analysis, Sources: b.sources}, nil
}

// binder gathers the sources of an analysis's findings, each once, with
// the chunks they cite.
type binder struct {
	sources []rf.Source
	index   map[string]int // lookup only, never iterated
}

// bind keeps the findings bound to a chunk the analyst was given, with
// their source, and adds their sources to b.
func (a *Inference) bind(ctx context.Context, b *binder, findings []reasoning.Finding, given map[string]memory.Chunk) []reasoning.Finding {
	if b.index == nil {
		b.index = map[string]int{}
	}
	kept := findings[:0]
	for _, f := range findings {
		c, ok := given[f.ChunkID]
		if !ok {
			a.logger(ctx).Warn("dropped a finding bound to a chunk that was not given", "chunk", f.ChunkID)
			continue
		}
		f.SourceID = c.SourceID
		kept = append(kept, f)
		i, seen := b.index[c.SourceID]
		if !seen {
			i = len(b.sources)
			b.index[c.SourceID] = i
			b.sources = append(b.sources, chunkSource(c))
		}
		if !contains(b.sources[i].ChunkIDs, c.ID) {
			b.sources[i].ChunkIDs = append(b.sources[i].ChunkIDs, c.ID)
		}
	}
	return kept
}

// chunkSource is the source of chunk c: its document, and the public
// address of a file of the Go documentation (godoc.URL), which a
// report cites rather than where this machine's Go installation keeps it.
func chunkSource(c memory.Chunk) rf.Source {
	src := rf.Source{SourceID: c.SourceID, Title: c.SourceTitle, Location: c.SourceLocation}
	if c.Corpus == corpus.GoDocsCorpus {
		src.Link = godoc.URL(c.SourceLocation)
	}
	return src
}

// parts splits sq into its parts with the offline planner, which costs
// nothing and gives the same parts every time (extractive.Parts); nil
// when it has one part, or when this worker has no offline planner.
func (a *Inference) parts(ctx context.Context, sq reasoning.SubQuestion) []reasoning.SubQuestion {
	if a.Offline.Planner == nil {
		return nil
	}
	plan, err := a.Offline.Planner.Plan(ctx, reasoning.PlanRequest{Question: sq.Text, MaxSubQuestions: extractive.MaxSubQuestionsLimit})
	if err != nil {
		a.logger(ctx).Warn("not split into parts; analyzed whole", "subQuestion", sq.ID, "error", err)
		return nil
	}
	parts := extractive.Parts(plan)
	for i := range parts {
		parts[i].ID = fmt.Sprintf("%s.%d", sq.ID, i+1)
	}
	return parts
}

// analyzeParts is Analyze of a sub-question of several parts: each part
// is held to its own topic (a part whose topic word no passage mentions is
// not given to the analyst) and analyzed on its own, one analyst call per
// part, each with its share of what is left of the budget; once the budget
// is spent, the parts left are not analyzed. The analysis holds the
// findings of all parts, a finding that two parts found once.
func (a *Inference) analyzeParts(ctx, call context.Context, m *meter, in workflows.AnalyzeInput, parts []reasoning.SubQuestion,
	chunks []memory.Chunk, passages []reasoning.Passage) (workflows.AnalyzeResult, error) {
	given := make(map[string]memory.Chunk, len(chunks))
	for _, c := range chunks {
		given[c.ID] = c
	}
	out := workflows.AnalyzeResult{Parts: make([]workflows.AnalyzedPart, len(parts))}
	toAsk := 0
	for i, p := range parts {
		out.Parts[i] = workflows.AnalyzedPart{SubQuestion: p, Unmentioned: unmentioned(p.Text, chunks)}
		if len(out.Parts[i].Unmentioned) == 0 {
			toAsk++
		}
	}
	var b binder
	var used rf.Usage // this attempt's calls
	findings := []reasoning.Finding{}
	for i, p := range parts {
		part := &out.Parts[i]
		if len(part.Unmentioned) > 0 {
			a.logger(ctx).Info("part not analyzed: no passage mentions its topic", "subQuestion", p.ID, "unmentioned", part.Unmentioned)
			continue
		}
		if in.Budget.Spent(m.prev.Add(used)) {
			part.BudgetSpent = true
			toAsk--
			continue
		}
		analysis, err := a.Engine.Analyst.Analyze(call, reasoning.AnalyzeRequest{
			Question: in.Question, SubQuestion: p, Passages: passages, MaxFindings: in.MaxFindings,
			Budget: in.Budget.Share(m.prev.Add(used), toAsk),
		})
		toAsk--
		if err != nil {
			return workflows.AnalyzeResult{}, m.fail(fmt.Errorf("analyze %q: %w", p.Text, err))
		}
		used = used.Add(analysis.Usage)
		if out.Analysis.Engine == "" {
			out.Analysis.Engine = analysis.Engine
		}
		out.Analysis.Conflicts = append(out.Analysis.Conflicts, analysis.Conflicts...)
		for _, f := range a.bind(ctx, &b, analysis.Findings, given) {
			part.Findings++
			if !slices.ContainsFunc(findings, func(g reasoning.Finding) bool { return g.ChunkID == f.ChunkID && g.Text == f.Text }) {
				findings = append(findings, f)
			}
		}
		a.logger(ctx).Info("analyzed", "subQuestion", p.ID, "findings", part.Findings, "engine", analysis.Engine)
	}
	out.Analysis.Findings = findings
	out.Analysis.Usage = m.prev.Add(used)
	out.Sources = b.sources
	return out, nil
}

// unmentioned are the topic words of question (textproc.Topics) that none
// of chunks mentions in its text, heading or title, as question writes
// them. The word naming the kind of answer asked ("command" in "Which
// kubectl command undoes the rollout?") is mentioned by a chunk that
// shows one (textproc.HoldsKind: a command line).
func unmentioned(question string, chunks []memory.Chunk) []string {
	texts := make([]string, 0, 3*len(chunks))
	bodies := make([]string, 0, len(chunks))
	for _, c := range chunks {
		body := corpus.WithoutMachineAddressed(c.Text)
		texts = append(texts, c.SourceTitle, c.Section, body)
		bodies = append(bodies, body)
	}
	terms := textproc.TermSet(texts...)
	var out []string
	for _, t := range textproc.Topics(question) {
		if !t.In(terms) && !(t.Asked && textproc.HoldsKind(t.Word, bodies...)) {
			out = append(out, t.Word)
		}
	}
	return out
}

// Synthesize writes the report from the cited findings and renders it. The
// renderer drops any citation that is not in the numbered source list.
func (a *Inference) Synthesize(ctx context.Context, in workflows.SynthesizeInput) (workflows.SynthesizeResult, error) {
	call, m, budget, stop := a.start(ctx, in.Budget)
	defer stop()
	var draft reasoning.Draft
	writer := a.Engine.Writer
	if in.Offline && a.Offline.Writer != nil {
		writer = a.Offline.Writer
	}
	notes := in.Notes
	// A low-confidence report states no findings: what was found does not
	// clearly answer, and each sub-question it was found for is a gap.
	// The question as asked is no unanswered part when its parts are
	// planned and one is answered (see report.WithoutAskedGap): "How much
	// is on-call paid, and is there a parking allowance?" is half
	// answered, not a third. A sub-question that only supports the
	// question ("What is GitLab?" of "How do I cache node_modules between
	// GitLab CI jobs?") is no part of it.
	confidence := report.Confidence(in.Sections, report.WithoutAskedGap(in.Question, partAnswered(in.Sections), in.Gaps))
	sections, gaps := in.Sections, in.Gaps
	if confidence == report.ConfidenceLow && len(sections) > 0 {
		gaps = append([]rf.Gap(nil), gaps...)
		for _, sec := range sections {
			gaps = append(gaps, rf.Gap{SubQuestion: sec.SubQuestion.Text, Reason: "the sources found do not clearly answer it"})
		}
		sections = nil
	}
	if len(sections) > 0 {
		req := reasoning.WriteRequest{Question: in.Question, Sections: sections, Sources: in.Sources, Budget: budget}
		var err error
		draft, err = writer.Write(call, req)
		if fe, ok := fault.Classify(err); ok && fe.Permanent && (fe.Kind == errModelOutput || fe.Kind == errModelBudget) &&
			a.Offline.Writer != nil && !in.Offline {
			// The model's draft cannot be had (its answer stays unusable, or
			// the budget is spent): the offline writer writes the report,
			// and the footer says why.
			a.logger(ctx).Warn("model writer failed for good; the offline writer writes the report", "error", err)
			notes = append(append([]string(nil), notes...), "the model's draft could not be used ("+err.Error()+"): the report was written by the offline extractive engine")
			spent := m.total()
			draft, err = a.Offline.Writer.Write(ctx, req)
			draft.Usage = draft.Usage.Add(spent)
			if err != nil {
				return workflows.SynthesizeResult{}, m.fail(fmt.Errorf("write report offline: %w", err))
			}
		} else if err != nil {
			return workflows.SynthesizeResult{}, m.fail(fmt.Errorf("write report: %w", err))
		} else {
			draft.Usage = m.prev.Add(draft.Usage)
		}
	}
	engines := in.Engines
	if draft.Engine != "" && !contains(engines, draft.Engine) {
		engines = append(append([]string(nil), engines...), draft.Engine)
	}
	// Only cited sources are listed, numbered in order of first citation.
	draft, cited := report.CitedInOrder(draft, in.Sources)
	// A sub-question a cited sentence of the report answers (found for
	// the whole question or another sub-question) is no gap.
	if open := report.OpenGaps(draft, cited, gaps); len(open) < len(gaps) {
		a.logger(ctx).Info("gaps the report answers are not listed", "gaps", len(gaps), "open", len(open))
		gaps = open
	}
	gaps = report.WithoutAskedGap(in.Question, len(sections) > 0 && len(cited) > 0, gaps)
	// Where sources disagree, both are cited, listed or not by the draft.
	conflicts, cited := citeConflicts(conflict.DetectAbout(in.Question, claims(sections)), in.Sources, cited)
	md, stats := report.Render(report.Report{
		Question:   in.Question,
		Confidence: confidence,
		Draft:      draft,
		Sources:    cited,
		Gaps:       gaps,
		Conflicts:  conflicts,
		// A sentence whose citations were all invalid stays visible, marked
		// as unverified, rather than silently dropped or silently trusted.
		MarkUngrounded: true,
		Meta: report.Meta{
			ResearchID:  in.ResearchID,
			Engine:      strings.Join(engines, "; "),
			Corpus:      in.Corpus,
			Usage:       in.Usage.Add(draft.Usage),
			GeneratedAt: activity.GetInfo(ctx).StartedTime,
			Notes:       notes,
		},
	})
	// A report that says where its sources disagree states two answers:
	// its confidence is at most medium, in the report and the result.
	if c := report.DisputedConfidence(md, confidence); c != confidence {
		confidence = c
		md = report.StateConfidence(md, c)
	}
	title := draft.Title
	if title == "" {
		title = in.Question
	}
	return workflows.SynthesizeResult{Title: title, Markdown: md, Engine: draft.Engine, Usage: draft.Usage, Dropped: stats.Dropped, Ungrounded: stats.Ungrounded,
		Sources: cited, CitedSources: true, Confidence: confidence, Gaps: gaps, GapsSet: true,
		Claims: report.Claims(draft, cited)}, nil
}

// Reflect names follow-up sub-questions for the gaps a round left.
func (a *Inference) Reflect(ctx context.Context, in workflows.ReflectInput) (reasoning.Reflection, error) {
	if a.Engine.Reflector == nil {
		return reasoning.Reflection{}, nil
	}
	call, m, budget, stop := a.start(ctx, in.Budget)
	defer stop()
	req := in.Request
	req.Budget = budget
	refl, err := a.Engine.Reflector.Reflect(call, req)
	if err != nil {
		return reasoning.Reflection{}, m.fail(fmt.Errorf("reflect on %q: %w", in.Request.Question, err))
	}
	refl.Usage = m.prev.Add(refl.Usage)
	if max := in.Request.MaxFollowUps; len(refl.FollowUps) > max {
		refl.FollowUps = refl.FollowUps[:max]
	}
	a.logger(ctx).Info("reflected", "followUps", len(refl.FollowUps), "engine", refl.Engine)
	return refl, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// claims are the cited findings of every section, for the conflict
// detector: where two sources disagree, the report says so.
func claims(sections []reasoning.SectionInput) []conflict.Claim {
	var out []conflict.Claim
	for _, sec := range sections {
		for _, f := range sec.Findings {
			out = append(out, conflict.Claim{Text: f.Text, ChunkID: f.ChunkID, SourceID: f.SourceID, N: f.N})
		}
	}
	return out
}

// citeConflicts renumbers the claims of conflicts (numbered as in sources,
// the writer's list) into cited (the report's list, see
// report.CitedInOrder), appending a source that the draft does not cite
// with the next number, so that both sides of a disagreement are listed.
// A conflict whose source is unknown is left out.
func citeConflicts(conflicts []conflict.Conflict, sources, cited []rf.Source) ([]conflict.Conflict, []rf.Source) {
	byN := map[int]rf.Source{}
	for _, s := range sources {
		byN[s.N] = s
	}
	renumber := func(c *conflict.Claim) bool {
		src, ok := byN[c.N]
		if !ok || c.N <= 0 {
			return false
		}
		for _, s := range cited {
			if s.SourceID == src.SourceID {
				c.N = s.N
				return true
			}
		}
		src.N = len(cited) + 1
		cited = append(cited, src)
		c.N = src.N
		return true
	}
	var out []conflict.Conflict
	for _, c := range conflicts {
		if _, ok := byN[c.A.N]; !ok {
			continue
		}
		if _, ok := byN[c.B.N]; !ok {
			continue
		}
		if renumber(&c.A) && renumber(&c.B) {
			out = append(out, c)
		}
	}
	return out, cited
}

// partAnswered reports whether a section that states findings answers a
// part of the question (a clause or an item of a list the offline planner
// planned: extractive.IsPart).
func partAnswered(sections []reasoning.SectionInput) bool {
	return slices.ContainsFunc(sections, func(s reasoning.SectionInput) bool {
		return len(s.Findings) > 0 && extractive.IsPart(s.SubQuestion)
	})
}
