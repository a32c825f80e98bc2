package client_test

import (
	"context"
	"fmt"
	"log"

	sdkclient "go.temporal.io/sdk/client"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/client"
)

// Start a research run on a cluster and follow it to its report. The same
// ID twice is one run.
func Example() {
	tc, err := sdkclient.Dial(sdkclient.Options{HostPort: "127.0.0.1:7233"})
	if err != nil {
		log.Fatal(err)
	}
	defer tc.Close()
	runs := client.New(tc, "default")

	ctx := context.Background()
	run, err := runs.Start(ctx, "my-run-1", rf.ResearchInput{
		Question: "What does the Go memory model guarantee about channel communication?",
	})
	if err != nil {
		log.Fatal(err) // *researchflow.InputError for a request the workflow would refuse
	}
	out, err := runs.Watch(ctx, run.ID, client.WatchOptions{}, func(p rf.Progress) error {
		fmt.Println(p.Stage, len(p.SubQuestions), "sub-questions")
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	if out.Result == nil {
		log.Fatalf("the run %s: %s", out.Status, out.Failure)
	}
	fmt.Println(out.Result.Report)
}
