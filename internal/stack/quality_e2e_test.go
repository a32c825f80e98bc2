package stack

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/report"
)

// The failing inputs of issue 8 and variants of their kind, each through a
// real research run on the shared stack: text in other encodings and
// scripts, a question the notes cannot answer, and an article inside page
// furniture.

func utf16File(s string, bigEndian bool) []byte {
	out := []byte{0xFF, 0xFE}
	if bigEndian {
		out = []byte{0xFE, 0xFF}
	}
	for _, u := range utf16.Encode([]rune(s)) {
		if bigEndian {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

func windows1252(t *testing.T, s string) []byte {
	b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFiles(t *testing.T, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// body is the report above its Sources list.
func body(md string) string {
	if i := strings.LastIndex(md, "## Sources"); i >= 0 {
		return md[:i]
	}
	return md
}

func TestQualityStatesTheAnswerInAnyEncodingAndScript(t *testing.T) {
	endToEnd(t)
	const inventory = "The backup server kestrel-04 stands in the Oslo data centre. Backups are kept for 35 days."
	parking := []byte("Staff park on level 2 of the garage; level 1 is for visitors.\n")
	cases := []struct {
		name     string
		files    map[string][]byte
		question string
		want     []string // in the report's statements
		cite     string   // file the report must cite
	}{
		{"utf16le-bom", map[string][]byte{"inventory.txt": utf16File(inventory, false)},
			"Where does the backup server live and how long are backups kept?", []string{"kestrel-04", "Oslo", "35 days"}, "inventory.txt"},
		{"utf16be-bom", map[string][]byte{"inventory.txt": utf16File(inventory, true), "parking.txt": parking},
			"Where does the backup server live and how long are backups kept?", []string{"kestrel-04", "Oslo", "35 days"}, "inventory.txt"},
		{"windows-1252", map[string][]byte{"café.txt": windows1252(t, "The café on the ground floor opens at 07:30 and serves crème brûlée on Fridays."), "parking.txt": parking},
			"When does the café open and what does it serve on Fridays?", []string{"café on the ground floor opens at 07:30", "crème brûlée"}, "café.txt"},
		{"chinese", map[string][]byte{
			"backup.md":  []byte("# 备份\n\n备份每天凌晨两点半运行，数据保留三十五天。\n"),
			"parking.md": []byte("# 停车\n\n员工把车停在车库二层，一层留给访客。\n"),
			"badge.md":   []byte("# 门禁\n\n新员工入职第一天领取门禁卡。\n"),
		}, "备份数据保留多少天？", []string{"备份每天凌晨两点半运行，数据保留三十五天"}, "backup.md"},
		{"japanese-utf16", map[string][]byte{
			"backup.txt":  utf16File("バックアップは毎晩二時半に実行されます。データの保存期間は三十五日です。", false),
			"parking.txt": []byte("社員は駐車場の二階に駐車します。一階は来客用です。"),
		}, "データの保存期間は何日ですか？", []string{"データの保存期間は三十五日です"}, "backup.txt"},
		{"korean", map[string][]byte{
			"backup.md":  []byte("백업은 매일 밤 두 시 반에 실행됩니다. 백업 데이터는 35일 동안 보관됩니다.\n"),
			"parking.md": []byte("직원은 주차장 2층에 주차합니다. 1층은 방문객용입니다.\n"),
		}, "백업 데이터는 며칠 동안 보관됩니까?", []string{"35일 동안 보관됩니다"}, "backup.md"},
		{"arabic", map[string][]byte{
			"backup.md":  []byte("تعمل النسخ الاحتياطية كل ليلة. يتم الاحتفاظ بالنسخ الاحتياطية لمدة 35 يوما.\n"),
			"parking.md": []byte("يركن الموظفون سياراتهم في الطابق الثاني من المرآب.\n"),
		}, "كم يوما يتم الاحتفاظ بالنسخ الاحتياطية؟", []string{"لمدة 35 يوما"}, "backup.md"},
		{"thai", map[string][]byte{
			"backup.md":  []byte("ระบบสำรองข้อมูลทำงานทุกคืน ข้อมูลสำรองถูกเก็บไว้สามสิบห้าวัน\n"),
			"parking.md": []byte("พนักงานจอดรถที่ชั้นสองของอาคารจอดรถ\n"),
		}, "ข้อมูลสำรองถูกเก็บไว้กี่วัน", []string{"ข้อมูลสำรองถูกเก็บไว้สามสิบห้าวัน"}, "backup.md"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeFiles(t, c.files)
			res, _ := research(t, "quality-"+c.name, rf.ResearchInput{Question: c.question, CorpusPath: dir, Corpus: "quality-" + c.name})
			for _, w := range c.want {
				if !strings.Contains(body(res.Report), w) {
					t.Errorf("the report does not state %q:\n%s", w, res.Report)
				}
			}
			if sourceFor(res, c.cite) == 0 {
				t.Errorf("the report does not cite %s:\n%s", c.cite, res.Report)
			}
			if err := report.CheckCitations(res.Report); err != nil {
				t.Error(err)
			}
			if !latinOnly(c.question) && regexp.MustCompile(`(?m)^## (What|How|Where|When|Why) `).MatchString(res.Report) {
				t.Errorf("English sub-questions around a question in another script:\n%s", res.Report)
			}
		})
	}
}

func latinOnly(s string) bool {
	for _, r := range s {
		if r > 0x24F {
			return false
		}
	}
	return true
}

// A question the notes cannot answer ends with a gap and no findings, not
// with a loosely related sentence.
func TestQualityUnanswerableEndsWithAGap(t *testing.T) {
	endToEnd(t)
	dir := writeFiles(t, map[string][]byte{
		"parking.txt": []byte("Staff park on level 2 of the garage; level 1 is for visitors.\n"),
		"backup.txt":  []byte("Backups run every night at 02:30 and are kept for 35 days.\n"),
	})
	for i, q := range []string{"When does a visitor badge expire?", "How many parking spaces does level 3 have for electric cars?"} {
		res, _ := research(t, "quality-unanswerable-"+string(rune('a'+i)), rf.ResearchInput{Question: q, CorpusPath: dir, Corpus: "quality-unanswerable"})
		if cited := report.Citations(res.Report); len(cited) != 0 || len(res.Sources) != 0 {
			t.Errorf("%s: findings %v from %d sources:\n%s", q, cited, len(res.Sources), res.Report)
		}
		if i == 0 && len(res.Gaps) != 1 {
			t.Errorf("%s: %d gaps, want one: %+v", q, len(res.Gaps), res.Gaps)
		}
		if len(res.Gaps) == 0 || !strings.Contains(res.Report, "## Gaps") {
			t.Errorf("%s: no gap reported:\n%s", q, res.Report)
		}
	}
}

// An HTML page's article is researched; its header promo, cookie dialog,
// sidebar and footer are not.
func TestQualityHTMLArticleOnly(t *testing.T) {
	endToEnd(t)
	page := `<!doctype html><html><head><title>Log retention</title></head><body>
<header><div class="promo">New: the Enterprise plan keeps your logs for 400 days.</div><nav><a href="/">Home</a></nav></header>
<div role="dialog" aria-label="Cookie consent"><p>We use cookies so that logs are kept for your session. Accept cookies?</p></div>
<main><article><h1>Log retention</h1>
<p>Application logs are kept for 30 days. Audit logs are kept for one year.</p>
</article></main>
<aside><p>Tip: archived logs are kept for 90 days in cold storage.</p></aside>
<footer><p>Need more? Sales can extend retention to 7 years for your logs.</p></footer></body></html>`
	dir := writeFiles(t, map[string][]byte{"retention.html": []byte(page)})
	res, _ := research(t, "quality-html", rf.ResearchInput{Question: "How long are logs kept?", CorpusPath: dir, Corpus: "quality-html"})
	b := body(res.Report)
	for _, w := range []string{"Application logs are kept for 30 days", "Audit logs are kept for one year"} {
		if !strings.Contains(b, w) {
			t.Errorf("the article's fact %q is missing:\n%s", w, res.Report)
		}
	}
	for _, bad := range []string{"400 days", "7 years", "cookies", "90 days"} {
		if strings.Contains(b, bad) {
			t.Errorf("page furniture %q is quoted:\n%s", bad, res.Report)
		}
	}
}

// The README's question: the report states the four channel rules of the
// Go memory model.
func TestQualityREADMEQuestionStatesTheChannelRules(t *testing.T) {
	endToEnd(t)
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("needs a Go installation for the default corpus")
	}
	res, _ := research(t, "quality-readme", rf.ResearchInput{Question: "What does the Go memory model guarantee about channel communication?"})
	b := strings.Join(strings.Fields(body(res.Report)), " ")
	for name, rule := range map[string]string{
		"send before receive completes":     `(?i)a send on a channel is synchronized before the completion of the corresponding receive`,
		"close before zero-value receive":   `(?i)closing of a channel is synchronized before a receive that returns a zero value because the channel is closed`,
		"unbuffered receive before send":    `(?i)receive from an unbuffered channel is synchronized before the completion of the corresponding send`,
		"k-th receive before (k+C)-th send": `(?i)k ?th receive (from|on) a channel with capacity C is synchronized before the completion of the k ?\+ ?C ?th send`,
	} {
		if !regexp.MustCompile(rule).MatchString(b) {
			t.Errorf("the report does not state the rule %q:\n%s", name, res.Report)
		}
	}
	if n := sourceFor(res, "go_mem.html"); n != 1 {
		t.Errorf("go_mem.html is source %d, want the first cited:\n%s", n, res.Report)
	}
}
