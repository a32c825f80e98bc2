package mailer

import (
	"errors"
	"testing"

	rf "github.com/researchflow/researchflow"
)

func TestCheckDomains(t *testing.T) {
	t.Parallel()
	if err := CheckDomains([]string{"ana@example.org"}, []string{"Example.org"}); err != nil {
		t.Error(err)
	}
	var ie *rf.InputError
	if err := CheckDomains([]string{"ana@sub.example.org"}, []string{"example.org"}); !errors.As(err, &ie) || ie.Field != "notify.email" {
		t.Errorf("a subdomain: %v, want an InputError on notify.email", err)
	}
	if err := CheckDomains([]string{"ana@example.org"}, nil); err == nil {
		t.Error("no allowed domain allowed an address")
	}
	if err := CheckDomains(nil, nil); err != nil {
		t.Errorf("no recipients: %v", err)
	}
}
