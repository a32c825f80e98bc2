// Package extractive is Researchflow's offline reasoning engine, used when no
// language model is configured. It is a named mode ("extractive"), not an
// imitation of a model: it never invents prose. The planner builds
// sub-questions from the words of the user's question; the analyst copies
// sentences out of the passages it is given; the writer arranges those
// sentences with the source numbers it was handed.
//
// Everything is deterministic: the same request always gives the same answer
// (no randomness, no clock, no decisions taken in map iteration order), so
// the engine is safe to call from Temporal activities that may be retried.
//
// Evidence rules that decide between a finding and a gap (general rules,
// measured on the development sets in testdata/eval, see README
// "Evaluation"; constants in analyst.go):
//   - A question term written as a name (capitalised after the first word,
//     an identifier, a number) or named by a possessive ("Git's official
//     mascot": official, mascot) must occur in some passage, else the
//     sub-question is a gap.
//   - A sentence must contain a sub-question term, cover two of them
//     (counting its heading and title; "time.Time" and its parts "time",
//     "time" are one) and one of the two rarest, and reach
//     MinScore and relativeFloor (0.6) of the best sentence's relevance.
//   - A source whose best sentence is below sourceFloor (0.8) of the best
//     sentence gives no finding at all: a source that is only loosely
//     related is not cited beside the one that answers.
//   - "How many …?" and "How much …?" are answered only by sentences that
//     state a quantity (digits in any script, or English number words);
//     reflection's follow-ups of such a question keep asking "how many".
//
// Extractive mode does not detect conflicts between sources: Analysis.Conflicts
// is always empty.
package extractive
