// Command api serves Researchflow's HTTP API and web app alone, against a
// Temporal cluster whose research workers run elsewhere:
//
//	TEMPORAL_ADDRESS=temporal:7233 QDRANT_URL=http://qdrant:6334 RESEARCHFLOW_API_KEYS=alice:… go run ./api
//
// The Temporal connection follows Temporal's own environment variables
// (TEMPORAL_ADDRESS, default 127.0.0.1:7233 as for every Temporal client;
// TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS settings and config profiles);
// the gateway's settings are the RESEARCHFLOW_* variables in the README.
// With QDRANT_URL set, cited passages can be opened from the web app.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/stack"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "api:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	if cfg.Embedded() {
		// The gateway alone never starts a server (this binary does not
		// link one): it serves a cluster or a dev stack, at Temporal's
		// default address unless told otherwise.
		cfg.TemporalAddress = "127.0.0.1:7233"
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return stack.Serve(ctx, cfg, stack.Options{Gateway: true, Logger: cfg.Logger()})
}
