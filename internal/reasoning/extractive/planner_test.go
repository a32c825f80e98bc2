package extractive

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/textproc"
)

func plan(t *testing.T, q string, max int) reasoning.Plan {
	t.Helper()
	p, err := New(Config{}).Plan(context.Background(), reasoning.PlanRequest{Question: q, MaxSubQuestions: max})
	if err != nil {
		t.Fatalf("Plan(%q): %v", q, err)
	}
	return p
}

func texts(p reasoning.Plan) []string {
	var out []string
	for _, s := range p.SubQuestions {
		out = append(out, s.Text)
	}
	return out
}

func TestPlanRealQuestions(t *testing.T) {
	tests := []struct {
		q    string
		max  int
		want []string // exactly these sub-questions, in order
	}{
		// One focus in a setting: as asked, and the focus in its setting;
		// no generic facets.
		{"What does the Go memory model guarantee about channel communication?", 4, []string{
			"What does the Go memory model guarantee about channel communication?",
			"What about channel communication in the Go memory model?",
		}},
		// A bare topic asks for a definition.
		{"goroutines", 4, []string{"What are goroutines?"}},
		{"how does sync.Mutex work and when should I use it instead of channels", 4, []string{
			"How does sync.Mutex work and when should I use it instead of channels?",
			"How does sync.Mutex work?",
			"When should I use sync.Mutex instead of channels?",
		}},
		{"What is the difference between buffered and unbuffered channels?", 3, []string{
			"What is the difference between buffered and unbuffered channels?",
			"What are buffered channels?",
			"What are unbuffered channels?",
		}},
		{"git merge vs git rebase", 4, []string{
			"What is the difference between git merge and git rebase?",
			"What is git merge?",
			"What is git rebase?",
		}},
		{"Should I use git revert or git reset to undo a published commit?", 4, []string{
			"Should I use git revert or git reset to undo a published commit?",
			"What is git revert?",
			"What is git reset?",
		}},
		{"Where does the backup server live and how long are backups kept?", 4, []string{
			"Where does the backup server live and how long are backups kept?",
			"Where does the backup server live?",
			"How long are backups kept?",
		}},
		{"How do I cancel a request with context.Context in net/http?", 3, []string{
			"How do I cancel a request with context.Context in net/http?",
			"What about context.Context in net/http?",
		}},
		{"How does select choose among multiple ready channel operations?", 4, []string{
			"How does select choose among multiple ready channel operations?",
		}},
		{"What do the GOGC and GOMAXPROCS environment variables control?", 4, []string{
			"What do the GOGC and GOMAXPROCS environment variables control?",
			"What do the GOGC environment variables control?",
			"What do the GOMAXPROCS environment variables control?",
		}},
		{"What does the Go memory model guarantee about channels and mutexes?", 4, []string{
			"What does the Go memory model guarantee about channels and mutexes?",
			"What does the Go memory model guarantee about channels?",
			"What does the Go memory model guarantee about mutexes?",
		}},
		// An option and a word are no pair of topics: "--hard and lost"
		// coordinates two clauses, not "--hard" and "--lost".
		{"I did git reset --hard and lost my last few commits. Is there any way to get them back?", 4, []string{
			"I did git reset --hard and lost my last few commits. Is there any way to get them back?",
		}},
		{"I ran rm -rf and deleted my photos. Can I recover them?", 4, []string{
			"I ran rm -rf and deleted my photos. Can I recover them?",
		}},
		// Code in backticks is one word: its ";" and "do" cut nothing.
		{"Why is my total 0 after a `cat f | while read l; do n=$((n+1)); done` loop?", 4, []string{
			"Why is my total 0 after a `cat f | while read l; do n=$((n+1)); done` loop?",
		}},
		// Other scripts: as asked, split only at their own question marks.
		{"备份数据保留多少天？", 4, []string{"备份数据保留多少天？"}},
		{"备份什么时候运行？数据保留多少天？", 4, []string{"备份什么时候运行？数据保留多少天？", "备份什么时候运行？", "数据保留多少天？"}},
		{"バックアップの保存期間は何日ですか", 4, []string{"バックアップの保存期間は何日ですか"}},
		{"백업은 며칠 동안 보관됩니까?", 4, []string{"백업은 며칠 동안 보관됩니까?"}},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			p := plan(t, tt.q, tt.max)
			if got := texts(p); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("plan =\n%q\nwant\n%q", got, tt.want)
			}
			if p.Engine != Name {
				t.Errorf("Engine = %q, want %q", p.Engine, Name)
			}
		})
	}
}

func TestPlanReasonsAndIDs(t *testing.T) {
	p := plan(t, "How does sync.Mutex work and when should I use it instead of channels?", 6)
	for i, s := range p.SubQuestions {
		if want := fmt.Sprintf("sq%d", i+1); s.ID != want {
			t.Errorf("sub-question %d has ID %q, want %q", i, s.ID, want)
		}
		if s.Reason == "" {
			t.Errorf("%s has no reason", s.ID)
		}
	}
	if got := p.SubQuestions[2].Reason; got != "clause 2 of the question" {
		t.Errorf("sq3 reason = %q, want clause 2", got)
	}
}

