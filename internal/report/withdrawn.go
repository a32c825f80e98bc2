package report

import (
	"fmt"
	"strings"
)

// Why a statement found before is not stated now: a scheduled run's "What
// changed" (a finding of the previous run) and a disputed claim's re-check
// (a claim of the report) word it alike. where is what looked for it:
// "this run", "this re-check".

// SourceNotFound: its source was not retrieved at all (the note was
// deleted, or is no longer found).
func SourceNotFound(source, where string) string {
	return fmt.Sprintf("its source, %s, was not found in %s", source, where)
}

// SourceNoLongerStates: its source was retrieved but no passage states it.
func SourceNoLongerStates(source string) string {
	return fmt.Sprintf("its source, %s, no longer states it", source)
}

// SourceName is a source as a reader knows it: its title, and where it is
// (a URL, a path, or an uploaded file by the name it was uploaded under,
// as the report's Sources list names it, never the server's path to it).
// url is its public address when it has one: a page's URL, else a
// document's link (rf.Source.Link: the go.dev page of the Go
// documentation), which the Sources list shows in place of its path.
func SourceName(title, location, url string) string {
	where := url
	if where == "" {
		where = location
		if name, ok := UploadedName(strings.TrimPrefix(where, "file://")); ok {
			where = name
		}
	}
	switch {
	case title == "":
		return where
	case where == "" || where == title:
		return title
	}
	return title + " (" + where + ")"
}

// ClaimWithdrawn is the reason of the gap a sub-question becomes when
// revision rev withdrew its last claim: why, the withdrawal's reason
// (SourceNotFound, SourceNoLongerStates, or that no source states it).
func ClaimWithdrawn(rev int, why string) string {
	return fmt.Sprintf("its claim was withdrawn in re-verification (revision %d): %s", rev, strings.TrimRight(why, trailing))
}
