package ident

import (
	"slices"
	"testing"
)

func TestDOI(t *testing.T) {
	for in, want := range map[string]string{
		"10.1038/nature14539":                         "10.1038/nature14539",
		"https://doi.org/10.1038/Nature14539":         "10.1038/nature14539",
		"http://dx.doi.org/10.1145/3292500.3330701.":  "10.1145/3292500.3330701",
		"doi:10.48550/arXiv.1706.03762":               "10.48550/arxiv.1706.03762",
		"https://example.org/doi/10.1126/science.abc": "10.1126/science.abc",
		"not a doi": "",
		"":          "",
	} {
		if got := DOI(in); got != want {
			t.Errorf("DOI(%q) = %q, want %q", in, got, want)
		}
	}
	if got := DOIFromLink("https://example.org/doi/10.1126/science.abc"); got != "" {
		t.Errorf("DOIFromLink of a non-doi.org link = %q", got)
	}
}

func TestArxiv(t *testing.T) {
	for in, want := range map[string]string{
		"https://arxiv.org/abs/1706.03762v7":          "1706.03762",
		"http://arxiv.org/pdf/1706.03762v1.pdf":       "1706.03762",
		"https://export.arxiv.org/abs/hep-th/9901001": "hep-th/9901001",
		"https://arxiv.org/html/2401.12345v2":         "2401.12345",
		"https://example.org/abs/1706.03762":          "",
		"https://arxiv.org/list/cs.AI/recent":         "",
	} {
		if got := ArxivFromURL(in); got != want {
			t.Errorf("ArxivFromURL(%q) = %q, want %q", in, got, want)
		}
	}
	if got := ArxivID("arXiv:0704.0001v2"); got != "0704.0001" {
		t.Errorf("ArxivID = %q", got)
	}
}

func TestNormalizeURL(t *testing.T) {
	same := []string{
		"https://www.Example.com/a/b/?utm_source=x&b=2&a=1#frag",
		"http://example.com:80/a/b?a=1&b=2",
		"https://example.com:443/a/b?b=2&a=1&fbclid=zz",
	}
	for _, u := range same[1:] {
		if NormalizeURL(u) != NormalizeURL(same[0]) {
			t.Errorf("NormalizeURL(%q) = %q, want %q", u, NormalizeURL(u), NormalizeURL(same[0]))
		}
	}
	if NormalizeURL("https://example.com/a") == NormalizeURL("https://example.com/b") {
		t.Error("different paths normalised alike")
	}
	if NormalizeURL("http://127.0.0.1:8080/x") == NormalizeURL("http://127.0.0.1:9090/x") {
		t.Error("different ports normalised alike")
	}
}

func TestKeys(t *testing.T) {
	got := Keys("", "1706.03762v2", "https://arxiv.org/abs/1706.03762v7", "https://doi.org/10.48550/arXiv.1706.03762")
	want := []string{"arxiv:1706.03762", "url://arxiv.org/abs/1706.03762v7", "url://doi.org/10.48550/arXiv.1706.03762", "doi:10.48550/arxiv.1706.03762"}
	if !slices.Equal(got, want) {
		t.Errorf("Keys = %q, want %q", got, want)
	}
}

func TestGroups(t *testing.T) {
	got := Groups([][]string{
		{"doi:10.1/a", "url://a.example/x"},
		{"url://b.example/y"},
		{"url://c.example/z"},
		{"url://b.example/y", "doi:10.1/a"}, // joins 0 and 1
		{},
	})
	if want := []int{0, 0, 2, 0, 4}; !slices.Equal(got, want) {
		t.Errorf("Groups = %v, want %v", got, want)
	}
}