func TestPlanBoundsAndNoNearDuplicates(t *testing.T) {
	questions := []string{
		"What does the Go memory model guarantee about channel communication?",
		"goroutines",
		"Explain \"happens before\" in Go; what are common data race pitfalls?",
		"Why is my program deadlocking",
		"What is a goroutine?",
		"How are maps implemented in the Go runtime and are they safe for concurrent use?",
	}
	for _, q := range questions {
		for _, max := range []int{-1, 0, 1, 2, 3, 4, 6, 10} {
			p := plan(t, q, max)
			limit := max
			if limit <= 0 {
				limit = DefaultMaxSubQuestions
			}
			limit = min(limit, MaxSubQuestionsLimit)
			if n := len(p.SubQuestions); n < 1 || n > limit {
				t.Errorf("Plan(%q, %d) gave %d sub-questions, want 1..%d", q, max, n, limit)
			}
			for i, a := range p.SubQuestions {
				for _, b := range p.SubQuestions[:i] {
					if c := textproc.Cosine(textproc.TermVector(a.Text), textproc.TermVector(b.Text)); c >= planDuplicate {
						t.Errorf("Plan(%q): %q and %q are near duplicates (cosine %.2f)", q, a.Text, b.Text, c)
					}
				}
			}
			if p.SubQuestions[0].Reason != "the question as asked" && !(limit > 1 && strings.HasPrefix(p.SubQuestions[0].Reason, "clause")) {
				t.Errorf("Plan(%q): first sub-question %q is not the question", q, p.SubQuestions[0].Text)
			}
		}
	}
	// No template sub-questions, whatever the question.
	for _, q := range questions {
		for _, sq := range plan(t, q, 6).SubQuestions {
			for _, tmpl := range []string{"pitfalls", "rules and guarantees apply", "examples of", "work in"} {
				if strings.Contains(sq.Text, tmpl) && !strings.Contains(q, tmpl) {
					t.Errorf("Plan(%q) has the template sub-question %q", q, sq.Text)
				}
			}
		}
	}
}

func TestPlanDeterministic(t *testing.T) {
	q := "What does the Go memory model guarantee about \"happens before\" and sync.WaitGroup?"
	first := plan(t, q, 6)
	for range 20 {
		if got := plan(t, q, 6); !reflect.DeepEqual(got, first) {
			t.Fatalf("plan changed:\n%+v\nfirst\n%+v", got, first)
		}
	}
}

func TestPlanRejectsEmpty(t *testing.T) {
	for _, q := range []string{"", "   ", "???"} {
		if _, err := New(Config{}).Plan(context.Background(), reasoning.PlanRequest{Question: q}); err == nil {
			t.Errorf("Plan(%q) succeeded, want error", q)
		}
	}
}

