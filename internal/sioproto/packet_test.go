package sioproto_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/sockspec/sockspec/internal/sioproto"
)

// Vectors from docs/socket.io-protocol/v5-current.md ("Packet encoding").
var specVectors = []struct {
	name    string
	encoded string
	atts    [][]byte
	want    sioproto.Packet
}{
	{"connect main", "0", nil, sioproto.Packet{Type: sioproto.Connect, Namespace: "/"}},
	{"connect custom with sid", `0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"}`, nil,
		sioproto.Packet{Type: sioproto.Connect, Namespace: "/admin", Data: json.RawMessage(`{"sid":"oSO0OpakMV_3jnilAAAA"}`)}},
	{"connect error", `4{"message":"Not authorized"}`, nil,
		sioproto.Packet{Type: sioproto.ConnectError, Namespace: "/", Data: json.RawMessage(`{"message":"Not authorized"}`)}},
	{"event main", `2["foo"]`, nil, sioproto.Packet{Type: sioproto.Event, Namespace: "/", Data: json.RawMessage(`["foo"]`)}},
	{"event custom", `2/admin,["bar"]`, nil, sioproto.Packet{Type: sioproto.Event, Namespace: "/admin", Data: json.RawMessage(`["bar"]`)}},
	{"binary event", `51-["baz",{"_placeholder":true,"num":0}]`, [][]byte{{1, 2, 3, 4}},
		sioproto.Packet{Type: sioproto.BinaryEvent, Namespace: "/", Data: json.RawMessage(`["baz",{"_placeholder":true,"num":0}]`), Attachments: [][]byte{{1, 2, 3, 4}}}},
	{"binary event two attachments", `52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`, [][]byte{{1, 2}, {3, 4}},
		sioproto.Packet{Type: sioproto.BinaryEvent, Namespace: "/admin", Data: json.RawMessage(`["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`), Attachments: [][]byte{{1, 2}, {3, 4}}}},
	{"event with ack", `212["foo"]`, nil, sioproto.Packet{Type: sioproto.Event, Namespace: "/", ID: 12, HasID: true, Data: json.RawMessage(`["foo"]`)}},
	{"ack custom", `3/admin,13["bar"]`, nil, sioproto.Packet{Type: sioproto.Ack, Namespace: "/admin", ID: 13, HasID: true, Data: json.RawMessage(`["bar"]`)}},
	{"binary ack", `61-15["bar",{"_placeholder":true,"num":0}]`, [][]byte{{1, 2, 3, 4}},
		sioproto.Packet{Type: sioproto.BinaryAck, Namespace: "/", ID: 15, HasID: true, Data: json.RawMessage(`["bar",{"_placeholder":true,"num":0}]`), Attachments: [][]byte{{1, 2, 3, 4}}}},
	{"disconnect main", "1", nil, sioproto.Packet{Type: sioproto.Disconnect, Namespace: "/"}},
	{"disconnect custom", "1/admin,", nil, sioproto.Packet{Type: sioproto.Disconnect, Namespace: "/admin"}},
	// From the sample session and the test suite.
	{"connect with sid main", `0{"sid":"wZX3oN0bSVIhsaknAAAI"}`, nil, sioproto.Packet{Type: sioproto.Connect, Namespace: "/", Data: json.RawMessage(`{"sid":"wZX3oN0bSVIhsaknAAAI"}`)}},
	{"binary ack custom", `61-/admin,1[{"_placeholder":true,"num":0}]`, [][]byte{{9}},
		sioproto.Packet{Type: sioproto.BinaryAck, Namespace: "/admin", ID: 1, HasID: true, Data: json.RawMessage(`[{"_placeholder":true,"num":0}]`), Attachments: [][]byte{{9}}}},
	{"connect custom no comma", "0/custom", nil, sioproto.Packet{Type: sioproto.Connect, Namespace: "/custom"}},
	{"connect with auth", `0{"token":"123"}`, nil, sioproto.Packet{Type: sioproto.Connect, Namespace: "/", Data: json.RawMessage(`{"token":"123"}`)}},
	{"event many args", `2["message",1,"2",{"3":[true]}]`, nil, sioproto.Packet{Type: sioproto.Event, Namespace: "/", Data: json.RawMessage(`["message",1,"2",{"3":[true]}]`)}},
	{"event numeric name", `2[1,2]`, nil, sioproto.Packet{Type: sioproto.Event, Namespace: "/", Data: json.RawMessage(`[1,2]`)}},
	{"empty ack", `30[]`, nil, sioproto.Packet{Type: sioproto.Ack, Namespace: "/", ID: 0, HasID: true, Data: json.RawMessage(`[]`)}},
	{"connect error string", `4"nope"`, nil, sioproto.Packet{Type: sioproto.ConnectError, Namespace: "/", Data: json.RawMessage(`"nope"`)}},
	{"binary event zero attachments", `50-["x"]`, nil, sioproto.Packet{Type: sioproto.BinaryEvent, Namespace: "/", Data: json.RawMessage(`["x"]`)}},
}

