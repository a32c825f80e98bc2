package textproc

import (
	"strings"
	"testing"
)

// BenchmarkTokenize measures Tokenize (and so Stem) on prose with code
// names, the text ingest tokenizes for every chunk.
func BenchmarkTokenize(b *testing.B) {
	text := strings.Repeat(analysisSample+"\n", 8)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Tokenize(text)
	}
}
