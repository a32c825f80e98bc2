// Command chaos runs Researchflow's chaos suite on the local cluster: research
// runs in flight while each worker pool, the Temporal server and PostgreSQL
// are killed and restarted; it prints a summary table, writes it as JSON,
// and exits 1 when a run is lost, a webhook delivery is duplicated or a
// completed model call is paid again (see package internal/chaos).
//
//	go run ./cmd/chaos [--runs 20] [--short] [--out chaos-results.json] [--keep]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/researchflow/researchflow/internal/chaos"
)

func main() {
	runs := flag.Int("runs", 0, "research runs in flight during the kills (default 20; 4 with --short)")
	short := flag.Bool("short", false, "the CI variant: a few runs, one kill per pool, one server kill, one PostgreSQL restart")
	out := flag.String("out", "chaos-results.json", "where to write the results as JSON (empty: nowhere)")
	keep := flag.Bool("keep", false, "leave the cluster running (and its state directory) at the end")
	dir := flag.String("dir", "", "the cluster's state directory (default: a fresh private one, removed at the end)")
	portBase := flag.Int("port-base", 0, "RESEARCHFLOW_CLUSTER_PORT_BASE (default: the first free of 17400, 17500, …)")
	flag.Parse()

	root, err := os.Getwd()
	if err != nil {
		fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := chaos.Run(ctx, chaos.Options{Runs: *runs, Short: *short, RepoRoot: root, ClusterDir: *dir,
		PortBase: *portBase, Keep: *keep, Log: os.Stderr})
	if err != nil {
		fatal(err)
	}
	res.WriteTable(os.Stdout)
	if *out != "" {
		if err := res.WriteJSON(*out); err != nil {
			fatal(err)
		}
		fmt.Fprintf(os.Stderr, "results written to %s\n", *out)
	}
	if !res.Passed() {
		os.Exit(1)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "chaos:", err)
	os.Exit(2)
}
