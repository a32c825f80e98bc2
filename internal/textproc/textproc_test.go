package textproc

import (
	"reflect"
	"strings"
	"testing"
)

func TestTokenize(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"The channels are buffered", []string{"channel", "buffer"}},
		{"What does sync.Mutex guarantee?", []string{"sync.mutex", "sync", "mutex", "guarante"}},
		{"Goroutines and a goroutine", []string{"goroutin", "goroutin"}},
		{"guaranteed guarantees guarantee", []string{"guarante", "guarante", "guarante"}},
		{"How does boost::optional work? Note: see", []string{"boost::optional", "boost", "optional", "work", "not"}},
		{"", nil},
	}
	for _, tt := range tests {
		got := Tokenize(tt.in)
		if len(got) == 0 && len(tt.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Tokenize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestTokenizeCodeNames: stop words that are names in code ("Once",
// "Do", "If", "Then") are terms when written as code, and stay stop words
// in prose; compound identifiers match their parts.
func TestTokenizeCodeNames(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		// A part of an identifier is a name, stop word or not.
		{"call pool.Do(job) once", []string{"call", "pool.do", "pool", "do", "job"}},
		{"How is errgroup.Group related to sync.Once?", []string{"errgroup.group", "errgroup", "group", "rel", "sync.once", "sync", "onc"}},
		{"set MAX_IDLE or net.http", []string{"set", "max_idle", "max", "idl", "net.http", "net", "http"}},
		// Numbers are not parts: "1.21" and "v2.6.18" stay whole.
		{"since go1.21 and v2.6.18", []string{"sinc", "go1.21", "go1", "v2.6.18", "v2"}},
		// Code case after a lower-case word: a name.
		{"the After method and the Once type", []string{"after", "method", "onc", "typ"}},
		{"wrap it in an If node", []string{"wrap", "if", "nod"}},
		// Sentence starts, Title Case and ALL CAPS: stop words.
		{"Once the lock is held. Then it runs.", []string{"lock", "held", "run"}},
		{"Notes On Using It", []string{"not"}},
		{"SEE ALSO", nil},
		{"done: Once more", []string{"don"}},
		{"- item\n* Once again", []string{"item"}},
	}
	for _, tt := range tests {
		got := Tokenize(tt.in)
		if len(got) == 0 && len(tt.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Tokenize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// The question's identifier meets the text's other spelling.
	q, doc := TermVector("How does sync.Once work?"), TermVector("Many goroutines can call once.Do(f) on the Once value")
	if Cosine(q, doc) == 0 {
		t.Error(`"sync.Once" shares no term with "once.Do(f)" and "the Once value"`)
	}
}

func TestSentences(t *testing.T) {
	if got := Sentences("Presented by Hans-J. Boehm and Sarita V. Adve in 2008. Next one."); len(got) != 2 {
		t.Errorf("initials split a sentence: %q", got)
	}
	in := "A send on a channel happens before the receive. Use sync.Mutex, e.g. for maps. Is it safe? Yes!\n\nNew paragraph without stop"
	want := []string{
		"A send on a channel happens before the receive.",
		"Use sync.Mutex, e.g. for maps.",
		"Is it safe?",
		"Yes!",
		"New paragraph without stop",
	}
	if got := Sentences(in); !reflect.DeepEqual(got, want) {
		t.Errorf("Sentences() =\n%q\nwant\n%q", got, want)
	}
}

func TestCosine(t *testing.T) {
	a := TermVector("channel send receive")
	if got := Cosine(a, a); got < 0.999 {
		t.Errorf("Cosine(a, a) = %v, want 1", got)
	}
	if got := Cosine(a, TermVector("mutex lock")); got != 0 {
		t.Errorf("Cosine of disjoint = %v, want 0", got)
	}
}

func TestWordsSegmentsUnspacedScripts(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"备份数据", []string{"备份", "份数", "数据"}},
		{"Go语言 and 东", []string{"go", "语言", "and", "东"}},
		{"バックアップ", []string{"バッ", "ック", "クア", "アッ", "ップ"}},
		{"백업은 35일 동안", []string{"백업은", "35일", "동안"}},
	} {
		if got := Words(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Words(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	q, s := Tokenize("备份数据保留多少天？"), Tokenize("备份每天凌晨两点半运行，数据保留三十五天。")
	shared := 0
	for _, a := range q {
		for _, b := range s {
			if a == b {
				shared++
				break
			}
		}
	}
	if shared < 3 {
		t.Errorf("question %q and answer %q share %d terms, want at least 3", q, s, shared)
	}
	for _, w := range q {
		if w == "多少" {
			t.Errorf("question word 多少 is a term: %q", q)
		}
	}
}

func TestSentencesInOtherScripts(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"备份每天凌晨两点半运行，数据保留三十五天。访客证当天有效！要续期吗？",
			[]string{"备份每天凌晨两点半运行，数据保留三十五天。", "访客证当天有效！", "要续期吗？"}},
		{"バックアップは毎晩実行されます。「保存は三十五日」。以上",
			[]string{"バックアップは毎晩実行されます。", "「保存は三十五日」。", "以上"}},
		{"النسخ الاحتياطية تعمل ليلا. يتم الاحتفاظ بها لمدة 35 يوما؟ نعم",
			[]string{"النسخ الاحتياطية تعمل ليلا.", "يتم الاحتفاظ بها لمدة 35 يوما؟", "نعم"}},
		{"बैकअप रात में चलता है। इसे 35 दिन रखा जाता है।",
			[]string{"बैकअप रात में चलता है।", "इसे 35 दिन रखा जाता है।"}},
	} {
		if got := Sentences(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Sentences(%q) =\n%q\nwant\n%q", c.in, got, c.want)
		}
	}
}

// Forms of one word meet: the noun in -sion/-tion and its verb, an irregular
// past form and its verb; words that only look alike do not.
func TestStemMeetsForms(t *testing.T) {
	same := [][2]string{
		{"selection", "select"}, {"selections", "selected"}, {"completion", "complete"},
		{"suppression", "suppress"}, {"chosen", "choose"}, {"chose", "chooses"},
		{"written", "writes"}, {"frozen", "freezing"}, {"taken", "take"},
		{"communicate", "communication"}, {"communicates", "communicating"}, {"allocated", "allocation"},
	}
	for _, p := range same {
		if a, b := Stem(p[0]), Stem(p[1]); a != b {
			t.Errorf("Stem(%q) = %q, Stem(%q) = %q: want them equal", p[0], a, p[1], b)
		}
	}
	differ := [][2]string{{"left", "leave"}, {"bound", "bind"}, {"union", "unit"}, {"station", "stat"}, {"state", "date"}}
	for _, p := range differ {
		if a, b := Stem(p[0]), Stem(p[1]); a == b {
			t.Errorf("Stem(%q) = Stem(%q) = %q: want them apart", p[0], p[1], a)
		}
	}
}

// Issue 18: "Why can't other users delete my files?" gave the term "t",
// the rarest of the question, which no answer holds. The endings of
// contractions and the possessive are no words.
func TestContractions(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Why can't other users delete my files?", "user delet fil"},
		{"The build doesn’t stop; it won't retry and isn't fast.", "build stop retry fast"},
		{"It ain't broken", "break"},
		{"Git's mascot and the server's log", "git mascot server log"},
		{"You're sure they'll see we've moved; I'm done, she'd say.", "sur mov don say"},
		{"O'Reilly wrote 'quoted' text", "o reil writ quot text"},
	}
	for _, tt := range tests {
		if got := strings.Join(Tokenize(tt.in), " "); got != tt.want {
			t.Errorf("Tokenize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := strings.Join(Words("doesn't can't"), " "); got != "does can" {
		t.Errorf("Words = %q, want %q", got, "does can")
	}
}

// A definition list's term stands on its own line: an option, a code name,
// a lower-case word or a name in capitals; a title or a sentence is none.
func TestDefinitionTerm(t *testing.T) {
	for line, want := range map[string]bool{
		"nullglob": true, "-n, --dry-run": true, "EPOCHSECONDS": true, "core.autocrlf": true, "  --abort ": true,
		"Description": false, "Exit immediately.": false, "the shell reads it": false, "": false, "GO": false,
	} {
		if got := DefinitionTerm(line); got != want {
			t.Errorf("DefinitionTerm(%q) = %v, want %v", line, got, want)
		}
	}
}

func TestPromptCommand(t *testing.T) {
	for line, want := range map[string]string{
		"# dpkg-reconfigure tzdata":   "dpkg-reconfigure tzdata",
		"$ ./configure --prefix=/usr": "./configure --prefix=/usr",
		"$ ~/bin/run":                 "~/bin/run",
		"# Note that this needs root": "",
		"$ ":                          "",
		"dpkg -l":                     "",
		"#include <stdio.h>":          "",
	} {
		got, ok := PromptCommand(line)
		if ok != (want != "") || ok && got != want {
			t.Errorf("PromptCommand(%q) = %q, %v; want %q", line, got, ok, want)
		}
	}
}

// A shell's special parameters are written in symbols: each is a term of
// its own, wherever it stands ("$*" in quotes, "($#)" in a manual's entry),
// and a "$" in or after a word, escaped, or before braces names none.
func TestSpecialParameters(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{`What's the difference between "$*" and "$@" in double quotes?`, []string{"differenc", "$*", "$@", "doubl", "quot"}},
		{"($#) Expands to the number of positional parameters.", []string{"$#", "expand", "number", "positional", "parameter"}},
		{"echo $? then $$, $! and $- or $_.", []string{"echo", "$?", "$$", "$!", "$-", "$_"}},
		{`It costs $5; a$b, \$* and ${@} are no parameters, nor is $$$.`, []string{"cost", "5", "b", "parameter"}},
	}
	for _, tt := range tests {
		got := Tokenize(tt.text)
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("Tokenize(%q) = %q, want %q", tt.text, got, tt.want)
		}
		for _, term := range got {
			if IsSpecialParam(term) != strings.HasPrefix(term, "$") {
				t.Errorf("IsSpecialParam(%q) = %v", term, IsSpecialParam(term))
			}
		}
	}
}

// Contractions typed without their apostrophe are the stop words they
// stand for: "whats" is no term of "whats the difference".
func TestContractionsWithoutApostrophe(t *testing.T) {
	if got := Tokenize("whats the difference, why doesnt it work and dont ask"); strings.Join(got, " ") != "differenc work ask" {
		t.Errorf("Tokenize = %q, want [differenc work ask]", got)
	}
}

// Sentences of scripts written without spaces join without one after
// their full stop; others with one.
func TestJoinSentences(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{[]string{"会議は三時に開かれます。", "会議室はKelpです。"}, "会議は三時に開かれます。会議室はKelpです。"},
		{[]string{"预算是多少？", "预算是 5,000 EUR。"}, "预算是多少？预算是 5,000 EUR。"},
		{[]string{"Backups run at 02:30.", "They are kept for 35 days."}, "Backups run at 02:30. They are kept for 35 days."},
		{[]string{"会議は三時です。", "It is in Kelp."}, "会議は三時です。It is in Kelp."},
		{[]string{"यह एक वाक्य है।", "दूसरा वाक्य।"}, "यह एक वाक्य है। दूसरा वाक्य।"},
	} {
		if got := JoinSentences(tc.in); got != tc.want {
			t.Errorf("JoinSentences(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
