package gateway

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A JSON body announced larger than the limit is refused before it is
// sent: curl waits for "100 Continue" before a body over 1 MB, and the
// gateway used to send it, read 64 KiB, answer 413 and close, so that curl
// saw a connection reset in the middle of its body and no answer at all.
func TestOversizedBodyIsRefusedBeforeItIsSent(t *testing.T) {
	h := newHarness(t, map[string]string{"RESEARCHFLOW_API_KEYS": ""})
	srv := httptest.NewServer(h.h)
	defer srv.Close()
	for _, path := range []string{"/v1/research"} {
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n",
			path, srv.Listener.Addr(), 50<<20)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
		var body strings.Builder
		buf := make([]byte, 512)
		n, _ := resp.Body.Read(buf)
		body.Write(buf[:n])
		conn.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body.String(), "body_too_large") {
			t.Errorf("POST %s with 50 MiB announced = %d %q, want 413 body_too_large before the body is sent", path, resp.StatusCode, body.String())
		}
	}
}