func decodeAll(t testing.TB, d *sioproto.Decoder, text string, atts [][]byte) (sioproto.Packet, error) {
	t.Helper()
	p, done, err := d.Decode([]byte(text), false)
	if err != nil {
		return p, err
	}
	for i, a := range atts {
		if done {
			t.Fatalf("packet complete before attachment %d", i)
		}
		p, done, err = d.Decode(a, true)
		if err != nil {
			return p, err
		}
	}
	if !done {
		t.Fatalf("packet not complete after %d attachments", len(atts))
	}
	return p, nil
}

func equalPacket(a, b sioproto.Packet) bool {
	if a.Type != b.Type || a.Namespace != b.Namespace || a.ID != b.ID || a.HasID != b.HasID ||
		!bytes.Equal(a.Data, b.Data) || (a.Data == nil) != (b.Data == nil) || len(a.Attachments) != len(b.Attachments) {
		return false
	}
	for i := range a.Attachments {
		if !bytes.Equal(a.Attachments[i], b.Attachments[i]) {
			return false
		}
	}
	return true
}

func TestSpecVectors(t *testing.T) {
	for _, tc := range specVectors {
		t.Run(tc.name, func(t *testing.T) {
			var d sioproto.Decoder
			got, err := decodeAll(t, &d, tc.encoded, tc.atts)
			if err != nil {
				t.Fatalf("decode %q: %v", tc.encoded, err)
			}
			if !equalPacket(got, tc.want) {
				t.Fatalf("decode %q = %+v, want %+v", tc.encoded, got, tc.want)
			}
			enc := sioproto.AppendPacket(nil, &tc.want)
			wantEnc := tc.encoded
			if tc.name == "connect custom no comma" {
				wantEnc = "0/custom,"
			}
			if string(enc) != wantEnc {
				t.Fatalf("encode = %q, want %q", enc, wantEnc)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		atts    [][]byte // binary messages after the text
		wantErr error
	}{
		{"empty", "", nil, sioproto.ErrEmpty},
		{"unknown type letter", "abc", nil, sioproto.ErrInvalidType},
		{"unknown type 7", "7[]", nil, sioproto.ErrInvalidType},
		{"invalid json", "2[\"a\"", nil, sioproto.ErrInvalidJSON},
		{"payload object for event", "2{}", nil, sioproto.ErrInvalidPayload},
		{"payload for event missing", "2", nil, sioproto.ErrInvalidPayload},
		{"empty event array", "2[]", nil, sioproto.ErrInvalidPayload},
		{"event name object", "2[{}]", nil, sioproto.ErrInvalidPayload},
		{"reserved event", `2["connect"]`, nil, sioproto.ErrInvalidPayload},
		{"reserved event escaped", `2["disc\u006fnnect"]`, nil, sioproto.ErrInvalidPayload},
		{"invalid ack id letters", `2abc["message-with-ack",1]`, nil, sioproto.ErrInvalidJSON},
		{"ack id too large", `29007199254740992["a"]`, nil, sioproto.ErrInvalidID},
		{"ack without id", `3[]`, nil, sioproto.ErrInvalidID},
		{"ack with object", `31{}`, nil, sioproto.ErrInvalidPayload},
		{"connect with array", `0[]`, nil, sioproto.ErrInvalidPayload},
		{"connect with string", `0"x"`, nil, sioproto.ErrInvalidPayload},
		{"disconnect with payload", `1{}`, nil, sioproto.ErrInvalidPayload},
		{"connect error array", `4[]`, nil, sioproto.ErrInvalidPayload},
		{"namespace control char", "0/a\x01b,", nil, sioproto.ErrInvalidNamespace},
		{"namespace invalid utf8", "0/a\xffb,", nil, sioproto.ErrInvalidNamespace},
		{"binary without dash", `51["a",{"_placeholder":true,"num":0}]`, nil, sioproto.ErrInvalidAttachments},
		{"binary without count", `5-["a"]`, nil, sioproto.ErrInvalidAttachments},
		{"too many attachments", `511-["a"]`, nil, sioproto.ErrTooManyAttachments},
		{"huge attachment count", `599999999999999999999999-["a"]`, nil, sioproto.ErrTooManyAttachments},
		{"placeholder out of range", `51-["a",{"_placeholder":true,"num":1}]`, [][]byte{{1}}, sioproto.ErrInvalidAttachments},
		{"placeholder negative", `51-["a",{"_placeholder":true,"num":-1}]`, [][]byte{{1}}, sioproto.ErrInvalidAttachments},
		{"placeholder without attachments", `50-["a",{"_placeholder":true,"num":0}]`, nil, sioproto.ErrInvalidAttachments},
		{"text while pending", `51-["a",{"_placeholder":true,"num":0}]`, nil, sioproto.ErrUnexpectedText},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var d sioproto.Decoder
			_, done, err := d.Decode([]byte(tc.in), false)
			for _, a := range tc.atts {
				if err != nil || done {
					break
				}
				_, done, err = d.Decode(a, true)
			}
			if err == nil && tc.wantErr == sioproto.ErrUnexpectedText {
				_, _, err = d.Decode([]byte(`2["x"]`), false)
			}
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Decode(%q) error = %v, want %v", tc.in, err, tc.wantErr)
			}
			if d.Pending() {
				t.Fatal("decoder still pending after an error")
			}
		})
	}
}

