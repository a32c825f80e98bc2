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

// CloseUp joins punctuation to the word before it only where the
// punctuation ends a word: the space left by a removed citation mark goes,
// the space before a dot file, a path or a command's ./... stays.
func TestCloseUp(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"It is fast . It is cheap , they say ; so ?", "It is fast. It is cheap, they say; so?"},
		{"Done ...", "Done..."},
		{"Edit your .bashrc , then run ./configure or ../x .", "Edit your .bashrc, then run ./configure or ../x."},
		{"go test -run '^TestFoo$' ./...", "go test -run '^TestFoo$' ./..."},
		{"a .5 share", "a .5 share"},
	} {
		if got := CloseUp(tt.in); got != tt.want {
			t.Errorf("CloseUp(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
