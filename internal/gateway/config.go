package gateway

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	rf "github.com/researchflow/researchflow"
)

// Config holds the gateway's settings. ConfigFromEnv fills it from the
// environment with defaults that work on a laptop.
type Config struct {
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
	// UIURL is the Temporal Web UI base URL used for run links
	// (RESEARCHFLOW_UI_URL, default http://127.0.0.1:8233).
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

// Defaults of Config.
const (
	DefaultAddr          = "127.0.0.1:8080"
	DefaultUIURL         = "http://127.0.0.1:8233"
	DefaultNamespace     = "default"
	DefaultRatePerMinute = 60
	DefaultRateBurst     = 20
	mib                  = 1 << 20
)

// LocalOwner is the owner of every request when authentication is off.
const LocalOwner = rf.LocalOwner

// minKeyLength refuses keys that are easy to guess.
const minKeyLength = 16

// ConfigFromEnv reads the configuration through lookup (os.LookupEnv in
// production) and validates it.
func ConfigFromEnv(lookup func(string) (string, bool)) (Config, error) {
	get := func(name, def string) string {
		if v, ok := lookup(name); ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
		return def
	}
	cfg := Config{
		Addr:            get("RESEARCHFLOW_HTTP_ADDR", DefaultAddr),
		UIURL:           strings.TrimRight(get("RESEARCHFLOW_UI_URL", DefaultUIURL), "/"),
		MaxBodyBytes:    64 << 10,
		EventsPoll:      300 * time.Millisecond,
		EventsHeartbeat: 15 * time.Second,
	}
	var err error
	if cfg.NoAuth, err = parseBool(get("RESEARCHFLOW_NO_AUTH", "0")); err != nil {
		return Config{}, fmt.Errorf("RESEARCHFLOW_NO_AUTH: %w", err)
	}
	if cfg.APIKeys, err = parseKeys(get("RESEARCHFLOW_API_KEYS", "")); err != nil {
		return Config{}, fmt.Errorf("RESEARCHFLOW_API_KEYS: %w", err)
	}
	ints := []struct {
		name string
		def  int
		dst  *int
	}{
		{"RESEARCHFLOW_RATE_LIMIT", DefaultRatePerMinute, &cfg.RatePerMinute},
		{"RESEARCHFLOW_RATE_BURST", DefaultRateBurst, &cfg.RateBurst},
	}
	for _, n := range ints {
		if *n.dst, err = strconv.Atoi(get(n.name, strconv.Itoa(n.def))); err != nil {
			return Config{}, fmt.Errorf("%s: %w", n.name, err)
		}
	}
	sizes := []struct {
		name string
		def  int64
		dst  *int64
	}{
		{"RESEARCHFLOW_MAX_UPLOAD_MB", 32, &cfg.MaxUploadBytes},
		{"RESEARCHFLOW_MAX_FILE_MB", 10, &cfg.MaxFileBytes},
	}
	for _, s := range sizes {
		v, err := strconv.ParseInt(get(s.name, strconv.FormatInt(s.def, 10)), 10, 64)
		if err != nil || v <= 0 {
			return Config{}, fmt.Errorf("%s: want a positive number of MiB", s.name)
		}
		*s.dst = v * mib
	}
	for _, o := range strings.Split(get("RESEARCHFLOW_CORS_ORIGINS", ""), ",") {
		if o = strings.TrimRight(strings.TrimSpace(o), "/"); o != "" {
			cfg.CORSOrigins = append(cfg.CORSOrigins, o)
		}
	}
	for _, p := range strings.Split(get("RESEARCHFLOW_TRUSTED_PROXIES", ""), ",") {
		if p = strings.TrimSpace(p); p != "" {
			cfg.TrustedProxies = append(cfg.TrustedProxies, p)
		}
	}
	if err := validateProxies(cfg.TrustedProxies); err != nil {
		return Config{}, fmt.Errorf("RESEARCHFLOW_TRUSTED_PROXIES: %w", err)
	}
	return cfg, cfg.validate()
}

// validateProxies checks that every trusted proxy is an IP address or a
// CIDR block.
func validateProxies(proxies []string) error {
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

// localMode reports whether requests are served without authentication.
func (c Config) localMode() bool {
	return c.NoAuth || len(c.APIKeys) == 0
}

// validate refuses configurations that would expose runs to anyone.
func (c Config) validate() error {
	if len(c.APIKeys) == 0 && !c.NoAuth && !isLoopback(c.Addr) {
		return fmt.Errorf("no API keys configured and %s is not a loopback address: set RESEARCHFLOW_API_KEYS, or RESEARCHFLOW_NO_AUTH=1 to run without authentication", c.Addr)
	}
	if err := validateProxies(c.TrustedProxies); err != nil {
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

func parseKeys(s string) (map[string]string, error) {
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

func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off", "":
		return false, nil
	}
	return false, fmt.Errorf("want 1 or 0, got %q", s)
}

// isLoopback reports whether addr (host:port) only listens on loopback.
func isLoopback(addr string) bool {
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
