package chaos

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	rf "github.com/researchflow/researchflow"
)

// headerResearchID names the run of a delivery (activities.HeaderResearchID).
const headerResearchID = "Researchflow-Research-Id"

// Receiver is a webhook receiver that verifies Standard Webhooks
// signatures and records every delivery. It answers each valid delivery
// with 204 after Delay (so that a kill of the notify pool can land while a
// delivery is in flight), duplicates included, as a receiver that drops
// duplicates by webhook-id would. While the suite kills a notify process
// for a delivery in flight it holds every answer (HoldInFlight), so that
// the kill lands before the answer: a kill in the moment after the answer,
// before the sender has recorded it, repeats the delivery by design (at
// least once; receivers drop it by webhook-id), and is not what that kill
// is for.
type Receiver struct {
	// URL is where the receiver listens (loopback).
	URL string
	// Secret is the signing secret ("whsec_…", RESEARCHFLOW_WEBHOOK_SECRET).
	Secret string
	Delay  time.Duration

	srv *httptest.Server
	wh  *standardwebhooks.Webhook
	mu  sync.Mutex
	ds  []*Delivery
	// held, while not nil, holds answers until it is closed.
	held chan struct{}
}

// Delivery is one webhook request the receiver got.
type Delivery struct {
	ID         string    `json:"id"` // webhook-id
	ResearchID string    `json:"researchId"`
	Type       string    `json:"type"` // the CloudEvent type
	Arrived    time.Time `json:"arrived"`
	Ended      time.Time `json:"ended"` // zero while in flight
	Status     int       `json:"status"`
	// Valid is false when the signature did not verify.
	Valid bool `json:"valid"`
	// Acked is true when a 2xx answer was written and flushed to a sender
	// that was still connected when it was written: the sender knows it
	// delivered.
	Acked bool `json:"acked"`
	// answering is set once the answer may be written (no hold holds it).
	answering bool
}

// StartReceiver starts a receiver with a fresh secret on a loopback port.
func StartReceiver(delay time.Duration) (*Receiver, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	secret := "whsec_" + base64.StdEncoding.EncodeToString(key)
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		return nil, err
	}
	r := &Receiver{Secret: secret, Delay: delay, wh: wh}
	r.srv = httptest.NewServer(r)
	r.URL = r.srv.URL + "/hooks/researchflow"
	return r, nil
}

// Close stops the receiver.
func (r *Receiver) Close() { r.srv.Close() }

// ServeHTTP records and answers one delivery.
func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, 8<<20))
	d := &Delivery{ID: req.Header.Get(standardwebhooks.HeaderWebhookID), ResearchID: req.Header.Get(headerResearchID), Arrived: time.Now()}
	var ev struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(body, &ev)
	d.Type = ev.Type
	r.mu.Lock()
	r.ds = append(r.ds, d)
	r.mu.Unlock()

	status := http.StatusNoContent
	d.Valid = err == nil && r.wh.Verify(body, req.Header) == nil
	if !d.Valid {
		status = http.StatusBadRequest
	}
	select {
	case <-time.After(r.Delay):
	case <-req.Context().Done():
	}
	r.waitHold(req.Context(), d)
	// A sender gone before the answer (killed mid-delivery) is told
	// nothing. After the answer the connection's fate says nothing: a
	// sender may close it as soon as it has read the answer (Go's client
	// keeps two idle connections per host and closes the others).
	connected := req.Context().Err() == nil
	w.WriteHeader(status)
	flushErr := http.NewResponseController(w).Flush()
	r.mu.Lock()
	d.Status, d.Ended = status, time.Now()
	d.Acked = status < 300 && connected && flushErr == nil
	r.mu.Unlock()
}

// Deliveries returns copies of the deliveries so far, in order of arrival.
func (r *Receiver) Deliveries() []Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Delivery, len(r.ds))
	for i, d := range r.ds {
		out[i] = *d
	}
	return out
}

