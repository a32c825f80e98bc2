package fetch

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Defaults of the fetching limits.
const (
	// DefaultMaxBytes bounds a page body: 5 MiB holds any article and most
	// papers as PDF while keeping one fetch's memory small.
	DefaultMaxBytes = 5 << 20
	// DefaultTimeout bounds one fetch, robots.txt and redirects included.
	DefaultTimeout = 20 * time.Second
	// DefaultPerHost is how many fetches may run against one host at once:
	// two keeps a research run from hammering any single site.
	DefaultPerHost = 2
	// MaxRedirects is how many redirects a fetch follows (every hop is
	// checked again against the address rules and robots.txt).
	MaxRedirects = 5
)

// Config holds the fetching settings (RESEARCHFLOW_FETCH_*).
type Config struct {
	// AllowCIDRs are address ranges fetched although the SSRF rules refuse
	// them (loopback, private, link-local…), on any port
	// (RESEARCHFLOW_FETCH_ALLOW_CIDRS, comma-separated, e.g.
	// "127.0.0.0/8,10.1.0.0/16"; default none).
	AllowCIDRs []netip.Prefix
	// Ports are the destination ports allowed outside AllowCIDRs
	// (RESEARCHFLOW_FETCH_PORTS, default 80,443).
	Ports []uint16
	// MaxBytes bounds a page's body in bytes (RESEARCHFLOW_FETCH_MAX_BYTES,
	// default DefaultMaxBytes).
	MaxBytes int64
	// Timeout bounds one fetch (RESEARCHFLOW_FETCH_TIMEOUT, a Go duration,
	// default DefaultTimeout).
	Timeout time.Duration
	// PerHost bounds concurrent fetches per host (RESEARCHFLOW_FETCH_PER_HOST,
	// default DefaultPerHost).
	PerHost int
}

// WithDefaults fills zero fields with their defaults.
func (c Config) WithDefaults() Config {
	if len(c.Ports) == 0 {
		c.Ports = []uint16{80, 443}
	}
	if c.MaxBytes <= 0 {
		c.MaxBytes = DefaultMaxBytes
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.PerHost <= 0 {
		c.PerHost = DefaultPerHost
	}
	return c
}

// ConfigFromEnv reads the RESEARCHFLOW_FETCH_* settings through
// lookup. A malformed value is an error naming the variable.
func ConfigFromEnv(lookup func(string) (string, bool)) (Config, error) {
	get := func(k string) string {
		v, _ := lookup(k)
		return strings.TrimSpace(v)
	}
	var c Config
	if v := get("RESEARCHFLOW_FETCH_ALLOW_CIDRS"); v != "" {
		for _, s := range strings.Split(v, ",") {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			p, err := netip.ParsePrefix(s)
			if err != nil {
				if a, aerr := netip.ParseAddr(s); aerr == nil {
					p = netip.PrefixFrom(a, a.BitLen())
				} else {
					return Config{}, fmt.Errorf("RESEARCHFLOW_FETCH_ALLOW_CIDRS: %q is not a CIDR range such as 127.0.0.0/8", s)
				}
			}
			c.AllowCIDRs = append(c.AllowCIDRs, p.Masked())
		}
	}
	if v := get("RESEARCHFLOW_FETCH_PORTS"); v != "" {
		for _, s := range strings.Split(v, ",") {
			n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 16)
			if err != nil || n == 0 {
				return Config{}, fmt.Errorf("RESEARCHFLOW_FETCH_PORTS: %q is not a port number", s)
			}
			c.Ports = append(c.Ports, uint16(n))
		}
	}
	if v := get("RESEARCHFLOW_FETCH_MAX_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return Config{}, fmt.Errorf("RESEARCHFLOW_FETCH_MAX_BYTES=%q: want a positive number of bytes", v)
		}
		c.MaxBytes = n
	}
	if v := get("RESEARCHFLOW_FETCH_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return Config{}, fmt.Errorf("RESEARCHFLOW_FETCH_TIMEOUT=%q: want a positive Go duration such as 20s", v)
		}
		c.Timeout = d
	}
	if v := get("RESEARCHFLOW_FETCH_PER_HOST"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return Config{}, fmt.Errorf("RESEARCHFLOW_FETCH_PER_HOST=%q: want a positive whole number", v)
		}
		c.PerHost = n
	}
	return c.WithDefaults(), nil
}
