package researchflow

import (
	"errors"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func TestNormalizeCountsCharacters(t *testing.T) {
	tests := []struct {
		name     string
		question string
		ok       bool
	}{
		{"700 Chinese characters (2,100 bytes)", strings.Repeat("备份数据保留多少天", 77) + "天天天天天天？", true},
		{"2000 Chinese characters (6,000 bytes)", strings.Repeat("问", maxQuestionLength), true},
		{"2001 characters", strings.Repeat("问", maxQuestionLength+1), false},
		{"three Korean characters", "백업은", true},
		{"two characters", "谁?", false},
		{"padded", "   " + strings.Repeat("a", maxQuestionLength) + "\n\t ", true},
		{"invalid UTF-8", "abc\xff\xfe", false},
		{"bell", "what\x07now", false},
		// Issue 19 item 5: a question without a letter or digit says nothing.
		{"question marks only", "???", false},
		{"emoji only", "🤔🤔🤔", false},
		{"zero-width spaces only", "\u200b\u200b\u200b\u200b", false},
		{"punctuation, symbols and joiners", " ¿¡…—«»\u200d\u2060 ✨ ", false},
		{"emoji with one word", "🤔 why?", true},
		{"digits only", "2026", true},
		{"Devanagari", "कौन है?", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ResearchInput{Question: tt.question}.Normalize()
			if (err == nil) != tt.ok {
				t.Fatalf("Normalize: err = %v, want ok %v", err, tt.ok)
			}
			var ie *InputError
			if err != nil && (!errors.As(err, &ie) || ie.Field != "question") {
				t.Errorf("error %v is not an InputError on question", err)
			}
		})
	}
	_, err := ResearchInput{Question: strings.Repeat("问", maxQuestionLength+1)}.Normalize()
	if got := err.Error(); !strings.Contains(got, "characters, got 2001") {
		t.Errorf("message = %q: want it to count characters", got)
	}
}

func TestNormalizeRefusesWordlessQuestions(t *testing.T) {
	for _, q := range []string{"???", "🤔🤔🤔", "\u200b\u200b\u200b"} {
		_, err := ResearchInput{Question: q}.Normalize()
		var ie *InputError
		if !errors.As(err, &ie) || ie.Field != "question" || !strings.Contains(ie.Message, "no letter or digit") {
			t.Errorf("Normalize(%+q) = %v: want an InputError on question saying it has no letter or digit", q, err)
		}
	}
	// An edited plan is held to the same rule.
	_, err := PlanApproval{Approved: new(true), SubQuestions: []string{"How long are backups kept?", "\u200b\u200b"}}.Normalize()
	var ie *InputError
	if !errors.As(err, &ie) || ie.Field != "subQuestions[1]" {
		t.Errorf("approval with a word-less sub-question: err = %v, want an InputError on subQuestions[1]", err)
	}
}

// An edited plan's sub-questions are held to a question's rules: no
// control character (a trial's "b\u0000c" was approved and its NUL byte
// reached the report) and none twice (the same gap was written twice).
func TestEditedPlanRefusesControlCharactersAndRepeats(t *testing.T) {
	for _, tt := range []struct {
		plan  []string
		field string
	}{
		{[]string{"When do deploys happen?", "b\u0000c"}, "subQuestions[1]"},
		{[]string{"When do deploys happen?", "bell\u0007"}, "subQuestions[1]"},
		{[]string{"When do deploys happen?", "Who is on call?", "  when do  DEPLOYS happen? "}, "subQuestions[2]"},
	} {
		_, err := PlanApproval{Approved: new(true), SubQuestions: tt.plan}.Normalize()
		var ie *InputError
		if !errors.As(err, &ie) || ie.Field != tt.field {
			t.Errorf("Normalize(%q) = %v, want an InputError on %s", tt.plan, err, tt.field)
		}
	}
	if _, err := (PlanApproval{Approved: new(true), SubQuestions: []string{"When do deploys happen?", "Who is on call\tthis week?"}}).Normalize(); err != nil {
		t.Errorf("a plain plan: %v", err)
	}
}

