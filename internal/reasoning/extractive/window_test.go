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

// Passages written for these tests: a manual of a backup tool.
var (
	restorePassage = reasoning.Passage{
		ChunkID: "chunk-restore", SourceID: "src-manual", Title: "Archiver manual", Location: "/doc/archiver/restore.md", Score: 0.9,
		Text: "## Restoring files\n\n" +
			"To restore a deleted file from the newest snapshot, run:\n\n" +
			"```\narchiver restore --latest path/to/file\n```\n\n" +
			"The restored file comes back with the permissions and owner it had in the snapshot.\n" +
			"Restoring a whole folder works the same way with the folder's path.\n\n" +
			"## Project history\n\n" +
			"The project was started by two students who lost their thesis drafts.\n",
	}
	snapshotPassage = reasoning.Passage{
		ChunkID: "chunk-snap", SourceID: "src-concepts", Title: "Archiver concepts", Location: "/doc/archiver/concepts.md", Score: 0.8,
		Text: "## Snapshots\n\n" +
			"The archiver keeps old versions of your files as snapshots.\n" +
			"Each snapshot holds your files with their permissions and owners at the moment it was taken.\n" +
			"The web interface shows a small owl in its corner.\n",
	}
	pricingPassage = reasoning.Passage{
		ChunkID: "chunk-price", SourceID: "src-pricing", Title: "Pricing", Location: "/doc/archiver/pricing.md", Score: 0.5,
		Text: "## Plans\n\nThe hosted plan stores snapshots for a monthly fee.\nStudents get the hosted plan for free.\n",
	}
)

func analyzeQ(t *testing.T, q string, passages ...reasoning.Passage) []reasoning.Finding {
	t.Helper()
	a, err := New(Config{}).Analyze(context.Background(), reasoning.AnalyzeRequest{
		Question: q, SubQuestion: reasoning.SubQuestion{ID: "sq1", Text: q}, Passages: passages,
	})
	if err != nil {
		t.Fatal(err)
	}
	return a.Findings
}

// Issue 18 item 3: a how-to answer shows the command or code, with the
// sentence that introduces it and the sentences after it that speak of
// the question, as one finding; it stops where the heading changes.
func TestAnswerPassageShowsCodeWithItsIntroduction(t *testing.T) {
	fs := analyzeQ(t, "How do I restore a deleted file?", restorePassage, snapshotPassage, pricingPassage)
	if len(fs) == 0 {
		t.Fatal("no findings")
	}
	got := fs[0].Text
	// The code line starts with white space, as code does in a finding.
	want := "To restore a deleted file from the newest snapshot, run:\n\tarchiver restore --latest path/to/file\nThe restored file comes back with the permissions and owner it had in the snapshot."
	if !strings.HasPrefix(got, want) || fs[0].ChunkID != "chunk-restore" {
		t.Errorf("best finding %q from %s, want it to begin with %q", got, fs[0].ChunkID, want)
	}
	for _, f := range fs {
		if strings.Contains(f.Text, "thesis") {
			t.Errorf("a window crossed into another heading: %q", f.Text)
		}
	}
}

// A sentence that answers but shares one common word with the question
// ("Each snapshot holds your files …") is quoted with the sentence before
// it, with which it shares another ("files"); an unrelated neighbour (the
// owl) is not.
func TestAnswerPassageGrowsOverRelatedNeighbours(t *testing.T) {
	fs := analyzeQ(t, "What does a snapshot of the archiver keep?", snapshotPassage, pricingPassage, restorePassage)
	var snap string
	for _, f := range fs {
		if f.ChunkID == "chunk-snap" {
			snap = f.Text
		}
		if strings.Contains(f.Text, "owl") {
			t.Errorf("unrelated neighbour quoted: %q", f.Text)
		}
	}
	if !strings.Contains(snap, "keeps old versions of your files as snapshots. Each snapshot holds your files with their permissions") {
		t.Errorf("findings %v, want the two snapshot sentences as one passage", fs)
	}
}

// Windows never overlap or repeat a sentence: overlapping chunks of one
// page give each sentence once.
func TestAnswerPassagesDoNotRepeat(t *testing.T) {
	overlap := restorePassage
	overlap.ChunkID, overlap.Score = "chunk-restore-2", 0.85
	overlap.Text = "The restored file comes back with the permissions and owner it had in the snapshot.\n" +
		"Restoring a whole folder works the same way with the folder's path.\n"
	fs := analyzeQ(t, "How do I restore a deleted file?", restorePassage, overlap)
	seen := map[string]int{}
	for _, f := range fs {
		for _, s := range strings.Split(strings.ReplaceAll(f.Text, "\n", ". "), ". ") {
			seen[strings.TrimSuffix(s, ".")]++
		}
	}
	for s, n := range seen {
		if n > 1 && s != "" {
			t.Errorf("%q quoted %d times in %v", s, n, fs)
		}
	}
}

