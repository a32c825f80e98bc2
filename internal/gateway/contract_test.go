package gateway

import (
	"encoding/json"
	"strings"
	"testing"

	rf "github.com/researchflow/researchflow"
)

// TestGatewayAndWorkflowAgree runs the same requests through the HTTP
// gateway and through the workflow's own rule (ResearchInput.Normalize on
// the input as an API caller means it): what one accepts the other accepts,
// and every input the gateway hands to Temporal passes Normalize again, as
// the workflow will run it. Owners include an e-mail address.
func TestGatewayAndWorkflowAgree(t *testing.T) {
	zh700 := strings.Repeat("备份数据保留多少天", 77) + "天天天天天天？" // 700 characters, 2,100 bytes
	tests := []struct {
		name string
		body string
		want int // the gateway's answer
	}{
		{"plain", `{"question":"How do goroutines communicate?"}`, 202},
		{"700 Chinese characters", `{"question":"` + zh700 + `"}`, 202},
		{"2000 Japanese characters", `{"question":"` + strings.Repeat("データ", 666) + `です"}`, 202},
		{"2001 characters", `{"question":"` + strings.Repeat("é", 2001) + `"}`, 400},
		{"Arabic", `{"question":"كم يوما تحفظ النسخ الاحتياطية؟"}`, 202},
		{"emoji", `{"question":"🚀🚀🚀 launch checklist?"}`, 202},
		{"two characters", `{"question":"谁?"}`, 400},
		{"blank", `{"question":"   \t "}`, 400},
		{"control character", `{"question":"abc\u0007def"}`, 400},
		{"own corpus", `{"question":"What did we decide?","corpus":"notes"}`, 202},
		{"corpus with dots", `{"question":"What did we decide?","corpus":"team.notes_2026"}`, 202},
		{"corpus with ..", `{"question":"What did we decide?","corpus":"a..b"}`, 400},
		{"scoped corpus", `{"question":"What did we decide?","corpus":"bob--notes"}`, 400},
		{"default corpus", `{"question":"What did we decide?","corpus":"go-docs"}`, 202},
		{"corpus in Chinese", `{"question":"What did we decide?","corpus":"笔记"}`, 400},
		{"max sub-questions", `{"question":"abc def","maxSubQuestions":6}`, 202},
		{"too many sub-questions", `{"question":"abc def","maxSubQuestions":7}`, 400},
		{"negative sources", `{"question":"abc def","maxSources":-1}`, 400},
		{"depth 0", `{"question":"abc def","depth":0}`, 202},
		{"depth 4", `{"question":"abc def","depth":4}`, 400},
		{"breadth 5", `{"question":"abc def","breadth":5}`, 400},
		{"approval with timeout", `{"question":"abc def","requireApproval":true,"approvalTimeoutSeconds":60,"onApprovalTimeout":"cancel"}`, 202},
		{"timeout without approval", `{"question":"abc def","approvalTimeoutSeconds":60}`, 400},
		{"timeout too long", `{"question":"abc def","requireApproval":true,"approvalTimeoutSeconds":2592001}`, 400},
		{"bad timeout policy", `{"question":"abc def","requireApproval":true,"onApprovalTimeout":"explode"}`, 400},
		{"budget", `{"question":"abc def","maxTokens":30000,"maxCostUsd":0.5}`, 202},
		{"negative budget", `{"question":"abc def","maxTokens":-1}`, 400},
		{"absurd cost", `{"question":"abc def","maxCostUsd":10000000}`, 400},
	}
	for _, owner := range []struct{ name, key string }{{"alice", aliceKey}, {"alice@example.com", mailKey}} {
		h := newHarness(t, map[string]string{"RESEARCHFLOW_API_KEYS": "alice:" + aliceKey + ",alice@example.com:" + mailKey})
		for _, tt := range tests {
			t.Run(owner.name+"/"+tt.name, func(t *testing.T) {
				// The workflow's side: the request as the caller means it.
				var req rf.CreateResearchRequest
				if err := json.Unmarshal([]byte(tt.body), &req); err != nil {
					t.Fatalf("test body: %v", err)
				}
				wfIn := rf.ResearchInput{
					Question: req.Question, MaxSubQuestions: req.MaxSubQuestions, MaxSources: req.MaxSources,
					Corpus: rf.ScopedCorpus(owner.name, orDefault(req.Corpus)), Owner: owner.name,
					RequireApproval: req.RequireApproval, ApprovalTimeoutSeconds: req.ApprovalTimeoutSeconds,
					OnApprovalTimeout: req.OnApprovalTimeout, Depth: req.Depth, Breadth: req.Breadth,
					MaxTokens: req.MaxTokens, MaxCostUSD: req.MaxCostUSD,
				}
				_, wfErr := wfIn.Normalize()

				before := len(h.fake.started())
				rec := h.do("POST", "/v1/research", owner.key, tt.body)
				accepted := rec.Code == 202
				if rec.Code != tt.want {
					t.Fatalf("gateway answered %d, want %d: %s", rec.Code, tt.want, rec.Body)
				}
				// "corpus":"bob--notes" and Chinese corpus names are refused by
				// the corpus-name rule before scoping, which is stricter
				// than the workflow's rule for scoped names: allowed only in
				// that direction.
				if accepted && wfErr != nil {
					t.Fatalf("gateway accepted what the workflow rejects (%v): %s", wfErr, rec.Body)
				}
				if !accepted && wfErr == nil && rf.ValidateCorpusName(orDefault(req.Corpus)) == nil {
					t.Fatalf("gateway rejected what the workflow accepts: %s", rec.Body)
				}
				started := h.fake.started()
				if !accepted {
					if len(started) != before {
						t.Fatal("a rejected request started a run")
					}
					return
				}
				in := started[len(started)-1].input.(rf.ResearchInput)
				if _, err := in.Normalize(); err != nil {
					t.Fatalf("the input handed to Temporal fails the workflow's rule: %v", err)
				}
			})
		}
	}
}

const mailKey = "mail-key-0123456789abcdef0"

func orDefault(corpus string) string {
	if corpus == "" {
		return rf.DefaultCorpus
	}
	return corpus
}
