package gateway

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"github.com/researchflow/researchflow/internal/uploads"
)

// errorBody is the JSON shape of every error answer.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Files are the files an upload refused, each with why, in the order
	// sent: every one, so that one answer says all there is to fix.
	Files []RefusedFile `json:"files,omitempty"`
	// Corpus and Suggestion are a corpus_not_found refusal's corpus and
	// the corpus with documents it may be a typo of (corpora.Suggest):
	// the web app says them in its own words.
	Corpus     string `json:"corpus,omitempty"`
	Suggestion string `json:"suggestion,omitempty"`
}

// RefusedFile is one file an upload refused.
type RefusedFile struct {
	Name string `json:"name"`
	// Code is the error code the file alone would have been answered
	// with (unsupported_media_type, file_too_large, invalid_request).
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

func abortError(c *gin.Context, status int, code, message string) {
	c.AbortWithStatusJSON(status, errorBody{errorDetail{Code: code, Message: message}})
}

// recoverJSON turns a panic into a JSON 500 without internals.
func (s *server) recoverJSON(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("gateway: panic", "route", c.FullPath(), "panic", fmt.Sprint(v))
			abortError(c, http.StatusInternalServerError, "internal", "internal error")
		}
	}()
	c.Next()
}

func (s *server) securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	c.Next()
}

// cors answers only for configured origins; without any, browsers get no
// cross-origin access.
func (s *server) cors(c *gin.Context) {
	origin := c.GetHeader("Origin")
	// The codec server answers its own preflights (other headers, other
	// origins: the Temporal Web UI's).
	if origin == "" || !slices.Contains(s.cfg.CORSOrigins, origin) || strings.HasPrefix(c.Request.URL.Path, "/codec/") {
		c.Next()
		return
	}
	h := c.Writer.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Add("Vary", "Origin")
	h.Set("Access-Control-Expose-Headers", "Retry-After, Location")
	if c.Request.Method == http.MethodOptions && c.GetHeader("Access-Control-Request-Method") != "" {
		h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Idempotency-Key, Last-Event-ID, Accept")
		h.Set("Access-Control-Max-Age", "600")
		c.AbortWithStatus(http.StatusNoContent)
		return
	}
	c.Next()
}

// keyring holds API keys as SHA-256 hashes only.
type keyring struct {
	owners []string
	hashes [][]byte
}

func newKeyring(keys map[string]string) *keyring {
	k := &keyring{}
	owners := make([]string, 0, len(keys))
	for o := range keys {
		owners = append(owners, o)
	}
	sort.Strings(owners)
	for _, o := range owners {
		sum := sha256.Sum256([]byte(keys[o]))
		k.owners = append(k.owners, o)
		k.hashes = append(k.hashes, sum[:])
	}
	return k
}

// owner returns the owner of key; it compares against every key in constant
// time so that timing tells nothing about which keys exist.
func (k *keyring) owner(key string) (string, bool) {
	sum := sha256.Sum256([]byte(key))
	found := -1
	for i, h := range k.hashes {
		if subtle.ConstantTimeCompare(sum[:], h) == 1 {
			found = i
		}
	}
	if found < 0 {
		return "", false
	}
	return k.owners[found], true
}

const ownerKey = "researchflow.owner"

func owner(c *gin.Context) string { return c.GetString(ownerKey) }

func (s *server) authenticate(c *gin.Context) {
	if s.cfg.LocalMode() {
		c.Set(ownerKey, LocalOwner)
		c.Next()
		return
	}
	auth := c.GetHeader("Authorization")
	scheme, key, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(key) == "" {
		c.Header("WWW-Authenticate", `Bearer realm="researchflow"`)
		abortError(c, http.StatusUnauthorized, "unauthorized", "send an API key as 'Authorization: Bearer <key>'")
		return
	}
	o, ok := s.keys.owner(strings.TrimSpace(key))
	if !ok {
		c.Header("WWW-Authenticate", `Bearer realm="researchflow", error="invalid_token"`)
		abortError(c, http.StatusUnauthorized, "unauthorized", "unknown API key")
		return
	}
	c.Set(ownerKey, o)
	c.Next()
}

// limiter is a token bucket per owner (per client address in local mode,
// see clientKey).
type limiter struct {
	mu      sync.Mutex
	limit   rate.Limit
	burst   int
	buckets map[string]*rate.Limiter
}

