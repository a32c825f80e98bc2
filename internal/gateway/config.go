package gateway

import (
	"fmt"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/config"
)

// Config holds the gateway's settings; package config declares them and
// binds them from the environment (RESEARCHFLOW_HTTP_ADDR,
// RESEARCHFLOW_API_KEYS, …).
type Config = config.Gateway

// Defaults of Config.
const (
	DefaultAddr          = config.DefaultGatewayAddr
	DefaultNamespace     = "default"
	DefaultRatePerMinute = config.DefaultRatePerMinute
	DefaultRateBurst     = config.DefaultRateBurst
)

// LocalOwner is the owner of every request when authentication is off.
const LocalOwner = rf.LocalOwner

const mib = 1 << 20

// minKeyLength refuses keys that are easy to guess.
const minKeyLength = 16

// validate refuses configurations that would expose runs to anyone.
func validate(c Config) error {
	if len(c.APIKeys) == 0 && !c.NoAuth && !isLoopback(c.Addr) {
		return fmt.Errorf("no API keys configured and %s is not a loopback address: set RESEARCHFLOW_API_KEYS, or RESEARCHFLOW_NO_AUTH=1 to run without authentication", c.Addr)
	}
	if err := config.ValidateProxies(c.TrustedProxies); err != nil {
		return fmt.Errorf("trusted proxies: %w", err)
	}
	for owner, key := range c.APIKeys {
		if err := rf.ValidateOwner(owner); err != nil {
			return fmt.Errorf("RESEARCHFLOW_API_KEYS: %w", err)
		}
		if len(key) < minKeyLength {
			return fmt.Errorf("key of owner %q: want at least %d characters", owner, minKeyLength)
		}
	}
	return nil
}

// isLoopback reports whether addr (host:port) only listens on loopback.
func isLoopback(addr string) bool { return config.IsLoopback(addr) }
