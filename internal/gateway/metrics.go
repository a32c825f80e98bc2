package gateway

import (
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the gateway's own series, registered in the process's
// Prometheus registry and served with everything else in it on /metrics.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec

	researchStarted prometheus.Counter
	ingestStarted   prometheus.Counter
	eventStreams    prometheus.Gauge // open event streams
}

func newMetrics(reg *prometheus.Registry) (*metrics, error) {
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	m := &metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "researchflow_http_requests_total",
			Help: "HTTP requests served, by method, route and status code.",
		}, []string{"method", "route", "code"}),
		researchStarted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "researchflow_research_started_total",
			Help: "Research runs started through the gateway (an idempotent retry of a running run counts again).",
		}),
		ingestStarted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "researchflow_ingest_started_total",
			Help: "Corpus ingestions started through the gateway.",
		}),
		eventStreams: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "researchflow_event_streams",
			Help: "Open event streams (Server-Sent Events).",
		}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.researchStarted, m.ingestStarted, m.eventStreams} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (s *server) countRequests(c *gin.Context) {
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	s.metrics.requests.WithLabelValues(c.Request.Method, route, strconv.Itoa(c.Writer.Status())).Inc()
}

func (s *server) serveMetrics(c *gin.Context) {
	promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}).ServeHTTP(c.Writer, c.Request)
}
