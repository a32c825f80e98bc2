package extractive

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/researchflow/researchflow/internal/reasoning"
	"github.com/researchflow/researchflow/internal/textproc"
)

// Scoring constants of the analyst.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
	// subWeight and mainWeight split lexical relevance between the
	// sub-question and the user's question.
	subWeight  = 0.75
	mainWeight = 0.25
	// retrievalBoost and headingBoost raise the relevance of sentences from
	// passages that retrieval ranked high or whose heading matches.
	retrievalBoost = 0.1
	headingBoost   = 0.25
	// sameSentence is the cosine at or above which two sentences count as
	// one; MMR never selects both.
	sameSentence = 0.8
	minWords     = 5
	maxWords     = 90
)

type candidate struct {
	text     string
	passage  int
	order    int  // position over all passages, for stable ties
	unnamed  bool // does not name the identifier the question asks about
	extended bool // admitted only as a passage of a core passage's document
	vec      vector
	pairs    vector // adjacent term pairs: word order, for near-duplicates
	terms    map[string]int
	length   int
	lexical  float64
	rel      float64
	chunkID  string
	sourceID string
	defines  string  // the definition list term it stands under (see sentence)
	idx      int     // index of the sentence in its passage's sentences (see window)
	heading  float64 // similarity of the heading it sits under (and the title) to the sub-question
	typed    bool    // holds the answer type the sub-question asks for
	strong   bool    // holds it in a form that makes it evidence on one topic word
	// short: a finished sentence too short to quote alone ("Never deploy
	// on a Friday."): evidence only when it names every concept of the
	// topic, and never counted in the weights the others are judged by.
	short bool
}

// Weights of the analyst's evidence rules.
const (
	// contextCredit is how much a question term counts when it is not in the
	// sentence but in its section heading or document title: "A send on a
	// channel is synchronized before …" under "Channel communication" in
	// "The Go Memory Model" speaks of all three.
	contextCredit = 0.8
	// minWeight is the weight of a question term found in every candidate
	// sentence; the rarest terms weigh 1.
	minWeight = 0.2
	// feedbackTop is how many of the best sentences pseudo-relevance
	// feedback reads; a term in at least feedbackMinDocs of them (and not
	// in the question) is an expansion, worth up to feedbackWeight of
	// relevance. Rocchio's relevance feedback, with the top sentences taken
	// as relevant (Manning, Raghavan & Schütze, Introduction to IR, §9.1.6).
	feedbackTop     = 5
	feedbackMinDocs = 2
	feedbackTerms   = 8
	feedbackWeight  = 0.15
	// answerBoost raises a sentence that states a rule, definition,
	// condition, cause or quantity; questionPenalty lowers one that asks.
	// relativeFloor: a sentence scoring below this share of the best
	// sentence's relevance is not a finding. (0.6 until 2026-12-06: at 0.4
	// the tune half's recall rose 0.721 → 0.729 and its precision 0.813 →
	// 0.821, the test half's precision 0.745 → 0.768 at equal recall; 0.5,
	// 0.3 and 0.2 measured the same as 0.4 on the tune half.)
	relativeFloor = 0.4
	// sourceFloor: a source whose best sentence scores below this share of
	// the best sentence's relevance gives no finding at all.
	sourceFloor = 0.8
	// possessiveWords is how many words after a possessive "'s" count as
	// the name of what it owns.
	possessiveWords = 2
	answerBoost     = 1.1
	ruleBoost       = 1.3
	questionPenalty = 0.5
	// mostConcepts: a sentence naming at least this many of the
	// sub-question's concepts, and at least half of them, is evidence
	// without one of the rarest terms (see Analyze). Added 2026-12-06: tune
	// half precision 0.815 → 0.823 at equal recall; test half recall 0.537
	// → 0.553, gold cited 87.8% → 89.2%, precision 0.778 → 0.768.
	mostConcepts = 3
	// examplePenalty lowers a sentence that comments on an example program
	// ("In the previous example, …", "then the program would …"): it
	// illustrates a rule rather than stating it.
	examplePenalty = 0.7
	// unnamedPenalty lowers a sentence that names none of the identifiers
	// the question asks about while the passages name one ("Does
	// GOMAXPROCS cap the number of OS threads?": the sentence about
	// GOMAXPROCS before those about threads and signals). A penalty, not a
	// rule: as a rule it lost the test half 0.020 of recall (2026-12-06),
	// as this penalty nothing on either half.
	unnamedPenalty = 0.7
)

// corePassages is how many of a sub-question's passages, in retrieval
// order, are read as evidence by the usual rules; a sentence of a later
// passage must also cover wideSupport of the topic's concepts (see
// support): two thirds. Measured with 18 passages a sub-question on the
// tune half and the probe sets: findings from passages 7 to 18 that state
// a key fact had a median support of 0.75, those answering an
// unanswerable question 0.50; at 0.67 the tune half's recall was 0.783
// (0.775 at 0.6, 0.783 at 0.5) and the probes' 0.812 (0.802, 0.822) with
// 66 of 77 unanswerable probes abstained (66, 63).
//
// wideStepSupport is the share a how-to question's step needs there when
// it is shown with its commands: half (tune half recall unchanged, more
// gold citations; a validation set's "log in over ssh without typing my
// password" answered by "Generate authentication keys … $ ssh-keygen -t
// rsa"; unanswerable probes abstained as before; for steps of any typed
// answer, two more unanswerable probes were answered).
//
// coreSources: a later passage of a document that one of retrieval's
// first coreSources passages is from is read by the usual rules (the
// document is about the question: "Aliases are not expanded when the
// shell is not interactive" in a later passage of the manual the best
// passage is from), but it adds to an answer the core passages give and
// gives none alone. Measured on the tune halves (2026-12-07): 3 against
// none, development recall 0.800 → 0.808, users' words 0.528 → 0.583, no
// unanswerable question answered (without the last condition five were);
// 6 gave 0.792 and 0.583.
const (
	corePassages    = 6
	coreSources     = 3
	wideSupport     = 0.67
	wideStepSupport = 0.5
)

// frameWords frame a question without being its topic ("What does the
// documentation say about …", "the difference between …", "… say anything
// about …").
var frameWords = set(`documentation docs say says said difference differences differ differs vs versus compare
compared explain describe tell show give list way ways anything something everything nothing`)

