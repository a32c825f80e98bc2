package researchflow

import (
	"path/filepath"
	"regexp"
	"strings"
)

// Corpus and owner naming rules, declared once for the gateway, the starter
// and the workflows.
//
// A corpus name is what a person types: 1 to 100 ASCII letters, digits, '.',
// '_' or '-', starting with a letter or digit, without "--" or "..". An owner is the
// name an API key belongs to: 1 to 64 ASCII letters, digits, '_', '.', '@'
// or '-', starting with a letter or digit, without "--" (so e-mail
// addresses work). The HTTP gateway stores an owner's corpus under the
// scoped name OWNER--NAME (ScopedCorpus), which the workflow accepts as well
// (validateCorpusRef).
var (
	corpusNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)
	ownerPattern      = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$`)
)

// CorpusNameRule is the corpus naming rule in words: the API's error, the
// web app's hint and the README say it so.
const CorpusNameRule = `1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit, without "--" or ".."`

// CorpusNamePattern is the corpus naming rule as an HTML input pattern (a
// JavaScript regular expression, matched whole, with the v flag): the web
// app's corpus input carries it (the gateway writes it into the page), so
// that the browser checks a name as ValidateCorpusName does.
const CorpusNamePattern = `(?!.*(?:--|\.\.))[A-Za-z0-9][A-Za-z0-9._\-]{0,99}`

// ScopeSeparator joins an owner and a corpus name (see ScopedCorpus). It is
// reserved: neither names nor owners may contain it.
const ScopeSeparator = "--"

// LocalOwner is the owner of every request when the gateway runs without
// authentication, and of runs started by the starter.
const LocalOwner = "local"

// ValidateCorpusName checks a corpus name as a person types it.
func ValidateCorpusName(name string) error {
	if !corpusNamePattern.MatchString(name) || strings.Contains(name, ScopeSeparator) || strings.Contains(name, "..") {
		return inputError("corpus", "%q: want %s", name, CorpusNameRule)
	}
	return nil
}

// ValidateOwner checks an owner name.
func ValidateOwner(owner string) error {
	if !ownerPattern.MatchString(owner) || strings.Contains(owner, ScopeSeparator) {
		return inputError("owner", "%q: want 1 to 64 letters, digits, '_', '.', '@' or '-', starting with a letter or digit, without \"--\"", owner)
	}
	return nil
}

// validateCorpusRef checks the corpus of a workflow input: a corpus name or
// an owner-scoped one (OWNER--NAME).
func validateCorpusRef(ref string) error {
	if owner, name, scoped := strings.Cut(ref, ScopeSeparator); scoped {
		if ValidateOwner(owner) != nil || ValidateCorpusName(name) != nil {
			return inputError("corpus", "%q: want NAME or OWNER--NAME (see the corpus and owner naming rules)", ref)
		}
		return nil
	}
	return ValidateCorpusName(ref)
}

// ScopedCorpus is the name under which owner's corpus name is stored. The
// default corpus is public and never scoped, and so are the corpora of
// LocalOwner: in local no-auth mode the gateway, the web app and the starter
// are one owner, so a corpus ingested by any of them is the same corpus
// (stored as NAME, as the starter always has).
func ScopedCorpus(owner, name string) string {
	if name == DefaultCorpus || owner == "" || owner == LocalOwner {
		return name
	}
	return owner + ScopeSeparator + name
}

// PublicCorpus is the inverse of ScopedCorpus, for showing a name to its owner.
// It also unscopes LocalOwner's names of earlier releases (local--NAME).
func PublicCorpus(owner, scoped string) string {
	if owner == "" {
		owner = LocalOwner
	}
	return strings.TrimPrefix(scoped, owner+ScopeSeparator)
}

var notNameChars = regexp.MustCompile(`[^A-Za-z0-9._-]+|-{2,}|\.{2,}`)

// corpusNameFromPath makes a valid corpus name from a folder's base name:
// characters outside the name alphabet become '-', and a name left empty
// (a folder named in another script) is "folder".
func corpusNameFromPath(p string) string {
	base := filepath.Base(filepath.Clean(p))
	name := strings.Trim(notNameChars.ReplaceAllString(base, "-"), "-._")
	if len(name) > 100 {
		name = strings.Trim(name[:100], "-._")
	}
	if name == "" {
		name = "folder"
	}
	return name
}
