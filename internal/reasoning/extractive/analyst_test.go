package extractive

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/textproc"
)

// Passages written for these tests, in the style of the Go documentation.
var (
	channelsPassage = reasoning.Passage{
		ChunkID: "chunk-chan", SourceID: "src-memmodel", Title: "The Go Memory Model", Location: "/go/doc/go_mem.html",
		Section: "Channel communication", Score: 0.9,
		Text: `## Channel communication

Channel communication is the main method of synchronization between goroutines.
Each send on a particular channel is matched to a corresponding receive from that channel, usually in a different goroutine.
A send on a channel is synchronized before the completion of the corresponding receive from that channel.

    c <- 0; <-done

The closing of a channel is synchronized before a receive that returns a zero value because the channel is closed.
See the next section for details.`,
	}
	mutexPassage = reasoning.Passage{
		ChunkID: "chunk-mutex", SourceID: "src-sync", Title: "Package sync", Location: "/go/src/sync/mutex.go",
		Section: "Mutex", Score: 0.7,
		Text: `A Mutex is a mutual exclusion lock. The zero value for a Mutex is an unlocked mutex.
A Mutex must not be copied after first use.
In the terminology of the Go memory model, the n'th call to Unlock is synchronized before the m'th call to Lock returns for any n < m.
If the lock is already in use, the calling goroutine blocks until the mutex is available.`,
	}
	// The same statement about channels again, as a second copy of the
	// memory model would hold it.
	channelsCopy = reasoning.Passage{
		ChunkID: "chunk-chan-copy", SourceID: "src-memmodel-copy", Title: "The Go Memory Model (copy)", Location: "/mirror/go_mem.html",
		Score: 0.85,
		Text:  `A send on a channel is synchronized before the completion of the corresponding receive from that channel.`,
	}
	gardenPassage = reasoning.Passage{
		ChunkID: "chunk-garden", SourceID: "src-garden", Title: "Tomatoes", Location: "/notes/garden.md", Score: 0.4,
		Text: `Tomatoes need full sun and regular watering during the summer months.
Pinch off the side shoots so that the plant puts its energy into the fruit.
Harvest the fruit when it is firm and fully colored.`,
	}
)

func analyze(t *testing.T, sub string, max int, passages ...reasoning.Passage) reasoning.Analysis {
	t.Helper()
	a, err := New(Config{}).Analyze(context.Background(), reasoning.AnalyzeRequest{
		Question:    "What does the Go memory model guarantee about channel communication?",
		SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: sub},
		Passages:    passages,
		MaxFindings: max,
	})
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	return a
}

func TestAnalyzePicksRelevantSentence(t *testing.T) {
	tests := []struct {
		sub       string
		want      string // the best finding must contain this
		wantChunk string
	}{
		{"How does a send on a channel synchronize with the receive?", "A send on a channel is synchronized before the completion", "chunk-chan"},
		{"What happens when a channel is closed?", "The closing of a channel is synchronized before a receive", "chunk-chan"},
		{"Can a Mutex be copied?", "A Mutex must not be copied after first use.", "chunk-mutex"},
		{"When does Unlock synchronize with Lock?", "call to Unlock is synchronized before", "chunk-mutex"},
	}
	for _, tt := range tests {
		t.Run(tt.sub, func(t *testing.T) {
			a := analyze(t, tt.sub, 3, channelsPassage, mutexPassage, gardenPassage)
			if len(a.Findings) == 0 {
				t.Fatalf("no findings")
			}
			got := a.Findings[0]
			if !strings.Contains(got.Text, tt.want) || got.ChunkID != tt.wantChunk {
				t.Errorf("best finding = %q from %s, want one containing %q from %s", got.Text, got.ChunkID, tt.want, tt.wantChunk)
			}
			if a.Engine != Name || len(a.Conflicts) != 0 {
				t.Errorf("Engine = %q, Conflicts = %v; want %q and none", a.Engine, a.Conflicts, Name)
			}
		})
	}
}

func TestAnalyzeKeepsTextAndProvenance(t *testing.T) {
	passages := []reasoning.Passage{channelsPassage, mutexPassage, gardenPassage}
	given := map[string]reasoning.Passage{}
	for _, p := range passages {
		given[p.ChunkID] = p
	}
	a := analyze(t, "What does the Go memory model guarantee about channel communication?", 5, passages...)
	if len(a.Findings) == 0 {
		t.Fatal("no findings")
	}
	for _, f := range a.Findings {
		p, ok := given[f.ChunkID]
		if !ok {
			t.Fatalf("finding cites chunk %q that was not given", f.ChunkID)
		}
		if f.SourceID != p.SourceID {
			t.Errorf("finding from %s has SourceID %q, want %q", f.ChunkID, f.SourceID, p.SourceID)
		}
		if !strings.Contains(squash(p.Text), f.Text) {
			t.Errorf("finding %q is not a sentence of chunk %s as written", f.Text, f.ChunkID)
		}
		if f.ChunkID == "chunk-garden" {
			t.Errorf("irrelevant passage gave finding %q", f.Text)
		}
		if strings.Contains(f.Text, "<-") || strings.Contains(f.Text, "##") || strings.Contains(f.Text, "next section") {
			t.Errorf("fragment kept: %q", f.Text)
		}
	}
	if len(a.Findings) > 5 {
		t.Errorf("got %d findings, want at most 5", len(a.Findings))
	}
}

func TestAnalyzeMMRDropsNearDuplicate(t *testing.T) {
	a := analyze(t, "How does a send on a channel synchronize with the receive?", 5, channelsPassage, channelsCopy)
	n := 0
	for _, f := range a.Findings {
		if strings.Contains(f.Text, "A send on a channel is synchronized before") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the duplicated sentence appears %d times in %v, want once", n, a.Findings)
	}
}

func TestAnalyzeIrrelevantGivesNothing(t *testing.T) {
	a := analyze(t, "How does channel communication work in the Go memory model?", 5, gardenPassage)
	if len(a.Findings) != 0 {
		t.Errorf("findings from an irrelevant passage: %v", a.Findings)
	}
	a = analyze(t, "How does channel communication work?", 5)
	if len(a.Findings) != 0 {
		t.Errorf("findings without passages: %v", a.Findings)
	}
}

func TestAnalyzeIgnoresPassageWithoutChunkID(t *testing.T) {
	p := channelsPassage
	p.ChunkID = ""
	if a := analyze(t, "What happens when a channel is closed?", 5, p); len(a.Findings) != 0 {
		t.Errorf("findings from a passage without chunk ID: %v", a.Findings)
	}
}

func TestAnalyzeDeterministic(t *testing.T) {
	first := analyze(t, "What does the Go memory model guarantee?", 4, mutexPassage, channelsPassage, channelsCopy, gardenPassage)
	for range 20 {
		again := analyze(t, "What does the Go memory model guarantee?", 4, mutexPassage, channelsPassage, channelsCopy, gardenPassage)
		if len(again.Findings) != len(first.Findings) {
			t.Fatalf("run gave %d findings, first gave %d", len(again.Findings), len(first.Findings))
		}
		for i := range first.Findings {
			if again.Findings[i] != first.Findings[i] {
				t.Fatalf("finding %d = %+v, first run %+v", i, again.Findings[i], first.Findings[i])
			}
		}
	}
}