func TestNormalizeQuestion(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  what is   a channel ??", "What is a channel?"},
		{"sync.WaitGroup", "What is sync.WaitGroup?"},
		{"Explain the scheduler", "Explain the scheduler."},
		{"explain the scheduler?", "Explain the scheduler?"},
		{"Go generics", "What are Go generics?"},
		// A stated need asks how; an instruction ended with a full stop
		// stays one.
		{"I want to undo my last commit", "How do I undo my last commit?"},
		{"i’d like to keep a job running after logout.", "How do I keep a job running after logout?"},
		{"show me how to set the time zone on Debian", "How do I set the time zone on Debian?"},
		{"how to rename a branch", "How do I rename a branch?"},
		{"Run the go vet command on a package.", "Run the go vet command on a package."},
		{"Does select pick a random case.", "Does select pick a random case?"},
		{"I want to know.", "I want to know."},
	}
	for _, tt := range tests {
		if got := normalizeQuestion(tt.in); got != tt.want {
			t.Errorf("normalizeQuestion(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := strings.TrimSpace(normalizeQuestion("   ")); got != "" {
		t.Errorf("blank question normalized to %q", got)
	}
}

// A non-English question gets no English words around it.
func TestPlanNoEnglishAroundOtherScripts(t *testing.T) {
	for _, q := range []string{"备份数据保留多少天？", "访客证什么时候过期", "النسخ الاحتياطية كم يوما تحفظ؟", "बैकअप कितने दिन रखा जाता है?"} {
		for _, sq := range plan(t, q, 6).SubQuestions {
			for _, w := range textproc.Words(sq.Text) {
				if questionWords[w] || w == "the" {
					t.Errorf("Plan(%q): sub-question %q has English word %q", q, sq.Text, w)
				}
			}
		}
	}
}

// Every coordinated part of a question is its own sub-question (issue 19
// item 6): a list of noun phrases sharing a complement, and a list of
// questions separated by commas with a final "and".
func TestPlanCoordinatedParts(t *testing.T) {
	cases := []struct {
		q    string
		want []string
	}{
		{"What are the length, the opening year, the designer and the number of arches of the Varga bridge?", []string{
			"What is the length of the Varga bridge?",
			"What is the opening year of the Varga bridge?",
			"What is the designer of the Varga bridge?",
			"What is the number of arches of the Varga bridge?",
		}},
		{"How long is the Varga bridge, when did it open, who designed it and how many arches does it have?", []string{
			"How long is the Varga bridge?",
			"When did the Varga bridge open?",
			"Who designed the Varga bridge?",
			"How many arches does the Varga bridge have?",
		}},
		// Variants: another topic, "or", a two-item list with determiners,
		// an imperative.
		{"What is the capacity, the price and the opening date of the new data center?", []string{
			"What is the capacity of the new data center?",
			"What is the price of the new data center?",
			"What is the opening date of the new data center?",
		}},
		{"List the owner, the budget and the deadlines of Project Falcon.", []string{
			"What is the owner of Project Falcon?",
			"What is the budget of Project Falcon?",
			"What are the deadlines of Project Falcon?",
		}},
		{"Who owns the cluster, where does it run and when was it last upgraded?", []string{
			"Who owns the cluster?",
			"Where does the cluster run?",
			"When was the cluster last upgraded?",
		}},
	}
	for _, c := range cases {
		p := plan(t, c.q, 0)
		got := texts(p)
		for _, w := range c.want {
			found := false
			for _, g := range got {
				found = found || g == w
			}
			if !found {
				t.Errorf("Plan(%q) = %q, missing %q", c.q, got, w)
			}
		}
	}
	// Lists that are not coordinated parts stay whole.
	for _, q := range []string{
		"What is git rerere, which records conflict resolutions?",
		"What do the GOGC and GOMAXPROCS environment variables control?",
		"What is the difference between git merge and git rebase?",
		"How do a leading slash and a trailing slash change a .gitignore pattern?",
	} {
		for _, g := range texts(plan(t, q, 6)) {
			if strings.HasPrefix(g, "Which records") || strings.HasPrefix(g, "What is a leading slash") {
				t.Errorf("Plan(%q) has %q", q, g)
			}
		}
	}
}

// Issue 18 item 4: a compound question is split into its parts, each named
// with the question's own words; a pronoun becomes the noun phrase it
// stands for, and "X and its/their Y" asks for X and for the Y of X.
func TestPlanCompoundParts(t *testing.T) {
	cases := []struct {
		q    string
		want []string
	}{
		{"How do I cancel a long-running HTTP request in Go, and what happens to the goroutine serving it?", []string{
			"How do I cancel a long-running HTTP request in Go?",
			"What happens to the goroutine serving a long-running HTTP request?",
		}},
		{"Summarize the latest trends in quantum computing and their potential impact on AI.", []string{
			"What are the latest trends in quantum computing?",
			"What is the potential impact of the latest trends in quantum computing on AI?",
		}},
		// Variants: "its", a complement of its own, a possessive in a
		// later clause, a subject after an auxiliary.
		{"Explain goroutines and their cost in memory.", []string{
			"What are goroutines?",
			"What is the cost of goroutines in memory?",
		}},
		{"What does the reflog record and how long are its entries kept?", []string{
			"What does the reflog record?",
			"How long are the entries of the reflog kept?",
		}},
		{"In what order do deferred functions run and when are their arguments evaluated?", []string{
			"In what order do deferred functions run?",
			"When are the arguments of deferred functions evaluated?",
		}},
		// A clause may open with a preposition before its question word,
		// first or after "and".
		{"To what temperature is a stoneware kiln fired, and what do worker bees build?", []string{
			"To what temperature is a stoneware kiln fired?",
			"What do worker bees build?",
		}},
		{"What do worker bees build, and to what temperature is a stoneware kiln fired?", []string{
			"What do worker bees build?",
			"To what temperature is a stoneware kiln fired?",
		}},
		{"For how long is a parking permit valid and who issues parking permits?", []string{
			"For how long is a parking permit valid?",
			"Who issues parking permits?",
		}},
		{"Who designed the lighthouse and by how much was the lighthouse raised?", []string{
			"Who designed the lighthouse?",
			"By how much was the lighthouse raised?",
		}},
		{"Which startup files does bash read when I log in, and which one does it read for a new terminal window?", []string{
			"Which startup files does bash read when I log in?",
			"Which one does bash read for a new terminal window?",
		}},
	}
	for _, c := range cases {
		got := texts(plan(t, c.q, 0))
		for _, w := range c.want {
			found := false
			for _, g := range got {
				found = found || g == w
			}
			if !found {
				t.Errorf("Plan(%q) = %q, missing %q", c.q, got, w)
			}
		}
		for _, g := range got {
			if why := plannedFrom(c.q, g, g == got[0] && strings.EqualFold(strings.TrimRight(g, "?."), strings.TrimRight(c.q, "?."))); why != "" {
				t.Errorf("Plan(%q) planned %q: %s", c.q, g, why)
			}
		}
	}
	// A clause that states (not asks) or whose pronoun nothing resolves is
	// not a sub-question of its own; the question as asked keeps it.
	for _, c := range []struct{ q, not string }{
		{"I created an SSH key without a passphrase; how do I add one afterwards?", "How do I add one afterwards?"},
		{"I created an SSH key without a passphrase; how do I add one afterwards?", "I created an SSH key without a passphrase?"},
		{"A package update broke something; where can I still find the older version of the package?", "A package update broke something?"},
	} {
		p := plan(t, c.q, 0)
		for _, g := range texts(p) {
			if g == c.not {
				t.Errorf("Plan(%q) has %q", c.q, g)
			}
		}
		if p.SubQuestions[0].Reason != "the question as asked" {
			t.Errorf("Plan(%q) does not keep the question as asked first", c.q)
		}
	}
}

// A later clause's pronoun stands for the earlier clause's whole noun
// phrase, the head with its of-phrase ("the zero value of a map"), never a
// fragment of it ("Can you write to the zero value?"); and the part is
// planned even when its terms are the question's own.
func TestPlanPronounStandsForTheWholeNounPhrase(t *testing.T) {
	for _, tc := range []struct{ q, first, second string }{
		{"What is the zero value of a map and can you write to it?",
			"What is the zero value of a map?", "Can you write to the zero value of a map?"},
		{"What is the nil value of a slice, and can I append to it?",
			"What is the nil value of a slice?", "Can I append to the nil value of a slice?"},
		{"Which is the default size of a buffered channel and how do I change it?",
			"Which is the default size of a buffered channel?", "How do I change the default size of a buffered channel?"},
		{"How do you close a channel and what happens to the goroutines receiving from it?",
			"How do you close a channel?", "What happens to the goroutines receiving from a channel?"},
		{"How do I cancel a long-running HTTP request in Go, and what happens to the goroutine serving it?",
			"How do I cancel a long-running HTTP request in Go?", "What happens to the goroutine serving a long-running HTTP request?"},
	} {
		p := plan(t, tc.q, 0)
		var texts []string
		for _, sq := range p.SubQuestions {
			texts = append(texts, sq.Text)
		}
		if !slices.Contains(texts, tc.first) || !slices.Contains(texts, tc.second) {
			t.Errorf("Plan(%q) = %q, want both %q and %q", tc.q, texts, tc.first, tc.second)
		}
	}
}

// An alternative question ("Which compresses better, gzip or xz?") has
// the phrases either side of "or" as its sides; the words after "Which"
// ask and are no side or list item ("What is compresses better?" was
// planned from a new user's question).
func TestPlanAlternativeQuestion(t *testing.T) {
	tests := []struct {
		q    string
		want []string
	}{
		{"Which compresses better, gzip or xz?", []string{"What is gzip?", "What is xz?"}},
		{"Which is faster: ripgrep or grep?", []string{"What is ripgrep?", "What is grep?"}},
		{"Which should I use, git merge or git rebase?", []string{"What is git merge?", "What is git rebase?"}},
		{"Should I use merge or rebase?", []string{"What is merge?", "What is rebase?"}},
	}
	for _, tt := range tests {
		if got := texts(plan(t, tt.q, 5))[1:]; !slices.Equal(got, tt.want) {
			t.Errorf("Plan(%q) after the question as asked = %q, want %q", tt.q, got, tt.want)
		}
	}
	// No side of a question whose "or" joins one phrase to nothing new.
	p, err := New(Config{}).Plan(context.Background(), reasoning.PlanRequest{Question: "Which runs faster, a for loop or a while loop?", MaxSubQuestions: 5})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range p.SubQuestions[1:] {
		if strings.Contains(s.Text, "faster") || strings.Contains(s.Text, "runs") {
			t.Errorf("planned %q: the asking words as a side", s.Text)
		}
	}
}

// The sides of a comparison are the things compared, named as the question
// names them: not "compared" or a comparative glued to a side ("What is xz
// compared?", "What is dash faster?"), not the measure asked ("What is
// fast?"), with the noun that "one" stands for and that two describing
// words share, and the measure the question asks of each.
func TestPlanComparisonSides(t *testing.T) {
	tests := []struct {
		q    string
		want []string
	}{
		{"How fast is xz compared to gzip and bzip2?", []string{"How fast is xz?", "How fast is gzip?"}},
		{"How big is a Go map compared to a slice?", []string{"How big is a Go map?", "How big is a slice?"}},
		{"Is dash faster than bash compared to zsh?", []string{"What is dash?", "What is bash?"}},
		{"How does a buffered channel differ from an unbuffered one?", []string{"What is a buffered channel?", "What is an unbuffered channel?"}},
		{"What is the difference between a buffered and an unbuffered channel?", []string{"What is a buffered channel?", "What is an unbuffered channel?"}},
		{"What is the difference between the index and the working tree?", []string{"What is the index?", "What is the working tree?"}},
		{"What is the difference between static and dynamic linking?", []string{"What is static linking?", "What is dynamic linking?"}},
		{"Which is faster, a buffered channel or an unbuffered one?", []string{"What is a buffered channel?", "What is an unbuffered channel?"}},
		// "than" after a comparative and "different from" compare two
		// things; "than" before a number, "rather than" and "a
		// different editor" do not.
		{"Is xz slower than gzip?", []string{"What is xz?", "What is gzip?"}},
		// Either side of "vs", whatever comes before.
		{"What are the tradeoffs of tar vs cpio?", []string{"What is tar?", "What is cpio?"}},
		{"What is faster: grep or ripgrep?", []string{"What is grep?", "What is ripgrep?"}},
		{"How is a shell function different from an alias?", []string{"What is a shell function?", "What is an alias?"}},
		{"How do I list files larger than 1 GB?", nil},
		{"How do I make git rebase rather than merge when pulling?", nil},
		{"How do I use a different editor for commit messages?", nil},
		// An abbreviation ending in "s" and a noun after "an" are one
		// thing each.
		{"What is the difference between an alias and a shell function?", []string{"What is an alias?", "What is a shell function?"}},
		{"Compare ext4 and btrfs", []string{"What is ext4?", "What is btrfs?"}},
		// A hyphenated word is one word of its side ("How much is call
		// stipend?" cut "on-" and the article).
		{"How much is the monthly cloud budget compared to the on-call stipend?", []string{"How much is the monthly cloud budget?", "How much is the on-call stipend?"}},
		{"How does the read-only mode compare to the write-ahead log?", []string{"What is the read-only mode?", "What is the write-ahead log?"}},
		{"Is xz faster than the built-in gzip?", []string{"What is xz?", "What is the built-in gzip?"}},
	}
	for _, tt := range tests {
		if got := texts(plan(t, tt.q, 5))[1:]; !slices.Equal(got, tt.want) {
			t.Errorf("Plan(%q) after the question as asked = %q, want %q", tt.q, got, tt.want)
		}
	}
}

// Two words joined by "and" are two topics only as nouns of one phrase:
// not the two things "both" asks for together, not the end of a longer
// list, not a verb with its object; the ending of "What's" is no topic,
// and a flag is named with its dashes. (Faults a new user's questions
// showed: "How do I sign commits with GPG them?", "How do I redirect both
// stdout to the same file?", "How do I list, create tags?", "What is s?",
// "What is cached diff?".)
func TestPlanCoordinationThatIsNoPairOfTopics(t *testing.T) {
	bad := map[string][]string{
		"How do I sign commits with GPG and verify them?":                              {"GPG them", "with verify"},
		"i need to redirect both stdout and stderr to the same file":                   {"both stdout to", "both stderr to"},
		"How do I list, create and delete tags?":                                       {"list, create tags", "list, delete tags"},
		"What's the difference between \"$@\" and \"$*\"?":                             {"What is s?", "What are s?"},
		"What's the difference between git diff, git diff --cached and git diff HEAD?": {"What is s?", "cached diff"},
	}
	for q, frags := range bad {
		p, err := New(Config{}).Plan(context.Background(), reasoning.PlanRequest{Question: q, MaxSubQuestions: 5})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range p.SubQuestions {
			for _, f := range frags {
				if strings.Contains(s.Text, f) {
					t.Errorf("Plan(%q) planned %q", q, s.Text)
				}
			}
		}
	}
	// The pair of nouns is still split.
	p, err := New(Config{}).Plan(context.Background(), reasoning.PlanRequest{Question: "What do the GOGC and GOMAXPROCS variables control?", MaxSubQuestions: 5})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range p.SubQuestions {
		got = append(got, s.Text)
	}
	if !slices.Contains(got, "What do the GOGC variables control?") || !slices.Contains(got, "What do the GOMAXPROCS variables control?") {
		t.Errorf("Plan = %q, want both variables as parts", got)
	}
}

// A comparison stated without a question is asked as one ("Nano versus
// vim for beginners" → "What is the difference between nano and vim for
// beginners?"), and a clause that names nothing ("what's the difference")
// is no sub-question of its own.
func TestPlanStatedComparisonAndTopiclessClause(t *testing.T) {
	planned := func(q string) []string { return texts(plan(t, q, 5)) }
	if got := planned("Nano versus vim for beginners"); got[0] != "What is the difference between nano and vim for beginners?" {
		t.Errorf("planned %q first", got[0])
	}
	if got := planned("Single quotes vs double quotes in bash?"); got[0] != "What is the difference between single quotes and double quotes in bash?" {
		t.Errorf("planned %q first", got[0])
	}
	if got := planned("git fetch vs git pull - what's the difference"); strings.Contains(got[0], "difference between") {
		t.Errorf("planned %q first: more than a comparison, rewritten as one", got[0])
	}
	for _, s := range planned("Is a hard link better than a symlink? what's the difference") {
		if strings.EqualFold(s, "What's the difference?") {
			t.Errorf("planned %q, which names nothing", s)
		}
	}
}

// "they" after two topics joined by "and" stands for both ("How do
// goroutines and channels interact?", not "How do goroutines interact?"),
// and a name written without letters is a word between "and" and a
// question word: `"$*" and "$@" when they are …` is one question about the
// two, not a clause "When "$*" are inside double quotes?" (planned from a
// new user's question).
func TestPlanTheyStandsForACoordinatedPair(t *testing.T) {
	tests := []struct{ q, want string }{
		{"What are goroutines and channels, and how do they interact?", "How do goroutines and channels interact?"},
		{"How do tar and cpio differ, and which one keeps their permissions?", "Which one keeps the permissions of tar and cpio?"},
		{`What's the difference between "$*" and "$@" when they are inside double quotes?`, `What is "$@"?`},
	}
	for _, tt := range tests {
		got := texts(plan(t, tt.q, 6))
		if !slices.Contains(got, tt.want) {
			t.Errorf("Plan(%q) = %q, want %q among them", tt.q, got, tt.want)
		}
		for _, s := range got[1:] {
			if strings.HasPrefix(s, "When ") {
				t.Errorf("Plan(%q) planned %q: the condition of the question as a question of its own", tt.q, s)
			}
		}
	}
}

// A question typed casually: "whats" (no apostrophe) asks and is no topic
// ("What does the documentation say about “Whats” and “bash”?" was
// planned), and the special parameters it compares ("$@", "$*") are its
// topics, though written without a letter.
func TestPlanCasualQuestionWithSymbols(t *testing.T) {
	got := texts(plan(t, "whats the difference between $@ and $* in bash", 6))
	want := []string{"What's the difference between $@ and $* in bash?", "What is $@?", "What is $*?"}
	if !slices.Equal(got, want) {
		t.Errorf("Plan = %q, want %q", got, want)
	}
	if got := texts(plan(t, "why doesnt my alias work in a script", 6)); got[0] != "Why doesn't my alias work in a script?" {
		t.Errorf("Plan = %q, want the question with its apostrophe", got)
	}
}

// The mark of "$?" and "$!" is the parameter's, not the question's: "what
// is $!" asks about $!, not $?; "$?" with its question mark is one word of
// a clause. A word in capitals is a name, not a contraction ("DONT", a
// telnet command), and "whos" is a command. (A reviewer's findings.)
func TestPlanKeepsSymbolsAndNames(t *testing.T) {
	tests := []struct{ q, want string }{
		{"what is $!", "What is $!?"},
		{"$? vs PIPESTATUS", "What is $?"},
		{"What does $? hold after a pipeline, and how do I save it?", "How do I save $?"},
		{"what does DONT mean in telnet", "What does DONT mean in telnet?"},
		{"What does whos show in Octave?", "What does whos show in Octave?"},
	}
	for _, tt := range tests {
		if got := texts(plan(t, tt.q, 6)); !slices.Contains(got, tt.want) {
			t.Errorf("Plan(%q) = %q, want %q among them", tt.q, got, tt.want)
		}
	}
	for _, bad := range []string{"$??", "save hold", "$? and $?"} {
		for _, q := range []string{"$? vs PIPESTATUS", "What does $? hold after a pipeline, and how do I save it?", "difference between $? and $!"} {
			for _, s := range texts(plan(t, q, 6)) {
				if strings.Contains(s, bad) {
					t.Errorf("Plan(%q) planned %q", q, s)
				}
			}
		}
	}
}

// A clause that names no topic of its own is no sub-question: "… and
// what's the risk" (risk of what?), "… and what are the downsides", "…
// and how many can I create" (how many what?) were planned alone and
// searched by their one word; the question as asked still asks them. In
// "single vs double quotes" the noun after the marker is both sides'
// ("What is single?" was planned). (A new user's questions.)
func TestPlanClausesAndSidesNameTheirTopic(t *testing.T) {
	tests := []struct {
		q       string
		want    []string
		unwants []string
	}{
		{"when should I use rebase instead of merge, and what's the risk",
			[]string{"When should I use rebase instead of merge, and what's the risk?", "When should I use rebase instead of merge?"},
			[]string{"What's the risk?"}},
		{"what's the catch with shallow clones, and what are the downsides?",
			[]string{"What's the catch with shallow clones?"},
			[]string{"What are the downsides?"}},
		{"How much memory does a bash variable take, and how many can I create?",
			[]string{"How much memory does a bash variable take?"},
			[]string{"How many can I create?"}},
		{"single vs double quotes in bash - when does it matter, and how do I put a single quote inside single quotes?",
			[]string{"What are single quotes?", "What are double quotes?", "How do I put a single quote inside single quotes?"},
			[]string{"What is single?"}},
		{"tar vs cpio archives: which keeps hard links?",
			[]string{"What are tar archives?", "What are cpio archives?"}, nil},
	}
	for _, tt := range tests {
		got := texts(plan(t, tt.q, 6))
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("Plan(%q) = %q, want %q among them", tt.q, got, w)
			}
		}
		for _, u := range tt.unwants {
			if slices.Contains(got, u) {
				t.Errorf("Plan(%q) = %q: %q names no topic", tt.q, got, u)
			}
		}
	}
	// A clause that says what it counts stands alone.
	if got := texts(plan(t, "How much memory does a bash variable take, and how many variables can a script create?", 6)); !slices.Contains(got, "How many variables can a script create?") {
		t.Errorf("Plan = %q, want the counting clause", got)
	}
}

