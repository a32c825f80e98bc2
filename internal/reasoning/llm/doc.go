// Package llm drives the planner, analyst and writer roles of a research run
// with chat models through langchaingo: any OpenAI-compatible server (OpenAI,
// vLLM, llama.cpp server, LM Studio), Ollama, or Anthropic.
//
// Each role has its own provider, model, prompt template and token caps
// (Config, ConfigFromEnv). Model answers are asked for as JSON, cleaned of
// reasoning blocks (<think>…</think>), validated, repaired once by asking the
// model again with the error, and otherwise either fall back visibly to an
// offline planner (planner) or fail with a classified error (analyst,
// writer). Every citation a model returns is checked against what it was
// given: a finding never names a chunk that was not handed to the analyst, a
// draft sentence never cites a source outside the report's source list.
//
// Remote failures are classified with package fault: rate limits, 5xx and
// connection errors are transient (with the server's Retry-After), bad
// requests, bad credentials and unknown models are permanent. Error messages
// name the provider, model and base URL, never the API key.
//
// Worker-side limits (Limiter), a per-call token budget (WithBudget) and
// streaming heartbeats for long generations (WithHeartbeat) are passed by the
// activities layer; this package does not import Temporal.
package llm
