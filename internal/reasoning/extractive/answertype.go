package extractive

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/researchflow/researchflow/internal/textproc"
)

// answerType is what a (sub-)question asks for, in the manner of the TREC
// question-answering track's question classes: a question that asks for a
// time is answered by a sentence that states one, whatever words it shares
// with the question.
type answerType int

const (
	anyAnswer       answerType = iota
	quantityAnswer             // how many, how much, how long, the number/length/size of …
	timeAnswer                 // when, since when, by when
	dateAnswer                 // what year/date/month/day, in which year, the opening year of …
	personAnswer               // who, whom, whose
	placeAnswer                // where
	reasonAnswer               // why
	procedureAnswer            // how do I …, how to …
	conditionAnswer            // when should I …, when is X useful
	nameAnswer                 // which command/tool/option/variable/file …: a code name or path
)

func (t answerType) String() string {
	return [...]string{"any", "quantity", "time", "date", "person", "place", "reason", "procedure", "condition", "name"}[t]
}

// modals ask for a condition after "when" ("when should I …").
var modals = set(`should would could can must may might shall`)

// measureNouns name a quantity ("the length of the bridge", "the budget").
var measureNouns = set(`length width height depth size weight capacity budget price cost costs fee fees salary
distance duration population count total amount percentage rate speed limit limits maximum minimum timeout
lifetime age number space memory storage`)

// The words that state a quantity of a dimension (units, and the
// adjective a measure is written with: "412 m long") are textproc's
// (textproc.InDimension): a quantity question of a known dimension is
// answered by a number with one of them, not by any number ("opened in
// 1931" does not state a length).

// dimensionOf names the dimension of a measure noun or "how" adjective.
var dimensionOf = map[string][]string{
	"length": {"length"}, "width": {"length"}, "height": {"length"}, "depth": {"length"}, "distance": {"length"},
	"long": {"length", "time"}, "far": {"length"}, "high": {"length"}, "tall": {"length"}, "wide": {"length"}, "deep": {"length"},
	"budget": {"money"}, "price": {"money"}, "cost": {"money"}, "costs": {"money"}, "fee": {"money"}, "fees": {"money"}, "salary": {"money"},
	"size": {"size", "length"}, "capacity": {"size"}, "big": {"size", "length"}, "large": {"size", "length"}, "percentage": {"share"},
	"space": {"size"}, "memory": {"size"}, "storage": {"size"},
	"weight": {"weight"}, "heavy": {"weight"},
	"fast": {"speed"}, "quickly": {"speed"}, "speed": {"speed"}, "slow": {"speed"},
	"duration": {"time"}, "lifetime": {"time"}, "age": {"time"}, "old": {"time"}, "often": {"time"}, "timeout": {"time"},
}

// comparativeDimension names the dimension of a comparative measure word.
var comparativeDimension = map[string][]string{
	"faster": {"speed"}, "slower": {"speed"}, "quicker": {"speed"},
	"bigger": {"size", "length"}, "larger": {"size", "length"}, "smaller": {"size", "length"},
	"longer": {"length", "time"}, "shorter": {"length", "time"},
	"cheaper": {"money"}, "heavier": {"weight"}, "lighter": {"weight"},
}

// measureVerbs state a measure as a verb ("How much does it cost?").
var measureVerbs = map[string][]string{"cost": {"money"}, "costs": {"money"}, "weigh": {"weight"}, "weighs": {"weight"}}

// quantityDimensions returns the dimensions a quantity question asks in
// (nil: any number).
func quantityDimensions(q string) []string {
	ws := scanWords(strings.ToLower(q))
	for i, w := range ws {
		// "How many" asks for a count, which has no unit. "How much"
		// names no dimension: the noun after it may ("how much disk
		// space"), unless it is a part of something ("how much of the
		// cost" asks for a share).
		if d, ok := dimensionOf[w.lower]; ok && i > 0 && ws[i-1].lower == "how" {
			return d
		}
		if w.lower == "many" && i > 0 && ws[i-1].lower == "how" {
			return nil
		}
		// "How much faster …" asks for a ratio of speeds, "how much
		// larger" of sizes.
		if d, ok := comparativeDimension[w.lower]; ok && i > 1 && ws[i-1].lower == "much" && ws[i-2].lower == "how" {
			return d
		}
		if w.lower == "of" && i > 1 && ws[i-1].lower == "much" && ws[i-2].lower == "how" {
			return nil
		}
		// "How much does X reduce the size?" asks for an amount of
		// change (a share answers it), not for a size; "How much does
		// X cost?" for money.
		if i > 1 && ws[i-1].lower == "much" && ws[i-2].lower == "how" && auxiliaries[w.lower] {
			for _, v := range ws[i+1:] {
				if d, ok := measureVerbs[v.lower]; ok {
					return d
				}
			}
			return nil
		}
		if d, ok := dimensionOf[w.lower]; ok && measureNouns[w.lower] {
			return d
		}
	}
	return nil
}

