// Command workers runs Researchflow's worker pools.
//
//	go run ./workers -pool all                 # the dev stack (embedded Temporal + Web UI + HTTP gateway)
//	TEMPORAL_ADDRESS=temporal:7233 go run ./workers -pool search
//	TEMPORAL_ADDRESS=temporal:7233 go run ./workers -pool inference,notify
//
// Without TEMPORAL_ADDRESS it starts the embedded Temporal server (SQLite
// under RESEARCHFLOW_DATA_DIR) with its Web UI and the HTTP gateway, prints
// their addresses, and stays up until SIGINT or SIGTERM.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/researchflow/researchflow/internal/temporalserver"

	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/pools"
	"github.com/researchflow/researchflow/internal/stack"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "workers:", err)
		os.Exit(1)
	}
}

func run() error {
	poolSpec := flag.String("pool", pools.All, "pools to run: workflow, search, inference, notify (comma-separated) or all")
	noGateway := flag.Bool("no-gateway", false, "do not serve the HTTP gateway (it is served by the dev stack by default)")
	flag.Parse()

	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	names, err := pools.Parse(*poolSpec)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return stack.Serve(ctx, cfg, stack.Options{
		Pools:     names,
		Gateway:   cfg.Embedded() && !*noGateway,
		Logger:    cfg.Logger(),
		DevServer: temporalserver.StartDev,
	})
}
