// Package readabilitycmp measures Researchflow's HTML article extraction
// (internal/corpus) against a maintained readability library on the same
// pages: issue 8 asks to use such a library if it keeps the article and
// drops page furniture better than our own code. It is a separate module
// so that the library is not a dependency of Researchflow itself; run it
// with `cd internal/corpus/readabilitycmp && go test -v`. The result is
// recorded in docs/html-extraction.md.
package readabilitycmp
