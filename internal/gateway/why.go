package gateway

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/changes"
	"github.com/researchflow/researchflow/internal/memory"
)

// Why answers GET /v1/research/{id}/why: the audit told for a person. Per
// sub-question, why it was asked, the passages it read (source title and
// quote, never IDs) on one relevance scale, what it kept with its [n], and
// why it has a gap, dead letters included. The audit (…/audit) keeps the
// IDs and raw scores.
type Why struct {
	Question string `json:"question"`
	// Relevance explains the passages' relevance numbers.
	Relevance    string           `json:"relevance"`
	SubQuestions []WhySubQuestion `json:"subQuestions"`
	// Decisions are the run's choices (plan, approval, reflection, budget).
	Decisions []WhyDecision `json:"decisions,omitempty"`
}

// WhySubQuestion is one sub-question in Why.
type WhySubQuestion struct {
	Text string `json:"text"`
	// Reason is why it was asked, in the planner's, reflection's or
	// approver's words.
	Reason string `json:"reason"`
	// Answered: while the run works, its analysis found something; once
	// the run completed, the report cites what it found.
	Answered bool         `json:"answered"`
	Passages []WhyPassage `json:"passages"`
	Findings []WhyFinding `json:"findings"`
	Gaps     []WhyGap     `json:"gaps"`
}

// WhyPassage is a passage a sub-question's search chose for reading.
type WhyPassage struct {
	Source string `json:"source"`
	Quote  string `json:"quote"`
	// Relevance is 0 to 100: 100 is the passage closest to the
	// sub-question among those found for it, the others in proportion.
	Relevance int `json:"relevance"`
}

// WhyFinding is a statement a sub-question kept for the report.
type WhyFinding struct {
	Text   string `json:"text"`
	Source string `json:"source,omitempty"`
	// Cited is its source's number in the report ([n]); 0 if not cited.
	Cited int `json:"cited,omitempty"`
}

// WhyGap is something a sub-question lacks: Reason in plain words, Cause
// the technical cause (an error) when there is one.
type WhyGap struct {
	Reason string `json:"reason"`
	Cause  string `json:"cause,omitempty"`
}

// WhyDecision is one decision of the run.
type WhyDecision struct {
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
}

const (
	whyPassages  = 5
	whyQuoteRune = 280
	// whyRelevance is the one scale the Why panel uses.
	whyRelevance = "Relevance runs from 0 to 100 within each sub-question: 100 is the passage the search found closest to it, the others in proportion to their closeness."
)

