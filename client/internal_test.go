package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sockspec/sockspec/internal/eioproto"
	"github.com/sockspec/sockspec/internal/sioproto"
	"github.com/sockspec/sockspec/socketio"
)

func TestBackoff(t *testing.T) {
	b := backoff{min: time.Second, max: 5 * time.Second}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}
	for i, w := range want {
		if d := b.duration(); d != w {
			t.Errorf("attempt %d: %v, want %v", i, d, w)
		}
	}
	b.reset()
	if d := b.duration(); d != time.Second {
		t.Errorf("after reset: %v", d)
	}
	j := backoff{min: time.Second, max: time.Hour, jitter: 0.5}
	for i := range 200 {
		j.attempts = i % 4
		base := time.Second << (i % 4)
		d := j.duration()
		if d < base/2 || d > base+base/2 {
			t.Fatalf("jittered delay %v outside [%v, %v]", d, base/2, base+base/2)
		}
	}
	huge := backoff{min: time.Second, max: 3 * time.Second, attempts: 5000}
	if d := huge.duration(); d != 3*time.Second {
		t.Errorf("overflowing attempt: %v", d)
	}
}

func TestConnectPayload(t *testing.T) {
	tests := []struct {
		name        string
		auth        any
		pid, offset string
		want        string
		wantErr     bool
	}{
		{name: "none", want: ""},
		{name: "auth only", auth: map[string]any{"token": "t"}, want: `{"token":"t"}`},
		{name: "recovery", pid: "p1", offset: "o1", want: `{"offset":"o1","pid":"p1"}`},
		{name: "recovery before any event", pid: "p1", want: `{"pid":"p1"}`},
		{name: "merged", auth: map[string]any{"token": "t"}, pid: "p1", offset: "o1", want: `{"offset":"o1","pid":"p1","token":"t"}`},
		{name: "auth wins", auth: map[string]any{"pid": "mine"}, pid: "p1", offset: "o1", want: `{"offset":"o1","pid":"mine"}`},
		{name: "struct auth", auth: struct {
			A int `json:"a"`
		}{1}, want: `{"a":1}`},
		{name: "not an object", auth: []int{1}, wantErr: true},
		{name: "unencodable", auth: map[string]any{"f": func() {}}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Socket{auth: tt.auth, pid: tt.pid, offset: tt.offset}
			got, err := s.connectPayload()
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v", err)
			}
			if tt.wantErr {
				return
			}
			if tt.want == "" {
				if got != nil {
					t.Fatalf("got %s, want none", got)
				}
				return
			}
			var g, w any
			if err := json.Unmarshal(got, &g); err != nil {
				t.Fatal(err)
			}
			_ = json.Unmarshal([]byte(tt.want), &w)
			if !reflect.DeepEqual(g, w) {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestArgs(t *testing.T) {
	atts := [][]byte{{1, 2}, []byte("xyz")}
	a, err := newArgs(json.RawMessage(`["ev",{"_placeholder":true,"num":0},{"b":{"_placeholder":true,"num":1},"n":[1,"s"]},"plain",{"_placeholder":true,"num":7}]`), atts, 1)
	if err != nil {
		t.Fatal(err)
	}
	if a.Len() != 4 {
		t.Fatalf("Len = %d", a.Len())
	}
	var b []byte
	if err := a.Unmarshal(0, &b); err != nil || !reflect.DeepEqual(b, []byte{1, 2}) {
		t.Errorf("Unmarshal(0) = %v, %v", b, err)
	}
	var st struct {
		B []byte `json:"b"`
		N []any  `json:"n"`
	}
	if err := a.Unmarshal(1, &st); err != nil || string(st.B) != "xyz" || len(st.N) != 2 {
		t.Errorf("Unmarshal(1) = %+v, %v", st, err)
	}
	v, err := a.Value(1)
	if err != nil || !reflect.DeepEqual(v, map[string]any{"b": []byte("xyz"), "n": []any{1.0, "s"}}) {
		t.Errorf("Value(1) = %#v, %v", v, err)
	}
	if v, _ := a.Value(2); v != "plain" {
		t.Errorf("Value(2) = %v", v)
	}
	// a placeholder pointing past the attachments is an error for Unmarshal and Value alike
	if err := a.Unmarshal(3, &b); err == nil {
		t.Error("Unmarshal of a dangling placeholder: no error")
	}
	if v, err := a.Value(3); !errors.Is(err, sioproto.ErrInvalidAttachments) {
		t.Errorf("Value of a dangling placeholder = %v, %v", v, err)
	}
	if _, err := a.Value(9); !errors.Is(err, errArgRange) {
		t.Errorf("Value out of range: %v", err)
	}
	if a.Raw(-1) != nil || string(a.Raw(2)) != `"plain"` {
		t.Error("Raw")
	}
	if vs, err := a.Values(); !errors.Is(err, sioproto.ErrInvalidAttachments) {
		t.Errorf("Values with a dangling placeholder = %v, %v", vs, err)
	}
	a.raw = a.raw[:3]
	vs, err := a.Values()
	if err != nil || !reflect.DeepEqual(vs, []any{[]byte{1, 2}, map[string]any{"b": []byte("xyz"), "n": []any{1.0, "s"}}, "plain"}) {
		t.Errorf("Values = %#v, %v", vs, err)
	}
	if _, err := newArgs(json.RawMessage(`{"not":"array"}`), nil, 0); err == nil {
		t.Error("newArgs of an object: no error")
	}
	var zero Args
	if zero.Len() != 0 || zero.Raw(0) != nil {
		t.Error("zero Args")
	}
}

func TestPollingWriteSplitsPayloads(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()
	o, _, err := newOptions(srv.URL, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer o.httpClient.CloseIdleConnections()
	p := &polling{opts: o, sid: "s", maxPayload: 100}
	var pkts []eioproto.Packet
	for i := range 5 {
		pkts = append(pkts, eioproto.Packet{Type: eioproto.Message, Data: bytes.Repeat([]byte{'a' + byte(i)}, 40)})
	}
	pkts = append(pkts, eioproto.Packet{Type: eioproto.Message, Data: []byte{0, 1}, Binary: true})
	if err := p.write(t.Context(), pkts); err != nil {
		t.Fatal(err)
	}
	var got []eioproto.Packet
	for _, b := range bodies {
		if len(b) > 100 {
			t.Errorf("body of %d bytes exceeds maxPayload", len(b))
		}
		ps, err := eioproto.DecodePayload([]byte(b))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ps...)
	}
	if len(bodies) != 3 || !reflect.DeepEqual(got, pkts) {
		t.Errorf("%d bodies, packets %v", len(bodies), got)
	}
}

func TestOptionsURLs(t *testing.T) {
	o, nsp, err := newOptions("wss://h:1/chat?x=1", Config{Path: "custom", Query: map[string][]string{"y": {"2"}}})
	if err != nil {
		t.Fatal(err)
	}
	if nsp != "/chat" {
		t.Errorf("namespace %q", nsp)
	}
	if got := o.engineURL(WebSocket, "S").String(); got != "wss://h:1/custom/?EIO=4&sid=S&transport=websocket&x=1&y=2" {
		t.Errorf("websocket URL %s", got)
	}
	if got := o.engineURL(Polling, "").String(); got != "https://h:1/custom/?EIO=4&transport=polling&x=1&y=2" {
		t.Errorf("polling URL %s", got)
	}
	o, nsp, _ = newOptions("http://h", Config{})
	if nsp != "/" || o.engineURL(Polling, "").Path != "/socket.io/" || !reflect.DeepEqual(o.transports, []Transport{Polling, WebSocket}) {
		t.Errorf("defaults: nsp %q, %+v", nsp, o)
	}
	if o.timeout != 20*time.Second || o.reconn.Delay != time.Second || o.reconn.DelayMax != 5*time.Second || o.reconn.RandomizationFactor != 0.5 {
		t.Errorf("defaults: %+v", o.reconn)
	}
	if o.maxQueueBytes != 1<<20 {
		t.Errorf("default maxQueueBytes %d, want 1 MiB (engineio's default)", o.maxQueueBytes)
	}
	for _, bad := range []Config{{Transports: []Transport{"x"}}, {Reconnection: Reconnection{RandomizationFactor: 2}}, {MaxQueueBytes: -1}} {
		if _, _, err := newOptions("http://h", bad); !errors.Is(err, errConfig) {
			t.Errorf("%+v: err %v", bad, err)
		}
	}
}

// Args.Value means the same on both sides: the client's and the server's
// decode every argument into the same generic value.
func TestValueMatchesServer(t *testing.T) {
	long := `{"_placeholder":true,"num":0,"pad":"` + strings.Repeat("x", 300) + `"}`
	atts := [][]byte{{1, 2}, []byte("xyz")}
	for _, tc := range []struct {
		raw  string
		atts [][]byte
		want any
	}{
		{`"text"`, nil, "text"},
		{`12345678901234567890`, nil, 12345678901234567890.0},
		{` {"a":[1,true,null],"b":{"c":"d"}} `, nil, map[string]any{"a": []any{1.0, true, nil}, "b": map[string]any{"c": "d"}}},
		{`{"_placeholder":true,"num":1}`, atts, []byte("xyz")},
		{`[{"_placeholder":true,"num":0},{"k":{"num":1,"_placeholder":true,"extra":1}}]`, atts, []any{[]byte{1, 2}, map[string]any{"k": []byte("xyz")}}},
		{`{"_placeholder":true,"num":0}`, nil, map[string]any{"_placeholder": true, "num": 0.0}}, // no attachments: plain JSON
		{`"{\"_placeholder\":true,\"num\":0}"`, atts, `{"_placeholder":true,"num":0}`},
		{`{"_placeholder":false,"num":0}`, atts, map[string]any{"_placeholder": false, "num": 0.0}},
		{long, atts, nil}, // too long to be a placeholder: decoded as an object
		{`{"_placeholder":true,"num":2}`, atts, sioproto.ErrInvalidAttachments},
		{`[{"_placeholder":true,"num":-1}]`, atts, sioproto.ErrInvalidAttachments},
	} {
		ca := Args{raw: []json.RawMessage{json.RawMessage(tc.raw)}, atts: tc.atts}
		sa := socketio.NewArgs([]json.RawMessage{json.RawMessage(tc.raw)}, tc.atts)
		cv, cerr := ca.Value(0)
		sv, serr := sa.Value(0)
		if want, ok := tc.want.(error); ok {
			if !errors.Is(cerr, want) || !errors.Is(serr, want) {
				t.Errorf("%s: client %v, %v; server %v, %v; want %v", tc.raw, cv, cerr, sv, serr, want)
			}
			continue
		}
		if cerr != nil || serr != nil || !reflect.DeepEqual(cv, sv) {
			t.Errorf("%s: client %#v, %v; server %#v, %v", tc.raw, cv, cerr, sv, serr)
			continue
		}
		if tc.want != nil && !reflect.DeepEqual(cv, tc.want) {
			t.Errorf("%s: %#v, want %#v", tc.raw, cv, tc.want)
		}
		if tc.raw == long {
			if m, ok := cv.(map[string]any); !ok || m["_placeholder"] != true {
				t.Errorf("long placeholder-like object: %#v", cv)
			}
		}
	}
}
