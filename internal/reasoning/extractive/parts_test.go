package extractive

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/researchflow/researchflow/internal/reasoning"
)

// note is an uploaded one-fact note as a retrieved passage.
func note(i int, text string) reasoning.Passage {
	return reasoning.Passage{
		ChunkID: fmt.Sprintf("note-%d", i), SourceID: fmt.Sprintf("src-note-%d", i),
		Title: fmt.Sprintf("note %d", i), Location: fmt.Sprintf("/notes/note-%d.md", i), Score: 0.5, Text: text,
	}
}

// researchNotes plans q, analyzes every sub-question over the notes, and returns
// the findings by sub-question text.
func researchNotes(t *testing.T, q string, notes ...string) map[string][]string {
	t.Helper()
	e := New(Config{})
	p, err := e.Plan(context.Background(), reasoning.PlanRequest{Question: q})
	if err != nil {
		t.Fatal(err)
	}
	var passages []reasoning.Passage
	for i, n := range notes {
		passages = append(passages, note(i+1, n))
	}
	out := map[string][]string{}
	for _, sq := range p.SubQuestions {
		a, err := e.Analyze(context.Background(), reasoning.AnalyzeRequest{Question: q, SubQuestion: sq, Passages: passages})
		if err != nil {
			t.Fatal(err)
		}
		out[sq.Text] = nil
		for _, f := range a.Findings {
			out[sq.Text] = append(out[sq.Text], f.Text)
		}
	}
	return out
}

var bridgeNotes = []string{
	"The Old Mill bridge is 412 m long.",
	"The Old Mill bridge opened in 1931.",
	"The Old Mill bridge was designed by Mila Varga.",
	"The Old Mill bridge has nine arches.",
}

// Issue 19 item 6: every coordinated part of the bridge question is
// answered by its own note, in both phrasings; a part whose note is
// missing is a sub-question without findings (a gap), never answered by
// another part's note.
func TestBridgePartsAnsweredOrGaps(t *testing.T) {
	for _, tc := range []struct {
		q     string
		parts map[string]string // sub-question → the fact that answers it
	}{
		{"What are the length, the opening year, the designer and the number of arches of the Old Mill bridge?", map[string]string{
			"What is the length of the Old Mill bridge?":           "412 m",
			"What is the opening year of the Old Mill bridge?":     "1931",
			"What is the designer of the Old Mill bridge?":         "Mila Varga",
			"What is the number of arches of the Old Mill bridge?": "nine arches",
		}},
		{"How long is the Old Mill bridge, when did it open, who designed it and how many arches does it have?", map[string]string{
			"How long is the Old Mill bridge?":               "412 m",
			"When did the Old Mill bridge open?":             "1931",
			"Who designed the Old Mill bridge?":              "Mila Varga",
			"How many arches does the Old Mill bridge have?": "nine arches",
		}},
	} {
		got := researchNotes(t, tc.q, bridgeNotes...)
		for sq, fact := range tc.parts {
			fs, planned := got[sq]
			if !planned {
				t.Errorf("%q: %q is not planned (plan %v)", tc.q, sq, keys(got))
				continue
			}
			if len(fs) == 0 || !strings.Contains(fs[0], fact) {
				t.Errorf("%q: %q answered by %q, want the note stating %q", tc.q, sq, fs, fact)
			}
		}
		// Without the designer's note, the designer part has no findings.
		for i := range bridgeNotes {
			missing := bridgeNotes[i]
			var rest []string
			for j, n := range bridgeNotes {
				if j != i {
					rest = append(rest, n)
				}
			}
			got := researchNotes(t, tc.q, rest...)
			for sq, fact := range tc.parts {
				if !strings.Contains(missing, fact) {
					continue
				}
				for _, f := range got[sq] {
					t.Errorf("%q without %q: %q answered by %q; want a gap", tc.q, missing, sq, f)
				}
			}
		}
	}
}

