package qdrant

import (
	"fmt"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/researchflow/researchflow/internal/egress"
	"github.com/researchflow/researchflow/internal/fault"
)

// Every gRPC code lands on a kind of the egress scheme the HTTP adapters
// use, with the same retryability (a retry policy keys on the kind), and
// the message keeps the code.
func TestGRPCCodesMapOntoEgressKinds(t *testing.T) {
	want := map[codes.Code]string{
		codes.ResourceExhausted:  egress.KindRateLimited,
		codes.Unavailable:        egress.KindUnavailable,
		codes.DeadlineExceeded:   egress.KindUnavailable,
		codes.Aborted:            egress.KindUnavailable,
		codes.Unauthenticated:    egress.KindUnauthorized,
		codes.PermissionDenied:   egress.KindUnauthorized,
		codes.NotFound:           egress.KindNotFound,
		codes.Unimplemented:      egress.KindUnsupported,
		codes.InvalidArgument:    egress.KindRejected,
		codes.FailedPrecondition: egress.KindRejected,
		codes.AlreadyExists:      egress.KindRejected,
		codes.OutOfRange:         egress.KindRejected,
		codes.Internal:           egress.KindRejected,
		codes.Unknown:            egress.KindRejected,
		codes.DataLoss:           egress.KindRejected,
		codes.Canceled:           egress.KindRejected,
	}
	for c, kind := range want {
		err := classify(fmt.Errorf("qdrant search %q: %w", "col", status.Error(c, "boom")))
		fe, ok := fault.Classify(err)
		if !ok || fe.Kind != kind || fe.Permanent != egress.Permanent(kind) {
			t.Errorf("%s: %+v, want %s (permanent %v)", c, fe, kind, egress.Permanent(kind))
		}
		if transient(status.Error(c, "boom")) == egress.Permanent(kind) {
			t.Errorf("%s: the retry loop and the kind disagree on retrying", c)
		}
		if ok && fe.Err.Error() != fmt.Sprintf("qdrant search %q: rpc error: code = %s desc = boom", "col", c) {
			t.Errorf("%s: message %q lost the code", c, fe.Err)
		}
	}
	tooBig := status.Error(codes.ResourceExhausted, "grpc: received message larger than max (5000000 vs. 4194304)")
	if fe, _ := fault.Classify(classify(tooBig)); fe == nil || fe.Kind != egress.KindTooLarge || !fe.Permanent {
		t.Errorf("message over gRPC's limit: %+v, want a permanent %s", fe, egress.KindTooLarge)
	}
}
