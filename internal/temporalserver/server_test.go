package temporalserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
)

func needServer(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts embedded Temporal servers; runs without -short")
	}
}

// checkServes asserts what a user of the server relies on: the frontend
// answers an SDK client in the namespace, and the Web UI (when on) answers
// on its address. It waits as long as a loaded machine needs (servers
// started together under -race on two cores take tens of seconds to
// answer); a server that never answers still fails.
func checkServes(t *testing.T, s *Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := client.DialContext(ctx, client.Options{HostPort: s.FrontendAddress(), Namespace: s.Namespace(),
		Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	if err != nil {
		t.Errorf("dial %s: %v", s.FrontendAddress(), err)
		return
	}
	defer c.Close()
	if _, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: s.Namespace()}); err != nil {
		t.Errorf("describe namespace %s on %s: %v", s.Namespace(), s.FrontendAddress(), err)
	}
	if s.UIAddress() == "" {
		return
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.UIAddress()+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("Web UI %s: %v", s.UIAddress(), err)
		return
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("Web UI %s: %s", s.UIAddress(), resp.Status)
	}
}

// grabPorts takes ephemeral loopback ports (net.Listen on port 0) as fast
// as it can until stop is closed, holding up to max at once, as a busy
// machine does. A server that chose a port and released it before binding
// loses it to this goroutine sooner or later.
func grabPorts(stop <-chan struct{}, max int) (grabbed int) {
	held := make([]net.Listener, 0, max)
	defer func() {
		for _, l := range held {
			l.Close()
		}
	}()
	for {
		select {
		case <-stop:
			return grabbed
		default:
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			time.Sleep(time.Millisecond)
			continue
		}
		grabbed++
		held = append(held, l)
		if len(held) == max {
			for _, l := range held[:max/2] {
				l.Close()
			}
			held = append(held[:0], held[max/2:]...)
		}
	}
}

// Several embedded servers start at once, every port chosen by the server,
// while another goroutine grabs ephemeral ports: each starts and serves.
func TestConcurrentStartsUnderPortPressure(t *testing.T) {
	needServer(t)
	const servers = 3
	stop := make(chan struct{})
	grabbed := make(chan int, 1)
	go func() { grabbed <- grabPorts(stop, 4000) }()

	// Three servers starting together under -race on a loaded 2-core
	// machine took up to 115 s in 50 runs: the bound catches a hang, not
	// a slow machine.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	started := make([]*Server, servers)
	errs := make([]error, servers)
	for i := range servers {
		wg.Go(func() {
			started[i], errs[i] = Start(ctx, Options{FrontendPort: -1, UIPort: -1, Logger: slog.New(slog.DiscardHandler)})
		})
	}
	wg.Wait()
	close(stop)
	t.Logf("ports grabbed meanwhile: %d", <-grabbed)
	seen := map[string]bool{}
	for i, s := range started {
		if errs[i] != nil {
			t.Errorf("server %d: %v", i, errs[i])
			continue
		}
		defer s.Stop()
		if seen[s.FrontendAddress()] || seen[s.UIAddress()] {
			t.Errorf("server %d shares an address: %s %s", i, s.FrontendAddress(), s.UIAddress())
		}
		seen[s.FrontendAddress()], seen[s.UIAddress()] = true, true
		checkServes(t, s)
	}
}

// A program that binds one of the ports the server chose, after the choice
// and before the server's bind, costs a retry with fresh ports, not the
// process (the server calls its logger's Fatal on a gRPC listener it
// cannot bind) and not the start.
func TestStartRetriesWhenAChosenPortIsTaken(t *testing.T) {
	needServer(t)
	for _, tt := range []struct {
		name string
		port func(servicePorts) int
	}{
		{"history gRPC", func(p servicePorts) int { return p.history }},
		{"frontend HTTP", func(p servicePorts) int { return p.http }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var (
				logs     syncBuffer
				attempts []servicePorts
				thief    net.Listener
			)
			defer func() {
				if thief != nil {
					thief.Close()
				}
			}()
			s, err := Start(context.Background(), Options{FrontendPort: -1, NoUI: true,
				Logger: slog.New(slog.NewTextHandler(&logs, nil)),
				portsChosen: func(p servicePorts) {
					attempts = append(attempts, p)
					if len(attempts) == 1 {
						var err error
						if thief, err = net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(tt.port(p))); err != nil {
							t.Errorf("take port %d: %v", tt.port(p), err)
						}
					}
				}})
			if err != nil {
				t.Fatalf("Start: %v", err)
			}
			defer s.Stop()
			if len(attempts) != 2 {
				t.Errorf("attempts = %d, want 2 (one retry)", len(attempts))
			}
			if !strings.Contains(logs.String(), "trying fresh ports") {
				t.Errorf("the retry was not logged:\n%s", logs.String())
			}
			checkServes(t, s)
		})
	}
}