func TestUnexpectedBinary(t *testing.T) {
	var d sioproto.Decoder
	if _, _, err := d.Decode([]byte{1}, true); !errors.Is(err, sioproto.ErrUnexpectedBinary) {
		t.Fatalf("err = %v", err)
	}
}

func TestMaxAttachments(t *testing.T) {
	d := sioproto.Decoder{MaxAttachments: 2}
	if _, _, err := d.Decode([]byte(`53-["a"]`), false); !errors.Is(err, sioproto.ErrTooManyAttachments) {
		t.Fatalf("err = %v", err)
	}
	if _, _, err := d.Decode([]byte(`52-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`), false); err != nil {
		t.Fatal(err)
	}
}

func TestSplitArray(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{`[]`, nil},
		{` [ ] `, nil},
		{`["a"]`, []string{`"a"`}},
		{`["a\"],",1,{"b":[1,2,"]"]},null, true ,-1.5e3]`, []string{`"a\"],"`, `1`, `{"b":[1,2,"]"]}`, `null`, `true`, `-1.5e3`}},
	}
	for _, tc := range tests {
		got, err := sioproto.SplitArray(nil, []byte(tc.in))
		if err != nil {
			t.Fatalf("SplitArray(%s): %v", tc.in, err)
		}
		if len(got) != len(tc.want) {
			t.Fatalf("SplitArray(%s) = %q, want %q", tc.in, got, tc.want)
		}
		for i := range got {
			if string(got[i]) != tc.want[i] {
				t.Fatalf("SplitArray(%s)[%d] = %s, want %s", tc.in, i, got[i], tc.want[i])
			}
		}
	}
	if _, err := sioproto.SplitArray(nil, []byte(`{}`)); err == nil {
		t.Fatal("SplitArray of an object succeeded")
	}
}