// Issue 18: "when" asks for a time; the note that states one answers it
// although it shares a single word with the question.
func TestOffsiteWhenIsATime(t *testing.T) {
	notes := []string{
		"The offsite moved to the first week of May because the hotel was booked.",
		"The offsite budget is 9000 euros.",
	}
	got := researchNotes(t, "What is the offsite budget and when does the offsite take place?", notes...)
	when := got["When does the offsite take place?"]
	if len(when) == 0 || !strings.Contains(when[0], "first week of May") {
		t.Errorf("when: %q (plan %v)", when, keys(got))
	}
	budget := got["What is the offsite budget?"]
	if len(budget) == 0 || !strings.Contains(budget[0], "9000 euros") {
		t.Errorf("budget: %q", budget)
	}
	// Variants: "what date", "how long", "who".
	got = researchNotes(t, "What date is the launch review, how long does it last and who chairs it?",
		"The launch review is on 14 March in room 2.", "The launch review lasts 90 minutes.", "Priya Nair chairs the launch review.", "The launch review covers the pricing page.")
	for sq, fact := range map[string]string{
		"What date is the launch review?":       "14 March",
		"How long does the launch review last?": "90 minutes",
		"Who chairs the launch review?":         "Priya Nair",
	} {
		if fs := got[sq]; len(fs) == 0 || !strings.Contains(fs[0], fact) {
			t.Errorf("%q answered by %q, want %q (plan %v)", sq, fs, fact, keys(got))
		}
	}
}