// A fixed frontend port that another program binds before the server does
// is an error of Start naming the port, and the process goes on.
func TestStartFailsOnATakenFixedPort(t *testing.T) {
	needServer(t)
	var thief net.Listener
	defer func() {
		if thief != nil {
			thief.Close()
		}
	}()
	free, err := reserve("127.0.0.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	free.release()
	_, err = Start(context.Background(), Options{FrontendPort: free.port, NoUI: true, Logger: slog.New(slog.DiscardHandler),
		portsChosen: func(p servicePorts) {
			if thief == nil {
				thief, _ = net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p.frontend))
			}
		}})
	if err == nil {
		t.Fatal("Start succeeded on a taken port")
	}
	if want := fmt.Sprintf("port %d is not free", free.port); !strings.Contains(err.Error(), want) {
		t.Errorf("error = %v, want it to say %q", err, want)
	}
	if errors.Is(err, errPortTaken) {
		t.Errorf("the last error still asks for a retry: %v", err)
	}
}

// The Web UI serves on the listener bound before it starts (ui-server's own
// bind would end the process on a taken port).
func TestWebUIServesOnItsListener(t *testing.T) {
	needServer(t)
	s, err := Start(context.Background(), Options{FrontendPort: -1, UIPort: -1, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	if s.uiListener == nil || "http://"+s.uiListener.Addr().String() != s.UIAddress() {
		t.Fatalf("UI address %s, listener %v", s.UIAddress(), s.uiListener)
	}
	checkServes(t, s)
	// A taken UI port leaves the server up without a UI.
	s2, err := Start(context.Background(), Options{FrontendPort: -1, UIPort: s.uiListener.Addr().(*net.TCPAddr).Port, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Stop()
	if s2.UIAddress() != "" {
		t.Errorf("second UI on a taken port: %s", s2.UIAddress())
	}
}

// Reserved ports go to no one else, while their owner can still listen.
func TestReservedPortIsOnlyTheOwners(t *testing.T) {
	t.Parallel()
	rs, err := reservePorts("127.0.0.1", 0, 0, 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer releaseAll(rs)
	mine := map[int]bool{}
	for _, r := range rs {
		mine[r.port] = true
	}
	if len(mine) != len(rs) {
		t.Fatalf("duplicate reservations: %v", rs)
	}
	if reservationsHold {
		var held []net.Listener
		for range 3000 {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			held = append(held, l)
			if mine[l.Addr().(*net.TCPAddr).Port] {
				t.Errorf("ephemeral bind got reserved port %s", l.Addr())
			}
		}
		for _, l := range held {
			l.Close()
		}
	}
	for p := range mine {
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			t.Errorf("owner cannot listen on its reserved port %d: %v", p, err)
			continue
		}
		// Held by a listener now, the port cannot be reserved again.
		if _, err := reserve("127.0.0.1", p); err == nil {
			t.Errorf("port %d reserved while someone listens on it", p)
		}
		l.Close()
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// A port from ReservePort answers no connection (the dev-stack address a
// test names must find nothing there) and its owner can still listen on it.
func TestReservePortRefusesConnectionsUntilItsOwnerListens(t *testing.T) {
	t.Parallel()
	port, release, err := ReservePort("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatalf("a connection to reserved %s was accepted", addr)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("the owner cannot listen on its reserved %s: %v", addr, err)
	}
	defer l.Close()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s once its owner listens: %v", addr, err)
	}
	c.Close()
}