// unitReach is how many words after a number its unit may stand.
const unitReach = 3

// statesDimension reports whether s states a number with a word of one of
// the dimensions.
func statesDimension(s string, dims []string) bool {
	if slices.Contains(dims, "speed") && comparesSpeed(s) {
		return true
	}
	if len(dims) > 0 && vagueMeasure(s, dims) {
		return true
	}
	if !statesQuantity(s) {
		return false
	}
	if len(dims) == 0 {
		return true
	}
	// The unit goes with a number: in the same word ("30s",
	// "3.months.ago") or within unitReach words after it ("30 days",
	// "32 or 64 bits", "5 MB per second"); "as long as" and "one per
	// line" state no measure.
	number := -unitReach - 1 // the last word stating a number
	fields := strings.Fields(prose(s))
	for i, f := range fields {
		hasNumber := statesQuantity(f)
		if hasNumber {
			number = i
		}
		if i-number > unitReach {
			continue
		}
		if i > 0 && i+1 < len(fields) && strings.EqualFold(fields[i-1], "as") && strings.EqualFold(strings.Trim(fields[i+1], ".,;:"), "as") {
			continue // "as long as", "as far as": a comparison, no measure
		}
		for _, part := range splitNumberUnit(strings.ToLower(strings.Trim(f, ".,;:()\"'`"))) {
			// "3.months.ago" is three months.
			for _, unit := range strings.FieldsFunc(part, func(r rune) bool { return r == '.' }) {
				for _, d := range dims {
					if textproc.InDimension(d, unit) || textproc.InDimension(d, part) {
						return true
					}
				}
			}
		}
	}
	// A number right after the name of a measure of the asked kind states
	// it without a unit ("The maximum depth is 4095", "a length of 80");
	// "opened in 1931" names no length, "the packfile size (30-50%
	// smaller" no depth, and a share is no measure.
	for i, f := range fields {
		w := strings.ToLower(strings.Trim(f, ".,;:()"))
		if !measureNouns[w] || !slices.Equal(dimensionOf[w], dims) {
			continue
		}
		for _, n := range fields[i+1 : min(i+4, len(fields))] {
			if statesQuantity(n) && !strings.Contains(n, "%") {
				return true
			}
		}
	}
	return false
}

// statesDefault reports whether s states a default value of a measure the
// question (its words) names, as a bare number or with a unit of one of
// dims: "The depth parameter … This defaults to 50" for "What depth …?". A
// setting's value is often written without its unit (a depth, a count of
// objects); a unit of another kind ("defaults to 8 bits" for a time)
// answers nothing, nor does a default of another measure ("the window
// size … defaults to 250" for "how much disk space").
func statesDefault(s string, question map[string]bool, dims []string) bool {
	fields := strings.Fields(prose(s))
	var asked []string
	for w := range question {
		if measureNouns[w] {
			asked = append(asked, w)
		}
	}
	names := false
	for _, f := range fields {
		t := strings.Trim(f, ".,;:()")
		w := strings.ToLower(t)
		code := isIdentifier(t) || isAcronym(t) || strings.HasPrefix(t, "-") && len(strings.Trim(t, "-")) > 1
		for _, m := range asked {
			// The measure itself, or a setting named for it
			// ("HISTSIZE", "deltaCacheSize"), or for what it measures:
			// "--window" for "the delta window size".
			names = names || w == m || code && strings.Contains(w, m)
			for _, part := range strings.FieldsFunc(w, func(r rune) bool { return !unicode.IsLetter(r) }) {
				names = names || code && question[part+" "+m]
			}
		}
	}
	return names && statesDefaultValue(s, dims)
}

