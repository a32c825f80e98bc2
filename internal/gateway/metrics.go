package gateway

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gin-gonic/gin"
)

// metrics are the gateway's own counters, served in the Prometheus text format.
type metrics struct {
	mu       sync.Mutex
	requests map[requestKey]int64

	researchStarted atomic.Int64
	ingestStarted   atomic.Int64
	eventStreams    atomic.Int64 // open event streams (a gauge)
}

type requestKey struct {
	method, route string
	code          int
}

func newMetrics() *metrics {
	return &metrics{requests: map[requestKey]int64{}}
}

func (s *server) countRequests(c *gin.Context) {
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	k := requestKey{method: c.Request.Method, route: route, code: c.Writer.Status()}
	s.metrics.mu.Lock()
	s.metrics.requests[k]++
	s.metrics.mu.Unlock()
}

func (s *server) serveMetrics(c *gin.Context) {
	m := s.metrics
	m.mu.Lock()
	keys := make([]requestKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	counts := make([]int64, len(keys))
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.route != b.route {
			return a.route < b.route
		}
		if a.method != b.method {
			return a.method < b.method
		}
		return a.code < b.code
	})
	for i, k := range keys {
		counts[i] = m.requests[k]
	}
	m.mu.Unlock()

	var b strings.Builder
	b.WriteString("# HELP researchflow_http_requests_total HTTP requests served, by method, route and status code.\n")
	b.WriteString("# TYPE researchflow_http_requests_total counter\n")
	for i, k := range keys {
		fmt.Fprintf(&b, "researchflow_http_requests_total{method=%q,route=%q,code=\"%d\"} %d\n",
			k.method, k.route, k.code, counts[i])
	}
	b.WriteString("# HELP researchflow_research_started_total Research runs started through the gateway (an idempotent retry of a running run counts again).\n")
	b.WriteString("# TYPE researchflow_research_started_total counter\n")
	fmt.Fprintf(&b, "researchflow_research_started_total %d\n", m.researchStarted.Load())
	b.WriteString("# HELP researchflow_ingest_started_total Corpus ingestions started through the gateway.\n")
	b.WriteString("# TYPE researchflow_ingest_started_total counter\n")
	fmt.Fprintf(&b, "researchflow_ingest_started_total %d\n", m.ingestStarted.Load())
	b.WriteString("# HELP researchflow_event_streams Open Server-Sent Events streams.\n")
	b.WriteString("# TYPE researchflow_event_streams gauge\n")
	fmt.Fprintf(&b, "researchflow_event_streams %d\n", m.eventStreams.Load())
	c.Data(http.StatusOK, "text/plain; version=0.0.4; charset=utf-8", []byte(b.String()))
}