func TestIsFragment(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"A send on a channel is synchronized before the receive completes.", false},
		{"Channels connect goroutines.", true}, // too short
		{"for i := 0; i < n; i++ { c <- i }", true},
		{"Home Packages Blog Help Play Tour Documentation", true},
		{"Skip to main content of the documentation site here.", true},
		{"Each send on a particular channel matches a corresponding receive.", false},
		// A manual's page links are navigation, not content.
		{"Next: What is a shell?, Up: Introduction [Contents][Index]", true},
		{"Previous: Invoking the shell, Up: Basics [Contents]", true},
		// Steps of a procedure, in the imperative mood, are sentences.
		{"Run the \"make install\" command as the last step.", false},
		{"Under systemd, use journalctl for the boot messages instead.", false},
		{"Copy \"/etc/hosts\" to the new machine before the move.", false},
		{"Then, edit the profile of the login shell with care.", false},
		{"For the lasting change, please edit \"GRUB_TIMEOUT=5\" in the boot config.", false},
		{"Please run the \"make check\" target first.", false},
		// A manual page named with its section is a code name to act on.
		{"When you report a crash, please use coredumpctl(1) first.", false},
		{"To print a page, run lpr(1) with the file name.", false},
		// A preposition before an article opens no step.
		{"Under the old bridge near the town hall.", true},
		{"Among the best of the mirror list for the archive.", true},
		// Nor does a noun after an introductory phrase, or a title.
		{"Under the hood, pointer to the first element of the array.", true},
		{"Introduction the Go memory model for a programmer.", true},
		// A table's cells run together are no sentence.
		{"X U A A --soft (disallowed) --mixed X A A --hard A A A --merge A A A.", true},
		{"Commits A and B are merged into C before D is tagged.", false},
	}
	for _, tt := range tests {
		if got := isFragment(tt.in); got != tt.want {
			t.Errorf("isFragment(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// Issue 18 (a paraphrase that clips a word): "sync" asks about
// "synchronization", "repo" about a "repository". A longer word counts as
// the clipped one only when the rest is no word of its own: "timeout" is
// not "time".
func TestAnalyzeClippedWords(t *testing.T) {
	f := analyzeOne(t, "What keeps the clock in sync on a server?",
		"The panel shows a clock with the hour and the date of the server.",
		"On a server, use the chronyd daemon for the clock synchronization with the network.")
	if len(f) == 0 || !strings.Contains(f[0].Text, "chronyd") {
		t.Errorf("findings %+v, want the synchronization sentence first", f)
	}
	f = analyzeOne(t, "Where does the build keep its repo cache?",
		"The cache of each repository is kept under the build directory.",
		"The build prints a summary of its steps at the end.")
	if len(f) == 0 || !strings.Contains(f[0].Text, "repository") {
		t.Errorf("findings %+v, want the repository sentence", f)
	}
	f = analyzeOne(t, "How is the time of day set on the router?",
		"The timeout of the router's web page is ten minutes.",
		"The router's page lists the connected devices.")
	if len(f) != 0 {
		t.Errorf("findings %+v: a timeout is not the time of day", f)
	}
}

// Issue 18: what a question rules out ("without calling date") need not be
// in the answer, which names what to do instead; when the answer does name
// it ("instead of device names such as …"), it counts as well. The word
// that rules out ("without") is no topic.
func TestAnalyzeExcludedPhrase(t *testing.T) {
	f := analyzeOne(t, "How can a job read the uptime in seconds without calling the uptime command?",
		"The /proc/uptime file holds the seconds since boot as its first number.",
		"Without a job scheduler, nothing runs at boot.")
	if len(f) == 0 || !strings.Contains(f[0].Text, "/proc/uptime") {
		t.Errorf("findings %+v, want the /proc/uptime sentence", f)
	}
	f = analyzeOne(t, "How do I name a printer in the queue config instead of using its address?",
		"Give each printer a name in the queue config rather than its IP address, since the address may change.",
		"The queue shows the jobs waiting for each device.")
	if len(f) == 0 || !strings.Contains(f[0].Text, "rather than") {
		t.Errorf("findings %+v, want the sentence that names the address", f)
	}
	f = analyzeOne(t, "How do I back up the mailbox without stopping the server?",
		"Without stopping, the pump runs until the tank is empty.")
	if len(f) != 0 {
		t.Errorf("findings %+v: shares only the ruled-out words", f)
	}
}

// A definition list's term comes with its definition, and the window ends
// where the next definition starts.
func TestAnalyzeDefinitionKeepsItsTerm(t *testing.T) {
	text := "Shell options\n\nexpand_aliases\n\nIf set, aliases are expanded in scripts as well as in interactive shells.\n\nextdebug\n\nIf set, the debugger profile runs before the shell starts.\n"
	f := analyzeOne(t, "Why are aliases not expanded in my scripts?", text)
	if len(f) == 0 || !strings.HasPrefix(f[0].Text, "expand_aliases\nIf set, aliases") || strings.Contains(f[0].Text, "debugger") {
		t.Errorf("findings %+v, want the expand_aliases definition with its term and without the next one", f)
	}
}

// The phrase of what a question rules out ends with its clause: a
// subordinate clause or a conjunction is the question's topic again; "with
// or without" rules nothing out.
func TestExcludedTerms(t *testing.T) {
	for q, want := range map[string]string{
		"How can a script read the time without calling date?":                     "call dat",
		"How do I stop a goroutine without a context when it blocks on a channel?": "context",
		"Can I build it with or without cgo?":                                      "",
		"Which flags other than -run select tests, and how?":                       "run select test",
	} {
		_, got := excludedTerms(q)
		if keys := strings.Join(sortedKeys(got), " "); keys != want {
			t.Errorf("excludedTerms(%q) = %q, want %q", q, keys, want)
		}
	}
}

// A sub-question the passages do not address gets no findings, even when a
// sentence matches the main question well: that is a gap, not an answer.
func TestAnalyzeDoesNotAnswerAnotherSubQuestion(t *testing.T) {
	req := reasoning.AnalyzeRequest{
		Question:    "How do beekeepers find queen cells?",
		SubQuestion: reasoning.SubQuestion{ID: "sq2", Text: "What is the boiling point of mercury?"},
		Passages: []reasoning.Passage{{ChunkID: "c1", SourceID: "s1", Text: "Beekeepers inspect the brood frames every week during spring to find queen cells. " +
			"A honey bee colony has one queen, thousands of worker bees and a few hundred drones."}},
	}
	got, err := New(Config{}).Analyze(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Findings) != 0 {
		t.Errorf("findings for an unaddressed sub-question: %+v", got.Findings)
	}
}

// Statements in other scripts are evidence like English ones.
func TestAnalyzeOtherScripts(t *testing.T) {
	for _, c := range []struct{ q, answer, other string }{
		{"备份数据保留多少天？", "备份每天凌晨两点半运行，数据保留三十五天。", "员工把车停在车库二层，一层留给访客。"},
		{"データの保存期間は何日ですか？", "データの保存期間は三十五日です。", "社員は駐車場の二階に駐車します。"},
		{"백업 데이터는 며칠 동안 보관됩니까?", "백업 데이터는 35일 동안 보관됩니다.", "직원은 주차장 2층에 주차합니다."},
		{"كم يوما يتم الاحتفاظ بالنسخ الاحتياطية؟", "يتم الاحتفاظ بالنسخ الاحتياطية لمدة 35 يوما.", "يركن الموظفون سياراتهم في الطابق الثاني."},
		// A short sentence whose digits outnumber its letters is prose,
		// not code.
		{"预算是多少？", "预算是 5,000 EUR。", "下周三下午三点在 Kelp 会议室开会。"},
		{"保留期限是多少？", "保留期限是 2027-03-31。", "员工把车停在车库二层。"},
		{"予算はいくらですか？", "予算は 12,000 円。", "会議は水曜日の午後三時です。"},
	} {
		a, err := New(Config{}).Analyze(context.Background(), reasoning.AnalyzeRequest{
			Question: c.q, SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: c.q},
			Passages: []reasoning.Passage{
				{ChunkID: "a", SourceID: "a", Text: c.answer},
				{ChunkID: "b", SourceID: "b", Text: c.other},
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Findings) != 1 || a.Findings[0].ChunkID != "a" {
			t.Errorf("%s: findings %+v, want the answer only", c.q, a.Findings)
		}
	}
}

func analyzeOne(t *testing.T, q string, texts ...string) []reasoning.Finding {
	t.Helper()
	var ps []reasoning.Passage
	for i, text := range texts {
		id := string(rune('a' + i))
		ps = append(ps, reasoning.Passage{ChunkID: id, SourceID: id, Title: "Notes", Text: text})
	}
	a, err := New(Config{}).Analyze(context.Background(), reasoning.AnalyzeRequest{
		Question: q, SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: q}, Passages: ps,
	})
	if err != nil {
		t.Fatal(err)
	}
	return a.Findings
}

// A sentence sharing one word with the question is not evidence: below the
// floor the sub-question is a gap.
func TestAnalyzeNeedsMoreThanOneTerm(t *testing.T) {
	f := analyzeOne(t, "When does a visitor badge expire?",
		"Staff park on level 2 of the garage; level 1 is for visitors.",
		"Backups run every night at 02:30 and are kept for 35 days.")
	if len(f) != 0 {
		t.Errorf("findings %+v, want none", f)
	}
	// A name no passage mentions: not answered, whatever else matches.
	f = analyzeOne(t, "How long does Kubernetes keep audit logs?", "Audit logs are kept for one year by the log service.")
	if len(f) != 0 {
		t.Errorf("findings %+v for a question about Kubernetes, want none", f)
	}
}

// A code name counts once toward the floor, however the tokenizer splits
// it: "pool.Entry" gives the terms pool.entry, pool and entry, which name
// one thing, so a sentence that only names it is no evidence.
func TestAnalyzeCodeNameIsOneConcept(t *testing.T) {
	tests := []struct {
		name, q string
		texts   []string
		want    string // a word of the finding; "" wants none
	}{
		{"name alone is not evidence", "How is a clock.Reading stripped?",
			[]string{"Types that implement the Sizer interface include clock.Reading and net.Addr.",
				"Trailing spaces are stripped from each line."}, ""},
		{"its parts in prose are not two concepts", "How is a cache.Entry evicted?",
			[]string{"Types that implement the Sizer interface include cache.Entry and net.Addr.",
				"Old lines are evicted from the log by the formatter.",
				"The cache keeps entries in a map."}, ""},
		{"name and the asked verb", "How is a cache.Entry evicted?",
			[]string{"Types that implement the Sizer interface include cache.Entry and net.Addr.",
				"A cache.Entry is evicted when its deadline passes or the cache is full."}, "deadline"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := analyzeOne(t, tt.q, tt.texts...)
			if tt.want == "" {
				if len(f) != 0 {
					t.Errorf("findings %+v, want none", f)
				}
				return
			}
			if len(f) == 0 || !strings.Contains(f[0].Text, tt.want) {
				t.Errorf("findings %+v, want one saying %q", f, tt.want)
			}
			for _, x := range f {
				if strings.Contains(x.Text, "Sizer") {
					t.Errorf("finding %q only names the type", x.Text)
				}
			}
		})
	}
}

// Navigation furniture is never quoted; a sentence that leans on the one
// before it is quoted with it.
func TestAnalyzeFurnitureAndContext(t *testing.T) {
	f := analyzeOne(t, "How long are backup archives retained?",
		"Prev Up Chapter 49. Backup and Restore Home Next\n\nBackup archives are written every night. "+
			"They are retained for 35 days, after which the archives are deleted.")
	if len(f) == 0 {
		t.Fatal("no findings")
	}
	for _, x := range f {
		if strings.Contains(x.Text, "Prev Up") {
			t.Errorf("navigation quoted: %q", x.Text)
		}
	}
	if !strings.Contains(f[0].Text, "Backup archives are written every night. They are retained for 35 days") {
		t.Errorf("the 'They …' sentence lost its antecedent: %q", f[0].Text)
	}
}

// "How many …?" is answered by a sentence stating a number; one that shares
// the topic without a number is no answer.
func TestAnalyzeQuantityNeedsANumber(t *testing.T) {
	p := reasoning.Passage{ChunkID: "c1", SourceID: "s1", Title: "Repacking", Text: "If you expect many pulls from your public repository you might want to repack the repository commits often. " +
		"Repacking a repository with commits creates a new pack that contains the objects created since the last pack."}
	req := reasoning.AnalyzeRequest{Question: "How many commits does the repository pack contain?",
		SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: "How many commits does the repository pack contain?"}, Passages: []reasoning.Passage{p}}
	got, err := New(Config{}).Analyze(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Findings) != 0 {
		t.Errorf("findings without a number for a 'how many' question: %+v", got.Findings)
	}
	p.Text += " The repository pack contains 1200 commits after the first repack."
	req.Passages = []reasoning.Passage{p}
	got, _ = New(Config{}).Analyze(context.Background(), req)
	if len(got.Findings) == 0 || !strings.Contains(got.Findings[0].Text, "1200") {
		t.Errorf("findings = %+v, want the sentence stating 1200 commits", got.Findings)
	}
	// The number counts the noun asked about: "2 rules" counts no people.
	if f := analyzeOne(t, "How many people review a patch?", "Some people wonder whether the following 2 rules of review conflict."); len(f) != 0 {
		t.Errorf("findings %+v: 2 rules counted as people", f)
	}
	if f := analyzeOne(t, "How many people review a patch?", "At least 2 people review each patch before it is merged."); len(f) == 0 {
		t.Error("no findings: 2 people review each patch")
	}
	for q, want := range map[string]bool{"How many commits?": true, "how much memory does it use": true,
		"How does many-to-one work?": false, "What is the limit?": false} {
		if asksQuantity(q) != want {
			t.Errorf("asksQuantity(%q) = %v, want %v", q, !want, want)
		}
	}
	for s, want := range map[string]bool{"It keeps 35 days.": true, "It keeps three copies.": true,
		"Once you continue, run it again.": false, "Many pulls happen.": false, "保留３５天": true,
		// A number that names something states no amount: a manual
		// section, a name with digits, a version or section number.
		"Mount it with mount(8) on the new partition.":            false,
		"The i386 and amd64 ports use ext4 by default.":           false,
		"Since Debian 12 Bookworm, the firmware is on the media.": false,
		"This is Edition 5.2 of the manual, see version 5.2.":     false,
		"See Section 6.2.2 for the details.":                      false,
		"2.7.6 Upgrading the kernel":                              false,
		"Set HISTSIZE=500 to keep more.":                          true,
		"Debian keeps 12 suites on the mirror.":                   true,
		"Files above 2GiB are refused.":                           true,
		// "one" standing for a thing counts nothing.
		"Move the code from one directory to another.":      false,
		"Pick the one that builds fastest.":                 false,
		"One of the mirrors is slow today.":                 false,
		"Only one process may hold the lock.":               true,
		"When more than one mirror is set, the first wins.": false,
		"Files of more than 1000 lines are split.":          true} {
		if statesQuantity(s) != want {
			t.Errorf("statesQuantity(%q) = %v, want %v", s, !want, want)
		}
	}
}

// What a possessive names must be in a passage: "Git's official mascot" is
// not answered by sentences about Git's names.
func TestAnalyzePossessiveNamesWhatIsAsked(t *testing.T) {
	p := reasoning.Passage{ChunkID: "c1", SourceID: "s1", Title: "git-submodule", Text: "The path is also used as the submodule's logical name in Git's official configuration entries. " +
		"Git names a low-level merge driver by its official name."}
	req := reasoning.AnalyzeRequest{Question: "What is the name of Git's official mascot?",
		SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: "What is the name of Git's official mascot?"}, Passages: []reasoning.Passage{p}}
	got, err := New(Config{}).Analyze(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Findings) != 0 {
		t.Errorf("findings for a mascot no passage names: %+v", got.Findings)
	}
	if n := nameTerms("Is a goroutine's exit synchronized with anything?"); !n["exit"] || !n[textproc.Stem("synchronized")] || n[textproc.Stem("anything")] {
		t.Errorf("nameTerms = %v, want the two words after the possessive", n)
	}
}