// statesDefaultValue reports whether s gives a default as a value: "default"
// or "defaults" followed within five words by a number, bare, with a unit
// of one of dims, or assigned to a setting ("The default is GOGC=100"); not
// with a unit of another kind, nor as a percentage sign.
func statesDefaultValue(s string, dims []string) bool {
	fields := strings.Fields(prose(s))
	for i, f := range fields {
		if w := strings.ToLower(strings.Trim(f, ".,;:()")); w != "default" && w != "defaults" {
			continue
		}
		for j := i + 1; j < min(i+6, len(fields)); j++ {
			n := strings.Trim(fields[j], ".,;:()")
			if k := strings.LastIndexByte(n, '='); k > 0 && (isIdentifier(n[:k]) || isAcronym(n[:k])) {
				n = n[k+1:] // "GOGC=100": the setting's value
			}
			if n == "" || n[0] < '0' || n[0] > '9' || !statesQuantity(n) || strings.Contains(n, "%") {
				continue
			}
			unit := ""
			if j+1 < len(fields) {
				unit = strings.ToLower(strings.Trim(fields[j+1], ".,;:()"))
			}
			for _, part := range splitNumberUnit(strings.ToLower(n)) {
				if part != n && !unicode.IsDigit(rune(part[0])) {
					unit = part // "50ms"
				}
			}
			return !otherUnit(unit, dims)
		}
	}
	return false
}

// askedWords are the words of questions, in lower case, and each two
// following words of one ("window size"): what a measure is of.
func askedWords(questions ...string) map[string]bool {
	out := map[string]bool{}
	for _, q := range questions {
		ws := scanWords(strings.ToLower(q))
		for i, w := range ws {
			out[w.lower] = true
			if i > 0 {
				out[ws[i-1].lower+" "+w.lower] = true
			}
		}
	}
	return out
}

// otherUnit reports whether unit is a unit of a dimension outside dims.
func otherUnit(unit string, dims []string) bool {
	for _, d := range textproc.DimensionsOf(unit) {
		if !slices.Contains(dims, d) {
			for _, asked := range dims {
				if textproc.InDimension(asked, unit) {
					return false
				}
			}
			return true
		}
	}
	return false
}

// comparesSpeed reports whether s compares speeds ("slower than gzip",
// "twice as fast"): an answer to "how fast" without a number.
func comparesSpeed(s string) bool {
	for _, w := range scanWords(prose(s)) {
		switch w.lower {
		case "faster", "slower", "quicker", "fastest", "slowest":
			return true
		}
	}
	return false
}

// vagueAmounts state an amount without a number when a unit follows ("a
// few months", "several seconds", "a month or so").
var vagueAmounts = set(`a an few several couple`)

// vagueMeasure reports whether s states an amount of one of the
// dimensions in words: a vague amount, then (after "of") a unit.
func vagueMeasure(s string, dims []string) bool {
	ws := scanWords(prose(s))
	for i := 0; i+1 < len(ws); i++ {
		if !vagueAmounts[ws[i].lower] {
			continue
		}
		next := ws[i+1].lower
		if next == "of" && i+2 < len(ws) {
			next = ws[i+2].lower
		}
		if next == "second" {
			continue // "a second argument" counts nothing
		}
		for _, d := range dims {
			if d != "money" && d != "share" && textproc.InDimension(d, next) && len(next) > 2 {
				return true
			}
		}
	}
	return false
}

// splitNumberUnit splits "412m" or "€9000" into their number and unit.
func splitNumberUnit(f string) []string {
	i := strings.IndexFunc(f, func(r rune) bool { return !unicode.IsDigit(r) && r != '.' && r != ',' })
	j := strings.LastIndexFunc(f, unicode.IsDigit)
	switch {
	case i > 0:
		return []string{f[:i], f[i:]}
	case i == 0 && j > 0 && j+1 == len(f):
		k := strings.IndexFunc(f, unicode.IsDigit)
		return []string{f[:k], f[k:]}
	}
	return []string{f}
}

// timeNouns name a point in time ("the opening year", "the release date").
var timeNouns = set(`year date day month time deadline weekday`)

// dateNouns name a point in time that only a date states: a question for
// the year (month, day) is not answered by a duration or a condition.
var dateNouns = set(`year date day month weekday`)

// leadPrepositions may open a question before its question word ("In which
// year …", "On what date …", "For how long …"). "To whom" is left out: it
// is answered by an address or a list as often as by a name.
var leadPrepositions = set(`in on at by for from until till during since`)

// classify returns the answer type of question q. A question of several
// clauses asks for several types and is typed by none; its clauses are
// planned as sub-questions of their own.
// ellipticalWh splits a question that ends by asking a second thing with
// its question word alone ("Who runs the restore drill and how often?",
// "Which directories are a waste of space in a backup, and why?") into
// its first clause and that question word ("how often?"), which asks of
// the same topic; ok is false for other questions.
func ellipticalWh(q string) (head, tail string, ok bool) {
	body := strings.TrimRight(strings.TrimSpace(q), " ?")
	i := strings.LastIndex(strings.ToLower(body), " and ")
	if i < 0 {
		return "", "", false
	}
	ws := scanWords(strings.ToLower(body[i+len(" and "):]))
	if len(ws) == 0 || len(ws) > 2 || !whWords[ws[0].lower] && ws[0].lower != "why" || len(ws) == 2 && ws[0].lower != "how" {
		return "", "", false
	}
	return strings.TrimRight(body[:i], " ,") + "?", body[i+len(" and "):] + "?", true
}