// Issue 18 item 2 for "why": a sentence that states a cause with an
// explicit connective ("because") and one topic word of the question is
// evidence; a sentence sharing the same word without a cause is not.
func TestReasonWithOneSharedWordIsEvidence(t *testing.T) {
	got := researchNotes(t, "Why was the launch postponed?",
		"The launch waited two weeks because the translations were late.",
		"The launch party had a live band and a photo booth.")
	fs := got["Why was the launch postponed?"]
	if len(fs) != 1 || !strings.Contains(fs[0], "because the translations were late") {
		t.Errorf("findings %q, want only the sentence with the cause", fs)
	}
}

// A sentence left unfinished before a code block ("… one of the methods"
// and then the method signatures) is completed by the code: the window
// shows it, as it shows the code after "run:". Issue 18: a window that
// stops just before its answer loses it.
func TestAnswerPassageShowsCodeThatFinishesTheSentence(t *testing.T) {
	p := reasoning.Passage{
		ChunkID: "chunk-plugins", SourceID: "src-plugins", Title: "Archiver plugins", Location: "/doc/archiver/plugins.md", Score: 0.9,
		Text: "## Plugins\n\n" +
			"A plugin registers itself with the archiver when its type has one of the methods\n\n" +
			"\tRegister(a *Archiver) error\n\tRegisterAll(a *Archiver) []error\n\n" +
			"The archiver calls the method once when it starts.\n",
	}
	fs := analyzeQ(t, "What makes a plugin register itself with the archiver?", p, snapshotPassage)
	if len(fs) == 0 {
		t.Fatal("no findings")
	}
	if !strings.Contains(fs[0].Text, "Register(a *Archiver) error") {
		t.Errorf("best finding %q: want the method signatures that finish its sentence", fs[0].Text)
	}
	// A finished sentence before code that nothing introduces keeps the
	// code out.
	p.Text = strings.Replace(p.Text, "one of the methods\n", "a registration method.\n", 1)
	fs = analyzeQ(t, "What makes a plugin register itself with the archiver?", p, snapshotPassage)
	if len(fs) == 0 || strings.Contains(fs[0].Text, "Register(a") {
		t.Errorf("findings %v: want the finished sentence without the code after it", fs)
	}
}

// A short finished sentence after the selected one is part of its answer
// passage, although it is too short to be a finding alone; a short line
// that is no sentence is not.
func TestAnswerPassageKeepsAShortSentenceAfterIt(t *testing.T) {
	settings := reasoning.Passage{
		ChunkID: "chunk-settings", SourceID: "src-settings", Title: "Archiver settings", Location: "/doc/archiver/settings.md", Score: 0.9,
		Text: "## archive.chunkSize\n\n" +
			"The size of the pieces a large file is split into before upload.\n" +
			"Pieces are 8 MiB.\n\n" +
			"The web interface shows a small owl in its corner.\n",
	}
	fs := analyzeQ(t, "Into what pieces is a large file split before upload?", settings, snapshotPassage, pricingPassage)
	if len(fs) == 0 {
		t.Fatal("no findings")
	}
	if want := "The size of the pieces a large file is split into before upload. Pieces are 8 MiB."; fs[0].Text != want {
		t.Errorf("best finding %q, want %q", fs[0].Text, want)
	}
	// A reference manual leaves out the subject it documents.
	for _, s := range []string{"The default is 8 MiB.", "Pieces are 8 MiB.", "Defaults to 64 KiB.", "Requires a restart."} {
		if !shortSentence(s) {
			t.Errorf("shortSentence(%q) = false", s)
		}
	}
	for _, s := range []string{"see also upload", "The default is", "| a | b |", "Next page »", "Class of the service.", "Notes on the release.", "Tips for the shell."} {
		if shortSentence(s) {
			t.Errorf("shortSentence(%q) = true", s)
		}
	}
}