// maxBuckets bounds the limiter's memory; past it, buckets start afresh.
const maxBuckets = 10000

func newLimiter(perMinute, burst int) *limiter {
	if perMinute <= 0 {
		return nil
	}
	if burst <= 0 {
		burst = 1
	}
	return &limiter{limit: rate.Limit(float64(perMinute) / 60), burst: burst, buckets: map[string]*rate.Limiter{}}
}

// allow reports whether key may make a request now, and if not, how long to wait.
func (l *limiter) allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxBuckets {
			clear(l.buckets)
		}
		b = rate.NewLimiter(l.limit, l.burst)
		l.buckets[key] = b
	}
	l.mu.Unlock()
	r := b.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

func (s *server) rateLimit(c *gin.Context) {
	if s.limits == nil {
		c.Next()
		return
	}
	key := "owner:" + owner(c)
	if s.cfg.LocalMode() {
		key = "ip:" + clientKey(c.ClientIP())
	}
	ok, wait := s.limits.allow(key, s.now())
	if !ok {
		c.Header("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		abortError(c, http.StatusTooManyRequests, "rate_limited", "too many requests; retry later")
		return
	}
	c.Next()
}

// clientKey is the rate-limit key of a client address in local mode: the
// address itself for IPv4, its /64 network for IPv6 (one host commonly holds
// a whole /64, so single addresses would be free to rotate). The address is
// the connection's unless it came through a trusted proxy
// (Config.TrustedProxies).
func clientKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is6() {
		if p, err := a.Prefix(64); err == nil {
			return p.String()
		}
	}
	return a.String()
}

// ownerHash is a short, stable, path- and ID-safe name for an owner
// (uploads.OwnerHash).
func ownerHash(owner string) string { return uploads.OwnerHash(owner) }

// crossOrigin refuses cross-site request forgery: a POST, PUT, PATCH or
// DELETE that a browser sends on behalf of another site (a form or fetch
// from any page the user visits, which in no-auth mode could otherwise start
// runs or upload files) gets 403 with a JSON error. It is the standard
// library's http.CrossOriginProtection, which tells browser requests by
// their Sec-Fetch-Site header, or else by an Origin that does not match
// Host. Passing: GET, HEAD and OPTIONS; same-origin requests (the web app
// served here); requests from apiOrigins (RESEARCHFLOW_CORS_ORIGINS), and
// under /codec/ from codecOrigins (the Temporal Web UI's) instead, as cors
// and the codec server allow them; and requests with neither header (curl,
// the client package, the starter, API-key callers).
func crossOrigin(h http.Handler, apiOrigins, codecOrigins []string, log *slog.Logger) (http.Handler, error) {
	api, err := newCrossOriginProtection(apiOrigins, "RESEARCHFLOW_CORS_ORIGINS", log)
	if err != nil {
		return nil, err
	}
	codec, err := newCrossOriginProtection(codecOrigins, "RESEARCHFLOW_CODEC_CORS_ORIGINS", log)
	if err != nil {
		return nil, err
	}
	apiH, codecH := api.Handler(h), codec.Handler(h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/codec/") {
			codecH.ServeHTTP(w, r)
			return
		}
		apiH.ServeHTTP(w, r)
	}), nil
}

// newCrossOriginProtection trusts origins (listed in setting) and answers
// refusals in the gateway's JSON error shape.
func newCrossOriginProtection(origins []string, setting string, log *slog.Logger) (*http.CrossOriginProtection, error) {
	p := http.NewCrossOriginProtection()
	for _, o := range origins {
		if err := p.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("gateway: %s: %w (want scheme://host[:port])", setting, err)
		}
	}
	p.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.Warn("gateway: cross-site request refused", "method", r.Method, "path", r.URL.Path,
			"origin", r.Header.Get("Origin"), "sec_fetch_site", r.Header.Get("Sec-Fetch-Site"))
		h := w.Header()
		h.Set("Content-Type", "application/json; charset=utf-8")
		h.Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(http.StatusForbidden)
		_ = json.NewEncoder(w).Encode(errorBody{errorDetail{
			Code: "cross_origin",
			Message: fmt.Sprintf("cross-site request refused: a browser may send %s here only from this gateway's own pages or from an origin listed in %s",
				r.Method, setting),
		}})
	}))
	return p, nil
}