func classify(q string) answerType {
	q = uncontracted(q)
	ws := scanWords(strings.ToLower(q))
	if len(ws) == 0 {
		return anyAnswer
	}
	if rest, ok := frontedPhrase(q); ok {
		return classify(rest) // "By default, what percentage …"
	}
	if latin(q) {
		cs := splitClauses(q)
		if head, tail, ok := ellipticalWh(q); ok && len(cs) < 2 {
			// "Who runs the restore drill and how often?" asks two
			// things, the second with its question word alone.
			cs = []string{head, tail}
		}
		if len(cs) > 1 {
			// Several questions in one ask for one type when each of
			// them does ("Who maintains X and which company funds it?":
			// a sentence answering any part names a party); else for
			// none, and each part is typed on its own.
			t := classify(cs[0])
			for _, c := range cs[1:] {
				u := classify(c)
				switch {
				case u == t:
				case u == timeAnswer && t == dateAnswer || u == dateAnswer && t == timeAnswer:
					t = timeAnswer // a date is a time
				default:
					return anyAnswer
				}
			}
			return t
		}
	}
	if len(ws) > 2 && leadPrepositions[ws[0].lower] && questionOpeners[ws[1].lower] && !(ws[0].lower == "since" && ws[1].lower == "when") {
		ws = ws[1:]
	}
	first := ws[0].lower
	second := ""
	if len(ws) > 1 {
		second = ws[1].lower
	}
	switch {
	case quantityCue(q) != "":
		return quantityAnswer
	case first == "how" && (second == "long" || second == "often" || second == "far" || second == "old" || second == "big" || second == "large" || second == "fast" || second == "quickly"):
		return quantityAnswer
	case first == "when" && (modals[second] || len(ws) > 2 && (second == "is" || second == "are") && !timeNouns[ws[2].lower] && ws[2].lower != "the"):
		// "When should I use X?", "When is X useful?": a condition.
		return conditionAnswer
	case first == "when" && (second == "was" || second == "were" || second == "did"):
		// "When was X released?", "When did X become …": a past event
		// is dated; a condition ("after Debian 12") or a span does not
		// place it.
		return dateAnswer
	case first == "when" || (first == "since" && second == "when"):
		return timeAnswer
	case first == "who" || first == "whom" || first == "whose":
		return personAnswer
	case first == "where":
		return placeAnswer
	case first == "why":
		return reasonAnswer
	case first == "how" && (second == "to" || len(ws) > 2 && (second == "do" || second == "can" || second == "should" || second == "would") && subjects[ws[2].lower]):
		return procedureAnswer
	}
	// "What is the opening year / the length / the number of arches of …",
	// "What year did …": the head noun of what is asked names its type.
	if first == "what" || first == "which" {
		head, measure := "", ""
		// The verb asked with ends the phrase ("Which kubectl command
		// undoes the rollout?": a command); after "What does", the
		// phrase is the subject, read as before.
		pv := ""
		if !questionWords[second] {
			pv = textproc.PredicateVerb(q)
		}
		for _, w := range ws[1:] {
			l := w.lower
			if head == "" && (textproc.IsStopWord(l) || questionWords[l]) {
				continue // "is the"
			}
			if listPrepositions[l] || verbs[l] || questionWords[l] || textproc.IsStopWord(l) || l == pv {
				break
			}
			head = l
			if measureNouns[l] {
				measure = l
			}
		}
		// Only what is asked for: after "What does", the phrase is the
		// subject ("What does the memory model guarantee?").
		asked := !questionWords[second] || second == "is" || second == "are" || second == "was" || second == "were"
		if measure != "" && asked && !dateNouns[head] && !timeNouns[head] {
			// "What is the default delta window size git repack uses?":
			// where the phrase runs on into a clause without a relative
			// pronoun, its measure noun still heads what is asked.
			head = measure
		}
		switch {
		case dateNouns[head]:
			return dateAnswer
		case timeNouns[head]:
			return timeAnswer
		case measureNouns[head]:
			return quantityAnswer
		case partyNouns[head] || partyNouns[second]:
			// "Which company funds it?", "Who is the person …": an
			// organization or a person, named alike.
			return personAnswer
		case placeNouns[head]:
			// "Which city are the backups kept in?": a place.
			return placeAnswer
		case textproc.CodeNoun(head):
			// "Which command should I use …?", "What tool does Debian
			// provide …?": a command, an option, a file is named as code.
			return nameAnswer
		case agentNoun(head) && strings.Contains(" "+strings.ToLower(q)+" ", " "+head+" of "):
			// "What is the designer of the bridge?": a person.
			return personAnswer
		}
	}
	return anyAnswer
}