// Analyze selects up to MaxFindings sentences of the passages that answer the
// sub-question, without near-duplicates. Sentences are copied as written; a
// sentence that opens by referring back ("This", "It", "However", …) is
// quoted with the sentence before it. Passages without a ChunkID are
// ignored: a finding must name its chunk.
//
// Evidence rules: question terms weigh by their rarity among the candidate
// sentences (a term in none weighs most, so a question about something the
// passages never mention scores low); a sentence must contain at least one
// term of the sub-question and cover at least two (or the only one)
// counting its section heading and title, a code name and the parts the
// tokenizer splits it into counting as one (see concepts); its weighted
// coverage must reach
// MinScore. Among those, statements that answer (rules, definitions,
// conditions, numbers) and sentences sharing the vocabulary of the best
// ones (pseudo-relevance feedback) rank higher. When no sentence passes, the
// analysis has no findings and the sub-question becomes a gap.
func (e *Engine) Analyze(ctx context.Context, req reasoning.AnalyzeRequest) (reasoning.Analysis, error) {
	if err := ctx.Err(); err != nil {
		return reasoning.Analysis{}, fmt.Errorf("analyze %s: %w", req.SubQuestion.ID, err)
	}
	limit := req.MaxFindings
	if limit <= 0 {
		limit = e.cfg.MaxFindings
	}
	out := reasoning.Analysis{Findings: []reasoning.Finding{}, Engine: Name}

	sub := req.SubQuestion.Text
	if strings.TrimSpace(sub) == "" {
		sub = req.Question
	}
	main := req.Question
	if strings.TrimSpace(main) == "" {
		main = sub
	}

	var maxRetrieval float64
	for _, p := range req.Passages {
		maxRetrieval = math.Max(maxRetrieval, p.Score)
	}
	subVec := newVector(sub)
	asks := sub
	if b := strings.TrimSpace(req.SubQuestion.Broadens); b != "" {
		asks = b
	}
	// "all the go modules i downloaded are eating my disk. How do i wipe
	// them?" asks how: the sentence that asks says what for.
	_, asking := settingAndQuestion(asks)
	atype := classify(asking)
	dims := dimensionsOf(atype, asking)
	asked := askedWords(sub, main)
	var cands []*candidate
	headings := make([]float64, len(req.Passages))
	var ctxTerms []map[string]bool                 // by candidate
	sents := make([][]sentence, len(req.Passages)) // by passage: the sentences windows grow over
	for i, p := range req.Passages {
		if p.ChunkID == "" {
			continue
		}
		headings[i] = cosine(newVector(p.Section+" "+p.Title), subVec)
		sents[i] = withContext(passageSentences(p.Text))
		for si, sent := range sents[i] {
			s := sent.text
			// A sentence with its commands (see passageSentences) is judged
			// by the sentence.
			intro, _, _ := strings.Cut(s, "\n")
			completed := "" // the sentence with the block it introduces as its object
			if next := si + 1; next < len(sents[i]) && (sents[i][next].code || sents[i][next].item && endsColon(intro) && !sent.item) {
				// "To restore a file, run:" is a finished sentence, and the
				// block or list it introduces may complete it: "To restart
				// the worker, run:" is judged as "To restart the worker,
				// run `systemctl restart rf-worker`." too, whose last
				// verb has its object (see imperative).
				if block, _, _ := strings.Cut(sents[i][next].text, "\n"); endsColon(intro) {
					completed = trimColon(intro) + " `" + strings.TrimSpace(block) + "`."
				}
				intro = trimColon(intro) + "."
			}
			// A table row names its cells without a verb (see tableRow).
			fragment := !sent.row && isFragment(intro) && (completed == "" || isFragment(completed))
			short := false
			if sent.code {
				continue
			}
			if fragment && !typedItem(intro, atype, asked, dims) {
				if !shortSentence(intro) {
					continue
				}
				short = true
			}
			heading := sent.heading
			if heading == "" {
				heading = p.Section
			}
			terms := map[string]bool{}
			for _, t := range textproc.Tokenize(heading + " " + sent.defines + " " + p.Title + " " + entryDefinition(sents[i], si)) {
				terms[t] = true
			}
			if p := symbolEntry(sent.defines); p != "" {
				terms[p] = true // the entry of "$$", "$#": what its sentences speak of
			}
			ctxTerms = append(ctxTerms, terms)
			c := &candidate{text: s, passage: i, idx: si, heading: headings[i], order: len(cands), vec: newVector(s), pairs: pairVector(s), terms: map[string]int{}, chunkID: p.ChunkID, sourceID: p.SourceID, defines: sent.defines, short: short}
			for _, t := range textproc.Tokenize(s) {
				c.terms[t]++
				c.length++
			}
			if next := si + 1; (atype == nameAnswer || atype == procedureAnswer) && next < len(sents[i]) && sents[i][next].code && endsColon(strings.TrimSpace(s)) {
				// A question asking for a command or the steps is answered
				// by the block a sentence introduces, whatever the sentence
				// says of it: "… check the dashboard and the recent
				// deploys:" then "kubectl -n payments rollout history …"
				// for "Which kubectl command shows the rollout history?".
				for _, t := range textproc.Tokenize(sents[i][next].text) {
					c.terms[t]++
				}
			}
			if sent.heading != "" {
				// The heading inside the passage is the one the sentence
				// sits under; the chunk's section is where the chunk began.
				c.heading = cosine(newVector(sent.heading+" "+p.Title), subVec)
			}
			cands = append(cands, c)
		}
	}
	if len(cands) == 0 {
		return out, nil
	}

	// The weights, the terms present and the average length are those of
	// the sentences long enough to quote: a short one is judged by them,
	// and changes nothing for the others.
	quotable := slices.DeleteFunc(slices.Clone(cands), func(c *candidate) bool { return c.short })
	if len(quotable) == 0 {
		quotable = cands
	}
	rarity := termWeights(quotable)
	// Rarity is taken before clippings count, so that a question term
	// keeps the weight of the word it is ("cancel" stays rare beside the
	// sentences naming CancelFunc).
	clipped(cands, ctxTerms, append(queryTerms(sub), queryTerms(main)...))
	present, named := map[string]bool{}, map[string]bool{}
	for _, c := range cands {
		for t := range c.terms {
			named[t] = true
			if !c.short {
				present[t] = true
			}
		}
	}
	names := nameTerms(sub)
	// "ls-files" is a name where the passages write it; "brand-new" and
	// "long-running", written in no passage, are the asker's English.
	var written strings.Builder
	for _, p := range req.Passages {
		written.WriteString(strings.ToLower(p.Text))
		written.WriteByte('\n')
	}
	askedCode := codeTerms(sub, func(w string) bool { return strings.Contains(written.String(), strings.ToLower(w)) })
	askedNames := map[string]bool{}
	for _, n := range entryNames(sub) {
		askedNames[n] = true
	}
	for _, m := range ctxTerms {
		for t := range m {
			present[t] = true
		}
	}
	// The identifiers the question asks about ("GOMAXPROCS",
	// "exec.Command") that the passages name: a sentence naming none of
	// them ranks lower (see unnamedPenalty).
	var presentCode []string
	for _, t := range sortedKeys(nameCodeTerms(sub)) {
		if present[t] || present[lastPart(t)] {
			presentCode = append(presentCode, t)
		}
	}
	// A question naming something no passage names ("Kubernetes", "level
	// 3") is not answered by these passages, whatever else they share.
	// A name only a short sentence writes ("Friday" of "Never deploy on a
	// Friday.") is answered by that sentence alone.
	shortOnly := false
	for _, t := range sortedKeys(names) {
		// "sync.Once" is present as itself or as "Once".
		if !present[t] && !present[lastPart(t)] {
			if !named[t] && !named[lastPart(t)] {
				return out, nil
			}
			shortOnly = true
		}
	}
	// "Is there a gym in the office building?": a thing asked to exist
	// that no passage names is not said to exist by any of them.
	if focus := existentialFocus(asks); len(focus) > 0 && !slices.ContainsFunc(focus, func(t string) bool { return hasLike(named, t) }) {
		return out, nil
	}
	// The words that ask ("guarantee", "work", "rules") weigh half: the
	// topic is what a sentence must be about; a sentence that only shares
	// the asking word ("… is not guaranteed to print …") answers little.
	weight := func(t string) float64 {
		if verbs[t] || facetWords[t] || verbStems[t] || weakStems[t] || t == bounds["largest"] || t == bounds["smallest"] {
			return rarity(t) / 2
		}
		return rarity(t)
	}
	var avgLen float64
	for _, c := range quotable {
		avgLen += float64(c.length)
	}
	avgLen /= float64(len(quotable))
	markers, excluded := excludedTerms(sub)
	mainMarkers, _ := excludedTerms(main)
	subTerms, mainTerms := without(queryTerms(sub), markers), without(queryTerms(main), mainMarkers)
	if k := kindTerm(asks, atype); k != "" && !present[k] {
		// "Which city are the backups kept in?", "Which kubectl command
		// undoes the rollout?": the noun of the kind asked, written in no
		// passage, is no topic a sentence must share; the type check
		// stands for it ("… in Frankfurt", a command line).
		subTerms = without(subTerms, map[string]bool{k: true})
	}
	subConcepts := concepts(subTerms)
	topicConcepts := countConcepts(subTerms, subConcepts)
	need := min(2, topicConcepts)
	// The verb a where, when or who question asks with ("Where is the
	// offsite held?", "Who approves deploys?") is not its topic: the
	// asked type carries it. It is none of the rarest words, and a
	// sentence holding the asked type needs one topic word fewer ("The
	// offsite is on 9 February 2027 in Lisbon."), while one sharing only
	// the verb ("Marco Bianchi approves any single purchase") is about
	// something else. How and why questions ask about the verb itself.
	pred, predNeed := predicateTerm(sub), need
	if pred == "" || !slices.Contains(subTerms, pred) || topicConcepts < 2 || !(atype == placeAnswer || atype.strict() && atype != quantityAnswer) {
		pred = ""
	} else {
		predNeed = min(2, topicConcepts-1)
	}
	// What the question rules out ("… without calling date?") may or may
	// not be spoken of by the answer ("use the UUID instead of names such
	// as /dev/sda" names it, "EPOCHSECONDS expands to the seconds since
	// the epoch" does not): a sentence must mention one of the rarest
	// terms counting the phrase, or one of those not counting it. The
	// words that rule out ("without") are no topic.
	eligible := func(t string) bool { return (present[t] || names[t]) && !markers[t] && t != pred }
	if pred != "" && !slices.ContainsFunc(subTerms, func(t string) bool { return t != pred && eligible(t) }) {
		// Only the asked verb is in the passages ("approves"), none of
		// the topic ("deploys"): they do not speak of it.
		return out, nil
	}
	// The subject of the question ("backups" of "How are backups handled
	// by the Kestrel team?") is what it asks about; the words after its
	// verb set the scene. A sentence that speaks of the scene but not of
	// the subject ("The Kestrel team moved to the third floor") is about
	// something else; when no passage writes the subject, none is.
	var subject []string
	for _, w := range textproc.QuestionSubject(asks) {
		for _, t := range textproc.Tokenize(w) {
			if !markers[t] && !slices.Contains(subject, t) {
				subject = append(subject, t)
			}
		}
	}
	rare := rarest(subTerms, weight, 2, eligible)
	rareKept := rarest(subTerms, weight, 2, func(t string) bool { return eligible(t) && !excluded[t] })

	// Answer typing: a question that asks for a quantity, a time or a
	// person is answered only by a sentence that states one, and such a
	// sentence is evidence when it shares one of the rarest topic words
	// ("The offsite moved to the first week of May" answers "When does the
	// offsite take place?"). "How many X" is answered by a sentence that
	// names X. Other types (reason, procedure, place, condition) rank the
	// sentences that hold them higher.
	// A broader follow-up asks what the sub-question it broadens asks:
	// "What does the documentation say about year Go first generics?"
	// still wants a year.
	counted := ""
	if atype == quantityAnswer {
		// "Does X cap the number of threads?" asks no count.
		counted = countedNoun(asks)
	}
	focus := focusNoun(asks)
	if focus != "" && !hasLike(present, focus) {
		focus = "" // phrased otherwise in the passages, perhaps
	}
	var common map[string]bool
	var relation string
	var partyNames []string
	if atype == personAnswer {
		common = lowerWords(req.Passages) // only names are judged by it
		// What a who-question asks of the person, where the passages
		// write it: the relation ("owns", as "owner: Jonas Brandt") and
		// the names it is asked about ("the Payments team").
		if r := predicateTerm(sub); r != "" && hasForm(named, r) {
			relation = r
		}
		for _, t := range sortedKeys(names) {
			if named[t] || named[lastPart(t)] {
				partyNames = append(partyNames, t)
			}
		}
	}
	typeTerms := map[string]bool{}
	for _, w := range scanWords(strings.ToLower(asks)) {
		if dateNouns[w.lower] && (atype == dateAnswer || atype == timeAnswer) {
			typeTerms[textproc.Stem(w.lower)] = true
		}
	}
	rareTyped := rarest(subTerms, weight, 2, func(t string) bool { return eligible(t) && !typeTerms[t] })
	rareKeptTyped := rarest(subTerms, weight, 2, func(t string) bool { return eligible(t) && !excluded[t] && !typeTerms[t] })
	coreSource := map[string]bool{}
	for i, p := range req.Passages {
		if i < coreSources {
			coreSource[p.SourceID] = true
		}
	}
	var kept []*candidate
	for _, c := range cands {
		subCov, direct, covered := coverage(c, subTerms, subConcepts, weight, avgLen, ctxTerms[c.order])
		if c.short && (direct < topicConcepts || direct < 2) || shortOnly && !c.short {
			continue
		}
		ok, strong := holds(atype, c.text, asked, common, dims)
		if ok && atype == personAnswer {
			// A name is who a question asks for beside the names it asks
			// about ("the product manager, Lena Vogt" is not the Payments
			// team's); beside a single topic word only where the sentence
			// says the relation asked ("owner: Jonas Brandt" for "Who owns
			// the renewal job?"): "… not for GitHub or Google Workspace"
			// names no owner of the staging environment.
			if !mentionsAll(c, partyNames, ctxTerms[c.order]) {
				ok, strong = false, false
			} else if relation != "" && !hasForm(c.terms, relation) && !hasForm(ctxTerms[c.order], relation) {
				strong = false
			}
		}
		// A sentence that names most of the topic is about it, rarest
		// words or not: those may be the asker's phrasing ("the whole
		// system", "move to") that loose sentences happen to share.
		most := direct >= mostConcepts && 2*direct >= topicConcepts
		if !ok && atype == quantityAnswer && len(dims) > 0 {
			// "The size of files considered big …" then "The default is
			// 512 MiB.": a measure of the asked kind in a short sentence
			// one or two after the one naming the topic; after one
			// naming most of it, a default written bare ("The default
			// is GOGC=100.").
			ss := sents[c.passage]
			for j := c.idx + 1; j < len(ss) && j <= c.idx+2 && !ss[j].code && !ss[j].cut && ss[j].term == "" && ss[j].heading == ss[c.idx].heading; j++ {
				if len(textproc.Words(ss[j].text)) <= 12 && (statesDimension(ss[j].text, dims) || most && statesDefaultValue(ss[j].text, dims)) {
					ok, strong = true, true
					break
				}
			}
		}
		needHere := need
		if ok && pred != "" {
			needHere = predNeed
		}
		if strong {
			// The asked-for type in its precise form and one of the
			// rarest topic words make evidence (item 2 of issue 18).
			needHere = 1
		}
		rare, rareKept := rare, rareKept
		if strong && len(typeTerms) > 0 && !mentions(c, rare, ctxTerms[c.order]) && !mentions(c, rareKept, ctxTerms[c.order]) {
			// "October or November 2009" says which month: the noun
			// that asks for the type need not be repeated by a value of
			// it, when the rarest of the other topic words are and the
			// sentence covers as much of the topic as an untyped one.
			rare, rareKept = rareTyped, rareKeptTyped
			needHere = need
		}
		if entryOf(c, askedNames) {
			// A sentence of the entry for a code name the question asks
			// about ("NOSPLIT = 4", then "Don't insert the preamble to
			// check if the stack must be split." for "what does the
			// NOSPLIT flag do?") speaks of it without repeating it.
			direct, needHere = max(direct, 1), 1
		}
		if direct == 0 && topicConcepts >= 2 && covered >= topicConcepts &&
			(atype == procedureAnswer && (strong || showsCommands(sents[c.passage], c.idx)) || listAsked(sents[c.passage], c.idx, subTerms)) {
			// A step with its commands under a heading that names the
			// whole how-to ("How to connect to the VPN", then "Install it
			// with:" and "brew install wireguard-tools"), or an item of
			// the list the question asks for by its heading ("Action
			// items" of the postmortem), is part of the answer without
			// repeating the topic.
			direct = 1
		}
		if direct == 0 || covered < needHere || !most && !mentions(c, rare, ctxTerms[c.order]) && !mentions(c, rareKept, ctxTerms[c.order]) {
			continue
		}
		if atype.strict() && !ok {
			continue
		}
		if !mentions(c, subject, ctxTerms[c.order]) && !entryOf(c, askedNames) {
			continue
		}
		if !ofEntry(c, askedCode) {
			continue
		}
		c.unnamed = len(presentCode) > 0 && !mentions(c, presentCode, ctxTerms[c.order])
		if counted != "" && (c.terms[counted] == 0 && !ctxTerms[c.order][counted] || c.terms[counted] > 0 && !countsNoun(c.text, counted)) {
			continue
		}
		if focus != "" && !hasLikeCount(c.terms, focus) && !hasLike(ctxTerms[c.order], focus) {
			continue
		}
		// Retrieval's best passages are read as evidence; a passage
		// beyond them (a run reading more passages) gives evidence only
		// in a sentence that covers most of the topic.
		wide := wideSupport
		if strong && atype == procedureAnswer {
			// A step shown with its commands ("Generate … by the
			// following. $ ssh-keygen -t rsa …") for a how-to question.
			wide = wideStepSupport
		}
		// A sentence of the entry the question names ("$$", "--prune")
		// is about it wherever retrieval ranked its passage.
		if c.passage >= corePassages && !entryOf(c, askedNames) && support(c, subTerms, subConcepts, ctxTerms[c.order]) < wide &&
			(len(excluded) == 0 || support(c, without(subTerms, excluded), subConcepts, ctxTerms[c.order]) < wide) {
			if !coreSource[c.sourceID] {
				continue
			}
			c.extended = true
		}
		// A code name is in most sentences of a manual: it ranks none
		// higher, but joins a window (see related).
		c.typed = ok && atype != nameAnswer
		c.strong = strong && atype.strict()
		mainCov, _, _ := coverage(c, mainTerms, nil, weight, avgLen, ctxTerms[c.order])
		c.lexical = subWeight*subCov + mainWeight*mainCov
		if c.lexical < e.cfg.MinScore && !c.strong {
			continue
		}
		kept = append(kept, c)
	}
	// A passage beyond the core of a document a core passage is from adds
	// evidence to an answer the core gives, never an answer by itself.
	anyCore := false
	for _, c := range kept {
		anyCore = anyCore || !c.extended
	}
	if !anyCore {
		kept = nil
	}
	// When some sentence holds the asked-for type in its precise form (a
	// date for "when"/"what date"), looser forms (a duration, a condition)
	// are not evidence beside it.
	if atype.strict() {
		anyStrong := false
		for _, c := range kept {
			anyStrong = anyStrong || c.strong
		}
		if anyStrong {
			strongOnly := kept[:0]
			for _, c := range kept {
				if c.strong {
					strongOnly = append(strongOnly, c)
				}
			}
			kept = strongOnly
		}
	}
	expansion := feedback(kept, subTerms, mainTerms)
	for _, c := range kept {
		rel := c.lexical
		if len(expansion) > 0 {
			got := 0
			for _, t := range expansion {
				if c.terms[t] > 0 {
					got++
				}
			}
			rel += feedbackWeight * float64(got) / float64(len(expansion))
		}
		switch {
		case strings.HasSuffix(c.text, "?") || strings.HasSuffix(c.text, "？"):
			rel *= questionPenalty
		case commentsExample(c.text):
			rel *= examplePenalty
		case states(c.text):
			rel *= ruleBoost
		case answers(c.text), c.typed && !atype.strict():
			rel *= answerBoost
		}
		if c.strong {
			rel *= answerBoost
		}
		if c.unnamed {
			rel *= unnamedPenalty
		}
		boost := 1 + headingBoost*c.heading
		if maxRetrieval > 0 && req.Passages[c.passage].Score > 0 {
			boost += retrievalBoost * req.Passages[c.passage].Score / maxRetrieval
		}
		c.rel = rel * boost
	}
	referred(kept)
	// A sentence far weaker than the best one is a loose association, not
	// evidence next to it.
	var best float64
	for _, c := range kept {
		best = math.Max(best, c.rel)
	}
	// A source whose best sentence is far below the best source's is a
	// loose association as a whole: none of its sentences is quoted, while
	// the best source keeps everything above relativeFloor.
	sourceBest := map[string]float64{}
	for _, c := range kept {
		sourceBest[c.sourceID] = math.Max(sourceBest[c.sourceID], c.rel)
	}
	strong := kept[:0]
	for _, c := range kept {
		if c.rel >= relativeFloor*best && sourceBest[c.sourceID] >= sourceFloor*best {
			strong = append(strong, c)
		}
	}
	related := func(s string) bool {
		if relatedSentence(s, subTerms, mainTerms, expansion, weight) {
			return true
		}
		ok, _ := holds(atype, s, asked, common, dims)
		return (atype.strict() || atype == nameAnswer) && ok
	}
	var step func(string) bool
	if atype == procedureAnswer {
		step = givesStep
	}
	// Overlapping chunks hold a sentence twice: the copy with more of its
	// passage after it has room for its window.
	strong = roomiest(strong, sents)
	var windows []window
	for _, c := range selectMMR(strong, limit, e.cfg.Lambda) {
		if covered(c.passage, c.idx, windows) || quoted(c.text, windows) {
			continue // its sentence is quoted in a window before it
		}
		whole := atype == procedureAnswer || listAsked(sents[c.passage], c.idx, subTerms)
		w := grow(sents[c.passage], c.idx, c.passage, related, step, whole, windows)
		windows = append(windows, w)
		out.Findings = append(out.Findings, reasoning.Finding{
			Text:     w.text,
			ChunkID:  c.chunkID,
			SourceID: c.sourceID,
			Score:    math.Round(c.rel*1e4) / 1e4,
			Support:  math.Round(support(c, subTerms, subConcepts, ctxTerms[c.order])*1e4) / 1e4,
		})
	}
	return out, nil
}