// A window grows over a neighbour that shares one question term even when
// that term is in most candidate sentences: on a page about snapshots,
// "snapshot" is everywhere, and the sentence after the selected one that
// speaks of snapshots still belongs to its answer.
func TestAnswerPassageGrowsOverNeighbourWithACommonTopicWord(t *testing.T) {
	pruning := reasoning.Passage{
		ChunkID: "chunk-prune", SourceID: "src-prune", Title: "Archiver manual", Location: "/doc/archiver/prune.md", Score: 0.9,
		Text: "## Pruning\n\n" +
			"The cleaner prunes expired snapshots every night.\n" +
			"A snapshot is kept while a newer snapshot still needs its files.\n" +
			"The web interface shows a small owl in its corner.\n",
	}
	more := reasoning.Passage{
		ChunkID: "chunk-snap2", SourceID: "src-concepts", Title: "Archiver concepts", Location: "/doc/archiver/concepts.md", Score: 0.8,
		Text: "## Snapshots\n\n" +
			"Each snapshot records the permissions and owners of your files.\n" +
			"A snapshot can be mounted as a read-only folder.\n" +
			"The hosted plan costs a monthly fee.\n",
	}
	fs := analyzeQ(t, "What does the cleaner do to a snapshot?", pruning, more)
	if len(fs) == 0 {
		t.Fatal("no findings")
	}
	want := "The cleaner prunes expired snapshots every night. A snapshot is kept while a newer snapshot still needs its files."
	if !strings.HasPrefix(fs[0].Text, want) {
		t.Errorf("best finding %q, want it to begin with %q", fs[0].Text, want)
	}
	for _, f := range fs {
		if strings.Contains(f.Text, "owl") {
			t.Errorf("unrelated neighbour quoted: %q", f.Text)
		}
	}
}

// A manual lists an option under all its names, one a line ("-a", then
// "--all"): they are one entry's term. A sentence that opens an entry
// ("This option is only valid for …") refers to its own term, not to the
// entry before: joined to it, the restriction of one option was quoted as
// another's.
func TestOptionEntriesKeepTheirNames(t *testing.T) {
	text := "OPTIONS\n\n-a\n--all\n\nThis option is only valid for the save command.\n\nAll ignored files are also saved and then cleaned up.\n\n" +
		"--only-ignored\n\nThis option is only valid for the list command.\n\nList only the ignored files of the saved entry.\n\n" +
		"--keep\n\nThis option is only valid for the pop command.\n\nKeeps the entry after it is applied."
	ss := withContext(passageSentences(text))
	want := []struct{ text, term, defines string }{
		{"This option is only valid for the save command.", "-a, --all", "-a, --all"},
		{"All ignored files are also saved and then cleaned up.", "", "-a, --all"},
		{"This option is only valid for the list command.", "--only-ignored", "--only-ignored"},
		{"List only the ignored files of the saved entry.", "", "--only-ignored"},
		{"This option is only valid for the pop command.", "--keep", "--keep"},
		{"Keeps the entry after it is applied.", "", "--keep"},
	}
	if len(ss) != len(want) {
		t.Fatalf("%d sentences %+v, want %d", len(ss), ss, len(want))
	}
	for i, w := range want {
		if ss[i].text != w.text || ss[i].term != w.term || ss[i].defines != w.defines {
			t.Errorf("sentence %d = %q (term %q, entry %q), want %q (term %q, entry %q)", i, ss[i].text, ss[i].term, ss[i].defines, w.text, w.term, w.defines)
		}
	}
}

// The sentences after an entry's first describe the same option: a window
// opening an entry grows over them whether or not they share the
// question's words.
func TestWindowKeepsTheEntryTogether(t *testing.T) {
	text := "--all\n\nStage every change.\n\n-n\n--[no-]verify\n\nBy default, the pre-save and save-msg hooks are run. When any of --no-verify or -n is given, these are bypassed. See also hooks(5).\n\n--quiet\n\nPrint nothing."
	f := analyzeOne(t, "How do I save once without running the pre-save hook?", text)
	if len(f) == 0 || !strings.Contains(f[0].Text, "these are bypassed") {
		t.Errorf("findings %+v, want the --[no-]verify entry with its second sentence", f)
	}
}

// A how-to answer shows the command: a window that holds none grows over
// the step beside it that gives one, though that step shares no word with
// the question ("You start the pager as "tend -r"." before the sentence
// that says what it brings back).
func TestAnswerPassageOfAHowToTakesTheStepWithItsCommand(t *testing.T) {
	steps := reasoning.Passage{
		ChunkID: "chunk-steps", SourceID: "src-tend", Title: "The tend program", Location: "/doc/tend/steps.md", Score: 0.9,
		Text: "## Keeping sessions\n\n" +
			"You close the lid of the laptop and walk home.\n\n" +
			"You start the pager as \"tend -r\".\n\n" +
			"The pager reopens every earlier session with its running jobs after you log in again.\n",
	}
	q := "How do I get my running jobs back after I log in again?"
	fs := analyzeQ(t, q, steps, snapshotPassage, pricingPassage)
	if len(fs) == 0 {
		t.Fatal("no findings")
	}
	want := "You start the pager as \"tend -r\". The pager reopens every earlier session with its running jobs after you log in again."
	if fs[0].Text != want {
		t.Errorf("best finding %q, want %q", fs[0].Text, want)
	}
	// A step gives a command: a name or a path beside the answer is none.
	for s, want := range map[string]bool{
		"You start the pager as \"tend -r\".":                     true,
		"Run it again with --force.":                              true,
		"Our team moved the whole project to GitHub last spring.": false,
		"It runs 24/7 and/or on demand.":                          false,
		"A match of the \"vendor\" element is never made.":        false,
		"To see the list, run:\n\ttend --list":                    true,
	} {
		if got := givesStep(s); got != want {
			t.Errorf("givesStep(%q) = %v", s, got)
		}
	}
	// A question that asks for no procedure keeps the window as it was.
	q = "Are my running jobs still there after I log in again?"
	fs = analyzeQ(t, q, steps, snapshotPassage, pricingPassage)
	if len(fs) == 0 || strings.Contains(fs[0].Text, "tend -r") {
		t.Errorf("a yes-no question got the step: %+v", fs)
	}
}

