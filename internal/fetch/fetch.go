// Package fetch reads web pages found by search providers, safely: every
// connection is checked after DNS resolution (and again on every redirect)
// against the SSRF rules of code.dny.dev/ssrf — loopback, private,
// link-local, CGNAT (100.64.0.0/10), cloud metadata (169.254.169.254,
// fd00:ec2::254), unspecified, multicast and reserved addresses are
// refused — unless an address range is opened with
// RESEARCHFLOW_FETCH_ALLOW_CIDRS. robots.txt is honoured for the
// User-Agent below, bodies are bounded in size and time, only HTML, PDF and
// plain text are read, and each host gets a few concurrent fetches at most.
// HTML is reduced to its readable text by package corpus (the extraction
// used for local .html files), which drops what a reader never sees and
// sentences addressed to machines.
//
// Errors are classified with package egress's kinds, so activities retry
// what may succeed later and give up at once on what never will:
// egress.KindInvalid (not an absolute http(s) URL), egress.KindBlocked (an
// address the SSRF rules refuse, a path robots.txt disallows),
// egress.KindNotFound (no such host, 404, 410), egress.KindTooLarge (a
// body over Config.MaxBytes), egress.KindUnsupported (not HTML, PDF or
// plain text, or a body that cannot be parsed), and the egress status
// table's kinds for every other answer (429 rate limited and 408/5xx
// unavailable honouring Retry-After; other 4xx rejected).
package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"code.dny.dev/ssrf"
	"golang.org/x/net/html/charset"

	"github.com/researchflow/researchflow/internal/corpus"
	"github.com/researchflow/researchflow/internal/egress"
	"github.com/researchflow/researchflow/internal/fault"
	"github.com/researchflow/researchflow/internal/memory"
	"github.com/researchflow/researchflow/internal/search/ident"
)

// robotsAgent is the product token robots.txt groups are matched against
// (RFC 9309 §2.2.1).
const robotsAgent = "Researchflow"

// Sentinel errors wrapped by Fetch's errors, so that callers can say why a
// page was not read where one egress kind covers several reasons.
var (
	// ErrBlocked: a destination the SSRF rules refuse (egress.KindBlocked).
	ErrBlocked = errors.New("destination address not allowed")
	// ErrRobots: robots.txt disallows the path (egress.KindBlocked).
	ErrRobots = errors.New("disallowed by robots.txt")
	// ErrContentType: a format that is not read (egress.KindUnsupported).
	ErrContentType = errors.New("content type is not read")
)

// Page is a fetched page reduced to text. Its fields are those the search
// activities' page type declares, in the same order, so that one converts
// to the other: keep them in step.
type Page struct {
	// URL is the address the text was read from, after redirects.
	URL string `json:"url"`
	// CanonicalURL is the page's <link rel="canonical"> (absolute), else URL.
	CanonicalURL string `json:"canonicalUrl"`
	// Title is the page's title (<title>, else og:title or
	// citation_title, else the first h1/h2, else the file name).
	Title string `json:"title"`
	// Site is og:site_name when the page declares one, else the host name
	// without "www.".
	Site string `json:"site"`
	// Published is the publication date the page declares
	// (citation_publication_date, article:published_time, DC.date…), zero
	// when unknown.
	Published time.Time `json:"published,omitzero"`
	// ContentType is the media type read: text/html, application/pdf or
	// text/plain.
	ContentType string `json:"contentType"`
	// Text is the readable text: paragraphs separated by blank lines.
	Text string `json:"text"`
	// AccessedAt is when the page was fetched (UTC).
	AccessedAt time.Time `json:"accessedAt"`
	// DOI (lower case) from citation_doi/DC.identifier/prism.doi metadata or
	// the page's only doi.org link; ArxivID (versionless) from the URL or
	// citation_arxiv_id.
	DOI     string `json:"doi,omitempty"`
	ArxivID string `json:"arxivId,omitempty"`
}