// A source whose best sentence is far weaker than the best source's gives
// no finding, though one of its sentences alone would pass the floors.
func TestAnalyzeDropsWeakSource(t *testing.T) {
	// Alone, its sentence is a finding; next to the memory model it scores
	// about 0.63 of the best sentence: above relativeFloor, below sourceFloor.
	weak := reasoning.Passage{ChunkID: "chunk-notes", SourceID: "src-notes", Title: "Go memory model notes", Section: "Channels",
		Score: 0.5, Text: "The memory model says a channel send is synchronized with a receive."}
	if got := analyze(t, "What does the Go memory model guarantee about channel communication?", 5, weak); len(got.Findings) != 1 {
		t.Fatalf("alone, the notes give %d findings, want 1", len(got.Findings))
	}
	got := analyze(t, "What does the Go memory model guarantee about channel communication?", 5, channelsPassage, weak)
	for _, f := range got.Findings {
		if f.SourceID == weak.SourceID {
			t.Errorf("finding from the weaker source: %q", f.Text)
		}
	}
	if len(got.Findings) == 0 {
		t.Fatal("no findings from the channels passage")
	}
}

// The digits of a command or of inline code are not a stated quantity:
// "How many commits …?" is not answered by "… run: $ git log -3", nor by
// "`git log -n 20`".
func TestAnalyzeQuantityNotInCode(t *testing.T) {
	p := reasoning.Passage{ChunkID: "c1", SourceID: "s1", Title: "Repacking", Text: "Repacking a repository with commits creates a new pack that contains the objects created since the last pack.\n" +
		"To list the newest commits of the repository pack, run:\n$ git log -3 --oneline\n"}
	req := reasoning.AnalyzeRequest{Question: "How many commits does the repository pack contain?",
		SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: "How many commits does the repository pack contain?"}, Passages: []reasoning.Passage{p}}
	got, err := New(Config{}).Analyze(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Findings) != 0 {
		t.Errorf("a command's digits answered a 'how many' question: %+v", got.Findings)
	}
	for s, want := range map[string]bool{
		"To list the newest commits, run:\n$ git log -3": false,
		"Use `git log -n 20` to see the newest commits.": false,
		"The pack keeps 20 commits; see `git log`.":      true,
		"It keeps three copies:\n$ cp a b":               true,
	} {
		if statesQuantity(s) != want {
			t.Errorf("statesQuantity(%q) = %v, want %v", s, !want, want)
		}
	}
}

// A finding's support is the share of its sub-question's topic it speaks
// of, whatever else competed: "Backups are kept for 35 days." speaks of all
// of "How long are backups kept?" alone or among other notes; a sentence
// naming only part of the topic has less.
func TestAnalyzeSupportDoesNotDependOnCompetition(t *testing.T) {
	backup := reasoning.Passage{ChunkID: "c1", SourceID: "s1", Title: "Backup policy", Text: "Backups are kept for 35 days."}
	other := reasoning.Passage{ChunkID: "c2", SourceID: "s2", Title: "Backup note", Text: "Backups are written to the second disk every night at two o'clock."}
	q := "How long are backups kept?"
	for _, ps := range [][]reasoning.Passage{{backup}, {backup, other, gardenPassage, mutexPassage}} {
		got, err := New(Config{}).Analyze(context.Background(), reasoning.AnalyzeRequest{Question: q,
			SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: q}, Passages: ps})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Findings) == 0 || got.Findings[0].Support != 1 {
			t.Errorf("%d passages: findings %+v, want the 35-day sentence with support 1", len(ps), got.Findings)
		}
	}
	got, _ := New(Config{}).Analyze(context.Background(), reasoning.AnalyzeRequest{Question: "How long are nightly disk backups kept?",
		SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: "How long are nightly disk backups kept?"}, Passages: []reasoning.Passage{backup}})
	if len(got.Findings) == 0 {
		t.Fatal("no finding for the partly covered question")
	}
	for _, f := range got.Findings {
		if f.Support >= 1 || f.Support <= 0 {
			t.Errorf("support %v for a finding naming part of the topic: %q", f.Support, f.Text)
		}
	}
}

// Questions the passages do not answer end without findings: a thing no
// passage names, a number none states, a person none names.
func TestAnalyzeUnanswerableVariants(t *testing.T) {
	for _, q := range []string{
		"How long does Kubernetes keep audit logs by default?",
		"How many milliseconds does a channel send take?",
		"Who designed the Go memory model?",
	} {
		got, err := New(Config{}).Analyze(context.Background(), reasoning.AnalyzeRequest{Question: q,
			SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: q}, Passages: []reasoning.Passage{channelsPassage, mutexPassage}})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Findings) != 0 {
			t.Errorf("%q answered by %+v", q, got.Findings)
		}
	}
}

// A sentence must speak of one of the question's rarest terms; a code name
// among them ("archive.Reader") is spoken of by its last part too
// ("Readers are …") where its qualifier is named (the package's page), as
// a question naming it is answered by passages that name only that part.
// Issue 18: the answer was in the passages and the report quoted a loose
// association instead. Another page using the last part as a word ("Command
// go", the go command's page, for exec.Command) does not speak of it.
func TestAnalyzeCodeNameMentionedByItsLastPart(t *testing.T) {
	ps := []reasoning.Passage{
		{ChunkID: "c1", SourceID: "s1", Title: "Package archive", Text: "This package reads and writes tape formats.\n" +
			"Readers are safe for concurrent use by several goroutines and should be created once and shared.\n" +
			"The format dates from the early days of tape drives.\n"},
		{ChunkID: "c2", SourceID: "s2", Title: "Package rpc", Text: "A call returns an error that the client sees as if created by a new error value.\n"},
		{ChunkID: "c3", SourceID: "s3", Title: "Archive layout", Text: "An archive holds its entries one after another.\n" +
			"Each archive ends with two empty blocks of zeros.\n" +
			"An archive written by an old tool may lack the checksum of an entry.\n"},
	}
	fs := analyzeQ(t, "Should I create a new archive.Reader for each file?", ps...)
	if len(fs) == 0 || !strings.Contains(fs[0].Text, "created once and shared") {
		t.Errorf("findings %v: want the sentence on creating Readers once first", fs)
	}

	ps = []reasoning.Passage{
		{ChunkID: "p1", SourceID: "pkg", Title: "Package spawn", Section: "Overview", Text: "Package spawn runs external programs.\n" +
			"Unlike a shell, spawn does not expand wildcard patterns in the arguments it passes to a program.\n"},
		{ChunkID: "p2", SourceID: "tool", Title: "Command build", Section: "Patterns", Text: "A package path is a pattern if it holds wildcard elements that match any string.\n" +
			"A wildcard never matches a vendor element of a path.\n"},
		{ChunkID: "p3", SourceID: "shell", Title: "Shell expansion", Text: "The shell may expand a wildcard in the arguments of a command before the command starts.\n" +
			"Rules to expand wildcard arguments of a command differ from one shell to another.\n" +
			"Quoting an argument of a command keeps a wildcard in it from being expanded.\n"},
	}
	fs = analyzeQ(t, "Why doesn't spawn.Command expand the wildcard in my arguments?", ps...)
	if len(fs) == 0 || fs[0].SourceID != "pkg" {
		t.Errorf("findings %+v: want the spawn package's sentence first", fs)
	}
	// A qualifier of stop words names nothing to look for: "this.props"
	// is spoken of by "props" alone.
	if !qualified(&candidate{terms: map[string]int{"props": 1}}, "this.props", nil) {
		t.Error("this.props: a qualifier of stop words must not hide the last part")
	}
	for _, f := range fs {
		if f.SourceID == "tool" {
			t.Errorf("finding %q: the page titled \"Command build\" answered for spawn.Command", f.Text)
		}
	}
}

