package extractive

import "github.com/researchflow/researchflow/internal/reasoning"

// Name is the engine name reported in plans, analyses and drafts.
const Name = "extractive"

// Defaults of Config.
const (
	DefaultMaxSubQuestions = 4
	// MaxSubQuestionsLimit caps any plan, whatever is asked.
	MaxSubQuestionsLimit = 6
	DefaultMaxFindings   = 5
	// DefaultMinScore is the relevance floor below which a sentence is not a
	// finding. Relevance is mostly the weighted share of the sub-question's
	// terms (and, less, the main question's) that the sentence contains.
	DefaultMinScore = 0.1
	// DefaultLambda trades relevance against novelty in maximal marginal
	// relevance selection (1 = relevance only).
	DefaultLambda = 0.9
	// DefaultSummarySentences is how many findings the writer puts in the
	// summary, each from a different source.
	DefaultSummarySentences = 3
)

// Config tunes the engine. The zero value uses the defaults.
type Config struct {
	// MaxSubQuestions is used when a PlanRequest does not say (default 4).
	MaxSubQuestions int
	// MaxFindings is used when an AnalyzeRequest does not say (default 5).
	MaxFindings int
	// MinScore is the relevance floor of a finding (default 0.1).
	MinScore float64
	// Lambda is the MMR trade-off (default 0.7).
	Lambda float64
	// SummarySentences bounds the draft summary (default 3).
	SummarySentences int
}

func (c Config) withDefaults() Config {
	if c.MaxSubQuestions <= 0 {
		c.MaxSubQuestions = DefaultMaxSubQuestions
	}
	if c.MaxSubQuestions > MaxSubQuestionsLimit {
		c.MaxSubQuestions = MaxSubQuestionsLimit
	}
	if c.MaxFindings <= 0 {
		c.MaxFindings = DefaultMaxFindings
	}
	if c.MinScore <= 0 {
		c.MinScore = DefaultMinScore
	}
	if c.Lambda <= 0 || c.Lambda > 1 {
		c.Lambda = DefaultLambda
	}
	if c.SummarySentences <= 0 {
		c.SummarySentences = DefaultSummarySentences
	}
	return c
}

// Engine plans, analyzes and writes without a model. It holds only its
// configuration and is safe for concurrent use.
type Engine struct {
	cfg Config
}

var (
	_ reasoning.Planner = (*Engine)(nil)
	_ reasoning.Analyst = (*Engine)(nil)
	_ reasoning.Writer  = (*Engine)(nil)
)

// New returns an engine with cfg (zero fields take their defaults).
func New(cfg Config) *Engine {
	return &Engine{cfg: cfg.withDefaults()}
}

// Roles returns the engine as the three reasoning roles.
func (e *Engine) Roles() reasoning.Engine {
	return reasoning.Engine{Planner: e, Analyst: e, Writer: e, Reflector: e}
}