// A sentence that leans on the one before ("This command will …") is
// joined to it; when that one ends with the command it introduces, the
// joined sentence starts a line of its own, so the report shows the
// command as code and the sentence as prose (a new user's report read
// "`$ git pull This command will fetch changes …`").
func TestLeaningSentenceIsNotPartOfTheCommandBeforeIt(t *testing.T) {
	text := "So often you can accomplish the above with just a simple\n\n$ git pull\n\nThis command will fetch changes from the remote branches and merge the default branch into the current branch.\n\nMore generally, a branch pulls by default from its upstream."
	ss := withContext(passageSentences(text))
	want := "So often you can accomplish the above with just a simple\n$ git pull\nThis command will fetch changes from the remote branches and merge the default branch into the current branch."
	if len(ss) != 2 || ss[0].text != want {
		t.Fatalf("sentences %+v, want first %q", ss, want)
	}
	// The lines after the first are read as the report reads them: the
	// command, then prose.
	lines := strings.Split(ss[0].text, "\n")
	if _, ok := textproc.PromptCommand(lines[1]); !ok {
		t.Errorf("line %q is not the command", lines[1])
	}
	if _, ok := textproc.PromptCommand(lines[2]); ok {
		t.Errorf("line %q read as a command", lines[2])
	}
}

// A command with a comment after it is a command, though the comment ends
// as a sentence does: it goes with the sentence that introduces it, and
// is not read as prose ("$ git bisect good/bad # previous round was good
// or bad. Bisecting: 337 revisions left …" was quoted as one sentence).
func TestCommandWithACommentIsACommand(t *testing.T) {
	text := "Keep repeating the process until the first bad commit is found:\n\n$ git bisect good\t\t# the build passed.\n$ git bisect visualize\t# oops, that is uninteresting.\n\nThe reference is left pointing at that commit."
	ss := withContext(passageSentences(text))
	want := []string{
		"Keep repeating the process until the first bad commit is found:\n$ git bisect good\t\t# the build passed.\n$ git bisect visualize\t# oops, that is uninteresting.",
		"The reference is left pointing at that commit.",
	}
	if len(ss) != len(want) {
		t.Fatalf("sentences %+v, want %q", ss, want)
	}
	for i, w := range want {
		if ss[i].text != w {
			t.Errorf("sentence %d = %q, want %q", i, ss[i].text, w)
		}
	}
	// Prose after a prompt stays prose.
	for _, line := range []string{"$ 5 per month.", "# see the manual for details."} {
		if got := commandLine(line); got != "" {
			t.Errorf("commandLine(%q) = %q, want none", line, got)
		}
	}
}

// A shell's special parameters are asked about in symbols ("$*", "$@"):
// their entries answer, not a sentence that shares the question's other
// words ("double quotes"). A new user's report of the difference between
// "$*" and "$@" quoted history expansion and quoting rules instead.
func TestSpecialParametersAskedInSymbols(t *testing.T) {
	quoting := "The difference between single and double quotes: inside double quotes, characters keep their literal value, except the dollar sign and the backslash. A double quote may be quoted inside double quotes by preceding it with a backslash."
	params := "*\n\n($*) Expands to the positional parameters, starting from one. When the expansion occurs within double quotes, it expands to a single word with the values separated by the first character of the separator variable.\n\n" +
		"@\n\n($@) Expands to the positional parameters, starting from one. When the expansion occurs within double quotes, each parameter expands to a separate word.\n\n" +
		"#\n\n($#) Expands to the number of positional parameters in decimal."
	tests := []struct{ q, want, not string }{
		{`What's the difference between "$*" and "$@" when they are inside double quotes?`, "single word", "literal value"},
		{"What does $# give me inside a script?", "number of positional parameters", "literal value"},
	}
	for _, tt := range tests {
		fs := analyzeOne(t, tt.q, quoting, params)
		var all []string
		for _, f := range fs {
			all = append(all, f.Text)
		}
		text := strings.Join(all, " | ")
		if !strings.Contains(text, tt.want) {
			t.Errorf("%q: findings %q, want one stating %q", tt.q, text, tt.want)
		}
		if len(fs) > 0 && strings.Contains(fs[0].Text, tt.not) {
			t.Errorf("%q: best finding %q is the quoting rule", tt.q, fs[0].Text)
		}
	}
}