// showsCommands reports whether sentence i of sents introduces the code
// block after it with a final ":" ("Install it with:").
func showsCommands(sents []sentence, i int) bool {
	intro, _, _ := strings.Cut(sents[i].text, "\n")
	return i+1 < len(sents) && sents[i+1].code && endsColon(intro)
}

// ofEntry reports whether candidate c may answer a question whose code
// names have the terms asked (see codeTerms): a sentence of the entry for
// another code name ("core.cacheLimit" when core.packedLimit is asked
// about, the two sharing "core" and "limit"; HISTFILE's default when
// HISTSIZE's is asked) does not, unless it names one itself.
func ofEntry(c *candidate, asked map[string]bool) bool {
	if c.defines == "" || len(asked) == 0 {
		return true
	}
	entry := codeTerms(c.defines, nil)
	if len(entry) == 0 && !symbolName(c.defines) {
		return true
	}
	// "pack.deltaCacheSize" is a setting of what "git pack-objects"
	// names by its parts.
	for _, t := range textproc.Tokenize(c.defines) {
		if asked[t] {
			return true
		}
	}
	for t := range asked {
		if c.terms[t] > 0 {
			return true
		}
	}
	return false
}

// entryOf reports whether candidate c belongs to the entry of a definition
// list whose term is a code name the question writes as it is ("NOSPLIT",
// "--prune", "core.editor"; see entryNames).
// mentionsAll reports whether c or its context mentions every term of
// names.
func mentionsAll(c *candidate, names []string, context map[string]bool) bool {
	for _, n := range names {
		if !mentions(c, []string{n}, context) {
			return false
		}
	}
	return true
}

// hasForm reports whether m holds a form of verb term v: v itself, or its
// root (v less a final e: "writ" of "write", "approv" of "approve") with
// an ending of inflection or of an agent or action noun, its last
// consonant perhaps doubled ("written", "owner", "approval",
// "ownership"). The stemmer keeps such forms apart; "runtime" is no form
// of "run".
func hasForm[V int | bool](m map[string]V, v string) bool {
	root := strings.TrimSuffix(v, "e")
	if len(root) < 3 {
		root = v
	}
	for t := range m {
		if t == v {
			return true
		}
		rest, ok := strings.CutPrefix(t, root)
		if !ok {
			continue
		}
		if len(rest) > 1 && rest[0] == root[len(root)-1] {
			rest = rest[1:] // "written", "running"
		}
		if formEndings[rest] || len(rest) > 1 && rest[0] == 'e' && formEndings[rest[1:]] {
			return true // "approval"; "management"
		}
	}
	return false
}

// formEndings end the forms of a verb hasForm meets.
var formEndings = set(`s es ed d ing er ers or ors en n al ion ions ship ership ment`)

func entryOf(c *candidate, asked map[string]bool) bool {
	for _, n := range entryNames(c.defines) {
		if asked[n] {
			return true
		}
	}
	return false
}

// entryNames returns the code names of text in lower case, whole: words in
// capitals of three letters or more, options, and names with a dot or an
// underscore ("NOSPLIT = 4" → nosplit; "-n, --dry-run" → -n, --dry-run).
// A hyphenated word is none ("remote-tracking"). A shell's special
// parameter is named "$#" in a question and "#" as its entry's term: both
// give "$#".
func entryNames(text string) []string {
	if p := symbolEntry(text); p != "" {
		return []string{p}
	}
	var out []string
	for _, f := range strings.Fields(text) {
		if p := specialParam(f); p != "" {
			out = append(out, p)
			continue
		}
		w := strings.TrimRight(strings.Trim(f, ",;:()[]\"'`?!"), ".")
		w, _, _ = strings.Cut(w, "=")
		letters := strings.IndexFunc(w, unicode.IsLetter) >= 0
		caps := len(w) >= 3 && letters && strings.ToUpper(w) == w
		option := strings.HasPrefix(w, "-") && letters
		if caps || option || letters && strings.ContainsAny(w, "._") {
			out = append(out, strings.ToLower(w))
		}
	}
	return out
}

// symbolEntry returns the special parameter an entry's term in symbols
// names ("#" is "$#"), or "".
func symbolEntry(term string) string {
	if t := strings.TrimSpace(term); symbolName(t) && utf8.RuneCountInString(t) == 1 {
		return "$" + t
	}
	return ""
}

// specialParam returns the shell special parameter a word of text names,
// as textproc.Tokenize gives it: "$#" (quoted, in parentheses or before a
// question mark: "is that $#?"); or "".
func specialParam(f string) string {
	w := strings.Trim(f, ",;:()[]\"'`")
	for _, p := range textproc.Tokenize(w) {
		if textproc.IsSpecialParam(p) {
			return p
		}
	}
	return ""
}

// codeTerms are the terms of the words of s written as code names: with a
// dot or an underscore ("core.packedGitLimit", "PROMPT_COMMAND"), in
// capitals ("HISTSIZE", three letters or more), hyphenated in lower case
// ("keyseq-timeout"), or as an option ("-e", "--stage"). A hyphenated
// word counts only if hyphenated(word) is true (any word, if it is nil).
func codeTerms(s string, hyphenated func(string) bool) map[string]bool {
	out := map[string]bool{}
	for _, f := range strings.Fields(s) {
		w := strings.Trim(f, ",;:()[]\"'`?!")
		w = strings.TrimRight(w, ".")
		letters := strings.IndexFunc(w, unicode.IsLetter) >= 0
		caps := len(w) >= 3 && letters && strings.ToUpper(w) == w && strings.IndexFunc(w, func(r rune) bool { return !unicode.IsUpper(r) && !unicode.IsDigit(r) && r != '_' }) < 0
		option := strings.HasPrefix(w, "-") && len(w) > 1 && letters
		// "keyseq-timeout", "ls-files": a hyphenated name.
		hyphened := strings.Contains(strings.Trim(w, "-"), "-") && strings.ToLower(w) == w && (hyphenated == nil || hyphenated(w))
		dotted := strings.ContainsAny(w, "._")
		if !dotted && !caps && !option && !hyphened || !letters {
			continue
		}
		for _, t := range textproc.Tokenize(w) {
			// A dotted name counts whole, not by its parts ("core"
			// names no setting).
			if !dotted || strings.ContainsAny(t, "._") {
				out[t] = true
			}
		}
	}
	return out
}

