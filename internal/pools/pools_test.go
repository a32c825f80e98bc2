package pools

import (
	"reflect"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		spec    string
		want    []string
		wantErr bool
	}{
		{"all", []string{Inference, Notify, Search, Workflow}, false},
		{"search", []string{Search}, false},
		{"notify, search,notify", []string{Notify, Search}, false},
		{"inference,all", []string{Inference, Notify, Search, Workflow}, false},
		{"gpu", nil, true},
		{"", nil, true},
	}
	for _, tt := range tests {
		got, err := Parse(tt.spec)
		if (err != nil) != tt.wantErr || (!tt.wantErr && !reflect.DeepEqual(got, tt.want)) {
			t.Errorf("Parse(%q) = %v, %v; want %v (error %v)", tt.spec, got, err, tt.want, tt.wantErr)
		}
	}
}
