package researchflow_test

import (
	"errors"
	"fmt"
	"strings"

	rf "github.com/researchflow/researchflow"
)

// Normalize is the one rule for a research request: the HTTP gateway, the
// starter and the workflow all apply it. Lengths are counted in characters.
func ExampleResearchInput_Normalize() {
	in, err := rf.ResearchInput{Question: "  备份数据保留多少天？ "}.Normalize()
	fmt.Println(in.Question, in.Corpus, in.MaxSubQuestions, *in.Depth, err)

	_, err = rf.ResearchInput{Question: strings.Repeat("问", 2001)}.Normalize()
	var bad *rf.InputError
	fmt.Println(errors.As(err, &bad), bad.Field)
	fmt.Println(err)
	// Output:
	// 备份数据保留多少天？ go-docs 4 1 <nil>
	// true question
	// question: want 3 to 2000 characters, got 2001
}

// An HTTP caller names its own corpus; the gateway scopes it to the owner
// of the API key, and the workflow accepts the scoped name.
func ExampleCreateResearchRequest_Input() {
	req := rf.CreateResearchRequest{Question: "What did we decide about retries?", Corpus: "notes"}
	in, err := req.Input("alice@example.com")
	fmt.Println(in.Corpus, in.Owner, err)
	fmt.Println(rf.PublicCorpus(in.Owner, in.Corpus))
	// Output:
	// alice@example.com--notes alice@example.com <nil>
	// notes
}

// A run's budget is a value: what is left is shared between the calls that
// remain.
func ExampleBudget_Share() {
	b := rf.Budget{MaxTokens: 30000}
	spent := rf.Usage{PromptTokens: 9000, CompletionTokens: 3000}
	fmt.Println(b.Spent(spent), b.Left(spent).MaxTokens, b.Share(spent, 3).MaxTokens)
	// Output:
	// false 18000 6000
}
