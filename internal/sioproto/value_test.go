package sioproto_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/sockspec/sockspec/internal/sioproto"
)

func TestDecodeValue(t *testing.T) {
	atts := [][]byte{{1, 2}, {3}}
	tests := []struct {
		raw  string
		atts [][]byte
		want any
		err  error
	}{
		{`null`, nil, nil, nil},
		{` 1.5 `, nil, 1.5, nil},
		{`"s"`, nil, "s", nil},
		{`{"a":[true,{"b":null}]}`, nil, map[string]any{"a": []any{true, map[string]any{"b": nil}}}, nil},
		{`{"_placeholder":true,"num":1}`, atts, []byte{3}, nil},
		{`[{"_placeholder":true,"num":0},{"x":{"_placeholder":true,"num":1}}]`, atts,
			[]any{[]byte{1, 2}, map[string]any{"x": []byte{3}}}, nil},
		// Without attachments a placeholder-shaped object is plain data.
		{`{"_placeholder":true,"num":0}`, nil, map[string]any{"_placeholder": true, "num": 0.0}, nil},
		{`{"_placeholder":true,"num":2}`, atts, nil, sioproto.ErrInvalidAttachments},
		{`[{"_placeholder":true,"num":-1}]`, atts, nil, sioproto.ErrInvalidAttachments},
	}
	for _, tt := range tests {
		got, err := sioproto.DecodeValue([]byte(tt.raw), tt.atts)
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("%s: err %v, want %v", tt.raw, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %#v, %v; want %#v", tt.raw, got, err, tt.want)
		}
	}
	if _, err := sioproto.DecodeValue([]byte(`{"a":`), nil); err == nil {
		t.Error("truncated JSON: no error")
	}
}