// rarest returns the n terms of highest weight among those eligible (ties
// in term order): the terms a sentence must speak of, one at least, to be
// about the question. A term no passage contains is eligible only when it
// is a name ("Kubernetes", "PostgreSQL", "sync.Mutex"): a question about a
// thing the passages never name is not answered by them, while a plain
// word may just be phrased differently ("kept" for "retained", or the
// inflections of Korean).
func rarest(terms []string, weight func(string) float64, n int, eligible func(string) bool) []string {
	var out []string
	for _, t := range terms {
		if eligible(t) {
			out = append(out, t)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return weight(out[i]) > weight(out[j]) })
	if len(out) > n {
		out = out[:n]
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// numberedSeries are the words of q numbered in a series ("file1 file2
// file3", "host1 and host2"), lower case: examples standing for any such
// thing, neither names the passages must hold nor topic words.
func numberedSeries(q string) map[string]bool {
	series := map[string]map[string]bool{}
	for _, w := range scanWords(q) {
		if stem := strings.TrimRight(w.lower, "0123456789"); stem != w.lower && stem != "" {
			if series[stem] == nil {
				series[stem] = map[string]bool{}
			}
			series[stem][w.lower] = true
		}
	}
	out := map[string]bool{}
	for _, words := range series {
		if len(words) > 1 {
			for w := range words {
				out[w] = true
			}
		}
	}
	return out
}

// nameTerms are the terms of the words of q written as names: with a
// capital letter after the first word, as code identifiers, or with digits;
// and the (at most possessiveWords) content words a possessive names
// ("Git's official mascot": official, mascot): what belongs to a named
// thing is asked for by its name too.
func nameTerms(q string) map[string]bool {
	out := map[string]bool{}
	ws := scanWords(q)
	numbered := numberedSeries(q)
	for i, w := range ws {
		if w.lower == "s" && clitic(q, w) {
			for _, n := range ws[i+1 : min(len(ws), i+1+possessiveWords)] {
				ts := textproc.Tokenize(n.text)
				if len(ts) == 0 || questionWords[n.lower] {
					break
				}
				for _, t := range ts {
					out[t] = true
				}
			}
			continue
		}
		name := isIdentifier(w.text)
		if i > 0 {
			for _, r := range w.text {
				name = name || unicode.IsUpper(r)
			}
		}
		name = name || strings.ContainsAny(w.text, "0123456789") && !numbered[w.lower]
		if name {
			for _, t := range textproc.Tokenize(w.text) {
				out[t] = true
			}
		}
	}
	return out
}

// mentions reports whether c or its context holds one of terms (true when
// there are none). A code name is held as itself or by its last part
// where its qualifier is there too ("Clients are safe …" in net/http's
// documentation speaks of http.Client; "Command go", the go command's
// page, does not speak of exec.Command).
func mentions(c *candidate, terms []string, context map[string]bool) bool {
	for _, t := range terms {
		if c.terms[t] > 0 || context[t] {
			return true
		}
		if alt := derived(t); alt != "" && (c.terms[alt] > 0 || context[alt]) {
			return true
		}
		if last := lastPart(t); last != t && (c.terms[last] > 0 || context[last]) && qualified(c, t, context) {
			return true
		}
	}
	return len(terms) == 0
}

// qualified reports whether c or its context holds a term of the
// qualifier of code name t ("exec" of "exec.command", "os" or "exec" of
// "os/exec/cmd").
func qualified(c *candidate, t string, context map[string]bool) bool {
	i := strings.LastIndexAny(t, "./")
	if i < 0 {
		return true
	}
	qs := textproc.Tokenize(t[:i])
	for _, q := range qs {
		if c.terms[q] > 0 || context[q] {
			return true
		}
	}
	// A qualifier of stop words only ("this.props", "s.Len") has no term
	// to look for: the last part counts alone, as before qualifiers did.
	return len(qs) == 0
}

// lastPart is the term of the last part of a qualified code name
// ("sync.Once": "once", "net/http": "http"), or t itself.
func lastPart(t string) string {
	if i := strings.LastIndexAny(t, "./"); i >= 0 && i+1 < len(t) {
		return textproc.Stem(t[i+1:])
	}
	return t
}

// queryTerms are the distinct terms of a question that carry its topic, in
// sorted order: its index terms less the words that only frame it.
func queryTerms(text string) []string {
	frame := map[string]bool{}
	for _, w := range textproc.Words(text) {
		// A preposition is no topic ("across renames", "onto the
		// server"), but for those that rule out (see excludedTerms).
		if questionWords[w] || frameWords[w] || imperatives[w] || prepositions[w] && w != "without" && w != "except" {
			frame[textproc.Stem(w)] = true
		}
	}
	for w := range numberedSeries(text) {
		frame[w] = true
	}
	if noun, verb := textproc.AsksForSource(text); noun != "" {
		// "Which notes mention the canary?": any passage is of a note.
		frame[textproc.Stem(noun)], frame[textproc.Stem(verb)] = true, true
	}
	var out []string
	seen := map[string]bool{}
	for _, t := range distinctTerms(text) {
		if b, ok := bounds[t]; ok {
			// "the largest delta chain depth" is the maximum depth
			// the manual writes of.
			t = b
		}
		if !frame[t] && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out
}

// bounds map the term of a superlative that asks for a limit to the term
// a manual states the limit with: "largest", "longest", "most" → maximum;
// "smallest", "fewest", "least" → minimum.
var bounds = func() map[string]string {
	out := map[string]string{}
	for _, g := range []struct{ bound, words string }{
		{"maximum", "largest biggest highest longest greatest most max"},
		{"minimum", "smallest lowest shortest least fewest min"},
	} {
		b := textproc.Tokenize(g.bound)[0]
		for _, w := range strings.Fields(g.words) {
			for _, t := range textproc.Tokenize(w) {
				out[t] = b
			}
		}
	}
	return out
}()

// feedback returns the expansion terms of pseudo-relevance feedback: terms
// of the feedbackTop most relevant candidates that are not question terms
// and occur in at least feedbackMinDocs of them, most frequent first (ties
// in term order), at most feedbackTerms.
func feedback(kept []*candidate, queries ...[]string) []string {
	if len(kept) < feedbackMinDocs {
		return nil
	}
	top := append([]*candidate(nil), kept...)
	sort.SliceStable(top, func(i, j int) bool {
		if top[i].lexical != top[j].lexical {
			return top[i].lexical > top[j].lexical
		}
		return top[i].order < top[j].order
	})
	if len(top) > feedbackTop {
		top = top[:feedbackTop]
	}
	inQuery := map[string]bool{}
	for _, q := range queries {
		for _, t := range q {
			inQuery[t] = true
		}
	}
	df := map[string]int{}
	for _, c := range top {
		for t := range c.terms {
			if !inQuery[t] {
				df[t]++
			}
		}
	}
	var terms []string
	for t, n := range df {
		if n >= feedbackMinDocs {
			terms = append(terms, t)
		}
	}
	sort.Slice(terms, func(i, j int) bool {
		if df[terms[i]] != df[terms[j]] {
			return df[terms[i]] > df[terms[j]]
		}
		return terms[i] < terms[j]
	})
	if len(terms) > feedbackTerms {
		terms = terms[:feedbackTerms]
	}
	return terms
}

// ruleCues mark statements of a rule, guarantee or definition; answerCues
// conditions, causes, defaults and limits (lower case, space-padded).
var (
	ruleCues = []string{" is synchronized before ", " are synchronized before ", " happens before ", " is guaranteed ",
		" guarantees that ", " must ", " must not ", " is defined as ", " are defined as ", " means that ", " is chosen ",
		" causes a run-time panic", " is called ", " refers to ", " is used to ", " are used to "}
	answerCues = []string{" if ", " when ", " unless ", " only ", " causes ", " because ", " by default", " defaults to ",
		" default is ", " returns ", " cannot ", " never ", " always ", " panic", " are kept ", " is kept ", " expires ",
		" at most ", " at least "}
)

// verbStems are the index terms of the planner's verbs ("guarantee" →
// "guarante").
var verbStems = func() map[string]bool {
	m := map[string]bool{}
	for w := range verbs {
		m[textproc.Stem(w)] = true
	}
	for w := range facetWords {
		m[textproc.Stem(w)] = true
	}
	return m
}()

// weakStems are the stems of words that shape a question without being
// its topic: the particles of phrasal verbs ("go back", "take away") and
// the words of possibility ("when is that possible", "am I able to"). They
// weigh as the asking verbs do.
var weakStems = func() map[string]bool {
	m := map[string]bool{}
	for w := range set(`back away around along forward possible possibly impossible able unable`) {
		m[textproc.Stem(w)] = true
	}
	return m
}()

// exampleCues mark commentary on an example (lower case).
var exampleCues = []string{"previous example", "this program", "the program would", "in this example",
	"the following program", "the example above", "the program is", "the program prints"}

// commentsExample reports whether s comments on an example program.
func commentsExample(s string) bool {
	l := strings.ToLower(s)
	for _, c := range exampleCues {
		if strings.Contains(l, c) {
			return true
		}
	}
	return false
}

// states reports whether s states a rule, guarantee or definition.
func states(s string) bool {
	l := " " + strings.ToLower(s) + " "
	for _, c := range ruleCues {
		if strings.Contains(l, c) {
			return true
		}
	}
	return false
}

// answers reports whether s reads as a statement that answers: it has an
// answer cue or states a quantity.
func answers(s string) bool {
	l := " " + strings.ToLower(s) + " "
	for _, c := range answerCues {
		if strings.Contains(l, c) {
			return true
		}
	}
	for _, w := range textproc.Words(s) {
		if w[0] >= '0' && w[0] <= '9' {
			return true
		}
	}
	return false
}

// anaphora open a sentence that leans on the one before it.
var anaphora = set(`this that these those it its they such however otherwise thus therefore hence then
instead similarly likewise conversely nevertheless consequently`)

// withContext joins each sentence that opens with an anaphor ("This rule
// generalizes …", "However, …") to the sentence before it, so that a quote
// never starts in mid-argument.
// typedItem reports whether s, a fragment, is a list item or a table row
// that states a quantity, a date or a time of the kind asked (t, dims) in
// its precise form: "Date of the last password change, expressed as the
// number of days since Jan 1, 1970" answers "From what date …?" though it
// has no verb. It is a candidate like a sentence, held to the same topic
// rules.
func typedItem(s string, t answerType, asked map[string]bool, dims []string) bool {
	if t != quantityAnswer && t != dateAnswer && t != timeAnswer {
		return false
	}
	ws := textproc.Words(s)
	if !latinText(s) || len(ws) < minWords || len(ws) > maxWords || strings.Contains(s, "\n") || codeLike(s) || furnitureLine(ws) ||
		strings.Count(s, "|") >= 2 || navigationLabels(s) || indexEntries(s) {
		return false
	}
	lower := strings.ToLower(s)
	for _, n := range navigation {
		if strings.Contains(lower, n) {
			return false
		}
	}
	if r, _ := utf8.DecodeRuneInString(s); unicode.IsLower(r) {
		return false // the tail of a sentence cut by markup
	}
	if fs := strings.Fields(s); sectionNumber(fs[len(fs)-1]) {
		return false // a table of contents: "List of memory sizes reported 9.18"
	}
	_, strong := holds(t, s, asked, nil, dims)
	return strong
}

// sectionNumber reports whether w is a section or table number with a
// dot ("9.18", "2.7.6").
func sectionNumber(w string) bool {
	parts := strings.Split(strings.TrimRight(w, "."), ".")
	if len(parts) < 2 {
		return false
	}
	for _, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return false
		}
	}
	return true
}

// entryDefinition is the sentence that opens the definition list entry
// sentence si of sents stands in, when si does not open it: a later
// paragraph of an entry speaks of what its first sentence defines
// ("Maximum number of bytes to map … from pack files.", then "Default is
// 256 MiB on 32 bit platforms …").
func entryDefinition(sents []sentence, si int) string {
	if sents[si].defines == "" || sents[si].term != "" {
		return ""
	}
	for k := si - 1; k >= 0; k-- {
		if sents[k].term != "" {
			if sents[k].term == sents[si].defines && !sents[k].code {
				return sents[k].text
			}
			return ""
		}
	}
	return ""
}

func withContext(sents []sentence) []sentence {
	out := make([]sentence, 0, len(sents))
	for i, s := range sents {
		// A sentence that opens a definition entry refers to its term,
		// not to the entry before.
		if i > 0 && leansBack(s.text) && len(out) > 0 && out[len(out)-1].heading == s.heading && !out[len(out)-1].code && !s.cut && s.term == "" && !s.explains {
			prev := out[len(out)-1].text
			if len(textproc.Words(prev))+len(textproc.Words(s.text)) <= maxWords {
				// After the command a sentence carries ("… with just a
				// simple" then "$ git pull"), the sentence that leans on
				// it starts a line of its own: on the command's line it
				// would be read, and shown, as part of the command.
				sep := " "
				if strings.Contains(prev, "\n") {
					sep = "\n"
				}
				out[len(out)-1].text = prev + sep + s.text
				continue
			}
		}
		out = append(out, s)
	}
	return out
}

func leansBack(s string) bool {
	ws := textproc.Words(s)
	return len(ws) > 0 && anaphora[ws[0]] && !strings.HasPrefix(strings.ToLower(s), "this program") &&
		!strings.HasPrefix(strings.ToLower(s), "it is")
}

// selectMMR picks up to limit candidates by maximal marginal relevance:
// lambda·relevance − (1−lambda)·(highest similarity to one already picked).
// Candidates nearly the same as a picked one are never picked.
func selectMMR(cands []*candidate, limit int, lambda float64) []*candidate {
	var maxRel float64
	for _, c := range cands {
		maxRel = math.Max(maxRel, c.rel)
	}
	if maxRel == 0 {
		return nil
	}
	picked := []*candidate{}
	used := make([]bool, len(cands))
	for len(picked) < limit {
		best, bestVal := -1, math.Inf(-1)
		for i, c := range cands {
			if used[i] {
				continue
			}
			var sim, same float64
			for _, p := range picked {
				sim = math.Max(sim, cosine(c.vec, p.vec))
				same = math.Max(same, cosine(c.pairs, p.pairs))
			}
			// Near-duplicates share their word order, not only their words:
			// "a send … before the completion of the corresponding receive"
			// and "a receive … before the completion of the corresponding
			// send" are two rules.
			if same >= sameSentence || sameText(c.text, picked) {
				used[i] = true
				continue
			}
			val := lambda*c.rel/maxRel - (1-lambda)*sim
			if val > bestVal || (val == bestVal && c.order < cands[best].order) {
				best, bestVal = i, val
			}
		}
		if best < 0 {
			break
		}
		used[best] = true
		picked = append(picked, cands[best])
	}
	return picked
}

// sameText reports whether s equals a picked sentence or one contains the
// other (a sentence quoted alone and with its follow-up, from overlapping
// chunks).
func sameText(s string, picked []*candidate) bool {
	for _, p := range picked {
		if strings.EqualFold(s, p.text) || strings.Contains(s, p.text) || strings.Contains(p.text, s) {
			return true
		}
	}
	return false
}

func distinctTerms(text string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range textproc.Tokenize(text) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out
}

// termWeights weighs terms by their inverse document frequency among the
// candidate sentences (BM25's IDF), scaled to [minWeight, 1]: 1 for a term
// in no sentence, minWeight for a term in all of them.
func termWeights(cands []*candidate) func(string) float64 {
	df := map[string]int{}
	for _, c := range cands {
		for t := range c.terms {
			df[t]++
		}
	}
	n := float64(len(cands))
	idf := func(d float64) float64 { return math.Log(1 + (n-d+0.5)/(d+0.5)) }
	top, bottom := idf(0), idf(n)
	return func(t string) float64 {
		if top <= bottom {
			return 1
		}
		return minWeight + (1-minWeight)*(idf(float64(df[t]))-bottom)/(top-bottom)
	}
}

// concepts maps each term of terms that is a part of a compound identifier
// also among terms to that identifier: textproc.Tokenize indexes
// "time.Time" as "time.time", "time" and "time", and "sync.Once" as
// "sync.once", "sync" and "once", so that prose naming the part matches,
// but the parts name the same thing as the whole: one concept, not three.
func concepts(terms []string) map[string]string {
	in := map[string]bool{}
	for _, t := range terms {
		in[t] = true
	}
	m := map[string]string{}
	for _, t := range terms {
		if !strings.ContainsAny(t, "._:") {
			continue
		}
		for _, p := range textproc.NameParts(t) {
			if in[p] && p != t {
				m[p] = t
			}
		}
	}
	return m
}

// countConcepts is the number of distinct concepts of terms (see concepts).
func countConcepts(terms []string, concept map[string]string) int {
	seen := map[string]bool{}
	for _, t := range terms {
		seen[conceptOf(t, concept)] = true
	}
	return len(seen)
}

func conceptOf(t string, concept map[string]string) string {
	if whole, ok := concept[t]; ok {
		return whole
	}
	return t
}

// coverage is the weighted share of terms found in c, each weighted by a
// BM25 term-frequency factor capped at 1 (one occurrence in a sentence of
// average length counts fully; longer sentences count less); a term found
// only in the sentence's context (heading, title) counts contextCredit.
// direct counts the concepts (see concepts; nil: every term its own) found
// in the sentence, covered those found in it or its context.
func coverage(c *candidate, terms []string, concept map[string]string, weight func(string) float64, avgLen float64, context map[string]bool) (score float64, direct, covered int) {
	var got, total float64
	inSentence, inContext := map[string]bool{}, map[string]bool{}
	for _, t := range terms {
		w := weight(t)
		total += w
		tf := float64(c.terms[t])
		if tf == 0 {
			if alt := derived(t); alt != "" {
				tf = float64(c.terms[alt])
			}
		}
		if tf == 0 {
			if context[t] || context[derived(t)] {
				got += contextCredit * w
				inContext[conceptOf(t, concept)] = true
			}
			continue
		}
		inSentence[conceptOf(t, concept)] = true
		norm := tf * (bm25K1 + 1) / (tf + bm25K1*(1-bm25B+bm25B*float64(c.length)/avgLen))
		got += w * math.Min(1, norm)
	}
	direct = len(inSentence)
	covered = direct
	for k := range inContext {
		if !inSentence[k] {
			covered++
		}
	}
	if total == 0 {
		return 0, direct, covered
	}
	return got / total, direct, covered
}

// derived is the other form of a verb's stem and its noun's that differ
// in the last letter, d and s, as the stemmer leaves them: "decid" and
// "decis" (decide, decision), "extend" and "extens", "respond" and
// "respons", "includ" and "inclus". "" for a stem too short to tell (four
// letters or fewer) or ending otherwise. "What did we decide about
// Jenkins?" is answered under the heading "Decisions".
func derived(t string) string {
	if len(t) < 5 {
		return ""
	}
	switch t[len(t)-1] {
	case 'd':
		return t[:len(t)-1] + "s"
	case 's':
		if t[len(t)-2] == 's' {
			return "" // "process", "access", "class": no verb in -d
		}
		return t[:len(t)-1] + "d"
	}
	return ""
}

// sentence is a sentence of a passage with the heading it stands under
// inside the passage ("" when the passage shows none before it).
type sentence struct {
	text, heading string
	// explains: the sentence opens the explanation of a callout of the
	// code block before it and carries that callout's command (see
	// passageSentences); it continues no sentence before it.
	explains bool
	// row: the sentence is a row of a table (see tableRow); it stands
	// alone, its neighbours other rows.
	row bool
	// cut: code or a table was left out just before the sentence, so it
	// does not continue the sentence before it as written.
	cut bool
	// code: the lines of a code block that a sentence introduces (see
	// introduces; at most maxCodeLines); never a finding by itself, shown
	// in a window with its introduction.
	code bool
	// term: the term a definition list gives on the line before the
	// paragraph this sentence opens ("nullglob", "--dry-run",
	// "EPOCHSECONDS"); a window that starts here shows it first.
	term string
	// item: the sentence is (in) an item of a list, written with its
	// marker ("1.", "-") in the passage.
	item bool
	// defines: the term of the definition list entry the sentence
	// belongs to, in any of its paragraphs ("core.deltaBaseCacheLimit"
	// for "Default is 96 MiB."); "" outside a definition list. It is
	// context for judging the sentence, never shown as its label.
	defines string
}

// maxCodeLines bounds the lines of a code block kept with the sentence
// that introduces it.
const maxCodeLines = 8

// introduces reports whether a sentence leads into the code block after
// it: it ends with ":" ("To restore a file, run:"), or it is left
// unfinished, without final punctuation, and the code completes it ("… if
// its type has one of the methods" before the method signatures).
func introduces(s string) bool {
	if endsColon(s) {
		return true
	}
	if strings.Contains(s, "\n") {
		return false // it ends with command lines of its own
	}
	if l := strings.ToLower(s); strings.HasSuffix(l, " the following.") || strings.HasSuffix(l, " as follows.") {
		return true // "… list all those packages at the top of it as the following."
	}
	r, _ := utf8.DecodeLastRuneInString(s)
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// passageSentences splits passage text into sentences after removing what is
// not prose: headings, fenced and indented code, table rows. List items
// become sentences of their own, without their markers. Each sentence keeps
// the last heading before it: a Markdown heading, or a short line standing
// alone between blank lines without final punctuation (a heading of an HTML
// page turned to text).
// maxTableColumns bounds the columns of a table whose rows are read as
// sentences; a wider table is left out, as before.
const maxTableColumns = 6

// tableRule reports whether line is the rule under a Markdown table's
// header ("|---|:---:|").
func tableRule(line string) bool {
	t := strings.TrimSpace(line)
	return strings.HasPrefix(t, "|") && strings.Contains(t, "-") && strings.Trim(t, "|-: ") == ""
}

// tableCellsOf returns the cells of a Markdown table row, trimmed.
func tableCellsOf(row string) []string {
	row = strings.TrimSpace(row)
	row = strings.TrimSuffix(strings.TrimPrefix(row, "|"), "|")
	cells := strings.Split(row, "|")
	for i := range cells {
		cells[i] = strings.TrimSpace(cells[i])
	}
	return cells
}

// tableRow returns a row of a table with the given header as a sentence:
// each cell after its column's name, in lower case but for names and
// code ("Service billing-api; owning team Payments; primary contact Priya
// Raman."). ok is false without a header, for a row of another width, a
// table of more than maxTableColumns columns, or a row of empty cells.
func tableRow(header []string, row string) (string, bool) {
	cells := tableCellsOf(row)
	if len(header) == 0 || len(header) > maxTableColumns || len(cells) != len(header) {
		return "", false
	}
	var parts []string
	for i, c := range cells {
		switch {
		case c == "":
		case header[i] == "":
			parts = append(parts, c)
		default:
			parts = append(parts, columnName(header[i])+" "+c)
		}
	}
	if len(parts) == 0 {
		return "", false
	}
	return capitalize(strings.TrimRight(strings.Join(parts, "; "), ".")) + ".", true
}

// columnName is a table header cell as it reads inside a sentence: its
// capitalized words in lower case ("Owning team" → "owning team"), names
// in capitals and code kept ("API", "GOOS").
func columnName(h string) string {
	ws := strings.Fields(h)
	for i, w := range ws {
		r := []rune(w)
		if len(r) > 1 && unicode.IsUpper(r[0]) && strings.ToLower(string(r[1:])) == string(r[1:]) {
			ws[i] = strings.ToLower(w)
		}
	}
	return strings.Join(ws, " ")
}

// maxCommands bounds the command lines kept with their introduction.
const maxCommands = 3

// commandLine returns the command of a shell line ("# dpkg-reconfigure
// tzdata", "$ git worktree add ../hotfix"), or "": a root or user prompt,
// then a lower-case word or a path, and no sentence end. A Markdown heading
// ("# Overview") starts with a capital. A comment after the command ("$ git
// bisect visualize  # oops, that is uninteresting.") is no sentence end
// of the command.
func commandLine(t string) string {
	rest, ok := textproc.PromptCommand(t)
	if !ok {
		return ""
	}
	cmd := strings.TrimSuffix(rest, " ...") // "$ git commit ...": arguments left out
	for i := 1; i+1 < len(rest); i++ {
		// A comment: "#" after white space and before a space ("# oops,
		// …"; "see #12" is no comment).
		if rest[i] == '#' && (rest[i-1] == ' ' || rest[i-1] == '\t') && (rest[i+1] == ' ' || rest[i+1] == '\t') {
			cmd = strings.TrimSpace(rest[:i])
			break
		}
	}
	if strings.HasSuffix(cmd, ".") && !strings.Contains(cmd, " -") {
		return ""
	}
	return rest
}

func passageSentences(text string) []sentence {
	var out []sentence
	var b strings.Builder
	heading := ""
	cut := false
	inItem := false // the text being read is a list item's
	term := ""      // a definition list's term, for the sentence after it
	defines := ""   // the term of the entry being read, until the next heading or term
	// A block whose commands carry callout marks ("$ git reset --soft
	// HEAD^  <1>") is followed by a paragraph explaining each, in order
	// (AsciiDoc's callout list): the explanation's first sentence carries
	// its command, so that "Leaves working tree as it was before reset"
	// is never quoted without the command it describes.
	var callouts []string
	var marks []int     // the mark of each of callouts
	numbered := 0       // the mark of the explanation given last by its number
	explaining := false // a paragraph after the block has taken its command
	explains := ""      // the command the next sentence explains
	endCallouts := func() { callouts, marks, numbered, explaining = nil, nil, 0, false }
	flush := func() {
		for _, s := range textproc.Sentences(b.String()) {
			if textproc.AddressedToMachine(s) {
				cut = true
				continue // never evidence, even in chunks stored before extraction dropped it
			}
			opens := explains != ""
			if opens {
				s += "\n" + explains
				explains = ""
			}
			out = append(out, sentence{text: s, heading: heading, cut: cut, term: term, defines: defines, explains: opens, item: inItem})
			cut = false
			if !parenthetical(s) {
				// A remark in parentheses after the term ("(For TEXT
				// items.)") leaves it to the sentence that defines.
				term = ""
			}
		}
		b.Reset()
	}
	// skip leaves out a line that is not prose: what follows does not
	// continue what came before.
	skip := func() {
		flush()
		cut = true
	}
	// code keeps a line of a code block when a sentence ending in ":"
	// introduces the block (the block so far kept whole); other code is
	// left out.
	var block []string
	inBlock := false
	code := func(t string) {
		flush()
		n := len(out)
		switch {
		case inBlock && n > 0 && out[n-1].code && out[n-1].heading == heading:
			if len(block) < maxCodeLines {
				block = append(block, t)
				out[n-1].text = strings.Join(block, "\n")
			} else {
				cut = true
			}
		case !cut && n > 0 && !out[n-1].code && out[n-1].heading == heading && introduces(out[n-1].text):
			block = []string{t}
			inBlock = true
			out = append(out, sentence{text: t, heading: heading, code: true})
		default:
			inBlock = false
			cut = true
		}
	}
	lines := strings.Split(text, "\n")
	blank := func(i int) bool { return i < 0 || i >= len(lines) || strings.TrimSpace(lines[i]) == "" }
	// flushIntroduced ends the sentences before a paragraph and reports
	// whether the last of them introduces the paragraph as its block: it
	// ends with ":", under the same heading, with nothing left out
	// between.
	flushIntroduced := func() bool {
		flush()
		n := len(out)
		return !cut && n > 0 && !out[n-1].code && out[n-1].heading == heading && announcesBlock(out[n-1].text)
	}
	fenced := false
	// aliases returns the last line of a run of two to four definition
	// terms starting at line i ("-u", "--include-untracked",
	// "--no-include-untracked": one option's names), followed by a blank
	// line and the definition; or -1.
	aliases := func(i int) int {
		for j := i; j < len(lines) && j < i+4; j++ {
			if !textproc.DefinitionTerm(strings.TrimSpace(lines[j])) {
				return -1
			}
			if blank(j + 1) {
				if j > i && !blank(j+2) {
					return j
				}
				return -1
			}
		}
		return -1
	}
	skipTo := -1
	var header []string // the column names of the table being read
	for i, line := range lines {
		if i <= skipTo {
			continue
		}
		t := strings.TrimSpace(line)
		if !strings.HasPrefix(t, "|") {
			header = nil
		}
		if j := -1; blank(i-1) && !fenced && !blank(i+1) {
			if j = aliases(i); j > 0 {
				// One entry whose term is its names: "-a, --all".
				flush()
				var names []string
				for _, l := range lines[i : j+1] {
					names = append(names, strings.TrimSpace(l))
				}
				term = strings.Join(names, ", ")
				defines = term
				skipTo = j
				continue
			}
		}
		// A paragraph opening with the mark of a callout of the block
		// before ("<1> Undo it.", "2. Edit the files") explains it, short
		// or not: no heading, term or code.
		calloutN, calloutLen := calloutNumber(t)
		explanation := len(callouts) > 0 && (blank(i-1) || numbered > 0) && calloutN > 0 && commandLine(t) == ""
		switch {
		case strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~"):
			fenced = !fenced
			flush()
			inBlock = inBlock && !fenced // a block opens with its first line
			continue
		case fenced:
			if t != "" {
				code(strings.TrimRight(line, " \t"))
			}
			continue
		case commandLine(t) != "":
			// "# dpkg-reconfigure tzdata" after "The following reconfigure
			// the timezone …": the command goes with the sentence that
			// introduces it, verbatim, so that a how-to answer shows it.
			flush()
			if cmd, mark, ok := calloutCommand(t); ok {
				if explaining || len(marks) > 0 && mark <= marks[len(marks)-1] {
					// A block after explanations, or whose marks start
					// again ("<1>" after "<1>"), has callouts of its own.
					endCallouts()
				}
				callouts, marks = append(callouts, cmd), append(marks, mark)
				continue
			}
			if n := len(out); n > 0 && out[n-1].heading == heading && strings.Count(out[n-1].text, "\n") < maxCommands &&
				len(textproc.Words(out[n-1].text))+len(textproc.Words(t)) <= maxWords {
				out[n-1].text += "\n" + t
			}
			continue
		case blank(i-1) && blank(i+1) && symbolName(t) && !blank(i+2):
			// A special parameter's entry ("_", then "($_, an
			// underscore.) At shell startup, …"), not a rule; "#"
			// alone is the entry of "$#", not an empty heading.
			flush()
			term, defines = t, t
			continue
		case strings.HasPrefix(t, "#"):
			flush()
			endCallouts()
			heading = strings.TrimSpace(strings.TrimLeft(t, "#"))
			term, defines = "", ""
			continue
		case strings.HasPrefix(t, "|"):
			// A Markdown table: its header names the columns, each row
			// below is a sentence of its own ("Service billing-api;
			// owning team Payments; primary contact Priya Raman.").
			if tableRule(t) {
				continue // the rule under the header
			}
			if i+1 < len(lines) && tableRule(lines[i+1]) {
				skip()
				header = tableCellsOf(t)
				continue
			}
			if row, ok := tableRow(header, t); ok {
				flush()
				out = append(out, sentence{text: row, heading: heading, cut: cut, row: true})
				cut = false
				continue
			}
			if !tableRule(t) {
				header = nil
			}
			skip()
			continue
		case t == "" || strings.Trim(t, "-=*_ ") == "":
			if inItem {
				flush()
				inItem = false
			}
			b.WriteString("\n\n")
			continue
		case (strings.HasPrefix(line, "\t") || strings.HasPrefix(line, "    ")) && codeLike(t):
			code(strings.TrimRight(line, " \t"))
			continue
		case blank(i-1) && blank(i+1) && textproc.DefinitionTerm(t) && !blank(i+2) && !explanation:
			// "nullglob", then its definition's paragraph.
			flush()
			if isHeadingLine(t) {
				heading = t
			}
			term, defines = t, t
			continue
		case !blank(i+1) && compactEntry(t, lines[i+1]) && (blank(i-1) || endsSentence(lines[i-1])) && !explanation:
			// A definition list written without blank lines: the term
			// on its line, the definition on the next ("NOSPLIT = 4",
			// then "(For TEXT items.) Don't insert the preamble …").
			flush()
			term, defines = t, t
			continue
		case (blank(i-1) || endsColon(strings.TrimSpace(lines[i-1]))) && !explanation && introducedRun(lines, i) > i && flushIntroduced():
			// "To restart the worker, run:", a blank line (or none),
			// then "systemctl restart rf-worker" (a fenced block, its
			// fences gone in the document's text): the lines a sentence
			// ending in ":" introduces are its block, shown with it as
			// code is, whatever they hold; never a heading or a
			// sentence of their own.
			run := introducedRun(lines, i)
			for _, l := range lines[i:run] {
				code(strings.TrimRight(l, " \t"))
			}
			skipTo = run - 1
			continue
		case blank(i-1) && blank(i+1) && isHeadingLine(t) && !explanation:
			flush()
			endCallouts()
			heading = t
			term, defines = "", ""
			continue
		}
		if codeLike(t) && (inBlock || blank(i-1)) && !explanation {
			// Code written without indentation ("make(map[string]int)"
			// under the sentence that introduces it).
			code(t)
			continue
		}
		if (inBlock || blank(i-1)) && blockLine(t) && !explanation {
			// The lines of a file a sentence introduces ("… as the
			// following.", then "Package: package-1", "Pin-Priority:
			// -1"): shown with it, as code is. A run of such lines ends
			// at a blank line, not in a line of prose ("Note: this
			// removes … so you will" / "need to log in again." is a
			// sentence), and one line alone is a file's only where a
			// sentence announced it right before.
			run := i
			for run < len(lines) && !blank(run) && blockLine(strings.TrimSpace(lines[run])) {
				run++
			}
			if blank(run) {
				flush()
				n := len(out)
				announced := n > 0 && !out[n-1].code && out[n-1].heading == heading && announces(out[n-1].text)
				single := run-i == 1 && blank(i-1)
				if announced || inBlock && !single {
					code(t)
					continue
				}
			}
		}
		inBlock = false
		if n, mark := calloutN, calloutLen; len(callouts) > 0 && (blank(i-1) || n > 0 && numbered > 0) {
			if n > 0 {
				// The explanations name their marks ("<1> …", "(2) …",
				// "3. …" as an ordered list is written): each carries
				// the command of its mark, however many paragraphs the
				// one before it has. A number that is no mark, or comes
				// back down, starts a list of something else.
				if at := slices.Index(marks, n); at >= 0 && n > numbered {
					flush()
					explains, explaining, numbered = callouts[at], true, n
					if listMarker(t) == 0 {
						t = strings.TrimSpace(t[mark:]) // "<1> " is the command's mark
					}
				} else {
					endCallouts()
				}
			} else if numbered == 0 && !endsColon(t) {
				// The next explanation of a callout list, by order.
				flush()
				explains, callouts, marks, explaining = callouts[0], callouts[1:], marks[1:], true
			}
		}
		if m := listMarker(t); m > 0 {
			flush()
			inItem = true
			t = strings.TrimSpace(t[m:])
		}
		b.WriteString(t)
		b.WriteString("\n")
	}
	flush()
	return out
}

// fieldLine matches a line of a configuration file or header: a key, a
// colon and a value ("Pin-Priority: -1", "Package: package-1").
var fieldLine = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]*:\s+\S`)

// blockLine reports whether line t reads as a line of a file, not prose: a
// field with a short value ("Pin-Priority: -1") or a line with an address
// that is no Markdown link ("deb http://deb.debian.org/debian/ testing
// main"), short and without a sentence's end.
func blockLine(t string) bool {
	ws := strings.Fields(t)
	if len(ws) == 0 || endsSentence(t) || len(ws) > 8 {
		return false
	}
	if fieldLine.MatchString(t) {
		return len(ws) <= 6
	}
	return strings.Contains(t, "://") && !strings.Contains(t, "](")
}

// announcesBlock reports whether sentence s ends with a colon that leads
// into the block after it ("To restart the worker, run:"): a sentence of
// prose of its own, not the last line of commands it shows.
func announcesBlock(s string) bool {
	return endsColon(s) && !strings.Contains(s, "\n")
}

// introducedRun returns the end of the paragraph starting at line i when
// it reads as a block a sentence ending in ":" introduces (see
// passageSentences): at most maxCodeLines lines, each short, none a list
// item and none a sentence of prose (final punctuation after more than
// three words, unless it reads as code); i when it does not.
func introducedRun(lines []string, i int) int {
	run := i
	for run < len(lines) && strings.TrimSpace(lines[run]) != "" {
		t := strings.TrimSpace(lines[run])
		ws := strings.Fields(t)
		if run-i >= maxCodeLines || len(ws) > maxIntroducedWords || listMarker(t) > 0 ||
			strings.ContainsRune(".!?。！？", lastRune(t)) && len(textproc.Words(t)) > 3 && !codeLike(t) {
			return i
		}
		run++
	}
	// Prose wrapped at a fixed width ends no line but its last, and
	// reads as sentences once its lines are joined: "Do not store
	// Contexts inside a struct type; instead, pass a Context" is no
	// command.
	if run-i > 1 {
		joined := strings.Join(strings.Fields(strings.Join(lines[i:run], " ")), " ")
		if len(textproc.Sentences(joined)) > 1 || strings.ContainsRune(".!?:。！？", lastRune(joined)) && len(textproc.Words(joined)) > maxIntroducedWords && !codeLike(joined) {
			return i
		}
	}
	return run
}

// maxIntroducedWords bounds the words of a line of an introduced block:
// a command or a line of code, not a paragraph of prose.
const maxIntroducedWords = 16

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

// announces reports whether sentence s announces what follows it: it ends
// with a colon, "the following." or "as follows.".
func announces(s string) bool {
	if strings.Contains(s, "\n") {
		return false
	}
	l := strings.ToLower(s)
	return endsColon(l) || strings.HasSuffix(l, " the following.") || strings.HasSuffix(l, " as follows.")
}

// calloutMark matches the callout mark that ends a line of a code block
// ("<1>").
var calloutMark = regexp.MustCompile(`\s+<(\d{1,2})>$`)

// calloutRef matches a paragraph that opens with a callout's mark or
// number ("<1> …", "(2) …", "3. …").
var calloutRef = regexp.MustCompile(`^(?:<(\d{1,2})>|\((\d{1,2})\)|(\d{1,2})[.)])\s`)

// calloutNumber is the callout mark or number paragraph t opens with (see
// calloutRef) and the length of that mark, or 0, 0.
func calloutNumber(t string) (n, length int) {
	m := calloutRef.FindStringSubmatch(t)
	if m == nil {
		return 0, 0
	}
	n, _ = strconv.Atoi(m[1] + m[2] + m[3])
	return n, len(m[0])
}

// calloutCommand returns command line t without the callout mark that ends
// it ("$ git reset --soft HEAD^      <1>"), the mark's number, and whether
// it has one.
func calloutCommand(t string) (string, int, bool) {
	m := calloutMark.FindStringSubmatchIndex(t)
	if m == nil {
		return "", 0, false
	}
	n, _ := strconv.Atoi(t[m[2]:m[3]])
	return t[:m[0]], n, true
}

// symbolName reports whether t is a name written in symbols alone, as a
// shell's special parameters are ("_", "*", "@", "?", "$", "!"): the term
// of an entry, and a name no question's word is.
func symbolName(t string) bool {
	n := utf8.RuneCountInString(t)
	return n >= 1 && n <= 2 && strings.Trim(t, "*@#?$!_") == ""
}

// parenthetical reports whether s is a remark in parentheses as a whole.
func parenthetical(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasPrefix(s, "(") && (strings.HasSuffix(s, ")") || strings.HasSuffix(s, ").")) && strings.Count(s, "(") == 1
}

// compactEntry reports whether line t is the term of a definition list
// entry whose definition is the next line: a term (see
// textproc.DefinitionTerm) or a name given its value ("NOSPLIT = 4",
// "GOGC=100"), followed by prose that opens with a capital or a
// parenthesis and is no term itself.
func compactEntry(t, next string) bool {
	if listMarker(t) > 0 || !textproc.DefinitionTerm(t) && !valueEntry(t) {
		// A list item ("- go build") is no term.
		return false
	}
	next = strings.TrimSpace(next)
	r, _ := utf8.DecodeRuneInString(next)
	return (unicode.IsUpper(r) || r == '(') && len(strings.Fields(next)) > 3 && !textproc.DefinitionTerm(next) && !valueEntry(next) && !codeLike(next)
}

// valueEntry reports whether t names something and gives its value, and
// nothing else: "NOSPLIT = 4", "GOGC=100", "core.editor = vim".
func valueEntry(t string) bool {
	name, value, ok := strings.Cut(t, "=")
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	if !ok || name == "" || value == "" || strings.ContainsAny(value, " \t") || strings.ContainsAny(value[len(value)-1:], ".!?:;,") {
		return false
	}
	if len(strings.Fields(name)) != 1 || strings.IndexFunc(name, unicode.IsLetter) < 0 {
		return false // "The default is GOGC=100", "export PATH=/usr/bin"
	}
	return isIdentifier(name) || strings.ToUpper(name) == name
}

// endsSentence reports whether a line ends a sentence or a clause.
func endsSentence(line string) bool {
	r, _ := utf8.DecodeLastRuneInString(strings.TrimSpace(line))
	return strings.ContainsRune(".!?:;)。！？", r)
}

// isHeadingLine reports whether a line standing alone reads as a heading:
// at most 8 words, no final punctuation, not code, starting with a capital
// or a digit.
func isHeadingLine(t string) bool {
	ws := textproc.Words(t)
	if len(ws) == 0 || len(ws) > 8 || strings.ContainsAny(t[len(t)-1:], ".!?:;,。！？") || codeLike(t) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(t)
	return unicode.IsUpper(r) || unicode.IsDigit(r)
}

// listMarker returns the length of a leading list or quote marker of line.
func listMarker(line string) int {
	if len(line) > 1 && strings.ContainsRune("-*+>", rune(line[0])) && line[1] == ' ' {
		return 2
	}
	i := 0
	for i < len(line) && i < 3 && line[i] >= '0' && line[i] <= '9' {
		i++
	}
	if i > 0 && i+1 < len(line) && (line[i] == '.' || line[i] == ')') && line[i+1] == ' ' {
		return i + 2
	}
	return 0
}

// auxiliaries make a sentence verb-ish.
var auxiliaries = set(`is are was were be been being can cannot could must may might will would should shall
has have had does do did means ensures guarantees happens returns provides allows makes causes need needs`)

// navigation marks site chrome rather than content.
var navigation = []string{"skip to main content", "table of contents", "all rights reserved", "privacy policy",
	"terms of service", "cookie", "previous page", "next page", "›", "»", "back to top", "edit this page"}

// isFragment reports whether s is not worth quoting: too short or long,
// code, navigation, or without anything that reads like a verb.
func isFragment(s string) bool {
	ws := textproc.Words(s)
	if !latinText(s) {
		// Scripts without spaces count bigrams as words; no English rules.
		return utf8.RuneCountInString(s) < 6 || len(ws) > 4*maxWords || len(textproc.Tokenize(s)) < 2 ||
			codeLike(s) || furnitureLine(ws)
	}
	if len(ws) < minWords || len(ws) > maxWords || len(s) < 25 || len(textproc.Tokenize(s)) < 3 {
		return true
	}
	return notProse(s, ws)
}

// shortSentence reports whether s reads as a finished sentence (of any
// length from three words): called on fragments, it tells those that are
// fragments only by their length ("Pieces are 8 MiB."), not worth quoting
// alone but part of a window around a related sentence (see grow).
func shortSentence(s string) bool {
	ws := textproc.Words(s)
	if !latinText(s) || len(ws) < 3 || len(ws) > maxWords || len(textproc.Tokenize(s)) < 2 || !strings.ContainsAny(s[len(s)-1:], ".!?") {
		return false
	}
	if !capitalized(s) {
		return false
	}
	// "Never deploy on a Friday.": an adverb before the verb states a
	// rule, in any number of words.
	return !notProse(s, ws) || ruleAdverbs[ws[0]] && len(ws) > 2 && !textproc.IsStopWord(ws[1]) && !codeLike(s)
}

// indexEntryRe matches an entry of a book's index: a term, a colon and the
// title of the section it is in ("do: Looping Constructs").
var indexEntryRe = regexp.MustCompile(`(^|\s)\S+: \p{Lu}`)

// indexEntries reports whether s is a run of index entries ("do: Looping
// Constructs done: Looping Constructs"): two or more, and no sentence's
// end.
func indexEntries(s string) bool {
	return len(indexEntryRe.FindAllStringIndex(s, -1)) >= 2 && !strings.ContainsAny(s[len(s)-1:], ".!?")
}

// notProse reports whether s (of words ws, in Latin script) is not a
// sentence to quote whatever its length: navigation, code, a tail cut by
// markup, or without anything that reads like a verb.
func notProse(s string, ws []string) bool {
	if furnitureLine(ws) || tableCells(s) {
		return true
	}
	// A sentence that starts in lower case with a function word is the tail
	// of one cut by code or markup ("is also guaranteed to print …").
	if r, _ := utf8.DecodeRuneInString(s); unicode.IsLower(r) && (textproc.IsStopWord(ws[0]) || auxiliaries[ws[0]]) {
		return true
	}
	if codeLike(s) {
		return true
	}
	// A table of contents: "Connecting without remote passwords 6.3.4."
	// (a number of three parts; "Go 1.18." ends a sentence).
	if fs := strings.Fields(s); sectionNumber(fs[len(fs)-1]) && strings.Count(strings.TrimRight(fs[len(fs)-1], "."), ".") >= 2 {
		return true
	}
	lower := strings.ToLower(s)
	for _, n := range navigation {
		if strings.Contains(lower, n) {
			return true
		}
	}
	if strings.Count(s, "|") >= 2 || navigationLabels(s) || indexEntries(s) {
		return true
	}
	for _, w := range ws {
		if auxiliaries[w] {
			return false
		}
	}
	// A definition line of a manual: "git-rebase - Reapply commits on top
	// of another base tip".
	if name, def, ok := strings.Cut(s, " - "); ok && len(textproc.Words(name)) <= 3 && len(textproc.Words(def)) >= 3 {
		return false
	}
	// Without an auxiliary, accept a finished sentence with an inflected word
	// after its first: "A send on a channel happens before …".
	if !strings.ContainsAny(s[len(s)-1:], ".!?") {
		return true
	}
	if imperative(s, ws) {
		return false
	}
	for _, w := range ws[1:] {
		if strings.HasSuffix(w, "s") || strings.HasSuffix(w, "ed") {
			return false
		}
	}
	// A reference manual leaves out the subject it documents: "Defaults
	// to 256 MiB.", "Returns the …": an inflected first word before a
	// function word reads as the verb; before a preposition or a
	// conjunction it is a title's noun ("Notes on the …", "Tips and …").
	if len(ws) > 1 && len(ws[0]) > 3 && strings.HasSuffix(ws[0], "s") && !strings.HasSuffix(ws[0], "ss") {
		if next := strings.ToLower(ws[1]); textproc.IsStopWord(next) && !prepositions[next] && next != "and" && next != "or" {
			return false
		}
	}
	return true
}

// tableCells reports whether s is the cells of a table run together:
// half of its words or more are single letters ("X U A A --soft
// (disallowed) --mixed X A A --hard A A A").
func tableCells(s string) bool {
	fs := strings.Fields(s)
	single := 0
	for _, f := range fs {
		f = strings.Trim(f, ".,;:()[]")
		if r, n := utf8.DecodeRuneInString(f); n == len(f) && unicode.IsLetter(r) && f != "a" && f != "I" {
			single++
		}
	}
	return single >= 4 && 2*single >= len(fs)
}

// imperative reports whether s (a finished sentence of words ws) states a
// step of a procedure: at its start, or after an introductory phrase and a
// comma, a content word directly followed by a determiner, a quoted name
// or a code name ("Run the … command at last.", "Under systemd, use
// systemd-timesyncd for …"): a noun is seldom followed by an article or a
// command name, a verb in the imperative mood is. A word with a noun's
// ending ("Introduction the …") is no verb.
func imperative(s string, ws []string) bool {
	if len(ws) < 2 {
		return false
	}
	// "To cut a release run `make release`.": the last word before the
	// block a sentence introduces (see passageSentences) is its verb,
	// comma or none after the phrase that says what for.
	if before, block, ok := strings.Cut(s, " `"); ok && strings.HasSuffix(block, "`.") && !strings.Contains(block[:len(block)-2], "`") {
		fs := strings.Fields(before)
		if w := strings.ToLower(fs[len(fs)-1]); len(fs) > 1 && len(w) > 1 && strings.IndexFunc(w, func(r rune) bool { return !unicode.IsLetter(r) }) < 0 &&
			!(textproc.IsStopWord(w) && !stopVerbs[w]) && !auxiliaries[w] && !prepositions[w] && !nounSuffix(w) {
			return true
		}
	}
	clauses := append([]string{s}, strings.Split(s, ", ")[1:]...)
	for i, c := range clauses {
		verb, rest, ok := strings.Cut(c, " ")
		if !ok || rest == "" {
			continue
		}
		if strings.EqualFold(verb, "please") {
			// "For the persistent change, please edit …": the verb follows.
			if verb, rest, ok = strings.Cut(rest, " "); !ok || rest == "" {
				continue
			}
			if i == 0 {
				verb = strings.ToUpper(verb[:1]) + verb[1:]
			}
		}
		lower := strings.ToLower(verb)
		if len(verb) < 2 || strings.IndexFunc(verb, func(r rune) bool { return !unicode.IsLetter(r) }) >= 0 ||
			textproc.IsStopWord(lower) && !stopVerbs[lower] || auxiliaries[lower] || prepositions[lower] {
			continue
		}
		if r, _ := utf8.DecodeRuneInString(verb); i == 0 && !unicode.IsUpper(r) || i > 0 && verb != lower {
			continue
		}
		if nounSuffix(lower) {
			continue // "Introduction the …" is a title
		}
		next, _, _ := strings.Cut(rest, " ")
		if strings.ContainsAny(next[:1], "\"`'“‘") || determiners[strings.ToLower(next)] || quantifiers[strings.ToLower(next)] ||
			isIdentifier(strings.TrimRight(next, ".,;:")) || strings.Contains(next, "-") && strings.IndexFunc(next, unicode.IsLetter) == 0 {
			return true
		}
	}
	return false
}