func TestNormalizeIsIdempotent(t *testing.T) {
	depth := 2
	inputs := []ResearchInput{
		{Question: "  How do goroutines communicate?  "},
		{Question: "abc def", Corpus: "alice@example.com--notes", Owner: "alice@example.com", Depth: &depth},
		{Question: "abc def", CorpusPath: "/srv/Team Notes (2026)", RequireApproval: true},
		{Question: "abc def", MaxTokens: 30000, MaxCostUSD: 0.25, Breadth: 4, MaxSources: 20},
	}
	for _, in := range inputs {
		once, err := in.Normalize()
		if err != nil {
			t.Fatalf("%+v: %v", in, err)
		}
		twice, err := once.Normalize()
		if err != nil || !reflect.DeepEqual(once, twice) {
			t.Errorf("Normalize is not idempotent: %+v then %+v (%v)", once, twice, err)
		}
	}
}

func TestNormalizeDefaults(t *testing.T) {
	out, err := ResearchInput{Question: "abc def", RequireApproval: true}.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	if out.Corpus != DefaultCorpus || out.MaxSubQuestions != defaultMaxSubQuestions || out.MaxSources != DefaultMaxSources ||
		*out.Depth != defaultDepth || out.Breadth != defaultBreadth || out.OnApprovalTimeout != OnTimeoutApprove {
		t.Errorf("defaults = %+v", out)
	}
	out, err = ResearchInput{Question: "abc def", CorpusPath: "/srv/会议 notes"}.Normalize()
	if err != nil || out.Corpus != "notes" {
		t.Errorf("corpus from path = %q, %v", out.Corpus, err)
	}
	if _, err := (ResearchInput{Question: "abc def", CorpusPath: "notes"}).Normalize(); err == nil {
		t.Error("a relative corpusPath was accepted")
	}
}

func TestCorpusAndOwnerNames(t *testing.T) {
	tests := []struct {
		ref string
		ok  bool
	}{
		{"go-docs", true},
		{"Team.Notes_2026", true},
		{"alice--notes", true},
		{"alice@example.com--notes", true},
		{"alice@example.com", false}, // '@' only in owners
		{"a--b--c", false},
		{"--notes", false},
		{"alice--", false},
		{"a..b", false},
		{"../etc", false},
		{".hidden", false},
		{"笔记", false},
		{strings.Repeat("a", 100), true},
		{strings.Repeat("a", 101), false},
	}
	for _, tt := range tests {
		if err := validateCorpusRef(tt.ref); (err == nil) != tt.ok {
			t.Errorf("validateCorpusRef(%q) = %v, want ok %v", tt.ref, err, tt.ok)
		}
	}
	for _, o := range []string{"alice", "alice@example.com", "a.b-c_d"} {
		if err := ValidateOwner(o); err != nil {
			t.Errorf("ValidateOwner(%q) = %v", o, err)
		}
		if s := ScopedCorpus(o, "notes"); validateCorpusRef(s) != nil || PublicCorpus(o, s) != "notes" {
			t.Errorf("scoping %q: %q does not round-trip", o, s)
		}
	}
	for _, o := range []string{"", "a--b", "-a", "a b", "ünicode"} {
		if ValidateOwner(o) == nil {
			t.Errorf("ValidateOwner(%q) accepted", o)
		}
	}
	if got := ScopedCorpus("alice", DefaultCorpus); got != DefaultCorpus {
		t.Errorf("the default corpus was scoped: %q", got)
	}
}

