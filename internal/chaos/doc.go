// Package chaos is Researchflow's chaos suite: it starts the local cluster
// (deploy/local/cluster.sh: PostgreSQL, the official Temporal server, the
// Qdrant stand-in, each worker pool as its own process), puts research runs
// in flight against a scripted model server, and while they run kills each
// pool process in turn with SIGKILL, the Temporal server, and restarts
// PostgreSQL. Then it checks the durability promise:
//
//   - no run is lost: every run completes with a report;
//   - no webhook delivery is duplicated: no delivery arrives with a
//     webhook-id the receiver had already acknowledged;
//   - no completed model call is paid again: no request (model, messages
//     and format, hashed) is sent again after an answer to it was
//     complete.
//
// The model server (ModelServer, built on llmtest) speaks the OpenAI
// chat-completions protocol, streamed, and answers each role validly from
// its prompt; each answer streams in eight pieces over 0.5–1.5 s (2–4 s in
// the short variant, whose few runs must outlast the kill schedule), so
// that kills land mid-call. A call is complete when the whole answer was
// written and flushed to a client that was still connected: from then on
// a provider has billed it. The webhook receiver verifies the Standard
// Webhooks signature of every delivery and acknowledges it with 204 after
// 150 ms; a delivery is acknowledged when that answer was flushed to a
// sender still connected. The kill of a notify process comes while a
// delivery waits for its answer, and the receiver holds its answers until
// that kill has landed: a kill just after an answer, before the sender's
// heartbeat has recorded it, can repeat that delivery (at least once; the
// receiver drops it by webhook-id), which no kill can test for.
//
// Time to recover, per kill: from the kill until the first run in flight
// at that moment made progress again (its progress Seq grew, or it closed),
// and until every one of them had. A run whose activity was on the killed
// worker waits for its heartbeat timeout (20 s for search and inference)
// or its start-to-close timeout (notify: 30 s to 1 min) before another
// worker retries it, so the second figure shows the timeouts at work.
//
// cmd/chaos runs the suite (task chaos, task chaos:short); TestChaosShort
// runs the short variant as a Go test.
package chaos
