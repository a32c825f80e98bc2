package client

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	failurepb "go.temporal.io/api/failure/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"

	"github.com/researchflow/researchflow/codec"
)

// A run's failure message is encrypted (EncodeCommonAttributes) with the
// workers' key. A process that lacks that key — none at all, or another —
// used to print "Encoded failure"; it must say which key and what to set.
func TestFailureMessageNamesMissingKey(t *testing.T) {
	newCodec := func(id string, b byte) *codec.Codec {
		cfg, err := codec.ParseKeys(id+":"+base64.StdEncoding.EncodeToString([]byte(strings.Repeat(string(rune('a'+b)), 32))), "")
		if err != nil {
			t.Fatal(err)
		}
		c, err := codec.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	failures := func(dc converter.DataConverter) converter.FailureConverter {
		return temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{DataConverter: dc, EncodeCommonAttributes: true})
	}
	const msg = "research plan rejected: no sources for the question"
	f := failures(newCodec("k1", 1).DataConverter()).ErrorToFailure(temporal.NewNonRetryableApplicationError(msg, "Rejected", nil))
	if strings.Contains(f.String(), msg) {
		t.Fatal("the failure message is stored in plain text")
	}
	for _, tt := range []struct {
		name   string
		reader converter.FailureConverter
		want   string
	}{
		{"same key", failures(newCodec("k1", 1).DataConverter()), msg},
		{"another key", failures(newCodec("k9", 9).DataConverter()), `the failure is encrypted with key "k1", which this process lacks (set RESEARCHFLOW_CODEC_KEYS`},
		{"no keys", temporal.GetDefaultFailureConverter(), `the failure is encrypted with key "k1", which this process lacks (set RESEARCHFLOW_CODEC_KEYS`},
		{"no keys, keyless converter", failures(codec.KeylessDataConverter()), `the failure is encrypted with key "k1"`},
	} {
		// FailureToError decodes in place: each reader gets its own copy.
		err := fmt.Errorf("workflow failed: %w", tt.reader.FailureToError(proto.Clone(f).(*failurepb.Failure)))
		if got := FailureMessage(err); !strings.HasPrefix(got, tt.want) {
			t.Errorf("%s: FailureMessage = %q, want it to start with %q", tt.name, got, tt.want)
		}
	}
}
