package eval

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Question is one question of a set.
type Question struct {
	ID string `json:"id"`
	// Corpus is a corpus name; CorpusPath, when set, is a folder ingested
	// into Corpus before the first question that uses it.
	Corpus     string   `json:"corpus,omitempty"`
	CorpusPath string   `json:"corpusPath,omitempty"`
	Question   string   `json:"question"`
	Nuggets    []string `json:"nuggets,omitempty"`
	Gold       []string `json:"gold,omitempty"`
	Answerable bool     `json:"answerable"`
}

// Set is a named list of questions.
type Set struct {
	Name      string     `json:"name"`
	Questions []Question `json:"questions"`
}

// Halves of a set. Every question belongs to one, by a stable hash of its
// ID: changes to the engine are made by looking at the tune half only, and
// the test half says whether they generalize.
const (
	HalfTune = "tune"
	HalfTest = "test"
)

// Half returns the half (HalfTune or HalfTest) of the question with this
// ID: the first byte of its SHA-256, even is tune. It never changes for an
// ID, whatever else the set holds.
func Half(id string) string {
	if sum := sha256.Sum256([]byte(id)); sum[0]%2 == 0 {
		return HalfTune
	}
	return HalfTest
}

// Only returns the questions of s in half ("" or "all": every question).
func (s Set) Only(half string) (Set, error) {
	switch half {
	case "", "all":
		return s, nil
	case HalfTune, HalfTest:
	default:
		return Set{}, fmt.Errorf("half %q: want tune, test or all", half)
	}
	out := Set{Name: s.Name + "[" + half + "]"}
	for _, q := range s.Questions {
		if Half(q.ID) == half {
			out.Questions = append(out.Questions, q)
		}
	}
	if len(out.Questions) == 0 {
		return Set{}, fmt.Errorf("set %s has no %s questions", s.Name, half)
	}
	return out, nil
}

// DefaultCorpus is the corpus of a question that names none.
const DefaultCorpus = "go-docs"

// listSep separates nuggets and gold entries in a TSV cell.
const listSep = " ;; "

// LoadSet reads a set from a .tsv or .json file; relative corpus paths are
// resolved against the file's folder, to absolute paths. The set is named
// after the file.
func LoadSet(path string) (Set, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Set{}, fmt.Errorf("read set: %w", err)
	}
	var s Set
	switch strings.ToLower(filepath.Ext(path)) {
	case ".tsv":
		s, err = ParseTSV(bytes.NewReader(data))
	case ".json":
		s, err = ParseJSON(data)
	default:
		return Set{}, fmt.Errorf("set %s: want a .tsv or .json file", path)
	}
	if err != nil {
		return Set{}, fmt.Errorf("set %s: %w", path, err)
	}
	if s.Name == "" {
		s.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	// The search workers need an absolute path: a set named from the
	// repository ("testdata/eval/probes/trial.tsv") has a relative folder.
	base, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return Set{}, fmt.Errorf("set %s: %w", path, err)
	}
	for i := range s.Questions {
		if p := s.Questions[i].CorpusPath; p != "" && !filepath.IsAbs(p) {
			s.Questions[i].CorpusPath = filepath.Join(base, p)
		}
	}
	return s, nil
}

// ParseTSV reads the TSV set format (see the package documentation).
func ParseTSV(r io.Reader) (Set, error) {
	var s Set
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" || strings.HasPrefix(strings.TrimSpace(text), "#") {
			continue
		}
		cols := strings.Split(text, "\t")
		if len(cols) != 6 {
			return Set{}, fmt.Errorf("line %d: %d columns, want 6 (id, corpus, answerable, question, nuggets, gold)", line, len(cols))
		}
		q := Question{ID: strings.TrimSpace(cols[0]), Question: strings.TrimSpace(cols[3])}
		q.Corpus, q.CorpusPath = parseCorpus(cols[1])
		switch strings.ToLower(strings.TrimSpace(cols[2])) {
		case "yes", "true", "1":
			q.Answerable = true
		case "no", "false", "0":
		default:
			return Set{}, fmt.Errorf("line %d: answerable %q, want yes or no", line, cols[2])
		}
		q.Nuggets = splitList(cols[4])
		q.Gold = splitList(cols[5])
		s.Questions = append(s.Questions, q)
	}
	if err := sc.Err(); err != nil {
		return Set{}, err
	}
	return s, s.Validate()
}

// ParseJSON reads the JSON set format.
func ParseJSON(data []byte) (Set, error) {
	var s Set
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Set{}, fmt.Errorf("decode: %w", err)
	}
	for i := range s.Questions {
		if s.Questions[i].CorpusPath == "" {
			s.Questions[i].Corpus, s.Questions[i].CorpusPath = parseCorpus(s.Questions[i].Corpus)
		}
		if s.Questions[i].Corpus == "" {
			s.Questions[i].Corpus = DefaultCorpus
		}
	}
	return s, s.Validate()
}

func parseCorpus(cell string) (name, path string) {
	cell = strings.TrimSpace(cell)
	if name, path, ok := strings.Cut(cell, "="); ok {
		return strings.TrimSpace(name), strings.TrimSpace(path)
	}
	if cell == "" {
		return DefaultCorpus, ""
	}
	return cell, ""
}

func splitList(cell string) []string {
	var out []string
	for _, p := range strings.Split(cell, strings.TrimSpace(listSep)) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Validate checks that IDs are unique, questions are not empty, nuggets
// compile, and answerable questions have nuggets and gold sources while
// unanswerable ones have neither.
func (s Set) Validate() error {
	if len(s.Questions) == 0 {
		return errors.New("no questions")
	}
	seen := map[string]bool{}
	var errs []error
	for _, q := range s.Questions {
		switch {
		case q.ID == "":
			errs = append(errs, fmt.Errorf("question %q: no id", q.Question))
		case seen[q.ID]:
			errs = append(errs, fmt.Errorf("%s: duplicate id", q.ID))
		case q.Question == "":
			errs = append(errs, fmt.Errorf("%s: empty question", q.ID))
		case q.Answerable && (len(q.Nuggets) == 0 || len(q.Gold) == 0):
			errs = append(errs, fmt.Errorf("%s: an answerable question needs nuggets and gold sources", q.ID))
		case !q.Answerable && (len(q.Nuggets) > 0 || len(q.Gold) > 0):
			errs = append(errs, fmt.Errorf("%s: an unanswerable question has no nuggets or gold sources", q.ID))
		}
		seen[q.ID] = true
		for _, n := range q.Nuggets {
			if _, err := compileNugget(n); err != nil {
				errs = append(errs, fmt.Errorf("%s: nugget %q: %w", q.ID, n, err))
			}
		}
	}
	return errors.Join(errs...)
}

func compileNugget(n string) (*regexp.Regexp, error) { return regexp.Compile("(?i)" + n) }