// uncontracted is q with a question word's contracted "is" written out
// ("What's the address …?" → "What is the address …?"): the words that
// type a question are read after the verb.
func uncontracted(q string) string {
	t := strings.TrimSpace(q)
	for _, wh := range []string{"what", "where", "who", "when", "how", "why", "which"} {
		for _, ap := range []string{"'s ", "’s "} {
			if len(t) > len(wh)+len(ap) && strings.EqualFold(t[:len(wh)], wh) && strings.HasPrefix(t[len(wh):], ap) {
				return t[:len(wh)] + " is " + t[len(wh)+len(ap):]
			}
		}
	}
	return q
}

// placeNouns head a question asking for a place.
var placeNouns = set(`city cities country countries town towns region regions location locations place places address addresses`)

// questionOpeners are the question words a preposition may stand before.
var questionOpeners = set(`which what when how whom whose where`)

// frontedPhrase returns the question after a short phrase set before its
// question word with a comma ("By default, what percentage …", "In a Go
// program, how do I …"), and whether there is one.
func frontedPhrase(q string) (string, bool) {
	before, after, ok := strings.Cut(q, ",")
	if !ok {
		return "", false
	}
	lead, rest := scanWords(strings.ToLower(before)), scanWords(strings.ToLower(after))
	if len(lead) == 0 || len(lead) > 5 || len(rest) < 2 || questionWords[lead[0].lower] || !questionWords[rest[0].lower] {
		return "", false
	}
	return strings.TrimSpace(after), true
}

// partyNouns head a question asking for a person or an organization
// ("Which company …", "What organization …").
var partyNouns = set(`person people company companies organization organizations organisation organisations
vendor vendors firm firms corporation corporations foundation foundations sponsor sponsors`)

// countedNoun is the term of the noun counted by "how many X" / "the number
// of X", or "": its first word, or the next one after an acronym naming
// what it is of ("OS threads", which a manual writes "operating system
// threads").
func countedNoun(q string) string {
	ws := scanWords(q)
	low := strings.ToLower(q)
	for i := 0; i+2 < len(ws); i++ {
		if (ws[i].lower == "how" && ws[i+1].lower == "many") || (ws[i].lower == "number" && ws[i+1].lower == "of") {
			for j := i + 2; j < len(ws); j++ {
				w := ws[j]
				if textproc.IsStopWord(w.lower) || fillers[w.lower] {
					continue
				}
				if k := j + 1; isAcronym(w.text) && k < len(ws) && strings.TrimSpace(low[w.end:ws[k].start]) == "" &&
					!textproc.IsStopWord(ws[k].lower) && !fillers[ws[k].lower] {
					w = ws[k]
				}
				if ts := textproc.Tokenize(w.lower); len(ts) > 0 {
					return ts[0]
				}
				return ""
			}
		}
	}
	return ""
}

var (
	yearRe  = regexp.MustCompile(`\b(1[0-9]|20|21)[0-9]{2}\b`)
	clockRe = regexp.MustCompile(`\b[0-9]{1,2}:[0-9]{2}\b|\b[0-9]{4}-[0-9]{2}-[0-9]{2}\b|\b[0-9]{1,2}/[0-9]{1,2}/[0-9]{2,4}\b`)
)

// Month and weekday names, and the words of durations, are textproc's
// (textproc.IsMonth, IsWeekday, IsTimeWord).

// conditionWords open a condition or a moment defined by an event.
var conditionWords = set(`if when whenever unless once until after before while during since`)

// relativeDays name a day relative to now.
var relativeDays = set(`today tomorrow yesterday tonight`)

// statesMoment reports whether s states a point in time: a year, a date
// or clock time, a month or weekday name.
func statesMoment(s string) bool {
	if yearRe.MatchString(s) || clockRe.MatchString(s) {
		return true
	}
	for i, w := range scanWords(s) {
		if (i > 0 && (textproc.IsMonth(w.text) || textproc.IsWeekday(w.text) || weekdayPlural(w.text))) || relativeDays[w.lower] {
			return true
		}
	}
	return false
}

// weekdayPlural reports whether w is a weekday's name in the plural, as a
// habit is told: "on Tuesdays and Thursdays" says when, as "on Tuesday"
// does.
func weekdayPlural(w string) bool {
	day, ok := strings.CutSuffix(w, "s")
	return ok && textproc.IsWeekday(day)
}