// A manual's example explains its commands in a callout list: "<1>" ends
// the command line, and the first paragraph after the block explains it.
// A quoted explanation carries its command: "The last three commits …
// were bad" was quoted for "undo my last commit but keep my changes"
// without the `git reset --hard HEAD~3` it describes, and "Leaves working
// tree as it was" without `git reset --soft HEAD^` (new-user trials).
func TestCalloutExplanationCarriesItsCommand(t *testing.T) {
	redo := "Undo a commit and redo\n\n$ git commit ...\n$ git reset --soft HEAD^      <1>\n$ edit                        <2>\n$ git commit -a -c ORIG_HEAD  <3>\n\n" +
		"This is most often done when you remembered what you just committed is incomplete, or you misspelled your commit message, or both. Leaves working tree as it was before reset.\n\n" +
		"Make corrections to working tree files.\n\n" +
		"Reset copies the old head to ORIG_HEAD; redo the commit by starting with its log message."
	permanent := "Undo commits permanently\n\n$ git commit ...\n$ git reset --hard HEAD~3   <1>\n\n" +
		"The last three commits (HEAD, HEAD^, and HEAD~2) were bad and you do not want to ever see them again. Do not do this if you have already given these commits to somebody else."
	fs := analyzeOne(t, "How do I undo my last commit but keep my changes?", redo, permanent)
	if len(fs) == 0 {
		t.Fatal("no findings")
	}
	soft := false
	for _, f := range fs {
		if strings.Contains(f.Text, "were bad") && !strings.Contains(f.Text, "git reset --hard HEAD~3") {
			t.Errorf("finding %q quotes the explanation without its command", f.Text)
		}
		if (strings.Contains(f.Text, "most often done") || strings.Contains(f.Text, "Leaves working tree")) && !strings.Contains(f.Text, "git reset --soft HEAD^") {
			t.Errorf("finding %q quotes the explanation without its command", f.Text)
		}
		soft = soft || strings.Contains(f.Text, "git reset --soft HEAD^")
	}
	if !soft {
		t.Errorf("findings %+v: none shows git reset --soft HEAD^", fs)
	}
	// Each explanation is its own: "This removes …" explains the second
	// command, not the first paragraph.
	ss := withContext(passageSentences("Undo add\n\n$ edit      <1>\n$ git reset <2>\n\nYou find the changes in these files are in good order.\n\nThis removes the file from the index."))
	if len(ss) != 2 || ss[1].text != "This removes the file from the index.\n$ git reset" {
		t.Errorf("sentences %+v, want the second explanation with its own command", ss)
	}
}

// The entry of the special parameter a question names ("$$") answers it
// though retrieval ranked its passage below the best six, and the question
// mark after a parenthesis names no "$?" ("does $$ give me the subshell's
// pid when I'm inside ( ... )?" ended with no finding).
func TestEntryOfTheNamedParameterAnswersFromAWidePassage(t *testing.T) {
	q := "does $$ give me the subshell's pid when I'm inside ( ... )?"
	var texts []string
	for i := range 6 {
		texts = append(texts, fmt.Sprintf("Commands grouped in parentheses run in subshell number %d. A subshell is a copy of the shell process, with a pid of its own.", i))
	}
	texts = append(texts, "$\n\n($$) Expands to the process ID of the shell. In a subshell, it expands to the process ID of the invoking shell, not the subshell.\n\n"+
		"?\n\n($?) Expands to the exit status of the most recently executed foreground pipeline.")
	fs := analyzeOne(t, q, texts...)
	found := false
	for _, f := range fs {
		found = found || strings.Contains(f.Text, "invoking shell, not the subshell")
		if strings.Contains(f.Text, "exit status") {
			t.Errorf("finding %q: the entry of $?, which the question does not name", f.Text)
		}
	}
	if !found {
		t.Errorf("findings %+v, want the entry of $$", fs)
	}
	if got := entryNames(q); !slices.Equal(got, []string{"$$"}) {
		t.Errorf("entryNames(%q) = %q, want [$$]", q, got)
	}
}

