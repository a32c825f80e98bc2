// Package activities holds the work of a research run that touches the
// world: corpus preparation and retrieval (the search pool), planning,
// analysis and writing (the inference pool) and report delivery (the notify
// pool). Each pool's activities are methods of one struct that carries its
// dependencies; workers register the struct on the pool's task queue.
//
// Every activity heartbeats in the background while it works, wraps errors
// with context and classifies them on purpose: bad input and permanent
// remote errors are non-retryable, everything else is retried by Temporal
// with the backoff of the stage (workflows/options.go).
package activities
