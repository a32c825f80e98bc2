package textproc

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// analysisSample exercises every path of Tokenize: stop words, code names
// and their parts, code-case stop words, each Stem rule (irregular forms,
// -ate, -sion/-tion, -ation, -ing, -ies, -es, -s, -e), digits, the
// bigrams of unspaced scripts, and contractions.
const analysisSample = `The channels are buffered; goroutines communicate and related
communications were completed. How does sync.Mutex guarantee ordering? Call
pool.Do(job) once, then If the max_idle_conns setting is 3 the class status
analysis stays. Queries, copied caches, selections, decisions, chosen, written
and frozen values: states, dates, creating, creation, quickly, carefully.
boost::optional works with "quotes" and e.g. abbreviations. 备份数据 と データ.
The Once type; calls Do. Running runs ran. Indexed indexing indexes index.
It's the server's job: the client doesn't retry, can't wait and won't panic; it ain't slow.
Quote "$@", not $*; $? is the status ($$ the PID), not a$b or \$! or ${#}. whats it, dont.`

// analysisGolden is the SHA-256 of Tokenize(analysisSample) joined by
// newlines, made by the build with AnalysisVersion analysisGoldenVersion.
const (
	analysisGolden        = "d077e3f52566cff71c6c18ff54fe489debc4a49900ef7af9038161794ac2a8cc"
	analysisGoldenVersion = 5
)

// TestAnalysisVersion fails when Tokenize's output changes without a new
// AnalysisVersion: a store indexed by the old analysis would answer the
// new one's queries silently worse. After bumping the version, set the
// golden hash and version here to what the failure prints.
func TestAnalysisVersion(t *testing.T) {
	toks := Tokenize(analysisSample)
	sum := sha256.Sum256([]byte(strings.Join(toks, "\n")))
	got := hex.EncodeToString(sum[:])
	if AnalysisVersion != analysisGoldenVersion {
		t.Fatalf("AnalysisVersion is %d, the golden tokens are of version %d: set analysisGolden = %q and analysisGoldenVersion = %d",
			AnalysisVersion, analysisGoldenVersion, got, AnalysisVersion)
	}
	if got != analysisGolden {
		t.Errorf("Tokenize's output on the sample changed (hash %s, tokens %q) but AnalysisVersion is still %d: bump it (and the golden values here)",
			got, toks, AnalysisVersion)
	}
}
