package researchflow

import "time"

// ResearchState is a research run's control state: what the workflow
// decides from, carried across continue-as-new in ResearchInput.Resume.
// Callers never set it; Progress is computed from it when queried.
type ResearchState struct {
	Status    string        `json:"status"`
	Stage     string        `json:"stage"`
	Timings   []StageTiming `json:"timings,omitempty"`
	StartedAt time.Time     `json:"startedAt"`
	UpdatedAt time.Time     `json:"updatedAt"`
	// Seq grows with every change (Progress.Seq).
	Seq   int64 `json:"seq"`
	Round int   `json:"round"`
	// Usage sums the model usage of every call of the run so far.
	Usage Usage `json:"usage"`
	// Engines names what produced the plan, analyses and report, in order
	// of first use, without repeats.
	Engines []string `json:"engines,omitempty"`
	// Skipped counts sub-questions left unanalyzed because the budget was spent.
	Skipped int `json:"skipped,omitempty"`
	// SubQuestions holds one record per sub-question, in plan order.
	SubQuestions []SubQuestionState `json:"subQuestions"`
	Error        string             `json:"error,omitempty"`
	// DeadLetters are the searches that failed for good in this revision.
	DeadLetters []DeadLetter `json:"deadLetters,omitempty"`
	// Redriven are the dead letters of earlier revisions that redrives
	// retried, for the record.
	Redriven []DeadLetter `json:"redriven,omitempty"`
	// Revision is the report revision (0 or 1: the first; see RedriveInput).
	Revision int `json:"revision,omitempty"`
	// Events lists the run's stage transitions so far, in Seq order (a
	// handful per run: one plan, two per round, one report or failure).
	Events []Event `json:"events,omitempty"`
	// Decisions lists the choices the run made (see AuditQuery).
	Decisions []Decision `json:"decisions,omitempty"`
	// Sources are the report's numbered sources, once it is written.
	Sources []Source `json:"sources,omitempty"`
}

// SubQuestionState is everything a run knows of one sub-question.
type SubQuestionState struct {
	SubQuestion SubQuestion `json:"subQuestion"`
	// State is a SQ* value; Error says why a failed sub-question is a gap.
	State string `json:"state"`
	Error string `json:"error,omitempty"`
	// Retrieved holds the references of the passages found for it.
	Retrieved RetrieveResult `json:"retrieved"`
	// Analysis is set once it is analyzed with at least one finding.
	Analysis *AnalyzeResult `json:"analysis,omitempty"`
	// Searches records each selected source's search (runs whose sources
	// are not only the corpus); Retrieved is then their merge.
	Searches []SourceSearch `json:"searches,omitempty"`
	// AnalyzedChunks are the chunks analyses have read (runs with
	// Searches): a redrive analyzes only the chunks not in it.
	AnalyzedChunks []string `json:"analyzedChunks,omitempty"`
}

// Gaps lists the failed sub-questions with their reasons, in plan order.
func (s *ResearchState) Gaps() []Gap {
	var gaps []Gap
	for _, sq := range s.SubQuestions {
		if sq.State == SQFailed {
			gaps = append(gaps, Gap{SubQuestion: sq.SubQuestion.Text, Reason: sq.Error})
			continue
		}
		// A sub-question answered by some sources names those that failed.
		for _, se := range sq.Searches {
			if se.State == SQFailed {
				gaps = append(gaps, Gap{SubQuestion: sq.SubQuestion.Text,
					Reason: "not searched in " + se.Source + ": " + se.Error + " (answered from the other sources)"})
			}
		}
	}
	return gaps
}

// Progress computes the ProgressQuery answer of a run with input in.
func (s *ResearchState) Progress(researchID string, in ResearchInput) Progress {
	p := Progress{
		ResearchID:   researchID,
		Question:     in.Question,
		Corpus:       in.Corpus,
		Status:       s.Status,
		Stage:        s.Stage,
		SubQuestions: make([]SubQuestionProgress, len(s.SubQuestions)),
		Usage:        s.Usage,
		Round:        s.Round,
		BudgetSpent:  in.Budget().Spent(s.Usage),
		Timings:      append([]StageTiming(nil), s.Timings...),
		StartedAt:    s.StartedAt,
		UpdatedAt:    s.UpdatedAt,
		Seq:          s.Seq,
		Error:        s.Error,
		Events:       append([]Event(nil), s.Events...),
		DeadLetters:  append([]DeadLetter(nil), s.DeadLetters...),
		Revision:     s.Rev(),
		RedriveOf:    in.RedriveOf,
	}
	if len(in.ProviderSources()) > 0 {
		p.SearchSources = append([]string(nil), in.Sources...)
	}
	sources := map[string]bool{} // counted, never iterated
	for i, sq := range s.SubQuestions {
		sp := SubQuestionProgress{
			ID: sq.SubQuestion.ID, Text: sq.SubQuestion.Text, State: sq.State, Error: sq.Error,
			Passages: len(sq.Retrieved.ChunkIDs),
		}
		if sq.Analysis != nil {
			sp.Findings = len(sq.Analysis.Analysis.Findings)
		}
		for _, se := range sq.Searches {
			sp.Searches = append(sp.Searches, SearchProgress{Source: se.Source, State: se.State,
				Passages: len(se.Retrieved.ChunkIDs), Attempts: se.Attempts, Error: se.Error, Note: se.Note, Unread: se.Unread, Breaker: se.Breaker})
		}
		p.SubQuestions[i] = sp
		p.Passages += sp.Passages
		for _, id := range sq.Retrieved.SourceIDs {
			sources[id] = true
		}
	}
	p.Sources = len(sources)
	for i, e := range s.Engines {
		if i > 0 {
			p.Engine += "; "
		}
		p.Engine += e
	}
	return p
}
