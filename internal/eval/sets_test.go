package eval

import (
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The committed development sets parse, have enough questions, and every
// nugget of an answerable question can be found in one of its gold
// documents: a set whose nuggets no source states measures nothing.

var (
	tags     = regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<[^>]+>`)
	comments = regexp.MustCompile(`(?m)^\s*//\s?`)
)

func plain(data []byte) string {
	s := tags.ReplaceAllString(string(data), " ")
	s = comments.ReplaceAllString(html.UnescapeString(s), "")
	return strings.Join(strings.Fields(s), " ")
}

func goRoot(t *testing.T) string {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Skipf("no go command: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// goldTexts returns the texts of the gold documents of q.
func goldTexts(t *testing.T, q Question, roots []string) []string {
	var out []string
	for _, g := range q.Gold {
		found := false
		for _, root := range roots {
			for _, ext := range []string{"", ".html", ".txt"} {
				data, err := os.ReadFile(filepath.Join(root, g+ext))
				if err == nil {
					out = append(out, plain(data))
					found = true
				}
			}
		}
		if !found {
			t.Errorf("%s: gold %q is not under %v", q.ID, g, roots)
		}
	}
	return out
}

func checkSet(t *testing.T, path string, roots []string, minQuestions int) Set {
	t.Helper()
	s, err := LoadSet(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Questions) < minQuestions {
		t.Errorf("%s: %d questions, want at least %d", path, len(s.Questions), minQuestions)
	}
	for _, q := range s.Questions {
		if !q.Answerable {
			continue
		}
		if len(q.Nuggets) < 1 || len(q.Nuggets) > 4 {
			t.Errorf("%s: %d nuggets, want 1-4", q.ID, len(q.Nuggets))
		}
		texts := goldTexts(t, q, roots)
		for _, n := range q.Nuggets {
			re, _ := compileNugget(n)
			ok := false
			for _, text := range texts {
				ok = ok || re.MatchString(text)
			}
			if !ok {
				t.Errorf("%s: nugget %q is in none of its gold documents %v", q.ID, n, q.Gold)
			}
		}
	}
	return s
}

func TestDevSetGoDocs(t *testing.T) {
	t.Parallel()
	root := goRoot(t)
	checkSet(t, "../../testdata/eval/go-docs.tsv", []string{root}, 20)
	checkSet(t, "../../testdata/eval/go-users.tsv", []string{root}, 20)
	ci := checkSet(t, "../../testdata/eval/ci.tsv", []string{root}, 3)
	for _, q := range ci.Questions {
		if q.Corpus != DefaultCorpus {
			t.Errorf("CI question %s uses corpus %s; CI has only the Go docs", q.ID, q.Corpus)
		}
	}
}

func TestDevSetGitDoc(t *testing.T) {
	t.Parallel()
	const dir = "/usr/share/doc/git-doc"
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("git-doc is not installed (apt-get install git-doc): %v", err)
	}
	checkSet(t, "../../testdata/eval/git-doc.tsv", []string{dir}, 15)
	checkSet(t, "../../testdata/eval/git-users.tsv", []string{dir}, 15)
}

// debPackageSet checks a set over a Debian documentation package: its
// corpus pattern matches files of the package, and its nuggets are in its
// gold documents.
func debPackageSet(t *testing.T, set, pkg, dir string, min int) {
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("%s is not installed (apt-get install %s): %v", pkg, pkg, err)
	}
	s := checkSet(t, set, []string{dir}, min)
	// The first question's corpus pattern stands for the set's (they share
	// one package).
	if len(s.Questions) > 0 {
		q := s.Questions[0]
		got, err := CorpusFolder(q.CorpusPath, t.TempDir())
		if err != nil {
			t.Fatalf("%s: %v", q.ID, err)
		}
		entries, err := os.ReadDir(got)
		if err != nil || len(entries) < 2 {
			t.Fatalf("%s: corpus folder %s holds %d files (%v), want the package's documents", q.ID, got, len(entries), err)
		}
	}
}

func TestDevSetDebianReference(t *testing.T) {
	debPackageSet(t, "../../testdata/eval/debian-reference.tsv", "debian-reference-en", "/usr/share/debian-reference", 30)
}

func TestDevSetBash(t *testing.T) {
	debPackageSet(t, "../../testdata/eval/bash.tsv", "bash-doc", "/usr/share/doc/bash", 30)
}

// The development sets together: at least 150 questions over at least 4
// corpora, about 15% unanswerable, and both halves of the split used.
func TestDevSetsTogether(t *testing.T) {
	files, err := filepath.Glob("../../testdata/eval/*.tsv")
	if err != nil {
		t.Fatal(err)
	}
	corpora := map[string]bool{}
	halves := map[string]int{}
	var n, unanswerable int
	for _, f := range files {
		if filepath.Base(f) == "ci.tsv" {
			continue // a subset of go-docs
		}
		s, err := LoadSet(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range s.Questions {
			n++
			corpora[q.Corpus] = true
			halves[Half(q.ID)]++
			if !q.Answerable {
				unanswerable++
			}
		}
	}
	if n < 150 || len(corpora) < 4 {
		t.Errorf("%d questions over %d corpora, want at least 150 over 4", n, len(corpora))
	}
	if share := float64(unanswerable) / float64(n); share < 0.10 || share > 0.20 {
		t.Errorf("%d of %d unanswerable (%.0f%%), want about 15%%", unanswerable, n, 100*share)
	}
	if halves[HalfTune] < n/3 || halves[HalfTest] < n/3 {
		t.Errorf("halves %v of %d questions: the split is lopsided", halves, n)
	}
}

// The probe sets load and name only the development sets' corpora; the
// unanswerable set is unanswerable throughout, and every answerable typed,
// held-out or users'-words probe has nuggets and a gold source.
func TestProbeSets(t *testing.T) {
	typed, err := LoadSet("../../testdata/eval/probes/typed.tsv")
	if err != nil {
		t.Fatal(err)
	}
	heldout, err := LoadSet("../../testdata/eval/probes/heldout.tsv")
	if err != nil {
		t.Fatal(err)
	}
	typed.Questions = append(typed.Questions, heldout.Questions...)
	// The set in users' words has its own unanswerable questions.
	wild, err := LoadSet("../../testdata/eval/probes/wild.tsv")
	if err != nil {
		t.Fatal(err)
	}
	wildUnanswerable := 0
	for _, q := range wild.Questions {
		if !q.Answerable {
			wildUnanswerable++
		}
	}
	if len(wild.Questions) < 50 || wildUnanswerable < 8 {
		t.Errorf("users' words: %d probes, %d unanswerable; want at least 50 and 8", len(wild.Questions), wildUnanswerable)
	}
	typed.Questions = append(typed.Questions, wild.Questions...)
	s, err := LoadSet("../../testdata/eval/probes/unanswerable.tsv")
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, f := range []string{"go-docs", "git-doc", "debian-reference", "bash"} {
		dev, err := LoadSet("../../testdata/eval/" + f + ".tsv")
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range dev.Questions {
			known[q.Corpus] = true
		}
	}
	if len(s.Questions) < 50 {
		t.Errorf("%d probes, want at least 50", len(s.Questions))
	}
	for _, q := range s.Questions {
		if q.Answerable || len(q.Nuggets) > 0 || len(q.Gold) > 0 {
			t.Errorf("%s: a probe is unanswerable, with no nuggets or gold", q.ID)
		}
		if !known[q.Corpus] {
			t.Errorf("%s: corpus %q is none of the development sets'", q.ID, q.Corpus)
		}
	}
	if len(typed.Questions) < 100 {
		t.Errorf("%d typed probes, want at least 100", len(typed.Questions))
	}
	for _, q := range typed.Questions {
		if q.Answerable && (len(q.Nuggets) == 0 || len(q.Gold) == 0) {
			t.Errorf("%s: an answerable probe needs nuggets and a gold source", q.ID)
		}
		if !known[q.Corpus] {
			t.Errorf("%s: corpus %q is none of the development sets'", q.ID, q.Corpus)
		}
	}
}

// The newcomer probe set (informal questions written by a helper that did
// not see the engine) names only the development sets' corpora, has its
// unanswerable questions, and every nugget of an answerable one is in its
// gold documents.
func TestNewcomerSet(t *testing.T) {
	root := goRoot(t)
	dirs := []string{"/usr/share/doc/git-doc", "/usr/share/debian-reference", "/usr/share/doc/bash"}
	for _, d := range dirs {
		if _, err := os.Stat(d); err != nil {
			t.Skipf("%s is not installed: %v", d, err)
		}
	}
	s := checkSet(t, "../../testdata/eval/probes/newcomer.tsv", append([]string{root, filepath.Join(root, "src")}, dirs...), 40)
	unanswerable := 0
	for _, q := range s.Questions {
		if !q.Answerable {
			unanswerable++
		}
		switch q.Corpus {
		case "go-docs", "git-doc", "debian-reference", "bash":
		default:
			t.Errorf("%s: corpus %q is none of the development sets'", q.ID, q.Corpus)
		}
	}
	if unanswerable < 5 {
		t.Errorf("%d unanswerable newcomer questions, want at least 5", unanswerable)
	}
}
