package stack

import (
	"fmt"
	"slices"
	"testing"

	"go.temporal.io/sdk/client"
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

// Requests to a server on this machine (the embedded server, in this
// process or the dev or background stack's) go uncompressed unless the
// settings choose a compression; requests to a server TEMPORAL_ADDRESS
// names keep the SDK's gzip, even on localhost (a tunnel, perhaps).
func TestNoGzipForLocal(t *testing.T) {
	for _, tt := range []struct {
		addr   string
		local  bool
		chosen client.GrpcCompression
		want   client.GrpcCompression
	}{
		{"127.0.0.1:7233", true, nil, &client.GrpcCompressionNone{}},
		{"[::1]:7233", true, nil, &client.GrpcCompressionNone{}},
		{"localhost:7233", false, nil, nil},
		{"temporal.example:7233", false, nil, nil},
		{"127.0.0.1:7233", true, &client.GrpcCompressionGzip{}, &client.GrpcCompressionGzip{}},
	} {
		opts := client.Options{HostPort: tt.addr, ConnectionOptions: client.ConnectionOptions{GrpcCompression: tt.chosen}}
		noGzipForLocal(&opts, tt.local)
		if got := opts.ConnectionOptions.GrpcCompression; fmt.Sprintf("%T", got) != fmt.Sprintf("%T", tt.want) {
			t.Errorf("%s (local %v) with %T: compression %T, want %T", tt.addr, tt.local, tt.chosen, got, tt.want)
		}
	}
}
