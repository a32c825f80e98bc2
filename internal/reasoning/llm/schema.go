package llm

// answerSchema is the JSON schema of a role's answer, sent as structured
// output (OpenAI response_format json_schema, Ollama format). The parsers
// stay lenient where the schema is strict (a passage given as "P3", a single
// citation without a list): servers that ignore the schema still work.
type answerSchema struct {
	Name   string
	Schema map[string]any
}

func object(required []string, props map[string]any) map[string]any {
	return map[string]any{"type": "object", "properties": props, "required": required, "additionalProperties": false}
}

func array(items map[string]any) map[string]any {
	return map[string]any{"type": "array", "items": items}
}

var (
	str       = map[string]any{"type": "string"}
	integer   = map[string]any{"type": "integer"}
	questions = array(object([]string{"text", "reason"}, map[string]any{"text": str, "reason": str}))
	sentences = array(object([]string{"text", "cites"}, map[string]any{"text": str, "cites": array(integer)}))
)

// roleSchemas follow the answer shapes the prompts ask for
// (prompts/*-v1.tmpl).
var roleSchemas = map[string]*answerSchema{
	RolePlanner: {Name: "plan", Schema: object([]string{"subQuestions"}, map[string]any{"subQuestions": questions})},
	"reflector": {Name: "reflection", Schema: object([]string{"followUps"}, map[string]any{"followUps": questions})},
	RoleAnalyst: {Name: "analysis", Schema: object([]string{"findings", "conflicts"}, map[string]any{
		"findings":  array(object([]string{"text", "passage"}, map[string]any{"text": str, "passage": integer})),
		"conflicts": array(object([]string{"text", "passages"}, map[string]any{"text": str, "passages": array(integer)})),
	})},
	RoleWriter: {Name: "draft", Schema: object([]string{"title", "summary", "sections"}, map[string]any{
		"title":    str,
		"summary":  sentences,
		"sections": array(object([]string{"heading", "sentences"}, map[string]any{"heading": str, "sentences": sentences})),
	})},
}
