package chaos

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/researchflow/researchflow/internal/reasoning/llm/llmtest"
)

// ModelServer is the scripted OpenAI-compatible model server of a chaos
// run: it answers the planner, analyst, reflector and writer with valid
// answers computed from their prompts (llmtest.Script), streamed in pieces
// over a delay, so that a kill lands mid-call, and records every call.
type ModelServer struct {
	*llmtest.Server
}

// ModelOptions shape the scripted answers.
type ModelOptions struct {
	// SubQuestions is how many sub-questions the planner answers (the
	// activity keeps at most the run's MaxSubQuestions).
	SubQuestions int
	// FollowUps is how many follow-up sub-questions the reflector names in
	// each of the first Rounds reflections (none later).
	FollowUps, Rounds int
	// MinDelay and MaxDelay bound how long an answer takes (streamed in eight pieces, or before a whole one); each
	// request gets a delay between them chosen by its hash (reproducible).
	MinDelay, MaxDelay time.Duration
}

// StartModelServer starts the scripted model server on a loopback port.
// An answer counts as paid only if its client is still connected
// modelSettle after the last piece (llmtest.StartSettling): a kill that
// lands as the last piece is written leaves it in a dead process's socket
// (a short run once counted such an answer, complete 0.02 s after the kill
// of its inference worker, as paid and its retry as paid again).
func StartModelServer(o ModelOptions) *ModelServer {
	return &ModelServer{Server: llmtest.StartSettling(scriptedHandler(o), modelSettle)}
}

// modelSettle is how long a client must stay connected after an answer's
// last piece for the answer to count as received.
const modelSettle = 200 * time.Millisecond

// answerChunks is how many streamed pieces an answer is cut into.
const answerChunks = 8

func scriptedHandler(o ModelOptions) llmtest.Handler {
	script := &llmtest.Script{
		Planner: llmtest.Content(func(r *llmtest.Request) string {
			n := max(o.SubQuestions, 1)
			if m := promptMax(r.System(), planMax); m > 0 {
				n = min(n, m)
			}
			return llmtest.PlanJSON(subQuestions(r.Question(), n)...)
		}),
		Reflector: llmtest.Content(func(r *llmtest.Request) string {
			// Each round's follow-ups are among the researched
			// sub-questions of the next round's prompt.
			round := strings.Count(r.User(), followUpMark)
			if o.FollowUps > 0 {
				round /= o.FollowUps
			}
			n := o.FollowUps
			if m := promptMax(r.System(), reflectMax); m >= 0 {
				n = min(n, m)
			}
			if n <= 0 || round >= o.Rounds {
				return llmtest.ReflectJSON()
			}
			return llmtest.ReflectJSON(followUps(r.Question(), round+1, n)...)
		}),
	}
	return llmtest.HandlerFunc(func(ctx context.Context, r *llmtest.Request) llmtest.Reply {
		rp := script.Answer(ctx, r)
		if rp.OK() {
			d := delayOf(RequestHash(r.Body), o.MinDelay, o.MaxDelay)
			if r.Stream {
				rp.Chunks, rp.ChunkDelay = answerChunks, d/answerChunks
			} else {
				rp.FirstDelay = d
			}
		}
		return rp
	})
}

// The limits the planner's and the reflector's system prompts state.
var (
	planMax    = regexp.MustCompile(`Between 1 and (\d+) sub-questions`)
	reflectMax = regexp.MustCompile(`At most (\d+) follow-ups`)
)

// promptMax is the number re finds in prompt, -1 when none.
func promptMax(prompt string, re *regexp.Regexp) int {
	m := re.FindStringSubmatch(prompt)
	if m == nil {
		return -1
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return -1
	}
	return n
}

// subQuestions are the planner's sub-questions of question: distinct per
// question, so that no two runs send the same analyst prompt.
func subQuestions(question string, n int) []string {
	aspects := []string{"What do the Go docs say about", "Which rules apply to", "What example shows",
		"What are the pitfalls of", "How is it specified:", "What changed over time in"}
	out := make([]string, 0, n)
	for i := range n {
		out = append(out, fmt.Sprintf("%s %s", aspects[i%len(aspects)], question))
	}
	return out
}

const followUpMark = "Follow-up"

// followUps are the reflector's follow-ups of a round (from 1).
func followUps(question string, round, n int) []string {
	out := make([]string, 0, n)
	for i := range n {
		out = append(out, fmt.Sprintf("%s %d.%d: a detail of %s", followUpMark, round, i+1, question))
	}
	return out
}

