package fetch

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/researchflow/researchflow/internal/egress"
)

// minimalPDF is a one-page PDF showing text (as in package corpus's tests).
func minimalPDF(text string) string {
	stream := fmt.Sprintf("BT /F1 12 Tf 72 712 Td (%s) Tj ET", text)
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
	}
	var b strings.Builder
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.String()
}

func TestPDF(t *testing.T) {
	s := newSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/pdf/2411.01234v2":
			w.Header().Set("Content-Type", "application/pdf")
			fmt.Fprint(w, minimalPDF("Qubits decohere in microseconds."))
		default:
			// No Content-Type: the body is sniffed.
			w.Header()["Content-Type"] = nil
			_, _ = w.Write([]byte("%PDF-1.4\nthis is not really a pdf\n%EOF\n"))
		}
	}))
	f := New(Config{AllowCIDRs: loopback})
	p, err := f.Fetch(context.Background(), s.URL+"/pdf/2411.01234v2")
	if err != nil {
		t.Fatal(err)
	}
	if p.ContentType != "application/pdf" || !strings.Contains(p.Text, "Qubits decohere in microseconds.") ||
		p.Title != "2411.01234v2" {
		t.Errorf("page %+v", p)
	}
	_, err = f.Fetch(context.Background(), s.URL+"/broken")
	if err == nil || kindOf(t, err) != egress.KindUnsupported {
		t.Errorf("corrupt PDF: err %v, want %s", err, egress.KindUnsupported)
	}
}
