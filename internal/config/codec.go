package config

import (
	"encoding/base64"
	"regexp"
	"sort"
	"strings"
)

// Codec holds the payload encryption settings. Its fields are those of
// codec.Config, in the same order, so that the composition converts one
// into the other (codec.Config(cfg.Codec)): package codec is public and
// imports nothing internal.
type Codec struct {
	// Keys maps key ID to a 16, 24 or 32-byte AES key
	// (RESEARCHFLOW_CODEC_KEYS="id1:base64key,id2:base64key").
	Keys map[string][]byte
	// KeyID is the key that encrypts new payloads
	// (RESEARCHFLOW_CODEC_KEY_ID; may be omitted when there is one key).
	KeyID string
	// AuthToken, if set, is required by the codec server as
	// "Authorization: Bearer <token>" (RESEARCHFLOW_CODEC_AUTH_TOKEN).
	AuthToken string
	// NoAuth lets the codec server answer without a token on a
	// non-loopback address (RESEARCHFLOW_CODEC_NO_AUTH=1).
	NoAuth bool
	// Origins are the browser origins (the Temporal Web UI's) allowed to
	// call the codec server (RESEARCHFLOW_CODEC_CORS_ORIGINS,
	// comma-separated; the Web UI URL by default).
	Origins []string
}

// Enabled reports whether payloads are encrypted.
func (c Codec) Enabled() bool { return len(c.Keys) > 0 }

// codecKeyID is what a key ID may be (it travels in payload metadata).
var codecKeyID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// bindCodec reads RESEARCHFLOW_CODEC_*. Key errors never contain key
// material.
func bindCodec(b *binder) Codec {
	const keysVar, idVar = "RESEARCHFLOW_CODEC_KEYS", "RESEARCHFLOW_CODEC_KEY_ID"
	c := Codec{
		KeyID:     b.get(idVar),
		AuthToken: b.get("RESEARCHFLOW_CODEC_AUTH_TOKEN"),
		NoAuth:    b.flag("RESEARCHFLOW_CODEC_NO_AUTH", false),
		Origins:   trimSlashes(b.list("RESEARCHFLOW_CODEC_CORS_ORIGINS")),
	}
	if c.AuthToken != "" && len(c.AuthToken) < 16 {
		b.fail("RESEARCHFLOW_CODEC_AUTH_TOKEN", "want at least 16 characters")
	}
	keys := map[string][]byte{}
	for _, pair := range b.list(keysVar) {
		id, b64, ok := strings.Cut(pair, ":")
		id = strings.TrimSpace(id)
		if !ok || !codecKeyID.MatchString(id) {
			b.fail(keysVar, "want id:base64key pairs separated by commas, IDs of letters, digits, '.', '_' or '-' (at most 64)")
			continue
		}
		if _, dup := keys[id]; dup {
			b.fail(keysVar, "key ID %q listed twice", id)
			continue
		}
		key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
		if err != nil {
			b.fail(keysVar, "key %q is not standard base64", id)
			continue
		}
		if n := len(key); n != 16 && n != 24 && n != 32 {
			b.fail(keysVar, "key %q has %d bytes; want 16, 24 or 32 (AES-128/192/256; e.g. openssl rand -base64 32)", id, n)
			continue
		}
		keys[id] = key
	}
	if len(keys) == 0 {
		if c.KeyID != "" && b.get(keysVar) == "" {
			b.fail(idVar, "%q but RESEARCHFLOW_CODEC_KEYS is empty", c.KeyID)
		}
		c.KeyID = ""
		return c
	}
	ids := make([]string, 0, len(keys))
	for id := range keys {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	switch {
	case c.KeyID == "" && len(ids) == 1:
		c.KeyID = ids[0]
	case c.KeyID == "":
		b.fail(idVar, "required with several keys; one of %s", strings.Join(ids, ", "))
	case keys[c.KeyID] == nil:
		b.fail(idVar, "%q is not in RESEARCHFLOW_CODEC_KEYS (%s)", c.KeyID, strings.Join(ids, ", "))
	}
	c.Keys = keys
	return c
}