// Keys are the page's identity keys (see ident.Keys): two pages or search
// results sharing one are the same work.
func (p Page) Keys() []string { return ident.Keys(p.DOI, p.ArxivID, p.CanonicalURL, p.URL) }

// Document is the page as a document of the named corpus, ready for
// corpus.Split: Location is the URL, SourceID memory.SourceID(corpus, URL),
// DocHash the hash of the text.
func (p Page) Document(corpusName string) corpus.Document {
	return corpus.Document{
		SourceID: memory.SourceID(corpusName, p.URL), Title: p.Title, Location: p.URL,
		Text: p.Text, DocHash: memory.Hash(p.Text),
	}
}

// Resolver returns the addresses of host (tests inject one; the default is
// net.DefaultResolver.LookupNetIP).
type Resolver func(ctx context.Context, host string) ([]netip.Addr, error)

// Option changes a Fetcher built by New.
type Option func(*Fetcher)

// WithResolver makes the Fetcher resolve host names with r.
func WithResolver(r Resolver) Option { return func(f *Fetcher) { f.resolve = r } }

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(f *Fetcher) { f.log = l } }

// Fetcher fetches pages. It is safe for concurrent use.
type Fetcher struct {
	cfg     Config
	guard   *ssrf.Guardian
	resolve Resolver
	log     *slog.Logger
	client  *http.Client // pages: robots checked on every redirect
	robotsC *http.Client // robots.txt files
	robots  robotsCache
	hosts   hostSlots
	now     func() time.Time
}

// New builds a Fetcher from cfg (zero fields take their defaults).
func New(cfg Config, opts ...Option) *Fetcher {
	cfg = cfg.WithDefaults()
	f := &Fetcher{
		cfg:   cfg,
		guard: ssrf.New(ssrf.WithPorts(cfg.Ports...)),
		resolve: func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		},
		log: slog.Default(),
		now: time.Now,
	}
	for _, o := range opts {
		o(f)
	}
	f.hosts = hostSlots{n: cfg.PerHost, slots: map[string]*hostSlot{}}
	f.robots = robotsCache{entries: map[string]robotsEntry{}}
	tr := &http.Transport{
		Proxy:                 nil, // a proxy would dial for us, past the address checks
		DialContext:           f.dial,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: cfg.Timeout,
		MaxIdleConnsPerHost:   cfg.PerHost,
		IdleConnTimeout:       60 * time.Second,
	}
	f.client = &http.Client{Transport: tr, CheckRedirect: f.checkRedirect}
	f.robotsC = &http.Client{Transport: tr, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= MaxRedirects {
			return fmt.Errorf("more than %d redirects", MaxRedirects)
		}
		return nil
	}}
	return f
}

// Fetch reads the page at rawURL and reduces it to text. Errors are
// classified with package egress's kinds (see the package doc) and name
// the URL.
//
// An HTML page whose <meta http-equiv="refresh"> (in its head, or inside a
// <noscript>) sends the reader elsewhere within maxRefreshDelay seconds is
// a redirect stub: its target is fetched in its place, under the same
// rules as an HTTP redirect (address checks, robots.txt, at most
// MaxRedirects such hops, no loops), and the page read is the target's.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) (Page, error) {
	u, err := parseURL(rawURL)
	if err != nil {
		return Page{}, err
	}
	seen := map[string]bool{}
	for hop := 0; ; hop++ {
		seen[u.String()] = true
		page, next, err := f.fetchOnce(ctx, u)
		if err != nil || next == nil {
			return page, err
		}
		switch {
		case hop >= MaxRedirects:
			return Page{}, egress.Fail(egress.KindRejected, fmt.Errorf("fetch %s: more than %d redirects (meta refresh to %s)", rawURL, MaxRedirects, next))
		case seen[next.String()]:
			return Page{}, egress.Fail(egress.KindRejected, fmt.Errorf("fetch %s: meta refresh loop at %s", rawURL, next))
		case next.Scheme != "http" && next.Scheme != "https":
			return Page{}, egress.Fail(egress.KindInvalid, fmt.Errorf("fetch %s: meta refresh to %q: not http(s)", rawURL, next.Redacted()))
		}
		f.log.Debug("fetch: following meta refresh", "from", page.URL, "to", next.String())
		u = next
	}
}

