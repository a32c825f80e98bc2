package report

import (
	"regexp"
	"strings"
)

// uploadedPath matches a file the HTTP gateway keeps for an upload:
// DATA_DIR/uploads/OWNER-HASH/CORPUS/NAME (see the gateway's uploadDir).
// Its path is the server's business; a reader knows the file by NAME.
var uploadedPath = regexp.MustCompile(`/uploads/[0-9a-f]{16}/[A-Za-z0-9][A-Za-z0-9._-]*/(.+)$`)

// UploadedName returns the name an uploaded file was stored under (its
// path inside its corpus), when loc is the server path of an upload.
func UploadedName(loc string) (string, bool) {
	m := uploadedPath.FindStringSubmatch(strings.ReplaceAll(strings.TrimSpace(loc), `\`, "/"))
	if m == nil {
		return "", false
	}
	return m[1], true
}
