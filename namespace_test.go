package researchflow

import "testing"

// The starter (no owner), the gateway without authentication (LocalOwner)
// and the web app name one corpus the same way; an API key's owner has its own.
func TestOneCorpusNamespaceForLocal(t *testing.T) {
	starter, err := ResearchInput{Question: "How do the notes say to restart?", Corpus: "opsdocs"}.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	gateway, err := CreateResearchRequest{Question: "How do the notes say to restart?", Corpus: "opsdocs"}.Input(LocalOwner)
	if err != nil {
		t.Fatal(err)
	}
	if starter.Corpus != gateway.Corpus {
		t.Errorf("starter researches %q, the no-auth gateway %q: want one corpus", starter.Corpus, gateway.Corpus)
	}
	if got := ScopedCorpus("", "opsdocs"); got != "opsdocs" {
		t.Errorf("ScopedCorpus(\"\", opsdocs) = %q", got)
	}
	keyed, err := CreateResearchRequest{Question: "How do the notes say to restart?", Corpus: "opsdocs"}.Input("alice")
	if err != nil {
		t.Fatal(err)
	}
	if keyed.Corpus == starter.Corpus {
		t.Errorf("an API key's owner shares the local corpus %q", keyed.Corpus)
	}
	if got := PublicCorpus("alice", keyed.Corpus); got != "opsdocs" {
		t.Errorf("PublicCorpus(alice, %q) = %q", keyed.Corpus, got)
	}
	// Names stored by earlier gateways still read as their owner knows them.
	for _, owner := range []string{"", LocalOwner} {
		if got := PublicCorpus(owner, LocalOwner+ScopeSeparator+"notes"); got != "notes" {
			t.Errorf("PublicCorpus(%q, %q) = %q, want notes", owner, LocalOwner+ScopeSeparator+"notes", got)
		}
	}
}
