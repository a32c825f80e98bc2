package chaos

import (
	"context"
	"strings"
	"time"

	rf "github.com/researchflow/researchflow"
)

// Kill is one fault the suite injected.
type Kill struct {
	Target string `json:"target"` // a cluster component (cluster.sh NAME)
	// Action is "kill" (SIGKILL; PostgreSQL: immediate stop) followed by
	// "start", or "restart" (stop, then start).
	Action string    `json:"action"`
	At     time.Time `json:"at"`
	// Back is when the component was started again and ready.
	Back time.Time `json:"back"`
	// Busy says what the component was doing at the kill ("" when the
	// wait for work timed out and it was killed idle).
	Busy string `json:"busy,omitempty"`
	// RunsInFlight counts the runs open at the kill; ModelCallsInFlight the
	// model calls being answered.
	RunsInFlight       int `json:"runsInFlight"`
	ModelCallsInFlight int `json:"modelCallsInFlight"`
	// RecoverFirstSeconds is from the kill until the first run in flight
	// at the kill made progress (its progress Seq grew, or it closed);
	// RecoverAllSeconds until every one of them had. Absent when a run in
	// flight never progressed again.
	RecoverFirstSeconds *float64 `json:"recoverFirstSeconds,omitempty"`
	RecoverAllSeconds   *float64 `json:"recoverAllSeconds,omitempty"`
	Error               string   `json:"error,omitempty"`
}

// killer runs the kill schedule.
type killer struct {
	cl    *Cluster
	tr    *tracker
	model *ModelServer
	recv  *Receiver
	sched schedule
	logf  func(string, ...any)
	kills []Kill
	// release ends the receiver's hold that busy took for a notify kill.
	release func()
}

// runAll kills each pool in turn, then the Temporal server, then restarts
// PostgreSQL, each while it has work.
func (k *killer) runAll(ctx context.Context) {
	for _, target := range Pools {
		k.one(ctx, target, "kill")
	}
	k.one(ctx, "temporal", "kill")
	k.one(ctx, "postgres", "restart")
}

func (k *killer) one(ctx context.Context, target, action string) {
	busy := k.waitBusy(ctx, target)
	kl := Kill{Target: target, Action: action, Busy: busy, RunsInFlight: k.tr.open(), ModelCallsInFlight: k.model.inFlight()}
	kl.At = time.Now()
	var err error
	if action == "restart" {
		_, err = k.cl.Do(ctx, "restart", target)
	} else {
		_, err = k.cl.Do(ctx, "kill", target)
		k.endHold(ctx)
		if err == nil {
			sleep(ctx, k.sched.pause)
			_, err = k.cl.Do(ctx, "start", target)
			if err != nil {
				// Once more: a start can race the dying process's port.
				sleep(ctx, time.Second)
				_, err = k.cl.Do(ctx, "start", target)
			}
		}
	}
	kl.Back = time.Now()
	if err != nil {
		kl.Error = err.Error()
	}
	k.logf("%s %s (busy: %s; %d runs, %d model calls in flight); back after %.1fs%s", action, target, orIdle(busy),
		kl.RunsInFlight, kl.ModelCallsInFlight, kl.Back.Sub(kl.At).Seconds(), errSuffix(err))
	k.kills = append(k.kills, kl)
	sleep(ctx, k.sched.gap)
}

// endHold ends the hold on the receiver's answers that a notify kill took,
// once the killed sender's connections have had time to close (an answer
// written into a socket whose peer just died would count as taken).
func (k *killer) endHold(ctx context.Context) {
	if k.release == nil {
		return
	}
	sleep(ctx, holdGrace)
	k.release()
	k.release = nil
}

// holdGrace is how long answers stay held after a kill.
const holdGrace = 500 * time.Millisecond

func orIdle(busy string) string {
	if busy == "" {
		return "idle"
	}
	return busy
}

func errSuffix(err error) string {
	if err == nil {
		return ""
	}
	return " — " + strings.SplitN(err.Error(), "\n", 2)[0]
}

// waitBusy waits until target has work and says which; "" when the wait
// timed out.
func (k *killer) waitBusy(ctx context.Context, target string) string {
	deadline := time.Now().Add(k.sched.busyFor)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if b := k.busy(target, time.Until(deadline) < k.sched.busyFor/2); b != "" {
			return b
		}
		sleep(ctx, 50*time.Millisecond)
	}
	return ""
}

// busy says what target is doing now ("" when idle). Late widens what
// counts for the search pool.
func (k *killer) busy(target string, late bool) string {
	switch {
	case strings.HasPrefix(target, "search-"):
		if k.tr.inStage(rf.StageSearch) > 0 {
			return "a run in stage search"
		}
		if late && k.tr.inStage(searchStages...) > 0 {
			return "a run in stage corpus/search/analyze"
		}
	case strings.HasPrefix(target, "inference-"):
		if k.model.inFlight() > 0 {
			return "a model call in flight"
		}
	case strings.HasPrefix(target, "notify-"):
		// The answer is held until the kill has landed (Receiver).
		if release, ok := k.recv.HoldInFlight(); ok {
			k.release = release
			return "a webhook delivery in flight"
		}
	default: // workflow pool, Temporal, PostgreSQL
		if k.tr.open() > 0 && k.model.inFlight() > 0 {
			return "runs in flight, a model call in flight"
		}
	}
	return ""
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// inFlight counts the calls being answered now.
func (m *ModelServer) inFlight() int {
	n := 0
	for _, r := range m.Requests() {
		if r.Ended.IsZero() {
			n++
		}
	}
	return n
}
