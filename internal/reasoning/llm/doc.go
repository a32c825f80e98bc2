// Package llm drives the planner, analyst, reflector and writer roles of a
// research run with chat models: any OpenAI-compatible server (OpenAI, vLLM,
// llama.cpp server, LM Studio, SGLang, gateways) and Ollama through the small
// protocol clients of openai.go and ollama.go, Anthropic through langchaingo
// (wire.go says why).
//
// Each role has its own provider, model, prompt template, token caps,
// streaming and structured-output settings (Config, bound by package config). Answers
// are read wherever servers put them (content; else tool-call arguments;
// else reasoning_content, reasoning or Ollama's thinking), cleaned of
// reasoning blocks (<think>…</think>), and their JSON is found in a fenced
// block or at the first '{' where the role's shape decodes. The role's JSON
// schema is asked for as structured output; a server that refuses an
// optional request field by name (stream_options, response_format, stream,
// temperature) gets the request again without it, and the Engine remembers
// the refusal for that endpoint.
//
// An unusable answer is repaired once; if the repair is unusable too the
// planner falls back visibly to an offline planner, the reflector names no
// follow-ups, and the analyst and writer fail with a permanent
// "llm.invalid_output" error: the same input would get the same answer, so
// a role invocation never pays for more than two calls. Every citation a
// model returns is checked against what it was given: a finding never names
// a chunk that was not handed to the analyst, a draft sentence never cites a
// source outside the report's source list.
//
// Remote failures are classified with package egress (its status table,
// Retry-After parser, recording transport and kinds): rate limits, 408 and
// 5xx, cut streams and connection errors are transient (with the server's
// Retry-After), bad requests (egress.rejected), bad credentials
// (egress.unauthorized) and unknown models (egress.not_found) are
// permanent. Error messages name the provider, model and base URL, never the
// API key.
//
// The usage of every call — paid answers, and failed calls as
// Usage{FailedCalls: 1} — is handed to the context's recorder
// (reasoning.WithUsageRecorder) as soon as it is known, so that the
// activities layer can account for calls of attempts that fail. Worker-side
// limits (Limiter), the token budget of a role call (the request's Budget: a first call, or a
// repair, that would overrun it is not sent) and streaming heartbeats
// (WithHeartbeat) are passed by the activities layer; this package does not
// import Temporal.
package llm
