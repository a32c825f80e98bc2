package textproc

import (
	"slices"
	"testing"
)

func TestStripCitations(t *testing.T) {
	tests := []struct {
		in, want string
		nums     []int
	}{
		// Issue 19 item 12: indexes and bracketed numbers inside what a
		// source says are text, not citations.
		{"The oldest sample is buf[0] and the newest sample is buf[63].", "The oldest sample is buf[0] and the newest sample is buf[63].", nil},
		{"bits [0] to [3] hold the channel number", "bits [0] to [3] hold the channel number", nil},
		{"The matrix entry m[2][3] is zero [4].", "The matrix entry m[2][3] is zero.", []int{4}},
		{"call f(x)[1] first", "call f(x)[1] first", nil},
		// Citation position: before or after closing punctuation, at the end,
		// after a sentence.
		{"Backups are kept 35 days [2].", "Backups are kept 35 days.", []int{2}},
		{"Backups are kept 35 days.[2][3]", "Backups are kept 35 days.", []int{2, 3}},
		{"Backups are kept 35 days [1, 2]", "Backups are kept 35 days", []int{1, 2}},
		{"It opened in 1931.[3] The bridge has nine arches [4-6].", "It opened in 1931. The bridge has nine arches.", []int{3, 4, 5, 6}},
		{"Two [1][3] here.", "Two here.", []int{1, 3}},
		{"Arrays [1] are values, slices [2]; maps [^3]?", "Arrays [1] are values, slices; maps?", []int{2, 3}},
	}
	for _, tt := range tests {
		got, nums := StripCitations(tt.in)
		if got != tt.want || !slices.Equal(nums, tt.nums) {
			t.Errorf("StripCitations(%q) = %q, %v; want %q, %v", tt.in, got, nums, tt.want, tt.nums)
		}
	}
}