// Questions that ask for a kind of answer the passages do not hold are
// gaps, however many words the passages share with them: a year asked for
// (with a preposition before "which"), a size (not a share). The same
// passages answer the questions they do hold an answer to.
func TestAnalyzeTypedUnanswerable(t *testing.T) {
	notes := []string{
		"The rebase command replays commits on top of another base. If the option is set, the command stops after each commit.",
		"Each entry of the history file keeps a command; if the value is 0, the history file is truncated to zero size.",
		"Packages download at up to 40 MB/s from a local mirror.",
		"For example, -M90% means a pair is a rename if more than 90% of the file has not changed.",
		"The download command fetches packages; the default priority is 100 for every package.",
		"The history file may hold at most 2 MB before it is rotated.",
		"The directory stack is a list of recently visited directories; the dirs builtin lists them.",
	}
	for q, want := range map[string]bool{
		"In which year did the rebase command first appear?":          false,
		"How much disk space does the history file use after a year?": true, // 2 MB
		"What is the largest file size that a rename may have?":       false,
		"How fast does the download command fetch packages?":          true, // 40 MB/s
		"How much of the file may change in a rename?":                true, // 90%
	} {
		f := analyzeOne(t, q, notes...)
		if (len(f) > 0) != want {
			t.Errorf("%q: findings %+v, want some: %v", q, f, want)
		}
	}
}

// A sentence of the same passage half as relevant as the best one is still
// a finding (relativeFloor): "Channel communication is the main method of
// synchronization …" scores about 0.5 of the send/receive rule for a
// question about sends, and says what the rule is part of.
func TestAnalyzeKeepsHalfAsRelevantSentence(t *testing.T) {
	got := analyze(t, "How is a send on a channel synchronized with the receive?", 8, channelsPassage)
	if len(got.Findings) == 0 {
		t.Fatal("no findings")
	}
	best := got.Findings[0].Score
	var found bool
	for _, f := range got.Findings {
		if strings.HasPrefix(f.Text, "Channel communication is the main method") {
			found = true
			if r := f.Score / best; r >= 0.6 || r < relativeFloor {
				t.Errorf("its relevance is %.2f of the best, want in [%.1f, 0.6): the test no longer checks the floor", r, relativeFloor)
			}
		}
	}
	if !found {
		t.Errorf("the sentence about channel communication as a whole is missing: %+v", got.Findings)
	}
}

// A sentence that speaks of most of the question's topic is evidence even
// when it lacks the two words rarest among the candidates: those can be
// the asker's phrasing ("carry", "whole") that a few unrelated sentences
// happen to use, while the answer says "copies" and "archive".
func TestSentenceCoveringMostOfTheTopicIsEvidence(t *testing.T) {
	migrate := reasoning.Passage{
		ChunkID: "chunk-migrate", SourceID: "src-migrate", Title: "Archiver manual", Location: "/doc/archiver/migrate.md", Score: 0.9,
		Text: "## Servers\n\n" +
			"The migrate command copies an archive and its snapshots to another server.\n" +
			"The archive server listens on port 7400 unless told otherwise.\n" +
			"Each server command prints the archive it works on.\n",
	}
	other := reasoning.Passage{
		ChunkID: "chunk-other", SourceID: "src-other", Title: "Archiver tips", Location: "/doc/archiver/tips.md", Score: 0.8,
		Text: "## Tips\n\n" +
			"Students carry their laptops between the library and the lab.\n" +
			"The whole team reads the release notes of every version.\n" +
			"The release notes list each new version of the tool.\n",
	}
	fs := analyzeQ(t, "Which command should I use to carry the whole archive over to a new server?", migrate, other)
	found := false
	for _, f := range fs {
		found = found || strings.Contains(f.Text, "The migrate command copies an archive")
		if strings.Contains(f.Text, "laptops") {
			t.Errorf("a sentence sharing only the asker's phrasing is a finding: %q", f.Text)
		}
	}
	if !found {
		t.Errorf("findings %v, want the migrate sentence", fs)
	}
}

// A measure of the asked kind in the short sentence right after the one
// that names the topic answers with it ("The size of files considered big
// …" then "The default is 512 MiB."); a number of another kind there, or
// no short sentence, does not.
func TestQuantityInTheSentenceAfterTheTopic(t *testing.T) {
	q := "How much memory may the indexer use for its page cache?"
	f := analyzeOne(t, q, "The page cache limit bounds the memory the indexer keeps for recently read pages. The default is 64 MiB.")
	if len(f) == 0 || !strings.Contains(f[0].Text, "64 MiB") {
		t.Errorf("findings %+v, want the topic sentence with the default after it", f)
	}
	// One sentence may come between, and the default may be a setting's
	// value written bare ("GOGC=100"): a percentage need not carry its sign.
	q2 := "By default, what percentage of its quota does the spooler fill before it flushes?"
	f = analyzeOne(t, q2, "The SPOOLFILL variable sets the share of the quota the spooler fills before a flush. "+
		"A flush writes every queued record to the disk in one pass. The default is SPOOLFILL=75.")
	if len(f) == 0 || !strings.Contains(f[0].Text, "SPOOLFILL=75") {
		t.Errorf("findings %+v, want the topic sentence with the default two sentences on", f)
	}
	for _, next := range []string{
		"It was added in 2019.",
		"Pages are read from the disk when the indexer starts and again whenever a file changes, which on a busy machine can take 64 MiB of reads.",
	} {
		if f := analyzeOne(t, q, "The page cache limit bounds the memory the indexer keeps for recently read pages. "+next); len(f) != 0 {
			t.Errorf("after %q: findings %+v, want none", next, f)
		}
		if f := analyzeOne(t, q, "The page cache limit bounds the memory the indexer keeps for recently read pages. Reads are counted per file. "+next); len(f) != 0 {
			t.Errorf("after %q: findings %+v, want none", next, f)
		}
	}
}

// Every paragraph of a definition list entry is about its term: "Default
// is 96 MiB." in the second paragraph of core.deltaBaseCacheLimit answers
// how much memory that setting allows. It is not shown under the term: an
// entry's end is not always written, and a wrong label would make a false
// statement.
func TestDefinitionParagraphsKnowTheirTerm(t *testing.T) {
	text := "core.packedLimit\n\nMaximum number of bytes of packed objects to map at once.\n\ncore.cacheLimit\n\n" +
		"Maximum number of bytes per thread to reserve for caching base objects.\n\n" +
		"Default is 96 MiB on all platforms. This should be reasonable for most users.\n\n" +
		"core.bigFileThreshold\n\nFiles larger than this size are stored deflated."
	f := analyzeOne(t, "How much memory does core.cacheLimit allow by default?", text)
	if len(f) == 0 || !strings.HasPrefix(f[0].Text, "Default is 96 MiB") {
		t.Fatalf("findings %+v, want the default, unlabelled", f)
	}
	// The entry ends at the next term: its paragraphs are not about the
	// one before.
	if f := analyzeOne(t, "How much memory does core.packedLimit allow by default?", text); len(f) != 0 {
		t.Errorf("findings %+v: core.cacheLimit's default answered core.packedLimit", f)
	}
	// A later paragraph of an entry speaks of what its first sentence
	// defines: the question's words may be there only ("reserve",
	// "compressed objects"), not in the paragraph with the value.
	text = "store.spoolLimit\n\nThe most memory the store reserves to hold compressed objects while it writes them.\n\n" +
		"Default is 64 MiB on small boards and 2 GiB elsewhere. This suits most setups.\n\n" +
		"store.spoolDir\n\nThe directory of the spool. Default is the cache directory."
	f = analyzeOne(t, "How much memory is reserved for compressed objects by default?", text)
	if len(f) == 0 || !strings.Contains(f[0].Text, "2 GiB elsewhere") {
		t.Fatalf("findings %+v, want the entry's default", f)
	}
	// A setting is an entry of what the question names by the setting's
	// parts: "store.spoolSize" belongs to "store-pack".
	text = "store.spoolSize\n\nThe limit store-pack puts on its spool.\n\n" +
		"Spooled objects are kept in memory until they are written. Defaults to 64 MiB.\n\n" +
		"fetch.depth\n\nHow many commits a fetch reads."
	f = analyzeOne(t, "How much memory does store-pack spool at most by default?", text)
	if len(f) == 0 || !strings.Contains(f[0].Text, "64 MiB") {
		t.Fatalf("findings %+v, want the store.spoolSize default", f)
	}
	// Code names in capitals, hyphenated in lower case or written as
	// options name entries too: another entry's default is no answer.
	text = "LOGFILE\n\nThe name of the file the daemon logs to.\n\nThe default value is ~/.daemon_log.\n\n" +
		"wait-limit\n\nHow long the daemon waits for a slow client.\n\nThe default value is 300.\n\n" +
		"LOGSIZE\n\nThe number of lines the daemon keeps in its log.\n\nThe default value is 500."
	f = analyzeOne(t, "What is the default value of LOGSIZE?", text)
	if len(f) == 0 {
		t.Fatal("no findings for LOGSIZE")
	}
	for _, x := range f {
		if strings.Contains(x.Text, "daemon_log") || strings.Contains(x.Text, "300") {
			t.Errorf("finding %q: another entry's default answered LOGSIZE", x.Text)
		}
	}
}