// delayOf picks a delay in [lo, hi] from a request hash.
func delayOf(hash string, lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	b, err := hex.DecodeString(hash[:16])
	if err != nil {
		return lo
	}
	return lo + time.Duration(binary.BigEndian.Uint64(b)%uint64(hi-lo+1))
}

// RequestHash identifies a model call by what a provider bills for: the
// model, the messages and the structured-output format of the request
// body (OpenAI response_format, Ollama format). Stream options, token
// limits and temperature are left out: a retry that changes only those
// asks for the same answer.
func RequestHash(body []byte) string {
	var b struct {
		Model          string          `json:"model"`
		Messages       json.RawMessage `json:"messages"`
		ResponseFormat json.RawMessage `json:"response_format"`
		Format         json.RawMessage `json:"format"`
	}
	if err := json.Unmarshal(body, &b); err != nil {
		sum := sha256.Sum256(body)
		return hex.EncodeToString(sum[:])
	}
	// Compact the raw parts so that formatting does not matter.
	key, _ := json.Marshal([]any{b.Model, compact(b.Messages), compact(b.ResponseFormat), compact(b.Format)})
	sum := sha256.Sum256(key)
	return hex.EncodeToString(sum[:])
}

func compact(raw json.RawMessage) any {
	if len(raw) == 0 {
		return nil
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	return v
}

// ModelCalls sums up the calls a model server received.
type ModelCalls struct {
	Total int `json:"total"`
	// Completed calls got their whole answer to a connected client: a
	// provider bills them.
	Completed int `json:"completed"`
	// Distinct counts the different requests (by RequestHash).
	Distinct int `json:"distinct"`
	// Retried counts calls whose request had been asked before, completed
	// or not (a retry after a kill asks again for an answer never
	// received: that is expected).
	Retried int `json:"retried"`
	// RePaid counts calls whose request already had a completed answer
	// when they arrived: a provider bills the same answer twice.
	RePaid      int          `json:"rePaid"`
	RePaidCalls []RePaidCall `json:"rePaidCalls,omitempty"`
	// InFlight counts calls still unanswered when counted.
	InFlight int `json:"inFlight"`
	// ByRole counts the calls of each role.
	ByRole map[string]int `json:"byRole"`
	// Calls are all the calls, in order of arrival.
	Calls []Call `json:"calls"`
}

// Call is one model call as the suite saw it.
type Call struct {
	Role      string    `json:"role"`
	Hash      string    `json:"hash"`
	Question  string    `json:"question"`
	Arrived   time.Time `json:"arrived"`
	Ended     time.Time `json:"ended,omitzero"`
	Completed bool      `json:"completed"`
}

// RePaidCall is a call made again after its request had been answered.
type RePaidCall struct {
	Role string `json:"role"`
	Hash string `json:"hash"`
	// Question is the research question of the prompt.
	Question string `json:"question"`
	// FirstCompleted is when the earlier call's answer was complete; Again
	// is when the repeated call arrived.
	FirstCompleted time.Time `json:"firstCompleted"`
	Again          time.Time `json:"again"`
}

// CountCalls sums up calls (as llmtest.Server.Requests returns them).
func CountCalls(calls []llmtest.Request) ModelCalls {
	calls = append([]llmtest.Request(nil), calls...)
	sort.SliceStable(calls, func(i, j int) bool { return calls[i].Time.Before(calls[j].Time) })
	out := ModelCalls{ByRole: map[string]int{}}
	seen := map[string]int{}
	// completedAt is when each request first had a completed answer.
	completedAt := map[string]time.Time{}
	for _, c := range calls {
		h := RequestHash(c.Body)
		if c.Completed {
			if t, ok := completedAt[h]; !ok || c.Ended.Before(t) {
				completedAt[h] = c.Ended
			}
		}
	}
	for _, c := range calls {
		h := RequestHash(c.Body)
		out.Total++
		out.ByRole[roleName(c.Role)]++
		out.Calls = append(out.Calls, Call{Role: roleName(c.Role), Hash: h[:12], Question: c.Question(), Arrived: c.Time, Ended: c.Ended, Completed: c.Completed})
		if c.Completed {
			out.Completed++
		}
		if c.Ended.IsZero() {
			out.InFlight++
		}
		if seen[h] > 0 {
			out.Retried++
		}
		seen[h]++
		if t, ok := completedAt[h]; ok && t.Before(c.Time) {
			out.RePaid++
			out.RePaidCalls = append(out.RePaidCalls, RePaidCall{Role: roleName(c.Role), Hash: h[:12], Question: c.Question(), FirstCompleted: t, Again: c.Time})
		}
	}
	out.Distinct = len(seen)
	return out
}

func roleName(role string) string {
	if role == llmtest.Unknown {
		return "unknown"
	}
	return role
}