// fetchOnce reads one URL. next is set, and the page is to be discarded,
// when the page is a meta-refresh stub pointing elsewhere.
func (f *Fetcher) fetchOnce(ctx context.Context, u *url.URL) (page Page, next *url.URL, err error) {
	// The fetch timeout bounds the download; a downloaded PDF's reading
	// has pdftotext's own bound and stops only when the caller's ctx does.
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, f.cfg.Timeout)
	defer cancel()
	release, err := f.hosts.acquire(ctx, u.Host)
	if err != nil {
		return Page{}, nil, egress.Fail(egress.KindUnavailable, fmt.Errorf("fetch %s: waiting for a slot on %s: %w", u, u.Host, err))
	}
	defer release()
	if err := f.checkRobots(ctx, u); err != nil {
		return Page{}, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return Page{}, nil, egress.Fail(egress.KindInvalid, fmt.Errorf("fetch %s: %w", u, err))
	}
	req.Header.Set("User-Agent", egress.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/pdf;q=0.9,text/plain;q=0.8")
	resp, err := f.client.Do(req)
	if err != nil {
		return Page{}, nil, classifyNetErr(u.String(), err)
	}
	defer resp.Body.Close()
	if err := statusError(u.String(), resp); err != nil {
		return Page{}, nil, err
	}
	final := resp.Request.URL
	ct := resp.Header.Get("Content-Type")
	declared, _, _ := mime.ParseMediaType(ct)
	if declared != "" && !readable(declared) && !generic(declared) { // refused before the body is read
		return Page{}, nil, contentTypeErr(final, declared)
	}
	if resp.ContentLength > f.cfg.MaxBytes {
		return Page{}, nil, egress.Fail(egress.KindTooLarge, fmt.Errorf("fetch %s: body of %d bytes is over the %d-byte limit (RESEARCHFLOW_FETCH_MAX_BYTES)", final, resp.ContentLength, f.cfg.MaxBytes))
	}
	raw, err := egress.ReadBody(resp.Body, f.cfg.MaxBytes)
	if errors.Is(err, egress.ErrTooLarge) {
		return Page{}, nil, egress.Fail(egress.KindTooLarge, fmt.Errorf("fetch %s: body is over the %d-byte limit (RESEARCHFLOW_FETCH_MAX_BYTES)", final, f.cfg.MaxBytes))
	}
	if err != nil {
		return Page{}, nil, classifyNetErr(final.String(), err)
	}
	media := mediaType(declared, raw)
	page = Page{URL: final.String(), AccessedAt: f.now().UTC(), ArxivID: ident.ArxivFromURL(final.String())}
	switch media {
	case "text/html", "application/xhtml+xml":
		page.ContentType = "text/html"
		next, err = readHTML(&page, final, raw, ct)
	case "application/pdf":
		page.ContentType = media
		err = readPDF(parent, &page, raw)
	case "text/plain":
		page.ContentType = media
		err = readPlain(&page, raw, ct)
	default:
		return Page{}, nil, contentTypeErr(final, media)
	}
	if err != nil && parent.Err() != nil {
		// Cut short by the caller (a pdftotext run stops with its
		// context): not a page that cannot be read.
		return Page{}, nil, egress.Fail(egress.KindUnavailable, fmt.Errorf("fetch %s: reading cut short: %w", final, parent.Err()))
	}
	if err != nil {
		return Page{}, nil, egress.Fail(egress.KindUnsupported, fmt.Errorf("fetch %s: %w", final, err))
	}
	if next != nil {
		return page, next, nil
	}
	if page.CanonicalURL == "" {
		page.CanonicalURL = page.URL
	}
	if page.Site == "" {
		page.Site = strings.TrimPrefix(strings.ToLower(final.Hostname()), "www.")
	}
	if page.Title == "" {
		page.Title = fileTitle(final)
	}
	return page, nil, nil
}

