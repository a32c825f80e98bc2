package workflows

import (
	"slices"

	rf "github.com/researchflow/researchflow"
)

// footerCorpus is the corpus a report's footer names: the one the run
// searched, as its owner names it (never OWNER--NAME or local--NAME), and
// none when the run searched only search providers.
func footerCorpus(in rf.ResearchInput) string {
	if len(in.Sources) > 0 && !slices.Contains(in.Sources, rf.SourceCorpus) {
		return ""
	}
	return rf.PublicCorpus(in.Owner, in.Corpus)
}
