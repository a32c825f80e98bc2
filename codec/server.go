package codec

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"slices"
	"strings"

	"go.temporal.io/sdk/converter"
)

// maxBodyBytes bounds one codec request: Temporal refuses payloads over
// 2 MiB (the blob size limit), and the UI sends a few at a time.
const maxBodyBytes = 8 << 20

// Handler is the codec server: POST …/encode and …/decode with a JSON
// body {"payloads": [...]}, as defined by Temporal's remote codec protocol
// (converter.NewPayloadCodecHTTPHandler, which it wraps). Mount it under
// any prefix (the gateway serves it at /codec). It answers CORS preflights
// for cfg.Origins (the Temporal Web UI calls it from the browser, sending
// Content-Type, X-Namespace and, with passAccessToken, Authorization) and,
// when cfg.AuthToken is set, refuses requests without
// "Authorization: Bearer <token>" (401); the Temporal CLI sends it with
// --codec-auth "Bearer <token>".
func Handler(c converter.PayloadCodec, cfg Config) http.Handler {
	inner := converter.NewPayloadCodecHTTPHandler(c)
	var want []byte
	if cfg.AuthToken != "" {
		sum := sha256.Sum256([]byte("Bearer " + cfg.AuthToken))
		want = sum[:]
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if origin := r.Header.Get("Origin"); origin != "" && slices.Contains(cfg.Origins, strings.TrimRight(origin, "/")) {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Add("Vary", "Origin")
			h.Set("Access-Control-Allow-Credentials", "true")
			if r.Method == http.MethodOptions {
				h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
				h.Set("Access-Control-Allow-Headers", "Content-Type, X-Namespace, Authorization")
				h.Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST, OPTIONS")
			http.Error(w, "codec server: use POST …/encode or …/decode", http.StatusMethodNotAllowed)
			return
		}
		if want != nil {
			got := sha256.Sum256([]byte(r.Header.Get("Authorization")))
			if subtle.ConstantTimeCompare(got[:], want) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="researchflow-codec"`)
				http.Error(w, "codec server: send Authorization: Bearer <RESEARCHFLOW_CODEC_AUTH_TOKEN>", http.StatusUnauthorized)
				return
			}
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		inner.ServeHTTP(w, r)
	})
}