// ruleAdverbs open an imperative that states a rule ("Never deploy …").
var ruleAdverbs = set(`never always`)

// nounSuffix reports whether w ends as nouns do and verbs do not.
func nounSuffix(w string) bool {
	for _, suf := range []string{"tion", "sion", "ment", "ness", "ity", "ism", "ship", "hood"} {
		if strings.HasSuffix(w, suf) {
			return true
		}
	}
	return false
}

// stopVerbs are the stop words that are verbs in the imperative mood
// ("Use the …").
var stopVerbs = set(`use let`)

// prepositions open a phrase, not a step ("Among the …"); most are stop
// words as well.
var prepositions = set(`about above across after against along amid among around at before behind below beneath beside
besides between beyond by despite down during except for from in inside into like near of off on onto opposite
outside over past per since through throughout toward towards under underneath unlike until upon with within without`)

// quantifiers open a noun phrase too (see determiners).
var quantifiers = set(`each every all any some`)

// navLabelRe matches the labels of a manual's page links ("Next: …",
// "Up: …", as texinfo's HTML writes them).
var navLabelRe = regexp.MustCompile(`(?i)(^|[\s,;])(next|prev|previous|up):\s`)

// navigationLabels reports whether s opens with a page link's label or
// holds two of them: "Next: What is a shell?, Up: Introduction".
func navigationLabels(s string) bool {
	m := navLabelRe.FindAllStringIndex(s, 2)
	return len(m) == 2 || len(m) == 1 && m[0][0] == 0
}

