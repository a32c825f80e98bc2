package gateway

import (
	"reflect"

	rf "github.com/researchflow/researchflow"
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
	apiSchemas["Claim"] = reflect.TypeFor[rf.Claim]()
}
