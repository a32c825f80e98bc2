// Package codec protects Temporal payloads at rest: a converter.PayloadCodec
// that encrypts every workflow and activity payload (inputs, results,
// queries, memos, and — through the failure converter — error messages)
// with AES-GCM before it leaves the process, so that the histories stored
// in Temporal's database hold no plaintext question, passage or report; and
// the HTTP codec server that lets the Temporal Web UI and CLI show them.
//
// The format follows Temporal's encryption sample (samples-go/encryption):
// the whole original payload (metadata and data, protobuf-encoded) is
// sealed, and the new payload carries only
//
//	metadata encoding          = "binary/encrypted"
//	metadata encryption-key-id = the ID of the key that sealed it
//	data                       = 12-byte random nonce ‖ ciphertext ‖ 16-byte tag
//
// The key ID is authenticated as additional data, so a payload cannot be
// relabelled to another key. Keys rotate: every configured key decrypts,
// one (Config.KeyID) encrypts. Payloads that are not encrypted (histories
// written before the codec was turned on) pass through Decode unchanged.
//
// The package is public: a Go program that talks to an encrypted deployment
// (a client or a worker of its own) dials Temporal with the same keys, and
// with a failure converter that encrypts error messages too, as
// Researchflow's own processes do:
//
//	cfg, err := codec.ParseKeys(os.Getenv("RESEARCHFLOW_CODEC_KEYS"), os.Getenv("RESEARCHFLOW_CODEC_KEY_ID"))
//	c, err := codec.New(cfg)
//	tc, err := client.Dial(client.Options{
//		DataConverter: c.DataConverter(),
//		FailureConverter: temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{
//			DataConverter: c.DataConverter(), EncodeCommonAttributes: true}),
//	})
package codec

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
)

// Metadata of an encrypted payload.
const (
	// Encoding is the value of the payload's "encoding" metadata.
	Encoding = "binary/encrypted"
	// MetadataKeyID names the metadata entry holding the key ID.
	MetadataKeyID = "encryption-key-id"
)

// nonceSize is AES-GCM's standard 96-bit nonce (NIST SP 800-38D §8.2);
// random nonces are safe for up to 2^32 payloads per key (§8.3), so rotate
// keys well before that.
const nonceSize = 12

// keyIDPattern keeps key IDs printable and short: they are stored in every
// payload's metadata.
var keyIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// ErrUnknownKey means a payload was sealed with a key that is not
// configured (rotated out too early, or another deployment's key).
var ErrUnknownKey = errors.New("payload encrypted with an unknown key")

// Config holds the codec's keys. The zero value means the codec is off.
type Config struct {
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
	// non-loopback address (RESEARCHFLOW_CODEC_NO_AUTH=1): only where the
	// network decides who reaches it, e.g. a port published on the host's
	// loopback for a Web UI without login, which cannot send a token.
	NoAuth bool
	// Origins are the browser origins (the Temporal Web UI's) allowed to
	// call the codec server (RESEARCHFLOW_CODEC_CORS_ORIGINS,
	// comma-separated; the Web UI URL by default).
	Origins []string
}

// Enabled reports whether payloads are encrypted.
func (c Config) Enabled() bool { return len(c.Keys) > 0 }

// ParseKeys parses RESEARCHFLOW_CODEC_KEYS ("id:base64key" pairs separated
// by commas; standard base64 of 16, 24 or 32 random bytes, e.g.
// `openssl rand -base64 32`) and checks that keyID (RESEARCHFLOW_CODEC_KEY_ID)
// is one of them; keyID may be empty when there is exactly one key. An
// empty spec returns a Config with no keys (codec off). Errors never
// contain key material.
func ParseKeys(spec, keyID string) (Config, error) {
	c := Config{Keys: map[string][]byte{}, KeyID: strings.TrimSpace(keyID)}
	for _, pair := range strings.Split(spec, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		id, b64, ok := strings.Cut(pair, ":")
		id = strings.TrimSpace(id)
		if !ok || !keyIDPattern.MatchString(id) {
			return Config{}, fmt.Errorf("RESEARCHFLOW_CODEC_KEYS: want id:base64key pairs separated by commas, IDs of letters, digits, '.', '_' or '-' (at most 64)")
		}
		if _, dup := c.Keys[id]; dup {
			return Config{}, fmt.Errorf("RESEARCHFLOW_CODEC_KEYS: key ID %q listed twice", id)
		}
		key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
		if err != nil {
			return Config{}, fmt.Errorf("RESEARCHFLOW_CODEC_KEYS: key %q is not standard base64", id)
		}
		if n := len(key); n != 16 && n != 24 && n != 32 {
			return Config{}, fmt.Errorf("RESEARCHFLOW_CODEC_KEYS: key %q has %d bytes; want 16, 24 or 32 (AES-128/192/256; e.g. openssl rand -base64 32)", id, n)
		}
		c.Keys[id] = key
	}
	if len(c.Keys) == 0 {
		if c.KeyID != "" {
			return Config{}, fmt.Errorf("RESEARCHFLOW_CODEC_KEY_ID is %q but RESEARCHFLOW_CODEC_KEYS is empty", c.KeyID)
		}
		return Config{}, nil
	}
	ids := c.keyIDs()
	switch {
	case c.KeyID == "" && len(ids) == 1:
		c.KeyID = ids[0]
	case c.KeyID == "":
		return Config{}, fmt.Errorf("RESEARCHFLOW_CODEC_KEY_ID: required with several keys; one of %s", strings.Join(ids, ", "))
	case c.Keys[c.KeyID] == nil:
		return Config{}, fmt.Errorf("RESEARCHFLOW_CODEC_KEY_ID: %q is not in RESEARCHFLOW_CODEC_KEYS (%s)", c.KeyID, strings.Join(ids, ", "))
	}
	return c, nil
}