// A hyphenated word of the question is a code name only where the
// passages write it: "brand-new" and "long-running" are the asker's
// English, and the entries of a list of options still answer ("How do I
// stash brand-new files …?" lost git-stash's "--include-untracked" entry,
// which names no "brand-new").
func TestHyphenatedEnglishIsNoCodeName(t *testing.T) {
	text := "-k, --keep-index\n\nAll changes already added to the index are left intact.\n\n" +
		"-u, --include-untracked\n\nAll untracked files are also stashed and then cleaned up.\n\n" +
		"-q, --quiet\n\nQuiet, suppress feedback messages."
	for _, q := range []string{
		"How do I stash brand-new untracked files along with my changes?",
		"Can long-running stash commands include untracked files too?",
	} {
		f := analyzeOne(t, q, text)
		if len(f) == 0 || !strings.Contains(f[0].Text, "untracked files are also stashed") {
			t.Errorf("%q: findings %+v, want the --include-untracked entry", q, f)
		}
	}
	// A hyphenated name the passages write still picks its entry.
	text = "keep-index\n\nThe index is kept as it was.\n\ninclude-untracked\n\nUntracked files are stashed too."
	f := analyzeOne(t, "What does include-untracked do with untracked files?", text)
	if len(f) == 0 || !strings.Contains(f[0].Text, "Untracked files are stashed too") {
		t.Errorf("findings %+v, want the include-untracked entry", f)
	}
	for _, x := range f {
		if strings.Contains(x.Text, "kept as it was") {
			t.Errorf("finding %q: another entry answered include-untracked", x.Text)
		}
	}
}

// Issue 18 (answers in lists): a list item or table row without a verb
// answers a typed question when it states the asked type and the topic,
// and is quoted alone, not run on into the next item. A tail of a
// sentence cut by markup is no item.
func TestAnalyzeTypedListItem(t *testing.T) {
	text := "Each field of a ledger line means the following.\n\n" +
		"Account holder name\n\n" +
		"Date of the last deposit, counted in days since March 3, 1998\n\n" +
		"Number of days the holder must wait before the next withdrawal is allowed\n\n" +
		"Maximum overdraft in euros"
	f := analyzeOne(t, "From which date does the ledger count the days of the last deposit?", text)
	if len(f) == 0 || f[0].Text != "Date of the last deposit, counted in days since March 3, 1998" {
		t.Fatalf("findings %+v, want the deposit item alone", f)
	}
	// Not a typed question: a verbless item is not quoted.
	if f := analyzeOne(t, "What does the ledger say about the last deposit?", text); len(f) != 0 && strings.HasPrefix(f[0].Text, "Date of the last deposit") {
		t.Errorf("findings %+v: a verbless item quoted for an untyped question", f)
	}
	// A line of a table of contents ends with its section number.
	if typedItem("List of ledger sizes reported 9.18", quantityAnswer, nil, nil) {
		t.Error("a table of contents line taken for a list item")
	}
	for _, toc := range []string{"Connecting to the ledger without passwords 6.3.4.", "Keeping remote ledgers in sync 6.3.4. Reading old ledgers 6.3.5."} {
		if !notProse(toc, textproc.Words(toc)) {
			t.Errorf("%q: a table of contents line taken for a sentence", toc)
		}
	}
	for _, index := range []string{"do: Looping Constructs done: Looping Constructs", "dirs: Directory Stack Builtins disown: Job Control Builtins"} {
		if !notProse(index, textproc.Words(index)) {
			t.Errorf("%q: a book's index taken for a sentence", index)
		}
	}
	if s := "Two modes exist: Interactive mode is the default. Batch mode: Only for scripts."; notProse(s, textproc.Words(s)) {
		t.Errorf("%q: a sentence with colons taken for an index", s)
	}
	if s := "The ledger format changed in release 1.18."; notProse(s, textproc.Words(s)) {
		t.Errorf("%q: a version at the end of a sentence taken for a section number", s)
	}
	if !typedItem("Size of the ledger on disk, about 40 MB", quantityAnswer, nil, []string{"size"}) {
		t.Error("a list item stating a size not taken for one")
	}
	if f := analyzeOne(t, "How long are ledger entries kept in stages?",
		"the ledger keeps and restores all of it, as long as it has entries in stages 1/2/3 of the audit"); len(f) != 0 {
		t.Errorf("findings %+v: a cut tail is no list item", f)
	}
}

// Issue 18: a question for a command (tool, option, file) is answered by
// the sentence that names it as code, which joins the window of the
// sentence about the topic though it shares no word with the question;
// naming code ranks no sentence higher, code being everywhere in a manual.
func TestAnalyzeNamedCommandJoinsItsTopic(t *testing.T) {
	text := "The console tool is not recommended for the version-to-version cluster upgrade after a new version. " +
		"The use of \"clusterctl migrate\" is recommended for it. " +
		"The web console shows a small owl in its corner."
	f := analyzeOne(t, "Which command should I use to move the whole cluster to a new version?", text)
	if len(f) == 0 || !strings.Contains(f[0].Text, `"clusterctl migrate"`) {
		t.Fatalf("findings %+v, want the upgrade sentence with the command after it", f)
	}
	for s, want := range map[string]bool{`The use of "clusterctl migrate" is recommended.`: true, "Set CLUSTER_HOME first.": true,
		`Read the "Release Notes" first.`: false, "Upgrade the cluster with care.": false} {
		if statesCode(s) != want {
			t.Errorf("statesCode(%q) = %v, want %v", s, !want, want)
		}
	}
}

// Issue 18 (retrieve wide): beyond the first corePassages passages, a
// sentence is evidence only when it covers most of the topic; the same
// sentence among the first passages is read by the usual rules.
func TestAnalyzeWidePassagesNeedMostOfTheTopic(t *testing.T) {
	var notes []string
	for i := 0; i < corePassages; i++ {
		notes = append(notes, "The garden shed has a green door and a small window.")
	}
	q := "How fast does the download command fetch packages?"
	loose := "Packages download at up to 40 MB/s from a local mirror." // download, packages: half the topic
	if f := analyzeOne(t, q, append(notes, loose)...); len(f) != 0 {
		t.Errorf("findings %+v from a wide passage covering half the topic", f)
	}
	if f := analyzeOne(t, q, append([]string{loose}, notes...)...); len(f) == 0 {
		t.Error("no findings from the same sentence among the first passages")
	}
	full := "The download command fetches packages at up to 40 MB/s from a local mirror."
	if f := analyzeOne(t, q, append(notes, full)...); len(f) == 0 {
		t.Error("no findings from a wide passage covering the topic")
	}
}

// Issue 18 (evidence beyond the core passages): a passage beyond the first
// corePassages of a document that one of the coreSources best passages is
// from is read by the usual rules, as that document is about the question;
// it adds to an answer the core passages give and gives none by itself,
// and a passage of another document still needs most of the topic.
func TestAnalyzeWidePassageOfACoreDocument(t *testing.T) {
	q := "How fast does the download command fetch packages?"
	answer := "Packages download at up to 40 MB/s from the main mirror."
	loose := "Packages download at up to 90 MB/s from a local mirror." // download, packages: half the topic
	passages := func(first, wide string, wideSource string) []reasoning.Passage {
		ps := []reasoning.Passage{{ChunkID: "c0", SourceID: "manual", Title: "Manual", Text: first}}
		for i := 1; i < corePassages; i++ {
			id := fmt.Sprintf("n%d", i)
			ps = append(ps, reasoning.Passage{ChunkID: id, SourceID: id, Title: "Notes", Text: "The garden shed has a green door and a small window."})
		}
		return append(ps, reasoning.Passage{ChunkID: "cw", SourceID: wideSource, Title: "Manual", Text: wide})
	}
	analyzeAll := func(ps []reasoning.Passage) []reasoning.Finding {
		a, err := New(Config{}).Analyze(context.Background(), reasoning.AnalyzeRequest{
			Question: q, SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: q}, Passages: ps,
		})
		if err != nil {
			t.Fatal(err)
		}
		return a.Findings
	}
	cites := func(fs []reasoning.Finding, chunk string) bool {
		for _, f := range fs {
			if f.ChunkID == chunk {
				return true
			}
		}
		return false
	}
	if f := analyzeAll(passages(answer, loose, "manual")); !cites(f, "c0") || !cites(f, "cw") {
		t.Errorf("findings %+v, want the core answer and the same manual's wide passage", f)
	}
	if f := analyzeAll(passages(answer, loose, "other")); !cites(f, "c0") || cites(f, "cw") {
		t.Errorf("findings %+v, want the core answer only: the wide passage is another document's", f)
	}
	if f := analyzeAll(passages("The manual has three chapters.", loose, "manual")); len(f) != 0 {
		t.Errorf("findings %+v: a wide passage gave an answer the core passages do not give", f)
	}
}

// Issue 18 (paraphrase): a superlative that asks for a limit is the
// maximum or minimum a manual states ("largest" → "The maximum depth is
// 4095."), weighing as little as an asking word: a sentence need not say
// "maximum" to answer "the largest history size … by default".
func TestAnalyzeSuperlativeAsksForTheBound(t *testing.T) {
	f := analyzeOne(t, "What is the largest scan chain depth the indexer allows?",
		"The default scan width of the indexer is 10 and its scan depth is 50. The maximum depth is 4095.",
		"The indexer logs each scan to a file.")
	if len(f) == 0 || !strings.Contains(f[0].Text, "4095") {
		t.Fatalf("findings %+v, want the maximum depth", f)
	}
	if got := queryTerms("the smallest block and the largest chain"); !slices.Contains(got, bounds["largest"]) || !slices.Contains(got, bounds["smallest"]) || slices.Contains(got, textproc.Stem("largest")) {
		t.Errorf("queryTerms = %v, want the bounds for the superlatives", got)
	}
}

// A date says which month or year it is: "in March or April 2021" answers
// "In which month …" without the word "month", beside the topic's name
// ("the mirror"); a date beside another topic does not.
func TestDateSaysItsPart(t *testing.T) {
	q := "In which month was the new mirror expected to go live?"
	f := analyzeOne(t, q, "The new mirror took two years to build. The mirror should be live for everyone in release 2.4 in March or April 2021, once its keys are signed.",
		"Old mirrors sync with the main archive once a month, as expected of a mirror, and a new mirror every day. A live mirror is listed. Live mirrors are checked for new keys.")
	if len(f) == 0 || !strings.Contains(f[0].Text, "March or April 2021") {
		t.Errorf("findings %+v, want the sentence with the months", f)
	}
	if f := analyzeOne(t, q, "The old archive moved to new disks in March 2019. Its keys are signed every year.",
		"A new mirror needs new keys. New mirrors are listed once a month, when the keys of the mirror are signed."); len(f) != 0 {
		t.Errorf("findings %+v, want none: no date of the mirror", f)
	}
}

