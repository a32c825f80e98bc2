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
}
