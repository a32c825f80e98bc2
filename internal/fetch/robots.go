package fetch

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/temoto/robotstxt"

	"github.com/researchflow/researchflow/internal/egress"
)

// robotsTTL is how long a host's robots.txt is kept: RFC 9309 §2.4 asks
// crawlers not to cache it for more than 24 hours; an hour keeps a long
// research run consistent without going stale.
const robotsTTL = time.Hour

// robotsMaxBytes is how much of a robots.txt is read: RFC 9309 §2.5 sets
// the parsing limit at no less than 500 KiB.
const robotsMaxBytes = 500 << 10

// robotsCacheSize is the number of hosts' robots.txt above which expired
// entries are dropped.
const robotsCacheSize = 4096

type robotsEntry struct {
	data    *robotstxt.RobotsData
	expires time.Time
}

type robotsCache struct {
	mu      sync.Mutex
	entries map[string]robotsEntry // by scheme://host
}

// checkRobots returns a permanent egress.KindBlocked error when the host's
// robots.txt disallows u's path for Researchflow. Following RFC 9309
// §2.3.1.3–4: a 4xx robots.txt allows everything, a 5xx disallows
// everything; a robots.txt that cannot be reached fails the fetch
// (transient).
func (f *Fetcher) checkRobots(ctx context.Context, u *url.URL) error {
	key := u.Scheme + "://" + strings.ToLower(u.Host)
	now := f.now()
	f.robots.mu.Lock()
	e, ok := f.robots.entries[key]
	f.robots.mu.Unlock()
	if !ok || now.After(e.expires) {
		data, err := f.fetchRobots(ctx, key+"/robots.txt")
		if err != nil {
			return err
		}
		e = robotsEntry{data: data, expires: now.Add(robotsTTL)}
		f.robots.mu.Lock()
		if len(f.robots.entries) >= robotsCacheSize {
			for k, old := range f.robots.entries { // keep a long-lived worker's cache bounded
				if now.After(old.expires) {
					delete(f.robots.entries, k)
				}
			}
		}
		f.robots.entries[key] = e
		f.robots.mu.Unlock()
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	if !e.data.TestAgent(p, robotsAgent) {
		return egress.Fail(egress.KindBlocked, fmt.Errorf("fetch %s: %w (%s/robots.txt, agent %s)", u, ErrRobots, key, robotsAgent))
	}
	return nil
}

func (f *Fetcher) fetchRobots(ctx context.Context, robotsURL string) (*robotstxt.RobotsData, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, robotsURL, nil)
	if err != nil {
		return nil, egress.Fail(egress.KindInvalid, fmt.Errorf("robots.txt %s: %w", robotsURL, err))
	}
	req.Header.Set("User-Agent", egress.UserAgent)
	resp, err := f.robotsC.Do(req)
	if err != nil {
		return nil, classifyNetErr(robotsURL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, robotsMaxBytes))
	if err != nil {
		return nil, classifyNetErr(robotsURL, err)
	}
	data, err := robotstxt.FromStatusAndBytes(resp.StatusCode, body)
	if err != nil {
		// Unparseable lines are skipped by the parser; an error here is an
		// unexpected status (1xx/3xx after redirects): treat as unreachable.
		return nil, egress.Fail(egress.KindUnavailable, fmt.Errorf("robots.txt %s: %w", robotsURL, err))
	}
	return data, nil
}
