package qdrant

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strconv"
	"strings"
)

// On servers without collection metadata (before 1.15.4) the embedding
// model and dimension of a collection are recorded in an alias of it:
//
//	<collection>.rf-embedding.<dim>.<model in lower-case base32>
//
// or, when that would pass Qdrant's 255-byte name limit,
// <collection>.rf-embedding.<dim>.sha256-<first 32 hex digits of the
// model's SHA-256>. An alias costs no point, so counts and searches stay
// as they are, and a server upgraded later still has it.
const aliasTag = ".rf-embedding."

var aliasEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// metaAlias is the alias that records model and dim for collection.
func metaAlias(collection, model string, dim int) string {
	prefix := collection + aliasTag + strconv.Itoa(dim) + "."
	name := prefix + strings.ToLower(aliasEncoding.EncodeToString([]byte(model)))
	if len(name) > 255 {
		name = prefix + "sha256-" + modelHash(model)
	}
	return name
}

func modelHash(model string) string {
	sum := sha256.Sum256([]byte(model))
	return hex.EncodeToString(sum[:16])
}

// aliasRecord is what a metaAlias says about the collection.
type aliasRecord struct {
	dim   int
	model string // "" when only the hash is known
	hash  string
}

func (r aliasRecord) matches(model string) bool {
	if r.model != "" {
		return r.model == model
	}
	return modelHash(model) == r.hash
}

func (r aliasRecord) describe() string {
	if r.model != "" {
		return r.model
	}
	return "sha256:" + r.hash
}

// parseMetaAlias reads an alias made by metaAlias for collection.
func parseMetaAlias(collection, alias string) (aliasRecord, bool) {
	rest, ok := strings.CutPrefix(alias, collection+aliasTag)
	if !ok {
		return aliasRecord{}, false
	}
	dimStr, enc, ok := strings.Cut(rest, ".")
	dim, err := strconv.Atoi(dimStr)
	if !ok || err != nil || dim <= 0 {
		return aliasRecord{}, false
	}
	if h, ok := strings.CutPrefix(enc, "sha256-"); ok {
		return aliasRecord{dim: dim, hash: h}, true
	}
	model, err := aliasEncoding.DecodeString(strings.ToUpper(enc))
	if err != nil {
		return aliasRecord{}, false
	}
	return aliasRecord{dim: dim, model: string(model), hash: modelHash(string(model))}, true
}

// recordInAlias records the configured model and dimension in an alias of
// the collection. Failing to is a warning: the dimension is still checked
// from the vector configuration.
func (s *Store) recordInAlias(ctx context.Context) {
	alias := metaAlias(s.cfg.Collection, s.cfg.EmbeddingModel, s.cfg.Dim)
	err := s.call(ctx, "create alias", func(ctx context.Context) error {
		return s.client.CreateAlias(ctx, alias, s.cfg.Collection)
	})
	if err != nil {
		s.log.Warn("cannot record the embedding model in an alias: later opens check only the dimension", "alias", alias, "err", err)
		return
	}
	s.log.Info("recorded the embedding model in an alias (qdrant before 1.15.4 has no collection metadata)", "alias", alias)
}

// aliasRecord finds the collection's metaAlias, if any.
func (s *Store) aliasRecord(ctx context.Context) (aliasRecord, bool) {
	var aliases []string
	err := s.call(ctx, "list aliases", func(ctx context.Context) error {
		var err error
		aliases, err = s.client.ListCollectionAliases(ctx, s.cfg.Collection)
		return err
	})
	if err != nil {
		s.log.Warn("cannot list the collection's aliases to find its embedding model", "err", err)
		return aliasRecord{}, false
	}
	for _, a := range aliases {
		if rec, ok := parseMetaAlias(s.cfg.Collection, a); ok {
			return rec, true
		}
	}
	return aliasRecord{}, false
}
