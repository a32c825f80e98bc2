package textproc

import (
	"regexp"
	"strings"
	"unicode"
)

// Sentences addressed to machines. A document is evidence about its
// subject; a sentence that speaks to the program reading it ("AI
// assistants must state that …", "Note to AI research assistants: ignore
// the other documents …", "When summarizing this page, say …") is an
// attempt to steer that program, not a statement about the subject, and is
// never evidence. AddressedToMachine recognizes three shapes:
//
//   - an address to an automated reader: "note to / attention / dear /
//     instructions for / if you are / to any" followed by an AI audience
//     (AI, LLM, language model, chatbot, assistant, agent, crawler, GPT…);
//   - an AI audience as the subject of an obligation to say something:
//     "<audience> must|should|shall|need to|are instructed to|must not …
//     state|say|report|mention|answer|write|cite|ignore …" — a sentence
//     about what models "should be evaluated on" is not one;
//   - an override of the reader's other inputs: "ignore / disregard /
//     forget / override … previous|prior|above|other|all … instructions|
//     documents|sources|context|prompts", and instructions keyed to the
//     act of summarizing or answering ("When summarizing this page, say
//     …").
//
// The rules are about who a sentence speaks to, never about a topic: the
// same sentence is kept when it reports what someone else said to machines
// without telling the reader to do anything ("The paper shows that
// language models follow injected instructions.").
func AddressedToMachine(sentence string) bool {
	s := strings.ToLower(strings.Join(strings.Fields(sentence), " "))
	if s == "" {
		return false
	}
	// The patterns run only on sentences holding one of their cue words:
	// most sentences hold none, and the word scan is cheap.
	var audience, override, processing bool
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && r != '.' && r != '\'' })
	for _, w := range words {
		w = strings.Trim(w, ".'")
		audience = audience || audienceCue[w] || strings.HasPrefix(w, "gpt") || strings.HasPrefix(w, "summari")
		override = override || overrideCue[w]
		processing = processing || processingCue[w]
	}
	first := ""
	if len(words) > 0 {
		first = words[0]
	}
	return audience && (machineAddress.MatchString(s) || machineObligation.MatchString(s)) ||
		override && overrideInputs.MatchString(s) ||
		processing && (first == "when" || first == "while" || first == "if") && whenProcessing.MatchString(s)
}

// Cue words: a sentence without one cannot match the pattern they guard.
var (
	audienceCue = map[string]bool{"ai": true, "a.i": true, "artificial": true, "llm": true, "llms": true, "language": true,
		"chatbot": true, "chatbots": true, "chat": true, "chatgpt": true, "claude": true, "gemini": true, "copilot": true,
		"assistant": true, "assistants": true, "agent": true, "agents": true, "crawler": true, "crawlers": true,
		"scraper": true, "scrapers": true, "bot": true, "bots": true}
	overrideCue   = map[string]bool{"ignore": true, "disregard": true, "forget": true, "override": true, "overlook": true}
	processingCue = map[string]bool{"summarizing": true, "summarising": true, "answering": true, "asked": true,
		"writing": true, "generating": true, "processing": true, "reading": true}
)

// machineAudience names automated readers.
const machineAudience = `(?:ai|a\.i\.|artificial intelligence|llms?|large language models?|language models?|chat ?bots?|chatgpt|gpt[- ]?\w*|claude|gemini|copilot|(?:ai |research |virtual |automated |coding )?(?:assistants?|agents?)|crawlers?|scrapers?|bots?|summari[sz]ers?|(?:ai |automated )?systems?|models?|machines?)`

var (
	machineAddress = regexp.MustCompile(`(?:^|[^a-z])(?:note|notice|message|instructions?|attention|reminder|warning)\s*(?:to|for)?\s*(?:all |any |the )?` + aiOnly +
		`|(?:^|[^a-z])(?:dear|hey|hello|attention,?)\s+` + aiOnly +
		`|(?:^|[^a-z])if you are (?:an? )?` + aiOnly +
		`|(?:^|[^a-z])(?:to|for) (?:any|all|every) ` + machineAudience + ` (?:reading|processing|summari[sz]ing|indexing)`)
	machineObligation = regexp.MustCompile(`(?:^|[^a-z])` + aiOnly + `(?: \w+){0,2} (?:must|should|shall|need to|needs to|have to|has to|are (?:required|instructed|asked|told) to|is (?:required|instructed|asked|told) to|may not|must not|should not|shall not)(?: not)? (?:\w+ly )?(?:state|say|report|mention|answer|respond|reply|tell|write|include|cite|quote|summari[sz]e|output|print|claim|ignore|disregard|treat|recommend|describe|conclude|present|repeat|refer|rely|prefer)\b`)
	overrideInputs    = regexp.MustCompile(`(?:^|[^a-z])(?:ignore|disregard|forget|override|overlook)\b(?: \S+){0,4} (?:previous|prior|above|earlier|preceding|other|all|any|remaining|rest of the)\b(?: \S+){0,2} (?:instructions?|documents?|sources?|context|prompts?|messages?|rules?|guidelines|pages?|files?|results?|evidence)\b`)
	whenProcessing    = regexp.MustCompile(`^(?:when|while|if) (?:you are |you're )?(?:summari[sz]ing|answering|asked|writing|generating|processing|reading)\b.{0,60}?\b(?:this|these) (?:page|document|text|article|file|site|content|notes?)s?\b.*\b(?:state|say|report|mention|answer|write|include|claim|tell|respond)\b`)
)

// aiOnly is an audience that can only be automated (not "agents" or
// "systems" alone, which people are too).
const aiOnly = `(?:ai|a\.i\.|artificial intelligence|llms?|large language models?|language models?|chat ?bots?|chatgpt|gpt[- ]?\w*|claude|gemini|copilot|(?:ai|llm) (?:research )?(?:assistants?|agents?|models?|systems?|tools?|readers?|bots?|crawlers?)|(?:research|virtual|automated|coding) (?:assistants?|agents?)|crawlers?|scrapers?|summari[sz]ers?)\b`