// A sentence that introduces a file's lines "as the following." shows
// them: "… list all those packages at the top of it as the following."
// was quoted without the "Pin-Priority: -1" lines it introduces (a
// new-user trial; the lines were read as a fragment of prose).
func TestIntroducedFileLinesAreShown(t *testing.T) {
	text := "You must avoid pinning unless you need it.\n\n" +
		"If you wish not to pull in particular packages automatically by Recommends, you must create the preferences file and list those packages at the top of it as the following.\n\n" +
		"Package: package-1\nPin: version *\nPin-Priority: -1\n\n" +
		"Package: package-2\nPin: version *\nPin-Priority: -1\n\n" +
		"Upgrades then leave those packages alone."
	fs := analyzeOne(t, "How do I keep apt from pulling in recommended packages automatically?", text)
	if len(fs) == 0 || !strings.Contains(fs[0].Text, "as the following.") {
		t.Fatalf("findings %+v, want the introduction first", fs)
	}
	if !strings.Contains(fs[0].Text, "\n\tPin-Priority: -1") {
		t.Errorf("finding %q, want the file's lines as code after it", fs[0].Text)
	}
	if !introduces("The meaning is as follows.") || introduces("This is the following step.") {
		t.Error("introduces: want a sentence ending \"as follows.\" to introduce, and no other full stop")
	}
}

// A wrapped paragraph of prose whose first line reads like a field ("Note:
// this removes …") or holds a link is prose, not a file's lines, even after
// a code block or a colon; "#12" is no comment. (Faults a reviewer found in this session's first forms.)
func TestFileLinesAndCalloutsDoNotTakeProse(t *testing.T) {
	tests := []struct{ q, text, want string }{
		{"Will clearing the cache remove my cached credentials?",
			"To remove the cache, run:\n\n    rm -rf ~/.cache/foo\n\nNote: this removes all cached credentials as well, so you will\nneed to log in again.",
			"Note: this removes all cached credentials as well, so you will need to log in again."},
		{"Does the upgrade delete data in the database?",
			"Before you upgrade, read this:\n\nWarning: this will delete all data in the\ndatabase, so back it up first.",
			"Warning: this will delete all data in the database"},
		{"Can the watcher leave child processes running?",
			"The watcher restarts the task on every change:\n\nThere is a [known issue](https://example.org/issues/7) where the watcher\nmay leave child processes running after a restart.",
			"There is a [known issue](https://example.org/issues/7) where the watcher may leave child processes running"},
	}
	for _, tt := range tests {
		var all []string
		for _, f := range analyzeOne(t, tt.q, tt.text) {
			all = append(all, f.Text)
		}
		if !strings.Contains(strings.Join(all, " | "), tt.want) {
			t.Errorf("%q: findings %q, want one stating %q", tt.q, all, tt.want)
		}
	}
	for _, line := range []string{"# the default is fine for most users, see #12.", "# wait for it..."} {
		if got := commandLine(line); got != "" {
			t.Errorf("commandLine(%q) = %q, want none", line, got)
		}
	}
}

// Callout explanations that name their marks ("<1> …", "(2) …", or "3. …"
// as the HTML extractor numbers an ordered list) carry the command of
// their mark, also when an explanation before them has two paragraphs (by
// order, "Make corrections …" took the command of <1>: git-reset(1)'s
// examples, whose colist numbers the extractor dropped); the paragraphs
// after the list, and a numbered list of something else, carry none.
func TestCalloutExplanationsByNumber(t *testing.T) {
	block := "Undo a commit and redo\n\n$ git commit ...\n$ git reset --soft HEAD^   <1>\n$ edit                     <2>\n$ git commit -c ORIG_HEAD  <3>\n\n"
	tests := []struct {
		name, text string
		want       map[string]string // sentence start → the command it carries ("" none)
	}{
		{"numbered items, the first in two paragraphs", block +
			"1. This is most often done when you committed too early.\n\nYour files stay as they were before the reset.\n\n2. Make corrections to working tree files.\n\n3. Redo the commit with its old message.\n\nBranches are cheap, so make many of them.",
			map[string]string{"This is most often": "$ git reset --soft HEAD^", "Your files stay": "", "Make corrections": "$ edit", "Redo the commit": "$ git commit -c ORIG_HEAD", "Branches are cheap": ""}},
		{"marks in one paragraph", block +
			"<1> This is most often done when you committed too early.\n<2> Make corrections to working tree files.\n<3> Redo the commit with its old message.\n\nBranches are cheap, so make many of them.",
			map[string]string{"This is most often": "$ git reset --soft HEAD^", "Make corrections": "$ edit", "Redo the commit": "$ git commit -c ORIG_HEAD", "Branches are cheap": ""}},
		{"parenthesised marks, one skipped", block +
			"(1) This is most often done when you committed too early.\n\n(3) Redo the commit with its old message.",
			map[string]string{"This is most often": "$ git reset --soft HEAD^", "Redo the commit": "$ git commit -c ORIG_HEAD"}},
		{"a later list restarts at 1", block +
			"1. This is most often done when you committed too early.\n\n2. Make corrections to working tree files.\n\nTo publish:\n\n1. Push the branch to your fork.\n\n2. Open a merge request.",
			map[string]string{"This is most often": "$ git reset --soft HEAD^", "Make corrections": "$ edit", "Push the branch": "", "Open a merge": ""}},
		{"a number that is no mark", block +
			"7. Seven is not a mark of this block.\n\nNor is this explained.",
			map[string]string{"Seven is not": "", "Nor is this": ""}},
	}
	for _, tt := range tests {
		got := map[string]string{}
		for _, s := range withContext(passageSentences(tt.text)) {
			if s.code {
				continue
			}
			first, cmd, _ := strings.Cut(s.text, "\n")
			for start := range tt.want {
				if strings.HasPrefix(first, start) {
					got[start] = cmd
				}
			}
		}
		for start, want := range tt.want {
			cmd, ok := got[start]
			if !ok {
				t.Errorf("%s: no sentence starts %q", tt.name, start)
			} else if cmd != want {
				t.Errorf("%s: sentence %q carries %q, want %q", tt.name, start, cmd, want)
			}
		}
	}
}

