// Command qdrant-standin serves the Qdrant stand-in of package
// internal/memory/qdrant/qdranttest as its own process, so that separate
// worker processes of the local cluster (deploy/local) share one memory
// through the Qdrant gRPC API.
//
// It is a STAND-IN, NOT QDRANT: an in-memory gRPC server speaking the part
// of Qdrant's protocol Researchflow uses, with exact (brute-force) search and
// no persistence (everything is lost when it stops). It exists because a
// real Qdrant cannot be installed on the machines this project is built on;
// point QDRANT_URL at a real Qdrant (>= 1.10.0) to use one instead.
//
//	go run ./cmd/qdrant-standin -addr 127.0.0.1:6334
//
// Flags: -addr (host:port of the gRPC listener, default 127.0.0.1:6334) and
// -version (the Qdrant version it plays, default qdranttest.DefaultVersion;
// see qdranttest.Options.Version for what changes with it). It stops on
// SIGINT or SIGTERM.
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/researchflow/researchflow/internal/memory/qdrant/qdranttest"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6334", "host:port to serve Qdrant's gRPC API on")
	version := flag.String("version", qdranttest.DefaultVersion, "Qdrant version to behave like")
	flag.Parse()
	if err := run(*addr, *version); err != nil {
		fmt.Fprintln(os.Stderr, "qdrant-standin:", err)
		os.Exit(1)
	}
}

func run(addr, version string) error {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	s, stop, err := qdranttest.Serve(lis, qdranttest.Options{Version: version})
	if err != nil {
		lis.Close()
		return err
	}
	defer stop()
	slog.Info("Qdrant STAND-IN serving (not a real Qdrant: in memory, exact search, nothing persisted)",
		"url", s.URL, "playsVersion", version)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	slog.Info("Qdrant stand-in stopping; its data is lost")
	return nil
}