// mediaType decides what a body is from its bytes as well as the declared
// type: a body that starts with the PDF signature (%PDF-) is a PDF
// whatever the header says (and so is one that has it within its first
// 1024 bytes, as PDF readers accept, when the header names no other type);
// a generic or missing type (application/octet-stream, binary/octet-stream
// and the like, see generic) is sniffed with http.DetectContentType (the
// WHATWG MIME sniffing algorithm); otherwise the declared type stands.
func mediaType(declared string, raw []byte) string {
	head := raw[:min(len(raw), 1024)]
	if bytes.HasPrefix(bytes.TrimLeft(head, "\xef\xbb\xbf \t\r\n"), []byte("%PDF-")) ||
		(declared == "" || generic(declared) || declared == "application/pdf") && bytes.Contains(head, []byte("%PDF-")) {
		return "application/pdf"
	}
	if declared != "" && !generic(declared) {
		return declared
	}
	sniffed, _, _ := mime.ParseMediaType(http.DetectContentType(raw))
	return sniffed
}

// generic reports whether a declared media type says nothing about the
// format, so that the bytes decide: servers label downloads this way.
func generic(media string) bool {
	switch media {
	case "application/octet-stream", "binary/octet-stream", "application/binary", "application/x-download",
		"application/force-download", "application/download", "application/unknown", "application/x-unknown",
		"unknown/unknown", "application/save", "content/unknown":
		return true
	}
	return false
}

// readable reports whether Fetch reads pages of the media type.
func readable(media string) bool {
	switch media {
	case "text/html", "application/xhtml+xml", "application/pdf", "text/plain":
		return true
	}
	return false
}

func contentTypeErr(u *url.URL, media string) error {
	return egress.Fail(egress.KindUnsupported, fmt.Errorf("fetch %s: %w: %q (HTML, PDF and plain text are read)", u, ErrContentType, media))
}

func parseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, egress.Fail(egress.KindInvalid, fmt.Errorf("fetch %q: %w", raw, err))
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, egress.Fail(egress.KindInvalid, fmt.Errorf("fetch %q: not an absolute http(s) URL", raw))
	}
	if u.User != nil {
		return nil, egress.Fail(egress.KindInvalid, fmt.Errorf("fetch %s: URLs with credentials are not fetched", u.Redacted()))
	}
	u.Fragment = ""
	return u, nil
}

// checkRedirect re-checks every hop: scheme, count and robots.txt; the
// address rules apply again when the hop is dialled.
func (f *Fetcher) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= MaxRedirects {
		return egress.Fail(egress.KindRejected, fmt.Errorf("more than %d redirects", MaxRedirects))
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return egress.Fail(egress.KindInvalid, fmt.Errorf("redirect to %q: not http(s)", req.URL.Redacted()))
	}
	return f.checkRobots(req.Context(), req.URL)
}

// dial resolves the host itself (through the injectable Resolver) and
// connects only to addresses the rules allow; the dialer's Control hook
// checks the address actually connected to once more.
func (f *Fetcher) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("port %q: %w", portStr, err)
	}
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else if ips, err = f.resolve(ctx, host); err != nil {
		return nil, err
	}
	if len(ips) == 0 {
		return nil, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
	}
	var errs []error
	for _, ip := range ips {
		ap := netip.AddrPortFrom(ip.Unmap(), uint16(port))
		if err := f.allowed(ap); err != nil {
			f.log.Warn("fetch: address refused", "host", host, "addr", ap.String(), "err", err)
			errs = append(errs, err)
			continue
		}
		d := net.Dialer{Timeout: 10 * time.Second, Control: f.control}
		conn, err := d.DialContext(ctx, network, ap.String())
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

// allowed applies the allow-list, then the ssrf rules and port list.
func (f *Fetcher) allowed(ap netip.AddrPort) error {
	ip := ap.Addr().Unmap()
	for _, p := range f.cfg.AllowCIDRs {
		if p.Contains(ip) {
			return nil
		}
	}
	if err := f.guard.SafeAddrPort(netip.AddrPortFrom(ip, ap.Port())); err != nil {
		return fmt.Errorf("%w: %w (RESEARCHFLOW_FETCH_ALLOW_CIDRS opens ranges)", ErrBlocked, err)
	}
	return nil
}

func (f *Fetcher) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrBlocked, address, err)
	}
	return f.allowed(ap)
}

