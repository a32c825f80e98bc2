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
// Extractive mode does not detect conflicts between sources: Analysis.Conflicts
// is always empty.
package extractive