// furnitureWords are the words of navigation bars and page chrome
// ("Prev Up Chapter 49 Next Home").
var furnitureWords = set(`prev previous next up home top chapter section part appendix contents index toc
back forward skip menu search page pages edit print share`)

// furnitureLine reports whether at least half of the words are navigation
// words or numbers: "Prev Up Chapter 49. Backup and Restore Home Next".
func furnitureLine(ws []string) bool {
	n := 0
	for _, w := range ws {
		if furnitureWords[w] || (w[0] >= '0' && w[0] <= '9') {
			n++
		}
	}
	return n*2 >= len(ws)
}

// latinText reports whether most letters of s are Latin script.
func latinText(s string) bool {
	var latinN, other int
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf && unicode.IsLetter(r), unicode.Is(unicode.Latin, r):
			latinN++
		case unicode.IsLetter(r):
			other++
		}
	}
	return other*4 <= latinN
}

// codeLike reports whether s reads as source code rather than prose.
func codeLike(s string) bool {
	// Struct fields with their comments ("Sum string // checksum …, Origin
	// any // provenance …") are code too.
	if strings.Contains(s, ":=") || strings.Contains(s, "};") || strings.HasSuffix(s, "{") || strings.HasPrefix(s, "func ") ||
		strings.HasPrefix(s, "package ") || strings.HasPrefix(s, "import ") || strings.HasPrefix(s, "//") ||
		strings.Count(s, " // ") >= 2 {
		return true
	}
	var prose, symbols int
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsSpace(r) || unicode.IsMark(r) || (r > 0x2000 && unicode.IsPunct(r)):
			prose++
		case unicode.IsDigit(r):
			// Numbers are words of prose ("预算是 5,000 EUR。", whose
			// digits outnumber its letters).
			prose++
		case strings.ContainsRune("{}();=<>[]*&|!", r):
			symbols++
		}
	}
	n := utf8.RuneCountInString(s)
	return symbols*12 > n || prose*10 < n*7
}