func keys(m map[string][]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestClassify(t *testing.T) {
	for q, want := range map[string]answerType{
		"When does the offsite take place?":                timeAnswer,
		"What is the opening year of the Old Mill bridge?": dateAnswer,
		"What year did the bridge open?":                   dateAnswer,
		// A preposition before the question word.
		"In which year was the format frozen?":      dateAnswer,
		"On what date does the sale end?":           dateAnswer,
		"In what month is the next census planned?": dateAnswer,
		"For how long is a session cookie kept?":    quantityAnswer,
		// A short phrase before the question word, set off by a comma.
		"By default, what percentage of the pool is kept free?": quantityAnswer,
		"On a busy mirror, how often is the index rebuilt?":     quantityAnswer,
		"In the old releases, who signed the archive keys?":     personAnswer,
		"If the upload fails, why is the lock kept?":            reasonAnswer,
		// A measure heads a phrase that runs on into a clause; after "What
		// does" the phrase is the subject.
		"What is the default spool buffer size the daemon reserves?": quantityAnswer,
		"What does the memory allocator promise about frees?":        anyAnswer,
		"To whom should I send a security report?":                   anyAnswer, // an address as often as a name
		"At what time does the nightly backup start?":                timeAnswer,
		"Since when does the library support streams?":               timeAnswer,
		"In which directory does the service keep logs?":             nameAnswer, // a path
		"Which utility should I run to check a disk?":                nameAnswer,
		"What flag makes the tool keep going after errors?":          nameAnswer,
		"How long are reflog entries kept?":                          quantityAnswer,
		// The verb asked with ends the phrase that names the kind: a
		// command; a city is a place.
		"Which kubectl command undoes the rollout?":                   nameAnswer,
		"What git command rewrites the author?":                       nameAnswer,
		"Which city are the backups kept in?":                         placeAnswer,
		"In which region is the archive stored?":                      placeAnswer,
		"Which city hosts the offsite?":                               placeAnswer,
		"How many arches does the bridge have?":                       quantityAnswer,
		"What is the number of arches of the Old Mill bridge?":        quantityAnswer,
		"Who designed the bridge?":                                    personAnswer,
		"Where are git hooks stored?":                                 placeAnswer,
		"Why does the pipeline report success?":                       reasonAnswer,
		"How do I undo the last commit?":                              procedureAnswer,
		"When should I use a mutex instead of a channel?":             conditionAnswer,
		"What is a goroutine?":                                        anyAnswer,
		"What is the designer of the Old Mill bridge?":                personAnswer,
		"What is the maintainer of the package?":                      personAnswer,
		"Which company funds the compiler today?":                     personAnswer,
		"What organization runs the mirror network?":                  personAnswer,
		"How long are settings kept, and how can a program set them?": anyAnswer,
		// Several parts: typed when they all ask for one type.
		"Who wrote the first version and which foundation pays for it now?": personAnswer,
		"When was the format frozen and when will it be retired?":           timeAnswer,
		// A past event is dated: "after Debian 12" or "for two years"
		// does not place it.
		"When was Git 1.5.4 released?":                         dateAnswer,
		"When did the project switch to the new license?":      dateAnswer,
		"When were the old mirrors retired?":                   dateAnswer,
		"When does a deferred call run?":                       timeAnswer,
		"When will the next version be released?":              timeAnswer,
		"How fast does bash notice new mail?":                  quantityAnswer,
		"How many workers run and how long does a job take?":   quantityAnswer,
		"Who chairs the review and when does it start?":        anyAnswer,
		"What is the difference between git merge and rebase?": anyAnswer,
	} {
		if got := classify(q); got != want {
			t.Errorf("classify(%q) = %v, want %v", q, got, want)
		}
	}
}

// A person or organization is named by capitalized words that are names:
// not a capital that only opens the sentence, nor a title whose words the
// passages also write in lower case.
func TestStatesName(t *testing.T) {
	common := map[string]bool{"startup": true, "files": true, "see": true}
	question := map[string]bool{"who": true, "wrote": true, "the": true, "shell": true}
	for s, want := range map[string]bool{
		"The first shell was written by Ada Quill at the lab.":           true,
		"Ada Quill wrote the first shell.":                               true,
		"If Bash is started with the name rbash, it becomes restricted.": false,
		"See Bash Startup Files for the order of the files read.":        false,
		"The shell reads its startup files at login.":                    false,
	} {
		if got := statesName(s, question, common); got != want {
			t.Errorf("statesName(%q) = %v, want %v", s, got, want)
		}
	}
}

// A how-to answer shows the command: a shell line after the sentence that
// introduces it is kept with that sentence, verbatim; a Markdown heading
// is still a heading.
func TestHowToKeepsTheCommand(t *testing.T) {
	p := reasoning.Passage{ChunkID: "c1", SourceID: "s1", Title: "System tips", Location: "/doc/ch09.html", Score: 0.8,
		Text: "## System and hardware time\n\nThe following sets the hardware clock from the system clock.\n\n# hwclock --utc --systohc\n\nThe following reconfigures the time zone used by the system.\n\n# dpkg-reconfigure tzdata\n\n# Other settings\n\nLocales are set elsewhere.\n"}
	a, err := New(Config{}).Analyze(context.Background(), reasoning.AnalyzeRequest{Question: "How do I change the time zone of the system?",
		SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: "How do I change the time zone of the system?"}, Passages: []reasoning.Passage{p}})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Findings) == 0 || !strings.Contains(a.Findings[0].Text, "reconfigures the time zone") || !strings.Contains(a.Findings[0].Text, "# dpkg-reconfigure tzdata") {
		t.Errorf("findings %+v, want the introduction with its command", a.Findings)
	}
	sents := passageSentences(p.Text)
	if last := sents[len(sents)-1]; last.heading != "Other settings" {
		t.Errorf("a Markdown heading became %q", last.heading)
	}
	for _, c := range []string{"# Overview", "# The Go Memory Model", "$ Not a command."} {
		if commandLine(c) != "" {
			t.Errorf("%q taken for a command", c)
		}
	}
}

