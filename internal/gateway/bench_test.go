package gateway

import (
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkGateway drives a real loopback HTTP server with 50 concurrent
// clients (fake Temporal behind it) and reports throughput and p99 latency.
func BenchmarkGateway(b *testing.B) {
	h := newHarness(b, nil)
	srv := httptest.NewServer(h.h)
	defer srv.Close()
	tr := srv.Client().Transport.(*http.Transport)
	tr.MaxIdleConnsPerHost = 100
	id := h.start(aliceKey, "What does the Go memory model guarantee?")
	const clients = 50

	run := func(b *testing.B, newReq func() *http.Request, want int) {
		b.SetParallelism((clients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
		var mu sync.Mutex
		var lat []time.Duration
		b.ResetTimer()
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			var mine []time.Duration
			for pb.Next() {
				req := newReq()
				t0 := time.Now()
				resp, err := srv.Client().Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mine = append(mine, time.Since(t0))
				if resp.StatusCode != want {
					b.Errorf("status %d, want %d", resp.StatusCode, want)
					return
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
		elapsed := time.Since(start)
		b.StopTimer()
		if len(lat) == 0 {
			return
		}
		slices.Sort(lat)
		p99 := lat[min(len(lat)-1, len(lat)*99/100)]
		b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
		b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	}

	b.Run("POST /v1/research", func(b *testing.B) {
		run(b, func() *http.Request {
			req, _ := http.NewRequest("POST", srv.URL+"/v1/research", strings.NewReader(`{"question":"How do goroutines get scheduled?"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+aliceKey)
			return req
		}, http.StatusAccepted)
	})
	b.Run("GET /v1/research/{id}", func(b *testing.B) {
		run(b, func() *http.Request {
			req, _ := http.NewRequest("GET", srv.URL+"/v1/research/"+id, nil)
			req.Header.Set("Authorization", "Bearer "+aliceKey)
			return req
		}, http.StatusOK)
	})
}