// A sentence that sends the reader to an entry ("…, see --follow.") makes
// that entry's sentence as relevant as itself: the entry is quoted from
// its own page, not only the reference from another.
func TestReferenceRaisesItsEntry(t *testing.T) {
	q := "How can I see the history of a file across renames?"
	diff := reasoning.Passage{ChunkID: "d1", SourceID: "diff-options", Title: "diff options", Text: "-M\n\nIf generating diffs, detect and report renames for each commit. " +
		"For following files across renames while traversing history, see --follow.\n\n-C\n\nDetect copies as well as renames."}
	log := reasoning.Passage{ChunkID: "l1", SourceID: "log", Title: "log", Text: "--follow\n\nContinue listing the history of a file beyond renames (works only for a single file).\n\n" +
		"--no-decorate\n\nPrint out the ref names of any commits that are shown."}
	a, err := New(Config{}).Analyze(context.Background(), reasoning.AnalyzeRequest{Question: q, SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: q}, Passages: []reasoning.Passage{diff, log}})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range a.Findings {
		found = found || f.SourceID == "log" && strings.Contains(f.Text, "beyond renames")
	}
	if !found {
		t.Errorf("findings %+v, want the --follow entry the reference points to", a.Findings)
	}
	if got := references("For details, see also git-config(1). See --follow."); len(got) != 2 || got[0] != "git-config(1)" || got[1] != "--follow" {
		t.Errorf("references = %q", got)
	}
}

// "The number of X" in a question that asks no count ("Does … cap the
// number of OS threads?") needs no number; in one that does, an acronym
// before the counted noun says what it is of ("OS threads": threads).
func TestCountedNounOnlyWhenCounting(t *testing.T) {
	text := "The MAXWORK variable limits the number of worker threads that can run queued jobs at once."
	if f := analyzeOne(t, "Does MAXWORK cap the total number of worker threads the queue can use?", text); len(f) == 0 {
		t.Error("no findings: a yes/no question about a number of threads asks for no number")
	}
	for q, want := range map[string]string{
		"How many OS threads does the queue start?":    "thread",
		"How many CPU cores can the build use?":        "cor",
		"What is the number of loose objects allowed?": "loos",
		"How many people review a patch?":              "peopl",
	} {
		if got := countedNoun(q); got != want {
			t.Errorf("countedNoun(%q) = %q, want %q", q, got, want)
		}
	}
}

// A sentence naming none of the identifiers the question asks about ranks
// below one that names it, when the passages name it.
func TestUnnamedRanksLower(t *testing.T) {
	q := "Does MAXWORK cap the number of threads a queue can start?"
	f := analyzeOne(t, q,
		"A queue starts new threads when jobs wait, and the number of threads a queue starts can grow up to its cap.",
		"The MAXWORK variable limits the number of threads that can run queued jobs at once.")
	if len(f) == 0 || !strings.Contains(f[0].Text, "MAXWORK") {
		t.Errorf("findings %+v, want the MAXWORK sentence first", f)
	}
}

// A sentence of a passage beyond the core ones covers most of the topic
// counting or not counting what the question rules out: the answer to
// "… without typing a passphrase every time?" need not speak of typing.
func TestWideSupportWithoutTheExcluded(t *testing.T) {
	q := "How do I sign in to the mirror host without typing a passphrase every time?"
	var ps []reasoning.Passage
	for i := 0; i < corePassages; i++ {
		id := "f" + string(rune('0'+i))
		ps = append(ps, reasoning.Passage{ChunkID: id, SourceID: id, Title: "Notes", Text: "Typing long commands every time is tiring. Shells keep a history of what you type."})
	}
	ps = append(ps, reasoning.Passage{ChunkID: "w", SourceID: "w", Title: "Remote access", Text: "To sign in, generate a key pair locally and copy the public key to the mirror host, once."})
	a, err := New(Config{}).Analyze(context.Background(), reasoning.AnalyzeRequest{Question: q, SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: q}, Passages: ps})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range a.Findings {
		found = found || f.ChunkID == "w"
	}
	if !found {
		t.Errorf("findings %+v, want the key pair sentence", a.Findings)
	}
}

// Struct fields with their comments are code, not a sentence to quote; a
// sentence naming the comment marker is prose.
func TestFieldCommentsAreCode(t *testing.T) {
	if !codeLike("Deprecated string // deprecation message, if any Error *ModuleError // error loading module Sum string // checksum for path") {
		t.Error("struct fields with comments taken for prose")
	}
	if codeLike("Comments start with // and run to the end of the line, as in most languages of the family.") {
		t.Error("a sentence naming // taken for code")
	}
}

// A how-to step shown with its commands in a passage beyond the core ones
// needs half of the topic, not two thirds.
func TestWideStepNeedsHalfTheTopic(t *testing.T) {
	q := "How do I log in to the build box with ssh?"
	var ps []reasoning.Passage
	for i := 0; i < corePassages; i++ {
		id := "f" + string(rune('0'+i))
		ps = append(ps, reasoning.Passage{ChunkID: id, SourceID: id, Title: "Notes", Text: "The laptop keeps its morning backups for a week. Backups run each morning."})
	}
	ps = append(ps, reasoning.Passage{ChunkID: "w", SourceID: "w", Title: "Remote shells", Text: "Connect to the build host with ssh as follows.\n\n$ ssh builder@build.example.org\n"})
	a, err := New(Config{}).Analyze(context.Background(), reasoning.AnalyzeRequest{Question: q, SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: q}, Passages: ps})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range a.Findings {
		found = found || f.ChunkID == "w" && strings.Contains(f.Text, "$ ssh builder@")
	}
	if !found {
		t.Errorf("findings %+v, want the step with its command", a.Findings)
	}
}

// A preposition is no topic term of a question ("across renames"), but for
// those that rule out ("without").
func TestQueryTermsLeavePrepositions(t *testing.T) {
	got := strings.Join(queryTerms("How can I follow a file across renames and onto another branch without a merge?"), " ")
	for _, w := range []string{"across", "onto"} {
		if strings.Contains(" "+got+" ", " "+textproc.Stem(w)+" ") {
			t.Errorf("queryTerms = %q, holds the preposition %q", got, w)
		}
	}
	for _, w := range []string{"fil", "renam", "branch", "without"} {
		if !strings.Contains(" "+got+" ", " "+w+" ") {
			t.Errorf("queryTerms = %q, want %q", got, w)
		}
	}
}

// Words numbered in a series ("file1 file2 file3") are examples, not names
// the passages must hold; a name with a number is one ("ext4", "i386").
func TestNumberedSeriesAreNoNames(t *testing.T) {
	got := nameTerms("How can I make file1 file2 file3 at once on ext4, and why does ext4 allow it?")
	for _, w := range []string{"file1", "file2", "file3"} {
		if got[w] {
			t.Errorf("nameTerms holds %q: %v", w, got)
		}
	}
	if !got["ext4"] {
		t.Errorf("nameTerms = %v, want ext4", got)
	}
	if q := strings.Join(queryTerms("How can I make file1 file2 file3 at once?"), " "); strings.Contains(q, "file") {
		t.Errorf("queryTerms = %q: the examples are no topic", q)
	}
}

// A definition list may be written without blank lines, each term on its
// line with its value and the definition on the next ("HOLD = 4", then
// "(For queue items.) Keep …"): the definition's sentences are about the
// term, and for a question that names the term they are evidence though
// they share no other word with it; a remark in parentheses after the
// term leaves the label to the sentence that defines.
func TestCompactEntryOfANamedFlagIsEvidence(t *testing.T) {
	text := "The flags of a job, set in its header, are:\n\n" +
		"RUSH = 1\n(For queue items.) Move the marked job to the front. Use it sparingly.\n" +
		"HOLD = 4\n(For queue items.) Keep the job waiting until an operator signs it off. The printer pauses its tray meanwhile.\n" +
		"QUIET = 8\n(For log items.) Write no line to the spool log.\n"
	sents := passageSentences(text)
	var hold []sentence
	for _, s := range sents {
		if s.defines == "HOLD = 4" {
			hold = append(hold, s)
		}
	}
	if len(hold) != 3 || hold[0].term != "HOLD = 4" || hold[1].term != "HOLD = 4" || hold[2].term != "" {
		t.Fatalf("sentences of the HOLD entry: %+v", hold)
	}
	f := analyzeOne(t, "In a header, what does the HOLD flag actually do?", text)
	all := ""
	for _, x := range f {
		all += x.Text + " "
	}
	if !strings.Contains(all, "Keep the job waiting until an operator signs it off.") {
		t.Fatalf("findings %+v, want HOLD's definition", f)
	}
	if strings.Contains(all, "spool log") {
		t.Errorf("QUIET's definition answered HOLD: %q", all)
	}
	for _, tc := range []struct {
		line string
		want bool
	}{{"NOSPLIT = 4", true}, {"GOGC=100", true}, {"core.editor = vim", true}, {"x = 4", false}, {"The value = 4 here", false}, {"SIZE = 4.", false},
		{"The default is GOGC=100", false}, {"export PATH=/usr/bin", false}} {
		if got := valueEntry(tc.line); got != tc.want {
			t.Errorf("valueEntry(%q) = %v", tc.line, got)
		}
	}
	// A list item written without blank lines is no term; a heading ends
	// the term a parenthetical passed on.
	for _, tc := range []struct{ text, sentence string }{
		{"Install it:\n- go build\nThe binary lands in the bin folder of the module.\n", "The binary lands in the bin folder of the module."},
		{"--foo\n\n(Deprecated since version two.)\n\n## Other\n\nThe other switch works on every board we sell.\n", "The other switch works on every board we sell."},
	} {
		for _, s := range passageSentences(tc.text) {
			if s.text == tc.sentence && (s.term != "" || s.defines != "") {
				t.Errorf("%q is labelled %q (entry %q)", s.text, s.term, s.defines)
			}
		}
	}
	for _, s := range []string{"Das ist ein Satz.", "これは文です。", "Ends with a colon:"} {
		if !endsSentence(s) {
			t.Errorf("endsSentence(%q) = false", s)
		}
	}
}

