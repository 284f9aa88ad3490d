package socketio

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/sockspec/sockspec/internal/sioproto"
)

// Value decodes into generic values (binary attachments as []byte), and
// Values can be emitted again: the attachments go back out as binary.
func TestArgsValue(t *testing.T) {
	raw := []json.RawMessage{
		json.RawMessage(`"text"`),
		json.RawMessage(`{"n":1.5,"big":12345678901234567890,"l":[true,null]}`),
		json.RawMessage(`{"file":{"_placeholder":true,"num":0},"name":"a.bin"}`),
		json.RawMessage(`{"_placeholder":true,"num":5}`),
	}
	a := NewArgs(raw, [][]byte{{1, 2, 3}})
	want := []any{
		"text",
		map[string]any{"n": 1.5, "big": 12345678901234567890.0, "l": []any{true, nil}},
		map[string]any{"file": []byte{1, 2, 3}, "name": "a.bin"},
	}
	for i, w := range want {
		if v, err := a.Value(i); err != nil || !reflect.DeepEqual(v, w) {
			t.Errorf("Value(%d) = %#v, %v; want %#v", i, v, err, w)
		}
	}
	if _, err := a.Value(3); !errors.Is(err, sioproto.ErrInvalidAttachments) {
		t.Errorf("Value of a dangling placeholder: %v", err)
	}
	if _, err := a.Value(4); err == nil {
		t.Error("Value out of range: no error")
	}
	vs := a.Values()
	if !reflect.DeepEqual(vs, append(want, nil)) {
		t.Errorf("Values = %#v", vs)
	}
	// Raw still gives the JSON as received (exact big numbers).
	if string(a.Raw(1)) != string(raw[1]) {
		t.Errorf("Raw(1) = %s", a.Raw(1))
	}

	text, _, atts, err := encodeEvent("/", 0, false, "again", vs[:3])
	if err != nil {
		t.Fatal(err)
	}
	if want := `51-["again","text",{"big":12345678901234567000,"l":[true,null],"n":1.5},{"file":{"_placeholder":true,"num":0},"name":"a.bin"}]`; string(text) != want {
		t.Errorf("re-emitted %s, want %s", text, want)
	}
	if len(atts) != 1 || string(atts[0]) != "\x01\x02\x03" {
		t.Errorf("re-emitted attachments %v", atts)
	}
}
