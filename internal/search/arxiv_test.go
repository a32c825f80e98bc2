package search

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/researchflow/researchflow/internal/egress"
)

// arxivFeed is an arXiv API answer (the user manual's example entry and a
// new-style one with arxiv:doi).
const arxivFeed = `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="http://arxiv.org/api/query?search_query%3Dall%3Aelectron%26id_list%3D%26start%3D0%26max_results%3D2" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: search_query=all:electron&amp;id_list=&amp;start=0&amp;max_results=2</title>
  <id>http://arxiv.org/api/cHxbiOdZaP56ODnBPIenZhzg5f8</id>
  <updated>2007-10-08T00:00:00-04:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">1000</opensearch:totalResults>
  <opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">0</opensearch:startIndex>
  <opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">2</opensearch:itemsPerPage>
  <entry>
    <id>http://arxiv.org/abs/hep-ex/0307015v1</id>
    <published>2003-07-07T13:46:39-04:00</published>
    <updated>2003-07-07T13:46:39-04:00</updated>
    <title>Multi-Electron Production at High Transverse Momenta in ep Collisions at
  HERA</title>
    <summary>  Multi-electron production is studied at high electron transverse momentum
in positron- and electron-proton collisions using the H1 detector at HERA.
</summary>
    <author><name>H1 Collaboration</name></author>
    <arxiv:comment xmlns:arxiv="http://arxiv.org/schemas/atom">23 pages, 8 figures and 4 tables</arxiv:comment>
    <arxiv:journal_ref xmlns:arxiv="http://arxiv.org/schemas/atom">Eur.Phys.J. C31 (2003) 17-29</arxiv:journal_ref>
    <link href="http://arxiv.org/abs/hep-ex/0307015v1" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/hep-ex/0307015v1" rel="related" type="application/pdf"/>
    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="hep-ex" scheme="http://arxiv.org/schemas/atom"/>
    <category term="hep-ex" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
  <entry>
    <id>http://arxiv.org/abs/2411.01234v2</id>
    <published>2024-11-02T17:59:59Z</published>
    <updated>2024-11-05T10:00:00Z</updated>
    <title>Quantum Advantage in Learning from Experiments</title>
    <summary>We show an exponential advantage...</summary>
    <author><name>A. Author</name></author>
    <author><name>B. Author</name></author>
    <arxiv:doi xmlns:arxiv="http://arxiv.org/schemas/atom">10.1126/science.abn7293</arxiv:doi>
    <link title="doi" href="http://dx.doi.org/10.1126/science.abn7293" rel="related"/>
    <link href="http://arxiv.org/abs/2411.01234v2" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/2411.01234v2" rel="related" type="application/pdf"/>
    <category term="quant-ph" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
</feed>`

func TestArxiv(t *testing.T) {
	p := newProvider(t, answer(200, "application/atom+xml; charset=utf-8", arxivFeed))
	got, err := NewArxiv(p.URL+"/api/query", http.DefaultClient).Search(context.Background(),
		Query{Text: "Summarize the latest trends in quantum computing and their potential impact on AI", Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	r := p.last.Load()
	q := r.URL.Query()
	if r.URL.Path != "/api/query" || q.Get("max_results") != "2" || q.Get("start") != "0" || q.Get("sortBy") != "relevance" {
		t.Errorf("request %s", r.URL)
	}
	if want := "all:quantum OR all:computing OR all:ai"; q.Get("search_query") != want {
		t.Errorf("search_query %q, want %q", q.Get("search_query"), want)
	}
	if len(got) != 2 {
		t.Fatalf("%d results", len(got))
	}
	a := got[0]
	if a.Title != "Multi-Electron Production at High Transverse Momenta in ep Collisions at HERA" ||
		a.ArxivID != "hep-ex/0307015" || a.URL != "http://arxiv.org/abs/hep-ex/0307015v1" || a.Site != "arXiv" ||
		!strings.HasPrefix(a.Snippet, "Multi-electron production is studied") {
		t.Errorf("first = %+v", a)
	}
	if want := time.Date(2003, 7, 7, 17, 46, 39, 0, time.UTC); !a.Published.Equal(want) {
		t.Errorf("published %v, want %v", a.Published, want)
	}
	if b := got[1]; b.ArxivID != "2411.01234" || b.DOI != "10.1126/science.abn7293" || b.Provider != Arxiv {
		t.Errorf("second = %+v", b)
	}
}

func TestArxivEmpty(t *testing.T) {
	p := newProvider(t, answer(200, "application/atom+xml", `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="html">ArXiv Query: search_query=all:zzqx</title>
  <id>http://arxiv.org/api/x</id>
  <updated>2024-11-29T00:00:00-05:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">0</opensearch:totalResults>
</feed>`))
	got, err := NewArxiv(p.URL, http.DefaultClient).Search(context.Background(), Query{Text: "zzqx"})
	if err != nil || len(got) != 0 {
		t.Errorf("got %v, %v", got, err)
	}
}

func TestArxivErrorEntry(t *testing.T) {
	p := newProvider(t, answer(200, "application/atom+xml", `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>http://arxiv.org/api/x</id>
  <entry>
    <id>http://arxiv.org/api/errors#max_results_must_be_non-negative</id>
    <title>Error</title>
    <summary>max_results must be non-negative</summary>
    <link href="http://arxiv.org/api/errors#max_results_must_be_non-negative" rel="alternate" type="text/html"/>
  </entry>
</feed>`))
	_, err := NewArxiv(p.URL, http.DefaultClient).Search(context.Background(), Query{Text: "quantum"})
	wantKind(t, err, egress.KindRejected, true)
	if !strings.Contains(err.Error(), "max_results must be non-negative") {
		t.Errorf("err %v lacks arXiv's reason", err)
	}
}

func TestArxivStopwordsOnly(t *testing.T) {
	p := newProvider(t, answer(200, "application/atom+xml", arxivFeed))
	_, err := NewArxiv(p.URL, http.DefaultClient).Search(context.Background(), Query{Text: "what is the"})
	wantKind(t, err, egress.KindInvalid, true)
	if p.hits.Load() != 0 {
		t.Error("request made for a query without words")
	}
}

func TestKeywords(t *testing.T) {
	got := keywords("How do LLM-based agents (e.g. GPT-4) plan? Agents plan!", 8)
	if want := []string{"llm-based", "agents", "gpt-4", "plan"}; !slices.Equal(got, want) {
		t.Errorf("keywords = %q, want %q", got, want)
	}
	if got := keywords("a b c d e f g h i j k l m n o p quantum", 8); !slices.Equal(got, []string{"quantum"}) {
		t.Errorf("keywords = %q", got)
	}
}

func TestArxivCommon(t *testing.T) {
	commonCases(t, func(base string) Searcher { return NewArxiv(base, http.DefaultClient) },
		`<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/1`, "application/atom+xml")
	// HTML where Atom was expected.
	p := newProvider(t, answer(200, "text/html", `<html><body>Rate exceeded.</body></html>`))
	_, err := NewArxiv(p.URL, http.DefaultClient).Search(context.Background(), Query{Text: "quantum"})
	wantKind(t, err, egress.KindBadResponse, false)
}
