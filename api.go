package researchflow

// CreateResearchRequest is the body of POST /v1/research: the part of a
// ResearchInput that an HTTP caller may set. The owner comes from the API
// key, and the corpus is one of the owner's own (or the public default
// corpus): callers never name a folder on the workers.
type CreateResearchRequest struct {
	Question               string `json:"question"`
	MaxSubQuestions        int    `json:"maxSubQuestions,omitempty"`
	MaxSources             int    `json:"maxSources,omitempty"`
	Corpus                 string `json:"corpus,omitempty"`
	RequireApproval        bool   `json:"requireApproval,omitempty"`
	ApprovalTimeoutSeconds int    `json:"approvalTimeoutSeconds,omitempty"`
	OnApprovalTimeout      string `json:"onApprovalTimeout,omitempty"`
	// Depth (reflection rounds, 0–3; omitted = 1), Breadth (follow-ups per
	// round, 1–4) and the model budget: see ResearchInput.
	Depth      *int    `json:"depth,omitempty"`
	Breadth    int     `json:"breadth,omitempty"`
	MaxTokens  int     `json:"maxTokens,omitempty"`
	MaxCostUSD float64 `json:"maxCostUsd,omitempty"`
	// BudgetTimeoutSeconds bounds a budget pause (see ResearchInput).
	BudgetTimeoutSeconds int `json:"budgetTimeoutSeconds,omitempty"`
	// Sources names where the run looks (see KnownSources; default
	// ["corpus"]).
	Sources []string `json:"sources,omitempty"`
	// Notify asks for e-mail when the report is ready (see NotifyTargets;
	// the server allows only its configured domains).
	Notify *NotifyTargets `json:"notify,omitempty"`
}

// Input is the normalized workflow input of r started by owner: the corpus
// name is checked as a person types it, then scoped to the owner, and the
// whole input goes through ResearchInput.Normalize, the rule the workflow
// applies. Errors are *InputError.
func (r CreateResearchRequest) Input(owner string) (ResearchInput, error) {
	if r.Corpus != "" {
		if err := ValidateCorpusName(r.Corpus); err != nil {
			return ResearchInput{}, err
		}
	}
	if err := ValidateOwner(owner); err != nil {
		return ResearchInput{}, err
	}
	corpus := r.Corpus
	if corpus == "" {
		corpus = DefaultCorpus
	}
	return ResearchInput{
		Question:               r.Question,
		MaxSubQuestions:        r.MaxSubQuestions,
		MaxSources:             r.MaxSources,
		Corpus:                 ScopedCorpus(owner, corpus),
		Owner:                  owner,
		RequireApproval:        r.RequireApproval,
		ApprovalTimeoutSeconds: r.ApprovalTimeoutSeconds,
		OnApprovalTimeout:      r.OnApprovalTimeout,
		Depth:                  r.Depth,
		Breadth:                r.Breadth,
		MaxTokens:              r.MaxTokens,
		MaxCostUSD:             r.MaxCostUSD,
		BudgetTimeoutSeconds:   r.BudgetTimeoutSeconds,
		Sources:                r.Sources,
		Notify:                 r.Notify,
	}.Normalize()
}
