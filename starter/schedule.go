package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	rf "github.com/researchflow/researchflow"

	"github.com/researchflow/researchflow/client"
	"github.com/researchflow/researchflow/internal/config"
	"github.com/researchflow/researchflow/internal/stack"
	"github.com/researchflow/researchflow/internal/temporalserver"
)

const scheduleUsage = `usage: starter schedule create (--every 24h | --cron "0 7 * * 1") [--notify on_change|always|never] [--corpus NAME|DIR] [--sources LIST] [--note TEXT] [--paused] "question"
       starter schedule list [--json]
       starter schedule show ID
       starter schedule pause ID [--note TEXT]
       starter schedule resume ID [--note TEXT]
       starter schedule trigger ID [--wait]
       starter schedule delete ID`

// runSchedule manages research schedules (Temporal Schedules; see
// client.Schedules). Their runs happen while workers run: the dev stack
// (go run ./workers -pool all) or a cluster.
func runSchedule(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, scheduleUsage)
		return usageError("schedule needs a command: create, list, show, pause, resume, trigger or delete")
	}
	cmd, args := args[0], args[1:]
	if isHelpFlag(cmd) {
		fmt.Fprintln(stdout, scheduleUsage)
		return flag.ErrHelp
	}
	fs := flag.NewFlagSet("starter schedule "+cmd, flag.ContinueOnError)
	setUsage(fs, scheduleUsage, stdout)
	var (
		every, cron, notify, corpus, sources, note, email *string
		paused, asJSON, wait                              *bool
		maxSub, maxSources                                *int
	)
	switch cmd {
	case "create":
		every = fs.String("every", "", "run every `DURATION` (90m, 24h, 7d)")
		cron = fs.String("cron", "", "run on a cron `EXPR` (minute hour day month weekday, UTC)")
		notify = fs.String("notify", rf.NotifyOnChange, "notify on_change, always or never")
		corpus = fs.String("corpus", "", "corpus `NAME`, or a DIR ingested before each run (deleted files drop out)")
		sources = fs.String("sources", "", "comma-separated source `NAMES` (default corpus)")
		note = fs.String("note", "", "a note on the schedule")
		paused = fs.Bool("paused", false, "create it paused")
		maxSub = fs.Int("max-sub-questions", 0, "sub-questions to plan (1-6, default 4)")
		maxSources = fs.Int("max-sources", 0, "passages per sub-question (1-20, default 18)")
		email = fs.String("email", "", "comma-separated `ADDRESSES` that receive the notifications (domains in RESEARCHFLOW_NOTIFY_EMAIL_DOMAINS)")
	case "list":
		asJSON = fs.Bool("json", false, "print the schedules as JSON")
	case "pause", "resume":
		note = fs.String("note", "", "why (shown with the schedule)")
	case "trigger":
		wait = fs.Bool("wait", false, "wait for the run and print its report")
	case "show", "delete":
	default:
		fmt.Fprintln(stderr, scheduleUsage)
		return unknownSubcommand("schedule", cmd, scheduleCommands)
	}
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	var spec rf.ScheduleSpec
	if cmd == "create" {
		in := rf.ResearchInput{Question: trimQuestion(positional), Owner: rf.LocalOwner, MaxSubQuestions: *maxSub, MaxSources: *maxSources}
		if in.Question == "" {
			return usageError("schedule create needs a question")
		}
		if err := setCorpus(&in, *corpus); err != nil {
			return err
		}
		if *sources != "" {
			if in.Sources, err = parseSources(*sources); err != nil {
				return usageError("--sources: %v", err)
			}
		}
		if *email != "" {
			in.Notify = &rf.NotifyTargets{Email: strings.Split(*email, ",")}
		}
		// The rule of POST /v1/schedules.
		spec, err = rf.ScheduleSpec{Research: in, Every: *every, Cron: *cron, Notify: *notify, Paused: *paused, Note: *note}.Normalize()
		if err != nil {
			return usageError("%v", err)
		}
	} else if cmd != "list" && len(positional) != 1 {
		return usageError("schedule %s takes one schedule ID", cmd)
	}
	var id string
	if len(positional) == 1 && cmd != "create" {
		id = positional[0]
		if err := client.ValidateScheduleID(id); err != nil {
			return usageError("%v", err)
		}
	}

	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	s, err := stack.Connect(ctx, cfg, stack.ConnectOptions{Logger: quietLogger(stderr, cfg), DevServer: temporalserver.StartDev, SpawnBackground: spawnBackground})
	if err != nil {
		return err
	}
	defer s.Close()
	sched := client.NewSchedules(s.Client.ScheduleClient())
	if s.Codec != nil {
		sched = sched.WithDataConverter(s.Codec.DataConverter())
	}
	switch cmd {
	case "create":
		// As POST /v1/schedules: a schedule on a corpus nobody filled
		// would start runs that all fail.
		if err := checkCorpus(ctx, s.Chunks(), s.Runs, cfg, rf.LocalOwner, spec.Research, quietLogger(stderr, cfg)); err != nil {
			return err
		}
		info, err := sched.Create(ctx, client.NewScheduleID(), spec)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "schedule %s on %s: %s\n", info.ID, s.Describe(), when(info))
		if s.Ephemeral() {
			fmt.Fprintf(stderr, "no workers run after this command: start the dev stack (go run ./workers -pool all) for the schedule to run\n")
		}
		fmt.Fprintln(stdout, info.ID)
		return nil
	case "list":
		infos, err := sched.List(ctx, "")
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(infos)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tWHEN\tNOTIFY\tSTATE\tNEXT\tQUESTION")
		for _, i := range infos {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", i.ID, when(i), i.Notify, state(i), next(i), truncateWords(i.Question, 60))
		}
		return tw.Flush()
	case "show":
		info, err := sched.Get(ctx, id, "")
		if err != nil {
			return err
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(info)
	case "pause", "resume":
		do := sched.Resume
		if cmd == "pause" {
			do = sched.Pause
		}
		info, err := do(ctx, id, "", *note)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s %s\n", info.ID, state(info))
		return nil
	case "trigger":
		run, err := sched.Trigger(ctx, id, "")
		if err != nil {
			return err
		}
		if run.ResearchID == "" {
			fmt.Fprintf(stderr, "schedule %s triggered; its run has not started yet (see starter schedule show %s)\n", id, id)
			return nil
		}
		if !*wait {
			fmt.Fprintln(stdout, run.ResearchID)
			return nil
		}
		return follow(ctx, s, cfg, client.Run{ID: run.ResearchID, Status: rf.StatusRunning}, false, false, stdout, stderr)
	case "delete":
		if err := sched.Delete(ctx, id, ""); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s deleted (its runs are kept)\n", id)
		return nil
	}
	return nil
}

func when(i rf.ScheduleInfo) string {
	if i.Cron != "" {
		return "cron " + i.Cron
	}
	return "every " + i.Every
}

func state(i rf.ScheduleInfo) string {
	if !i.Paused {
		return "active"
	}
	if i.Note != "" {
		return "paused (" + i.Note + ")"
	}
	return "paused"
}

func next(i rf.ScheduleInfo) string {
	if len(i.NextRuns) == 0 {
		return "-"
	}
	return i.NextRuns[0].UTC().Format(time.RFC3339)
}

func truncateWords(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n])) + "…"
}
