package config

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Gateway holds the HTTP gateway's settings (package gateway), with
// defaults that work on a laptop.
type Gateway struct {
	// Addr is where the HTTP server listens (RESEARCHFLOW_HTTP_ADDR).
	Addr string
	// APIKeys maps owner to API key (RESEARCHFLOW_API_KEYS="alice:k1,bob:k2").
	APIKeys map[string]string
	// NoAuth turns authentication off: every caller is the owner "local" and
	// sees every run (RESEARCHFLOW_NO_AUTH=1). It is also the mode when no key
	// is configured and Addr is a loopback address.
	NoAuth bool
	// RatePerMinute is the per-key request rate (RESEARCHFLOW_RATE_LIMIT,
	// default 60); 0 or less turns rate limiting off.
	RatePerMinute int
	// RateBurst is how many requests a key may make at once
	// (RESEARCHFLOW_RATE_BURST, default 20).
	RateBurst int
	// TrustedProxies are the addresses (IPs or CIDRs) of the reverse proxies
	// in front of the gateway (RESEARCHFLOW_TRUSTED_PROXIES, comma-separated;
	// none by default). Only a request coming from one of them has its
	// client address taken from X-Forwarded-For or X-Real-IP; any other
	// request is its connection's remote address, whatever headers it sends.
	// The client address keys the rate limit in local no-auth mode.
	TrustedProxies []string
	// CORSOrigins are the origins allowed to call the API from a browser
	// (RESEARCHFLOW_CORS_ORIGINS, comma-separated; none by default).
	CORSOrigins []string
	// UIURL is the Temporal Web UI base URL used for run links: set by
	// internal/config from RESEARCHFLOW_UI_URL, and by the stack to the
	// embedded server's Web UI when it serves one. Empty means no Web UI
	// is known, and no answer links to one.
	UIURL string
	// Sources are the source names configured for runs (set by
	// internal/config from the search settings; GET /v1/sources). Empty
	// means only the corpus.
	Sources []string
	// Namespace is the Temporal namespace (set by internal/config from
	// TEMPORAL_NAMESPACE; "default" when empty).
	Namespace string
	// DataDir is where uploads are stored, under DataDir/uploads
	// (set by internal/config from RESEARCHFLOW_DATA_DIR; required). Search workers must be able to
	// read it at the same path.
	DataDir string
	// MaxUploadBytes bounds one upload request (RESEARCHFLOW_MAX_UPLOAD_MB,
	// default 32 MiB); MaxFileBytes bounds each file in it
	// (RESEARCHFLOW_MAX_FILE_MB, default 10 MiB).
	MaxUploadBytes int64
	MaxFileBytes   int64
	// MaxBodyBytes bounds JSON request bodies (64 KiB).
	MaxBodyBytes int64
	// EventsPoll is how often the event stream polls progress (300 ms);
	// EventsHeartbeat is how often it sends a keep-alive comment (15 s).
	EventsPoll      time.Duration
	EventsHeartbeat time.Duration
	// NotifyEmailDomains are the domains a request may ask e-mail
	// notifications for (set by internal/config from
	// RESEARCHFLOW_NOTIFY_EMAIL_DOMAINS, and only when RESEARCHFLOW_SMTP_URL
	// is set: no SMTP server, no e-mail).
	NotifyEmailDomains []string
}

// Defaults of Gateway.
const (
	DefaultGatewayAddr   = "127.0.0.1:8080"
	DefaultRatePerMinute = 60
	DefaultRateBurst     = 20
	mib                  = 1 << 20
)

// minAPIKeyLength refuses keys that are easy to guess.
const minAPIKeyLength = 16

