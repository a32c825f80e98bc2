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
//     "time" are one) and one of the two rarest (or name at least three
//     of its concepts and half of them), and reach MinScore and
//     relativeFloor (0.4) of the best sentence's relevance.
//   - A source whose best sentence is below sourceFloor (0.8) of the best
//     sentence gives no finding at all: a source that is only loosely
//     related is not cited beside the one that answers.
//   - Answer typing (answertype.go), in the manner of the TREC QA track's
//     question classes: a sub-question asking for a quantity ("how many",
//     "how much", "how long", "the length/budget/number of …"), a time
//     ("when"), a date ("what year", "in which month", "the opening date
//     of …") or a person ("who", "the designer of …") is answered only by
//     a sentence that states one (a number, with a unit of the asked
//     dimension when there is one: "how much disk space" asks for a size,
//     "how much of" and "how much does X reduce" for a part, and a share
//     such as "90%" is no size; a bare number right after the name of a
//     measure of the asked kind states it; for a time a
//     date, month, weekday (also in the plural: "on Tuesdays") or year, or failing that a duration or a
//     condition; for a date only a date; a name), and such a sentence is
//     evidence with a single shared topic word ("The offsite moved to the
//     first week of May" answers "When does the offsite take place?").
//     "How many X" needs X.
//     Reason, procedure, place and condition questions rank the sentences
//     that hold their type higher (because/so that clauses; commands,
//     options, code names; paths; if/when/unless clauses), and an explicit
//     cause (because, so that, in order to, due to) or a command or code
//     block shown with its introduction makes a sentence evidence with one
//     of the rarest topic words. A question of several clauses is typed by
//     none.
//   - A shell command line, or a code block, after the sentence that
//     introduces it is quoted with that sentence, verbatim. The short
//     lines after a sentence ending in ":" are its block whatever they
//     hold (a fenced "systemctl restart rf-worker" reaches the analyst as
//     a bare line), and the sentence is judged with its block as the
//     object of its last verb ("… run:"); the items of a list it
//     introduces join its window, related or not.
//   - Answer passages (window.go): a selected sentence grows into a window
//     of up to windowSentences contiguous sentences under one heading
//     while its neighbours speak of the question; windows never cross code
//     or a table left out of the text and never quote a sentence twice.
//   - Coordinated parts are planned one by one: the clauses of a question
//     ("How long is X, when did it open, who designed it and how many
//     arches does it have?", pronouns resolved to the first clause's topic)
//     and the items of a list sharing a complement ("the length, the
//     opening year and the designer of X"), so that each is answered with
//     a citation or becomes a gap.
//
// Extractive mode does not detect conflicts between sources: Analysis.Conflicts
// is always empty.
package extractive
