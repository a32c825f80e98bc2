package llm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

var (
	thinkBlock      = regexp.MustCompile(`(?is)<think>.*?</think>|<thinking>.*?</thinking>`)
	thinkUnclosed   = regexp.MustCompile(`(?is)<think(ing)?>.*$`)
	thinkOrphanTail = regexp.MustCompile(`(?is)^.*</think(ing)?>`)
	citeMarker      = regexp.MustCompile(`\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]`)
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

// decodeJSON reads the first JSON object of a model answer into v, skipping
// Markdown fences and any text around the object.
func decodeJSON(answer string, v any) error {
	i := strings.IndexByte(answer, '{')
	if i < 0 {
		if strings.TrimSpace(answer) == "" {
			return errors.New("the answer was empty")
		}
		return errors.New("the answer contains no JSON object")
	}
	dec := json.NewDecoder(strings.NewReader(answer[i:]))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("the answer is not valid JSON: %w", err)
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

// takeCiteMarkers removes "[n]" and "[n, m]" markers from text and returns
// the cleaned text with the numbers found.
func takeCiteMarkers(text string) (string, []int) {
	var found []int
	clean := citeMarker.ReplaceAllStringFunc(text, func(m string) string {
		inner := strings.Trim(strings.TrimSpace(m), "[]")
		for _, f := range strings.FieldsFunc(inner, func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
			if n, err := strconv.Atoi(f); err == nil {
				found = append(found, n)
			}
		}
		return ""
	})
	clean = strings.Join(strings.Fields(clean), " ")
	clean = strings.NewReplacer(" .", ".", " ,", ",", " ;", ";", " :", ":").Replace(clean)
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