// dimensionsOf returns what a question of type t asks of its answer: the
// dimensions of a quantity (see quantityDimensions), the part of a date
// (see datePart), or nothing.
func dimensionsOf(t answerType, q string) []string {
	switch t {
	case quantityAnswer:
		return quantityDimensions(q)
	case dateAnswer:
		return datePart(q)
	}
	return nil
}

// datePart is the part of a date a question for one asks, as the
// "dimension" of a date question ("In which month …" asks for a month;
// "" for a date of any form): a year does not say on which weekday.
func datePart(q string) []string {
	for _, w := range scanWords(strings.ToLower(q)) {
		switch w.lower {
		case "weekday", "month":
			return []string{w.lower}
		case "year":
			return []string{"year"}
		}
	}
	return nil
}

// statesPart reports whether s states the part of a date parts asks for:
// a year (in a full date or alone), a month name (or a written date), a
// weekday name.
func statesPart(s string, parts []string) bool {
	if len(parts) == 0 {
		return true
	}
	names := func(is func(string) bool) bool {
		for i, w := range scanWords(s) {
			if i > 0 && is(w.text) {
				return true
			}
		}
		return false
	}
	switch parts[0] {
	case "year":
		return yearRe.MatchString(s)
	case "month":
		return names(textproc.IsMonth) || clockRe.MatchString(s)
	case "weekday":
		return names(textproc.IsWeekday) || slices.ContainsFunc(scanWords(s), func(w word) bool { return weekdayPlural(w.text) })
	}
	return true
}

// statesDuration reports whether s states a span of time: a time unit.
func statesDuration(s string) bool {
	for _, w := range scanWords(s) {
		if textproc.IsTimeWord(w.lower) {
			return true
		}
	}
	return false
}

// statesCondition reports whether s holds a condition or an event-bound
// moment ("only when both are ready", "if the file exists").
func statesCondition(s string) bool {
	for i, w := range scanWords(s) {
		if i > 0 && conditionWords[w.lower] || i == 0 && (w.lower == "if" || w.lower == "when" || w.lower == "unless" || w.lower == "once") {
			return true
		}
	}
	return false
}

// reasonCues state a cause or a purpose.
var reasonCues = []string{" because ", " since ", " so that ", " in order to ", " due to ", " otherwise ", " therefore ",
	" thus ", " as a result ", " this means ", " which means ", " to avoid ", " to prevent ", " prevents ", " ensures ", " so "}

// statesReason reports whether s gives a cause or purpose.
func statesReason(s string) bool {
	l := " " + strings.ToLower(strings.Join(strings.Fields(s), " ")) + " "
	for _, c := range reasonCues {
		if strings.Contains(l, c) {
			return true
		}
	}
	return false
}

// causeCues state a cause or purpose explicitly (a subset of reasonCues).
var causeCues = []string{" because ", " so that ", " in order to ", " due to "}

// statesCause reports whether s gives a cause or purpose with an explicit
// connective: with one topic word of the question, such a sentence answers
// "why".
func statesCause(s string) bool {
	l := " " + strings.ToLower(strings.Join(strings.Fields(s), " ")) + " "
	for _, c := range causeCues {
		if strings.Contains(l, c) {
			return true
		}
	}
	return false
}

// statesProcedure reports whether s shows how to do something: a command
// line, code, an option or a path.
func statesProcedure(s string) bool {
	if codeLike(s) || strings.Contains(s, "$ ") || strings.Contains(s, "# ") {
		return true
	}
	for _, f := range strings.Fields(s) {
		f = strings.Trim(f, `"'“”‘’(),.;:`)
		if len(f) > 3 && isIdentifier(f) {
			return true // a variable, option or function name to use
		}
		if strings.HasPrefix(f, "--") || (strings.HasPrefix(f, "-") && len(f) == 2 && unicode.IsLetter(rune(f[1]))) ||
			strings.Contains(f, "/") && len(f) > 2 || strings.Contains(f, "=") {
			return true
		}
	}
	return false
}

// statesCode reports whether s names something as code: a command line,
// an identifier, an option, a path, or a command in quotes ("The use of
// "apt full-upgrade" is recommended").
func statesCode(s string) bool {
	return statesProcedure(s) || quotesCommand(s, false)
}