// A shell's special parameters are entries named in symbols ("_" on its
// line, then its paragraph): a sentence of one is not an answer about
// another variable the question names, however well it matches the
// question's other words; a lone "_" is no rule between paragraphs.
func TestSymbolEntryIsNotAnotherVariable(t *testing.T) {
	text := "The shell sets these variables:\n\n" +
		"FLOWSTATE\n\nAn array holding the exit codes of each stage of the last flow.\n\n" +
		"_\n\n($_, an underscore.) At start, set to the path of the shell. When polling the inbox, this parameter holds the name of the inbox file.\n\n" +
		"TIMEOUT\n\nSeconds to wait for input.\n"
	sents := passageSentences(text)
	for _, s := range sents {
		if strings.HasPrefix(s.text, "When polling the inbox") && s.defines != "_" {
			t.Fatalf("%q is of entry %q, want _", s.text, s.defines)
		}
	}
	f := analyzeOne(t, "What exactly does the FLOWSTATE parameter hold after I run a flow?", text)
	if len(f) == 0 || !strings.Contains(f[0].Text, "exit codes") {
		t.Fatalf("findings %+v, want FLOWSTATE's entry", f)
	}
	for _, x := range f {
		if strings.Contains(x.Text, "inbox") {
			t.Errorf("the _ entry answered FLOWSTATE: %q", x.Text)
		}
	}
	for s, want := range map[string]bool{"_": true, "$": true, "@": true, "*": true, "a": false, "***": false, "": false} {
		if symbolName(s) != want {
			t.Errorf("symbolName(%q) = %v", s, !want)
		}
	}
}

// firstFindings checks the first finding the analyst gives each question
// q over notes: one holding want, or none where want is "".
func firstFindings(t *testing.T, notes []string, cases []struct{ q, want string }) {
	t.Helper()
	for _, tt := range cases {
		f := analyzeOne(t, tt.q, notes...)
		switch {
		case tt.want == "" && len(f) > 0:
			t.Errorf("%q: findings %q, want none", tt.q, f[0].Text)
		case tt.want != "" && (len(f) == 0 || !strings.Contains(f[0].Text, tt.want)):
			t.Errorf("%q: findings %+v, want %q first", tt.q, f, tt.want)
		}
	}
}

// The verb a where, when or who question asks with is not its topic: a
// sentence holding the asked type and the topic answers without it ("Where
// is the offsite held?" went unanswered beside "The … offsite is on 9
// February 2027 in Lisbon.", which answered "Where is the offsite?"), and a
// sentence sharing only the verb is about something else ("Who approves
// deploys?" was answered "Marco Bianchi approves any single purchase").
func TestAnalyzeTheAskedVerbIsNoTopic(t *testing.T) {
	notes := []string{
		"The quarterly planning offsite is on 9 February 2027 in Lisbon.",
		"Marco Bianchi approves any single purchase above 7,500 USD.",
		"Incident reviews are held within 5 business days of the incident.",
		"Dana Lee maintains the office plants.",
		"The build farm belongs to Priya Raman, who also runs the lab.",
	}
	firstFindings(t, notes, []struct{ q, want string }{
		{"Where is the offsite held?", "Lisbon"},
		{"Where was the planning offsite located?", "Lisbon"},
		{"Who approves deploys?", ""},
		{"Who maintains the build farm?", "Priya Raman"},
		{"Who maintains the release scripts?", ""},
		// How and why ask about the verb itself: the topic alone is no answer.
		{"Why was the offsite moved?", ""},
	})
	if got := predicateTerm("How is a cache.Entry evicted?"); got != textproc.Stem("evicted") {
		t.Errorf("predicateTerm of a how question = %q (it is found, and left as a topic by the analyst)", got)
	}
}

// A name answers a who-question only beside what the question asks of the
// person: the relation, where the passages write it, and the names it is
// asked about. A trial's "Who owns the staging environment?" was answered
// "The VPN is required for staging …, not for GitHub or Google Workspace"
// (a product as the owner), and "Who is the product manager of the
// Payments team?" with the product manager of the mobile releases, both
// at medium confidence.
func TestWhoIsAskedOfTheNamedParty(t *testing.T) {
	notes := []string{
		"The VPN is required for staging and for the database consoles, not for GitHub or Google Workspace.",
		"Release notes for the mobile apps are written by the product manager, Lena Vogt.",
		"The Payments team gets a third engineer; the hiring budget was approved.",
		"Re-enable the renewal job (owner: Jonas Brandt, done).",
		"The build farm is maintained by Priya Raman and Tomas Berg.",
	}
	firstFindings(t, notes, []struct{ q, want string }{
		{"Who owns the staging environment?", ""},
		{"Who is the product manager of the Payments team?", ""},
		{"Who leads the Payments team?", ""},
		// The relation in another form, and the party in the sentence.
		{"Who writes the release notes for the mobile apps?", "Lena Vogt"},
		{"Who is the product manager of the mobile apps?", "Lena Vogt"},
		{"Who owns the renewal job?", "Jonas Brandt"},
		{"Who maintains the build farm?", "Priya Raman"},
	})
	for _, tt := range []struct {
		terms []string
		verb  string
		want  bool
	}{
		{[]string{"owner"}, "own", true}, {[]string{"written"}, "write", true}, {[]string{"approval"}, "approve", true},
		{[]string{"writing"}, "write", true}, {[]string{"management"}, "manage", true}, {[]string{"staging"}, "own", false},
		{[]string{"ownership"}, "own", true}, {[]string{"running"}, "run", true}, {[]string{"runtime"}, "run", false},
	} {
		m := map[string]bool{}
		for _, w := range tt.terms {
			m[w] = true
		}
		if got := hasForm(m, tt.verb); got != tt.want {
			t.Errorf("hasForm(%v, %q) = %v, want %v", tt.terms, tt.verb, got, tt.want)
		}
	}
}

// A number counts the noun it stands before, and a rate counts none: "How
// many engineers are on the Falcon team?" was answered with "New engineers
// shadow two full weeks …" (two weeks) at medium confidence; "2,000 USD per
// engineer" counts no engineers either.
func TestHowManyCountsTheNounTheNumberCounts(t *testing.T) {
	q := "How many engineers are on the Falcon team?"
	run := func(texts ...string) []reasoning.Finding {
		ps := []reasoning.Passage{}
		for i, text := range texts {
			id := fmt.Sprintf("p%d", i)
			ps = append(ps, reasoning.Passage{ChunkID: id, SourceID: id, Title: "Falcon team on-call", Text: text})
		}
		a, err := New(Config{}).Analyze(context.Background(), reasoning.AnalyzeRequest{
			Question: q, SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: q}, Passages: ps,
		})
		if err != nil {
			t.Fatal(err)
		}
		return a.Findings
	}
	notes := []string{
		"New engineers shadow two full weeks before taking a primary shift.",
		"Training budget is 2,000 USD per engineer per year.",
		"The Falcon team runs a weekly on-call rotation.",
	}
	for _, note := range notes[:2] {
		if f := run(note); len(f) != 0 {
			t.Errorf("findings %q, want none", f[0].Text)
		}
	}
	for _, answer := range []string{
		"The Falcon team has 14 engineers in two pods.",
		"There are 14 engineers on the Falcon team.",
		"The Falcon team's engineers number 14, with two more joining.",
	} {
		if f := run(append([]string{answer}, notes...)...); len(f) == 0 || !strings.Contains(f[0].Text, "14") {
			t.Errorf("with %q: findings %+v, want it", answer, f)
		}
	}
}

// "Which notes mention the canary?" asks which document speaks of the
// canary: the sentence that does answers it, though no passage says
// "notes" or "mention"; a question about something no note speaks of
// stays unanswered.
func TestAnalyzeAnswersWhichNotesMentionATopic(t *testing.T) {
	notes := []reasoning.Passage{
		{ChunkID: "a", SourceID: "a", Title: "Deploy runbook", Text: "The canary must stay green for 45 minutes before a full rollout. The on-call engineer approves every production deploy."},
		{ChunkID: "b", SourceID: "b", Title: "Office move", Text: "The Kestrel team moves to the Harbor building on 26 January 2027. The new floor has 42 desks and 6 parking spaces."},
		{ChunkID: "c", SourceID: "c", Title: "Backups", Text: "Nightly database backups are retained for 30 days in Frankfurt."},
	}
	for _, q := range []string{"Which notes mention the canary?", "Which notes say anything about the canary?", "What document talks about the canary?"} {
		f := analyzeQ(t, q, notes...)
		if len(f) == 0 || !strings.Contains(f[0].Text, "canary must stay green") {
			t.Errorf("%q: findings %+v, want the canary sentence", q, f)
		}
	}
	if f := analyzeQ(t, "Which notes mention the garage fee?", notes...); len(f) > 0 {
		t.Errorf("garage fee: findings %+v, want none", f)
	}
}

// A finished sentence too short to quote alone answers when it names the
// whole topic: a trial's "Can we deploy on Friday?" was unanswered over
// "Releases happen on Tuesdays and Thursdays only. Never deploy on a
// Friday." A short sentence naming part of the topic is no answer, and a
// name no sentence writes leaves the question unanswered.
func TestAnalyzeQuotesAShortSentenceThatNamesTheWholeTopic(t *testing.T) {
	deploy := reasoning.Passage{ChunkID: "a", SourceID: "a", Title: "Deploying the ingest API",
		Text: "# Deploying the ingest API\n\nReleases happen on Tuesdays and Thursdays only. Never deploy on a Friday.\n\n## Steps\n\n1. Tag the release:\n\n    make release VERSION=1.8.2\n"}
	oncall := reasoning.Passage{ChunkID: "b", SourceID: "b", Title: "On-call", Text: "The on-call rotation changes every Monday at 10:00, and each engineer is on call for one week."}
	for _, q := range []string{"Can we deploy on Friday?", "May we deploy on a Friday?"} {
		f := analyzeQ(t, q, deploy, oncall)
		if len(f) == 0 || !strings.Contains(f[0].Text, "Never deploy on a Friday.") {
			t.Errorf("%q: findings %+v, want the Friday rule", q, f)
		}
	}
	for _, q := range []string{"Can we deploy on Saturday?", "Who approves a deploy on Friday night?"} {
		if f := analyzeQ(t, q, deploy, oncall); len(f) > 0 {
			t.Errorf("%q: findings %+v, want none", q, f)
		}
	}
}