// A quantity question of a known dimension is answered by a number with a
// unit of it; "how much"/"how many" leave the dimension to the noun after
// them. A question for the year (date, month) is answered by a date, not
// by a duration or a condition.
func TestTypedAnswers(t *testing.T) {
	for _, tt := range []struct {
		q, s string
		want bool
	}{
		{"How much disk space does the cache take after a month?", "The cache holds at most 50 MB.", true},
		{"How much disk space does the cache take after a month?", "If the value is 0, the cache is emptied.", false},
		{"How much memory does a buffered queue of 100 entries use?", "Each queue uses 2 KiB of memory.", true},
		{"How much memory does a buffered queue of 100 entries use?", "A queue keeps up to 100 entries.", false},
		// "How much of" asks for a part: a share answers it.
		{"How much of the cost of software goes into maintenance?", "Maintenance takes 80% of the cost.", true},
		{"How many workers does the pool start?", "The pool starts four workers.", true},
		{"How many entries does the history size allow?", "The history size is 500 entries by default.", true},
		{"How many entries does the history list keep within its memory?", "The default is 500 entries.", true},
		{"What is the largest file size the tool accepts?", "-M90% means that 90% of the file has not changed.", false},
		{"What is the largest file size the tool accepts?", "Files larger than 2 GiB are refused.", true},
		{"What is the maximum depth of a delta chain?", "The maximum depth is 4095.", true},
		{"What depth does the aggressive repack use by default?", "It reduces the final packfile size (30-50% smaller is typical).", false},
		{"What is the maximum size of the cache?", "The maximum size is 4096.", true},
		{"How much does the new format reduce the index size?", "It reduces the index size by 30%-50% on large trees.", true},
		{"What is the maximum size of the cache?", "The cache may take a size of 50% of the memory.", false},
		{"What percentage of the cache may be stale?", "At most 20% of the entries may be stale.", true},
		{"In which year did the command first appear?", "The command first appeared in 2007.", true},
		{"In which year did the command first appear?", "If the option is set, the command appears first.", false},
		{"In which month is the next release planned?", "After a month or so, the release is usable.", false},
		{"In which month is the next release planned?", "The next release is planned for June.", true},
		{"When is the next release planned?", "The release is planned after the freeze ends.", true},
		// A past event is placed by a date, not by another event.
		{"When was the mirror network launched?", "The mirror network was launched after the 2.0 release of the installer.", false},
		{"When was the mirror network launched?", "The mirror network was launched in March 2004.", true},
		// A speed is a span of time, an amount a second or a comparison;
		// another number is not one.
		{"How fast does the daemon notice a new file?", "The daemon checks the directory every 30 seconds.", true},
		{"How fast does the daemon notice a new file?", "The daemon watches two directories.", false},
		{"At what speed does the tool copy data?", "Copies run at about 40 MB/s on a local disk.", true},
		{"How fast is the new codec compared to the old one?", "The new codec is slower than the old one but compresses better.", true},
		{"How fast can the mirror be downloaded?", "The mirror holds 4 suites of packages.", false},
		{"How quickly does the indexer start?", "This allocator is very fast, but wastes 4 bytes on each allocation.", false},
		{"How quickly does the daemon notice a new file?", "The daemon checks the directory every 30 seconds.", true},
		// The part of a date asked: a year does not say which weekday or
		// month, a month does not say which year.
		{"On which weekday do the backups run?", "The backups were introduced in 2008.", false},
		{"On which weekday do the backups run?", "The backups run every Sunday night.", true},
		{"In which month is the census held?", "The census was first held in 1931.", false},
		{"In which month is the census held?", "The census is held in May of each year.", true},
		{"In which year did the command first appear?", "The command first appeared in May.", false},
		// An amount in words before a unit; a default written as a value.
		{"How long should users wait before upgrading?", "For a few months after the release, users should wait.", true},
		{"How long should users wait before upgrading?", "Wait a month or so before upgrading.", true},
		{"How long should users wait before upgrading?", "Pass a second argument to wait before upgrading.", false},
		{"How long should users wait before upgrading?", "A few users wait before upgrading.", false},
		{"How long are stale entries kept?", `Stale entries expire after "3.months.ago" by default.`, true},
		// A default is often written without its unit, for the measure
		// the question names (or a setting named for it); not for
		// another measure, nor with a unit of another kind.
		{"What depth does the scanner use by default?", "The depth parameter of the scanner. This defaults to 8, which suits most trees.", true},
		{"How much disk space does the scanner save?", "The window size parameter of the scanner defaults to 250.", false},
		{"What is the largest queue size the daemon keeps by default?", "The last QUEUESIZE jobs (default 200) are kept.", true},
		{"What depth does the scanner use by default?", "By default, 8 bits hold the depth.", false},
		// A setting named for what the measure is of: "--batch" for "the
		// batch size"; not a setting of something else.
		{"What is the default batch size the importer uses?", "The default value for --batch is 500 and --retries is 3.", true},
		{"What is the default batch size the importer uses?", "The default value for --retries is 3.", false},
		{"How big is the default spool buffer?", "The default for spool.flushEvery is 30.", false},
		// A unit goes with a number: in the same word or a few words
		// after it; "as long as" and "one per line" state no measure.
		{"How long does the scan take on a large disk?", "Old clients using format 1 still connect, as long as the server understands format 1.", false},
		{"How long does the scan take on a large disk?", "The scan of 2 disks is logged, and the log shows the long file names.", false},
		{"How long does the scan take on a large disk?", "The scan takes about 2 hours on a 4 TB disk.", true},
		{"How fast does the indexer read lines?", "The indexer lists one name per line.", false},
		{"How fast does the indexer read lines?", "The indexer reads 5 MB per second.", true},
		// "How much does X cost?" asks for money; a share is none.
		{"How much does a hosted mirror cost per month?", "About 80% of the cost of a mirror is bandwidth.", false},
		{"How much does a hosted mirror cost per month?", "A hosted mirror costs 20 euros a month.", true},
		// "How much faster/larger" asks for a ratio of that measure.
		{"How much faster is the new parser than the old one?", "The new parser keeps 8 bits of state for each token.", false},
		{"How much faster is the new parser than the old one?", "The new parser is about 3 times faster.", true},
		{"How much larger are the debug builds?", "Debug builds keep 2 copies of the symbols.", false},
		{"How much larger are the debug builds?", "Debug builds take about 40 MB more.", true},
	} {
		at := classify(tt.q)
		if !at.strict() {
			t.Errorf("classify(%q) = %v, not a strict type", tt.q, at)
			continue
		}
		asked := askedWords(tt.q)
		if got, _ := holds(at, tt.s, asked, nil, dimensionsOf(at, tt.q)); got != tt.want {
			t.Errorf("%q (%v, dimensions %v) held by %q = %v, want %v", tt.q, at, dimensionsOf(at, tt.q), tt.s, got, tt.want)
		}
	}
}