// quantityCues ask for a number (lower case, as words of a question).
var quantityCues = []string{"how many", "how much"}

// asksQuantity reports whether the question q asks for a number.
func asksQuantity(q string) bool { return quantityCue(q) != "" }

// quantityCue is the cue of quantityCues that q asks with, followed by a
// space ("how many "), or "" when q asks for no number.
func quantityCue(q string) string {
	ws := strings.Fields(strings.ToLower(q))
	for i, w := range ws {
		ws[i] = strings.TrimRight(w, "?!.,;:") // "…, and how many?"
	}
	l := " " + strings.Join(ws, " ") + " "
	for _, c := range quantityCues {
		if strings.Contains(l, " "+c+" ") {
			return c + " "
		}
	}
	return ""
}

// numberWords state a quantity in words.
var numberWords = set(`zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred hundreds thousand
thousands million millions billion billions dozen dozens half twice`)

// statesQuantity reports whether s states a number, in digits (any script's
// decimal digits) or in English words. The digits of a command shown with
// the sentence ("$ git log -3") or of inline code ("`head -n 20`") state
// no quantity.
func statesQuantity(s string) bool {
	p := prose(s)
	ws := scanWords(p)
	for i, w := range ws {
		if numberWords[w.lower] {
			if w.lower == "one" && pronounOne(ws, i) {
				continue
			}
			return true
		}
		d := strings.IndexFunc(w.text, unicode.IsDigit)
		if d < 0 {
			continue
		}
		if before, _ := utf8.DecodeLastRuneInString(w.text[:d]); d > 0 && before < utf8.RuneSelf && unicode.IsLetter(before) {
			continue // "i386", "ext4", "sha1": names with digits
		}
		if w.start >= 2 && p[w.start-1] == '(' && w.end < len(p) && p[w.end] == ')' && isWordByte(p[w.start-2]) {
			continue // "mount(8)": a manual section
		}
		if strings.Count(w.text, ".") >= 2 && strings.Trim(w.text, "0123456789.") == "" {
			continue // "2.7.6", "3.5.8.1": a section or version number
		}
		if i > 0 && numberedNames[ws[i-1].lower] {
			continue // "version 5.2", "Section 6.2": a name, not an amount
		}
		if i > 0 && w.start == ws[i-1].end+1 && p[ws[i-1].end] == ' ' && capitalized(ws[i-1].text) && !(i == 1 && ws[0].start == 0) &&
			!textproc.IsStopWord(ws[i-1].lower) && !isAcronym(ws[i-1].text) && !isIdentifier(ws[i-1].text) {
			continue // "Debian 12", "Bash 5.2": a name's number
		}
		return true
	}
	return false
}

