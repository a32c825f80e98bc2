package main

import (
	"os"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/internal/config"
)

// resolveOwner is who the starter acts as: --owner, else the owner of
// RESEARCHFLOW_API_KEY (looked up in RESEARCHFLOW_API_KEYS, as the gateway
// does), else LocalOwner, the owner of the gateway without authentication.
// So a corpus ingested here is the one the web app and the HTTP API of the
// same owner research, and the other way round.
func resolveOwner(flagOwner string, lookup func(string) (string, bool)) (string, error) {
	key, _ := lookup("RESEARCHFLOW_API_KEY")
	var keyOwner string
	if key != "" {
		o, err := config.KeyOwner(lookup, key)
		if err != nil && flagOwner == "" {
			return "", usageError("RESEARCHFLOW_API_KEY: %v", err)
		}
		keyOwner = o
	}
	switch {
	case flagOwner != "":
		if err := rf.ValidateOwner(flagOwner); err != nil {
			return "", usageError("--owner: %v", err)
		}
		if keyOwner != "" && keyOwner != flagOwner {
			return "", usageError("--owner %s: RESEARCHFLOW_API_KEY belongs to %s", flagOwner, keyOwner)
		}
		return flagOwner, nil
	case keyOwner != "":
		return keyOwner, nil
	}
	return rf.LocalOwner, nil
}

// envLookup is os.LookupEnv, a variable for tests.
var envLookup = os.LookupEnv
