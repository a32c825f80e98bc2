package llm

import "testing"

func TestParseReflection(t *testing.T) {
	known := func() map[string]bool { return map[string]bool{normalizeKey("What is a channel?"): true} }
	tests := []struct {
		name    string
		answer  string
		want    int
		wantErr bool
	}{
		{"two new", `{"followUps":[{"text":"How are buffered sends ordered?","reason":"r"},{"text":"What does close do?"}]}`, 2, false},
		{"repeat dropped", `{"followUps":[{"text":"what is a channel"},{"text":"What does close do?"}]}`, 1, false},
		{"none needed", `<think>all answered</think>{"followUps":[]}`, 0, false},
		{"too many", `{"followUps":[{"text":"a?"},{"text":"b?"},{"text":"c?"}]}`, 0, true},
		{"empty text", `{"followUps":[{"text":" "}]}`, 0, true},
		{"not json", `I think you should look at mutexes.`, 0, true},
	}
	for _, tt := range tests {
		got, err := parseReflection(stripThinking(tt.answer), 2, known())
		if (err != nil) != tt.wantErr || len(got) != tt.want {
			t.Errorf("%s: got %d follow-ups, err %v; want %d, error %v", tt.name, len(got), err, tt.want, tt.wantErr)
		}
	}
}