// Callout lists a reviewer broke: a heading ended the commands but not
// their marks, so the next block's explanations took a command by a stale
// index (a panic, or "<1>" carrying the command of "<2>"); a block whose
// marks start again is a block of its own; a short explanation ("1. Undo
// the last commit", "<1> Undo it.") is no heading or code; an
// introduction ending ":" explains no command.
func TestCalloutListsKeepTheirMarks(t *testing.T) {
	commandOf := func(text, start string) (string, bool) {
		for _, s := range passageSentences(text) {
			first, cmd, _ := strings.Cut(s.text, "\n")
			if !s.code && strings.HasPrefix(first, start) {
				return cmd, true
			}
		}
		return "", false
	}
	tests := []struct{ name, text, start, want string }{
		{"a heading between blocks", "$ git reset --soft HEAD^  <1>\n$ edit  <2>\n\nStash\n\n$ git stash  <1>\n\n1. Saves your work first.\n2. Then pulls the changes.",
			"Saves your work", "$ git stash"},
		{"stale marks after a heading", "$ git reset --soft HEAD^  <2>\n\n## Stash\n\n$ git stash  <1>\n$ git pull  <2>\n\n<1> Saves your work first.\n\n<2> Then pulls the changes.",
			"Then pulls", "$ git pull"},
		{"two blocks in a row", "$ git reset --soft HEAD^  <1>\n\n$ git stash  <1>\n\n<1> Saves your work first.",
			"Saves your work", "$ git stash"},
		{"short numbered items", "$ git reset --soft HEAD^  <1>\n$ edit  <2>\n\n1. Undo the last commit\n\n2. Edit the files",
			"Edit the files", "$ edit"},
		{"a short first mark", "$ git reset --soft HEAD^  <1>\n$ edit  <2>\n\n<1> Undo it.\n<2> Make corrections to working tree files.",
			"Make corrections", "$ edit"},
		{"an introduction before the marks", "$ git reset --soft HEAD^  <1>\n$ edit  <2>\n\nWhere:\n\n<1> This undoes the commit.\n<2> You fix the files.",
			"This undoes", "$ git reset --soft HEAD^"},
	}
	for _, tt := range tests {
		var got string
		var found bool
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: passageSentences panicked: %v", tt.name, r)
				}
			}()
			got, found = commandOf(tt.text, tt.start)
		}()
		if !found {
			t.Errorf("%s: no sentence starts %q", tt.name, tt.start)
		} else if got != tt.want {
			t.Errorf("%s: %q carries %q, want %q", tt.name, tt.start, got, tt.want)
		}
	}
}

// A how-to answer from a list of steps gives them all, in their order,
// with their commands: a trial's "How do I restore the billing database
// from a backup?" was answered with steps 2 and 3, then step 1, and
// without step 4.
func TestStepsAreQuotedWholeAndInOrder(t *testing.T) {
	restore := reasoning.Passage{ChunkID: "a", SourceID: "a", Title: "Restoring the billing database",
		Text: "# Restoring the billing database\n\nRestores are done from the nightly backup in the Frankfurt bucket.\n\n" +
			"1. Stop the billing workers so nothing writes during the restore:\n\n       systemctl stop billing-worker\n\n" +
			"2. Download the newest dump:\n\n       aws s3 cp s3://kestrel-backups/billing/latest.dump /tmp/latest.dump\n\n" +
			"3. Load it into a fresh database:\n\n       pg_restore --clean --dbname billing /tmp/latest.dump\n\n" +
			"4. Start the workers again and check the dashboard for errors.\n\n" +
			"If the restore fails halfway, drop the database and start again from step 2.\n"}
	for _, q := range []string{"How do I restore the billing database from a backup?", "How can I restore the billing database?"} {
		f := analyzeQ(t, q, restore)
		var steps string
		for _, x := range f {
			if strings.Contains(x.Text, "systemctl stop billing-worker") {
				steps = x.Text
			}
		}
		want := []string{"Stop the billing workers", "systemctl stop billing-worker", "Download the newest dump", "aws s3 cp", "Load it into a fresh database", "pg_restore", "Start the workers again"}
		at := -1
		for _, w := range want {
			i := strings.Index(steps, w)
			if i <= at {
				t.Errorf("%q: the steps finding %q lacks %q or has it out of order", q, steps, w)
				break
			}
			at = i
		}
	}
	// A question that asks no procedure is answered as before: by the
	// sentences about it, not the whole list.
	f := analyzeQ(t, "Where are the backups for restores kept?", restore)
	for _, x := range f {
		if strings.Contains(x.Text, "Start the workers again") {
			t.Errorf("a where-question quoted the whole list: %q", x.Text)
		}
	}
}