// The subject of a passive question is what it asks about; the words
// after its verb set the scene. A trial's "How are backups handled by the
// Kestrel team?" was answered with where the Kestrel team sits: a
// sentence sharing the scene but not the subject is about something else,
// while one naming the subject and the scene answers. A subject no
// passage writes is answered by none.
func TestAnalyzePassiveSubjectIsTheTopic(t *testing.T) {
	team := reasoning.Passage{ChunkID: "a", SourceID: "a", Title: "Kestrel team",
		Text: "# Kestrel team\n\nThe Kestrel team owns the billing service and the invoice exporter. The Kestrel team moved to the third floor of the Harbour building in March. Team lunches are on the first Friday of each month."}
	backups := reasoning.Passage{ChunkID: "b", SourceID: "b", Title: "Backups",
		Text: "# Backups\n\nNightly backups of the billing database start at 02:00 UTC. Backups are kept for 35 days in the Frankfurt bucket."}
	for _, q := range []string{"How are backups handled by the Kestrel team?", "How are expense reports handled by the Kestrel team?", "Why were the nightly jobs moved by the Kestrel team?"} {
		for _, f := range analyzeQ(t, q, team, backups) {
			if strings.Contains(f.Text, "Kestrel team") {
				t.Errorf("%q: finding %q speaks of the team, not of what is asked", q, f.Text)
			}
		}
	}
	owned := reasoning.Passage{ChunkID: "c", SourceID: "c", Title: "Ownership",
		Text: "# Ownership\n\nThe billing service is run by the Kestrel team, which also owns the invoice exporter."}
	f := analyzeQ(t, "How is the billing service handled by the Kestrel team?", team, backups, owned)
	if !slices.ContainsFunc(f, func(f reasoning.Finding) bool {
		return strings.Contains(f.Text, "The billing service is run by the Kestrel team")
	}) {
		t.Errorf("billing service: findings %+v, want the sentence naming the service and the team", f)
	}
}

// Three faults of a trial over team notes, each of a kind: the steps of a
// how-to under a heading that names it, an answer's kind that the notes
// do not write, and a verb asked about that the notes write as its noun.
func TestAnalyzeTrialNotes(t *testing.T) {
	vpn := reasoning.Passage{ChunkID: "a", SourceID: "a", Title: "How to connect to the VPN",
		Text: "# How to connect to the VPN\n\nWe use WireGuard. Install it with:\n\n    brew install wireguard-tools\n\n" +
			"Then fetch your config from the internal portal and start the tunnel:\n\n    sudo wg-quick up acme\n\n" +
			"The VPN is required for staging and for the database consoles, not for GitHub or Google Workspace.\n"}
	office := reasoning.Passage{ChunkID: "b", SourceID: "b", Title: "Office",
		Text: "# Office\n\nOur office is at Lindenstrasse 42, 3rd floor, in Leipzig. The door code changes on the first Monday of every month.\n\nThe office is open from 7:00 to 21:00 on weekdays.\n"}
	sync := reasoning.Passage{ChunkID: "c", SourceID: "c", Title: "Engineering sync, 18 November 2026",
		Text: "# Engineering sync, 18 November 2026\n\n## Decisions\n\n- We move from Jenkins to GitHub Actions by the end of Q1 2027.\n- Backups of the analytics database move to a weekly schedule.\n\n## Next meeting\n\nThe next sync is on 2 December 2026 in room Elbe.\n"}
	has := func(f []reasoning.Finding, s string) bool {
		return slices.ContainsFunc(f, func(f reasoning.Finding) bool { return strings.Contains(f.Text, s) })
	}
	// The commands under "How to connect to the VPN" are its answer,
	// though their sentences name neither the VPN nor connecting.
	for _, q := range []string{"How do I connect to the VPN?", "How can I connect to the VPN?"} {
		if f := analyzeQ(t, q, vpn, office); !has(f, "brew install wireguard-tools") || !has(f, "sudo wg-quick up acme") {
			t.Errorf("%q: findings %+v, want the steps with their commands", q, f)
		}
	}
	// "address" asks for a place, and the notes write the place, not
	// the word.
	for _, q := range []string{"What is the office address?", "What's the address of the office?"} {
		if f := analyzeQ(t, q, vpn, office, sync); !has(f, "Lindenstrasse 42") {
			t.Errorf("%q: findings %+v, want where the office is", q, f)
		}
	}
	// "decide" is written as "Decisions" in the heading the bullet sits
	// under.
	if f := analyzeQ(t, "What did we decide about Jenkins?", vpn, office, sync); !has(f, "We move from Jenkins to GitHub Actions") {
		t.Errorf("Jenkins: findings %+v, want the decision", f)
	}
	// A procedure's heading does not make every sentence under it a
	// step: a question whose topic the heading does not name is not
	// answered by the commands.
	if f := analyzeQ(t, "How do I reset the door code?", vpn); has(f, "wg-quick") {
		t.Errorf("door code: findings %+v, want no VPN commands", f)
	}
}

func TestDerived(t *testing.T) {
	for in, want := range map[string]string{"decid": "decis", "decis": "decid", "extend": "extens", "respons": "respond", "process": "", "class": "", "end": "", "wast": ""} {
		if got := derived(in); got != want {
			t.Errorf("derived(%q) = %q, want %q", in, got, want)
		}
	}
}

// "Is there a gym in the office building?" asks whether a thing exists:
// notes that never name it do not say it does, however much else of the
// question they share; notes that name it answer.
func TestAnalyzeExistsOnlyWhatThePassagesName(t *testing.T) {
	office := reasoning.Passage{ChunkID: "a", SourceID: "a", Title: "Office",
		Text: "# Office\n\nThe office is open from 7:00 to 21:00 on weekdays. The building is closed on weekends; ask facilities for weekend access.\n\nParking: there are 6 parking spaces in the courtyard.\n"}
	for _, q := range []string{"Is there a gym in the office building?", "Are there any showers in the office building?"} {
		if f := analyzeQ(t, q, office); len(f) > 0 {
			t.Errorf("%q: findings %+v, want none", q, f)
		}
	}
	if f := analyzeQ(t, "Are there parking spaces at the office?", office); len(f) == 0 || !strings.Contains(f[0].Text, "6 parking spaces") {
		t.Errorf("parking: findings %+v, want the parking spaces", f)
	}
	for q, want := range map[string]string{"Is there a gym in the office?": "gym", "Are there any parking spaces?": "park spac", "Is there a way to undo a commit?": "", "Is it safe?": ""} {
		if got := strings.Join(existentialFocus(q), " "); got != want {
			t.Errorf("existentialFocus(%q) = %q, want %q", q, got, want)
		}
	}
}

// A who-question is answered by a party, and a party may be a group named
// by its name ("the Platform team") or a chat channel ("ask in
// #platform-help"), not only a person: a new user's "If a deploy fails,
// who do I ask?" went unanswered beside "If a deploy fails, ask in
// #platform-help first".
func TestWhoIsAnsweredByAGroupOrAChannel(t *testing.T) {
	firstFindings(t, []string{
		"If a deploy fails, ask in #platform-help first; the on-call person answers within 30 minutes.",
		"Certificate renewals are owned by the Platform team.",
		"Offsite budgets are approved in the weekly finance review.",
	}, []struct{ q, want string }{
		{"If a deploy fails, who do I ask?", "#platform-help"},
		{"Who owns certificate renewals?", "Platform team"},
		{"Who approves offsite budgets?", ""},
	})
	if statesName("Use #42 as the issue number.", nil, nil) {
		t.Errorf("statesName: an issue number is no channel")
	}
}

// A Markdown table's rows are sentences of their own, each cell after its
// column's name: a new user's "who owns billing-api?" went unanswered
// beside an ownership table (rows were left out as not prose), and a row
// is quoted alone, not with the rows around it.
func TestTableRowsAreSentences(t *testing.T) {
	table := "# Service ownership\n\n| Service | Owning team | Primary contact |\n|---|---|---|\n" +
		"| billing-api | Payments | Priya Raman |\n| search-indexer | Discovery | Ana Costa |\n| deploy pipeline | Platform | Tom Okafor |\n\n" +
		"The Platform team is led by Marco Diaz.\n"
	var got []string
	for _, s := range passageSentences(table) {
		got = append(got, s.text)
	}
	if want := "Service billing-api; owning team Payments; primary contact Priya Raman."; !slices.Contains(got, want) {
		t.Errorf("sentences %q, want %q among them", got, want)
	}
	for _, tt := range []struct{ q, want string }{
		{"who owns billing-api?", "Priya Raman"},
		{"Who is the primary contact for search-indexer?", "Ana Costa"},
		{"who owns the deploy pipeline?", "Tom Okafor"},
		{"Which team owns search-indexer?", "Discovery"},
	} {
		f := analyzeOne(t, tt.q, table)
		if len(f) == 0 || !strings.Contains(f[0].Text, tt.want) {
			t.Errorf("%q: findings %+v, want %q first", tt.q, f, tt.want)
			continue
		}
		if strings.Count(f[0].Text, "Service ") > 1 {
			t.Errorf("%q: finding %q quotes more than its row", tt.q, f[0].Text)
		}
	}
	// A table wider than maxTableColumns, or rows without a header, are
	// left out as before.
	wide := "| a | b | c | d | e | f | g |\n|---|---|---|---|---|---|---|\n| 1 | 2 | 3 | 4 | 5 | 6 | 7 |\n"
	bare := "| billing-api | Payments |\n| search-indexer | Discovery |\n"
	for _, text := range []string{wide, bare} {
		if s := passageSentences(text); len(s) > 0 {
			t.Errorf("passageSentences(%q) = %+v, want none", text, s)
		}
	}
}
