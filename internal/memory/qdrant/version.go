package qdrant

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"google.golang.org/grpc/codes"

	"github.com/researchflow/researchflow/internal/egress"
)

// MinVersion is the oldest Qdrant the adapter works with: 1.10.0 brought
// the Query API (prefetch and RRF fusion, which hybrid search needs) and
// the sparse IDF modifier (github.com/qdrant/qdrant v1.10.0,
// lib/api/src/grpc/proto/points_service.proto `rpc Query`,
// collections.proto `Modifier`).
const MinVersion = "1.10.0"

// Versions at which Qdrant changed what the adapter sends or reads, from
// the tags of github.com/qdrant/qdrant.
var (
	minVersion = mustVersion(MinVersion)
	// v1.12.2 reads input vectors from the `vector` oneof of the Vector
	// message (points.proto); older servers know only the deprecated
	// data/indices fields and take a vector sent in the oneof for an empty
	// one ("Vector dimension error: expected dim: 8, got 0").
	versionVectorOneof = mustVersion("1.12.2")
	// v1.15.4 keeps collection metadata (collections.proto `metadata`);
	// older servers drop it silently.
	versionMetadata = mustVersion("1.15.4")
	// latest stands for a server whose version cannot be read.
	latest = version{1 << 30, 0, 0}
)

// version is a Qdrant release number.
type version struct{ major, minor, patch int }

// parseVersion reads "1.17.1" (a leading "v" and a suffix such as "-rc1"
// or "-dev" on the patch are allowed).
func parseVersion(v string) (version, error) {
	parts := strings.SplitN(strings.TrimPrefix(strings.TrimSpace(v), "v"), ".", 3)
	if len(parts) != 3 {
		return version{}, fmt.Errorf("version %q: want major.minor.patch", v)
	}
	if j := strings.IndexAny(parts[2], "-+"); j >= 0 {
		parts[2] = parts[2][:j]
	}
	var n [3]int
	for i, p := range parts {
		x, err := strconv.Atoi(p)
		if err != nil || x < 0 {
			return version{}, fmt.Errorf("version %q: want major.minor.patch", v)
		}
		n[i] = x
	}
	return version{n[0], n[1], n[2]}, nil
}

func mustVersion(v string) version {
	out, err := parseVersion(v)
	if err != nil {
		panic(err)
	}
	return out
}

func (v version) less(w version) bool {
	if v.major != w.major {
		return v.major < w.major
	}
	if v.minor != w.minor {
		return v.minor < w.minor
	}
	return v.patch < w.patch
}

func (v version) String() string {
	if v == latest {
		return "unknown"
	}
	return fmt.Sprintf("%d.%d.%d", v.major, v.minor, v.patch)
}

// checkVersion asks Qdrant its version and decides how to talk to it.
// Below MinVersion it fails with a permanent egress.config error
// naming the version. A server that does not say (a proxy without the
// health RPC, an unparsable version) is taken for a current one, with a
// warning.
func (s *Store) checkVersion(ctx context.Context) error {
	var reported string
	err := s.call(ctx, "health check", func(ctx context.Context) error {
		reply, err := s.client.HealthCheck(ctx)
		reported = reply.GetVersion()
		return err
	})
	switch {
	case code(err) == codes.Unimplemented:
		s.log.Warn("qdrant does not answer the health check; assuming a current server", "err", err)
		s.server = latest
		return nil
	case err != nil:
		return err
	}
	v, perr := parseVersion(reported)
	if perr != nil {
		s.log.Warn("cannot read the qdrant version; assuming a current server", "version", reported, "err", perr)
		s.server = latest
		return nil
	}
	s.server = v
	if v.less(minVersion) {
		return egress.Fail(egress.KindConfig, fmt.Errorf(
			"qdrant at %s is version %s; Researchflow needs Qdrant %s or newer (hybrid search uses the Query API with RRF fusion and the sparse IDF modifier, both new in 1.10.0): upgrade Qdrant",
			s.addr, v, MinVersion))
	}
	if v.less(versionVectorOneof) {
		s.legacyVectors = true
		s.log.Info("qdrant before 1.12.2: sending vectors in the deprecated data/indices fields it reads", "version", v.String())
	}
	if v.less(versionMetadata) {
		s.log.Warn("qdrant before 1.15.4 keeps no collection metadata: the embedding model and dimension are recorded in an alias of the collection instead",
			"version", v.String())
	}
	return nil
}
