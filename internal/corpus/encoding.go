package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// ErrUndecodable marks a file whose bytes are not text in an encoding
// ingestion can read; the file is skipped with the reason.
var ErrUndecodable = errors.New("cannot decode as text")

// maxControlShare is the share of control characters (other than tab, line
// feed, carriage return and form feed) above which decoded bytes are taken
// for binary data rather than text.
const maxControlShare = 0.01

// decodeText returns raw as UTF-8 text. The encoding is, in order: the one
// its byte-order mark names (UTF-8, UTF-16 LE or BE); UTF-16 without a mark
// when NUL bytes sit in every other position; UTF-8 when raw is valid UTF-8;
// else Windows-1252, the legacy single-byte encoding of most Western text
// files (WHATWG Encoding Standard: the default for unlabeled legacy text).
// Bytes that decode to binary data (NULs, control characters) give an error
// wrapping ErrUndecodable.
func decodeText(raw []byte) (string, error) {
	var enc encoding.Encoding
	name := ""
	switch {
	case bytes.HasPrefix(raw, []byte{0xFF, 0xFE, 0, 0}), bytes.HasPrefix(raw, []byte{0, 0, 0xFE, 0xFF}):
		return "", fmt.Errorf("%w: UTF-32 is not supported", ErrUndecodable)
	case bytes.HasPrefix(raw, []byte{0xEF, 0xBB, 0xBF}):
		raw = raw[3:]
		if !utf8.Valid(raw) {
			return "", fmt.Errorf("%w: marked UTF-8 but not valid UTF-8", ErrUndecodable)
		}
		return checkText(string(raw), "UTF-8")
	case bytes.HasPrefix(raw, []byte{0xFF, 0xFE}):
		enc, name = unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), "UTF-16LE"
	case bytes.HasPrefix(raw, []byte{0xFE, 0xFF}):
		enc, name = unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM), "UTF-16BE"
	default:
		if le, be := utf16Guess(raw); le {
			enc, name = unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "UTF-16LE"
		} else if be {
			enc, name = unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "UTF-16BE"
		} else if utf8.Valid(raw) {
			return checkText(string(raw), "UTF-8")
		} else {
			enc, name = charmap.Windows1252, "Windows-1252"
		}
	}
	out, err := enc.NewDecoder().Bytes(raw)
	if err != nil {
		return "", fmt.Errorf("%w: %s: %v", ErrUndecodable, name, err)
	}
	return checkText(string(out), name)
}

// utf16Guess reports whether raw (without a byte-order mark) looks like
// UTF-16 LE or BE text: at least 4 bytes, even length, and NUL in most odd
// (LE) or even (BE) positions, as ASCII-range text gives.
func utf16Guess(raw []byte) (le, be bool) {
	if len(raw) < 4 || len(raw)%2 != 0 {
		return false, false
	}
	var even, odd int
	for i, b := range raw {
		if b == 0 {
			if i%2 == 0 {
				even++
			} else {
				odd++
			}
		}
	}
	half := len(raw) / 2
	return odd*10 >= half*6 && even == 0, even*10 >= half*6 && odd == 0
}

// checkText rejects decoded text that reads as binary data.
func checkText(s, enc string) (string, error) {
	var controls, total int
	for _, r := range s {
		total++
		if r == 0 || (r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f') || r == 0x7F {
			controls++
		}
	}
	if total > 0 && (float64(controls)/float64(total) > maxControlShare || bytes.IndexByte([]byte(s), 0) >= 0) {
		return "", fmt.Errorf("%w: binary data (%d control characters in %d, read as %s)", ErrUndecodable, controls, total, enc)
	}
	return s, nil
}

// decodeHTML returns an HTML page as UTF-8: a byte-order mark wins, then
// valid UTF-8, then the page's declared charset (<meta charset>), else
// Windows-1252 (HTML's default for unlabeled pages).
func decodeHTML(raw []byte) ([]byte, error) {
	if bytes.HasPrefix(raw, []byte{0xFF, 0xFE}) || bytes.HasPrefix(raw, []byte{0xFE, 0xFF}) || bytes.HasPrefix(raw, []byte{0xEF, 0xBB, 0xBF}) {
		s, err := decodeText(raw)
		return []byte(s), err
	}
	if utf8.Valid(raw) {
		if _, err := checkText(string(raw), "UTF-8"); err != nil {
			return nil, err
		}
		return raw, nil
	}
	enc, name, _ := charset.DetermineEncoding(raw, "text/html")
	out, err := enc.NewDecoder().Bytes(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrUndecodable, name, err)
	}
	if _, err := checkText(string(out), name); err != nil {
		return nil, err
	}
	return out, nil
}
