package gateway

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fromAddr serves GET /v1/research as if sent from remote (host:port) with
// the given X-Forwarded-For (none if empty), without an API key.
func (h *harness) fromAddr(remote, xff string) int {
	h.t.Helper()
	req := httptest.NewRequest("GET", "/v1/research", nil)
	req.RemoteAddr = remote
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
		req.Header.Set("X-Real-IP", strings.TrimSpace(strings.Split(xff, ",")[0]))
	}
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, req)
	return rec.Code
}

// TestRateLimitIgnoresForwardedFor is issue 9's failing input: in local
// no-auth mode, a client that rotated X-Forwarded-For was never limited,
// because gin trusted that header from every peer.
func TestRateLimitIgnoresForwardedFor(t *testing.T) {
	h := newHarness(t, map[string]string{"RESEARCHFLOW_API_KEYS": "", "RESEARCHFLOW_RATE_LIMIT": "60", "RESEARCHFLOW_RATE_BURST": "3"})
	if !h.cfg.LocalMode() {
		t.Fatal("not in local mode")
	}
	codes := make([]int, 10)
	for i := range codes {
		codes[i] = h.fromAddr("203.0.113.7:40000", fmt.Sprintf("198.51.100.%d", i+1))
	}
	if got, want := fmt.Sprint(codes), "[200 200 200 429 429 429 429 429 429 429]"; got != want {
		t.Errorf("rotating X-Forwarded-For from one address: %s, want %s", got, want)
	}
	if code := h.fromAddr("203.0.113.8:40000", ""); code != http.StatusOK {
		t.Errorf("another client is limited by the first one's use: %d", code)
	}

	// IPv6: one host holds a /64; rotating addresses in it is one client.
	for i := range 3 {
		if code := h.fromAddr(fmt.Sprintf("[2001:db8:1:2::%x]:40000", i+1), ""); code != http.StatusOK {
			t.Fatalf("IPv6 request %d: %d", i, code)
		}
	}
	if code := h.fromAddr("[2001:db8:1:2:ffff::9]:40000", ""); code != http.StatusTooManyRequests {
		t.Errorf("rotating IPv6 addresses within a /64: %d, want 429", code)
	}
	if code := h.fromAddr("[2001:db8:1:3::1]:40000", ""); code != http.StatusOK {
		t.Errorf("another /64 is limited: %d", code)
	}
}

// TestRateLimitBehindTrustedProxy: requests that come through a configured
// proxy are keyed by the client address the proxy forwards; the proxy's
// own address is not a client, and a client cannot escape by prepending
// addresses of its own to the header.
func TestRateLimitBehindTrustedProxy(t *testing.T) {
	h := newHarness(t, map[string]string{
		"RESEARCHFLOW_API_KEYS": "", "RESEARCHFLOW_RATE_LIMIT": "60", "RESEARCHFLOW_RATE_BURST": "2",
		"RESEARCHFLOW_TRUSTED_PROXIES": "10.1.0.0/16, 192.0.2.10",
	})
	const proxy = "10.1.2.3:50000"
	for i := range 2 {
		if code := h.fromAddr(proxy, "198.51.100.1"); code != http.StatusOK {
			t.Fatalf("request %d through the proxy: %d", i, code)
		}
	}
	if code := h.fromAddr(proxy, "198.51.100.1"); code != http.StatusTooManyRequests {
		t.Errorf("third request of one client through the proxy: %d, want 429", code)
	}
	// Other clients behind the same proxy have their own budget.
	if code := h.fromAddr(proxy, "198.51.100.2"); code != http.StatusOK {
		t.Errorf("another client through the proxy: %d, want 200", code)
	}
	if code := h.fromAddr("192.0.2.10:50000", "198.51.100.3"); code != http.StatusOK {
		t.Errorf("a client through the second proxy: %d, want 200", code)
	}
	// The proxy appends the address it saw; what the client wrote before it
	// does not count.
	codes := make([]int, 4)
	for i := range codes {
		codes[i] = h.fromAddr(proxy, fmt.Sprintf("1.2.3.%d, 198.51.100.4", i))
	}
	if got, want := fmt.Sprint(codes), "[200 200 429 429]"; got != want {
		t.Errorf("client-written X-Forwarded-For entries rotated: %s, want %s", got, want)
	}
	// A peer that is not a trusted proxy is the client, whatever it sends.
	codes = codes[:0]
	for i := range 4 {
		codes = append(codes, h.fromAddr("203.0.113.9:40000", fmt.Sprintf("198.51.100.%d", 10+i)))
	}
	if got, want := fmt.Sprint(codes), "[200 200 429 429]"; got != want {
		t.Errorf("untrusted peer rotating X-Forwarded-For: %s, want %s", got, want)
	}
}

func TestTrustedProxiesConfig(t *testing.T) {
	env := func(v string) func(string) (string, bool) {
		return func(k string) (string, bool) {
			if k == "RESEARCHFLOW_TRUSTED_PROXIES" {
				return v, true
			}
			return "", false
		}
	}
	cfg, err := configFromEnv(env(""))
	if err != nil || len(cfg.TrustedProxies) != 0 {
		t.Errorf("default trusted proxies = %q (err %v), want none", cfg.TrustedProxies, err)
	}
	cfg, err = configFromEnv(env(" 10.0.0.0/8, 192.0.2.1 ,fd00::/8,::1"))
	if err != nil || strings.Join(cfg.TrustedProxies, " ") != "10.0.0.0/8 192.0.2.1 fd00::/8 ::1" {
		t.Errorf("trusted proxies = %q (err %v)", cfg.TrustedProxies, err)
	}
	for _, bad := range []string{"proxy.local", "10.0.0.0/33", "10.0.0.1:80", "*"} {
		_, err := configFromEnv(env(bad))
		if err == nil || !strings.Contains(err.Error(), "RESEARCHFLOW_TRUSTED_PROXIES") {
			t.Errorf("RESEARCHFLOW_TRUSTED_PROXIES=%q: err %v, want one naming the variable", bad, err)
		}
	}
	if _, err := New(Config{Addr: DefaultAddr, TrustedProxies: []string{"nope"}}, Deps{Runs: newMemRuns()}); err == nil {
		t.Error("New accepted an invalid trusted proxy")
	}
}