// bindGateway reads RESEARCHFLOW_HTTP_ADDR, RESEARCHFLOW_API_KEYS and the
// other gateway variables. Owner names are checked by gateway.New, which
// knows the naming rules.
func bindGateway(b *binder) Gateway {
	cfg := Gateway{
		Addr:            b.str("RESEARCHFLOW_HTTP_ADDR", DefaultGatewayAddr),
		NoAuth:          b.flag("RESEARCHFLOW_NO_AUTH", false),
		MaxBodyBytes:    64 << 10,
		EventsPoll:      300 * time.Millisecond,
		EventsHeartbeat: 15 * time.Second,
		CORSOrigins:     trimSlashes(b.list("RESEARCHFLOW_CORS_ORIGINS")),
		TrustedProxies:  b.list("RESEARCHFLOW_TRUSTED_PROXIES"),
	}
	var err error
	if cfg.APIKeys, err = parseAPIKeys(b.get("RESEARCHFLOW_API_KEYS")); err != nil {
		b.failErr("RESEARCHFLOW_API_KEYS", err)
	}
	for _, n := range []struct {
		name string
		def  int
		dst  *int
	}{
		{"RESEARCHFLOW_RATE_LIMIT", DefaultRatePerMinute, &cfg.RatePerMinute},
		{"RESEARCHFLOW_RATE_BURST", DefaultRateBurst, &cfg.RateBurst},
	} {
		*n.dst = n.def
		if v := b.get(n.name); v != "" {
			if *n.dst, err = strconv.Atoi(v); err != nil {
				b.fail(n.name, "want a whole number, not %q", v)
			}
		}
	}
	for _, s := range []struct {
		name string
		def  int64
		dst  *int64
	}{
		{"RESEARCHFLOW_MAX_UPLOAD_MB", 32, &cfg.MaxUploadBytes},
		{"RESEARCHFLOW_MAX_FILE_MB", 10, &cfg.MaxFileBytes},
	} {
		*s.dst = s.def * mib
		if v := b.get(s.name); v != "" {
			if n, err := strconv.ParseInt(v, 10, 64); err != nil || n <= 0 {
				b.fail(s.name, "want a positive number of MiB, not %q", v)
			} else {
				*s.dst = n * mib
			}
		}
	}
	if err := ValidateProxies(cfg.TrustedProxies); err != nil {
		b.failErr("RESEARCHFLOW_TRUSTED_PROXIES", err)
	}
	if len(cfg.APIKeys) == 0 && !cfg.NoAuth && !IsLoopback(cfg.Addr) {
		b.fail("RESEARCHFLOW_API_KEYS", "no API keys configured and %s (RESEARCHFLOW_HTTP_ADDR) is not a loopback address: set RESEARCHFLOW_API_KEYS, or RESEARCHFLOW_NO_AUTH=1 to run without authentication", cfg.Addr)
	}
	for owner, key := range cfg.APIKeys {
		if len(key) < minAPIKeyLength {
			b.fail("RESEARCHFLOW_API_KEYS", "key of owner %q: want at least %d characters", owner, minAPIKeyLength)
		}
	}
	return cfg
}

// LocalMode reports whether requests are served without authentication.
func (c Gateway) LocalMode() bool { return c.NoAuth || len(c.APIKeys) == 0 }

func trimSlashes(ss []string) []string {
	for i, s := range ss {
		ss[i] = strings.TrimRight(s, "/")
	}
	return ss
}

// ValidateProxies checks that every trusted proxy is an IP address or a
// CIDR block.
func ValidateProxies(proxies []string) error {
	for _, p := range proxies {
		if strings.Contains(p, "/") {
			if _, err := netip.ParsePrefix(p); err != nil {
				return fmt.Errorf("%q: want an IP address or a CIDR block such as 10.0.0.0/8", p)
			}
		} else if _, err := netip.ParseAddr(p); err != nil {
			return fmt.Errorf("%q: want an IP address or a CIDR block such as 10.0.0.0/8", p)
		}
	}
	return nil
}

func parseAPIKeys(s string) (map[string]string, error) {
	keys := map[string]string{}
	seen := map[string]bool{}
	for _, pair := range strings.Split(s, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		owner, key, ok := strings.Cut(pair, ":")
		owner, key = strings.TrimSpace(owner), strings.TrimSpace(key)
		if !ok || owner == "" || key == "" {
			return nil, fmt.Errorf("want owner:key pairs separated by commas")
		}
		if _, dup := keys[owner]; dup {
			return nil, fmt.Errorf("owner %q listed twice", owner)
		}
		if seen[key] {
			return nil, fmt.Errorf("a key is listed twice")
		}
		seen[key] = true
		keys[owner] = key
	}
	return keys, nil
}

// IsLoopback reports whether addr (host:port) only listens on loopback.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