// quotesCommand reports whether s writes a command in quotes ("The use of
// "apt full-upgrade" is recommended", "You start screen as "screen -r"");
// with args, only one with its arguments.
func quotesCommand(s string, args bool) bool {
	for _, q := range []string{`"`, "“", "`"} {
		parts := strings.Split(s, q)
		if q == "“" {
			parts = strings.FieldsFunc(s, func(r rune) bool { return r == '“' || r == '”' })
		}
		for i := 1; i < len(parts); i += 2 {
			if r, _ := utf8.DecodeRuneInString(parts[i]); unicode.IsLower(r) && !strings.HasSuffix(parts[i], " ") && (!args || strings.Contains(parts[i], " ")) {
				return true
			}
		}
	}
	return false
}

// givesStep reports whether s gives a step of a procedure as a manual
// writes one: with a command line or code after it, a prompt ("$ make"),
// an option ("-r", "--prune") or a command in quotes with its arguments
// ("screen -r"); not a name or a path alone ("GitHub", "and/or", which
// statesProcedure takes), nor a quoted word ("the "vendor" element").
func givesStep(s string) bool {
	if strings.Contains(s, "\n") || strings.Contains(s, "$ ") || quotesCommand(s, true) {
		return true
	}
	for _, f := range strings.Fields(s) {
		f = strings.Trim(f, `"'“”‘’(),.;:`)
		if strings.HasPrefix(f, "--") && len(f) > 3 || strings.HasPrefix(f, "-") && len(f) == 2 && unicode.IsLetter(rune(f[1])) {
			return true
		}
	}
	return false
}

// statesPlace reports whether s names a place: a path, an address, or a
// capitalized name after "in", "at", "under", "below" or "inside".
func statesPlace(s string) bool {
	ws := scanWords(s)
	for _, f := range strings.Fields(s) {
		if strings.Contains(f, "/") || strings.Contains(f, "://") {
			return true
		}
	}
	for i := 1; i < len(ws); i++ {
		switch ws[i-1].lower {
		case "in", "at", "under", "below", "inside", "into", "near", "on":
			if r := []rune(ws[i].text); len(r) > 0 && (unicode.IsUpper(r[0]) || ws[i].lower == "the") {
				return true
			}
		}
	}
	return false
}

// statesName reports whether s names a person or organization not named
// in the question: two capitalized words in a row, or a capitalized word
// after "by". A capital that only opens the sentence ("If Bash …") does
// not count, nor a word the passages also write in lower case (common
// holds those): "See Bash Startup Files" names a section, "Stephen
// Bourne" a person.
func statesName(s string, question, common map[string]bool) bool {
	ws := scanWords(s)
	capital := func(i int) bool {
		w := ws[i]
		r := []rune(w.text)
		if len(r) < 2 || !unicode.IsUpper(r[0]) || isIdentifier(w.text) || isAcronym(w.text) || common[w.lower] {
			return false
		}
		return i > 0 || !textproc.IsStopWord(w.lower)
	}
	for i := 1; i < len(ws); i++ {
		if capital(i) && (capital(i-1) || ws[i-1].lower == "by") && (!question[ws[i].lower] || !question[ws[i-1].lower]) {
			return true
		}
		// A group named by its name ("the Platform team", "the
		// Payments on-call") is a party too.
		if groupNouns[ws[i].lower] && capital(i-1) && !question[ws[i-1].lower] {
			return true
		}
	}
	// So is a chat channel ("ask in #platform-help").
	for _, f := range strings.Fields(s) {
		if len(f) > 2 && f[0] == '#' && unicode.IsLetter(rune(f[1])) {
			return true
		}
	}
	return false
}

// groupNouns name a group of people after its name ("the Platform team").
var groupNouns = set(`team teams group department committee squad guild channel on-call`)

// holds reports whether sentence s holds an answer of type t: strict
// reports whether a sentence without one cannot answer at all, and strong
// whether holding it makes the sentence evidence with a single shared topic
// word.
func holds(t answerType, s string, question, common map[string]bool, dims []string) (ok, strong bool) {
	switch t {
	case quantityAnswer:
		q := statesDimension(s, dims) || len(dims) > 0 && statesDefault(s, question, dims)
		return q, q
	case timeAnswer:
		m := statesMoment(s)
		return m || statesDuration(s) || statesCondition(s), m
	case dateAnswer:
		m := statesMoment(s) && statesPart(s, dims)
		return m, m
	case personAnswer:
		n := statesName(s, question, common)
		return n, n
	case placeAnswer:
		return statesPlace(s), false
	case reasonAnswer:
		return statesReason(s), statesCause(s)
	case procedureAnswer:
		// A command line or code block shown with its introduction.
		return statesProcedure(s), strings.Contains(s, "\n")
	case conditionAnswer:
		return statesCondition(s), false
	case nameAnswer:
		return statesCode(s), false
	}
	return false, false
}

// strict reports whether a sentence must hold type t to answer at all.
func (t answerType) strict() bool {
	return t == quantityAnswer || t == timeAnswer || t == dateAnswer || t == personAnswer
}