// pronounOne reports whether "one", word i of ws, stands for a thing
// rather than counting it: "the one", "which one", "one of them", "from
// one place to another", "one or more".
func pronounOne(ws []word, i int) bool {
	if i > 0 && oneDeterminers[ws[i-1].lower] {
		return true
	}
	if i > 1 && ws[i-1].lower == "than" && ws[i-2].lower == "more" {
		return true // "more than one remote": several, no count
	}
	if i+1 < len(ws) && (ws[i+1].lower == "of" || ws[i+1].lower == "or" || ws[i+1].lower == "another") {
		return true
	}
	for j := i + 1; j < len(ws) && j <= i+4; j++ {
		if ws[j].lower == "another" {
			return true
		}
	}
	return false
}

// oneDeterminers before "one" make it a pronoun.
var oneDeterminers = set(`the this that which no any each every some`)

// countsNoun reports whether s states a number near a word of the term
// counted ("2 facts" does not count people in "Some people wonder if the
// following 2 facts …"; "500 entries", "the entries … up to 500" do).
func countsNoun(s, counted string) bool {
	ws := scanWords(prose(s))
	var nouns, numbers []int
	for i, w := range ws {
		if ts := textproc.Tokenize(w.text); len(ts) > 0 && ts[0] == counted {
			nouns = append(nouns, i)
		}
		if statesQuantity(w.text) && !pronounOne(ws, i) {
			numbers = append(numbers, i)
		}
	}
	for _, n := range nouns {
		for _, m := range numbers {
			if n-m > countReach || m-n > countReach {
				continue
			}
			if m < n && slices.ContainsFunc(ws[m+1:n], func(w word) bool { return w.lower == "per" }) {
				continue // "2,000 USD per engineer" is a rate, no count of engineers
			}
			if m > n && m+1 < len(ws) && !textproc.IsStopWord(ws[m+1].lower) {
				if ts := textproc.Tokenize(ws[m+1].text); len(ts) == 0 || ts[0] != counted {
					// "New engineers shadow two full weeks": a number
					// after the noun that another word follows counts
					// that word.
					continue
				}
			}
			return true
		}
	}
	return len(nouns) == 0 // named in code or markup only
}

// countReach is how many words apart a number and the noun it counts may
// stand ("500 entries", "entries is 500", "up to 4 parallel jobs").
const countReach = 4

// numberedNames are the words a number after which names a thing rather
// than stating an amount.
var numberedNames = set(`version versions edition release revision section chapter figure table rfc`)

// capitalized reports whether w opens with an upper-case letter.
func capitalized(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r)
}

// prose is s less its command and code lines and its inline code spans.
func prose(s string) string {
	var b strings.Builder
	for i, line := range strings.Split(s, "\n") {
		t := strings.TrimSpace(line)
		if i > 0 && (commandLine(t) != "" || codeLike(t)) {
			continue
		}
		for {
			open := strings.IndexByte(line, '`')
			if open < 0 {
				break
			}
			end := strings.IndexByte(line[open+1:], '`')
			if end < 0 {
				break
			}
			line = line[:open] + " " + line[open+1+end+1:]
		}
		b.WriteString(line)
		b.WriteString("\n")
	}
	return b.String()
}

// support is the share of the sub-question's topic that c speaks of, in
// the sentence or its heading and title: each concept of terms (see
// concepts) counts once, whatever its rarity among the passages, and the
// words that only ask ("work", "rules", "long") do not count. It does not
// depend on how many passages competed: "Backups are kept for 35 days."
// speaks of all of "How long are backups kept?" in a corpus of two notes
// as in one of thousands.
func support(c *candidate, terms []string, concept map[string]string, context map[string]bool) float64 {
	topic, got := map[string]bool{}, map[string]bool{}
	for _, t := range terms {
		if asking(t) {
			continue
		}
		k := conceptOf(t, concept)
		topic[k] = true
		if c.terms[t] > 0 || context[t] {
			got[k] = true
		}
	}
	if len(topic) == 0 {
		return 1
	}
	return float64(len(got)) / float64(len(topic))
}

// asking reports whether term t only asks (a verb of asking, a facet word,
// a filler) rather than names the topic.
func asking(t string) bool {
	return verbs[t] || facetWords[t] || verbStems[t] || fillers[t]
}

// minClip is the length of the shortest clipped word ("sync", "repo"), and
// minClipped the shortest rest it leaves of the longer word ("form" is no
// clipping of "formula").
const (
	minClip    = 4
	minClipped = 4
)

// clipped counts, for each question term t of at least minClip letters,
// the candidates' words that t is a clipping of as t itself: "sync" for
// "synchronization", "repo" for "repository". A longer word counts
// when it starts with t and the rest is not a word of the passages or a
// stop word ("timeout" is "time" and "out", another concept).
func clipped(cands []*candidate, ctx []map[string]bool, terms []string) {
	vocab := map[string]bool{}
	for _, c := range cands {
		for t := range c.terms {
			vocab[t] = true
		}
	}
	for _, m := range ctx {
		for t := range m {
			vocab[t] = true
		}
	}
	longer := map[string][]string{}
	for _, t := range terms {
		if len(t) < minClip || !plainLetters(t) || longer[t] != nil {
			continue
		}
		for u := range vocab {
			rest := strings.TrimPrefix(u, t)
			if rest == u || len(rest) < minClipped || !plainLetters(rest) || vocab[rest] || textproc.IsStopWord(rest) || vocab[textproc.Stem(rest)] {
				continue
			}
			longer[t] = append(longer[t], u)
		}
		if longer[t] == nil {
			longer[t] = []string{}
		}
	}
	for t, us := range longer {
		for i, c := range cands {
			for _, u := range us {
				if n := c.terms[u]; n > 0 {
					c.terms[t] += n
				}
				if ctx[i][u] {
					ctx[i][t] = true
				}
			}
		}
	}
}

func plainLetters(s string) bool {
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}

// phraseEnds end the phrase of what a question rules out: a conjunction or
// a subordinate clause ("without a context when it blocks …").
var phraseEnds = set(`and but or when whenever if while because that which who whom where so since until unless as`)

// exclusions open a phrase naming what the asker rules out.
var exclusions = [][]string{{"without"}, {"instead", "of"}, {"rather", "than"}, {"other", "than"}, {"except"}, {"apart", "from"}}

// excludedTerms returns the terms of the words that rule out ("without",
// "instead of") and those that the question names only in the phrases after
// them, up to the end of the clause ("calling date", "a cron job").
func excludedTerms(q string) (markers, out map[string]bool) {
	markers, out = map[string]bool{}, map[string]bool{}
	ws := scanWords(q)
	inPhrase := make([]bool, len(ws))
	for i := 0; i < len(ws); i++ {
		n := 0
		for _, e := range exclusions {
			if i+len(e) <= len(ws) {
				match := true
				for j, w := range e {
					match = match && ws[i+j].lower == w
				}
				if match {
					n = len(e)
					break
				}
			}
		}
		if n == 0 || i > 0 && (ws[i-1].lower == "or" || ws[i-1].lower == "and") {
			continue // "with or without cgo" rules nothing out
		}
		for _, w := range ws[i : i+n] {
			for _, t := range textproc.Tokenize(w.text) {
				markers[t] = true
			}
		}
		for j := i + n; j < len(ws); j++ {
			if j > i+n && strings.ContainsAny(q[ws[j-1].end:ws[j].start], ",;:?!.") || phraseEnds[ws[j].lower] {
				break
			}
			inPhrase[j] = true
		}
	}
	elsewhere := map[string]bool{}
	for j, w := range ws {
		for _, t := range textproc.Tokenize(w.text) {
			if inPhrase[j] {
				out[t] = true
			} else if !markers[t] {
				elsewhere[t] = true
			}
		}
	}
	for t := range out {
		if elsewhere[t] {
			delete(out, t)
		}
	}
	return markers, out
}

// without returns terms less those in drop.
func without(terms []string, drop map[string]bool) []string {
	var out []string
	for _, t := range terms {
		if !drop[t] {
			out = append(out, t)
		}
	}
	return out
}

// lowerWords returns the words the passages write in lower case somewhere:
// common words, not names (see statesName).
func lowerWords(ps []reasoning.Passage) map[string]bool {
	out := map[string]bool{}
	for _, p := range ps {
		for _, w := range scanWords(p.Text) {
			if w.text == w.lower {
				out[w.lower] = true
			}
		}
	}
	return out
}

// referred raises the entry a kept sentence refers the reader to ("For
// following files across renames …, see --follow."): the first sentence
// of that entry, when it is evidence too, is as relevant as the reference.
func referred(kept []*candidate) {
	entries := map[string][]*candidate{}
	for _, c := range kept {
		if c.defines == "" {
			continue
		}
		for _, name := range strings.Split(c.defines, ", ") {
			name = strings.ToLower(strings.TrimSpace(name))
			entries[name] = append(entries[name], c)
		}
	}
	if len(entries) == 0 {
		return
	}
	for _, c := range kept {
		for _, target := range references(c.text) {
			for _, d := range entries[target] {
				if d != c && d.rel < c.rel {
					d.rel = c.rel
				}
			}
		}
	}
}

// references are the names a sentence sends the reader to: the word after
// "see" ("see --follow", "See also git-config(1)"), lower case, without
// closing punctuation.
func references(s string) []string {
	var out []string
	fs := strings.Fields(s)
	for i := 0; i+1 < len(fs); i++ {
		if !strings.EqualFold(fs[i], "see") {
			continue
		}
		j := i + 1
		if strings.EqualFold(fs[j], "also") && j+1 < len(fs) {
			j++
		}
		name := strings.TrimRight(strings.Trim(fs[j], "\"`'“”‘’"), ".,;:")
		if strings.Count(name, ")") > strings.Count(name, "(") {
			name = strings.TrimSuffix(name, ")")
		}
		out = append(out, strings.ToLower(strings.TrimPrefix(name, "(")))
	}
	return out
}

// nameCodeTerms are the terms of the words of s written as identifiers:
// in capitals ("GOMAXPROCS", three letters or more) or with a dot or an
// underscore ("exec.Command", "PROMPT_COMMAND").
func nameCodeTerms(s string) map[string]bool {
	out := map[string]bool{}
	for _, f := range strings.Fields(s) {
		w := strings.TrimRight(strings.Trim(f, ",;:()[]\"'`?!"), ".")
		if !strings.HasPrefix(w, "-") && (strings.ContainsAny(w, "._") || len(w) >= 3 && isAcronym(w)) {
			for t := range codeTerms(w, nil) {
				out[t] = true
			}
		}
	}
	return out
}

// endsColon reports whether s ends with a colon, ASCII or full-width
// ("要重启服务，运行：", "次を実行します：").
func endsColon(s string) bool { return strings.HasSuffix(s, ":") || strings.HasSuffix(s, "：") }

// trimColon removes the colon s ends with, ASCII or full-width.
func trimColon(s string) string { return strings.TrimSuffix(strings.TrimSuffix(s, ":"), "：") }
