package researchflow

// Claim is one cited statement of a report: a sentence with the numbers
// of the sources it cites. Its ID is stable: the same statement has the
// same ID in every revision of the report and in its audit (ClaimID), so a
// reader can name the claim they question.
type Claim struct {
	ID      string `json:"id"`
	Text    string `json:"text"`
	Cites   []int  `json:"cites"`
	Section string `json:"section,omitempty"`
}
