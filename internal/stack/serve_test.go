package stack

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/researchflow/researchflow/internal/pools"
)

// A process whose gateway cannot serve, or whose workers stop with a fatal
// error, ends with an error (the commands exit non-zero) instead of idling.
func TestServeEndsWhenAComponentFails(t *testing.T) {
	endToEnd(t)
	t.Run("gateway port taken", func(t *testing.T) {
		taken, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer taken.Close()
		cfg := shared.Config
		cfg.TemporalAddress = shared.Server.FrontendAddress()
		cfg.Gateway.Addr = taken.Addr().String()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		err = Serve(ctx, cfg, Options{Pools: []string{pools.Notify}, Gateway: true, Logger: testLogger()})
		if err == nil || !strings.Contains(err.Error(), taken.Addr().String()) {
			t.Fatalf("Serve = %v, want an error naming %s", err, taken.Addr())
		}
		if ctx.Err() != nil {
			t.Fatal("Serve idled until the test's deadline")
		}
	})
	t.Run("worker fatal error", func(t *testing.T) {
		cfg := shared.Config
		cfg.TemporalAddress = shared.Server.FrontendAddress()
		cfg.Namespace = "no-such-namespace"
		cfg.TemporalClient.Namespace = cfg.Namespace
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		start := time.Now()
		err := Serve(ctx, cfg, Options{Pools: []string{pools.Notify}, Logger: testLogger()})
		if err == nil {
			t.Fatal("Serve returned nil for workers that cannot poll")
		}
		if ctx.Err() != nil {
			t.Fatalf("Serve idled until the test's deadline: %v", err)
		}
		t.Logf("Serve ended after %s: %v", time.Since(start).Round(time.Millisecond), err)
	})
}
