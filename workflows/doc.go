// Package workflows holds Researchflow's durable workflows: ResearchWorkflow
// (plan → retrieve → analyze → synthesize → deliver, each stage on its own
// task queue), IngestWorkflow (a folder into a corpus, resumable) and
// DeliveryWorkflow (a run's notifications, each sink on its own, after the
// run and off its critical path). A run a schedule started (its input's
// schedule field) compares itself with the previous completed run of its
// schedule before delivering (changes.go): the "What changed" section, the
// result's changes, and notifications as the schedule says.
//
// Workflow code is deterministic: it does no I/O, reads time only through
// workflow.Now, and never iterates a map to decide anything. Everything large
// (documents, chunks) lives in memory and travels through history by ID;
// the names and JSON shapes that clients rely on are declared in the
// contract package, github.com/researchflow/researchflow.
//
// What only the workflows and their workers share is declared here:
// the activity names and messages (activities.go), which the activities
// package implements, and the run's control state (state.go), saved in
// ResearchInput.Resume as an opaque value across continue-as-new and into
// a redrive. Progress, the audit and the redrive's reset are computed from
// that state here: callers ask the run (ProgressQuery, AuditQuery,
// RedriveQuery) and never edit it.
package workflows
