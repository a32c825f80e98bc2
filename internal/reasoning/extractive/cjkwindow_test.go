package extractive

import (
	"strings"
	"testing"
)

// A window of sentences in a script written without spaces is quoted as
// written: no space after its full stops.
func TestWindowJoinsCJKSentencesAsWritten(t *testing.T) {
	f := analyzeOne(t, "会议在哪个会议室开？", "会议纪要\n\n下周三下午三点在 Kelp 会议室开会。会议室在三楼。预算是 5,000 EUR。")
	if len(f) == 0 {
		t.Fatal("no finding")
	}
	if strings.Contains(f[0].Text, "。 ") {
		t.Errorf("finding %q: a space after a full stop", f[0].Text)
	}
}
