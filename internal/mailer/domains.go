package mailer

import (
	"fmt"
	"slices"
	"strings"

	rf "github.com/researchflow/researchflow"
)

// The operator's allowed recipient domains (RESEARCHFLOW_NOTIFY_EMAIL_DOMAINS)
// are checked twice: by the gateway before it starts a run or a schedule, and
// by the notify pool before it sends, so that neither a request nor a run
// started from the Temporal CLI can mail anyone else.

// CheckDomains returns an *InputError unless every address is in one of
// the allowed domains (exact, case-insensitive; "example.org" does not allow
// "sub.example.org" unless listed too). No allowed domain allows no address.
func CheckDomains(addrs []string, allowed []string) error {
	for _, a := range addrs {
		_, domain, ok := strings.Cut(a, "@")
		if !ok || !slices.ContainsFunc(allowed, func(d string) bool { return strings.EqualFold(d, domain) }) {
			if len(allowed) == 0 {
				return &rf.InputError{Field: "notify.email", Message: "e-mail notifications are not enabled on this server (RESEARCHFLOW_NOTIFY_EMAIL_DOMAINS is empty)"}
			}
			return &rf.InputError{Field: "notify.email", Message: fmt.Sprintf("%q is not in an allowed domain (%s)", a, strings.Join(allowed, ", "))}
		}
	}
	return nil
}
