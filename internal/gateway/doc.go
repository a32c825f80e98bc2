// Package gateway is Researchflow's HTTP API and web app. It starts research
// runs and corpus ingestions as Temporal workflows, reads their progress
// through the workflows' queries, streams that progress as Server-Sent Events,
// and serves the finished reports with their cited passages.
//
// The gateway holds no run state of its own: Temporal is the source of truth.
// Each run is owned by the API key that started it (the ResearchOwner search
// attribute); another key gets 404 for it, as if it did not exist.
//
// Routes (see openapi.json for the full description):
//
//	POST /v1/research                      start a run (Idempotency-Key aware)
//	GET  /v1/research                      the caller's runs, paginated
//	GET  /v1/sources                       the source names and which are configured
//	GET  /v1/research/{id}                 status and progress
//	GET  /v1/research/{id}/events          progress as Server-Sent Events
//	GET  /v1/research/{id}/report          Markdown, or JSON with Accept: application/json
//	GET  /v1/research/{id}/sources/{n}     the passages of cited source n
//	POST /v1/research/{id}/cancel          cancel a run
//	POST /v1/research/{id}/estimate        price the plan as edited, before approving it
//	POST /v1/research/{id}/approve         approve or reject the plan
//	POST /v1/research/{id}/redrive         retry a finished run's dead letters as its next revision
//	POST /v1/corpora/{name}/documents      upload files and ingest them
//	GET  /healthz, /readyz, /metrics, /openapi.json, / (web app)
//	POST /codec/encode, /codec/decode       the payload codec server (only with RESEARCHFLOW_CODEC_KEYS)
//
// Cross-site request forgery: without API keys (local mode) any page the
// user visits could post forms to a gateway on loopback. Every request
// passes through net/http's CrossOriginProtection, which refuses (403, code
// "cross_origin") a POST, PUT, PATCH or DELETE a browser sends from another
// site — told by its Sec-Fetch-Site header, or else by an Origin that does
// not match Host. The web app served here (same origin), the origins in
// RESEARCHFLOW_CORS_ORIGINS, under /codec/ those in
// RESEARCHFLOW_CODEC_CORS_ORIGINS (the Temporal Web UI's), and clients that
// send neither header (curl, the client package, the starter) pass; GET,
// HEAD and OPTIONS always do.
package gateway
