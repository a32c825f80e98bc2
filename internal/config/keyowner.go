package config

import (
	"crypto/subtle"
	"errors"
	"fmt"
)

// KeyOwner names the owner of API key key in RESEARCHFLOW_API_KEYS (read
// with lookup), so that a command line tool holding a key (the starter's
// RESEARCHFLOW_API_KEY) acts as the owner the gateway would.
func KeyOwner(lookup func(string) (string, bool), key string) (string, error) {
	if key == "" {
		return "", errors.New("empty API key")
	}
	list, _ := lookup("RESEARCHFLOW_API_KEYS")
	keys, err := parseAPIKeys(list)
	if err != nil {
		return "", fmt.Errorf("RESEARCHFLOW_API_KEYS: %w", err)
	}
	if len(keys) == 0 {
		return "", errors.New("RESEARCHFLOW_API_KEYS is not set here: pass --owner NAME instead")
	}
	for owner, k := range keys {
		if subtle.ConstantTimeCompare([]byte(k), []byte(key)) == 1 {
			return owner, nil
		}
	}
	return "", errors.New("the key is not one of RESEARCHFLOW_API_KEYS")
}
