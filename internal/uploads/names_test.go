package uploads

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestSanitizeFilename(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"guide.md", "guide.md"},
		{"会议纪要.md", "会议纪要.md"},
		{"项目计划.md", "项目计划.md"},
		{"議事録.md", "議事録.md"},
		{"ملاحظات الاجتماع.md", "ملاحظات الاجتماع.md"},
		{"🚀 launch plan.md", "🚀 launch plan.md"},
		{"👩‍💻 notes.md", "👩‍💻 notes.md"}, // the zero-width joiner is kept
		{"Ünïcödé notes (final).txt", "Ünïcödé notes (final).txt"},
		{"caf\u0065\u0301.md", "caf\u00e9.md"}, // NFD as macOS sends it → NFC
		{"caf\u00e9.md", "caf\u00e9.md"},
		{"a:b.md", "a_b.md"},
		{"a?b.md", "a_b.md"},
		{`a<b>c|d*e"f.md`, "a_b_c_d_e_f.md"},
		{"../../etc/evil name.txt", "evil name.txt"},
		{`..\..\windows\paper.html`, "paper.html"},
		{".hidden.md", "hidden.md"},
		{" . .bashrc.md", "bashrc.md"},
		{"notes.md. . ", "notes.md"},
		{"a\x00b\tc\x7fd.md", "abcd.md"},
		{"\u202egpj.md", "gpj.md"}, // right-to-left override
		{"\xff\xfe.md", "_.md"},    // invalid UTF-8
		{"con.md", "_con.md"},
		{"LPT1.txt", "_LPT1.txt"},
		{"nul.tar.md", "_nul.tar.md"},
		{"console.md", "console.md"},
		{"COM10.md", "COM10.md"},
	}
	for _, tt := range tests {
		got, ok := sanitizeFilename(tt.in)
		if !ok || got != tt.want {
			t.Errorf("sanitizeFilename(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
	for _, in := range []string{"", "...", "/", `\`, " . ", "\x00\u202e"} {
		if got, ok := sanitizeFilename(in); ok {
			t.Errorf("sanitizeFilename(%q) = %q, want refusal", in, got)
		}
	}
}

// TestSanitizeFilenameLength checks the 255-byte cap: the extension is kept
// and no character or combining sequence is cut.
func TestSanitizeFilenameLength(t *testing.T) {
	tests := []struct {
		name, in string
	}{
		{"CJK", strings.Repeat("数", 120) + ".md"},                    // 360 bytes of stem
		{"combining", strings.Repeat("q\u0303", 100) + ".md"},        // q + tilde: no precomposed form
		{"emoji", strings.Repeat("👩‍💻", 30) + ".txt"},                // 11 bytes each
		{"ascii", strings.Repeat("a", 300) + ".html"},                // plain
		{"trailing dot at cut", strings.Repeat("a", 251) + ". b.md"}, // cut leaves "a….", which is trimmed
	}
	for _, tt := range tests {
		got, ok := sanitizeFilename(tt.in)
		if !ok {
			t.Errorf("%s: refused", tt.name)
			continue
		}
		checkStoredName(t, got)
		if _, ext := splitExt(tt.in); !strings.HasSuffix(got, ext) {
			t.Errorf("%s: %q lost its extension %s", tt.name, got, ext)
		}
		if len(got) < maxNameBytes-12 {
			t.Errorf("%s: cut to %d bytes, more than needed", tt.name, len(got))
		}
		if strings.Count(got, "q") != strings.Count(got, "\u0303") {
			t.Errorf("%s: a combining mark was cut from its letter: %q", tt.name, got)
		}
	}
	// The " (n)" variants of a long name fit as well.
	long, _ := sanitizeFilename(strings.Repeat("数", 120) + ".md")
	stem, ext := splitExt(long)
	checkStoredName(t, joinName(stem, ext, " (100)"))
}

// checkStoredName fails unless name is safe to create on Linux, macOS and
// Windows file systems.
func checkStoredName(t *testing.T, name string) {
	t.Helper()
	switch {
	case len(name) > maxNameBytes:
		t.Errorf("%q: %d bytes, over %d", name, len(name), maxNameBytes)
	case !utf8.ValidString(name):
		t.Errorf("%q: not valid UTF-8", name)
	case !norm.NFC.IsNormalString(name):
		t.Errorf("%q: not NFC", name)
	case strings.ContainsAny(name, `/\<>:"|?*`):
		t.Errorf("%q: contains a reserved character", name)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		t.Errorf("%q: contains a control character", name)
	case strings.HasPrefix(name, "."), strings.HasSuffix(name, "."), strings.HasSuffix(name, " "):
		t.Errorf("%q: leading dot or trailing dot or space", name)
	}
}

// FuzzSanitizeFilename checks that every accepted name is safe to store.
func FuzzSanitizeFilename(f *testing.F) {
	for _, s := range []string{"会议纪要.md", "a:b.md", "../x.md", "e\u0301.md", strings.Repeat("数", 90) + ".md", "\xff.md"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if got, ok := sanitizeFilename(in); ok {
			checkStoredName(t, got)
			if again, _ := sanitizeFilename(got); again != got {
				t.Errorf("not idempotent: %q → %q → %q", in, got, again)
			}
		}
	})
}