// A list whose first item opens with what is asked of every item ("the
// default values of HISTSIZE, HISTFILESIZE and HISTCONTROL") asks it of
// each ("What is HISTFILESIZE?" was planned from a new user's question).
func TestCoordinatedItemsKeepTheFrameOfTheFirst(t *testing.T) {
	got := coordinatedItems("What are the default values of HISTSIZE, HISTFILESIZE and HISTCONTROL?")
	want := []string{"What are the default values of HISTSIZE?", "What are the default values of HISTFILESIZE?", "What are the default values of HISTCONTROL?"}
	if !slices.Equal(got, want) {
		t.Errorf("coordinatedItems = %q, want %q", got, want)
	}
	// Items with their own determiner keep their own words.
	got = coordinatedItems("What are the length, the opening year and the designer of the Varga bridge?")
	want = []string{"What is the length of the Varga bridge?", "What is the opening year of the Varga bridge?", "What is the designer of the Varga bridge?"}
	if !slices.Equal(got, want) {
		t.Errorf("coordinatedItems = %q, want %q", got, want)
	}
}

// A habit is told with weekdays in the plural: "Production deploys happen
// on Tuesdays and Thursdays." answers "When do production deploys
// happen?" (a trial's notes: the passage was retrieved first and the
// sub-question still became a gap, for "Tuesdays" was no time).
func TestWhenIsAnsweredByWeekdaysInThePlural(t *testing.T) {
	notes := []string{
		"Production deploys happen on Tuesdays and Thursdays.",
		"The on-call rotation changes every Monday at 09:00.",
		"Deploys need a green build and a second reviewer.",
	}
	for q, fact := range map[string]string{
		"When do production deploys happen?":  "Tuesdays and Thursdays",
		"On which weekday do deploys go out?": "Tuesdays and Thursdays",
	} {
		got := researchNotes(t, q, notes...)
		found := false
		for _, fs := range got {
			found = found || len(fs) > 0 && strings.Contains(fs[0], fact)
		}
		if !found {
			t.Errorf("%q answered by %v, want the sentence with %q", q, got, fact)
		}
	}
}

