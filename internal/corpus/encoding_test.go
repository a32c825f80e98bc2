package corpus

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"
)

func utf16Bytes(s string, bigEndian, bom bool) []byte {
	var out []byte
	put := func(u uint16) {
		if bigEndian {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	if bom {
		put(0xFEFF)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		put(u)
	}
	return out
}

const inventory = "The backup server kestrel-04 stands in the Oslo data centre. Backups are kept for 35 days."

func TestLoadFileDecodesEncodings(t *testing.T) {
	win1252, err := charmap.Windows1252.NewEncoder().String("Café menu: crème brûlée costs 7 € — “fresh” daily.")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		raw  []byte
		want string
	}{
		{"utf16le-bom.txt", utf16Bytes(inventory, false, true), inventory},
		{"utf16be-bom.txt", utf16Bytes(inventory, true, true), inventory},
		{"utf16le-nobom.txt", utf16Bytes(inventory, false, false), inventory},
		{"utf8-bom.md", append([]byte{0xEF, 0xBB, 0xBF}, "# Notes\n\n"+inventory...), inventory},
		{"windows1252.txt", []byte(win1252), "Café menu: crème brûlée costs 7 € — “fresh” daily."},
		{"japanese-utf16le.txt", utf16Bytes("バックアップは毎晩二時に実行されます。保存期間は三十五日です。", false, true), "保存期間は三十五日です。"},
		{"korean-utf16be.txt", utf16Bytes("백업은 매일 밤 두 시에 실행됩니다. 백업은 35일 동안 보관됩니다.", true, true), "35일 동안 보관됩니다"},
		{"arabic-utf8.txt", []byte("يتم الاحتفاظ بالنسخ الاحتياطية لمدة 35 يومًا."), "لمدة 35 يومًا"},
		{"thai-utf16le.txt", utf16Bytes("การสำรองข้อมูลจะถูกเก็บไว้ 35 วัน", false, true), "เก็บไว้ 35 วัน"},
		{"latin1.html", []byte("<html><head><meta charset=\"iso-8859-1\"><title>Men\xfa</title></head><body><p>Caf\xe9 cr\xe8me</p></body></html>"), "Café crème"},
		{"utf16le.html", utf16Bytes("<html><body><main><p>"+inventory+"</p></main></body></html>", false, true), inventory},
	}
	dir := t.TempDir()
	for _, c := range cases {
		path := filepath.Join(dir, c.name)
		if err := os.WriteFile(path, c.raw, 0o644); err != nil {
			t.Fatal(err)
		}
		doc, err := LoadFile(context.Background(), "enc", path)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !strings.Contains(doc.Text, c.want) || strings.ContainsRune(doc.Text, '\uFFFD') || strings.ContainsRune(doc.Text, 0) {
			t.Errorf("%s: text %q, want it to contain %q", c.name, doc.Text, c.want)
		}
	}
}

func TestLoadFileRefusesBinary(t *testing.T) {
	dir := t.TempDir()
	for name, raw := range map[string][]byte{
		"image.txt": {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 'I', 'H', 'D', 'R', 0, 0, 1, 0, 0, 0, 1, 0, 8, 6, 0, 0, 0},
		"utf32.txt": {0xFF, 0xFE, 0, 0, 'a', 0, 0, 0},
		"badbom.md": {0xEF, 0xBB, 0xBF, 0xC3, 0x28, 'x'},
		"nul8.txt":  []byte("text\x00with\x00nuls\x00in\x00it and more words here\x00"),
		"ctrl.html": []byte("<p>\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10\x11\x12 ok</p>"),
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadFile(context.Background(), "enc", path); !errors.Is(err, ErrUndecodable) {
			t.Errorf("%s: err = %v, want ErrUndecodable", name, err)
		}
	}
}

// An article inside page furniture: only the article's facts are text.
const promoPage = `<!doctype html><html><head><title>Log retention</title></head><body>
<header><div class="promo">Upgrade now: the Enterprise plan keeps your logs for 400 days.</div>
<nav><a href="/">Home</a> <a href="/docs">Docs</a></nav></header>
<div role="dialog" class="cookies"><p>We use cookies to improve your experience. Accept all cookies?</p><button>Accept</button></div>
<main><article><h1>Log retention</h1>
<p>Application logs are kept for 30 days. Audit logs are kept for one year.</p>
<p hidden>Internal note: retention is under review.</p>
<aside>Related: how to export logs.</aside>
</article></main>
<aside>Popular: the Enterprise plan keeps your logs for 400 days.</aside>
<footer><p>Contact sales: sales can extend retention to 7 years.</p></footer>
</body></html>`

func TestParseHTMLKeepsTheArticle(t *testing.T) {
	doc, err := parseHTML([]byte(promoPage))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Application logs are kept for 30 days.", "Audit logs are kept for one year.", "how to export logs"} {
		if !strings.Contains(doc.Text, want) {
			t.Errorf("article text %q missing from %q", want, doc.Text)
		}
	}
	for _, bad := range []string{"400 days", "7 years", "cookies", "under review", "Home"} {
		if strings.Contains(doc.Text, bad) {
			t.Errorf("furniture %q kept in %q", bad, doc.Text)
		}
	}
	if doc.Title != "Log retention" {
		t.Errorf("title = %q", doc.Title)
	}
}

func TestParseHTMLWithoutArticleDropsFurniture(t *testing.T) {
	page := `<html><body><header role="banner">Sale: 50% off everything.</header>
<div id="content"><h2>Backups</h2><p>Backups run nightly at 02:30 and are kept for 35 days.</p></div>
<div aria-hidden="true">Screen-reader trap text.</div>
<div style="display: none">Hidden promo text.</div>
<div role="contentinfo">Copyright 2026 Example Inc.</div>
<footer>Last updated yesterday.</footer></body></html>`
	doc, err := parseHTML([]byte(page))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(doc.Text, "kept for 35 days") {
		t.Errorf("content missing: %q", doc.Text)
	}
	for _, bad := range []string{"Sale", "trap", "Hidden promo", "Copyright", "Last updated"} {
		if strings.Contains(doc.Text, bad) {
			t.Errorf("furniture %q kept in %q", bad, doc.Text)
		}
	}
}
