package researchflow

import (
	"strings"
	"time"
)

// IngestInput starts an ingestion of a folder into a named corpus:
//
//	temporal workflow start --task-queue research-workflow --type IngestWorkflow \
//	  --input '{"corpus":"notes","path":"/srv/notes"}'
type IngestInput struct {
	// Corpus is the corpus to fill (a name or an owner-scoped name, see
	// ScopedCorpus); default: a name made from Path's base name.
	Corpus string `json:"corpus"`
	// Path is an absolute folder (or a single file) readable by the search
	// workers. The Ingest activity refuses a relative one (non-retryable
	// InvalidInput, "path must be absolute"); Normalize does not, so that
	// histories recorded before replay as they ran.
	Path  string `json:"path"`
	Owner string `json:"owner,omitempty"`
	// Prune makes the corpus mirror the folder: documents of the corpus that
	// are no longer under Path are dropped at the end. Without it, a corpus
	// accumulates what is ingested into it.
	Prune bool `json:"prune,omitempty"`
	// After and Resume carry the cursor and the counts into a continued run;
	// callers leave them empty.
	After  string        `json:"after,omitempty"`
	Resume *IngestResult `json:"resume,omitempty"`
	// unknownField is the first key of the JSON the input was decoded
	// from that names none of its fields (see DecodeInputJSON).
	unknownField string
}

// Normalize validates in and fills its defaults. Errors are *InputError.
func (in IngestInput) Normalize() (IngestInput, error) {
	in.Corpus = strings.TrimSpace(in.Corpus)
	in.Path = strings.TrimSpace(in.Path)
	if in.Path == "" {
		return in, inputError("path", "required: a folder or file on the search workers")
	}
	if in.Corpus == "" {
		in.Corpus = corpusNameFromPath(in.Path)
	}
	if err := validateCorpusRef(in.Corpus); err != nil {
		return in, err
	}
	if in.Owner != "" {
		if err := ValidateOwner(in.Owner); err != nil {
			return in, err
		}
	}
	return in, nil
}

// SkippedFile is a file that ingestion could not use, with the reason.
type SkippedFile struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// IngestResult summarizes an ingestion. The same result is the answer of the
// ProgressQuery on an IngestWorkflow while it runs (Done false).
type IngestResult struct {
	Corpus string `json:"corpus"`
	// Total is the number of files found (known after the first batch):
	// the supported ones and those skipped without being read (a type not
	// read, another format of a document read, too large).
	Total int `json:"total"`
	// Files counts the files found that were handled so far: once done,
	// Files = ingested + Unchanged + SkippedCount(). Unchanged of them were
	// already in memory with the same content and cost nothing.
	Files     int `json:"files"`
	Unchanged int `json:"unchanged"`
	// Chunks counts chunks written.
	Chunks int `json:"chunks"`
	// Removed counts chunks of documents no longer in the folder, dropped.
	Removed int `json:"removed,omitempty"`
	// Skipped lists (up to 500) the files ingestion could not use;
	// SkippedTotal counts them all.
	Skipped      []SkippedFile `json:"skipped,omitempty"`
	SkippedTotal int           `json:"skippedTotal,omitempty"`
	// Duration is the time spent in ingestion activities (nanoseconds in JSON).
	Duration time.Duration `json:"duration"`
	Done     bool          `json:"done"`
}

// IngestSummary counts what an ingestion did.
type IngestSummary struct {
	// Total is the number of files found under the path after the batch's
	// cursor, skipped ones too; Files counts those the batch handled
	// (ingested, Unchanged or skipped).
	Total     int `json:"total"`
	Files     int `json:"files"`
	Unchanged int `json:"unchanged"`
	Chunks    int `json:"chunks"`
	// Removed counts chunks of documents gone from the path, dropped when
	// the last batch is done (an ingestion with prune; every run of a
	// folder, for the documents it read from that folder before).
	Removed int `json:"removed,omitempty"`
	// Skipped lists the files ingestion could not use (up to 100 for a
	// folder run, up to 500 for a call of an IngestWorkflow); SkippedTotal
	// counts them all.
	Skipped      []SkippedFile `json:"skipped,omitempty"`
	SkippedTotal int           `json:"skippedTotal,omitempty"`
	// Cursor is the last file handled; Done is true when no file is left.
	Cursor     string `json:"cursor,omitempty"`
	Done       bool   `json:"done"`
	DurationMs int64  `json:"durationMs"`
}

// SkippedCount is how many files an ingestion skipped: SkippedTotal, or the
// files listed where a result recorded before the total was kept has none.
func (r IngestResult) SkippedCount() int { return max(r.SkippedTotal, len(r.Skipped)) }

// Ingested is how many of the files handled so far were read and
// written (new or changed): Files less Unchanged and SkippedCount().
func (r IngestResult) Ingested() int { return max(r.Files-r.Unchanged-r.SkippedCount(), 0) }

// SkippedCount is how many files an ingestion skipped (see
// IngestResult.SkippedCount).
func (s IngestSummary) SkippedCount() int { return max(s.SkippedTotal, len(s.Skipped)) }
