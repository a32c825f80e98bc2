package llm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/researchflow/researchflow/internal/textproc"
)

var (
	thinkBlock      = regexp.MustCompile(`(?is)<think>.*?</think>|<thinking>.*?</thinking>`)
	thinkUnclosed   = regexp.MustCompile(`(?is)<think(ing)?>.*$`)
	thinkOrphanTail = regexp.MustCompile(`(?is)^.*</think(ing)?>`)
)

// stripThinking removes reasoning blocks from a model answer: closed
// <think>/<thinking> blocks, an unterminated one (to the end), and reasoning
// before a stray closing tag (servers that drop the opening tag).
func stripThinking(s string) string {
	s = thinkBlock.ReplaceAllString(s, "")
	s = thinkUnclosed.ReplaceAllString(s, "")
	s = thinkOrphanTail.ReplaceAllString(s, "")
	return strings.TrimSpace(s)
}

// maxJSONStarts bounds the '{' positions decodeJSON tries in one answer.
const maxJSONStarts = 64

var fencedBlock = regexp.MustCompile("(?s)```[A-Za-z]*[ \t]*\r?\n?(.*?)```")

// decodeJSON finds the role's JSON in a model answer and hands it to
// accept, which decodes it and checks it against the role's shape. It
// tries, in order: each fenced (```json) block, then each '{' of the answer
// until accept takes one, so that a preamble with braces ("the {json} shape
// below:") or an example object before the answer does not hide it. When
// arrayKey is set, an answer that is a bare array is read as
// {arrayKey: array}. The error says what was wrong with the most promising
// candidate: one that was JSON but not the role's shape, else the first
// syntax error.
func decodeJSON(answer, arrayKey string, accept func(raw []byte) error) error {
	if strings.TrimSpace(answer) == "" {
		return errors.New("the answer was empty")
	}
	var shapeErr, syntaxErr error
	// truncated is set once a start runs to the end of the answer without
	// closing: later starts are inside it, and their shape errors would
	// hide that the answer was cut.
	truncated := false
	try := func(text string, i int, first bool) bool {
		var raw json.RawMessage
		if err := json.NewDecoder(strings.NewReader(text[i:])).Decode(&raw); err != nil {
			if syntaxErr == nil {
				syntaxErr = err
			}
			truncated = truncated || errors.Is(err, io.ErrUnexpectedEOF)
			return false
		}
		if raw[0] == '[' {
			if !first || arrayKey == "" {
				return false // an array inside something else
			}
			raw = json.RawMessage(`{"` + arrayKey + `":` + string(raw) + `}`)
		}
		if err := accept(raw); err != nil {
			if shapeErr == nil && !truncated {
				shapeErr = err
			}
			return false
		}
		return true
	}
	scan := func(text string) bool {
		first, tried := true, 0
		for i := 0; i < len(text) && tried < maxJSONStarts; i++ {
			if c := text[i]; c != '{' && !(c == '[' && first) {
				continue
			}
			tried++
			if try(text, i, first) {
				return true
			}
			first = false
		}
		return false
	}
	for _, m := range fencedBlock.FindAllStringSubmatch(answer, -1) {
		if scan(m[1]) {
			return nil
		}
	}
	if scan(answer) {
		return nil
	}
	switch {
	case shapeErr != nil:
		return shapeErr
	case syntaxErr != nil:
		return fmt.Errorf("the answer is not valid JSON: %w", syntaxErr)
	}
	return errors.New("the answer contains no JSON object")
}

// unmarshalShape decodes raw into v with an error that tells the model what
// to fix.
func unmarshalShape(raw []byte, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("the JSON does not have the shape asked for: %w", err)
	}
	return nil
}

// passageRef is a passage number given as 3, "3" or "P3".
type passageRef int

func (p *passageRef) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	var n int
	if err := json.Unmarshal(b, &n); err == nil {
		*p = passageRef(n)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("passage %s is neither a number nor a string", b)
	}
	s = strings.TrimLeft(strings.TrimSpace(s), "Pp[")
	s = strings.TrimRight(s, "]")
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("passage %q is not a passage number", s)
	}
	*p = passageRef(n)
	return nil
}

// citeList is a list of source numbers; a single number is accepted too.
type citeList []passageRef

func (c *citeList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*c = nil
		return nil
	}
	if len(b) > 0 && b[0] != '[' {
		var one passageRef
		if err := one.UnmarshalJSON(b); err != nil {
			return err
		}
		*c = citeList{one}
		return nil
	}
	var many []passageRef
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*c = many
	return nil
}

func (c citeList) ints() []int {
	out := make([]int, len(c))
	for i, n := range c {
		out[i] = int(n)
	}
	return out
}

// takeCiteMarkers removes the "[n]" and "[n, m]" markers in citation
// position (textproc.StripCitations) from text and returns the cleaned text
// with the numbers found. Bracketed numbers that are part of the sentence
// ("buf[0]", "bits [0] to [3]") stay as written.
func takeCiteMarkers(text string) (string, []int) {
	clean, found := textproc.StripCitations(text)
	clean = strings.Join(strings.Fields(clean), " ")
	clean = textproc.CloseUp(clean)
	return clean, found
}

// sortedUnique returns the distinct values of ns in ascending order, or nil.
func sortedUnique(ns []int) []int {
	if len(ns) == 0 {
		return nil
	}
	seen := make(map[int]bool, len(ns))
	var out []int
	for _, n := range ns {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return out
}

// normalizeKey folds text for duplicate detection.
func normalizeKey(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(strings.TrimRight(strings.TrimSpace(s), "?.!"))), " ")
}