// Two phrases opening with a verb in -ing, or two verbs of one form, are
// coordinated whole: each
// follows what the first one follows ("What are the rules for deploying to
// production back?" and "… for deploying to rolling back?" were planned),
// and without a first such phrase the words beside "and" are no pair.
func TestPlanCoordinatedPhrasesInIng(t *testing.T) {
	tests := []struct {
		q    string
		want []string
	}{
		{"What are the rules for deploying to production and rolling back?", []string{"What are the rules for deploying to production?", "What are the rules for rolling back?"}},
		{"What is the policy for hiring contractors and paying invoices?", []string{"What is the policy for hiring contractors?", "What is the policy for paying invoices?"}},
		{"How do I avoid blocking and leaking goroutines?", []string{"How do I avoid blocking goroutines?", "How do I avoid leaking goroutines?"}},
		{"Where are the docs and pricing?", nil},
		// Two verbs of the same form with their objects or particles
		// ("Who approves books hotel rooms …?" and "How are releases
		// approved back?" were planned).
		{"Who approves purchases and books hotel rooms for the Kestrel team?", []string{"Who approves purchases?", "Who books hotel rooms for the Kestrel team?"}},
		{"How are Kestrel releases approved and rolled back?", []string{"How are Kestrel releases approved?", "How are Kestrel releases rolled back?"}},
	}
	for _, tt := range tests {
		if got := texts(plan(t, tt.q, 4))[1:]; !slices.Equal(got, tt.want) {
			t.Errorf("Plan(%q) after the question as asked = %q, want %q", tt.q, got, tt.want)
		}
	}
}

