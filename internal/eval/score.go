package eval

import (
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Source is an entry of a report's source list.
type Source struct {
	N        int    `json:"n"`
	Title    string `json:"title"`
	Location string `json:"location"`
}

// Answer is what a Researcher returns for one question.
type Answer struct {
	// Report is the Markdown report, with [n] citations and a "## Sources"
	// section.
	Report  string   `json:"-"`
	Sources []Source `json:"sources"`
	// Gaps counts the sub-questions the run could not answer.
	Gaps             int           `json:"gaps"`
	Engine           string        `json:"engine"`
	Latency          time.Duration `json:"latencyNs"`
	PromptTokens     int           `json:"promptTokens,omitempty"`
	CompletionTokens int           `json:"completionTokens,omitempty"`
	CostUSD          float64       `json:"costUsd,omitempty"`
	// Evidence holds the texts of the passages handed to the analyst and
	// writer (what a model would see); nil when the researcher cannot tell.
	Evidence []string `json:"-"`
	// Confidence is the report's confidence (high, medium, low) when the
	// engine gives one.
	Confidence string `json:"confidence,omitempty"`
	// Estimate is the run's estimate beside its use, when it made one.
	Estimate *EstimateCheck `json:"estimate,omitempty"`
	// Signals are what the confidence is derived from, read from the run's
	// audit (nil when the researcher cannot tell): results keep them so
	// that the thresholds can be calibrated on the tune half.
	Signals *Signals `json:"-"`
}

// Signals are the evidence scores behind a report's confidence (see
// internal/report.Confidence).
type Signals struct {
	// SubQuestions counts the planned sub-questions; Answered those the
	// analyst found evidence for.
	SubQuestions int `json:"subQuestions"`
	Answered     int `json:"answered"`
	// BestScore is the analyst's score of its best finding (0 for a model
	// analyst, which gives none).
	BestScore float64 `json:"bestScore"`
	// Support is the weakest answered sub-question's best support (see
	// reasoning.Finding.Support; 0 when none is known).
	Support float64 `json:"support,omitempty"`
}

// Score is the verdict on one answer.
type Score struct {
	ID         string `json:"id"`
	Answerable bool   `json:"answerable"`
	// NuggetRecall is the share of nuggets matched (answerable only).
	NuggetRecall float64 `json:"nuggetRecall"`
	// Missed lists the nuggets not matched.
	Missed []string `json:"missed,omitempty"`
	// EvidenceRecall is the share of nuggets found in the passages handed
	// to the analyst and writer; -1 when the evidence is unknown.
	EvidenceRecall float64 `json:"evidenceRecall"`
	// OffTopic: the report states cited findings although no gold source
	// is cited (answerable) or there is nothing to find (unanswerable).
	OffTopic bool `json:"offTopic"`
	// ConfidentOffTopic: OffTopic without a low confidence warning (a
	// report that says "The sources found do not clearly answer this
	// question" does not look confident).
	ConfidentOffTopic bool `json:"confidentOffTopic"`
	// Confidence is the report's stated confidence, when it has one.
	Confidence string `json:"confidence,omitempty"`
	// Signals are the evidence scores the confidence came from, when known.
	Signals *Signals `json:"signals,omitempty"`
	// GoldCited: some cited source is gold (answerable only).
	GoldCited bool `json:"goldCited"`
	// Citations counts [n] marks in the body; GoldCitations those that
	// point at a gold source.
	Citations     int `json:"citations"`
	GoldCitations int `json:"goldCitations"`
	// Sources counts listed sources; Uncited those never cited in the body.
	Sources int `json:"sources"`
	Uncited int `json:"uncited"`
	// Words counts the words above "## Sources".
	Words int `json:"words"`
	// Gaps is the number of gaps; Abstained is true when the report has
	// gaps and no cited statement (the right answer to an unanswerable
	// question).
	Gaps      int  `json:"gaps"`
	Abstained bool `json:"abstained"`
	// Pass: answerable and every nugget matched with a gold source cited,
	// or unanswerable and abstained.
	Pass             bool    `json:"pass"`
	LatencyMS        int64   `json:"latencyMs"`
	PromptTokens     int     `json:"promptTokens,omitempty"`
	CompletionTokens int     `json:"completionTokens,omitempty"`
	CostUSD          float64 `json:"costUsd,omitempty"`
	Error            string  `json:"error,omitempty"`
	// Estimate is the run's estimate beside its use, when it made one.
	Estimate *EstimateCheck `json:"estimate,omitempty"`
}

var citationMark = regexp.MustCompile(`\[(\d+)\]`)

// ScoreAnswer scores a against q.
func ScoreAnswer(q Question, a Answer) Score {
	body, statements := splitReport(a.Report)
	s := Score{
		ID: q.ID, Answerable: q.Answerable, Gaps: a.Gaps, Sources: len(a.Sources),
		Words:     len(strings.Fields(body)),
		LatencyMS: a.Latency.Milliseconds(), PromptTokens: a.PromptTokens,
		CompletionTokens: a.CompletionTokens, CostUSD: a.CostUSD,
		EvidenceRecall: -1, Confidence: a.Confidence, Signals: a.Signals, Estimate: a.Estimate,
	}
	gold := map[int]bool{}
	for _, src := range a.Sources {
		if isGold(src.Location, q.Gold) {
			gold[src.N] = true
		}
	}
	cited := map[int]bool{}
	for _, m := range citationMarks(body) {
		s.Citations++
		cited[m] = true
		if gold[m] {
			s.GoldCitations++
			s.GoldCited = true
		}
	}
	for _, src := range a.Sources {
		if !cited[src.N] {
			s.Uncited++
		}
	}
	s.Abstained = a.Gaps > 0 && s.Citations == 0
	if !q.Answerable {
		s.Pass = s.Abstained
		s.OffTopic = s.Citations > 0
		s.ConfidentOffTopic = s.OffTopic && a.Confidence != "low"
		return s
	}
	s.OffTopic = s.Citations > 0 && !s.GoldCited
	s.ConfidentOffTopic = s.OffTopic && a.Confidence != "low"
	if a.Evidence != nil {
		s.EvidenceRecall = nuggetShare(q.Nuggets, strings.Join(strings.Fields(strings.Join(a.Evidence, "\n")), " "))
	}
	text := rendered(strings.Join(strings.Fields(statements), " "))
	matched := 0
	for _, n := range q.Nuggets {
		re, err := compileNugget(n)
		if err == nil && re.MatchString(text) {
			matched++
		} else {
			s.Missed = append(s.Missed, n)
		}
	}
	if len(q.Nuggets) > 0 {
		s.NuggetRecall = float64(matched) / float64(len(q.Nuggets))
	}
	s.Pass = matched == len(q.Nuggets) && s.GoldCited
	return s
}

// nuggetShare is the share of nuggets that match text.
func nuggetShare(nuggets []string, text string) float64 {
	if len(nuggets) == 0 {
		return 0
	}
	n := 0
	for _, ng := range nuggets {
		if re, err := compileNugget(ng); err == nil && re.MatchString(text) {
			n++
		}
	}
	return float64(n) / float64(len(nuggets))
}

// citationMarks returns the numbers of the [n] marks of body in order,
// skipping escaped brackets ("\[7]") and link texts ("[1](…)").
func citationMarks(body string) []int {
	body = codeSpans.ReplaceAllString(body, "")
	var out []int
	for _, m := range citationMark.FindAllStringSubmatchIndex(body, -1) {
		if m[0] > 0 && body[m[0]-1] == '\\' {
			continue
		}
		if m[1] < len(body) && body[m[1]] == '(' {
			continue
		}
		if n, err := strconv.Atoi(body[m[2]:m[3]]); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// splitReport returns the report above its last "## Sources" heading, and
// the statements in it: paragraphs outside headings, the question line and
// the Gaps section.
func splitReport(md string) (body, statements string) {
	lines := strings.Split(md, "\n")
	end := len(lines)
	for i, l := range lines {
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "## ") && strings.EqualFold(strings.TrimSpace(t[3:]), "Sources") {
			end = i
		}
	}
	var st []string
	inGaps := false
	for _, l := range lines[:end] {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "#") {
			inGaps = strings.EqualFold(strings.TrimSpace(strings.TrimLeft(t, "#")), "Gaps")
			continue
		}
		if inGaps || strings.HasPrefix(t, "**Question:**") || strings.HasPrefix(t, "**Confidence:**") || strings.HasPrefix(t, "> **") {
			continue
		}
		st = append(st, t)
	}
	return strings.Join(lines[:end], "\n"), strings.Join(st, "\n")
}

// codeSpans are Markdown code spans: what they hold is code as written,
// never a citation ("a[1]").
var codeSpans = regexp.MustCompile("(`+)[^`]*?(`+)")

// markdownEscape is a CommonMark backslash escape of ASCII punctuation.
var markdownEscape = regexp.MustCompile("\\\\([!-/:-@\\[-`{-~])")

// rendered is Markdown text as a reader sees it: backslash escapes and the
// entities the report writes for "<", ">" and "&" undone, so that a nugget
// "Unwrap\(\) \[\]error" meets "Unwrap() \[\]error" as it renders.
func rendered(md string) string {
	md = markdownEscape.ReplaceAllString(md, "$1")
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(md)
}

// isGold reports whether location ends with one of the gold entries, with
// or without its file extension.
func isGold(location string, gold []string) bool {
	loc := strings.TrimSpace(location)
	bare := strings.TrimSuffix(loc, path.Ext(loc))
	for _, g := range gold {
		if g == "" {
			continue
		}
		if strings.HasSuffix(loc, g) || strings.HasSuffix(bare, g) {
			return true
		}
	}
	return false
}

// Totals aggregate the scores of a run.
type Totals struct {
	Questions  int `json:"questions"`
	Answerable int `json:"answerable"`
	Errors     int `json:"errors"`
	Passed     int `json:"passed"`
	// NuggetRecall is the mean recall over answerable questions.
	NuggetRecall float64 `json:"nuggetRecall"`
	// EvidenceRecall is the mean evidence recall over the answerable
	// questions whose evidence is known; -1 when none is.
	EvidenceRecall float64 `json:"evidenceRecall"`
	// OffTopicShare is the off-topic rate: questions whose report states
	// cited findings without citing a gold source (answerable) or at all
	// (unanswerable), over all questions; ConfidentOffTopicShare counts
	// only those without a low confidence warning.
	OffTopicShare          float64 `json:"offTopicShare"`
	ConfidentOffTopicShare float64 `json:"confidentOffTopicShare"`
	// GoldCitedShare is the share of answerable questions citing a gold source.
	GoldCitedShare float64 `json:"goldCitedShare"`
	// CitationPrecision is gold marks / all marks over answerable questions.
	CitationPrecision float64 `json:"citationPrecision"`
	// AbstainedShare is the share of unanswerable questions that ended with
	// gaps and no findings.
	AbstainedShare float64 `json:"abstainedShare"`
	MeanSources    float64 `json:"meanSources"`
	// UncitedSources counts listed sources never cited, over all reports.
	UncitedSources   int     `json:"uncitedSources"`
	MedianWords      float64 `json:"medianWords"`
	MedianLatencyMS  int64   `json:"medianLatencyMs"`
	TotalLatencyMS   int64   `json:"totalLatencyMs"`
	PromptTokens     int     `json:"promptTokens"`
	CompletionTokens int     `json:"completionTokens"`
	CostUSD          float64 `json:"costUsd"`
	// EstimateError is how far the runs' estimates were off (runs that
	// made one).
	EstimateError *EstimateError `json:"estimateError,omitempty"`
	// Calibration says, for each confidence the reports stated (high,
	// medium, low), how many said it and how many of those were right:
	// how far a reader can trust the stated confidence.
	Calibration Calibration `json:"calibration"`
}

// Calibration counts the reports of each stated confidence.
type Calibration struct {
	High   Stated `json:"high"`
	Medium Stated `json:"medium"`
	Low    Stated `json:"low"`
}

// Level returns the counts of a stated confidence (internal/report's
// ConfidenceHigh, ConfidenceMedium, ConfidenceLow), nil for another.
func (c *Calibration) Level(confidence string) *Stated {
	switch confidence {
	case "high":
		return &c.High
	case "medium":
		return &c.Medium
	case "low":
		return &c.Low
	}
	return nil
}

// Stated counts the reports that stated one confidence and those of them
// that were right (see Score.Right).
type Stated struct {
	Reports int `json:"reports"`
	Right   int `json:"right"`
}

// RightShare is the share of the reports that were right (0 when none).
func (c Stated) RightShare() float64 {
	if c.Reports == 0 {
		return 0
	}
	return float64(c.Right) / float64(c.Reports)
}

// Right reports whether a report got its question right, the verdict the
// confidence is calibrated against: an answerable question's report cites
// a gold source and states at least half of the nuggets; an unanswerable
// question's report abstains. A failed run is not right.
func (s Score) Right() bool {
	if s.Error != "" {
		return false
	}
	if !s.Answerable {
		return s.Abstained
	}
	return s.GoldCited && s.NuggetRecall >= 0.5
}

// Total aggregates scores. Failed questions (Error set) count as zero
// recall and no gold cited.
func Total(scores []Score) Totals {
	var t Totals
	var marks, goldMarks, unanswerable, abstained, withEvidence, offTopic, confidentOffTopic int
	var evidence float64
	var words []float64
	var lat []int64
	for _, s := range scores {
		t.Questions++
		if s.Error != "" {
			t.Errors++
		}
		if c := t.Calibration.Level(s.Confidence); c != nil {
			c.Reports++
			if s.Right() {
				c.Right++
			}
		}
		if s.Pass {
			t.Passed++
		}
		words = append(words, float64(s.Words))
		lat = append(lat, s.LatencyMS)
		t.TotalLatencyMS += s.LatencyMS
		t.PromptTokens += s.PromptTokens
		t.CompletionTokens += s.CompletionTokens
		t.CostUSD += s.CostUSD
		t.MeanSources += float64(s.Sources)
		t.UncitedSources += s.Uncited
		if s.OffTopic {
			offTopic++
		}
		if s.ConfidentOffTopic {
			confidentOffTopic++
		}
		if !s.Answerable {
			unanswerable++
			if s.Abstained {
				abstained++
			}
			continue
		}
		t.Answerable++
		t.NuggetRecall += s.NuggetRecall
		if s.EvidenceRecall >= 0 && s.Error == "" {
			evidence += s.EvidenceRecall
			withEvidence++
		}
		if s.GoldCited {
			t.GoldCitedShare++
		}
		marks += s.Citations
		goldMarks += s.GoldCitations
	}
	if t.Answerable > 0 {
		t.NuggetRecall /= float64(t.Answerable)
		t.GoldCitedShare /= float64(t.Answerable)
	}
	t.EvidenceRecall = -1
	if withEvidence > 0 {
		t.EvidenceRecall = evidence / float64(withEvidence)
	}
	if t.Questions > 0 {
		t.OffTopicShare = float64(offTopic) / float64(t.Questions)
		t.ConfidentOffTopicShare = float64(confidentOffTopic) / float64(t.Questions)
	}
	if marks > 0 {
		t.CitationPrecision = float64(goldMarks) / float64(marks)
	}
	if unanswerable > 0 {
		t.AbstainedShare = float64(abstained) / float64(unanswerable)
	}
	if t.Questions > 0 {
		t.MeanSources /= float64(t.Questions)
	}
	t.EstimateError = estimateError(scores)
	t.MedianWords = median(words)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) > 0 {
		t.MedianLatencyMS = lat[len(lat)/2]
	}
	return t
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
