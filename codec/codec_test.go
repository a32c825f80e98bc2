package codec

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"
)

func key(b byte) string { return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32)) }

func mustCodec(t *testing.T, spec, id string) *Codec {
	t.Helper()
	cfg, err := ParseKeys(spec, id)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const question = "How do lighthouse keepers trim the lamp wick?"

func payloads(t *testing.T) []*commonpb.Payload {
	t.Helper()
	p, err := converter.GetDefaultDataConverter().ToPayloads(question, map[string]int{"depth": 2})
	if err != nil {
		t.Fatal(err)
	}
	return p.Payloads
}

func TestRoundTrip(t *testing.T) {
	c := mustCodec(t, "k1:"+key(1), "")
	in := payloads(t)
	enc, err := c.Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range enc {
		if got := string(p.Metadata[converter.MetadataEncoding]); got != Encoding {
			t.Errorf("payload %d encoding = %q, want %q", i, got, Encoding)
		}
		if got := string(p.Metadata[MetadataKeyID]); got != "k1" {
			t.Errorf("payload %d key ID = %q, want k1", i, got)
		}
		if bytes.Contains(p.Data, []byte("lighthouse")) || bytes.Contains(p.Data, []byte("json/plain")) {
			t.Errorf("payload %d holds plaintext: %q", i, p.Data)
		}
	}
	dec, err := c.Decode(enc)
	if err != nil {
		t.Fatal(err)
	}
	var q string
	var m map[string]int
	if err := converter.GetDefaultDataConverter().FromPayloads(&commonpb.Payloads{Payloads: dec}, &q, &m); err != nil {
		t.Fatal(err)
	}
	if q != question || m["depth"] != 2 {
		t.Fatalf("round trip = %q, %v", q, m)
	}
	// A fresh nonce per payload: the same value never encrypts the same way.
	again, _ := c.Encode(in)
	if bytes.Equal(again[0].Data, enc[0].Data) || bytes.Equal(again[0].Data[:nonceSize], enc[0].Data[:nonceSize]) {
		t.Fatal("two encodings of one payload share their nonce")
	}
}

func TestDataConverter(t *testing.T) {
	dc := mustCodec(t, "k1:"+key(1), "k1").DataConverter()
	p, err := dc.ToPayload(question)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(p.String(), "lighthouse") {
		t.Fatalf("payload holds plaintext: %v", p)
	}
	var got string
	if err := dc.FromPayload(p, &got); err != nil || got != question {
		t.Fatalf("FromPayload = %q, %v", got, err)
	}
}

func TestTamperedCiphertextFails(t *testing.T) {
	c := mustCodec(t, "k1:"+key(1), "")
	enc, _ := c.Encode(payloads(t))
	tests := map[string]func(p *commonpb.Payload){
		"flipped ciphertext bit": func(p *commonpb.Payload) { p.Data[nonceSize+2] ^= 1 },
		"flipped nonce bit":      func(p *commonpb.Payload) { p.Data[0] ^= 1 },
		"flipped tag bit":        func(p *commonpb.Payload) { p.Data[len(p.Data)-1] ^= 1 },
		"truncated":              func(p *commonpb.Payload) { p.Data = p.Data[:nonceSize+4] },
		"empty":                  func(p *commonpb.Payload) { p.Data = nil },
	}
	for name, tamper := range tests {
		t.Run(name, func(t *testing.T) {
			p := &commonpb.Payload{Metadata: enc[0].Metadata, Data: bytes.Clone(enc[0].Data)}
			tamper(p)
			if _, err := c.Decode([]*commonpb.Payload{p}); err == nil {
				t.Fatal("Decode accepted a tampered payload")
			}
		})
	}
}

func TestUnknownKeyFailsClearly(t *testing.T) {
	old := mustCodec(t, "old:"+key(1), "")
	enc, _ := old.Encode(payloads(t))
	other := mustCodec(t, "new:"+key(2), "")
	_, err := other.Decode(enc)
	if !errors.Is(err, ErrUnknownKey) || !strings.Contains(err.Error(), `"old"`) || !strings.Contains(err.Error(), "new") {
		t.Fatalf("Decode with another key = %v, want ErrUnknownKey naming old and the configured keys", err)
	}
	// The key ID is authenticated: relabelling a payload to a configured
	// key that did not seal it fails, it does not decrypt garbage.
	both := mustCodec(t, "old:"+key(1)+",new:"+key(2), "new")
	relabelled := &commonpb.Payload{Metadata: map[string][]byte{converter.MetadataEncoding: []byte(Encoding), MetadataKeyID: []byte("new")}, Data: enc[0].Data}
	if _, err := both.Decode([]*commonpb.Payload{relabelled}); err == nil {
		t.Fatal("a payload relabelled to another key decrypted")
	}
	noID := &commonpb.Payload{Metadata: map[string][]byte{converter.MetadataEncoding: []byte(Encoding)}, Data: enc[0].Data}
	if _, err := both.Decode([]*commonpb.Payload{noID}); err == nil || !strings.Contains(err.Error(), MetadataKeyID) {
		t.Fatalf("payload without key ID: %v", err)
	}
}

func TestRotation(t *testing.T) {
	before := mustCodec(t, "2025:"+key(1), "")
	old, _ := before.Encode(payloads(t))
	after := mustCodec(t, "2025:"+key(1)+", 2026:"+key(2), "2026")
	fresh, _ := after.Encode(payloads(t))
	if got := string(fresh[0].Metadata[MetadataKeyID]); got != "2026" {
		t.Fatalf("new payloads sealed with %q, want the current key 2026", got)
	}
	for name, enc := range map[string][]*commonpb.Payload{"old key": old, "current key": fresh} {
		dec, err := after.Decode(enc)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var q string
		if err := converter.GetDefaultDataConverter().FromPayload(dec[0], &q); err != nil || q != question {
			t.Fatalf("%s: %q, %v", name, q, err)
		}
	}
	// Plain payloads (histories from before the codec) pass through.
	plain := payloads(t)
	dec, err := after.Decode(plain)
	if err != nil || dec[0] != plain[0] {
		t.Fatalf("plain payload: %v", err)
	}
}

func TestParseKeys(t *testing.T) {
	good := []struct{ spec, id, want string }{
		{"", "", ""},
		{"a:" + key(1), "", "a"},
		{" a:" + key(1) + " , b.2:" + base64.StdEncoding.EncodeToString(make([]byte, 16)), "b.2", "b.2"},
	}
	for _, tt := range good {
		c, err := ParseKeys(tt.spec, tt.id)
		if err != nil || c.KeyID != tt.want {
			t.Errorf("ParseKeys(%q, %q) = %q, %v; want %q", tt.spec, tt.id, c.KeyID, err, tt.want)
		}
	}
	bad := []struct{ spec, id, mention string }{
		{"a", "", "id:base64key"},
		{"a:" + key(1) + ",a:" + key(2), "", "twice"},
		{"a:not base64!", "", "base64"},
		{"a:" + base64.StdEncoding.EncodeToString(make([]byte, 20)), "", "20 bytes"},
		{"a:" + key(1) + ",b:" + key(2), "", "RESEARCHFLOW_CODEC_KEY_ID"},
		{"a:" + key(1), "c", `"c" is not in`},
		{"", "c", "RESEARCHFLOW_CODEC_KEYS is empty"},
		{"bad id:" + key(1), "", "letters"},
	}
	for _, tt := range bad {
		_, err := ParseKeys(tt.spec, tt.id)
		if err == nil || !strings.Contains(err.Error(), tt.mention) {
			t.Errorf("ParseKeys(%q, %q) = %v; want an error mentioning %q", tt.spec, tt.id, err, tt.mention)
		}
		if err != nil && strings.Contains(err.Error(), key(1)) {
			t.Errorf("error reveals key material: %v", err)
		}
	}
}

func TestHandler(t *testing.T) {
	cfg, _ := ParseKeys("k1:"+key(1), "")
	c, _ := New(cfg)
	cfg.AuthToken = "s3cret-token"
	cfg.Origins = []string{"http://127.0.0.1:8233"}
	srv := httptest.NewServer(Handler(c, cfg))
	defer srv.Close()
	enc, _ := c.Encode(payloads(t))
	body, _ := protojson.Marshal(&commonpb.Payloads{Payloads: enc})

	post := func(path, auth string) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", "http://127.0.0.1:8233")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	if resp, _ := post("/codec/decode", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("without token: %d, want 401", resp.StatusCode)
	}
	if resp, _ := post("/codec/decode", "Bearer wrong"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong token: %d, want 401", resp.StatusCode)
	}
	resp, out := post("/codec/decode", "Bearer s3cret-token")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("decode: %d %s", resp.StatusCode, out)
	}
	if resp.Header.Get("Access-Control-Allow-Origin") != "http://127.0.0.1:8233" {
		t.Errorf("no CORS header for the UI's origin: %v", resp.Header)
	}
	var decoded commonpb.Payloads
	if err := protojson.Unmarshal([]byte(out), &decoded); err != nil {
		t.Fatalf("decode answer %q: %v", out, err)
	}
	var q string
	if err := converter.GetDefaultDataConverter().FromPayload(decoded.Payloads[0], &q); err != nil || q != question {
		t.Fatalf("decoded %q, %v", q, err)
	}

	// Preflight from the UI's origin is answered; another origin gets no
	// CORS headers.
	for origin, want := range map[string]string{"http://127.0.0.1:8233": "http://127.0.0.1:8233", "http://evil.example": ""} {
		req, _ := http.NewRequest(http.MethodOptions, srv.URL+"/codec/decode", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != want {
			t.Errorf("preflight from %s: Allow-Origin %q, want %q", origin, got, want)
		}
		if want != "" && !strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "X-Namespace") {
			t.Errorf("preflight does not allow X-Namespace: %v", resp.Header)
		}
	}
}

