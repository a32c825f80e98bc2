// Package eval measures research quality: it runs a question set through a
// Researcher (in production, real research runs on the stack the starter
// uses) and scores each report against the question's nuggets and gold
// sources.
//
// # Set format
//
// A set is a TSV file (".tsv") or a JSON file (".json").
//
// TSV: one question per line, six tab-separated columns; lines that are
// empty or start with '#' are ignored:
//
//		id	corpus	answerable	question	nuggets	gold
//
//	  - id: unique within the set ("go-mem-1").
//	  - corpus: a corpus name ("go-docs", the default when empty) or
//	    "NAME=PATH" to ingest the folder PATH into corpus NAME before the first
//	    question that uses it (PATH is absolute, or relative to the set file).
//	    PATH may be a pattern ("/usr/share/debian-reference/ch*.en.html"):
//	    its files are linked at run time into a folder named after the
//	    pattern (see CorpusFolder); nothing of the documents is copied.
//	  - answerable: "yes" or "no". An unanswerable question passes when its
//	    report has gaps and no cited statement; it has no nuggets or gold.
//	  - question: the question as a user would ask it.
//	  - nuggets: key facts, separated by " ;; ", each a case-insensitive Go
//	    regular expression (RE2) that a good answer's statements must match.
//	  - gold: sources that answer the question, separated by " ;; ". A gold
//	    entry matches a source whose location ends with it, with or without
//	    the location's file extension ("go_mem.html", "git-rebase").
//
// JSON: {"name": "...", "questions": [{"id", "corpus", "question",
// "nuggets": [...], "gold": [...], "answerable": true}]}.
//
// # Metrics
//
// Per answerable question: nugget recall (share of nuggets matched by the
// report's statements: summary and section paragraphs, not the title,
// question line, headings or gaps), gold cited (a cited source is gold),
// citation precision (share of the [n] marks in the body that point at a
// gold source), sources listed, uncited sources listed, words above
// "## Sources", latency, tokens and cost. Totals average recall over
// answerable questions, pool citation marks for precision (micro average)
// and take the median of words.
//
// Evidence recall is the share of nuggets found in the passages handed to
// the analyst and writer (the audit's retrieved passages, read back from
// the memory store): what a model would see, beside what the report says.
// The off-topic rate counts answerable questions whose report cites
// findings but no gold source, plus unanswerable questions answered, over
// all questions; the confident off-topic rate counts only those whose
// report does not carry the low-confidence warning.
//
// # Halves
//
// Every question is in the tune or the test half by a stable hash of its
// ID (Half). Engine changes are made by looking at tune results only; a
// run reports both halves and the generalization gap (tune nugget recall
// minus test nugget recall).
package eval
