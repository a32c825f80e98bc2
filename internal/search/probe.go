package search

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"
)

// Endpoint is the URL provider's searches go to under c ("" for a provider
// that is unknown or not configured). "web" is the provider it stands for.
func Endpoint(c Config, provider string) string {
	c = withDefaults(c)
	if provider == "web" {
		provider = c.WebProvider()
	}
	switch provider {
	case SearXNG:
		return c.SearXNGURL
	case Tavily:
		return cmp.Or(c.TavilyURL, DefaultTavilyURL)
	case Brave:
		return cmp.Or(c.BraveURL, DefaultBraveURL)
	case Arxiv:
		return cmp.Or(c.ArxivURL, DefaultArxivURL)
	case OpenAlex:
		return cmp.Or(c.OpenAlexURL, DefaultOpenAlexURL)
	case Wikipedia:
		return strings.ReplaceAll(cmp.Or(c.WikipediaURL, DefaultWikipediaURL), "{lang}", c.WikipediaLanguage)
	}
	return ""
}

// DefaultProbeTimeout bounds one Probe.
const DefaultProbeTimeout = 3 * time.Second

// Probe tells whether provider can be reached from this machine: a TCP
// connection to its endpoint's host, nothing sent. The error says why not
// in plain words (a name that does not resolve, no answer, refused), so a
// person on a machine without internet sees which sources cannot work
// before a run spends its retries on them.
func Probe(ctx context.Context, c Config, provider string) error {
	raw := Endpoint(c, provider)
	if raw == "" {
		return fmt.Errorf("not configured on this machine")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return fmt.Errorf("its address %q is not a URL", raw)
	}
	port := u.Port()
	if port == "" {
		port = "443"
		if u.Scheme == "http" {
			port = "80"
		}
	}
	ctx, cancel := context.WithTimeout(ctx, DefaultProbeTimeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(u.Hostname(), port))
	if err != nil {
		return unreachable(u.Hostname(), err)
	}
	return conn.Close()
}

// unreachable says in plain words why host could not be reached.
func unreachable(host string, err error) error {
	var dns *net.DNSError
	switch {
	case errors.As(err, &dns):
		return fmt.Errorf("%s cannot be found (no network or no DNS on this machine)", host)
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("%s did not answer within %s", host, DefaultProbeTimeout)
	case strings.Contains(err.Error(), "connection refused"):
		return fmt.Errorf("%s refused the connection", host)
	case strings.Contains(err.Error(), "network is unreachable") || strings.Contains(err.Error(), "no route to host"):
		return fmt.Errorf("%s cannot be reached (no network route from this machine)", host)
	}
	return fmt.Errorf("%s cannot be reached", host)
}
