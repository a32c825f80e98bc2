package stack

import (
	"slices"
	"testing"
)

func TestAddressHelpers(t *testing.T) {
	for in, want := range map[string]string{
		"0.0.0.0:8080": "127.0.0.1:8080", "[::]:8080": "127.0.0.1:8080", ":8080": "127.0.0.1:8080",
		"10.1.2.3:8080": "10.1.2.3:8080", "127.0.0.1:1": "127.0.0.1:1",
	} {
		if got := browserAddr(in); got != want {
			t.Errorf("browserAddr(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]bool{"127.0.0.1:8080": true, "localhost:1": true, "[::1]:1": true, "0.0.0.0:8080": false, "10.0.0.1:80": false} {
		if got := loopback(in); got != want {
			t.Errorf("loopback(%q) = %v", in, got)
		}
	}
	if got := uiOrigins("http://127.0.0.1:8233/"); !slices.Equal(got, []string{"http://127.0.0.1:8233", "http://localhost:8233"}) {
		t.Errorf("uiOrigins(loopback) = %v", got)
	}
	if got := uiOrigins("https://temporal.example/ui"); !slices.Equal(got, []string{"https://temporal.example"}) {
		t.Errorf("uiOrigins(cluster) = %v", got)
	}
}