// waitHold returns when no hold holds d's answer (or its sender is gone),
// and marks d as being answered.
func (r *Receiver) waitHold(ctx context.Context, d *Delivery) {
	for {
		r.mu.Lock()
		held := r.held
		if held == nil || ctx.Err() != nil {
			d.answering = true
			r.mu.Unlock()
			return
		}
		r.mu.Unlock()
		select {
		case <-held:
		case <-ctx.Done():
		}
	}
}

// HoldInFlight holds every answer not yet begun, if a delivery is waiting
// for its answer, and reports whether it did; release ends the hold (at the
// latest after maxHold). Checked and held at once, so that no delivery in
// flight at the check is answered before release.
func (r *Receiver) HoldInFlight() (release func(), ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.held != nil {
		return nil, false
	}
	waiting := false
	for _, d := range r.ds {
		if d.Ended.IsZero() && !d.answering {
			waiting = true
			break
		}
	}
	if !waiting {
		return nil, false
	}
	held := make(chan struct{})
	r.held = held
	var once sync.Once
	release = func() {
		once.Do(func() {
			r.mu.Lock()
			r.held = nil
			r.mu.Unlock()
			close(held)
		})
	}
	time.AfterFunc(maxHold, release)
	return release, true
}

// maxHold bounds a hold, should the suite never release it.
const maxHold = 15 * time.Second

// InFlight reports whether a delivery is being answered now.
func (r *Receiver) InFlight() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, d := range r.ds {
		if d.Ended.IsZero() {
			return true
		}
	}
	return false
}

// DeliveryStats sums up the deliveries a receiver got.
type DeliveryStats struct {
	Total int `json:"total"`
	// Distinct counts the different delivery IDs.
	Distinct int `json:"distinct"`
	Acked    int `json:"acked"`
	// Duplicates counts deliveries whose ID had already been acknowledged
	// when they arrived.
	Duplicates   int                 `json:"duplicates"`
	DuplicateIDs []string            `json:"duplicateIds,omitempty"`
	Duplicated   []DuplicateDelivery `json:"duplicated,omitempty"`
	// BadSignatures counts deliveries whose signature did not verify.
	BadSignatures int `json:"badSignatures"`
	// PerRun counts the deliveries of each research run; ReportsAcked
	// lists the runs whose research.report.ready event was acknowledged.
	PerRun       map[string]int  `json:"perRun"`
	ReportsAcked map[string]bool `json:"-"`
	// Deliveries are all the deliveries, in order of arrival.
	Deliveries []Delivery `json:"deliveries"`
}

// DuplicateDelivery is a delivery of an ID that had been acknowledged.
type DuplicateDelivery struct {
	ID         string    `json:"id"`
	ResearchID string    `json:"researchId"`
	Type       string    `json:"type"`
	FirstAcked time.Time `json:"firstAcked"`
	Again      time.Time `json:"again"`
}

// CountDeliveries sums up deliveries (as Receiver.Deliveries returns them).
func CountDeliveries(ds []Delivery) DeliveryStats {
	ds = append([]Delivery(nil), ds...)
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].Arrived.Before(ds[j].Arrived) })
	out := DeliveryStats{PerRun: map[string]int{}, ReportsAcked: map[string]bool{}, Deliveries: ds}
	ackedAt := map[string]time.Time{}
	for _, d := range ds {
		if d.Acked {
			if t, ok := ackedAt[d.ID]; !ok || d.Ended.Before(t) {
				ackedAt[d.ID] = d.Ended
			}
		}
	}
	seen := map[string]bool{}
	for _, d := range ds {
		out.Total++
		if !d.Valid {
			out.BadSignatures++
			continue
		}
		seen[d.ID] = true
		out.PerRun[d.ResearchID]++
		if d.Acked {
			out.Acked++
			if d.Type == rf.EventReportReady {
				out.ReportsAcked[d.ResearchID] = true
			}
		}
		if t, ok := ackedAt[d.ID]; ok && t.Before(d.Arrived) {
			out.Duplicates++
			out.DuplicateIDs = append(out.DuplicateIDs, d.ID)
			out.Duplicated = append(out.Duplicated, DuplicateDelivery{ID: d.ID, ResearchID: d.ResearchID, Type: d.Type, FirstAcked: t, Again: d.Arrived})
		}
	}
	out.Distinct = len(seen)
	return out
}