// Emoji after the question mark are no part of the question ("Wo findet
// das Offsite statt? 🤔" was planned, and listed as a gap, as "… statt?
// 🤔?").
func TestPlanTrimsTrailingPictographs(t *testing.T) {
	for q, want := range map[string]string{
		"Wo findet das Offsite statt? 🤔": "Wo findet das Offsite statt?",
		"Where is the offsite? 👍🏽":       "Where is the offsite?",
		"When is the offsite 🎉":          "When is the offsite?",
		"How do I use `go vet`":          "How do I use `go vet`?",
		"🤔 What is a goroutine?":         "🤔 What is a goroutine?",
		"オフサイトはどこですか？ 🤔":                 "オフサイトはどこですか？",
	} {
		if got := texts(plan(t, q, 4)); len(got) == 0 || got[0] != want {
			t.Errorf("Plan(%q) = %q, want %q first", q, got, want)
		}
	}
}

// Parts are the clauses and list items of a coordinated question, which a
// follow-up answers one by one; a question of one part, a comparison and
// the conjuncts of one phrase are asked whole.
func TestParts(t *testing.T) {
	for _, tt := range []struct {
		q    string
		want []string
	}{
		{"How long are backups kept and who approves deploys?", []string{"How long are backups kept?", "Who approves deploys?"}},
		{"When does the on-call rotation change, how long are backups kept, and who approves deploys?",
			[]string{"When does the on-call rotation change?", "How long are backups kept?", "Who approves deploys?"}},
		{"What are the length, the opening year and the designer of the Varga bridge?", []string{
			"What is the length of the Varga bridge?", "What is the opening year of the Varga bridge?", "What is the designer of the Varga bridge?"}},
		{"How long are backups kept?", nil},
		{"Who performs the restore test and how often?", nil},
		{"How often are passwords and API keys rotated?", nil},
		{"What is the difference between a mutex and a channel?", nil},
	} {
		var got []string
		for _, sq := range Parts(plan(t, tt.q, MaxSubQuestionsLimit)) {
			got = append(got, sq.Text)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Parts(%q) = %q, want %q", tt.q, got, tt.want)
		}
	}
	// Another planner's plan, or one whose parts may not all have fitted.
	p := plan(t, "How long are backups kept and who approves deploys?", MaxSubQuestionsLimit)
	p.Engine = "llm:model"
	if got := Parts(p); got != nil {
		t.Errorf("Parts of another planner's plan = %+v, want nil", got)
	}
	many := "Who hosts the offsite, where is the venue, when does the offsite start, who pays the hotel, how long is the flight, what is the dress code and who approves travel?"
	if p := plan(t, many, MaxSubQuestionsLimit); Parts(p) != nil {
		t.Errorf("Parts of a full plan %q = %+v, want nil (the question is asked whole)", texts(p), Parts(p))
	}
}