func (c Config) keyIDs() []string {
	ids := make([]string, 0, len(c.Keys))
	for id := range c.Keys {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Codec is an AES-GCM converter.PayloadCodec. It is safe for concurrent
// use.
type Codec struct {
	keyID string
	aeads map[string]cipher.AEAD
	known string // key IDs, for error messages
}

var _ converter.PayloadCodec = (*Codec)(nil)

// New returns the codec of cfg, which must be Enabled.
func New(cfg Config) (*Codec, error) {
	if !cfg.Enabled() {
		return nil, errors.New("codec: no keys configured")
	}
	if cfg.Keys[cfg.KeyID] == nil {
		return nil, fmt.Errorf("codec: encryption key %q is not configured", cfg.KeyID)
	}
	c := &Codec{keyID: cfg.KeyID, aeads: map[string]cipher.AEAD{}, known: strings.Join(cfg.keyIDs(), ", ")}
	for id, key := range cfg.Keys {
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, fmt.Errorf("codec: key %q: %w", id, err)
		}
		if c.aeads[id], err = cipher.NewGCM(block); err != nil {
			return nil, fmt.Errorf("codec: key %q: %w", id, err)
		}
	}
	return c, nil
}

// DataConverter wraps Temporal's default data converter with c.
func (c *Codec) DataConverter() converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), c)
}

// Encode seals each payload with the current key and a fresh random nonce.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	aead := c.aeads[c.keyID]
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := proto.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("codec: encode payload %d: %w", i, err)
		}
		sealed := make([]byte, nonceSize, nonceSize+len(plain)+aead.Overhead())
		if _, err := rand.Read(sealed); err != nil {
			return nil, fmt.Errorf("codec: nonce: %w", err)
		}
		sealed = aead.Seal(sealed, sealed[:nonceSize], plain, []byte(c.keyID))
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				converter.MetadataEncoding: []byte(Encoding),
				MetadataKeyID:              []byte(c.keyID),
			},
			Data: sealed,
		}
	}
	return out, nil
}

// Decode opens each encrypted payload; others pass through unchanged.
// A payload that fails authentication (tampered, truncated, relabelled)
// or names an unknown key (ErrUnknownKey) is an error naming its index.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[converter.MetadataEncoding]) != Encoding {
			out[i] = p
			continue
		}
		id := string(p.GetMetadata()[MetadataKeyID])
		aead, ok := c.aeads[id]
		if !ok {
			if id == "" {
				return nil, fmt.Errorf("codec: payload %d is encrypted but has no %s metadata", i, MetadataKeyID)
			}
			return nil, fmt.Errorf("codec: payload %d: %w %q (configured: %s); keep rotated keys in RESEARCHFLOW_CODEC_KEYS while histories use them", i, ErrUnknownKey, id, c.known)
		}
		data := p.GetData()
		if len(data) < nonceSize+aead.Overhead() {
			return nil, fmt.Errorf("codec: payload %d: ciphertext of %d bytes is too short", i, len(data))
		}
		plain, err := aead.Open(nil, data[:nonceSize], data[nonceSize:], []byte(id))
		if err != nil {
			return nil, fmt.Errorf("codec: payload %d with key %q fails authentication (tampered or corrupted): %w", i, id, err)
		}
		var orig commonpb.Payload
		if err := proto.Unmarshal(plain, &orig); err != nil {
			return nil, fmt.Errorf("codec: payload %d: decrypted data is not a payload: %w", i, err)
		}
		out[i] = &orig
	}
	return out, nil
}

// KeyID returns the ID of the key that sealed p, and whether p is encrypted
// at all (an encrypted payload without the metadata has ID "").
func KeyID(p *commonpb.Payload) (id string, encrypted bool) {
	if string(p.GetMetadata()[converter.MetadataEncoding]) != Encoding {
		return "", false
	}
	return string(p.GetMetadata()[MetadataKeyID]), true
}

// MissingKey describes what a process lacks to read a payload sealed with
// key id, for error messages: which key, and what to set.
func MissingKey(what, id string) string {
	return fmt.Sprintf("%s is encrypted with key %q, which this process lacks (set RESEARCHFLOW_CODEC_KEYS to the keys the workers use)", what, id)
}

// Keyless is the payload codec of a process without keys: it encodes
// nothing, passes plain payloads through, and refuses an encrypted one with
// an error naming its key rather than the data converter's
// bare "payload encoding is not supported".
type Keyless struct{}

var _ converter.PayloadCodec = Keyless{}

// Encode returns payloads unchanged.
func (Keyless) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	return payloads, nil
}

// Decode returns payloads unchanged if none is encrypted.
func (Keyless) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	for i, p := range payloads {
		if id, ok := KeyID(p); ok {
			return nil, fmt.Errorf("codec: %s", MissingKey(fmt.Sprintf("payload %d", i), id))
		}
	}
	return payloads, nil
}

// KeylessDataConverter is Temporal's default data converter with Keyless.
func KeylessDataConverter() converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), Keyless{})
}