// classifyNetErr classifies an error of client.Do or of reading a body.
func classifyNetErr(u string, err error) error {
	var fe *fault.Error
	if errors.As(err, &fe) { // from checkRedirect
		return err
	}
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, ErrBlocked):
		return egress.Fail(egress.KindBlocked, fmt.Errorf("fetch %s: %w", u, err))
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return egress.Fail(egress.KindNotFound, fmt.Errorf("fetch %s: %w", u, err))
	}
	return egress.Fail(egress.KindUnavailable, fmt.Errorf("fetch %s: %w", u, err))
}

// statusError classifies a non-2xx response with package egress's status
// table: 408, 429 and 5xx are transient (honouring Retry-After), 404 and
// 410 not found, other codes permanent.
func statusError(u string, resp *http.Response) error {
	return egress.Status(resp.StatusCode, egress.RetryAfterHeader(resp.Header, time.Now()), fmt.Errorf("fetch %s: HTTP %d", u, resp.StatusCode))
}

// fileTitle is the title of a page that has none: its file name without a
// document extension, else the host.
func fileTitle(u *url.URL) string {
	base := path.Base(u.Path)
	if base == "/" || base == "." || base == "" {
		return u.Hostname()
	}
	if s, err := url.PathUnescape(base); err == nil {
		base = s
	}
	switch ext := path.Ext(base); strings.ToLower(ext) {
	case ".pdf", ".txt", ".html", ".htm":
		return strings.TrimSuffix(base, ext)
	}
	return base
}

func readPDF(ctx context.Context, p *Page, raw []byte) error {
	doc, err := corpus.ParsePDF(ctx, raw)
	if err != nil {
		return err
	}
	p.Title, p.Text = doc.Title, doc.Text
	return nil
}

func readPlain(p *Page, raw []byte, contentType string) error {
	r, err := charset.NewReader(bytes.NewReader(raw), contentType)
	if err != nil {
		return fmt.Errorf("decode text: %w", err)
	}
	if raw, err = io.ReadAll(r); err != nil {
		return fmt.Errorf("decode text: %w", err)
	}
	doc := corpus.ParsePlain(raw)
	p.Title, p.Text = doc.Title, doc.Text
	return nil
}

// hostSlots bounds concurrent fetches per host. A host's entry lives while
// someone holds or waits for one of its slots.
type hostSlots struct {
	n     int
	mu    sync.Mutex
	slots map[string]*hostSlot
}

type hostSlot struct {
	ch   chan struct{}
	refs int // holders and waiters
}

func (h *hostSlots) acquire(ctx context.Context, host string) (release func(), err error) {
	host = strings.ToLower(host)
	h.mu.Lock()
	s, ok := h.slots[host]
	if !ok {
		s = &hostSlot{ch: make(chan struct{}, h.n)}
		h.slots[host] = s
	}
	s.refs++
	h.mu.Unlock()
	done := func() {
		h.mu.Lock()
		if s.refs--; s.refs == 0 {
			delete(h.slots, host)
		}
		h.mu.Unlock()
	}
	select {
	case s.ch <- struct{}{}:
		return func() { <-s.ch; done() }, nil
	case <-ctx.Done():
		done()
		return nil, ctx.Err()
	}
}
