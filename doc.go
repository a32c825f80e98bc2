// Package researchflow is Researchflow's contract: every name and type that
// crosses Temporal history or the HTTP API, the limits of a research
// request, and the one validation (Normalize) that the HTTP gateway, the
// starter and the workflow all apply. It imports only the standard library,
// so that any Go program can start, follow and read research runs without
// linking the engines, the memory backends or the Temporal server.
//
// What lives here:
//
//   - Temporal names (names.go): workflow types, task queues, query and
//     update names, search attributes, activity names and error types. The
//     Temporal CLI and the HTTP API rely on them; changing one breaks
//     running clients and recorded histories.
//   - Research messages (research.go): ResearchInput with Normalize, the
//     limits it enforces (counted in characters, i.e. Unicode code points),
//     ResearchResult, Progress and PlanApproval.
//   - Ingestion messages (ingest.go): IngestInput and IngestResult.
//   - Naming rules (naming.go) for corpora and owners, and the scoping of an
//     owner's corpus names.
//   - Reasoning values (reasoning.go): sub-questions, passages, findings,
//     sources, drafts and token usage, exchanged between the workflow and the
//     planner, analyst and writer.
//   - Activity messages (activity.go): the input and result of every
//     activity, declared once for the workflow and the workers.
//   - Budget (budget.go): a run's model budget as a value.
package researchflow