// A process without keys reads plain payloads as before, and an encrypted
// one fails naming the key it needs and what to set, not with the data
// converter's bare "payload encoding is not supported".
func TestKeylessNamesTheKey(t *testing.T) {
	dc := KeylessDataConverter()
	plain, err := dc.ToPayload(question)
	if err != nil {
		t.Fatal(err)
	}
	if string(plain.GetMetadata()[converter.MetadataEncoding]) == Encoding {
		t.Fatal("Keyless encrypted a payload")
	}
	var got string
	if err := dc.FromPayload(plain, &got); err != nil || got != question {
		t.Fatalf("plain payload: %q, %v", got, err)
	}

	sealed, err := mustCodec(t, "k1:"+key(1), "").DataConverter().ToPayload(question)
	if err != nil {
		t.Fatal(err)
	}
	if id, ok := KeyID(sealed); !ok || id != "k1" {
		t.Errorf("KeyID = %q, %v; want k1, true", id, ok)
	}
	err = dc.FromPayload(sealed, &got)
	if err == nil || !strings.Contains(err.Error(), `key "k1"`) || !strings.Contains(err.Error(), "RESEARCHFLOW_CODEC_KEYS") {
		t.Fatalf("encrypted payload without keys: %v, want an error naming key k1 and RESEARCHFLOW_CODEC_KEYS", err)
	}
}