func TestAppendValue(t *testing.T) {
	v := []any{"ev", 1, 2.5, true, nil, []byte{1, 2}, map[string]any{"b": []byte{3}, "a": "x<y\n\u2028"},
		json.RawMessage(`{"raw":1}`), []string{"s"}, struct {
			X int `json:"x"`
		}{7}, 1e21, float32(0.1)}
	data, atts, err := sioproto.AppendValue(nil, v, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := `["ev",1,2.5,true,null,{"_placeholder":true,"num":0},{"a":"x<y\n\u2028","b":{"_placeholder":true,"num":1}},{"raw":1},["s"],{"x":7},1e+21,0.1]`
	if string(data) != want {
		t.Fatalf("AppendValue =\n%s\nwant\n%s", data, want)
	}
	if len(atts) != 2 || !bytes.Equal(atts[0], []byte{1, 2}) || !bytes.Equal(atts[1], []byte{3}) {
		t.Fatalf("atts = %v", atts)
	}
	if !json.Valid(data) {
		t.Fatal("invalid JSON")
	}
	if _, _, err := sioproto.AppendValue(nil, json.RawMessage(`{`), nil); !errors.Is(err, sioproto.ErrInvalidJSON) {
		t.Fatalf("invalid RawMessage: err = %v", err)
	}
	s, _, _ := sioproto.AppendValue(nil, "a\"\\\x01\xff", nil)
	var back string
	if err := json.Unmarshal(s, &back); err != nil || back != "a\"\\\x01\uFFFD" {
		t.Fatalf("string round trip: %q %v", back, err)
	}
}

func TestAppendResolved(t *testing.T) {
	out, err := sioproto.AppendResolved(nil, []byte(`["a",{"b":{"_placeholder":true,"num":0}}]`), [][]byte{{1, 2, 3}})
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != `["a",{"b":"AQID"}]` {
		t.Fatalf("got %s", out)
	}
	var v []struct {
		B []byte `json:"b"`
	}
	if err := json.Unmarshal(out[4:len(out)-1], &v); err == nil {
		t.Log("unexpected decode ok") // shape check only
	}
	if _, err := sioproto.AppendResolved(nil, []byte(`[{"_placeholder":true,"num":3}]`), nil); !errors.Is(err, sioproto.ErrInvalidAttachments) {
		t.Fatalf("err = %v", err)
	}
}

func TestEventName(t *testing.T) {
	for in, want := range map[string]string{`["a",1]`: "a", `[ "b\u0041" ]`: "bA", `[12]`: "12"} {
		got, ok := sioproto.EventName([]byte(in))
		if !ok || string(got) != want {
			t.Fatalf("EventName(%s) = %q %v, want %q", in, got, ok, want)
		}
	}
	if _, ok := sioproto.EventName([]byte(`[{}]`)); ok {
		t.Fatal("object name accepted")
	}
}

func TestDecodeEventAllocs(t *testing.T) {
	msg := []byte(`2/chat,17["message",{"text":"hello","n":1},"x"]`)
	var d sioproto.Decoder
	var args []json.RawMessage
	allocs := testing.AllocsPerRun(1000, func() {
		p, _, err := d.Decode(msg, false)
		if err != nil {
			t.Fatal(err)
		}
		args, _ = sioproto.SplitArray(args[:0], p.Data)
	})
	if allocs > 0 {
		t.Fatalf("decoding an EVENT allocates %v times, budget 0", allocs)
	}
}

func BenchmarkDecodeEvent(b *testing.B) {
	msg := []byte(`2/chat,17["message",{"text":"hello world","n":1,"tags":["a","b"]},"x"]`)
	var d sioproto.Decoder
	var args []json.RawMessage
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		p, _, err := d.Decode(msg, false)
		if err != nil {
			b.Fatal(err)
		}
		args, _ = sioproto.SplitArray(args[:0], p.Data)
	}
}

func BenchmarkEncodeEvent(b *testing.B) {
	args := []any{"message", map[string]any{"text": "hello world", "n": 1}, "x"}
	var data, buf []byte
	b.ReportAllocs()
	for b.Loop() {
		var err error
		data, _, err = sioproto.AppendValue(data[:0], args, nil)
		if err != nil {
			b.Fatal(err)
		}
		buf = sioproto.AppendPacket(buf[:0], &sioproto.Packet{Type: sioproto.Event, Namespace: "/chat", Data: data})
	}
}
