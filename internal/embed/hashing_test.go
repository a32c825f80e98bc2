package embed

import (
	"context"
	"fmt"
	"math"
	"testing"
)

func cosine(a, b []float32) float64 {
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}

func TestHashingDeterministicAndNormalized(t *testing.T) {
	ctx := context.Background()
	texts := []string{
		"A goroutine is a lightweight thread managed by the Go runtime.",
		"Package sync provides basic synchronization primitives such as sync.Mutex.",
		"x",
	}
	for _, dim := range []int{0, 64, 384, 1000} {
		h := Hashing{Dimensions: dim}
		a, err := h.EmbedDocuments(ctx, texts)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := Hashing{Dimensions: dim}.EmbedDocuments(ctx, texts)
		wantDim := dim
		if dim == 0 {
			wantDim = 384
		}
		if got := h.Dim(); got != wantDim {
			t.Errorf("Dim() = %d, want %d", got, wantDim)
		}
		for i := range texts {
			if len(a[i]) != wantDim {
				t.Fatalf("dim %d: len = %d, want %d", dim, len(a[i]), wantDim)
			}
			for k := range a[i] {
				if a[i][k] != b[i][k] {
					t.Fatalf("dim %d text %d: not deterministic at %d: %v != %v", dim, i, k, a[i][k], b[i][k])
				}
			}
			var norm float64
			for _, x := range a[i] {
				norm += float64(x) * float64(x)
			}
			if math.Abs(norm-1) > 1e-5 {
				t.Errorf("dim %d text %d: ‖v‖² = %v, want 1", dim, i, norm)
			}
		}
	}
}

func TestHashingEmptyTextIsZero(t *testing.T) {
	v, _ := Hashing{}.EmbedQuery(context.Background(), "the of and ...")
	for _, x := range v {
		if x != 0 {
			t.Fatalf("stop words only: got a non-zero vector")
		}
	}
}

func TestHashingSimilarCloserThanUnrelated(t *testing.T) {
	ctx := context.Background()
	h := Hashing{}
	tests := []struct {
		query, near, far string
	}{
		{
			"How do goroutines communicate over channels?",
			"Channels are the pipes that connect concurrent goroutines; one goroutine sends values into a channel.",
			"The image/png package decodes and encodes PNG images.",
		},
		{
			"sync.Mutex lock unlock",
			"A Mutex is a mutual exclusion lock. Call Lock before and Unlock after the critical section: sync.Mutex.",
			"Package strconv implements conversions to and from string representations of basic data types.",
		},
		{
			"garbage collector memory model",
			"The Go memory model specifies the conditions under which reads of a variable in one goroutine observe writes; the garbage collector ...",
			"HTTP/2 server push was removed from net/http.",
		},
	}
	for _, tt := range tests {
		q, _ := h.EmbedQuery(ctx, tt.query)
		n, _ := h.EmbedQuery(ctx, tt.near)
		f, _ := h.EmbedQuery(ctx, tt.far)
		if cn, cf := cosine(q, n), cosine(q, f); cn <= cf {
			t.Errorf("%q: cos(near) = %.3f, not above cos(far) = %.3f", tt.query, cn, cf)
		}
	}
	// Word order matters through term pairs, but only a little.
	a, _ := h.EmbedQuery(ctx, "memory model")
	b, _ := h.EmbedQuery(ctx, "model memory")
	if c := cosine(a, b); c >= 0.999 || c < 0.5 {
		t.Errorf("cos(\"memory model\", \"model memory\") = %.3f, want in [0.5, 0.999)", c)
	}
}

func TestHashingHonoursCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (Hashing{}).EmbedDocuments(ctx, []string{"a"}); err == nil {
		t.Fatal("EmbedDocuments with a cancelled context: got no error")
	}
}

// BenchmarkHashing measures short texts per second on one core; the target
// is at least 20k/s.
func BenchmarkHashing(b *testing.B) {
	texts := make([]string, 256)
	for i := range texts {
		texts[i] = fmt.Sprintf("Package net/http %d provides HTTP client and server implementations; "+
			"Get, Head, Post and PostForm make HTTP requests (variant %d).", i, i*7)
	}
	h := Hashing{}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.Vector(texts[i%len(texts)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "texts/s")
}

// Text without spaces between words is embedded by its character bigrams:
// a Chinese or Japanese question is nearest to the note that answers it.
func TestHashingUnspacedScripts(t *testing.T) {
	var h Hashing
	for _, c := range []struct{ q, answer, other string }{
		{"备份数据保留多少天？", "备份每天凌晨两点半运行，数据保留三十五天。", "员工把车停在车库二层，一层留给访客。"},
		{"バックアップの保存期間は？", "バックアップの保存期間は三十五日です。", "駐車場の二階は社員用です。"},
	} {
		q := h.Vector(c.q)
		if a, o := cosine(q, h.Vector(c.answer)), cosine(q, h.Vector(c.other)); a <= 0.2 || a <= o {
			t.Errorf("%s: cosine to the answer %.3f, to the other note %.3f", c.q, a, o)
		}
	}
}
