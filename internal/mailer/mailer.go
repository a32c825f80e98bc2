// Package mailer sends reports by e-mail through an SMTP server, with the
// maintained github.com/wneessen/go-mail client.
//
// The server is one URL (RESEARCHFLOW_SMTP_URL):
//
//	smtp://user:pass@host:587   STARTTLS required (the default port 587)
//	smtps://user:pass@host:465  TLS from the first byte (RFC 8314)
//
// User and password, when present, authenticate with the best mechanism the
// server offers; never over a connection that is not encrypted, since TLS is
// always required.
package mailer

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/egress"
)

// Mailer sends mail through one SMTP server. Safe for concurrent use: each
// Send dials its own connection.
type Mailer struct {
	host     string
	port     int
	implicit bool
	user     string
	pass     string
	from     string
	// TLSConfig, if set, replaces the default (system roots, the server's
	// host name); tests use it to trust their own certificate.
	TLSConfig *tls.Config
	// Timeout bounds connecting and each SMTP command (default 30 s).
	Timeout time.Duration
}

// Mail is a plain-text message (the report's Markdown). MessageID, when
// set, is the Message-ID header: stable per event, so that a retried
// delivery is recognized by mail clients.
type Mail struct {
	To        []string
	Subject   string
	Text      string
	MessageID string
}

// ParseURL checks an SMTP URL (see the package comment) and returns its
// host and port (config.ParseSMTPURL, which binds RESEARCHFLOW_SMTP_URL).
func ParseURL(raw string) (host string, port int, implicitTLS bool, err error) {
	return config.ParseSMTPURL(raw)
}

// New returns a Mailer for the server at rawURL sending as from (an
// address, e.g. researchflow@example.org).
func New(rawURL, from string) (*Mailer, error) {
	host, port, implicit, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	u, _ := url.Parse(rawURL)
	m := &Mailer{host: host, port: port, implicit: implicit, from: from}
	if u.User != nil {
		m.user = u.User.Username()
		m.pass, _ = u.User.Password()
	}
	return m, nil
}

// Send mails m.Text as text/plain (the report's Markdown reads as text).
// Errors are worth retrying unless the server refused the message, a
// recipient or the credentials for good (a 5xx reply:
// egress.KindRejected; an address it cannot even write, egress.KindInvalid);
// the notify activity retries within its policy.
func (m *Mailer) Send(ctx context.Context, msg Mail) error {
	if len(msg.To) == 0 {
		return egress.Fail(egress.KindInvalid, errors.New("mail: no recipient"))
	}
	gm := gomail.NewMsg()
	if err := gm.From(m.from); err != nil {
		return egress.Fail(egress.KindInvalid, fmt.Errorf("mail: from %q: %w", m.from, err))
	}
	if err := gm.To(msg.To...); err != nil {
		return egress.Fail(egress.KindInvalid, fmt.Errorf("mail: to: %w", err))
	}
	gm.Subject(msg.Subject)
	if msg.MessageID != "" {
		gm.SetMessageIDWithValue(msg.MessageID)
	} else {
		gm.SetMessageID()
	}
	gm.SetDate()
	gm.SetBodyString(gomail.TypeTextPlain, msg.Text)

	timeout := m.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	opts := []gomail.Option{gomail.WithPort(m.port), gomail.WithTimeout(timeout)}
	if m.implicit {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if m.TLSConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(m.TLSConfig))
	}
	if m.user != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(m.user), gomail.WithPassword(m.pass))
	}
	c, err := gomail.NewClient(m.host, opts...)
	if err != nil {
		return fmt.Errorf("mail: client for %s:%d: %w", m.host, m.port, err)
	}
	if err := c.DialAndSendWithContext(ctx, gm); err != nil {
		return classify(fmt.Errorf("mail via %s:%d: %w", m.host, m.port, err))
	}
	return nil
}

// classify marks a 5xx SMTP reply (unknown recipient, bad credentials,
// policy: sending again gives the same answer) as egress.KindRejected; a
// 4xx reply, a connection or TLS failure stays worth retrying.
func classify(err error) error {
	var se *gomail.SendError
	if errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500 && se.ErrorCode() < 600 {
		return egress.Fail(egress.KindRejected, err)
	}
	return err
}
