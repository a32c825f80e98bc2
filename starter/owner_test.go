package main

import (
	"testing"

	rf "github.com/researchflow/researchflow"
)

func lookupOf(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

func TestResolveOwner(t *testing.T) {
	keys := "alice:k-alice,bob@example.com:k-bob"
	tests := []struct {
		flag    string
		env     map[string]string
		want    string
		wantErr bool
	}{
		{"", nil, rf.LocalOwner, false},
		{"alice", nil, "alice", false},
		{"", map[string]string{"RESEARCHFLOW_API_KEYS": keys, "RESEARCHFLOW_API_KEY": "k-bob"}, "bob@example.com", false},
		{"bob@example.com", map[string]string{"RESEARCHFLOW_API_KEYS": keys, "RESEARCHFLOW_API_KEY": "k-bob"}, "bob@example.com", false},
		{"alice", map[string]string{"RESEARCHFLOW_API_KEYS": keys, "RESEARCHFLOW_API_KEY": "k-bob"}, "", true}, // the key is bob's
		{"", map[string]string{"RESEARCHFLOW_API_KEYS": keys, "RESEARCHFLOW_API_KEY": "wrong"}, "", true},
		{"", map[string]string{"RESEARCHFLOW_API_KEY": "k-bob"}, "", true}, // no key list here: --owner is needed
		{"alice", map[string]string{"RESEARCHFLOW_API_KEY": "k-bob"}, "alice", false},
		{"a--b", nil, "", true},
	}
	for _, tt := range tests {
		got, err := resolveOwner(tt.flag, lookupOf(tt.env))
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("resolveOwner(%q, %v) = %q, %v; want %q (error %v)", tt.flag, tt.env, got, err, tt.want, tt.wantErr)
		}
	}
}

// What the starter ingests is what the gateway researches for the same
// owner, and the other way round: one corpus namespace.
func TestStarterAndGatewayNameOneCorpus(t *testing.T) {
	for _, owner := range []string{rf.LocalOwner, "alice", "bob@example.com"} {
		ing := ingestInput(owner, "opsdocs", "/srv/docs", false)
		if _, err := ing.Normalize(); err != nil {
			t.Fatalf("owner %s: ingest corpus %q: %v", owner, ing.Corpus, err)
		}
		api, err := rf.CreateResearchRequest{Question: "How is the service restarted?", Corpus: "opsdocs"}.Input(owner)
		if err != nil {
			t.Fatal(err)
		}
		cli, err := ownedInput(rf.ResearchInput{Question: "How is the service restarted?", Corpus: "opsdocs"}, owner)
		if err != nil {
			t.Fatal(err)
		}
		if ing.Corpus != api.Corpus || cli.Corpus != api.Corpus {
			t.Errorf("owner %s: starter ingests %q, researches %q; the gateway researches %q", owner, ing.Corpus, cli.Corpus, api.Corpus)
		}
		if got := ingestInput(owner, "", "/srv/team notes", false).Corpus; got != rf.ScopedCorpus(owner, "team-notes") {
			t.Errorf("owner %s: a folder's default corpus is %q", owner, got)
		}
	}
	if got := ingestInput(rf.LocalOwner, "opsdocs", "/srv/docs", false).Corpus; got != "opsdocs" {
		t.Errorf("the local owner's corpus is stored as %q, want opsdocs", got)
	}
}