// agentNoun reports whether w names who does something ("designer",
// "maintainer", "author", "creator"): a word of six letters or more ending
// in -er or -or, not a measure or time noun.
func agentNoun(w string) bool {
	return len(w) >= 6 && (strings.HasSuffix(w, "er") || strings.HasSuffix(w, "or")) && !measureNouns[w] && !timeNouns[w]
}

// focusNoun is the thing a "What is the H of Y?" question asks for, as a
// term, when H is neither a measure, a time, a facet word nor a filler
// (those are answered by type): when some passage speaks of H, a sentence
// that does not is no answer. "" when the question has no such head.
func focusNoun(q string) string {
	ws := scanWords(strings.ToLower(q))
	if len(ws) < 5 || (ws[0].lower != "what" && ws[0].lower != "which") || (ws[1].lower != "is" && ws[1].lower != "are") {
		return ""
	}
	i := 2
	if determiners[ws[i].lower] {
		i++
	}
	// The head is the word right before "of"; at most one modifier before it.
	for j := i; j < len(ws) && j <= i+1; j++ {
		if j+1 < len(ws) && ws[j+1].lower == "of" {
			h := ws[j].lower
			if measureNouns[h] || timeNouns[h] || facetWords[h] || fillers[h] || verbs[h] || textproc.IsStopWord(h) {
				return ""
			}
			if ts := textproc.Tokenize(ws[j].text); len(ts) == 1 {
				return ts[0]
			}
			return ""
		}
	}
	return ""
}

// like reports whether two terms are one word in two forms the stemmer
// keeps apart: an agent noun and its verb ("designer", "design"), one the
// other plus a short suffix.
func like(a, b string) bool {
	if a == b {
		return true
	}
	if len(a) < len(b) {
		a, b = b, a
	}
	return len(b) >= 4 && len(a)-len(b) <= 3 && strings.HasPrefix(a, b)
}

// hasLike reports whether some term of m is like t.
func hasLike(m map[string]bool, t string) bool {
	if m[t] {
		return true
	}
	for k := range m {
		if like(k, t) {
			return true
		}
	}
	return false
}

// hasLikeCount is hasLike over a term count.
func hasLikeCount(m map[string]int, t string) bool {
	if m[t] > 0 {
		return true
	}
	for k, n := range m {
		if n > 0 && like(k, t) {
			return true
		}
	}
	return false
}

// kindTerm is the term of the noun naming the kind of answer q asks for
// (textproc.AskedKind) when t is a type a sentence shows without the word
// (a place, a name as code), "" otherwise.
func kindTerm(q string, t answerType) string {
	if t != placeAnswer && t != nameAnswer {
		return ""
	}
	q = uncontracted(q)
	k := textproc.AskedKind(q)
	if k == "" && t == placeAnswer {
		// "What is the office address?": the noun that made the
		// question ask for a place.
		for _, w := range textproc.Words(q) {
			if placeNouns[w] {
				k = w
				break
			}
		}
	}
	if k == "" {
		return ""
	}
	if ts := textproc.Tokenize(k); len(ts) == 1 {
		return ts[0]
	}
	return ""
}

// predicateTerm is the term of the verb a question asks with
// (textproc.PredicateVerb), "" when it has none.
func predicateTerm(q string) string {
	verb := textproc.PredicateVerb(q)
	if verb == "" {
		return ""
	}
	terms := textproc.Tokenize(verb)
	if len(terms) != 1 {
		return ""
	}
	return terms[0]
}

// existentialFocus is the terms of the thing "Is there a gym in the
// office?" or "Are there any parking spaces …?" asks exists: the noun
// phrase after "is/are there" and a determiner, to the first stop word.
// nil for other questions, and when the phrase is a word that frames the
// question ("a way", "a limit", "any difference"): what exists is then
// said by the words after it.
func existentialFocus(q string) []string {
	ws := textproc.Words(uncontracted(q))
	if len(ws) < 3 || ws[0] != "is" && ws[0] != "are" || ws[1] != "there" {
		return nil
	}
	i := 2
	for i < len(ws) && (ws[i] == "a" || ws[i] == "an" || ws[i] == "any" || ws[i] == "some" || ws[i] == "the") {
		i++
	}
	var out []string
	for ; i < len(ws) && !textproc.IsStopWord(ws[i]); i++ {
		if fillers[ws[i]] || facetWords[ws[i]] || measureNouns[ws[i]] || verbs[ws[i]] {
			return nil
		}
		out = append(out, textproc.Tokenize(ws[i])...)
	}
	return out
}