// The list under a heading the question names is its answer, whole and
// in order: a trial's "What are the action items from the payments
// postmortem?" was answered with the timeline and the cause, and "What
// were the decisions of the engineering sync?" with one decision of
// three and the next meeting's date.
func TestTheListAHeadingNamesIsQuotedWhole(t *testing.T) {
	postmortem := reasoning.Passage{ChunkID: "a", SourceID: "a", Title: "Postmortem: payments outage of 12 March 2026",
		Text: "# Postmortem: payments outage of 12 March 2026\n\n## Cause\n\nAn expired TLS certificate on the payment gateway's internal proxy.\n\n" +
			"## Timeline\n\n- 09:13 first alerts fire; the Payments on-call acknowledges at 09:16.\n- 10:00 payments recover.\n\n" +
			"## Action items\n\n- Re-enable the renewal job (owner: Jonas Brandt, done).\n- Alert 14 days before any certificate expires (owner: Platform team, due 30 April 2026).\n"}
	sync := reasoning.Passage{ChunkID: "b", SourceID: "b", Title: "Engineering sync, 18 November 2026",
		Text: "# Engineering sync, 18 November 2026\n\n## Decisions\n\n- We move from Jenkins to GitHub Actions by the end of Q1 2027.\n- The Payments team gets a third engineer; the hiring budget was approved.\n- Backups of the analytics database move to a weekly schedule.\n\n" +
			"## Next meeting\n\nThe next sync is on 2 December 2026 in room Elbe.\n"}
	for q, want := range map[string][]string{
		"What are the action items from the payments postmortem?": {"Re-enable the renewal job", "Alert 14 days before any certificate expires"},
		"What were the decisions of the engineering sync?":        {"We move from Jenkins", "The Payments team gets a third engineer", "Backups of the analytics database move"},
	} {
		f := analyzeQ(t, q, postmortem, sync)
		if len(f) == 0 {
			t.Errorf("%q: no findings", q)
			continue
		}
		at := -1
		for _, w := range want {
			i := strings.Index(f[0].Text, w)
			if i <= at {
				t.Errorf("%q: first finding %q lacks %q or has it out of order", q, f[0].Text, w)
				break
			}
			at = i
		}
	}
}

// A how-to written as sentences that each introduce a code block ("Install
// it with:", the block, "Then fetch … and start the tunnel:", the block)
// is one list of steps, quoted whole and in order: a trial's "How do I
// connect to the VPN?" gave them as two findings, the second ranked first
// by one and the summary splitting them. A single such sentence is no list.
func TestProseStepsAreQuotedWhole(t *testing.T) {
	vpn := reasoning.Passage{ChunkID: "a", SourceID: "a", Title: "How to connect to the VPN",
		Text: "# How to connect to the VPN\n\nWe use WireGuard. Install it with:\n\n```sh\nbrew install wireguard-tools\n```\n\n" +
			"Then fetch your config from the internal portal and start the tunnel:\n\n```sh\nsudo wg-quick up acme\n```\n\n" +
			"To disconnect, run `sudo wg-quick down acme`.\nThe VPN is required for staging and for the database consoles.\n"}
	f := analyzeQ(t, "How do I connect to the VPN?", vpn)
	i := slices.IndexFunc(f, func(f reasoning.Finding) bool { return strings.Contains(f.Text, "brew install wireguard-tools") })
	if i < 0 {
		t.Fatalf("findings %+v, want the steps", f)
	}
	if a, b := strings.Index(f[i].Text, "brew install"), strings.Index(f[i].Text, "sudo wg-quick up acme"); b < a {
		t.Errorf("finding %q, want both steps in order", f[i].Text)
	}
	sents := passageSentences("# Setup\n\nInstall it with:\n\n```sh\nbrew install wireguard-tools\n```\n\nThat is all.\n")
	if _, _, ok := proseSteps(sents, 1); ok {
		t.Errorf("proseSteps of one step: ok, want no list")
	}
}