// The README states the corpus naming rule as the contract does, wherever
// it says what a corpus name may be: a trial read "1–100 letters, digits,
// ._-" in one place and "lowercase, up to 48 characters" in another.
func TestREADMEStatesTheCorpusNameRule(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	// Quotes and code marks aside: the README writes `.` where the rule
	// writes '.'.
	plain := func(s string) string {
		return strings.Join(strings.Fields(strings.NewReplacer("`", "", "'", "", `"`, "").Replace(s)), " ")
	}
	rule := plain(CorpusNameRule)
	statesRule := regexp.MustCompile(`(?i)corpus names? (is|are|follows?)\b.{0,120}\bletters\b`)
	stated := 0
	for _, para := range strings.Split(string(b), "\n\n") {
		p := plain(para)
		if !statesRule.MatchString(p) {
			continue
		}
		stated++
		if !strings.Contains(p, rule) {
			t.Errorf("the README says what a corpus name may be other than as %q:\n%s", rule, para)
		}
	}
	if stated == 0 {
		t.Error("the README never states the corpus naming rule")
	}
}

func TestCorpusNameFromPath(t *testing.T) {
	for path, want := range map[string]string{
		"/srv/notes":                       "notes",
		"/srv/Team Notes (2026)/":          "Team-Notes-2026",
		"/srv/会议纪要":                        "folder",
		"/srv/a--b":                        "a-b",
		"/srv/a...b":                       "a-b",
		"/srv/" + strings.Repeat("x", 150): strings.Repeat("x", 100),
	} {
		got := corpusNameFromPath(path)
		if got != want || ValidateCorpusName(got) != nil {
			t.Errorf("corpusNameFromPath(%q) = %q (valid: %v), want %q", path, got, ValidateCorpusName(got), want)
		}
	}
}

func TestBudget(t *testing.T) {
	b := Budget{MaxTokens: 1000, MaxCostUSD: 1}
	u := Usage{PromptTokens: 600, CompletionTokens: 100, CostUSD: 0.4}
	if b.Spent(u) {
		t.Error("spent too early")
	}
	if got := b.Left(u); got != (Budget{MaxTokens: 300, MaxCostUSD: 0.6}) {
		t.Errorf("Left = %+v", got)
	}
	if got := b.Share(u, 3); got.MaxTokens != 100 {
		t.Errorf("Share = %+v", got)
	}
	if !b.Spent(Usage{PromptTokens: 1000}) || !b.Spent(Usage{CostUSD: 1}) {
		t.Error("not spent at the limit")
	}
	if (Budget{}).Spent(Usage{PromptTokens: 1 << 30}) || !(Budget{}).Unlimited() || !(Budget{}).Left(u).Unlimited() {
		t.Error("an unlimited budget limits")
	}
	if got := b.Left(Usage{PromptTokens: 5000}); got.MaxTokens != 1 {
		t.Errorf("Left past the limit = %+v, want one token", got)
	}
}

func TestNotifyTargetsNormalize(t *testing.T) {
	good := []string{"ana@example.org", "a.b+tag@lab.example.net", "x_y@localhost"}
	n, err := (&NotifyTargets{Email: append(good, " ana@EXAMPLE.org ")}).Normalize()
	if err != nil || len(n.Email) != 3 {
		t.Fatalf("Normalize(%q) = %v, %v", good, n, err)
	}
	for _, bad := range []string{"Ana <ana@example.org>", "ana", "ana@", "@example.org", "a..b@example.org",
		"ana@[127.0.0.1]", "ana@exa mple.org", "\"a b\"@example.org", "ana@-example.org", "ana@example.org\r\nBcc: eve@evil.example"} {
		if _, err := (&NotifyTargets{Email: []string{bad}}).Normalize(); err == nil {
			t.Errorf("Normalize accepted %q", bad)
		}
	}
	if n, err := (&NotifyTargets{}).Normalize(); n != nil || err != nil {
		t.Errorf("empty targets = %v, %v", n, err)
	}
}

// A memo keeps a question's first 200 characters (not bytes), marked when cut.
func TestMemoQuestionTextCountsCharacters(t *testing.T) {
	got := []rune(MemoQuestionText(strings.Repeat("问", 300)))
	if len(got) != memoQuestionLength+1 || got[len(got)-1] != '…' {
		t.Errorf("MemoQuestionText kept %d characters", len(got))
	}
	if got := MemoQuestionText("How do goroutines communicate?"); got != "How do goroutines communicate?" {
		t.Errorf("a short question changed: %q", got)
	}
}
