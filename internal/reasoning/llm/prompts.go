package llm

import (
	"bytes"
	"embed"
	"fmt"
	"strings"
	"text/template"
)

//go:embed prompts/*.tmpl
var promptFiles embed.FS

// Prompt versions in use. A version names a file prompts/<version>.tmpl;
// changing a prompt means adding a new file and bumping the version here, so
// that reports keep saying which prompt produced them.
const (
	PlannerPromptVersion = "planner-v1"
	AnalystPromptVersion = "analyst-v1"
	WriterPromptVersion  = "writer-v1"
	RepairPromptVersion  = "repair-v1"
)

var rolePromptVersion = map[string]string{
	RolePlanner: PlannerPromptVersion,
	RoleAnalyst: AnalystPromptVersion,
	RoleWriter:  WriterPromptVersion,
}

// prompt is one parsed template file with "system" and/or "user" parts.
type prompt struct {
	version string
	tmpl    *template.Template
}

func loadPrompt(version string) (*prompt, error) {
	name := "prompts/" + version + ".tmpl"
	t, err := template.New(version).Option("missingkey=error").ParseFS(promptFiles, name)
	if err != nil {
		return nil, fmt.Errorf("load prompt %s: %w", name, err)
	}
	return &prompt{version: version, tmpl: t}, nil
}

// render executes the named part ("system" or "user") with data.
func (p *prompt) render(part string, data any) (string, error) {
	var b bytes.Buffer
	if err := p.tmpl.ExecuteTemplate(&b, part, data); err != nil {
		return "", fmt.Errorf("render prompt %s/%s: %w", p.version, part, err)
	}
	return strings.TrimSpace(b.String()), nil
}
