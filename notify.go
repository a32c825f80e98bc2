package researchflow

import (
	"regexp"
	"slices"
	"strings"
)

// emailPattern is an RFC 5322 dot-atom addr-spec (section 3.4.1) with a DNS
// host name as the domain: no quoted local parts, no domain literals, no
// display names. (net/mail is not used: the workflow normalizes its input,
// and workflowcheck refuses net/mail's debug logging.)
var emailPattern = regexp.MustCompile("^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*" +
	"@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")

// maxNotifyEmails bounds the e-mail recipients of one run.
const maxNotifyEmails = 10

// NotifyTargets are the notifications a request asks for, on top of the
// operator's webhook and NATS:
//
//	"notify": {"email": ["ana@example.org"]}
//
// Recipients must be in a domain the operator allows
// (RESEARCHFLOW_NOTIFY_EMAIL_DOMAINS): the gateway checks with
// mailer.CheckDomains before starting a run and the notify pool checks again
// before sending, so that neither a request nor a run started from the
// Temporal CLI can mail anyone else.
type NotifyTargets struct {
	// Email lists the addresses that receive the report when it is ready
	// (plain addresses, at most maxNotifyEmails).
	Email []string `json:"email,omitempty"`
}

// Normalize validates the addresses (see emailPattern; at most 254 bytes),
// lower-cases their domains and drops duplicates. Errors are *InputError
// values naming "notify.email". A target with nothing in it normalizes to nil.
func (n *NotifyTargets) Normalize() (*NotifyTargets, error) {
	if n == nil || len(n.Email) == 0 {
		return nil, nil
	}
	if len(n.Email) > maxNotifyEmails {
		return nil, inputError("notify.email", "at most %d recipients, got %d", maxNotifyEmails, len(n.Email))
	}
	out := &NotifyTargets{}
	for _, raw := range n.Email {
		a := strings.TrimSpace(raw)
		if len(a) > 254 || !emailPattern.MatchString(a) {
			return nil, inputError("notify.email", "%q is not a plain e-mail address (want name@domain)", raw)
		}
		local, domain, _ := strings.Cut(a, "@")
		a = local + "@" + strings.ToLower(domain)
		if !slices.Contains(out.Email, a) {
			out.Email = append(out.Email, a)
		}
	}
	return out, nil
}

// NotifyEmail returns the run's e-mail recipients (nil when none).
func (in ResearchInput) NotifyEmail() []string {
	if in.Notify == nil {
		return nil
	}
	return in.Notify.Email
}