// The noun of the kind asked ("city", "command"), written in no passage,
// is no word an answer must share: a sentence that states a place, or a
// command line, answers with the rest of the topic.
func TestAnalystAnswersTheKindAskedWithoutItsNoun(t *testing.T) {
	ps := []reasoning.Passage{
		{ChunkID: "c1", SourceID: "oncall", Text: "The on-call rotation changes every Monday at 09:00, and each engineer is on call for one week.", Score: 3},
		{ChunkID: "c2", SourceID: "backups", Text: "Nightly database backups are retained for 30 days in Frankfurt.", Score: 2},
		{ChunkID: "c3", SourceID: "rollback", Text: "To undo a bad rollout of the payments API, run:\n\nkubectl -n payments rollout undo deployment/api", Score: 1},
	}
	for q, want := range map[string]string{
		"Which city are the backups kept in?":         "backups",
		"In which city are the nightly backups kept?": "backups",
		"Which kubectl command undoes the rollout?":   "rollback",
		"What command undoes the rollout?":            "rollback",
	} {
		a, err := New(Config{}).Roles().Analyst.Analyze(context.Background(), reasoning.AnalyzeRequest{
			Question: q, SubQuestion: reasoning.SubQuestion{ID: "s1", Text: q}, Passages: ps, MaxFindings: 3,
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Findings) == 0 || a.Findings[0].SourceID != want {
			t.Errorf("%q: findings %+v, want first from %s", q, a.Findings, want)
		}
	}
}

// A question that asks a second thing with its question word alone ("…
// and how often?", "…, and why?") asks for two types: a sentence holding
// either answers a part, so neither type is required. A trial's "Who runs
// the backup restore drill and how often?" dropped "A restore drill is
// done once a month …" for naming no person.
func TestClassifyTrailingQuestionWord(t *testing.T) {
	for q, want := range map[string]answerType{
		"Who runs the backup restore drill and how often?":             anyAnswer,
		"Who approves deploys, and when?":                              anyAnswer,
		"Which directories are a waste of space in a backup, and why?": anyAnswer,
		// The same type twice is that type; no trailing word, no split.
		"How long are backups kept and how long?": quantityAnswer,
		"Who runs the backup restore drill?":      personAnswer,
		"How do cats and dogs differ?":            classify("How do cats differ?"),
	} {
		if got := classify(q); got != want {
			t.Errorf("classify(%q) = %v, want %v", q, got, want)
		}
	}
	notes := []reasoning.Passage{
		{ChunkID: "a", SourceID: "a", Title: "Backups", Text: "Nightly database backups run at 02:00 UTC. A restore drill is done once a month to check that backups can be restored."},
		{ChunkID: "b", SourceID: "b", Title: "Deploys", Text: "Releases happen on Tuesdays and Thursdays only."},
	}
	f := analyzeQ(t, "Who runs the backup restore drill and how often?", notes...)
	if len(f) == 0 || !strings.Contains(f[0].Text, "once a month") {
		t.Errorf("findings %+v, want the monthly drill", f)
	}
}
