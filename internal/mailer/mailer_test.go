package mailer

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/researchflow/researchflow/internal/fault"
)

// received is one message the test server accepted.
type received struct {
	from, user string
	to         []string
	data       string
	tls        bool
}

type backend struct {
	mu   sync.Mutex
	msgs []received
	// rcptErr, if set, is the server's answer to every RCPT TO.
	rcptErr error
}

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	_, isTLS := c.TLSConnectionState()
	return &session{b: b, msg: received{tls: isTLS}}, nil
}

type session struct {
	b   *backend
	msg received
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "rf" || pass != "s3cret" {
			return errors.New("bad credentials")
		}
		s.msg.user = user
		return nil
	}), nil
}
func (s *session) Mail(from string, _ *smtp.MailOptions) error { s.msg.from = from; return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.b.rcptErr != nil {
		return s.b.rcptErr
	}
	s.msg.to = append(s.msg.to, to)
	return nil
}
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.msg.data = string(b)
	s.b.mu.Lock()
	s.b.msgs = append(s.b.msgs, s.msg)
	s.b.mu.Unlock()
	return nil
}
func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }

// serve starts an in-process SMTP server on loopback (STARTTLS offered when
// tlsCfg is set) and returns its address.
func serve(t *testing.T, be *backend, tlsCfg *tls.Config) string {
	t.Helper()
	s := smtp.NewServer(be)
	s.Domain = "localhost"
	s.TLSConfig = tlsCfg
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.Serve(l) }()
	t.Cleanup(func() { _ = s.Close() })
	return l.Addr().String()
}

// testCert borrows httptest's certificate for 127.0.0.1 and returns the
// server's TLS config and a client config that trusts it.
func testCert(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	h := httptest.NewUnstartedServer(nil)
	h.StartTLS()
	defer h.Close()
	pool := x509.NewCertPool()
	pool.AddCert(h.Certificate())
	return &tls.Config{Certificates: h.TLS.Certificates}, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
}

// TestSendOverSTARTTLS: the report reaches the server encrypted
// (STARTTLS), authenticated, with the stable Message-ID, to every recipient.
func TestSendOverSTARTTLS(t *testing.T) {
	srvTLS, cliTLS := testCert(t)
	be := &backend{}
	addr := serve(t, be, srvTLS)
	m, err := New("smtp://rf:s3cret@"+addr, "researchflow@example.org")
	if err != nil {
		t.Fatal(err)
	}
	m.TLSConfig = cliTLS
	err = m.Send(context.Background(), Mail{
		To: []string{"ana@example.org", "bo@example.org"}, Subject: "Go memory model",
		Text: "# Go memory model\n\nA send happens before the receive [1].\n", MessageID: "run-1:research.report.ready",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(be.msgs) != 1 {
		t.Fatalf("server got %d messages", len(be.msgs))
	}
	got := be.msgs[0]
	if !got.tls || got.user != "rf" || got.from != "researchflow@example.org" ||
		strings.Join(got.to, ",") != "ana@example.org,bo@example.org" {
		t.Errorf("envelope = %+v", got)
	}
	for _, want := range []string{"Subject: Go memory model", "Message-ID: <run-1:research.report.ready>", "A send happens before the receive [1]."} {
		if !strings.Contains(got.data, want) {
			t.Errorf("message lacks %q:\n%s", want, got.data)
		}
	}
}

// TestRefusesPlainText: a server that offers no STARTTLS gets nothing, not
// even the credentials; wrong credentials fail.
func TestRefusesPlainText(t *testing.T) {
	be := &backend{}
	addr := serve(t, be, nil)
	m, _ := New("smtp://rf:s3cret@"+addr, "researchflow@example.org")
	if err := m.Send(context.Background(), Mail{To: []string{"ana@example.org"}, Subject: "x", Text: "x"}); err == nil {
		t.Error("sent without TLS")
	}
	srvTLS, cliTLS := testCert(t)
	addr = serve(t, be, srvTLS)
	m, _ = New("smtp://rf:wrong@"+addr, "researchflow@example.org")
	m.TLSConfig = cliTLS
	if err := m.Send(context.Background(), Mail{To: []string{"ana@example.org"}, Subject: "x", Text: "x"}); err == nil {
		t.Error("sent with wrong credentials")
	}
	if len(be.msgs) != 0 {
		t.Errorf("server got %d messages", len(be.msgs))
	}
}

// A recipient the server refuses for good (550) is a permanent failure,
// not retried as if the server were down; a temporary refusal (451) and an
// unreachable server stay worth retrying.
func TestRejectionsAreClassified(t *testing.T) {
	srvTLS, cliTLS := testCert(t)
	send := func(rcptErr error) error {
		be := &backend{rcptErr: rcptErr}
		m, _ := New("smtp://rf:s3cret@"+serve(t, be, srvTLS), "researchflow@example.org")
		m.TLSConfig = cliTLS
		return m.Send(context.Background(), Mail{To: []string{"ana@example.org"}, Subject: "x", Text: "x"})
	}
	err := send(&smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"})
	if !fault.IsPermanent(err) || !strings.Contains(err.Error(), "no such user") {
		t.Errorf("550: %v, want a permanent error naming the reason", err)
	}
	if err := send(&smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}); err == nil || fault.IsPermanent(err) {
		t.Errorf("451: %v, want a retryable error", err)
	}
	// No SMTP server: a listener held for the test's lifetime that closes
	// every connection unanswered (a closed port could be taken meanwhile).
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	m, _ := New("smtp://"+l.Addr().String(), "researchflow@example.org")
	if err := m.Send(context.Background(), Mail{To: []string{"ana@example.org"}, Subject: "x", Text: "x"}); err == nil || fault.IsPermanent(err) {
		t.Errorf("no server: %v, want a retryable error", err)
	}
	if err := (&Mailer{}).Send(context.Background(), Mail{Subject: "x"}); !fault.IsPermanent(err) {
		t.Errorf("no recipient: %v, want a permanent error", err)
	}
}

func TestParseURL(t *testing.T) {
	for _, tt := range []struct {
		in       string
		host     string
		port     int
		implicit bool
		ok       bool
	}{
		{"smtp://u:p@mail.example.org:2525", "mail.example.org", 2525, false, true},
		{"smtp://mail.example.org", "mail.example.org", 587, false, true},
		{"smtps://mail.example.org", "mail.example.org", 465, true, true},
		{"http://mail.example.org", "", 0, false, false},
		{"smtp://", "", 0, false, false},
		{"smtp://h:99999", "", 0, false, false},
		{"smtp://h/path", "", 0, false, false},
	} {
		host, port, implicit, err := ParseURL(tt.in)
		if (err == nil) != tt.ok || host != tt.host || port != tt.port || implicit != tt.implicit {
			t.Errorf("ParseURL(%q) = %q, %d, %v, %v", tt.in, host, port, implicit, err)
		}
	}
}
