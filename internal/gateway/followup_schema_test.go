package gateway

import (
	"reflect"

	rf "github.com/researchflow/researchflow"
	"github.com/researchflow/researchflow/claims"
	"github.com/researchflow/researchflow/client"
)

// The follow-up schemas of openapi.json, checked with the others by
// TestOpenAPISchemasMatchTypes.
func init() {
	apiSchemas["FollowUpRequest"] = reflect.TypeFor[rf.FollowUpRequest]()
	apiSchemas["FollowUpResponse"] = reflect.TypeFor[FollowUpResponse]()
	apiSchemas["FollowUpResult"] = reflect.TypeFor[rf.FollowUpResult]()
	apiSchemas["FollowUpSearch"] = reflect.TypeFor[rf.FollowUpSearch]()
	apiSchemas["FollowUpFinding"] = reflect.TypeFor[rf.FollowUpFinding]()
	apiSchemas["FollowUp"] = reflect.TypeFor[client.FollowUp]()
	apiSchemas["ThreadResponse"] = reflect.TypeFor[ThreadResponse]()
	apiSchemas["ThreadFollowUp"] = reflect.TypeFor[ThreadFollowUp]()
	apiSchemas["RevisedSince"] = reflect.TypeFor[RevisedSince]()
	apiSchemas["Claim"] = reflect.TypeFor[rf.Claim]()
}

// The claim feedback schemas.
func init() {
	apiSchemas["ClaimFeedbackRequest"] = reflect.TypeFor[claims.FeedbackRequest]()
	apiSchemas["FeedbackResponse"] = reflect.TypeFor[FeedbackResponse]()
	apiSchemas["ClaimCheck"] = reflect.TypeFor[claims.Check]()
	apiSchemas["ReportRevision"] = reflect.TypeFor[claims.Revision]()
	apiSchemas["ClaimReview"] = reflect.TypeFor[claims.Review]()
	apiSchemas["Review"] = reflect.TypeFor[client.Review]()
	apiSchemas["FeedbackList"] = reflect.TypeFor[FeedbackListResponse]()
}