// A question written after a sentence that sets its scene is planned from
// the sentence that asks: a newcomer's "i uninstalled a program but its
// config files are still lying around. remove vs purge?" was planned as
// "What is the difference between i uninstalled a program … remove and
// purge?" and "What is a program?", "My laptop keeps running out of space.
// What is the difference …?" gave "What is laptop keeps running?". The
// setting stays with the question, and with its parts, when the asking
// sentence points back to it ("… what number do I give it?": "What is -m?"
// alone does not say that it is about git revert) or names too little to
// stand alone ("what am i missing?"); otherwise its words ("takes
// forever") are no part of the plan.
func TestPlanReadsTheSentenceThatAsks(t *testing.T) {
	for _, tt := range []struct {
		q, first string
		also     []string
	}{
		{"i uninstalled a program but its config files are still lying around. remove vs purge?",
			"What is the difference between remove and purge?", []string{"What is remove?", "What is purge?"}},
		{"My laptop keeps running out of space. What is the difference between apt remove and apt purge?",
			"What is the difference between apt remove and apt purge?", []string{"What is apt remove?", "What is apt purge?"}},
		{"my test suite takes forever. how do i run just one test?", "How do i run just one test?", nil},
		{"all the go modules i downloaded are eating my disk. how do i wipe them?",
			"All the go modules i downloaded are eating my disk. How do i wipe them?", nil},
		{"added myself to the dialout group but i still get permission denied. what am i missing?",
			"Added myself to the dialout group but i still get permission denied. What am i missing?", nil},
		{"git revert on a merge commit fails and tells me to pass -m. What is -m and what number do I give it?",
			"Git revert on a merge commit fails and tells me to pass -m. What is -m?",
			[]string{"Git revert on a merge commit fails and tells me to pass -m. What number do I give -m?"}},
		{"We moved offices! where is the new office and when does it open?",
			"We moved offices! Where is the new office?", []string{"We moved offices! When does the new office open?"}},
		// No sentence before the question, or a question before it: as before.
		{"Is a hard link better than a symlink? what's the difference", "Is a hard link better than a symlink? what's the difference?", nil},
		{"How do I print e.g. a struct with its field names?", "How do I print e.g. a struct with its field names?", nil},
	} {
		got := texts(plan(t, tt.q, 5))
		if got[0] != tt.first {
			t.Errorf("%q: planned %q first, want %q", tt.q, got[0], tt.first)
		}
		for _, w := range tt.also {
			if !slices.Contains(got, w) {
				t.Errorf("%q: planned %q, want %q among them", tt.q, got, w)
			}
		}
	}
	for _, q := range []string{"i uninstalled a program but its config files are still lying around. remove vs purge?",
		"My laptop keeps running out of space. What is the difference between apt remove and apt purge?"} {
		for _, s := range texts(plan(t, q, 5)) {
			if strings.Contains(s, ". ") {
				t.Errorf("%q: planned %q, the setting kept with an asking sentence that stands alone", q, s)
			}
		}
	}
	// "vs" after a preposition or determiner opens a name: no comparison
	// ("What is code?" was planned of a newcomer's question about delve).
	for _, q := range []string{"how do i set breakpoints in vs code using delve?", "is the vs code extension any good?"} {
		if got := texts(plan(t, q, 5)); len(got) != 1 {
			t.Errorf("%q: planned %q, want the question alone", q, got)
		}
	}
	if got := texts(plan(t, "tar vs cpio?", 5)); !slices.Contains(got, "What is the difference between tar and cpio?") {
		t.Errorf("tar vs cpio?: planned %q, want the comparison", got)
	}
	if got := classify("all the go modules i downloaded are eating my disk. How do i wipe them?"); got == procedureAnswer {
		t.Errorf("classify of the whole text = procedure; the analyst reads the asking sentence (settingAndQuestion)")
	}
	if _, asking := settingAndQuestion("all the go modules i downloaded are eating my disk. How do i wipe them?"); classify(asking) != procedureAnswer {
		t.Errorf("classify(%q) = %v, want procedure", asking, classify(asking))
	}
}
