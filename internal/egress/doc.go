// Package egress is the kit every adapter that calls a remote service uses
// (model endpoints, embedders, search providers, page fetches; Qdrant maps
// its gRPC codes onto the same kinds):
//
//   - one error-kind scheme (the Kind constants): a kind is either
//     permanent or transient, never both, so Temporal retry policies can
//     list the permanent ones (PermanentKinds) as NonRetryableErrorTypes
//     and Fail builds the classified error (package fault) from the kind
//     alone;
//   - one HTTP status table (StatusKind): 408, 429 and 5xx are transient
//     and honour Retry-After, 401/403 unauthorized, 404/410 not found,
//     every other 4xx (and an unfollowed 3xx) rejected;
//   - one Retry-After parser (RetryAfter: delay-seconds or an HTTP-date);
//   - one recording transport (Recorder) that keeps the status, Retry-After
//     and transport error of a call whose client library hides them
//     (langchaingo), and that tests use to see what went over the wire;
//   - body limits (ReadBody, Excerpt) and key redaction (Redact,
//     RedactErr, RedactURL): an API key or token never reaches an error
//     message or a log line.
//
// The package imports only the standard library and package fault: an
// adapter imports it and its domain's interface, never the application
// layer (activities, workflows).
package egress