func (s *server) why(c *gin.Context) error {
	r, err := s.lookup(c)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), 10*time.Second)
	defer cancel()
	a, err := s.runs.Audit(ctx, r.ID)
	if err != nil {
		s.log.Warn("gateway: audit query failed", "id", r.ID, "err", err)
		return newAPIError(http.StatusServiceUnavailable, "audit_unavailable", "the run's explanation cannot be read now (no workflow worker answers); try again later")
	}
	// A finished run's gaps are in plain words with their cause, and its
	// dead letters are final.
	var res *rf.ResearchResult
	if r.Closed && r.Status == rf.StatusCompleted {
		if got, err := s.runs.Result(ctx, r.ID); err == nil {
			res = &got
		}
	}
	chunks := s.whyChunks(ctx, a)
	titles := map[string]string{}
	for _, src := range a.Sources {
		titles[src.SourceID] = src.Title
	}
	out := Why{Question: a.Question, Relevance: whyRelevance, SubQuestions: []WhySubQuestion{}}
	for _, sq := range a.SubQuestions {
		w := WhySubQuestion{Text: sq.Text, Reason: sq.Why, Answered: len(sq.Findings) > 0, Passages: []WhyPassage{}, Findings: []WhyFinding{}, Gaps: []WhyGap{}}
		if sq.Retrieval != nil {
			best := 0.0
			for _, p := range sq.Retrieval.Passages {
				best = math.Max(best, p.Score)
			}
			for _, p := range sq.Retrieval.Passages {
				if len(w.Passages) == whyPassages {
					break
				}
				ch, ok := chunks[p.ChunkID]
				if !ok {
					continue
				}
				rel := 0
				if best > 0 {
					rel = int(math.Round(100 * math.Max(p.Score, 0) / best))
				}
				src := titles[ch.SourceID]
				if src == "" {
					src = chunkSource(ch)
				}
				w.Passages = append(w.Passages, WhyPassage{Source: src, Quote: quote(ch.Text), Relevance: rel})
			}
		}
		for _, f := range sq.Findings {
			src := titles[f.SourceID]
			if ch, ok := chunks[f.ChunkID]; ok && src == "" {
				src = chunkSource(ch)
			}
			w.Findings = append(w.Findings, WhyFinding{Text: f.Text, Source: src, Cited: f.Cited})
		}
		if res != nil {
			// A finished run's sub-question is answered when the report
			// cites what it found: a low-confidence report states none of
			// its findings, and each is a gap there.
			w.Answered = false
			for _, f := range sq.Findings {
				w.Answered = w.Answered || f.Cited > 0
			}
		}
		w.Gaps = whyGaps(sq, res, a)
		out.SubQuestions = append(out.SubQuestions, w)
	}
	for _, d := range a.Decisions {
		out.Decisions = append(out.Decisions, WhyDecision{Kind: d.Kind, Detail: d.Detail})
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// whyGaps are sub-question sq's gaps: the result's (plain reason and
// cause) for a finished run, else the audit's; then each dead letter of a
// source that failed for good.
func whyGaps(sq rf.AuditSubQuestion, res *rf.ResearchResult, a rf.Audit) []WhyGap {
	out := []WhyGap{}
	found := false
	if res != nil {
		for _, g := range res.Gaps {
			if changes.FoldText(g.SubQuestion) == changes.FoldText(sq.Text) {
				out = append(out, WhyGap{Reason: g.Reason, Cause: g.Cause})
				found = true
			}
		}
	}
	if !found && sq.Gap != "" {
		out = append(out, WhyGap{Reason: sq.Gap})
	}
	var dead []rf.DeadLetter
	if res != nil {
		dead = res.DeadLetters
	}
	for _, d := range dead {
		if d.SubQuestionID == sq.ID || (d.SubQuestionID == "" && changes.FoldText(d.SubQuestion) == changes.FoldText(sq.Text)) {
			out = append(out, WhyGap{
				Reason: d.Provider + " could not be searched for it (gave up after " + plural(d.Attempts, "attempt") + ")",
				Cause:  d.LastError,
			})
		}
	}
	return out
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// whyChunks reads the passages the audit names (nothing when the gateway
// has no memory: the panel then shows findings and gaps only).
func (s *server) whyChunks(ctx context.Context, a rf.Audit) map[string]memory.Chunk {
	out := map[string]memory.Chunk{}
	if s.chunks == nil {
		return out
	}
	var ids []string
	for _, sq := range a.SubQuestions {
		if sq.Retrieval != nil {
			for i, p := range sq.Retrieval.Passages {
				if i < whyPassages*2 {
					ids = append(ids, p.ChunkID)
				}
			}
		}
		for _, f := range sq.Findings {
			ids = append(ids, f.ChunkID)
		}
	}
	if len(ids) == 0 {
		return out
	}
	got, err := s.chunks.Get(ctx, ids)
	if err != nil {
		s.log.WarnContext(ctx, "gateway: passages of the explanation not read", "err", err)
		return out
	}
	for _, ch := range got {
		out[ch.ID] = ch
	}
	return out
}

// chunkSource names a passage's source for a reader: its title, else its
// file name or URL.
func chunkSource(ch memory.Chunk) string {
	if t := strings.TrimSpace(ch.SourceTitle); t != "" {
		return t
	}
	name, _ := documentName(ch.SourceLocation)
	return name
}

// quote is the start of a passage, cut at a word near whyQuoteRune runes.
func quote(text string) string {
	t := strings.Join(strings.Fields(text), " ")
	r := []rune(t)
	if len(r) <= whyQuoteRune {
		return t
	}
	cut := string(r[:whyQuoteRune])
	if i := strings.LastIndex(cut, " "); i > whyQuoteRune/2 {
		cut = cut[:i]
	}
	return cut + " …"
}
